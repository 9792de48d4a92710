"""Enterprise energy and CO2 accounts from metered readings, computed by the core in one batch.

The statistical year is Beijing time and a reading is the consumption of the interval that *ends* at its
timestamp, so year Y holds readings with ``Y-01-01 00:00 < reading_time ≤ (Y+1)-01-01 00:00`` (+08:00): the
reading ending at midnight on New Year's night belongs to the old year. Quantities are summed in the database
per meter (the (meter, reading_time) index serves the range), times the meter's multiplier, then every meter
of every enterprise goes through ``inventory.compute_batch`` with the county's default factor set and grid
(the latest grid year at or before Y). ``energy_tce`` is comprehensive energy consumption on the calorific
basis (当量值).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Sum

from carbonpeak.accounting.fetch import core_factor_set
from carbonpeak.accounting.services import default_factor_set
from carbonpeak.core.inventory import Basis, CarrierTable, compute_batch
from carbonpeak.enterprises.models import Enterprise, Meter, Reading
from carbonpeak.plan.models import Plan

BEIJING = ZoneInfo("Asia/Shanghai")
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


def meter_totals(plan: Plan, start: dt.datetime, end: dt.datetime) -> dict[int, Decimal]:
    rows = (
        Reading.objects.filter(meter__enterprise__plan=plan, reading_time__gt=start, reading_time__lte=end)
        .values("meter_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["meter_id"]: r["q"] for r in rows}


def enterprise_accounts(plan: Plan, year: int) -> dict[str, Any]:
    start, end = year_window(year)
    totals = meter_totals(plan, start, end)
    fs_db = default_factor_set(plan)
    fs = core_factor_set(fs_db)
    meters = list(Meter.objects.filter(enterprise__plan=plan).select_related("enterprise").order_by("id"))
    basis = Basis("calorific", None, plan.grid or None, year)
    table = CarrierTable.build(fs, basis)
    used = [m for m in meters if m.carrier in table.carriers and m.unit in table.units]
    qty = np.array([float(totals.get(m.pk, Decimal(0)) * m.multiplier) for m in used])
    res = (
        compute_batch(
            table, table.carrier_index([m.carrier for m in used]), table.unit_index([m.unit for m in used]), qty
        )
        if used
        else None
    )
    per: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "energy_tce": 0.0,
            "co2_t": 0.0,
            "by_carrier": defaultdict(lambda: {"quantity": 0.0, "energy_tce": 0.0, "co2_t": 0.0}),
        }
    )
    methods: set[str] = set()
    for i, m in enumerate(used):
        assert res is not None
        e, c = float(res.energy_tce[i]), float(res.co2_t[i])
        acc = per[m.enterprise_id]
        acc["energy_tce"] += e
        acc["co2_t"] += c
        bc = acc["by_carrier"][f"{m.carrier} ({m.unit})"]
        bc["quantity"] += float(qty[i])
        bc["energy_tce"] += e
        bc["co2_t"] += c
        methods.add(table.methods.get((m.carrier, m.unit), ""))
    threshold = key_user_threshold_tce(plan)
    out = []
    for ent in Enterprise.objects.filter(plan=plan).order_by("uscc"):
        acc = per.get(ent.pk, {"energy_tce": 0.0, "co2_t": 0.0, "by_carrier": {}})
        out.append(
            {
                "uscc": ent.uscc,
                "name": ent.name,
                "industry_code": ent.industry_code,
                "energy_tce": acc["energy_tce"],
                "co2_t": acc["co2_t"],
                "key_energy_user": Decimal(repr(acc["energy_tce"])) >= threshold,
                "by_carrier": {k: dict(v) for k, v in acc["by_carrier"].items()},
            }
        )
    return {
        "year": year,
        "window": [start.isoformat(), end.isoformat()],
        "factor_set": fs.version,
        "grid": plan.grid,
        "energy_basis": "calorific",
        "key_energy_user_threshold_tce": float(threshold),
        "methods": sorted(x for x in methods if x),
        "enterprises": out,
    }


def enterprise_monthly(plan: Plan, year: int) -> dict[str, list[dict[str, float]]]:
    """Monthly energy (tce, calorific) and CO2 per enterprise: 12 entries (January first), Beijing months with
    the same interval-ending rule as the year (a reading ending at 1 March 00:00 belongs to February)."""
    from django.db.models import DateTimeField, ExpressionWrapper, F
    from django.db.models.functions import TruncMonth

    start, end = year_window(year)
    shifted = ExpressionWrapper(F("reading_time") - dt.timedelta(microseconds=1), output_field=DateTimeField())
    rows = (
        Reading.objects.filter(meter__enterprise__plan=plan, reading_time__gt=start, reading_time__lte=end)
        .annotate(month=TruncMonth(shifted, tzinfo=BEIJING))
        .values("meter_id", "month")
        .annotate(q=Sum("quantity"))
    )
    fs = core_factor_set(default_factor_set(plan))
    table = CarrierTable.build(fs, Basis("calorific", None, plan.grid or None, year))
    meters = {m.pk: m for m in Meter.objects.filter(enterprise__plan=plan).select_related("enterprise")}
    out: dict[str, list[dict[str, float]]] = {
        e.uscc: [{"energy_tce": 0.0, "co2_t": 0.0} for _ in range(12)] for e in Enterprise.objects.filter(plan=plan)
    }
    cpos = {c: i for i, c in enumerate(table.carriers)}
    upos = {u: j for j, u in enumerate(table.units)}
    for r in rows:
        m = meters[r["meter_id"]]
        if m.carrier not in cpos or m.unit not in upos:
            continue
        i, j = cpos[m.carrier], upos[m.unit]
        q = float(r["q"] * m.multiplier)
        month = r["month"].astimezone(BEIJING).month
        cell = out[m.enterprise.uscc][month - 1]
        tce, ef = table.tce_per_unit[i, j], table.ef_tco2_per_unit[i, j]
        cell["energy_tce"] += q * float(np.nan_to_num(tce))
        cell["co2_t"] += q * float(np.nan_to_num(ef))
    return out
