from functools import cached_property

from django.conf import settings


class CountyChrome:
    """What the header needs to say which county a page is about (computed only when a template asks):

    - ``county``: the request's county (``plan.tenancy.county_for``), or None;
    - ``several``: more than one published plan, so public links carry the county (``/c/<code>/``);
    - ``region``, ``choices``: a region reader's city or province and the counties it may switch between.
    """

    def __init__(self, request):
        self.request = request

    @cached_property
    def county(self):
        from carbonpeak.plan.tenancy import county_for

        return county_for(self.request) if self.request is not None else None

    @cached_property
    def several(self) -> bool:
        from carbonpeak.plan.models import Plan

        return Plan.objects.filter(is_published=True).count() > 1

    @cached_property
    def region(self):
        from carbonpeak.plan.tenancy import principal_of, region_of

        return region_of(principal_of(self.request)) if self.request is not None else None

    @cached_property
    def choices(self) -> list:
        from carbonpeak.plan.tenancy import counties_for, principal_of

        if self.region is None:
            return []
        return list(counties_for(principal_of(self.request)))


def site(request):
    from carbonpeak.accounts.permissions import (
        is_office,
        reads_enterprises,
        reads_everything,
        reads_rounds,
        reads_staff_pages,
    )
    from carbonpeak.web.audit_page import reads_audit

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_is_office": is_office(user),
        "user_reads_enterprises": reads_enterprises(user),
        "user_reads_staff": reads_staff_pages(user),
        "user_reads_rounds": reads_rounds(user),
        "user_reads_audit": reads_audit(user),
        # a region reader (city, province) reads like an auditor and writes nothing: the forms stay hidden
        "user_reads_only": reads_everything(user),
        "cp": CountyChrome(request),
    }
