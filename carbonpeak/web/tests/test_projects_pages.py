"""The project pages and API (issue 16): the register with filters and chart, the project page's edits by role,
the workspace report in percent with evidence, the office's review on the round page, the late project on the
dashboard and in the round's report (HTML for the PDF, and the Excel sheets)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carbonpeak.plan import projects as svc
from carbonpeak.plan.models import DispatchRound, ProjectReport

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plans/chaling-2024"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def rnd(plan):
    return DispatchRound.objects.create(
        plan=plan, year=2025, quarter=1, due_date=timezone.localdate() - dt.timedelta(days=20)
    )


def test_register_filters_and_chart(plan, office):
    c = client(office)
    body = text(c.get(reverse("projects")))
    assert "茶陵严塘秩堂风电项目" in body and "township-chart" in body and "虎踞镇" in body
    body = text(c.get(reverse("projects"), {"status": "under_construction"}))
    assert "布子坑" in body and "严塘秩堂" not in body
    body = text(c.get(reverse("projects"), {"township": "虎踞镇"}))
    assert "生物质发电扩建工程" in body and "布子坑" not in body
    body = text(c.get(reverse("projects"), {"department": "dev_reform", "group": "P02"}))
    assert "布子坑" in body and "严塘秩堂" not in body
    assert reverse("projects") in text(c.get(reverse("sectors")))


def test_project_page_edits_by_role(plan, office, fgj, linye):
    url = reverse("project", args=["P01.6"])
    assert "变更状态" in text(client(fgj).get(url)) and "保存项目信息" not in text(client(fgj).get(url))
    assert "变更状态" not in text(client(linye).get(url))
    r = client(office).post(url, {"action": "fields", "size": "100", "size_unit": "MW", "nonfossil_fraction": "",
                                  "investment_10k_yuan": "80000", "commissioning_year": "2027"})  # fmt: skip
    assert r.status_code == 302
    p = plan.projects.get(code="P01.6")
    assert (p.size, p.capacity_mw, p.commissioning_year) == (Decimal(100), Decimal(100), 2027)
    r = client(fgj).post(
        url, {"action": "progress", "investment_done_share": "12.5", "actual_start_date": "2025-03-01"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.investment_done_share == Decimal("0.125") and p.actual_start_date == dt.date(2025, 3, 1)
    r = client(fgj).post(url, {"action": "fields", "investment_10k_yuan": "1"})
    assert r.status_code == 422 and "只有碳达峰办可以修改" in text(r)
    assert client(linye).post(url, {"action": "status", "status": "under_construction"}).status_code == 403
    r = client(fgj).post(url, {"action": "status", "status": "suspended", "reason": ""})
    assert r.status_code == 422
    client(fgj).post(url, {"action": "status", "status": "suspended", "reason": "征地未完成"})
    body = text(client(office).get(url))
    assert "征地未完成" in body and "暂缓" in body and "data-history" in body


def test_workspace_report_in_percent_then_office_accepts_on_the_round_page(plan, office, fgj, rnd):
    ws = text(client(fgj).get(reverse("workspace") + f"?round={rnd.pk}"))
    assert 'data-project-form="P01.6"' in ws and "投资完成比例（%）" in ws
    url = reverse("submit_project_report", args=[rnd.pk, "P01.6"])
    pdf = SimpleUploadedFile("测风报告.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    r = client(fgj).post(url, {"status": "under_construction", "investment_share": "25", "progress": "完成测风",
                               "problems": "林地指标", "evidence": pdf})  # fmt: skip
    assert r.status_code == 302
    rep = ProjectReport.objects.get(project__code="P01.6")
    assert rep.investment_share == Decimal("0.25") and rep.evidence.count() == 1
    ev = rep.evidence.get()
    assert client(office).get(reverse("evidence", args=[ev.pk])).status_code == 200
    assert client(fgj).get(reverse("evidence", args=[ev.pk])).status_code == 200
    page = text(client(office).get(reverse("round", args=[rnd.pk])))
    assert 'data-review="P01.6"' in page and "林地指标" in page and "25.0%" in page
    assert 'data-review="P01.6"' not in text(client(fgj).get(reverse("round", args=[rnd.pk])))
    r = client(office).post(reverse("review_project_report", args=[rep.pk]), {"decision": "accept"})
    assert r.status_code == 302
    assert plan.projects.get(code="P01.6").status == "under_construction"
    assert client(fgj).post(reverse("review_project_report", args=[rep.pk]), {"decision": "accept"}).status_code == 403


def test_the_late_project_on_the_dashboard_in_the_report_html_and_excel(plan, office, fgj, rnd):
    from openpyxl import load_workbook

    from carbonpeak.plan.exports import round_workbook
    from carbonpeak.plan.reports import round_context

    svc.update_project(
        office, plan.projects.get(code="P02.4"), {"commissioning_year": str(timezone.localdate().year - 1)}
    )
    dash = text(client(office).get(reverse("dashboard")))
    assert 'data-flag="P02.4"' in dash and "已逾期 1 年未投产" in dash and reverse("projects") in dash
    html = render_to_string("plan/round_report.html", round_context(rnd))
    assert "重大项目预警" in html and "园区级“源网荷储一体化”试点" in html and "逾期 20 天未报送" in html
    assert "红色 4 项" in html  # P02.4 not commissioned + three reports 20 days late (≥ 15: red)
    wb = load_workbook(io.BytesIO(_xlsx(round_workbook(rnd))))
    rows = [[c.value for c in r] for r in wb["项目预警"].iter_rows(min_row=3)]
    assert ["园区级“源网荷储一体化”试点", "P02.4", "县发展改革局", "红色"] in [r[:4] for r in rows]
    assert "项目进展" in wb.sheetnames


def _xlsx(wb) -> bytes:
    from carbonpeak.tabular.writing import workbook_bytes

    return workbook_bytes(wb)


def test_api_reads_and_writes(plan, office, fgj, linye, rnd):
    anon = Client()
    listing = anon.get(f"{BASE}/projects").json()
    assert len(listing) == 26 and next(p for p in listing if p["code"] == "P02.3")["clause"] == "三(一)3"
    c = client(fgj)
    r = c.post(f"{BASE}/rounds/{rnd.pk}/projects/P01.6/report",
               json.dumps({"status": "preparing", "investment_share": "0.1", "progress": "测风"}),
               content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert "reports" not in anon.get(f"{BASE}/projects/P01.6").json()
    assert client(office).get(f"{BASE}/projects/P01.6").json()["reports"][0]["progress"] == "测风"
    r = client(linye).patch(f"{BASE}/projects/P01.6", json.dumps({"fields": {"actual_investment_10k_yuan": "1"}}),
                            content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    r = c.patch(f"{BASE}/projects/P01.6", json.dumps({"fields": {"size": "5"}}), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "size"
    body = json.dumps({"decision": "return", "comment": "补材料"})
    r = client(office).post(f"{BASE}/project-reports/{rid}/review", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["review"] == "returned"
    r = client(office).post(f"{BASE}/projects/P01.6/status", json.dumps({"status": "cancelled"}),
                            content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
