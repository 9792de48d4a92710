"""Database rows → core inputs (house rule: views/api → services/fetch → core)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from django.db.models import Q

from carbonpeak.accounting.choices import FactorSetKind
from carbonpeak.accounting.models import ActivityLine, FactorSet, Inventory
from carbonpeak.core import accounts
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import FactorSet as CoreFactorSet

_CACHE: dict[tuple[str, str], CoreFactorSet] = {}
_LOCK = threading.Lock()


def visible_to(plan: Any) -> Q:
    """The versions a county may see and use (issue 15: never another county's own versions): the shipped ones,
    its province's published ones and its own."""
    shipped = Q(plan__isnull=True, province="")
    own_province = Q(plan__isnull=True, province=plan.province) if plan.province else Q(pk__in=[])
    return shipped | own_province | Q(plan=plan)


def default_factor_set(plan: Any) -> FactorSet:
    """The county's newest own version, else its province's newest version, else the newest shipped library
    (stored on first use). Other apps read it from here, never from ``accounting.services`` (ARCHITECTURE.md:
    no app imports another's services)."""
    own = FactorSet.objects.filter(plan=plan).order_by("-created_at", "-id").first()
    if own is not None:
        return own
    province = FactorSet.objects.filter(kind=FactorSetKind.PROVINCE, province=plan.province or None)
    if (published := province.order_by("-created_at", "-id").first()) is not None:
        return published
    builtin = FactorSet.objects.filter(kind=FactorSetKind.BUILTIN).order_by("-created_at", "-id").first()
    if builtin is not None:
        return builtin
    from carbonpeak.accounting.services import ensure_builtin_factor_set  # services imports this module

    return ensure_builtin_factor_set()


def core_factor_set(fs: FactorSet) -> CoreFactorSet:
    """The core's view of a stored factor set. Sets are immutable, so the cache never goes stale; it is keyed by
    content as well as version, since two databases (or a restored backup) may use one version name."""
    key = (fs.version, fs.content_sha256)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    rows = fs.factors.values("key", "value", "unit", "grade", "source", "name_zh", "name_en", "notes")
    built = CoreFactorSet.from_rows(fs.version, rows)
    with _LOCK:
        _CACHE[key] = built
    return built


def line_id(line: ActivityLine) -> str:
    return f"L{line.pk}"


def core_lines(inv: Inventory) -> list[accounts.Line]:
    return [
        accounts.Line(
            id=line_id(x),
            sector=x.sector,
            carrier=x.carrier,
            flow=x.flow,
            unit=x.unit,
            quantity=x.quantity,
            notation=x.notation or None,
            purpose=x.purpose,
        )
        for x in inv.lines.all().order_by("id")
    ]


def sink_of(inv: Inventory) -> tuple[Decimal, str]:
    """The year's sink (tCO2, positive) and where it comes from: the approved forest sink of that year
    (``sinks/fetch.py``, the stock-difference method) replaces the hand-typed figure; without an approved forest
    year, the figure typed into the inventory."""
    from carbonpeak.sinks.fetch import approved_sink

    got = approved_sink(inv.plan, inv.year)
    if got is not None:
        return got
    return (inv.sink_tco2 if inv.sink_tco2 is not None else Decimal(0)), "手工填报"


def core_params(inv: Inventory) -> accounts.Params:
    return accounts.Params(
        year=inv.year,
        grid=inv.grid or None,
        coal_equivalent_kgce_per_kwh=inv.coal_equivalent_kgce_per_kwh,
        gdp_10k_yuan=inv.gdp_10k_yuan,
        population=inv.population,
        sink_tco2=sink_of(inv)[0],
        inflow_nonfossil_share=inv.inflow_nonfossil_share,
    )


def compute_inventory(inv: Inventory) -> dict[str, Any]:
    """The year's accounts (live from the lines). On a calculation error: ``{"error": {...}}``."""
    try:
        res = accounts.compute(core_lines(inv), core_params(inv), core_factor_set(inv.factor_set))
    except CalcError as e:
        return e.to_dict()
    res["sink_source"] = sink_of(inv)[1]
    return res


def results_of(inv: Inventory) -> dict[str, Any]:
    """The approved snapshot of an approved year; the live computation of a draft."""
    if inv.is_locked and inv.results is not None:
        return inv.results
    return compute_inventory(inv)


def approved_consumption(plan: Any, year: int, carriers: frozenset[str], unit: str) -> tuple[Decimal, str] | None:
    """The approved inventory's consumption (final use and transformation input) of ``carriers`` in ``year``,
    in ``unit`` (e.g. natural gas in m³), with what it came from; None when the year has no approved inventory.
    Lines with a notation key (no quantity) count as nothing. Other apps read it from here (transport's gas
    storage days), never from ``accounting.services``."""
    from carbonpeak.accounting.choices import InventoryStatus
    from carbonpeak.core import units

    inv = (
        Inventory.objects.filter(plan=plan, year=year, status=InventoryStatus.APPROVED)
        .select_related("factor_set")
        .first()
    )
    if inv is None:
        return None
    total = Decimal(0)
    for line in inv.lines.filter(
        carrier__in=list(carriers), flow__in=list(accounts.CONSUMPTION_FLOWS), quantity__isnull=False
    ):
        total += units.convert(line.quantity, line.unit, unit)
    return total, f"{year}年能源核算（已审定），因子库 {inv.factor_set.version}"
