"""The shipped plan's wording in the lights: 二 “达到30万千瓦” and 三（一）1 “力争突破30万千瓦” are one value (300 MW)
judged with two qualifiers; a 左右 target within its band is green."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from carbonpeak.plan.choices import Indicator
from carbonpeak.plan.feeds import Fed, feed
from carbonpeak.plan.status import target_statuses
from carbonpeak.plan.values import set_indicator_value

pytestmark = pytest.mark.django_db


def _lights(plan):
    return {s.target.code: s.light.value for s in target_statuses(plan)}


@pytest.mark.parametrize(
    ("mw", "main", "task"),
    [
        ("300", "green", "yellow"),  # reached (达到) but not exceeded (力争突破): the incentive is missed, yellow
        ("300.01", "green", "green"),
        ("200", "red", "yellow"),  # 力争: missing it is yellow, never red
    ],
)
def test_new_energy_one_value_two_wordings(plan, office, mw, main, task):
    feed(office, plan, [Fed(Indicator.NEW_ENERGY_CAPACITY, 2025, Decimal(mw), "并网机组登记")])
    lights = _lights(plan)
    assert (lights["new_energy_capacity"], lights["new_energy_capacity_energy_task"]) == (main, task)


@override_settings(PLAN_ABOUT_TOLERANCE=Decimal("0.02"))
def test_about_band_on_the_shipped_non_fossil_share(plan, office):
    # 20 %左右 in 2025: band 0.02 × 0.20 = 0.004, so 19.6 % is green and 19.59 % not
    target = plan.targets.get(code="non_fossil_share")
    set_indicator_value(office, target, 2025, None, "0.196")
    assert _lights(plan)["non_fossil_share"] == "green"
    set_indicator_value(office, target, 2025, None, "0.1959")
    assert _lights(plan)["non_fossil_share"] != "green"
