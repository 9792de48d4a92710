"""Races on PostgreSQL: the last items of a reward, awards against redemptions on one balance, a batch sent
twice at once. Every test ends by auditing the whole ledger (each transaction sums to zero, each balance is the
sum of its entries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from carbonpeak.inclusion import awards, ledger, services
from carbonpeak.inclusion.models import Event, EventBatch, Merchant, Redemption, Reward
from carbonpeak.inclusion.tests.conftest import event, signed_post
from carbonpeak.validation import ValidationFailed
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def sound():
    assert ledger.check_balanced() == {"unbalanced_txns": [], "drifted_accounts": []}


@pytest.fixture
def reward(scheme):
    m = Merchant.objects.create(plan=scheme["plan"], name="茶陵绿色超市")
    return Reward.objects.create(
        merchant=m, name="环保袋", points_price=30, value_yuan=Decimal("3"), stock=5,
        valid_until=dt.date.today() + dt.timedelta(days=30),
    )  # fmt: skip


def test_redemption_sixteen_residents_race_for_the_last_five_items(scheme, resident, reward):
    assert connection.vendor == "postgresql"
    people = [resident(f"r{i}") for i in range(16)]
    awards.ingest(
        scheme["plan"],
        [event(f"t{i}", p, quantity="40") for i, p in enumerate(people)],
        "bus",
        [scheme["sc"]["green_travel"]],
    )
    out = race([lambda p=p: services.redeem(p, reward) for p in people])
    won = [o for o in out if isinstance(o, Redemption)]
    lost = [o for o in out if isinstance(o, ValidationFailed)]
    assert (len(won), len(lost)) == (5, 11), out
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert sorted(services.balance(p) for p in people) == [10] * 5 + [40] * 11
    sound()


def test_ledger_awards_and_redemptions_on_one_balance_lose_nothing(scheme, resident, reward):
    Reward.objects.filter(pk=reward.pk).update(stock=100)
    a = resident("busy")
    awards.ingest(scheme["plan"], [event("seed", a, quantity="100")], "bus", [scheme["sc"]["green_travel"]])  # 100
    award_fns = [
        lambda i=i: awards.ingest(
            scheme["plan"], [event(f"a{i}", a, quantity="10")], "bus", [scheme["sc"]["green_travel"]]
        )
        for i in range(8)
    ]  # 8 × 10 points
    redeem_fns = [lambda: services.redeem(a, reward) for _ in range(8)]  # 8 × 30 points wanted
    out = race([f for pair in zip(award_fns, redeem_fns, strict=True) for f in pair])
    redeemed = sum(isinstance(o, Redemption) for o in out)
    assert not [o for o in out if isinstance(o, Exception) and not isinstance(o, ValidationFailed)], out
    assert Event.objects.filter(ref__startswith="a", status="awarded").count() == 8  # no award lost
    assert services.balance(a) == 100 + 80 - 30 * redeemed >= 0
    assert 3 <= redeemed <= 6
    sound()


def test_inclusion_the_same_batch_sent_twice_at_once_is_stored_once(scheme, resident):
    from django.test import Client

    a = resident("dup")
    body = {"events": [event(f"b{i}", a, quantity="5") for i in range(20)]}
    out = race([lambda: signed_post(Client(), scheme["token"], body, "same-key") for _ in range(2)])
    assert [o.status_code for o in out] == [200, 200]
    assert out[0].json() == out[1].json()
    assert sorted(o.get("Idempotent-Replay", "") for o in out) == ["", "true"]
    assert EventBatch.objects.count() == 1 and Event.objects.count() == 20
    assert services.balance(a) == 20 * 5
    sound()
