from django.urls import path

from carbonpeak.inclusion import views

app_name = "inclusion"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("rewards/", views.rewards, name="rewards"),
    path("household/", views.household, name="household"),
    path("export.json", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("merchant/", views.merchant, name="merchant"),
    path("operator/", views.operator, name="operator"),
    path("office/", views.office, name="office"),
    path("forest/", views.forest, name="forest"),
]
