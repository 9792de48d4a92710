from django.urls import path

from carbonpeak.waste import views

app_name = "waste"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/check/", views.run_check, name="check"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("monthly/", views.monthly, name="monthly"),
    path("upload/", views.upload, name="upload"),
    path("approve/", views.approve, name="approve"),
    path("export/waste.xlsx", views.export, name="export"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
    path("loads/<str:manifest_id>/", views.load, name="load"),
]
