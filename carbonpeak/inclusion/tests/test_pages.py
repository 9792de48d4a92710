"""碳普惠 pages: who may open which page; join, consent, redeem, export, delete through the views."""

from __future__ import annotations

import json

from carbonpeak.inclusion import awards, services
from carbonpeak.inclusion.models import Merchant, Resident
from carbonpeak.inclusion.tests.conftest import event


def test_inclusion_pages_by_role(scheme, resident, make_user, client):
    r = resident("amy")
    client.force_login(r.user)
    assert client.get("/inclusion/").status_code == 200
    for url in ("/inclusion/office/", "/inclusion/merchant/", "/inclusion/operator/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/dashboard/").url == "/inclusion/"  # a resident's home is their points page
    client.logout()
    clerk = make_user("clerk", "merchant")
    Merchant.objects.create(plan=scheme["plan"], name="店").users.add(clerk)
    client.force_login(clerk)
    assert client.get("/inclusion/").url == "/inclusion/merchant/"
    assert client.get("/inclusion/merchant/").status_code == 200
    assert client.get("/inclusion/office/").status_code == 403
    client.logout()
    client.force_login(scheme["office"])
    for url in ("/inclusion/office/", "/inclusion/operator/", "/inclusion/merchant/"):
        assert client.get(url).status_code == 200, url


def test_inclusion_join_consent_export_delete_through_the_pages(scheme, client):
    r = client.post("/inclusion/join/", {"username": "zoe", "password": "short", "display_name": "Z"})
    assert r.status_code == 422 and not Resident.objects.exists()  # nothing stored half-way
    r = client.post(
        "/inclusion/join/",
        {"username": "zoe", "password": "Green-trip-2026!", "display_name": "Z", "phone": "123", "agree": "1"},
    )
    assert r.status_code == 422 and "phone" in r.content.decode() and not Resident.objects.exists()
    client.post(
        "/inclusion/join/",
        {"username": "zoe", "password": "Green-trip-2026!", "display_name": "Z", "phone": "13900000000", "agree": "1"},
    )
    z = Resident.objects.get(user__username="zoe")
    sc = scheme["sc"]["green_travel"]
    client.post("/inclusion/", {"scenario": sc.pk, "action": "grant"})
    assert z.consents.filter(revoked_at__isnull=True).count() == 1
    awards.ingest(scheme["plan"], [event("z1", z)], "bus", [sc])
    data = json.loads(client.get("/inclusion/export.json").content)
    assert data["balance"] == 10 and data["pseudonym"] == z.pseudonym and data["consents"][0]["scenario"] == sc.code
    assert client.post("/inclusion/delete/", {"confirm": "no"}).status_code == 422
    assert client.post("/inclusion/delete/", {"confirm": "注销"}).status_code == 200
    z.refresh_from_db()
    assert z.deleted_at is not None and services.balance(z) == 0
    assert client.get("/inclusion/").status_code == 302  # logged out


def test_redeeming_asks_first_then_shows_the_code(scheme, resident, client):
    """Issue 14: a tap on 兑换 asks for confirmation (nothing spent), the confirmed redemption shows the code
    at the top of the page; a code used twice says 兑换码已核销 (not 已已核销)."""
    from decimal import Decimal

    from carbonpeak.inclusion.models import Redemption, Reward
    from carbonpeak.validation import ValidationFailed

    r = resident("amy")
    awards.ingest(scheme["plan"], [event("a1", r, quantity="40")], "bus", [scheme["sc"]["green_travel"]])
    shop = Merchant.objects.create(plan=scheme["plan"], name="茶陵绿色超市")
    rw = Reward.objects.create(
        merchant=shop, name="环保袋", points_price=30, value_yuan=Decimal("3"), stock=3, valid_until="2099-12-31"
    )
    client.force_login(r.user)
    before = services.balance(r)
    page = client.post("/inclusion/rewards/", {"reward": rw.pk}).content.decode()
    assert "确认兑换" in page and f"兑换后剩余 <strong>{before - 30}</strong>" in page
    assert not Redemption.objects.exists() and services.balance(r) == before
    resp = client.post("/inclusion/rewards/", {"reward": rw.pk, "confirm": "1"})
    red = Redemption.objects.get()
    assert resp.status_code == 302 and resp.url == f"/inclusion/rewards/?new={red.pk}#new-code"
    page = client.get(resp.url).content.decode()
    assert 'id="new-code"' in page and f'<code class="code" data-code="{red.code}">' in page.split('id="codes"')[0]
    shop.users.add(scheme["office"])
    services.verify(scheme["office"], shop, red.code)
    try:
        services.verify(scheme["office"], shop, red.code)
    except ValidationFailed as exc:
        assert exc.issues[0].message_zh == "兑换码已核销"
    else:
        raise AssertionError("a used code was accepted twice")


def test_history_is_in_time_order_even_when_events_arrive_late(scheme, resident, client):
    import datetime as dt

    from carbonpeak.inclusion.tests.conftest import BJ

    r = resident("amy")
    now = dt.datetime.now(BJ).replace(hour=9, minute=0, second=0, microsecond=0)
    sc = [scheme["sc"]["green_travel"]]
    awards.ingest(scheme["plan"], [event("late", r, when=now - dt.timedelta(days=1))], "bus", sc)
    awards.ingest(scheme["plan"], [event("early", r, when=now - dt.timedelta(days=5))], "bus", sc)  # arrives later
    client.force_login(r.user)
    page = client.get("/inclusion/").content.decode().split('id="history"')[1]
    days = [(now - dt.timedelta(days=d)).strftime("%m-%d") for d in (1, 5)]
    assert page.index(days[0]) < page.index(days[1])  # newest first, by the day of the trip


def test_office_page_links_only_what_the_role_may_open(scheme, fgj, client):
    client.force_login(fgj)
    page = client.get("/inclusion/office/").content.decode()
    assert "/inclusion/operator/" not in page and "/inclusion/merchant/" not in page
    client.force_login(scheme["office"])
    page = client.get("/inclusion/office/").content.decode()
    assert "/inclusion/operator/" in page and "/inclusion/merchant/" in page
