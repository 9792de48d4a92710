"""The plan's writes at the same instant from several sessions, on PostgreSQL: a quarter's round opens once per
county (and once in each of two counties), a report races the round's closing and is either in before it or
refused, and one department reporting the same task twice keeps one report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from carbonpeak.plan import services
from carbonpeak.plan.choices import RoundStatus
from carbonpeak.plan.models import DispatchRound, TaskReport
from carbonpeak.validation import ValidationFailed
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = dt.date(2030, 1, 10)


def test_a_quarter_opens_once_per_county(plan, county_b, office_b, make_user):
    assert connection.vendor == "postgresql"
    office, second_office = (make_user(n, "office", plan=plan) for n in ("office_a", "office_a2"))
    out = race(
        [
            lambda: services.open_round(office, plan, 2029, 4, DUE),
            lambda: services.open_round(second_office, plan, 2029, 4, DUE),
            lambda: services.open_round(office_b, county_b, 2029, 4, DUE),
        ]
    )
    opened = [r for r in out[:2] if isinstance(r, DispatchRound)]
    refused = [r for r in out[:2] if isinstance(r, ValidationFailed)]
    assert len(opened) == 1 and len(refused) == 1, out
    assert [i.code for i in refused[0].issues] == ["exists"]
    assert isinstance(out[2], DispatchRound) and out[2].plan_id == county_b.pk  # the other county's own quarter
    assert DispatchRound.objects.filter(plan=plan, year=2029, quarter=4).count() == 1
    assert DispatchRound.objects.filter(plan=county_b, year=2029, quarter=4).count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_report_racing_the_close_is_in_before_it_or_refused(plan, office, fgj, attempt):
    rnd = services.open_round(office, plan, 2029, 4, DUE)
    task = plan.tasks.get(code="A01.1")
    closed, reported = race(
        [
            lambda: services.close_round(office, rnd),
            lambda: services.submit_report(fgj, rnd, task, "in_progress", "进展"),
        ]
    )
    assert isinstance(closed, DispatchRound) and closed.status == RoundStatus.CLOSED, closed
    rnd.refresh_from_db()
    if isinstance(reported, ValidationFailed):
        assert [i.code for i in reported.issues] == ["round_closed"]
        assert not TaskReport.objects.filter(round=rnd).exists()
    else:
        report = TaskReport.objects.get(round=rnd)
        assert report.pk == reported.pk and report.submitted_at <= rnd.closed_at


def test_one_department_reporting_a_task_twice_keeps_one_report(plan, office, fgj):
    rnd = services.open_round(office, plan, 2029, 4, DUE)
    task = plan.tasks.get(code="A01.1")
    out = race([lambda n=n: services.submit_report(fgj, rnd, task, "in_progress", f"第{n}次") for n in range(4)])
    assert all(isinstance(r, TaskReport) for r in out), out  # no IntegrityError, no deadlock
    assert TaskReport.objects.filter(round=rnd, task=task).count() == 1
