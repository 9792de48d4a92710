"""``gwp``: masses of greenhouse gases (t) to CO2-equivalent (t) with one IPCC GWP100 set."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext
from typing import Any, Final

from . import units
from . import validate as v
from .errors import CalcError
from .factors import FactorSet
from .limits import MAX_GASES

GWP_SETS: Final = ("SAR", "AR4", "AR5", "AR6")
EXACT_PREC: Final = 80


def co2e_t(
    gwp_set: str, gases_t: Mapping[str, Decimal], fs: FactorSet
) -> tuple[Decimal, dict[str, Decimal], list[str]]:
    """``(total_co2e_t, by_gas_co2e_t, factor_keys)``, exact decimal products of mass × GWP.

    ``CO2`` itself counts with GWP 1 (the definition of CO2-equivalence); every other gas needs a
    ``gwp.<set>.<gas>`` factor.
    """
    by_gas: dict[str, Decimal] = {}
    used: list[str] = []
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        for gas, mass in gases_t.items():
            if gas.lower() == "co2":
                gwp = Decimal(units.CO2E_PER_CO2)
                used.append("CO2=1 (definition)")
            else:
                f = fs.gwp(gwp_set, gas)
                gwp = f.require()
                used.append(f.key)
            by_gas[gas] = mass * gwp
        total = sum(by_gas.values(), Decimal(0))
    return total, by_gas, used


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "gwp_set", "gases_t"))
    gwp_set = v.string(case["gwp_set"], "gwp_set", GWP_SETS)
    gases = v.obj(case["gases_t"], "gases_t")
    if len(gases) > MAX_GASES:
        raise CalcError("too_large", "gases_t", f"gases_t has {len(gases)} gases; the limit is {MAX_GASES}.")
    masses: dict[str, Decimal] = {}
    seen: dict[str, str] = {}
    for gas, raw in gases.items():
        p = v.at_key("gases_t", gas)
        if not gas:
            raise CalcError("invalid_value", p, "A gas name must not be empty.")
        low = gas.lower()
        if low in seen:
            raise CalcError("duplicate", p, f"Gas {gas!r} is the same gas as {seen[low]!r}; give it once.")
        seen[low] = gas
        masses[gas] = v.number(raw, p)
        if low != "co2":
            try:
                fs.gwp(gwp_set, gas)
            except CalcError as e:
                raise CalcError("unknown_gas", p, e.message + " Check the gas name or the GWP set.") from e
    total, by_gas, used = co2e_t(gwp_set, masses, fs)
    return {
        "co2e_t": float(total),
        "by_gas_co2e_t": {g: float(x) for g, x in by_gas.items()},
        "gwp_set": gwp_set,
        "method": fs.method(f"gwp100:{gwp_set} sum(mass_t*GWP) ({', '.join(used)})"),
    }
