"""State changes of the major projects (issue 16): the register's fields, lead and co-operating departments,
the status with its history, the lead department's round report and the office's review. Each write checks
the actor's county and role, validates (errors name the field in Chinese and English), runs in one
transaction and is audited.

Who may do what: the office edits everything of its own county's projects; the lead department edits the
progress fields (``PROGRESS_FIELDS``) and the status of its own projects and sends their round reports; the
office accepts a report (its status, investment share and done size then become the project's) or returns it
with a comment. Status moves: 谋划 → 前期 → 在建 → 投产 forwards (stages may be skipped); 暂缓 and 取消 need a
reason; from 暂缓 back to any stage; backwards, out of 投产 or out of 取消 only the office, with a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from carbonpeak.accounts.permissions import department_of, is_office, require
from carbonpeak.audit.services import actor_label, record
from carbonpeak.plan.choices import AssignmentRole, ProjectStatus, ProjectType, ProjectUnit, ReviewState, RoundStatus
from carbonpeak.plan.models import (
    DispatchRound,
    Plan,
    Project,
    ProjectAssignment,
    ProjectReport,
    ProjectStatusChange,
)
from carbonpeak.plan.permissions import reports_project
from carbonpeak.plan.revision import bump
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.plan.values import check_evidence, store_evidence
from carbonpeak.validation import NARRATIVE_MAX, Issues, decimal_field, text_field, year_field

S = ProjectStatus


class CommandLine:
    """The installation's operator at the command line (``carbonpeak projects import``): acts as the office of
    the plan it names with ``--plan``; audited as ``cli``. Pages and the API never pass it."""

    username = "cli"
    is_active = True
    role = None
    plan_id = None
    department = None


COMMAND_LINE = CommandLine()


def manages(actor: Any, plan: Any) -> bool:
    """The office of ``plan``'s county, or the command line."""
    return actor is COMMAND_LINE or (is_office(actor) and acts_in(actor, plan))


STAGES = [S.CONCEIVED, S.PREPARING, S.UNDER_CONSTRUCTION, S.COMMISSIONED]
NEEDS_REASON = {S.SUSPENDED, S.CANCELLED}

#: fields the lead department may change on its own projects
PROGRESS_FIELDS = (
    "actual_investment_10k_yuan",
    "investment_done_share",
    "size_done",
    "actual_start_date",
    "actual_commissioning_date",
)
#: fields only the office changes
OFFICE_FIELDS = (
    "name",
    "type",
    "clause",
    "township",
    "size",
    "size_unit",
    "investment_10k_yuan",
    "planned_start_date",
    "commissioning_year",
    "planned_commissioning_date",
    "expected_effect",
    "nonfossil_fraction",
    "nonfossil_source",
)
EDITABLE = OFFICE_FIELDS + PROGRESS_FIELDS
DECIMALS = {"size", "size_done", "investment_10k_yuan", "actual_investment_10k_yuan"}
FRACTIONS = {"nonfossil_fraction", "investment_done_share"}
DATES = {"planned_start_date", "actual_start_date", "planned_commissioning_date", "actual_commissioning_date"}
TEXTS = {"name": 200, "clause": 40, "township": 60, "expected_effect": 300, "nonfossil_source": 300}
SNAPSHOT = EDITABLE + ("capacity_mw", "status", "status_reason")


def label(field: str) -> str:
    """A project field's Chinese name, as the model states it."""
    return str(Project._meta.get_field(field).verbose_name)


def snapshot(p: Project) -> dict[str, Any]:
    return {f: getattr(p, f) for f in SNAPSHOT}


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def parse_date(raw: Any, field: str, issues: Issues) -> dt.date | None:
    """``YYYY-MM-DD`` (a Beijing calendar date) or a date; blank is None."""
    if _blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        text = str(raw).strip()
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        name = label(field) if field in DATES else field
        issues.add(
            "bad_date", field, f"{name}：日期格式应为 2025-06-30", f"{field}: a date like 2025-06-30 is required"
        )
        return None


def parse_share(raw: Any, field: str, issues: Issues, name: str) -> Decimal | None:
    """A fraction 0–1 (the pages convert the percent typed there); blank is None."""
    if _blank(raw):
        return None
    d = decimal_field(raw, field, issues, name)
    if d is not None and not (0 <= d <= 1):
        issues.add("range", field, f"{name}：应在 0 到 100% 之间", f"{field}: must lie between 0 and 1 (0–100 %)")
        return None
    return d


def _parse_field(field: str, raw: Any, issues: Issues) -> Any:
    name = label(field)
    if field in DECIMALS:
        if _blank(raw):
            return None
        d = decimal_field(raw, field, issues, name)
        if d is not None and d < 0:
            issues.add("negative", field, f"{name}：不能为负数", f"{field}: cannot be negative")
            return None
        return d
    if field in FRACTIONS:
        return parse_share(raw, field, issues, name)
    if field in DATES:
        return parse_date(raw, field, issues)
    if field == "commissioning_year":
        return None if _blank(raw) else year_field(raw, field, issues)
    if field in ("type", "size_unit"):
        choices = ProjectType if field == "type" else ProjectUnit
        value = "" if _blank(raw) else str(raw).strip()
        if value == "" and field == "size_unit":
            return ""
        if value not in choices.values:
            by_label = {str(lbl): v for v, lbl in choices.choices}
            if value in by_label:
                return by_label[value]
            allowed = "、".join(str(lbl) for _, lbl in choices.choices)
            issues.add(
                "bad_choice",
                field,
                f"{name}：无效的取值“{value}”（可选：{allowed}）",
                f"{field}: {value!r} is not one of {', '.join(choices.values)}",
            )
            return None
        return value
    text = text_field(raw, field, issues, max_length=TEXTS[field], required=field == "name")
    return text


def check_fields(project: Project, changes: dict[str, Any], issues: Issues) -> dict[str, Any]:
    """Parse ``changes`` (field → raw value) and check them with the project's other fields; the parsed values."""
    parsed: dict[str, Any] = {}
    for field, raw in changes.items():
        if field not in EDITABLE:
            issues.add("unknown_field", field, f"{field}：不可修改的字段", f"{field}: not an editable field")
            continue
        parsed[field] = _parse_field(field, raw, issues)

    def now(f: str) -> Any:
        return parsed[f] if f in parsed else getattr(project, f)

    pcd, year = now("planned_commissioning_date"), now("commissioning_year")
    if pcd is not None and "commissioning_year" not in parsed and "planned_commissioning_date" in parsed:
        parsed["commissioning_year"] = year = pcd.year
    if pcd is not None and year is not None and pcd.year != year:
        issues.add(
            "inconsistent",
            "commissioning_year",
            f"计划投产年份 {year} 与计划投产日期 {pcd:%Y-%m-%d} 不一致",
            f"commissioning_year {year} disagrees with planned_commissioning_date {pcd:%Y-%m-%d}",
        )
    for start, end in (
        ("planned_start_date", "planned_commissioning_date"),
        ("actual_start_date", "actual_commissioning_date"),
    ):
        a, b = now(start), now(end)
        if a is not None and b is not None and b < a:
            issues.add(
                "order",
                end,
                f"{label(end)}不能早于{label(start)}",
                f"{end} cannot be before {start}",
            )
    if now("size") is not None and not now("size_unit"):
        issues.add("required", "size_unit", "规模单位：填写建设规模时必须注明单位", "size_unit: required with size")
    return parsed


def _apply(project: Project, parsed: dict[str, Any]) -> None:
    for f, v in parsed.items():
        setattr(project, f, v)
    # generation and storage capacity in MW stays readable where the scenarios look for it
    project.capacity_mw = project.size if project.size_unit == ProjectUnit.MW else None


@transaction.atomic
def update_project(actor: Any, project: Project, changes: dict[str, Any]) -> Project:
    """Change the register's fields: the office any editable field, the lead department the progress fields."""
    office = manages(actor, project.plan)
    require(office or reports_project(actor, project))
    issues = Issues()
    if not office:
        for f in changes:
            if f in OFFICE_FIELDS:
                issues.add(
                    "office_only",
                    f,
                    f"{label(f)}：只有碳达峰办可以修改",
                    f"{f}: only the peak office may change this field",
                )
    project = Project.objects.select_for_update().get(pk=project.pk)
    parsed = check_fields(project, changes, issues)
    issues.raise_if_errors()
    before = snapshot(project)
    _apply(project, parsed)
    after = snapshot(project)
    if after != before:
        project.save()
        bump(project.plan_id)
        changed = [k for k in after if after[k] != before[k]]
        record(actor, "project.update", project, {k: before[k] for k in changed}, {k: after[k] for k in changed})
    return project


def assignment_snapshot(project: Project) -> dict[str, list[str]]:
    rows = list(project.assignments.select_related("department"))
    return {
        "lead": [a.department.name for a in rows if a.role == AssignmentRole.LEAD],
        "cooperating": [a.department.name for a in rows if a.role == AssignmentRole.COOPERATING],
    }


def check_departments(plan: Plan, lead: list[str], cooperating: list[str], issues: Issues) -> dict[str, Any]:
    """The plan's departments of these names (name → department); an unknown name is an issue naming its list."""
    found = {d.name: d for d in plan.departments.filter(name__in=[*lead, *cooperating])}
    for field, zh, names in (
        ("lead_departments", "牵头部门", lead),
        ("cooperating_departments", "配合部门", cooperating),
    ):
        for i, n in enumerate(names):
            if n not in found:
                issues.add(
                    "unknown_department",
                    f"{field}[{i}]",
                    f"{zh}：未知部门“{n}”",
                    f"{field}[{i}]: unknown department {n!r}",
                )
    return found


@transaction.atomic
def set_project_departments(actor: Any, project: Project, lead: list[str], cooperating: list[str]) -> Project:
    """Set the lead and co-operating departments by name (office only); an empty lead list is allowed (the plan
    names none for most projects) but a department may not be both."""
    require(manages(actor, project.plan))
    issues = Issues()
    found = check_departments(project.plan, lead, cooperating, issues)
    issues.raise_if_errors()
    before = assignment_snapshot(project)
    ProjectAssignment.objects.filter(project=project).delete()
    seen: set[str] = set()
    rows = []
    for role, names in ((AssignmentRole.LEAD, lead), (AssignmentRole.COOPERATING, cooperating)):
        for i, n in enumerate(names):
            if n not in seen:
                seen.add(n)
                rows.append(ProjectAssignment(project=project, department=found[n], role=role, position=i))
    ProjectAssignment.objects.bulk_create(rows)
    after = assignment_snapshot(project)
    if after != before:
        bump(project.plan_id)
        record(actor, "project.departments", project, before, after)
    return project


def check_move(old: str, new: str, reason: str, office: bool, issues: Issues, field: str = "status") -> None:
    """Is the move ``old`` → ``new`` allowed for this actor (see the module's docstring)?"""
    if new not in S.values:
        allowed = "、".join(str(lbl) for _, lbl in S.choices)
        issues.add("bad_choice", field, f"状态：无效的取值（可选：{allowed}）", f"{field}: {new!r} is not a status")
        return
    if new == old:
        return
    if new in NEEDS_REASON and not reason.strip():
        issues.add(
            "reason_required",
            "reason",
            f"改为“{S(new).label}”须说明原因",
            f"a reason is required to set the status to {new}",
        )
    backwards = old in STAGES and new in STAGES and STAGES.index(new) < STAGES.index(old)
    special = backwards or old in (S.COMMISSIONED, S.CANCELLED)
    if special and not office:
        issues.add(
            "office_only",
            field,
            f"从“{S(old).label}”改为“{S(new).label}”只能由碳达峰办操作",
            f"only the peak office may move a project from {old} to {new}",
        )
    elif special and not reason.strip():
        issues.add(
            "reason_required",
            "reason",
            f"从“{S(old).label}”改为“{S(new).label}”须说明原因",
            f"a reason is required to move a project from {old} to {new}",
        )


def _move(actor: Any, project: Project, new: str, reason: str, report: ProjectReport | None = None) -> None:
    """Write the move (the project locked by the caller), its history row and its audit entry."""
    old = project.status
    if new == old and reason == project.status_reason:
        return
    project.status, project.status_reason = new, reason if new in NEEDS_REASON else ""
    project.save(update_fields=["status", "status_reason"])
    if new != old:
        ProjectStatusChange.objects.create(
            plan_id=project.plan_id,
            project=project,
            from_status=old,
            to_status=new,
            reason=reason,
            changed_by_label=actor_label(actor),
            report=report,
        )
    bump(project.plan_id)
    record(actor, "project.status", project, {"status": old}, {"status": new, "reason": reason})


@transaction.atomic
def change_status(actor: Any, project: Project, new: str, reason: str = "") -> Project:
    """Move a project's status (the office, or its lead department), recorded in its history and audited."""
    office = manages(actor, project.plan)
    require(office or reports_project(actor, project))
    issues = Issues()
    reason = text_field(reason, "reason", issues, max_length=300) or ""
    project = Project.objects.select_for_update().get(pk=project.pk)
    check_move(project.status, new, reason, office, issues)
    issues.raise_if_errors()
    _move(actor, project, new, reason)
    return project


# --- the round report and its review ---


def lead_department(project: Project) -> Any:
    a = project.assignments.filter(role=AssignmentRole.LEAD).select_related("department").first()
    return a.department if a else None


@transaction.atomic
def submit_project_report(
    actor: Any,
    rnd: DispatchRound,
    project: Project,
    data: dict[str, Any],
    evidence: list | None = None,
) -> ProjectReport:
    """The lead department's (or the office's) report on ``project`` in ``rnd``: ``status``, ``status_reason``,
    ``investment_share`` (fraction 0–1), ``size_done`` (optional, the project's unit), ``progress``,
    ``problems`` (协调事项). A returned report may be sent again; an accepted one is final."""
    require(reports_project(actor, project) and rnd.plan_id == project.plan_id)
    office = is_office(actor) and acts_in(actor, project.plan)
    issues = Issues()
    rnd = DispatchRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.OPEN:
        issues.add("round_closed", "round", "该调度轮次已关闭", "this dispatch round is closed")
    dept = department_of(actor) if not office else None
    dept = dept or lead_department(project)
    if dept is None:
        issues.add("no_lead", "project", "该项目没有牵头部门，请先指定", "the project has no lead department")
    status = str(data.get("status") or "")
    reason = text_field(data.get("status_reason"), "status_reason", issues, max_length=300) or ""
    check_move(project.status, status, reason, office, issues)
    share = parse_share(data.get("investment_share"), "investment_share", issues, "投资完成比例")
    if share is None and not any(i.field == "investment_share" for i in issues.items):
        issues.add("required", "investment_share", "投资完成比例：请填写", "investment_share: required")
    size_done = _parse_field("size_done", data.get("size_done"), issues)
    progress = text_field(data.get("progress"), "progress", issues, max_length=NARRATIVE_MAX, strip=False)
    if progress is not None and not progress.strip():
        issues.add("required", "progress", "完成情况：请填写", "progress: describe what was done")
    problems = text_field(data.get("problems"), "problems", issues, max_length=NARRATIVE_MAX, strip=False) or ""
    for f in evidence or []:
        check_evidence(f, issues)
    existing = ProjectReport.objects.select_for_update().filter(round=rnd, project=project).first()
    if existing is not None and existing.review == ReviewState.ACCEPTED:
        issues.add("accepted", "report", "该报告已采纳，不能再修改", "this report has been accepted")
    issues.raise_if_errors()
    now = timezone.now()
    fields = {
        "status": status,
        "status_reason": reason,
        "investment_share": share,
        "size_done": size_done,
        "progress": progress,
        "problems": problems,
    }
    if existing is None:
        report = ProjectReport.objects.create(
            plan_id=project.plan_id,
            round=rnd,
            project=project,
            department=dept,
            submitted_by_label=actor_label(actor),
            submitted_at=now,
            first_submitted_at=now,
            **fields,
        )
        before = None
    else:
        report = existing
        before = {k: getattr(report, k) for k in fields} | {"review": report.review}
        for k, v in fields.items():
            setattr(report, k, v)
        report.review, report.submitted_by_label, report.submitted_at = ReviewState.SUBMITTED, actor_label(actor), now
        report.save()
    for f in evidence or []:
        store_evidence(f, dept, actor, project_report=report)
    bump(project.plan_id)  # the dashboard's late-project flags count the reports
    record(actor, "project_report.submit", report, before, fields | {"review": ReviewState.SUBMITTED})
    return report


@transaction.atomic
def review_project_report(actor: Any, report: ProjectReport, decision: str, comment: str = "") -> ProjectReport:
    """The office accepts a report (the project takes its status, investment share and done size; the status
    move is recorded with the report) or returns it with a comment for the department to send again."""
    require(is_office(actor) and acts_in(actor, report.plan))
    issues = Issues()
    comment = text_field(comment, "comment", issues, max_length=NARRATIVE_MAX) or ""
    report = ProjectReport.objects.select_for_update().select_related("round").get(pk=report.pk)
    if decision not in ("accept", "return"):
        issues.add("bad_choice", "decision", "审核结果：请选择采纳或退回", "decision: accept or return")
    elif report.review != ReviewState.SUBMITTED:
        issues.add("reviewed", "decision", "该报告已审核", "this report has already been reviewed")
    elif decision == "return" and not comment:
        issues.add("required", "comment", "退回须填写审核意见", "comment: a returned report needs a comment")
    project = Project.objects.select_for_update().get(pk=report.project_id)
    if decision == "accept" and not issues.errors:
        check_move(project.status, report.status, report.status_reason or f"{report.round}报告", True, issues)
    issues.raise_if_errors()
    before = {"review": report.review}
    report.review = ReviewState.ACCEPTED if decision == "accept" else ReviewState.RETURNED
    report.review_comment, report.reviewed_by_label, report.reviewed_at = comment, actor_label(actor), timezone.now()
    report.save(update_fields=["review", "review_comment", "reviewed_by_label", "reviewed_at"])
    record(actor, "project_report.review", report, before, {"review": report.review, "comment": comment})
    if report.review == ReviewState.ACCEPTED:
        p_before = snapshot(project)
        project.investment_done_share = report.investment_share
        if report.size_done is not None:
            project.size_done = report.size_done
        project.save(update_fields=["investment_done_share", "size_done"])
        if snapshot(project) != p_before:
            record(
                actor,
                "project.update",
                project,
                {"investment_done_share": p_before["investment_done_share"], "size_done": p_before["size_done"]},
                {"investment_done_share": project.investment_done_share, "size_done": project.size_done},
            )
        reason = report.status_reason or f"{report.round}报告（已采纳）"
        if report.status != project.status:
            _move(actor, project, report.status, reason, report=report)
        bump(project.plan_id)
    return report
