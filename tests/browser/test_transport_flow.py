"""Tried as a new user would, in real chromium (issue 20, "Done means"): the 交通局 officer uploads the year's new
vehicles and reads the clean-bus share against the plan's 100 %; the 发改局 officer enters the year's gas demand
and a leased tank and reads the storage days against 3."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VEHICLES = (
    "号牌,运营单位,用途,燃料,注册日期\n"
    "湘B1,公交,公交车,纯电动,2025-01-01 00:30\n"  # Beijing time: a 2025 bus
    "湘B2,公交,公交车,插电式混合动力,2025-03-01\n"
    "湘B3,公交,公交车,柴油,2025-05-01\n"
    "湘B4,公交,公交车,柴油,2024-12-31 23:59\n"  # a 2024 bus
    "湘B5,公交,公交车,蒸汽,2025-05-01\n"  # not a fuel: rejected, line 6
)


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")


def test_jiaotong_sees_the_clean_share_and_fgj_the_storage_days(live_server, page, plan, make_user, fgj, tmp_path):
    make_user("jiaotong", "department", plan.departments.get(code="transport"))
    base = live_server.url
    login(page, base, "jiaotong")
    page.goto(f"{base}/transport/?year=2025")
    f = tmp_path / "车辆.csv"
    f.write_text(VEHICLES, encoding="utf-8")
    page.set_input_files("#upload-vehicles input[type=file]", str(f))
    page.click("#upload-vehicles button[value=vehicles]")
    page.locator("#import-report").wait_for()
    report = page.inner_text("#import-report")
    assert "接收 4 条，重复 0 条，拒绝 1 条" in report and "燃料：蒸汽 不是可选值" in report
    clean = page.inner_text("#clean-bus")
    # 2025: B1 (BEV), B2 (PHEV), B3 (diesel) → 2 of 3 = 66.67 %
    assert "66.67 %" in clean and "目标 100 %" in clean and "本年新增公交车 3 辆，其中新能源及清洁能源 2 辆" in clean
    page.screenshot(path=str(tmp_path / "clean-bus.png"), full_page=True)

    page.context.clear_cookies()
    login(page, base, "fgj")
    page.goto(f"{base}/transport/gas/?year=2024")
    assert "储气天数无法计算" in page.inner_text("main")  # no inventory, no demand entered: no days
    page.fill("input[name=m3]", "3660000")
    page.fill("input[name=source]", "燃气公司2024年报")
    page.click("button[value=demand]")
    page.wait_for_load_state()
    page.fill("input[name=facility_id]", "LNG-1")
    page.fill("input[name=operator]", "昆仑燃气")
    page.fill("input[name=capacity_m3]", "30000")
    page.fill("input[name=in_service_on]", "2024-03-01")
    page.check("input[name=leased]")
    page.click("button[value=facility]")
    page.wait_for_load_state()
    text = page.inner_text("main")
    # 30 000 ÷ (3 660 000 ÷ 366, a leap year) = 3.0 days, the leased tank counted
    assert "3.0 天" in text and "不低于 3 天" in text and "其中租赁 30000 立方米" in text
    assert "发改局填报（无已审定核算）：燃气公司2024年报" in text
    page.screenshot(path=str(tmp_path / "storage.png"), full_page=True)
