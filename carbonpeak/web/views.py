"""Server-rendered pages. Reads go through plan.status / plan.dashboard; writes through plan.services.

Every page takes its county from ``plan.tenancy`` (issue 15): the working pages from the account
(``require_county``: a region reader's chosen county), the public page from the URL (``/c/<code>/``) or the only
published plan. Every object fetched by id or code is looked up inside that county, so another county's object is a
404 like a missing one; every write also needs the principal to act in the county (``tenancy.acts_in``): a region
reader reads and never writes (403)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.permissions import (
    department_of,
    downloads_evidence,
    is_office,
    reads_everything,
    reads_rounds,
    require_staff,
)
from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan import services
from carbonpeak.plan.cache import cached
from carbonpeak.plan.choices import RoundStatus, TaskStatus
from carbonpeak.plan.dashboard import dashboard_context, target_chart
from carbonpeak.plan.dispatch import owed_tasks
from carbonpeak.plan.models import DispatchRound, Evidence, Plan, Target, Task, TaskAssignment
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.permissions import owns_target, owns_task
from carbonpeak.plan.scoring import score_table
from carbonpeak.plan.status import status_of, target_statuses
from carbonpeak.plan.tenancy import acts_in, county_for, principal_of, require_county
from carbonpeak.validation import YEAR_MAX, YEAR_MIN, ValidationFailed, parse_int
from carbonpeak.web.audit_page import rows as audit_rows


@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")


def require_acts(request, plan: Plan) -> None:
    """A write in ``plan``: only a principal of that county (never a region reader, never another county)."""
    if not acts_in(principal_of(request), plan):
        raise PermissionDenied


@require_GET
def public(request):
    """The public page of the URL's county (``/c/<code>/``), else of the only published plan; with several
    published plans and no county, the list of counties."""
    plan = county_for(request)
    if plan is None:
        if getattr(request, "county_code", None):
            raise Http404(_("未找到该县的公开方案 / no published plan for this county"))
        counties = list(Plan.objects.filter(is_published=True).order_by("division_code", "code"))
        if not counties:
            raise Http404(_("尚未载入方案 / no plan loaded"))
        return render(request, "web/counties.html", {"counties": counties})
    statuses = _one_per_clause_pair([s for s in target_statuses(plan) if s.target.kind == "goal"])
    from carbonpeak.scenarios.presentation import attach_peak_evidence, official_outlook

    outlook = official_outlook(plan)  # the official scenario only: trial runs stay inside the office
    attach_peak_evidence(plan, statuses, outlook)
    from carbonpeak.sinks.fetch import latest_approved

    forest = latest_approved(plan)  # coverage, stock and sink of the latest approved forest year
    return render(
        request, "web/public.html", {"plan": plan, "statuses": statuses, "outlook": outlook, "forest": forest}
    )


def _one_per_clause_pair(statuses: list) -> list:
    """The public reads one line per target: of two plan clauses that state the same target differently
    (conflicts_with), or the same figure with other wording (one indicator, the same values), the one with data
    is shown, else the first; the office still sees both."""
    by_code = {s.target.code: s for s in statuses}

    def same_value(s) -> tuple:  # one figure stated in two clauses with other wording (新能源: 达到 / 力争突破)
        values = tuple(sorted((m.year, m.value) for m in s.target.milestones.all()))
        return (s.target.indicator, values) if s.target.indicator and values else (s.target.code,)

    twins: dict[tuple, list] = {}
    for s in statuses:
        twins.setdefault(same_value(s), []).append(s)
    dropped = set()
    for s in statuses:
        other = by_code.get(getattr(s.target.conflicts_with, "code", None))
        if other is None:
            other = next((o for o in twins[same_value(s)] if o is not s), None)
        if other is None or s.target.code in dropped or other.target.code in dropped:
            continue
        keep_other = other.latest is not None and s.latest is None
        dropped.add(s.target.code if keep_other else other.target.code)
    return [s for s in statuses if s.target.code not in dropped]


def _dashboard(plan: Plan) -> dict:
    from carbonpeak.scenarios.presentation import attach_peak_evidence, official_outlook

    ctx = dashboard_context(plan)
    outlook = official_outlook(plan)
    attach_peak_evidence(plan, ctx["goals"], outlook)  # the dashboard shows the official scenario only
    return {**ctx, "outlook": outlook}


@login_required
@require_GET
def dashboard(request):
    role = getattr(request.user, "role", None)
    if role == Role.ENTERPRISE:  # an energy manager's home is their enterprise
        return redirect("enterprises:home")
    if role in (Role.RESIDENT, Role.MERCHANT, Role.OPERATOR):  # 碳普惠 users land on their own pages
        return redirect("inclusion:home")
    require_staff(request.user)
    plan = require_county(request)
    # keyed by the day too: a project's lateness changes with the date (plan/project_flags.py)
    key = f"dashboard:{timezone.localdate().isoformat()}"
    body = cached(plan, key, lambda: render_to_string("web/_dashboard_body.html", _dashboard(plan)))
    return render(request, "web/dashboard.html", {"plan": plan, "body": body})


@login_required
def target_detail(request, code: str):
    require_staff(request.user)
    plan = require_county(request)
    target = get_object_or_404(
        Target.objects.prefetch_related("milestones", "assignments__department").select_related("conflicts_with"),
        plan=plan,
        code=code,
    )
    status = status_of(plan, target)
    from carbonpeak.scenarios.presentation import attach_peak_evidence

    attach_peak_evidence(plan, [status], latest=True)  # the target's own page: the newest run, labelled
    values = target.values.prefetch_related("evidence").order_by("year", "quarter")
    history = (
        audit_rows(
            AuditEntry.objects.filter(
                Q(object_type="plan.target", object_id=str(target.pk))
                | Q(object_type="plan.indicatorvalue", object_id__in=[str(v.pk) for v in values]),
                county_id=plan.pk,
            )[:50]
        )
        if is_office(request.user)
        else []
    )
    return render(
        request,
        "web/target.html",
        {
            "plan": plan,
            "target": target,
            "status": status,
            "values": values,
            "history": history,
            "chart": target_chart(status, list(values)),
            "can_enter": owns_target(principal_of(request), target) and not target.archived,
            **_owners_form(request, plan, target),
            **_evidence_access(request.user),
        },
    )


def _owners_form(request, plan: Plan, target: Target) -> dict:
    """The office's form for a target's owners (web/living_views.target_owners), with the current choice."""
    if not (is_office(request.user) and acts_in(principal_of(request), plan)):
        return {"owners_form": False}
    rows = list(target.assignments.all())
    return {
        "owners_form": True,
        "departments": plan.departments.exclude(kind="township_collective").order_by("kind", "id"),
        "lead_codes": {a.department.code for a in rows if a.role == "lead"},
        "coop_codes": {a.department.code for a in rows if a.role != "lead"},
    }


@login_required
@require_GET
def task_list(request):
    require_staff(request.user)
    plan = require_county(request)
    tasks = plan.tasks.select_related("area").prefetch_related(
        Prefetch("assignments", queryset=TaskAssignment.objects.select_related("department"))
    )
    area = request.GET.get("area")
    dept = request.GET.get("department")
    if area:
        tasks = tasks.filter(area__code=area)
    if dept:
        tasks = tasks.filter(assignments__department__code=dept).distinct()
    return render(
        request,
        "web/tasks.html",
        {
            "plan": plan,
            "tasks": tasks,
            "areas": plan.areas.all(),
            "departments": plan.departments.all(),
            "area": area,
            "department": dept,
            "statuses": TaskStatus.choices,
        },
    )


@login_required
def task_detail(request, code: str):
    require_staff(request.user)
    plan = require_county(request)
    task = get_object_or_404(plan.tasks.select_related("area"), code=code)
    error = None
    if request.method == "POST":
        require_acts(request, plan)
        try:
            if "status" in request.POST:
                services.set_task_status(request.user, task, request.POST["status"])
            else:
                services.set_assignments(
                    request.user,
                    task,
                    _lines(request.POST.get("lead", "")),
                    _lines(request.POST.get("cooperating", "")),
                )
            return redirect("task", code=task.code)
        except ValidationFailed as exc:
            error = exc
    assignments = sorted(task.assignments.select_related("department"), key=lambda a: (a.role != "lead", a.position))
    reports = (
        task.reports.select_related("round", "department")
        .prefetch_related("evidence")
        .order_by("-round__year", "-round__quarter")
    )
    history = (
        audit_rows(
            AuditEntry.objects.filter(object_type__in=["plan.task"], object_id=str(task.pk), county_id=plan.pk)[:50]
        )
        if is_office(request.user)
        else []
    )
    return render(
        request,
        "web/task.html",
        {
            "plan": plan,
            "task": task,
            "assignments": assignments,
            "reports": reports,
            "history": history,
            "can_status": owns_task(principal_of(request), task, lead_only=True),
            "statuses": TaskStatus.choices,
            "is_office": is_office(request.user) and acts_in(principal_of(request), plan),
            "error": error,
            "lead_text": "\n".join(a.department.name for a in assignments if a.role == "lead"),
            "coop_text": "\n".join(a.department.name for a in assignments if a.role == "cooperating"),
            **_evidence_access(request.user),
        },
    )


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.replace("、", "\n").splitlines() if x.strip()]


@login_required
@require_GET
def workspace(request):
    from carbonpeak.plan.rounds import department_rounds, selected_round
    from carbonpeak.web.project_views import workspace_projects

    require_staff(request.user)
    plan = require_county(request)
    dept = department_of(request.user)
    # every open round: the department reports on each, the one shown chosen with ?round= (plan/rounds.py)
    round_states = department_rounds(plan, dept)
    current = selected_round(round_states, request.GET.get("round"))
    rnd = current.round if current else None
    tasks = plan.tasks.filter(archived=False).select_related("area")
    targets = plan.targets.filter(archived=False)
    if dept is not None:  # its own tasks, and for a township the 各乡镇 clauses it reports on (plan/dispatch.py)
        owed = [t.pk for t in owed_tasks(plan, dept)]
        tasks = tasks.filter(Q(assignments__department=dept) | Q(pk__in=owed)).distinct()
        targets = targets.filter(assignments__department=dept).distinct()
    elif not is_office(request.user):
        tasks, targets = tasks.none(), targets.none()
    reports = {}
    if rnd is not None:
        qs = rnd.reports.prefetch_related("evidence")
        if dept is not None:
            qs = qs.filter(department=dept)
        reports = {r.task_id: r for r in qs}
    statuses = {s.target.pk: s for s in target_statuses(plan)}
    # a reminder shows while the department still owes reports in an overdue open round, and clears with them
    reminders = [s for s in round_states if s.missing and s.overdue_days] if dept is not None else []
    return render(
        request,
        "web/workspace.html",
        {
            "plan": plan,
            "department": dept,
            "round": rnd,
            "current": current,
            "round_states": round_states,
            "reminders": reminders,
            "task_rows": [(t, reports.get(t.pk)) for t in tasks],
            "target_rows": [(t, statuses[t.pk]) for t in targets],
            "statuses": TaskStatus.choices,
            "message": request.GET.get("ok"),
            "ok_item": _ok_item(plan, request.GET.get("ok")),
            "is_auditor": reads_everything(request.user),
            **workspace_projects(plan, dept, rnd),
        },
    )


def _ok_item(plan: Plan, code: str | None):
    """The task or target just saved (named on the page by its title, not its code)."""
    if not code:
        return None
    return (
        plan.tasks.filter(code=code).first()
        or plan.targets.filter(code=code).first()
        or plan.projects.filter(code=code).first()
    )


@login_required
@require_POST
def submit_task_report(request, round_id: int, task_code: str):
    plan = require_county(request)
    require_acts(request, plan)
    rnd = get_object_or_404(DispatchRound, pk=round_id, plan=plan)
    task = get_object_or_404(Task, plan=plan, code=task_code)
    back = reverse("workspace") + f"?round={rnd.pk}"
    try:
        services.submit_report(
            request.user,
            rnd,
            task,
            request.POST.get("status", ""),
            request.POST.get("narrative", ""),
            request.FILES.getlist("evidence"),
        )
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, back)
    return redirect(reverse("workspace") + f"?ok={task.code}&round={rnd.pk}#task-{task.code}")


def _save_posted_value(request, target: Target):
    """The value form's fields through the service; returns the value or raises ValidationFailed.
    A form that says value_in=percent is typed in percent for a share (25 for 25 %): converted here, at the
    edge, to the stored fraction, and a range error is told back in percent."""
    from carbonpeak.percent import percent_form_value
    from carbonpeak.plan.plan_io import SIGNED_INDICATORS

    p = request.POST
    signed = target.indicator in SIGNED_INDICATORS
    value, retell = percent_form_value(target.unit, p.get("value"), p.get("value_in", ""), signed)
    try:
        return services.set_indicator_value(
            request.user,
            target,
            p.get("year"),
            p.get("quarter"),
            value,
            p.get("note", ""),
            evidence=request.FILES.getlist("evidence"),
        )
    except ValidationFailed as exc:
        raise ValidationFailed([retell(i) for i in exc.issues]) from exc


@login_required
@require_POST
def submit_value(request, code: str):
    plan = require_county(request)
    require_acts(request, plan)
    target = get_object_or_404(Target.objects.select_related("plan"), plan=plan, code=code)
    if request.headers.get("HX-Request"):
        return _value_card(request, plan, target)
    try:
        _save_posted_value(request, target)
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, request.POST.get("next") or reverse("workspace"))
    nxt = request.POST.get("next") or ""
    safe = nxt.startswith("/") and not nxt.startswith("//")
    return redirect(nxt if safe else reverse("workspace") + f"?ok={target.code}")


def _value_card(request, plan: Plan, target: Target):
    """HTMX: save the value and answer with the target's card, its light recomputed, or the errors in place.
    Errors come back with status 200 so that htmx swaps them in; nothing was stored."""
    saved, errors = None, None
    try:
        saved = _save_posted_value(request, target)
    except ValidationFailed as exc:
        errors = exc.issues
    status = status_of(plan, target)
    rnd = DispatchRound.objects.filter(plan=plan, status=RoundStatus.OPEN).order_by("-year", "-quarter").first()
    context = {"t": target, "s": status, "round": rnd, "saved": saved, "errors": errors}
    return render(request, "web/_value_card.html", context)


@login_required
def round_list(request):
    if not reads_rounds(request.user):
        raise PermissionDenied
    plan = require_county(request)
    error = confirm = None
    if request.method == "POST":
        if not is_office(request.user):
            raise PermissionDenied
        require_acts(request, plan)
        try:
            due = dt.date.fromisoformat(request.POST.get("due_date", ""))
        except ValueError:
            from carbonpeak.validation import Issue

            error = ValidationFailed(
                [Issue("bad_date", "due_date", "截止日期格式应为 YYYY-MM-DD", "due_date must be YYYY-MM-DD")]
            )
        else:
            try:
                rnd = services.open_round(
                    request.user,
                    plan,
                    request.POST.get("year"),
                    request.POST.get("quarter"),
                    due,
                    past_due_ok=request.POST.get("confirm_past_due") == "1",
                )
                return redirect("round", pk=rnd.pk)
            except ValidationFailed as exc:
                if [i.code for i in exc.issues] == ["due_date_past"]:  # the only problem: ask to confirm
                    confirm = {"issue": exc.issues[0], "post": request.POST}
                else:
                    error = exc
    from carbonpeak.plan.rounds import open_rounds, overdue_days

    today = timezone.localdate()
    rounds = [(r, overdue_days(r, today)) for r in plan.rounds.all()]
    return render(
        request,
        "web/rounds.html",
        {
            "plan": plan,
            "rounds": rounds,
            "open_now": open_rounds(plan),
            "error": error,
            "confirm": confirm,
            "today": today,
            "can_edit": is_office(request.user) and acts_in(principal_of(request), plan),
        },
    )


@login_required
def round_detail(request, pk: int):
    if not reads_rounds(request.user):
        raise PermissionDenied
    plan = require_county(request)
    rnd = get_object_or_404(DispatchRound, pk=pk, plan=plan)
    if request.method == "POST":
        if not is_office(request.user):
            raise PermissionDenied
        require_acts(request, plan)
        if request.POST.get("action") == "close":
            services.close_round(request.user, rnd)
        elif request.POST.get("action") == "remind":
            from carbonpeak.plan.rounds import remind_summary

            messages.info(request, remind_summary(rnd, services.send_reminders(rnd))["message"])
        return redirect("round", pk=rnd.pk)
    from carbonpeak.plan.reports import round_context

    return render(
        request,
        "web/round.html",
        {
            **round_context(rnd),
            "can_edit": is_office(request.user) and acts_in(principal_of(request), plan),
            **_evidence_access(request.user),
        },
    )


@login_required
@require_GET
def round_pdf(request, pk: int):
    if not reads_rounds(request.user):
        raise PermissionDenied
    from carbonpeak.plan.reports import round_pdf as render_pdf

    rnd = get_object_or_404(DispatchRound, pk=pk, plan=require_county(request))
    resp = HttpResponse(render_pdf(rnd), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="dispatch-{rnd.year}Q{rnd.quarter}.pdf"'
    return resp


@login_required
@require_GET
def round_xlsx(request, pk: int):
    if not reads_rounds(request.user):
        raise PermissionDenied
    from carbonpeak.plan.exports import round_workbook

    rnd = get_object_or_404(DispatchRound, pk=pk, plan=require_county(request))
    from carbonpeak.tabular.writing import workbook_bytes

    resp = HttpResponse(
        workbook_bytes(round_workbook(rnd)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="dispatch-{rnd.year}Q{rnd.quarter}.xlsx"'
    return resp


def _assessment_year(request) -> int:
    return parse_int(request.GET.get("year"), low=YEAR_MIN, high=YEAR_MAX) or timezone.localdate().year


@login_required
def assessment(request):
    if not reads_rounds(request.user):
        raise PermissionDenied
    plan = require_county(request)
    year = _assessment_year(request)
    error = None
    if request.method == "POST":
        require_acts(request, plan)
        try:
            services.set_rule_points(
                request.user, plan, {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            )
            return redirect(reverse("assessment") + f"?year={year}")
        except ValidationFailed as exc:
            error = exc
    return render(
        request,
        "web/assessment.html",
        {
            "plan": plan,
            "year": year,
            "scores": score_table(plan, year),
            "rules": plan.assessment_rules.all(),
            "can_edit": is_office(request.user) and acts_in(principal_of(request), plan),
            "error": error,
        },
    )


@login_required
@require_GET
def assessment_pdf(request):
    if not reads_rounds(request.user):
        raise PermissionDenied
    from carbonpeak.plan.reports import assessment_pdf as render_pdf

    year = _assessment_year(request)
    resp = HttpResponse(render_pdf(require_county(request), year), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="assessment-{year}.pdf"'
    return resp


@login_required
@require_GET
def assessment_xlsx(request):
    if not reads_rounds(request.user):
        raise PermissionDenied
    import io

    from carbonpeak.plan.exports import assessment_workbook

    year = _assessment_year(request)
    buf = io.BytesIO()
    assessment_workbook(require_county(request), year).save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="assessment-{year}.xlsx"'
    return resp


@login_required
def enterprise_readers(request):
    """The office chooses which departments read every enterprise's meter data and the review queue."""
    if not is_office(request.user):
        raise PermissionDenied
    plan = require_county(request)
    require_acts(request, plan)  # the office of this county, on GET too: the page is a form and nothing else
    error = None
    if request.method == "POST":
        try:
            services.set_enterprise_readers(request.user, plan, request.POST.getlist("departments"))
            messages.info(request, _("已保存可查看企业能耗数据的部门。"))
            return redirect("enterprise_readers")
        except ValidationFailed as exc:
            error = exc
    return render(
        request,
        "web/enterprise_readers.html",
        {"plan": plan, "departments": plan.departments.exclude(kind="enterprise"), "error": error},
    )


@login_required
@require_GET
def audit_log(request):
    from carbonpeak.web.audit_page import audit_context, reads_audit

    if not reads_audit(request.user):
        raise PermissionDenied

    return render(request, "web/audit.html", audit_context(request))


@login_required
@require_GET
def audit_xlsx(request):
    from carbonpeak.web.audit_page import audit_xlsx_response, reads_audit

    if not reads_audit(request.user):
        raise PermissionDenied

    return audit_xlsx_response(request)


@login_required
@require_GET
def evidence_download(request, pk: int):
    plan = require_county(request)
    ev = get_object_or_404(
        Evidence.objects.filter(
            Q(value__target__plan=plan) | Q(report__task__plan=plan) | Q(project_report__plan=plan)
        ),
        pk=pk,
    )
    if not downloads_evidence(request.user, ev.department_id):
        raise PermissionDenied
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.original_name)


def _evidence_access(user) -> dict:
    """For web/_evidence.html: a link only where the download is allowed (no link that ends in a 403)."""
    dept = department_of(user)
    return {"evidence_all": reads_rounds(user), "evidence_dept": dept.pk if dept is not None else None}
