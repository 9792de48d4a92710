"""The fast path of the forest import for a clean CSV survey: a county's 500 000 sub-compartment rows are checked
column by column with C-level builtins (one regular-expression pass over a whole column, the distinct values of
year, township, class and group checked once each) and COPYed in key order.

It applies only when every row is plain (no surrounding spaces, ASCII numbers of at most 4 decimals, known class
and group spellings), the file's years are unapproved and still empty in this county, on PostgreSQL; a key
repeated in the file is caught by the table's key during the COPY. Then every row is accepted, exactly as the
per-row path (``services._parse`` and ``import_forest``) would accept it. Anything else returns None and the
caller runs the per-row path, which reports each row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from itertools import repeat
from typing import Any

from django.db import IntegrityError, connection, transaction

from carbonpeak.tabular import Report, check_header

AREA_COLUMN = re.compile(r"(?:[0-9]{1,12}(?:\.[0-9]{0,4})?\n)*")
STOCK_COLUMN = re.compile(r"(?:(?:[0-9]{1,14}(?:\.[0-9]{0,4})?)?\n)*")
# at most 40 characters, no surrounding whitespace, nothing COPY's text format would have to escape
COMPARTMENT_COLUMN = re.compile(r"(?:(?:[^\s\\](?:[^\t\n\r\\]{0,38}[^\s\\])?)?\n)*")
UNSAFE = re.compile(r"[\t\n\r\\]")
CHUNK = 50_000


def _column_ok(pattern: re.Pattern[str], values: tuple[str, ...]) -> bool:
    return pattern.fullmatch("\n".join(values) + "\n") is not None if values else True


def import_clean_csv(actor: Any, plan: Any, text: str, table: Any, lim: Any, groups: dict[str, str]) -> Report | None:
    from carbonpeak.audit.services import record
    from carbonpeak.sinks import services
    from carbonpeak.sinks.models import ForestStand

    if connection.vendor != "postgresql":
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    keys = check_header([h.strip() for h in next(reader, [])[: lim.max_columns + 1]], table)
    if len(keys) > lim.max_columns or "" in keys or len(set(keys)) != len(keys):
        return None
    rows = list(reader)
    if not rows or len(rows) > lim.max_rows or set(map(len, rows)) != {len(keys)}:
        return None
    cols = dict(zip(keys, zip(*rows, strict=True), strict=True))
    del rows
    n = len(cols[keys[0]])
    empty = ("",) * n
    years, towns, lcs, gs = (cols.get(k, empty) for k in ("year", "township", "land_class", "species_group"))
    comps, areas, stocks = (cols.get(k, empty) for k in ("compartment", "area_ha", "stock_m3"))
    # the distinct heads, each checked once by the per-row rules (and unchanged by stripping)
    heads = {}
    for raw in set(zip(years, towns, lcs, gs, strict=True)):
        if any(x != x.strip() for x in raw) or UNSAFE.search(raw[1]):
            return None
        h = services._head(plan, *raw, groups)
        if h[0] is None:
            return None
        heads[raw] = h
    if not (
        _column_ok(AREA_COLUMN, areas) and _column_ok(STOCK_COLUMN, stocks) and _column_ok(COMPARTMENT_COLUMN, comps)
    ):
        return None
    lc_code = {raw[2]: h[2] for raw, h in heads.items()}
    g_code = {raw[3]: h[3] for raw, h in heads.items()}
    lcs_m = list(map(lc_code.__getitem__, lcs))
    gs_m = list(map(g_code.__getitem__, gs))
    years_i = {raw[0]: h[0] for raw, h in heads.items()}
    if len({raw[0] for raw in heads}) != len(set(years_i.values())):
        return None  # one year spelt two ways ("2025" and "02025")
    if "" in stocks:
        stocks = tuple(s or "0" for s in stocks)
    rep = Report()
    file_years = sorted(set(years_i.values()))
    with transaction.atomic():
        locked = [services._lock_year(plan, y) for y in file_years]
        if any(fy.is_locked for fy in locked) or ForestStand.objects.filter(plan=plan, year__in=file_years).exists():
            transaction.set_rollback(True)
            return None
        year_text = {raw: str(y) for raw, y in years_i.items()}
        cols_sql = "plan_id, year, township, land_class, species_group, compartment, area_ha, stock_m3"
        # in key order (the line starts with the key; UTF-8 byte order is code-point order): the key index grows
        # at its right edge instead of splitting pages all over
        lines = sorted(
            map(
                "\t".join,
                zip(
                    repeat(str(plan.pk)),
                    map(year_text.__getitem__, years),
                    towns,
                    lcs_m,
                    gs_m,
                    comps,
                    areas,
                    stocks,
                    strict=False,
                ),
            )
        )
        import psycopg

        try:
            with transaction.atomic(), connection.cursor() as c:
                with c.copy(f"COPY {ForestStand._meta.db_table} ({cols_sql}) FROM STDIN") as cp:
                    for i in range(0, n, CHUNK):
                        cp.write("\n".join(lines[i : i + CHUNK]) + "\n")
        except (IntegrityError, psycopg.errors.UniqueViolation):
            # a key repeated in the file: the per-row path tells duplicates from conflicts, line by line
            transaction.set_rollback(True)
            return None
        per_year: Counter[int] = Counter()
        for y, count in Counter(years).items():
            per_year[years_i[y]] += count
        for fy in locked:
            record(actor, "forest.import", fy, None, {"year": fy.year, "rows_added": per_year[fy.year]})
        rep.accepted = n
    return rep
