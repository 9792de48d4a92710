"""Pages: who sees what, security headers and CSP, lock-out, language switch, pinned query counts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from carbonpeak.plan import services

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_public_page_needs_no_login_and_is_chinese(plan):
    r = Client().get("/")
    body = r.content.decode()
    assert r.status_code == 200 and '<html lang="zh-hans">' in body
    assert "茶陵县碳达峰实施方案" in body and "非化石能源消费比重" in body


def test_staff_pages_need_login(plan):
    for name in ["dashboard", "tasks", "workspace", "rounds", "assessment", "audit"]:
        r = Client().get(reverse(name))
        assert r.status_code == 302 and r.url.startswith("/login/"), name


@pytest.mark.parametrize("name", ["rounds", "assessment", "audit"])
def test_office_pages_refuse_departments_and_residents(plan, fgj, make_user, name):
    assert logged_in(fgj).get(reverse(name)).status_code == 403
    assert logged_in(make_user("r", "resident")).get(reverse(name)).status_code == 403


def test_resident_cannot_open_the_dashboard(plan, make_user):
    """A resident lands on their own 碳普惠 page instead; the staff pages stay closed to them."""
    c = logged_in(make_user("r", "resident"))
    r = c.get(reverse("dashboard"))
    assert r.status_code == 302 and r.url == "/inclusion/"
    assert c.get(reverse("tasks")).status_code == 403
    assert c.get("/accounting/").status_code == 403


def test_security_headers_and_csp(plan):
    r = Client().get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(r"<script\b[^>]*>", r.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in s or 'type="application/json"' in s for s in scripts)
    assert "https://" not in r.content.decode().split("<main>")[0]  # no CDN in the page head


def test_api_docs_are_served_without_a_cdn(plan):
    body = Client().get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in body and "/static/ninja/" in body


def test_lockout_after_repeated_failures(plan, make_user, settings):
    make_user("victim", "office", password="Right-password-1")
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post("/login/", {"username": "victim", "password": "wrong"})
    r = c.post("/login/", {"username": "victim", "password": "Right-password-1"})
    assert r.status_code == 429 and "锁定" in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_login_works_with_the_right_password(plan, make_user):
    make_user("ok", "office", password="Right-password-1")
    c = Client()
    r = c.post("/login/", {"username": "ok", "password": "Right-password-1"})
    assert r.status_code == 302 and r.url == reverse("dashboard")


def test_production_hasher_is_argon2():
    from importlib import import_module

    base = import_module("carbonpeak.config.settings")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_english_is_switchable(plan, office):
    c = logged_in(office)
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert r.status_code == 302
    body = c.get("/dashboard/").content.decode()
    assert '<html lang="en">' in body and "Carbon" in body


def test_dashboard_shows_lights_conflict_and_charts(plan, office):
    body = logged_in(office).get("/dashboard/").content.decode()
    assert "表述不一致" in body and "森林覆盖率" in body
    assert 'data-chart="bars"' in body


def test_value_form_moves_the_light(plan, fgj):
    c = logged_in(fgj)
    r = c.post(reverse("submit_value", args=["energy_intensity_reduction"]), {"year": 2024, "value": "0.13"})
    assert r.status_code == 302
    body = c.get(reverse("workspace")).content.decode()
    card = body.split('id="value-energy_intensity_reduction"')[1].split("</div>")[0]
    assert 'data-light="green"' in card


def test_value_form_error_names_the_field_and_stores_nothing(plan, fgj):
    from carbonpeak.plan.models import IndicatorValue

    url = reverse("submit_value", args=["gasification_population_share"])
    r = logged_in(fgj).post(url, {"year": 2024, "value": "2"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "value" in body and "0 到 1" in body and "between 0 and 1" not in body  # the page's language only
    en = logged_in(fgj)
    en.cookies["django_language"] = "en"
    assert "between 0 and 1" in en.post(url, {"year": 2024, "value": "2"}).content.decode()
    # a rate of change (an accounting indicator) may be negative, but not beyond -1..1
    r = logged_in(fgj).post(reverse("submit_value", args=["energy_intensity_reduction"]), {"year": 2024, "value": "-2"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "-1 到 1" in body
    assert not IndicatorValue.objects.exists()
    url = reverse("submit_value", args=["energy_intensity_reduction"])
    logged_in(fgj).post(url, {"year": 2024, "value": "-0.02"})
    assert IndicatorValue.objects.get().value == Decimal("-0.02")


def test_evidence_download_only_for_its_department_and_the_office(plan, fgj, linye, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = plan.targets.get(code="energy_intensity_reduction")
    v = services.set_indicator_value(fgj, t, 2024, None, "0.1", evidence=[SimpleUploadedFile("a.pdf", b"%PDF-1 x")])
    url = reverse("evidence", args=[v.evidence.get().pk])
    assert logged_in(linye).get(url).status_code == 403
    assert b"".join(logged_in(fgj).get(url).streaming_content) == b"%PDF-1 x"
    assert logged_in(office).get(url).status_code == 200


def test_round_report_pdf_and_excel(plan, office, fgj):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    rnd = services.open_round(office, plan, 2025, 4, dt.date(2026, 1, 10), past_due_ok=True)
    services.submit_report(fgj, rnd, plan.tasks.get(code="A01.1"), "in_progress", "分布式光伏已并网 12 MW")
    c = logged_in(office)
    pdf = c.get(reverse("round_pdf", args=[rnd.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(reverse("round_xlsx", args=[rnd.pk]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["预警", "汇总", "任务进展", "未报送", "项目预警", "项目进展"]
    assert len(wb["汇总"]._charts) == 1
    assert wb["任务进展"]["D3"].value == "分布式光伏已并网 12 MW"


def test_assessment_scores_have_reasons(plan, office, fgj):
    services.set_task_status(fgj, plan.tasks.get(code="A01.1"), "done")
    body = logged_in(office).get(reverse("assessment") + "?year=2025").content.decode()
    assert "县发展改革局" in body and "完成 1 项" in body


def test_audit_log_visible_to_office(plan, office, fgj):
    services.set_task_status(fgj, plan.tasks.get(code="A01.1"), "done")
    body = logged_in(office).get(reverse("audit")).content.decode()
    assert "task.status" in body and "fgj" in body


# Query counts do not grow with the plan: they are pinned here. Every page with a county in its header counts one
# query for "does the installation publish several plans?" (its public links then carry the county, /c/<code>/).
# dashboard: 13 + the official scenario (and its run when there is one) + the approved accounts' yearly totals
# for the peak-year target + that one + the late projects (issue 16: their lead departments and the open rounds)
@pytest.mark.parametrize(("name", "queries"), [("dashboard", 18), ("tasks", 11), ("workspace", 13)])
def test_query_counts_are_pinned(plan, office, django_assert_num_queries, name, queries):
    from django.core.cache import cache

    c = logged_in(office)
    c.get(reverse(name))  # warm the session
    cache.clear()  # cold: derived pages computed from the database
    with django_assert_num_queries(queries):
        assert c.get(reverse(name)).status_code == 200


def test_warm_dashboard_is_served_from_the_revision_cache(plan, office, django_assert_num_queries):
    c = logged_in(office)
    c.get(reverse("dashboard"))
    with django_assert_num_queries(7):  # session, user, plan (with its revision), several plans?: no plan data
        assert c.get(reverse("dashboard")).status_code == 200


def test_public_page_query_count(plan, django_assert_num_queries):
    # 4 + the official scenario + the accounts' yearly totals + several plans? + the latest approved forest year
    with django_assert_num_queries(8):
        assert Client().get("/").status_code == 200


def test_query_counts_do_not_grow_with_the_plan(db, make_user, django_assert_num_queries):
    """The same page on a 100-target, 20-department, 100-task plan with 10 years of values costs the same
    number of queries as on Chaling (plus one: the plan's periods, read once for the trend charts)."""
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.synthetic import synthetic_plan, synthetic_values

    plan = load_plan(synthetic_plan())
    synthetic_values(plan, 10)
    from django.core.cache import cache

    c = logged_in(make_user("o", "office"))
    c.get(reverse("dashboard"))
    cache.clear()
    # 13 + the official scenario (no peak-year target) + periods + several? + project leads and open rounds
    with django_assert_num_queries(18):
        assert c.get(reverse("dashboard")).status_code == 200
    with django_assert_num_queries(11):
        assert c.get(reverse("tasks")).status_code == 200


def test_cached_dashboard_and_status_follow_every_change(plan, fgj, office):
    c = logged_in(office)

    def dashboard_light() -> str:
        body = c.get(reverse("dashboard")).content.decode()
        return body.split('id="target-energy_intensity_reduction"')[1].split('data-light="')[1].split('"')[0]

    def api_light() -> str:
        rows = c.get("/api/v1/plans/chaling-2024/status").json()["targets"]
        return next(r["status"] for r in rows if r["code"] == "energy_intensity_reduction")

    assert dashboard_light() == api_light() == "no_data"
    t = plan.targets.get(code="energy_intensity_reduction")
    services.set_indicator_value(fgj, t, 2024, None, "0.13")
    assert dashboard_light() == api_light() == "green"
    services.set_target(office, t, 2020, "0", {"2025": "0.5"})  # a milestone raised: now far behind
    assert dashboard_light() == api_light() == "red"
    services.set_assignments(office, t, ["县林业局"], [])
    body = c.get("/api/v1/plans/chaling-2024").json()
    assert next(x for x in body["targets"] if x["code"] == t.code)["lead_departments"] == ["县林业局"]


def test_htmx_value_submit_returns_the_card_with_its_new_light(plan, fgj):
    c = logged_in(fgj)
    url = reverse("submit_value", args=["energy_intensity_reduction"])
    r = c.post(url, {"year": 2024, "value": "0.13"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and body.startswith('<div class="card" id="value-energy_intensity_reduction">')
    assert 'data-light="green"' in body and 'role="status"' in body
    r = c.post(url, {"year": 2024, "value": "x"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in r.content.decode() and "不是数值" in r.content.decode()


def test_office_configures_rule_points_audited_and_validated(plan, office, make_user):
    from carbonpeak.audit.models import AuditEntry

    c = logged_in(office)
    r = c.post(reverse("assessment") + "?year=2025", {"tasks_done": "50", "targets_green": "-1"})
    assert r.status_code == 200 and "targets_green" in r.content.decode()
    assert plan.assessment_rules.get(kind="tasks_done").points == 30  # nothing stored half-way
    c.post(reverse("assessment"), {"tasks_done": "50"})
    assert plan.assessment_rules.get(kind="tasks_done").points == 50
    assert AuditEntry.objects.get(action="assessment_rule.points").after == {"points": "50"}
    auditor = logged_in(make_user("au", "auditor"))
    assert auditor.get(reverse("assessment")).status_code == 200  # the auditor reads the scores
    assert auditor.post(reverse("assessment"), {"tasks_done": "1"}).status_code == 403  # but cannot change rules
    assert plan.assessment_rules.get(kind="tasks_done").points == 50


def test_target_page_history_shows_value_changes(plan, office, fgj):
    t = plan.targets.get(code="energy_intensity_reduction")
    services.set_indicator_value(fgj, t, 2024, None, "0.1")
    services.set_indicator_value(fgj, t, 2024, None, "0.11")
    body = logged_in(office).get(reverse("target", args=[t.code])).content.decode()
    assert body.count("indicator_value.set") == 2


def test_reminders_disappear_when_the_round_closes(plan, office, fgj):
    import datetime as dt

    rnd = services.open_round(office, plan, 2025, 2, dt.date(2025, 7, 10), past_due_ok=True)
    services.send_reminders(rnd, today=dt.date(2025, 7, 11))
    c = logged_in(fgj)
    assert "尚未报送" in c.get(reverse("workspace")).content.decode()
    services.close_round(office, rnd)
    assert "尚未报送" not in c.get(reverse("workspace")).content.decode()


def test_round_report_excel_keeps_a_formula_like_narrative_as_text(plan, office, fgj):
    """OWASP CSV injection: a department's narrative "=HYPERLINK(…)" must not become a live formula in the
    office's round report; it is stored as text (Excel's apostrophe prefix)."""
    import datetime as dt
    import io
    import zipfile

    from openpyxl import load_workbook

    rnd = services.open_round(office, plan, 2025, 4, dt.date(2026, 1, 10), past_due_ok=True)
    evil = '=HYPERLINK("http://evil.example/x","点击查看附件")'
    services.submit_report(fgj, rnd, plan.tasks.get(code="A01.1"), "in_progress", evil)
    xlsx = logged_in(office).get(reverse("round_xlsx", args=[rnd.pk])).content
    sheets = zipfile.ZipFile(io.BytesIO(xlsx))
    assert not any(b"<f>" in sheets.read(n) for n in sheets.namelist() if n.startswith("xl/worksheets/"))
    ws = load_workbook(io.BytesIO(xlsx))["任务进展"]
    assert ws["D3"].value == evil and ws["D3"].data_type == "s" and ws["D3"].quotePrefix
    numbers = [c for row in ws.iter_rows(min_row=3) for c in row if isinstance(c.value, int)]
    assert numbers and all(c.data_type == "n" for c in numbers)  # the evidence counts stay numbers


def test_lights_table_names_the_unit_of_a_latest_value(plan, office):
    """A latest value that is not a share carries its unit (8,400,000 立方米, 2.2 天), as the target column does; a
    share is a percentage without a unit word."""
    import re

    c = logged_in(office)
    assert c.post(reverse("submit_value", args=["forest_stock"]), {"year": 2024, "value": "8400000"}).status_code == 302
    c.post(reverse("submit_value", args=["gasification_population_share"]), {"year": 2024, "value": "0.56"})
    body = c.get("/dashboard/").content.decode()
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr[^>]*>\s*<td[^>]*><a href="/targets/(\w+)/".*?</tr>', body, re.S)
    }
    assert '8,400,000 <span class="muted small">立方米</span>' in rows["forest_stock"]
    assert "56%" in rows["gasification_population_share"]
    assert 'class="muted small">' not in rows["gasification_population_share"].split("56%")[1].split("</td>")[0]
