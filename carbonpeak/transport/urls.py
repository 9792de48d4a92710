from django.urls import path

from carbonpeak.transport import views

app_name = "transport"
urlpatterns = [
    path("", views.home, name="home"),
    path("gas/", views.gas, name="gas"),
    path("template/<str:kind>/", views.template, name="template"),
]
