"""碳普惠 awards and ledger queries on PostgreSQL (issue 6's scale targets).

    .venv/bin/python benchmarks/bench_inclusion.py [--events 1000000] [--residents 100000]
        [--accounts 1000000] [--entries 10000000]

1. ``--events`` green-travel events through the real batch path (``awards.ingest``, 10 000 per batch, what the
   signed API calls after checking the signature): validation, consent, the version in force, duplicates,
   anomaly rules, scoring, caps, budget, the events, the award transactions and their entries, the balances.
   The tables are analysed every 100 000 events (untimed), as autovacuum keeps a growing table's statistics
   in service. Baseline, in the same run: a raw psycopg ``executemany`` of the same ledger rows (one transaction
   row and two entry rows per award) into tables with the same columns and indexes. Goal: ratio ≥ 0.3.
2. Ledger read latency with ``--accounts`` resident accounts and ``--entries`` entries: the balance and the
   last 20 history entries of random residents through the page's own functions; p50/p95/p99 of 2 000 calls.
   Goal: p95 ≤ 5 ms.

Uses its own database ``carbonpeak_bench_inc`` (dropped and re-created) on the server of
``CARBONPEAK_TEST_PG_URL`` (default postgres://postgres@127.0.0.1:5432/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from _pgdb import fresh_database  # (benchmarks/ is the script directory: on sys.path)

DB = "carbonpeak_bench_inc"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--residents", type=int, default=100_000)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    args = ap.parse_args()

    fresh_database(DB)
    from django.db import connection
    from django.utils import timezone

    from carbonpeak.accounts.models import User
    from carbonpeak.inclusion import awards, config, services
    from carbonpeak.inclusion.models import LedgerAccount, LedgerEntry, Resident
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file

    plan = load_plan(read_plan_file(DATA_DIR / "chaling.json"))
    office = User.objects.create(username="office", role="office")
    sc = {s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=400))}
    travel = sc["green_travel"]
    services.fund(office, travel, 10**12, "bench")

    # residents with their accounts and consent (set-up, not measured)
    t0 = time.perf_counter()
    n_res = args.residents
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO inclusion_resident (plan_id, pseudonym, display_name, phone_hash, community, "
            "leaderboard_opt_in, created_at) SELECT %s, 'b' || g, '', '', '', false, now() "
            "FROM generate_series(1, %s) g",
            [plan.pk, n_res],
        )
        cur.execute(
            "INSERT INTO inclusion_ledgeraccount (kind, plan_id, resident_id, balance) "
            "SELECT 'resident', plan_id, id, 0 FROM inclusion_resident"
        )
        cur.execute(
            "INSERT INTO inclusion_consent (resident_id, scenario_id, text_version, granted_at) "
            "SELECT id, %s, 1, now() FROM inclusion_resident",
            [travel.pk],
        )
        cur.execute("ANALYZE")
    print(f"set-up: {n_res:,} residents with accounts and consent in {time.perf_counter() - t0:.1f} s")

    # --- 1. awards through the batch path -------------------------------------------------------------------
    pseud = [f"b{i}" for i in range(1, n_res + 1)]
    start_day = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(hour=12, minute=0, second=0, microsecond=0)
    rnd = random.Random(1)
    n = args.events
    t_ingest = 0.0
    awarded = points = 0
    for b in range(0, n, args.batch):
        rows = []
        for k in range(b, min(b + args.batch, n)):
            rows.append(
                {
                    "ref": f"e{k}",
                    "resident": pseud[k % n_res],
                    "methodology": "bus",
                    "quantity": str(rnd.randint(2, 9)),
                    "occurred_at": (start_day - dt.timedelta(days=1 + k // n_res, minutes=k % 300)).isoformat(),
                }
            )
        if b and b % 100_000 == 0:  # what autovacuum does for a growing table in service (not timed)
            with connection.cursor() as cur:
                cur.execute("ANALYZE inclusion_event; ANALYZE inclusion_ledgerentry; ANALYZE inclusion_ledgertxn")
        s = time.perf_counter()
        res = awards.ingest(plan, rows, "bus", [travel])
        t_ingest += time.perf_counter() - s
        awarded += res.counts.get("awarded", 0)
        points += sum(i.get("points", 0) for i in res.items)
    print(
        f"awards: {n:,} events in {t_ingest:.2f} s ({n / t_ingest:,.0f} events/s); "
        f"{awarded:,} awarded, {points:,} points"
    )
    assert awarded == n, "every event should be awarded (caps and budget not binding)"

    # the same ledger rows by a raw executemany (psycopg), in the same run
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_txn (LIKE inclusion_ledgertxn INCLUDING ALL)")
        cur.execute("CREATE TABLE bench_entry (LIKE inclusion_ledgerentry INCLUDING ALL)")
        cur.execute(
            "SELECT t.id, t.plan_id, t.kind, t.memo, t.event_id, t.actor_label, t.created_at "
            "FROM inclusion_ledgertxn t WHERE t.kind = 'award' ORDER BY t.id"
        )
        txns = cur.fetchall()
        cur.execute(
            "SELECT e.id, e.txn_id, e.account_id, e.amount, e.balance_after, e.created_at FROM inclusion_ledgerentry e "
            "JOIN inclusion_ledgertxn t ON t.id = e.txn_id WHERE t.kind = 'award' ORDER BY e.id"
        )
        entries = cur.fetchall()
        raw = cur.cursor
        s = time.perf_counter()
        for i in range(0, len(txns), args.batch):
            raw.executemany(
                "INSERT INTO bench_txn (id, plan_id, kind, memo, event_id, actor_label, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                txns[i : i + args.batch],
            )
            raw.executemany(
                "INSERT INTO bench_entry (id, txn_id, account_id, amount, balance_after, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                entries[2 * i : 2 * (i + args.batch)],
            )
        t_raw = time.perf_counter() - s
    print(f"  raw executemany of the same {len(txns):,} transactions and {len(entries):,} entries: {t_raw:.2f} s")
    ratio = t_raw / t_ingest
    print(
        f"  batch path rate / executemany rate = {ratio:.2f}  (goal >= 0.3)  {'OK' if ratio >= 0.3 else 'BELOW GOAL'}"
    )

    # --- 2. balance and history latency at 1M accounts / 10M entries ----------------------------------------------
    t0 = time.perf_counter()
    have_res = Resident.objects.count()
    have_entries = LedgerEntry.objects.count()
    with connection.cursor() as cur:
        if args.accounts > have_res:
            cur.execute(
                "INSERT INTO inclusion_resident (plan_id, pseudonym, display_name, phone_hash, community, "
                "leaderboard_opt_in, created_at) SELECT %s, 'c' || g, '', '', '', false, now() "
                "FROM generate_series(1, %s) g",
                [plan.pk, args.accounts - have_res],
            )
            cur.execute(
                "INSERT INTO inclusion_ledgeraccount (kind, plan_id, resident_id, balance) "
                "SELECT 'resident', r.plan_id, r.id, 0 FROM inclusion_resident r "
                "LEFT JOIN inclusion_ledgeraccount a ON a.resident_id = r.id WHERE a.id IS NULL"
            )
        missing = args.entries - have_entries
        if missing > 0:
            pool = LedgerAccount.objects.get(kind="pool", scenario=travel).pk
            cur.execute("SELECT min(id), max(id) FROM inclusion_ledgeraccount WHERE kind = 'resident'")
            lo, hi = cur.fetchone()
            n_txn = missing // 2
            cur.execute(
                "INSERT INTO inclusion_ledgertxn (plan_id, kind, memo, actor_label, created_at) "
                "SELECT %s, 'award', 'bench', '', now() FROM generate_series(1, %s)",
                [plan.pk, n_txn],
            )
            cur.execute("SELECT max(id) FROM inclusion_ledgertxn")
            top = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO inclusion_ledgerentry (txn_id, account_id, amount, balance_after, created_at) "
                "SELECT t, CASE WHEN side = 0 THEN %s ELSE %s + ((t::bigint * 7919) %% (%s - %s + 1)) END, "
                "CASE WHEN side = 0 THEN -5 ELSE 5 END, 0, now() "
                "FROM generate_series(%s, %s) t, generate_series(0, 1) side",
                [pool, lo, hi, lo, top - n_txn + 1, top],
            )
            # keep the cached balances equal to the sums (the ledger's own invariant)
            cur.execute(
                "UPDATE inclusion_ledgeraccount a SET balance = s.b FROM "
                "(SELECT account_id, sum(amount) b FROM inclusion_ledgerentry GROUP BY account_id) s "
                "WHERE a.id = s.account_id AND a.kind <> 'issuer'"
            )
        cur.execute("VACUUM ANALYZE inclusion_ledgerentry")
        cur.execute("ANALYZE")
    n_acc = LedgerAccount.objects.count()
    n_ent = LedgerEntry.objects.count()
    print(f"ledger: {n_acc:,} accounts, {n_ent:,} entries (generated in {time.perf_counter() - t0:.1f} s)")
    ids = list(Resident.objects.values_list("pk", flat=True)[: args.accounts])
    pick = random.Random(2)
    lat = []
    for _ in range(2000):
        r = Resident(pk=pick.choice(ids))
        s = time.perf_counter()
        services.balance(r)
        services.history(r, 20)
        lat.append((time.perf_counter() - s) * 1000)
    lat.sort()
    p50, p95, p99 = (lat[int(len(lat) * q)] for q in (0.50, 0.95, 0.99))
    print(
        f"  balance + last 20 entries: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, "
        f"mean {statistics.mean(lat):.2f} ms"
    )
    print(f"  p95 goal <= 5 ms: {'OK' if p95 <= 5 else 'ABOVE GOAL'}")
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM inclusion_ledgerentry e JOIN inclusion_ledgeraccount a "
            "ON a.id = e.account_id WHERE a.resident_id = %s ORDER BY e.id DESC LIMIT 20",
            [ids[len(ids) // 2]],
        )
        print("  history query plan:")
        for row in cur.fetchall():
            print("    " + row[0])


if __name__ == "__main__":
    main()
