"""POST /api/v1/calc over HTTP: anonymous callers are throttled per address, callers with a session or a client
token are not; the body and the size of a case have smaller limits than the command line."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from carbonpeak.accounts.models import ApiClient
from carbonpeak.calc_api import HTTP_LIMITS, MAX_ANON_BODY_BYTES, MAX_BODY_BYTES
from carbonpeak.core import limits

pytestmark = pytest.mark.django_db
CASE = {"calc": "gwp", "gwp_set": "AR5", "gases_t": {"CH4": 1}}


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    cache.clear()
    yield
    cache.clear()


def post(client: Client, body, **headers):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post("/api/v1/calc", data=data, content_type="application/json", **headers)


def limited_rate(monkeypatch, n: int) -> None:
    from carbonpeak import calc_api

    for op in calc_api.router.path_operations[""].operations:
        for t in op.throttle_objects:
            monkeypatch.setattr(t, "num_requests", n)


def test_anonymous_callers_are_throttled_per_address(monkeypatch):
    limited_rate(monkeypatch, 3)
    a = Client(REMOTE_ADDR="198.51.100.7")
    assert [post(a, CASE).status_code for _ in range(3)] == [200, 200, 200]
    r = post(a, CASE)
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1
    # a forged X-Forwarded-For does not make a new address (no proxy configured)
    assert post(a, CASE, HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 429
    assert post(Client(REMOTE_ADDR="198.51.100.8"), CASE).status_code == 200  # another address


def test_token_and_session_callers_are_not_throttled(monkeypatch, make_user):
    limited_rate(monkeypatch, 2)
    _c, token = ApiClient.issue("统计局脚本", "office")
    c = Client(REMOTE_ADDR="198.51.100.7")
    assert {post(c, CASE, HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(5)} == {200}
    user = make_user("analyst", "office")
    s = Client(REMOTE_ADDR="198.51.100.9", enforce_csrf_checks=True)
    s.force_login(user)
    s.get("/password/")  # a page with a form: sets the CSRF cookie
    csrf = s.cookies["csrftoken"].value
    assert {post(s, CASE, HTTP_X_CSRFTOKEN=csrf).status_code for _ in range(5)} == {200}
    # a revoked token is not silently taken as anonymous: 401
    ApiClient.objects.update(is_active=False)
    assert post(c, CASE, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_http_body_limits_are_below_the_command_line(make_user):
    big = json.dumps({**CASE, "pad": "x" * MAX_ANON_BODY_BYTES}).encode()
    r = post(Client(), big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    _c, token = ApiClient.issue("脚本", "office")
    r = post(Client(), big, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422  # accepted in size; "pad" is not a key of the gwp case
    assert r.json()["error"]["field"] == "pad"
    huge = json.dumps({**CASE, "pad": "x" * MAX_BODY_BYTES}).encode()
    assert post(Client(), huge, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 413


def test_http_case_size_limits_name_the_field():
    n = HTTP_LIMITS["inventory"]["lines"] + 1
    assert n <= limits.MAX_LINES  # the command line would take it
    lines = [{"id": f"l{i}", "carrier": "diesel", "quantity": 1, "unit": "t"} for i in range(n)]
    _c, token = ApiClient.issue("脚本", "office")
    r = post(Client(), {"calc": "inventory", "lines": lines}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (
        r.status_code == 422
        and r.json()["error"]["field"] == "lines"
        and "carbonpeak calc" in r.json()["error"]["message"]
    )
    ok = post(Client(), {"calc": "inventory", "lines": lines[:-1]}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    draws = HTTP_LIMITS["projection"]["draws"] + 1
    assert draws <= limits.MAX_DRAWS
    case = {"calc": "projection", "base_year": 2020, "end_year": 2030, "draws": draws, "sectors": {}}
    r = post(Client(), case, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422 and r.json()["error"]["field"] == "draws"
