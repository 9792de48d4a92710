"""The PostgreSQL path for GPS files: the CSV body goes into a temporary table with one COPY, and set-based SQL
decides every line in the usual shape (``湘B00001,2026-03-02 08:16:00,26.7925,113.5471,32.5``: a plate of an
optional Chinese character and upper-case letters and digits, a Beijing time with seconds, plain decimal
numbers within their ranges and the time within the window). Such a line is valid under the row rules of
``services._gps_values`` and SQL reads it to the same values (the same plate, the same instant, the same
doubles: both sides round decimal text to the nearest double). Every other line (blank, a bad value, another
time form, spaces, lower case, an offset, ...) is handed to ``services._gps_values`` itself, so that every
rejection and its message come from the one place that states the rules; a file of good points never reaches
Python per row.

The valid lines then follow the row path's contract in SQL: the first line of each (plate, instant) stands for
it, a later equal one is a duplicate, a later different one is rejected naming the first line; the points are
inserted with a plain ``INSERT`` inside a savepoint (new data, the common case) or, when the key refuses,
``ON CONFLICT DO NOTHING`` and the rows left out compared with the stored ones (duplicates or conflicts).

Only a plain CSV whose lines are exactly the lines the row path reads (no quotes, tabs, backslashes, NULs,
bare carriage returns or other line breakers that ``str.splitlines`` splits at) takes this path.
"""

from __future__ import annotations

import io
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report
from carbonpeak.waste.models import GpsPoint

TEMP_TABLES = ("cp_gps_raw", "cp_gps_chk", "cp_gps_py", "cp_gps_valid")
# what str.splitlines splits at besides \n and \r\n (bare \r is refused by services.plain_csv)
_OTHER_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", "\x85".encode(), "\u2028".encode(), "\u2029".encode())

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
C = 'COLLATE "C"'


def eligible(data: bytes) -> bool:
    """PostgreSQL, and a file ``services.plain_csv`` accepted with no other line breakers."""
    return connection.vendor == "postgresql" and not any(b in data for b in _OTHER_BREAKS)


def _plate_ok(p: str) -> str:
    """SQL: ``p`` is 1 to 20 characters, an optional Chinese character (U+4E00–U+9FA5) then upper-case ASCII
    letters and digits (unchanged by ``str.strip().upper()``, printable, no backslash)."""
    return (
        f"(length({p}) BETWEEN 1 AND 20 AND ltrim(substr({p}, 2), '{UPPER}{DIGITS}') = '' "
        f"AND (substr({p}, 1, 1) {C} BETWEEN '一' AND '龥' OR ltrim(substr({p}, 1, 1), '{UPPER}{DIGITS}') = ''))"
    )


def _time_ok(ts: str) -> str:
    """SQL: ``ts`` is ``YYYY-MM-DD hh:mm:ss`` (or ``T``) with month, day, hour, minute and second in range and a
    day that exists (which TIME_LOCAL_PATTERN and ``fromisoformat`` accept, and the cast reads alike)."""
    parts = (
        f"substr({ts}, 6, 2) {C} BETWEEN '01' AND '12' AND substr({ts}, 9, 2) {C} BETWEEN '01' AND '31' "
        f"AND substr({ts}, 12, 2) {C} <= '23' AND substr({ts}, 15, 1) {C} <= '5' AND substr({ts}, 18, 1) {C} <= '5'"
    )
    # (inside THEN the text is known to be digits in the right places: the conversions cannot fail; years
    # before 2000 lie outside the window and go to the row rules, so year 0 never reaches a cast)
    return (
        f"CASE WHEN ({ts} {C} LIKE '____-__-__ __:__:__' AND translate({ts}, '{DIGITS}', '') = '-- ::' "
        f"OR {ts} {C} LIKE '____-__-__T__:__:__' AND translate({ts}, '{DIGITS}', '') = '--T::') AND {parts} "
        f"AND substr({ts}, 1, 4) {C} >= '2000' "
        f"THEN substr({ts}, 9, 2) {C} <= '28' OR substr({ts}, 9, 2)::int <= extract(day from "
        f"make_date(substr({ts}, 1, 4)::int, substr({ts}, 6, 2)::int, 1) + interval '1 month - 1 day') "
        "ELSE false END"
    )


def _number_ok(x: str) -> str:
    """SQL: ``x`` is a plain decimal (an optional leading minus, digits, at most one point, at least one digit,
    at most 20 characters): ``float()`` and PostgreSQL's ``float8`` both read it, to the same double."""
    return (
        f"(length({x}) BETWEEN 1 AND 20 AND translate({x}, '{DIGITS}', '') IN ('', '.', '-', '-.') "
        f"AND strpos({x}, '-') <= 1 AND translate({x}, '-.', '') <> '')"
    )


def ingest_csv(plan: Plan, data: bytes) -> Report:
    from carbonpeak.tabular import check_header
    from carbonpeak.waste import services
    from carbonpeak.waste.columns import GPS

    text = data.decode("utf-8").lstrip("\ufeff")
    head, _, body = text.partition("\n")
    header = check_header([h.strip() for h in head.removesuffix("\r").split(",")], GPS)
    keys = ("plate", "time", "lat", "lon", "speed_kmh")
    last = {h: i for i, h in enumerate(header)}  # a repeated name: the last, as the row path
    pos = [last[k] + 1 for k in keys]  # split_part counts from 1
    width = len(header)
    body = body.replace("\r\n", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    latest = timezone.now() + services.FUTURE_TOLERANCE
    params = {
        "earliest": services.EARLIEST,
        "latest": latest,
        "max_speed": services.MAX_SPEED,
        "plan": plan.pk,
    }
    rep = Report()
    table = GpsPoint._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(f"DROP TABLE IF EXISTS {', '.join('pg_temp.' + t for t in TEMP_TABLES)}")
        cur.execute(
            "CREATE TEMPORARY TABLE cp_gps_raw (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), txt text) "
            "ON COMMIT DROP"
        )
        with cur.cursor.copy("COPY cp_gps_raw (txt) FROM STDIN") as cp:
            cp.write(body)
        f = "split_part(txt, ',', {})"
        # a line in the usual shape: its values (ok); any other line is decided in Python (ok false: its text)
        cur.execute(
            "CREATE TEMPORARY TABLE cp_gps_chk ON COMMIT DROP AS "
            "SELECT line, plate, t, lat, lon, speed, CASE WHEN NOT ok THEN txt END AS txt FROM ("
            "  SELECT *, coalesce(t IS NOT NULL AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 "
            "    AND speed BETWEEN 0 AND %(max_speed)s AND t >= %(earliest)s AND t <= %(latest)s, false) AS ok FROM ("
            "    SELECT line, txt, p AS plate, "
            f"      CASE WHEN shape THEN ts::timestamp AT TIME ZONE 'Asia/Shanghai' END AS t, "
            "      CASE WHEN shape THEN la::float8 END AS lat, CASE WHEN shape THEN lo::float8 END AS lon, "
            "      CASE WHEN shape THEN sp::float8 END AS speed FROM ("
            f"      SELECT *, {_plate_ok('p')} AND {_time_ok('ts')} AND {_number_ok('la')} AND {_number_ok('lo')} "
            f"        AND {_number_ok('sp')} AS shape FROM ("
            f"        SELECT line, txt, {f.format(pos[0])} AS p, {f.format(pos[1])} AS ts, {f.format(pos[2])} AS la, "
            f"          {f.format(pos[3])} AS lo, {f.format(pos[4])} AS sp FROM cp_gps_raw OFFSET 0) s OFFSET 0) c "
            "    OFFSET 0) v) o",
            params,
        )
        cur.execute(
            "CREATE TEMPORARY TABLE cp_gps_py (line bigint, plate text, t timestamptz, lat float8, lon float8, "
            "speed float8) ON COMMIT DROP"
        )
        cur.execute("SELECT line, txt FROM cp_gps_chk WHERE txt IS NOT NULL ORDER BY line")
        others = cur.fetchall()
        if others:
            buf = io.StringIO()
            cache: dict[str, Any] = {}
            for n, line in others:
                v = services._line_values(line, header, pos, width)
                if v is None:
                    continue  # a blank line
                p = services._gps_values(v, True, cache, latest)
                if len(p) == 3:
                    rep.reject(n, *p)  # type: ignore[arg-type]
                    continue
                plate, _t, iso, lat, lon, speed = p  # type: ignore[misc]
                buf.write(f"{n}\t{plate}\t{iso}\t{lat!r}\t{lon!r}\t{speed!r}\n")
            if buf.tell():
                with cur.cursor.copy("COPY cp_gps_py FROM STDIN") as cp:
                    cp.write(buf.getvalue())
        valid = (
            "(SELECT line, plate, t, lat, lon, speed FROM cp_gps_chk WHERE txt IS NULL "
            "UNION ALL SELECT line, plate, t, lat, lon, speed FROM cp_gps_py) v"
        )
        insert = (
            f"INSERT INTO {table} (plan_id, plate, time, lat, lon, speed_kmh) "
            "SELECT %(plan)s, plate, t, lat, lon, speed FROM {src} ORDER BY plate, t"
        )
        # new data (the common case): one plain INSERT inside a savepoint; a unique violation (a repeat within
        # the file, a stored point, a concurrent worker) rolls it back and the rows take the full path
        try:
            with transaction.atomic():
                cur.execute(insert.format(src=valid), params)
                rep.accepted += cur.rowcount
        except IntegrityError:
            _insert_full(cur, table, valid, insert, params, rep)
        cur.execute(f"DROP TABLE IF EXISTS {', '.join('pg_temp.' + t for t in TEMP_TABLES)}")
    return rep


def _insert_full(cur, table: str, valid: str, insert: str, params: dict, rep: Report) -> None:
    from carbonpeak.waste import services

    # the first valid line of each (plate, instant) stands for it; later equal ones are duplicates
    cur.execute(
        "CREATE TEMPORARY TABLE cp_gps_valid ON COMMIT DROP AS "
        "SELECT line, plate, t, lat, lon, speed, first_value(line) OVER w AS first_line, "
        "  first_value(lat) OVER w = lat AND first_value(lon) OVER w = lon AND first_value(speed) OVER w = speed "
        f"  AS same FROM {valid} WINDOW w AS (PARTITION BY plate, t ORDER BY line)"
    )
    cur.execute("SELECT line, first_line, same FROM cp_gps_valid WHERE line <> first_line")
    for line, first, same in cur.fetchall():
        if same:
            rep.duplicates += 1
        else:
            rep.reject(
                line, "time", f"time：与第 {first} 行同车同时间但位置不同", f"time: same plate and time as line {first}"
            )
    # in one statement whose snapshot holds only what was stored before it, so the rows it leaves out are
    # compared with the stored ones (a concurrent ingest of the same points stores them once)
    cur.execute(
        f"WITH ins AS ({insert.format(src='cp_gps_valid WHERE line = first_line')} ON CONFLICT DO NOTHING "
        "RETURNING 1) SELECT -1, (SELECT count(*) FROM ins)::int "
        "UNION ALL SELECT s.line, CASE WHEN g.lat = s.lat AND g.lon = s.lon AND g.speed_kmh = s.speed "
        f"  THEN 1 ELSE 0 END FROM cp_gps_valid s JOIN {table} g ON g.plan_id = %(plan)s AND g.plate = s.plate "
        "  AND g.time = s.t WHERE s.line = s.first_line",
        params,
    )
    for line, v in cur.fetchall():
        if line == -1:
            rep.accepted += v
        elif v:
            rep.duplicates += 1
        else:
            rep.reject(line, *services.GPS_STORED_CONFLICT)
