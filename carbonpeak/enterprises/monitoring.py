"""Monitoring: silent meters (no reading for more than N working days) with notifications, gaps (missing
intervals), hand-entered values for what cannot be collected online, and correction requests.

Working days are Beijing dates, Monday to Friday except the public holidays and make-up working days of the
national holiday arrangement (``workcalendar``: loaded as data each year; a year not loaded counts as Monday to
Friday, and the check says which years those are). ``check_silent_meters`` opens one alert
per silent online meter, e-mails the enterprise (its contact and energy managers) and the office once, and
closes the alert when readings resume; it is idempotent (run `carbonpeak meters check` from cron, or press
「立即检查」 on the monitoring wall).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import User
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import workdays
from carbonpeak.enterprises import services, workcalendar
from carbonpeak.enterprises.choices import CorrectionStatus, ReadingSource
from carbonpeak.enterprises.models import Meter, MeterAlert, Reading, ReadingCorrection
from carbonpeak.enterprises.permissions import require_county_office, require_edit
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report
from carbonpeak.validation import NOTE_MAX, Issues, require_text

SILENT_WORKING_DAYS = 3


def working_days_between(a: dt.datetime, b: dt.datetime, calendar: Mapping[dt.date, bool] | None = None) -> int:
    """Whole working days (Beijing dates) after ``a``'s date up to and including ``b``'s date, under the holiday
    calendar (the stored one unless given)."""
    if calendar is None:
        calendar = workcalendar.exceptions()
    return workdays.working_days_between(a.astimezone(BEIJING).date(), b.astimezone(BEIJING).date(), calendar)


def check_silent_meters(plan: Plan, now: dt.datetime | None = None, notify_by_mail: bool = True) -> dict[str, Any]:
    """Open alerts for online meters silent for more than SILENT_WORKING_DAYS working days; close the alerts of
    meters that report again or are no longer read online; then e-mail every open alert not yet notified
    (a failed e-mail is retried at the next check; one failure does not stop the others)."""
    now = now or timezone.now()
    calendar = workcalendar.exceptions()
    # the last reading per meter from the monthly roll-ups (a few rows per meter, not the readings table)
    meters = Meter.objects.filter(enterprise__plan=plan).annotate(last=Max("rollups__last_reading_at"))
    opened, closed = [], []
    with transaction.atomic():
        open_alerts = {
            a.meter_id: a
            for a in MeterAlert.objects.select_for_update().filter(
                meter__enterprise__plan=plan, kind="silent", resolved_at__isnull=True
            )
        }
        for m in meters:
            silent = m.is_online and (
                m.last is None or working_days_between(m.last, now, calendar) > SILENT_WORKING_DAYS
            )
            alert = open_alerts.get(m.pk)
            if silent and alert is None:
                try:
                    with transaction.atomic():
                        MeterAlert.objects.create(meter=m, kind="silent", last_reading_at=m.last)
                except IntegrityError:  # a concurrent check opened it
                    continue
                opened.append(m.meter_code)
            elif not silent and alert is not None:
                alert.resolved_at = now
                alert.save(update_fields=["resolved_at"])
                closed.append(m.meter_code)
    failed = []
    if notify_by_mail:
        for a in MeterAlert.objects.filter(
            meter__enterprise__plan=plan, resolved_at__isnull=True, notified_at__isnull=True
        ).select_related("meter"):
            try:
                notify(a)
            except Exception:  # noqa: BLE001 - the mail server's failure must not stop the check; retried later
                failed.append(a.meter.meter_code)
    # the years the silence was counted over that the calendar does not cover (Monday to Friday assumed)
    today = now.astimezone(BEIJING).date()
    start = min((m.last.astimezone(BEIJING).date() for m in meters if m.last is not None), default=today)
    uncovered = workcalendar.missing_years(range(max(start.year, today.year - 1), today.year + 1), calendar)
    return {"opened": opened, "closed": closed, "notify_failed": failed, "calendar_missing_years": uncovered}


def gaps(meter: Meter, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Missing interval ends in (start, end] for the meter's interval: count and the first few."""
    if meter.interval_minutes < 1:
        raise ValueError("interval_minutes must be at least 1")
    step = dt.timedelta(minutes=meter.interval_minutes)
    have = set(
        Reading.objects.filter(meter=meter, reading_time__gt=start, reading_time__lte=end).values_list(
            "reading_time", flat=True
        )
    )
    missing = []
    t = start + step
    expected = 0
    while t <= end:
        expected += 1
        if t not in have:
            missing.append(t)
        t += step
    return {"expected": expected, "missing": len(missing), "first_missing": [x.isoformat() for x in missing[:10]]}


def recipients(meter: Meter) -> list[str]:
    """The enterprise's contact and its energy managers, and the office's active users (with an address)."""
    ent = meter.enterprise
    addrs = [ent.contact_email, *ent.managers.filter(is_active=True).values_list("email", flat=True)]
    addrs += list(
        User.objects.filter(role=Role.OFFICE, is_active=True, plan_id=ent.plan_id).values_list("email", flat=True)
    )
    return sorted({a for a in addrs if a})


def notify(alert: MeterAlert) -> list[str]:
    """E-mail an open alert once; remembers when and to whom."""
    alert = MeterAlert.objects.select_related("meter__enterprise").get(pk=alert.pk)
    if alert.notified_at is not None:
        return []
    m = alert.meter
    last = alert.last_reading_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if alert.last_reading_at else "—"
    to = recipients(m)
    if to:
        send_mail(
            f"[能耗在线监测] {m.enterprise.name} 计量器具 {m.meter_code} 超过 {SILENT_WORKING_DAYS} 个工作日无数据",
            f"{m.enterprise.name}（{m.enterprise.uscc}）的计量器具 {m.meter_code}（{m.carrier}）"
            f"最后一条数据时间：{last}（北京时间），已超过 {SILENT_WORKING_DAYS} 个工作日未上传。"
            "请检查采集设备；无法在线采集的数据请在平台手工录入。\n"
            f"Meter {m.meter_code} of {m.enterprise.name} has sent nothing for more than {SILENT_WORKING_DAYS} "
            "working "
            f"days (last reading {last} Beijing time). Please check the gateway, or enter the values by hand.",
            None,
            to,
        )
    MeterAlert.objects.filter(pk=alert.pk).update(notified_at=timezone.now(), notified_to=",".join(to))
    return to


# --- hand-entered values --------------------------------------------------------------------------------------
def enter_manual(actor: Any, meter: Meter, reading_time: Any, quantity: Any) -> Report:
    """One value entered by hand (e.g. a monthly figure of a meter that is read on site): stored as a reading
    with source ``manual``, under the same rules as any other (a stored time is never overwritten)."""
    require_edit(actor, meter.enterprise)
    rep = services.ingest_readings(
        meter.enterprise.plan,
        [(1, {"meter_code": meter.meter_code, "reading_time": str(reading_time), "quantity": str(quantity)})],
        source=ReadingSource.MANUAL,
    )
    if rep.accepted:
        record(actor, "reading.manual", meter, None, {"reading_time": str(reading_time), "quantity": str(quantity)})
    return rep


# --- corrections ----------------------------------------------------------------------------------------------
def request_correction(actor: Any, meter: Meter, reading_time: Any, new_quantity: Any, reason: str):
    require_edit(actor, meter.enterprise)
    reason = require_text(reason, "reason", max_length=NOTE_MAX)
    issues = Issues()
    t = services.parse_time(str(reading_time or ""))
    if t is None:
        issues.add(
            "invalid",
            "reading_time",
            "时段结束时间应带时区，如 2024-03-01T00:15:00+08:00",
            "reading_time: a timestamp with offset",
        )
    q = services.parse_quantity(str(new_quantity or ""))
    if q is None:
        issues.add(
            "invalid",
            "new_quantity",
            "更正值应为非负数，最多 6 位小数",
            "new_quantity: a non-negative number, <= 6 decimals",
        )
    if not (reason or "").strip():
        issues.add("required", "reason", "请说明更正原因", "reason: say why the reading is wrong")
    issues.raise_if_errors()
    reading = Reading.objects.filter(meter=meter, reading_time=t).first()
    if reading is None:
        issues.add(
            "not_found",
            "reading_time",
            "该时间没有读数；缺失的数据请直接上传或手工录入",
            "reading_time: no reading at this time",
        )
    elif reading.quantity == q:
        issues.add("unchanged", "new_quantity", "更正值与原值相同", "new_quantity: equal to the stored value")
    elif ReadingCorrection.objects.filter(meter=meter, reading_time=t, status=CorrectionStatus.PENDING).exists():
        issues.add(
            "pending", "reading_time", "该读数已有待审核的更正申请", "reading_time: a correction is already pending"
        )
    issues.raise_if_errors()
    try:
        with transaction.atomic():
            c = ReadingCorrection.objects.create(
                meter=meter,
                reading_time=t,
                old_quantity=reading.quantity,
                new_quantity=q,
                reason=reason.strip(),
                requested_by_label=actor_label(actor),
            )
    except IntegrityError:  # a concurrent request for the same reading won the race
        issues.add(
            "pending", "reading_time", "该读数已有待审核的更正申请", "reading_time: a correction is already pending"
        )
        issues.raise_if_errors()
    record(actor, "reading_correction.request", c, {"quantity": str(reading.quantity)}, {"quantity": str(q)})
    return c


def review_correction(actor: Any, correction: ReadingCorrection, approve: bool, note: str = "") -> ReadingCorrection:
    """The office approves (the reading takes the new value; roll-ups refreshed; audited) or rejects."""
    require_county_office(actor, correction.meter.enterprise.plan)
    note = require_text(note, "note", max_length=NOTE_MAX)
    if not approve and not (note or "").strip():
        issues = Issues()
        issues.add("required", "review_note", "驳回时请说明理由", "review_note: say why it is rejected")
        issues.raise_if_errors()
    with transaction.atomic():
        c = ReadingCorrection.objects.select_for_update().get(pk=correction.pk)
        if c.status != CorrectionStatus.PENDING:
            issues = Issues()
            issues.add("not_pending", "status", "该申请已审核", "status: already reviewed")
            issues.raise_if_errors()
        if approve:
            stored = Reading.objects.select_for_update().get(meter_id=c.meter_id, reading_time=c.reading_time)
            if stored.quantity != c.old_quantity:
                issues = Issues()
                issues.add(
                    "moved", "old_quantity", "读数在申请后已变化，请重新申请", "old_quantity: the reading changed since"
                )
                issues.raise_if_errors()
            Reading.objects.filter(meter_id=c.meter_id, reading_time=c.reading_time).update(quantity=c.new_quantity)
            services.refresh_rollups([(c.meter_id, c.reading_time)])
            record(
                actor,
                "reading.correct",
                c.meter,
                {"reading_time": c.reading_time.isoformat(), "quantity": str(c.old_quantity)},
                {"reading_time": c.reading_time.isoformat(), "quantity": str(c.new_quantity), "correction": c.pk},
            )
        c.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
        c.review_note = (note or "").strip()
        c.reviewed_by_label = actor_label(actor)
        c.reviewed_at = timezone.now()
        c.save()
        record(
            actor, "reading_correction.review", c, {"status": "pending"}, {"status": c.status, "note": c.review_note}
        )
    return c
