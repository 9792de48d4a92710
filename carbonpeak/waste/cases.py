"""Cases (预警案件): every reconciliation alert opens one, which the 城管局 assigns, follows and closes with a
reason, each step audited. An alert is known by its key (kind and load, or permit and category), so reconciling
again updates the case (its message and when it was last seen) instead of opening another; a closed case stays
closed (its reason stands) even if the alert is seen again. An open case whose alert is gone (a receipt came late,
a register was corrected) is closed by the check itself, with its reason and an audit entry, as a silent meter's
alert is when the meter reports again.

``check(plan)`` is the daily run (``carbonpeak waste check``, from cron): reconcile as of now, open or update the
cases, and e-mail each open case not yet notified to its assignee, or, unassigned, to the 城管局's officers
and the department's address (a failed e-mail is retried at the next check).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import User
from carbonpeak.audit.services import record
from carbonpeak.plan.models import Plan
from carbonpeak.validation import NOTE_MAX, Issues, require_text
from carbonpeak.waste import permissions, reconcile
from carbonpeak.waste.choices import CaseStatus
from carbonpeak.waste.models import Manifest, Permit, WasteCase

OPEN = (CaseStatus.OPEN, CaseStatus.ASSIGNED)


def sync_cases(plan: Plan, result: dict[str, Any], now: dt.datetime | None = None) -> dict[str, int]:
    """Open a case for each new alert of a reconciliation; refresh the open ones seen again; reopen a case the check
    closed itself (its alert had gone) when the alert comes back. A case a person closed stays closed."""
    now = now or timezone.now()
    alerts = [(row, a) for row in result["permits"] for a in row["alerts"]]
    keys = [a["_key"] for _, a in alerts]
    existing = {c.key: c for c in WasteCase.objects.filter(plan=plan, key__in=keys)}
    manifests = dict(
        Manifest.objects.filter(
            plan=plan, manifest_id__in={a["manifest_id"] for _, a in alerts if a["manifest_id"]}
        ).values_list("manifest_id", "pk")
    )
    opened = updated = reopened = 0
    for row, a in alerts:
        c = existing.get(a["_key"])
        if c is None:
            try:
                with transaction.atomic():
                    c = WasteCase.objects.create(
                        plan=plan,
                        key=a["_key"],
                        kind=a["kind"],
                        manifest_id=manifests.get(a["manifest_id"]),
                        permit_id=row["_pk"],
                        plate=a["plate"] or "",
                        message=a["message"],
                        last_seen_at=now,
                    )
            except IntegrityError:  # a concurrent check opened it
                continue
            existing[c.key] = c
            opened += 1
        elif c.status in OPEN:
            c.message = a["message"]
            c.last_seen_at = now
            c.save(update_fields=["message", "last_seen_at"])
            updated += 1
        elif c.close_reason == AUTO_CLOSE_REASON and _reopen(c, a["message"], now):
            reopened += 1
    closed = _close_resolved(plan, set(keys), now)
    return {"opened": opened, "updated": updated, "reopened": reopened, "closed": closed}


def _reopen(case: WasteCase, message: str, now: dt.datetime) -> bool:
    """The alert of a case the check closed is back (a receipt withdrawn, a register changed again): the case is
    open again (with its assignee, if it had one), mailed again, and the act audited as the system's."""
    with transaction.atomic():
        c = WasteCase.objects.select_for_update().filter(pk=case.pk, status=CaseStatus.CLOSED).first()
        if c is None or c.close_reason != AUTO_CLOSE_REASON:  # reopened or closed by a person meanwhile
            return False
        before = {"status": c.status, "reason": c.close_reason}
        c.status = CaseStatus.ASSIGNED if c.assignee_id else CaseStatus.OPEN
        c.close_reason = ""
        c.closed_at = None
        c.notified_at = None
        c.message = message
        c.last_seen_at = now
        c.save(update_fields=["status", "close_reason", "closed_at", "notified_at", "message", "last_seen_at"])
        record(None, "waste.case.reopen", c, before, {"status": c.status})
    return True


AUTO_CLOSE_REASON = "对账中该预警已不再出现（如过磅单已补录），系统自动办结"


def _close_resolved(plan: Plan, keys: set[str], now: dt.datetime) -> int:
    """Close, as the silent-meter alerts are when the meter reports again, each open case whose alert the
    reconciliation no longer finds (a late receipt, a corrected register); audited as the system's act."""
    closed = 0
    stale = WasteCase.objects.filter(plan=plan, status__in=OPEN).exclude(key__in=keys).values_list("pk", flat=True)
    for pk in list(stale):
        with transaction.atomic():
            c = WasteCase.objects.select_for_update().filter(pk=pk, status__in=OPEN).first()
            if c is None:  # closed meanwhile by a person or a concurrent check
                continue
            before = {"status": c.status}
            c.status = CaseStatus.CLOSED
            c.close_reason = AUTO_CLOSE_REASON
            c.closed_at = now
            c.save(update_fields=["status", "close_reason", "closed_at"])
            record(None, "waste.case.autoclose", c, before, {"status": c.status, "reason": AUTO_CLOSE_REASON})
        closed += 1
    return closed


def _case_for_update(case: WasteCase) -> WasteCase:
    return WasteCase.objects.select_for_update().get(pk=case.pk)


def assign(actor: Any, case: WasteCase, assignee: User) -> WasteCase:
    permissions.require_cases(actor, case.plan)
    issues = Issues()
    if not (
        assignee.is_active
        and assignee.plan_id == case.plan_id
        and (
            assignee.role == Role.OFFICE
            or (assignee.department is not None and assignee.department.code == permissions.LEAD)
        )
    ):
        issues.add(
            "invalid", "assignee", "只能指派给本县城管局或碳达峰办的人员", "assignee: an officer of the county's 城管局"
        )
    with transaction.atomic():
        c = _case_for_update(case)
        if c.status == CaseStatus.CLOSED:
            issues.add("closed", "status", "案件已办结", "status: the case is closed")
        issues.raise_if_errors()
        before = {"status": c.status, "assignee": c.assignee.username if c.assignee else None}
        c.assignee = assignee
        c.status = CaseStatus.ASSIGNED
        c.notified_at = None  # the assignee is told at the next check
        c.save(update_fields=["assignee", "status", "notified_at"])
        record(actor, "waste.case.assign", c, before, {"status": c.status, "assignee": assignee.username})
    return c


def follow(actor: Any, case: WasteCase, note: str) -> WasteCase:
    permissions.require_cases(actor, case.plan)
    note = require_text(note, "note", max_length=NOTE_MAX).strip()
    issues = Issues()
    if not note:
        issues.add("required", "note", "请填写跟进情况", "note: required")
    with transaction.atomic():
        c = _case_for_update(case)
        if c.status == CaseStatus.CLOSED:
            issues.add("closed", "status", "案件已办结", "status: the case is closed")
        issues.raise_if_errors()
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        before = c.follow_up
        c.follow_up = (c.follow_up + "\n" if c.follow_up else "") + f"{stamp} {note}"
        c.save(update_fields=["follow_up"])
        record(actor, "waste.case.follow", c, {"follow_up": before}, {"follow_up": c.follow_up})
    return c


def close(actor: Any, case: WasteCase, reason: str) -> WasteCase:
    permissions.require_cases(actor, case.plan)
    reason = require_text(reason, "reason", max_length=NOTE_MAX).strip()
    issues = Issues()
    if not reason:
        issues.add("required", "reason", "请填写办结理由", "reason: say why the case is closed")
    with transaction.atomic():
        c = _case_for_update(case)
        if c.status == CaseStatus.CLOSED:
            issues.add("closed", "status", "案件已办结", "status: the case is already closed")
        issues.raise_if_errors()
        before = {"status": c.status}
        c.status = CaseStatus.CLOSED
        c.close_reason = reason
        c.closed_at = timezone.now()
        c.save(update_fields=["status", "close_reason", "closed_at"])
        record(actor, "waste.case.close", c, before, {"status": c.status, "reason": reason})
    return c


def recipients(case: WasteCase) -> list[str]:
    if case.assignee is not None and case.assignee.is_active and case.assignee.email:
        return [case.assignee.email]
    lead = case.plan.departments.filter(code=permissions.LEAD).first()
    addrs = [lead.email] if lead is not None else []
    addrs += list(
        User.objects.filter(
            plan_id=case.plan_id, is_active=True, role=Role.DEPARTMENT, department__code=permissions.LEAD
        ).values_list("email", flat=True)
    )
    return sorted({a for a in addrs if a})


def notify(case: WasteCase) -> list[str]:
    to = recipients(case)
    if to:
        send_mail(
            f"[建筑垃圾监管] {case.get_kind_display()} {case.manifest.manifest_id if case.manifest else ''}".strip(),
            f"{case.get_kind_display()}：{case.message}\n车牌：{case.plate or '—'}\n"
            "请登录平台「建筑垃圾监管 → 预警案件」处理。\n"
            "A construction-waste alert needs handling: see the cases page.",
            None,
            to,
        )
    WasteCase.objects.filter(pk=case.pk).update(notified_at=timezone.now(), notified_to=",".join(to))
    return to


def check(plan: Plan, now: dt.datetime | None = None, notify_by_mail: bool = True) -> dict[str, Any]:
    """The daily check: reconcile as of now, open/update cases, e-mail what is new to its assignee."""
    now = now or timezone.now()
    result = reconcile.reconcile(plan, now)
    out: dict[str, Any] = sync_cases(plan, result, now)
    failed, sent = [], 0
    if notify_by_mail:
        for c in WasteCase.objects.filter(plan=plan, status__in=OPEN, notified_at__isnull=True).select_related(
            "manifest", "assignee", "plan"
        ):
            try:
                notify(c)
                sent += 1
            except Exception:  # noqa: BLE001 - the mail server's failure must not stop the check; retried later
                failed.append(c.key)
    out.update(
        {
            "notified": sent,
            "notify_failed": failed,
            "open": WasteCase.objects.filter(plan=plan, status__in=OPEN).count(),
        }
    )
    return out


__all__ = ["Permit", "assign", "check", "close", "follow", "sync_cases"]
