"""Annual assessment (考核): each department's score from the plan's configurable rules, with the reasons.

reports_on_time  points × (lead-task reports submitted by the round's due date ÷ reports due), over the year's rounds
targets_green    points × (lead targets with a green light ÷ lead targets with data)
tasks_done       points × (lead tasks done ÷ lead tasks); in-progress tasks count half
A rule with nothing to measure (no round, no target with data) gives its full points and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from carbonpeak.core.tracking import Light
from carbonpeak.plan.choices import AssignmentRole, TaskStatus
from carbonpeak.plan.models import (
    AssessmentRule,
    Department,
    DispatchRound,
    Plan,
    TargetAssignment,
    TaskAssignment,
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


@dataclass
class DepartmentScore:
    department: Department
    lines: list[ScoreLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.points for line in self.lines), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum((line.max_points for line in self.lines), Decimal(0))


def _share(points: Decimal, num: Decimal, den: int) -> Decimal:
    return (points * num / Decimal(den)).quantize(Decimal("0.01")) if den else points


def score_table(plan: Plan, year: int) -> list[DepartmentScore]:
    rules = {r.kind: r.points for r in plan.assessment_rules.all()}
    statuses = {s.target.pk: s.light for s in target_statuses(plan)}
    task_leads = list(TaskAssignment.objects.filter(task__plan=plan, role=AssignmentRole.LEAD).select_related("task"))
    target_leads = list(TargetAssignment.objects.filter(target__plan=plan, role=AssignmentRole.LEAD))
    rounds = list(DispatchRound.objects.filter(plan=plan, year=year).prefetch_related("reports"))
    on_time: dict[tuple[int, int, int], bool] = {}
    for rnd in rounds:
        deadline = dt.datetime.combine(rnd.due_date, dt.time.max, tzinfo=timezone.get_current_timezone())
        for rep in rnd.reports.all():
            on_time[(rnd.pk, rep.task_id, rep.department_id)] = rep.submitted_at <= deadline
    out = []
    for dept in plan.departments.order_by("id"):
        my_tasks = [a.task for a in task_leads if a.department_id == dept.pk]
        my_targets = [a.target_id for a in target_leads if a.department_id == dept.pk]
        if not my_tasks and not my_targets:
            continue
        score = DepartmentScore(dept)
        if RuleKind.REPORTS_ON_TIME in rules:
            pts = rules[RuleKind.REPORTS_ON_TIME]
            due = [(r.pk, t.pk) for r in rounds for t in my_tasks]
            good = sum(1 for r, t in due if on_time.get((r, t, dept.pk)))
            reason = (
                f"{year} 年 {len(rounds)} 轮调度应报 {len(due)} 份，按时报送 {good} 份"
                if due
                else f"{year} 年无调度轮次或无牵头任务，不扣分"
            )
            score.lines.append(ScoreLine(RuleKind.REPORTS_ON_TIME, _share(pts, Decimal(good), len(due)), pts, reason))
        if RuleKind.TARGETS_GREEN in rules:
            pts = rules[RuleKind.TARGETS_GREEN]
            lights = [statuses[t] for t in my_targets if statuses.get(t) not in (None, Light.NO_DATA)]
            green = sum(1 for x in lights if x == Light.GREEN)
            reason = f"牵头指标有数据 {len(lights)} 项，绿灯 {green} 项" if lights else "牵头指标暂无数据，不扣分"
            score.lines.append(ScoreLine(RuleKind.TARGETS_GREEN, _share(pts, Decimal(green), len(lights)), pts, reason))
        if RuleKind.TASKS_DONE in rules:
            pts = rules[RuleKind.TASKS_DONE]
            done = sum(1 for t in my_tasks if t.status == TaskStatus.DONE)
            going = sum(1 for t in my_tasks if t.status == TaskStatus.IN_PROGRESS)
            credit = Decimal(done) + Decimal(going) / 2
            reason = f"牵头任务 {len(my_tasks)} 项：完成 {done} 项，推进中 {going} 项（计一半）"
            score.lines.append(ScoreLine(RuleKind.TASKS_DONE, _share(pts, credit, len(my_tasks)), pts, reason))
        out.append(score)
    out.sort(key=lambda s: (-s.total, s.department.pk))
    return out
