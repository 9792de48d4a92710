"""plan/feeds.py: a module's figure reaches every target that names it, once; a reopened year takes it back."""

from decimal import Decimal

import pytest

from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan.choices import Indicator, ValueSource
from carbonpeak.plan.feeds import Fed, feed, retract
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.plan.values import set_indicator_value

pytestmark = pytest.mark.django_db


def test_feed_reaches_both_capacity_targets_in_their_unit(plan, linye):
    f = Fed(Indicator.NEW_ENERGY_CAPACITY, 2025, Decimal("301.25"), "2025年末并网机组登记")
    written = feed(linye, plan, [f])  # the forestry user owns neither target: the module authorised the approval
    assert sorted(v.target.code for v in written) == ["new_energy_capacity", "new_energy_capacity_energy_task"]
    v = IndicatorValue.objects.get(target__code="new_energy_capacity", year=2025, quarter__isnull=True)
    assert v.value == Decimal("301.25") and v.source == ValueSource.MODULE and v.source_detail == f.detail
    assert feed(linye, plan, [f]) == []  # the same figure again changes nothing
    assert AuditEntry.objects.filter(action="indicator_value.set").count() == 2


def test_feed_skips_a_value_the_target_cannot_hold(plan, office):
    skipped: list[str] = []
    assert feed(office, plan, [Fed(Indicator.FOREST_COVERAGE, 2025, Decimal("1.2"), "x")], skipped=skipped) == []
    assert len(skipped) == 2 and all("forest_coverage" in s for s in skipped)


def test_feed_ignores_years_outside_the_plan(plan, office):
    assert feed(office, plan, [Fed(Indicator.FOREST_STOCK, 1990, Decimal("1"), "x")]) == []


def test_retract_removes_only_the_fed_values(plan, office):
    feed(office, plan, [Fed(Indicator.FOREST_COVERAGE, 2025, Decimal("0.6292"), "2025年森林资源数据")])
    typed = plan.targets.get(code="forest_stock")
    set_indicator_value(office, typed, 2025, None, "8500000")
    n = retract(office, plan, [Indicator.FOREST_COVERAGE, Indicator.FOREST_STOCK], [2025], "重新打开 2025")
    assert n == 2
    assert not IndicatorValue.objects.filter(target__indicator=Indicator.FOREST_COVERAGE).exists()
    assert IndicatorValue.objects.filter(target=typed, year=2025).exists()  # typed by a person: stays
    assert AuditEntry.objects.filter(action="indicator_value.retract").count() == 2
