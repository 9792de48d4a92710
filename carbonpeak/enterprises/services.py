"""Registry and monitoring imports (the script contract) and the readings ingest shared with the machine API.

Every import validates each row, stores the good ones and reports the rest with line, field and message;
running it again changes nothing (rows equal to what is stored count as duplicates). Readings are inserted
with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: the database decides, per (meter, time), which worker
stored a reading, so two workers ingesting the same batch store it once; a row that was not inserted is a
duplicate when its value equals the stored one and a conflict otherwise (never overwritten).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.audit.services import record
from carbonpeak.core import inventory, numbers, units
from carbonpeak.core.uscc import check_uscc
from carbonpeak.enterprises import industry, rollups
from carbonpeak.enterprises.choices import ReadingSource
from carbonpeak.enterprises.models import Enterprise, Meter, Reading
from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report
from carbonpeak.tabular.times import parse_time
from carbonpeak.validation import max_length_of, parse_int

ENTERPRISE_COLUMNS = ("uscc", "name", "industry_code", "township")
METER_COLUMNS = ("uscc", "meter_code", "carrier", "unit")
READING_COLUMNS = ("meter_code", "reading_time", "quantity")
INSERT_CHUNK = 1000
COPY_CHUNK = 50_000
MAX_QUANTITY = Decimal(10) ** 12
#: a quantity keeps at most 6 decimals (the column) and 15 significant digits (what SQLite's REAL holds
#: exactly), so a stored value always compares equal to the same value sent again
MAX_DECIMALS = 6
MAX_DIGITS = 15
#: readings may not end later than this after the server's clock (meter clocks drift; the future is an error)
FUTURE_TOLERANCE = dt.timedelta(days=1)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _decimal(raw: str) -> Decimal | None:
    """A decimal in the one grammar (core.numbers: ``1,234,567.5``, fullwidth alike; no exponents, NaN, ``1,2``
    or underscores); the size and decimals are checked by the caller (``quantity_problem``)."""
    if type(raw) is not str:
        return None
    try:
        return numbers.parse_text(raw, bounded=False)
    except numbers.NumberError:
        return None


# --- enterprises --------------------------------------------------------------------------------------------
#: optional columns: present in the file → set (an empty cell clears); absent → left as stored
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email")
METER_OPTIONAL = ("multiplier", "calibration_due", "energy_review_ref", "interval_minutes", "is_online")


def _contacts(r: dict[str, str], fields: dict[str, Any]) -> tuple[str, str, str] | None:
    for col in CONTACT_COLUMNS:
        if col in r:
            fields[col] = (r.get(col) or "").strip()
    if len(fields.get("contact_name", "")) > 60:
        return "contact_name", "contact_name：最多 60 个字", "contact_name: at most 60 characters"
    if len(fields.get("contact_phone", "")) > 30:
        return "contact_phone", "contact_phone：最多 30 个字符", "contact_phone: at most 30 characters"
    email = fields.get("contact_email", "")
    if email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            return (
                "contact_email",
                f"contact_email：{email!r} 不是有效的邮箱地址",
                f"contact_email: {email!r} is not an e-mail address",
            )
    return None


def _meter_options(r: dict[str, str]) -> tuple[dict[str, Any], tuple[str, str, str] | None]:
    """The optional meter columns present in the row, parsed; or the first bad one."""
    out: dict[str, Any] = {}
    if "multiplier" in r:
        raw = (r.get("multiplier") or "").strip() or "1"
        m = _decimal(raw)
        if m is None or m <= 0 or m >= Decimal(10) ** 10 or m.as_tuple().exponent < -6:
            return out, (
                "multiplier",
                "multiplier：倍率应为正数，最多 6 位小数",
                "multiplier: a positive number, <= 6 decimals",
            )
        out["multiplier"] = m
    if "calibration_due" in r:
        raw = (r.get("calibration_due") or "").strip()
        try:
            out["calibration_due"] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            return out, (
                "calibration_due",
                "calibration_due：应为日期 YYYY-MM-DD",
                "calibration_due: a date YYYY-MM-DD",
            )
    if "energy_review_ref" in r:
        ref = (r.get("energy_review_ref") or "").strip()
        if len(ref) > 100:
            return out, (
                "energy_review_ref",
                "energy_review_ref：最多 100 个字",
                "energy_review_ref: <= 100 characters",
            )
        out["energy_review_ref"] = ref
    if "interval_minutes" in r:
        raw = (r.get("interval_minutes") or "").strip() or "15"
        if parse_int(raw, low=1, high=44640) is None:
            return out, (
                "interval_minutes",
                "interval_minutes：采集间隔应为 1–44640 分钟",
                "interval_minutes: 1 to 44640",
            )
        out["interval_minutes"] = parse_int(raw, low=1, high=44640)
    if "is_online" in r:
        raw = (r.get("is_online") or "").strip().lower()
        flags = {"": True, "1": True, "true": True, "yes": True, "是": True, "在线": True,
                 "0": False, "false": False, "no": False, "否": False, "手工": False}  # fmt: skip
        if raw not in flags:
            return out, ("is_online", "is_online：应为 是/否（1/0）", "is_online: yes/no (1/0)")
        out["is_online"] = flags[raw]
    return out, None


def import_enterprises(actor: Any, plan: Plan, rows: Iterable[tuple[int, dict[str, str]]]) -> Report:
    rep = Report()
    seen: dict[str, int] = {}
    good: dict[str, tuple[int, dict[str, str]]] = {}
    for n, r in rows:
        code = (r.get("uscc") or "").strip().upper()
        bad = check_uscc(code)
        if bad:
            rep.reject(n, "uscc", f"uscc：{bad[1]}", f"uscc: {bad[2]}")
            continue
        name = (r.get("name") or "").strip()
        if not name:
            rep.reject(n, "name", "name：请填写企业名称", "name: the enterprise name is required")
            continue
        ind = (r.get("industry_code") or "").strip()
        if not industry.is_class(ind):
            rep.reject(
                n,
                "industry_code",
                f"industry_code：{ind!r} 不是 GB/T 4754-2017 小类代码（4 位）",
                f"industry_code: {ind!r} is not a GB/T 4754-2017 class (4 digits)",
            )
            continue
        fields = {"name": name, "industry_code": ind, "township": (r.get("township") or "").strip()}
        contact_error = _contacts(r, fields)
        if contact_error:
            rep.reject(n, *contact_error)
            continue
        if code in seen:
            if good[code][1] == fields:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "uscc",
                    f"uscc：与第 {seen[code]} 行代码相同但内容不同",
                    f"uscc: same code as line {seen[code]}, different data",
                )
            continue
        seen[code] = n
        good[code] = (n, fields)
    with transaction.atomic():
        existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=list(good))}
        for code, (n, fields) in good.items():
            e = existing.get(code)
            if e is None:
                e = Enterprise.objects.create(plan=plan, uscc=code, **fields)
                record(actor, "enterprise.create", e, None, fields)
                rep.accepted += 1
            elif e.plan_id != plan.pk:
                rep.reject(n, "uscc", "uscc：该企业属于其他县", "uscc: the enterprise belongs to another county")
            elif all(getattr(e, k) == v for k, v in fields.items()):
                rep.duplicates += 1
            else:
                before = {k: getattr(e, k) for k in fields}
                for k, v in fields.items():
                    setattr(e, k, v)
                e.save()
                record(actor, "enterprise.update", e, before, fields)
                rep.accepted += 1
    return rep


# --- meters -------------------------------------------------------------------------------------------------
def import_meters(actor: Any, plan: Plan, rows: Iterable[tuple[int, dict[str, str]]]) -> Report:
    rep = Report()
    fs = core_factor_set(default_factor_set(plan))
    rows = list(rows)
    ents = {
        e.uscc: e
        for e in Enterprise.objects.filter(plan=plan, uscc__in={(r.get("uscc") or "").strip().upper() for _, r in rows})
    }
    existing = {
        m.meter_code: m
        for m in Meter.objects.filter(
            meter_code__in={(r.get("meter_code") or "").strip() for _, r in rows}
        ).select_related("enterprise")
    }
    seen: dict[str, tuple[int, tuple]] = {}
    with transaction.atomic():
        for n, r in rows:
            code = (r.get("uscc") or "").strip().upper()
            meter_code = (r.get("meter_code") or "").strip()
            carrier = (r.get("carrier") or "").strip()
            unit = (r.get("unit") or "").strip()
            ent = ents.get(code)
            if ent is None:
                rep.reject(
                    n,
                    "uscc",
                    f"uscc：未登记的企业 {code}（先导入企业）",
                    f"uscc: no enterprise {code} registered (import enterprises first)",
                )
                continue
            if not meter_code:
                rep.reject(n, "meter_code", "meter_code：请填写计量器具编号", "meter_code: required")
                continue
            if carrier not in fs.carriers:
                rep.reject(
                    n, "carrier", f"carrier：能源品种 {carrier!r} 不在因子库中", f"carrier: unknown carrier {carrier!r}"
                )
                continue
            if unit not in units.QUANTITY_UNITS:
                rep.reject(
                    n,
                    "unit",
                    f"unit：单位 {unit!r} 无效",
                    f"unit: unknown unit {unit!r}; use one of {', '.join(units.QUANTITY_UNITS)}",
                )
                continue
            dim = inventory.carrier_dimension(fs, carrier)
            if dim is not None and units.QUANTITY_UNITS[unit][0] != dim:
                rep.reject(
                    n,
                    "unit",
                    f"unit：{carrier} 应以 {'、'.join(units.units_of(dim))} 计量，不能用 {unit}",
                    f"unit: {carrier} is measured in {', '.join(units.units_of(dim))}, not {unit}",
                )
                continue
            options, bad = _meter_options(r)
            if bad:
                rep.reject(n, *bad)
                continue
            sig = (ent.pk, carrier, unit, tuple(sorted(options.items())))
            if meter_code in seen:
                if seen[meter_code][1] == sig:
                    rep.duplicates += 1
                else:
                    rep.reject(
                        n,
                        "meter_code",
                        f"meter_code：与第 {seen[meter_code][0]} 行编号相同但内容不同",
                        f"meter_code: same code as line {seen[meter_code][0]}, different data",
                    )
                continue
            seen[meter_code] = (n, sig)
            m = existing.get(meter_code)
            if m is not None and m.enterprise.plan_id != plan.pk:
                rep.reject(
                    n,
                    "meter_code",
                    "meter_code：该编号属于其他县的计量器具",
                    "meter_code: the code belongs to another county",
                )
                continue
            wanted = {"enterprise_id": ent.pk, "carrier": carrier, "unit": unit, **options}
            if m is None:
                m = Meter.objects.create(enterprise=ent, meter_code=meter_code, carrier=carrier, unit=unit, **options)
                record(actor, "meter.create", m, None, _audit_values({"enterprise": code, **wanted}))
                rep.accepted += 1
                continue
            before = {k: getattr(m, k) for k in wanted}
            if before == wanted:
                rep.duplicates += 1
                continue
            fixed = ("enterprise_id", "carrier", "unit", "multiplier")
            if any(before[k] != wanted[k] for k in fixed if k in wanted) and m.readings.exists():
                rep.reject(
                    n,
                    "meter_code",
                    "meter_code：该表已有读数，不能改变企业、品种、单位或倍率",
                    "meter_code: the meter has readings; its enterprise, carrier, unit and multiplier are fixed",
                )
                continue
            for k, v in wanted.items():
                setattr(m, k, v)
            m.save()
            record(actor, "meter.update", m, _audit_values(before), _audit_values(wanted))
            rep.accepted += 1
    return rep


def _audit_values(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if v is None or isinstance(v, (bool, int, str)) else str(v)) for k, v in d.items()}


# --- readings -----------------------------------------------------------------------------------------------
TIME_MESSAGES = {
    "local": (
        "reading_time：应为时间，如 2024-03-01 00:15（北京时间）或 2024-03-01T00:15:00+08:00",
        "reading_time: a time, e.g. 2024-03-01 00:15 (Beijing time) or 2024-03-01T00:15:00+08:00",
    ),
    "format": (
        "reading_time：应为带时区的时间，如 2024-03-01T00:15:00+08:00",
        "reading_time: a timestamp with its offset, e.g. 2024-03-01T00:15:00+08:00",
    ),
    "window": (
        "reading_time：时间不能晚于当前时间或早于 2000 年",
        "reading_time: cannot lie in the future or before 2000",
    ),
}
QUANTITY_MESSAGES = {
    "range": ("quantity：应为不超过 10¹² 的非负数值", "quantity: a non-negative number up to 10^12"),
    "digits": (
        f"quantity：最多 {MAX_DECIMALS} 位小数、{MAX_DIGITS} 位有效数字",
        f"quantity: at most {MAX_DECIMALS} decimals and {MAX_DIGITS} significant digits",
    ),
}


def quantity_problem(q: Decimal | None) -> str | None:
    """Why a parsed quantity cannot be stored: ``range`` (missing, negative, too big) or ``digits`` (more than
    the column keeps exactly); None when it can."""
    if q is None or q < 0 or q > MAX_QUANTITY:
        return "range"
    t = q.as_tuple()
    exp = t.exponent
    if (isinstance(exp, int) and exp < -MAX_DECIMALS) or (
        len(t.digits) > MAX_DIGITS and len(q.normalize().as_tuple().digits) > MAX_DIGITS
    ):  # normalising (dropping trailing zeros) only for the rare long ones
        return "digits"
    return None


def parse_quantity(raw: str) -> Decimal | None:
    """A quantity from text (thousands separators allowed), or None when it cannot be stored."""
    q = _decimal(raw)
    return q if quantity_problem(q) is None else None


#: the accepted quantity grammar without thousands separators, after NFKC (core.numbers: no exponents)
QUANTITY_PATTERN = numbers.PLAIN_PATTERN
_QUANTITY_RE = re.compile(QUANTITY_PATTERN)


def ingest_readings(
    plan: Plan | None,
    rows: Iterable[tuple[int | None, dict[str, Any]]],
    source: str = ReadingSource.UPLOAD,
    meters: dict[str, Meter] | None = None,
    batch_id: int | None = None,
    client=None,
    local_time: bool = False,
) -> Report:
    """Validate and insert readings (any number; chunked). ``plan`` limits the meters to one county; ``meters``,
    when given, is the whole set of meters the rows may name (a machine client's scope); ``batch_id`` is the
    machine-API batch the stored readings record (its client sent them). ``client``: only the meters of the
    enterprises in that machine client's scope (``Enterprise.gateways``) may be named. ``local_time`` (files)
    reads a time without an offset as Beijing time. The report's ``period`` is the first and last time of the
    valid rows."""
    rep = Report()
    rows = list(rows)
    if meters is None:
        codes = {str(r.get("meter_code") or "").strip() for _, r in rows}
        longest = max_length_of(Meter, "meter_code")  # a longer code, or one with a NUL, is simply unknown
        codes = {c for c in codes if "\x00" not in c and len(c) <= longest}
        qs = Meter.objects.filter(meter_code__in=codes)
        if plan is not None:
            qs = qs.filter(enterprise__plan=plan)
        if client is not None:
            qs = qs.filter(enterprise__gateways=client)
        meters = {m.meter_code: m for m in qs}
    batch: dict[tuple[int, dt.datetime], tuple[int | None, Decimal]] = {}
    meter_id = {code: m.pk for code, m in meters.items()}
    latest = timezone.now() + FUTURE_TOLERANCE
    for n, r in rows:
        code = r.get("meter_code")
        mid = meter_id.get(code) if type(code) is str else None
        if mid is None:
            code = str(code or "").strip()
            mid = meter_id.get(code)
        if mid is None:
            if client is not None:
                rep.reject(
                    n,
                    "meter_code",
                    f"meter_code：计量器具 {code!r} 未登记或不在本客户端的授权企业范围内",
                    f"meter_code: meter {code!r} is not registered or not within this client's enterprises",
                )
            else:
                rep.reject(
                    n,
                    "meter_code",
                    f"meter_code：未登记的计量器具 {code!r}",
                    f"meter_code: no meter {code!r} registered",
                )
            continue
        t = parse_time(r.get("reading_time") or "", local_time)
        if t is None:
            rep.reject(n, "reading_time", *TIME_MESSAGES["local" if local_time else "format"])
            continue
        raw_q = r.get("quantity")
        if type(raw_q) is str:
            q = Decimal(raw_q) if _QUANTITY_RE.fullmatch(raw_q) else _decimal(raw_q)
        elif isinstance(raw_q, Decimal):
            q = raw_q if raw_q.is_finite() else None
        else:
            q = _decimal(str(raw_q if raw_q is not None else ""))
        problem = quantity_problem(q)
        if problem is not None:
            rep.reject(n, "quantity", *QUANTITY_MESSAGES[problem])
            continue
        if not EARLIEST <= t <= latest:
            rep.reject(n, "reading_time", *TIME_MESSAGES["window"])
            continue
        key = (mid, t)  # aware datetimes hash and compare by their instant, whatever the offset
        if key in batch:
            if batch[key][1] == q:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "quantity",
                    f"quantity：与第 {batch[key][0]} 行同一表同一时间但数值不同",
                    f"quantity: same meter and time as line {batch[key][0]} with a different value",
                )
            continue
        batch[key] = (n, q)
    if batch:
        times = [t for _, t in batch]
        rep.period = (min(times), max(times))
    items = list(batch.items())
    if connection.vendor == "postgresql":
        for i in range(0, len(items), COPY_CHUNK):
            _insert_chunk_pg(items[i : i + COPY_CHUNK], source, rep, batch_id)
    else:
        for i in range(0, len(items), INSERT_CHUNK):
            _insert_chunk(items[i : i + INSERT_CHUNK], source, rep, batch_id)
    if rep.accepted:
        refresh_rollups(batch)
    return rep


def rebuild_rollups(plan: Plan) -> int:
    """Recompute every roll-up of the county from its readings (repairs roll-ups left stale by a crash between
    an ingest's commit and its refresh); meter by meter, each under its lock."""
    from django.db.models import Max, Min

    n = 0
    spans = (
        Reading.objects.filter(meter__enterprise__plan=plan)
        .values("meter_id")
        .annotate(lo=Min("reading_time"), hi=Max("reading_time"))
    )
    for s in spans:
        with transaction.atomic():
            list(Meter.objects.select_for_update().filter(pk=s["meter_id"]).values_list("pk", flat=True))
            from carbonpeak.enterprises.models import MonthlyRollup

            MonthlyRollup.objects.filter(meter_id=s["meter_id"]).delete()
            n += rollups.refresh([(s["meter_id"], s["lo"]), (s["meter_id"], s["hi"])])
    return n


def refresh_rollups(keys: Iterable[tuple[int, dt.datetime]]) -> None:
    """Refresh the monthly roll-ups of the touched meters, with those meters locked (in id order), so that
    concurrent ingests of one meter refresh one after the other and the last one reads every committed row."""
    keys = list(keys)
    with transaction.atomic():
        ids = sorted({k[0] for k in keys})
        list(Meter.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        rollups.refresh(keys)


def _insert_chunk_pg(items, source: str, rep: Report, batch_id: int | None = None) -> None:
    """PostgreSQL: COPY the chunk (as text) into a temporary table, insert what is new (ON CONFLICT DO
    NOTHING) and, only when some rows were not inserted, read back the stored values of those rows."""
    table = Reading._meta.db_table
    now = timezone.now()
    if _copy_new_chunk(items, source, now, rep, batch_id):
        return
    out = io.StringIO()
    for (meter_id, t), (n, q) in items:
        out.write(f"{meter_id}\t{t.isoformat()}\t{q}\t{'' if n is None else n}\n")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS cp_reading_stage "
            "(meter_id bigint, reading_time timestamptz, quantity numeric, line bigint) ON COMMIT DELETE ROWS"
        )
        cur.execute("TRUNCATE cp_reading_stage")  # chunks of one transaction (and savepoints) share the table
        with cur.cursor.copy("COPY cp_reading_stage (meter_id, reading_time, quantity, line) FROM STDIN") as cp:
            cp.write(out.getvalue())
        cur.execute(
            f'INSERT INTO "{table}" ("meter_id", "reading_time", "quantity", "source", "received_at", "batch_id") '
            "SELECT meter_id, reading_time, quantity, %s, %s, %s FROM cp_reading_stage "
            'ON CONFLICT ("meter_id", "reading_time") DO NOTHING',
            [source, now, batch_id],
        )
        inserted = cur.rowcount
        skipped = []
        if inserted < len(items):
            # rows this statement stored carry its exact received_at; any other stored row was there before
            # (or was committed meanwhile by a concurrent worker, which this later statement does see)
            cur.execute(
                "SELECT s.meter_id, s.reading_time, s.line, s.quantity, r.quantity FROM cp_reading_stage s "
                f'JOIN "{table}" r ON r.meter_id = s.meter_id AND r.reading_time = s.reading_time '
                "WHERE r.received_at <> %s",
                [now],
            )
            skipped = cur.fetchall()
    rep.accepted += inserted
    if inserted + len(skipped) != len(items):  # every staged row is either ours or already stored
        raise RuntimeError(f"readings ingest: {len(items)} rows, {inserted} inserted, {len(skipped)} found")
    unseen = []
    for meter_id, t, line, q, old in skipped:
        if old is None:
            unseen.append(((meter_id, t), (line, q)))
        elif old == q:
            rep.duplicates += 1
        else:
            _conflict(rep, line, old)
    _classify_left(unseen, rep)


def _copy_new_chunk(items, source: str, now: dt.datetime, rep: Report, batch_id: int | None = None) -> bool:
    """The common case, new data: when no stored reading of a meter falls in that meter's time span in the chunk, COPY
    the chunk straight into the readings table. A concurrent worker storing the same rows makes the COPY fail
    on the unique index; the chunk then takes the staged path, which counts them as duplicates."""
    spans: dict[int, list[dt.datetime]] = {}
    for (meter_id, t), _ in items:
        span = spans.get(meter_id)
        if span is None:
            spans[meter_id] = [t, t]
        elif t < span[0]:
            span[0] = t
        elif t > span[1]:
            span[1] = t
    ids = list(spans)
    table = Reading._meta.db_table
    with connection.cursor() as cur:
        # per meter: is anything stored within this chunk's own time span of that meter?
        cur.execute(
            "SELECT 1 FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS s(m, lo, hi) "
            f'WHERE EXISTS (SELECT 1 FROM "{table}" r WHERE r.meter_id = s.m AND r.reading_time BETWEEN s.lo AND s.hi) '
            "LIMIT 1",
            [ids, [spans[i][0] for i in ids], [spans[i][1] for i in ids]],
        )
        if cur.fetchone() is not None:
            return False
        stamp = now.isoformat()
        out = io.StringIO()
        batch = "\\N" if batch_id is None else str(int(batch_id))  # COPY's text format: \N is NULL
        for (meter_id, t), (_n, q) in items:
            out.write(f"{meter_id}\t{t.isoformat()}\t{q}\t{source}\t{stamp}\t{batch}\n")
        import psycopg

        try:
            with transaction.atomic():
                with cur.cursor.copy(
                    f'COPY "{table}" (meter_id, reading_time, quantity, source, received_at, batch_id) FROM STDIN'
                ) as cp:
                    cp.write(out.getvalue())
        except (IntegrityError, psycopg.IntegrityError):  # the raw cursor raises psycopg's own class
            return False
    rep.accepted += len(items)
    return True


def _insert_chunk(
    items: Sequence[tuple[tuple[int, dt.datetime], tuple[int | None, Decimal]]],
    source: str,
    rep: Report,
    batch_id: int | None = None,
) -> None:
    table = Reading._meta.db_table
    f_time = Reading._meta.get_field("reading_time")
    f_qty = Reading._meta.get_field("quantity")
    f_recv = Reading._meta.get_field("received_at")
    now = f_recv.get_db_prep_value(timezone.now(), connection)
    params: list[Any] = []
    for (meter_id, t), (_n, q) in items:
        params += [
            meter_id,
            f_time.get_db_prep_value(t, connection),
            f_qty.get_db_prep_value(q, connection),
            source,
            now,
            batch_id,
        ]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(items))
    sql = (
        f'INSERT INTO "{table}" ("meter_id", "reading_time", "quantity", "source", "received_at", "batch_id") '
        f"VALUES {values} "
        'ON CONFLICT ("meter_id", "reading_time") DO NOTHING RETURNING "meter_id", "reading_time"'
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        inserted = {(row[0], _as_utc(row[1])) for row in cur.fetchall()}
    rep.accepted += len(inserted)
    _classify_left([(k, v) for k, v in items if k not in inserted], rep)


def _classify_left(left, rep: Report) -> None:
    """Rows the database did not insert: a duplicate when the stored value is equal, else a conflict."""
    if not left:
        return
    stored = {
        (r.meter_id, r.reading_time.astimezone(dt.UTC)): r.quantity
        for r in Reading.objects.filter(
            meter_id__in={k[0] for k, _ in left}, reading_time__in=[k[1] for k, _ in left]
        ).only("meter_id", "reading_time", "quantity")
    }
    for (meter_id, t), (n, q) in left:
        old = stored.get((meter_id, t))
        if old is not None and old == q:
            rep.duplicates += 1
        else:
            _conflict(rep, n, old)


def _conflict(rep: Report, n: int | None, old: Any) -> None:
    rep.reject(
        n,
        "quantity",
        f"quantity：该时间已有不同读数 {old}，不覆盖；如需更正请提交更正申请",
        f"quantity: {old} is stored for this time; a different value never replaces it (request a correction)",
    )


def _as_utc(v: Any) -> dt.datetime:
    if isinstance(v, str):  # SQLite returns text
        v = dt.datetime.fromisoformat(v)
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.UTC)
    return v.astimezone(dt.UTC)


def add_manager(actor, enterprise: Enterprise, user) -> None:
    """``user`` (role enterprise) becomes one of the enterprise's energy managers, audited. The user must be an
    account of the enterprise's county (ValueError otherwise: nothing is stored)."""
    if user.plan_id != enterprise.plan_id:
        raise ValueError("the user belongs to another county than the enterprise")
    with transaction.atomic():
        before = sorted(enterprise.managers.values_list("username", flat=True))
        enterprise.managers.add(user)
        after = sorted({*before, user.username})
        record(actor, "enterprise.managers", enterprise, {"managers": before}, {"managers": after})


def set_reading_scope(actor, client, enterprises: Iterable[Enterprise]) -> list[str]:
    """The enterprises whose meter readings a machine client (role gateway) may send: replaces its scope,
    audited. Returns the USCCs in scope. Only enterprises of the client's own county (ValueError otherwise)."""
    from carbonpeak.accounts.choices import READING_ROLES

    ents = list(enterprises)
    if ents and client.role not in READING_ROLES:
        raise ValueError("only a gateway client may be given enterprises")
    if any(e.plan_id != client.plan_id for e in ents):
        raise ValueError("a gateway may be given only the enterprises of its own county")
    with transaction.atomic():
        before = sorted(client.reading_enterprises.values_list("uscc", flat=True))
        client.reading_enterprises.set(ents)
        after = sorted(e.uscc for e in ents)
        record(actor, "client.reading_scope", client, {"enterprises": before}, {"enterprises": after})
    return after
