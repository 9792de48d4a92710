"""Annual assessment (考核): each department's score from the plan's configurable rules, with the reasons.

reports_on_time  points × (lead-task reports submitted by the round's due date ÷ reports due), over the year's
                 rounds that are closed or past their due date (a round still running is not counted yet)
targets_green    points × (lead targets with a green light ÷ lead targets); a target without data earns nothing,
                 so a department that reports nothing never outscores one that reported
tasks_done       points × (lead tasks done ÷ lead tasks); in-progress tasks count half
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
    out = []
    for dept in plan.departments.order_by("id"):
        my_tasks = [t for t, d in owed if d.pk == dept.pk]
        my_targets = [a.target_id for a in target_leads if a.department_id == dept.pk]
        if not my_tasks and not my_targets:
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
        out.append(score)
    out.sort(key=lambda s: (-(s.rate or Decimal(0)), -s.total, s.department.pk))
    return out


def shown(points: Decimal) -> Decimal:
    """Points as officials read them: a whole number or one decimal (40, 33.3), rounded half up."""
    from decimal import ROUND_HALF_UP

    d = points.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d
