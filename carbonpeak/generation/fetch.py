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


def capacity_path_mw(plan: Any, base_year: int, end_year: int) -> dict[int, float]:
    """The new-energy capacity path (MW) a scenario starts from: the installed capacity at the end of the base
    year and of each later year by the register's connection and retirement dates (units whose connection date
    lies ahead are the register's planned units)."""
    units = unit_rows(plan)
    return {y: float(capacity_at(units, y).capacity_mw) for y in range(base_year, end_year + 1)}
