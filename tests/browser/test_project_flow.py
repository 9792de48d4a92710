"""Projects in chromium (issue 16), as a new user would: 县发展改革局 (fgj) reports a project's quarter from the
workspace (percent typed, evidence attached); the office accepts it on the round page and downloads the round's
PDF, which names the late project in red (its planned commissioning year has passed)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def test_department_reports_a_project_quarter_and_the_office_sees_the_late_project_in_the_pdf(
    live_server, page, plan, fgj, office, tmp_path
):
    from django.utils import timezone

    from carbonpeak.plan import projects as svc
    from carbonpeak.plan import services
    from carbonpeak.plan.models import ProjectReport

    base = live_server.url
    today = timezone.localdate()
    rnd = services.open_round(office, plan, today.year, 1, today + dt.timedelta(days=10))
    late = plan.projects.get(code="P02.4")
    svc.update_project(office, late, {"commissioning_year": str(today.year - 1)})

    login(page, base, "fgj")
    page.goto(f"{base}/workspace/")
    form = page.locator('form[data-project-form="P01.6"]')
    form.locator("select[name=status]").select_option(label="在建")
    form.locator("input[name=investment_share]").fill("18.5")
    form.locator("textarea[name=progress]").fill("完成风机基础浇筑 6 台。")
    form.locator("textarea[name=problems]").fill("需协调进场道路改线。")
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "现场照片说明.txt", "mimeType": "text/plain", "buffer": "基础浇筑".encode()}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/workspace/?ok=P01.6*")
    assert "待审核" in page.locator("#project-P01\\.6").inner_text()
    rep = ProjectReport.objects.get(round=rnd, project__code="P01.6")
    assert rep.investment_share == Decimal("0.185") and rep.evidence.count() == 1
    page.context.clear_cookies()

    login(page, base, "office")
    assert "园区级“源网荷储一体化”试点" in page.locator("[data-project-flags]").inner_text()
    page.goto(f"{base}/rounds/{rnd.pk}/")
    page.locator('form[data-review="P01.6"] button[value=accept]').click()
    page.wait_for_url(f"{base}/rounds/{rnd.pk}/*")
    assert plan.projects.get(code="P01.6").status == "under_construction"
    with page.expect_download() as d:
        page.click("a[href$='report.pdf']")
    pdf = tmp_path / "round.pdf"
    d.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils: read the PDF as the office would
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "四、重大项目预警" in text and "红色 1 项" in text and "已逾期 1 年未投产" in text
        assert "完成风机基础" in text  # a table cell may wrap the rest
