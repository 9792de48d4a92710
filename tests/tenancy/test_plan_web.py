"""Isolation of the plan's pages and API between counties (issue 15, TENANCY.md rule 6).

Two counties with the same structure (every department, target and task code exists in both): Chaling (A) and a
fictional second county (B) whose plan file is Chaling's with "茶陵" written "样例" everywhere, so each county's
pages can be searched for the other's name. Each county has a value with evidence, an open dispatch round with a
report and its evidence, and the audit entries of those writes.

Table-driven: every page of the plan is a row of PAGES (reads) or WRITES (posts); adding a page means adding a
row. For every row:

- as B's office, department officer, auditor and energy manager, against A's objects: a page keyed by an id answers
  404, a page keyed by a code or a list answers B's own (the same code names B's object); never a word of A;
- as B on B's own objects: 200 with B's data (so the isolation checks can fail);
- as the city reader (region over both), after ``?county=CODE``: 200 for both counties' objects, and every
  write 403 with nothing changed in either county.

The plan API is tested the same way with tokens (``/api/v1/plans/<code>/…``), the services directly with a
principal of the other county, and the public pages with both counties published.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from carbonpeak.accounts.models import ApiClient
from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan import services
from carbonpeak.plan.models import AssessmentRule, Department, DispatchRound, IndicatorValue, Plan, Task

pytestmark = pytest.mark.django_db

A_NAME, B_NAME = "茶陵", "样例"  # each county's name as it appears in its plan, its departments and its data
TARGET, TASK = "energy_intensity_reduction", "A01.1"  # both led by 县发展改革局 (dev_reform) in both counties


def renamed_second_county() -> dict:
    """conftest's second county, with Chaling's name replaced in its departments and texts as well."""
    from carbonpeak.setup import second_county_document

    def rename(x: Any) -> Any:
        if isinstance(x, str):
            return x.replace(A_NAME, B_NAME).replace("Chaling", "Example")
        if isinstance(x, list):
            return [rename(v) for v in x]
        if isinstance(x, dict):
            return {k: rename(v) for k, v in x.items()}
        return x

    doc = second_county_document()
    head = doc.pop("plan")
    return {"plan": head, **rename(doc)}


@pytest.fixture
def county_b(plan):
    """Overrides conftest's: the second county without a trace of Chaling's name."""
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.scoring import ensure_default_rules

    p = load_plan(renamed_second_county())
    ensure_default_rules(p)
    return p


@dataclass
class County:
    plan: Plan
    name: str  # the marker: "茶陵" or "样例"
    users: dict[str, Any]
    round: DispatchRound
    value_evidence: Any
    report_evidence: Any

    @property
    def code(self) -> str:
        return self.plan.code


def _county(plan: Plan, name: str, make_user, tag: str) -> County:
    dept = plan.departments.get(code="dev_reform")
    users = {
        "office": make_user(f"office_{tag}", "office", plan=plan),
        "department": make_user(f"fgj_{tag}", "department", dept),
        "auditor": make_user(f"auditor_{tag}", "auditor", plan=plan),
        "enterprise": make_user(f"qiye_{tag}", "enterprise", plan=plan),
    }
    target = plan.targets.get(code=TARGET)
    v = services.set_indicator_value(
        users["department"],
        target,
        2024,
        None,
        "0.123",
        f"{name}指标备注",
        evidence=[SimpleUploadedFile(f"{name}指标佐证.pdf", f"%PDF-1 {name}指标佐证内容".encode())],
    )
    rnd = services.open_round(users["office"], plan, 2025, 1, dt.date(2025, 4, 10), past_due_ok=True)
    rep = services.submit_report(
        users["department"],
        rnd,
        plan.tasks.get(code=TASK),
        "in_progress",
        f"{name}进展说明",
        [SimpleUploadedFile(f"{name}报告佐证.pdf", f"%PDF-1 {name}报告佐证内容".encode())],
    )
    return County(plan, name, users, rnd, v.evidence.get(), rep.evidence.get())


@pytest.fixture
def counties(plan, county_b, make_user) -> tuple[County, County]:
    return _county(plan, A_NAME, make_user, "a"), _county(county_b, B_NAME, make_user, "b")


# --- reading --------------------------------------------------------------------------------------------------

HTML, PDF, XLSX, FILE = "html", "pdf", "xlsx", "file"


@dataclass
class Page:
    name: str  # the URL name
    kwargs: Any  # County -> reverse kwargs
    by_id: bool  # keyed by an id: another county's answers 404 (by code or a list: the principal's own county)
    readers: tuple[str, ...]  # which of a county's principals read it (the others: 302 or 403)
    kind: str = HTML
    own: Any = None  # County -> a text the county's own page shows (besides its name)
    query: str = ""
    own_for: tuple[str, ...] = ()  # the roles whose page shows ``own`` (empty: every reader)
    region_reads: bool = True  # False: a page of the office's alone (a form), 403 to the city reader too


PAGES = [
    Page("dashboard", lambda c: {}, False, ("office", "department", "auditor")),
    Page(
        "target",
        lambda c: {"code": TARGET},
        False,
        ("office", "department", "auditor"),
        own=lambda c: f"{c.name}指标备注",
    ),
    Page("tasks", lambda c: {}, False, ("office", "department", "auditor")),
    Page(
        "task", lambda c: {"code": TASK}, False, ("office", "department", "auditor"), own=lambda c: f"{c.name}进展说明"
    ),
    Page("workspace", lambda c: {}, False, ("office", "department", "auditor")),
    Page(
        "workspace",  # a round of B's chosen by id: A's round id shows B's own rounds
        lambda c: {},
        False,
        ("office", "department", "auditor"),
        query="?round={round}",
        own=lambda c: f"{c.name}进展说明",
        own_for=("office", "department"),
    ),
    Page("rounds", lambda c: {}, False, ("office", "auditor"), own=lambda c: f'href="/rounds/{c.round.pk}/"'),
    Page("round", lambda c: {"pk": c.round.pk}, True, ("office", "auditor"), own=lambda c: f"{c.name}报告佐证.pdf"),
    Page("round_pdf", lambda c: {"pk": c.round.pk}, True, ("office", "auditor"), PDF),
    Page("round_xlsx", lambda c: {"pk": c.round.pk}, True, ("office", "auditor"), XLSX),
    Page("assessment", lambda c: {}, False, ("office", "auditor"), query="?year=2025"),
    Page("assessment_pdf", lambda c: {}, False, ("office", "auditor"), PDF, query="?year=2025"),
    Page("assessment_xlsx", lambda c: {}, False, ("office", "auditor"), XLSX, query="?year=2025"),
    Page("audit", lambda c: {}, False, ("office", "auditor"), own=lambda c: f"{c.name}进展说明"),
    Page("audit_xlsx", lambda c: {}, False, ("office", "auditor"), XLSX),
    Page(
        "enterprise_readers",
        lambda c: {},
        False,
        ("office",),
        own=lambda c: f"{c.name}经开区管委会",
        region_reads=False,
    ),
    Page("evidence", lambda c: {"pk": c.value_evidence.pk}, True, ("office", "department", "auditor"), FILE),
    Page("evidence", lambda c: {"pk": c.report_evidence.pk}, True, ("office", "department", "auditor"), FILE),
]
PAGE_IDS = [f"{i:02d}-{p.name}" for i, p in enumerate(PAGES)]


def url(page: Page, c: County) -> str:
    return reverse(page.name, kwargs=page.kwargs(c)) + page.query.format(round=c.round.pk)


def text_of(r, kind: str) -> str:
    """What a reader of the answer sees: the page, the PDF's text, every cell of the workbook, the file."""
    if kind == FILE and r.status_code == 200:
        return b"".join(r.streaming_content).decode()
    if kind == PDF and r.status_code == 200:
        assert r.content.startswith(b"%PDF")
        return subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    if kind == XLSX and r.status_code == 200:
        wb = load_workbook(io.BytesIO(r.content))
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return r.content.decode()


def own_texts(page: Page, c: County, role: str) -> list[str]:
    """What the county's own answer must show to ``role``: its name (in HTML, the header's county), and the row's
    own text."""
    texts = [c.name if page.kind != HTML else f'data-county="{c.code}"']
    if page.kind == FILE:
        texts = [f"{c.name}指标佐证内容" if page.kwargs(c)["pk"] == c.value_evidence.pk else f"{c.name}报告佐证内容"]
    if page.own is not None and (not page.own_for or role in page.own_for):
        texts.append(page.own(c))
    return texts


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_county_b_never_sees_county_a(counties, page):
    a, b = counties
    for role, user in b.users.items():
        r = logged_in(user).get(url(page, a))
        body = text_of(r, page.kind)
        assert A_NAME not in body and a.code not in body, (role, r.status_code)
        if role not in page.readers:
            assert r.status_code in (302, 403, 404), (role, r.status_code)
        elif page.by_id:
            assert r.status_code == 404, (role, r.status_code)  # like a missing object: A's id is not confirmed
        else:  # the same code, or the list: B's own
            assert r.status_code == 200, (role, r.status_code)
            assert all(t in body for t in own_texts(page, b, role)), role


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_each_county_reads_its_own(counties, page):
    for c, other in (counties, counties[::-1]):
        for role in page.readers:
            r = logged_in(c.users[role]).get(url(page, c))
            body = text_of(r, page.kind)
            assert r.status_code == 200, (c.code, role, r.status_code)
            assert all(t in body for t in own_texts(page, c, role)), (c.code, role)
            assert other.name not in body, (c.code, role)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_the_city_reader_reads_both_counties(counties, city_reader, page):
    client = logged_in(city_reader)
    for c in counties:
        client.get(reverse("dashboard"), {"county": c.code})  # the switcher: remembered in the session
        r = client.get(url(page, c))
        body = text_of(r, page.kind)
        if not page.region_reads:
            assert r.status_code == 403 and page.own(c) not in body, (c.code, r.status_code)
            continue
        assert r.status_code == 200, (c.code, r.status_code)
        assert all(t in body for t in own_texts(page, c, "region")), c.code


def test_health_needs_no_county(counties):
    r = Client().get(reverse("health"))
    assert r.status_code == 200 and r.content == b"ok"


# --- writing --------------------------------------------------------------------------------------------------


@dataclass
class Write:
    name: str
    kwargs: Any  # County -> reverse kwargs
    data: dict
    by_id: bool  # keyed by an id: B posting to A's id is 404


WRITES = [
    Write("submit_value", lambda c: {"code": TARGET}, {"year": 2025, "value": "0.2", "note": "x"}, False),
    Write(
        "submit_report",
        lambda c: {"round_id": c.round.pk, "task_code": TASK},
        {"status": "done", "narrative": "写入"},
        True,
    ),
    Write("task", lambda c: {"code": TASK}, {"status": "done"}, False),
    Write("task", lambda c: {"code": TASK}, {"lead": "县林业局", "cooperating": ""}, False),
    Write(
        "rounds", lambda c: {}, {"year": 2025, "quarter": 2, "due_date": "2025-07-10", "confirm_past_due": "1"}, False
    ),
    Write("round", lambda c: {"pk": c.round.pk}, {"action": "close"}, True),
    Write("round", lambda c: {"pk": c.round.pk}, {"action": "remind"}, True),
    Write("assessment", lambda c: {}, {"reports_on_time": "10"}, False),
    Write("enterprise_readers", lambda c: {}, {"departments": ["forestry"]}, False),
]
WRITE_IDS = [f"{i:02d}-{w.name}" for i, w in enumerate(WRITES)]


def state(c: County) -> tuple:
    """Everything the writes above could change in a county."""
    p = c.plan
    return (
        AuditEntry.objects.filter(county_id=p.pk).count(),
        sorted(IndicatorValue.objects.filter(target__plan=p).values_list("year", "quarter", "value", "note")),
        sorted(Task.objects.filter(plan=p).values_list("code", "status")),
        sorted(
            Task.objects.filter(plan=p, code=TASK).values_list("assignments__department__code", "assignments__role")
        ),
        sorted(DispatchRound.objects.filter(plan=p).values_list("year", "quarter", "status")),
        sorted(c.round.reports.values_list("status", "narrative")),
        c.round.reminders.count(),
        sorted(AssessmentRule.objects.filter(plan=p).values_list("kind", "points")),
        sorted(Department.objects.filter(plan=p, may_read_enterprises=True).values_list("code", flat=True)),
    )


def writer(w: Write) -> str:
    return "department" if w.name in ("submit_value", "submit_report") else "office"


@pytest.mark.parametrize("w", WRITES, ids=WRITE_IDS)
def test_county_b_writes_nothing_in_county_a(counties, w):
    """Posted to A's URL by each of B's principals: an id of A is 404 (the office and the writer get as far as
    the lookup), a code or a list is B's own (the writer's post changes B). A is never changed."""
    a, b = counties
    before_a, before_b = state(a), state(b)
    status = {}
    for role, user in b.users.items():
        r = logged_in(user).post(reverse(w.name, kwargs=w.kwargs(a)), w.data)
        status[role] = r.status_code
        assert A_NAME not in r.content.decode(), role
    assert state(a) == before_a
    if w.by_id:
        assert all(s in (403, 404) for s in status.values()), status
        assert status["office"] == status[writer(w)] == 404, status
        # the same post on B's own object changes B (so the check above can fail)
        r = logged_in(b.users[writer(w)]).post(reverse(w.name, kwargs=w.kwargs(b)), w.data)
        assert r.status_code == 302, (r.status_code, r.content.decode()[:400])
    else:
        assert status[writer(w)] == 302 and all(s in (302, 403) for s in status.values()), status
    assert state(b) != before_b and state(a) == before_a


@pytest.mark.parametrize("w", WRITES, ids=WRITE_IDS)
def test_the_city_reader_writes_nothing(counties, city_reader, w):
    client = logged_in(city_reader)
    before = [state(c) for c in counties]
    for c in counties:
        client.get(reverse("dashboard"), {"county": c.code})
        r = client.post(reverse(w.name, kwargs=w.kwargs(c)), w.data)
        assert r.status_code == 403, (c.code, r.status_code)
    assert [state(c) for c in counties] == before


def test_the_city_reader_is_shown_no_write_form(counties, city_reader):
    a, _ = counties
    client = logged_in(city_reader)
    client.get(reverse("dashboard"), {"county": a.code})
    pages = {
        "target": client.get(reverse("target", args=[TARGET])).content.decode(),
        "task": client.get(reverse("task", args=[TASK])).content.decode(),
        "workspace": client.get(reverse("workspace")).content.decode(),
        "rounds": client.get(reverse("rounds")).content.decode(),
        "round": client.get(reverse("round", args=[a.round.pk])).content.decode(),
        "assessment": client.get(reverse("assessment")).content.decode(),
    }
    for name, body in pages.items():
        # the only forms a reader gets: the language menu, log out, and the county switcher (GET)
        posts = body.count('method="post"')
        assert posts == 2, (name, posts)
        assert 'type="submit">保存分值' not in body and 'value="close"' not in body, name
    assert "市、省级只读查看" in pages["workspace"]


# --- the header: which county --------------------------------------------------------------------------------


def test_the_header_names_the_county_and_a_region_reader_switches(counties, city_reader, city):
    a, b = counties
    body = logged_in(b.users["office"]).get(reverse("dashboard")).content.decode()
    assert f'<span data-county="{b.code}">样例县（虚构）</span>' in body and "county-switch" not in body
    client = logged_in(city_reader)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'class="county-switch"' in body and city.name in body
    assert f'<option value="{a.code}" selected>' in body and f'<option value="{b.code}">' in body
    body = client.get(reverse("dashboard"), {"county": b.code}).content.decode()
    assert f'data-county="{b.code}"' in body and f'<option value="{b.code}" selected>' in body
    # a county outside the region is not taken: the reader stays where it was
    client.get(reverse("dashboard"), {"county": "no-such-county"})
    assert f'data-county="{b.code}"' in client.get(reverse("tasks")).content.decode()


# --- the audit log --------------------------------------------------------------------------------------------


def test_audit_log_is_the_countys_and_the_system_administrators_sees_all(counties, make_user):
    a, b = counties
    for c in counties:
        n = AuditEntry.objects.filter(county_id=c.plan.pk).count()
        body = logged_in(c.users["auditor"]).get(reverse("audit")).content.decode()
        assert f"共 {n} 条" in body
    admin = logged_in(make_user("sa", "sysadmin"))
    body = admin.get(reverse("audit")).content.decode()
    assert f"共 {AuditEntry.objects.count()} 条" in body and A_NAME in body and B_NAME in body
    assert admin.get(reverse("audit_xlsx")).status_code == 200
    # the filter's choices are the county's: B's actors only
    body = logged_in(b.users["office"]).get(reverse("audit")).content.decode()
    assert 'value="fgj_b"' in body and 'value="fgj_a"' not in body


# --- services: whatever object a caller hands over, a principal of another county changes nothing ------------


def test_services_refuse_a_principal_of_another_county(counties, city_reader):
    a, b = counties
    target, task = a.plan.targets.get(code=TARGET), a.plan.tasks.get(code=TASK)
    before = state(a)
    calls = [
        lambda actor: services.set_indicator_value(actor, target, 2025, None, "0.1"),
        lambda actor: services.set_target(actor, target, 2020, "0", {"2025": "0.2"}),
        lambda actor: services.set_assignments(actor, target, ["县林业局"], []),
        lambda actor: services.set_assignments(actor, task, ["县林业局"], []),
        lambda actor: services.set_task_status(actor, task, "done"),
        lambda actor: services.open_round(actor, a.plan, 2025, 3, dt.date(2025, 10, 10), past_due_ok=True),
        lambda actor: services.submit_report(actor, a.round, task, "done", "x"),
        lambda actor: services.close_round(actor, a.round),
        lambda actor: services.set_rule_points(actor, a.plan, {"reports_on_time": "1"}),
        lambda actor: services.set_enterprise_readers(actor, a.plan, ["forestry"]),
    ]
    for actor in (b.users["office"], b.users["department"], city_reader):
        for i, call in enumerate(calls):
            with pytest.raises(PermissionDenied):
                call(actor)
            assert state(a) == before, (actor, i)
    # a department of A reporting A's task into B's round: refused too
    with pytest.raises(PermissionDenied):
        services.submit_report(a.users["department"], b.round, task, "done", "x")


# --- the plan API ---------------------------------------------------------------------------------------------


def api_writes(code: str) -> list[tuple[str, str, dict]]:
    base = f"/api/v1/plans/{code}"
    return [
        ("post", f"{base}/targets/{TARGET}/values", {"year": 2025, "quarter": 2, "value": "0.3"}),
        ("put", f"{base}/targets/{TARGET}", {"baseline_year": 2020, "baseline_value": 0, "values": {"2025": "0.2"}}),
        ("put", f"{base}/targets/{TARGET}/assignments", {"lead_departments": ["县林业局"]}),
        ("patch", f"{base}/tasks/{TASK}", {"status": "done"}),
        ("put", f"{base}/tasks/{TASK}/assignments", {"lead_departments": ["县林业局"]}),
    ]


def send(client: Client, method: str, path: str, body: dict, token: str | None = None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **extra)


def token(name: str, role: str, plan=None, department=None, region=None) -> str:
    return ApiClient.issue(name, role, department, plan=plan, region=region)[1]


def test_api_tokens_of_county_b_write_nothing_in_county_a(counties, city):
    a, b = counties
    office_b = token("office-b", "office", plan=b.plan)
    dept_b = token("fgj-b", "department", department=b.plan.departments.get(code="dev_reform"))
    region = token("zhuzhou", "region", region=city)
    before = state(a)
    for tok in (office_b, dept_b, region):
        for method, path, body in api_writes(a.code):
            r = send(Client(), method, path, body, tok)
            assert r.status_code == 403, (path, r.status_code)
            err = r.json()["errors"][0]
            assert err["code"] == "forbidden" and {"message_zh", "message_en", "field"} <= err.keys()
            assert A_NAME not in r.content.decode()
    assert state(a) == before
    # the session of B's office: the same
    session = logged_in(b.users["office"])
    for method, path, body in api_writes(a.code):
        assert send(session, method, path, body).status_code == 403, path
    assert state(a) == before
    # B's token on B's plan: written (the check above can fail)
    before_b = state(b)
    for method, path, body in api_writes(b.code):
        assert send(Client(), method, path, body, office_b).status_code in (200, 201), path
    assert state(b) != before_b and state(a) == before
    # the region's token writes in neither
    for method, path, body in api_writes(b.code):
        assert send(Client(), method, path, body, region).status_code == 403, path


def test_api_reads_published_plans_publicly_and_an_unpublished_one_in_its_county_only(counties, city):
    a, b = counties
    listed = Client().get("/api/v1/plans/").json()
    assert {p["code"] for p in listed} == {a.code, b.code}
    Plan.objects.filter(pk=b.plan.pk).update(is_published=False)
    assert [p["code"] for p in Client().get("/api/v1/plans/").json()] == [a.code]
    tokens = {
        "a": token("office-a", "office", plan=a.plan),
        "b": token("office-b", "office", plan=b.plan),
        "region": token("zhuzhou", "region", region=city),
    }
    for path in (f"/api/v1/plans/{b.code}", f"/api/v1/plans/{b.code}/status"):
        r = Client().get(path)
        assert r.status_code == 404 and r.json()["errors"][0]["code"] == "not_found"
        assert B_NAME not in r.content.decode()
        r = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {tokens['a']}")
        assert r.status_code == 404 and B_NAME not in r.content.decode()
        assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {tokens['b']}").status_code == 200
        assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {tokens['region']}").status_code == 200
        assert logged_in(b.users["auditor"]).get(path).status_code == 200
        assert logged_in(a.users["auditor"]).get(path).status_code == 404
    assert Client().get(f"/api/v1/plans/{a.code}/status").status_code == 200  # A is still public
    doc = Client().get(f"/api/v1/plans/{a.code}").json()
    assert doc["plan"]["code"] == a.code and B_NAME not in json.dumps(doc, ensure_ascii=False)
    # A's token writing to the unpublished B: as if it did not exist
    before_b = state(b)
    for method, path, body in api_writes(b.code):
        r = send(Client(), method, path, body, tokens["a"])
        assert r.status_code == 404, path
    assert state(b) == before_b


# --- public pages with several counties ------------------------------------------------------------------------


def test_root_lists_the_counties_and_each_has_its_own_public_page(counties):
    a, b = counties
    services.set_indicator_value(a.users["office"], a.plan.targets.get(code="forest_coverage"), 2024, None, "0.6612")
    services.set_indicator_value(b.users["office"], b.plan.targets.get(code="forest_coverage"), 2024, None, "0.5543")
    body = Client().get("/").content.decode()
    for c in counties:
        assert f'href="/c/{c.code}/"' in body and c.plan.title in body and c.plan.county in body
    page_a = Client().get(f"/c/{a.code}/").content.decode()
    page_b = Client().get(f"/c/{b.code}/").content.decode()
    assert a.plan.title in page_a and "66.12%" in page_a and "55.43%" not in page_a and B_NAME not in page_a
    assert b.plan.title in page_b and "55.43%" in page_b and "66.12%" not in page_b and A_NAME not in page_b
    # its links stay in the county: the brand, the public page, the login (which names the county)
    assert f'class="brand" href="/c/{b.code}/"' in page_b and f'href="/c/{b.code}/login/"' in page_b
    login = Client().get(f"/c/{b.code}/login/").content.decode()
    assert f'data-county="{b.code}"' in login and A_NAME not in login
    assert Client().get("/c/no-such-county/").status_code == 404
    # a county that is not published has no public page; with one published, / is that county's page again
    Plan.objects.filter(pk=b.plan.pk).update(is_published=False)
    assert Client().get(f"/c/{b.code}/").status_code == 404
    root = Client().get("/").content.decode()
    assert a.plan.title in root and "66.12%" in root and 'class="brand" href="/"' in root


def test_a_signed_in_user_sees_its_own_countys_public_page_at_root(counties):
    a, b = counties
    body = logged_in(b.users["department"]).get("/").content.decode()
    assert b.plan.title in body and A_NAME not in body


# --- loading another county ------------------------------------------------------------------------------------


def test_plan_import_loads_another_county_beside_chaling(plan, tmp_path, capsys, make_user):
    from carbonpeak.cli import build_parser

    path = tmp_path / "second.json"
    # the file as a county writes it: numbers as JSON numbers (the reader takes them as decimals)
    path.write_text(json.dumps(renamed_second_county(), ensure_ascii=False, default=float), encoding="utf-8")
    args = build_parser().parse_args(["plan", "import", str(path)])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    second = Plan.objects.get(code=out["imported"])
    assert second.pk != plan.pk and out["tasks"] == plan.tasks.count() and out["targets"] == plan.targets.count()
    assert second.assessment_rules.count() == plan.assessment_rules.count() == 4  # + lead projects (issue 16)
    # the same file again is a revision of that plan with nothing to change (docs/zh/living-plan.md): nothing twice
    assert args.func(args) == 0 and Plan.objects.count() == 2
    assert json.loads(capsys.readouterr().out)["empty"]
    office = logged_in(make_user("office_2", "office", plan=second))
    for name in ("dashboard", "tasks", "assessment"):
        body = office.get(reverse(name)).content.decode()
        assert f'data-county="{second.code}"' in body and A_NAME not in body, name
