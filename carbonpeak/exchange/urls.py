from django.urls import path

from carbonpeak.exchange import views

app_name = "exchange"
urlpatterns = [
    path("<int:year>.<str:fmt>", views.export, name="export"),
]
