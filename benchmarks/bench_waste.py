"""Construction waste on PostgreSQL (issue 19): GPS ingest against a plain COPY, manifests, receipts, and the
reconciliation of a month.

    .venv/bin/python benchmarks/bench_waste.py [--points 1000000] [--manifests 50000] [--db cp_waste]

1. A month of loads: ``--manifests`` manifests (1 000 vehicles, two trips a day each) and a receipt for all but
   one in fifty, through the real imports (``services.import_rows``: CSV bytes → rows → validation → bulk insert).
2. ``--points`` GPS points (the loads' tracks, a point every two minutes, every vehicle's clock staggered by its own
   seconds so that no two lines share a time text; a detour and a long stop on a few loads) through the real
   file path (``services.ingest_gps_file`` → ``sqlgps.ingest_csv``: the raw lines COPYed into a staging table,
   the usual-shape lines checked and converted by set-based SQL, any other line by the Python row rules, a plain
   ``INSERT`` or, when the key refuses, ``ON CONFLICT DO NOTHING`` and the rows left out compared with the
   stored ones), against a plain
   ``COPY`` of the same CSV into a table with the same columns, key and indexes (``LIKE waste_gpspoint
   INCLUDING ALL``), alternating, each on an empty table; the medians of ``--repeat`` pairs are compared.
   Goal: ingest rate ≥ 0.25 × COPY rate. Then the same file again (every row a duplicate).
3. The reconciliation as of the month's end (``reconcile.reconcile``: the GPS checks as SQL over the loads'
   windows), timed, with its alert counts.

Uses its own database (default ``cp_waste``), dropped and re-created each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import time
from collections import Counter

from _pgdb import fresh_database  # (benchmarks/ is the script directory: on sys.path)

VEHICLES = 1000
SITES = 20
POINTS_PER_TRIP = 20
KM = 111.19508
ARRIVAL = dt.timedelta(minutes=2 * POINTS_PER_TRIP + 5)  # a point every two minutes, then the weighbridge


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--manifests", type=int, default=50_000)
    ap.add_argument("--db", default="cp_waste")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fresh_database(args.db)

    from django.db import connection

    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file
    from carbonpeak.tabular import read_rows
    from carbonpeak.tabular.times import BEIJING
    from carbonpeak.waste import columns, reconcile, services
    from carbonpeak.waste.models import GpsPoint

    plan = load_plan(read_plan_file(DATA_DIR / "chaling.json"))

    def imp(kind: str, text: str):
        t0 = time.perf_counter()
        rep = services.import_rows(None, plan, kind, read_rows(text.encode(), columns.TABLES[kind], f"{kind}.csv"))
        assert not rep.rejected, rep.as_dict()["rejected"][:3]
        return rep, time.perf_counter() - t0

    sites = [(f"S{i:02d}", 26.70 + 0.01 * i, 113.45 + 0.005 * i) for i in range(SITES)]
    dests = [("L1", "landfill", 26.95, 113.52), ("L2", "landfill", 26.60, 113.40),
             ("R1", "recycling", 26.90, 113.65), ("R2", "recycling", 26.75, 113.30)]  # fmt: skip
    imp("sites", "site_id,name,township,builder,permit_no,lat,lon\n"
        + "".join(f"{s},工地{s},城关镇,施工单位{s},P{s},{a:.6f},{b:.6f}\n" for s, a, b in sites))  # fmt: skip
    imp("carriers", "carrier_id,name,licence_no,licence_valid_until\n"
        + "".join(f"C{i},运输{i},L{i},2026-12-31\n" for i in range(10)))  # fmt: skip
    plates = [f"湘B{v:05d}" for v in range(VEHICLES)]
    imp("vehicles", "plate,carrier_id,capacity_t\n" + "".join(f"{p},C{v % 10},18\n" for v, p in enumerate(plates)))
    imp("destinations", "destination_id,name,kind,capacity_t_per_year,lat,lon\n"
        + "".join(f"{d},场所{d},{k},500000,{a},{b}\n" for d, k, a, b in dests))  # fmt: skip
    imp("permits", "permit_id,site_id,category,permitted_t,valid_from,valid_until,carrier_ids,destination_ids\n"
        + "".join(f"H{s},{s},soil,20000,2026-01-01,2026-12-31,{';'.join(f'C{i}' for i in range(10))},L1;L2;R1;R2\n"
                  for s, _, _ in sites))  # fmt: skip

    # --- 1. a month of loads -------------------------------------------------------------------------------
    start = dt.datetime(2026, 3, 1, 7, 0)
    trips = []  # (manifest, plate, vehicle, site, dest, departure)
    for j in range(args.manifests):
        v = j % VEHICLES
        k = j // VEHICLES  # the vehicle's k-th trip: two a day
        dep = start + dt.timedelta(days=k // 2, hours=5 * (k % 2), seconds=v)
        trips.append((f"M{j:06d}", plates[v], v, sites[j % SITES], dests[j % 4], dep))
    manifests = "manifest_id,permit_id,plate,category,departed_at,est_t,destination_id\n" + "".join(
        f"{m},H{s[0]},{p},soil,{d:%Y-%m-%d %H:%M:%S},15,{de[0]}\n" for m, p, _, s, de, d in trips
    )
    receipts = "receipt_id,manifest_id,destination_id,arrived_at,net_t\n" + "".join(
        f"B{m[1:]},{m},{de[0]},{d + ARRIVAL:%Y-%m-%d %H:%M:%S},{12 + (i % 70) / 10}\n"
        for i, (m, _, _, _, de, d) in enumerate(trips)
        if i % 50 != 7
    )
    rep_m, t_m = imp("manifests", manifests)
    rep_r, t_r = imp("receipts", receipts)
    print(f"manifests: {rep_m.accepted:,} in {t_m:.2f} s ({rep_m.accepted / t_m:,.0f}/s)")
    print(f"receipts:  {rep_r.accepted:,} in {t_r:.2f} s ({rep_r.accepted / t_r:,.0f}/s)")

    # --- 2. GPS points -------------------------------------------------------------------------------------
    lines = ["plate,time,lat,lon,speed_kmh"]
    per = max(1, args.points // len(trips))
    n = 0
    for i, (_m, p, _v, s, de, d) in enumerate(trips):
        for q in range(per):
            if n >= args.points:
                break
            f = (q + 1) / (per + 1)
            lat, lon = s[1] + f * (de[2] - s[1]), s[2] + f * (de[3] - s[2])
            speed = 35.0
            if i % 997 == 3 and q == per // 2:
                lon += 5 / (KM * math.cos(math.radians(lat)))  # a detour 5 km east
            if i % 991 == 5 and 5 <= q < 18:
                speed = 0.0  # a long stop (13 points two minutes apart: 24 minutes)
            lines.append(f"{p},{d + dt.timedelta(minutes=2 * (q + 1)):%Y-%m-%d %H:%M:%S},{lat:.6f},{lon:.6f},{speed}")
            n += 1
    data = ("\n".join(lines) + "\n").encode()
    print(f"GPS file: {n:,} points, {len(data) / 2**20:.1f} MiB")
    table = GpsPoint._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE {table} INCLUDING ALL)")
        cur.execute(f"ALTER TABLE bench_copy ALTER COLUMN plan_id SET DEFAULT {plan.pk}")
        cur.execute("SET TimeZone = 'Asia/Shanghai'")

    def ingest() -> float:
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {table}")
        t0 = time.perf_counter()
        rep = services.ingest_gps_file(None, plan, data, "gps.csv")
        t = time.perf_counter() - t0
        assert rep.accepted == n and not rep.rejected, rep.as_dict()["rejected"][:3]
        return t

    def copy() -> float:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE bench_copy")
            t0 = time.perf_counter()
            with cur.cursor.copy(
                "COPY bench_copy (plate, time, lat, lon, speed_kmh) FROM STDIN (FORMAT csv, HEADER true)"
            ) as cp:
                cp.write(data)
            t = time.perf_counter() - t0
        return t

    runs = []
    for _ in range(args.repeat):
        runs.append((ingest(), copy()))
        print(f"  run {len(runs)}: import path {runs[-1][0]:6.2f} s, COPY {runs[-1][1]:6.2f} s")
    t_in = statistics.median(r[0] for r in runs)
    t_cp = statistics.median(r[1] for r in runs)
    print(
        f"  real import path (COPY raw lines, validate in SQL, INSERT)             {t_in:6.2f} s  {n / t_in:>10,.0f}/s"
    )
    print(f"  plain COPY of the same rows (same key and indexes)                   {t_cp:6.2f} s  {n / t_cp:>10,.0f}/s")
    ratio = t_cp / t_in
    print(f"  ingest rate / COPY rate = {ratio:.2f}  (goal >= 0.25)  {'OK' if ratio >= 0.25 else 'BELOW GOAL'}")
    t0 = time.perf_counter()
    rep = services.ingest_gps_file(None, plan, data, "gps.csv")
    print(
        f"  the same file again: {rep.duplicates:,} duplicates, {rep.accepted} new in {time.perf_counter() - t0:.2f} s"
    )
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_copy")
        cur.execute("VACUUM ANALYZE")  # (what autovacuum does after a month's loads)

    # --- 3. the reconciliation ------------------------------------------------------------------------------
    as_of = dt.datetime(2026, 4, 1, tzinfo=BEIJING)
    t0 = time.perf_counter()
    out = reconcile.reconcile(plan, as_of)
    t_rec = time.perf_counter() - t0
    kinds = Counter(a["kind"] for row in out["permits"] for a in row["alerts"])
    print(f"reconcile as of {as_of:%Y-%m-%d}: {t_rec:.2f} s; totals {out['totals']}; alerts {dict(kinds)}")


if __name__ == "__main__":
    main()
