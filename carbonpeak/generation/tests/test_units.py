"""The generation-unit register: the import (duplicates, conflicts, --update), the year-end capacity at its
bounds (31 December / 1 January, a unit retired on 31 December, storage apart, half-up rounding) and the feed
to the new_energy_capacity targets. Every figure below is worked by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.audit.models import AuditEntry
from carbonpeak.generation import fetch
from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.models import Unit
from carbonpeak.generation.services import feed_capacity, import_units, parse_date
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.tabular import read_rows

pytestmark = pytest.mark.django_db

FIXTURE = (
    "unit_id,type,township,capacity_mw,connected_on,retired_on,project_code,owner\n"
    "PV-1,pv,城关镇,100.0005,2024-12-31,,P01.1,示例光伏公司\n"  # 2: connected on 31 December 2024: counts in 2024
    "WD-1,wind,严塘镇,50,2025-01-01,,P01.4,\n"  # 3: connected on 1 January 2025: not in 2024
    "HY-1,水电,秩堂镇,20,2020-05-01,2024-12-31,,\n"  # 4: retired on 31 December 2024: not in 2024
    "ST-1,储能,城关镇,10,2024-06-01,,,\n"  # 5: storage: never in the total
    "PV-1,pv,城关镇,100.0005,2024-12-31,,P01.1,示例光伏公司\n"  # 6: the same as line 2: a duplicate
    "WD-1,wind,严塘镇,55,2025-01-01,,P01.4,\n"  # 7: WD-1 of line 3 with another capacity: a conflict
    "TH-1,火电,下东街道,300,2015-01-01,,,\n"  # 8: not a unit type
)
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(fetch, "beijing_today", lambda: TODAY)


def rows(text: str):
    return read_rows(text.encode(), UNITS, "units.csv")


def fed(plan, year: int, code: str = "new_energy_capacity") -> IndicatorValue | None:
    return IndicatorValue.objects.filter(target__plan=plan, target__code=code, year=year, quarter__isnull=True).first()


def test_import_reports_duplicates_conflicts_and_bad_rows(plan, office):
    rep = import_units(office, plan, rows(FIXTURE))
    assert (rep.accepted, rep.duplicates) == (4, 1)
    assert [(r["line"], r["field"]) for r in rep.as_dict()["rejected"]] == [(7, "unit_id"), (8, "type")]
    assert "第 3 行" in rep.rejected[0]["message"]
    wd = Unit.objects.get(plan=plan, unit_id="WD-1")
    assert wd.capacity_mw == Decimal("50") and wd.project.code == "P01.4"  # line 3 kept, line 7 refused
    assert Unit.objects.get(unit_id="HY-1").type == "hydro"  # the Chinese label read
    assert AuditEntry.objects.filter(action="generation_unit.create").count() == 4
    # the same file again changes nothing: every good row is now a duplicate (line 6 too)
    again = import_units(office, plan, rows(FIXTURE))
    assert (again.accepted, again.duplicates) == (0, 5)
    assert [r["line"] for r in again.as_dict()["rejected"]] == [7, 8]


def test_capacity_at_the_year_bounds(plan, office):
    import_units(office, plan, rows(FIXTURE))
    c24 = fetch.capacity(plan, 2024)
    # 2024: PV-1 only (WD-1 from 2025-01-01; HY-1 retired 2024-12-31; storage apart):
    # 100.0005 MW = 10.00005 万千瓦 → half up → 10.0001 (half-even would give 10.0000)
    assert c24.capacity_10k_kw == Decimal("10.0001")
    assert c24.by_type["pv"] == Decimal("10.0001") and c24.by_type["hydro"] == Decimal("0.0000")
    assert c24.storage_10k_kw == Decimal("1.0000") and c24.units == 1
    assert c24.capacity_mw == Decimal("100.0010")
    # 2025: PV-1 + WD-1 = 150.0005 MW → 15.00005 → 15.0001
    c25 = fetch.capacity_dict(fetch.capacity(plan, 2025))
    assert c25["capacity_10k_kw"] == "15.0001"
    assert c25["by_type"] == {
        "pv": "10.0001",
        "wind": "5.0000",
        "hydro": "0.0000",
        "biomass": "0.0000",
        "waste_to_energy": "0.0000",
    }
    # 2023: HY-1 alone (20 MW = 2 万千瓦); 2019: nothing connected yet
    assert fetch.capacity(plan, 2023).capacity_10k_kw == Decimal("2.0000")
    assert fetch.capacity(plan, 2019).capacity_10k_kw == Decimal("0.0000")


def test_import_feeds_both_targets_from_the_first_connection(plan, office):
    import_units(office, plan, rows(FIXTURE))
    # first connection 2020 (HY-1) … this year (2026): MW = 万千瓦 × 10
    expected = {2020: "20", 2023: "20", 2024: "100.001", 2025: "150.001", 2026: "150.001"}
    for code in ("new_energy_capacity", "new_energy_capacity_energy_task"):
        for year, mw in expected.items():
            v = fed(plan, year, code)
            assert v is not None and v.value == Decimal(mw), (code, year)
            assert v.source == "module" and "并网发电机组登记" in v.source_detail and "不含储能" in v.source_detail
    assert fed(plan, 2019) is None
    assert set(IndicatorValue.objects.filter(target__code="new_energy_capacity").values_list("year", flat=True)) == set(
        range(2020, 2027)
    )
    assert "2026-03-01" in fed(plan, 2026).source_detail  # this year: as of today


def test_update_changes_audits_and_refeeds_only_the_changed_years(plan, office):
    import_units(office, plan, rows(FIXTURE))
    before_2024 = fed(plan, 2024)
    head = "unit_id,type,township,capacity_mw,connected_on\n"
    change = head + "WD-1,wind,严塘镇,55,2025-01-01\n"
    refused = import_units(office, plan, rows(change))
    assert refused.accepted == 0 and refused.rejected[0]["line"] == 2 and "--update" in refused.rejected[0]["message"]
    assert fed(plan, 2025).value == Decimal("150.001")
    n_set = AuditEntry.objects.filter(action="indicator_value.set").count()
    rep = import_units(office, plan, rows(change), update=True)
    assert (rep.accepted, rep.rejected) == (1, [])
    entry = AuditEntry.objects.get(action="generation_unit.update")
    assert (entry.before, entry.after) == ({"capacity_mw": "50.0000"}, {"capacity_mw": "55.0000"})
    # the optional columns absent from the file stay as stored (the project)
    assert Unit.objects.get(unit_id="WD-1").project.code == "P01.4"
    # 2025 and 2026: 100.0005 + 55 = 155.0005 MW → 15.50005 → 15.5001 万千瓦 → 155.001 MW; 2020–2024 unchanged
    assert fed(plan, 2025).value == Decimal("155.001") and fed(plan, 2026).value == Decimal("155.001")
    assert fed(plan, 2024).pk == before_2024.pk and fed(plan, 2024).value == before_2024.value
    # two years × two targets re-fed
    assert AuditEntry.objects.filter(action="indicator_value.set").count() == n_set + 4
    # feeding again changes nothing
    assert feed_capacity(office, plan)["fed"] == []


def test_a_later_first_connection_retracts_the_earlier_years(plan, office):
    import_units(
        office, plan, rows("unit_id,type,township,capacity_mw,connected_on\nHY-1,hydro,秩堂镇,20,2021-05-01\n")
    )
    assert fed(plan, 2021).value == Decimal("20")
    import_units(
        office,
        plan,
        rows("unit_id,type,township,capacity_mw,connected_on\nHY-1,hydro,秩堂镇,20,2023-05-01\n"),
        update=True,
    )
    assert fed(plan, 2021) is None and fed(plan, 2022) is None and fed(plan, 2023).value == Decimal("20")
    assert AuditEntry.objects.filter(action="indicator_value.retract").count() == 4  # 2021, 2022 × two targets


def test_storage_alone_feeds_nothing(plan, office):
    import_units(
        office, plan, rows("unit_id,type,township,capacity_mw,connected_on\nST-1,storage,城关镇,10,2024-06-01\n")
    )
    assert not IndicatorValue.objects.filter(target__indicator="new_energy_capacity").exists()


def test_chinese_headers_and_row_errors(plan, fgj):
    text = (
        "机组编号,类型,乡镇,装机容量（兆瓦）,并网日期,退役日期,所属项目编码\n"
        "A,光伏,城关镇,1.5,2025年6月30日,,\n"
        "B,光伏,城关镇,0,2025-06-30,,\n"
        "C,光伏,城关镇,1.23456,2025-06-30,,\n"
        "D,光伏,城关镇,1,2025-02-30,,\n"
        "E,光伏,城关镇,1,2025-06-30,2025-06-30,\n"
        "F,光伏,城关镇,1,2025-06-30,,P99.9\n"
        "G,光伏,,1,2025-06-30,,\n"
        "H,风电,城关镇,1e3,2025-06-30,,\n"
    )
    rep = import_units(fgj, plan, rows(text))  # 发改局 writes
    assert rep.accepted == 1
    assert [(r["line"], r["field"]) for r in rep.as_dict()["rejected"]] == [
        (3, "capacity_mw"),
        (4, "capacity_mw"),
        (5, "connected_on"),
        (6, "retired_on"),
        (7, "project_code"),
        (8, "township"),
        (9, "capacity_mw"),
    ]
    assert Unit.objects.get(unit_id="A").connected_on == dt.date(2025, 6, 30)


def test_dates_are_beijing_dates():
    assert parse_date("2025-12-31T17:00:00Z") == dt.date(2026, 1, 1)  # 01:00 on 1 January in Beijing
    assert parse_date("2025-12-31 23:59") == dt.date(2025, 12, 31)  # no offset: Beijing time already
    assert parse_date("2025/1/1") == dt.date(2025, 1, 1)
    assert parse_date("1949-12-31") is None and parse_date("31.12.2025") is None


def test_who_may_write(plan, linye, make_user):
    with pytest.raises(PermissionDenied):
        import_units(linye, plan, rows(FIXTURE))  # 林业局 reads, does not write
    grid = make_user("grid", "department", plan.departments.get(code="state_grid_chaling"))
    assert import_units(grid, plan, rows(FIXTURE)).accepted == 4
