"""Transport and gas (issue 20): each figure hand-worked.

Fleet 2025: bus B1 registered 2024-12-31T16:30Z (= 00:30 on 1 January 2025, Beijing) BEV, B2 PHEV 2025-05-01,
B3 diesel 2025-06-01, B4 diesel 2024-12-31 23:59 Beijing (a 2024 bus) → 2025: 3 new buses, 2 clean, 66.67 %.
Storage: T1 30 000 m³ owned, T2 20 000 m³ leased, T3 10 000 m³ retired 2024-12-31 → 50 000 m³ in service on
31 December 2024; 2024 is a leap year: 3 660 000 m³ ÷ 366 = 10 000 m³ a day → 5.0 days.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.core import transport as calc
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.transport import figures, services
from carbonpeak.transport.models import Vehicle
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


def rows(*dicts):
    return [(i, d) for i, d in enumerate(dicts, start=2)]


def bus(plate, fuel, when, use="bus", **more):
    return {"plate": plate, "operator": "茶陵公交", "use": use, "fuel": fuel, "registered_on": when, **more}


FLEET = rows(
    bus("B1", "bev", "2024-12-31T16:30:00Z"),
    bus("B2", "phev", "2025-05-01"),
    bus("B3", "diesel", "2025-06-01"),
    bus("B4", "diesel", "2024-12-31 23:59"),
    bus("T1", "gasoline", "2025-02-02", use="taxi"),
)


@pytest.fixture
def jiaotong(make_user, plan):
    return make_user("jiaotong", "department", plan.departments.get(code="transport"))


def value(plan, indicator, year):
    v = IndicatorValue.objects.filter(target__plan=plan, target__indicator=indicator, year=year).first()
    return v


# --- core ---------------------------------------------------------------------------------------------------
def test_core_rounding_half_up_and_leap_year():
    assert calc.percent_2dp(calc.share(2, 3)) == Decimal("66.67")
    assert calc.percent_2dp(calc.share(1, 8)) == Decimal("12.50")  # 12.5 exactly
    assert calc.percent_2dp(Decimal("0.666650")) == Decimal("66.67")  # half up, not half even (66.66)
    assert calc.share(0, 0) is None
    assert calc.days_in_year(2024) == 366 and calc.days_in_year(2025) == 365 and calc.days_in_year(2100) == 365
    # 1 000 m³ ÷ (36 500 ÷ 365 = 100 a day) = 10.0; 25 ÷ (1000 ÷ 100 = 10) = 2.5; 0.25 day rounds up to 0.3
    assert calc.storage_days(Decimal(1000), Decimal(36500), 365) == Decimal("10.0")
    assert calc.storage_days(Decimal(25), Decimal(1000), 100) == Decimal("2.5")
    assert calc.storage_days(Decimal("2.5"), Decimal(1000), 100) == Decimal("0.3")
    assert calc.storage_days(Decimal(25), None, 365) is None
    # 1 000 000 t·km + 2 000 000 pkm × 0.1 = 1 200 000 t·km = 120 × 10 000; 60 tce → 0.5 tce per 10 000 t·km
    tkm = calc.turnover_equivalent_tkm(Decimal(1000000), Decimal(2000000), Decimal("0.1"))
    assert tkm == Decimal(1200000)
    assert calc.per_10k_tkm(Decimal(60), tkm) == Decimal("0.5")
    assert calc.reduction(Decimal("0.5"), Decimal("0.47")) == Decimal("0.06")


# --- vehicles and the fleet ---------------------------------------------------------------------------------
def test_bus_at_half_past_midnight_beijing_is_new_in_the_new_year_and_phev_is_clean(plan, office):
    rep = services.import_vehicles(office, plan, FLEET)
    assert rep.as_dict() == {"accepted": 5, "duplicates": 0, "rejected": []}
    assert str(Vehicle.objects.get(plan=plan, plate="B1").registered_on) == "2025-01-01"
    assert str(Vehicle.objects.get(plan=plan, plate="B4").registered_on) == "2024-12-31"
    f = figures.fleet(plan, 2025)
    assert (f["new_buses"], f["new_clean_buses"], f["new_bus_clean_share_pct"]) == (3, 2, Decimal("66.67"))
    assert f["by_use"]["taxi"] == {"new": 1, "new_clean": 0, "clean_share_pct": Decimal("0.00")}
    assert f["checks"] == []
    f24 = figures.fleet(plan, 2024)
    assert (f24["new_buses"], f24["new_clean_buses"], f24["new_bus_clean_share_pct"]) == (1, 0, Decimal("0.00"))


def test_no_new_buses_gives_no_share_and_a_check(plan, office):
    services.import_vehicles(office, plan, FLEET)
    f = figures.fleet(plan, 2023)
    assert f["new_buses"] == 0 and f["new_bus_clean_share_pct"] is None
    assert [c["code"] for c in f["checks"]] == ["no_new_buses"]


def test_clean_fuels_are_a_setting(plan, office, settings):
    services.import_vehicles(office, plan, FLEET)
    settings.CARBONPEAK_CLEAN_BUS_FUELS = ("bev", "fcev")  # PHEV no longer counted
    assert figures.fleet(plan, 2025)["new_bus_clean_share_pct"] == Decimal("33.33")


def test_chinese_headers_and_labels_duplicates_and_conflicts(plan, office):
    zh = rows(
        {"号牌": "C1", "运营单位": "公交", "用途": "公交车", "燃料": "插电式混合动力", "注册日期": "2025/3/1"},
    )
    from carbonpeak.tabular import read_rows
    from carbonpeak.transport.columns import VEHICLES

    line = "C1,公交,公交车,插电式混合动力,2025/3/1\n"
    data = "号牌,运营单位,用途,燃料,注册日期\n" + line + line
    parsed = read_rows(data.encode(), VEHICLES, "v.csv")
    assert parsed[0][1]["fuel"] == "插电式混合动力" and zh
    rep = services.import_vehicles(office, plan, parsed)
    assert rep.as_dict() == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert Vehicle.objects.get(plan=plan, plate="C1").fuel == "phev"
    # a re-run changes nothing; the same plate with another fuel is a conflict naming its line, kept unless update
    again = services.import_vehicles(office, plan, parsed)
    assert again.as_dict() == {"accepted": 0, "duplicates": 2, "rejected": []}
    other = rows(bus("C1", "diesel", "2025-03-01", operator="公交"))
    rep = services.import_vehicles(office, plan, other)
    assert rep.accepted == 0 and [(r["line"], r["field"]) for r in rep.rejected] == [(2, "plate")]
    assert Vehicle.objects.get(plan=plan, plate="C1").fuel == "phev"
    rep = services.import_vehicles(office, plan, other, update=True)
    assert rep.accepted == 1 and Vehicle.objects.get(plan=plan, plate="C1").fuel == "diesel"


def test_conflict_messages_name_the_fields_in_chinese(plan, office):
    services.import_vehicles(office, plan, rows(bus("E1", "bev", "2025-03-01")))
    rep = services.import_vehicles(
        office,
        plan,
        rows(
            bus("E1", "diesel", "2025-03-01", operator="别的公司"),
            bus("E2", "bev", "2025-01-01"),
            bus("E2", "lng", "2025-01-01"),
        ),
    )
    in_file, stored = (r["message"].split(" / ")[0] for r in rep.rejected)  # the file's own clash is found first
    assert stored == "号牌或自编号：E1 已登记且内容不同（运营单位、燃料），未覆盖；如需修改请勾选“更新已有”"
    assert in_file == "号牌或自编号：E2 与第 3 行相同但内容不同"
    assert [r["line"] for r in rep.rejected] == [4, 2] and rep.accepted == 1


def test_bad_rows_are_reported_with_line_and_field_good_rows_kept(plan, office):
    rep = services.import_vehicles(
        office,
        plan,
        rows(
            bus("D1", "bev", "2025-01-05"),
            bus("D2", "steam", "2025-01-05"),
            bus("D3", "bev", "2025-02-30"),
            bus("D4", "bev", "2025-01-05", use="tram"),
        ),
    )
    assert rep.accepted == 1
    assert [(r["line"], r["field"]) for r in rep.rejected] == [(3, "fuel"), (4, "registered_on"), (5, "use")]


def test_a_department_other_than_transport_cannot_import(plan, fgj, jiaotong):
    with pytest.raises(PermissionDenied):
        services.import_vehicles(fgj, plan, FLEET)
    assert services.import_vehicles(jiaotong, plan, FLEET).accepted == 5


# --- charging -----------------------------------------------------------------------------------------------
def site(site_id, kind, chargers, on, off="", name=None):
    return {
        "site_id": site_id,
        "name": name or site_id,
        "kind": kind,
        "chargers": str(chargers),
        "power_kw": "120",
        "commissioned_on": on,
        "retired_on": off,
    }


def test_service_area_coverage_counts_chargers_in_service_on_31_december(plan, jiaotong):
    rep = services.import_chargers(
        jiaotong,
        plan,
        rows(
            site("S1", "高速公路服务区", 4, "2024-06-30"),
            site("S2", "service_area", 2, "2023-01-01", "2025-12-31"),  # retired on 31 Dec 2025: not in service
            site("S3", "service_area", 0, ""),  # no charger yet
            site("S4", "service_area", 2, "2026-01-01"),  # commissioned after the year
            site("P1", "公共停车场", 10, "2024-01-01"),
        ),
    )
    assert rep.as_dict()["rejected"] == [] and rep.accepted == 5
    c = figures.charging(plan, 2025)
    # S1 only of S1..S4 → 1 ÷ 4 = 25.00 %
    assert (c["service_areas"], c["service_areas_with_chargers"], c["service_area_charging_pct"]) == (
        4,
        1,
        Decimal("25.00"),
    )
    assert c["chargers_in_service"] == 14  # S1 4 + P1 10
    # 2024: S1 (from 30 June) and S2 (retired only at the end of 2025) → 2 ÷ 4 = 50.00 %
    assert figures.charging(plan, 2024)["service_area_charging_pct"] == Decimal("50.00")


# --- gas storage --------------------------------------------------------------------------------------------
TANKS = rows(
    {
        "facility_id": "T1",
        "operator": "昆仑燃气",
        "capacity_m3": "30000",
        "in_service_on": "2024-01-01",
        "leased": "否",
    },
    {
        "facility_id": "T2",
        "operator": "昆仑燃气",
        "capacity_m3": "20000",
        "in_service_on": "2024-06-01",
        "leased": "是",
    },
    {
        "facility_id": "T3",
        "operator": "燃气公司",
        "capacity_m3": "10000",
        "in_service_on": "2020-01-01",
        "retired_on": "2024-12-31",
    },
)


def test_leased_tank_counts_leap_year_and_demand_entered_by_hand_is_labelled(plan, fgj):
    assert services.import_facilities(fgj, plan, TANKS).accepted == 3
    s = figures.storage(plan, 2024)
    assert s["storage_days"] is None and s["annual_demand_m3"] is None and s["demand_source"] is None
    assert [c["code"] for c in s["checks"]] == ["no_gas_demand"]
    services.set_gas_demand(fgj, plan, 2024, "3660000", "燃气公司2024年报")
    s = figures.storage(plan, 2024)
    assert s["capacity_m3"] == Decimal(50000) and s["leased_m3"] == Decimal(20000)
    assert s["days_in_year"] == 366
    assert s["storage_days"] == Decimal("5.0")  # 50 000 ÷ (3 660 000 ÷ 366)
    assert s["demand_source"] == "发改局填报（无已审定核算）：燃气公司2024年报" and s["demand_kind"] == "entered"
    # the day count matters: 500 000 m³ a year, 50 000 m³ stored → 50 000 ÷ (500 000 ÷ 366) = 36.6 in 2024,
    # 50 000 ÷ (500 000 ÷ 365) = 36.5 in 2025 (T3 retired on 31 Dec 2024 is out of both)
    services.set_gas_demand(fgj, plan, 2024, "500000", "更正")
    services.set_gas_demand(fgj, plan, 2025, "500000", "估算")
    assert figures.storage(plan, 2024)["storage_days"] == Decimal("36.6")
    assert figures.storage(plan, 2025)["storage_days"] == Decimal("36.5")


def test_demand_from_the_approved_inventory_comes_first(plan, office, fgj):
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, numbered, row

    services.import_facilities(fgj, plan, TANKS)
    services.set_gas_demand(fgj, plan, 2023, "999", "不应使用")
    inv = acc.create_inventory(office, plan, 2023)
    lines = [*BASE_ROWS, row("services.other", "natural_gas", "10k_m3", "365")]  # 3 650 000 m³
    params = [(None, "gdp_10k_yuan", "1000000"), (None, "coal_equivalent_kgce_per_kwh", "0.30")]
    acc.import_activity(office, inv, numbered(lines), params)
    assert figures.storage(plan, 2023)["demand_kind"] == "entered"  # a draft inventory is not used
    acc.approve(office, inv)
    s = figures.storage(plan, 2023)
    # in service on 31 Dec 2023: T3 only (10 000 m³); 3 650 000 ÷ 365 = 10 000 a day → 1.0 day
    assert (s["capacity_m3"], s["annual_demand_m3"], s["storage_days"]) == (
        Decimal(10000),
        Decimal(3650000),
        Decimal("1.0"),
    )
    assert s["demand_kind"] == "inventory" and s["demand_source"].startswith("2023年能源核算（已审定）")


def test_demand_needs_a_source_and_a_positive_figure(plan, fgj):
    with pytest.raises(ValidationFailed) as e:
        services.set_gas_demand(fgj, plan, 2024, "-5", "")
    assert {i.field for i in e.value.issues} == {"m3", "source"}


def test_coverage_sums_townships(plan, fgj):
    rep = services.import_coverage(
        fgj,
        plan,
        rows(
            {"year": "2025", "township": "城关镇", "population": "100000", "covered": "80000"},
            {"year": "2025", "township": "下东街道", "population": "50000", "covered": "10000"},
            {"year": "2025", "township": "马江镇", "population": "100", "covered": "200"},
        ),
    )
    assert rep.accepted == 2 and [(r["line"], r["field"]) for r in rep.rejected] == [(4, "covered")]
    g = figures.gas_coverage(plan, 2025)
    # 90 000 ÷ 150 000 = 60.00 %
    assert (g["population"], g["covered"], g["gasification_pct"]) == (150000, 90000, Decimal("60.00"))


# --- approval feeds the targets; reopening retracts ---------------------------------------------------------
def test_transport_year_feeds_the_clean_bus_target_and_reopening_retracts(plan, jiaotong, fgj):
    services.import_vehicles(jiaotong, plan, FLEET)
    with pytest.raises(PermissionDenied):
        services.approve_year(fgj, plan, "transport", 2025)  # 发改局 is not the transport lead
    my, skipped = services.approve_year(jiaotong, plan, "transport", 2025)
    assert skipped == [] and my.status == "approved"
    v = value(plan, "new_bus_clean_share", 2025)
    assert v.value == Decimal("0.6667") and v.source == "module"
    assert "新增公交车3辆" in v.source_detail and "2辆" in v.source_detail
    assert value(plan, "service_area_charging", 2025) is None  # no service area listed: nothing fed
    assert services.reopen_year(jiaotong, plan, "transport", 2025, "车辆数据更正") == 1
    assert value(plan, "new_bus_clean_share", 2025) is None
    with pytest.raises(ValidationFailed):
        services.reopen_year(jiaotong, plan, "transport", 2025, "again")


def test_gas_year_feeds_storage_days_and_gasification(plan, fgj):
    services.import_facilities(fgj, plan, TANKS)
    services.set_gas_demand(fgj, plan, 2024, "3660000", "燃气公司2024年报")
    services.import_coverage(
        fgj, plan, rows({"year": "2024", "township": "城关镇", "population": "1000", "covered": "625"})
    )
    services.approve_year(fgj, plan, "gas", 2024)
    days = value(plan, "gas_storage_days", 2024)
    assert days.value == Decimal("5.0") and "含租赁" in days.source_detail and "发改局填报" in days.source_detail
    assert value(plan, "gasification_share", 2024).value == Decimal("0.625")
    assert services.reopen_year(fgj, plan, "gas", 2024, "用气量更正") == 2
    assert value(plan, "gas_storage_days", 2024) is None


def test_operating_vehicle_reduction_against_the_base_year(plan, jiaotong):
    # base 2020: 1 000 t diesel, 10 000 000 t·km + 0 pkm; 2025: 940 t diesel, same turnover → 6 % less energy
    # and (same carrier, same factor) 6 % less CO2 per 10 000 t·km
    def op(year, qty):
        return {
            "operator": "示例客运",
            "year": str(year),
            "carrier": "diesel",
            "unit": "t",
            "quantity": qty,
            "passenger_km": "0",
            "tonne_km": "10000000",
        }

    rep = services.import_operators(jiaotong, plan, rows(op(2020, "1000"), op(2025, "940")))
    assert rep.as_dict()["rejected"] == []
    o = figures.operating(plan, 2025, base_year=2020)
    assert o["energy_reduction"].quantize(Decimal("0.0000001")) == Decimal("0.0600000")
    assert o["co2_reduction"].quantize(Decimal("0.0000001")) == Decimal("0.0600000")
    # diesel 1.4571 kgce/kg: 1 000 t → 1 457.1 tce over 1 000 × 10 000 t·km → 1.4571 tce per 10 000 t·km
    assert o["base"]["energy_tce_per_10k_tkm"].quantize(Decimal("0.0001")) == Decimal("1.4571")
    assert o["tkm_per_pkm"] == Decimal("0.1") and "换算系数" in o["tkm_per_pkm_source"]


def _op(operator, year, carrier, unit, qty, **turnover):
    return {"operator": operator, "year": str(year), "carrier": carrier, "unit": unit, "quantity": qty, **turnover}


def test_operator_import_is_idempotent_and_reports_conflicts_per_row(plan, jiaotong):
    from carbonpeak.audit.models import AuditEntry
    from carbonpeak.transport.models import OperatorEnergy, OperatorYear

    first = rows(
        _op("甲客运", 2025, "diesel", "t", "90", passenger_km="10000000"),
        _op("甲客运", 2025, "electricity", "kWh", "100000"),
        _op("甲客运", 2025, "diesel", "t", "90"),  # the same row again: a duplicate
        _op("甲客运", 2025, "diesel", "t", "95"),  # same operator, year and carrier, another quantity
        _op("甲客运", 2025, "gasoline", "t", "1", passenger_km="9000000"),  # another turnover than line 2
    )
    rep = services.import_operators(jiaotong, plan, first)
    assert (rep.accepted, rep.duplicates) == (2, 1)
    assert [(r["line"], r["field"]) for r in rep.rejected] == [(5, "quantity"), (6, "passenger_km")]
    assert rep.rejected[0]["message"].startswith("数量：甲客运 2025 年 diesel 与第 2 行重复但数值不同")
    oy = OperatorYear.objects.get(plan=plan, operator="甲客运", year=2025)
    assert oy.passenger_km == Decimal(10000000)
    assert OperatorEnergy.objects.get(operator_year=oy, carrier="diesel").quantity == Decimal(90)
    assert not OperatorEnergy.objects.filter(operator_year=oy, carrier="gasoline").exists()
    # the same file again changes nothing (the good rows are duplicates, the bad ones rejected again)
    again = services.import_operators(jiaotong, plan, first)
    assert (again.accepted, again.duplicates, len(again.rejected)) == (0, 3, 2)
    # a stored quantity or turnover with another value is a conflict, not overwritten, unless update
    change = rows(_op("甲客运", 2025, "diesel", "t", "88", passenger_km="11000000"))
    rep = services.import_operators(jiaotong, plan, change)
    assert rep.accepted == 0 and rep.rejected[0]["field"] == "quantity"
    assert "已登记为 90 t" in rep.rejected[0]["message"]
    rep = services.import_operators(jiaotong, plan, rows(_op("甲客运", 2025, "diesel", "t", "90", passenger_km="1")))
    assert rep.accepted == 0 and rep.rejected[0]["field"] == "passenger_km"
    assert "已登记为 10000000" in rep.rejected[0]["message"]
    n = AuditEntry.objects.filter(action="transport.operator.set").count()
    rep = services.import_operators(jiaotong, plan, change, update=True)
    assert rep.as_dict() == {"accepted": 1, "duplicates": 0, "rejected": []}
    oy.refresh_from_db()
    assert oy.passenger_km == Decimal(11000000)
    assert OperatorEnergy.objects.get(operator_year=oy, carrier="diesel").quantity == Decimal(88)
    ev = AuditEntry.objects.filter(action="transport.operator.set").order_by("-pk").first()
    assert AuditEntry.objects.filter(action="transport.operator.set").count() == n + 1
    assert ev.before == {"passenger_km": "10000000.000000", "carrier": "diesel", "unit": "t", "quantity": "90.000000"}


def test_reported_figures_check_their_units(plan, jiaotong):
    with pytest.raises(ValidationFailed) as e:
        services.set_reported(jiaotong, plan, 2025, "public_transport_share", "0.35x", "")
    assert {i.field for i in e.value.issues} == {"value", "source"}
    with pytest.raises(ValidationFailed) as e:
        services.set_reported(jiaotong, plan, 2025, "public_transport_share", "135", "统计公报")
    assert e.value.issues[0].message_zh == "数值：分担率按百分数填写，0 到 100"
    with pytest.raises(ValidationFailed):
        services.set_reported(jiaotong, plan, 2025, "shared_bikes", "12.5", "运营企业报送")
    obj = services.set_reported(jiaotong, plan, 2025, "public_transport_share", "35.5", "统计公报")
    assert obj.value == Decimal("35.5") and obj.source == "统计公报"


def test_operating_intensity_per_operator_and_for_the_county(plan, jiaotong):
    # 2020: 示例客运 1 000 t diesel over 10 000 000 t·km → 1 457.1 tce, 1.4571 tce per 10 000 t·km.
    # 2025: 示例客运 940 t over 10 000 000 t·km (1 369.674 tce, 1.369674); 乙公交 50 t over 10 000 000 passenger-km
    # = 1 000 000 t·km at 0.1 (72.855 tce, 0.72855). County: 990 t = 1 442.529 tce over 11 000 000 t·km
    # = 1.311390 tce per 10 000 t·km = 0.9 × 1.4571 → 10 % less energy (diesel only: 10 % less CO2 too).
    rep = services.import_operators(
        jiaotong,
        plan,
        rows(
            _op("示例客运", 2020, "diesel", "t", "1000", tonne_km="10000000"),
            _op("示例客运", 2025, "diesel", "t", "940", tonne_km="10000000"),
            _op("乙公交", 2025, "diesel", "t", "50", passenger_km="10000000"),
        ),
    )
    assert rep.as_dict() == {"accepted": 3, "duplicates": 0, "rejected": []}
    o = figures.operating(plan, 2025, base_year=2020)
    by_op = {x["operator"]: x for x in o["current"]["operators"]}
    assert (by_op["乙公交"]["turnover_tkm_equivalent"], by_op["乙公交"]["energy_tce"]) == (1000000, Decimal("72.855"))
    assert by_op["乙公交"]["energy_tce_per_10k_tkm"] == Decimal("0.728550")
    assert by_op["示例客运"]["energy_tce_per_10k_tkm"] == Decimal("1.369674")
    cur = o["current"]
    assert (cur["turnover_tkm_equivalent"], cur["energy_tce"]) == (11000000, Decimal("1442.529"))
    assert cur["energy_tce_per_10k_tkm"] == Decimal("1.311390")
    assert (o["energy_reduction"], o["co2_reduction"]) == (Decimal("0.100000"), Decimal("0.100000"))


def test_coal_consumption_is_computed_by_the_accounts(plan, office):
    from carbonpeak.accounting import indicators
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, numbered

    # the county adds a coal cap to its plan (the shipped plan has none)
    cap = plan.targets.create(
        code="coal_consumption_cap",
        name="煤炭消费量",
        unit="tce",
        direction="decrease",
        source="测试",
        indicator="coal_consumption",
    )
    inv = acc.create_inventory(office, plan, 2023)
    params = [(None, "gdp_10k_yuan", "1000000"), (None, "coal_equivalent_kgce_per_kwh", "0.30")]
    acc.import_activity(office, inv, numbered(BASE_ROWS), params)
    acc.approve(office, inv)
    fed = IndicatorValue.objects.get(target=cap, year=2023)
    assert fed.value == Decimal("71430") and fed.source == "accounting"
    acc.reopen(office, inv, "更正")
    assert not IndicatorValue.objects.filter(target=cap, year=2023).exists()
    acc.approve(office, inv)
    c = indicators.compute_indicator(plan, "coal_consumption", 2020, 2023, indicators.approved_results(plan))
    # raw coal 100 000 t × 0.7143 kgce/kg = 71 430 tce
    assert c.value == Decimal("71430") and "煤炭消费量" in c.detail


# --- 碳普惠: the bus fleet's factor in a methodology version ------------------------------------------------
def test_green_travel_methodology_takes_the_bus_fleets_factor_with_its_source(plan, office):
    from carbonpeak.inclusion import config
    from carbonpeak.inclusion.models import Scenario
    from carbonpeak.transport.reads import bus_fleet_factor

    services.import_vehicles(office, plan, FLEET)  # 茶陵公交 runs buses (BEV, PHEV, diesel)
    assert bus_fleet_factor(plan, 2025) is None  # no operating data yet: nothing invented
    services.import_operators(
        office,
        plan,
        rows(
            {
                "operator": "茶陵公交",
                "year": "2025",
                "carrier": "diesel",
                "unit": "t",
                "quantity": "100",
                "passenger_km": "10000000",
            }
        ),
    )
    f = bus_fleet_factor(plan, 2025)
    # 100 t diesel × 3.0959 tCO2/t = 309.59 t = 309 590 kg ÷ 10 000 000 pkm = 0.030959 kgCO2/pkm
    assert f.kgco2_per_pkm.quantize(Decimal("0.0001")) == Decimal("0.0310")
    # in service on 31 Dec 2025: B1 (BEV), B2 (PHEV), B3 and B4 (diesel)
    assert f.fuel_mix == {"bev": 1, "diesel": 2, "phev": 1}
    assert "茶陵公交" in f.source and "纯电动25%" in f.source and "柴油50%" in f.source
    config.load_defaults(office, plan)
    sc = Scenario.objects.get(plan=plan, code="green_travel")
    spec = {
        "code": "bus",
        "name": "乘坐公交（对比小汽车）",
        "kind": "distance",
        "unit": "km",
        "points_per_gco2": "0.01",
        "params": {
            "baseline_kgco2_per_km": {"value": "0.135", "unit": "kgCO2/km", "source": "小汽车排放因子"},
            "mode_kgco2_per_km": {"from": "transport.bus_fleet", "year": 2025},
        },
        # (0.135 − 0.030959) × 10 km × 1000 = 1 040.41 g × 0.01 = 10 points
        "golden_cases": [{"quantity": "10", "points": 10}],
    }
    m = config.publish_methodology(office, sc, spec)
    p = m.params["mode_kgco2_per_km"]
    assert p["value"] == str(f.kgco2_per_pkm) and p["source"] == f.source and p["from"] == "transport.bus_fleet"
    assert m.version == 2 and m.effective_from > m.published_at.date()  # a new version, after its notice period
    spec["params"]["mode_kgco2_per_km"] = {"from": "transport.bus_fleet", "year": 2019}
    with pytest.raises(ValidationFailed) as e:
        config.publish_methodology(office, sc, spec)
    assert e.value.issues[0].field == "params.mode_kgco2_per_km"


def test_zones_are_listed_in_the_dispatch_round_report(plan, fgj, office):
    import datetime as dt

    from carbonpeak.plan.models import DispatchRound
    from carbonpeak.plan.reports import round_context

    services.save_zone(fgj, plan, "no_burn", "县城建成区", "三个街道", "2023-01-01")
    services.save_zone(fgj, plan, "no_coal", "旧城改造区", "", "2020-01-01", "2024-12-31")  # ended before 2025
    rnd = DispatchRound.objects.create(plan=plan, year=2025, quarter=1, due_date=dt.date(2025, 4, 15))
    sec = next(s for s in round_context(rnd)["sections"] if "禁燃区" in s["title"])
    assert sec["rows"] == [["高污染燃料禁燃区", "县城建成区", "三个街道", "2023-01-01", "—"]]
    with pytest.raises(PermissionDenied):
        services.save_zone(
            office.__class__.objects.create(username="x", role="auditor", plan=plan),
            plan,
            "no_burn",
            "a",
            "",
            "2025-01-01",
        )


# --- an approved year stays as approved: a write that would change what it fed is refused -------------------
def test_a_write_that_would_change_an_approved_year_is_refused_until_it_is_reopened(plan, jiaotong):
    services.import_vehicles(jiaotong, plan, FLEET)
    services.approve_year(jiaotong, plan, "transport", 2025)  # 2 clean of 3 new buses: 66.67 %
    late = rows(bus("B5", "bev", "2025-09-01"), bus("B6", "diesel", "2026-03-01"))
    rep = services.import_vehicles(jiaotong, plan, late)
    # B5 would make 2025 3 of 4 = 75.00 %: nothing of the file is stored, the year and both values named
    assert rep.accepted == 0 and [(r["line"], r["field"]) for r in rep.rejected] == [(None, "year")]
    msg = rep.rejections()[0][2]
    assert "已审定的 2025 年" in msg and "66.67% → 75.00%" in msg and "先退回 2025 年" in msg
    assert not Vehicle.objects.filter(plan=plan, plate__in=["B5", "B6"]).exists()
    assert value(plan, "new_bus_clean_share", 2025).value == Decimal("0.6667")
    # the same file as stored changes nothing and passes; a later year alone is accepted
    assert services.import_vehicles(jiaotong, plan, FLEET).as_dict() == {
        "accepted": 0, "duplicates": 5, "rejected": []
    }  # fmt: skip
    assert services.import_vehicles(jiaotong, plan, rows(bus("B6", "diesel", "2026-03-01"))).accepted == 1
    # reopened, the 2025 bus goes in
    services.reopen_year(jiaotong, plan, "transport", 2025, "补录9月新增公交车")
    assert services.import_vehicles(jiaotong, plan, rows(bus("B5", "bev", "2025-09-01"))).accepted == 1
    assert figures.fleet(plan, 2025)["new_bus_clean_share_pct"] == Decimal("75.00")


def test_gas_demand_or_a_tank_that_would_change_approved_storage_days_is_refused(plan, fgj):
    services.import_facilities(fgj, plan, TANKS)
    services.set_gas_demand(fgj, plan, 2024, "3660000", "燃气公司2024年报")
    services.approve_year(fgj, plan, "gas", 2024)  # 5.0 days
    with pytest.raises(ValidationFailed) as e:
        services.set_gas_demand(fgj, plan, 2024, "1830000", "更正")
    assert "已审定的 2024 年" in e.value.issues[0].message_zh and "5 → 10" in e.value.issues[0].message_zh
    # a tank in service since 2023 also counts on 31 December 2024: refused; one from 2025 on is not
    tank = rows({"facility_id": "T9", "operator": "新奥燃气", "capacity_m3": "10000", "in_service_on": "2023-05-01"})
    assert services.import_facilities(fgj, plan, tank).accepted == 0
    tank[0][1]["in_service_on"] = "2025-01-01"
    assert services.import_facilities(fgj, plan, tank).accepted == 1
    assert services.set_gas_demand(fgj, plan, 2025, "3650000", "燃气公司2025年报").year == 2025
