"""Working days under the national holiday arrangement (国务院办公厅 每年的《部分节假日安排的通知》).

Monday to Friday are working days, except the dates the calendar lists: public holidays that fall on a weekday
(not working) and the make-up working days (调休上班) that fall on a weekend (working). The calendar is data:
``exceptions`` maps a date to whether it is a working day; only dates that differ from Monday-to-Friday matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping


def is_workday(day: dt.date, exceptions: Mapping[dt.date, bool]) -> bool:
    listed = exceptions.get(day)
    return day.weekday() < 5 if listed is None else listed


def working_days_between(d0: dt.date, d1: dt.date, exceptions: Mapping[dt.date, bool]) -> int:
    """Working days after ``d0`` up to and including ``d1`` (0 when ``d1`` is not after ``d0``)."""
    if d1 <= d0:
        return 0
    weeks, rest = divmod((d1 - d0).days, 7)
    count = weeks * 5 + sum(1 for i in range(1, rest + 1) if (d0 + dt.timedelta(days=weeks * 7 + i)).weekday() < 5)
    for day, working in exceptions.items():
        if d0 < day <= d1 and working != (day.weekday() < 5):
            count += 1 if working else -1
    return count


def years_covered(dates: Iterable[dt.date]) -> set[int]:
    """The years a calendar has entries for (a year with none is assumed Monday to Friday throughout)."""
    return {d.year for d in dates}
