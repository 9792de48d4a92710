"""Bad inputs to 碳普惠 are refused with a field-named 4xx, never a 500; rules cannot be skipped."""

from __future__ import annotations

import pytest

from carbonpeak.inclusion import awards, services
from carbonpeak.inclusion.choices import EventStatus
from carbonpeak.inclusion.models import AnomalyRule, Event, Reward
from carbonpeak.inclusion.tests.conftest import event, signed_post

pytestmark = pytest.mark.django_db


def ingest(scheme, rows):
    return awards.ingest(scheme["plan"], rows, "bus", [scheme["sc"]["green_travel"], scheme["sc"]["green_life"]])


def _only(rep):
    d = rep.as_dict() if hasattr(rep, "as_dict") else rep
    assert len(d["events"]) == 1
    return d["events"][0]


def test_nul_in_an_event_ref_is_422_naming_the_field(client, scheme, resident):
    a = resident("nul")
    r = signed_post(client, scheme["token"], {"events": [event("ok", a), event("a\x00b", a)]}, "k-nul")
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == "events[1].ref"
    assert not Event.objects.exists()


def test_nul_in_a_ref_given_to_the_scoring_directly_is_rejected_per_row(scheme, resident):
    a = resident("nul2")
    item = _only(ingest(scheme, [event("a\x00b", a)]))
    assert item["status"] == "rejected" and item["field"] == "ref"


def test_nul_in_the_idempotency_key_is_a_422(client, scheme, resident):
    a = resident("nulkey")
    r = signed_post(client, scheme["token"], {"events": [event("k1", a)]}, "k\x00")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "idempotency_key"


@pytest.mark.parametrize("dur", ["1e30", 1e30, "NaN", "1,2", "abc", "-1", 1441])
def test_absurd_durations_are_rejected(client, scheme, resident, dur):
    a = resident("dur")
    body = {"events": [event("d1", a, methodology="bike", quantity="2", duration_minutes=dur)]}
    r = signed_post(client, scheme["token"], body, f"k-{dur!r}")
    assert r.status_code == 200, r.content
    item = r.json()["events"][0]
    assert item["status"] == "rejected" and item["field"] == "duration_minutes"
    assert not Event.objects.exists()


@pytest.mark.parametrize("q", ["0", "0.000", 0, "1,2", "1e3", "１,2"])
def test_zero_or_malformed_quantities_are_not_awarded(scheme, resident, q):
    a = resident("zero")
    item = _only(ingest(scheme, [event("z1", a, quantity=q)]))
    assert item["status"] == "rejected" and item["field"] == "quantity"
    assert not Event.objects.filter(status=EventStatus.AWARDED).exists()


def test_thousands_and_fullwidth_quantities_read_alike(scheme, resident):
    a = resident("wide")
    rep = ingest(scheme, [event("w1", a, quantity="１０"), event("w2", a, quantity="1,000")]).as_dict()
    assert rep["awarded"] == 2
    assert sorted(Event.objects.values_list("quantity", flat=True)) == [10, 1000]


@pytest.mark.parametrize("extra", [{}, {"duration_minutes": "0"}, {"duration_minutes": ""}])
def test_a_speed_rule_cannot_be_skipped_by_leaving_out_the_duration(scheme, resident, extra):
    assert AnomalyRule.objects.filter(kind=AnomalyRule.Kind.MAX_SPEED, is_active=True).exists()
    a = resident("speed")
    item = _only(ingest(scheme, [event("s1", a, methodology="bike", quantity="20", **extra)]))
    assert item["status"] == "held"
    assert services.balance(a) == 0


def test_a_plausible_ride_with_its_duration_is_awarded(scheme, resident):
    a = resident("rider")
    item = _only(ingest(scheme, [event("s2", a, methodology="bike", quantity="5", duration_minutes="30")]))
    assert item["status"] == "awarded"


@pytest.mark.parametrize("reward", ["abc", "", "1e3", "99999999999999999999", "\x00"])
def test_redeeming_a_malformed_reward_id_is_a_4xx(client, scheme, resident, reward):
    a = resident("shopper")
    client.force_login(a.user)
    r = client.post("/inclusion/rewards/", {"reward": reward})
    assert 400 <= r.status_code < 500
    assert not Reward.objects.filter(redemptions__isnull=False).exists()
