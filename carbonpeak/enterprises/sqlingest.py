"""The PostgreSQL path for reading files: the CSV body goes into a temporary table with one COPY, and the whole
per-row contract (meter, timestamp grammar, quantity grammar, range and digits, time window, duplicates within
the file, duplicates and conflicts against what is stored) is decided by set-based SQL, with the same rules, in
the same order and with the same messages as ``services.ingest_readings`` (a test runs both on the same files
and compares). Python only checks the header and hands the bytes over.

A timestamp's date and the rest of it are each checked once per distinct text (a file holds few of either) and
the lines look theirs up. The shortcuts that spare the regular-expression engine are tested against the
patterns on thousands of near-miss texts.

A file qualifies when it is UTF-8 CSV without quotes, tabs, backslashes or whitespace other than spaces and
CRLF line ends (so a line is a record, COPY's text format needs no escaping, and SQL's trimming equals
Python's); anything else, and every Excel file, takes the row-by-row path.

New data (the common case) is inserted with a plain ``INSERT … SELECT`` inside a savepoint; a unique violation
(a duplicate within the file, a stored reading, a concurrent worker) rolls it back and the rows take the full
path: the first valid row of each (meter, instant) in line order, ``ON CONFLICT DO NOTHING``, then the rows not
inserted are classified against the stored values.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carbonpeak.core import numbers
from carbonpeak.enterprises import services
from carbonpeak.enterprises.columns import READINGS
from carbonpeak.enterprises.models import Meter, MonthlyRollup, Reading
from carbonpeak.tabular import Report, times
from carbonpeak.tabular.reading import check_header, header_key

MAX_COLUMNS = 200
TEMP_TABLES = ("cp_raw", "cp_fields", "cp_dates", "cp_rests", "cp_checked", "cp_valid")
_OTHER_SPACE = re.compile(r"[^\S \n\r]|\r(?!\n)")
_ASCII_OTHER_SPACE = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")  # what str.isspace adds in ASCII
MAX_LINE = 1000  # longer lines (huge fields) take the row path, which decides them exactly


def eligible(data: bytes, name: str = "") -> bool:
    if connection.vendor != "postgresql" or data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        return False
    if b'"' in data or b"\t" in data or b"\\" in data or b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # whitespace other than space and CRLF line ends: the row path strips it (str.strip), the SQL would not.
    # Plain ASCII (the usual file) is checked byte-wise; anything else with the regular expression.
    if data.isascii():
        if any(c in data for c in _ASCII_OTHER_SPACE) or data.count(b"\r") != data.count(b"\r\n"):
            return False
    elif _OTHER_SPACE.search(text) is not None:
        return False
    if max(map(len, data.split(b"\n"))) > MAX_LINE:  # (bytes ≥ characters: a long UTF-8 line may go row by row)
        return False
    head = text.lstrip("\ufeff").partition("\n")[0].rstrip("\r").split(",")
    header_names = READINGS.header_names()
    names = [header_key(h, header_names) for h in head if h.strip()]
    # a repeated column name: the row path's zip() lets a short row take the first occurrence; keep it there
    return len(head) <= MAX_COLUMNS and len(names) == len(set(names))


DIGITS = "0123456789"
C = 'COLLATE "C"'


def _date_check(d: str) -> str:
    """SQL deciding whether the text ``d`` (a timestamp's first 10 characters) matches TIME_DATE_PATTERN:
    LIKE fixes the length and the hyphens, removing the digits must leave only the hyphens (so every other place
    holds a digit), and the month and day are bounded as the pattern bounds them."""
    return (
        f"({d} {C} LIKE '____-__-__' AND translate({d}, '{DIGITS}', '') = '--' "
        f"AND substr({d}, 6, 2) {C} BETWEEN '01' AND '12' AND substr({d}, 9, 2) {C} BETWEEN '01' AND '31')"
    )


def _date_ok(d: str) -> str:
    """SQL: the grammar, and a date that exists (not year 0000, not 30 February), which the cast would raise on."""
    return (
        f"CASE WHEN {_date_check(d)} AND substr({d}, 1, 4) <> '0000' THEN "
        # (inside the THEN branch the text is known to be digits: the conversions cannot fail, in any order)
        f"substr({d}, 9, 2) {C} <= '28' OR substr({d}, 9, 2)::int <= extract(day from "
        f"make_date(substr({d}, 1, 4)::int, substr({d}, 6, 2)::int, 1) + interval '1 month - 1 day') "
        "ELSE false END"
    )


def _rest_check(r: str) -> str:
    """SQL deciding whether ``r`` (a timestamp from its 11th character on) matches TIME_REST_PATTERN. The usual
    shapes (``T`` or space, seconds, ``+hh:mm`` or ``Z``) are decided like the date; any other text by the
    pattern itself."""
    ranges = f"substr({r}, 2, 2) {C} <= '23' AND substr({r}, 5, 1) {C} <= '5' AND substr({r}, 8, 1) {C} <= '5'"
    branches = []
    for sep in ("T", " "):
        for zone, extra in (("+__:__", f" AND substr({r}, 11, 2) {C} <= '14' AND substr({r}, 14, 1) {C} <= '5'"),
                            ("Z", "")):  # fmt: skip
            like = f"{sep}__:__:__{zone}"
            seps = "".join(ch for ch in like if ch != "_")
            branches.append(
                f"WHEN {r} {C} LIKE '{like}' THEN translate({r}, '{DIGITS}', '') = '{seps}' AND {ranges}{extra}"
            )
    return "CASE " + " ".join(branches) + f" ELSE {r} ~ %(rest_re)s END"


def _rest_key(ts: str) -> str:
    """SQL: the rest of ``ts`` (from its 11th character) with the decimals of its seconds removed, so that
    timestamps with sub-second parts share their rests too (``T00:15:00.140892+08:00`` → ``T00:15:00.+08:00``)."""
    return (
        f"CASE WHEN substr({ts}, 20, 1) = '.' "
        f"THEN substr({ts}, 11, 10) || ltrim(substr({ts}, 21), '{DIGITS}') ELSE substr({ts}, 11) END"
    )


def _fraction_digits(ts: str) -> str:
    """SQL: how many digits ``_rest_key`` removed (NULL when the 20th character is not a point)."""
    return (
        f"CASE WHEN substr({ts}, 20, 1) = '.' "
        f"THEN length(substr({ts}, 21)) - length(ltrim(substr({ts}, 21), '{DIGITS}')) END"
    )


def _rest_key_ok(k: str) -> str:
    """SQL deciding a rest key: a point at the 10th character can only be the seconds' decimal point in a text
    that matches, so the key matches with one digit put back exactly when the original does with 1 to 6 digits
    (which the lines check: ``_fraction_digits``)."""
    with_digit = f"(substr({k}, 1, 10) || '0' || substr({k}, 11))"
    return f"CASE WHEN substr({k}, 10, 1) = '.' THEN {_rest_check(with_digit)} ELSE {_rest_check(k)} END"


def _fraction_ok(n: str) -> str:
    """SQL: the count of ``_fraction_digits`` is allowed (1 to 6 decimals, or none taken out)."""
    return f"coalesce(({n}) BETWEEN 1 AND 6, true)"


def _time_ok(ts: str) -> str:
    """SQL deciding ``ts ~ TIME_PATTERN`` from the parts, without lookups (the ingest looks the parts up)."""
    return (
        f"({_date_check(f'substr({ts}, 1, 10)')} AND ({_rest_key_ok(_rest_key(ts))}) "
        f"AND {_fraction_ok(_fraction_digits(ts))})"
    )


def _instant(ts: str) -> str:
    """SQL: the instant of a valid timestamp text; one without an offset (no ``Z``, ``+`` or ``-`` after the
    date) is Beijing time, as the row path reads files."""
    return (
        f"CASE WHEN substr({ts}, 11) ~ '[Z+-]' THEN {ts}::timestamptz "
        f"ELSE {ts}::timestamp AT TIME ZONE 'Asia/Shanghai' END"
    )


def _ascii_digits(expr: str) -> str:
    """SQL: the text as core.numbers.normalise reads it (fullwidth digits, points and signs as ASCII); plain
    ASCII, nearly every field, skips the translation."""
    return (
        f"CASE WHEN octet_length({expr}) = length({expr}) THEN {expr} "
        f"ELSE btrim(translate({expr}, '{numbers.WIDE}', '{numbers.NARROW}'), ' \r') END"
    )


def _quantity_check(col: str) -> str:
    """SQL deciding ``col ~ QUANTITY_PATTERN``; plain digits with at most one point skip the expression."""
    return (
        f"CASE WHEN {col} <> '' AND {col} <> '.' AND translate({col}, '0123456789', '') IN ('', '.') "
        f"THEN true ELSE {col} ~ %(qre)s END"
    )


def ingest_csv(plan, data: bytes, source: str, meters: dict[str, Meter] | None = None) -> Report:
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    head, _, body = text.partition("\n")
    header = check_header([h.strip() for h in head.rstrip("\r").split(",")], READINGS)
    # COPY takes its line-end style from the first line and refuses a mixture: one style, and a final newline
    body = body.replace("\r\n", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    pos = {h: i + 1 for i, h in enumerate(header) if h}  # 1-based; a repeated name keeps the last, as the row path
    others = [p for h, p in pos.items() if h not in services.READING_COLUMNS]
    if meters is None:
        qs = Meter.objects.all()
        if plan is not None:
            qs = qs.filter(enterprise__plan=plan)
        meters = {m.meter_code: m for m in qs.only("pk", "meter_code")}
    codes = list(meters)
    now = timezone.now()
    params = {
        "codes": codes,
        "ids": [meters[k].pk for k in codes],
        "rest_re": "^" + times.TIME_REST_LOCAL_PATTERN,
        "qre": services.QUANTITY_PATTERN,
        "maxq": services.MAX_QUANTITY,
        "dec": services.MAX_DECIMALS,
        "dig": services.MAX_DIGITS,
        "earliest": services.EARLIEST,
        "latest": now + services.FUTURE_TOLERANCE,
    }
    field = "btrim(split_part(txt, ',', {}), ' \r')"
    other_cols = "".join(f", {field.format(p)} AS o{i}" for i, p in enumerate(others))
    other_blank = "".join(f" AND o{i} = ''" for i in range(len(others)))
    table = Reading._meta.db_table
    rep = Report()
    with transaction.atomic(), connection.cursor() as cur:
        # the hash tables below stay in memory (this transaction only)
        cur.execute("SET LOCAL work_mem = '256MB'")
        # inside an outer transaction (the API, tests) ON COMMIT DROP has not fired yet for an earlier call
        # (pg_temp: never a permanent table of the same name)
        cur.execute(f"DROP TABLE IF EXISTS {', '.join('pg_temp.' + t for t in TEMP_TABLES)}")
        cur.execute(
            "CREATE TEMPORARY TABLE cp_raw (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), txt text) "
            "ON COMMIT DROP"
        )
        with cur.cursor.copy("COPY cp_raw (txt) FROM STDIN") as cp:
            cp.write(body)
        # the fields, split out once; a line whose named columns are all empty is skipped (it keeps its number)
        cur.execute(
            "CREATE TEMPORARY TABLE cp_fields ON COMMIT DROP AS "
            f"SELECT *, substr(ts, 1, 10) AS d, {_rest_key('ts')} AS r, {_fraction_digits('ts')} AS n FROM ("
            f"  SELECT line, {field.format(pos['meter_code'])} AS code, {field.format(pos['reading_time'])} AS ts, "
            f"    {_ascii_digits(field.format(pos['quantity']))} AS qty{other_cols} FROM cp_raw OFFSET 0) f "
            f"WHERE NOT (code = '' AND ts = '' AND qty = ''{other_blank})"
        )
        # A timestamp is a date (its first 10 characters) and the rest: a file holds few distinct dates, and few
        # distinct rests (meters report at the same quarter hours, or at a fixed second; decimals of seconds are
        # taken out of the rest and counted per line): each is checked once, and the lines look theirs up. (A
        # text shorter than 10 characters fails the date check.)
        cur.execute(
            "CREATE TEMPORARY TABLE cp_dates ON COMMIT DROP AS "
            f"SELECT d, {_date_ok('d')} AS ok FROM (SELECT DISTINCT d FROM cp_fields) x"
        )
        cur.execute(
            "CREATE TEMPORARY TABLE cp_rests ON COMMIT DROP AS "
            f"SELECT r, {_rest_key_ok('r')} AS ok FROM (SELECT DISTINCT r FROM cp_fields) x",
            params,
        )
        cur.execute("ANALYZE cp_dates, cp_rests")  # (hash joins, not sorts of the whole file)
        # the row path's rules in its order: the first failing rule is the row's error. OFFSET 0 keeps the inner
        # level a subquery of its own, so that t and q are computed once each (and not in every rule using them).
        # The quantity needs no removal of thousands separators: a field split at commas has none.
        cur.execute(
            "CREATE TEMPORARY TABLE cp_checked ON COMMIT DROP AS "
            "SELECT line, CASE WHEN meter_id IS NULL THEN code END AS code, meter_id, t, q, CASE "
            "  WHEN meter_id IS NULL THEN 'meter' "
            "  WHEN t IS NULL THEN 'time' "
            "  WHEN q IS NULL OR q < 0 OR q > %(maxq)s THEN 'range' "
            "  WHEN scale(q) > %(dec)s THEN 'digits' "
            # no more significant digits than digit characters: only a long text can have too many
            "  WHEN length(qty) > %(dig)s AND length(btrim(replace(trim_scale(abs(q))::text, '.', ''), '0')) > %(dig)s "
            "    THEN 'digits' "
            "  WHEN t < %(earliest)s OR t > %(latest)s THEN 'when' "
            "END AS err FROM ("
            "  SELECT f.line, f.code, f.qty, m.id AS meter_id, "
            f"    CASE WHEN cp_dates.ok AND cp_rests.ok AND {_fraction_ok('f.n')} THEN {_instant('f.ts')} END AS t, "
            f"    CASE WHEN {_quantity_check('f.qty')} THEN f.qty::numeric END AS q "
            "  FROM cp_fields f "
            "  JOIN cp_dates ON cp_dates.d = f.d JOIN cp_rests ON cp_rests.r = f.r "
            "  LEFT JOIN unnest(%(codes)s::text[], %(ids)s::bigint[]) AS m(code, id) ON m.code = f.code "
            "  OFFSET 0) p",
            params,
        )
        cur.execute("SELECT line, err, code FROM cp_checked WHERE err IS NOT NULL")
        for line, err, extra in cur.fetchall():
            _reject(rep, line, err, extra)
        if _insert_new(cur, table, source, now, rep):
            spans = None
            _add_to_rollups(cur, source)
        else:
            _insert_full(cur, table, source, now, rep)
            cur.execute("SELECT meter_id, min(t), max(t) FROM cp_checked WHERE err IS NULL GROUP BY meter_id")
            spans = cur.fetchall()
        cur.execute("SELECT min(t), max(t) FROM cp_checked WHERE err IS NULL")
        first, last = cur.fetchone()
        if first is not None:
            rep.period = (first, last)
        cur.execute(f"DROP TABLE IF EXISTS {', '.join('pg_temp.' + t for t in TEMP_TABLES[:-1])}")
    if spans and rep.accepted:
        services.refresh_rollups([(m, t) for m, lo, hi in spans for t in (lo, hi)])
    return rep


def _add_to_rollups(cur, source: str) -> None:
    """Every valid row was inserted (and nothing else changed): add them to the monthly roll-ups in the same
    transaction, under the meters' locks (in id order, as ``refresh_rollups`` takes them), so that a concurrent
    full refresh either ran before and did not see these rows, or runs after and sees them committed."""
    rollup = MonthlyRollup._meta.db_table
    meter = Meter._meta.db_table
    cur.execute(
        f'SELECT id FROM "{meter}" WHERE id IN (SELECT DISTINCT meter_id FROM cp_checked WHERE err IS NULL) '
        "ORDER BY id FOR UPDATE"
    )
    cur.execute(
        f'INSERT INTO "{rollup}" (meter_id, month, quantity, readings, manual_readings, last_reading_at) '
        "SELECT meter_id, (date_trunc('month', (t - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai'))::date, "
        "  sum(q), count(*), CASE WHEN %s = 'manual' THEN count(*) ELSE 0 END, max(t) "
        "FROM cp_checked WHERE err IS NULL GROUP BY 1, 2 "
        "ON CONFLICT (meter_id, month) DO UPDATE SET quantity = "
        f'"{rollup}".quantity + EXCLUDED.quantity, readings = "{rollup}".readings + EXCLUDED.readings, '
        f'manual_readings = "{rollup}".manual_readings + EXCLUDED.manual_readings, '
        f'last_reading_at = GREATEST("{rollup}".last_reading_at, EXCLUDED.last_reading_at)',
        [source],
    )


def _insert_new(cur, table: str, source: str, now, rep: Report) -> bool:
    """All valid rows are new (nothing stored at their times, no repeat within the file): one plain INSERT.
    False, with nothing inserted, when that does not hold (the unique key refuses; a re-sent file fails on its
    first row, so the attempt costs little)."""
    try:
        with transaction.atomic():
            cur.execute(
                f'INSERT INTO "{table}" ("meter_id", "reading_time", "quantity", "source", "received_at") '
                "SELECT meter_id, t, q, %s, %s FROM cp_checked WHERE err IS NULL",
                [source, now],
            )
            rep.accepted += cur.rowcount
    except IntegrityError:  # a repeat within the file, or a concurrent worker's rows
        return False
    return True


def _insert_full(cur, table: str, source: str, now, rep: Report) -> None:
    # the first valid row of each (meter, instant) in line order stands for it; later equal ones are duplicates
    cur.execute(
        "CREATE TEMPORARY TABLE cp_valid ON COMMIT DROP AS "
        "SELECT line, meter_id, t, q, first_value(line) OVER w AS first_line, first_value(q) OVER w AS first_q "
        "FROM cp_checked WHERE err IS NULL WINDOW w AS (PARTITION BY meter_id, t ORDER BY line)"
    )
    cur.execute("SELECT line, first_line FROM cp_valid WHERE line <> first_line AND q <> first_q")
    for line, first in cur.fetchall():
        _reject(rep, line, "dup_diff", first)
    cur.execute("SELECT count(*) FROM cp_valid WHERE line <> first_line AND q = first_q")
    rep.duplicates += cur.fetchone()[0]
    cur.execute(
        f'INSERT INTO "{table}" ("meter_id", "reading_time", "quantity", "source", "received_at") '
        "SELECT meter_id, t, q, %s, %s FROM cp_valid WHERE line = first_line "
        'ON CONFLICT ("meter_id", "reading_time") DO NOTHING',
        [source, now],
    )
    inserted = cur.rowcount
    rep.accepted += inserted
    cur.execute("SELECT count(*) FROM cp_valid WHERE line = first_line")
    firsts = cur.fetchone()[0]
    # rows not inserted: stored before (or by a concurrent worker, committed meanwhile): equal or a conflict
    left = []
    if inserted < firsts:
        cur.execute(
            "SELECT v.line, v.q = r.quantity, r.quantity::text FROM cp_valid v "
            f'JOIN "{table}" r ON r.meter_id = v.meter_id AND r.reading_time = v.t '
            "WHERE v.line = v.first_line AND r.received_at <> %s",
            [now],
        )
        left = cur.fetchall()
    if inserted + len(left) != firsts:  # every valid row is either ours or already stored
        raise RuntimeError(f"readings ingest: {firsts} rows, {inserted} inserted, {len(left)} found")
    for line, equal, old in left:
        if equal:
            rep.duplicates += 1
        else:
            services._conflict(rep, line, old)
    cur.execute("DROP TABLE pg_temp.cp_valid")


def _reject(rep: Report, line: int, err: str, extra: Any) -> None:
    if err == "meter":
        rep.reject(
            line, "meter_code", f"meter_code：未登记的计量器具 {extra!r}", f"meter_code: no meter {extra!r} registered"
        )
    elif err == "time":
        rep.reject(line, "reading_time", *services.TIME_MESSAGES["local"])
    elif err in ("range", "digits"):
        rep.reject(line, "quantity", *services.QUANTITY_MESSAGES[err])
    elif err == "when":
        rep.reject(line, "reading_time", *services.TIME_MESSAGES["window"])
    else:  # dup_diff
        rep.reject(
            line,
            "quantity",
            f"quantity：与第 {extra} 行同一表同一时间但数值不同",
            f"quantity: same meter and time as line {extra} with a different value",
        )


def ingest_file(plan, data: bytes, name: str = "", source: str = "upload", meters=None) -> Report:
    """A readings file (CSV or Excel) by the fastest path that keeps the contract. Raises Unreadable."""
    from carbonpeak.tabular import read_rows

    if eligible(data, name):
        return ingest_csv(plan, data, source, meters)
    return services.ingest_readings(plan, read_rows(data, READINGS, name), source, meters, local_time=True)
