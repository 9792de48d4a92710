from django.urls import path

from carbonpeak.sinks import views

app_name = "sinks"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.year, name="year"),
    path("<int:year>/export/forest.xlsx", views.export_xlsx, name="export"),
    path("download/template-<str:kind>.xlsx", views.template_xlsx, name="template"),
    path("wetlands/", views.wetlands, name="wetlands"),
]
