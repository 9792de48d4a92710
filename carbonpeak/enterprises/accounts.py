"""Enterprise energy and CO2 accounts from the monthly roll-ups of the metered readings, in one batch.

The statistical year is Beijing time and a reading is the consumption of the interval that *ends* at its
timestamp, so year Y holds readings with ``Y-01-01 00:00 < reading_time ≤ (Y+1)-01-01 00:00`` (+08:00): the
reading ending at midnight on New Year's night belongs to the old year (see ``rollups``). Per meter the month
sums × the meter's multiplier go through the core's ``CarrierTable`` with the county's default factor set and
grid (the latest grid year at or before Y):

- ``energy_tce``: comprehensive energy consumption on the calorific basis (当量值);
- ``energy_tce_coal_equivalent``: on the coal-equivalent basis (等价值), electricity at the county's
  coal rate of that year (the latest approved inventory at or before Y that states one); ``None`` without one;
- ``co2_t`` = ``co2_fuel_t`` (combustion, scope 1) + ``co2_electricity_t`` + ``co2_heat_t`` (purchased,
  scope 2), each carrier with the method string that produced it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Sum

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.core.inventory import KIND_ELECTRICITY, KIND_HEAT, Basis, CarrierTable
from carbonpeak.enterprises.models import Enterprise, Meter, MonthlyRollup
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.plan.models import Plan

THRESHOLD_TARGET = "enterprise_carbon_account_threshold"


def year_window(year: int) -> tuple[dt.datetime, dt.datetime]:
    """(start, end]: readings with start < reading_time <= end belong to ``year``."""
    return dt.datetime(year, 1, 1, tzinfo=BEIJING), dt.datetime(year + 1, 1, 1, tzinfo=BEIJING)


def key_user_threshold_tce(plan: Plan) -> Decimal:
    """The carbon-account threshold: the plan's target (Chaling: 5 000 tce), else the setting."""
    t = plan.targets.filter(code=THRESHOLD_TARGET).prefetch_related("milestones").first()
    if t is not None:
        m = t.milestones.order_by("-year").first()
        if m is not None:
            return m.value
    return Decimal(str(settings.CARBONPEAK_KEY_USER_TCE))


def coal_rate(plan: Plan, year: int) -> tuple[Decimal | None, int | None]:
    """The county's coal rate for the coal-equivalent basis: the latest approved inventory at or before ``year``
    that states one (its year is returned with it)."""
    from carbonpeak.accounting.choices import InventoryStatus
    from carbonpeak.accounting.models import Inventory

    inv = (
        Inventory.objects.filter(
            plan=plan, year__lte=year, status=InventoryStatus.APPROVED, coal_equivalent_kgce_per_kwh__isnull=False
        )
        .order_by("-year")
        .first()
    )
    return (inv.coal_equivalent_kgce_per_kwh, inv.year) if inv else (None, None)


@dataclass
class Tables:
    version: str
    calorific: CarrierTable
    coal_equivalent: CarrierTable | None
    coal_rate: Decimal | None
    coal_rate_year: int | None


def tables(plan: Plan, year: int) -> Tables:
    fs = core_factor_set(default_factor_set(plan))
    rate, rate_year = coal_rate(plan, year)
    cal = CarrierTable.build(fs, Basis("calorific", None, plan.grid or None, year))
    ceq = CarrierTable.build(fs, Basis("coal_equivalent", rate, plan.grid or None, year)) if rate else None
    return Tables(fs.version, cal, ceq, rate, rate_year)


def meter_sums(plan: Plan, months: tuple[dt.date, dt.date], enterprise_ids: list[int] | None = None):
    """{meter_id: Σ quantity} over the roll-up months first..last (inclusive), before the multiplier."""
    qs = MonthlyRollup.objects.filter(meter__enterprise__plan=plan, month__gte=months[0], month__lte=months[1])
    if enterprise_ids is not None:
        qs = qs.filter(meter__enterprise_id__in=enterprise_ids)
    return {r["meter_id"]: r["q"] for r in qs.values("meter_id").annotate(q=Sum("quantity"))}


def _blank() -> dict[str, Any]:
    return {
        "energy_tce": 0.0,
        "energy_tce_coal_equivalent": 0.0,
        "co2_t": 0.0,
        "co2_fuel_t": 0.0,
        "co2_electricity_t": 0.0,
        "co2_heat_t": 0.0,
    }


def compute(
    plan: Plan,
    year: int,
    through_month: int = 12,
    enterprise_ids: list[int] | None = None,
    from_month: int = 1,
) -> dict[str, Any]:
    """Accounts of every enterprise (or the given ones) for months ``from_month``..``through_month`` of
    ``year``. Meters whose carrier/unit has no factor are listed in ``unpriced`` and left out."""
    tb = tables(plan, year)
    sums = meter_sums(plan, (dt.date(year, from_month, 1), dt.date(year, through_month, 1)), enterprise_ids)
    mq = Meter.objects.filter(enterprise__plan=plan).select_related("enterprise").order_by("id")
    if enterprise_ids is not None:
        mq = mq.filter(enterprise_id__in=enterprise_ids)
    cal = tb.calorific
    cpos = {c: i for i, c in enumerate(cal.carriers)}
    upos = {u: j for j, u in enumerate(cal.units)}
    per: dict[int, dict[str, Any]] = defaultdict(lambda: {**_blank(), "by_carrier": {}})
    unpriced, methods = [], set()
    for m in mq:
        q = sums.get(m.pk)
        if q is None:
            continue
        i, j = cpos.get(m.carrier), upos.get(m.unit)
        if i is None or j is None or np.isnan(cal.tce_per_unit[i, j]):
            unpriced.append(m.meter_code)
            continue
        qty = float(q * m.multiplier)
        e = qty * float(cal.tce_per_unit[i, j])
        c = qty * float(np.nan_to_num(cal.ef_tco2_per_unit[i, j]))
        ceq = tb.coal_equivalent
        e_ceq = qty * float(ceq.tce_per_unit[i, j]) if ceq is not None else None
        kind = int(cal.kind[i])
        scope = "co2_electricity_t" if kind == KIND_ELECTRICITY else "co2_heat_t" if kind == KIND_HEAT else "co2_fuel_t"
        acc = per[m.enterprise_id]
        label = f"{m.carrier}|{m.unit}"
        bc = acc["by_carrier"].setdefault(
            label,
            {
                "carrier": m.carrier,
                "unit": m.unit,
                "scope": scope,
                "method": cal.methods.get((m.carrier, m.unit), ""),
                **_blank(),
                "quantity": 0.0,
            },
        )
        methods.add(bc["method"])
        for d in (acc, bc):
            d["energy_tce"] += e
            d["co2_t"] += c
            d[scope] += c
            if e_ceq is None or d["energy_tce_coal_equivalent"] is None:
                d["energy_tce_coal_equivalent"] = None
            else:
                d["energy_tce_coal_equivalent"] += e_ceq
        bc["quantity"] += qty
    threshold = key_user_threshold_tce(plan)
    eq = Enterprise.objects.filter(plan=plan).order_by("uscc")
    if enterprise_ids is not None:
        eq = eq.filter(pk__in=enterprise_ids)
    out = []
    for ent in eq:
        acc = per.get(ent.pk) or {**_blank(), "by_carrier": {}}
        if tb.coal_equivalent is None:
            acc["energy_tce_coal_equivalent"] = None
        out.append(
            {
                "id": ent.pk,
                "uscc": ent.uscc,
                "name": ent.name,
                "industry_code": ent.industry_code,
                "township": ent.township,
                **{k: acc[k] for k in _blank()},
                "key_energy_user": Decimal(repr(acc["energy_tce"])) >= threshold,
                "by_carrier": sorted(acc["by_carrier"].values(), key=lambda x: (x["carrier"], x["unit"])),
            }
        )
    return {
        "year": year,
        "months": [from_month, through_month],
        "window": [year_window(year)[0].isoformat(), year_window(year)[1].isoformat()],
        "factor_set": tb.version,
        "grid": plan.grid,
        "energy_basis": "calorific",
        "coal_equivalent_kgce_per_kwh": None if tb.coal_rate is None else str(tb.coal_rate),
        "coal_rate_year": tb.coal_rate_year,
        "key_energy_user_threshold_tce": float(threshold),
        "methods": sorted(x for x in methods if x),
        "unpriced_meters": unpriced,
        "enterprises": out,
    }


def enterprise_accounts(plan: Plan, year: int) -> dict[str, Any]:
    """The script contract's annual accounts of every enterprise of the county."""
    return compute(plan, year)


def enterprise_monthly(plan: Plan, year: int, enterprise_ids: list[int] | None = None) -> dict[str, list[dict]]:
    """Monthly energy (tce, calorific) and CO2 per enterprise (by USCC): 12 entries, January first."""
    tb = tables(plan, year)
    cal = tb.calorific
    cpos = {c: i for i, c in enumerate(cal.carriers)}
    upos = {u: j for j, u in enumerate(cal.units)}
    eq = Enterprise.objects.filter(plan=plan)
    if enterprise_ids is not None:
        eq = eq.filter(pk__in=enterprise_ids)
    out = {e.uscc: [{"energy_tce": 0.0, "co2_t": 0.0} for _ in range(12)] for e in eq}
    rows = MonthlyRollup.objects.filter(
        meter__enterprise__in=eq, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    ).select_related("meter__enterprise")
    for r in rows:
        m = r.meter
        i, j = cpos.get(m.carrier), upos.get(m.unit)
        if i is None or j is None:
            continue
        q = float(r.quantity * m.multiplier)
        cell = out[m.enterprise.uscc][r.month.month - 1]
        cell["energy_tce"] += q * float(np.nan_to_num(cal.tce_per_unit[i, j]))
        cell["co2_t"] += q * float(np.nan_to_num(cal.ef_tco2_per_unit[i, j]))
    return out
