"""Isolation of the accounts (issue 15, TENANCY rule 6): every accounting page and API endpoint, as county B's
office, department officer, enterprise user and token against county A's objects → 403/404 and none of A's
text or figures in the body; B on B's own → 200 with B's data; the city's reader (an account choosing the county
with ``?county=``, and a token) reads both counties and writes in neither.

The tables list the pages and endpoints: adding one means adding a row."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from carbonpeak.accounting import services as acc
from carbonpeak.accounting.models import ActivityLine, FactorSet, Inventory
from carbonpeak.accounting.tests.test_inventory import numbered
from carbonpeak.validation import ValidationFailed
from tests.tenancy.accounting_world import (
    A_MARK,
    A_VERSION,
    B_MARK,
    County,
    World,
    a_leaks,
    b_shows,
    bearer,
    build,
    grid_2020,
    login,
    rows_of,
    text_of,
)


@pytest.fixture
def w(plan, county_b, city, make_user) -> World:
    return build(plan, county_b, city, make_user, run_scenarios=False)


def _builtin() -> str:
    return FactorSet.objects.get(kind="builtin").version


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[County], str]
    #: the URL names one of the county's objects (a version, a year only A has): B gets 404 on A's
    keyed: bool
    #: a department officer reads it (the exchange file is the office's and the region's)
    dept: bool = True


PAGES = [
    Page("home", lambda c: reverse("accounting:home"), keyed=False),
    Page("inventory", lambda c: reverse("accounting:inventory", args=[2020]), keyed=False),
    # a year only A has: B's callers ask for it by year and get 404, like a year nobody has
    Page("inventory-only-a", lambda c: reverse("accounting:inventory", args=[2021]), keyed=True),
    Page("template-xlsx", lambda c: reverse("accounting:template", args=[2020]), keyed=False),
    Page("template-only-a", lambda c: reverse("accounting:template", args=[2021]), keyed=True),
    Page("factor-sets", lambda c: reverse("accounting:factor_sets"), keyed=False),
    Page("factor-set", lambda c: reverse("accounting:factor_set", args=[c.factor_set.version]), keyed=True),
    Page("factor-set-csv", lambda c: reverse("accounting:factor_set_csv", args=[c.factor_set.version]), keyed=True),
    Page(
        "factor-diff",
        lambda c: reverse("accounting:factor_diff") + f"?a={_builtin()}&b={c.factor_set.version}",
        keyed=True,
    ),
    Page("exchange-json", lambda c: reverse("exchange:export", args=[2020, "json"]), keyed=False, dept=False),
    Page("exchange-xlsx", lambda c: reverse("exchange:export", args=[2020, "xlsx"]), keyed=False, dept=False),
]


def _a_has_own(page: Page, w: World) -> bool:
    """Rows that exist for B too (B's own version, B's 2020); the A-only years have no B counterpart."""
    return not page.name.endswith("only-a")


def test_county_b_against_county_a_pages(w: World):
    problems = []
    for user in (w.b.office, w.dept_b):
        c = login(user)
        for page in PAGES:
            if not page.dept and user is w.dept_b:
                continue
            url = page.url(w.a)
            resp = c.get(url)
            text = text_of(resp)
            if page.keyed:
                ok = resp.status_code in (403, 404)
            else:  # the page answers with B's own data
                ok = resp.status_code == 200 and b_shows(text, w)
            if not ok or a_leaks(text, w, url):
                problems.append((user.username, page.name, resp.status_code, a_leaks(text, w, url)))
    # an enterprise user of B reads no accounting page at all
    c = login(w.enterprise_b)
    for page in PAGES:
        resp = c.get(page.url(w.a))
        if resp.status_code != 403 or a_leaks(text_of(resp), w, page.url(w.a)):
            problems.append(("ent_b", page.name, resp.status_code))
    assert problems == []


def test_county_b_on_its_own_pages(w: World):
    problems = []
    for user in (w.b.office, w.dept_b):
        c = login(user)
        for page in PAGES:
            if not _a_has_own(page, w) or (not page.dept and user is w.dept_b):
                continue
            resp = c.get(page.url(w.b))
            text = text_of(resp)
            if resp.status_code != 200 or not b_shows(text, w) or a_leaks(text, w):
                problems.append((user.username, page.name, resp.status_code, a_leaks(text, w)))
    assert problems == []
    # the exchange file is the office's and the region's, not a department's
    assert login(w.dept_b).get(reverse("exchange:export", args=[2020, "json"])).status_code == 403


def test_county_b_writes_nothing_in_county_a(w: World):
    c = login(w.b.office)
    inv2021 = w.a.extra["inv2021"]
    url = reverse("accounting:inventory", args=[2021])
    for form in (
        {"action": "upload"},
        {"action": "approve"},
        {"action": "params", "gdp_10k_yuan": "1"},
        {"action": "factor_set", "version": A_VERSION},
        {"action": "reopen", "reason": "x"},
    ):
        resp = c.post(url, form)
        assert resp.status_code == 404 and not a_leaks(text_of(resp), w)
    inv2021.refresh_from_db()
    assert inv2021.status == "draft" and str(inv2021.gdp_10k_yuan) != "1"
    # B's year may not take A's version, by the page or by the service
    resp = c.post(reverse("accounting:inventory", args=[2020]), {"action": "factor_set", "version": A_VERSION})
    assert resp.status_code == 404
    b2022 = acc.create_inventory(w.b.office, w.b.plan, 2022)
    resp = c.post(reverse("accounting:inventory", args=[2022]), {"action": "factor_set", "version": A_VERSION})
    assert resp.status_code == 404
    b2022.refresh_from_db()
    assert b2022.factor_set == w.b.factor_set
    with pytest.raises(ValidationFailed) as exc:
        acc.set_factor_set(w.b.office, b2022, w.a.factor_set)
    assert exc.value.issues[0].code == "other_county"
    # the services refuse B's office on A's objects even when called directly (403)
    from django.core.exceptions import PermissionDenied

    for call in (
        lambda: acc.approve(w.b.office, inv2021),
        lambda: acc.import_activity(w.b.office, inv2021, []),
        lambda: acc.set_params(w.b.office, inv2021, {"gdp_10k_yuan": "1"}),
        lambda: acc.reopen(w.b.office, w.a.inv2020, "x"),
        lambda: acc.create_inventory(w.b.office, w.a.plan, 2019),
        lambda: acc.create_county_version(w.b.office, w.a.plan, grid_2020("x")),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not Inventory.objects.filter(plan=w.a.plan, year=2019).exists()
    # a new year is made in the caller's own county
    assert c.post(reverse("accounting:home"), {"year": "2023"}).status_code == 302
    assert Inventory.objects.filter(plan=w.b.plan, year=2023).exists()
    assert not Inventory.objects.filter(plan=w.a.plan, year=2023).exists()


def test_region_reader_reads_both_counties_and_writes_in_neither(w: World):
    c = login(w.city_reader)
    problems = []
    for county, mark in ((w.a, A_MARK), (w.b, B_MARK)):
        for page in PAGES:
            if county is w.b and not _a_has_own(page, w):
                continue
            resp = c.get(page.url(county) + ("&" if "?" in page.url(county) else "?") + f"county={county.plan.code}")
            if resp.status_code != 200 or mark not in text_of(resp):
                problems.append((county.plan.code, page.name, resp.status_code))
    assert problems == []
    # the chosen county sticks (session) until another is chosen; B's page never shows A's data
    assert c.get(reverse("accounting:home") + f"?county={w.b.plan.code}").status_code == 200
    body = text_of(c.get(reverse("accounting:home")))
    assert B_MARK in body and not a_leaks(body, w)
    # every write is refused, in either county
    for county in (w.a, w.b):
        c.get(reverse("accounting:home") + f"?county={county.plan.code}")
        up = io.BytesIO(grid_2020("region"))
        up.name = "f.csv"
        for url, form in (
            (reverse("accounting:home"), {"year": "2022"}),
            (reverse("accounting:inventory", args=[2020]), {"action": "upload"}),
            (reverse("accounting:inventory", args=[2020]), {"action": "approve"}),
            (reverse("accounting:inventory", args=[2020]), {"action": "reopen", "reason": "区域试改"}),
            (reverse("accounting:inventory", args=[2020]), {"action": "params", "gdp_10k_yuan": "1"}),
            (reverse("accounting:factor_sets"), {"file": up}),
        ):
            assert c.post(url, form).status_code == 403, (county.plan.code, url, form)
    for county in (w.a, w.b):
        county.inv2020.refresh_from_db()
        assert county.inv2020.status == "approved"
    assert not Inventory.objects.filter(year=2022).exists()
    assert FactorSet.objects.filter(plan__isnull=False).count() == 2


def test_two_counties_may_each_hold_a_version_of_equal_content(plan, county_b, make_user):
    """The factor-version content hash is unique within a county and among the shared versions, not across
    counties: B uploading the rows A uploaded gets a version of its own (before, it was handed A's)."""
    office_a = make_user("office_a", "office", plan=plan)
    office_b = make_user("office_b", "office", plan=county_b)
    fa = acc.create_county_version(office_a, plan, grid_2020("同"))
    fb = acc.create_county_version(office_b, county_b, grid_2020("同"))
    assert fa.content_sha256 == fb.content_sha256 and fa != fb
    assert (fa.plan, fb.plan, fa.version, fb.version) == (plan, county_b, "430224:1", "439901:1")
    with pytest.raises(ValidationFailed) as exc:  # the same again: nothing new, B's own is current
        acc.create_county_version(office_b, county_b, grid_2020("同"))
    assert exc.value.issues[0].code == "no_change"
    assert acc.default_factor_set(county_b) == fb and acc.default_factor_set(plan) == fa


# --- the accounting API (/api/v1/accounting/…: 7 endpoints) ----------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[County], str]
    #: reads a county's data (a token of no county of this one gets 404); the library lists are filtered
    keyed: bool
    body: dict | None = None


def _lines_body() -> dict:
    return {"lines": [{"sector": "industry.C30", "carrier": "raw_coal", "unit": "t", "quantity": 7, "source": "写"}]}


ENDPOINTS = [
    Endpoint("factor-sets", "get", lambda c: "/api/v1/accounting/factor-sets", keyed=False),
    Endpoint("factors", "get", lambda c: f"/api/v1/accounting/factor-sets/{c.factor_set.version}/factors", keyed=True),
    Endpoint(
        "factor-diff",
        "get",
        lambda c: f"/api/v1/accounting/factor-sets/diff?a={_builtin()}&b={c.factor_set.version}",
        keyed=True,
    ),
    Endpoint("inventories", "get", lambda c: f"/api/v1/accounting/{c.plan.code}/inventories", keyed=True),
    Endpoint("inventory", "get", lambda c: f"/api/v1/accounting/{c.plan.code}/inventories/2020", keyed=True),
    Endpoint(
        "lines", "post", lambda c: f"/api/v1/accounting/{c.plan.code}/inventories/2021/lines", True, _lines_body()
    ),
    Endpoint("approve", "post", lambda c: f"/api/v1/accounting/{c.plan.code}/inventories/2021/approve", keyed=True),
]


def _call(client, ep: Endpoint, county: County, **headers):
    path = ep.path(county)
    if ep.method == "get":
        return client.get(path, **headers)
    return client.post(path, json.dumps(ep.body or {}), "application/json", **headers)


def _one_error_shape(resp) -> bool:
    body = resp.json()
    return set(body) == {"errors"} and all({"code", "message_zh", "message_en"} <= set(e) for e in body["errors"])


def test_api_county_b_against_county_a(w: World):
    lines_before = ActivityLine.objects.filter(inventory=w.a.extra["inv2021"]).count()
    problems = []
    callers = [
        ("b-token", login(), bearer(w.b.token)),
        ("b-office-session", login(w.b.office), {}),
        ("b-dept-session", login(w.dept_b), {}),
    ]
    for who, client, headers in callers:
        for ep in ENDPOINTS:
            resp = _call(client, ep, w.a, **headers)
            text = resp.content.decode()
            if ep.keyed:
                ok = resp.status_code in (403, 404) and _one_error_shape(resp)
            else:
                ok = resp.status_code == 200 and "439901:1" in text
            if not ok or a_leaks(text, w):
                problems.append((who, ep.name, resp.status_code, a_leaks(text, w)))
    assert problems == []
    inv2021 = w.a.extra["inv2021"]
    inv2021.refresh_from_db()
    assert inv2021.status == "draft"
    assert ActivityLine.objects.filter(inventory=inv2021).count() == lines_before


def _b2021(w: World) -> Inventory:
    """B's own draft 2021, for the write endpoints."""
    inv = acc.create_inventory(w.b.office, w.b.plan, 2021)
    acc.import_activity(w.b.office, inv, numbered(rows_of(B_MARK, "100000")))
    return inv


def test_api_county_b_on_its_own_and_a_on_its_own(w: World):
    _b2021(w)
    problems = []
    for county, token, mark in ((w.b, w.b.token, B_MARK), (w.a, w.a.token, A_MARK)):
        for ep in ENDPOINTS:
            resp = _call(login(), ep, county, **bearer(token))
            text = resp.content.decode()
            own = county.factor_set.version in text or mark in text or ep.method == "post"
            if resp.status_code != 200 or not own:
                problems.append((county.plan.code, ep.name, resp.status_code, text[:200]))
            if county is w.b and a_leaks(text, w):
                problems.append(("b leaks a", ep.name, a_leaks(text, w)))
    assert problems == []
    assert Inventory.objects.get(plan=w.b.plan, year=2021).status == "approved"


def test_api_region_reads_both_and_writes_neither(w: World):
    b2021 = _b2021(w)
    problems = []
    for who, client, headers in (
        ("city-token", login(), bearer(w.city_token)),
        ("city-session", login(w.city_reader), {}),
    ):
        for county, mark in ((w.a, A_MARK), (w.b, B_MARK)):
            for ep in ENDPOINTS:
                resp = _call(client, ep, county, **headers)
                expected = 200 if ep.method == "get" else 403
                text = resp.content.decode()
                if resp.status_code != expected or (
                    expected == 200 and ep.keyed and not (mark in text or county.factor_set.version in text)
                ):
                    problems.append((who, county.plan.code, ep.name, resp.status_code))
    assert problems == []
    for inv in (w.a.extra["inv2021"], b2021):
        inv.refresh_from_db()
        assert inv.status == "draft" and not inv.lines.filter(source="写").exists()


def test_api_factor_library_shows_no_county_its_neighbours_versions(w: World):
    listed = {
        who: {s["version"] for s in login().get("/api/v1/accounting/factor-sets", **headers).json()}
        for who, headers in (("a", bearer(w.a.token)), ("b", bearer(w.b.token)), ("public", {}))
    }
    builtin = _builtin()
    assert builtin in listed["public"] and not {A_VERSION, "439901:1"} & listed["public"]
    assert A_VERSION in listed["a"] and "439901:1" not in listed["a"]
    assert "439901:1" in listed["b"] and A_VERSION not in listed["b"]
    city = {s["version"] for s in login().get("/api/v1/accounting/factor-sets", **bearer(w.city_token)).json()}
    assert {A_VERSION, "439901:1", builtin} <= city
    # the public reads the shared library, never a county's own version
    assert login().get(f"/api/v1/accounting/factor-sets/{builtin}/factors?family=grid").status_code == 200
    assert login().get(f"/api/v1/accounting/factor-sets/{A_VERSION}/factors").status_code == 404
    # a revoked token is told so (401), not served as the public
    from carbonpeak.accounts.models import ApiClient

    ApiClient.objects.filter(name="b-office-client").update(is_active=False)
    resp = login().get("/api/v1/accounting/factor-sets", **bearer(w.b.token))
    assert resp.status_code == 401 and _one_error_shape(resp)
