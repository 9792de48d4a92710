"""Isolation of 碳普惠 between two counties (issue 15, TENANCY.md rule 6): the resident's pages, the household and
leaderboard, the ledger export, rewards and redemption, the merchant's and the operator's pages, the office's
dashboard, the partner events API, the per-county join page and the 碳普惠 commands.

Chaling (A) and a fictional second county (B) each run the shipped scheme (through ``config.load_defaults``),
with a funded pool, a resident in a household on the leaderboard, an operator client and its console user, events
sent through the signed API (one awarded, one held for review), a merchant with a clerk, a reward and an issued
redemption code. Then B's office, department officer, resident, merchant clerk, operator user and operator token
try A's objects (403/404 or a refusal naming the field, never A's text), do the same on B's own (200, so each row
can fail), and the city's reader reads both counties' staff pages and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carbonpeak.accounts import services as account_services
from carbonpeak.accounts.models import ApiClient
from carbonpeak.inclusion import awards, config, ledger, services
from carbonpeak.inclusion.choices import EventStatus, RedemptionStatus
from carbonpeak.inclusion.models import Event, Merchant, OperatorScope, Redemption, Resident, Reward
from carbonpeak.validation import ValidationFailed
from tests.tenancy.helpers import assert_no_text, body_of, login

pytestmark = pytest.mark.django_db
EVENTS_URL = "/api/v1/inclusion/events"


def _event(ref: str, resident: Resident, steps: str) -> dict:
    """A walk (no service hours) a minute ago: today, so this month's leaderboard counts it."""
    when = timezone.now() - dt.timedelta(minutes=1)
    return {"ref": ref, "resident": resident.pseudonym, "methodology": "walk", "quantity": steps,
            "occurred_at": when.isoformat()}  # fmt: skip


def send(token: str, events: list[dict], key: str) -> dict:
    raw = json.dumps({"events": events}).encode()
    sig = hmac.new(ApiClient.signing_secret(token).encode(), raw, hashlib.sha256).hexdigest()
    r = Client().post(
        EVENTS_URL,
        raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Signature": sig, "Idempotency-Key": key},
    )
    return {"status": r.status_code, "json": r.json(), "body": r.content.decode()}


def _county(plan, tag: str, office, make_user) -> dict:
    t = tag.lower()
    scs = {s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))}
    gt = scs["green_travel"]
    services.fund(office, gt, 100_000, f"{tag}县预算")
    user = make_user(f"resident_{t}", "resident", plan=plan)
    r = services.join(plan, user, f"{tag}县居民", phone="13800000000", community=f"{tag}县社区")
    services.grant(r, gt)
    services.create_household(r, f"{tag}县家庭")
    r.refresh_from_db()
    services.set_leaderboard_opt_in(r, True)
    invite = services.invite(r)
    op_user = make_user(f"operator_{t}", "operator", plan=plan)
    client, token = account_services.issue_client(None, f"{tag}县公交公司", "operator", plan=plan)
    services.set_operator_scope(None, client, f"{tag}县渠道", [gt], [op_user])
    out = send(token, [_event(f"{tag}-walk-1", r, "40000"), _event(f"{tag}-held-1", r, "70000")], f"{tag}-k1")
    assert (out["json"]["awarded"], out["json"]["held"]) == (1, 1), out
    merchant = Merchant.objects.create(plan=plan, name=f"{tag}县绿色超市")
    clerk = make_user(f"clerk_{t}", "merchant", plan=plan)
    merchant.users.add(clerk)
    reward = Reward.objects.create(
        merchant=merchant,
        name=f"{tag}县环保袋",
        points_price=5,
        value_yuan=Decimal("1"),
        stock=10,
        valid_until=dt.date(2099, 12, 31),
    )
    red = services.redeem(r, reward)
    return {
        "plan": plan,
        "office": office,
        "sc": scs,
        "resident": r,
        "invite": invite,
        "op_user": op_user,
        "client": client,
        "token": token,
        "merchant": merchant,
        "clerk": clerk,
        "reward": reward,
        "red": red,
        "held": Event.objects.get(ref=f"{tag}-held-1"),
        # what only this county's pages show
        "texts": (
            f"{tag}县居民",
            f"{tag}县家庭",
            f"{tag}县绿色超市",
            f"{tag}县环保袋",
            f"{tag}县公交公司",
            f"{tag}-held-1",
            r.pseudonym,
            red.code,
        ),
    }


@pytest.fixture
def two(plan, county_b, office_b, make_user):
    office_a = make_user("office_a", "office", plan=plan)
    return {"A": _county(plan, "A", office_a, make_user), "B": _county(county_b, "B", office_b, make_user)}


# --- the table: (page, who of a county opens it, the county's text it must show) ---------------------------------
RESIDENT_PAGES = [
    ("inclusion:home", "resident", lambda d: d["resident"].pseudonym),
    ("inclusion:rewards", "resident", lambda d: d["reward"].name),
    ("inclusion:household", "resident", lambda d: d["texts"][1]),
    ("inclusion:export", "resident", lambda d: d["resident"].pseudonym),
    ("inclusion:delete", "resident", lambda d: None),
]
STAFF_PAGES = [
    ("inclusion:office", "office", lambda d: d["held"].ref),
    ("inclusion:operator", "office", lambda d: d["client"].name),
    ("inclusion:merchant", "office", lambda d: d["merchant"].name),
    ("inclusion:merchant", "clerk", lambda d: d["red"].code),
    ("inclusion:operator", "op_user", lambda d: d["client"].name),
]


@pytest.mark.parametrize(("name", "who", "text"), RESIDENT_PAGES + STAFF_PAGES)
def test_b_sees_only_b_on_every_page(two, name, who, text):
    a, b = two["A"], two["B"]
    actor = b[who].user if who == "resident" else b[who]
    r = login(actor).get(reverse(name))
    assert r.status_code == 200, name
    want = text(b)
    if want:
        assert want in body_of(r), name
    assert_no_text(r, a)


def test_b_department_reads_the_dashboard_of_b_only(two, make_user):
    a, b = two["A"], two["B"]
    officer = make_user("fgj_b", "department", b["plan"].departments.get(code="dev_reform"))
    r = login(officer).get(reverse("inclusion:office"))
    assert r.status_code == 200 and b["held"].ref in body_of(r)
    assert_no_text(r, a)
    assert login(officer).post(reverse("inclusion:office"), {"action": "fund"}).status_code == 403


def test_b_resident_cannot_touch_a_objects(two):
    a, b = two["A"], two["B"]
    c = login(b["resident"].user)
    # consent to A's scenario: 404, nothing granted
    r = c.post(reverse("inclusion:home"), {"scenario": a["sc"]["green_life"].pk, "action": "grant"})
    assert r.status_code == 404
    assert_no_text(r, a)
    assert not b["resident"].consents.filter(scenario__plan=a["plan"]).exists()
    # A's reward by id: 404 at the question and at the confirmation; stock and balances unchanged
    balance = services.balance(b["resident"])
    for data in ({"reward": a["reward"].pk}, {"reward": a["reward"].pk, "confirm": "1"}):
        r = c.post(reverse("inclusion:rewards"), data)
        assert r.status_code == 404
        assert_no_text(r, a)
    a["reward"].refresh_from_db()
    assert a["reward"].stock == 9 and services.balance(b["resident"]) == balance
    # A's household invitation: refused as invalid, no A text, still in B's household
    b["resident"].household = None
    b["resident"].save(update_fields=["household"])
    r = c.post(reverse("inclusion:household"), {"action": "accept", "code": a["invite"].code})
    assert r.status_code == 422 and "code" in body_of(r)
    assert_no_text(r, a)
    b["resident"].refresh_from_db()
    assert b["resident"].household is None
    # B's own reward: asked, then redeemed (so the refusals above could fail)
    r = c.post(reverse("inclusion:rewards"), {"reward": b["reward"].pk, "confirm": "1"})
    assert r.status_code == 302 and Redemption.objects.filter(resident=b["resident"]).count() == 2


def test_services_keep_residents_merchants_and_offices_in_their_county(two):
    a, b = two["A"], two["B"]
    with pytest.raises(ValidationFailed) as e:
        services.redeem(b["resident"], a["reward"])
    assert e.value.issues[0].field == "reward"
    a["merchant"].users.add(b["clerk"])  # even if somehow a clerk of A's merchant
    with pytest.raises(PermissionDenied):
        services.verify(b["clerk"], a["merchant"], a["red"].code)
    for call in (
        lambda: services.settle(b["office"], a["merchant"], timezone.localdate().strftime("%Y-%m")),
        lambda: services.fund(b["office"], a["sc"]["green_travel"], 10, "越界"),
        lambda: services.expire_inactive(b["office"], a["plan"]),
        lambda: awards.review(b["office"], a["held"], True, "越界"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    a["red"].refresh_from_db()
    a["held"].refresh_from_db()
    assert a["red"].status == RedemptionStatus.ISSUED and a["held"].status == EventStatus.HELD
    assert ledger.check_balanced(a["plan"]) == {"unbalanced_txns": [], "drifted_accounts": []}


def test_b_merchant_clerk_and_office_get_404_on_a_merchant(two):
    a, b = two["A"], two["B"]
    url = reverse("inclusion:merchant")
    for who in ("clerk", "office"):
        c = login(b[who])
        r = c.get(f"{url}?m={a['merchant'].pk}")
        assert r.status_code == 404, who
        assert_no_text(r, a)
        r = c.get(f"{url}?m={b['merchant'].pk}")
        assert r.status_code == 200 and b["merchant"].name in body_of(r), who
    # A's code at B's counter: unknown (no A text), still issued
    r = login(b["clerk"]).post(url, {"code": a["red"].code})
    assert r.status_code == 422
    assert_no_text(r, a)
    r = login(b["office"]).post(f"{url}?m={a['merchant'].pk}", {"action": "settle", "period": "2026-01"})
    assert r.status_code == 404
    a["red"].refresh_from_db()
    assert a["red"].status == RedemptionStatus.ISSUED
    # B's clerk verifies B's code (the refusals above could fail)
    assert login(b["clerk"]).post(url, {"code": b["red"].code}).status_code == 200
    b["red"].refresh_from_db()
    assert b["red"].status == RedemptionStatus.VERIFIED


def test_b_office_writes_on_a_scenarios_and_events_are_404(two):
    a, b = two["A"], two["B"]
    c = login(b["office"])
    pool = ledger.pool_account(a["sc"]["green_travel"]).balance
    url = reverse("inclusion:office")
    for data in (
        {"action": "fund", "scenario": a["sc"]["green_travel"].pk, "points": "10"},
        {"action": "release", "event": a["held"].pk, "reason": "越界"},
        {"action": "reject", "event": a["held"].pk, "reason": "越界"},
    ):
        r = c.post(url, data)
        assert r.status_code == 404, data
        assert_no_text(r, a)
    a["held"].refresh_from_db()
    assert a["held"].status == EventStatus.HELD and ledger.pool_account(a["sc"]["green_travel"]).balance == pool
    # on B's own held event the same form works
    assert c.post(url, {"action": "reject", "event": b["held"].pk, "reason": "核实为异常"}).status_code == 302
    b["held"].refresh_from_db()
    assert b["held"].status == EventStatus.REJECTED


# --- the city's reader ------------------------------------------------------------------------------------------
def test_city_reader_reads_both_counties_staff_pages_and_writes_nothing(two, city_reader):
    a, b = two["A"], two["B"]
    c = login(city_reader)
    for d, other in ((a, b), (b, a)):
        code = d["plan"].code
        for name, _who, text in STAFF_PAGES:
            r = c.get(f"{reverse(name)}?county={code}")
            assert r.status_code == 200, (name, code)
            assert text(d) in body_of(r), (name, code)
            assert_no_text(r, other)
        r = c.get(f"{reverse('inclusion:merchant')}?county={code}&m={d['merchant'].pk}")
        assert r.status_code == 200 and d["merchant"].name in body_of(r)
        assert c.get(f"{reverse('inclusion:merchant')}?m={other['merchant'].pk}").status_code == 404
        # the resident's pages are the residents' own: the reader is sent to the dashboard
        assert c.get(reverse("inclusion:home")).url == reverse("inclusion:office")
        assert c.get(reverse("inclusion:export")).status_code == 403
        for url, data in (
            (reverse("inclusion:office"), {"action": "fund", "scenario": d["sc"]["green_travel"].pk, "points": "1"}),
            (reverse("inclusion:office"), {"action": "release", "event": d["held"].pk, "reason": "x"}),
            (f"{reverse('inclusion:merchant')}?m={d['merchant'].pk}", {"code": d["red"].code}),
            (f"{reverse('inclusion:merchant')}?m={d['merchant'].pk}", {"action": "settle", "period": "2026-01"}),
        ):
            assert c.post(url, data).status_code == 403, (url, data)
        d["held"].refresh_from_db()
        d["red"].refresh_from_db()
        assert d["held"].status == EventStatus.HELD and d["red"].status == RedemptionStatus.ISSUED


# --- the partner events API -------------------------------------------------------------------------------------
def test_b_operator_acts_only_for_b_scenarios_and_residents(two):
    a, b = two["A"], two["B"]
    balance = services.balance(a["resident"])
    out = send(b["token"], [_event("x-1", a["resident"], "10000"), _event("x-2", b["resident"], "10000")], "x1")
    assert out["status"] == 200 and out["json"]["awarded"] == 1
    assert [(e["line"], e["field"]) for e in out["json"]["events"] if e["status"] == "rejected"] == [(1, "resident")]
    assert_no_text_in(out["body"], a)
    # A's scenario forced into B's scope (the service refuses it): A's resident stays unknown, nothing awarded
    with pytest.raises(ValidationFailed) as e:
        services.set_operator_scope(None, b["client"], "x", [a["sc"]["green_travel"]], [])
    assert e.value.issues[0].field == "scenario"
    scope = OperatorScope.objects.get(client=b["client"])
    scope.scenarios.add(a["sc"]["green_travel"])
    out = send(b["token"], [_event("x-3", a["resident"], "10000")], "x3")
    assert out["json"]["awarded"] == 0 and out["json"]["events"][0]["field"] == "resident"
    # a scope of A's scenarios only: no scope at all for a B client
    scope.scenarios.set([a["sc"]["green_travel"]])
    out = send(b["token"], [_event("x-4", a["resident"], "10000")], "x4")
    assert out["status"] == 403 and out["json"]["errors"][0]["code"] == "no_scope"
    assert services.balance(a["resident"]) == balance
    assert not Event.objects.filter(ref__startswith="x-", resident=a["resident"]).exists()
    # A's operator awards A's resident (the refusals above could fail)
    out = send(a["token"], [_event("x-5", a["resident"], "10000")], "x5")
    assert out["json"]["awarded"] == 1 and services.balance(a["resident"]) == balance + 6


def assert_no_text_in(body: str, county: dict) -> None:
    for t in county["texts"]:
        assert t not in body, t


def test_operator_scope_users_must_be_of_the_client_county(two):
    a, b = two["A"], two["B"]
    with pytest.raises(ValidationFailed) as e:
        services.set_operator_scope(None, b["client"], "x", [b["sc"]["green_travel"]], [a["op_user"]])
    assert e.value.issues[0].field == "user"
    assert not OperatorScope.objects.get(client=b["client"]).users.filter(pk=a["op_user"].pk).exists()


# --- the join page, per county ---------------------------------------------------------------------------------
def test_join_page_per_county(two, client):
    a, b = two["A"], two["B"]
    form = {"password": "Green-trip-2026!", "display_name": "新居民", "agree": "1"}
    for d in (a, b):
        url = reverse("inclusion_county:join", kwargs={"county": d["plan"].code})
        r = client.get(url)
        assert r.status_code == 200 and d["plan"].county in body_of(r)
        name = f"new_{d['plan'].pk}"
        r = client.post(url, {**form, "username": name})
        assert r.status_code == 302 and r.url == reverse("inclusion:home")
        joined = Resident.objects.get(user__username=name)
        assert joined.plan == d["plan"] and joined.user.plan == d["plan"]
        # the new resident's own pages are of its county
        page = client.get(reverse("inclusion:rewards"))
        assert d["reward"].name in body_of(page)
        assert_no_text(page, b if d is a else a)
        client.logout()
    # a refused form goes back to the county's page
    url = reverse("inclusion_county:join", kwargs={"county": b["plan"].code})
    r = client.post(url, {**form, "username": ""})
    assert r.status_code == 422 and url in body_of(r)
    # the short address of a two-county installation sends the visitor to the list of counties
    r = client.get(reverse("inclusion:join"))
    assert r.status_code == 302 and r.url == reverse("public")
    assert client.get("/c/no-such-county/inclusion/join/").status_code == 404


def test_join_service_refuses_an_account_of_another_county(two, make_user):
    a, b = two["A"], two["B"]
    u = make_user("someone_b", "resident", plan=b["plan"])
    with pytest.raises(ValidationFailed) as e:
        services.join(a["plan"], u, "x")
    assert e.value.issues[0].field == "user" and not Resident.objects.filter(user=u).exists()


def test_leaderboards_count_only_the_county(two):
    a, b = two["A"], two["B"]
    month = timezone.localdate().replace(day=1)
    assert [x["name"] for x in services.leaderboard(b["plan"], month, "household")] == [b["texts"][1]]
    assert [x["name"] for x in services.leaderboard(b["plan"], month, "community")] == ["B县社区"]
    assert [x["name"] for x in services.leaderboard(a["plan"], month, "household")] == [a["texts"][1]]


# --- the 碳普惠 commands ------------------------------------------------------------------------------------------
def _cli(*argv, capsys):
    from carbonpeak.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_inclusion_commands_need_a_county_and_keep_to_it(two, tmp_path, capsys):
    a, b = two["A"], two["B"]
    base = ["inclusion", "operator", b["client"].name, "--channel", "bus", "--scenario", "green_travel"]
    code, _out, err = _cli(*base, capsys=capsys)
    assert code == 2 and "--plan" in err and a["plan"].code in err and b["plan"].code in err
    # A's client named in B's county: refused naming the client
    code, _out, err = _cli(*base[:2], a["client"].name, *base[3:], "--plan", b["plan"].code, capsys=capsys)
    assert code == 2 and err.startswith("client") and a["client"].name in err
    assert OperatorScope.objects.get(client=a["client"]).channel == "A县渠道"
    # a user of A for B's operator: refused naming --user, nothing changed
    code, _out, err = _cli(*base, "--plan", b["plan"].code, "--user", a["op_user"].username, capsys=capsys)
    assert code == 2 and err.startswith("--user")
    assert OperatorScope.objects.get(client=b["client"]).channel == "B县渠道"
    # B's own: done
    code, out, _err = _cli(*base, "--plan", b["plan"].code, capsys=capsys)
    assert code == 0 and json.loads(out)["channel"] == "bus"
    assert OperatorScope.objects.get(client=b["client"]).channel == "bus"
    # baselines naming A's resident, loaded into B: unknown resident
    f = tmp_path / "baselines.csv"
    f.write_text(f"resident,year,month,kwh\n{a['resident'].pseudonym},2025,1,100\n", encoding="utf-8")
    code, out, _err = _cli("inclusion", "baselines", str(f), "--plan", b["plan"].code, capsys=capsys)
    assert code == 1 and json.loads(out)["rejected"][0]["field"] == "resident"
    code, out, _err = _cli("inclusion", "baselines", str(f), "--plan", a["plan"].code, capsys=capsys)
    assert code == 0 and json.loads(out)["accepted"] == 1
    # setup is per county and idempotent
    from carbonpeak.inclusion.models import Methodology, Scenario

    before = (Scenario.objects.count(), Methodology.objects.count())
    code, out, _err = _cli("inclusion", "setup", "--plan", b["plan"].code, capsys=capsys)
    assert code == 0 and sorted(json.loads(out)["scenarios"]) == sorted(b["sc"])
    assert (Scenario.objects.count(), Methodology.objects.count()) == before
