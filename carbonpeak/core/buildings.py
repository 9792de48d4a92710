"""Building figures: the green and prefabricated shares of completed area, energy-use intensity, benchmark
lights and the rooftop PV potential. Pure Python on ``Decimal``; no Django.

- green share (%) = green civil completed area ÷ civil completed area × 100 (the plan's 民用建筑绿色建筑占比);
- prefab share (%) = prefabricated completed area (civil and industrial) ÷ all completed area × 100;
- both rounded to 2 decimals, half up; a year without the denominator's area has no share (``None``), never 0.
- EUI (kgce/m²) = energy (kgce) ÷ gross floor area (m²); kWh/m² = kgce/m² ÷ the electricity calorific factor
  (kgce/kWh): every carrier on the calorific basis expressed as kWh of heat;
- light against a benchmark (guide value 引导值 ≤ limit value 约束值, kgce/m²): green while EUI ≤ guide,
  yellow while guide < EUI ≤ limit, red when EUI > limit (a building exactly at a bound takes the milder light);
- rooftop potential (kW) = roof area (m²) × usable share (0–1) × kW per m².
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

HUNDRED: Final = Decimal(100)
PCT_PLACES: Final = Decimal("0.01")

GREEN: Final = "green"
YELLOW: Final = "yellow"
RED: Final = "red"


def pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator ÷ denominator × 100, 2 decimals half up; ``None`` without a positive denominator."""
    if denominator <= 0:
        return None
    return (numerator * HUNDRED / denominator).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Completed:
    """One completion: area (m²), civil or industrial, green at acceptance (any star level), prefabricated."""

    floor_area_m2: Decimal
    civil: bool
    green: bool
    prefab: bool


@dataclass(frozen=True)
class Shares:
    civil_completed_m2: Decimal
    green_completed_m2: Decimal
    green_building_share_pct: Decimal | None
    new_building_m2: Decimal
    prefab_m2: Decimal
    prefab_share_pct: Decimal | None


def shares(rows: Iterable[Completed]) -> Shares:
    civil = green = total = prefab = Decimal(0)
    for r in rows:
        total += r.floor_area_m2
        if r.prefab:
            prefab += r.floor_area_m2
        if r.civil:
            civil += r.floor_area_m2
            if r.green:
                green += r.floor_area_m2
    return Shares(civil, green, pct(green, civil), total, prefab, pct(prefab, total))


def intensity(amount: Decimal, per: Decimal, places: str = "0.01") -> Decimal | None:
    """amount ÷ per, half up to ``places``; ``None`` without a positive divisor."""
    if per <= 0:
        return None
    return (amount / per).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def light(eui_kgce_per_m2: Decimal, guide: Decimal, limit: Decimal) -> str:
    """green ≤ guide < yellow ≤ limit < red."""
    if eui_kgce_per_m2 > limit:
        return RED
    if eui_kgce_per_m2 > guide:
        return YELLOW
    return GREEN


def change_pct(current: Decimal, previous: Decimal) -> Decimal | None:
    """Year-on-year change (%) = (current − previous) ÷ previous × 100; ``None`` without a previous value."""
    return pct(current - previous, previous)


def rooftop_potential_kw(roof_area_m2: Decimal, usable_share: Decimal, kw_per_m2: Decimal) -> Decimal:
    return (roof_area_m2 * usable_share * kw_per_m2).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)
