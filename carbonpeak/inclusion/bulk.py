"""Bulk inserts for the award path: on PostgreSQL, ids drawn from the table's sequence and the rows sent with
COPY (no model instances, no per-row SQL); elsewhere ``bulk_create``. Columns are database column names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def insert(model: Any, columns: Sequence[str], rows: Sequence[tuple], *, ids: bool = False) -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order); returns the new ids when ``ids``."""
    if not rows:
        return []
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            new: list[int] = []
            cols = list(columns)
            if ids:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
                )
                new = [r[0] for r in cur.fetchall()]
                cols = ["id", *cols]
            with cur.cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as cp:
                if ids:
                    for i, r in zip(new, rows, strict=True):
                        cp.write_row((i, *r))
                else:
                    for r in rows:
                        cp.write_row(r)
            return new
    fields = {f.column: f.attname for f in model._meta.concrete_fields}
    objs = [model(**{fields[c]: v for c, v in zip(columns, r, strict=True)}) for r in rows]
    model.objects.bulk_create(objs, batch_size=2000)
    return [o.pk for o in objs] if ids else []
