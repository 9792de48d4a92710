from __future__ import annotations

import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carbonpeak.core import lmdi as lmdi_mod
from carbonpeak.core.dispatch import CALCS, parse_case, register, run_case


def err(result):
    assert "error" in result, result
    return result["error"]["code"], result["error"]["field"]


# --- dispatch -------------------------------------------------------------------------------------------------
def test_registry_names():
    assert set(CALCS) >= {
        "inventory", "gwp", "intensity_reduction", "required_annual_reduction", "nonfossil_share", "forest_sink",
        "carbon_efficiency", "inclusion", "lmdi", "peak", "projection",
    }


def test_register_plugs_in(monkeypatch):
    monkeypatch.setattr("carbonpeak.core.dispatch.CALCS", dict(CALCS))
    register("echo", lambda case, fs: {"n": float(case["n"]), "method": fs.method("echo")})
    assert run_case(parse_case('{"calc": "echo", "n": 1.5}'))["n"] == 1.5
    with pytest.raises(ValueError):
        register("echo", lambda case, fs: {})


@pytest.mark.parametrize(
    "case, code, field",
    [
        ([], "wrong_type", ""),
        ({}, "missing_key", "calc"),
        ({"calc": 3}, "wrong_type", "calc"),
        ({"calc": "nope"}, "unknown_calc", "calc"),
    ],
)
def test_dispatch_errors(case, code, field):
    assert err(run_case(case)) == (code, field)


# --- gwp --------------------------------------------------------------------------------------------------------
def test_gwp_sets_and_co2():
    r = run_case({"calc": "gwp", "gwp_set": "AR4", "gases_t": {"CO2": 5, "CH4": 1, "HFC-134a": 0.01}})
    assert r["co2e_t"] == pytest.approx(5 + 25 + 14.3)
    assert r["by_gas_co2e_t"]["CO2"] == 5


@pytest.mark.parametrize(
    "case, code, field",
    [
        ({"gwp_set": "ar5", "gases_t": {"CH4": 1}}, "invalid_value", "gwp_set"),
        ({"gwp_set": "AR5", "gases_t": {"CH4": 1, "ch4": 1}}, "duplicate", "gases_t.ch4"),
        ({"gwp_set": "AR5", "gases_t": {"CH4": -1}}, "negative", "gases_t.CH4"),
        ({"gwp_set": "AR5", "gases_t": {"XYZ": 1}}, "unknown_gas", "gases_t.XYZ"),
        ({"gwp_set": "AR5", "gases_t": []}, "wrong_type", "gases_t"),
        ({"gwp_set": "AR5"}, "missing_key", "gases_t"),
    ],
)
def test_gwp_errors(case, code, field):
    assert err(run_case({"calc": "gwp", **case})) == (code, field)


# --- intensity ----------------------------------------------------------------------------------------------------
def test_intensity_reduction_half_up_rounding():
    # 0.0825 and 0.0615 are exactly half-way at 3 dp: half-up gives 0.083 and 0.062 (float round() would not)
    r = run_case(parse_case('{"calc": "intensity_reduction", "energy_tce": [825, 615], "gdp_10k_yuan": [10000, 10000],'
                            ' "round_intensity_dp": 3}'))
    assert r["intensity_tce_per_10k_yuan"] == [0.083, 0.062]
    assert r["reduction"] == pytest.approx(1 - 0.062 / 0.083, rel=1e-15)
    r = run_case({"calc": "intensity_reduction", "energy_tce": [825, 615], "gdp_10k_yuan": [10000, 10000]})
    assert r["reduction"] == pytest.approx(1 - 615 / 825, rel=1e-15)


@given(st.floats(min_value=-5, max_value=0.999), st.integers(min_value=1, max_value=50))
def test_required_annual_reduction_compounds_back(total, years):
    r = run_case({"calc": "required_annual_reduction", "total_reduction": total, "years": years})
    a = r["annual_reduction"]
    assert 1 - (1 - a) ** years == pytest.approx(total, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "case, code, field",
    [
        ({"calc": "required_annual_reduction", "total_reduction": 1, "years": 5}, "out_of_range", "total_reduction"),
        ({"calc": "required_annual_reduction", "total_reduction": 13.5, "years": 5}, "out_of_range", "total_reduction"),
        ({"calc": "required_annual_reduction", "total_reduction": 0.1, "years": 0}, "out_of_range", "years"),
        ({"calc": "intensity_reduction", "energy_tce": [1], "gdp_10k_yuan": [1, 1]}, "invalid_value", "energy_tce"),
        ({"calc": "intensity_reduction", "energy_tce": [1, 1], "gdp_10k_yuan": [1, 0]}, "out_of_range",
         "gdp_10k_yuan[1]"),
        ({"calc": "intensity_reduction", "energy_tce": [0, 1], "gdp_10k_yuan": [1, 1]}, "invalid_value",
         "energy_tce[0]"),
        ({"calc": "intensity_reduction", "energy_tce": [1, 1], "gdp_10k_yuan": [1, 1], "round_intensity_dp": 1.5},
         "wrong_type", "round_intensity_dp"),
    ],
)
def test_intensity_errors(case, code, field):
    assert err(run_case(case)) == (code, field)


# --- non-fossil -------------------------------------------------------------------------------------------------
def test_nonfossil_methods_ratio():
    base = {"calc": "nonfossil_share", "fossil_tce": 700000, "nonfossil_electricity_kwh": 2e8}
    ce = run_case({**base, "method": "coal_equivalent", "coal_equivalent_kgce_per_kwh": 0.3})
    cal = run_case({**base, "method": "calorific"})
    assert ce["nonfossil_tce"] / cal["nonfossil_tce"] == pytest.approx(0.3 / 0.1229)
    other = run_case({**base, "method": "calorific", "nonfossil_other_tce": 1000})
    assert other["nonfossil_tce"] == pytest.approx(cal["nonfossil_tce"] + 1000)
    assert err(run_case({**base, "method": "calorific", "coal_equivalent_kgce_per_kwh": 0.3})) == (
        "conflict", "coal_equivalent_kgce_per_kwh")
    assert err(run_case({**base, "fossil_tce": 0, "nonfossil_electricity_kwh": 0, "method": "calorific"}))[0] == (
        "invalid_value")


# --- forest -------------------------------------------------------------------------------------------------------
FOREST = {"wood_density_t_per_m3": 0.38, "bef": 1.472, "root_shoot_ratio": 0.187, "carbon_fraction": 0.46}


def test_forest_stock_difference_negative_is_a_source():
    r = run_case({"calc": "forest_sink", "method": "stock_difference", "volume_m3": [1000, 900], "years": [2020, 2022],
                  **FOREST})
    f = 0.38 * 1.472 * 1.187 * 0.46
    assert r["carbon_factor_tc_per_m3"] == pytest.approx(f)
    assert r["sink_tco2_per_year"] == pytest.approx(-100 * f / 2 * 44 / 12)


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"method": "stock_difference", "volume_m3": [1, 2], "years": [2020, 2020]}, "invalid_value", "years[1]"),
        ({"method": "stock_difference", "volume_m3": [1, 2], "years": [2020, 2021], "growth_rate": 0.1},
         "unknown_key", "growth_rate"),
        ({"method": "gain_loss", "volume_m3": 1, "growth_rate": 5, "harvest_m3": 0}, "out_of_range", "growth_rate"),
        ({"method": "gain_loss", "volume_m3": 1, "harvest_m3": 0}, "missing_key", "growth_rate"),
        ({"method": "inventory_diff", "volume_m3": 1}, "invalid_value", "method"),
    ],
)
def test_forest_errors(extra, code, field):
    assert err(run_case({"calc": "forest_sink", **FOREST, **extra})) == (code, field)


def test_forest_carbon_fraction_is_a_fraction():
    case = {"calc": "forest_sink", "method": "gain_loss", "volume_m3": 1, "growth_rate": 0.1, "harvest_m3": 0,
            **FOREST, "carbon_fraction": 47}
    assert err(run_case(case)) == ("out_of_range", "carbon_fraction")


# --- carbon efficiency ------------------------------------------------------------------------------------------
BOUNDS = [Decimal("0.6"), Decimal("0.8"), Decimal("1.2"), Decimal("2.0")]


def _grade_of(k: Decimal) -> int:
    for i, b in enumerate(BOUNDS, start=1):
        if k <= b:
            return i
    return 5


@settings(max_examples=200)
@given(
    st.sampled_from(BOUNDS),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("10"), places=1),
    st.sampled_from([Decimal(0), Decimal("1e-9"), Decimal("-1e-9")]),
)
def test_ceff_exact_on_and_around_bounds(bound, va, ind, eps):
    """emissions chosen so that k is exactly bound (+/- a hair): decimal grading is exact, floats are not."""
    e = (bound + eps) * va * ind
    assume(e >= 0)
    text = (f'{{"calc": "carbon_efficiency", "emissions_tco2": {e}, "value_added_10k_yuan": {va},'
            f' "industry_intensity_tco2_per_10k_yuan": {ind}}}')
    r = run_case(parse_case(text))
    assert r["grade"] == _grade_of(bound + eps)
    assert isinstance(r["grade"], int)
    assert r["k"] == pytest.approx(float(bound + eps), rel=1e-12)


@given(st.decimals(min_value=0, max_value=Decimal("100"), places=4))
def test_ceff_grade_monotone_in_emissions(e):
    text = (f'{{"calc": "carbon_efficiency", "emissions_tco2": {e}, "value_added_10k_yuan": 1,'
            ' "industry_intensity_tco2_per_10k_yuan": 1}')
    r = run_case(parse_case(text))
    assert r["grade"] == _grade_of(e)
    assert r["level"] == ("low" if e <= Decimal("0.6") else "medium" if e <= 2 else "high")


def test_ceff_errors():
    base = {"calc": "carbon_efficiency", "emissions_tco2": 1, "value_added_10k_yuan": 1,
            "industry_intensity_tco2_per_10k_yuan": 1}
    assert err(run_case({**base, "value_added_10k_yuan": 0})) == ("out_of_range", "value_added_10k_yuan")
    assert err(run_case({**base, "emissions_tco2": "1"})) == ("wrong_type", "emissions_tco2")
    assert err(run_case({**base, "emissions_tco2": float("nan")})) == ("not_finite", "emissions_tco2")
    assert err(run_case({**base, "grade": 1})) == ("unknown_key", "grade")


# --- inclusion --------------------------------------------------------------------------------------------------
M = [{"code": "bus", "kind": "per_event", "gco2_per_event": 52},
     {"code": "steps", "kind": "per_unit", "gco2_per_unit": 0.02},
     {"code": "km", "kind": "distance", "baseline_kgco2_per_km": 0.15, "mode_kgco2_per_km": 0.0}]

event_st = st.tuples(
    st.sampled_from(["r1", "r2", "r3", "r4", "r5", "r6"]),
    st.sampled_from(["bus", "steps", "km"]),
    st.integers(min_value=0, max_value=20000),
    st.sampled_from(["2026-01-01", "2026-01-02", "2026-01-03"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(event_st, max_size=30), st.one_of(st.none(), st.integers(min_value=0, max_value=500)))
def test_inclusion_properties(evs, cap):
    events = [{"ref": r, "methodology": m, "quantity": q, "date": d} for r, m, q, d in evs]
    case = {"calc": "inclusion", "points_per_gco2": 1, "methodologies": M, "events": events}
    if cap is not None:
        case["daily_cap_points"] = cap
    r = run_case(parse_case(__import__("json").dumps(case)))
    first = {}
    for e in events:
        first.setdefault(e["ref"], e)
    assert r["duplicates_ignored"] == len(events) - len(first)
    assert r["points"] == sum(r["by_methodology"].values())
    assert all(isinstance(x, int) for x in r["by_methodology"].values())
    # recompute exactly, independently
    g = {"bus": Decimal(52), "steps": Decimal("0.02"), "km": Decimal("150")}
    per_day: dict[str, int] = {}
    total_pts = 0
    red = Decimal(0)
    for e in first.values():
        x = g[e["methodology"]] * e["quantity"]
        red += x
        pts = math.floor(x)
        if cap is not None:
            pts = min(pts, cap - per_day.get(e["date"], 0))
        per_day[e["date"]] = per_day.get(e["date"], 0) + pts
        total_pts += pts
    assert r["points"] == total_pts
    assert r["reduction_gco2"] == pytest.approx(float(red), rel=1e-15)
    if cap is not None:
        assert all(v <= cap for v in per_day.values())


def test_inclusion_floor_per_event_not_per_sum():
    events = [{"ref": f"s{i}", "methodology": "steps", "quantity": 99, "date": "2026-01-01"} for i in range(3)]
    r = run_case(parse_case(__import__("json").dumps(
        {"calc": "inclusion", "points_per_gco2": 1, "methodologies": M, "events": events})))
    assert r["points"] == 3  # 1.98 -> 1 each, not floor(5.94) = 5
    assert r["reduction_gco2"] == pytest.approx(5.94)


@pytest.mark.parametrize(
    "patch, code, field",
    [
        ({"methodologies": [{"code": "x", "kind": "per_km"}]}, "unknown_methodology_kind", "methodologies[0].kind"),
        ({"methodologies": [M[0], M[0]]}, "duplicate", "methodologies[1].code"),
        ({"methodologies": [{"code": "x", "kind": "distance", "baseline_kgco2_per_km": 0.1,
                             "mode_kgco2_per_km": 0.2}]}, "invalid_value", "methodologies[0].mode_kgco2_per_km"),
        ({"methodologies": [{"code": "x", "kind": "per_event", "gco2_per_unit": 1}]}, "unknown_key",
         "methodologies[0].gco2_per_unit"),
        ({"events": [{"ref": "a", "methodology": "bus", "quantity": 1.5, "date": "2026-01-01"}]}, "invalid_value",
         "events[0].quantity"),
        ({"events": [{"ref": "a", "methodology": "bus", "quantity": 1, "date": "2026-02-30"}]}, "invalid_value",
         "events[0].date"),
        ({"events": [{"ref": "a", "methodology": "bus", "quantity": 1, "date": "20260101"}]}, "invalid_value",
         "events[0].date"),
        ({"daily_cap_points": 10.5}, "invalid_value", "daily_cap_points"),
    ],
)
def test_inclusion_errors(patch, code, field):
    case = {"calc": "inclusion", "points_per_gco2": 1, "methodologies": M,
            "events": [{"ref": "a", "methodology": "bus", "quantity": 1, "date": "2026-01-01"}], **patch}
    assert err(run_case(case)) == (code, field)


# --- lmdi ---------------------------------------------------------------------------------------------------------
pos = st.floats(min_value=1e-3, max_value=1e6)
kaya = st.fixed_dictionaries({"population": pos, "gdp": pos, "energy": pos, "co2": pos})


@settings(max_examples=300)
@given(kaya, kaya)
def test_lmdi_effects_sum_to_total(base, target):
    r = run_case({"calc": "lmdi", "base": base, "target": target})
    eff = list(r["effects"].values())
    total = r["total_change"]
    assert total == float(Decimal(repr(target["co2"])) - Decimal(repr(base["co2"])))  # exact difference, rounded once
    scale = math.fsum(abs(x) for x in eff)
    assert abs(math.fsum(eff) - total) <= 1e-9 * abs(total) + 4e-16 * scale


@settings(max_examples=100)
@given(kaya, kaya)
def test_lmdi_decimal_effects_exact(base, target):
    b = {k: Decimal(repr(x)) for k, x in base.items()}
    t = {k: Decimal(repr(x)) for k, x in target.items()}
    eff, total = lmdi_mod.lmdi(b, t)
    with localcontext() as ctx:
        ctx.prec = 80
        s = sum(eff.values(), Decimal(0))
    assert abs(s - total) <= Decimal("1e-40") * max(abs(x) for x in eff.values())


def test_log_mean():
    L = lmdi_mod.log_mean
    assert L(Decimal(5), Decimal(5)) == 5
    assert L(Decimal(0), Decimal(5)) == 0
    assert float(L(Decimal(2), Decimal(1))) == pytest.approx(1 / math.log(2))
    a, b = Decimal("1.000000000001"), Decimal(1)
    assert float(L(a, b)) == pytest.approx(1.0000000000005, rel=1e-15)


def test_lmdi_single_factor_change():
    base = {"population": 10, "gdp": 100, "energy": 50, "co2": 100}
    target = {"population": 12, "gdp": 120, "energy": 60, "co2": 120}  # only population grew
    r = run_case({"calc": "lmdi", "base": base, "target": target})
    assert r["effects"]["population"] == pytest.approx(20, rel=1e-14)
    for k in ("affluence", "energy_intensity", "carbon_intensity"):
        assert abs(r["effects"][k]) < 1e-12


def test_lmdi_contract_example_values():
    r = run_case({"calc": "lmdi", "base": {"population": 49.18, "gdp": 224.3, "energy": 80.0, "co2": 166.0},
                  "target": {"population": 48.02, "gdp": 260.0, "energy": 82.0, "co2": 168.0}})
    assert math.fsum(r["effects"].values()) == pytest.approx(2.0, rel=1e-14)


# --- peak ---------------------------------------------------------------------------------------------------------
@given(st.dictionaries(st.integers(min_value=1990, max_value=2060), st.integers(min_value=0, max_value=5),
                       min_size=2, max_size=40))
def test_peak_first_highest(series):
    series[min(series)] += 1  # cagr needs a positive first value
    r = run_case({"calc": "peak", "series": {str(y): x for y, x in series.items()}})
    top = max(series.values())
    assert r["peak_year"] == min(y for y, x in series.items() if x == top)
    assert r["peak_value"] == top


@pytest.mark.parametrize(
    "series, code, field",
    [
        ({"2020": 1}, "invalid_value", "series"),
        ({"2020": 1, "20x1": 2}, "invalid_value", "series.20x1"),
        ({"2020": 1, "2021": -2}, "negative", "series.2021"),
        ({"2020": 0, "2021": 2}, "invalid_value", "series.2020"),
        ({"2020": 1, "2021": "2"}, "wrong_type", "series.2021"),
    ],
)
def test_peak_errors(series, code, field):
    assert err(run_case({"calc": "peak", "series": series})) == (code, field)
