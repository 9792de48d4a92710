"""Data for the county dashboard: target lights with trends, task completion, the project pipeline."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from carbonpeak.core.tracking import Light
from carbonpeak.plan.choices import AssignmentRole, TargetKind, TargetUnit, TaskStatus
from carbonpeak.plan.models import Plan, TaskAssignment
from carbonpeak.plan.project_flags import plan_flags
from carbonpeak.plan.status import TargetStatus, expected_series, load_values, target_statuses

MAX_CHARTS = 12
LIGHT_ORDER = [Light.RED, Light.YELLOW, Light.GREEN, Light.NO_DATA]
STATUS_COLORS = {
    TaskStatus.DONE: "#1a9850",
    TaskStatus.IN_PROGRESS: "#4e79a7",
    TaskStatus.AT_RISK: "#d73027",
    TaskStatus.NOT_STARTED: "#9e9e9e",
}


def goal_light_counts(statuses: list[TargetStatus]) -> list[tuple[Light, int]]:
    """How many of the plan's goals (not its thresholds) show each light, in LIGHT_ORDER: the dashboard's tiles
    and the region roll-up count the same way."""
    counts = Counter(s.light for s in statuses if s.target.kind == TargetKind.GOAL)
    return [(light, counts.get(light, 0)) for light in LIGHT_ORDER]


def target_chart(status: TargetStatus, values: list) -> dict:
    """Annual values against the expected path, for the trend chart."""
    plan = status.target.plan
    first = min([plan.base_year] + [v.year for v in values])
    years = list(range(first, plan.last_year + 1))
    annual = {v.year: float(v.value) for v in values if v.quarter is None}
    for v in values:  # a quarter stands for its year when no annual value exists
        if v.quarter is not None and v.year not in annual:
            annual[v.year] = float(v.value)
    # Shares are stored as fractions and charted in percent, as officials read them.
    scale = 100.0 if status.target.unit == TargetUnit.FRACTION else 1.0

    def shown(series: list) -> list:
        return [None if x is None else round(x * scale, 6) for x in series]

    return {
        "years": years,
        "actual": shown([annual.get(y) for y in years]),
        "expected": shown(expected_series(status, years)),
        "light": status.light.value,
        "labels": {"actual": _("实际值"), "expected": _("预期路径")},
        "unit": "%" if scale != 1.0 else _chart_unit(status.target.unit),
    }


def _chart_unit(unit: str) -> str:
    """The y-axis name: the unit's Chinese label (兆瓦, 立方米), never its code."""
    return str(TargetUnit(unit).label) if unit in TargetUnit.values else unit


def dashboard_context(plan: Plan) -> dict:
    values_by_target = load_values(plan)
    statuses = target_statuses(plan, values_by_target)
    goals = [s for s in statuses if s.target.kind == TargetKind.GOAL]
    # Trend charts for what needs attention (red, then yellow); every target has its own on its page.
    attention = [s for s in goals if s.light in (Light.RED, Light.YELLOW) and values_by_target.get(s.target.pk)]
    attention.sort(key=lambda s: LIGHT_ORDER.index(s.light))
    charts = [(s, target_chart(s, values_by_target[s.target.pk])) for s in attention[:MAX_CHARTS]]

    tasks = list(
        plan.tasks.filter(archived=False)
        .select_related("area")
        .prefetch_related(Prefetch("assignments", queryset=TaskAssignment.objects.select_related("department")))
    )
    by_area: dict[str, Counter] = defaultdict(Counter)
    by_dept: dict[str, Counter] = defaultdict(Counter)
    for t in tasks:
        by_area[t.area.name][t.status] += 1
        for a in t.assignments.all():
            if a.role == AssignmentRole.LEAD:
                by_dept[a.department.name][t.status] += 1
    area_names = [a.name for a in plan.areas.all()]
    dept_names = sorted(by_dept, key=lambda n: -sum(by_dept[n].values()))

    def series(groups: dict[str, Counter], names: list[str]) -> dict:
        return {
            "categories": names,
            "stack": True,
            "series": [
                {"name": str(label), "color": STATUS_COLORS[code], "data": [groups[n][code] for n in names]}
                for code, label in TaskStatus.choices
            ],
        }

    projects = list(plan.projects.select_related("group"))
    mw_by_year: dict[str, Decimal] = defaultdict(Decimal)
    count_by_type: Counter = Counter()
    for p in projects:
        count_by_type[p.get_type_display()] += 1
        if p.capacity_mw is not None:
            mw_by_year[str(p.commissioning_year or _("未定"))] += p.capacity_mw
    type_names = sorted(count_by_type, key=lambda n: -count_by_type[n])
    conflicts = [s for s in statuses if s.target.conflicts_with_id and s.target.pk < s.target.conflicts_with_id]
    return {
        "plan": plan,
        "statuses": statuses,
        "goals": goals,
        "light_counts": goal_light_counts(statuses),
        "charts": charts,
        "attention_count": len(attention),
        "area_chart": series(by_area, area_names),
        "dept_chart": series(by_dept, dept_names),
        "task_total": len(tasks),
        "task_done": sum(1 for t in tasks if t.status == TaskStatus.DONE),
        "projects": projects,
        "project_type_chart": {
            "categories": type_names,
            "stack": False,
            "series": [{"name": _("项目数"), "color": "#0b6e4f", "data": [count_by_type[n] for n in type_names]}],
        },
        "mw_by_year": sorted(mw_by_year.items()),
        "mw_total": sum(mw_by_year.values(), Decimal(0)),
        "conflicts": conflicts,
        # the late projects (issue 16): the dashboard's cache key carries the date, and every change they depend on
        # (a status, a report, a round opened or closed) bumps the plan's revision
        "project_flags": plan_flags(plan, projects=projects),
    }
