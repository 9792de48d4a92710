"""``nonfossil_share``: share of non-fossil energy in total energy consumption.

``nonfossil_tce = nonfossil_electricity_kwh × kgce_per_kwh / 1000 + nonfossil_other_tce``,
``share = nonfossil_tce / (fossil_tce + nonfossil_tce)``. Chinese statistics use the coal-equivalent method
(发电煤耗法, ``coal_equivalent_kgce_per_kwh`` = the year's coal rate, no library default); ``calorific`` uses
``tce.electricity_equivalent`` (0.1229 kgce/kWh) and gives a share roughly 2.4 times smaller.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any, Final

from . import units
from . import validate as v
from .errors import CalcError
from .factors import TCE_ELECTRICITY_CALORIFIC, FactorSet

METHODS: Final = ("coal_equivalent", "calorific")
PREC: Final = 50


def nonfossil_share(
    fossil_tce: Decimal,
    nonfossil_electricity_kwh: Decimal,
    kgce_per_kwh: Decimal,
    nonfossil_other_tce: Decimal = Decimal(0),
) -> tuple[Decimal, Decimal, Decimal]:
    """``(nonfossil_tce, total_tce, share)``."""
    with localcontext() as ctx:
        ctx.prec = PREC
        tce_per_kwh = units.convert(kgce_per_kwh, "kgce/kWh", "tce/kWh")
        nonfossil = nonfossil_electricity_kwh * tce_per_kwh + nonfossil_other_tce
        total = fossil_tce + nonfossil
        if total == 0:
            raise CalcError("invalid_value", "fossil_tce", "Total energy is zero; a share is undefined.")
        return nonfossil, total, nonfossil / total


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(
        case,
        "",
        ("calc", "fossil_tce", "nonfossil_electricity_kwh", "method"),
        ("nonfossil_other_tce", "coal_equivalent_kgce_per_kwh"),
    )
    method = v.string(case["method"], "method", METHODS)
    fossil = v.number(case["fossil_tce"], "fossil_tce")
    kwh = v.number(case["nonfossil_electricity_kwh"], "nonfossil_electricity_kwh")
    other = Decimal(0)
    if "nonfossil_other_tce" in case:
        other = v.number(case["nonfossil_other_tce"], "nonfossil_other_tce")
    if method == "coal_equivalent":
        if "coal_equivalent_kgce_per_kwh" not in case:
            raise CalcError(
                "missing_key",
                "coal_equivalent_kgce_per_kwh",
                "method 'coal_equivalent' needs coal_equivalent_kgce_per_kwh (the year's coal rate of power supply,"
                " about 0.30 kgce/kWh); the library has no single default.",
            )
        rate = v.number(case["coal_equivalent_kgce_per_kwh"], "coal_equivalent_kgce_per_kwh", exclusive_minimum=True)
        label = f"coal_equivalent (发电煤耗法/等价值) {rate} kgce/kWh (input)"
    else:
        if "coal_equivalent_kgce_per_kwh" in case:
            raise CalcError(
                "conflict",
                "coal_equivalent_kgce_per_kwh",
                "coal_equivalent_kgce_per_kwh applies only with method 'coal_equivalent'.",
            )
        rate = fs.value_in(TCE_ELECTRICITY_CALORIFIC, "kgce/kWh")
        label = f"calorific (当量值) {TCE_ELECTRICITY_CALORIFIC}"
    nonfossil, total, share = nonfossil_share(fossil, kwh, rate, other)
    return {
        "nonfossil_tce": float(nonfossil),
        "total_tce": float(total),
        "share": float(share),
        "method": fs.method(f"nonfossil_share:{label}; share=nonfossil/(fossil+nonfossil)"),
    }
