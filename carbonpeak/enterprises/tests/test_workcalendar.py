"""The national working-day calendar: counting, loading, and the silent-meter rule over a holiday."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from carbonpeak.core.workdays import is_workday, working_days_between
from carbonpeak.enterprises import services, workcalendar
from carbonpeak.enterprises.models import CalendarDay
from carbonpeak.tabular import read_rows

D = dt.date
BJ = dt.timezone(dt.timedelta(hours=8))


def shipped() -> dict[dt.date, bool]:
    with workcalendar.SHIPPED.open(encoding="utf-8") as f:
        return {D.fromisoformat(r["date"]): r["workday"] == "1" for r in csv.DictReader(f)}


def test_working_days_follow_the_holiday_arrangement():
    cal = shipped()
    # 2024 National Day: 1-7 October off, Sunday 29 September and Saturday 12 October worked
    assert not is_workday(D(2024, 10, 1), cal) and is_workday(D(2024, 9, 29), cal) and is_workday(D(2024, 10, 12), cal)
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 8), cal) == 1  # only Tuesday the 8th
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 8), {}) == 6  # Monday to Friday alone
    assert working_days_between(D(2024, 9, 27), D(2024, 9, 30), cal) == 2  # Sunday 29th (make-up) and Monday
    assert working_days_between(D(2024, 10, 8), D(2024, 10, 8), cal) == 0
    # the published yearly totals of working days: 251 in 2024, 248 in 2025
    assert working_days_between(D(2023, 12, 31), D(2024, 12, 31), cal) == 251
    assert working_days_between(D(2024, 12, 31), D(2025, 12, 31), cal) == 248
    # against a day-by-day count, over every span in 2024-2026
    days = [D(2023, 12, 25) + dt.timedelta(days=i) for i in range(1110)]
    flags = [is_workday(d, cal) for d in days]
    for i in range(0, len(days), 37):
        for j in range(i, min(len(days), i + 60)):
            assert working_days_between(days[i], days[j], cal) == sum(flags[i + 1 : j + 1])


def test_every_shipped_make_up_day_is_a_weekend_and_the_file_loads_once(db):
    cal = shipped()
    assert all(d.weekday() >= 5 for d, working in cal.items() if working)
    assert {d.year for d in cal} == {2024, 2025, 2026}
    first = workcalendar.load_shipped().as_dict()
    assert first["accepted"] == len(cal) and first["rejected"] == []
    assert workcalendar.load_shipped().as_dict() == {"accepted": 0, "duplicates": len(cal), "rejected": []}
    assert workcalendar.exceptions() == cal


def test_import_reports_rows_keeps_the_good_ones_and_changes_nothing_the_second_time(db):
    data = (
        "date,workday,name\n"
        "2027-01-01,0,元旦\n"
        "2027-02-07,1,春节（调休上班）\n"
        "2027-1-2,0,元旦\n"  # not ISO
        "2027-02-30,0,春节\n"  # impossible
        "2027-03-01,maybe,x\n"
        "2027-04-05,0,\n"
        "2027-01-01,0,元旦\n"  # the same again: a duplicate
        "2027-01-01,1,元旦\n"  # the same date, other content
    ).encode()
    rows = read_rows(data, workcalendar.COLUMNS)
    rep = workcalendar.import_days(None, rows).as_dict()
    assert rep["accepted"] == 2 and rep["duplicates"] == 1
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [
        (4, "date"),
        (5, "date"),
        (6, "workday"),
        (7, "name"),
        (9, "date"),
    ]
    assert all(" / " in r["message"] for r in rep["rejected"])  # Chinese and English
    assert workcalendar.exceptions() == {D(2027, 1, 1): False, D(2027, 2, 7): True}
    again = workcalendar.import_days(None, rows).as_dict()
    assert again["accepted"] == 0 and again["duplicates"] == 3
    # the office corrects a date: updated, with audit; the shipped file at set-up never overwrites it
    from carbonpeak.audit.models import AuditEntry

    fix = read_rows("date,workday,name\n2027-02-07,0,春节\n".encode(), workcalendar.COLUMNS)
    assert workcalendar.import_days(None, fix).accepted == 1
    assert AuditEntry.objects.filter(action="calendar.update", object_id="2027-02-07").exists()
    assert workcalendar.import_days(None, rows, overwrite=False).accepted == 0
    assert CalendarDay.objects.get(date=D(2027, 2, 7)).workday is False


@pytest.fixture
def meter(plan):
    from carbonpeak.core.uscc import make_uscc

    uscc = make_uscc("91430224", "MA4LWD01")
    services.import_enterprises(None, plan, [(2, {"uscc": uscc, "name": "节假日测试厂", "industry_code": "3071"})])
    services.import_meters(
        None, plan, [(2, {"uscc": uscc, "meter_code": "H-E", "carrier": "electricity", "unit": "kWh"})]
    )
    services.ingest_readings(
        plan, [(2, {"meter_code": "H-E", "reading_time": "2024-09-30T17:00:00+08:00", "quantity": "1"})]
    )
    return plan


def test_a_meter_silent_over_national_day_is_not_flagged_until_three_working_days_pass(meter):
    from carbonpeak.enterprises.monitoring import check_silent_meters

    at = lambda *a: dt.datetime(*a, 9, tzinfo=BJ)  # noqa: E731
    # without the calendar, Monday 30 September → Friday 4 October is 4 working days: flagged, wrongly
    out = check_silent_meters(meter, at(2024, 10, 4), notify_by_mail=False)
    assert out["opened"] == ["H-E"] and out["calendar_missing_years"] == [2024]
    check_silent_meters(meter, at(2024, 9, 30), notify_by_mail=False)  # (data is recent again: closed)
    workcalendar.load_shipped()
    for day in (4, 8, 9):  # holiday week, then Tuesday 8th (1 working day), Wednesday 9th (2)
        out = check_silent_meters(meter, at(2024, 10, day), notify_by_mail=False)
        assert out["opened"] == [] and out["calendar_missing_years"] == [], day
    assert check_silent_meters(meter, at(2024, 10, 10), notify_by_mail=False)["opened"] == []  # 3: not more than 3
    assert check_silent_meters(meter, at(2024, 10, 11), notify_by_mail=False)["opened"] == ["H-E"]  # 4


def test_calendar_import_on_the_command_line(db, tmp_path, capsys):
    from carbonpeak.cli import main

    f = tmp_path / "2027.csv"
    f.write_text("date,workday,name\n2027-01-01,0,元旦\n2027-13-01,0,x\n", encoding="utf-8")
    assert main(["calendar", "import", str(f), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 1 and out["rejected"][0]["line"] == 3 and out["rejected"][0]["field"] == "date"
    assert main(["calendar", "import", str(f), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["duplicates"] == 1
    assert main(["calendar", "import", str(tmp_path / "none.csv"), "--format", "json"]) == 2
    capsys.readouterr()
    assert main(["calendar", "show", "--year", "2027"]) == 0
    assert "2027-01-01" in capsys.readouterr().out


def test_an_excel_calendar_with_date_cells_loads(db):
    """In Excel a typed date becomes a date cell; it is read as midnight and taken as that date. Week dates and
    other non-calendar forms are refused."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["date", "workday", "name"])
    ws.append([dt.datetime(2027, 1, 1), 0, "元旦"])
    ws.append([dt.date(2027, 2, 7), 1, "春节（调休上班）"])
    ws.append(["2027-W05-7", 1, "x"])
    ws.append([dt.datetime(2027, 3, 1, 12, 0), 0, "x"])  # a time of day is not a date
    buf = io.BytesIO()
    wb.save(buf)
    rep = workcalendar.import_days(None, read_rows(buf.getvalue(), workcalendar.COLUMNS, "2027.xlsx")).as_dict()
    assert rep["accepted"] == 2 and [(r["line"], r["field"]) for r in rep["rejected"]] == [(4, "date"), (5, "date")]
    assert workcalendar.exceptions() == {D(2027, 1, 1): False, D(2027, 2, 7): True}


def test_excel_date_cells_read_as_dates_for_every_import(plan):
    """The reader, not each import, turns Excel's midnight date cells into dates: a meter's calibration date
    typed in Excel loads too. A date-time with a time of day stays a date-time."""
    import io

    from openpyxl import Workbook

    from carbonpeak.core.uscc import make_uscc
    from carbonpeak.enterprises.models import Meter

    uscc = make_uscc("91430224", "MA4LXL01")
    services.import_enterprises(None, plan, [(2, {"uscc": uscc, "name": "表格厂", "industry_code": "3071"})])
    wb = Workbook()
    ws = wb.active
    ws.append(["uscc", "meter_code", "carrier", "unit", "calibration_due", "note"])
    ws.append([uscc, "X-E", "electricity", "kWh", dt.datetime(2027, 6, 30), dt.datetime(2027, 6, 30, 8, 30)])
    buf = io.BytesIO()
    wb.save(buf)
    rows = read_rows(buf.getvalue(), services.METER_COLUMNS, "m.xlsx")
    assert rows[0][1]["calibration_due"] == "2027-06-30" and rows[0][1]["note"] == "2027-06-30T08:30:00"
    assert services.import_meters(None, plan, rows).as_dict()["rejected"] == []
    assert Meter.objects.get(meter_code="X-E").calibration_due == D(2027, 6, 30)
