"""The public 碳普惠 pages at a county's own address, ``/c/<code>/inclusion/…`` (issue 15: many counties on one
installation): a resident joins the scheme of the county whose page it is. The ``county`` keyword is taken by
the tenancy middleware; the short ``/inclusion/join/`` stays for a single county."""

from django.urls import path

from carbonpeak.inclusion import views

app_name = "inclusion_county"
urlpatterns = [
    path("join/", views.join, name="join"),
]
