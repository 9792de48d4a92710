from django.urls import include, path

from carbonpeak.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounting/", include("carbonpeak.accounting.urls")),
    path("scenarios/", include("carbonpeak.scenarios.urls")),
    path("enterprises/", include("carbonpeak.enterprises.urls")),
    path("inclusion/", include("carbonpeak.inclusion.urls")),
    path("exchange/", include("carbonpeak.exchange.urls")),
    path("", include("carbonpeak.web.urls")),
]
