"""Yearly partitions of the readings table on PostgreSQL (Beijing years; migration 0003 made 2015-2040 and a
default partition). ``ensure_yearly`` adds the missing years of a span: readings of such a year already in the
default partition (a backfill of 2010, say) move into the new partition in the same transaction, and the
partition is then attached, which gives it the table's primary key and checks. The daily ``carbonpeak meters
check`` keeps the next years in place; ``carbonpeak meters partitions`` runs it for any span.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, transaction

from carbonpeak.enterprises.models import Reading
from carbonpeak.enterprises.services import EARLIEST

DEFAULT = "enterprises_reading_default"
LOCK_TIMEOUT = "5s"
_YEARLY = re.compile(r"^enterprises_reading_y(\d{4})$")


def partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [Reading._meta.db_table])
        return cur.fetchone()[0] == "p"


def yearly() -> list[int]:
    """The years that have a partition of their own."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [Reading._meta.db_table],
        )
        return sorted(int(m.group(1)) for (name,) in cur.fetchall() if (m := _YEARLY.match(name)))


def ensure_yearly(first: int, last: int) -> dict[str, Any]:
    """Create the partitions of the years ``first``..``last`` that are missing (earlier than the earliest
    reading accepted: not needed). ``{"partitioned", "created": [years], "moved": readings}``."""
    out: dict[str, Any] = {"partitioned": partitioned(), "created": [], "moved": 0}
    if not out["partitioned"]:
        return out
    table = Reading._meta.db_table
    have = set(yearly())
    for year in range(max(first, EARLIEST.year), last + 1):
        if year in have:  # (the usual case: no lock at all, writers are not held up)
            continue
        with transaction.atomic(), connection.cursor() as cur:
            # one at a time (two checks at once must not both create it). Writers wait while it runs; a check
            # that cannot have the lock soon gives up (and the next day's check tries again) rather than queue
            # every writer behind a long ingest.
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            if year in yearly():
                continue
            lo, hi = f"{year}-01-01 00:00:00+08", f"{year + 1}-01-01 00:00:00+08"
            name = f"enterprises_reading_y{year}"
            cur.execute(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
            cur.execute(
                f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE reading_time >= %s AND reading_time < %s RETURNING *) '
                f'INSERT INTO "{name}" SELECT * FROM moved',
                [lo, hi],
            )
            out["moved"] += cur.rowcount
            cur.execute(f"ALTER TABLE \"{table}\" ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{lo}') TO ('{hi}')")
            out["created"].append(year)
    return out
