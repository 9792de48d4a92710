"""A resident joins on a phone-sized screen, consents to green travel, receives points from the bus company's
signed batch, redeems a reward, and the merchant verifies the code. Real chromium against a live server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_joins_earns_redeems_and_the_merchant_verifies(live_server, browser, plan, office, make_user):
    from django.test import Client
    from django.utils import timezone

    from carbonpeak.accounts.models import ApiClient

    # the county's scheme: scenarios in force, a funded pool, the bus company's key, a shop with a reward
    from carbonpeak.inclusion import config, services
    from carbonpeak.inclusion.models import Merchant, OperatorScope, Redemption, Resident, Reward
    from carbonpeak.inclusion.tests.conftest import event, signed_post

    sc = {s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))}
    services.fund(office, sc["green_travel"], 10_000, "预算")
    client, token = ApiClient.issue("县公交公司", "operator", plan=plan)
    OperatorScope.objects.create(client=client, channel="bus").scenarios.add(sc["green_travel"])
    shop = Merchant.objects.create(plan=plan, name="茶陵绿色超市")
    clerk = make_user("clerk", "merchant")
    shop.users.add(clerk)
    Reward.objects.create(merchant=shop, name="环保袋", points_price=30, value_yuan=Decimal("3"), stock=3,
                          valid_until=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    base = live_server.url
    errors: list[str] = []

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/inclusion/join/")
    page.fill("input[name=username]", "xiaoli")
    page.fill("input[name=password]", "Green-trip-2026!")
    page.fill("input[name=display_name]", "小李")
    page.fill("input[name=phone]", "13800000000")
    page.fill("input[name=community]", "洣江社区")
    page.check("input[name=agree]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/inclusion/")
    assert page.locator("#balance").inner_text() == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone: no sideways scrolling
    page.click("#consent button[data-scenario=green_travel]")
    page.wait_for_url(f"{base}/inclusion/")
    assert page.locator("#consent button[data-scenario=green_travel]").inner_text() == "撤回授权"
    r = Resident.objects.get(user__username="xiaoli")
    assert page.locator("#pseudonym").inner_text() == r.pseudonym and r.phone_hash and "138" not in r.phone_hash

    # the bus company reports three trips (one twice) under the pseudonymous id
    body = {
        "events": [event("bus-1", r, quantity="20"), event("bus-2", r, quantity="25"), event("bus-1", r, quantity="20")]
    }
    resp = signed_post(Client(), token, body, "bus-2026-12-01")
    assert resp.status_code == 200 and resp.json()["awarded"] == 2 and resp.json()["duplicate"] == 1
    page.reload()
    assert page.locator("#balance").inner_text() == "45"  # 20 + 25 points (0.1 kg/km × km × 1000 g × 0.01)
    assert "乘坐公交" in page.locator("#history").inner_text()

    page.click("nav.tabs >> text=兑换")
    page.wait_for_url(f"{base}/inclusion/rewards/")
    page.click("main form:has-text('环保袋') button[type=submit]")
    # a confirmation first (nothing spent yet), then the code shown large at the top
    assert "兑换后剩余 15" in page.locator("#confirm").inner_text()
    assert not Redemption.objects.exists()
    page.click("#confirm button[type=submit]")
    page.wait_for_url(f"{base}/inclusion/rewards/?new=*")
    assert page.locator("#balance").inner_text() == "15"
    code = page.locator("#new-code code.code").inner_text()
    assert Redemption.objects.get().code == code == page.locator("#codes code.code").first.inner_text()
    assert page.locator("#new-code code.code").bounding_box()["height"] > 30  # prominent, not table text
    phone.close()

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/inclusion/merchant/")
    page.fill("input[name=code]", code.lower())
    page.click("main form:has(input[name=code]) button[type=submit]")
    assert code in page.locator("#verified").inner_text()
    assert Redemption.objects.get().status == "verified"
    assert not errors, errors  # (the refusal below answers 422, which the console reports)
    page.fill("input[name=code]", code)  # the same code twice is refused
    page.click("main form:has(input[name=code]) button[type=submit]")
    assert page.locator(".error").count() == 1
    desk.close()
