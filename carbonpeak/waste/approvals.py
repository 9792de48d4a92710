"""A year's recycled share, approved and fed to the plan's targets (``plan/feeds.py``), or reopened and
retracted. The share is recycled ÷ received over the counted receipts that arrived in the Beijing year (a
fraction, the target's unit); a county whose plan has no ``construction_waste_recycled_share`` target gets
nothing written (the page compares with the configurable goal instead)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min

from carbonpeak.audit.services import actor_label, record
from carbonpeak.plan.feeds import Fed, feed, retract
from carbonpeak.plan.models import Plan
from carbonpeak.tabular.times import BEIJING
from carbonpeak.waste import permissions
from carbonpeak.waste.choices import DestinationKind
from carbonpeak.waste.models import Receipt, YearApproval

INDICATOR = "construction_waste_recycled_share"


def year_figures(plan: Plan, year: int) -> dict[str, Any]:
    """Received and recycled (t) over the counted receipts (the first of each manifest) arriving in ``year``."""
    start = dt.datetime(year, 1, 1, tzinfo=BEIJING)
    end = dt.datetime(year + 1, 1, 1, tzinfo=BEIJING)
    firsts = Receipt.objects.filter(plan=plan).values("manifest_id").annotate(first=Min("arrived_at")).values("first")
    counted = Receipt.objects.filter(plan=plan, arrived_at__gte=start, arrived_at__lt=end)
    # the counted receipt of a manifest is its first (by arrival; a tie by id is resolved in reconcile)
    counted = counted.filter(arrived_at__in=firsts).order_by("manifest_id", "arrived_at", "receipt_id")
    seen: set[int] = set()
    received = recycled = Decimal(0)
    for mid, net, kind in counted.values_list("manifest_id", "net_t", "destination__kind"):
        if mid in seen:
            continue
        seen.add(mid)
        received += net
        if kind == DestinationKind.RECYCLING:
            recycled += net
    share = (recycled / received).quantize(Decimal("0.00000001")) if received else None
    return {"received_t": received, "recycled_t": recycled, "share": share}


def approve_year(actor: Any, plan: Plan, year: int) -> YearApproval:
    permissions.require_cases(actor, plan)
    f = year_figures(plan, year)
    with transaction.atomic():
        a, _ = YearApproval.objects.update_or_create(
            plan=plan,
            year=year,
            defaults={**f, "approved": True, "by_label": actor_label(actor)},
        )
        skipped: list[str] = []
        if f["share"] is not None:
            detail = (f"{year}年过磅单（已审定），资源化利用量÷消纳量 = {f['recycled_t']}÷{f['received_t']} 吨")[:300]
            feed(actor, plan, [Fed(INDICATOR, year, f["share"], detail)], skipped=skipped)
        record(actor, "waste.year.approve", a, None, {k: str(v) for k, v in f.items()} | {"year": year})
    return a


def reopen_year(actor: Any, plan: Plan, year: int, reason: str) -> YearApproval:
    permissions.require_cases(actor, plan)
    with transaction.atomic():
        a = YearApproval.objects.select_for_update().get(plan=plan, year=year)
        a.approved = False
        a.by_label = actor_label(actor)
        a.save()
        retract(actor, plan, [INDICATOR], [year], reason or "重新打开")
        record(actor, "waste.year.reopen", a, {"approved": True}, {"approved": False, "reason": reason})
    return a
