"""The official scenario (one per plan, audited, the only one the dashboard and the public page show), a run
without a peak worded as such on every surface (page, Excel, PDF), incomplete inputs listed before a run and
reported with its results, and rates typed and read in percent."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse

from carbonpeak.audit.models import AuditEntry
from carbonpeak.scenarios import services
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.scenarios.tests.test_scenarios import IMMEDIATE, client
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.usefixtures("approved")
GROUPS = ("energy", "industry", "construction", "transport", "services", "households", "agriculture")


def _run(s, capture) -> ScenarioRun:
    with capture(execute=True):
        run = services.start_run(_office(), s)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def _office():
    from carbonpeak.accounts.models import User

    return User.objects.get(username="office")


def _baseline(office, plan, name: str, growth: str, improvement: str, grid: str) -> Scenario:
    """A baseline with the same growth and intensity fall in every sector (no ranges: a quick, clear path)."""
    s = services.create_baseline(office, plan, name)
    data = {"draws": "300", "grid_decline.mean": grid, "grid_decline.low": "", "grid_decline.high": ""}
    for g in GROUPS:
        for name_, v in (("activity_growth", growth), ("intensity_improvement", improvement), ("electrification", "0")):
            data[f"drivers.{g}.{name_}.mean"] = v
            data[f"drivers.{g}.{name_}.low"] = ""
            data[f"drivers.{g}.{name_}.high"] = ""
        data[f"drivers.{g}.fuel_switch.mean"] = "0"
    services.update_scenario(office, s, data)
    return s


def _rising(office, plan, name="一路上升") -> Scenario:
    """Emissions still rise in 2060: fast growth, no efficiency gain, a flat grid."""
    return _baseline(office, plan, name, "0.06", "0", "0")


def _peaking(office, plan, name="基准") -> Scenario:
    """Emissions peak within the horizon: slow growth that the efficiency gain overtakes after a few years."""
    return _baseline(office, plan, name, "0.03", "0.04", "0.03")


@override_settings(TASKS=IMMEDIATE)
def test_one_official_scenario_per_plan_designated_with_audit(plan, office, fgj, django_capture_on_commit_callbacks):
    a = services.create_baseline(office, plan, "甲")
    b = services.create_policy(office, a, "乙")
    services.update_scenario(office, a, {"draws": "300"})
    # no finished run yet: refused, naming what to do
    with pytest.raises(ValidationFailed) as exc:
        services.designate_official(office, a)
    assert exc.value.issues[0].code == "not_run" and "请先运行" in exc.value.issues[0].message_zh
    _run(a, django_capture_on_commit_callbacks)
    _run(b, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.designate_official(fgj, a)
    services.designate_official(office, a)
    services.designate_official(office, b)  # moves: one official per plan
    assert list(Scenario.objects.filter(plan=plan, is_official=True)) == [b]
    entries = list(AuditEntry.objects.filter(action="scenario.designate_official").order_by("id"))
    assert [e.after["official"]["name"] for e in entries] == ["甲", "乙"]
    assert entries[1].before["official"]["name"] == "甲"
    services.clear_official(office, b)
    assert not Scenario.objects.filter(plan=plan, is_official=True).exists()
    assert AuditEntry.objects.filter(action="scenario.clear_official").count() == 1
    # the database refuses a second official scenario whatever the code path
    Scenario.objects.filter(pk=a.pk).update(is_official=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.filter(pk=b.pk).update(is_official=True)


@override_settings(TASKS=IMMEDIATE)
def test_dashboard_and_public_page_show_only_the_official_scenario(plan, office, django_capture_on_commit_callbacks):
    c = client(office)
    official = _peaking(office, plan, "官方基准")
    run = _run(official, django_capture_on_commit_callbacks)
    trial = services.create_policy(office, official, "试算情景")
    _run(trial, django_capture_on_commit_callbacks)  # the newest run is a trial

    dash = c.get(reverse("dashboard")).content.decode()
    public = Client().get(reverse("public")).content.decode()
    for page in (dash, public):
        assert 'data-outlook="none"' in page and "试算情景" not in page and "官方基准" not in page
    assert "尚未指定官方达峰情景" in dash and "尚未发布官方达峰情景" in public

    r = c.post(reverse("scenarios:detail", args=[official.pk]), {"action": "official"})
    assert r.status_code == 302
    _run(trial, django_capture_on_commit_callbacks)  # another trial run after the designation
    dash = c.get(reverse("dashboard")).content.decode()
    public = Client().get(reverse("public")).content.decode()
    peak = run.results["peak_year_of_mean"]
    for page in (dash, public):
        assert 'data-outlook="official"' in page and "官方基准" in page and "试算情景" not in page
        assert f"预计 {peak} 年达峰" in page
    detail = c.get(reverse("scenarios:detail", args=[official.pk])).content.decode()
    assert "data-official" in detail and "取消官方情景" in detail
    listing = c.get(reverse("scenarios:list")).content.decode()
    assert listing.count("官方情景</span>") == 1


@override_settings(TASKS=IMMEDIATE)
def test_a_run_without_a_peak_says_so_on_page_excel_and_pdf(plan, office, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    s = _rising(office, plan)
    run = _run(s, django_capture_on_commit_callbacks)
    assert run.results["peak_year_of_mean"] == 2060  # the mean path's highest year is the horizon
    services.designate_official(office, s)
    c = client(office)
    page = c.get(reverse("scenarios:detail", args=[s.pk])).content.decode()
    assert "data-no-peak" in page and "未见峰值" in page and "到 2060 年仍在上升" in page
    assert "最可能达峰年" not in page  # no peak figures next to the no-peak wording
    for other in (c.get(reverse("dashboard")), Client().get(reverse("public")), c.get(reverse("scenarios:list"))):
        text = other.content.decode()
        assert "未见峰值" in text and "2060 年达峰" not in text

    wb = load_workbook(io.BytesIO(c.get(reverse("scenarios:xlsx", args=[s.pk])).content))
    summary = {row[0].value: row[1] for row in wb["概要"].iter_rows()}
    assert summary["达峰年份（模拟均值路径）"].value == "未见峰值（到 2060 年仍在上升）"
    assert summary["峰值（万吨 CO2）"].value == "—（未见峰值）"
    assert summary["平台期"].value == "—（未见峰值）"
    p = summary["2030年前（含）达峰概率"]
    assert p.number_format == "0.0%" and 0 <= p.value <= 1
    gaps = {row[0].value: row for row in wb["目标差距"].iter_rows(min_row=2)}
    peak_row = gaps["碳排放总量达峰年份"]
    assert peak_row[4].value.startswith("未见峰值") and peak_row[6].value == "有缺口"

    pdf = c.get(reverse("scenarios:pdf", args=[s.pk])).content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = " ".join(text.split())
    assert "未见峰值" in text and "官方情景" in text
    assert "峰值约" not in text and "峰值（万吨CO2）" not in text and "峰值 2060" not in text


@override_settings(TASKS=IMMEDIATE)
def test_a_peaking_run_names_its_peak_in_the_pdf(plan, office, django_capture_on_commit_callbacks):
    s = _peaking(office, plan)
    run = _run(s, django_capture_on_commit_callbacks)
    peak = run.results["peak_year_of_mean"]
    assert peak < 2060
    pdf = client(office).get(reverse("scenarios:pdf", args=[s.pk])).content
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split()
    )
    assert f"预计在 {peak} 年达峰" in text and "未见峰值" not in text and "试算情景" in text


@override_settings(TASKS=IMMEDIATE)
def test_incomplete_inputs_are_listed_before_the_run_and_reported_after(
    plan, office, django_capture_on_commit_callbacks
):
    c = client(office)
    base = services.create_baseline(office, plan, "基准")
    pol = services.create_policy(office, base, "政策")
    form = {
        "action": "save",
        "draws": "300",
        "projects.P01.1.include": "on",
        "projects.P01.1.capacity_mw": "300",
        "projects.P01.1.commissioning_year": "2025",
        "projects.P01.2.include": "on",  # ticked, but neither MW nor year
        "measure_count": "0",
        "measure.0.label": "工业节能",
        "measure.0.sector": "industry",
        "measure.0.driver": "intensity_improvement",
        "measure.0.delta": "0",
    }
    assert c.post(reverse("scenarios:detail", args=[pol.pk]), form).status_code == 302
    r = c.post(reverse("scenarios:detail", args=[pol.pk]), {"action": "run"})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="run-confirm"' in body and "仍然运行" in body
    assert "P01.2" in body and "未填装机容量（MW）、投产年份，运行时不计入" in body
    assert "措施“工业节能”：变化率为 0" in body
    assert not ScenarioRun.objects.filter(scenario=pol).exists()  # nothing ran without the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("scenarios:detail", args=[pol.pk]), {"action": "run", "confirm": "1"})
    assert r.status_code == 302
    run = ScenarioRun.objects.get(scenario=pol)
    run.refresh_from_db()
    codes = sorted(n["code"] for n in run.results["not_applied"])
    assert codes == ["measure_zero", "project_incomplete"]
    page = c.get(reverse("scenarios:detail", args=[pol.pk])).content.decode()
    assert 'id="not-applied"' in page and "本次运行未计入的输入" in page and "P01.2" in page


def test_a_measure_without_a_rate_is_refused_not_dropped(plan, office):
    c = client(office)
    base = services.create_baseline(office, plan, "基准")
    pol = services.create_policy(office, base, "政策")
    form = {
        "action": "save",
        "measure_count": "0",
        "measure.0.label": "公交电动化",
        "measure.0.sector": "transport",
        "measure.0.driver": "electrification",
        "measure.0.delta": "",
    }
    r = c.post(reverse("scenarios:detail", args=[pol.pk]), form)
    body = r.content.decode()
    assert r.status_code == 422
    assert "第 1 项措施 · 年变化率" in body and "措施“公交电动化”未填年变化率，无法计算" in body
    shown = body.split('role="alert"')[1].split("<details")[0]  # the message itself; the English sits in 详情
    assert "measures[0]" not in shown and "公交电动化" in shown
    pol.refresh_from_db()
    assert pol.measures == []
    with pytest.raises(ValidationFailed) as exc:  # the API path refuses it too
        services.update_scenario(office, pol, {"measures": [{"label": "x", "sector": "*", "driver": "fuel_switch"}]})
    assert exc.value.issues[0].field == "measures[0].delta"


def test_rates_are_typed_and_shown_in_percent_with_their_sign_said(plan, office):
    c = client(office)
    s = services.create_baseline(office, plan, "基准")
    page = c.get(reverse("scenarios:detail", args=[s.pk])).content.decode()
    # the shipped 5 % industrial growth is shown as 5, not 0.05, with the unit and what the sign means
    assert 'name="drivers.industry.activity_growth.mean" value="5"' in page
    assert 'name="gdp_growth.mean" value="5"' in page
    assert "活动水平每年增长（%）" in page and "正数为上升，负数为下降" in page
    assert "能耗强度每年下降（%）" in page and "正数为下降，负数为上升" in page
    assert "比例写小数" not in page and "0.03" not in page
    form = {
        "action": "save",
        "drivers.industry.activity_growth.mean": "6.5",
        "drivers.industry.intensity_improvement.mean": "３％",
        "grid_decline.mean": "2 %",
        "gdp_growth.mean": "-1",
        "measure_count": "0",
    }
    assert c.post(reverse("scenarios:detail", args=[s.pk]), form).status_code == 302
    s.refresh_from_db()
    ind = s.params["drivers"]["industry"]
    assert ind["activity_growth"]["mean"] == 0.065 and ind["intensity_improvement"]["mean"] == 0.03
    assert s.params["grid_decline"]["mean"] == 0.02 and s.params["gdp_growth"]["mean"] == -0.01
    # out of range: the message says the range in percent and names the field in Chinese
    r = c.post(reverse("scenarios:detail", args=[s.pk]), {**form, "drivers.industry.activity_growth.mean": "80"})
    body = r.content.decode()
    assert r.status_code == 422 and "工业 · 活动水平增速 · 均值" in body and "应在 -50% 到 50% 之间" in body
    # a measure reads as a sentence: the sign is never left to guess
    pol = services.create_policy(office, s, "政策")
    services.update_scenario(
        office,
        pol,
        {"measures": [{"label": "节能", "sector": "industry", "driver": "intensity_improvement", "delta": "0.02"}]},
    )
    page = c.get(reverse("scenarios:detail", args=[pol.pk])).content.decode()
    assert 'name="measure.0.delta" value="2"' in page and "工业：能耗强度每年多下降 2 个百分点" in page


def test_excel_shows_shares_as_percent(plan, office, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    with override_settings(TASKS=IMMEDIATE):
        s = services.create_baseline(office, plan, "基准")
        services.update_scenario(office, s, {"draws": "300"})
        _run(s, django_capture_on_commit_callbacks)
    wb = load_workbook(io.BytesIO(client(office).get(reverse("scenarios:xlsx", args=[s.pk])).content))
    texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("fraction" in t for t in texts)
    gaps = [row for row in wb["目标差距"].iter_rows(min_row=2) if row[1].value == "%"]
    assert gaps and all(row[3].number_format == "0.0%" and row[4].number_format == "0.0%" for row in gaps)
    drivers = list(wb["假设"].iter_rows(min_row=2))
    assert drivers[0][0].value == "能源生产与加工转换" and drivers[0][2].number_format == "0.00%"


@override_settings(TASKS=IMMEDIATE)
def test_the_peak_year_target_shows_the_accounts_and_the_official_scenario(
    plan, office, django_capture_on_commit_callbacks
):
    c = client(office)

    def row(html: str) -> str:
        return html.split('id="target-carbon_peak_year"')[1].split("</tr>")[0]

    # accounts only (2020 approved), no official scenario: no "无数据", the sources are named
    dash = row(c.get(reverse("dashboard")).content.decode())
    assert "无数据" not in dash and "核算最高：2020 年" in dash and "来源：2020–2020 年已审定核算" in dash
    assert "尚未指定官方达峰情景" in dash and "待官方情景" in dash
    s = _peaking(office, plan, "官方基准")
    run = _run(s, django_capture_on_commit_callbacks)
    services.designate_official(office, s)
    counts = run.results["peak_year_counts"]
    likely = min(counts, key=lambda y: (-counts[y], int(y)))
    p = f"{run.results['p_peak_by_target'] * 100:.0f}%"
    met = next(g for g in run.results["gaps"] if g["target"] == "carbon_peak_year")["met"]
    for html in (c.get(reverse("dashboard")).content.decode(), Client().get(reverse("public")).content.decode()):
        r = row(html)
        assert f"官方情景最可能 {likely} 年达峰" in r and f"2030 年前达峰概率 {p}" in r and "官方基准" in r
        assert ("情景：可达到" if met else "情景：有缺口") in r and "无数据" not in r
    page = c.get(reverse("target", args=["carbon_peak_year"])).content.decode()
    assert 'id="peak-evidence"' in page and f"官方情景最可能 {likely} 年达峰" in page
    assert reverse("scenarios:detail", args=[s.pk]) in page.split('id="peak-evidence"')[1]
