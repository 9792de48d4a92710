"""Installed capacity at the end of a year from a register of generation units (pure: no Django).

A unit counts at the end of ``year`` when it was connected to the grid on or before 31 December of that year
and not retired on or before that day (a unit retired on 31 December no longer counts that year). Storage
counts apart: it stores energy, it does not generate it, so the new-energy total excludes it.

Units: capacity in MW per unit; the total in 万千瓦 (10 MW = 1 万千瓦, 10⁴ kW), rounded half up to 4 decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

#: 1 万千瓦 = 10 000 kW = 10 MW
MW_PER_10K_KW = Decimal(10)
Q4 = Decimal("0.0001")
STORAGE = "storage"
#: the generating types, in display order (storage is listed apart and never in the total)
GENERATING_TYPES: tuple[str, ...] = ("pv", "wind", "hydro", "biomass", "waste_to_energy")


@dataclass(frozen=True)
class UnitRow:
    """One unit as the calculation needs it."""

    type: str
    capacity_mw: Decimal
    connected_on: dt.date
    retired_on: dt.date | None = None


@dataclass(frozen=True)
class YearCapacity:
    year: int
    as_of: dt.date
    capacity_10k_kw: Decimal  # new-energy total (storage excluded), 4 decimals half up
    by_type: dict[str, Decimal] = field(default_factory=dict)  # 万千瓦 per generating type, 4 decimals
    storage_10k_kw: Decimal = Decimal(0)
    units: int = 0  # generating units counted

    @property
    def capacity_mw(self) -> Decimal:
        """The rounded 万千瓦 figure times 10: what a target in MW is fed."""
        return self.capacity_10k_kw * MW_PER_10K_KW


def to_10k_kw(mw: Decimal) -> Decimal:
    """MW → 万千瓦, 4 decimals, half up."""
    d = (Decimal(mw) / MW_PER_10K_KW).quantize(Q4, rounding=ROUND_HALF_UP)
    return Decimal("0.0000") if d == 0 else d


def in_service(u: UnitRow, on: dt.date) -> bool:
    """Connected on or before ``on`` and not retired on or before it."""
    return u.connected_on <= on and (u.retired_on is None or u.retired_on > on)


def capacity_at(units: Iterable[UnitRow], year: int, as_of: dt.date | None = None) -> YearCapacity:
    """The capacity at the end of ``year`` (or on ``as_of``, a day of that year, for a year not yet over)."""
    day = as_of or dt.date(year, 12, 31)
    mw: dict[str, Decimal] = {t: Decimal(0) for t in GENERATING_TYPES}
    storage = Decimal(0)
    n = 0
    for u in units:
        if not in_service(u, day):
            continue
        if u.type == STORAGE:
            storage += u.capacity_mw
            continue
        mw[u.type] = mw.get(u.type, Decimal(0)) + u.capacity_mw
        n += 1
    total = sum(mw.values(), Decimal(0))
    return YearCapacity(
        year=year,
        as_of=day,
        capacity_10k_kw=to_10k_kw(total),
        by_type={t: to_10k_kw(v) for t, v in mw.items()},
        storage_10k_kw=to_10k_kw(storage),
        units=n,
    )


def first_year(units: Sequence[UnitRow]) -> int | None:
    """The year of the first generating unit's connection (storage does not start the series)."""
    years = [u.connected_on.year for u in units if u.type != STORAGE]
    return min(years) if years else None


def capacity_path(units: Sequence[UnitRow], years: Iterable[int]) -> dict[int, Decimal]:
    """The year-end new-energy capacity (万千瓦) of each year."""
    return {y: capacity_at(units, y).capacity_10k_kw for y in years}
