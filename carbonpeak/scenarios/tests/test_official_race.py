"""Designating the official scenario at once from several sessions, on PostgreSQL: every call succeeds in turn
(the plan's scenarios are locked in primary-key order), and exactly one scenario ends official."""

from __future__ import annotations

import pytest
from django.db import connection

from carbonpeak.audit.models import AuditEntry
from carbonpeak.scenarios import services
from carbonpeak.scenarios.choices import RunStatus
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_designations_leave_exactly_one_official(plan, office, approved):
    assert connection.vendor == "postgresql"
    base = services.create_baseline(office, plan, "基准")
    scenarios = [base] + [services.create_policy(office, base, f"政策{i}") for i in range(5)]
    for s in scenarios:  # a finished run each (its figures do not matter here)
        ScenarioRun.objects.create(
            scenario=s, inputs={}, inputs_sha256="0" * 64, status=RunStatus.DONE, results={}, started_by_label="t"
        )
    out = race([lambda s=s: services.designate_official(office, s) for s in scenarios])
    assert out == [None] * len(scenarios), out  # no IntegrityError, no deadlock
    assert Scenario.objects.filter(plan=plan, is_official=True).count() == 1
    assert AuditEntry.objects.filter(action="scenario.designate_official").count() == len(scenarios)
