"""The SQL ingest path of PostgreSQL decides every row exactly as the row-by-row path does: the same files go
through both, and the reports and the stored readings must be identical."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises import services, sqlingest
from carbonpeak.enterprises.columns import READINGS
from carbonpeak.enterprises.models import MonthlyRollup, Reading
from carbonpeak.tabular import Unreadable, read_rows
from carbonpeak.tabular import times as time_grammar

pytestmark = pytest.mark.postgres
CERAMICS = make_uscc("91430224", "MA4LTC01")
FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()

TIMES = [
    "2024-03-01T00:15:00+08:00",
    "2024-03-01 00:30:00Z",
    "2024-03-01T00:45:00+0800",
    "2024-03-01T01:00+08",
    "2024-03-01T01:15:00.5+08:00",
    "2024-03-01T01:30:00",  # naive
    "2024-02-30T00:00:00+08:00",
    "2023-02-29T00:00:00+08:00",
    "2024-02-29T12:00:00+08:00",
    "0000-01-01T00:00:00Z",
    "2024-03-01T24:00:00+08:00",
    "2024-03-01T01:45:00+15:00",
    "2024-03-01T02:00:00z",
    "2024-03-01T02:15:00.1234567+08:00",
    "1999-12-31T23:00:00Z",
    FUTURE,
    "2024-3-01T02:30:00+08:00",
    "",
]
QUANTITIES = [
    "12", "12.5", "-1", "-0", "1e3", "1.5e-7", "1234567890123456", "1234567890123450", "1e13", "abc", "", " 7 ",
    "+5", ".5", "5.", "NaN", "Infinity", "1_000", "0.0000001", "1000000000000", "1000000000000.5", "0.000001",
    "1E2", "1e-3", "١٢", "１２．５", "－３", "\u22124", "²", "５",
]  # fmt: skip


def body() -> str:
    lines = ["quantity,extra,reading_time,meter_code"]  # another column order, one extra column
    for i, t in enumerate(TIMES):
        lines.append(f"{QUANTITIES[i % len(QUANTITIES)]},x,{t},S-E")
    for i, q in enumerate(QUANTITIES):
        lines.append(f"{q},,2024-04-01T{i // 4:02d}:{15 * (i % 4):02d}:00+08:00,S-C")
    lines += [
        "5,,2024-05-01T00:15:00+08:00,S-E",
        "5.000,,2024-05-01T00:15:00+08:00,S-E",  # equal value: a duplicate within the file
        "6,,2024-04-30T16:15:00Z,S-E",  # the same instant, another value
        "",  # blank
        ",,,",  # blank too
        "7,,2024-05-01T00:30:00+08:00",  # short row: no meter code
        "8,,2024-05-01T00:45:00+08:00,NOPE",
        "9,,2024-05-01T01:00:00+08:00, S-E ,surplus",
        "10,,2024-06-01T00:00:00+08:00,S-E",  # conflicts with the stored 99
        "99,,2024-06-01T00:15:00+08:00,S-E",  # equal to the stored: a duplicate
        "3,,2024-02-30T00:00:00+08:00,S-C",  # the same impossible date again (times are checked once per text)
        "4,,2024-05-01T00:15:00+08:00,S-C",  # a time text another meter's line has too
    ]
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def county(plan):
    services.import_enterprises(
        None, plan, [(2, {"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": ""})]
    )
    services.import_meters(
        None,
        plan,
        [
            (2, {"uscc": CERAMICS, "meter_code": "S-E", "carrier": "electricity", "unit": "MWh"}),
            (3, {"uscc": CERAMICS, "meter_code": "S-C", "carrier": "raw_coal", "unit": "t"}),
        ],
    )
    return plan


def stored():
    return sorted(
        (r.meter.meter_code, r.reading_time, r.quantity, r.source) for r in Reading.objects.select_related("meter")
    ), sorted((r.meter_id, r.month, r.quantity, r.readings) for r in MonthlyRollup.objects.all())


def reset(plan):
    Reading.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    pre = [
        (1, {"meter_code": "S-E", "reading_time": "2024-06-01T00:00:00+08:00", "quantity": "99"}),
        (2, {"meter_code": "S-E", "reading_time": "2024-06-01T00:15:00+08:00", "quantity": "99"}),
    ]
    assert services.ingest_readings(plan, pre).accepted == 2


@pytest.mark.django_db
def test_sql_path_and_row_path_agree_row_for_row(county):
    data = ("\ufeff" + body()).encode("utf-8")
    assert sqlingest.eligible(data)
    reset(county)
    fast = sqlingest.ingest_csv(county, data, "upload").as_dict()
    fast_rows = stored()
    reset(county)
    slow = services.ingest_readings(county, read_rows(data, READINGS), local_time=True).as_dict()
    assert fast == slow
    assert fast_rows == stored()
    assert fast["accepted"] > 10 and fast["duplicates"] == 2 and len(fast["rejected"]) > 20
    # and again: nothing changes, everything is a duplicate or the same rejection
    again = sqlingest.ingest_csv(county, data, "upload").as_dict()
    assert again["accepted"] == 0 and again["duplicates"] == fast["accepted"] + fast["duplicates"]
    assert stored() == fast_rows


@pytest.mark.django_db
def test_files_the_sql_path_cannot_take_go_row_by_row(county):
    quoted = b'meter_code,reading_time,quantity\n"S-E",2024-03-01T00:15:00+08:00,"1"\n'
    tabbed = b"meter_code,reading_time,quantity\nS-E,2024-03-01T00:15:00+08:00,\t1\n"
    wide_space = "meter_code,reading_time,quantity\nS-E,2024-03-01T00:15:00+08:00,1\u3000\n".encode()
    vtab = b"meter_code,reading_time,quantity\nS-E,2024-03-01T00:15:00+08:00,1\x0b\n"  # str.strip removes it
    lone_cr = b"meter_code,reading_time,quantity\rS-E,2024-03-01T00:15:00+08:00,1\r"  # old Mac line ends
    long_line = b"meter_code,reading_time,quantity,note\nS-E,2024-03-01T00:15:00+08:00,1," + b"x" * 1200 + b"\n"
    for data in (quoted, tabbed, wide_space, vtab, lone_cr, long_line):
        assert not sqlingest.eligible(data)
        reset(county)
        rep = sqlingest.ingest_file(county, data, "r.csv").as_dict()
        assert rep == {"accepted": 1, "duplicates": 0, "rejected": []}, data
    with pytest.raises(Unreadable):
        sqlingest.ingest_file(county, b"meter,when\nS-E,1\n", "r.csv")


@pytest.mark.django_db
def test_new_data_takes_one_insert_and_adds_to_the_rollups_like_the_row_path(county, monkeypatch):
    """No repeats and nothing stored at those times: the plain INSERT, and roll-ups added in SQL."""
    lines = ["meter_code,reading_time,quantity"]
    lines += [f"S-E,2024-01-{d:02d}T{h:02d}:00:00+08:00,{d * h / 8}" for d in range(28, 32) for h in range(24)]
    lines += ["S-C,2024-02-01T00:00:00+08:00,5", "S-C,2024-02-29T00:00:00+08:00,bad", "S-X,2024-02-01T00:00:00+08:00,1"]
    data = ("\n".join(lines) + "\n").encode()
    Reading.objects.all().delete()
    # a stored reading in another month of the same meter: the roll-up of January must add to nothing else
    services.ingest_readings(
        county, [(1, {"meter_code": "S-E", "reading_time": "2023-12-15T00:00:00+08:00", "quantity": "4"})]
    )
    calls = []
    monkeypatch.setattr(sqlingest, "_insert_full", lambda *a: calls.append(a))  # must not be needed
    fast = sqlingest.ingest_csv(county, data, "upload").as_dict()
    assert calls == []
    fast_rows = stored()
    monkeypatch.undo()
    Reading.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    services.ingest_readings(
        county, [(1, {"meter_code": "S-E", "reading_time": "2023-12-15T00:00:00+08:00", "quantity": "4"})]
    )
    slow = services.ingest_readings(county, read_rows(data, READINGS), local_time=True).as_dict()
    assert fast == slow and fast["accepted"] == 97
    assert fast_rows == stored()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_file_store_it_once(plan):
    import threading

    from django.db import connection

    services.import_enterprises(
        None, plan, [(2, {"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": ""})]
    )
    services.import_meters(
        None, plan, [(2, {"uscc": CERAMICS, "meter_code": "S-E", "carrier": "electricity", "unit": "MWh"})]
    )
    start = dt.datetime(2024, 5, 1, 0, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    lines = ["meter_code,reading_time,quantity"]
    lines += [f"S-E,{(start + dt.timedelta(minutes=15 * i)).isoformat()},1.5" for i in range(2000)]  # May only
    data = ("\n".join(lines) + "\n").encode()
    barrier = threading.Barrier(2)
    out: list = [None, None]

    def run(i):
        try:
            barrier.wait()
            out[i] = sqlingest.ingest_csv(plan, data, "upload").as_dict()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((o["accepted"], o["duplicates"]) for o in out) == [(0, 2000), (2000, 0)]
    assert Reading.objects.count() == 2000
    r = MonthlyRollup.objects.get()
    assert (r.readings, r.quantity) == (2000, 3000)


@pytest.mark.django_db
def test_the_sql_shortcuts_accept_exactly_what_the_patterns_accept():
    """The timestamp checks (its date, and its rest with the decimals of the seconds taken out, apart; with LIKE,
    translate and fixed positions) and the quantity shortcut against the shared regular expressions, on
    thousands of near-miss texts: every digit position and separator mutated, every length cut off or extended."""
    import random
    import re

    from django.db import connection

    rnd = random.Random(20261201)
    bases = [
        "2024-03-01T00:15:00+08:00",
        "2024-12-31 23:59:59-05:30",
        "2024-02-29T12:00:00Z",
        "2024-11-30 09:05:07Z",
        "2024-03-01T00:15:00.5+08:00",
        "2024-03-01 00:15:00.123456Z",
        "2024-03-01T23:59:59.9999+14:00",
        "2024-03-01T00:15:00.1234567+08:00",  # 7 decimals: refused
        "2024-03-01T00:15:00.+08:00",  # a point without decimals: refused
        "2024-03-01T00:15:00.12Z",
        "2024-03-01T00:15:00.1.2+08:00",
        "2024-03-01T01:00+08.5",  # a point at the 20th character that is not a decimal point
    ]
    alphabet = "0123456789T:+-Z .x9０٣"  # (digits of other scripts are not [0-9])
    times = set(bases)
    for _ in range(8000):
        s = list(rnd.choice(bases))
        for _k in range(rnd.choice((1, 1, 2))):
            s[rnd.randrange(len(s))] = rnd.choice(alphabet)
        times.add("".join(s))
    for b in bases:  # every two-digit field at every value
        for p in range(len(b) - 1):
            if b[p : p + 2].isdigit():
                for v in range(100):
                    times.add(b[:p] + f"{v:02d}" + b[p + 2 :])
        times.update(b[:k] for k in range(len(b)))  # every prefix: short dates, rests without a zone
        times.update((b + "0", b + ":00", b[:10] + b[10:].replace(":", "", 1), "x" + b, b[:10] + "T" + b))
    quantities = {"".join(rnd.choice("0123456789.+-eE,x０") for _ in range(rnd.randint(0, 6))) for _ in range(3000)}
    times, quantities = sorted(times), sorted(quantities)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT ts, {sqlingest._time_ok('ts')} FROM unnest(%(ts)s::text[]) AS ts",
            {"ts": times, "rest_re": "^" + time_grammar.TIME_REST_PATTERN},
        )
        sql_times = dict(cur.fetchall())
        cur.execute(
            f"SELECT qty, {sqlingest._quantity_check('qty')} FROM unnest(%(q)s::text[]) AS qty",
            {"q": quantities, "qre": services.QUANTITY_PATTERN},
        )
        sql_q = dict(cur.fetchall())
    tre, qre = re.compile(time_grammar.TIME_PATTERN), re.compile(services.QUANTITY_PATTERN)
    assert [t for t in times if sql_times[t] != bool(tre.fullmatch(t))] == []
    assert [q for q in quantities if sql_q[q] != bool(qre.fullmatch(q))] == []
    assert sum(sql_times.values()) > 300  # both sides of the boundary are exercised
    # files: the same shortcuts decide the grammar that lets the offset out (Beijing time)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT ts, {sqlingest._time_ok('ts')} FROM unnest(%(ts)s::text[]) AS ts",
            {"ts": times, "rest_re": "^" + time_grammar.TIME_REST_LOCAL_PATTERN},
        )
        local_times = dict(cur.fetchall())
    lre = re.compile(time_grammar.TIME_LOCAL_PATTERN)
    assert [t for t in times if local_times[t] != bool(lre.fullmatch(t))] == []
    assert sum(local_times.values()) > sum(sql_times.values())


FILES = {
    "lf": b"meter_code,reading_time,quantity\nS-E,2024-02-01T00:00:00+08:00,100\nS-E,2024-02-01T00:15:00+08:00,x\n",
    "crlf_no_final": b"meter_code,reading_time,quantity\r\nS-E,2024-02-01T00:00:00+08:00,100\r\n"
    b"S-E,2024-02-01T00:15:00+08:00,100",
    "mixed": b"meter_code,reading_time,quantity\r\nS-E,2024-02-01T00:00:00+08:00,100\n"
    b"S-E,2024-02-01T00:15:00+08:00,7\r\n",
    "repeated_header": b"meter_code,reading_time,quantity,quantity\nS-E,2024-02-01T00:00:00+08:00,5\n",
    "repeated_other": b"meter_code,reading_time,quantity,note,note\n,,,x\nS-E,2024-02-01T00:00:00+08:00,5,,\n",
    "long_field": b"meter_code,reading_time,quantity\nS-E,2024-02-01T00:00:00+08:00,1." + b"0" * 9000 + b"\n",
    "empty_header_name": b"meter_code,,reading_time,quantity\n,zz,,\nS-E,a,2024-02-01T00:00:00+08:00,5\n",
    "header_only": b"meter_code,reading_time,quantity",
    # the template's Chinese headers, a time without an offset (Beijing) and one with
    "chinese_header": "计量器具编号,读数时间,读数\nS-E,2024-02-01 00:15,5\nS-E,2024-02-01T00:30:00+08:00,6\n".encode(),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FILES))
def test_every_file_shape_gets_the_row_paths_answer(county, name):
    data = FILES[name]
    reset(county)
    fast = sqlingest.ingest_file(county, data, "r.csv").as_dict()
    fast_rows = stored()
    reset(county)
    slow = services.ingest_readings(county, read_rows(data, READINGS), local_time=True).as_dict()
    assert fast == slow, name
    assert fast_rows == stored(), name
    if name == "chinese_header":
        new = {(r[1], r[2]) for r in fast_rows[0]}
        assert (dt.datetime(2024, 1, 31, 16, 15, tzinfo=dt.UTC), 5) in new  # 00:15 Beijing
        assert (dt.datetime(2024, 1, 31, 16, 30, tzinfo=dt.UTC), 6) in new


@pytest.mark.django_db
def test_a_field_over_the_cell_limit_refuses_the_file_on_either_path(county):
    data = b"meter_code,reading_time,quantity\nS-E,2024-02-01T00:00:00+08:00,1." + b"0" * 20000 + b"\n"
    with pytest.raises(Unreadable) as e:
        sqlingest.ingest_file(county, data, "r.csv")
    assert "第 2 行第 3 列超过 10000 个字符" in e.value.message_zh
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_meters_at_the_same_quarter_hours_and_clocks_seconds_apart_get_the_row_paths_answer(county):
    """Ten meters at the same quarter hours share every timestamp text; clocks a few seconds apart make nearly
    every text distinct (but not their dates, nor their rests across instants)."""
    start = dt.datetime(2024, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    codes = ["S-E", "S-C"] * 5

    def file(stagger: bool) -> bytes:
        lines = ["meter_code,reading_time,quantity"]
        for k in range(3000):
            for i, code in enumerate(codes):
                when = start + dt.timedelta(minutes=15 * (k + 1), seconds=i if stagger else 0)
                lines.append(f"{code},{when.isoformat()},{k % 7 + i // 4}")
            lines.append(f"S-E,{start.isoformat()[:8]}32T00:00:00+08:00,1")  # an impossible date, every instant
        return ("\n".join(lines) + "\n").encode()

    for stagger in (False, True):
        data = file(stagger)
        reset(county)
        fast = sqlingest.ingest_file(county, data, "r.csv").as_dict()
        fast_rows = stored()
        reset(county)
        slow = services.ingest_readings(county, read_rows(data, READINGS), local_time=True).as_dict()
        assert fast == slow and fast_rows == stored()
        # unstaggered, each code has five lines per instant: equal values are duplicates, others conflicts
        # staggered, only the impossible dates are refused
        rejected = len(fast["rejected"])
        assert (fast["duplicates"], rejected) == (0, 3000) if stagger else (fast["duplicates"] > 0 and rejected > 3000)


@pytest.mark.django_db
def test_missing_yearly_partitions_are_added_and_take_their_rows_from_the_default(county):
    """A backfill of 2012 lands in the default partition; adding the year moves it into a partition of its own
    (keys, checks and sums unchanged), and running it again does nothing."""
    from django.db import connection

    from carbonpeak.enterprises import partitions

    def where() -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute("SELECT tableoid::regclass::text, count(*) FROM enterprises_reading GROUP BY 1")
            return dict(cur.fetchall())

    reset(county)
    old = [
        (n, {"meter_code": "S-E", "reading_time": f"2012-{n:02d}-01T00:00:00+08:00", "quantity": str(n)})
        for n in range(1, 13)
    ]
    old.append((13, {"meter_code": "S-E", "reading_time": "2013-01-01T00:00:00+08:00", "quantity": "13"}))  # 2012's end
    assert services.ingest_readings(county, old).accepted == 13
    assert where() == {"enterprises_reading_default": 13, "enterprises_reading_y2024": 2}
    assert 2012 not in partitions.yearly() and {2015, 2040} <= set(partitions.yearly())
    out = partitions.ensure_yearly(2011, 2013)
    assert out == {"partitioned": True, "created": [2011, 2012, 2013], "moved": 13}
    # the reading ending at 2013-01-01 00:00 Beijing time is stored in 2013's partition (the range is by instant)
    assert where() == {"enterprises_reading_y2012": 12, "enterprises_reading_y2013": 1, "enterprises_reading_y2024": 2}
    assert partitions.ensure_yearly(2011, 2013)["created"] == []
    assert partitions.ensure_yearly(2041, 2041)["created"] == [2041]
    # the new partition has the table's key: the same reading again is a duplicate, another value a conflict
    again = services.ingest_readings(county, old[:1] + [(2, {**old[1][1], "quantity": "99"})]).as_dict()
    assert again["duplicates"] == 1 and [r["line"] for r in again["rejected"]] == [2]
    with pytest.raises(Exception, match="nonnegative|check"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_reading_y2012 (meter_id, reading_time, quantity, source, received_at) "
                "SELECT id, '2012-06-15 00:00+08', -1, 'api', now() FROM enterprises_meter LIMIT 1"
            )


@pytest.mark.django_db
def test_the_partition_check_takes_no_lock_when_every_year_exists(county, monkeypatch):
    """Another session's open insert holds the readings table's writer lock; checking years that all exist
    returns at once instead of waiting for it (and holding up every writer queued behind)."""
    import psycopg
    from django.db import connection

    from carbonpeak.enterprises import partitions

    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "300ms")
    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"])
    try:
        other.execute(
            "INSERT INTO enterprises_reading (meter_id, reading_time, quantity, source, received_at) "
            "VALUES (999999, '2024-05-01 00:15+08', 1, 'api', now())"
        )  # (left open: the lock is held until the rollback below)
        assert partitions.ensure_yearly(2016, 2018) == {"partitioned": True, "created": [], "moved": 0}
        # a year that is missing needs the lock: it gives up after the timeout instead of queueing forever
        from django.db import OperationalError

        with pytest.raises(OperationalError, match="lock timeout"):
            partitions.ensure_yearly(2045, 2045)
    finally:
        other.rollback()
        other.close()
    assert partitions.ensure_yearly(2045, 2045)["created"] == [2045]
