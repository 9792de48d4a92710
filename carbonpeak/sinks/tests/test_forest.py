"""Forest resources: the import contract, the year's figures (hand-worked), approval feeding the targets and
reopening retracting them.

Hand-worked parameters (the shipped library, grade C): 杉木 factor = 0.307 × 1.634 × (1 + 0.246) × 0.52
= 0.32502129296 tC/m³; 马尾松 = 0.38 × 1.472 × 1.187 × 0.46 = 0.3054217472 tC/m³; CO2 = C × 44/12.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.core import forest
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.sinks import columns, fetch, services
from carbonpeak.sinks.models import ForestStand, ForestYear
from carbonpeak.tabular.reading import read_rows

HEADER = "year,township,land_class,species_group,area_ha,stock_m3\n"
Y2024 = """2024,甲镇,arbor,chinese_fir,600,60000
2024,甲镇,arbor,masson_pine,200,20000
2024,甲镇,bamboo,,100,0
2024,甲镇,nonforest,,100,0
2024,乙镇,arbor,chinese_fir,300,30000
2024,乙镇,other_shrub,,200,0
2024,乙镇,nonforest,,500,0
"""
Y2025 = """2025,甲镇,arbor,chinese_fir,600,61000
2025,甲镇,arbor,masson_pine,200,20500
2025,甲镇,bamboo,,100,0
2025,甲镇,nonforest,,100,0
2025,乙镇,arbor,chinese_fir,300,31000
2025,乙镇,other_shrub,,200,0
2025,乙镇,nonforest,,500,0
2025,丙镇,arbor,chinese_fir,10,100
2025,丙镇,nonforest,,990,0
"""
FIR = Decimal("0.32502129296")
PINE = Decimal("0.3054217472")
C2CO2 = Decimal(44) / Decimal(12)


def rows(text: str, header: str = HEADER):
    return read_rows((header + text).encode(), columns.FOREST)


def load(plan, text, **kw):
    return services.import_forest(None, plan, rows(text), **kw)


def test_factors_are_the_hand_worked_ones(plan):
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.status import species_groups

    g = species_groups(core_factor_set(default_factor_set(plan)))
    assert g["chinese_fir"].factor == FIR
    assert g["masson_pine"].factor == PINE
    assert g["chinese_fir"].grade == "C" and g["chinese_fir"].name_zh == "杉木"
    assert g["other"].factor is None  # the library has no forest.other.* parameters


def test_golden_v13_stock_difference():
    # the contract's worked example V13: 120 000 → 150 000 m³ of 杉木 over 2020–2025
    (_c, sink) = forest.stock_difference((Decimal(120000), Decimal(150000)), (2020, 2025), FIR)
    assert abs(float(sink) - 7150.468445119997) < 1e-6


def test_coverage_rounds_half_up():
    assert forest.coverage_pct(Decimal("6292.5"), Decimal("10000")) == Decimal("62.93")  # 62.925 → 62.93
    assert forest.coverage_pct(Decimal("6292.4"), Decimal("10000")) == Decimal("62.92")  # 62.924
    assert forest.coverage_pct(Decimal("1"), Decimal("8")) == Decimal("12.50")


def test_coverage_at_the_half_through_the_status(plan):
    rep = load(plan, "2025,甲镇,arbor,chinese_fir,6292.5,100\n2025,甲镇,nonforest,,3707.5,0\n")
    assert rep.as_dict() == {"accepted": 2, "duplicates": 0, "rejected": []}
    res = services.year_status(plan, 2025)
    assert res["land_area_ha"] == 10000.0 and res["forest_area_ha"] == 6292.5
    assert res["coverage_pct"] == 62.93


def test_year_figures_hand_worked(plan):
    assert load(plan, Y2024).accepted == 7
    assert load(plan, Y2025).accepted == 9
    res = services.year_status(plan, 2025)
    # land 1000 + 1000 + 1000; forest = 甲 600+200+100, 乙 300, 丙 10 = 1210 → 40.333… → 40.33
    assert res["land_area_ha"] == 3000.0 and res["forest_area_ha"] == 1210.0 and res["coverage_pct"] == 40.33
    assert res["stock_m3"] == 112600.0  # arbor only: 61000 + 20500 + 31000 + 100
    by_group = {g["species_group"]: g for g in res["by_group"]}
    # 杉木 ΔV = 92100 − 90000 = 2100 → 2100 × 0.32502129296 × 44/12 = 2502.6639558 tCO2
    assert by_group["chinese_fir"]["sink_tco2"] == 2502.66
    # 马尾松 ΔV = 500 → 500 × 0.3054217472 × 44/12 = 559.9398699
    assert by_group["masson_pine"]["sink_tco2"] == 559.94
    assert res["sink_tco2"] == 3062.60  # 3062.6038257
    assert by_group["chinese_fir"]["previous_stock_m3"] == 90000.0
    towns = {t["township"]: t for t in res["by_township"]}
    assert towns["甲镇"]["coverage_pct"] == 90.0 and towns["乙镇"]["coverage_pct"] == 30.0
    assert towns["甲镇"]["sink_tco2"] == 1751.68  # 1000 × 杉木 + 500 × 马尾松
    assert towns["乙镇"]["sink_tco2"] == 1191.74
    # a township appearing in one year only: figures for the year, no township sink, a check naming it
    assert towns["丙镇"]["coverage_pct"] == 1.0 and towns["丙镇"]["sink_tco2"] is None
    codes = [c["code"] for c in res["checks"]]
    assert "township_only_in_one_year" in codes
    assert any("丙镇" in c["message_zh"] for c in res["checks"] if c["code"] == "township_only_in_one_year")
    assert "grade_c_parameters" in codes and "no_previous_year" not in codes
    # NE lines: bamboo and shrub biomass are not estimated
    assert [(n["land_class"], n["area_ha"], n["notation"]) for n in res["not_estimated"]] == [
        ("bamboo", 100.0, "NE"),
        ("other_shrub", 200.0, "NE"),
    ]
    assert codes.count("not_estimated") == 2


def test_sink_by_exact_arithmetic(plan):
    load(plan, Y2024)
    load(plan, Y2025)
    exact = (2100 * FIR + 500 * PINE) * C2CO2
    res = services.year_status(plan, 2025)
    assert res["sink_tco2"] == float(exact.quantize(Decimal("0.01")))


def test_first_year_has_no_sink(plan):
    load(plan, Y2024)
    res = services.year_status(plan, 2024)
    assert res["sink_tco2"] is None
    assert any(c["code"] == "no_previous_year" and "2023" in c["message_zh"] for c in res["checks"])
    assert all(t["sink_tco2"] is None for t in res["by_township"])


def test_checks_land_area_change_stock_fall_and_missing_parameters(plan):
    load(plan, "2024,甲镇,arbor,chinese_fir,100,10000\n2024,甲镇,nonforest,,900,0\n")
    load(plan, "2025,甲镇,arbor,chinese_fir,100,8900\n2025,甲镇,arbor,other,5,50\n2025,甲镇,nonforest,,900,0\n")
    res = services.year_status(plan, 2025)
    by_code = {}
    for c in res["checks"]:
        by_code.setdefault(c["code"], []).append(c["message_zh"])
    assert by_code["township_land_area_changed"] == ["甲镇：土地面积由 1000 公顷变为 1005 公顷（2024→2025）"]
    # county and township: (10000 − 8950) / 10000 = 10.50 % > 10 %
    assert any("10.50%" in m for m in by_code["stock_fall"])
    assert "其他树种" in by_code["no_parameters"][0]
    # the group without parameters is left out of the sink: 杉木 −1100 m³ only
    assert res["sink_tco2"] == float((-1100 * FIR * C2CO2).quantize(Decimal("0.01")))


def test_gain_loss_beside_the_stock_difference(plan):
    from carbonpeak.sinks.columns import HARVEST

    load(plan, Y2024)
    load(plan, Y2025)
    rep = services.import_harvest(
        None, plan, read_rows("year,species_group,growth_rate,harvest_m3\n2025,杉木,5%,2000\n".encode(), HARVEST)
    )
    assert rep.as_dict()["accepted"] == 1
    gl = services.year_status(plan, 2025)["gain_loss"]
    # (90000 × 0.05 − 2000) × 0.32502129296 × 44/12 = 2500 × … = 2979.3618521
    assert gl["sink_tco2"] == 2979.36
    assert "生长-消耗法" in gl["method"] and "2024年末蓄积" in gl["method"]


# --- the import contract ---------------------------------------------------------------------------------
def test_rerun_is_duplicates_and_conflict_names_its_line(plan):
    assert load(plan, Y2024).as_dict() == {"accepted": 7, "duplicates": 0, "rejected": []}
    assert load(plan, Y2024).as_dict() == {"accepted": 0, "duplicates": 7, "rejected": []}
    rep = load(plan, "2024,甲镇,arbor,chinese_fir,600,60001\n2024,丁镇,nonforest,,5,0\n").as_dict()
    assert rep["accepted"] == 1 and rep["rejected"][0]["line"] == 2
    assert ForestStand.objects.get(plan=plan, year=2024, township="甲镇", species_group="chinese_fir").stock_m3 == 60000


def test_in_file_duplicate_and_conflict(plan):
    rep = load(plan, "2024,甲镇,arbor,杉木,1,1\n2024,甲镇,乔木林地,chinese_fir,1,1\n2024,甲镇,arbor,杉木,1,2\n")
    d = rep.as_dict()
    assert d["accepted"] == 1 and d["duplicates"] == 1
    assert d["rejected"][0]["line"] == 4 and "第 2 行" in d["rejected"][0]["message"]


def test_species_group_required_for_arbor_only(plan):
    d = load(plan, "2024,甲镇,arbor,,1,1\n2024,甲镇,bamboo,,1,0\n2024,甲镇,arbor,柳树,1,1\n").as_dict()
    assert d["accepted"] == 1
    assert [(r["line"], r["field"]) for r in d["rejected"]] == [(2, "species_group"), (4, "species_group")]


def test_bad_values_rejected_with_field(plan):
    d = load(
        plan,
        "1980,甲镇,arbor,杉木,1,1\n2024,,arbor,杉木,1,1\n2024,甲镇,草地,,1,0\n2024,甲镇,bamboo,,-1,0\n"
        "2024,甲镇,bamboo,,1.00001,0\n2024,甲镇,bamboo,,abc,0\n",
    ).as_dict()
    assert d["accepted"] == 0
    assert [r["field"] for r in d["rejected"]] == ["year", "township", "land_class", "area_ha", "area_ha", "area_ha"]


def test_chinese_headers(plan):
    text = "年份,乡镇,地类,树种组,面积（公顷）,蓄积量（立方米）\n2024,甲镇,乔木林地,杉木,1,2\n"
    assert services.import_forest(None, plan, read_rows(text.encode(), columns.FOREST)).accepted == 1


def test_replace_year_all_or_nothing_and_audited(plan):
    from carbonpeak.audit.models import AuditEntry

    load(plan, Y2024)
    bad = load(plan, "2024,甲镇,arbor,chinese_fir,600,1\n2024,甲镇,arbor,,1,1\n", replace_year=True).as_dict()
    assert bad["accepted"] == 0 and len(bad["rejected"]) == 1
    assert ForestStand.objects.filter(plan=plan, year=2024).count() == 7  # nothing written
    ok = load(plan, "2024,甲镇,arbor,chinese_fir,600,1\n2024,甲镇,nonforest,,400,0\n", replace_year=True).as_dict()
    assert ok == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert ForestStand.objects.filter(plan=plan, year=2024).count() == 2
    e = AuditEntry.objects.get(action="forest.replace_year")
    assert e.before["rows"] == 7 and e.after["rows"] == 2
    again = load(plan, "2024,甲镇,arbor,chinese_fir,600,1\n2024,甲镇,nonforest,,400,0\n", replace_year=True)
    assert again.as_dict() == {"accepted": 0, "duplicates": 2, "rejected": []}


def test_compartments_are_summed(plan):
    header = "year,township,land_class,species_group,area_ha,stock_m3,compartment\n"
    load_rows = rows("2024,甲镇,arbor,杉木,1,10,001\n2024,甲镇,arbor,杉木,2,20,002\n", header)
    assert services.import_forest(None, plan, load_rows).accepted == 2
    assert services.year_status(plan, 2024)["stock_m3"] == 30.0


# --- approval feeds, reopening retracts ----------------------------------------------------------------------
def _values(plan, indicator):
    return {
        (v.target.code, v.year): v.value
        for v in IndicatorValue.objects.filter(target__plan=plan, target__indicator=indicator).select_related("target")
    }


def test_approve_feeds_and_reopen_retracts(plan, linye):
    load(plan, Y2024)
    load(plan, Y2025)
    services.approve_year(linye, plan, 2025)
    fy = ForestYear.objects.get(plan=plan, year=2025)
    assert fy.status == "approved" and fy.factor_set is not None
    cov = _values(plan, "forest_coverage")
    # both coverage targets (二 and 三(六)1) take 40.33 % as the fraction 0.4033
    assert cov == {("forest_coverage", 2025): Decimal("0.4033"), ("forest_coverage_sink_task", 2025): Decimal("0.4033")}
    assert _values(plan, "forest_stock") == {("forest_stock", 2025): Decimal("112600")}
    v = IndicatorValue.objects.get(target__code="forest_stock", year=2025)
    assert (
        v.source == "module"
        and "2025年森林资源数据（已审定）" in v.source_detail
        and fy.factor_set.version in (v.source_detail)
    )
    # approved: locked against imports, and the sink reaches fetch
    d = load(plan, "2025,丁镇,nonforest,,1,0\n").as_dict()
    assert d["accepted"] == 0 and d["rejected"][0]["field"] == "year"
    sink, text = fetch.approved_sink(plan, 2025)
    assert sink == Decimal("3062.6") and "蓄积量差" in text
    services.reopen_year(linye, plan, 2025, "数据更正")
    assert _values(plan, "forest_coverage") == {} and _values(plan, "forest_stock") == {}
    assert ForestYear.objects.get(plan=plan, year=2025).status == "reopened"
    assert fetch.approved_sink(plan, 2025) is None


def test_reopen_needs_a_reason(plan, office):
    from carbonpeak.validation import ValidationFailed

    load(plan, Y2024)
    services.approve_year(office, plan, 2024)
    with pytest.raises(ValidationFailed):
        services.reopen_year(office, plan, 2024, " ")


def test_only_office_and_forestry_write(plan, fgj):
    with pytest.raises(PermissionDenied):
        services.import_forest(fgj, plan, rows(Y2024))
    with pytest.raises(PermissionDenied):
        services.approve_year(fgj, plan, 2024)


def test_approve_without_rows_refused(plan, office):
    from carbonpeak.validation import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.approve_year(office, plan, 2020)


def test_approved_sink_replaces_the_typed_one_in_the_inventory(plan, office):
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.fetch import compute_inventory

    inv = acc.create_inventory(office, plan, 2025)
    acc.set_params(office, inv, {"sink_tco2": "5000"})
    inv.refresh_from_db()
    res = compute_inventory(inv)
    assert res["co2"]["sink_tco2"] == 5000 and res["sink_source"] == "手工填报"
    load(plan, Y2024)
    load(plan, Y2025)
    services.approve_year(office, plan, 2025)
    res = compute_inventory(inv)
    assert res["co2"]["sink_tco2"] == 3062.6
    assert res["co2"]["net_co2_t"] == res["co2"]["territorial_co2_t"] - 3062.6
    assert "森林资源数据（已审定）" in res["sink_source"] and "蓄积量差" in res["sink_source"]
    services.reopen_year(office, plan, 2025, "更正")
    assert compute_inventory(inv)["co2"]["sink_tco2"] == 5000


# --- the file path (CSV fast path on PostgreSQL, per-row otherwise): the same report either way --------------
CLEAN = HEADER + Y2024.replace("chinese_fir", "杉木")


@pytest.mark.parametrize("postgres_only", [False])
def test_file_import_same_report_as_rows(plan, postgres_only):
    data = CLEAN.encode()
    rep = services.import_forest_file(None, plan, data, "a.csv")
    assert rep.as_dict() == {"accepted": 7, "duplicates": 0, "rejected": []}
    assert services.import_forest_file(None, plan, data, "a.csv").as_dict() == {
        "accepted": 0,
        "duplicates": 7,
        "rejected": [],
    }
    # a repeated key in a fresh year: the per-row path tells the duplicate from the conflict
    d = services.import_forest_file(
        None, plan, (HEADER + "2025,甲镇,arbor,杉木,1,1\n2025,甲镇,arbor,杉木,1,1\n2025,甲镇,arbor,杉木,1,2\n").encode()
    ).as_dict()
    assert d["accepted"] == 1 and d["duplicates"] == 1 and [r["line"] for r in d["rejected"]] == [4]
    assert ForestStand.objects.filter(plan=plan, year=2025).count() == 1
    assert services.year_status(plan, 2024)["stock_m3"] == 110000.0


@pytest.mark.postgres
def test_file_import_on_postgres_fast_and_fallback(plan):
    from django.db import connection

    assert connection.vendor == "postgresql"
    test_file_import_same_report_as_rows(plan, True)
    # an odd spelling (a space, a fullwidth digit) leaves the fast path; the per-row path still accepts it
    d = services.import_forest_file(None, plan, (HEADER + "2026, 乙镇 ,nonforest,,１0,0\n").encode()).as_dict()
    assert d == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert ForestStand.objects.get(plan=plan, year=2026).area_ha == 10


# --- the fast path (PostgreSQL): taken for plain files, left (nothing written) for anything else ------------
def _fast(plan, text: str):
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.fastpath import import_clean_csv

    groups = services.group_names(core_factor_set(default_factor_set(plan)))
    return import_clean_csv(None, plan, text.encode(), columns.FOREST, services.forest_limits(), groups)


def stored_rows(plan):
    return list(ForestStand.objects.filter(plan=plan).values_list("township", "compartment", "area_ha"))


@pytest.mark.postgres
def test_fast_path_taken_for_a_plain_file(plan):
    from carbonpeak.audit.models import AuditEntry

    text = "年份,乡镇,地类,树种组,面积,蓄积量,小班号\n" + (
        "2024,甲镇,乔木林地,杉木,600.25,60000.1234,001\n2024,甲镇,arbor,masson_pine,200,,\n2024,乙镇,竹林,,100,0,\n"
    )
    rep = _fast(plan, text)
    assert rep is not None and rep.as_dict() == {"accepted": 3, "duplicates": 0, "rejected": []}
    got = sorted(
        ForestStand.objects.filter(plan=plan).values_list(
            "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3"
        )
    )
    assert got == [
        ("乙镇", "bamboo", "", "", Decimal("100"), Decimal("0")),
        ("甲镇", "arbor", "chinese_fir", "001", Decimal("600.25"), Decimal("60000.1234")),
        ("甲镇", "arbor", "masson_pine", "", Decimal("200"), Decimal("0")),
    ]
    assert AuditEntry.objects.filter(action="forest.import").count() == 1
    # the same survey again: all duplicates, matched in SQL, nothing written or audited
    assert _fast(plan, text).as_dict() == {"accepted": 0, "duplicates": 3, "rejected": []}
    assert services.import_forest_file(None, plan, text.encode(), "a.csv").as_dict() == {
        "accepted": 0,
        "duplicates": 3,
        "rejected": [],
    }
    assert AuditEntry.objects.filter(action="forest.import").count() == 1 and len(stored_rows(plan)) == 3
    # one value changed, a row missing, a row added: the year holds something else, so the per-row path reports
    changed = text.replace("600.25", "600.26")
    assert _fast(plan, changed) is None
    assert [r["line"] for r in services.import_forest_file(None, plan, changed.encode(), "a.csv").rejected] == [2]
    assert _fast(plan, text.rsplit("2024,乙镇", 1)[0]) is None  # a subset: 2 of the 3 stored rows
    added = text + "2024,丙镇,nonforest,,7,0,\n"
    assert _fast(plan, added) is None
    assert services.import_forest_file(None, plan, added.encode(), "a.csv").as_dict() == {
        "accepted": 1,
        "duplicates": 3,
        "rejected": [],
    }


@pytest.mark.postgres
@pytest.mark.parametrize(
    "line",
    [
        "2024,甲镇,arbor,chinese_fir,1e3,0",  # PostgreSQL reads an exponent; the per-row path refuses it
        "2024,甲镇,arbor,chinese_fir,NaN,0",
        "2024,甲镇,arbor,chinese_fir,Infinity,0",
        "2024,甲镇,arbor,chinese_fir,1.23456,0",  # numeric would round it; the per-row path rejects it
        "2024,甲镇,arbor,chinese_fir,-0,0",
        "2024,甲镇,arbor,chinese_fir,+5,0",
        "2024,甲镇,arbor,chinese_fir,1_000,0",
        "2024,甲镇,arbor,chinese_fir,1000000000000,0",
        "2024,甲镇,arbor,chinese_fir,1,-1",
        "2024,甲镇,arbor,,1,0",  # arbor needs a group
        "2024,甲镇,arbor,unknown,1,0",
        "2024,甲镇,forest,,1,0",
        "1989,甲镇,nonforest,,1,0",
        "02024,甲镇,nonforest,,1,0",
        "2024,\u3000甲镇,nonforest,,1,0",  # stripped by the per-row path
        "2024, 甲镇,nonforest,,1,0",
        "2024,,nonforest,,1,0",
        "2024,甲镇,nonforest,,1,0,extra",
        "2024,甲镇,nonforest,,1",
    ],
)
def test_fast_path_leaves_anything_not_plain(plan, line):
    text = HEADER + "2024,乙镇,nonforest,,5,0\n" + line + "\n"
    assert _fast(plan, text) is None
    assert not ForestStand.objects.filter(plan=plan).exists() and not ForestYear.objects.filter(plan=plan).exists()
    # the file path then reports exactly what the per-row path reports
    expected = services.import_forest(None, plan, rows(text[len(HEADER) :])).as_dict()
    stored = sorted(ForestStand.objects.filter(plan=plan).values_list("township", "area_ha", "stock_m3"))
    ForestStand.objects.filter(plan=plan).delete()
    assert services.import_forest_file(None, plan, text.encode(), "a.csv").as_dict() == expected
    assert sorted(ForestStand.objects.filter(plan=plan).values_list("township", "area_ha", "stock_m3")) == stored


@pytest.mark.postgres
def test_fast_path_refuses_an_approved_year_and_a_repeated_key(plan, office):
    assert _fast(plan, HEADER + "2024,甲镇,nonforest,,1,0\n2024,甲镇,nonforest,,1,0\n") is None
    assert not ForestStand.objects.filter(plan=plan).exists()
    assert _fast(plan, HEADER + Y2024) is not None
    services.approve_year(office, plan, 2024)
    ForestStand.objects.filter(plan=plan).delete()  # an approved year, empty: still refused
    assert _fast(plan, HEADER + Y2024) is None and not ForestStand.objects.filter(plan=plan).exists()
