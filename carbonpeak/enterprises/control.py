"""Dual control (能耗双控) from the monitored enterprises: warnings for each enterprise against its energy budget
and for the county against its total and intensity targets; reconciliation with the county energy balance;
and the energy-review headroom ledger (节能审查).

Lights use the plan's rule and fraction (``PLAN_STATUS_YELLOW_FRACTION``): a budget is read with
``core.tracking.assess_cap`` (yellow while the projected overrun is within the fraction of the budget), the
intensity target with ``core.tracking.assess`` against the target's own path.

Projection of a year from its complete months 1..m (never a month still running): with last year's monitored
data, ``projected = YTD × last year's total ÷ last year's months 1..m`` (the enterprise's own seasonal
profile); without it, ``YTD × 12 ÷ m``. The county total is estimated as last approved inventory's total −
the monitored enterprises' total that year + their projected total this year (the part not monitored is held
at its last inventory value; an enterprise monitored only since that year is already inside the total, so
only enterprises with data in the inventory year carry a change); energy is comprehensive consumption on the
calorific basis throughout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carbonpeak.accounting.choices import InventoryStatus
from carbonpeak.accounting.fetch import results_of
from carbonpeak.accounting.models import Inventory
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core.accounts import sectors
from carbonpeak.core.tracking import Light, PeriodPoint, assess, assess_cap
from carbonpeak.enterprises import accounts, industry
from carbonpeak.enterprises.choices import ProjectStatus
from carbonpeak.enterprises.models import CountyControl, EnergyBudget, Enterprise, HeadroomEntry, ReviewProject
from carbonpeak.enterprises.permissions import require_county_office
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.plan.models import Plan
from carbonpeak.validation import Issues, bounded_decimal

INTENSITY_INDICATOR = "energy_intensity_reduction"


def _d(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(repr(x))


def complete_months(year: int, now: dt.datetime | None = None) -> int:
    """How many months of ``year`` have ended (Beijing time): 12 for a past year, 0 for a future one."""
    today = (now or timezone.now()).astimezone(BEIJING).date()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def _project(ytd: float, prev_same: float, prev_total: float, m: int) -> tuple[float | None, str]:
    if m == 12:
        return ytd, "actual"
    if m == 0:
        return None, "no_complete_month"
    if prev_same > 0 and prev_total > 0:
        return ytd * prev_total / prev_same, "profile"
    return ytd * 12 / m, "linear"


def _light(a) -> dict[str, Any]:
    return {
        "light": a.light.value,
        "gap_tce": None if a.gap is None else float(a.gap),
        "tolerance_tce": None if a.tolerance is None else float(a.tolerance),
    }


def enterprise_warnings(
    plan: Plan, year: int, now: dt.datetime | None = None, enterprise_ids: list[int] | None = None
) -> dict[str, Any]:
    """Every enterprise with a budget for ``year`` (and every enterprise with data), its light and the carriers
    behind its change against the same months of last year."""
    m = complete_months(year, now)
    fraction = Decimal(settings.PLAN_STATUS_YELLOW_FRACTION)
    ids = enterprise_ids
    cur = accounts.compute(plan, year, through_month=m, enterprise_ids=ids) if m else None
    prev_same = accounts.compute(plan, year - 1, through_month=m, enterprise_ids=ids) if m else None
    prev_total = accounts.compute(plan, year - 1, enterprise_ids=ids)
    budgets = {b.enterprise_id: b.budget_tce for b in EnergyBudget.objects.filter(enterprise__plan=plan, year=year)}
    prev_by = {e["id"]: e for e in prev_total["enterprises"]}
    same_by = {e["id"]: e for e in prev_same["enterprises"]} if prev_same else {}
    rows = []
    for e in (cur or prev_total)["enterprises"]:
        eid = e["id"]
        ytd = e["energy_tce"] if cur else 0.0
        ps = same_by.get(eid, {}).get("energy_tce", 0.0)
        pt = prev_by.get(eid, {}).get("energy_tce", 0.0)
        projected, method = _project(ytd, ps, pt, m)
        budget = budgets.get(eid)
        if budget is None and ytd == 0 and pt == 0:
            continue
        a = assess_cap(value=_d(projected), cap=budget, yellow_fraction=fraction)
        same_carriers = {(c["carrier"], c["unit"]): c for c in same_by.get(eid, {}).get("by_carrier", [])}
        carriers = []
        for c in e["by_carrier"] if cur else []:
            before = same_carriers.get((c["carrier"], c["unit"]), {}).get("energy_tce", 0.0)
            carriers.append(
                {
                    "carrier": c["carrier"],
                    "unit": c["unit"],
                    "ytd_tce": c["energy_tce"],
                    "change_tce": c["energy_tce"] - before,
                }
            )
        carriers.sort(key=lambda c: -c["change_tce"])
        rows.append(
            {
                "id": eid,
                "uscc": e["uscc"],
                "name": e["name"],
                "budget_tce": None if budget is None else float(budget),
                "ytd_tce": ytd,
                "last_year_same_months_tce": ps,
                "last_year_tce": pt,
                "projected_tce": projected,
                "projection": method,
                **_light(a),
                "carriers": carriers,
            }
        )
    order = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, Light.NO_DATA.value: 3}
    rows.sort(key=lambda r: (order[r["light"]], -(r["gap_tce"] or 0)))
    return {"year": year, "complete_months": m, "yellow_fraction": float(fraction), "enterprises": rows}


def _latest_inventory(plan: Plan, before: int) -> Inventory | None:
    return (
        Inventory.objects.filter(plan=plan, year__lt=before, status=InventoryStatus.APPROVED).order_by("-year").first()
    )


def latest_accounts_year(plan: Plan, before: int) -> int | None:
    """The latest approved inventory year before ``before`` (the year reconciliation can compare with)."""
    inv = _latest_inventory(plan, before)
    return inv.year if inv else None


def _intensity_target(plan: Plan):
    return (
        plan.targets.filter(indicator=INTENSITY_INDICATOR, milestones__isnull=False)
        .prefetch_related("milestones")
        .order_by("id")
        .first()
    )


def county_warning(
    plan: Plan, year: int, now: dt.datetime | None = None, ent: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The county's estimated total energy and energy-intensity reduction for ``year`` against its budget and
    target, with the enterprises and carriers behind the change. ``ent``: ``enterprise_warnings`` of the same
    year and time, when the caller already has them."""
    ent = ent if ent is not None else enterprise_warnings(plan, year, now)
    control = CountyControl.objects.filter(plan=plan, year=year).first()
    fraction = Decimal(settings.PLAN_STATUS_YELLOW_FRACTION)
    out: dict[str, Any] = {"year": year, "complete_months": ent["complete_months"], "reasons": []}
    inv = _latest_inventory(plan, year)
    projected = [r["projected_tce"] for r in ent["enterprises"]]
    estimate = None
    if inv is None:
        out["reasons"].append("no_approved_inventory")
    elif ent["complete_months"] == 0 or any(p is None for p in projected):
        out["reasons"].append("no_complete_month")
    else:
        res = results_of(inv)
        inv_total = res["energy"]["calorific"]["total_tce"]
        then = {e["id"]: e["energy_tce"] for e in accounts.compute(plan, inv.year)["enterprises"]}
        # only enterprises monitored in the inventory year carry their change; one monitored only since then is
        # already inside the inventory's total (its projection is not added again) and is listed apart
        compared = [r for r in ent["enterprises"] if then.get(r["id"], 0) > 0]
        newly = [r for r in ent["enterprises"] if then.get(r["id"], 0) == 0 and (r["projected_tce"] or 0) > 0]
        monitored_then = sum(then[r["id"]] for r in compared)
        monitored_now = sum(r["projected_tce"] for r in compared)
        estimate = inv_total - monitored_then + monitored_now
        out.update(
            {
                "inventory_year": inv.year,
                "inventory_total_tce": inv_total,
                "monitored_inventory_year_tce": monitored_then,
                "monitored_projected_tce": monitored_now,
                "estimated_total_tce": estimate,
                "newly_monitored": [{"name": r["name"], "projected_tce": r["projected_tce"]} for r in newly],
            }
        )
    budget = control.energy_total_budget_tce if control else None
    if budget is None:
        out["reasons"].append("no_total_budget")
    out["total"] = {
        "budget_tce": None if budget is None else float(budget),
        **_light(assess_cap(value=_d(estimate), cap=budget, yellow_fraction=fraction)),
    }
    out["intensity"] = _intensity(plan, year, inv, estimate, control, fraction, out["reasons"])
    # who is behind the change: enterprises by their increase over the same months of last year
    drivers = []
    for r in ent["enterprises"]:
        change = r["ytd_tce"] - r["last_year_same_months_tce"]
        if change > 0:
            drivers.append({"name": r["name"], "uscc": r["uscc"], "change_tce": change, "carriers": r["carriers"][:3]})
    drivers.sort(key=lambda d: -d["change_tce"])
    out["drivers"] = drivers[:10]
    out["enterprise_lights"] = {
        k: sum(1 for r in ent["enterprises"] if r["light"] == k) for k in ("red", "yellow", "green", "no_data")
    }
    return out


def _intensity(plan, year, inv, estimate, control, fraction, reasons) -> dict[str, Any]:
    t = _intensity_target(plan)
    if t is None or t.baseline_year is None:
        reasons.append("no_intensity_target")
        return {"light": Light.NO_DATA.value}
    base = Inventory.objects.filter(plan=plan, year=t.baseline_year, status=InventoryStatus.APPROVED).first()
    g = control.gdp_growth if control else None
    if g is None:
        reasons.append("no_gdp_growth")
    if base is None or inv is None or estimate is None or g is None or not base.gdp_10k_yuan or not inv.gdp_10k_yuan:
        if base is None:
            reasons.append("no_baseline_inventory")
        return {"light": Light.NO_DATA.value, "target": t.name, "baseline_year": t.baseline_year}
    e_base = Decimal(repr(results_of(base)["energy"]["calorific"]["total_tce"]))
    gdp_est = inv.gdp_10k_yuan * (1 + g) ** (year - inv.year)
    reduction = 1 - (Decimal(repr(estimate)) / gdp_est) / (e_base / base.gdp_10k_yuan)
    a = assess(
        direction=t.direction,
        baseline=(t.baseline_year, t.baseline_value if t.baseline_value is not None else Decimal(0)),
        milestones={ms.year: ms.value for ms in t.milestones.all()},
        value=reduction,
        period=PeriodPoint(year),
        yellow_fraction=fraction,
    )
    return {
        "light": a.light.value,
        "target": t.name,
        "target_code": t.code,
        "baseline_year": t.baseline_year,
        "estimated_reduction": float(reduction),
        "expected_reduction": None if a.expected_value is None else float(a.expected_value),
        "gdp_growth": float(g),
        "estimated_gdp_10k_yuan": float(gdp_est),
    }


# --- reconciliation with the county energy balance ---------------------------------------------------------
def sector_of(industry_code: str) -> str | None:
    """The accounts' sector code of a GB/T 4754 class (its division, else its section)."""
    ind = industry.lookup(industry_code)
    if ind is None:
        return None
    by_gb = {s.gb4754: s.code for s in sectors().values() if s.gb4754}
    return by_gb.get(f"{ind.section}{ind.division}") or by_gb.get(ind.section)


def reconciliation(plan: Plan, year: int) -> dict[str, Any]:
    """Monitored enterprises' energy per accounts sector against that sector's final consumption in the year's
    inventory (calorific): coverage ratio and gap. Without an inventory of the year only the monitored side."""
    acc = accounts.compute(plan, year)
    inv = Inventory.objects.filter(plan=plan, year=year).first()
    res = results_of(inv) if inv else None
    if res is not None and "error" in res:
        res = None
    by_sector: dict[str, dict[str, Any]] = {}
    for e in acc["enterprises"]:
        code = sector_of(e["industry_code"]) or "unmapped"
        row = by_sector.setdefault(code, {"sector": code, "monitored_tce": 0.0, "enterprises": 0})
        row["monitored_tce"] += e["energy_tce"]
        row["enterprises"] += 1
    names = sectors()
    for code, row in by_sector.items():
        s = names.get(code)
        row["name"] = s.name_zh if s else code
        row["group"] = s.group if s else None
        inv_tce = None
        if res is not None:
            inv_tce = res["by_sector"].get(code, {}).get("energy_tce", {}).get("calorific")
        row["inventory_tce"] = inv_tce
        row["coverage"] = row["monitored_tce"] / inv_tce if inv_tce else None
        row["gap_tce"] = inv_tce - row["monitored_tce"] if inv_tce is not None else None
    rows = sorted(by_sector.values(), key=lambda r: r["sector"])
    industry_inv = res["by_group"]["industry"]["energy_tce"]["calorific"] if res else None
    industry_mon = sum(r["monitored_tce"] for r in rows if r["group"] == "industry")
    return {
        "year": year,
        "inventory": None if inv is None else {"year": inv.year, "status": inv.status},
        "sectors": rows,
        "industry": {
            "monitored_tce": industry_mon,
            "inventory_tce": industry_inv,
            "coverage": industry_mon / industry_inv if industry_inv else None,
            "gap_tce": industry_inv - industry_mon if industry_inv is not None else None,
        },
        "over_covered": [r["sector"] for r in rows if r["coverage"] is not None and r["coverage"] > 1.0],
    }


# --- energy-review headroom ledger --------------------------------------------------------------------------
def headroom_balance(plan: Plan) -> Decimal:
    last = HeadroomEntry.objects.filter(plan=plan).order_by("-id").values_list("balance_tce", flat=True).first()
    return last if last is not None else Decimal(0)


def _positive_tce(raw: Any, field: str, issues: Issues) -> Decimal | None:
    return bounded_decimal(
        raw,
        field,
        issues,
        low=Decimal(0),
        high=Decimal(10) ** 15,
        places=4,
        zh=f"{field}：应为正数（tce），最多 4 位小数",
        en=f"{field}: a positive number of tce, <= 4 decimals",
    )


def set_budget(actor: Any, ent: Enterprise, year: int, raw: Any) -> EnergyBudget:
    """The enterprise's energy budget for ``year`` (office only); a change keeps the old value in the audit."""
    require_county_office(actor, ent.plan)
    issues = Issues()
    v = _positive_tce(raw, "budget_tce", issues)
    issues.raise_if_errors()
    old = EnergyBudget.objects.filter(enterprise=ent, year=year).values_list("budget_tce", flat=True).first()
    b, _created = EnergyBudget.objects.update_or_create(enterprise=ent, year=year, defaults={"budget_tce": v})
    before = None if old is None else {"budget_tce": str(old)}
    record(actor, "energy_budget.set", b, before, {"enterprise": ent.uscc, "year": year, "budget_tce": str(v)})
    return b


def set_county(actor: Any, plan: Plan, year: int, total: Any, growth: Any) -> CountyControl:
    """The county's total-energy budget and assumed GDP growth for ``year`` (either may be left empty)."""
    require_county_office(actor, plan)
    issues = Issues()
    vals: dict[str, Decimal | None] = {"energy_total_budget_tce": None, "gdp_growth": None}
    if str(total or "").strip():
        vals["energy_total_budget_tce"] = _positive_tce(total, "energy_total_budget_tce", issues)
    if str(growth or "").strip():
        vals["gdp_growth"] = bounded_decimal(
            growth,
            "gdp_growth",
            issues,
            low=Decimal("-0.5"),
            high=Decimal("0.5"),
            places=6,
            zh="预计地区生产总值增速无效（填小数，如 0.06）",
            en="gdp_growth: a fraction, e.g. 0.06",
        )
    issues.raise_if_errors()
    prev = CountyControl.objects.filter(plan=plan, year=year).values(*vals).first()
    c, _created = CountyControl.objects.update_or_create(plan=plan, year=year, defaults=vals)
    text = {k: None if v is None else str(v) for k, v in vals.items()}
    before = None if prev is None else {k: None if v is None else str(v) for k, v in prev.items()}
    record(actor, "county_control.set", c, before, text)
    return c


def _append(plan: Plan, kind: str, amount: Decimal, actor: Any, project=None, note: str = "") -> HeadroomEntry:
    """Under the plan's row lock: entries are appended one at a time and each carries the balance after it."""
    balance = headroom_balance(plan) + amount
    if balance < 0:
        issues = Issues()
        issues.add(
            "insufficient_headroom",
            "energy_tce",
            f"剩余用能空间 {headroom_balance(plan)} tce 不足，无法审批 {-amount} tce",
            f"energy_tce: the remaining headroom {headroom_balance(plan)} tce cannot cover {-amount} tce",
        )
        issues.raise_if_errors()
    e = HeadroomEntry.objects.create(
        plan=plan,
        kind=kind,
        amount_tce=amount,
        balance_tce=balance,
        project=project,
        note=note[:300],
        actor_label=actor_label(actor),
    )
    record(actor, f"headroom.{kind}", e, None, {"amount_tce": str(amount), "balance_tce": str(balance), "note": note})
    return e


def allocate(actor: Any, plan: Plan, amount: Any, note: str) -> HeadroomEntry:
    require_county_office(actor, plan)
    issues = Issues()
    v = _positive_tce(amount, "amount_tce", issues)
    if not (note or "").strip():
        issues.add("required", "note", "请注明下达依据（文件、期间）", "note: name the allocation (document, period)")
    issues.raise_if_errors()
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        return _append(plan, HeadroomEntry.Kind.ALLOCATION, v, actor, note=note.strip())


def approve_project(
    actor: Any,
    plan: Plan,
    *,
    name: str,
    approval_ref: str,
    energy_tce: Any,
    approved_on: Any,
    expected_year: Any,
    enterprise: Enterprise | None = None,
) -> ReviewProject:
    """Record a project that passed the energy review and debit its energy from the headroom, all or nothing;
    refused when the headroom cannot cover it."""
    require_county_office(actor, plan)
    issues = Issues()
    v = _positive_tce(energy_tce, "energy_tce", issues)
    if not (name or "").strip():
        issues.add("required", "name", "请填写项目名称", "name: required")
    if not (approval_ref or "").strip():
        issues.add("required", "approval_ref", "请填写节能审查意见文号", "approval_ref: required")
    try:
        day = approved_on if isinstance(approved_on, dt.date) else dt.date.fromisoformat(str(approved_on))
    except ValueError:
        issues.add("invalid", "approved_on", "审批日期应为 YYYY-MM-DD", "approved_on: a date YYYY-MM-DD")
        day = None
    try:
        ey = int(expected_year)
        assert 2000 <= ey <= 2100
    except (TypeError, ValueError, AssertionError):
        issues.add("invalid", "expected_year", "预计投产年份无效", "expected_year: a year")
        ey = None
    issues.raise_if_errors()
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        if ReviewProject.objects.filter(plan=plan, approval_ref=approval_ref.strip()).exists():  # under the lock
            issues.add("duplicate", "approval_ref", "该文号的项目已登记", "approval_ref: already recorded")
            issues.raise_if_errors()
        p = ReviewProject.objects.create(
            plan=plan,
            name=name.strip(),
            approval_ref=approval_ref.strip(),
            enterprise=enterprise,
            energy_tce=v,
            approved_on=day,
            expected_year=ey,
        )
        _append(plan, HeadroomEntry.Kind.APPROVAL, -v, actor, project=p, note=f"{p.approval_ref} {p.name}")
    return p


def set_project_status(actor: Any, project: ReviewProject, status: str) -> ReviewProject:
    """Commissioning keeps the debit (the energy is now being used); cancelling gives it back."""
    require_county_office(actor, project.plan)
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=project.plan_id)
        p = ReviewProject.objects.select_for_update().get(pk=project.pk)
        if p.status != ProjectStatus.APPROVED or status not in (ProjectStatus.COMMISSIONED, ProjectStatus.CANCELLED):
            issues = Issues()
            issues.add(
                "invalid",
                "status",
                "只能将已审批未投产的项目标为投产或取消",
                "status: only an approved project can change",
            )
            issues.raise_if_errors()
        before = p.status
        p.status = status
        p.save(update_fields=["status"])
        if status == ProjectStatus.CANCELLED:
            _append(p.plan, HeadroomEntry.Kind.CANCELLATION, p.energy_tce, actor, project=p, note=p.approval_ref)
        record(actor, "review_project.status", p, {"status": before}, {"status": status})
    return p
