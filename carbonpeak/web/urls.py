from django.contrib.auth import views as auth_views
from django.urls import path

from carbonpeak.accounts import views as account_views
from carbonpeak.accounts.forms import LoginForm
from carbonpeak.web import living_views, project_views, region_views, sectors, views

login_view = account_views.LoginView.as_view(authentication_form=LoginForm)

urlpatterns = [
    path("", views.public, name="public"),
    # a county's own public page and login (several counties on one installation): the same names with a
    # ``county`` keyword, which plan.tenancy.TenancyMiddleware takes off into request.county_code
    path("c/<slug:county>/", views.public, name="public"),
    path("c/<slug:county>/login/", login_view, name="login"),
    path("login/", login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", account_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("targets/<slug:code>/owners/", living_views.target_owners, name="target_owners"),
    path("targets/<slug:code>/allocations/", living_views.target_allocations, name="target_allocations"),
    path("plan/revise/", living_views.plan_revise, name="plan_revise"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<str:code>/", views.task_detail, name="task"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/report/<int:round_id>/<str:task_code>/", views.submit_task_report, name="submit_report"),
    path("workspace/value/<slug:code>/", views.submit_value, name="submit_value"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/report.pdf", views.round_pdf, name="round_pdf"),
    path("rounds/<int:pk>/report.xlsx", views.round_xlsx, name="round_xlsx"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/report.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("assessment/report.xlsx", views.assessment_xlsx, name="assessment_xlsx"),
    path("audit/", views.audit_log, name="audit"),
    path("departments/enterprise-access/", views.enterprise_readers, name="enterprise_readers"),
    path("audit/audit.xlsx", views.audit_xlsx, name="audit_xlsx"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("health/", views.health, name="health"),
    path("region/", region_views.region_page, name="region"),
    path("region/region.xlsx", region_views.region_xlsx, name="region_xlsx"),
    path("sectors/", sectors.sectors_page, name="sectors"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/projects.xlsx", project_views.projects_xlsx, name="projects_xlsx"),
    path("projects/template.xlsx", project_views.projects_template, name="projects_template"),
    path("projects/import/", project_views.projects_import, name="projects_import"),
    path("projects/<str:code>/", project_views.project_detail, name="project"),
    path(
        "workspace/project-report/<int:round_id>/<str:code>/",
        project_views.submit_project_report,
        name="submit_project_report",
    ),
    path("project-reports/<int:pk>/review/", project_views.review_project_report, name="review_project_report"),
]
