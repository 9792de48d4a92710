"""Approving a year while its completions are imported, on PostgreSQL: the year's row is locked by both, so the
approval either includes the imported row or the import refuses it; two approvals at once feed once."""

from __future__ import annotations

import pytest
from django.db import connection

from carbonpeak.buildings import services
from carbonpeak.buildings.models import Completion, CompletionYear
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.tabular import Report
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HEADER = ("project_id", "completed_on", "floor_area_m2", "civil", "green_level", "prefab")


def rows(*lines):
    return [(n, dict(zip(HEADER, line, strict=True))) for n, line in enumerate(lines, start=2)]


@pytest.fixture
def zhujian(make_user, plan):
    return make_user("zhujian", "department", plan.departments.get(code="housing_construction"))


def test_import_and_approval_at_once_stay_consistent(plan, zhujian):
    assert connection.vendor == "postgresql"
    services.import_completions(zhujian, plan, rows(("P1", "2025-03-01", "1000", "true", "basic", "false")))
    for i in range(4):
        late = rows((f"L{i}", "2025-09-01", "1000", "true", "none", "false"))
        out = race(
            [
                lambda: services.approve_year(zhujian, plan, 2025),
                lambda late=late: services.import_completions(zhujian, plan, late),
            ]
        )
        approved, rep = out
        assert isinstance(approved, dict) and isinstance(rep, Report), out
        year = CompletionYear.objects.get(plan=plan, year=2025)
        stored = sum(c.floor_area_m2 for c in Completion.objects.filter(plan=plan, completed_on__year=2025))
        assert year.results["civil_completed_m2"] == f"{stored:.2f}"  # the approval saw exactly what is stored
        assert rep.accepted + len(rep.rejected) == 1
        services.reopen_year(zhujian, plan, 2025, "再来一次")


def test_two_approvals_at_once_feed_once(plan, zhujian):
    services.import_completions(zhujian, plan, rows(("P1", "2025-03-01", "1000", "true", "basic", "true")))
    out = race([lambda: services.approve_year(zhujian, plan, 2025) for _ in range(3)])
    assert sum(isinstance(x, dict) for x in out) == 1, out
    assert IndicatorValue.objects.filter(target__plan=plan, year=2025, source="module").count() == 2
