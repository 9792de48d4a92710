"""The carbon_peak_year target shows, instead of "no data", the approved accounts' highest year and the latest
scenario run's most likely peak year and P(peak ≤ 2030), each with its source; an official run wins."""

from __future__ import annotations

import pytest

from carbonpeak.scenarios import services
from carbonpeak.scenarios.presentation import summary
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db


def _run(office, s):
    services.update_scenario(office, s, {"draws": "200"})
    run = services.start_run(office, s, enqueue=False)
    services.execute(run.pk)
    run.refresh_from_db()
    return run


def test_peak_year_from_accounts_and_the_latest_run(plan, office, approved):
    c = login(office)
    html = body_of(c.get("/targets/carbon_peak_year/"))
    assert "核算最高：2020 年" in html and "来源：2020–2020 年已审定核算" in html  # the one approved year
    assert "尚未指定官方达峰情景" in html  # no run yet
    assert 'data-light="no_data">见达峰研判<' in html and "暂无数据" not in html  # not "no data"
    base = services.create_baseline(office, plan, "试算情景")
    run = _run(office, base)
    sm = summary(run)
    html = body_of(c.get("/targets/carbon_peak_year/"))
    assert f"最新情景运行最可能 {sm['most_likely_peak_year']} 年达峰" in html or "最新情景运行：到" in html
    assert f"2030 年前达峰概率 {float(sm['p_peak_by_target']) * 100:.0f}%" in html
    assert "试算情景" in html and "非官方情景" in html
    dash = body_of(c.get("/dashboard/"))  # the dashboard keeps to the official scenario (trial runs stay out)
    assert "最新情景运行" not in dash and "试算情景" not in dash and "尚未指定官方达峰情景" in dash
    # once an official scenario has a run, it is the one shown
    services.designate_official(office, base)
    html = body_of(c.get("/targets/carbon_peak_year/"))
    assert "非官方情景" not in html and ("官方情景最可能" in html or "官方情景：到" in html)


def test_public_page_keeps_to_the_official_scenario(plan, office, approved):
    plan.is_published = True
    plan.save()
    base = services.create_baseline(office, plan, "试算情景")
    _run(office, base)
    html = body_of(login().get("/"))
    assert "试算情景" not in html and "最新情景运行" not in html


def test_plan_status_json_carries_the_peak_evidence(plan, office, approved, capsys):
    """`carbonpeak plan status --format json`: the peak-year entry carries the accounts' highest year and the latest
    run's most likely peak year and P(peak ≤ target year), each with its source (not a bare "no data")."""
    import json

    from carbonpeak.cli import main

    def entry():
        assert main(["plan", "status", "--format", "json", "--plan", plan.code]) == 0
        rows = json.loads(capsys.readouterr().out)["targets"]
        return next(r for r in rows if r["code"] == "carbon_peak_year"), rows

    peak, rows = entry()
    assert all("evidence" not in r for r in rows if r["code"] != "carbon_peak_year")
    ev = peak["evidence"]
    assert ev["target_year"] == plan.peak_year
    assert ev["accounts"]["highest_year"] == 2020 and ev["accounts"]["source"] == "approved inventories 2020–2020"
    assert ev["scenario"] is None  # no run yet
    base = services.create_baseline(office, plan, "试算情景")
    run = _run(office, base)
    sm = summary(run)
    ev = entry()[0]["evidence"]["scenario"]
    assert ev["most_likely_peak_year"] == sm["most_likely_peak_year"]
    assert ev["p_peak_by_target"] == pytest.approx(float(sm["p_peak_by_target"]))
    assert ev["official"] is False and ev["source"] == f"scenario 试算情景 run {run.pk} (200 draws)"
    services.designate_official(office, base)
    assert entry()[0]["evidence"]["scenario"]["official"] is True
