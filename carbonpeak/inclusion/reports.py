"""Reporting: reductions and points by scenario and month, participation, cost per tonne, and the part of
the reductions that the territorial inventory already contains (reported beside it, never added to it)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from carbonpeak.inclusion.choices import AccountKind, EventStatus, RedemptionStatus, TxnKind
from carbonpeak.inclusion.models import Event, LedgerEntry, Redemption, Resident, Scenario


def monthly(plan, year: int) -> dict[str, Any]:
    scenarios = {s.pk: s for s in Scenario.objects.filter(plan=plan)}
    rows = (
        Event.objects.filter(scenario__plan=plan, status=EventStatus.AWARDED, date__year=year)
        .annotate(month=TruncMonth("date"))
        .values("scenario_id", "month")
        .annotate(g=Sum("reduction_g"), p=Sum("points"), n=Count("id"), people=Count("resident", distinct=True))
        .order_by("scenario_id", "month")
    )
    out = []
    totals = defaultdict(Decimal)
    for r in rows:
        sc = scenarios[r["scenario_id"]]
        t = (r["g"] or Decimal(0)) / Decimal(10**6)
        inside = t * sc.inventory_share
        out.append(
            {
                "scenario": sc.name,
                "code": sc.code,
                "month": r["month"].strftime("%Y-%m"),
                "events": r["n"],
                "participants": r["people"],
                "reduction_t": float(t),
                "points": r["p"],
                "inside_inventory_t": float(inside),
                "additional_t": float(t - inside),
            }
        )
        totals["t"] += t
        totals["inside"] += inside
        totals["points"] += r["p"]
    value = Redemption.objects.filter(
        resident__plan=plan, status=RedemptionStatus.VERIFIED, verified_at__year=year
    ).aggregate(v=Sum("value_yuan"))["v"] or Decimal(0)
    members = Resident.objects.filter(plan=plan, deleted_at__isnull=True).count()
    active = (
        Event.objects.filter(scenario__plan=plan, status=EventStatus.AWARDED, date__year=year)
        .values("resident").distinct().count()
    )  # fmt: skip
    return {
        "year": year,
        "rows": out,
        "reduction_t": float(totals["t"]),
        "inside_inventory_t": float(totals["inside"]),
        "additional_t": float(totals["t"] - totals["inside"]),
        "points": int(totals["points"]),
        "reward_value_yuan": float(value),
        "cost_per_t_yuan": float(value / totals["t"]) if totals["t"] else None,
        "members": members,
        "participants": active,
        "participation": active / members if members else None,
    }


def ledger_totals(plan) -> dict[str, int]:
    """The county's 碳普惠 totals to date, read from the ledger (the residents' side of it): residents who joined
    and have not deleted their account; points issued to residents (awards, less what reversals took back);
    points redeemed (redemptions, less the refunds of codes cancelled unused). One query each."""
    by_kind = dict(
        LedgerEntry.objects.filter(account__plan=plan, account__kind=AccountKind.RESIDENT)
        .values_list("txn__kind")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return {
        "residents": Resident.objects.filter(plan=plan, deleted_at__isnull=True).count(),
        "points_issued": int(by_kind.get(TxnKind.AWARD, 0) + by_kind.get(TxnKind.REVERSAL, 0)),
        "points_redeemed": int(-(by_kind.get(TxnKind.REDEMPTION, 0) + by_kind.get(TxnKind.REFUND, 0))),
    }
