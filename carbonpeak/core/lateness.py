"""How late a major project is: pure, for the dashboard, the round report and the assessment.

Report overdue: ``days_late`` = whole days between the round's due date and today (0 on the due date itself).
    red     days_late >= red_days
    yellow  yellow_days <= days_late < red_days
    none    otherwise (not yet due, or within the grace days)
Commissioning late: the planned commissioning year Y has passed (``today.year > Y``) without commissioning:
red from 1 January of Y + 1; on 31 December of Y it is not yet late.
"""

from __future__ import annotations

import datetime as dt

RED = "red"
YELLOW = "yellow"


def days_late(due: dt.date, today: dt.date) -> int:
    """Whole days past ``due`` (0 when not yet past)."""
    return max(0, (today - due).days)


def overdue_level(days: int, yellow_days: int, red_days: int) -> str | None:
    """The flag of a report ``days`` late: ``"red"``, ``"yellow"`` or None (thresholds inclusive)."""
    if yellow_days < 1 or red_days < yellow_days:
        raise ValueError("need 1 <= yellow_days <= red_days")
    if days >= red_days:
        return RED
    if days >= yellow_days:
        return YELLOW
    return None


def commissioning_late(planned_year: int | None, commissioned: bool, closed: bool, today: dt.date) -> int:
    """Years past the planned commissioning year (0: not late, no year, commissioned or cancelled)."""
    if planned_year is None or commissioned or closed:
        return 0
    return max(0, today.year - planned_year)
