"""Monitoring checks: silent meters (no reading for more than N working days) and gaps (missing intervals).

Working days are Monday to Friday in Beijing time; public holidays and make-up working days are not modelled
yet (a silent meter over a holiday week is flagged a day or two early). ``check_silent_meters`` opens one alert
per silent online meter and closes it when readings resume; it is idempotent (run it from cron).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from carbonpeak.enterprises.accounts import BEIJING
from carbonpeak.enterprises.models import Meter, MeterAlert, Reading
from carbonpeak.plan.models import Plan

SILENT_WORKING_DAYS = 3


def working_days_between(a: dt.datetime, b: dt.datetime) -> int:
    """Whole working days (Mon-Fri, Beijing dates) after ``a``'s date up to and including ``b``'s date."""
    d0, d1 = a.astimezone(BEIJING).date(), b.astimezone(BEIJING).date()
    if d1 <= d0:
        return 0
    days = (d1 - d0).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (d0 + dt.timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def check_silent_meters(plan: Plan, now: dt.datetime | None = None) -> dict[str, Any]:
    """Open alerts for online meters silent for more than SILENT_WORKING_DAYS working days; close the rest."""
    now = now or timezone.now()
    meters = Meter.objects.filter(enterprise__plan=plan, is_online=True).annotate(last=Max("readings__reading_time"))
    opened, closed = [], []
    with transaction.atomic():
        open_alerts = {
            a.meter_id: a
            for a in MeterAlert.objects.filter(meter__enterprise__plan=plan, kind="silent", resolved_at__isnull=True)
        }
        for m in meters:
            silent = m.last is None or working_days_between(m.last, now) > SILENT_WORKING_DAYS
            alert = open_alerts.get(m.pk)
            if silent and alert is None:
                MeterAlert.objects.create(meter=m, kind="silent", last_reading_at=m.last)
                opened.append(m.meter_code)
            elif not silent and alert is not None:
                alert.resolved_at = now
                alert.save(update_fields=["resolved_at"])
                closed.append(m.meter_code)
    return {"opened": opened, "closed": closed}


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
