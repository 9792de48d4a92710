"""Annual assessment (考核): each department's score from the plan's configurable rules, with the reasons.

reports_on_time  points × (lead-task reports submitted by the round's due date ÷ reports due), over the year's
                 rounds that are closed or past their due date (a round still running is not counted yet)
targets_green    points × (lead targets with a green light ÷ lead targets); a target without data earns nothing,
                 so a department that reports nothing never outscores one that reported
tasks_done       points × (lead tasks done ÷ lead tasks); in-progress tasks count half
projects_on_track  points × (lead projects on track ÷ lead projects, cancelled ones left out); a project is late
                 when its planned commissioning year has passed without 投产 (as of today), or when its report
                 in one of the year's counted rounds is missing or was first sent after the round's due date
                 (plan/project_flags.py); default weight 10
A rule with nothing to measure for a department (no lead target, no lead task, no counted round) does not apply
to it: its points leave both the score and the maximum, and departments are ranked by the share of the points
that apply to them (得分率).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from carbonpeak.core.tracking import Light
from carbonpeak.plan.choices import AssignmentRole, RoundStatus, TaskStatus
from carbonpeak.plan.models import (
    AssessmentRule,
    Department,
    DispatchRound,
    Plan,
    TargetAssignment,
)
from carbonpeak.plan.models.scoring import RuleKind
from carbonpeak.plan.status import target_statuses

DEFAULT_RULES = {
    RuleKind.REPORTS_ON_TIME: Decimal(30),
    RuleKind.TARGETS_GREEN: Decimal(40),
    RuleKind.TASKS_DONE: Decimal(30),
    RuleKind.PROJECTS_ON_TRACK: Decimal(10),
}


def ensure_default_rules(plan: Plan) -> None:
    for kind, points in DEFAULT_RULES.items():
        AssessmentRule.objects.get_or_create(plan=plan, kind=kind, defaults={"points": points})


@dataclass
class ScoreLine:
    rule: str
    points: Decimal
    max_points: Decimal
    reason: str
    applies: bool = True

    @property
    def label(self) -> str:
        return str(RuleKind(self.rule).label)


@dataclass
class DepartmentScore:
    department: Department
    lines: list[ScoreLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.points for line in self.lines if line.applies), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum((line.max_points for line in self.lines if line.applies), Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        """Share of the applicable points earned (0–1); None when no rule applies."""
        return self.total / self.max_total if self.max_total else None


def _share(points: Decimal, num: Decimal, den: int) -> Decimal:
    return (points * num / Decimal(den)).quantize(Decimal("0.01")) if den else Decimal(0)


def counted_rounds(plan: Plan, year: int, today: dt.date | None = None) -> tuple[list[DispatchRound], int]:
    """The year's rounds that count (closed, or open past the due date) and how many are still running."""
    today = today or timezone.localdate()
    rounds = list(DispatchRound.objects.filter(plan=plan, year=year).prefetch_related("reports"))
    counted = [r for r in rounds if r.status == RoundStatus.CLOSED or r.due_date < today]
    return counted, len(rounds) - len(counted)


def score_table(plan: Plan, year: int, today: dt.date | None = None) -> list[DepartmentScore]:
    rules = {r.kind: r.points for r in plan.assessment_rules.all()}
    statuses = {s.target.pk: s.light for s in target_statuses(plan)}
    from carbonpeak.plan.dispatch import owed_pairs

    owed = owed_pairs(plan)  # leads, and each township for the 各乡镇 clauses; archived tasks are out
    target_leads = list(
        TargetAssignment.objects.filter(target__plan=plan, target__archived=False, role=AssignmentRole.LEAD)
    )
    latest_status: dict[tuple[int, int], str] = {}
    rounds, running = counted_rounds(plan, year, today)
    on_time: dict[tuple[int, int, int], bool] = {}
    for rnd in rounds:
        deadline = dt.datetime.combine(rnd.due_date, dt.time.max, tzinfo=timezone.get_current_timezone())
        for rep in rnd.reports.all():
            on_time[(rnd.pk, rep.task_id, rep.department_id)] = rep.submitted_at <= deadline
    for rnd in sorted(rounds, key=lambda r: (r.year, r.quarter)):
        for rep in rnd.reports.all():
            latest_status[(rep.task_id, rep.department_id)] = rep.status
    not_yet = f"；{running} 轮尚未截止，不计" if running else ""
    p_leads, lead_projects, project_late = _project_lateness(plan, rounds, today)
    out = []
    for dept in plan.departments.order_by("id"):
        my_tasks = [t for t, d in owed if d.pk == dept.pk]
        my_targets = [a.target_id for a in target_leads if a.department_id == dept.pk]
        my_projects = [p for p in lead_projects if p_leads.get(p.pk) == dept.pk]
        if not my_tasks and not my_targets and not my_projects:
            continue
        score = DepartmentScore(dept)
        if RuleKind.REPORTS_ON_TIME in rules:
            pts = rules[RuleKind.REPORTS_ON_TIME]
            due = [(r.pk, t.pk) for r in rounds for t in my_tasks]
            good = sum(1 for r, t in due if on_time.get((r, t, dept.pk)))
            reason = (
                f"{year} 年已截止的 {len(rounds)} 轮调度应报 {len(due)} 份，按时报送 {good} 份{not_yet}"
                if due
                else f"{year} 年没有已截止的调度轮次或没有牵头任务，本项不适用{not_yet}"
            )
            score.lines.append(
                ScoreLine(RuleKind.REPORTS_ON_TIME, _share(pts, Decimal(good), len(due)), pts, reason, bool(due))
            )
        if RuleKind.TARGETS_GREEN in rules:
            pts = rules[RuleKind.TARGETS_GREEN]
            lights = [statuses.get(t, Light.NO_DATA) for t in my_targets]
            green = sum(1 for x in lights if x == Light.GREEN)
            no_data = sum(1 for x in lights if x == Light.NO_DATA)
            reason = (
                f"牵头指标 {len(lights)} 项：绿灯 {green} 项" + (f"，{no_data} 项无数据（不得分）" if no_data else "")
                if lights
                else "没有牵头指标，本项不适用"
            )
            score.lines.append(
                ScoreLine(RuleKind.TARGETS_GREEN, _share(pts, Decimal(green), len(lights)), pts, reason, bool(lights))
            )
        if RuleKind.TASKS_DONE in rules:
            pts = rules[RuleKind.TASKS_DONE]
            # a township is scored on its own reports' progress, a lead on the task's status
            own = [
                latest_status.get((t.pk, dept.pk), t.status) if dept.kind == "township" else t.status for t in my_tasks
            ]
            done = sum(1 for s in own if s == TaskStatus.DONE)
            going = sum(1 for s in own if s == TaskStatus.IN_PROGRESS)
            credit = Decimal(done) + Decimal(going) / 2
            reason = (
                f"牵头任务 {len(my_tasks)} 项：完成 {done} 项，推进中 {going} 项（计一半）"
                if my_tasks
                else "没有牵头任务，本项不适用"
            )
            score.lines.append(
                ScoreLine(RuleKind.TASKS_DONE, _share(pts, credit, len(my_tasks)), pts, reason, bool(my_tasks))
            )
        if RuleKind.PROJECTS_ON_TRACK in rules:
            pts = rules[RuleKind.PROJECTS_ON_TRACK]
            late = [p for p in my_projects if project_late.get(p.pk)]
            reason = (
                f"牵头项目 {len(my_projects)} 个：按期 {len(my_projects) - len(late)} 个"
                + ("，滞后 " + "；".join(f"{p.name}（{'、'.join(project_late[p.pk])}）" for p in late) if late else "")
                if my_projects
                else "没有牵头项目，本项不适用"
            )
            score.lines.append(
                ScoreLine(
                    RuleKind.PROJECTS_ON_TRACK,
                    _share(pts, Decimal(len(my_projects) - len(late)), len(my_projects)),
                    pts,
                    reason,
                    bool(my_projects),
                )
            )
        out.append(score)
    out.sort(key=lambda s: (-(s.rate or Decimal(0)), -s.total, s.department.pk))
    return out


def _project_lateness(
    plan: Plan, rounds: list[DispatchRound], today: dt.date | None
) -> tuple[dict[int, int], list, dict[int, list[str]]]:
    """(project → its first lead department, the lead projects not cancelled, project → why it is late)."""
    from carbonpeak.core.lateness import commissioning_late
    from carbonpeak.plan.choices import ProjectStatus
    from carbonpeak.plan.models import ProjectAssignment, ProjectReport

    today = today or timezone.localdate()
    leads: dict[int, int] = {}
    for a in ProjectAssignment.objects.filter(project__plan=plan, role=AssignmentRole.LEAD).order_by("position"):
        leads.setdefault(a.project_id, a.department_id)
    projects = [p for p in plan.projects.all() if p.pk in leads and p.status != ProjectStatus.CANCELLED]
    first_sent = {
        (r.round_id, r.project_id): r.first_submitted_at
        for r in ProjectReport.objects.filter(round__in=rounds).only("round_id", "project_id", "first_submitted_at")
    }
    late: dict[int, list[str]] = {}
    for p in projects:
        years = commissioning_late(p.commissioning_year, p.status == ProjectStatus.COMMISSIONED, False, today)
        if years:
            late.setdefault(p.pk, []).append(f"计划 {p.commissioning_year} 年投产未投产")
        if p.status == ProjectStatus.COMMISSIONED:
            continue
        for rnd in rounds:
            deadline = dt.datetime.combine(rnd.due_date, dt.time.max, tzinfo=timezone.get_current_timezone())
            sent = first_sent.get((rnd.pk, p.pk))
            if sent is None or sent > deadline:
                late.setdefault(p.pk, []).append(f"{rnd}{'未报送' if sent is None else '逾期报送'}")
    return leads, projects, late


def shown(points: Decimal) -> Decimal:
    """Points as officials read them: a whole number or one decimal (40, 33.3), rounded half up."""
    from decimal import ROUND_HALF_UP

    d = points.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d
