"""The grid company's signed API: signature, Idempotency-Key replay, scope, per-row report, update, re-feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.test import Client

from carbonpeak.accounts.models import ApiClient
from carbonpeak.audit.models import AuditEntry
from carbonpeak.generation import fetch
from carbonpeak.generation.models import Unit, UnitBatch
from carbonpeak.generation.services import set_grid_client
from carbonpeak.plan.models import IndicatorValue

pytestmark = pytest.mark.django_db
URL = "/api/v1/generation/units"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(fetch, "beijing_today", lambda: dt.date(2026, 3, 1))


def send(token: str, body: bytes, key: str | None = "k1", secret: str | None = None):
    secret = ApiClient.signing_secret(token) if secret is None else secret
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_X_SIGNATURE": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(URL, body, content_type="application/json", **headers)


UNITS = [
    {"unit_id": "PV-1", "type": "pv", "township": "城关镇", "capacity_mw": "100.0005", "connected_on": "2024-12-31"},
    {"unit_id": "WD-1", "type": "wind", "township": "严塘镇", "capacity_mw": 50, "connected_on": "2025-01-01"},
    {"unit_id": "ST-1", "type": "storage", "township": "城关镇", "capacity_mw": 10, "connected_on": "2024-06-01"},
    {"unit_id": "PV-1", "type": "pv", "township": "城关镇", "capacity_mw": "100.0005", "connected_on": "2024-12-31"},
    {"unit_id": "X-1", "type": "coal", "township": "城关镇", "capacity_mw": 1, "connected_on": "2024-01-01"},
    {"unit_id": "X-2", "type": "pv", "township": {"a": 1}, "capacity_mw": 1, "connected_on": "2024-01-01"},
]


def body(units=UNITS, **extra) -> bytes:
    return json.dumps({"units": units, **extra}, ensure_ascii=False).encode()


@pytest.fixture
def grid(plan):
    c, token = ApiClient.issue("国网茶陵供电公司", "gateway", plan=plan)
    set_grid_client(None, c)
    return token


def test_batch_is_stored_fed_and_a_replay_changes_nothing(plan, grid):
    r = send(grid, body())
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["accepted"], out["duplicates"]) == (3, 1)
    assert [(x["line"], x["field"]) for x in out["rejected"]] == [(5, "type"), (6, "township")]
    assert Unit.objects.filter(plan=plan).count() == 3
    v = IndicatorValue.objects.get(target__code="new_energy_capacity_energy_task", year=2025)
    assert v.value == Decimal("150.001")  # 150.0005 MW → 15.0001 万千瓦 × 10
    created = AuditEntry.objects.filter(action="generation_unit.create").first()
    assert created.actor_label and "国网茶陵供电公司" in created.actor_label
    again = send(grid, body())
    assert again["Idempotent-Replay"] == "true" and again.json() == out
    assert UnitBatch.objects.count() == 1
    other = send(grid, body(UNITS[:1]))  # the same key with another body
    assert other.status_code == 422 and other.json()["errors"][0]["code"] == "idempotency_conflict"


def test_conflict_then_signed_update(plan, grid):
    send(grid, body(UNITS[:2]))
    changed = [{**UNITS[1], "capacity_mw": 55}]
    r = send(grid, body(changed), key="k2").json()
    assert r["accepted"] == 0 and r["rejected"][0]["line"] == 1
    r = send(grid, body(changed, update=True), key="k3").json()
    assert (r["accepted"], r["rejected"]) == (1, [])
    assert Unit.objects.get(unit_id="WD-1").capacity_mw == Decimal("55")
    assert IndicatorValue.objects.get(target__code="new_energy_capacity", year=2025).value == Decimal("155.001")


def test_bad_signature_missing_key_and_scope(plan, grid):
    r = send(grid, body(), secret="wrong")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "bad_signature"
    r = send(grid, body(), key=None)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"
    # a gateway the office did not allow, and an office client, are refused; nothing stored
    _, other = ApiClient.issue("另一网关", "gateway", plan=plan)
    assert send(other, body()).status_code == 403
    _, office = ApiClient.issue("办公室脚本", "office", plan=plan)
    assert send(office, body()).status_code == 403
    assert not Unit.objects.exists()
    # revoked: refused again
    set_grid_client(None, ApiClient.objects.get(name="国网茶陵供电公司"), False)
    assert send(grid, body(), key="k9").status_code == 403


def test_body_must_hold_units(plan, grid):
    r = send(grid, b'{"rows": []}')
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "units"
