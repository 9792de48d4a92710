"""The audit log page: Chinese names for codes, filters, pages, Excel export with formula-looking text
neutralised."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from carbonpeak.audit.models import AuditEntry
from carbonpeak.audit.services import record
from carbonpeak.plan import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(plan, office, fgj):
    office.display_name = "碳达峰办 王主任"
    office.save()
    t = plan.targets.get(code="non_fossil_share")
    for i in range(60):  # 60 entries: two pages
        services.set_indicator_value(office, t, 2020 + i % 11, None, f"0.{i + 10}")
    services.set_task_status(office, plan.tasks.first(), "in_progress")
    consent_like = plan.departments.first()
    e = record(fgj, "consent.grant", consent_like, None, {"memo": '=HYPERLINK("http://x")'})
    old = timezone.now() - dt.timedelta(days=40)
    AuditEntry.objects.filter(pk=e.pk).update(object_repr="Department object (3)", at=old)
    return t


def test_codes_read_as_chinese_and_details_stay_behind_a_toggle(log, office):
    c = Client()
    c.force_login(office)
    body = c.get("/audit/?action=consent.grant").content.decode()
    assert "授权场景" in body and "object (3)" not in body
    visible = body.split("<details>")[0]
    assert "consent.grant" not in visible.split('id="audit-count"')[1]
    assert "县发展改革局 演示人员" not in body  # fgj has no display name here: login name shown
    body = c.get("/audit/?action=indicator_value.set").content.decode()
    assert "填报指标值" in body and "碳达峰办 王主任" in body  # the display name, not the login name


def test_filters_and_pages(log, office, fgj):
    c = Client()
    c.force_login(office)
    n = AuditEntry.objects.count()  # 60 values, a task, the consent, and what loading the plan recorded
    assert 62 <= n <= 100
    r = c.get("/audit/")
    assert r.status_code == 200 and f"共 {n} 条" in r.content.decode() and "第 1 / 2 页" in r.content.decode()
    assert r.content.decode().count("<tr>") == 1 + 50
    page2 = c.get("/audit/?page=2").content.decode()
    assert page2.count("<tr>") == 1 + n - 50 and "上一页" in page2
    assert "共 1 条" in c.get("/audit/?actor=fgj").content.decode()
    assert "共 1 条" in c.get("/audit/?object_type=plan.task").content.decode()
    assert f"共 {n - 1} 条" in c.get(f"/audit/?since={timezone.localdate() - dt.timedelta(days=1)}").content.decode()
    until = timezone.localdate() - dt.timedelta(days=30)
    assert "共 1 条" in c.get(f"/audit/?until={until}").content.decode()
    assert f"共 {n} 条" in c.get("/audit/?since=not-a-date").content.decode()  # ignored, not a 500
    filtered = c.get("/audit/?actor=office&action=indicator_value.set").content.decode()
    assert 'href="?actor=office&amp;action=indicator_value.set&amp;page=2"' in filtered  # paging keeps the filter


def test_export_uses_the_same_filter_and_neutralises_formulas(log, office, make_user):
    c = Client()
    c.force_login(make_user("aud", "auditor"))
    r = c.get("/audit/audit.xlsx?actor=fgj")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作") and len(rows) == 2
    assert rows[1][2] == "授权场景" and rows[1][4] == "部门 #" + str(log.plan.departments.first().pk)
    after = rows[1][6]
    assert isinstance(after, str) and not after.startswith("=")
    from carbonpeak.audit.export import safe_cell

    assert [safe_cell(x) for x in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", 5]] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", 5]  # fmt: skip
    assert Client().get("/audit/audit.xlsx").status_code == 302  # login first
    c.force_login(make_user("r1", "resident"))
    assert c.get("/audit/audit.xlsx").status_code == 403
