"""Machine-client scopes on the readings API: only a gateway writes readings, only for its enterprises; every
stored reading records the batch (and so the client) that sent it; revoked, expired and rotated tokens are
refused with a clear 401."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from carbonpeak.accounts import services as accounts
from carbonpeak.accounts.models import ApiClient
from carbonpeak.audit.models import AuditEntry
from carbonpeak.enterprises.models import Enterprise, IngestBatch, Reading
from carbonpeak.enterprises.tests.test_ingest import CEMENT, FOODS, rows
from carbonpeak.enterprises.tests.test_machine_api import body, send


@pytest.fixture
def two(plan):
    """Two enterprises, A (cement, meter E-1) and B (foods, meter F-1)."""
    from carbonpeak.enterprises import services

    services.import_enterprises(
        None,
        plan,
        rows(
            {"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""},
            {"uscc": FOODS, "name": "食品厂", "industry_code": "1391", "township": ""},
        ),
    )
    services.import_meters(
        None,
        plan,
        rows(
            {"uscc": CEMENT, "meter_code": "E-1", "carrier": "electricity", "unit": "MWh"},
            {"uscc": FOODS, "meter_code": "F-1", "carrier": "electricity", "unit": "MWh"},
        ),
    )
    return Enterprise.objects.get(uscc=CEMENT), Enterprise.objects.get(uscc=FOODS)


def gateway(name, *enterprises, **kw):
    from carbonpeak.plan.models import Plan

    kw.setdefault("plan", enterprises[0].plan if enterprises else Plan.objects.order_by("id").first())
    client, token = accounts.issue_client(None, name, "gateway", **kw)
    client.reading_enterprises.set(enterprises)
    return client, token


def test_an_operator_token_cannot_write_readings(two):
    """A 碳普惠 operator (bus company) token: 403 with a message naming the role, nothing stored."""
    from carbonpeak.inclusion.models import OperatorScope

    client, token = ApiClient.issue("县公交公司", "operator", plan=two[0].plan)
    OperatorScope.objects.create(client=client, channel="bus")
    # even if someone had put the operator on an enterprise, the role is refused
    client.reading_enterprises.set(two)
    r = send(token, body(4))
    assert r.status_code == 403
    err = r.json()["errors"][0]
    assert err["code"] == "forbidden_role" and "gateway" in err["message_en"] and "计量" in err["message_zh"]
    assert Reading.objects.count() == 0 and IngestBatch.objects.count() == 0


def test_office_and_department_tokens_cannot_write_readings_either(two, plan):
    for name, role, dept in (("统计局", "office", None), ("发改局", "department", "dev_reform")):
        _c, token = ApiClient.issue(name, role, plan.departments.get(code=dept) if dept else None, plan=plan)
        assert send(token, body(1), key=name).status_code == 403
    assert Reading.objects.count() == 0


def test_a_gateway_without_enterprises_is_refused(two):
    _c, token = gateway("网关-空")
    r = send(token, body(1))
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "no_scope"
    assert Reading.objects.count() == 0 and IngestBatch.objects.count() == 0


def test_a_gateway_of_enterprise_a_cannot_write_b_meters(two):
    a, _b = two
    client, token = gateway("A厂网关", a)
    readings = [
        {"meter_code": "E-1", "reading_time": "2024-05-01T00:15:00+08:00", "quantity": "2"},
        {"meter_code": "F-1", "reading_time": "2024-05-01T00:15:00+08:00", "quantity": "999"},
    ]
    out = send(token, json.dumps({"readings": readings}).encode()).json()
    assert out["accepted"] == 1
    assert [(x["line"], x["field"]) for x in out["rejected"]] == [(2, "meter_code")]
    assert "授权" in out["rejected"][0]["message"]
    assert list(Reading.objects.values_list("meter__meter_code", flat=True)) == ["E-1"]
    # B's own gateway later sends its real value: stored, not a "conflict"
    _cb, token_b = gateway("B厂网关", two[1])
    real = [{"meter_code": "F-1", "reading_time": "2024-05-01T00:15:00+08:00", "quantity": "3"}]
    assert send(token_b, json.dumps({"readings": real}).encode()).json() == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": [],
    }


def test_the_stored_reading_records_its_batch_and_client(two):
    client, token = gateway("A厂网关", two[0])
    assert send(token, body(3), key="batch-7").status_code == 200
    batch = IngestBatch.objects.get(client=client, idempotency_key="batch-7")
    stored = list(Reading.objects.select_related("batch__client"))
    assert len(stored) == 3
    assert {r.batch_id for r in stored} == {batch.pk} and {r.batch.client.name for r in stored} == {"A厂网关"}
    # a reading from a file import carries no batch
    from carbonpeak.enterprises import services

    june = {"meter_code": "E-1", "reading_time": "2024-06-01T00:15:00+08:00", "quantity": "1"}
    services.ingest_readings(None, rows(june))
    assert Reading.objects.get(reading_time__month=6).batch_id is None


@pytest.mark.postgres
def test_the_batch_is_recorded_on_postgresql_too(two):
    """PostgreSQL stores readings by COPY (new data) or through a staging table (mixed): both record the batch."""
    from django.db import connection

    assert connection.vendor == "postgresql"
    client, token = gateway("A厂网关", two[0])
    assert send(token, body(4), key="k-new").json()["accepted"] == 4  # the COPY path
    assert send(token, body(6), key="k-mixed").json()["accepted"] == 2  # 4 duplicates: the staged path
    by_key = dict(Reading.objects.values_list("reading_time", "batch__idempotency_key"))
    assert sorted(by_key.values()) == ["k-mixed"] * 2 + ["k-new"] * 4


def test_revoked_expired_and_rotated_tokens_are_refused_with_a_reason(two):
    client, token = gateway("A厂网关", two[0])
    assert send(token, body(1), key="a").status_code == 200

    new = accounts.rotate_client(None, client, expires_days=30)
    old = send(token, body(1, start=1), key="b")
    assert old.status_code == 401  # the old token no longer works (nor its signing secret)
    assert send(new, body(1, start=1), key="b").status_code == 200
    client.refresh_from_db()
    assert client.expires_at > timezone.now() + dt.timedelta(days=29)

    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = send(new, body(1, start=2), key="c")
    assert expired.status_code == 401
    err = expired.json()["errors"][0]
    assert err["code"] == "token_expired" and "过期" in err["message_zh"] and "expired" in err["message_en"]

    accounts.revoke_client(None, client)
    revoked = send(new, body(1, start=2), key="d")
    assert revoked.status_code == 401 and revoked.json()["errors"][0]["code"] == "token_revoked"
    assert Reading.objects.count() == 2
    actions = set(AuditEntry.objects.filter(object_id=str(client.pk)).values_list("action", flat=True))
    assert {"client.issue", "client.rotate", "client.revoke"} <= actions


def test_a_token_issued_with_an_expiry_has_it(two):
    client, _token = accounts.issue_client(None, "临时网关", "gateway", expires_days=7, plan=two[0].plan)
    assert dt.timedelta(days=6) < client.expires_at - timezone.now() <= dt.timedelta(days=7)
    forever, _ = accounts.issue_client(None, "长期网关", "gateway", expires_days=0, plan=two[0].plan)
    assert forever.expires_at is None
