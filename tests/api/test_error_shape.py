"""Every 4xx of /api/v1/ is ``{"errors": [{code, field, message_zh, message_en, message, severity}]}``, whoever
makes it (ninja's validation, authentication, CSRF, 404 and 405, Django's resolver, the services, the signed
batches); writes without credentials answer 401 with ``WWW-Authenticate``, not a CSRF 403; and the OpenAPI
schema declares each of these statuses, the signed batches with their headers and body."""

from __future__ import annotations

import json

import pytest
from django.test import Client

ITEM_KEYS = {"code", "field", "message", "message_zh", "message_en", "severity"}


def shaped(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) >= {"errors"} and body["errors"], body
    for item in body["errors"]:
        assert ITEM_KEYS <= set(item), item
        assert item["message"] == f"{item['message_zh']} / {item['message_en']}"
    return body["errors"][0]


def post_json(client: Client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_a_write_without_credentials_is_401_with_www_authenticate_not_a_csrf_403(plan):
    url = f"/api/v1/plans/{plan.code}/targets/non_fossil_share/values"
    r = post_json(Client(enforce_csrf_checks=True), url, {"year": 2025, "value": "0.2"})
    err = shaped(r, 401)
    assert err["code"] == "unauthorized" and r["WWW-Authenticate"].startswith("Bearer")
    r = Client(enforce_csrf_checks=True).post(f"/api/v1/accounting/{plan.code}/inventories/2021/approve")
    assert shaped(r, 401)["code"] == "unauthorized"


def test_a_logged_in_browser_still_needs_its_csrf_token(plan, office):
    c = Client(enforce_csrf_checks=True)
    c.force_login(office)
    url = f"/api/v1/plans/{plan.code}/tasks/{plan.tasks.order_by('pk').first().code}"
    r = c.patch(url, json.dumps({"status": "in_progress"}), content_type="application/json")
    assert shaped(r, 403)["code"] == "csrf"


def test_permission_denied_unknown_and_invalid_have_the_shape(plan, fgj):
    c = Client()
    c.force_login(fgj)  # a department officer may not re-assign targets
    r = c.put(
        f"/api/v1/plans/{plan.code}/targets/non_fossil_share/assignments",
        json.dumps({"lead_departments": ["dev_reform"]}),
        content_type="application/json",
    )
    assert shaped(r, 403)["code"] == "forbidden"
    assert shaped(Client().get("/api/v1/plans/no-such-plan"), 404)["code"] == "not_found"
    assert shaped(Client().get("/api/v1/no/such/path"), 404)["code"] == "not_found"
    r = Client().delete(f"/api/v1/plans/{plan.code}")
    assert shaped(r, 405)["code"] == "method_not_allowed" and "GET" in r["Allow"]


def test_body_and_parameter_validation_name_the_field(plan, office):
    c = Client()
    c.force_login(office)
    url = f"/api/v1/plans/{plan.code}/targets/non_fossil_share/values"
    err = shaped(post_json(c, url, {"year": "abc", "value": "0.2"}), 422)
    assert err["field"] == "year" and err["message_zh"] == "应为整数"
    r = c.post(url, b"{not json", content_type="application/json")
    assert shaped(r, 422)["code"] == "json_invalid"
    err = shaped(post_json(c, url, {"year": 2025, "value": "0.2", "note": "a\x00b"}), 422)
    assert err["field"] == "note" and "NUL" in err["message_zh"]
    r = post_json(c, url, {"year": 2025, "value": "1\x00"})  # a text-or-number: one item, the field's own path
    assert [e["field"] for e in r.json()["errors"]] == ["value"]
    r = Client().get("/api/v1/accounting/factor-sets/x/factors", {"family": "grid\x00"})
    assert shaped(r, 422)["field"] == "family"
    r = Client().get(f"/api/v1/accounting/{plan.code}/inventories/0")
    assert r.status_code in (401, 422)  # anonymous: authentication is checked first
    c2 = Client()
    c2.force_login(office)
    assert shaped(c2.get(f"/api/v1/accounting/{plan.code}/inventories/0"), 422)["field"] == "year"
    assert shaped(Client().get("/api/v1/accounting/factor-sets/diff"), 422)["code"] == "missing"


def test_the_calc_errors_keep_the_contract_object_beside_the_list(db):
    r = Client().post("/api/v1/calc", b"{not json", content_type="application/json")
    err = shaped(r, 422)
    assert r.json()["error"]["code"] == err["code"] == "invalid_json"


@pytest.fixture
def operator_token(db):
    from carbonpeak.accounts.models import ApiClient

    return ApiClient.issue("网关", "operator")[1]


@pytest.mark.parametrize("url", ["/api/v1/monitoring/readings", "/api/v1/inclusion/events"])
def test_signed_batches_refuse_with_the_shape_naming_the_header(url, operator_token):
    r = Client().post(url, b"{}", content_type="application/json")
    assert shaped(r, 401)["code"] == "unauthorized" and r["WWW-Authenticate"]
    r = Client().post(
        url, b"{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {operator_token}", HTTP_X_SIGNATURE="0"
    )
    err = shaped(r, 401)
    assert err["code"] == "bad_signature" and err["field"] == "X-Signature" and r["WWW-Authenticate"]


def test_the_schema_declares_every_status_and_the_machine_headers(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "errors" in schema["info"]["description"]
    error_ref = "#/components/schemas/ErrorsOut"
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            declared = op["responses"]
            if op.get("parameters") or op.get("requestBody") or op.get("security"):
                assert "422" in declared or "401" in declared, (method, path)
            for status, resp in declared.items():
                if status.startswith("4"):
                    ref = resp["content"]["application/json"]["schema"]["$ref"]
                    assert ref == error_ref, (method, path, status)
            if op.get("security"):
                assert "401" in declared, (method, path)
    for path, key in (("/api/v1/monitoring/readings", "readings"), ("/api/v1/inclusion/events", "events")):
        op = schema["paths"][path]["post"]
        headers = {p["name"]: p for p in op["parameters"] if p["in"] == "header"}
        assert headers["X-Signature"]["required"] and headers["Idempotency-Key"]["required"]
        body = op["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == [key] and body["properties"][key]["items"]["required"]
        assert {"401", "403", "413", "422"} <= set(op["responses"])
        (scheme,) = op["security"][0]
        assert schema["components"]["securitySchemes"][scheme] == {"type": "http", "scheme": "bearer"}
