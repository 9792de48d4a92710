"""The national working-day calendar as data: each year's holiday arrangement (国务院办公厅《关于 YYYY 年部分节假日
安排的通知》), loaded from a CSV ``date,workday,name[,source]`` and used wherever working days are counted (a meter
is silent after more than 3 working days without data).

The platform ships the arrangements it knows (``carbonpeak/data/cn_workdays.csv``); ``carbonpeak setup`` adds
the shipped dates that are missing and never overwrites a date the office has loaded. The office loads the new
year's notice when it is published (usually in November) with ``carbonpeak calendar import``; re-running the
same file changes nothing. A year without entries is counted as Monday to Friday, and the monitoring wall says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from carbonpeak.audit.services import record
from carbonpeak.core import workdays
from carbonpeak.enterprises.models import CalendarDay
from carbonpeak.tabular import Report

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "cn_workdays.csv"
COLUMNS = ("date", "workday", "name")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_TRUE = {"1", "true", "yes", "是", "工作日", "上班"}
_FALSE = {"0", "false", "no", "否", "休息", "放假"}


def _row(n: int, r: dict[str, str], rep: Report) -> dict[str, Any] | None:
    raw = (r.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(raw) if _ISO_DATE.match(raw) else None
    except ValueError:  # (30 February)
        day = None
    if day is None:
        rep.reject(
            n, "date", f"date：{raw!r} 不是日期（如 2026-10-01）", f"date: {raw!r} is not a date (e.g. 2026-10-01)"
        )
        return None
    flag = (r.get("workday") or "").strip().lower()
    if flag not in _TRUE | _FALSE:
        rep.reject(
            n,
            "workday",
            f"workday：{flag!r} 应为 1（调休上班）或 0（放假）",
            f"workday: {flag!r} must be 1 (make-up working day) or 0 (holiday)",
        )
        return None
    name = (r.get("name") or "").strip()
    if not name or len(name) > 60:
        rep.reject(
            n, "name", "name：请填写节日名称（不超过 60 字）", "name: the holiday's name (at most 60 characters)"
        )
        return None
    source = (r.get("source") or "").strip()
    if len(source) > 120:
        rep.reject(n, "source", "source：依据不超过 120 字", "source: at most 120 characters")
        return None
    return {"date": day, "workday": flag in _TRUE, "name": name, "source": source}


def import_days(actor: Any, rows: Iterable[tuple[int, dict[str, str]]], overwrite: bool = True) -> Report:
    """Load calendar rows: per-row errors, the good rows kept; a date already stored with the same content is a
    duplicate. With ``overwrite`` a stored date with other content is updated (with audit); without it (the
    shipped calendar at set-up) it is left as the office loaded it and counted as a duplicate."""
    rep = Report()
    good: dict[dt.date, tuple[int, dict[str, Any]]] = {}
    for n, r in rows:
        v = _row(n, r, rep)
        if v is None:
            continue
        if v["date"] in good:
            first, seen = good[v["date"]]
            if seen == v:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "date",
                    f"date：与第 {first} 行日期相同但内容不同",
                    f"date: same date as line {first}, different data",
                )
            continue
        good[v["date"]] = (n, v)
    with transaction.atomic():
        stored = {d.date: d for d in CalendarDay.objects.select_for_update().filter(date__in=list(good))}
        for day, (_n, v) in sorted(good.items()):
            old = stored.get(day)
            fields = {k: v[k] for k in ("workday", "name", "source")}
            if old is None:
                try:
                    with transaction.atomic():
                        obj = CalendarDay.objects.create(date=day, **fields)
                except IntegrityError:  # a concurrent import stored it meanwhile: compare with that
                    old = CalendarDay.objects.select_for_update().get(date=day)
                else:
                    record(actor, "calendar.create", obj, None, fields)
                    rep.accepted += 1
                    continue
            if all(getattr(old, k) == x for k, x in fields.items()) or not overwrite:
                rep.duplicates += 1
            else:
                before = {k: getattr(old, k) for k in fields}
                for k, x in fields.items():
                    setattr(old, k, x)
                old.save()
                record(actor, "calendar.update", old, before, fields)
                rep.accepted += 1
    return rep


def load_shipped() -> Report:
    with SHIPPED.open(encoding="utf-8", newline="") as f:
        return import_days(None, enumerate(csv.DictReader(f), start=2), overwrite=False)


def exceptions() -> dict[dt.date, bool]:
    """Every stored date and whether it is a working day (a few dozen a year)."""
    return dict(CalendarDay.objects.values_list("date", "workday"))


def missing_years(years: Iterable[int], known: Iterable[dt.date] | None = None) -> list[int]:
    """Of ``years``, those the calendar has no entries for (counted as Monday to Friday)."""
    years = set(years)
    if known is None:  # (only the years asked about, not the whole calendar)
        known = CalendarDay.objects.filter(date__year__in=years).values_list("date", flat=True)
    return sorted(years - workdays.years_covered(known))
