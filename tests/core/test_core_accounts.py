"""County accounts (carbonpeak.core.accounts): a worked example by hand, line checks and invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core import accounts
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import load_builtin

FS = load_builtin()
L = accounts.Line


def example_lines() -> list[accounts.Line]:
    return [
        L("A", "industry.C30", "raw_coal", "final", "t", Decimal(10000)),
        L("B", "industry.C30", "electricity", "final", "MWh", Decimal(1000)),
        L("C", "households.urban", "natural_gas", "final", "10k_m3", Decimal(100)),
        L("D", "industry.C26", "natural_gas", "final", "10k_m3", Decimal(50), purpose="feedstock"),
        L("E", "energy.D44", "electricity", "production", "MWh", Decimal(200), purpose="new_renewable"),
        L("F", "energy.D44", "electricity", "loss", "MWh", Decimal(50)),
        L("G", "energy.supply", "electricity", "inflow", "MWh", Decimal(850)),
        L("H", "agriculture.A", "diesel", "final", "t", None, "NE"),
    ]


PARAMS = accounts.Params(
    year=2022,
    grid="prov.hunan",
    coal_equivalent_kgce_per_kwh=Decimal("0.3"),
    gdp_10k_yuan=Decimal(100000),
    population=10000,
    sink_tco2=Decimal(1000),
)


def test_worked_example_by_hand():
    """Source: the shipped factor file (provincial guideline parameters with GB/T 2589 NCVs and coefficients,
    MEE/NBS 2024 No. 33 Hunan 2022 grid factor 0.4900 kgCO2/kWh). Arithmetic:

    - raw coal 10 000 t: 10 000 × 20.908 GJ/t / 1000 × 26.37 tC/TJ × 0.94 × 44/12 = 19 002.988488 tCO2
      (trap 6 of the reference: "10 000 t raw coal gives 19 003 tCO2"); 10 000 t × 0.7143 = 7 143 tce
    - natural gas 100 × 10⁴ m³ (households): 100 × 389.31 / 1000 TJ × 15.3 × 0.99 × 44/12 = 2 162.188809 t;
      1 000 000 m³ × 1.33 kgce/m³ = 1 330 tce
    - natural gas 50 × 10⁴ m³ as feedstock: no combustion CO2, 665 tce
    - electricity 1 000 MWh final: scope 2 = 1 000 × 0.49 = 490 t; 122.9 tce (0.1229) or 300 tce (0.3)
    - balance: net electricity inflow = 1 000 final + 50 loss − 200 production = 850 MWh → 416.5 t
    - territorial = 19 002.988488 + 2 162.188809 + 416.5 = 21 581.677297 t; net = − 1 000 sink
    - energy (calorific) = 7 143 + 122.9 + 1 330 + 665 + 50 MWh × 0.1229 = 9 267.045 tce;
      (coal-equivalent) = 7 143 + 300 + 1 330 + 665 + 15 = 9 453 tce
    - non-fossil: 200 MWh local new renewable → 24.58 tce / 9 267.045 (calorific) and 60 / 9 453 (发电煤耗法)
    """
    r = accounts.compute(example_lines(), PARAMS, FS)
    co2 = r["co2"]
    assert co2["direct_co2_t"] == pytest.approx(19002.988488 + 2162.188809, rel=1e-12)
    assert co2["indirect_co2_t"] == pytest.approx(490, rel=1e-12)
    assert co2["net_electricity_inflow_mwh"] == pytest.approx(850, rel=1e-12)
    assert co2["territorial_co2_t"] == pytest.approx(21581.677297, rel=1e-12)
    assert co2["net_co2_t"] == pytest.approx(20581.677297, rel=1e-12)
    assert co2["grid_factor_key"] == "grid.prov.hunan.2022"
    cal, ceq = r["energy"]["calorific"], r["energy"]["coal_equivalent"]
    assert cal["total_tce"] == pytest.approx(9267.045, rel=1e-12)
    assert ceq["total_tce"] == pytest.approx(9453, rel=1e-12)
    assert cal["nonfossil_share"] == pytest.approx(24.58 / 9267.045, rel=1e-12)
    assert ceq["nonfossil_share"] == pytest.approx(60 / 9453, rel=1e-12)
    # the three dual-control variants
    assert ceq["dual_control_excl_feedstock_tce"] == pytest.approx(9453 - 665, rel=1e-12)
    assert ceq["dual_control_excl_new_renewable_tce"] == pytest.approx(9453 - 60, rel=1e-12)
    # intensities per 10k yuan of GDP at constant prices
    assert ceq["energy_intensity_tce_per_10k_yuan"] == pytest.approx(0.09453, rel=1e-12)
    assert r["indicators"]["co2_intensity_t_per_10k_yuan"] == pytest.approx(0.21581677297, rel=1e-12)
    # the feedstock line is counted in energy and not in CO2
    feed = next(x for x in r["lines"] if x["id"] == "D")
    assert feed["scope"] == "none" and feed["co2_t"] == 0 and feed["energy_tce"]["calorific"] == pytest.approx(665)
    # a notation key is not a zero line: it is listed, and it keeps agriculture from being "missing"
    assert r["notation"] == [
        {"id": "H", "sector": "agriculture.A", "carrier": "diesel", "flow": "final", "notation": "NE"}
    ]
    codes = {c["code"] for c in r["checks"]}
    assert "sector_missing" in codes  # construction, transport, services have neither data nor a key
    assert not any(c["field"] == "by_group.agriculture" for c in r["checks"])
    assert "balance_difference" in codes  # the fuels have no supply rows
    assert set(r["bases"]) == {"calorific", "coal_equivalent"}
    assert r["factor_set_version"] == FS.version and FS.version in r["co2"]["method"]


def test_energy_balance_identity_and_table():
    r = accounts.compute(example_lines(), PARAMS, FS)
    for b in r["bases"]:
        e = r["energy"][b]
        t = r["balance"]["tce"][b]
        assert e["total_tce"] == pytest.approx(
            t["final"] + t["transformation_input"] - t["transformation_output"] + t["loss"]
        )
        assert t["supply"] == pytest.approx(t["production"] + t["inflow"] - t["outflow"])
        assert t["final"] == pytest.approx(sum(t[f"final.{g}"] for g in accounts.GROUPS))
    elec = next(row for row in r["balance"]["rows"] if row["carrier"] == "electricity")
    assert elec["unit"] == "MWh"
    v = elec["values"]
    assert (v["production"], v["inflow"], v["loss"], v["final"], v["final.industry"]) == (200, 850, 50, 1000, 1000)
    assert v["supply"] == v["final"] + v["loss"]  # this carrier balances exactly


def test_local_thermal_power_is_not_counted_twice():
    """Coal burnt in a county power plant is direct; the power it makes is not imported (no second count)."""
    lines = [
        L("coal", "energy.D44", "raw_coal", "transformation_input", "t", Decimal(1000)),
        L("made", "energy.D44", "electricity", "transformation_output", "MWh", Decimal(2000)),
        L("use", "industry.C30", "electricity", "final", "MWh", Decimal(2000)),
    ]
    r = accounts.compute(lines, accounts.Params(year=2022, grid="prov.hunan"), FS)
    assert r["co2"]["net_electricity_inflow_mwh"] == 0
    assert r["co2"]["territorial_co2_t"] == pytest.approx(r["co2"]["direct_co2_t"])
    assert r["co2"]["direct_co2_t"] == pytest.approx(1900.2988488, rel=1e-12)
    # scope 1+2 counts both, as it should for a consumer view
    assert r["co2"]["scope12_co2_t"] == pytest.approx(1900.2988488 + 980, rel=1e-12)
    e = r["energy"]["calorific"]
    assert e["transformation_loss_tce"] == pytest.approx(714.3 - 245.8)
    assert e["total_tce"] == pytest.approx(714.3 - 245.8 + 245.8)


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        (L("x", "industry.C99", "raw_coal", "final", "t", Decimal(1)), "unknown_sector", "sector"),
        (L("x", "industry.C30", "coal", "final", "t", Decimal(1)), "unknown_carrier", "carrier"),
        (L("x", "industry.C30", "raw_coal", "final", "MWh", Decimal(1)), "unit_mismatch", "unit"),
        (L("x", "industry.C30", "raw_coal", "final", "tonnes", Decimal(1)), "unknown_unit", "unit"),
        (L("x", "industry.C30", "raw_coal", "import", "t", Decimal(1)), "unknown_flow", "flow"),
        (L("x", "industry.C30", "raw_coal", "final", "t", None), "missing_value", "quantity"),
        (L("x", "industry.C30", "raw_coal", "final", "t", Decimal(1), "NE"), "conflict", "notation"),
        (L("x", "industry.C30", "raw_coal", "final", "t", None, "XX"), "unknown_notation", "notation"),
        (L("x", "industry.C30", "raw_coal", "final", "t", Decimal(-1)), "out_of_range", "quantity"),
        (
            L("x", "industry.C30", "electricity", "final", "MWh", Decimal(1), purpose="feedstock"),
            "invalid_purpose",
            "purpose",
        ),
        (
            L("x", "industry.C30", "electricity", "final", "MWh", Decimal(1), purpose="renewable"),
            "invalid_purpose",
            "purpose",
        ),
        (L("x", "industry.C30", "raw_coal", "inflow", "t", Decimal(1)), "invalid_flow", "flow"),
    ],
)
def test_line_errors_name_the_field_in_both_languages(line, code, field):
    errs = [c for c in accounts.check_line(line, FS) if c.severity == "error"]
    assert [(c.code, c.field) for c in errs][:1] == [(code, field)]
    assert errs[0].message_zh and errs[0].message_en
    with pytest.raises(CalcError) as exc:
        accounts.compute([line], PARAMS, FS)
    assert exc.value.field == f"x.{field}"


def test_electricity_without_a_grid_is_an_error_not_a_zero():
    with pytest.raises(CalcError) as exc:
        accounts.compute([L("e", "industry.C30", "electricity", "final", "MWh", Decimal(5))], accounts.Params(2022), FS)
    assert exc.value.field == "grid"


def test_grid_factor_falls_back_to_the_latest_earlier_year_and_says_so():
    r = accounts.compute(
        [L("e", "industry.C30", "electricity", "final", "MWh", Decimal(1000))],
        accounts.Params(2024, grid="prov.hunan"),
        FS,
    )
    assert r["co2"]["grid_factor_key"] == "grid.prov.hunan.2022"
    assert any(c["code"] == "grid_factor_fallback" and c["severity"] == "info" for c in r["checks"])


def test_grade_c_factors_used_are_flagged():
    # LNG's NCV is grade C in the shipped library
    r = accounts.compute([L("g", "industry.C30", "lng", "final", "t", Decimal(10))], accounts.Params(2022), FS)
    assert "ncv.lng" in r["factors_used"]
    assert any(c["code"] == "grade_c_factor" and c["field"] == "ncv.lng" for c in r["checks"])


def test_shipped_sector_table_covers_the_groups():
    groups = {s.group for s in accounts.sectors().values()}
    assert groups == set(accounts.GROUPS)
    # every manufacturing division C13-C43 is somewhere (C25 is counted with energy transformation)
    divisions = {s.gb4754 for s in accounts.sectors().values()}
    assert {f"C{n}" for n in range(13, 44)} <= divisions


_SECTORS = ["industry.C30", "industry.C13", "transport.G54", "households.rural", "services.other"]
_CARRIERS = [("raw_coal", "t"), ("diesel", "t"), ("natural_gas", "10k_m3"), ("electricity", "MWh"), ("lpg", "t")]
line_strategy = st.tuples(
    st.sampled_from(_SECTORS),
    st.sampled_from(_CARRIERS),
    st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False),
)


def _lines(raw):
    seen = set()
    out = []
    for i, (sector, (carrier, unit), q) in enumerate(raw):
        if (sector, carrier) in seen:
            continue
        seen.add((sector, carrier))
        out.append(L(f"l{i}", sector, carrier, "final", unit, q))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(line_strategy, min_size=1, max_size=12), st.integers(min_value=1, max_value=50))
def test_groups_sum_to_totals_and_results_scale_linearly(raw, k):
    lines = _lines(raw)
    params = accounts.Params(2022, grid="prov.hunan", coal_equivalent_kgce_per_kwh=Decimal("0.3"))
    r = accounts.compute(lines, params, FS)
    direct = sum(g["direct_co2_t"] for g in r["by_group"].values())
    indirect = sum(g["indirect_co2_t"] for g in r["by_group"].values())
    assert direct == pytest.approx(r["co2"]["direct_co2_t"], rel=1e-9, abs=1e-6)
    assert indirect == pytest.approx(r["co2"]["indirect_co2_t"], rel=1e-9, abs=1e-6)
    assert sum(c["energy_tce"]["calorific"] for c in r["by_carrier"].values()) == pytest.approx(
        r["energy"]["calorific"]["total_tce"], rel=1e-9, abs=1e-6
    )
    scaled = [L(x.id, x.sector, x.carrier, x.flow, x.unit, x.quantity * k) for x in lines]
    r2 = accounts.compute(scaled, params, FS)
    for key in ("direct_co2_t", "indirect_co2_t", "territorial_co2_t"):
        assert r2["co2"][key] == pytest.approx(r["co2"][key] * k, rel=1e-9, abs=1e-6)
    assert r2["energy"]["coal_equivalent"]["total_tce"] == pytest.approx(
        r["energy"]["coal_equivalent"]["total_tce"] * k, rel=1e-9, abs=1e-6
    )


def test_exported_renewable_power_is_not_counted_as_the_county_consumption():
    """10 000 MWh of hydro, 1 000 MWh used: the share counts the 1 000 used, never more than 100 %."""
    lines = [
        L("h", "energy.D44", "electricity", "production", "MWh", Decimal(10000), purpose="renewable"),
        L("u", "industry.C30", "electricity", "final", "MWh", Decimal(1000)),
        L("x", "energy.supply", "electricity", "outflow", "MWh", Decimal(9000)),
    ]
    r = accounts.compute(
        lines, accounts.Params(2022, grid="prov.hunan", coal_equivalent_kgce_per_kwh=Decimal("0.3")), FS
    )
    for b in ("calorific", "coal_equivalent"):
        assert r["energy"][b]["nonfossil_share"] == pytest.approx(1.0)
    assert r["co2"]["territorial_co2_t"] == pytest.approx(-9000 * 0.49)  # the exporter's credit
