from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def scheme(plan, office):
    """The shipped scenarios, published 30 days ago (in force), a funded green-travel pool, an operator."""
    from django.utils import timezone

    from carbonpeak.accounts.models import ApiClient
    from carbonpeak.inclusion import config, services
    from carbonpeak.inclusion.models import OperatorScope

    scenarios = {
        s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))
    }
    services.fund(office, scenarios["green_travel"], 100_000, "2026 年 12 月预算")
    client, token = ApiClient.issue("县公交公司", "operator", plan=plan)
    scope = OperatorScope.objects.create(client=client, channel="bus")
    scope.scenarios.add(scenarios["green_travel"], scenarios["green_life"])
    return {"plan": plan, "office": office, "sc": scenarios, "client": client, "token": token}


@pytest.fixture
def resident(scheme, make_user):
    from carbonpeak.inclusion import services

    def make(name: str, consent: tuple[str, ...] = ("green_travel",)):
        user = make_user(name, "resident")
        r = services.join(scheme["plan"], user, name, phone="13800000000", community="洣江社区")
        for code in consent:
            services.grant(r, scheme["sc"][code])
        return r

    return make


def event(ref, resident, methodology="bus", quantity="10", when=None, **kw):
    when = when or (dt.datetime.now(BJ) - dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {"ref": ref, "resident": resident.pseudonym, "methodology": methodology, "quantity": quantity,
            "occurred_at": when.isoformat(), **kw}  # fmt: skip


def signed_post(client, token, body: dict, key: str):
    from carbonpeak.accounts.models import ApiClient

    raw = json.dumps(body).encode()
    sig = hmac.new(ApiClient.signing_secret(token).encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/api/v1/inclusion/events", raw, content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Signature": sig, "Idempotency-Key": key},
    )  # fmt: skip
