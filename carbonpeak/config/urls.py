from django.urls import include, path

from carbonpeak.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounting/", include("carbonpeak.accounting.urls")),
    path("sinks/", include("carbonpeak.sinks.urls")),
    path("scenarios/", include("carbonpeak.scenarios.urls")),
    # a county's own public addresses (/c/<code>/…; the tenancy middleware takes the code)
    path("c/<str:county>/enterprises/", include("carbonpeak.enterprises.county_urls")),
    path("c/<str:county>/inclusion/", include("carbonpeak.inclusion.county_urls")),
    path("enterprises/", include("carbonpeak.enterprises.urls")),
    path("waste/", include("carbonpeak.waste.urls")),
    path("inclusion/", include("carbonpeak.inclusion.urls")),
    path("buildings/", include("carbonpeak.buildings.urls")),
    path("exchange/", include("carbonpeak.exchange.urls")),
    path("generation/", include("carbonpeak.generation.urls")),
    path("transport/", include("carbonpeak.transport.urls")),
    path("", include("carbonpeak.web.urls")),
]
