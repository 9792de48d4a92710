"""State changes of the plan (house rule 6): validated first, one transaction, audited before/after.

Every service that takes a plan, target, task or round from its caller checks that the actor acts in that object's
county (``tenancy.acts_in``): the office of one county changes nothing in another, a region reader nothing at all,
whatever object a caller hands over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from carbonpeak.accounts.permissions import is_office, require
from carbonpeak.audit.services import actor_label, record
from carbonpeak.plan.choices import AssignmentRole, RoundStatus, TaskStatus
from carbonpeak.plan.models import (
    Department,
    DispatchRound,
    Milestone,
    Plan,
    Reminder,
    Target,
    TargetAllocation,
    TargetAssignment,
    Task,
    TaskAssignment,
    TaskReport,
    UnitValue,
)
from carbonpeak.plan.permissions import owns_task
from carbonpeak.plan.plan_io import check_target_value
from carbonpeak.plan.revision import bump
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.plan.values import check_evidence, check_period, parse_decimal, store_evidence

# the write of one indicator value lives in plan/values.py (accounting writes values too); the pages and the API
# call it here, services.set_indicator_value, beside the plan's other writes
from carbonpeak.plan.values import set_indicator_value as set_indicator_value
from carbonpeak.validation import NARRATIVE_MAX, Issue, Issues, ValidationFailed, text_field


def require_office_in(actor: Any, plan: Plan) -> None:
    """The office of ``plan``'s own county, else PermissionDenied."""
    require(is_office(actor) and acts_in(actor, plan))


@transaction.atomic
def set_task_status(actor: Any, task: Task, status: str) -> Task:
    require(owns_task(actor, task, lead_only=True))
    if status not in TaskStatus.values:
        raise ValidationFailed([_bad_status(status)])
    task = Task.objects.select_for_update().get(pk=task.pk)
    before = {"status": task.status}
    task.status = status
    task.save(update_fields=["status"])
    record(actor, "task.status", task, before, {"status": status})
    return task


def _bad_status(status: str) -> Issue:
    allowed = ", ".join(TaskStatus.values)
    return Issue(
        "bad_choice",
        "status",
        f"status：无效的状态 {status!r}（可选：{allowed}）",
        f"status: {status!r} is not one of {allowed}",
    )


def _names(plan: Plan, names: list[str], field: str, issues: Issues) -> list[Department]:
    found = {d.name: d for d in plan.departments.filter(name__in=names)}
    for i, n in enumerate(names):
        if n not in found:
            issues.add(
                "unknown_department",
                f"{field}[{i}]",
                f"{field}[{i}]：未知部门“{n}”",
                f"{field}[{i}]: unknown department {n!r}",
            )
    return [found[n] for n in names if n in found]


def _assignment_snapshot(obj: Any) -> dict:
    rows = sorted(obj.assignments.select_related("department"), key=lambda a: (a.role != "lead", a.position))
    return {
        "lead": [a.department.name for a in rows if a.role == "lead"],
        "cooperating": [a.department.name for a in rows if a.role == "cooperating"],
    }


@transaction.atomic
def set_assignments(actor: Any, obj: Task | Target, lead: list[str], cooperating: list[str]) -> None:
    """Re-assign a task or a target (office only)."""
    require_office_in(actor, obj.plan)
    issues = Issues()
    if not lead:
        issues.add("required", "lead_departments", "至少需要一个牵头部门", "at least one lead department is required")
    lead_d = _names(obj.plan, lead, "lead_departments", issues)
    coop_d = _names(obj.plan, [c for c in cooperating if c not in lead], "cooperating_departments", issues)
    issues.raise_if_errors()
    model = TaskAssignment if isinstance(obj, Task) else TargetAssignment
    fk = "task" if isinstance(obj, Task) else "target"
    before = _assignment_snapshot(obj)
    model.objects.filter(**{fk: obj}).delete()
    model.objects.bulk_create(
        [model(**{fk: obj}, department=d, role=AssignmentRole.LEAD, position=i) for i, d in enumerate(lead_d)]
        + [model(**{fk: obj}, department=d, role=AssignmentRole.COOPERATING, position=i) for i, d in enumerate(coop_d)]
    )
    bump(obj.plan_id)
    record(actor, f"{fk}.assignments", obj, before, _assignment_snapshot(obj))


def _target_snapshot(t: Target) -> dict:
    return {
        "baseline_year": t.baseline_year,
        "baseline_value": t.baseline_value,
        "values": {str(m.year): m.value for m in t.milestones.all()},
    }


@transaction.atomic
def set_target(actor: Any, target: Target, baseline_year: Any, baseline_value: Any, values: dict[str, Any]) -> Target:
    """Change a target's baseline and milestone values (office only)."""
    require_office_in(actor, target.plan)
    issues = Issues()
    by = None
    if baseline_year not in (None, ""):
        by, _ = check_period(target.plan, baseline_year, None, issues)
    bv = None
    if baseline_value not in (None, ""):
        bv = parse_decimal(baseline_value, "baseline_value", issues)
        if bv is not None:
            check_target_value(target.unit, bv, "baseline_value", issues)
    parsed: dict[int, Decimal] = {}
    for year, raw in values.items():
        y, _ = check_period(target.plan, year, None, issues)
        d = parse_decimal(raw, f"values.{year}", issues)
        if d is not None:
            check_target_value(target.unit, d, f"values.{year}", issues)
            if y is not None:
                parsed[y] = d
    issues.raise_if_errors()
    before = _target_snapshot(target)
    target.baseline_year, target.baseline_value = by, bv
    target.save(update_fields=["baseline_year", "baseline_value"])
    wording = {m.year: (m.qualifier, m.strive) for m in target.milestones.all()}  # a year keeps its wording
    target.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(
            target=target,
            year=y,
            value=v,
            qualifier=wording.get(y, ("", False))[0],
            strive=wording.get(y, ("", False))[1],
        )
        for y, v in sorted(parsed.items())
    )
    bump(target.plan_id)
    record(actor, "target.update", target, before, _target_snapshot(target))
    return target


# --- dispatch (调度) ---


@transaction.atomic
def open_round(
    actor: Any,
    plan: Plan,
    year: Any,
    quarter: Any,
    due_date: dt.date,
    *,
    past_due_ok: bool = False,
    today: dt.date | None = None,
) -> DispatchRound:
    """Open a quarter's round. A due date already past is refused (code ``due_date_past``) unless the office
    confirmed it (``past_due_ok``): such a round is overdue for every department the moment it opens."""
    require_office_in(actor, plan)
    issues = Issues()
    y, q = check_period(plan, year, quarter, issues)
    if q is None and not issues.errors:
        issues.add("required", "quarter", "quarter：请选择季度", "quarter: choose a quarter")
    today = today or timezone.localdate()
    if due_date < today and not past_due_ok:
        issues.add(
            "due_date_past",
            "due_date",
            f"截止日期 {due_date:%Y-%m-%d} 已过（今天是 {today:%Y-%m-%d}），开启后各部门立即逾期，请确认",
            f"the due date {due_date:%Y-%m-%d} has passed (today is {today:%Y-%m-%d}); every department would be "
            "overdue at once: confirm",
        )
    issues.raise_if_errors()
    try:
        with transaction.atomic():
            rnd = DispatchRound.objects.create(plan=plan, year=y, quarter=q, due_date=due_date)
    except IntegrityError as exc:
        issues.add("exists", "quarter", f"{y} 年第 {q} 季度的调度已存在", f"a round for {y} Q{q} already exists")
        raise ValidationFailed(issues.items) from exc
    bump(plan.pk)  # the late-project flags of the dashboard count the open rounds
    record(actor, "round.open", rnd, None, {"year": y, "quarter": q, "due_date": due_date})
    return rnd


@transaction.atomic
def submit_report(
    actor: Any, rnd: DispatchRound, task: Task, status: str, narrative: str, evidence: list | None = None
) -> TaskReport:
    require(owns_task(actor, task) and rnd.plan_id == task.plan_id)
    issues = Issues()
    rnd = DispatchRound.objects.select_for_update().get(pk=rnd.pk)  # a round closing meanwhile refuses the report
    if rnd.status != RoundStatus.OPEN:
        issues.add("round_closed", "round", "该调度轮次已关闭", "this dispatch round is closed")
    if status not in TaskStatus.values:
        issues.items.append(_bad_status(status))
    if not (narrative or "").strip():
        issues.add("required", "narrative", "narrative：请填写进展情况", "narrative: describe the progress")
    else:
        text_field(narrative, "narrative", issues, max_length=NARRATIVE_MAX, strip=False)
    for f in evidence or []:
        check_evidence(f, issues)
    issues.raise_if_errors()
    dept = getattr(actor, "department", None) or task.assignments.filter(role=AssignmentRole.LEAD).first().department
    report, created = TaskReport.objects.select_for_update().get_or_create(
        round=rnd,
        task=task,
        department=dept,
        defaults={"status": status, "narrative": narrative, "submitted_by_label": actor_label(actor)},
    )
    before = None if created else {"status": report.status, "narrative": report.narrative}
    report.status, report.narrative, report.submitted_by_label = status, narrative, actor_label(actor)
    report.save()
    for f in evidence or []:
        store_evidence(f, dept, actor, report=report)
    record(actor, "report.submit", report, before, {"status": status, "narrative": narrative})
    if task.assignments.filter(department=dept, role=AssignmentRole.LEAD).exists() and task.status != status:
        t_before = {"status": task.status}
        Task.objects.filter(pk=task.pk).update(status=status)
        bump(task.plan_id)
        task.status = status
        record(actor, "task.status", task, t_before, {"status": status})
    return report


def missing_reports(rnd: DispatchRound) -> dict[Department, list[Task]]:
    """Tasks whose reporting department (the lead; each township for a 各乡镇 clause) has not reported in this
    round."""
    from carbonpeak.plan.dispatch import owed_pairs

    reported = set(rnd.reports.values_list("task_id", "department_id"))
    missing: dict[Department, list[Task]] = {}
    for task, dept in sorted(owed_pairs(rnd.plan), key=lambda p: p[1].pk):
        if (task.pk, dept.pk) not in reported:
            missing.setdefault(dept, []).append(task)
    return missing


def send_reminders(rnd: DispatchRound, today: dt.date | None = None) -> list[Reminder]:
    """After the due date, remind every department with missing reports, once per round: in the app, and by
    e-mail to the department's address and its officers."""
    today = today or timezone.localdate()
    if rnd.status != RoundStatus.OPEN or today <= rnd.due_date:
        return []
    out = []
    for dept, tasks in missing_reports(rnd).items():
        if Reminder.objects.filter(round=rnd, department=dept).exists():
            continue
        titles = "；".join(f"{t.title}（{t.code}）" for t in tasks)
        message = f"{rnd}已于 {rnd.due_date:%Y-%m-%d} 截止，{dept.name}尚未报送以下任务的进展：{titles}。"
        recipients = [e for e in [dept.email, *dept.users.filter(is_active=True).values_list("email", flat=True)] if e]
        if recipients:
            send_mail(f"[碳达峰调度] {rnd} 逾期提醒", message, None, recipients)
        out.append(
            Reminder.objects.create(round=rnd, department=dept, message=message, emailed_to=",".join(recipients))
        )
    return out


@transaction.atomic
def close_round(actor: Any, rnd: DispatchRound) -> DispatchRound:
    require_office_in(actor, rnd.plan)
    rnd = DispatchRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status == RoundStatus.CLOSED:
        raise ValidationFailed([_closed_issue()])
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, timezone.now()
    rnd.save(update_fields=["status", "closed_at"])
    bump(rnd.plan_id)  # the late-project flags of the dashboard count the open rounds
    record(actor, "round.close", rnd, {"status": "open"}, {"status": "closed"})
    return rnd


def _closed_issue() -> Issue:
    return Issue("round_closed", "round", "该调度轮次已关闭", "this dispatch round is already closed")


@transaction.atomic
def set_rule_points(actor: Any, plan: Plan, points: dict[str, Any]) -> None:
    """Change the assessment rules' points (office only); every rule checked before any is saved."""
    from carbonpeak.plan.models import AssessmentRule

    require_office_in(actor, plan)
    issues = Issues()
    rules = {r.kind: r for r in AssessmentRule.objects.select_for_update().filter(plan=plan)}
    parsed = {}
    for kind, raw in points.items():
        if kind not in rules:
            issues.add("unknown_rule", kind, f"{kind}：未知考核规则", f"{kind}: unknown assessment rule")
            continue
        label = str(rules[kind].get_kind_display())
        d = parse_decimal(raw, kind, issues, label)
        if d is not None and d < 0:
            issues.add("negative", kind, f"{label}：分值不能为负数", f"{kind}: points cannot be negative")
        elif d is not None:
            parsed[kind] = d
    issues.raise_if_errors()
    for kind, d in parsed.items():
        rule = rules[kind]
        if rule.points != d:
            before = {"points": rule.points}
            rule.points = d
            rule.save(update_fields=["points"])
            record(actor, "assessment_rule.points", rule, before, {"points": d})


@transaction.atomic
def set_enterprise_readers(actor: Any, plan: Plan, codes: list[str]) -> list[Department]:
    """Grant exactly the departments named (by code) the reading of every enterprise's data (office only);
    each change audited on its department."""
    require_office_in(actor, plan)
    issues = Issues()
    depts = {d.code: d for d in Department.objects.select_for_update().filter(plan=plan)}
    for i, code in enumerate(codes):
        if code not in depts:
            issues.add(
                "unknown_department",
                f"departments[{i}]",
                f"未知部门“{code}”",
                f"departments[{i}]: unknown department {code!r}",
            )
    issues.raise_if_errors()
    wanted = set(codes)
    changed = []
    for code, dept in depts.items():
        allowed = code in wanted
        if dept.may_read_enterprises != allowed:
            before = {"may_read_enterprises": dept.may_read_enterprises}
            dept.may_read_enterprises = allowed
            dept.save(update_fields=["may_read_enterprises"])
            record(actor, "department.enterprise_access", dept, before, {"may_read_enterprises": allowed})
            changed.append(dept)
    return changed


# --- target allocation (目标分解: 基本目标和激励目标 per township, the development zone or a sector) ---

#: the kinds of department a county target can be split among
ALLOCATION_KINDS = ("township", "park", "county_bureau", "municipal_branch", "enterprise", "other")


@transaction.atomic
def set_allocation(
    actor: Any, target: Target, department_code: str, year: Any, basic: Any, incentive: Any = None
) -> TargetAllocation:
    """Set a unit's share of a county target for a year (office only): the basic value and, optionally, the
    incentive value (激励目标, stricter than the basic one in the target's direction)."""
    require_office_in(actor, target.plan)
    issues = Issues()
    dept = target.plan.departments.filter(code=department_code).first()
    if dept is None or dept.kind not in ALLOCATION_KINDS:
        issues.add("unknown_department", "department", "department：请选择承担单位", "department: choose a unit")
    y, _ = check_period(target.plan, year, None, issues)
    b = parse_decimal(basic, "basic_value", issues, "基本目标")
    if b is not None:
        check_target_value(target.unit, b, "basic_value", issues)
    inc = None
    if incentive not in (None, ""):
        inc = parse_decimal(incentive, "incentive_value", issues, "激励目标")
        if inc is not None:
            check_target_value(target.unit, inc, "incentive_value", issues)
            if b is not None and (inc < b if target.direction == "increase" else inc > b):
                issues.add(
                    "incentive_below_basic",
                    "incentive_value",
                    "incentive_value：激励目标应比基本目标更进一步（"
                    + ("更高" if target.direction == "increase" else "更低")
                    + "）",
                    "incentive_value: the incentive level must be beyond the basic one",
                )
    issues.raise_if_errors()
    alloc = TargetAllocation.objects.filter(plan=target.plan, target=target, department=dept, year=y).first()
    before = None if alloc is None else {"basic": alloc.basic_value, "incentive": alloc.incentive_value}
    if alloc is None:
        alloc = TargetAllocation(plan=target.plan, target=target, department=dept, year=y)
    alloc.basic_value, alloc.incentive_value = b, inc
    alloc.save()
    record(
        actor, "target.allocation", alloc, before, {"department": dept.code, "year": y, "basic": b, "incentive": inc}
    )
    return alloc


@transaction.atomic
def delete_allocation(actor: Any, alloc: TargetAllocation) -> None:
    require_office_in(actor, alloc.plan)
    record(actor, "target.allocation.delete", alloc, {"basic": alloc.basic_value, "incentive": alloc.incentive_value})
    alloc.delete()


@transaction.atomic
def report_unit_value(
    actor: Any, target: Target, department: Department, year: Any, value: Any, note: str = ""
) -> UnitValue:
    """A unit's department (or the office) reports the unit's value of its share of a target for a year."""
    from carbonpeak.accounts.permissions import department_of

    require(acts_in(actor, target.plan) and department.plan_id == target.plan_id)
    require(is_office(actor) or getattr(department_of(actor), "pk", None) == department.pk)
    issues = Issues()
    if not TargetAllocation.objects.filter(target=target, department=department).exists():
        issues.add("no_allocation", "department", "该单位没有分解到此指标", "this unit has no share of the target")
    y, _ = check_period(target.plan, year, None, issues)
    d = parse_decimal(value, "value", issues, "数值")
    if d is not None:
        check_target_value(target.unit, d, "value", issues)
    note = text_field(note or "", "note", issues, max_length=300) or ""
    issues.raise_if_errors()
    row = UnitValue.objects.filter(plan=target.plan, target=target, department=department, year=y).first()
    before = None if row is None else {"value": row.value, "note": row.note}
    if row is None:
        row = UnitValue(plan=target.plan, target=target, department=department, year=y)
    row.value, row.note, row.entered_by_label = d, note, actor_label(actor)
    row.save()
    record(
        actor, "target.unit_value", row, before, {"department": department.code, "year": y, "value": d, "note": note}
    )
    return row
