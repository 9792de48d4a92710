"""碳普惠: methodologies, consent, operator batches, caps, budget, anomaly review, the ledger, rewards, export
and deletion. Names carry inclusion / ledger / redemption so that ``-k`` selects them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.inclusion import awards, config, ledger, services
from carbonpeak.inclusion.choices import EventStatus
from carbonpeak.inclusion.models import Event, LedgerAccount, LedgerEntry, Merchant, Redemption, Reward
from carbonpeak.inclusion.tests.conftest import BJ, event, signed_post
from carbonpeak.validation import ValidationFailed


def ingest(scheme, rows, channel="bus"):
    return awards.ingest(scheme["plan"], rows, channel, [scheme["sc"]["green_travel"], scheme["sc"]["green_life"]])


def test_inclusion_methodology_versions_golden_cases_and_notice(scheme):
    sc = scheme["sc"]["green_travel"]
    spec = {
        "code": "bus", "name": "公交 v2", "kind": "distance", "unit": "km", "points_per_gco2": "0.02",
        "params": {"baseline_kgco2_per_km": {"value": "0.135", "unit": "kg", "source": "x"},
                   "mode_kgco2_per_km": {"value": "0.035", "unit": "kg", "source": "x"}},
        "golden_cases": [{"quantity": "10", "points": 10}],  # wrong: v2 doubles the rate
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as e:
        config.publish_methodology(scheme["office"], sc, spec)
    assert e.value.issues[0].field == "golden_cases[0]"
    spec["golden_cases"] = [{"quantity": "10", "points": 20}]
    v2 = config.publish_methodology(scheme["office"], sc, spec)
    assert v2.version == 2 and v2.effective_from == (v2.published_at + dt.timedelta(days=7)).date()
    versions = list(sc.methodologies.filter(code="bus"))
    today = dt.datetime.now(BJ).date()
    assert awards.in_force(versions, today).version == 1  # still in its notice period
    assert awards.in_force(versions, v2.effective_from).version == 2
    v2.name = "changed"
    with pytest.raises(ValueError):
        v2.save()  # published versions are immutable


def test_inclusion_batch_scores_exactly_and_the_same_act_scores_once(scheme, resident):
    a = resident("alice")
    rep = ingest(scheme, [event("trip-1", a, quantity="12.5"), event("trip-1", a, quantity="12.5")]).as_dict()
    # (0.135 − 0.035) kg/km × 12.5 km = 1 250 g × 0.01 = 12.5 → 12 points (floored)
    assert (rep["awarded"], rep["duplicate"], rep["points"]) == (1, 1, 12)
    again = awards.ingest(scheme["plan"], [event("trip-1", a, quantity="12.5")], "app", [scheme["sc"]["green_travel"]])
    assert again.as_dict()["duplicate"] == 1  # the same act through another channel
    assert services.balance(a) == 12
    e = Event.objects.get(ref="trip-1")
    assert (e.reduction_g, e.points, e.methodology.version) == (Decimal("1250.000000"), 12, 1)


def test_inclusion_consent_is_required_and_revocable(scheme, resident):
    a = resident("bob", consent=())
    rep = ingest(scheme, [event("t1", a)]).as_dict()
    assert rep["rejected"] == 1 and rep["events"][0]["field"] == "resident"
    services.grant(a, scheme["sc"]["green_travel"])
    assert ingest(scheme, [event("t2", a)]).as_dict()["awarded"] == 1
    services.revoke(a, scheme["sc"]["green_travel"])
    assert ingest(scheme, [event("t3", a)]).as_dict()["rejected"] == 1
    assert a.consents.count() == 1 and a.consents.get().revoked_at is not None  # history kept


def test_inclusion_daily_cap_and_waiting_budget(scheme, resident):
    a = resident("carol")
    rows = [event(f"k{i}", a, quantity="100") for i in range(3)]  # 100 points each
    rep = ingest(scheme, rows).as_dict()
    assert [x["points"] for x in rep["events"]] == [100, 100, 0]
    assert Event.objects.get(ref="k2").points_due == 100 and services.balance(a) == 200
    # budget: green consumption's pool is empty, so awards wait; a top-up pays them in arrival order
    sc2 = scheme["sc"]["green_consumption"]
    b = resident("dave", consent=("green_consumption",))
    rows = [event(f"w{i}", b, methodology="efficient_appliance", quantity="1") for i in range(2)]  # 100 points each
    rep = awards.ingest(scheme["plan"], rows, "shop", [sc2]).as_dict()
    assert rep["waiting"] == 2 and services.balance(b) == 0
    services.fund(scheme["office"], sc2, 150, "2026 年 12 月预算")  # pays the first, not yet the second
    assert [e.status for e in Event.objects.filter(ref__in=["w0", "w1"]).order_by("ref")] == ["awarded", "waiting"]
    assert services.balance(b) == 100 and ledger.pool_account(sc2).balance == 50
    services.fund(scheme["office"], sc2, 50, "补充")
    assert services.balance(b) == 200 and ledger.pool_account(sc2).balance == 0
    assert ledger.check_balanced() == {"unbalanced_txns": [], "drifted_accounts": []}


def test_inclusion_anomalies_are_held_and_reviewed(scheme, resident):
    a = resident("erin")
    late = dt.datetime.now(BJ).replace(hour=2, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    rep = ingest(
        scheme,
        [event("night", a, when=late), event("fast", a, methodology="bike", quantity="20", duration_minutes="10")],
    ).as_dict()
    assert rep["held"] == 2 and services.balance(a) == 0
    with pytest.raises(ValidationFailed):
        awards.review(scheme["office"], Event.objects.get(ref="night"), True, "")
    awards.review(scheme["office"], Event.objects.get(ref="night"), True, "夜班公交，核实无误")
    awards.review(scheme["office"], Event.objects.get(ref="fast"), False, "120 km/h 不可能是骑行")
    assert services.balance(a) == 10
    assert Event.objects.get(ref="fast").status == EventStatus.REJECTED


def test_ledger_entries_sum_to_zero_and_balances_are_derived(scheme, resident):
    a = resident("frank")
    ingest(scheme, [event(f"s{i}", a) for i in range(5)])
    assert ledger.check_balanced() == {"unbalanced_txns": [], "drifted_accounts": []}
    e = LedgerEntry.objects.first()
    with pytest.raises(ValueError):
        e.save()
    with pytest.raises(ValueError):
        e.delete()
    acc = ledger.resident_account(a)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=acc.pk).update(balance=-1)  # the database refuses a negative balance


@pytest.fixture
def shop(scheme, make_user):
    m = Merchant.objects.create(plan=scheme["plan"], name="茶陵绿色超市")
    clerk = make_user("clerk", "merchant")
    m.users.add(clerk)
    r = Reward.objects.create(merchant=m, name="环保袋", points_price=30, value_yuan=Decimal("3.00"), stock=2,
                              valid_until=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    return {"merchant": m, "clerk": clerk, "reward": r}


def test_redemption_code_verify_once_and_settlement(scheme, resident, shop, make_user):
    a = resident("gina")
    ingest(scheme, [event("g1", a, quantity="50")])
    red = services.redeem(a, shop["reward"])
    assert services.balance(a) == 20 and Reward.objects.get(pk=shop["reward"].pk).stock == 1
    with pytest.raises(ValidationFailed) as e:
        services.redeem(a, shop["reward"])
    assert e.value.issues[0].field == "points"
    other = make_user("other_clerk", "merchant")
    with pytest.raises(PermissionDenied):
        services.verify(other, shop["merchant"], red.code)
    services.verify(shop["clerk"], shop["merchant"], red.code)
    with pytest.raises(ValidationFailed):
        services.verify(shop["clerk"], shop["merchant"], red.code)  # once
    period = dt.date.today().strftime("%Y-%m")
    s = services.settle(scheme["office"], shop["merchant"], period)
    assert (s.points, s.value_yuan) == (30, Decimal("3.00"))
    with pytest.raises(ValidationFailed):
        services.settle(scheme["office"], shop["merchant"], period)
    assert ledger.merchant_account(shop["merchant"]).balance == 0
    assert ledger.check_balanced()["unbalanced_txns"] == []


def test_inclusion_export_and_delete_forfeit_and_keep_the_ledger(scheme, resident, shop):
    a = resident("hank")
    ingest(scheme, [event("h1", a, quantity="70")])
    red = services.redeem(a, shop["reward"])  # an unused code: refunded at deletion
    data = services.export(a)
    assert data["balance"] == 40 and data["events"][0]["ref"] == "h1" and "13800000000" not in str(data)
    services.delete_account(a)
    a.refresh_from_db()
    assert (a.display_name, a.phone_hash, a.user, a.deleted_at is not None) == ("", "", None, True)
    assert services.balance(a) == 0
    assert Redemption.objects.get(pk=red.pk).status == "cancelled"
    assert Reward.objects.get(pk=shop["reward"].pk).stock == 2
    assert ledger.system_account(scheme["plan"], "forfeited").balance == 70
    assert ledger.check_balanced() == {"unbalanced_txns": [], "drifted_accounts": []}
    assert ingest(scheme, [event("h2", a)]).as_dict()["rejected"] == 1  # no events for a deleted account


def test_inclusion_household_invite_and_electricity_saving(scheme, resident):
    from carbonpeak.inclusion.models import HouseholdBaseline

    a, b = resident("ivy", consent=("green_life",)), resident("jack", consent=("green_life",))
    h = services.create_household(a, "伊家")
    inv = services.invite(a)
    services.accept(b, inv.code)
    with pytest.raises(ValidationFailed):
        services.accept(b, inv.code)  # used
    month = dt.datetime.now(BJ) - dt.timedelta(days=1)
    HouseholdBaseline.objects.create(household=h, month=month.month, kwh=Decimal("300"), year=month.year - 1)
    services.fund(scheme["office"], scheme["sc"]["green_life"], 1000, "预算")
    rep = ingest(scheme, [event("grid-ivy", b, methodology="household_power", quantity="280", when=month)]).as_dict()
    # 300 − 280 = 20 kWh × 513.8 g = 10 276 g × 0.002 = 20.552 → 20 points
    assert rep["events"][0]["points"] == 20
    summary = services.household_summary(h)
    assert summary["balance"] == 20 and len(summary["members"]) == 2


def test_inclusion_signed_batch_replay_changes_nothing(scheme, resident, client):
    a = resident("kate")
    body = {"events": [event("api-1", a), event("api-2", a, quantity="x")]}
    r1 = signed_post(client, scheme["token"], body, "batch-1")
    assert r1.status_code == 200 and r1.json()["awarded"] == 1 and r1.json()["rejected"] == 1
    before = (LedgerEntry.objects.count(), services.balance(a))
    r2 = signed_post(client, scheme["token"], body, "batch-1")
    assert r2.json() == r1.json() and r2["Idempotent-Replay"] == "true"
    assert (LedgerEntry.objects.count(), services.balance(a)) == before
    r3 = signed_post(client, scheme["token"], {"events": []}, "batch-1")
    assert r3.status_code == 422
    bad = client.post(
        "/api/v1/inclusion/events", b"{}", content_type="application/json",
        headers={"Authorization": f"Bearer {scheme['token']}", "X-Signature": "00", "Idempotency-Key": "k"},
    )  # fmt: skip
    assert bad.status_code == 401


def test_inclusion_household_baselines_are_imported_per_row(scheme, resident):
    from carbonpeak.inclusion.models import HouseholdBaseline

    a = resident("lily", consent=("green_life",))
    lone = resident("mia", consent=())
    services.create_household(a, "李家")
    rows = [
        (2, {"resident": a.pseudonym, "year": "2025", "month": "11", "kwh": "312.5"}),
        (3, {"resident": a.pseudonym, "year": "2025", "month": "13", "kwh": "1"}),
        (4, {"resident": lone.pseudonym, "year": "2025", "month": "11", "kwh": "200"}),
        (5, {"resident": a.pseudonym, "year": "2025", "month": "12", "kwh": "-4"}),
    ]
    rep = services.import_baselines(scheme["plan"], rows).as_dict()
    assert rep["accepted"] == 1 and [(r["line"], r["field"]) for r in rep["rejected"]] == [
        (3, "month"),
        (4, "resident"),
        (5, "kwh"),
    ]
    assert services.import_baselines(scheme["plan"], rows[:1]).as_dict()["duplicates"] == 1
    assert HouseholdBaseline.objects.get().kwh == Decimal("312.5")
