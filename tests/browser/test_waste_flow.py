"""Tried as a new user would, in real chromium: the 城管局 officer uploads a month of manifests and receipts (the
registers are in place), runs the check, sees the alerts, opens one load's chain (manifest, GPS track, receipt)
and closes a case with a reason. The data are the hand-worked fixture of ``carbonpeak/waste/tests/fixture.py``
(March 2026): 15 manifests, 14 receipts, 10 alerts as of 2026-03-03 02:00 — and, checked now (months later),
M02 too has no receipt: 11 cases."""

from __future__ import annotations

import pytest

from carbonpeak.waste import services
from carbonpeak.waste.tests import fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")


def upload(page, base, kind, path):
    page.goto(f"{base}/waste/upload/")
    page.select_option("select[name=kind]", kind)
    page.set_input_files("input[name=file]", str(path))
    page.click("main form.card button[type=submit]")
    return page.inner_text("main")


def test_city_bureau_uploads_a_month_sees_alerts_opens_a_load_and_closes_a_case(
    live_server, page, plan, make_user, tmp_path
):
    cg = make_user("chengguan", "department", plan.departments.get(code="urban_management"))
    for kind, text in (
        ("sites", fixture.SITES),
        ("carriers", fixture.CARRIERS),
        ("vehicles", fixture.VEHICLES),
        ("destinations", fixture.DESTINATIONS),
        ("permits", fixture.PERMITS),
        ("gps", fixture.gps_rows()),
    ):
        assert not services.import_rows(cg, plan, kind, fixture.rows(kind, text)).rejected
    (tmp_path / "联单.csv").write_text(fixture.MANIFESTS, encoding="utf-8")
    (tmp_path / "过磅单.csv").write_text(fixture.RECEIPTS, encoding="utf-8")
    base = live_server.url
    login(page, base, "chengguan")
    assert "接收 15 条，重复 0 条，拒绝 0 条" in upload(page, base, "manifests", tmp_path / "联单.csv")
    assert "接收 14 条，重复 0 条，拒绝 0 条" in upload(page, base, "receipts", tmp_path / "过磅单.csv")
    assert "接收 0 条，重复 14 条，拒绝 0 条" in upload(page, base, "receipts", tmp_path / "过磅单.csv")  # again
    # the permits with their bars, then the check opens the cases
    page.goto(f"{base}/waste/")
    assert page.locator("progress.waste-progress").count() == 2
    assert page.locator("progress.waste-progress.over").count() == 1  # construction: 30.001 of 30 t
    page.goto(f"{base}/waste/cases/")
    page.click("text=立即对账")
    rows = page.locator("tr[id^=case-]")
    assert rows.count() == 11
    text = page.inner_text("main")
    for label in ("超时未过磅", "未到核准消纳场", "车辆无资质", "超载", "重复过磅", "超核准量", "偏离路线或途中停留"):
        assert label in text
    assert " / " not in text and "route_deviation" not in text  # Chinese only, no codes
    # one load's chain: the long stop of M15
    page.click("a:text-is('M15')")
    main = page.inner_text("main")
    assert "联单 M15" in main and "R15" in main and "定位点 11 个" in main
    page.wait_for_selector("#load-track canvas")
    x_min, x_max = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.querySelector('[data-chart=track]')).getOption();"
        " return [o.xAxis[0].min, o.xAxis[0].max]; }"
    )
    assert (x_min, x_max) == (113.49, 113.51)  # every point at 113.5: padded by 0.01, not 40 to 180
    # close the overload case with a reason
    page.goto(f"{base}/waste/cases/")
    row = page.locator("tr[id^=case-]", has_text="超载")
    row.locator("input[name=reason]").fill("已约谈运输企业并处罚")
    row.locator("button:text-is('办结')").click()
    assert page.locator("tr[id^=case-]").count() == 10
    page.click("text=查看已办结案件")
    closed = page.inner_text("main")
    assert "超载" in closed and "已约谈运输企业并处罚" in closed
    page.screenshot(path=str(tmp_path / "waste-cases-closed.png"), full_page=True)
