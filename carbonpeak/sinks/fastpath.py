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
from collections.abc import Iterable
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction

from carbonpeak.tabular import Report, check_header

#: the characters Python's ``str.strip()`` removes (the per-row path strips every cell); U+3000 is the last
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
COLUMNS = ("year", "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3")


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _values(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"({_literal(a)}, {_literal(b)})" for a, b in pairs)


def _plain_number(col: str, high: str) -> str:
    """The cell is the canonical text of a non-negative number below ``high`` with at most 4 decimals."""
    n = f"({col})::numeric"
    return f"{n}::text = {col} AND {n} >= 0 AND {n} < {high} AND scale({n}) <= 4"


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
    area, stock = col("area_ha"), f"coalesce(nullif({col('stock_m3')}, ''), '0')"
    group = f"coalesce({col('species_group')}, '')"
    comp = f"coalesce({col('compartment')}, '')"
    town = col("township")
    year = col("year")
    table_name = ForestStand._meta.db_table
    staging = "sinks_forest_staging"
    insert = f"""
        WITH ins AS (
            INSERT INTO {table_name}
                (plan_id, year, township, land_class, species_group, compartment, area_ha, stock_m3)
            SELECT %s, ({year})::smallint, {town}, lc.code, gr.code, {comp}, ({area})::numeric, ({stock})::numeric
            FROM {staging} s
            JOIN (VALUES {_values(classes.items())}) AS lc (spelling, code) ON lc.spelling = {col("land_class")}
            JOIN (VALUES ('', ''), {_values(groups.items())}) AS gr (spelling, code) ON gr.spelling = {group}
            WHERE ({year})::smallint::text = {year} AND ({year})::smallint BETWEEN %s AND %s
              AND length({town}) BETWEEN 1 AND 60 AND btrim({town}, {ws}) = {town}
              AND length({comp}) <= 40 AND btrim({comp}, {ws}) = {comp}
              AND (lc.code <> {_literal(LandClass.ARBOR)} OR gr.code <> '')
              AND {_plain_number(area, "1e12")} AND {_plain_number(stock, "1e14")}
            ORDER BY 2, 3, 4, 5, 6
            RETURNING year
        )
        SELECT year, count(*) FROM ins GROUP BY year ORDER BY year
    """
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
            c.execute(insert, [plan.pk, services.FIRST_YEAR, plan.last_year])
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
