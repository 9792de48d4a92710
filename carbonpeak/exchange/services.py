"""Export a county's approved year as an exchange document; receive one from another installation.

Export: the county's own approved inventory of the year and the latest approved carbon account of each of its
enterprises for that year; where the county has none of its own but holds a received copy of that year, the
received copy (so a city can pass on what it received, unchanged). Import: validated against the schema, into
the county the importer acts in (the command line's ``--plan``, else the installation's only county; an account's
own county), which must be the county the document names (``county.code``): a file of another county is refused,
never stored under a county it does not name; stored as a read-only copy with its source; the same content again
changes nothing; other content for the same county and year is refused (never overwritten).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from carbonpeak.accounting.choices import InventoryStatus
from carbonpeak.accounting.models import Inventory
from carbonpeak.accounting.services import PARAM_FIELDS
from carbonpeak.accounts.permissions import require, require_office
from carbonpeak.audit.services import actor_label, record
from carbonpeak.enterprises.choices import AccountStatus
from carbonpeak.enterprises.models import CarbonAccount
from carbonpeak.exchange import document
from carbonpeak.exchange.models import ReceivedExchange
from carbonpeak.plan.models import Plan
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.tabular import Report
from carbonpeak.validation import Issue, ValidationFailed


def _iso(v: Any) -> str | None:
    return None if v is None else v.isoformat()


def _float_text(x: Any) -> str | None:
    """A float of the frozen results as its exact shortest decimal text."""
    return None if x is None else document.dec(Decimal(repr(x)))


def _inventory(inv: Inventory) -> dict[str, Any]:
    fs = inv.factor_set
    return {
        "status": inv.status,
        "approved_at": _iso(inv.approved_at),
        "approved_by": inv.approved_by_label,
        "factor_set": {
            "version": fs.version,
            "kind": fs.kind,
            "province": fs.province,
            "content_sha256": fs.content_sha256,
        },
        "params": {k: (getattr(inv, k) or "") if k == "grid" else _param(getattr(inv, k)) for k in PARAM_FIELDS},
        "is_illustrative": inv.is_illustrative,
        "note": inv.note,
        "inputs_sha256": inv.inputs_sha256,
        "lines": [
            {
                "sector": x.sector,
                "carrier": x.carrier,
                "flow": x.flow,
                "purpose": x.purpose,
                "unit": x.unit,
                "quantity": document.dec(x.quantity),
                "notation": x.notation,
                "source": x.source,
            }
            for x in inv.lines.order_by("sector", "carrier", "flow", "purpose")
        ],
        "results": inv.results,
    }


def _param(v: Any) -> str | None:
    if v is None:
        return None
    return str(v) if isinstance(v, int) else document.dec(v)


def _key_users(plan: Plan, year: int) -> list[dict[str, Any]]:
    latest: dict[int, CarbonAccount] = {}
    qs = (
        CarbonAccount.objects.filter(enterprise__plan=plan, year=year, status=AccountStatus.APPROVED)
        .select_related("enterprise")
        .order_by("enterprise_id", "-version")
    )
    for ca in qs:
        latest.setdefault(ca.enterprise_id, ca)
    out = []
    for ca in latest.values():
        ent, e = ca.enterprise, (ca.results or {}).get("enterprise", {})
        out.append(
            {
                "uscc": ent.uscc,
                "name": ent.name,
                "industry_code": ent.industry_code,
                "township": ent.township,
                "key_energy_user": bool(e.get("key_energy_user")),
                "account": {
                    "version": ca.version,
                    "status": ca.status,
                    "factor_set": ca.results.get("factor_set", ""),
                    "energy_tce": _float_text(e.get("energy_tce")),
                    "co2_t": _float_text(e.get("co2_t")),
                    "value_added_10k_yuan": document.dec(ca.value_added_10k_yuan),
                    "grade": ca.grade,
                    "grade_detail": ca.grade_detail,
                    "inputs_sha256": ca.inputs_sha256,
                    "submitted_by": ca.submitted_by_label,
                    "reviewed_by": ca.reviewed_by_label,
                    "approved_at": _iso(ca.reviewed_at),
                    "results": ca.results,
                },
            }
        )
    return sorted(out, key=lambda u: u["uscc"])


def build(plan: Plan, year: int) -> dict[str, Any]:
    """The exchange document of ``plan``'s ``year``. ValidationFailed when there is nothing approved to send."""
    inv = (
        Inventory.objects.filter(plan=plan, year=year, status=InventoryStatus.APPROVED)
        .select_related("factor_set")
        .first()
    )
    users = _key_users(plan, year)
    if inv is None and not users:
        received = ReceivedExchange.objects.filter(plan=plan, year=year).first()
        if received is not None:
            return received.document
        raise ValidationFailed(
            [
                Issue(
                    "nothing_approved",
                    "year",
                    f"year：{plan.county} {year} 年没有已审定的核算或重点用能单位碳账户",
                    f"year: {plan.code} has no approved inventory or key-user account for {year}",
                )
            ]
        )
    return {
        "schema": document.SCHEMA,
        "county": {
            "code": plan.code,
            "county": plan.county,
            "division_code": plan.division_code,
            "province": plan.province,
            "city": plan.city,
        },
        "year": year,
        "inventory": None if inv is None else _inventory(inv),
        "key_users": users,
    }


def receive(actor: Any, data: bytes, name: str, county: Plan) -> tuple[Report, int]:
    """Store a received exchange file for ``county`` (the importer's: the command line's ``--plan`` or only
    county, an account's own county, whose office it must be). Returns the standard report and the exit status:
    0 stored or already stored, 1 refused (conflicting content), 2 not an exchange file, or a file of another
    county than ``county`` (nothing stored)."""
    if actor is not None:
        require_office(actor)
        require(acts_in(actor, county))
    rep = Report()
    doc = document.read(data, name)  # Unreadable propagates: the caller reports it (exit 2)
    problems = document.check(doc)
    if problems:
        for field, zh, en in problems[:50]:
            rep.reject(None, field, zh, en)
        return rep, 2
    code, year = doc["county"]["code"], doc["year"]
    if code != county.code:
        rep.reject(
            None,
            "county.code",
            f"文件属于编码为 {code} 的县，不是 {county.county}（{county.code}），未导入",
            f"the file is of county {code}, not {county.code}; nothing stored",
        )
        return rep, 2
    plan = county
    sha = document.sha256(doc)
    fmt = "xlsx" if data[:2] == b"PK" else "json"
    with transaction.atomic():
        existing = ReceivedExchange.objects.select_for_update().filter(plan=plan, year=year).first()
        if existing is not None:
            if existing.sha256 == sha:
                rep.duplicates = 1
                return rep, 0
            rep.reject(
                None,
                "year",
                f"{plan.county} {year} 年已接收过内容不同的交换文件（{existing.source_name}），不予覆盖",
                f"{code} {year} was received before with other content ({existing.source_name}); not overwritten",
            )
            return rep, 1
        got = ReceivedExchange.objects.create(
            plan=plan,
            year=year,
            schema=doc["schema"],
            document=doc,
            sha256=sha,
            source_name=name[-300:],
            source_format=fmt,
            received_by_label=actor_label(actor),
        )
        record(actor, "exchange.receive", got, None, {"year": year, "sha256": sha, "source": got.source_name})
    rep.accepted = 1
    return rep, 0
