"""Peak scenarios (carbonpeak.core.scenario): hand-worked paths, the project pipeline, zero variance, plateau."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core import scenario as sc
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import load_builtin

MWH_PER_TCE = sc.mwh_per_tce(float(load_builtin().value("const.kgce_kJ")))


def one_sector(**kw) -> sc.ScenarioInput:
    base = dict(
        base_year=2024,
        end_year=2026,
        target_peak_year=2030,
        sectors=(sc.SectorBase("industry", fuel_tce=1000, direct_co2_t=2000, electricity_mwh=1000),),
        drivers={"industry": sc.Drivers(activity_growth=sc.Range(0.10))},
        base_nonfossil_mwh=0,
        loss_share=0.1,
        grid_ef_t_per_mwh=0.5,
        draws=200,
        mwh_per_tce=MWH_PER_TCE,
    )
    base.update(kw)
    return sc.ScenarioInput(**base)


def test_mwh_per_tce_from_the_library():
    # 29 307.6 kJ/kgce × 1000 kgce/t / 3 600 000 kJ/MWh
    assert MWH_PER_TCE == pytest.approx(8.141, rel=1e-12)


def test_hand_worked_path():
    """Year 1: fuel 1000 × 1.1 = 1100 tce at 2 t/tce → 2200 t; electricity 1000 × 1.1 = 1100 MWh, × 1.1 for
    losses = 1210 MWh imported at 0.5 t/MWh = 605 t; total 2805 t. Year 2: 2420 + 1331 × 0.5 = 3085.5 t."""
    d = sc.deterministic(one_sector())
    assert d["years"] == [2024, 2025, 2026]
    assert d["sectors"]["industry"] == pytest.approx([2000, 2200, 2420])
    assert d["electricity_co2_t"] == pytest.approx([550, 605, 665.5])
    assert d["total_co2_t"] == pytest.approx([2550, 2805, 3085.5])


def test_projects_add_local_supply_from_their_commissioning_year():
    """A 0.5 MW plant at 1000 full-load hours = 500 MWh from 2025: import 1210 − 500 = 710 MWh → 355 t."""
    inp = one_sector(additions=(sc.Addition("P1", 2025, mwh=500, capacity_mw=0.5),), base_capacity_mw=10)
    d = sc.deterministic(inp)
    assert d["local_nonfossil_mwh"] == [0, 500, 500]
    assert d["electricity_co2_t"] == pytest.approx([550, 355, 415.5])
    assert d["new_energy_capacity_mw"] == [10, 10.5, 10.5]
    # delayed by a year: nothing in 2025
    late = sc.deterministic(one_sector(additions=(sc.Addition("P1", 2026, mwh=500, capacity_mw=0.5),)))
    assert late["electricity_co2_t"][1] == pytest.approx(605)


def test_electrification_moves_fuel_to_power_and_gas_switch_cuts_carbon():
    """k = 0.1 with no growth: fuel 1000 → 900 tce; electricity + 100 tce × 8.141 MWh/tce × ratio 0.5."""
    inp = one_sector(
        drivers={"industry": sc.Drivers(electrification=0.1)},
        electrification_ratio=0.5,
        additions=(sc.Addition("GAS", 2025, gas_switch=0.2, sectors=("industry",)),),
    )
    d = sc.deterministic(inp)
    assert d["sectors"]["industry"][1] == pytest.approx(900 * 2 * 0.8)
    assert d["electricity_demand_mwh"][1] == pytest.approx((1000 + 100 * MWH_PER_TCE * 0.5) * 1.1)


def test_indicators_on_the_coal_equivalent_basis():
    inp = one_sector(coal_equivalent_kgce_per_kwh=0.3, gdp_10k_yuan=10000, base_nonfossil_mwh=100)
    d = sc.deterministic(inp)
    # energy = fuel + demand × 0.3 tce/MWh; non-fossil = local 100 MWh × 0.3 tce/MWh
    assert d["energy_tce"][0] == pytest.approx(1000 + 1100 * 0.3)
    assert d["nonfossil_share"][0] == pytest.approx(30 / 1330)
    assert d["energy_intensity_tce_per_10k_yuan"][0] == pytest.approx(0.133)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(min_value=-0.05, max_value=0.08),
    st.floats(min_value=0, max_value=0.06),
    st.floats(min_value=0, max_value=0.05),
)
def test_zero_variance_reproduces_the_deterministic_path(a, e, grid):
    inp = one_sector(
        end_year=2040,
        drivers={"industry": sc.Drivers(activity_growth=sc.Range(a), intensity_improvement=sc.Range(e))},
        grid_decline=grid,
        draws=50,
    )
    r = sc.run(inp)
    det = r["deterministic"]["total_co2_t"]
    assert r["total_mean_tco2"] == pytest.approx(det, rel=1e-9)
    assert r["total_p10_tco2"] == pytest.approx(det, rel=1e-9)
    assert r["total_p90_tco2"] == pytest.approx(det, rel=1e-9)


def test_uncertainty_spreads_the_fan_and_the_same_seed_repeats():
    drivers = {"industry": sc.Drivers(activity_growth=sc.Range(0.0, -0.04, 0.04), intensity_improvement=sc.Range(0.02))}
    inp = one_sector(end_year=2040, drivers=drivers, draws=2000, seed=7)
    r1, r2 = sc.run(inp), sc.run(inp)
    assert r1 == r2
    assert all(
        lo <= m <= hi
        for lo, m, hi in zip(r1["total_p10_tco2"][1:], r1["total_mean_tco2"][1:], r1["total_p90_tco2"][1:], strict=True)
    )
    assert r1["total_p90_tco2"][-1] > r1["total_p10_tco2"][-1] * 1.1
    assert 0 < r1["p_peak_by_target"] < 1
    seen = []
    sc.run(inp, progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_plateau_test():
    years = list(range(2020, 2032))
    flat = [100, 104, 105, 104.5, 104, 103.5, 103.2, 100, 95, 90, 85, 80]
    p = sc.plateau(years, flat)
    assert (p["peak_year"], p["years_near_peak"], p["is_plateau"]) == (2022, 5, True)
    sharp = [100, 104, 105, 100, 95, 90, 85, 80, 75, 70, 65, 60]
    assert sc.plateau(years, sharp)["is_plateau"] is False


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"drivers": {"industry": sc.Drivers(activity_growth=sc.Range(5.0))}}, "drivers.industry.activity_growth"),
        ({"drivers": {"industry": sc.Drivers(electrification=1.5)}}, "drivers.industry.electrification"),
        ({"grid_decline": 1.2}, "grid_decline"),
        ({"draws": 0}, "draws"),
        ({"end_year": 2024}, "end_year"),
    ],
)
def test_bad_inputs_name_the_field(kw, field):
    with pytest.raises(CalcError) as exc:
        sc.run(one_sector(**kw))
    assert exc.value.field == field


def test_every_driver_and_the_grid_path_carry_their_range_into_the_fan():
    """Electrification, fuel switching and the grid factor's decline each widen the fan on their own."""
    plain = sc.run(one_sector(end_year=2040, draws=500))
    width0 = plain["total_p90_tco2"][-1] - plain["total_p10_tco2"][-1]
    assert width0 == pytest.approx(0, abs=1e-6)
    for kw in (
        {"drivers": {"industry": sc.Drivers(electrification=sc.Range(0.02, 0.0, 0.04))}},
        {"drivers": {"industry": sc.Drivers(fuel_switch=sc.Range(0.01, 0.0, 0.02))}},
        {"grid_decline": sc.Range(0.02, 0.01, 0.03)},
    ):
        r = sc.run(one_sector(end_year=2040, draws=500, **kw))
        assert r["total_p90_tco2"][-1] - r["total_p10_tco2"][-1] > 0.01 * r["total_mean_tco2"][-1], kw
    # the sd of a range is its p10-p90 span over 2 × 1.2816
    assert sc.Range(0.02, 0.0, 0.04).sd == pytest.approx(0.04 / 2.5631031310892007, rel=1e-12)
