"""Every xlsx and CSV the platform hands out goes through here, so that no text a user typed becomes a live
formula in the office's spreadsheet (OWASP "CSV injection").

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised: in CSV it is
prefixed with an apostrophe (``'=HYPERLINK(…)``); in xlsx it is stored as a text cell with Excel's own
apostrophe prefix (``quotePrefix``, what Excel records when a person types ``'`` before a value), so the office
sees exactly what the department wrote, as text, and Excel never evaluates it. Numbers (including negative ones),
dates and booleans are left as they are. A workbook's deliberate formulas (none today) would be written with
``formula()`` and kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from carbonpeak.tabular.reading import Table

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


class formula(str):  # noqa: N801 - reads like a cell type
    """A formula the platform itself puts in a workbook (kept by :func:`workbook_bytes`)."""


def neutralise(value: Any) -> Any:
    """A CSV field: formula-like text gets an apostrophe in front; anything else unchanged."""
    if isinstance(value, str) and not isinstance(value, formula) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = True) -> bytes:
    """A CSV file (UTF-8 with a BOM so that Excel opens Chinese text right), every field neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([neutralise(h) for h in header])
    for row in rows:
        w.writerow([neutralise("" if v is None else v) for v in row])
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def neutralise_workbook(wb: Any) -> int:
    """Make every formula-like text cell of an openpyxl workbook a text cell with the apostrophe prefix; returns
    how many were changed. (openpyxl turns any text assigned that starts with ``=`` into a formula.)"""
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and not isinstance(v, formula) and v.startswith(DANGEROUS):
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
                    changed += 1
    return changed


def workbook_bytes(wb: Any) -> bytes:
    """The ``.xlsx`` bytes of an openpyxl workbook, neutralised first. Every export saves through this."""
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def save_workbook(wb: Any, path: Any) -> None:
    """Write a neutralised workbook to a file (the command line's exports)."""
    neutralise_workbook(wb)
    wb.save(path)


def template_bytes(table: Table, extra_notes: Sequence[str] = ()) -> bytes:
    """The downloadable Chinese template of an import: a data sheet with a bold Chinese header row (the English
    key is accepted too) and one example row, and a 说明 sheet with each column's unit or format."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    ws.append([c.zh for c in table.columns])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([c.example for c in table.columns])
    for i, c in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, 2 * len(c.zh) + 4)
        ws.cell(row=2, column=i).number_format = "@"  # typed values stay as typed (codes with leading zeros)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列名", "英文列名", "是否必填", "单位与格式"])
    for c in notes[1]:
        c.font = Font(bold=True)
    for c in table.columns:
        notes.append([c.zh, c.key, "必填" if c.required else "可不填", c.note])
    notes.append([])
    for line in (*table.notes, *extra_notes):
        notes.append([line])
    notes.append(["支持 .xlsx 和 CSV（UTF-8 或 GBK 编码）；表头用中文或英文列名均可。"])
    for col, w in zip("ABCD", (20, 18, 10, 70), strict=True):
        notes.column_dimensions[col].width = w
    return workbook_bytes(wb)
