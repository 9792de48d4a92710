"""``carbon_efficiency`` (enterprise 碳效码, Zhejiang/Huzhou method).

``intensity = emissions_tco2 / value_added_10k_yuan``; ``k = intensity / industry_intensity``.
Grade ``n`` is the first grade with ``k <= ceff.grade_max.n`` (upper-inclusive, lower-exclusive), else the
grade after the last bound; level ``low`` when ``intensity <= ceff.level.low_max``, ``medium`` when
``<= ceff.level.mid_max``, else ``high``. Every comparison is exact decimal arithmetic on the numbers as
written: ``k <= b`` is decided as ``emissions <= b × value_added × industry_intensity`` (products of decimals
are exact), so a value on a bound is never misgraded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from typing import Any, Final

from . import validate as v
from .errors import CalcError
from .factors import CEFF_LEVEL_LOW_MAX, CEFF_LEVEL_MID_MAX, FactorSet

EXACT_PREC: Final = 200
DISPLAY_PREC: Final = 50


@dataclass(frozen=True, slots=True)
class CarbonEfficiency:
    intensity_tco2_per_10k_yuan: Decimal
    k: Decimal
    grade: int
    level: str
    bound_key: str | None  # the ceff.grade_max.* bound that decided the grade (None: above the last)


def carbon_efficiency(
    emissions_tco2: Decimal,
    value_added_10k_yuan: Decimal,
    industry_intensity_tco2_per_10k_yuan: Decimal,
    fs: FactorSet,
) -> CarbonEfficiency:
    if value_added_10k_yuan <= 0:
        raise CalcError("out_of_range", "value_added_10k_yuan", "value_added_10k_yuan must be > 0.")
    if industry_intensity_tco2_per_10k_yuan <= 0:
        raise CalcError(
            "out_of_range", "industry_intensity_tco2_per_10k_yuan", "industry_intensity_tco2_per_10k_yuan must be > 0."
        )
    bounds = fs.ceff_grade_bounds()
    low_max = fs.value(CEFF_LEVEL_LOW_MAX)
    mid_max = fs.value(CEFF_LEVEL_MID_MAX)
    e, va, ind = emissions_tco2, value_added_10k_yuan, industry_intensity_tco2_per_10k_yuan
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        ctx.traps[Inexact] = True  # the comparisons below must be exact
        denom = va * ind
        grade = len(bounds) + 1
        bound_key: str | None = None
        for n, (key, b) in enumerate(bounds, start=1):
            if e <= b * denom:
                grade, bound_key = n, key
                break
        if e <= low_max * va:
            level = "low"
        elif e <= mid_max * va:
            level = "medium"
        else:
            level = "high"
    with localcontext() as ctx:
        ctx.prec = DISPLAY_PREC
        intensity = e / va
        k = e / denom
    return CarbonEfficiency(intensity, k, grade, level, bound_key)


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "emissions_tco2", "value_added_10k_yuan", "industry_intensity_tco2_per_10k_yuan"))
    e = v.number(case["emissions_tco2"], "emissions_tco2")
    va = v.number(case["value_added_10k_yuan"], "value_added_10k_yuan", exclusive_minimum=True)
    ind = v.number(
        case["industry_intensity_tco2_per_10k_yuan"], "industry_intensity_tco2_per_10k_yuan", exclusive_minimum=True
    )
    r = carbon_efficiency(e, va, ind, fs)
    decided = r.bound_key or f"above {fs.ceff_grade_bounds()[-1][0]}"
    return {
        "intensity_tco2_per_10k_yuan": float(r.intensity_tco2_per_10k_yuan),
        "k": float(r.k),
        "grade": r.grade,
        "level": r.level,
        "method": fs.method(
            f"carbon_efficiency:k=(emissions/value_added)/industry_intensity, upper-inclusive exact decimal bounds"
            f" ceff.grade_max.* (grade by {decided}); level by {CEFF_LEVEL_LOW_MAX}/{CEFF_LEVEL_MID_MAX}"
        ),
    }
