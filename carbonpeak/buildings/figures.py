"""The building figures read from the database (no writes): the shares of a year, energy per building and month
by carrier, intensities against the benchmarks, the public institutions' figures, rooftop PV and the export.

Energy of a building for a month and carrier: the roll-ups of its meters (enterprise-app meters attached through
``BuildingMeter``; quantity × the meter's multiplier) where the building has a meter of that carrier with data
that month, else its bills (typed or imported). Energy in kgce is on the **calorific basis (当量值)** with the
county's default factor set (``accounting.fetch.default_factor_set`` through ``enterprises.accounts.tables``):
electricity at the set's ``tce.electricity_equivalent`` (0.1229 kgce/kWh in the shipped library). kWh/m² is
kgce/m² ÷ that electricity factor (every carrier expressed as kWh of heat). The carrier ``pv_generation`` is the
rooftop PV's generation, not consumption.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F

from carbonpeak.buildings.choices import PUBLIC_OWNERSHIPS, StarLevel, Use
from carbonpeak.buildings.models import (
    Bill,
    Building,
    BuildingMeter,
    Completion,
    CompletionYear,
    EnergyBenchmark,
    InstitutionTarget,
    RooftopSetting,
)
from carbonpeak.core import buildings as calc
from carbonpeak.core.units import KGCE_PER_TCE, QUANTITY_UNITS
from carbonpeak.enterprises.models import MonthlyRollup
from carbonpeak.plan.models import Plan

UNITS = tuple(QUANTITY_UNITS)
PV = "pv_generation"
TWO = Decimal("0.01")
SHARE_KEYS = (
    "year",
    "civil_completed_m2",
    "green_completed_m2",
    "green_building_share_pct",
    "new_building_m2",
    "prefab_m2",
    "prefab_share_pct",
)


def _s(d: Decimal | None) -> str | None:
    return None if d is None else str(d.quantize(TWO, rounding=ROUND_HALF_UP))


# --- the shares -----------------------------------------------------------------------------------------------
def shares(plan: Plan, year: int) -> dict[str, Any]:
    """The issue's keys (areas and percents as exact 2-decimal strings, a share without area ``None``), the
    year's status and the checks (one per share that cannot be computed)."""
    rows = Completion.objects.filter(plan=plan, completed_on__year=year)
    s = calc.shares(calc.Completed(r.floor_area_m2, r.civil, r.green_level != StarLevel.NONE, r.prefab) for r in rows)
    checks = []
    if s.green_building_share_pct is None:
        checks.append(
            {
                "code": "no_civil_area",
                "field": "civil_completed_m2",
                "message_zh": f"{year} 年没有民用建筑竣工面积，不计算绿色建筑占比",
                "message_en": f"no civil area completed in {year}: no green building share",
            }
        )
    if s.prefab_share_pct is None:
        checks.append(
            {
                "code": "no_area",
                "field": "new_building_m2",
                "message_zh": f"{year} 年没有竣工面积，不计算装配式建筑占比",
                "message_en": f"no area completed in {year}: no prefabricated share",
            }
        )
    y = CompletionYear.objects.filter(plan=plan, year=year).first()
    return {
        "year": year,
        "civil_completed_m2": _s(s.civil_completed_m2),
        "green_completed_m2": _s(s.green_completed_m2),
        "green_building_share_pct": _s(s.green_building_share_pct),
        "new_building_m2": _s(s.new_building_m2),
        "prefab_m2": _s(s.prefab_m2),
        "prefab_share_pct": _s(s.prefab_share_pct),
        "status": y.status if y else "draft",
        "checks": checks,
    }


# --- energy ---------------------------------------------------------------------------------------------------
class Factors:
    """kgce per unit of each (carrier, unit) on the calorific basis, from the county's default factor set."""

    def __init__(self, plan: Plan, year: int):
        from carbonpeak.enterprises.accounts import tables

        tb = tables(plan, year)
        self.version = tb.version
        cal = tb.calorific
        self._pos = ({c: i for i, c in enumerate(cal.carriers)}, {u: j for j, u in enumerate(cal.units)})
        self._tce = cal.tce_per_unit
        self.electricity_kgce_per_kwh = self.kgce_per_unit("electricity", "kWh")

    def kgce_per_unit(self, carrier: str, unit: str) -> Decimal | None:
        i, j = self._pos[0].get(carrier), self._pos[1].get(unit)
        if i is None or j is None:
            return None
        v = float(self._tce[i, j])
        if v != v:  # NaN: no factor
            return None
        return Decimal(repr(v)) * KGCE_PER_TCE


def monthly(
    plan: Plan, year: int, building_ids: list[int] | None = None
) -> dict[int, dict[tuple[int, str, str], Decimal]]:
    """{building pk: {(month 1–12, carrier, unit): quantity}} for ``year``: meters first, bills where no meter."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    out: dict[int, dict[tuple[int, str, str], Decimal]] = defaultdict(dict)
    metered: set[tuple[int, int, str]] = set()
    links = BuildingMeter.objects.filter(plan=plan)
    if building_ids is not None:
        links = links.filter(building_id__in=building_ids)
    meter_building = dict(links.values_list("meter_id", "building_id"))
    if meter_building:
        for r in MonthlyRollup.objects.filter(
            meter_id__in=list(meter_building), month__gte=first, month__lte=last
        ).values(
            "meter_id",
            "month",
            "quantity",
            carrier=F("meter__carrier"),
            unit=F("meter__unit"),
            mult=F("meter__multiplier"),
        ):
            b = meter_building[r["meter_id"]]
            k = (r["month"].month, r["carrier"], r["unit"])
            out[b][k] = out[b].get(k, Decimal(0)) + r["quantity"] * r["mult"]
            metered.add((b, r["month"].month, r["carrier"]))
    bills = Bill.objects.filter(plan=plan, month__gte=first, month__lte=last)
    if building_ids is not None:
        bills = bills.filter(building_id__in=building_ids)
    for bill in bills:
        if (bill.building_id, bill.month.month, bill.carrier) in metered:
            continue
        k = (bill.month.month, bill.carrier, bill.unit)
        out[bill.building_id][k] = out[bill.building_id].get(k, Decimal(0)) + bill.quantity
    return out


def energy(plan: Plan, year: int, building_ids: list[int] | None = None) -> dict[str, Any]:
    """Per building: kgce by month (12 values), by carrier, the year's total, PV generation (kWh), and the
    (carrier, unit) pairs without a factor (left out, listed)."""
    fx = Factors(plan, year)
    per: dict[int, dict[str, Any]] = {}
    for b, cells in monthly(plan, year, building_ids).items():
        months = [Decimal(0)] * 12
        by_carrier: dict[str, dict[str, Any]] = {}
        pv: Decimal | None = None
        unpriced = set()
        for (m, carrier, unit), q in cells.items():
            if carrier == PV:
                f = 1 if unit == "kWh" else 1000 if unit == "MWh" else None
                if f is not None:
                    pv = (pv or Decimal(0)) + q * f
                continue
            k = fx.kgce_per_unit(carrier, unit)
            if k is None:
                unpriced.add(f"{carrier}|{unit}")
                continue
            kg = q * k
            months[m - 1] += kg
            c = by_carrier.setdefault(
                f"{carrier}|{unit}", {"carrier": carrier, "unit": unit, "quantity": Decimal(0), "kgce": Decimal(0)}
            )
            c["quantity"] += q
            c["kgce"] += kg
        per[b] = {
            "months_kgce": months,
            "kgce": sum(months, Decimal(0)),
            "by_carrier": sorted(by_carrier.values(), key=lambda x: (x["carrier"], x["unit"])),
            "pv_generation_kwh": pv,
            "unpriced": sorted(unpriced),
        }
    return {"factor_set": fx.version, "electricity_kgce_per_kwh": fx.electricity_kgce_per_kwh, "buildings": per}


def benchmark_for(plan: Plan, use: str, year: int) -> EnergyBenchmark | None:
    """The county's benchmark for a use in force in ``year`` (the latest from a year at or before it)."""
    return EnergyBenchmark.objects.filter(plan=plan, use=use, year__lte=year).order_by("-year").first()


def intensities(plan: Plan, year: int, buildings=None) -> list[dict[str, Any]]:
    """One row per building: energy (kgce), EUI (kgce/m² and kWh/m², 2 decimals half up), the light against its
    use's benchmark (none without one), the year-on-year change of kgce (%)."""
    qs = Building.objects.filter(plan=plan) if buildings is None else buildings
    blds = list(qs)
    ids = [b.pk for b in blds]
    cur = energy(plan, year, ids)
    prev = energy(plan, year - 1, ids)["buildings"]
    e_kwh = cur["electricity_kgce_per_kwh"]
    bench: dict[str, EnergyBenchmark | None] = {}
    rows = []
    for b in blds:
        e = cur["buildings"].get(b.pk)
        kgce = e["kgce"] if e else None
        eui = calc.intensity(kgce, b.floor_area_m2) if kgce else None
        eui_kwh = calc.intensity(kgce / e_kwh, b.floor_area_m2) if kgce and e_kwh else None
        if b.use not in bench:
            bench[b.use] = benchmark_for(plan, b.use, year)
        bm = bench[b.use]
        lt = calc.light(eui, bm.guide_kgce_per_m2, bm.limit_kgce_per_m2) if (bm and eui is not None) else None
        p = prev.get(b.pk)
        yoy = calc.change_pct(kgce, p["kgce"]) if (kgce is not None and p and p["kgce"]) else None
        rows.append(
            {
                "building": b,
                "kgce": kgce,
                "eui_kgce_per_m2": eui,
                "eui_kwh_per_m2": eui_kwh,
                "benchmark": bm,
                "light": lt,
                "yoy_pct": yoy,
                "energy": e,
            }
        )
    return rows


def worst(plan: Plan, year: int) -> list[dict[str, Any]]:
    """The red and yellow buildings, red first, then by how far above the limit (EUI ÷ limit), worst first."""
    rows = [r for r in intensities(plan, year) if r["light"] in (calc.RED, calc.YELLOW)]
    return sorted(
        rows, key=lambda r: (r["light"] != calc.RED, -(r["eui_kgce_per_m2"] / r["benchmark"].limit_kgce_per_m2))
    )


# --- public institutions --------------------------------------------------------------------------------------
def institutions(plan: Plan, year: int) -> dict[str, Any]:
    """The public institutions' buildings ranked by kgce/m² (highest first; no energy last), with kgce per
    person where the occupants are known, against the year's 机关事务 targets."""
    rows = intensities(plan, year, Building.objects.filter(plan=plan, ownership__in=PUBLIC_OWNERSHIPS))
    target = InstitutionTarget.objects.filter(plan=plan, year=year).first()
    for r in rows:
        b = r["building"]
        r["kgce_per_capita"] = calc.intensity(r["kgce"], Decimal(b.occupants)) if (r["kgce"] and b.occupants) else None
        r["over_m2"] = (
            target is not None and r["eui_kgce_per_m2"] is not None and r["eui_kgce_per_m2"] > target.kgce_per_m2
        )
        r["over_capita"] = (
            target is not None and r["kgce_per_capita"] is not None and r["kgce_per_capita"] > target.kgce_per_capita
        )
    rows.sort(key=lambda r: (r["eui_kgce_per_m2"] is None, -(r["eui_kgce_per_m2"] or 0), r["building"].building_id))
    total_kgce = sum((r["kgce"] for r in rows if r["kgce"]), Decimal(0))
    area = sum((r["building"].floor_area_m2 for r in rows if r["kgce"]), Decimal(0))
    people = sum((r["building"].occupants or 0 for r in rows if r["kgce"] and r["building"].occupants), 0)
    return {
        "rows": rows,
        "target": target,
        "kgce_per_m2": calc.intensity(total_kgce, area),
        "kgce_per_capita": calc.intensity(
            sum((r["kgce"] for r in rows if r["kgce"] and r["building"].occupants), Decimal(0)), Decimal(people)
        ),
    }


# --- rooftop PV -----------------------------------------------------------------------------------------------
def rooftop(plan: Plan, year: int) -> dict[str, Any]:
    """Public buildings: installed kW, generation (kWh) and the potential (roof × usable share × kW/m²)."""
    setting = RooftopSetting.objects.filter(plan=plan).first()
    blds = list(Building.objects.filter(plan=plan, ownership__in=PUBLIC_OWNERSHIPS))
    gen = energy(plan, year, [b.pk for b in blds])["buildings"]
    rows = []
    for b in blds:
        pot = (
            calc.rooftop_potential_kw(b.roof_area_m2, setting.usable_share, setting.kw_per_m2)
            if (setting and b.roof_area_m2 is not None)
            else None
        )
        g = gen.get(b.pk)
        rows.append(
            {
                "building": b,
                "pv_kw": b.pv_kw,
                "potential_kw": pot,
                "generation_kwh": g["pv_generation_kwh"] if g else None,
            }
        )
    installed = sum((r["pv_kw"] or 0 for r in rows), Decimal(0))
    potential = sum((r["potential_kw"] or 0 for r in rows), Decimal(0))
    return {
        "setting": setting,
        "rows": rows,
        "installed_kw": installed,
        "potential_kw": potential if setting else None,
        "installed_share_pct": calc.pct(installed, potential) if setting else None,
    }


# --- export for the city's building-energy database -----------------------------------------------------------
EXPORT_COLUMNS = (
    "building_id",
    "name",
    "township",
    "use",
    "ownership",
    "floor_area_m2",
    "year_built",
    "star_level",
    "prefab",
    "pv_kw",
    "year",
    "month",
    "carrier",
    "unit",
    "quantity",
    "kgce",
)


def _plain_number(q: Decimal) -> str:
    """A quantity as plain digits without trailing zeros: 10000, 0.5, never 1E+4."""
    return format(q.normalize(), "f") if q else "0"


def export_rows(plan: Plan, year: int) -> list[dict[str, Any]]:
    """One row per building, month and carrier with energy (buildings without energy: one row, month empty)."""
    fx = Factors(plan, year)
    cells = monthly(plan, year)
    out = []
    for b in Building.objects.filter(plan=plan).order_by("building_id"):
        base = {
            "building_id": b.building_id,
            "name": b.name,
            "township": b.township,
            "use": b.use,
            "ownership": b.ownership,
            "floor_area_m2": str(b.floor_area_m2),
            "year_built": b.year_built,
            "star_level": b.star_level,
            "prefab": b.prefab,
            "pv_kw": None if b.pv_kw is None else str(b.pv_kw),
            "year": year,
        }
        mine = cells.get(b.pk, {})
        if not mine:
            out.append({**base, "month": None, "carrier": None, "unit": None, "quantity": None, "kgce": None})
        for (m, carrier, unit), q in sorted(mine.items()):
            k = fx.kgce_per_unit(carrier, unit) if carrier != PV else None
            out.append(
                {
                    **base,
                    "month": m,
                    "carrier": carrier,
                    "unit": unit,
                    "quantity": _plain_number(q),
                    "kgce": None if k is None else _s(q * k),
                }
            )
    return out


def export_csv_cells(rows: list[dict[str, Any]]):
    """The export rows as CSV cells: empty for none, ``true``/``false`` for the prefab flag (not Python's
    ``True``)."""
    for r in rows:
        yield [
            "" if r[c] is None else ("true" if r[c] else "false") if isinstance(r[c], bool) else r[c]
            for c in EXPORT_COLUMNS
        ]


__all__ = ["SHARE_KEYS", "Use", "energy", "export_rows", "institutions", "intensities", "rooftop", "shares", "worst"]
