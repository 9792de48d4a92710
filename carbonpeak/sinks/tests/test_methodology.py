"""The 碳普惠 forestry-sink methodology core (core.forest.project_credits): hand-worked golden cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbonpeak.core.errors import CalcError
from carbonpeak.core.forest import project_credits

FIR = Decimal("0.32502129296")  # 0.307 × 1.634 × 1.246 × 0.52
PINE = Decimal("0.3054217472")  # 0.38 × 1.472 × 1.187 × 0.46
Q = Decimal("0.000001")


def test_afforestation_project_credits_with_buffer():
    # 杉木 1000 → 1200 m³ over 2023–2025: 200 × 0.32502129296 × 44/12 = 238.348948 tCO2; 20 % withheld
    r = project_credits({"chinese_fir": (Decimal(1000), Decimal(1200))}, {"chinese_fir": FIR}, (2023, 2025),
                        (2021, 2040), Decimal("0.2"))  # fmt: skip
    assert r["sink"].quantize(Q) == Decimal("238.348948")
    assert r["buffer"].quantize(Q) == Decimal("47.669790")
    assert r["credited"].quantize(Q) == Decimal("190.679159")
    assert r["reversal"] == 0


def test_two_groups_sum_and_a_fall_is_a_reversal():
    stocks = {"chinese_fir": (Decimal(1000), Decimal(1100)), "masson_pine": (Decimal(500), Decimal(300))}
    r = project_credits(stocks, {"chinese_fir": FIR, "masson_pine": PINE}, (2024, 2025), (2021, 2040), Decimal("0.1"))
    # 100 × FIR × 44/12 = 119.174474; −200 × PINE × 44/12 = −223.975948; net −104.801474: nothing credited
    assert r["by_group"]["chinese_fir"].quantize(Q) == Decimal("119.174474")
    assert r["by_group"]["masson_pine"].quantize(Q) == Decimal("-223.975948")
    assert r["credited"] == 0 and r["reversal"].quantize(Q) == Decimal("104.801474")


def test_outside_the_crediting_period_and_bad_buffer_refused():
    s = {"chinese_fir": (Decimal(1), Decimal(2))}
    with pytest.raises(CalcError) as e:
        project_credits(s, {"chinese_fir": FIR}, (2040, 2042), (2021, 2040), Decimal("0.2"))
    assert e.value.code == "outside_crediting_period"
    with pytest.raises(CalcError):
        project_credits(s, {"chinese_fir": FIR}, (2024, 2025), (2021, 2040), Decimal(1))
    with pytest.raises(CalcError):
        project_credits(
            {"other": (Decimal(1), Decimal(2))}, {"chinese_fir": FIR}, (2024, 2025), (2021, 2040), Decimal(0)
        )
