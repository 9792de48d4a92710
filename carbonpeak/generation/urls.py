from django.urls import path

from carbonpeak.generation import views

app_name = "generation"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
]
