"""The GPS file contract line by line, on whichever database runs the tests: on PostgreSQL a plain CSV takes the
SQL path (``sqlgps``: the usual-shape lines decided in SQL, the others by ``services._gps_values``), on SQLite
the streamed row path. Each field's bad value at its line, values the SQL shape leaves to Python but which are
valid (lower case, an offset, spaces, an exponent, 29 February of a leap year), blank lines, repeats within the
file, and the same file again. Run also with ``DATABASE_URL=postgresql://… pytest -m postgres``."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.tabular.times import BEIJING
from carbonpeak.waste import services
from carbonpeak.waste.models import GpsPoint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HEAD = "plate,time,lat,lon,speed_kmh\n"
LINES = [
    "湘B00001,2026-03-02 08:00:00,26.8,113.5,30",  # 2 good (the SQL shape)
    "湘b00002,2026-03-02 08:01:00,26.8,113.5,30",  # 3 good: lower case, upper-cased by the rule
    ",2026-03-02 08:02:00,26.8,113.5,30",  # 4 plate missing
    "湘B" + "1" * 20 + ",2026-03-02 08:03:00,26.8,113.5,30",  # 5 plate too long
    "湘B00001,2026-02-30 08:00:00,26.8,113.5,30",  # 6 no such day
    "湘B00001,2026-03-02 8:04,26.8,113.5,30",  # 7 not the grammar
    "湘B00001,1999-12-31 08:00:00,26.8,113.5,30",  # 8 before 2000
    "湘B00001,2026-03-02T00:05:00Z,26.8,113.5,30",  # 9 good: an offset (08:05 Beijing)
    "湘B00001, 2026-03-02 08:06:00 ,26.8,113.5,30",  # 10 good: spaces around the time
    "湘B00001,2026-03-02 08:07:00,91,113.5,30",  # 11 latitude out of range
    "湘B00001,2026-03-02 08:08:00,26.8,abc,30",  # 12 longitude not a number
    "湘B00001,2026-03-02 08:09:00,2_6,113.5,30",  # 13 underscore refused
    "湘B00001,2026-03-02 08:10:00,nan,113.5,30",  # 14 NaN
    "湘B00001,2026-03-02 08:11:00,26.8,113.5,-1",  # 15 negative speed
    "湘B00001,2026-03-02 08:12:00,26.8,113.5,301",  # 16 speed above 300
    "湘B00001,2026-03-02 08:13:00,26.8,113.5,1e2",  # 17 good: 100 km/h
    ",,,,",  # 18 blank: skipped
    "",  # 19 empty: skipped
    "湘B00001,2026-03-02 08:00:00,26.8,113.5,30",  # 20 the same as line 2: a duplicate
    "湘B00001,2026-03-02 08:00:00,26.9,113.5,30",  # 21 line 2's key, another position
    "湘B00001,2099-01-01 00:00:00,26.8,113.5,30",  # 22 in the future
    "湘B00001,2026-02-29 08:00:00,26.8,113.5,30",  # 23 not a leap year
    "湘B00001,2024-02-29 08:00:00,26.8,113.5,30",  # 24 good: a leap day
    "湘B00001,2026-03-02 00:05:00+00:00,26.8,113.5,30",  # 25 line 9's instant again, same values: a duplicate
    "湘B00001,0000-03-02 08:00:00,26.8,113.5,30",  # 26 year 0 (no such date)
    "湘B00001,2026-03-02 08:14:00,-,113.5,30",  # 27 a lone minus
    "湘B00001,2026-03-02 08:15:00,26.8,113.5,.",  # 28 a lone point
]
REJECTED = [
    (4, "plate"),
    (5, "plate"),
    (6, "time"),
    (7, "time"),
    (8, "time"),
    (11, "lat"),
    (12, "lat"),
    (13, "lat"),
    (14, "lat"),
    (15, "speed_kmh"),
    (16, "speed_kmh"),
    (21, "time"),
    (22, "time"),
    (23, "time"),
    (26, "time"),
    (27, "lat"),
    (28, "speed_kmh"),
]


def _file() -> bytes:
    return (HEAD + "\n".join(LINES) + "\n").encode()


def test_each_field_bad_value_at_its_line(plan):
    rep = services.ingest_gps_file(None, plan, _file(), "gps.csv")
    got = rep.as_dict()["rejected"]
    assert [(r["line"], r["field"]) for r in got] == REJECTED
    assert (rep.accepted, rep.duplicates) == (6, 2)
    msgs = {r["line"]: r["message"] for r in got}
    assert "第 2 行" in msgs[21] and "晚于当前时间或早于 2000 年" in msgs[8] and "晚于当前时间" in msgs[22]
    assert "北京时间" in msgs[6] and "经纬度" in msgs[12] and "速度" in msgs[16] and "车牌号" in msgs[4]
    stored = {(g.plate, g.time): (g.lat, g.lon, g.speed_kmh) for g in GpsPoint.objects.filter(plan=plan)}
    bj = dt.datetime(2026, 3, 2, 8, 0, tzinfo=BEIJING)
    assert stored == {
        ("湘B00001", bj): (26.8, 113.5, 30.0),
        ("湘B00002", bj + dt.timedelta(minutes=1)): (26.8, 113.5, 30.0),
        ("湘B00001", bj + dt.timedelta(minutes=5)): (26.8, 113.5, 30.0),
        ("湘B00001", bj + dt.timedelta(minutes=6)): (26.8, 113.5, 30.0),
        ("湘B00001", bj + dt.timedelta(minutes=13)): (26.8, 113.5, 100.0),
        ("湘B00001", dt.datetime(2024, 2, 29, 8, tzinfo=BEIJING)): (26.8, 113.5, 30.0),
    }
    # the same file again: nothing new, every good line a duplicate, the same rejections
    again = services.ingest_gps_file(None, plan, _file(), "gps.csv")
    assert (again.accepted, again.duplicates) == (0, 8)
    assert again.as_dict()["rejected"] == got
    assert GpsPoint.objects.filter(plan=plan).count() == 6


def test_sql_path_equals_row_path(plan):
    """The same file through the SQL path and the streamed row path gives the same report and rows (SQLite: both
    calls take the row path)."""
    sql = services.ingest_gps_file(None, plan, _file(), "gps.csv").as_dict()
    rows_sql = sorted(GpsPoint.objects.filter(plan=plan).values_list("plate", "time", "lat", "lon", "speed_kmh"))
    GpsPoint.objects.filter(plan=plan).delete()
    py = services.ingest_gps_values(plan, services._stream_values(_file())).as_dict()
    rows_py = sorted(GpsPoint.objects.filter(plan=plan).values_list("plate", "time", "lat", "lon", "speed_kmh"))
    assert sql == py
    assert rows_sql == rows_py
