"""Reads about dispatch rounds (调度) for the pages: which rounds a department still owes, how late, reminded?

Several rounds may be open at once (the office keeps last quarter's round open to collect late reports while
the new quarter's round runs). A department reports on every open round; each round's form posts to that
round, and a round's reminder clears as soon as the department has nothing missing in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from carbonpeak.plan.choices import RoundStatus
from carbonpeak.plan.models import Department, DispatchRound, Plan, Reminder, Task, TaskReport


def overdue_days(rnd: DispatchRound, today: dt.date | None = None) -> int:
    """Whole days past the due date of a round still open (0 when not yet due or closed)."""
    if rnd.status != RoundStatus.OPEN:
        return 0
    today = today or timezone.localdate()
    return max(0, (today - rnd.due_date).days)


@dataclass
class RoundState:
    """One open round as a department sees it."""

    round: DispatchRound
    missing: list[Task] = field(default_factory=list)  # the department's lead tasks not reported in it
    overdue_days: int = 0
    reminded: bool = False

    @property
    def pk(self) -> int:
        return self.round.pk


def open_rounds(plan: Plan) -> list[DispatchRound]:
    """The plan's open rounds, oldest first."""
    return list(DispatchRound.objects.filter(plan=plan, status=RoundStatus.OPEN).order_by("year", "quarter"))


def department_rounds(
    plan: Plan, dept: Department | None, today: dt.date | None = None, rounds: list[DispatchRound] | None = None
) -> list[RoundState]:
    """Every open round with what `dept` still owes in it (nothing computed for the office: dept None)."""
    rounds = open_rounds(plan) if rounds is None else rounds
    states = [RoundState(r, overdue_days=overdue_days(r, today)) for r in rounds]
    if dept is None or not rounds:
        return states
    from carbonpeak.plan.dispatch import owed_tasks

    lead_tasks = owed_tasks(plan, dept)  # its lead tasks, and for a township the 各乡镇 clauses (plan/dispatch.py)
    reported = set(TaskReport.objects.filter(round__in=rounds, department=dept).values_list("round_id", "task_id"))
    reminded = set(Reminder.objects.filter(round__in=rounds, department=dept).values_list("round_id", flat=True))
    for s in states:
        s.missing = [t for t in lead_tasks if (s.round.pk, t.pk) not in reported]
        s.reminded = s.round.pk in reminded
    return states


def selected_round(states: list[RoundState], wanted: str | None) -> RoundState | None:
    """The round a page shows: the one asked for, else the oldest with something missing, else the newest."""
    if wanted:
        for s in states:
            if str(s.round.pk) == wanted:
                return s
    owing = [s for s in states if s.missing]
    if owing:
        return owing[0]
    return states[-1] if states else None


def remind_summary(rnd: DispatchRound, sent: list[Reminder], today: dt.date | None = None) -> dict:
    """What sending reminders did: departments reminded, how many of them have no contact (no e-mail address of
    the department or of any active officer: they see the reminder only in their workspace), and the sentence
    the round page and `carbonpeak round remind` show."""
    from django.utils.translation import gettext as _

    no_contact = sum(1 for r in sent if not r.emailed_to)
    if sent:
        message = _("已提醒 %(n)s 个部门，%(m)s 个没有联系人（只在其工作台显示提醒）。") % {
            "n": len(sent),
            "m": no_contact,
        }
    elif rnd.status != RoundStatus.OPEN:
        message = _("本轮调度已关闭，没有发出提醒。")
    elif not overdue_days(rnd, today):
        message = _("本轮尚未逾期（截止 %(due)s），没有发出提醒。") % {"due": rnd.due_date.isoformat()}
    else:
        message = _("没有需要提醒的部门：逾期未报的部门都已提醒过，或已全部报送。")
    return {"round": str(rnd), "reminded": len(sent), "no_contact": no_contact, "message": message}
