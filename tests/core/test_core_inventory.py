from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core import inventory
from carbonpeak.core.dispatch import parse_case, run_case
from carbonpeak.core.inventory import Basis, CarrierTable, compute_batch, effective_ef_tco2_per_unit

NAN = math.nan
C = 44 / 12


def inv(lines, **top):
    return run_case({"calc": "inventory", "lines": lines, **top})


def err(result):
    assert "error" in result, result
    return result["error"]["code"], result["error"]["field"]


# --- kernel ---------------------------------------------------------------------------------------------------
def test_kernel_method_precedence():
    a = lambda *x: np.array(x, dtype=float)  # noqa: E731
    ef = effective_ef_tco2_per_unit(
        a(20.908, 20.908, 20.908, NAN),  # ncv
        a(26.37, 26.37, NAN, NAN),  # cc
        a(0.94, 0.94, NAN, NAN),  # of
        a(NAN, 94.6, 94.6, NAN),  # ef per TJ
        a(NAN, NAN, NAN, 0.5703),  # ef per unit
    )
    assert ef[0] == pytest.approx(20.908 / 1000 * 26.37 * 0.94 * C, rel=1e-15)
    assert ef[1] == pytest.approx(20.908 / 1000 * 94.6, rel=1e-15)
    assert ef[2] == pytest.approx(20.908 / 1000 * 94.6, rel=1e-15)
    assert ef[3] == 0.5703


def test_kernel_missing_gives_nan():
    ef = effective_ef_tco2_per_unit(*(np.array([NAN]),) * 5)
    assert np.isnan(ef[0])


# --- resolution and methods -----------------------------------------------------------------------------------
def test_every_line_names_method_and_factor_set(fs):
    r = inv(
        [
            {"id": "c", "carrier": "raw_coal", "quantity": 1, "unit": "t"},
            {"id": "i", "carrier": "raw_coal", "quantity": 1, "unit": "t", "ef_key": "ipcc.ef.other_bituminous"},
            {"id": "e", "carrier": "electricity", "quantity": 1, "unit": "MWh"},
            {"id": "h", "carrier": "heat", "quantity": 1, "unit": "GJ"},
        ],
        grid="prov.hunan",
        year=2023,
    )
    m = {x["id"]: x["method"] for x in r["lines"]}
    assert m["c"].startswith("cn_provincial_guideline:") and "ncv=ncv.raw_coal" in m["c"]
    assert m["i"].startswith("ipcc_per_tj:") and "ef=ipcc.ef.other_bituminous" in m["i"]
    assert m["e"].startswith("grid:") and "grid.prov.hunan.2022" in m["e"]
    assert m["h"].startswith("ef_per_unit:") and "heat.ef.default" in m["h"]
    assert all(x.endswith(f"[factors {fs.version}]") for x in m.values())
    assert r["method"].endswith(f"[factors {fs.version}]")


def test_overrides_are_per_line_unit():
    lib = inv([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t"}])["lines"][0]
    kg = inv(
        [{"id": "a", "carrier": "diesel", "quantity": 1000, "unit": "kg", "ncv_gj_per_unit": 0.042652,
          "cc_tc_per_tj": 20.2, "oxidation": 0.98, "tce_per_unit": 0.0014571}]
    )["lines"][0]
    assert kg["co2_t"] == pytest.approx(lib["co2_t"], rel=1e-12)
    assert kg["energy_tce"] == pytest.approx(lib["energy_tce"], rel=1e-12)
    kg_lib = inv([{"id": "a", "carrier": "diesel", "quantity": 1000, "unit": "kg"}])["lines"][0]
    assert kg_lib["co2_t"] == pytest.approx(lib["co2_t"], rel=1e-12)


def test_ef_key_per_unit_for_fuel():
    r = inv([{"id": "a", "carrier": "raw_coal", "quantity": 10, "unit": "10k_t", "ef_key": "ef_co2.raw_coal"}])
    assert r["lines"][0]["co2_t"] == pytest.approx(100_000 * 1.9003, rel=1e-12)


def test_direct_and_indirect_split():
    r = inv(
        [
            {"id": "d", "carrier": "diesel", "quantity": 1, "unit": "t"},
            {"id": "e", "carrier": "electricity", "quantity": 1, "unit": "MWh", "ef_tco2_per_unit": 0.5},
            {"id": "h", "carrier": "heat", "quantity": 1, "unit": "GJ"},
            {"id": "o", "carrier": "oxygen", "quantity": 100, "unit": "m3", "ef_tco2_per_unit": 0.001},
        ]
    )
    by = {x["id"]: x["co2_t"] for x in r["lines"]}
    assert r["direct_co2_t"] == by["d"]
    assert r["indirect_co2_t"] == pytest.approx(by["e"] + by["h"] + by["o"], rel=1e-15)
    assert by["h"] == pytest.approx(0.11)


def test_empty_inventory():
    r = inv([])
    assert r["total_co2_t"] == 0 and r["energy_tce"] == 0 and r["lines"] == []


def test_sector_echoed_and_gdp_intensities():
    r = inv([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "sector": "transport"}], gdp_10k_yuan=10)
    assert r["lines"][0]["sector"] == "transport"
    assert r["co2_intensity_t_per_10k_yuan"] == pytest.approx(r["total_co2_t"] / 10)


@pytest.mark.parametrize(
    "lines, top, code, field",
    [
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t"}] * 2, {}, "duplicate", "lines[1].id"),
        ([{"id": "a", "carrier": "diesel", "quantity": True, "unit": "t"}], {}, "wrong_type", "lines[0].quantity"),
        ([{"id": "a", "carrier": "diesel", "quantity": "12", "unit": "t"}], {}, "wrong_type", "lines[0].quantity"),
        ([{"id": "a", "carrier": "diesel", "quantity": None, "unit": "t"}], {}, "wrong_type", "lines[0].quantity"),
        ([{"id": "a", "carrier": "diesel", "unit": "t"}], {}, "missing_key", "lines[0].quantity"),
        ([{"id": 1, "carrier": "diesel", "quantity": 1, "unit": "t"}], {}, "wrong_type", "lines[0].id"),
        ([{"id": "a", "carrier": ["diesel"], "quantity": 1, "unit": "t"}], {}, "wrong_type", "lines[0].carrier"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": 5}], {}, "wrong_type", "lines[0].unit"),
        (["diesel"], {}, "wrong_type", "lines[0]"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "ef_tco2_per_unit": 3, "cc_tc_per_tj": 20}],
         {}, "conflict", "lines[0].cc_tc_per_tj"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "ef_tco2_per_unit": 3,
           "ef_key": "ef_co2.diesel"}],
         {}, "conflict", "lines[0].ef_key"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "ef_tco2_per_tj": 74.1, "oxidation": 1}],
         {}, "conflict", "lines[0].oxidation"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "ef_key": "ipcc.ef.nope"}],
         {}, "missing_factor", "lines[0].ef_key"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "ef_key": "grid.cn.2022"}],
         {}, "unit_mismatch", "lines[0].ef_key"),
        ([{"id": "a", "carrier": "electricity", "quantity": 1, "unit": "MWh", "ncv_gj_per_unit": 3.6}],
         {}, "not_applicable", "lines[0].ncv_gj_per_unit"),
        ([{"id": "a", "carrier": "electricity", "quantity": 1, "unit": "MWh", "ef_key": "heat.ef.default"}],
         {}, "unit_mismatch", "lines[0].ef_key"),
        ([{"id": "a", "carrier": "electricity", "quantity": 1, "unit": "t", "ef_tco2_per_unit": 1}],
         {}, "unit_mismatch", "lines[0].unit"),
        ([{"id": "a", "carrier": "electricity", "quantity": 1, "unit": "MWh"}], {"grid": "cn"}, "missing_key", "year"),
        ([{"id": "a", "carrier": "electricity", "quantity": 1, "unit": "MWh"}], {"grid": "mars", "year": 2022},
         "unknown_grid", "grid"),
        ([{"id": "a", "carrier": "slime", "quantity": 1, "unit": "t", "ef_tco2_per_unit": 1}],
         {}, "missing_factor", "lines[0].tce_per_unit"),
        ([{"id": "a", "carrier": "washed_coal", "quantity": 1, "unit": "t"}], {}, "missing_factor",
         "lines[0].ncv_gj_per_unit"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "oxidation": 1.2}], {}, "out_of_range",
         "lines[0].oxidation"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t", "cc_tc_per_tj": -1}], {}, "negative",
         "lines[0].cc_tc_per_tj"),
        ([{"id": "a", "carrier": "diesel", "quantity": 1e31, "unit": "t"}], {}, "out_of_range", "lines[0].quantity"),
        ([], {"energy_basis": "coal_equivalent"}, "missing_key", "coal_equivalent_kgce_per_kwh"),
        ([], {"coal_equivalent_kgce_per_kwh": 0.3}, "conflict", "coal_equivalent_kgce_per_kwh"),
        ([], {"energy_basis": "primary"}, "invalid_value", "energy_basis"),
        ([], {"sink_tco2": -1}, "negative", "sink_tco2"),
        ([], {"gdp_10k_yuan": 0}, "out_of_range", "gdp_10k_yuan"),
        ([], {"year": 2022.0}, "wrong_type", "year"),
        ([], {"year": "2022"}, "wrong_type", "year"),
    ],
)
def test_validation_errors(lines, top, code, field):
    assert err(inv(lines, **top)) == (code, field)


def test_lines_must_be_a_list_and_limit(monkeypatch):
    assert err(run_case({"calc": "inventory", "lines": {}})) == ("wrong_type", "lines")
    monkeypatch.setattr(inventory, "MAX_LINES", 3)
    line = {"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t"}
    lines = [dict(line, id=str(i)) for i in range(4)]
    assert err(inv(lines)) == ("too_large", "lines")


def test_duplicate_json_keys_are_reported_with_path():
    text = ('{"calc": "inventory", "lines": [{"id": "a", "carrier": "diesel", "quantity": 1, "quantity": -1,'
            ' "unit": "t"}]}')
    assert err(run_case(parse_case(text))) == ("duplicate_key", "lines[0].quantity")


def test_decimal_input_exactness():
    text = ('{"calc": "inventory", "lines": [{"id": "a", "carrier": "electricity", "quantity": 1.1, "unit": "MWh",'
            ' "ef_tco2_per_unit": 0.3}]}')
    r = run_case(parse_case(text))
    assert r["lines"][0]["co2_t"] == pytest.approx(0.33, rel=1e-15)


# --- batches ----------------------------------------------------------------------------------------------------
COMPLETE = ["raw_coal", "coke", "crude_oil", "gasoline", "kerosene", "diesel", "fuel_oil", "lpg", "refinery_gas",
            "natural_gas", "coke_oven_gas", "lng", "electricity", "heat"]
UNITS_FOR = {"natural_gas": ["m3", "Nm3", "10k_m3", "10k_Nm3"], "coke_oven_gas": ["m3", "10k_Nm3"],
             "electricity": ["kWh", "MWh", "GWh"], "heat": ["MJ", "GJ", "TJ"]}


def _units(c):
    return UNITS_FOR.get(c, ["t", "kg", "10k_t"])


line_st = st.sampled_from(COMPLETE).flatmap(
    lambda c: st.tuples(st.just(c), st.sampled_from(_units(c)), st.floats(min_value=0, max_value=1e9))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(line_st, min_size=1, max_size=40))
def test_batch_equals_run_case_and_lines_sum_to_totals(fs, rows):
    lines = [{"id": str(i), "carrier": c, "quantity": q, "unit": u} for i, (c, u, q) in enumerate(rows)]
    r = inv(lines, grid="region.central", year=2022)
    co2 = [x["co2_t"] for x in r["lines"]]
    energy = [x["energy_tce"] for x in r["lines"]]
    assert r["total_co2_t"] == pytest.approx(math.fsum(co2), rel=1e-12, abs=1e-9)
    assert r["total_co2_t"] == pytest.approx(r["direct_co2_t"] + r["indirect_co2_t"], rel=1e-12, abs=1e-9)
    assert r["energy_tce"] == pytest.approx(math.fsum(energy), rel=1e-12, abs=1e-9)
    assert r["net_co2_t"] == r["total_co2_t"]
    table = CarrierTable.build(fs, Basis(grid="region.central", year=2022))
    b = compute_batch(
        table,
        table.carrier_index([c for c, _, _ in rows]),
        table.unit_index([u for _, u, _ in rows]),
        np.array([q for _, _, q in rows]),
    )
    assert not b.missing.any()
    np.testing.assert_allclose(b.co2_t, co2, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(b.energy_tce, energy, rtol=1e-12, atol=1e-9)
    assert b.total_co2_t == pytest.approx(r["total_co2_t"], rel=1e-9, abs=1e-9)
    assert b.direct_co2_t == pytest.approx(r["direct_co2_t"], rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(line_st, min_size=1, max_size=20), st.sampled_from([2, 3, 10, 0.5, 1000]))
def test_results_scale_linearly_with_quantities(rows, k):
    lines = [{"id": str(i), "carrier": c, "quantity": q, "unit": u} for i, (c, u, q) in enumerate(rows)]
    scaled = [dict(x, quantity=x["quantity"] * k) for x in lines]
    a = inv(lines, grid="cn", year=2023)
    b = inv(scaled, grid="cn", year=2023)
    for key in ("total_co2_t", "direct_co2_t", "indirect_co2_t", "energy_tce"):
        assert b[key] == pytest.approx(a[key] * k, rel=1e-12, abs=1e-9)
    for la, lb in zip(a["lines"], b["lines"], strict=True):
        assert lb["co2_t"] == pytest.approx(la["co2_t"] * k, rel=1e-12, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(line_st, min_size=2, max_size=20), st.randoms())
def test_totals_do_not_depend_on_line_order(rows, rnd):
    lines = [{"id": str(i), "carrier": c, "quantity": q, "unit": u} for i, (c, u, q) in enumerate(rows)]
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    a, b = inv(lines, grid="cn", year=2023), inv(shuffled, grid="cn", year=2023)
    assert a["total_co2_t"] == b["total_co2_t"]  # fsum: correctly rounded, order-free
    assert a["energy_tce"] == b["energy_tce"]


def test_batch_missing_flags(fs):
    table = CarrierTable.build(fs)  # no grid: electricity has no factor
    b = compute_batch(table, table.carrier_index(["electricity", "diesel"]), table.unit_index(["MWh", "t"]),
                      np.array([1.0, 1.0]))
    assert b.missing.tolist() == [True, False]
    assert b.total_co2_t == pytest.approx(b.co2_t[1])


def test_result_is_json_serialisable():
    r = inv([{"id": "a", "carrier": "diesel", "quantity": 1, "unit": "t"}])
    json.dumps(r, allow_nan=False)
