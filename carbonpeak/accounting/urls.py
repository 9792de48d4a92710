from django.urls import path

from carbonpeak.accounting import views

app_name = "accounting"
urlpatterns = [
    path("", views.home, name="home"),
    path("factors/", views.factor_sets, name="factor_sets"),
    path("factors/diff/", views.factor_diff, name="factor_diff"),
    path("factors/<str:version>/", views.factor_set, name="factor_set"),
    path("factors/<str:version>/factors.csv", views.factor_set_csv, name="factor_set_csv"),
    path("<int:year>/", views.inventory, name="inventory"),
    path("<int:year>/template.xlsx", views.template_xlsx, name="template"),
]
