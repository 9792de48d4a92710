"""Target lights through the database, and the thresholds exactly at their bounds (core.tracking)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbonpeak.core.tracking import Light, PeriodPoint, assess, expected_value
from carbonpeak.plan import services
from carbonpeak.plan.status import target_statuses

D = Decimal
TEN = D("0.10")


YEAR_2025 = PeriodPoint(2025)


def light(value: str, direction: str = "increase", t: PeriodPoint = YEAR_2025) -> Light:
    # path 0 (2020) → 0.15 (2025): the change required is 0.15, so the yellow band is 0.015 wide
    return assess(
        direction=direction,
        baseline=(2020, D(0)),
        milestones={2025: D("0.15")},
        value=D(value),
        period=t,
        yellow_fraction=TEN,
    ).light


def test_bounds_increase():
    assert light("0.15") == Light.GREEN  # exactly on the path
    assert light("0.149999") == Light.YELLOW
    assert light("0.135") == Light.YELLOW  # behind by exactly 10 % of the change: still yellow
    assert light("0.13499999") == Light.RED


def test_bounds_decrease():
    # lower is better: path 0.05 (2020) → 0.03 (2025); band 0.002
    def lt(v):
        return assess(
            direction="decrease",
            baseline=(2020, D("0.05")),
            milestones={2025: D("0.03")},
            value=D(v),
            period=PeriodPoint(2025),
            yellow_fraction=TEN,
        ).light

    assert lt("0.03") == Light.GREEN
    assert lt("0.032") == Light.YELLOW
    assert lt("0.03200001") == Light.RED


def test_quarters_sit_on_the_path():
    # 2023Q2 is t = 2022.5: expected 0.15 * 2.5/5 = 0.075
    a = assess(
        direction="increase",
        baseline=(2020, D(0)),
        milestones={2025: D("0.15")},
        value=D("0.075"),
        period=PeriodPoint(2023, 2),
        yellow_fraction=TEN,
    )
    assert a.expected_value == D("0.075") and a.light == Light.GREEN and a.gap == 0


def test_path_is_flat_after_the_last_milestone_and_between_anchors_linear():
    anchors = [(2020, D(100)), (2025, D(300)), (2030, D(1350))]
    assert expected_value(anchors, D(2027)) == D(300) + D(1050) * 2 / 5
    assert expected_value(anchors, D(2040)) == D(1350)
    assert expected_value(anchors, D(2010)) == D(100)


def test_no_value_or_no_milestone_is_no_data():
    assert (
        assess(
            direction="increase",
            baseline=None,
            milestones={},
            value=D(1),
            period=PeriodPoint(2025),
            yellow_fraction=TEN,
        ).light
        == Light.NO_DATA
    )
    assert (
        assess(
            direction="increase", baseline=None, milestones={2025: D(1)}, value=None, period=None, yellow_fraction=TEN
        ).light
        == Light.NO_DATA
    )


@pytest.mark.django_db
def test_statuses_from_the_database_follow_reported_values(plan, office, settings):
    t = plan.targets.get(code="energy_intensity_reduction")  # baseline 2020: 0, 2025: 0.15
    by_code = {s.target.code: s for s in target_statuses(plan)}
    assert by_code["energy_intensity_reduction"].light == Light.NO_DATA
    services.set_indicator_value(office, t, 2024, None, "0.108")  # expected 0.12, band 0.015
    s = next(s for s in target_statuses(plan) if s.target.code == t.code)
    assert (s.light, s.assessment.expected_value, s.assessment.gap) == (Light.YELLOW, D("0.12"), D("0.012"))
    settings.PLAN_STATUS_YELLOW_FRACTION = D("0.05")  # thresholds are settings
    assert next(s for s in target_statuses(plan) if s.target.code == t.code).light == Light.RED
