"""The major-project pages (issue 16): the register with filters and a township column chart, a project's page
(fields, departments, status history, round reports, flags; the edit forms by role), the project part of the
workspace and of the round page, and the register's Excel import/export. Reads in the request's county; writes
through plan/projects.py and plan/project_table.py (audited)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carbonpeak.accounts.permissions import is_office, require_staff
from carbonpeak.percent import fraction_to_percent, percent_to_fraction
from carbonpeak.plan import projects as svc
from carbonpeak.plan.choices import AssignmentRole, ProjectStatus, ProjectType, ProjectUnit
from carbonpeak.plan.models import DispatchRound, Plan, Project, ProjectAssignment, ProjectReport
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.permissions import leads_project
from carbonpeak.plan.project_flags import flags_by_project, plan_flags
from carbonpeak.plan.tenancy import acts_in, principal_of, require_county
from carbonpeak.validation import ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _acts(request, plan: Plan) -> bool:
    return acts_in(principal_of(request), plan)


def _register(plan: Plan):
    return plan.projects.select_related("group").prefetch_related(
        Prefetch("assignments", queryset=ProjectAssignment.objects.select_related("department"))
    )


def township_chart(projects: list[Project]) -> dict:
    """Projects per township, stacked by status (the plan leaves many without a township: 未定)."""
    none = _("未定")
    by: dict[str, Counter] = {}
    for p in projects:
        by.setdefault(p.township or none, Counter())[p.status] += 1
    names = sorted(by, key=lambda n: (n == none, -sum(by[n].values()), n))
    return {
        "categories": names,
        "series": [
            {"name": str(label), "type": "bar", "stack": "all", "data": [by[n][code] for n in names]}
            for code, label in ProjectStatus.choices
            if any(by[n][code] for n in names)
        ],
    }


@login_required
@require_GET
def project_list(request):
    require_staff(request.user)
    plan = require_county(request)
    projects = _register(plan)
    f = {k: request.GET.get(k, "") for k in ("group", "township", "department", "status")}
    if f["group"]:
        projects = projects.filter(group__code=f["group"])
    if f["township"]:
        projects = projects.filter(township=f["township"])
    if f["department"]:
        projects = projects.filter(assignments__department__code=f["department"]).distinct()
    if f["status"]:
        projects = projects.filter(status=f["status"])
    projects = list(projects)
    flags = flags_by_project(plan_flags(plan))
    townships = sorted({t for t in plan.projects.values_list("township", flat=True) if t})
    dept_ids = set(ProjectAssignment.objects.filter(project__plan=plan).values_list("department_id", flat=True))
    return render(
        request,
        "web/projects.html",
        {
            "plan": plan,
            "rows": [(p, flags.get(p.pk, [])) for p in projects],
            "filters": f,
            "groups": plan.project_groups.all(),
            "townships": townships,
            "departments": [d for d in plan.departments.all() if d.pk in dept_ids],
            "statuses": ProjectStatus.choices,
            "chart": township_chart(projects),
            "can_import": is_office(request.user) and _acts(request, plan),
            "flag_count": sum(len(v) for v in flags.values()),
        },
    )


def _page(request, plan: Plan, project: Project):
    office = is_office(request.user) and _acts(request, plan)
    lead = leads_project(principal_of(request), project)
    reports = list(
        project.reports.select_related("round", "department").prefetch_related("evidence").order_by("-round__year")
    )
    from carbonpeak.web.views import _evidence_access

    return render(
        request,
        "web/project.html",
        {
            "plan": plan,
            "p": project,
            "departments": svc.assignment_snapshot(project),
            "all_departments": plan.departments.all(),
            "history": project.status_changes.all(),
            "reports": reports,
            "flags": flags_by_project(plan_flags(plan)).get(project.pk, []),
            "office": office,
            "lead": lead,
            "statuses": ProjectStatus.choices,
            "types": ProjectType.choices,
            "units": ProjectUnit.choices,
            "share_percent": fraction_to_percent(project.investment_done_share),
            "nonfossil_percent": fraction_to_percent(project.nonfossil_fraction),
            **_evidence_access(request.user),
        },
    )


@login_required
def project_detail(request, code: str):
    require_staff(request.user)
    plan = require_county(request)
    project = get_object_or_404(Project.objects.select_related("group"), plan=plan, code=code)
    if request.method != "POST":
        return _page(request, plan, project)
    back = reverse("project", args=[project.code])
    if not _acts(request, plan):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    p = request.POST
    action = p.get("action")
    try:
        if action == "status":
            svc.change_status(request.user, project, p.get("status", ""), p.get("reason", ""))
        elif action == "departments":
            svc.set_project_departments(
                request.user, project, p.getlist("lead"), [d for d in p.getlist("cooperating") if d]
            )
        elif action in ("fields", "progress"):
            keys = svc.EDITABLE if action == "fields" else svc.PROGRESS_FIELDS
            changes = {k: p.get(k, "") for k in keys if k in p}
            for k in ("investment_done_share", "nonfossil_fraction"):  # typed in percent on the page
                if k in changes:
                    changes[k] = percent_to_fraction(changes[k])
            svc.update_project(request.user, project, changes)
        else:
            return redirect(back)
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, back)
    messages.info(request, _("已保存。"))
    return redirect(back)


# --- the workspace and the round page ---


def workspace_projects(plan: Plan, dept, rnd: DispatchRound | None) -> dict:
    """The lead department's projects with its report in the round shown (for the workspace)."""
    if dept is None:
        return {"project_rows": []}
    projects = list(
        plan.projects.filter(assignments__department=dept, assignments__role=AssignmentRole.LEAD).select_related(
            "group"
        )
    )
    reports = {}
    if rnd is not None:
        reports = {
            r.project_id: r
            for r in ProjectReport.objects.filter(round=rnd, project__in=projects).prefetch_related("evidence")
        }
    return {
        "project_rows": [(p, reports.get(p.pk)) for p in projects],
        "project_statuses": ProjectStatus.choices,
    }


@login_required
@require_POST
def submit_project_report(request, round_id: int, code: str):
    plan = require_county(request)
    rnd = get_object_or_404(DispatchRound, pk=round_id, plan=plan)
    project = get_object_or_404(Project, plan=plan, code=code)
    back = reverse("workspace") + f"?round={rnd.pk}#project-{project.code}"
    p = request.POST
    data = {k: p.get(k, "") for k in ("status", "status_reason", "size_done", "progress", "problems")}
    data["investment_share"] = percent_to_fraction(p.get("investment_share", ""))
    try:
        svc.submit_project_report(request.user, rnd, project, data, request.FILES.getlist("evidence"))
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, back)
    return redirect(reverse("workspace") + f"?ok={project.code}&round={rnd.pk}#project-{project.code}")


@login_required
@require_POST
def review_project_report(request, pk: int):
    plan = require_county(request)
    report = get_object_or_404(ProjectReport, pk=pk, plan=plan)
    back = reverse("round", args=[report.round_id]) + f"#project-report-{report.pk}"
    try:
        svc.review_project_report(
            request.user, report, request.POST.get("decision", ""), request.POST.get("comment", "")
        )
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, back)
    return redirect(back)


# --- the register as Excel ---


@login_required
@require_GET
def projects_xlsx(request):
    require_staff(request.user)
    plan = require_county(request)
    from carbonpeak.plan.project_table import register_workbook
    from carbonpeak.tabular.writing import workbook_bytes

    resp = HttpResponse(workbook_bytes(register_workbook(plan)), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="projects.xlsx"'
    return resp


@login_required
@require_GET
def projects_template(request):
    require_staff(request.user)
    require_county(request)
    from carbonpeak.plan.project_table import PROJECTS
    from carbonpeak.tabular.writing import template_bytes

    resp = HttpResponse(template_bytes(PROJECTS), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="projects-template.xlsx"'
    return resp


@login_required
def projects_import(request):
    require_staff(request.user)
    plan = require_county(request)
    from django.core.exceptions import PermissionDenied

    if not (is_office(request.user) and _acts(request, plan)):
        raise PermissionDenied
    report = None
    unreadable = None
    if request.method == "POST":
        from carbonpeak.plan.project_table import PROJECTS, import_projects
        from carbonpeak.tabular import Unreadable, read_rows

        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Unreadable("请选择文件", "choose a file")
            rows = read_rows(upload.read(), PROJECTS, upload.name)
            report = import_projects(request.user, plan, rows, update=request.POST.get("update") == "1")
        except Unreadable as exc:
            unreadable = exc.message_zh
    return render(
        request,
        "web/projects_import.html",
        {
            "plan": plan,
            "report": report,
            "summary": report.summary(request.LANGUAGE_CODE) if report else [],
            "unreadable": unreadable,
        },
    )
