"""Transport and gas figures of the plan (issue 20): pure Decimal arithmetic, no Django.

- ``share(part, whole)``: a fraction 0–1, or None when ``whole`` is 0 (no new buses: no share, never 0 % or 100 %);
  ``percent_2dp``: the fraction as a percentage with 2 decimals, half up (66.666… → 66.67).
- ``storage_days(capacity_m3, annual_demand_m3, days_in_year)``: working capacity in service on 31 December ÷
  (annual natural-gas consumption ÷ days in the year), 1 decimal, half up; None without a positive demand.
- ``turnover_equivalent_tkm(tonne_km, passenger_km, tkm_per_pkm)``: transport turnover in tonne-km equivalent
  (换算周转量 = 货物周转量 + 旅客周转量 × 换算系数).
- ``per_10k_tkm(quantity, tkm)``: energy (tce) or CO2 (t) per 10 000 t·km equivalent.
- ``reduction(base, current)``: 1 − current ÷ base (positive when the intensity fell).
"""

from __future__ import annotations

import calendar
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Final

PREC: Final = 40
TKM_PER_10K: Final = Decimal(10000)
PCT_2DP: Final = Decimal("0.01")
DAYS_1DP: Final = Decimal("0.1")


def days_in_year(year: int) -> int:
    """366 in a leap year (2024, 2028), else 365."""
    return 366 if calendar.isleap(year) else 365


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part ÷ whole`` as a fraction (exact to 40 digits), None when ``whole`` is 0."""
    if whole <= 0:
        return None
    if part < 0 or part > whole:
        raise ValueError("part must lie between 0 and whole")
    with localcontext() as ctx:
        ctx.prec = PREC
        return Decimal(part) / Decimal(whole)


def percent_2dp(fraction: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with 2 decimals, half up: 2/3 → 66.67."""
    if fraction is None:
        return None
    with localcontext() as ctx:
        ctx.prec = PREC
        return (fraction * 100).quantize(PCT_2DP, rounding=ROUND_HALF_UP)


def storage_days(capacity_m3: Decimal, annual_demand_m3: Decimal | None, days: int) -> Decimal | None:
    """Days of average daily demand the working capacity holds, 1 decimal half up; None without a demand."""
    if annual_demand_m3 is None or annual_demand_m3 <= 0:
        return None
    if capacity_m3 < 0 or days <= 0:
        raise ValueError("capacity must be non-negative and days positive")
    with localcontext() as ctx:
        ctx.prec = PREC
        daily = annual_demand_m3 / Decimal(days)
        return (capacity_m3 / daily).quantize(DAYS_1DP, rounding=ROUND_HALF_UP)


def turnover_equivalent_tkm(tonne_km: Decimal, passenger_km: Decimal, tkm_per_pkm: Decimal) -> Decimal:
    """换算周转量 in t·km: freight t·km + passenger-km × the conversion factor (t·km per passenger-km)."""
    if tonne_km < 0 or passenger_km < 0 or tkm_per_pkm <= 0:
        raise ValueError("turnover must be non-negative and the factor positive")
    with localcontext() as ctx:
        ctx.prec = PREC
        return tonne_km + passenger_km * tkm_per_pkm


def per_10k_tkm(quantity: Decimal, tkm: Decimal) -> Decimal | None:
    """``quantity`` (tce or tCO2) per 10 000 t·km equivalent; None without turnover."""
    if tkm <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PREC
        return quantity / (tkm / TKM_PER_10K)


def reduction(base: Decimal | None, current: Decimal | None) -> Decimal | None:
    """1 − current ÷ base: 0.06 when the intensity fell by 6 %; None without both or with a zero base."""
    if base is None or current is None or base <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PREC
        return 1 - current / base


__all__ = [
    "days_in_year",
    "per_10k_tkm",
    "percent_2dp",
    "reduction",
    "share",
    "storage_days",
    "turnover_equivalent_tkm",
]
