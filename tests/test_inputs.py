"""The input layer across the site: malformed query parameters, path ids, logins and bodies are answered 4xx
with the field named, never a 500 (issue 13, Inputs)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BAD_YEARS = ["0", "-1", "99999", "99999999999999999999", "abc", "２０２５x", "1e3", "\x00"]
YEAR_PAGES = [
    "/assessment/",
    "/enterprises/",
    "/enterprises/check-meters/",
    "/enterprises/dual-control/",
    "/enterprises/benchmarks/",
    "/enterprises/key-users/",
    "/enterprises/review/",
    "/accounting/",
    "/dashboard/",
    "/inclusion/office/",
    "/audit/",
    "/tasks/",
    "/rounds/",
]
BIG = "99999999999999999999"
PATH_IDS = [
    f"/accounting/{BIG}/",
    f"/accounting/{BIG}/template.xlsx",
    "/accounting/0/",
    "/accounting/0/template.xlsx",
    f"/scenarios/{BIG}/",
    f"/scenarios/1/runs/{BIG}/status/",
    f"/scenarios/{BIG}/results.xlsx",
    f"/rounds/{BIG}/",
    f"/rounds/{BIG}/report.pdf",
    f"/rounds/{BIG}/report.xlsx",
    f"/evidence/{BIG}/",
    f"/workspace/report/{BIG}/T1/",
    "/enterprises/91430224MA4L000000/carbon-account-0.pdf",
    f"/enterprises/91430224MA4L000000/carbon-account-{BIG}.pdf",
    "/accounting/factors/diff/?a=%00&b=x",
]
QUERIES = [
    f"/scenarios/compare/?ids={BIG}&ids=1",
    "/scenarios/compare/?ids=%00",
    "/tasks/?area=%00&department=%00",
    "/audit/?type=%00",
    "/accounting/factors/?family=%00&grade=%00",
]


@pytest.fixture
def office_client(plan, office):
    c = Client(raise_request_exception=False)
    c.force_login(office)
    return c


@pytest.mark.parametrize("year", BAD_YEARS)
def test_malformed_years_in_pages_are_not_500(office_client, year):
    for page in YEAR_PAGES:
        r = office_client.get(page, {"year": year, "page": year})
        assert r.status_code < 500, (page, year, r.status_code)


@pytest.mark.parametrize("url", PATH_IDS)
def test_out_of_range_path_ids_are_404_not_500(office_client, url):
    r = office_client.get(url)
    assert 400 <= r.status_code < 500, (url, r.status_code)


@pytest.mark.parametrize("url", QUERIES)
def test_malformed_filters_are_not_500(office_client, url):
    assert office_client.get(url).status_code < 500


@pytest.mark.parametrize("year", ["0", "-5", BIG])
def test_year_zero_in_the_accounting_api_is_a_4xx(office_client, plan, year):
    r = office_client.get(f"/api/v1/accounting/{plan.code}/inventories/{year}")
    assert 400 <= r.status_code < 500, r.status_code


@pytest.mark.parametrize("year", ["0", "abc", BIG, "\x00"])
def test_creating_an_inventory_for_year_zero_is_refused_by_field(office_client, year):
    r = office_client.post("/accounting/", {"year": year})
    assert r.status_code == 422
    assert "year" in r.content.decode()


def test_login_with_a_256_character_username_is_a_form_error(plan):
    c = Client(raise_request_exception=False)
    r = c.post("/login/", {"username": "u" * 256, "password": "whatever-password"})
    assert r.status_code == 200  # the login form again, with its error
    assert not r.wsgi_request.user.is_authenticated


def test_login_with_nul_in_the_username_is_refused_naming_the_field(plan):
    c = Client(raise_request_exception=False)
    r = c.post("/login/", {"username": "a\x00b", "password": "whatever-password"})
    assert r.status_code == 422 and "username" in r.content.decode()


# --- JSON bodies -------------------------------------------------------------------------------------------
def _post_json(client, url, raw: bytes, **headers):
    return client.post(url, raw, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "raw,code",
    [
        (b'{"lines": [], "lines": [{"x": 1}]}', "duplicate_key"),
        (b'{"lines": [{"a": 1, "a": 2}]}', "duplicate_key"),
        (b"[" * 5000 + b"]" * 5000, "too_deep"),
        (b'{"a": ' * 100 + b"1" + b"}" * 100, "too_deep"),
        (b'{"lines": [NaN]}', "not_finite"),
        (b'{"lines": [1e400]}', "number_too_large"),
        (b"\xff\xfe", "not_utf8"),
        (b'{"lines": ', "json_invalid"),
    ],
)
def test_malformed_json_bodies_are_422_with_the_errors_shape(office_client, plan, raw, code):
    r = _post_json(office_client, f"/api/v1/accounting/{plan.code}/inventories/2020/lines", raw)
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert errors[0]["code"] == code and errors[0]["message_zh"] and errors[0]["message_en"]


def test_duplicate_keys_are_refused_on_the_signed_machine_api_too(plan):
    from carbonpeak.accounts.models import ApiClient

    _client, token = ApiClient.issue("网关", "operator")
    raw = b'{"readings": [], "readings": [{"meter_code": "X"}]}'
    sig = hmac.new(ApiClient.signing_secret(token).encode(), raw, hashlib.sha256).hexdigest()
    r = Client().post(
        "/api/v1/monitoring/readings",
        raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Signature": sig, "Idempotency-Key": "dup-1"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "duplicate_key"


# --- body size ---------------------------------------------------------------------------------------------
class _Exploding:
    """A wsgi.input that fails the test when anything reads it: the 413 must come before the body is read."""

    def read(self, *a):
        raise AssertionError("the body was read")

    readline = read


def _raw_request(path: str, content_type: str, length: int):
    from carbonpeak.config.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": _Exploding(),
        "wsgi.errors": None,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(length),
        "HTTP_HOST": "testserver",
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])

    body = b"".join(application(environ, start_response))
    return seen["status"], body


@pytest.mark.parametrize(
    "path,ctype",
    [
        ("/api/v1/monitoring/readings", "application/json"),
        ("/api/v1/calc", "application/json"),
        ("/login/", "application/x-www-form-urlencoded"),
        ("/enterprises/", "multipart/form-data; boundary=xyz"),
    ],
)
def test_bodies_over_the_limit_are_413_before_reading(settings, plan, path, ctype):
    limit = (
        settings.CARBONPEAK_UPLOAD_MAX_BYTES if ctype.startswith("multipart") else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    status, body = _raw_request(path, ctype, limit + 1)
    assert status == 413
    assert json.loads(body)["errors"][0]["code"] == "too_large"


def test_multipart_fields_over_djangos_memory_limit_are_413(settings, office_client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.CARBONPEAK_UPLOAD_MAX_BYTES = 10**6
    r = office_client.post("/enterprises/", {"action": "x", "note": "y" * 5000})
    assert r.status_code == 413


def test_a_malformed_multipart_body_is_400(office_client):
    r = office_client.generic(
        "POST", "/enterprises/", b"--\r\nnot a part", content_type="multipart/form-data; boundary="
    )
    assert r.status_code == 400


# --- numbers through the plan API: one grammar --------------------------------------------------------------
VALUES = "/api/v1/plans/chaling-2024/targets/energy_intensity_reduction/values"
TARGET = "/api/v1/plans/chaling-2024/targets/energy_intensity_reduction"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"year": 0, "value": "0.1"}, "year"),
        ({"year": 10**20, "value": "0.1"}, "year"),
        ({"year": 2025, "value": "1e30"}, "value"),
        ({"year": 2025, "value": 1e30}, "value"),
        ({"year": 2025, "value": "0,1"}, "value"),
        ({"year": 2025, "value": "NaN"}, "value"),
        ({"year": 2025, "quarter": 10**20, "value": "0.1"}, "quarter"),
    ],
)
def test_plan_api_numbers_in_one_grammar(office_client, body, field):
    r = office_client.post(VALUES, json.dumps(body), content_type="application/json")
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}


def test_plan_api_fullwidth_and_grouped_values_read_alike(office_client):
    r = office_client.put(
        TARGET,
        json.dumps({"baseline_year": 2020, "baseline_value": "０．１", "values": {"2025": "0.16"}}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    from carbonpeak.plan.models import Target

    t = Target.objects.get(code="energy_intensity_reduction")
    assert t.baseline_year == 2020 and str(t.baseline_value).rstrip("0") == "0.1"


@pytest.mark.parametrize("key", ["0", "abc", "2025.5", "99999999999999999999"])
def test_milestone_years_are_checked(office_client, key):
    r = office_client.put(TARGET, json.dumps({"values": {key: "0.1"}}), content_type="application/json")
    assert r.status_code == 422, r.content


@pytest.mark.parametrize("raw", ["²", "１", "99999999999999999999", "-1"])
def test_scenario_compare_ids_of_other_digit_forms_are_ignored_not_500(office_client, raw):
    assert office_client.get("/scenarios/compare/", {"ids": raw}).status_code == 200


@pytest.mark.parametrize("raw", [b'{"lines": [{"sector": "a\\u0000"}]}', b'{"li\\u0000nes": []}'])
def test_nul_in_a_json_string_or_key_is_422(office_client, plan, raw):
    r = _post_json(office_client, f"/api/v1/accounting/{plan.code}/inventories/2020/lines", raw)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "nul"


def test_an_escaped_backslash_before_u0000_is_text_not_nul():
    from carbonpeak.core.strictjson import loads

    assert loads(rb'{"a": "x\\u0000"}') == {"a": "x\\u0000"}


def test_the_calc_contract_keeps_its_own_parser_and_error_object(db):
    r = Client().post("/api/v1/calc", b'{"calc": "inventory", "calc": "x"}', content_type="application/json")
    assert r.status_code == 422 and "error" in r.json()  # the calc contract's shape, as `carbonpeak calc` prints


def test_a_chunked_body_over_the_limit_is_stopped_while_it_streams_under_asgi(settings):
    import asyncio

    from carbonpeak.config.inputguard import BodyCapASGI

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    received, sent = [], []

    async def app(scope, receive, send):  # reads the whole body, as Django's ASGI handler does
        while True:
            m = await receive()
            received.append(len(m.get("body", b"")))
            if not m.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = iter([{"type": "http.request", "body": b"x" * 400, "more_body": True}] * 10)

    async def receive():
        return next(chunks)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/x", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyCapASGI(app)(scope, receive, send))
    assert sent[0]["status"] == 413 and sum(received) <= 1000  # stopped at the third chunk, not after ten
    assert json.loads(sent[1]["body"])["errors"][0]["code"] == "too_large"
