"""The audit log as an Excel workbook (openpyxl). Text that a spreadsheet would read as a formula is written
as text (a leading apostrophe), so an entry cannot run anything when opened."""

from __future__ import annotations

import json

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from carbonpeak.audit.labels import action_label, actor_names, object_label, object_type_label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text starting like a formula gets a leading apostrophe; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def audit_workbook(entries, headers: list[str]) -> Workbook:
    entries = list(entries)
    names = actor_names({e.actor_label for e in entries})
    wb = Workbook()
    ws = wb.active
    ws.title = "audit"
    ws.append([safe_cell(str(h)) for h in headers])
    for e in entries:
        row = [
            timezone.localtime(e.at).replace(tzinfo=None),  # Beijing time, as on the page
            names.get(e.actor_label, e.actor_label),
            action_label(e.action),
            object_type_label(e.object_type),
            object_label(e.object_type, e.object_id, e.object_repr),
            json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
            json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
            e.actor_label,
            e.action,
        ]
        ws.append([safe_cell(v) for v in row])
    for i, width in enumerate([20, 18, 18, 14, 36, 50, 50, 14, 24], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return wb
