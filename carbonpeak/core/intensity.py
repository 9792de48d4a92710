"""``intensity_reduction`` and ``required_annual_reduction``.

- ``intensity = energy_tce / gdp_10k_yuan`` (GDP at constant prices), ``reduction = 1 − i1/i0``. With
  ``round_intensity_dp`` both intensities are first rounded half-up (四舍五入) to that many decimals, as
  Zhuzhou's statistical practice does; the rounding is exact decimal arithmetic.
- ``annual_reduction = 1 − (1 − total_reduction)^(1/years)``: the compound yearly rate reaching the total
  (−13.5 % over five years is 2.859 %/yr).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Final

from . import validate as v
from .errors import CalcError
from .factors import FactorSet
from .limits import MAX_ROUND_DP

PREC: Final = 50


def intensity_reduction(
    energy_tce: tuple[Decimal, Decimal],
    gdp_10k_yuan: tuple[Decimal, Decimal],
    round_intensity_dp: int | None = None,
) -> tuple[tuple[Decimal, Decimal], Decimal]:
    """``((i0, i1), reduction)`` in tce per 10k yuan; reduction is a fraction (positive = intensity fell)."""
    with localcontext() as ctx:
        ctx.prec = PREC
        i0 = energy_tce[0] / gdp_10k_yuan[0]
        i1 = energy_tce[1] / gdp_10k_yuan[1]
        if round_intensity_dp is not None:
            q = Decimal(1).scaleb(-round_intensity_dp)
            i0 = i0.quantize(q, rounding=ROUND_HALF_UP)
            i1 = i1.quantize(q, rounding=ROUND_HALF_UP)
        if i0 == 0:
            raise CalcError(
                "invalid_value", "energy_tce[0]", "The base-year intensity is zero; a reduction is undefined."
            )
        return (i0, i1), 1 - i1 / i0


def required_annual_reduction(total_reduction: float, years: int) -> float:
    """Compound yearly reduction that reaches ``total_reduction`` (a fraction < 1) in ``years`` years."""
    if not total_reduction < 1:
        raise CalcError("out_of_range", "total_reduction", "total_reduction must be < 1 (a fraction, not percent).")
    if years < 1:
        raise CalcError("out_of_range", "years", "years must be >= 1.")
    return -math.expm1(math.log1p(-total_reduction) / years)


def handle_intensity_reduction(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "energy_tce", "gdp_10k_yuan"), ("round_intensity_dp",))
    e = v.array(case["energy_tce"], "energy_tce", exact_len=2)
    g = v.array(case["gdp_10k_yuan"], "gdp_10k_yuan", exact_len=2)
    energy = (v.number(e[0], "energy_tce[0]"), v.number(e[1], "energy_tce[1]"))
    gdp = (
        v.number(g[0], "gdp_10k_yuan[0]", exclusive_minimum=True),
        v.number(g[1], "gdp_10k_yuan[1]", exclusive_minimum=True),
    )
    dp_raw = case.get("round_intensity_dp")
    dp = None if dp_raw is None else v.integer(dp_raw, "round_intensity_dp", minimum=0, maximum=MAX_ROUND_DP)
    (i0, i1), red = intensity_reduction(energy, gdp, dp)
    rounding = "unrounded intensities" if dp is None else f"intensities rounded half-up to {dp} dp first"
    return {
        "intensity_tce_per_10k_yuan": [float(i0), float(i1)],
        "reduction": float(red),
        "method": fs.method(f"intensity_reduction:1-(e1/g1)/(e0/g0), GDP at constant prices, {rounding}"),
    }


def handle_required_annual_reduction(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "total_reduction", "years"))
    total = v.number(case["total_reduction"], "total_reduction", minimum=None, maximum=1, exclusive_maximum=True)
    years = v.integer(case["years"], "years", minimum=1, maximum=1000)
    return {
        "annual_reduction": required_annual_reduction(float(total), years),
        "method": fs.method("required_annual_reduction:1-(1-total_reduction)^(1/years)"),
    }
