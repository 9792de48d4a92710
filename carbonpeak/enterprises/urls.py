from django.urls import path

from carbonpeak.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.home, name="home"),
    path("check-meters/", views.check_meters, name="check_meters"),
    path("review/", views.review, name="review"),
    path("dual-control/", views.dual_control, name="control"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("key-users/", views.public_list, name="public"),
    path("templates/<str:kind>.xlsx", views.upload_template, name="template"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/carbon-account-<int:year>.pdf", views.account_pdf, name="account_pdf"),
]
