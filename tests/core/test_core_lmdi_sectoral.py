"""Sector-structure and fuel-mix LMDI (core.lmdi.lmdi_sectoral): exact sum, zero cells, a hand check."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core.errors import CalcError
from carbonpeak.core.lmdi import SECTORAL_EFFECTS, lmdi, lmdi_sectoral


def total_of(effects) -> Decimal:
    """Σ effects in the core's 60-digit context (the default 28 digits would round the sum itself)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return sum(effects.values(), Decimal(0))


def side(pop, gdp, cells):
    return {"population": pop, "gdp": gdp, "cells": cells}


def test_one_cell_reduces_to_the_kaya_decomposition():
    """With one sector and one fuel the structure and mix effects are zero and the rest equal the Kaya LMDI."""
    a = side(100, 1000, {("industry", "coal"): (500, 1000)})
    b = side(110, 1300, {("industry", "coal"): (550, 1050)})
    eff, total = lmdi_sectoral(a, b)
    kaya, ktotal = lmdi(
        {"population": Decimal(100), "gdp": Decimal(1000), "energy": Decimal(500), "co2": Decimal(1000)},
        {"population": Decimal(110), "gdp": Decimal(1300), "energy": Decimal(550), "co2": Decimal(1050)},
    )
    assert total == ktotal == 50
    assert eff["sector_structure"] == eff["fuel_mix"] == 0
    tol = Decimal("1e-50")
    for k in ("population", "affluence", "energy_intensity"):
        assert abs(eff[k] - kaya[k]) < tol
    assert abs(eff["emission_factor"] - kaya["carbon_intensity"]) < tol


def test_structure_shift_shows_as_structure():
    """Same total energy moves from a coal-heavy sector to a clean one: only structure (negative) moves."""
    a = side(1, 1, {("industry", "coal"): (80, 160), ("services", "coal"): (20, 20)})
    b = side(1, 1, {("industry", "coal"): (50, 100), ("services", "coal"): (50, 50)})
    eff, total = lmdi_sectoral(a, b)
    assert total == -30
    assert eff["sector_structure"] == pytest.approx(
        Decimal(-30), abs=Decimal("1e-20")
    )  # expected side in 28-digit context
    assert abs(eff["fuel_mix"]) < Decimal("1e-40") and abs(eff["emission_factor"]) < Decimal("1e-40")


def test_new_fuel_and_new_sector_take_the_analytical_limit():
    a = side(1, 1, {("industry", "coal"): (100, 200)})
    b = side(1, 1, {("industry", "coal"): (100, 200), ("industry", "gas"): (10, 15), ("transport", "diesel"): (5, 12)})
    eff, total = lmdi_sectoral(a, b)
    assert total == 27
    # the coal cell (200 t both years, weight L(200, 200) = 200) sees industry's fuel mix fall to 100/110, the
    # sector's share fall to 110/115 and energy per GDP rise to 115/100; the new cells add their whole CO2:
    # gas (new fuel in a sector that used energy) to fuel mix, transport (a sector new to energy) to structure
    ln = lambda x: Decimal(x).ln()  # noqa: E731
    assert eff["fuel_mix"] == pytest.approx(
        15 + 200 * ln(Decimal(100) / 110), abs=Decimal("1e-20")
    )  # expected side in 28-digit context
    assert eff["sector_structure"] == pytest.approx(
        12 + 200 * ln(Decimal(110) / 115), abs=Decimal("1e-20")
    )  # expected side in 28-digit context
    assert eff["energy_intensity"] == pytest.approx(
        200 * ln(Decimal("1.15")), abs=Decimal("1e-20")
    )  # expected side in 28-digit context
    assert eff["emission_factor"] == 0
    assert abs(total_of(eff) - total) < Decimal("1e-50")


def test_bad_cells_are_refused():
    with pytest.raises(CalcError):
        lmdi_sectoral(side(1, 1, {("a", "x"): (0, 5)}), side(1, 1, {("a", "x"): (1, 1)}))
    with pytest.raises(CalcError):
        lmdi_sectoral(side(0, 1, {("a", "x"): (1, 1)}), side(1, 1, {("a", "x"): (1, 1)}))


cell = st.tuples(
    st.decimals(min_value="0.001", max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
)
cells = st.dictionaries(
    st.tuples(st.sampled_from(["i", "t", "s", "h"]), st.sampled_from(["coal", "gas", "oil"])),
    cell,
    min_size=1,
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(cells, cells, st.integers(1, 10**6), st.integers(1, 10**6), st.integers(1, 10**7), st.integers(1, 10**7))
def test_effects_sum_exactly_to_the_change(c0, c1, p0, p1, g0, g1):
    eff, total = lmdi_sectoral(side(p0, g0, c0), side(p1, g1, c1))
    assert set(eff) == set(SECTORAL_EFFECTS)
    scale = max(1, sum(v[1] for v in c0.values()) + sum(v[1] for v in c1.values()))
    assert abs(total_of(eff) - total) <= Decimal("1e-50") * scale  # 60-digit arithmetic
    assert total == sum(v[1] for v in c1.values()) - sum(v[1] for v in c0.values())
