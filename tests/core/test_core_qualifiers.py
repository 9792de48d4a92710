"""core/tracking.assess with the plan's wording per milestone, at the bounds (hand-worked).

Milestone 100 in 2025, baseline 50 in 2020 (at_most: baseline 150), yellow fraction 0.10: the value is judged at
2025, expected = 100, tolerance = 0.10 × |100 − 50| = 5."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from carbonpeak.core.tracking import Light, PeriodPoint, assess, governing_year

G, Y, R = Light.GREEN, Light.YELLOW, Light.RED


def light(v, qualifier="exact", strive=False, direction="increase", baseline=D(50), band=D("0.02")):
    return assess(
        direction=direction,
        baseline=(2020, baseline),
        milestones={2025: D(100)},
        value=D(v),
        period=PeriodPoint(2025),
        yellow_fraction=D("0.10"),
        qualifiers={2025: (qualifier, strive)},
        about_band=band,
    ).light


@pytest.mark.parametrize(("v", "want"), [("100", G), ("100.5", G), ("99.99", Y), ("95", Y), ("94.99", R)])
def test_at_least(v, want):
    assert light(v, "at_least") == want


def test_at_least_decides_the_side_whatever_the_direction():
    assert light("99.99", "at_least", direction="decrease") == Y  # 以上: below is behind even on a decrease target


@pytest.mark.parametrize(("v", "want"), [("100", G), ("99", G), ("100.01", Y), ("105", Y), ("105.01", R)])
def test_at_most(v, want):
    assert light(v, "at_most", direction="increase", baseline=D(150)) == want


@pytest.mark.parametrize(("v", "want"), [("100.01", G), ("100", Y), ("95", Y), ("94.99", R)])
def test_exceed_needs_more_than_the_value(v, want):
    assert light(v, "exceed") == want


# about: band = 0.02 × 100 = 2 on the worse side; yellow up to band + tolerance = 7
@pytest.mark.parametrize(("v", "want"), [("100", G), ("120", G), ("98", G), ("97.99", Y), ("93", Y), ("92.99", R)])
def test_about_band(v, want):
    assert light(v, "about") == want


def test_about_on_a_decrease_target():
    # 成品油消费增速控制在3%左右: milestone 0.03, baseline 0.05: tolerance 0.1 × 0.02 = 0.002, band 0.0006
    def at(v):
        return assess(
            direction="decrease",
            baseline=(2020, D("0.05")),
            milestones={2025: D("0.03")},
            value=D(v),
            period=PeriodPoint(2025),
            yellow_fraction=D("0.10"),
            qualifiers={2025: ("about", False)},
            about_band=D("0.02"),
        ).light

    assert [at(v) for v in ("0.0306", "0.03061", "0.0326", "0.03261", "0.01")] == [G, Y, Y, R, G]


def test_zero_band_is_at_least():
    assert light("99.99", "about", band=D(0)) == Y


@pytest.mark.parametrize(("v", "want"), [("100", G), ("99", Y), ("50", Y), ("0", Y)])
def test_strive_is_never_red(v, want):
    assert light(v, "at_least", strive=True) == want


def test_strive_exceed_exactly_at_the_value_is_yellow():
    assert light("100", "exceed", strive=True) == Y


def test_the_governing_milestone_gives_the_wording():
    ms = {2025: D(100), 2030: D(200)}
    assert governing_year(ms, D(2025)) == 2025 and governing_year(ms, D(2026)) == 2030
    assert governing_year(ms, D(2031)) == 2030 and governing_year({}, D(2025)) is None

    def at(year, v):
        return assess(
            direction="increase",
            baseline=(2020, D(0)),
            milestones=ms,
            value=D(v),
            period=PeriodPoint(year),
            yellow_fraction=D("0.10"),
            qualifiers={2025: ("exceed", False), 2030: ("at_least", False)},
        ).light

    assert at(2025, "100") == Y  # 2025 says 超过: exactly 100 is not enough
    assert at(2026, "120") == G  # expected 120 in 2026, judged by 2030's 达到…以上


def test_without_qualifiers_the_direction_decides_as_before():
    a = assess(
        direction="increase",
        baseline=(2020, D(50)),
        milestones={2025: D(100)},
        value=D(100),
        period=PeriodPoint(2025),
        yellow_fraction=D("0.10"),
    )
    assert a.light == G and a.tolerance == D(5)
