"""``lmdi``: additive LMDI-I decomposition of a CO2 change with the Kaya identity.

``C = P × (G/P) × (E/G) × (C/E)`` (population, affluence, energy intensity, carbon intensity). Each effect is
``L(C1, C0) × ln(x1/x0)`` with the logarithmic mean ``L(a, b) = (a − b) / (ln a − ln b)`` and its analytical
limit ``L(a, a) = a``. The sum of the effects is ``L(C1, C0) × ln(C1/C0) = C1 − C0`` exactly in real
arithmetic; the core computes in 60-digit decimal arithmetic (so no residual has to be put anywhere), and the
float effects sum to ``total_change`` to within float rounding.

Zero CO2 (Ang 2005, the limit of the small-value strategy): with ``C0 = 0 < C1`` the carbon-intensity effect is
``C1`` and the others 0 (symmetrically ``−C0`` when ``C1 = 0``); population, GDP and energy must be positive,
since the Kaya ratios are undefined otherwise.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any, Final

from . import validate as v
from .errors import CalcError
from .factors import FactorSet

PREC: Final = 60
VARIABLES: Final = ("population", "gdp", "energy", "co2")
EFFECTS: Final = ("population", "affluence", "energy_intensity", "carbon_intensity")


def log_mean(a: Decimal, b: Decimal) -> Decimal:
    """Logarithmic mean with ``L(a, a) = a`` and ``L(a, 0) = L(0, b) = 0``."""
    with localcontext() as ctx:
        ctx.prec = PREC
        if a == b:
            return +a
        if a == 0 or b == 0:
            return Decimal(0)
        return (a - b) / (a.ln() - b.ln())


def lmdi(base: dict[str, Decimal], target: dict[str, Decimal]) -> tuple[dict[str, Decimal], Decimal]:
    """``(effects, total_change)``, exact to 60 digits."""
    with localcontext() as ctx:
        ctx.prec = PREC
        p0, g0, e0, c0 = (base[k] for k in VARIABLES)
        p1, g1, e1, c1 = (target[k] for k in VARIABLES)
        total = c1 - c0
        zero = Decimal(0)
        if c0 < 0 or c1 < 0:
            raise CalcError("invalid_value", "co2", "The Kaya decomposition needs non-negative CO2 on both sides.")
        if c0 == 0 or c1 == 0:
            effects = {"population": zero, "affluence": zero, "energy_intensity": zero, "carbon_intensity": total}
            return effects, total
        lp0, lg0, le0, lc0 = p0.ln(), g0.ln(), e0.ln(), c0.ln()
        lp1, lg1, le1, lc1 = p1.ln(), g1.ln(), e1.ln(), c1.ln()
        weight = log_mean(c1, c0)
        logs = {
            "population": lp1 - lp0,
            "affluence": (lg1 - lp1) - (lg0 - lp0),
            "energy_intensity": (le1 - lg1) - (le0 - lg0),
            "carbon_intensity": (lc1 - le1) - (lc0 - le0),
        }
        return {k: weight * x for k, x in logs.items()}, total


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "base", "target"))
    vals: list[dict[str, Decimal]] = []
    for side in ("base", "target"):
        d = v.obj(case[side], side)
        v.keys(d, side, VARIABLES)
        row: dict[str, Decimal] = {}
        for k in VARIABLES:
            p = f"{side}.{k}"
            if k == "co2":
                row[k] = v.number(d[k], p)
            else:
                row[k] = v.number(d[k], p, exclusive_minimum=True)
        vals.append(row)
    effects, total = lmdi(vals[0], vals[1])
    if not total.is_finite():  # pragma: no cover - inputs are finite
        raise CalcError("out_of_range", "", "The decomposition is not finite.")
    return {
        "effects": {k: float(effects[k]) for k in EFFECTS},
        "total_change": float(total),
        "method": fs.method("lmdi:additive LMDI-I, Kaya C=P*(G/P)*(E/G)*(C/E), weight L(C1,C0)"),
    }


SECTORAL_EFFECTS: Final = (
    "population",
    "affluence",
    "energy_intensity",
    "sector_structure",
    "fuel_mix",
    "emission_factor",
)


def lmdi_sectoral(base: dict[str, Any], target: dict[str, Any]) -> tuple[dict[str, Decimal], Decimal]:
    """LMDI-I over sectors and fuels: ``C = Σ_ij P · (G/P) · (E/G) · (E_i/E) · (E_ij/E_i) · (C_ij/E_ij)``.

    Each side is ``{"population", "gdp", "cells": {(sector, carrier): (energy, co2)}}`` (energy > 0 where co2
    > 0). Effects per cell are ``L(C1_ij, C0_ij) · ln(x1/x0)`` for the six factors, summed over cells; they add
    up to ``ΣC1 − ΣC0`` exactly (60 digits). A cell present on one side only, or with zero CO2 on one side, is
    the analytical limit of the small-value strategy: its whole change goes to the factor that is zero there
    (sector structure when the sector uses no energy, fuel mix when the sector does not use the fuel, else the
    emission factor).
    """
    with localcontext() as ctx:
        ctx.prec = PREC
        p0, p1 = Decimal(base["population"]), Decimal(target["population"])
        g0, g1 = Decimal(base["gdp"]), Decimal(target["gdp"])
        c0cells, c1cells = base["cells"], target["cells"]
        zero = Decimal(0)

        def totals(cells: dict[Any, tuple[Any, Any]]) -> tuple[Decimal, dict[Any, Decimal]]:
            e = sum((Decimal(v[0]) for v in cells.values()), zero)
            per: dict[Any, Decimal] = {}
            for (sector, _c), v in cells.items():
                per[sector] = per.get(sector, zero) + Decimal(v[0])
            return e, per

        e0, s0 = totals(c0cells)
        e1, s1 = totals(c1cells)
        if e0 <= 0 or e1 <= 0 or p0 <= 0 or p1 <= 0 or g0 <= 0 or g1 <= 0:
            raise CalcError("invalid_value", "", "Population, GDP and total energy must be positive on both sides.")
        effects = dict.fromkeys(SECTORAL_EFFECTS, zero)
        total = zero
        common = {
            "population": p1.ln() - p0.ln(),
            "affluence": (g1 / p1).ln() - (g0 / p0).ln(),
            "energy_intensity": (e1 / g1).ln() - (e0 / g0).ln(),
        }
        for key in set(c0cells) | set(c1cells):
            sector = key[0]
            en0, co0 = (Decimal(x) for x in c0cells.get(key, (0, 0)))
            en1, co1 = (Decimal(x) for x in c1cells.get(key, (0, 0)))
            if (co0 > 0 and en0 <= 0) or (co1 > 0 and en1 <= 0) or min(co0, co1, en0, en1) < 0:
                raise CalcError("invalid_value", f"cells.{key}", f"Cell {key}: CO2 needs positive energy.")
            total += co1 - co0
            if co0 == co1 == 0:
                continue
            if co0 == 0 or co1 == 0:
                side_sector = s0 if co0 == 0 else s1
                side_energy = en0 if co0 == 0 else en1
                if side_sector.get(sector, zero) == 0:
                    effects["sector_structure"] += co1 - co0
                elif side_energy == 0:
                    effects["fuel_mix"] += co1 - co0
                else:
                    effects["emission_factor"] += co1 - co0
                continue
            w = log_mean(co1, co0)
            for k, x in common.items():
                effects[k] += w * x
            effects["sector_structure"] += w * ((s1[sector] / e1).ln() - (s0[sector] / e0).ln())
            effects["fuel_mix"] += w * ((en1 / s1[sector]).ln() - (en0 / s0[sector]).ln())
            effects["emission_factor"] += w * ((co1 / en1).ln() - (co0 / en0).ln())
        return effects, total
