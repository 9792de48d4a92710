"""The registry import, energy from bills and from meters, intensities, benchmark lights at their bounds, the
public institutions' ranking, rooftop potential and the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.buildings import figures, services
from carbonpeak.buildings.models import Building
from carbonpeak.core import buildings as calc
from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises.models import Enterprise, Meter, MonthlyRollup
from carbonpeak.validation import ValidationFailed

B_HEADER = ("building_id", "name", "township", "use", "ownership", "floor_area_m2", "occupants", "roof_area_m2")


def brow(n, *values):
    return (n, dict(zip(B_HEADER, values, strict=True)))


REGISTRY = [
    brow(2, "JZ-1", "县政府办公楼", "云阳街道", "office", "government", "1000", "50", "400"),
    brow(3, "JZ-2", "县一中教学楼", "云阳街道", "教育建筑", "公共机构", "2000", "", "1000"),
    brow(4, "JZ-3", "示例商场", "下东街道", "commercial", "private", "5000", "", ""),
]


@pytest.fixture
def zhujian(make_user, plan):
    return make_user("zhujian", "department", plan.departments.get(code="housing_construction"))


@pytest.fixture
def jiguan(make_user, plan):
    return make_user("jiguan", "department", plan.departments.get(code="government_affairs_center"))


@pytest.fixture
def registry(plan, zhujian):
    rep = services.import_buildings(zhujian, plan, REGISTRY)
    assert rep.as_dict() == {"accepted": 3, "duplicates": 0, "rejected": []}
    return {b.building_id: b for b in Building.objects.filter(plan=plan)}


def bill(n, bid, month, carrier, unit, q):
    return (n, {"building_id": bid, "month": month, "carrier": carrier, "unit": unit, "quantity": q})


def test_registry_rules(plan, zhujian, registry):
    b = registry["JZ-2"]
    assert (b.use, b.ownership, b.get_use_display(), b.occupants) == ("school", "public_institution", "教育建筑", None)
    again = services.import_buildings(zhujian, plan, REGISTRY)
    assert (again.accepted, again.duplicates) == (0, 3)
    changed = [brow(2, "JZ-1", "县政府办公楼", "云阳街道", "office", "government", "1100", "50", "400")]
    rep = services.import_buildings(zhujian, plan, changed)
    assert rep.rejected[0]["line"] == 2 and "floor_area_m2" in rep.rejected[0]["message"]
    assert services.import_buildings(zhujian, plan, changed, update=True).accepted == 1
    bad = services.import_buildings(
        zhujian,
        plan,
        [
            brow(2, "JZ-9", "x", "镇", "castle", "government", "1", "", ""),
            brow(3, "JZ-9", "x", "镇", "office", "state", "1", "", ""),
            brow(4, "JZ-9", "x", "镇", "office", "private", "-1", "", ""),
            brow(5, "JZ-9", "x", "镇", "office", "private", "1", "1.5", ""),
        ],
    )
    assert [(r["line"], r["field"]) for r in bad.rejected] == [
        (2, "use"),
        (3, "ownership"),
        (4, "floor_area_m2"),
        (5, "occupants"),
    ]
    # the refused value is quoted as the official typed it, not as a Python repr ('castle')
    assert bad.rejected[0]["message"] == (
        "use：“castle”不是可选的建筑用途 / use: “castle” is not one of the listed uses"
    )
    unknown = services.import_bills(zhujian, plan, [bill(2, "JZ-404", "2025-01", "electricity", "kWh", "1")])
    assert unknown.rejected[0]["message"] == (
        "building_id：未登记的建筑“JZ-404” / building_id: “JZ-404” is not a registered building"
    )


def test_intensity_from_bills(plan, zhujian, registry):
    # JZ-1, 1 000 m²: 100 000 kWh in January 2025 × 0.1229 kgce/kWh (calorific) = 12 290 kgce → 12.29 kgce/m²,
    # and 12 290 ÷ 0.1229 ÷ 1 000 = 100.00 kWh/m²; 1 000 m³ natural gas in February × 1.33 = 1 330 kgce.
    rep = services.import_bills(
        zhujian,
        plan,
        [
            bill(2, "JZ-1", "2025-01", "electricity", "kWh", "100000"),
            bill(3, "JZ-1", "2025-02", "natural_gas", "m3", "1000"),
            bill(4, "JZ-1", "2024-01", "electricity", "kWh", "80000"),
            bill(5, "JZ-X", "2025-01", "electricity", "kWh", "1"),
            bill(6, "JZ-1", "2025-13", "electricity", "kWh", "1"),
        ],
    )
    assert (rep.accepted, [(r["line"], r["field"]) for r in rep.rejected]) == (3, [(5, "building_id"), (6, "month")])
    e = figures.energy(plan, 2025)["buildings"][registry["JZ-1"].pk]
    assert e["months_kgce"][0] == Decimal("12290") and e["months_kgce"][1] == Decimal("1330")
    row = next(r for r in figures.intensities(plan, 2025) if r["building"].building_id == "JZ-1")
    # 13 620 kgce ÷ 1 000 m² = 13.62; ÷ 0.1229 = 110.8218… kWh/m² → 110.82
    assert (row["kgce"], row["eui_kgce_per_m2"], row["eui_kwh_per_m2"]) == (
        Decimal("13620"),
        Decimal("13.62"),
        Decimal("110.82"),
    )
    # year on year: 2024 had 80 000 kWh = 9 832 kgce; (13 620 − 9 832) ÷ 9 832 × 100 = 38.527… → 38.53 %
    assert row["yoy_pct"] == Decimal("38.53")
    assert row["light"] is None  # no benchmark entered


def test_benchmark_lights_at_bounds(plan, zhujian, registry):
    services.import_bills(zhujian, plan, [bill(2, "JZ-1", "2025-01", "electricity", "kWh", "100000")])  # 12.29
    services.set_benchmark(zhujian, plan, "office", 2024, "12.29", "20", "示例：县住建局测算（演示）")

    def light():
        return next(r for r in figures.intensities(plan, 2025) if r["building"].building_id == "JZ-1")["light"]

    assert light() == "green"  # at the guide value
    services.set_benchmark(zhujian, plan, "office", 2024, "10", "12.29", "示例")
    assert light() == "yellow"  # at the limit
    services.set_benchmark(zhujian, plan, "office", 2024, "10", "12.28", "示例")
    assert light() == "red"
    assert [r["building"].building_id for r in figures.worst(plan, 2025)] == ["JZ-1"]
    assert (
        calc.light(Decimal("12.29"), Decimal("12.29"), Decimal(20)),
        calc.light(Decimal("12.30"), Decimal("12.29"), Decimal(20)),
    ) == ("green", "yellow")
    with pytest.raises(ValidationFailed):
        services.set_benchmark(zhujian, plan, "office", 2024, "20", "10", "示例")  # limit below guide
    with pytest.raises(ValidationFailed):
        services.set_benchmark(zhujian, plan, "office", 2024, "10", "20", "")  # no source


def test_meter_rollups_count(plan, zhujian, registry):
    """A building's meter is an enterprise-app meter of the unit running it: its roll-ups are the energy, and
    a bill of the same month and carrier is not counted twice."""
    unit = Enterprise.objects.create(
        plan=plan, uscc=make_uscc("12430224", "MB1C0001"), name="县机关事务中心", industry_code="9221"
    )
    m = Meter.objects.create(enterprise=unit, meter_code="JZ1-E", carrier="electricity", unit="kWh", multiplier=2)
    services.link_meter(zhujian, registry["JZ-1"], m)
    MonthlyRollup.objects.create(
        meter=m,
        month=dt.date(2025, 3, 1),
        quantity=Decimal(500),
        readings=1,
        last_reading_at=dt.datetime(2025, 3, 31, tzinfo=dt.UTC),
    )
    services.import_bills(zhujian, plan, [bill(2, "JZ-1", "2025-03", "electricity", "kWh", "999999")])
    e = figures.energy(plan, 2025)["buildings"][registry["JZ-1"].pk]
    assert e["months_kgce"][2] == Decimal("122.9")  # 500 × 2 × 0.1229, not the bill
    with pytest.raises(ValidationFailed):
        services.link_meter(zhujian, registry["JZ-2"], m)


def test_institutions_ranked_and_targets(plan, zhujian, jiguan, registry):
    services.import_bills(
        zhujian,
        plan,
        [
            bill(2, "JZ-1", "2025-01", "electricity", "kWh", "100000"),  # 12 290 kgce / 1 000 m² = 12.29; / 50 = 245.80
            bill(3, "JZ-2", "2025-01", "electricity", "kWh", "400000"),  # 49 160 / 2 000 = 24.58
            bill(4, "JZ-3", "2025-01", "electricity", "kWh", "900000"),  # private: not listed
        ],
    )
    with pytest.raises(PermissionDenied):
        services.set_institution_target(zhujian, plan, 2025, "300", "20", "示例")
    services.set_institution_target(jiguan, plan, 2025, "240", "20", "示例：县机关事务中心年度目标（演示）")
    out = figures.institutions(plan, 2025)
    assert [(r["building"].building_id, r["eui_kgce_per_m2"]) for r in out["rows"]] == [
        ("JZ-2", Decimal("24.58")),
        ("JZ-1", Decimal("12.29")),
    ]
    jz1 = out["rows"][1]
    assert (jz1["kgce_per_capita"], jz1["over_capita"], jz1["over_m2"]) == (Decimal("245.80"), True, False)
    assert out["rows"][0]["over_m2"] is True
    # all public: 61 450 kgce ÷ 3 000 m² = 20.4833… → 20.48
    assert out["kgce_per_m2"] == Decimal("20.48")
    item = services.set_checklist_item(jiguan, registry["JZ-1"], 2025, "公务用车节能", True, "")
    assert item.done
    with pytest.raises(ValidationFailed):
        services.set_checklist_item(jiguan, registry["JZ-3"], 2025, "公务用车节能", True)  # private building


def test_rooftop_potential(plan, zhujian, registry):
    Building.objects.filter(pk=registry["JZ-1"].pk).update(pv_kw=Decimal("30"))
    services.set_rooftop(zhujian, plan, "60", "0.15", "示例：县发改局屋顶光伏测算口径（演示）")
    out = figures.rooftop(plan, 2025)
    # 400 × 0.6 × 0.15 = 36 kW; 1 000 × 0.6 × 0.15 = 90 kW; installed 30 of 126 → 23.81 %
    assert sorted((r["building"].building_id, r["potential_kw"]) for r in out["rows"]) == [
        ("JZ-1", Decimal("36.00")),
        ("JZ-2", Decimal("90.00")),
    ]
    assert (out["installed_kw"], out["potential_kw"], out["installed_share_pct"]) == (
        Decimal(30),
        Decimal("126.00"),
        Decimal("23.81"),
    )


def test_export_rows(plan, zhujian, registry):
    services.import_bills(zhujian, plan, [bill(2, "JZ-1", "2025-01", "electricity", "kWh", "100000")])
    rows = figures.export_rows(plan, 2025)
    assert [(r["building_id"], r["month"], r["kgce"]) for r in rows] == [
        ("JZ-1", 1, "12290.00"),
        ("JZ-2", None, None),
        ("JZ-3", None, None),
    ]
    assert set(rows[0]) == set(figures.EXPORT_COLUMNS)


def test_building_meter_uses_the_monitoring_machinery_unchanged(plan, office, zhujian, registry):
    """A building meter registered like any enterprise meter: readings through the ingest the signed API calls
    build the roll-ups this module reads, and the silent-meter check raises its alert."""
    from carbonpeak.enterprises import monitoring
    from carbonpeak.enterprises import services as ent

    uscc = make_uscc("12430224", "MB1C0002")
    ent.import_enterprises(office, plan, [(2, {"uscc": uscc, "name": "县机关事务中心", "industry_code": "9221"})])
    ent.import_meters(
        office, plan, [(2, {"uscc": uscc, "meter_code": "JZ1-E", "carrier": "electricity", "unit": "kWh"})]
    )
    m = Meter.objects.get(meter_code="JZ1-E")
    services.link_meter(zhujian, registry["JZ-1"], m)
    rep = ent.ingest_readings(
        plan,
        [
            (1, {"meter_code": "JZ1-E", "reading_time": "2025-01-31T12:00:00+08:00", "quantity": "600"}),
            (2, {"meter_code": "JZ1-E", "reading_time": "2025-02-01T00:00:00+08:00", "quantity": "400"}),  # January's
        ],
    )
    assert rep.accepted == 2
    e = figures.energy(plan, 2025)["buildings"][registry["JZ-1"].pk]
    assert e["months_kgce"][0] == Decimal("122.9")  # 1 000 kWh × 0.1229
    out = monitoring.check_silent_meters(plan, now=dt.datetime(2025, 3, 2, tzinfo=dt.UTC), notify_by_mail=False)
    assert "JZ1-E" in out["opened"]
