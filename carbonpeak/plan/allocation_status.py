"""The lights of a county target's units (目标分解): each township, the development zone or a sector's department
with a share of the target is judged on its own reported values against its own basic values, with the county
target's wording of that year (以上/以下/左右/超过, 力争); the incentive value (激励目标) is reported beside it as
met or not (a unit that meets its basic value is green whether or not it reaches the incentive)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from carbonpeak.core.tracking import Assessment, Light, PeriodPoint, assess, governing_year
from carbonpeak.plan.models import Department, Target, TargetAllocation, UnitValue
from carbonpeak.plan.status import effective_qualifier


@dataclass
class UnitStatus:
    department: Department
    allocations: list[TargetAllocation]
    latest: UnitValue | None
    assessment: Assessment
    incentive: Decimal | None
    incentive_met: bool | None

    @property
    def light(self) -> Light:
        return self.assessment.light

    def as_dict(self) -> dict:
        return {
            "department": self.department.code,
            "status": self.light.value,
            "year": self.latest.year if self.latest else None,
            "value": float(self.latest.value) if self.latest else None,
            "basic": {a.year: float(a.basic_value) for a in self.allocations},
            "incentive_met": self.incentive_met,
        }


def _wording(target: Target, years: list[int]) -> dict[int, tuple[str, bool]]:
    by_year = {m.year: m for m in target.milestones.all()}
    out = {}
    for y in years:
        m = by_year.get(y)
        if m is not None:
            out[y] = effective_qualifier(target, m)
        else:
            q = target.qualifier
            out[y] = ("exact" if q == "strive" else q, q == "strive")
    return out


def meets(value: Decimal, level: Decimal, qualifier: str, direction: str) -> bool:
    """Does ``value`` reach ``level`` in the wording's sense (超过: strictly beyond)?"""
    if qualifier == "exceed":
        return value > level
    side = "increase" if qualifier == "at_least" else "decrease" if qualifier == "at_most" else direction
    return value >= level if side == "increase" else value <= level


def unit_statuses(target: Target) -> list[UnitStatus]:
    """One status per unit with a share of ``target``, in department order."""
    allocs: dict[int, list[TargetAllocation]] = {}
    for a in TargetAllocation.objects.filter(target=target).select_related("department").order_by("year"):
        allocs.setdefault(a.department_id, []).append(a)
    values: dict[int, list[UnitValue]] = {}
    for v in UnitValue.objects.filter(target=target).order_by("year"):
        values.setdefault(v.department_id, []).append(v)
    fraction = Decimal(settings.PLAN_STATUS_YELLOW_FRACTION)
    band = Decimal(settings.PLAN_ABOUT_TOLERANCE)
    out = []
    for dept_id, rows in sorted(allocs.items()):
        milestones = {a.year: a.basic_value for a in rows}
        wording = _wording(target, list(milestones))
        latest = values.get(dept_id, [None])[-1]
        a = assess(
            direction=target.direction,
            baseline=None,
            milestones=milestones,
            value=latest.value if latest else None,
            period=PeriodPoint(latest.year) if latest else None,
            yellow_fraction=fraction,
            qualifiers=wording,
            about_band=band,
        )
        incentive = met = None
        if latest is not None:
            year = governing_year(milestones, Decimal(latest.year))
            alloc = next(x for x in rows if x.year == year)
            incentive = alloc.incentive_value
            if incentive is not None:
                met = meets(latest.value, incentive, wording[year][0], target.direction)
        out.append(UnitStatus(rows[0].department, rows, latest, a, incentive, met))
    return out
