"""The register read for calculations (DB → core.capacity): the capacity figure of a year, the year-end path,
and what other apps (scenarios, pages, the CLI) read of it. Read only: writes go through ``services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from carbonpeak.core.capacity import GENERATING_TYPES, UnitRow, YearCapacity, capacity_at, first_year
from carbonpeak.generation.models import Unit
from carbonpeak.tabular.times import BEIJING


def beijing_today() -> dt.date:
    return timezone.now().astimezone(BEIJING).date()


def unit_rows(plan: Any, *, connected_by: dt.date | None = None) -> list[UnitRow]:
    """The county's units as the calculation reads them (``connected_by``: only those connected by that day)."""
    qs = Unit.objects.filter(plan=plan)
    if connected_by is not None:
        qs = qs.filter(connected_on__lte=connected_by)
    return [
        UnitRow(t, c, on, off) for t, c, on, off in qs.values_list("type", "capacity_mw", "connected_on", "retired_on")
    ]


def capacity(plan: Any, year: int) -> YearCapacity:
    """The installed capacity at the end of ``year`` (every unit by its dates; the register is the source)."""
    return capacity_at(unit_rows(plan), year)


def capacity_dict(cap: YearCapacity) -> dict[str, Any]:
    """The figure as scripts read it (``carbonpeak units capacity``): 万千瓦 as text with 4 decimals."""
    return {
        "year": cap.year,
        "capacity_10k_kw": str(cap.capacity_10k_kw),
        "by_type": {t: str(cap.by_type.get(t, Decimal("0.0000"))) for t in GENERATING_TYPES},
        "storage_10k_kw": str(cap.storage_10k_kw),
        "capacity_mw": str(cap.capacity_mw),
        "units": cap.units,
    }


def years_with_units(plan: Any, until: int) -> list[int]:
    """From the first connection's year to ``until`` (none without generating units)."""
    first = first_year(unit_rows(plan))
    return list(range(first, until + 1)) if first is not None and first <= until else []


def register_path(plan: Any, base_year: int, end_year: int) -> tuple[Decimal, list[tuple[str, int, Decimal]]]:
    """What a scenario takes from the register instead of the project list: the new-energy capacity installed at
    the end of the base year (MW, storage excluded), and each later year's net change per generating type
    ``(type, year, MW)`` (connections minus retirements, by the register's dates; units whose connection date
    lies ahead are the register's planned units). The base plus the changes up to a year is that year's
    year-end capacity (unrounded MW)."""
    units = unit_rows(plan)

    def mw(year: int) -> dict[str, Decimal]:
        day = dt.date(year, 12, 31)
        out = dict.fromkeys(GENERATING_TYPES, Decimal(0))
        for u in units:
            if u.type in out and u.connected_on <= day and (u.retired_on is None or u.retired_on > day):
                out[u.type] += u.capacity_mw
        return out

    prev = mw(base_year)
    base = sum(prev.values(), Decimal(0))
    changes: list[tuple[str, int, Decimal]] = []
    for y in range(base_year + 1, end_year + 1):
        cur = mw(y)
        changes += [(t, y, cur[t] - prev[t]) for t in GENERATING_TYPES if cur[t] != prev[t]]
        prev = cur
    return base, changes
