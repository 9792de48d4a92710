from django.urls import path

from carbonpeak.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("<int:pk>/results.xlsx", views.export_xlsx, name="xlsx"),
    path("<int:pk>/brief.pdf", views.export_pdf, name="pdf"),
]
