from django.conf import settings


def site(request):
    from carbonpeak.accounts.permissions import is_office, reads_enterprises

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_is_office": is_office(user),
        "user_reads_enterprises": reads_enterprises(user),
    }
