"""core.capacity: the year-end rule at its bounds and the half-up 万千瓦 rounding (no Django)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from carbonpeak.core.capacity import UnitRow, capacity_at, capacity_path, first_year, in_service, to_10k_kw

D = dt.date


def test_bounds_of_a_year():
    dec31 = UnitRow("pv", Decimal("10"), D(2024, 12, 31))
    jan1 = UnitRow("wind", Decimal("20"), D(2025, 1, 1))
    retired = UnitRow("hydro", Decimal("5"), D(2020, 1, 1), D(2024, 12, 31))
    storage = UnitRow("storage", Decimal("50"), D(2020, 1, 1))
    units = [dec31, jan1, retired, storage]
    assert in_service(dec31, D(2024, 12, 31)) and not in_service(jan1, D(2024, 12, 31))
    assert not in_service(retired, D(2024, 12, 31)) and in_service(retired, D(2024, 12, 30))
    c = capacity_at(units, 2024)
    assert c.capacity_10k_kw == Decimal("1.0000") and c.storage_10k_kw == Decimal("5.0000") and c.units == 1
    assert capacity_path(units, [2023, 2024, 2025]) == {
        2023: Decimal("0.5000"),  # the hydro unit alone: 5 MW
        2024: Decimal("1.0000"),
        2025: Decimal("3.0000"),
    }
    assert first_year(units) == 2020 and first_year([storage]) is None


def test_half_up_to_four_decimals():
    assert to_10k_kw(Decimal("100.0005")) == Decimal("10.0001")  # half-even would give 10.0000
    assert to_10k_kw(Decimal("100.0004")) == Decimal("10.0000")
    assert to_10k_kw(Decimal("0")) == Decimal("0.0000")
    assert capacity_at([UnitRow("pv", Decimal("100.0005"), D(2024, 1, 1))], 2024).capacity_mw == Decimal("100.0010")
