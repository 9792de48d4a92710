"""The readings upload as an energy manager does it: download the Chinese template, fill two rows and a bad
one, upload; the page shows the period of the file and one line for the problem."""

from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_template_download_fill_upload_period_and_grouped_error(live_server, browser, plan, make_user, tmp_path):
    from openpyxl import load_workbook

    from carbonpeak.enterprises import services
    from carbonpeak.enterprises.models import EnergyBudget, Enterprise, Reading
    from carbonpeak.enterprises.tests.test_workflow import CERAMICS, rows
    from tests.browser.test_enterprise_flow import login

    services.import_enterprises(
        None, plan, rows({"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": ""})
    )
    services.import_meters(
        None, plan, rows({"uscc": CERAMICS, "meter_code": "T-G", "carrier": "natural_gas", "unit": "10k_m3"})
    )
    manager = make_user("manager", "enterprise")
    ent = Enterprise.objects.get(uscc=CERAMICS)
    ent.managers.add(manager)
    EnergyBudget.objects.create(enterprise=ent, year=2024, budget_tce=1234)
    base = live_server.url
    page = browser.new_page(locale="zh-CN")
    login(page, base, "manager")
    page.goto(f"{base}/enterprises/{CERAMICS}/?year=2024")
    assert "万立方米" in page.inner_text("main") and "10k_m3" not in page.inner_text("main")
    assert "2024 年用能预算" in page.inner_text("#budget")
    with page.expect_download() as dl:
        page.click("#readings-template")
    assert dl.value.suggested_filename == "template-readings.xlsx"
    wb = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["计量器具编号", "读数时间", "读数"] and ws["A1"].font.b
    assert "说明" in wb.sheetnames
    for r, values in enumerate(
        (("T-G", "2024-03-01 00:15", 1.5), ("T-G", "2024-03-31 23:45", 2.25), ("T-G", "2024-03-32 00:00", 1)),
        start=2,
    ):
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    ws.cell(row=5, column=1, value="T-G")
    ws.cell(row=5, column=2, value="3 月 1 日")
    ws.cell(row=5, column=3, value=1)
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "读数.xlsx").write_bytes(buf.getvalue())
    page.set_input_files("input[name=file]", str(tmp_path / "读数.xlsx"))
    page.click("form:has(input[name=file]) button[type=submit]")
    page.wait_for_selector("#import-report")
    report = page.inner_text("#import-report")
    assert "接收 2 条" in report and "拒绝 2 条" in report
    assert "2024-03-01 00:15 至 2024-03-31 23:45" in page.inner_text("#import-period")
    problems = page.locator("#import-problems tbody tr")
    assert problems.count() == 1  # two bad times, one problem
    row = problems.first.inner_text()
    assert "reading_time" in row and "北京时间" in row and "2" in row and "4、5" in row
    assert Reading.objects.count() == 2
    page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
    page.close()
