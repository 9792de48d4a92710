"""The fast path of the forest import for a clean CSV survey on PostgreSQL: the file is COPYed as it is (CSV,
header skipped) into an unindexed temporary table of text columns, and one ``INSERT … SELECT … ORDER BY key``
casts, checks and maps every row set-wise into the keyed table. No Python touches the 500 000 rows.

A row passes only in the plainest spelling the per-row path (``services._parse``) accepts with the same value:
a number whose PostgreSQL canonical text is the cell itself (so no sign, exponent, grouping, NaN, leading zero or
surrounding space), within its bound and at most 4 decimals; a year in range written as its digits; a known
class or group spelling; a township and sub-compartment without surrounding whitespace (Python's ``str.strip``
set) within their lengths. If any row fails a check (fewer rows inserted than staged), a cast fails, a key repeats
(unique violation), a year of the file is approved or already holds rows of this county, or the file is over the
row bound, the savepoint is rolled back and the caller runs the per-row path, which reports each row exactly.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction

from carbonpeak.tabular import Report, check_header

#: the characters Python's ``str.strip()`` removes (the per-row path strips every cell); U+3000 is the last
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
COLUMNS = ("year", "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3")


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def import_clean_csv(actor: Any, plan: Any, text: str, table: Any, lim: Any, groups: dict[str, str]) -> Report | None:
    from carbonpeak.audit.services import record
    from carbonpeak.sinks import services
    from carbonpeak.sinks.choices import LandClass
    from carbonpeak.sinks.models import ForestStand

    if connection.vendor != "postgresql":
        return None
    if '"' in text:
        return None  # a quoted cell: PostgreSQL's CSV reads a quote inside an unquoted cell unlike the csv module
    first = text[: text.find("\n")] if "\n" in text else text
    keys = check_header([h.strip() for h in next(csv.reader(io.StringIO(first)), [])], table)
    if len(keys) > lim.max_columns or "" in keys or len(set(keys)) != len(keys) or not set(keys) <= set(COLUMNS):
        return None
    have = set(keys)

    def col(k: str) -> str:
        return f"s.{k}" if k in have else "NULL::text"

    classes = {**services.LAND_CLASSES, **services.LAND_CLASS_ALIASES}
    ws = _literal(WHITESPACE)
    table_name = ForestStand._meta.db_table
    staging = "sinks_forest_staging"
    # the casts computed once per row (OFFSET 0 keeps the inner select from being flattened into the checks);
    # the class and group spellings looked up in a JSON object (unknown: NULL)
    insert = f"""
        WITH ins AS (
            INSERT INTO {table_name}
                (plan_id, year, township, land_class, species_group, compartment, area_ha, stock_m3)
            SELECT %s, y, town, lc, gr, comp, a, st FROM (
                SELECT {col("year")} AS ys, ({col("year")})::smallint AS y, {col("township")} AS town,
                    %s::jsonb ->> {col("land_class")} AS lc,
                    %s::jsonb ->> coalesce({col("species_group")}, '') AS gr,
                    coalesce({col("compartment")}, '') AS comp,
                    {col("area_ha")} AS at, ({col("area_ha")})::numeric AS a,
                    coalesce(nullif({col("stock_m3")}, ''), '0') AS stt,
                    (coalesce(nullif({col("stock_m3")}, ''), '0'))::numeric AS st
                FROM {staging} s OFFSET 0
            ) r
            WHERE y::text = ys AND y BETWEEN %s AND %s
              AND lc IS NOT NULL AND gr IS NOT NULL AND (lc <> {_literal(LandClass.ARBOR)} OR gr <> '')
              AND length(town) BETWEEN 1 AND 60 AND btrim(town, {ws}) = town
              AND length(comp) <= 40 AND btrim(comp, {ws}) = comp
              AND a::text = at AND a >= 0 AND a < 1e12 AND scale(a) <= 4
              AND st::text = stt AND st >= 0 AND st < 1e14 AND scale(st) <= 4
            ORDER BY y, town, lc COLLATE "C", gr COLLATE "C", comp COLLATE "C"
            RETURNING year
        )
        SELECT year, count(*) FROM ins GROUP BY year ORDER BY year
    """
    params = [plan.pk, json.dumps(classes), json.dumps({"": "", **groups}), services.FIRST_YEAR, plan.last_year]
    rep = Report()
    try:
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                f"CREATE TEMP TABLE {staging} ({', '.join(f'{k} text COLLATE "C"' for k in keys)}) ON COMMIT DROP"
            )
            with c.copy(f"COPY {staging} ({', '.join(keys)}) FROM STDIN (FORMAT csv, HEADER true)") as cp:
                cp.write(text)
            staged = c.rowcount
            if staged <= 0 or staged > lim.max_rows:
                raise _Fallback
            c.execute("SET LOCAL work_mem = '256MB'")  # the key sort in memory, not on disk
            c.execute(insert, params)
            per_year = dict(c.fetchall())
            if sum(per_year.values()) != staged:
                raise _Fallback  # a row failed a check: the per-row path reports it
            locked = [services._lock_year(plan, y) for y in sorted(per_year)]
            if any(fy.is_locked for fy in locked):
                raise _Fallback
            for y, n in per_year.items():
                c.execute(f"SELECT count(*) FROM {table_name} WHERE plan_id = %s AND year = %s", [plan.pk, y])
                if c.fetchone()[0] != n:
                    raise _Fallback  # the year already held rows: duplicates and conflicts, row by row
            c.execute(f"DROP TABLE {staging}")
            for fy in locked:
                record(actor, "forest.import", fy, None, {"year": fy.year, "rows_added": per_year[fy.year]})
    except (_Fallback, DatabaseError, psycopg.Error):
        return None
    rep.accepted = staged
    return rep


class _Fallback(Exception):
    """Leave the fast path (its savepoint rolled back) for the per-row path."""
