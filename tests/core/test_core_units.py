from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.core import units
from carbonpeak.core.errors import CalcError
from carbonpeak.core.units import UnitError, convert

DIMS: dict[str, list[str]] = {}
for _u, (_d, _) in units.QUANTITY_UNITS.items():
    DIMS.setdefault(_d, []).append(_u)


def test_contract_units_present():
    assert set(units.QUANTITY_UNITS) == {
        "t", "kg", "10k_t", "m3", "Nm3", "10k_m3", "10k_Nm3", "kWh", "MWh", "GWh", "MJ", "GJ", "TJ",
    }


@pytest.mark.parametrize(
    "value, a, b, want",
    [
        (1, "10k_t", "t", 10_000),
        (2500, "kg", "t", 2.5),
        (3, "10k_Nm3", "m3", 30_000),
        (1, "Nm3", "m3", 1),
        (5000, "MWh", "kWh", 5_000_000),
        (1, "GWh", "MWh", 1000),
        (1, "TJ", "GJ", 1000),
        (1, "GJ", "MJ", 1000),
    ],
)
def test_simple_conversions(value, a, b, want):
    assert convert(float(value), a, b) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize(
    "value, a, b, want",
    [
        (Decimal("0.7143"), "kgce/kg", "tce/t", Decimal("0.7143")),
        (Decimal("1.33"), "kgce/m3", "tce/10k_Nm3", Decimal("13.3")),
        (Decimal("389.31"), "GJ/1e4Nm3", "GJ/m3", Decimal("0.038931")),
        (Decimal("94600"), "kgCO2/TJ", "tCO2/TJ", Decimal("94.6")),
        (Decimal("15.3"), "kgC/GJ", "tC/TJ", Decimal("15.3")),
        (Decimal("0.49"), "kgCO2/kWh", "tCO2/MWh", Decimal("0.49")),
        (Decimal("0.11"), "tCO2/GJ", "tCO2/TJ", Decimal("110")),
        (Decimal("25.8"), "TJ/Gg (=GJ/t)", "GJ/t", Decimal("25.8")),
        (Decimal("0.1229"), "kgce/kWh", "tce/MWh", Decimal("0.1229")),
        (Decimal("0.03412"), "kgce/MJ", "tce/GJ", Decimal("0.03412")),
    ],
)
def test_compound_conversions_exact(value, a, b, want):
    got = convert(value, a, b)
    assert isinstance(got, Decimal)
    assert got == want


@pytest.mark.parametrize(
    "a, b",
    [("t", "m3"), ("kWh", "GJ"), ("kgCO2/kWh", "tCO2/t"), ("tC/TJ", "tCO2/TJ"), ("kgce/kg", "GJ/t")],
)
def test_incompatible_units_raise_typed_error(a, b):
    with pytest.raises(UnitError) as e:
        convert(1.0, a, b)
    assert isinstance(e.value, CalcError)
    assert e.value.code == "unit_mismatch"


@pytest.mark.parametrize("u", ["litre", "tonnes", "kgCH4", "kWh/t/s", ""])
def test_unknown_units(u):
    with pytest.raises(UnitError) as e:
        convert(1.0, u, "t")
    assert e.value.code == "unknown_unit"


def test_c_to_co2_is_44_over_12(fs):
    assert units.C_TO_CO2 == 44 / 12
    assert units.C_TO_CO2_EXACT == Fraction(11, 3)
    assert float(fs.value("const.c_to_co2")) == units.C_TO_CO2


@given(
    st.sampled_from(sorted(DIMS)).flatmap(lambda d: st.tuples(st.sampled_from(DIMS[d]), st.sampled_from(DIMS[d]))),
    st.one_of(st.just(0.0), st.floats(min_value=1e-290, max_value=1e30)),  # normal floats (no subnormals)
)
def test_round_trip_float(pair, x):
    a, b = pair
    back = convert(convert(x, a, b), b, a)
    assert back == pytest.approx(x, rel=1e-15, abs=0)


@given(
    st.sampled_from(sorted(DIMS)).flatmap(lambda d: st.tuples(st.sampled_from(DIMS[d]), st.sampled_from(DIMS[d]))),
    st.decimals(min_value=0, max_value=Decimal("1e15"), places=6, allow_nan=False, allow_infinity=False),
)
def test_round_trip_decimal_exact(pair, x):
    a, b = pair
    assert convert(convert(x, a, b), b, a) == x


@given(st.sampled_from(sorted(DIMS)).flatmap(lambda d: st.tuples(*(st.sampled_from(DIMS[d]),) * 3)))
def test_conversion_factors_compose(triple):
    a, b, c = triple
    assert units.factor_between(a, b) * units.factor_between(b, c) == units.factor_between(a, c)
