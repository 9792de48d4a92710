"""Province scale by simulation (issue 15): does a county's work cost the same with 1 county loaded as with 100?

    .venv/bin/python benchmarks/bench_province.py [--readings 10000000] [--counties 100] [--explain] [--keep]

1. One county: the shipped Chaling plan through the real importer (``plan_io.load_plan``), its share of the
   key energy users and meters (1 500 / 30 000 over the counties: 15 enterprises and 300 meters each), its share
   of the readings (generated in the database: the last two days every 15 minutes, the rest spread over last
   year), the monthly roll-ups refreshed through the real service, ANALYZE, then the measurements.
2. 99 more counties: copies of the plan document with other codes and county names through the same importer,
   their enterprises, meters and readings the same way (10 000 000 readings in all), roll-ups, ANALYZE, and the
   same measurements of the same county.
3. The ratios (100-county cost / 1-county cost) of the medians of --repeat runs after --warmup runs each:
   the monitoring wall, an enterprise page, the dual-control page (Django's test Client, the county's office
   user), the county's annual enterprise accounts (``accounts.enterprise_accounts``), the monthly per-meter sums
   of the county's readings (the roll-up refresh's query), and one signed batch of the readings API (a gateway
   of the county's first enterprise, --batch readings of a day not yet stored).

The pages resolve the county from the office user's own county (plan/tenancy.py), as in production; the
accounts are called with the plan itself. With
--explain, every query that the pages and services send to the readings, roll-ups and alerts is run again under
EXPLAIN (ANALYZE, BUFFERS) on the 100-county database, and a sequential scan of those tables (a scan over every
county's rows) is flagged. At the end the table and index sizes (pg_relation_size / pg_total_relation_size).

Uses its own database ``carbonpeak_bench15`` on the server of ``CARBONPEAK_TEST_PG_URL``, dropped and re-created
at the start and dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _pgdb import BASE, fresh_database  # (benchmarks/ is the script directory: on sys.path)

DB = "carbonpeak_bench15"
CARRIERS = [("raw_coal", "t"), ("natural_gas", "10k_m3")] + [("electricity", "MWh")] * 8
WATCHED = ("enterprises_reading", "enterprises_monthlyrollup", "enterprises_meteralert")
#: a sequential scan (that ran) of a table holding every county's rows
SEQ = re.compile(
    r"Seq Scan on (enterprises_reading_\w+|enterprises_monthlyrollup|enterprises_meteralert|enterprises_meter|"
    r"enterprises_enterprise) "
)


def log(msg: str) -> None:
    print(msg, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readings", type=int, default=10_000_000)
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--enterprises", type=int, default=1_500, help="key energy users over all counties")
    ap.add_argument("--meters", type=int, default=30_000, help="meters over all counties")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1_000, help="readings in one API batch")
    ap.add_argument("--explain", action="store_true", help="print the plans of the county's queries")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    ents_per = args.enterprises // args.counties
    meters_per_ent = args.meters // args.enterprises
    per_meter = args.readings // (args.counties * ents_per * meters_per_ent)
    recent = min(192, per_meter // 2)  # the last two days, every 15 minutes
    old = per_meter - recent  # spread over last year

    fresh_database(DB)
    from django.conf import settings
    from django.db import connection

    # the pages' static URLs without a collected manifest (the files are not served here)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.test import Client
    from django.utils import timezone

    from carbonpeak.accounts.models import ApiClient, User
    from carbonpeak.enterprises.models import Enterprise, Meter, MeterAlert
    from carbonpeak.enterprises.rollups import BEIJING
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file

    now = timezone.now().astimezone(BEIJING)
    year = now.year
    stop = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    step_min = max(15, (365 * 24 * 60 // max(old, 1)) // 15 * 15)
    log(
        f"simulation: {args.counties} counties × {ents_per} key energy users × {meters_per_ent} meters, "
        f"{per_meter} readings per meter ({recent} in the last two days every 15 min, {old} in {year - 1} every "
        f"{step_min} min): {args.counties * ents_per * meters_per_ent * per_meter:,} readings"
    )

    base = read_plan_file(DATA_DIR / "chaling.json")
    start = time.perf_counter()
    plan1 = load_plan(copy.deepcopy(base))
    t_load = time.perf_counter() - start
    office = User(username="bench-office", role="office", plan=plan1)  # the measured county's office
    office.set_password("Bench-password-1")
    office.save()
    web = Client(HTTP_HOST="localhost", **{"wsgi.url_scheme": "https"})
    web.force_login(office)

    def populate(plan, k: int) -> list[int]:
        ents = Enterprise.objects.bulk_create(
            Enterprise(
                plan=plan,
                uscc=f"91{k:06d}BE{e:04d}NCH"[:18].ljust(18, "0"),
                name=f"{plan.county}重点用能单位{e + 1:02d}",
                industry_code="3011",
                township="城关镇",
            )
            for e in range(ents_per)
        )
        meters = Meter.objects.bulk_create(
            Meter(
                enterprise=ent,
                meter_code=f"C{k:03d}-E{e:02d}-M{m:02d}",
                carrier=CARRIERS[m % len(CARRIERS)][0],
                unit=CARRIERS[m % len(CARRIERS)][1],
            )
            for e, ent in enumerate(ents)
            for m in range(meters_per_ent)
        )
        # a few open "silent" alerts in every county (the wall and the enterprise page list them)
        MeterAlert.objects.bulk_create(MeterAlert(meter=m, kind="silent") for m in meters[:: meters_per_ent * 5])
        return [e.pk for e in ents]

    def generate(plan_ids: list[int]) -> None:
        """The readings of every meter of these counties, in (meter, time) order, in the database."""
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO enterprises_reading (meter_id, reading_time, quantity, source, received_at) "
                "SELECT m.id, t, (m.id %% 13 + k %% 97) / 4.0, 'api', now() FROM enterprises_meter m "
                "JOIN enterprises_enterprise e ON e.id = m.enterprise_id, LATERAL ("
                "  SELECT k, %s::timestamptz - k * interval '15 minutes' AS t FROM generate_series(0, %s - 1) k"
                "  UNION ALL SELECT k, %s::timestamptz + k * %s * interval '1 minute'"
                "  FROM generate_series(1, %s) k) r "
                "WHERE e.plan_id = ANY(%s) ORDER BY m.id, t",
                [stop, recent, dt.datetime(year - 1, 1, 1, tzinfo=BEIJING), step_min, old, plan_ids],
            )

    def refresh(plan) -> None:
        from django.db.models import Max, Min

        from carbonpeak.enterprises.models import Reading
        from carbonpeak.enterprises.services import refresh_rollups

        spans = (
            Reading.objects.filter(meter__enterprise__plan=plan)
            .values("meter_id")
            .annotate(lo=Min("reading_time"), hi=Max("reading_time"))
        )
        refresh_rollups([(s["meter_id"], t) for s in spans for t in (s["lo"], s["hi"])])

    def analyze() -> None:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    # --- 1 county ------------------------------------------------------------------------------------------------
    ent_ids = populate(plan1, 0)
    gateway, token = ApiClient.issue("bench-gateway", "gateway", plan=plan1)
    gateway.reading_enterprises.set([ent_ids[0]])
    start = time.perf_counter()
    generate([plan1.pk])
    refresh(plan1)
    analyze()
    log(
        f"county 1 ({plan1.county}): plan loaded in {t_load:.1f} s; readings and roll-ups in "
        f"{time.perf_counter() - start:.1f} s"
    )
    probe = Probe(web, plan1, Enterprise.objects.get(pk=ent_ids[0]), token, year, args)
    one = probe.measure()

    # --- 99 more counties ----------------------------------------------------------------------------------------
    start = time.perf_counter()
    plans = [plan1]
    for k in range(1, args.counties):
        d = copy.deepcopy(base)
        d["plan"].update(
            code=f"bench-{k:03d}",
            county=f"模拟{k:03d}县",
            county_en=f"Simulated County {k:03d}",
            division_code=f"43{k:04d}",
            title=f"模拟{k:03d}县碳达峰实施方案",
        )
        plans.append(load_plan(d))
        populate(plans[-1], k)
        if k % 20 == 0:
            log(f"  {k + 1} counties loaded ({time.perf_counter() - start:.0f} s)")
    t_plans = time.perf_counter() - start
    start = time.perf_counter()
    chunk = 10
    for i in range(1, len(plans), chunk):
        generate([p.pk for p in plans[i : i + chunk]])
        log(f"  readings of counties {i + 1}-{min(i + chunk, len(plans))} ({time.perf_counter() - start:.0f} s)")
    t_gen = time.perf_counter() - start
    start = time.perf_counter()
    for p in plans[1:]:
        refresh(p)
    t_roll = time.perf_counter() - start
    analyze()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM enterprises_reading")
        n_readings = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM enterprises_monthlyrollup")
        n_rollups = cur.fetchone()[0]
    log(
        f"{len(plans)} counties: {len(plans) - 1} plans + enterprises + meters in {t_plans:.0f} s; "
        f"{n_readings:,} readings generated in {t_gen:.0f} s ({n_readings / t_gen:,.0f} rows/s); "
        f"{n_rollups:,} roll-ups refreshed in {t_roll:.0f} s"
    )
    hundred = probe.measure()

    # --- ratios ---------------------------------------------------------------------------------------------------
    log("")
    log(f"the county's cost, medians of {args.repeat} after {args.warmup} warm-up runs (ms)")
    log(f"  {'':52s} {'1 county':>10s} {f'{len(plans)} counties':>13s} {'ratio':>7s}")
    for name in one:
        a, b = one[name], hundred[name]
        log(f"  {name:52s} {a * 1000:10.1f} {b * 1000:13.1f} {b / a:7.2f}")
    log(
        "  (pages: Django's test Client with the county's office user, whose county the pages show; accounts and "
        "monthly sums are called with the plan itself)"
    )
    if args.explain:
        probe.explain()
    sizes(connection, len(plans), n_readings)
    if not args.keep:
        connection.close()
        import psycopg

        with psycopg.connect(f"{BASE}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        log(f"database {DB} dropped")
    return 0


class Probe:
    """The measurements of one county, the same before and after the other counties are loaded."""

    def __init__(self, web, plan, ent, token: str, year: int, args) -> None:
        from carbonpeak.accounts.models import ApiClient
        from carbonpeak.enterprises.models import Meter

        self.web, self.plan, self.ent, self.token, self.year, self.args = web, plan, ent, token, year, args
        self.secret = ApiClient.signing_secret(token).encode()
        self.meter_codes = list(Meter.objects.filter(enterprise=ent).values_list("meter_code", flat=True))
        self.meter_ids = list(Meter.objects.filter(enterprise__plan=plan).values_list("pk", flat=True))
        self.day = dt.date(year - 2, 1, 1)  # each API batch: a day of the year before last, not yet stored
        self.captured: dict[str, list[str]] = {}

    def page(self, url: str, must: str) -> Callable[[], None]:
        def get() -> None:
            r = self.web.get(url)
            assert r.status_code == 200, (url, r.status_code)
            assert must in r.content.decode(), (url, must)

        return get

    def accounts(self) -> None:
        from carbonpeak.enterprises.accounts import enterprise_accounts

        acc = enterprise_accounts(self.plan, self.year - 1)
        assert len(acc["enterprises"]) == len(self.ent.plan.enterprises.all())
        assert acc["enterprises"][0]["energy_tce"] > 0

    def monthly_sql(self) -> tuple[str, list[Any]]:
        from carbonpeak.enterprises.accounts import year_window

        lo, hi = year_window(self.year - 1)
        return (
            "SELECT meter_id, date_trunc('month', (reading_time - interval '1 microsecond') AT TIME ZONE "
            "'Asia/Shanghai') AS month, sum(quantity), count(*) FROM enterprises_reading "
            "WHERE meter_id = ANY(%s) AND reading_time > %s AND reading_time <= %s GROUP BY 1, 2",
            [self.meter_ids, lo, hi],
        )

    def monthly(self) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(*self.monthly_sql())
            assert len(cur.fetchall()) >= len(self.meter_ids)

    def ingest(self) -> None:
        from carbonpeak.enterprises.rollups import BEIJING

        day = dt.datetime.combine(self.day, dt.time(), tzinfo=BEIJING)
        self.day += dt.timedelta(days=1)
        per = -(-self.args.batch // len(self.meter_codes))
        rows = [
            {"meter_code": c, "reading_time": (day + dt.timedelta(minutes=15 * (i + 1))).isoformat(), "quantity": "1.5"}
            for c in self.meter_codes
            for i in range(per)
        ][: self.args.batch]
        body = json.dumps({"readings": rows}).encode()
        r = self.web.post(
            "/api/v1/monitoring/readings",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            HTTP_X_SIGNATURE=hmac.new(self.secret, body, hashlib.sha256).hexdigest(),
            HTTP_IDEMPOTENCY_KEY=f"bench-{self.day.isoformat()}",
        )
        assert r.status_code == 200 and r.json()["accepted"] == len(rows), r.content[:300]

    def cases(self) -> dict[str, Callable[[], None]]:
        y = self.year
        return {
            "monitoring wall  /enterprises/": self.page(f"/enterprises/?year={y}", self.ent.name),
            "enterprise page  /enterprises/<uscc>/": self.page(
                f"/enterprises/{self.ent.uscc}/?year={y - 1}", self.ent.name
            ),
            "dual-control page  /enterprises/dual-control/": self.page(
                f"/enterprises/dual-control/?year={y}", self.ent.name
            ),
            f"annual enterprise accounts {y - 1} (service)": self.accounts,
            f"monthly per-meter sums of the readings {y - 1} (SQL)": self.monthly,
            f"readings API, one signed batch of {self.args.batch}": self.ingest,
        }

    def measure(self) -> dict[str, float]:
        out = {}
        for name, fn in self.cases().items():
            for _ in range(self.args.warmup):
                fn()
            times = []
            for _ in range(self.args.repeat):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            out[name] = statistics.median(times)
            log(f"  {name:52s} {out[name] * 1000:9.1f} ms")
        return out

    def explain(self) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) of every distinct query the cases send to the watched tables."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        log("")
        log(
            "query plans (EXPLAIN ANALYZE, BUFFERS) of the county's queries on the big tables; 'ALL COUNTIES' "
            "marks a sequential scan that ran over a table of every county's rows (readings, roll-ups, alerts, meters, "
            "enterprises)"
        )
        for name, fn in self.cases().items():
            with CaptureQueriesContext(connection) as ctx:
                fn()
            sqls = [q["sql"] for q in ctx.captured_queries]
            if name.startswith("monthly"):
                with connection.cursor() as cur:
                    sqls = [cur.mogrify(*self.monthly_sql())]
            seen: set[str] = set()
            log(f"== {name}")
            for sql in sqls:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or not any(t in sql for t in WATCHED):
                    continue
                shape = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
                if shape in seen:
                    continue
                seen.add(shape)
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
                    lines = [r[0] for r in cur.fetchall()]
                flagged = any(SEQ.search(ln) and "never executed" not in ln for ln in lines)
                log(f"-- {'ALL COUNTIES ' if flagged else ''}{_short(sql)}")
                for ln in lines:
                    if re.search(
                        r"Scan|Join|Loop|Append|Aggregate|Buffers: shared|Execution Time|Subplans|"
                        r"Index Cond|Filter",
                        ln,
                    ):
                        log("     " + ln[:150])


def _short(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r"ARRAY\[[^\]]{60,}\]", "ARRAY[…]", sql)
    sql = re.sub(r"IN \([^)]{60,}\)", "IN (…)", sql)
    return sql[:400]


def sizes(connection, counties: int, n_readings: int) -> None:
    log("")
    log("sizes")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid), "
            "c.reltuples::bigint FROM pg_class c WHERE c.relkind = 'r' AND (c.relname LIKE 'enterprises_reading_%%' "
            "OR c.relname IN ('enterprises_monthlyrollup', 'enterprises_meter', 'enterprises_meteralert', "
            "'enterprises_enterprise')) AND c.reltuples > 0 ORDER BY c.relname"
        )
        rows = cur.fetchall()
        cur.execute(
            "SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname LIKE 'enterprises_reading_y%%' "
            "OR t.relname IN ('enterprises_monthlyrollup', 'enterprises_meteralert') ORDER BY 2 DESC LIMIT 12"
        )
        idx = cur.fetchall()
    heap = ix = 0
    for name, h, i, tot, n in rows:
        log(
            f"  {name:32s} {n:>12,} rows  heap {h / 2**20:8.1f} MiB  indexes {i / 2**20:8.1f} MiB  "
            f"total {tot / 2**20:8.1f} MiB"
        )
        if name.startswith("enterprises_reading_"):
            heap, ix = heap + h, ix + i
    log("  largest indexes: " + ", ".join(f"{n} {s / 2**20:.1f} MiB" for n, s in idx))
    if n_readings:
        log(
            f"  readings: {n_readings:,} rows, heap {heap / n_readings:.0f} B/row + primary key {ix / n_readings:.0f} "
            f"B/row = {(heap + ix) / n_readings:.0f} B/row; {n_readings // counties:,} rows per county here"
        )


if __name__ == "__main__":
    sys.exit(main())
