"""The public enterprise pages at a county's own address, ``/c/<code>/enterprises/…`` (issue 15: many counties
on one installation). The ``county`` keyword is taken by the tenancy middleware
(``carbonpeak.plan.tenancy.TenancyMiddleware``); the short addresses of ``urls.py`` stay for a single county."""

from django.urls import path

from carbonpeak.enterprises import views

app_name = "enterprises_county"
urlpatterns = [
    path("key-users/", views.public_list, name="public"),
]
