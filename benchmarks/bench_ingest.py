"""Readings ingest and monthly aggregation on PostgreSQL (issue 5's scale targets).

    .venv/bin/python benchmarks/bench_ingest.py [--rows 1000000] [--year-rows 10000000]

1. 1 000 000 readings through the real import path (CSV bytes → ``sqlingest.ingest_file``, what the page and
   ``carbonpeak readings import`` call: on PostgreSQL one COPY into a staging table, every row's validation in
   SQL, the insert into the partitioned readings table and the monthly roll-ups), against a plain ``COPY`` of
   the same rows into a table with the same columns, keys, constraints and yearly partitions (``CREATE TABLE …
   (LIKE enterprises_reading INCLUDING ALL) PARTITION BY RANGE (reading_time)``), in the same run. Goal: ingest
   rate ≥ 0.25 × COPY rate, on the medians of --repeat alternating pairs (each on empty tables; the shared
   machine is noisy). --stagger and --subsecond vary the timestamps (see --help). A full roll-up refresh of
   the same meters is also timed on its own. Then the same file again (all duplicates: the full path).
2. A year of readings (default 10 000 000: meters × 15-minute intervals) generated in the database, then the
   monthly per-meter sums in SQL (Beijing months, interval-ending semantics) with the query plan, the roll-up
   refresh of the whole year (what the ingest does for the months it touches), and the annual enterprise
   accounts, which read the roll-ups only.

Uses its own database ``carbonpeak_bench`` on the server of ``CARBONPEAK_TEST_PG_URL`` (default
postgres://postgres@127.0.0.1:5432/), dropped and re-created each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time

from _pgdb import fresh_database  # (benchmarks/ is the script directory: on sys.path)

DB = "carbonpeak_bench"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--year-rows", type=int, default=10_000_000)
    ap.add_argument("--meters", type=int, default=100)
    ap.add_argument(
        "--stagger",
        action="store_true",
        help="offset meter m's clock by m seconds, so that no two lines share a timestamp text (their dates, and "
        "the time-of-day texts across days, still repeat; the import checks each distinct date and rest once)",
    )
    ap.add_argument(
        "--subsecond",
        action="store_true",
        help="random microseconds on every timestamp: every time-of-day text distinct (the worst case)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="ingest/COPY pairs; medians are compared")
    args = ap.parse_args()

    fresh_database(DB)
    from django.db import connection

    from carbonpeak.core.uscc import make_uscc
    from carbonpeak.enterprises.accounts import enterprise_accounts
    from carbonpeak.enterprises.models import Enterprise, Meter, MonthlyRollup, Reading
    from carbonpeak.enterprises.services import refresh_rollups
    from carbonpeak.enterprises.sqlingest import ingest_file
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file

    plan = load_plan(read_plan_file(DATA_DIR / "chaling.json"))
    ent = Enterprise.objects.create(
        plan=plan, uscc=make_uscc("91430224", "MA4LBENC"), name="bench", industry_code="3011"
    )
    meters = Meter.objects.bulk_create(
        Meter(enterprise=ent, meter_code=f"M{i:05d}", carrier="electricity", unit="kWh") for i in range(args.meters)
    )

    # --- 1. ingest vs COPY -------------------------------------------------------------------------------------
    n = args.rows
    per_meter = n // args.meters
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    rnd = random.Random(0)
    buf = io.StringIO()
    buf.write("meter_code,reading_time,quantity\n")
    for m in range(args.meters):
        code = f"M{m:05d}"
        for k in range(per_meter):
            when = t0 + dt.timedelta(
                minutes=15 * (k + 1),
                seconds=m % 900 if args.stagger else 0,
                microseconds=rnd.randrange(1, 10**6) if args.subsecond else 0,
            )
            buf.write(f"{code},{when.isoformat()},{(k % 97) / 4}\n")
    data = buf.getvalue().encode()
    total = per_meter * args.meters
    print(f"ingest: {total:,} readings, {args.meters} meters, CSV {len(data) / 2**20:.1f} MiB")

    ids = {m.meter_code: m.pk for m in meters}
    rows = []
    for line in data.decode().splitlines()[1:]:
        code, ts, q = line.split(",")
        rows.append((ids[code], ts, q, "upload", "2024-01-01T00:00:00+00:00"))

    def copy_baseline() -> float:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy")
            cur.execute(
                "CREATE TABLE bench_copy (LIKE enterprises_reading INCLUDING ALL) PARTITION BY RANGE (reading_time)"
            )
            cur.execute("CREATE TABLE bench_copy_default PARTITION OF bench_copy DEFAULT")
            for y in range(2023, 2026):
                cur.execute(
                    f"CREATE TABLE bench_copy_y{y} PARTITION OF bench_copy "
                    f"FOR VALUES FROM ('{y}-01-01 00:00+08') TO ('{y + 1}-01-01 00:00+08')"
                )
            start = time.perf_counter()
            with cur.cursor.copy(
                "COPY bench_copy (meter_id, reading_time, quantity, source, received_at) FROM STDIN"
            ) as cp:
                for r in rows:
                    cp.write_row(r)
            took = time.perf_counter() - start
            cur.execute("SELECT count(*) FROM bench_copy")
            assert cur.fetchone()[0] == total
        return took

    # the shared machine is noisy: ingest and COPY alternate, each on empty tables, and the medians are compared
    runs = []
    for _ in range(args.repeat):
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {Reading._meta.db_table}, {MonthlyRollup._meta.db_table}")
        start = time.perf_counter()
        rep = ingest_file(plan, data, "readings.csv")
        t_ingest = time.perf_counter() - start
        assert rep.accepted == total and not rep.rejected, rep.as_dict()["rejected"][:3]
        assert Reading.objects.count() == total
        runs.append((t_ingest, copy_baseline()))
        print(
            f"  run {len(runs)}: import path {runs[-1][0]:6.2f} s, COPY {runs[-1][1]:6.2f} s, "
            f"ratio {runs[-1][1] / runs[-1][0]:.2f}"
        )
    t_ingest = statistics.median(r[0] for r in runs)
    t_copy = statistics.median(r[1] for r in runs)
    print(
        f"  real import path (COPY, validate, insert, roll-ups)  {t_ingest:7.2f} s  {total / t_ingest:>10,.0f} rows/s"
        f"  (median of {len(runs)})"
    )
    print(f"  plain COPY of the same rows (same indexes)            {t_copy:7.2f} s  {total / t_copy:>10,.0f} rows/s")
    ratio = t_copy / t_ingest
    print(f"  ingest rate / COPY rate = {ratio:.2f}  (goal >= 0.25)  {'OK' if ratio >= 0.25 else 'BELOW GOAL'}")
    start = time.perf_counter()
    again = ingest_file(plan, data, "readings.csv")
    t_again = time.perf_counter() - start
    assert again.accepted == 0 and again.duplicates == total
    print(f"  the same file again: {again.duplicates:,} duplicates, nothing stored, {t_again:.2f} s")
    keys = [(ids[code], t0 + dt.timedelta(minutes=15 * (k + 1))) for code in ids for k in (0, per_meter - 1)]
    start = time.perf_counter()
    refresh_rollups(keys)
    print(
        f"  of the ingest: the monthly roll-up refresh of these meters alone takes {time.perf_counter() - start:.2f} s"
    )

    # --- 2. a year of readings → monthly accounts ----------------------------------------------------------------
    Reading.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    per_year = 365 * 96
    n_meters = max(1, args.year_rows // per_year)
    extra = Meter.objects.bulk_create(
        Meter(enterprise=ent, meter_code=f"Y{i:05d}", carrier="electricity", unit="kWh") for i in range(n_meters)
    )
    lo, hi = extra[0].pk, extra[-1].pk
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO enterprises_reading (meter_id, reading_time, quantity, source, received_at) "
            "SELECT m, timestamptz '2024-01-01 00:00+08' + k * interval '15 minutes', (k %% 97) / 4.0, 'api', now() "
            "FROM generate_series(%s, %s) m, generate_series(1, %s) k",
            [lo, hi, per_year],
        )
        cur.execute("ANALYZE enterprises_reading")
    t_gen = time.perf_counter() - start
    count = Reading.objects.count()
    print(f"year: {count:,} readings ({n_meters} meters × {per_year} intervals) generated in {t_gen:.1f} s")
    monthly = (
        "SELECT meter_id, date_trunc('month', (reading_time - interval '1 microsecond') AT TIME ZONE "
        "'Asia/Shanghai') AS month, sum(quantity) FROM enterprises_reading "
        "WHERE reading_time > %s AND reading_time <= %s GROUP BY 1, 2"
    )
    bounds = [
        dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ]
    with connection.cursor() as cur:
        start = time.perf_counter()
        cur.execute(monthly, bounds)
        groups = cur.fetchall()
        t_month = time.perf_counter() - start
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + monthly, bounds)
        plan_lines = [r[0] for r in cur.fetchall()]
    print(f"  monthly sums per meter: {len(groups):,} groups in {t_month:.2f} s ({count / t_month:,.0f} readings/s)")
    print("  query plan:")
    for line in plan_lines:
        print("    " + line)
    year_keys = [(m.pk, b) for m in extra for b in (bounds[0] + dt.timedelta(minutes=15), bounds[1])]
    start = time.perf_counter()
    refresh_rollups(year_keys)
    t_roll = time.perf_counter() - start
    print(f"  roll-up refresh of the whole year: {MonthlyRollup.objects.count():,} rows in {t_roll:.2f} s")
    start = time.perf_counter()
    acc = enterprise_accounts(plan, 2024)
    t_acc = time.perf_counter() - start
    e = acc["enterprises"][0]
    print(f"  annual enterprise accounts from the roll-ups (Django + core batch): {t_acc * 1000:.0f} ms;", end=" ")
    print(f"{e['energy_tce']:,.0f} tce, {e['co2_t']:,.0f} tCO2")


if __name__ == "__main__":
    main()
