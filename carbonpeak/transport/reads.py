"""What other apps read from transport (never its services): the bus fleet's emission factor per passenger-km
for the 碳普惠 green-travel methodology, so its points follow the real fleet.

The factor is the bus operators' CO2 of the year (energy by carrier, converted and factored by the accounting
core with the county's factor set, electricity at the grid factor) divided by their passenger-km. The bus
operators are the operators with buses in the vehicle register; the fuel mix of the buses in service on 31
December is reported with it (its source text names both).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.core import accounts
from carbonpeak.core.errors import CalcError
from carbonpeak.transport.choices import Fuel, Use
from carbonpeak.transport.figures import year_end
from carbonpeak.transport.models import OperatorYear, Vehicle

KG_PER_T = Decimal(1000)
Q6 = Decimal("0.000001")


@dataclass(frozen=True)
class FleetFactor:
    year: int
    kgco2_per_pkm: Decimal  # 6 decimals
    fuel_mix: dict[str, int]  # buses in service on 31 December, by fuel
    source: str  # ≤ 300 characters, Chinese


def bus_fuel_mix(plan: Any, year: int) -> dict[str, int]:
    day = year_end(year)
    qs = Vehicle.objects.filter(plan=plan, use=Use.BUS, registered_on__lte=day).filter(
        Q(retired_on__isnull=True) | Q(retired_on__gt=day)
    )
    return {row["fuel"]: row["n"] for row in qs.values("fuel").annotate(n=Count("id")).order_by("fuel")}


def bus_fleet_factor(plan: Any, year: int) -> FleetFactor | None:
    """The bus fleet's kgCO2 per passenger-km of ``year``; None without bus operators' energy and passenger-km."""
    operators = set(Vehicle.objects.filter(plan=plan, use=Use.BUS).values_list("operator", flat=True))
    rows = list(
        OperatorYear.objects.filter(plan=plan, year=year, operator__in=operators, passenger_km__gt=0).prefetch_related(
            "energy"
        )
    )
    if not rows:
        return None
    lines = [
        accounts.Line(f"B{e.pk}", "transport.G54", e.carrier, "final", e.unit, e.quantity)
        for r in rows
        for e in r.energy.all()
    ]
    pkm = sum((r.passenger_km for r in rows), Decimal(0))
    fs = default_factor_set(plan)
    try:
        res = accounts.compute(lines, accounts.Params(year=year, grid=plan.grid or None), core_factor_set(fs))
    except CalcError:
        return None
    co2_t = Decimal(repr(res["co2"]["scope12_co2_t"]))
    value = (co2_t * KG_PER_T / pkm).quantize(Q6)
    mix = bus_fuel_mix(plan, year)
    total = sum(mix.values()) or 1
    mix_text = "、".join(f"{Fuel(f).label}{n * 100 // total}%" for f, n in mix.items())
    source = (
        f"{year}年公交运营数据（{'、'.join(sorted(r.operator for r in rows))}）二氧化碳÷旅客周转量，"
        f"年末公交车燃料结构 {mix_text or '—'}，因子库 {fs.version}"
    )[:300]
    return FleetFactor(year, value, mix, source)
