"""The signed readings API: HMAC over the body, Idempotency-Key replays, batch limits, per-row results."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading

import pytest
from django.test import Client

from carbonpeak.accounts.models import ApiClient
from carbonpeak.enterprises.models import IngestBatch, Reading
from carbonpeak.enterprises.tests.test_ingest import CEMENT, rows

URL = "/api/v1/monitoring/readings"


@pytest.fixture
def meter(plan):
    from carbonpeak.enterprises import services

    services.import_enterprises(
        None, plan, rows({"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""})
    )
    services.import_meters(
        None, plan, rows({"uscc": CEMENT, "meter_code": "E-1", "carrier": "electricity", "unit": "MWh"})
    )
    return plan


def send(token: str, body: bytes, key: str | None = "k1", secret: str | None = None, client: Client | None = None):
    secret = ApiClient.signing_secret(token) if secret is None else secret
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_X_SIGNATURE": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return (client or Client()).post(URL, body, content_type="application/json", **headers)


def body(n: int, start: int = 0, value: str = "1.5") -> bytes:
    readings = [
        {
            "meter_code": "E-1",
            "reading_time": f"2024-05-01T{(i // 4):02d}:{(i % 4) * 15:02d}:00+08:00",
            "quantity": value,
        }
        for i in range(start, start + n)
    ]
    return json.dumps({"readings": readings}).encode()


@pytest.fixture
def grid_token(meter):
    from carbonpeak.enterprises.models import Enterprise

    c, token = ApiClient.issue("国网茶陵供电公司", "gateway", plan=meter)
    c.reading_enterprises.set(Enterprise.objects.filter(uscc=CEMENT))
    return token


def test_signed_batch_is_stored_and_a_replay_changes_nothing(meter, grid_token):
    b = body(8)
    r = send(grid_token, b)
    assert r.status_code == 200 and r.json() == {"accepted": 8, "duplicates": 0, "rejected": []}
    again = send(grid_token, b)
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true" and again.json() == r.json()
    assert Reading.objects.count() == 8 and IngestBatch.objects.count() == 1
    # the same rows under a new key: duplicates, still nothing new
    fresh = send(grid_token, b, key="k2").json()
    assert (fresh["accepted"], fresh["duplicates"]) == (0, 8)
    # the old key with another body is refused
    other = send(grid_token, body(2, start=20))
    assert other.status_code == 422 and other.json()["errors"][0]["code"] == "idempotency_conflict"


def test_signature_key_role_and_size_are_checked(meter, grid_token):
    assert send(grid_token, body(1), secret="wrong").status_code == 401
    tampered = send(grid_token, body(1))  # stored
    assert tampered.status_code == 200
    r = Client().post(
        URL,
        body(1, value="9"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {grid_token}",
        HTTP_X_SIGNATURE=hmac.new(ApiClient.signing_secret(grid_token).encode(), body(1), hashlib.sha256).hexdigest(),
        HTTP_IDEMPOTENCY_KEY="k9",
    )
    assert r.status_code == 401  # the signature is for another body
    assert send(grid_token, body(1), key=None).status_code == 422
    assert send("cpk_not-a-token", body(1)).status_code == 401
    _c, dept_token = ApiClient.issue("某部门", "department", meter.departments.get(code="dev_reform"))
    assert send(dept_token, body(1)).status_code == 403
    from carbonpeak.enterprises.api import MAX_BATCH

    big = send(grid_token, body(MAX_BATCH + 1), key="big")
    assert big.status_code == 413 and Reading.objects.count() == 1


def test_per_row_results_name_line_and_field(meter, grid_token):
    readings = [
        {"meter_code": "E-1", "reading_time": "2024-05-02T00:15:00+08:00", "quantity": "2"},
        {"meter_code": "E-9", "reading_time": "2024-05-02T00:15:00+08:00", "quantity": "2"},
        {"meter_code": "E-1", "reading_time": "2024-05-02T00:30:00", "quantity": "2"},
    ]
    r = send(grid_token, json.dumps({"readings": readings}).encode()).json()
    assert r["accepted"] == 1 and [(x["line"], x["field"]) for x in r["rejected"]] == [
        (2, "meter_code"),
        (3, "reading_time"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once(meter, grid_token):
    from django.db import connection, connections

    assert connection.vendor == "postgresql"
    b = body(96)
    barrier = threading.Barrier(2)
    results = []

    def go():
        barrier.wait()
        try:
            r = send(grid_token, b, key="same")
            results.append((r.status_code, r.json(), r.get("Idempotent-Replay")))
        finally:
            connections.close_all()

    ts = [threading.Thread(target=go) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert Reading.objects.count() == 96 and IngestBatch.objects.count() == 1
    assert sorted(s for s, _, _ in results) == [200, 200]
    assert (
        [j for _, j, _ in results][0]
        == [j for _, j, _ in results][1]
        == {"accepted": 96, "duplicates": 0, "rejected": []}
    )
    assert sorted(str(h) for _, _, h in results) == ["None", "true"]


def test_a_non_ascii_signature_is_a_401_not_a_500(meter, grid_token):
    r = Client().post(
        URL,
        body(1),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {grid_token}",
        HTTP_X_SIGNATURE="签名",
        HTTP_IDEMPOTENCY_KEY="k-x",
    )
    assert r.status_code == 401
