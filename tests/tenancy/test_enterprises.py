"""Isolation of the enterprise pages, the signed readings API and the enterprise commands between two counties
(issue 15, TENANCY.md rule 6).

Chaling (county A) and a fictional second county (B) each get, through the real services, an enterprise with a
meter, a year of readings, an approved carbon account and a pending revision, a pending reading correction, a
benchmark, an energy budget, a review project, a published key-user list, an energy manager and a gateway. Then,
page by page (the ``PAGES`` table: a row per URL name with the object it takes): B's office, a B department
granted the enterprises, B's energy manager and B's gateway get 403/404 on A's objects and never A's text; B on
B's own objects gets 200 with B's text (so every row can fail); the city's reader reads both counties (after
``?county=``) and every write it tries is 403.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carbonpeak.accounts import services as account_services
from carbonpeak.accounts.models import ApiClient
from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises import carbon, control, disclosure, monitoring, services
from carbonpeak.enterprises.choices import AccountStatus, CorrectionStatus, ProjectStatus
from carbonpeak.enterprises.models import (
    CarbonAccount,
    EnergyBudget,
    Enterprise,
    HeadroomEntry,
    Meter,
    Reading,
    ReviewProject,
)
from carbonpeak.enterprises.rollups import BEIJING
from tests.tenancy.helpers import assert_no_text, body_of, login

pytestmark = pytest.mark.django_db

YEAR = timezone.now().astimezone(BEIJING).year - 1  # a closed year: accounts, the public list
THIS_YEAR = YEAR + 1
READINGS_URL = "/api/v1/monitoring/readings"


def _rows(*dicts):
    return [(i, d) for i, d in enumerate(dicts, start=2)]


def _month_end(y: int, m: int) -> str:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return dt.datetime.combine(nxt, dt.time(), BEIJING).isoformat()


def _county(plan, tag: str, office, make_user) -> dict:
    """One county's enterprise data, made through the services an office and an energy manager use (5 000 MWh a
    month: above the 5 000 tce a year of the key-user list)."""
    uscc = make_uscc("91430224" if tag == "A" else "91439901", f"MA4TEN{tag}1")
    name = f"{tag}县隔离测试陶瓷厂"
    meter_code = f"TEN-{tag}-E"
    services.import_enterprises(
        office, plan, _rows({"uscc": uscc, "name": name, "industry_code": "3071", "township": f"{tag}县街道"})
    )
    services.import_meters(
        office, plan, _rows({"uscc": uscc, "meter_code": meter_code, "carrier": "electricity", "unit": "MWh"})
    )
    ent = Enterprise.objects.get(uscc=uscc)
    meter = Meter.objects.get(meter_code=meter_code)
    manager = make_user(f"manager_{tag.lower()}", "enterprise", plan=plan)
    services.add_manager(office, ent, manager)
    rep = services.ingest_readings(
        plan,
        _rows(
            *({"meter_code": meter_code, "reading_time": _month_end(YEAR, m), "quantity": "5000"} for m in range(1, 13))
        ),
    )
    assert rep.accepted == 12, rep.as_dict()
    bench = f"{tag}县行业基准来源"
    carbon.import_benchmarks(
        office, plan, _rows({"industry_code": "30", "year": "2020", "intensity": "2", "source": bench})
    )
    approved = carbon.submit(manager, ent, YEAR, "1000", "first")
    carbon.approve(office, approved)
    pending = carbon.submit(manager, ent, YEAR, "1200", "revision")
    correction = monitoring.request_correction(manager, meter, _month_end(YEAR, 3), "4900", f"{tag}县抄表错误")
    control.set_budget(office, ent, THIS_YEAR, "5000")
    control.allocate(office, plan, "10000", f"{tag}县下达用能空间")
    project = control.approve_project(
        office,
        plan,
        name=f"{tag}县扩建项目",
        approval_ref=f"{tag}审〔{YEAR}〕1号",
        energy_tce="100",
        approved_on=dt.date(YEAR, 6, 1),
        expected_year=THIS_YEAR,
        enterprise=ent,
    )
    disclosure.publish_list(office, plan, YEAR)
    gateway, token = account_services.issue_client(None, f"{tag}县网关", "gateway", plan=plan)
    services.set_reading_scope(None, gateway, [ent])
    return {
        "plan": plan,
        "office": office,
        "ent": ent,
        "uscc": uscc,
        "meter": meter,
        "manager": manager,
        "approved": approved,
        "pending": pending,
        "correction": correction,
        "project": project,
        "gateway": gateway,
        "token": token,
        # what only this county's pages show: its enterprise's name and code, its benchmark, its project
        "texts": (name, uscc, bench, f"{tag}县扩建项目"),
    }


@pytest.fixture
def two(plan, county_b, office_b, make_user):
    office_a = make_user("office_a", "office", plan=plan)
    return {"A": _county(plan, "A", office_a, make_user), "B": _county(county_b, "B", office_b, make_user)}


def assert_texts(resp, county: dict) -> None:
    body = body_of(resp)
    assert county["texts"][0] in body, resp.request["PATH_INFO"]


# --- the table: every enterprise page, and the object it takes ------------------------------------------------
#: (url name, kwargs from a county's data, shows the county's texts, who reads it besides the office)
PAGES = [
    ("enterprises:home", lambda d: {}, True),
    ("enterprises:review", lambda d: {}, True),
    ("enterprises:control", lambda d: {}, True),
    ("enterprises:benchmarks", lambda d: {}, False),
    ("enterprises:public", lambda d: {}, True),
    ("enterprises:detail", lambda d: {"uscc": d["uscc"]}, True),
    ("enterprises:account_pdf", lambda d: {"uscc": d["uscc"], "year": YEAR}, False),
]
ID_PAGES = [p for p in PAGES if p[1]({"uscc": "x"})]
LIST_PAGES = [p for p in PAGES if not p[1]({"uscc": "x"})]


def _url(name, kwargs):
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "kw", "_texts"), ID_PAGES, ids=[p[0] for p in ID_PAGES])
def test_b_office_gets_404_on_a_objects_and_200_on_its_own(two, name, kw, _texts):
    a, b = two["A"], two["B"]
    c = login(b["office"])
    r = c.get(_url(name, kw(a)))
    assert r.status_code == 404, name
    assert_no_text(r, a)
    r = c.get(_url(name, kw(b)))
    assert r.status_code == 200, name
    if name == "enterprises:account_pdf":
        assert r["Content-Type"] == "application/pdf"
    else:
        assert_texts(r, b)
        assert_no_text(r, a)


@pytest.mark.parametrize(("name", "kw", "texts"), LIST_PAGES, ids=[p[0] for p in LIST_PAGES])
def test_b_office_lists_only_its_own_county(two, name, kw, texts):
    a, b = two["A"], two["B"]
    r = login(b["office"]).get(_url(name, {}))
    assert r.status_code == 200, name
    assert_no_text(r, a)
    body = body_of(r)
    assert (b["texts"][0] if texts else b["texts"][2]) in body, name


def test_b_department_granted_the_enterprises_reads_only_b(two, make_user):
    from carbonpeak.plan import services as plan_services

    a, b = two["A"], two["B"]
    plan_services.set_enterprise_readers(b["office"], b["plan"], ["forestry"])
    officer = make_user("linye_b", "department", b["plan"].departments.get(code="forestry"))
    c = login(officer)
    for name, kw, texts in PAGES:
        r = c.get(_url(name, kw(a)))
        if kw(a):
            assert r.status_code == 404, name
        else:
            assert r.status_code == 200, name
        assert_no_text(r, a)
        r = c.get(_url(name, kw(b)))
        assert r.status_code == 200, name
        if texts:
            assert_texts(r, b)
    # reading is not editing
    assert c.post(reverse("enterprises:review"), {"kind": "account", "id": b["pending"].pk}).status_code == 403


def test_b_energy_manager_sees_only_its_enterprise(two):
    a, b = two["A"], two["B"]
    a["ent"].managers.add(b["manager"])  # even if somehow named on A's enterprise (the service refuses it)
    c = login(b["manager"])
    r = c.get(reverse("enterprises:home"))
    assert r.status_code == 302 and r.url == reverse("enterprises:detail", args=[b["uscc"]])
    for name, kw, _texts in ID_PAGES:
        r = c.get(_url(name, kw(a)))
        assert r.status_code == 404, name
        assert_no_text(r, a)
        assert c.get(_url(name, kw(b))).status_code == 200, name
    # its writes on A's enterprise: 404, nothing stored
    before = Reading.objects.filter(meter=a["meter"]).count()
    r = c.post(
        reverse("enterprises:detail", args=[a["uscc"]]),
        {"action": "manual", "meter": a["meter"].pk, "reading_time": f"{YEAR}-05-05T10:00", "quantity": "5"},
    )
    assert r.status_code == 404 and Reading.objects.filter(meter=a["meter"]).count() == before
    r = c.post(reverse("enterprises:detail", args=[a["uscc"]]), {"action": "submit", "year": YEAR, "value_added": "1"})
    assert r.status_code == 404 and CarbonAccount.objects.filter(enterprise=a["ent"]).count() == 2
    # and on its own, the same manual entry is stored (the row above could fail)
    r = c.post(
        reverse("enterprises:detail", args=[b["uscc"]]),
        {"action": "manual", "meter": b["meter"].pk, "reading_time": f"{YEAR}-05-05T10:00", "quantity": "5"},
    )
    assert r.status_code == 200 and Reading.objects.filter(meter=b["meter"]).count() == 13


def test_a_manager_of_another_county_is_not_added(two):
    a, b = two["A"], two["B"]
    with pytest.raises(ValueError):
        services.add_manager(a["office"], a["ent"], b["manager"])
    assert not a["ent"].managers.filter(pk=b["manager"].pk).exists()


def test_b_office_writes_on_a_objects_are_404_and_change_nothing(two):
    a, b = two["A"], two["B"]
    c = login(b["office"])
    review, ctl = reverse("enterprises:review"), reverse("enterprises:control")
    posts = [
        (reverse("enterprises:detail", args=[a["uscc"]]), {"action": "correction", "meter": a["meter"].pk}),
        (review, {"kind": "account", "id": a["pending"].pk, "action": "approve"}),
        (review, {"kind": "account", "id": a["pending"].pk, "action": "return", "comment": "x"}),
        (review, {"kind": "correction", "id": a["correction"].pk, "action": "approve"}),
        (ctl + f"?year={THIS_YEAR}", {"action": "budget", "uscc": a["uscc"], "budget_tce": "1"}),
        (ctl, {"action": "project_status", "id": a["project"].pk, "status": ProjectStatus.CANCELLED}),
    ]
    for url, data in posts:
        r = c.post(url, data)
        assert r.status_code == 404, (url, data)
        assert_no_text(r, a)
    # a project naming A's enterprise is refused naming the field, not recorded without it
    r = c.post(
        ctl,
        {
            "action": "project",
            "uscc": a["uscc"],
            "name": "越界项目",
            "approval_ref": "越界1号",
            "energy_tce": "1",
            "approved_on": f"{YEAR}-01-02",
            "expected_year": THIS_YEAR,
        },
    )
    assert r.status_code == 422 and "uscc" in body_of(r) and not ReviewProject.objects.filter(name="越界项目").exists()
    a["pending"].refresh_from_db()
    a["correction"].refresh_from_db()
    a["project"].refresh_from_db()
    assert a["pending"].status == AccountStatus.SUBMITTED
    assert a["correction"].status == CorrectionStatus.PENDING
    assert a["project"].status == ProjectStatus.APPROVED
    assert EnergyBudget.objects.get(enterprise=a["ent"]).budget_tce == 5000
    # B's office approves its own pending account through the same form (so the rows above could fail)
    assert c.post(review, {"kind": "account", "id": b["pending"].pk, "action": "approve"}).status_code == 302
    b["pending"].refresh_from_db()
    assert b["pending"].status == AccountStatus.APPROVED


def test_services_refuse_the_office_of_another_county(two):
    from django.core.exceptions import PermissionDenied

    a, b = two["A"], two["B"]
    for call in (
        lambda: carbon.approve(b["office"], a["pending"]),
        lambda: carbon.return_account(b["office"], a["pending"], "x"),
        lambda: control.set_budget(b["office"], a["ent"], THIS_YEAR, "1"),
        lambda: control.set_county(b["office"], a["plan"], THIS_YEAR, "1", ""),
        lambda: control.allocate(b["office"], a["plan"], "1", "越界"),
        lambda: control.set_project_status(b["office"], a["project"], ProjectStatus.CANCELLED),
        lambda: disclosure.publish_list(b["office"], a["plan"], YEAR),
        lambda: monitoring.review_correction(b["office"], a["correction"], True),
        lambda: monitoring.enter_manual(b["office"], a["meter"], _month_end(YEAR, 5), "1"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert HeadroomEntry.objects.filter(plan=a["plan"]).count() == 2  # the allocation and the approval


def test_silent_meter_mail_goes_to_the_county_office_only(two):
    a, b = two["A"], two["B"]
    got = monitoring.recipients(a["meter"])
    assert a["office"].email in got and b["office"].email not in got


# --- the city's reader ------------------------------------------------------------------------------------------
def test_city_reader_reads_both_counties_and_writes_nothing(two, city_reader):
    a, b = two["A"], two["B"]
    c = login(city_reader)
    for d, other in ((a, b), (b, a)):
        code = d["plan"].code
        for name, kw, texts in PAGES:
            r = c.get(_url(name, kw(d)) + f"?county={code}")
            assert r.status_code == 200, (name, code)
            if texts:
                assert_texts(r, d)
            assert_no_text(r, other)
        # the other county's enterprise while this one is chosen: 404
        assert c.get(reverse("enterprises:detail", args=[other["uscc"]])).status_code == 404
        review, ctl = reverse("enterprises:review"), reverse("enterprises:control")
        for url, data in (
            (reverse("enterprises:check_meters"), {}),
            (
                reverse("enterprises:detail", args=[d["uscc"]]),
                {"action": "manual", "meter": d["meter"].pk, "reading_time": f"{YEAR}-05-05T10:00", "quantity": "5"},
            ),
            (review, {"kind": "account", "id": d["pending"].pk, "action": "approve"}),
            (review, {"kind": "correction", "id": d["correction"].pk, "action": "approve"}),
            (ctl, {"action": "budget", "uscc": d["uscc"], "budget_tce": "1"}),
            (ctl, {"action": "county", "energy_total_budget_tce": "1"}),
            (ctl, {"action": "allocate", "amount_tce": "1", "note": "x"}),
            (ctl, {"action": "project_status", "id": d["project"].pk, "status": ProjectStatus.CANCELLED}),
            (ctl, {"action": "publish", "year": YEAR}),
            (
                reverse("enterprises:benchmarks"),
                {"form": "one", "industry_code": "30", "year": "2021", "intensity": "1", "source": "x"},
            ),
        ):
            assert c.post(url, data).status_code == 403, (url, data)
        d["pending"].refresh_from_db()
        assert d["pending"].status == AccountStatus.SUBMITTED
        assert Reading.objects.filter(meter=d["meter"]).count() == 12


# --- the public list, per county --------------------------------------------------------------------------------
def test_public_key_user_list_at_each_county_address(two, client):
    a, b = two["A"], two["B"]
    for d, other in ((a, b), (b, a)):
        r = client.get(reverse("enterprises_county:public", kwargs={"county": d["plan"].code}))
        assert r.status_code == 200
        assert_texts(r, d)
        assert_no_text(r, other)
    # without a county (two on the installation) the short address sends the visitor to the list of counties
    r = client.get(reverse("enterprises:public"))
    assert r.status_code == 302 and r.url == reverse("public")
    # a county's own account reads its county's list at the short address
    r = login(b["office"]).get(reverse("enterprises:public"))
    assert_texts(r, b)
    assert_no_text(r, a)
    assert client.get("/c/no-such-county/enterprises/key-users/").status_code == 404


# --- the signed readings API -------------------------------------------------------------------------------------
def send(token: str, readings: list[dict], key: str) -> dict:
    raw = json.dumps({"readings": readings}).encode()
    sig = hmac.new(ApiClient.signing_secret(token).encode(), raw, hashlib.sha256).hexdigest()
    r = Client().post(
        READINGS_URL,
        raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Signature": sig, "Idempotency-Key": key},
    )
    return {"status": r.status_code, "json": r.json(), "body": r.content.decode()}


def _reading(meter_code: str, hour: int) -> dict:
    return {"meter_code": meter_code, "reading_time": f"{THIS_YEAR}-01-02T{hour:02d}:00:00+08:00", "quantity": "3"}


def test_b_gateway_cannot_send_readings_for_a_meter(two):
    a, b = two["A"], two["B"]
    before = Reading.objects.filter(meter=a["meter"]).count()
    out = send(b["token"], [_reading(a["meter"].meter_code, 1), _reading(b["meter"].meter_code, 1)], "k1")
    assert out["status"] == 200
    assert out["json"]["accepted"] == 1 and [r["field"] for r in out["json"]["rejected"]] == ["meter_code"]
    assert a["uscc"] not in out["body"] and a["texts"][0] not in out["body"]
    # A's enterprise forced into B's gateway scope (the service refuses it): the meter is still another county's
    with pytest.raises(ValueError):
        services.set_reading_scope(None, b["gateway"], [b["ent"], a["ent"]])
    b["gateway"].reading_enterprises.add(a["ent"])
    out = send(b["token"], [_reading(a["meter"].meter_code, 2)], "k2")
    assert out["status"] == 200 and out["json"]["accepted"] == 0 and out["json"]["rejected"][0]["field"] == "meter_code"
    assert Reading.objects.filter(meter=a["meter"]).count() == before
    # a gateway whose only enterprise is another county's has no scope at all
    b["gateway"].reading_enterprises.set([a["ent"]])
    out = send(b["token"], [_reading(a["meter"].meter_code, 3)], "k3")
    assert out["status"] == 403 and out["json"]["errors"][0]["code"] == "no_scope"
    assert Reading.objects.filter(meter=a["meter"]).count() == before
    # A's own gateway stores the same row (so the refusals above could fail)
    out = send(a["token"], [_reading(a["meter"].meter_code, 3)], "k3")
    assert out["json"]["accepted"] == 1 and Reading.objects.filter(meter=a["meter"]).count() == before + 1


# --- the enterprise commands --------------------------------------------------------------------------------------
def _cli(*argv, capsys):
    from carbonpeak.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_commands_need_a_county_and_keep_to_it(two, tmp_path, capsys):
    a, b = two["A"], two["B"]
    f = tmp_path / "ent.csv"
    f.write_text(f"uscc,name,industry_code,township\n{a['uscc']},改名,3071,\n", encoding="utf-8")
    # two counties: without --plan the command names the choices and does nothing
    code, _out, err = _cli("enterprises", "import", str(f), capsys=capsys)
    assert code == 2 and "--plan" in err and a["plan"].code in err and b["plan"].code in err
    # A's USCC imported into B: refused (the enterprise belongs to another county), A's name unchanged
    code, out, _ = _cli("enterprises", "import", str(f), "--plan", b["plan"].code, capsys=capsys)
    assert code == 1 and json.loads(out)["rejected"][0]["field"] == "uscc"
    assert Enterprise.objects.get(uscc=a["uscc"]).name == a["texts"][0]
    m = tmp_path / "meters.csv"
    m.write_text(f"uscc,meter_code,carrier,unit\n{b['uscc']},{a['meter'].meter_code},electricity,MWh\n")
    code, out, _ = _cli("meters", "import", str(m), "--plan", b["plan"].code, capsys=capsys)
    assert code == 1 and json.loads(out)["rejected"][0]["field"] == "meter_code"
    assert Meter.objects.get(meter_code=a["meter"].meter_code).enterprise == a["ent"]
    r = tmp_path / "readings.csv"
    r.write_text(f"meter_code,reading_time,quantity\n{a['meter'].meter_code},{THIS_YEAR}-01-03 00:00,1\n")
    before = Reading.objects.filter(meter=a["meter"]).count()
    code, out, _ = _cli("readings", "import", str(r), "--plan", b["plan"].code, capsys=capsys)
    assert code == 1 and json.loads(out)["rejected"][0]["field"] == "meter_code"
    assert Reading.objects.filter(meter=a["meter"]).count() == before
    code, out, _ = _cli("readings", "import", str(r), "--plan", a["plan"].code, capsys=capsys)
    assert code == 0 and Reading.objects.filter(meter=a["meter"]).count() == before + 1
    # a user or a gateway of B naming A's enterprise
    code, _out, err = _cli(
        "user",
        "add",
        "mgr_x",
        "--role",
        "enterprise",
        "--enterprise",
        a["uscc"],
        "--plan",
        b["plan"].code,
        capsys=capsys,
    )
    assert code == 2 and "--enterprise" in err
    code, _out, err = _cli(
        "client", "add", "gw_x", "--role", "gateway", "--enterprise", a["uscc"], "--plan", b["plan"].code, capsys=capsys
    )
    assert code == 2 and "--enterprise" in err and not ApiClient.objects.filter(name="gw_x").exists()
    # the accounts of a year: each county's own enterprises
    code, out, _ = _cli("enterprises", "accounts", "--year", str(YEAR), "--plan", b["plan"].code, capsys=capsys)
    assert code == 0 and [e["uscc"] for e in json.loads(out)["enterprises"]] == [b["uscc"]]
