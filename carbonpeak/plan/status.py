"""Target lights for a plan: DB → core.tracking (fetch side of house rule 1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from carbonpeak.core.tracking import Assessment, Light, PeriodPoint, assess, expected_value
from carbonpeak.plan.models import IndicatorValue, Plan, Target


@dataclass
class TargetStatus:
    target: Target
    assessment: Assessment
    latest: ValuePoint | None
    baseline: tuple[int, Decimal] | None
    baseline_from_first_value: bool
    #: what else speaks to a target without reported values (the peak year: accounts and the official
    #: scenario); attached by the page that shows it, from the apps above plan
    evidence: dict | None = None

    @property
    def light(self) -> Light:
        return self.assessment.light

    def as_dict(self) -> dict:
        a = self.assessment
        return {
            "code": self.target.code,
            "name": self.target.name,
            "status": a.light.value,
            "latest_value": _f(self.latest.value) if self.latest else None,
            "latest_period": self.latest.period_label if self.latest else None,
            "expected_value": _f(a.expected_value),
            "gap": _f(a.gap),
            "unit": self.target.unit,
        }


def _f(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _point(v: ValuePoint) -> PeriodPoint:
    return PeriodPoint(v.year, v.quarter)


@dataclass(frozen=True)
class ValuePoint:
    """The part of an IndicatorValue that lights and charts read (plain tuples: no model instances)."""

    year: int
    quarter: int | None
    value: Decimal
    source_detail: str

    @property
    def period_label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)


def load_values(plan: Plan) -> dict[int, list[ValuePoint]]:
    """Every indicator value of the plan by target id, in period order (one query)."""
    values: dict[int, list[ValuePoint]] = {}
    rows = IndicatorValue.objects.filter(target__plan=plan).order_by("target_id", "year", "quarter")
    for target_id, year, quarter, value, detail in rows.values_list(
        "target_id", "year", "quarter", "value", "source_detail"
    ):
        values.setdefault(target_id, []).append(ValuePoint(year, quarter, value, detail))
    return values


def target_statuses(
    plan: Plan, values: dict[int, list[ValuePoint]] | None = None, only: int | None = None
) -> list[TargetStatus]:
    """One status per target that is not archived (archived targets leave the lights); three queries whatever
    the plan size. ``only``: the one target of that id, archived or not (its own page)."""
    qs = plan.targets.filter(pk=only) if only is not None else plan.targets.filter(archived=False)
    targets = list(qs.select_related("conflicts_with").prefetch_related("milestones").order_by("id"))
    if values is None:
        values = load_values(plan)
    fraction = Decimal(settings.PLAN_STATUS_YELLOW_FRACTION)
    band = Decimal(settings.PLAN_ABOUT_TOLERANCE)
    out = []
    for t in targets:
        t.plan = plan  # shared instance: no query per target
        vals = sorted(values.get(t.pk, []), key=lambda v: _point(v).t)
        latest = vals[-1] if vals else None
        milestones = {m.year: m.value for m in t.milestones.all()}
        baseline = None
        from_first = False
        if t.baseline_year is not None and t.baseline_value is not None:
            baseline = (t.baseline_year, t.baseline_value)
        elif vals and len(vals) > 1:
            baseline = (vals[0].year, vals[0].value)
            from_first = True
        a = assess(
            direction=t.direction,
            baseline=baseline,
            milestones=milestones,
            value=latest.value if latest else None,
            period=_point(latest) if latest else None,
            yellow_fraction=fraction,
            qualifiers=milestone_qualifiers(t),
            about_band=band,
        )
        out.append(TargetStatus(t, a, latest, baseline, from_first))
    return out


def status_of(plan: Plan, target: Target) -> TargetStatus:
    """The status of one target (an archived one too: its page stays readable)."""
    return target_statuses(plan, only=target.pk)[0]


def effective_qualifier(target: Target, milestone) -> tuple[str, bool]:
    """A milestone's wording: its own qualifier, else the target's; 力争 from the milestone or the target
    (a target-level 力争 keeps the direction's comparison)."""
    q = milestone.qualifier or target.qualifier
    strive = milestone.strive or q == "strive" or target.qualifier == "strive"
    return ("exact" if q == "strive" else q), strive


def milestone_qualifiers(target: Target) -> dict[int, tuple[str, bool]]:
    return {m.year: effective_qualifier(target, m) for m in target.milestones.all()}


def expected_series(status: TargetStatus, years: list[int]) -> list[float | None]:
    anchors = sorted({m.year: m.value for m in status.target.milestones.all()}.items())
    if status.baseline and (not anchors or status.baseline[0] < anchors[0][0]):
        anchors = [status.baseline, *anchors]
    return [_f(expected_value(anchors, Decimal(y))) for y in years]
