"""Plan tracking: the expected path of a target and its red/yellow/green light. Pure, exact (Decimal).

A period is a point in time in fractional years at the period's end: the year Y is Y, the quarter Qn of
year Y is Y - 1 + n/4 (so Q4 of Y coincides with the year Y).

Expected path: linear between the anchors (baseline, then milestones in year order), flat after the last
milestone, flat at the first anchor before it. When the plan states no baseline, the earliest reported value
anchors the path (callers pass it as the baseline and say so).

Light, for a value v at time t with expected value e (direction `increase`: higher is better):
    behind = e - v (increase) or v - e (decrease)
    green   behind <= 0
    yellow  0 < behind <= yellow_fraction * |m - b|, where m is the next milestone at or after t (the last one
            past the end) and b the baseline: the change still required along this leg of the path
    red     further behind
    no_data no value, or no milestone to compare against
Every comparison is Decimal; bounds are inclusive on the better side.

Qualifiers (the plan's wording of the governing milestone: the next one at or after t, the last past the end)
change which side is better and where green ends:
    at_least (以上/不低于/达到)  higher is better whatever the direction: behind = e - v
    at_most  (以下/以内/不高于)  lower is better: behind = v - e
    exceed   (超过/突破)         as at_least, but green needs v > e strictly: exactly at e is yellow
    about    (左右)              green within the band on the worse side: behind <= band, band = about_band * |e|;
                                 yellow up to band + tolerance; the better side is green
    exact / strive               the direction decides (as before)
    strive   (力争, a flag)       an incentive level: a red becomes yellow (missing it is never red)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class PeriodPoint:
    year: int
    quarter: int | None = None

    @property
    def t(self) -> Decimal:
        if self.quarter is None:
            return Decimal(self.year)
        return Decimal(self.year - 1) + Decimal(self.quarter) / Decimal(4)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)


@dataclass(frozen=True)
class Assessment:
    light: Light
    expected_value: Decimal | None
    gap: Decimal | None  # positive: behind the path, in the target's unit
    tolerance: Decimal | None


def expected_value(anchors: list[tuple[int, Decimal]], t: Decimal) -> Decimal | None:
    """Linear interpolation through (year, value) anchors; flat outside them."""
    if not anchors:
        return None
    pts = sorted(anchors)
    if t <= pts[0][0]:
        return pts[0][1]
    for (y0, v0), (y1, v1) in zip(pts, pts[1:], strict=False):
        if t <= y1:
            return v0 + (v1 - v0) * (t - Decimal(y0)) / Decimal(y1 - y0)
    return pts[-1][1]


def governing_year(milestones: dict[int, Decimal], t: Decimal) -> int | None:
    """The milestone a period is judged against: the next one at or after t, the last one past the end."""
    if not milestones:
        return None
    later = [y for y in sorted(milestones) if y >= t]
    return later[0] if later else max(milestones)


def assess(
    *,
    direction: str,
    baseline: tuple[int, Decimal] | None,
    milestones: dict[int, Decimal],
    value: Decimal | None,
    period: PeriodPoint | None,
    yellow_fraction: Decimal,
    qualifiers: dict[int, tuple[str, bool]] | None = None,
    about_band: Decimal = Decimal(0),
) -> Assessment:
    if value is None or period is None or not milestones:
        return Assessment(Light.NO_DATA, None, None, None)
    anchors = sorted(milestones.items())
    if baseline is not None and baseline[0] < anchors[0][0]:
        anchors = [baseline, *anchors]
    t = period.t
    expected = expected_value(anchors, t)
    assert expected is not None
    year = governing_year(milestones, t)
    qualifier, strive = (qualifiers or {}).get(year, ("exact", False)) if year is not None else ("exact", False)
    if qualifier in ("at_least", "exceed"):
        side = "increase"
    elif qualifier == "at_most":
        side = "decrease"
    else:
        side = direction
    behind = expected - value if side == "increase" else value - expected
    later = [v for y, v in sorted(milestones.items()) if y >= t]
    next_milestone = later[0] if later else anchors[-1][1]
    start = baseline[1] if baseline is not None else anchors[0][1]
    tolerance = yellow_fraction * abs(next_milestone - start)
    band = about_band * abs(expected) if qualifier == "about" else Decimal(0)
    if behind < 0 or (behind == 0 and qualifier != "exceed") or (qualifier == "about" and behind <= band):
        light = Light.GREEN
    elif behind <= band + tolerance:
        light = Light.YELLOW
    else:
        light = Light.RED
    if strive and light == Light.RED:
        light = Light.YELLOW
    return Assessment(light, expected, behind, tolerance)


def assess_cap(*, value: Decimal | None, cap: Decimal | None, yellow_fraction: Decimal) -> Assessment:
    """A budget (cap) read with the plan's rule, the cap being this period's milestone and the required leg
    the cap itself: ``behind = value − cap``; green ``behind <= 0``; yellow ``0 < behind <= yellow_fraction ×
    cap``; red further over. No value or no cap: no_data."""
    if value is None or cap is None:
        return Assessment(Light.NO_DATA, cap, None, None)
    behind = value - cap
    tolerance = yellow_fraction * abs(cap)
    light = Light.GREEN if behind <= 0 else Light.YELLOW if behind <= tolerance else Light.RED
    return Assessment(light, cap, behind, tolerance)
