"""One percent helper for every form (issue 14): scenarios, accounting and target values share carbonpeak/percent.py."""

from decimal import Decimal

import pytest

from carbonpeak.percent import fraction_to_percent, percent_form_value, percent_to_fraction
from carbonpeak.validation import Issue


@pytest.mark.parametrize("typed", ["25", "25%", "25 %", "２５％", "25％"])
def test_target_and_scenario_forms_read_percent_the_same_way(typed):
    value, _ = percent_form_value("fraction", typed, "percent")
    assert value == Decimal("0.25")
    assert percent_to_fraction(typed) == "0.25"
    assert fraction_to_percent(value) == "25"


def test_only_a_share_typed_in_percent_is_converted():
    assert percent_form_value("tce", "25", "percent")[0] == "25"
    assert percent_form_value("fraction", "0.25", "fraction")[0] == "0.25"
    assert percent_form_value("fraction", "abc", "percent")[0] == "abc"
    assert percent_to_fraction("abc") == "abc" and percent_to_fraction(" ") == ""


def test_a_range_error_is_retold_in_percent():
    _, retell = percent_form_value("fraction", "－120％", "percent", signed=True)
    issue = retell(Issue("fraction_range", "value", "须在 -1 到 1 之间", "must be within -1 and 1"))
    assert "-100 到 100" in issue.message_zh and "-120" in issue.message_zh
    other = Issue("required", "value", "必填", "required")
    assert retell(other) is other


def test_the_web_copy_is_gone():
    import importlib.util

    assert importlib.util.find_spec("carbonpeak.web.percent") is None
