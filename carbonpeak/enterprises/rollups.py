"""Monthly roll-ups of the readings: one row per meter and Beijing month, refreshed for the meters and months
an ingest or a correction touched. Pages and accounts read these (a year of a county is a few thousand rows)
instead of the readings (about ten million).

A reading is the consumption of the interval ending at its timestamp, so the month of a reading is the month
of ``reading_time − 1 µs`` in Beijing time: the reading ending at 1 March 00:00 belongs to February, and the
one ending at New Year's midnight to December of the old year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncMonth

from carbonpeak.enterprises.choices import ReadingSource
from carbonpeak.enterprises.models import MonthlyRollup, Reading

BEIJING = ZoneInfo("Asia/Shanghai")
EPSILON = dt.timedelta(microseconds=1)


def month_of(t: dt.datetime) -> dt.date:
    """The statistical month (first day) of a reading ending at ``t``."""
    b = (t - EPSILON).astimezone(BEIJING)
    return dt.date(b.year, b.month, 1)


def month_window(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(start, end]: readings with start < reading_time <= end belong to ``month``."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=BEIJING)
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, dt.datetime(nxt.year, nxt.month, 1, tzinfo=BEIJING)


def refresh(keys: Iterable[tuple[int, dt.datetime]]) -> int:
    """Recompute the roll-ups of every (meter, month) that the given (meter_id, reading_time) keys fall in.
    One aggregate query over the touched meters and the span of the touched months; returns the rows written."""
    span: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for meter_id, t in keys:
        lo, hi = span.get(meter_id, (t, t))
        span[meter_id] = (min(lo, t), max(hi, t))
    if not span:
        return 0
    start = min(month_window(month_of(lo))[0] for lo, _ in span.values())
    end = max(month_window(month_of(hi))[1] for _, hi in span.values())
    shifted = ExpressionWrapper(F("reading_time") - EPSILON, output_field=DateTimeField())
    rows = (
        Reading.objects.filter(meter_id__in=list(span), reading_time__gt=start, reading_time__lte=end)
        .annotate(month=TruncMonth(shifted, tzinfo=BEIJING))
        .values("meter_id", "month")
        .annotate(
            q=Sum("quantity"),
            n=Count("reading_time"),
            manual=Count("reading_time", filter=Q(source=ReadingSource.MANUAL)),
            last=Max("reading_time"),
        )
    )
    objs = []
    for r in rows:
        m = r["month"]
        if isinstance(m, dt.datetime):
            m = m.astimezone(BEIJING).date()
        lo, hi = span[r["meter_id"]]
        if not month_of(lo) <= m <= month_of(hi):
            continue  # in the query's span but not touched for this meter: unchanged
        objs.append(
            MonthlyRollup(
                meter_id=r["meter_id"],
                month=m,
                quantity=r["q"],
                readings=r["n"],
                manual_readings=r["manual"],
                last_reading_at=r["last"],
            )
        )
    MonthlyRollup.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["meter", "month"],
        update_fields=["quantity", "readings", "manual_readings", "last_reading_at"],
        batch_size=1000,
    )
    return len(objs)
