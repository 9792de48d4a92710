"""The office downloads the Excel template for a year, fills it in, uploads it, sees the accounts and charts in
Chinese, approves them, and the target light on the dashboard moves. Real chromium against a live server."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS_2024 = [
    ("industry.C30", "raw_coal", "final", "energy", "t", 140000),
    ("industry.C30", "electricity", "final", "energy", "MWh", 200000),
    ("transport.G54", "diesel", "final", "energy", "t", 20000),
    ("households.urban", "electricity", "final", "energy", "MWh", 100000),
    ("construction.E", "diesel", "final", "energy", "t", None, "NE"),
    ("services.other", "electricity", "final", "energy", "MWh", 50000),
    ("agriculture.A", "diesel", "final", "energy", "t", 3000),
    ("energy.D44", "electricity", "production", "renewable", "MWh", 60000),
    ("industry.C99", "raw_coal", "final", "energy", "t", 5),  # a bad row: no such sector
]


def light_on_dashboard(page, base: str, code: str) -> str:
    page.goto(f"{base}/dashboard/")
    return page.locator(f"#target-{code} [data-light]").get_attribute("data-light")


def test_office_uploads_the_template_and_the_lights_move(live_server, page, plan, office, tmp_path):
    from carbonpeak.accounting import services
    from carbonpeak.accounting.tests.test_factor_sets import csv
    from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered

    # last year's work: the county's factor version and the approved base year 2020
    services.create_county_version(
        office, plan, csv("grid.prov.hunan.2020,湖南2020（占位）,Hunan 2020 placeholder,0.52,kgCO2/kWh,C,测试占位,")
    )
    base_inv = services.create_inventory(office, plan, 2020)
    services.import_activity(office, base_inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    services.approve(office, base_inv)

    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    assert light_on_dashboard(page, base, "energy_intensity_reduction") == "green"  # 2020: at the baseline

    page.goto(f"{base}/accounting/")
    assert page.locator("h1").inner_text() == "能源与碳排放核算"
    page.fill("input[name=year]", "2024")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/accounting/2024/")

    with page.expect_download() as dl:
        page.click("text=下载Excel模板")
    wb = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert dl.value.suggested_filename == "activity-430224-2024.xlsx"
    ws = wb["活动数据"]
    assert ws["A1"].value == "部门代码\nsector"
    for r in ROWS_2024:
        ws.append([*r[:6], r[6] if len(r) > 6 else None])
    params = {row[1].value: row[2] for row in wb["年度参数"].iter_rows(min_row=2)}
    params["gdp_10k_yuan"].value = 1050000
    params["coal_equivalent_kgce_per_kwh"].value = 0.3
    buf = io.BytesIO()
    wb.save(buf)
    filled = tmp_path / "2024.xlsx"
    filled.write_bytes(buf.getvalue())

    page.set_input_files("input[name=file]", str(filled))
    page.click("form:has(input[name=file]) button[type=submit]")
    report = page.locator("#import-report")
    assert "新增 8 行" in report.inner_text() and "拒绝 1 行" in report.inner_text()
    cells = report.locator("table.rejected tbody tr").first.locator("td")
    assert cells.nth(0).inner_text() == "10"  # the header is line 1: the ninth data row is line 10
    assert cells.nth(1).inner_text() == "sector" and "industry.C99" in cells.nth(2).inner_text()
    # the accounts and their charts, in Chinese
    assert page.locator("text=区域二氧化碳排放").count() >= 1
    assert page.locator("h2", has_text="能源平衡表").count() == 1
    assert page.locator("[data-chart=bars] canvas").count() == 1
    assert page.locator("[data-chart=pie] canvas").count() == 1

    # the same file again changes nothing
    page.set_input_files("input[name=file]", str(filled))
    page.click("form:has(input[name=file]) button[type=submit]")
    assert "新增 0 行，更新 0 行，未变 8 行" in page.locator("#import-report").inner_text()

    page.click("text=审定本年核算")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").first.get_attribute("data-status") == "approved"
    assert light_on_dashboard(page, base, "energy_intensity_reduction") == "red"  # the intensity rose
    page.goto(f"{base}/targets/energy_intensity_reduction/")
    assert "核算模块" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "target.png"))
