from django.urls import path

from carbonpeak.buildings import views

app_name = "buildings"
urlpatterns = [
    path("", views.home, name="home"),
    path("shares/", views.shares, name="shares"),
    path("energy/", views.energy, name="energy"),
    path("public-institutions/", views.institutions, name="institutions"),
    path("rooftop-pv/", views.rooftop, name="rooftop"),
    path("export.csv", views.export, name="export"),
    path("templates/<str:kind>.xlsx", views.upload_template, name="template"),
    path("b/<str:building_id>/", views.detail, name="detail"),
]
