"""``forest_sink``: forest carbon sink from stock volumes (IPCC stock-difference or gain-loss).

Carbon factor (tC per m3 of stem volume) = ``wood_density × bef × (1 + root_shoot_ratio) × carbon_fraction``.

- ``stock_difference``: ``C_i = volume_i × factor``; ``sink = (C1 − C0) / (y1 − y0) × 44/12`` per year.
- ``gain_loss``: ``sink = (volume × growth_rate − harvest_m3) × factor × 44/12`` per year.

A sink is positive (removals); a negative value means the forest was a net source.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any, Final

from . import units
from . import validate as v
from .errors import CalcError
from .factors import FactorSet

METHODS: Final = ("stock_difference", "gain_loss")
PARAMS: Final = ("wood_density_t_per_m3", "bef", "root_shoot_ratio", "carbon_fraction")
PREC: Final = 50


def carbon_factor_tc_per_m3(
    wood_density_t_per_m3: Decimal, bef: Decimal, root_shoot_ratio: Decimal, carbon_fraction: Decimal
) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PREC
        return wood_density_t_per_m3 * bef * (1 + root_shoot_ratio) * carbon_fraction


def stock_difference(
    volume_m3: tuple[Decimal, Decimal], years: tuple[int, int], factor_tc_per_m3: Decimal
) -> tuple[tuple[Decimal, Decimal], Decimal]:
    """``((c0, c1) in tC, sink_tco2_per_year)``."""
    with localcontext() as ctx:
        ctx.prec = PREC
        c0 = volume_m3[0] * factor_tc_per_m3
        c1 = volume_m3[1] * factor_tc_per_m3
        c_to_co2 = Decimal(units.MOLAR_MASS_CO2_G_PER_MOL) / units.MOLAR_MASS_C_G_PER_MOL
        sink = (c1 - c0) * c_to_co2 / (years[1] - years[0])
        return (c0, c1), sink


def gain_loss(volume_m3: Decimal, growth_rate: Decimal, harvest_m3: Decimal, factor_tc_per_m3: Decimal) -> Decimal:
    """``sink_tco2_per_year``."""
    with localcontext() as ctx:
        ctx.prec = PREC
        c_to_co2 = Decimal(units.MOLAR_MASS_CO2_G_PER_MOL) / units.MOLAR_MASS_C_G_PER_MOL
        return (volume_m3 * growth_rate - harvest_m3) * factor_tc_per_m3 * c_to_co2


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    if "method" not in case:
        raise CalcError("missing_key", "method", "Key 'method' is required (stock_difference or gain_loss).")
    method = v.string(case["method"], "method", METHODS)
    if method == "stock_difference":
        v.keys(case, "", ("calc", "method", "volume_m3", "years", *PARAMS))
    else:
        v.keys(case, "", ("calc", "method", "volume_m3", "growth_rate", "harvest_m3", *PARAMS))
    wd = v.number(case["wood_density_t_per_m3"], "wood_density_t_per_m3", exclusive_minimum=True)
    bef = v.number(case["bef"], "bef", exclusive_minimum=True)
    rs = v.number(case["root_shoot_ratio"], "root_shoot_ratio")
    cf = v.fraction(case["carbon_fraction"], "carbon_fraction")
    factor = carbon_factor_tc_per_m3(wd, bef, rs, cf)
    formula = "carbon_factor=wood_density*bef*(1+root_shoot_ratio)*carbon_fraction"
    if method == "stock_difference":
        vol = v.array(case["volume_m3"], "volume_m3", exact_len=2)
        yrs = v.array(case["years"], "years", exact_len=2)
        v0, v1 = v.number(vol[0], "volume_m3[0]"), v.number(vol[1], "volume_m3[1]")
        y0 = v.integer(yrs[0], "years[0]", minimum=1900, maximum=2200)
        y1 = v.integer(yrs[1], "years[1]", minimum=1900, maximum=2200)
        if y1 <= y0:
            raise CalcError("invalid_value", "years[1]", f"years[1] = {y1} must be after years[0] = {y0}.")
        (c0, c1), sink = stock_difference((v0, v1), (y0, y1), factor)
        return {
            "carbon_factor_tc_per_m3": float(factor),
            "carbon_stock_tc": [float(c0), float(c1)],
            "sink_tco2_per_year": float(sink),
            "method": fs.method(f"forest_sink:stock_difference ({formula}; (C1-C0)/(y1-y0)*44/12)"),
        }
    volume = v.number(case["volume_m3"], "volume_m3")
    growth = v.fraction(case["growth_rate"], "growth_rate")
    harvest = v.number(case["harvest_m3"], "harvest_m3")
    sink = gain_loss(volume, growth, harvest, factor)
    return {
        "carbon_factor_tc_per_m3": float(factor),
        "sink_tco2_per_year": float(sink),
        "method": fs.method(f"forest_sink:gain_loss ({formula}; (volume*growth_rate-harvest)*factor*44/12)"),
    }


def coverage_pct(forest_area_ha: Decimal, land_area_ha: Decimal) -> Decimal:
    """Forest coverage in percent, 2 decimals half up as published (``forest area ÷ land area × 100``)."""
    from decimal import ROUND_HALF_UP

    if land_area_ha <= 0:
        raise CalcError("invalid_value", "land_area_ha", "The land area must be positive.")
    with localcontext() as ctx:
        ctx.prec = PREC
        return (forest_area_ha * 100 / land_area_ha).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def project_credits(
    stock_m3: dict[str, tuple[Decimal, Decimal]],
    factors_tc_per_m3: dict[str, Decimal],
    years: tuple[int, int],
    crediting: tuple[int, int],
    buffer_share: Decimal,
) -> dict[str, Any]:
    """碳普惠 forestry-sink methodology for one project (a village collective's afforestation): the project's stock
    difference by species group over the monitoring period ``years`` (with the same parameters as the county's
    sink), a ``buffer_share`` withheld for reversal risk, credited only inside the crediting period
    ``crediting`` = (first year, last year). Returns tCO2 over the whole period: ``sink``, ``buffer``,
    ``credited`` (0 when the stock fell; the fall is then ``reversal``, to be cancelled from the buffer).
    """
    y0, y1 = years
    if y1 <= y0:
        raise CalcError("invalid_value", "years[1]", f"years[1] = {y1} must be after years[0] = {y0}.")
    if not (crediting[0] <= y0 and y1 <= crediting[1]):
        raise CalcError(
            "outside_crediting_period",
            "years",
            f"The monitoring period {y0}-{y1} lies outside the crediting period {crediting[0]}-{crediting[1]}.",
        )
    if not Decimal(0) <= buffer_share < 1:
        raise CalcError("invalid_value", "buffer_share", "The buffer share must be at least 0 and below 1.")
    with localcontext() as ctx:
        ctx.prec = PREC
        by_group: dict[str, Decimal] = {}
        for g, (v0, v1) in sorted(stock_m3.items()):
            if g not in factors_tc_per_m3:
                raise CalcError("missing_factor", f"stock_m3.{g}", f"No parameters for species group {g}.")
            _c, per_year = stock_difference((v0, v1), (y0, y1), factors_tc_per_m3[g])
            by_group[g] = per_year * (y1 - y0)
        sink = sum(by_group.values(), Decimal(0))
        if sink <= 0:
            return {"sink": sink, "buffer": Decimal(0), "credited": Decimal(0), "reversal": -sink, "by_group": by_group}
        buffer = sink * buffer_share
        return {"sink": sink, "buffer": buffer, "credited": sink - buffer, "reversal": Decimal(0), "by_group": by_group}
