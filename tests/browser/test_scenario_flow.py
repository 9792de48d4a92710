"""The office builds a policy scenario from the plan's projects in the browser, is warned that projects ticked
纳入 without capacity or year will be left out, runs it anyway as a background task (progress bar, then
results, with what was not applied), sees the peak year, the probability and the fan chart, designates it the
official scenario and finds it on the dashboard."""

from __future__ import annotations

import threading

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_builds_and_runs_a_policy_scenario(live_server, page, plan, office):
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.tests.test_factor_sets import csv
    from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.models import Scenario, ScenarioRun

    acc.create_county_version(
        office, plan, csv("grid.prov.hunan.2020,湖南2020（占位）,placeholder,0.52,kgCO2/kWh,C,测试,")
    )
    inv = acc.create_inventory(office, plan, 2020)
    acc.import_activity(office, inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    acc.approve(office, inv)
    base = services.create_baseline(office, plan, "基准")
    services.update_scenario(office, base, {"draws": "2000"})

    url = live_server.url
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/dashboard/")

    page.goto(f"{url}/scenarios/")
    policy_form = page.locator("form:has(input[name=action][value=policy])")
    policy_form.locator("input[name=name]").fill("方案项目按期投产")
    policy_form.locator("button[type=submit]").click()
    page.wait_for_url("**/scenarios/*/")
    s = Scenario.objects.get(name="方案项目按期投产")

    # the plan's projects are listed; the official enters capacities and years and adds a measure
    for code, mw, year in (("P01.1", "300", "2025"), ("P01.2", "400", "2027"), ("P01.4", "350", "2028")):
        row = page.locator(f"tr[data-project='{code}']")
        row.locator("input[type=checkbox]").check()
        row.locator(f"input[name='projects.{code}.capacity_mw']").fill(mw)
        row.locator(f"input[name='projects.{code}.commissioning_year']").fill(year)
    page.fill("input[name='measure.0.label']", "工业节能降碳改造")
    page.select_option("select[name='measure.0.sector']", "industry")
    page.select_option("select[name='measure.0.driver']", "intensity_improvement")
    page.fill("input[name='measure.0.delta']", "2")  # percentage points a year
    page.click("#assumptions button[type=submit]")
    page.wait_for_load_state("networkidle")
    s.refresh_from_db()
    assert s.projects["P01.2"] == {
        "include": True,
        "capacity_mw": 400.0,
        "commissioning_year": 2027,
        "delay_years": 0,
        "full_load_hours": 1000.0,
    }
    assert s.measures[0]["driver"] == "intensity_improvement"
    assert s.measures[0]["delta"] == 0.02
    assert page.locator("[data-measure-sentence]").first.inner_text() == "工业：能耗强度每年多下降 2 个百分点"
    # P01.3, P01.5 and the gas network stay ticked (a policy includes the plan's projects) with no MW or year
    assert page.locator("tr[data-project='P01.3'][data-incomplete]").count() == 1

    page.click("#run-button")
    page.wait_for_load_state("networkidle")
    warning = page.locator("#run-confirm")
    assert warning.is_visible()
    text = warning.inner_text()
    assert "以下输入不完整，运行时不会计入" in text and "P01.3" in text and "P01.5" in text and "P03.1" in text
    assert "P01.1" not in text  # complete projects are not listed
    assert ScenarioRun.objects.filter(scenario=s).count() == 0  # nothing runs until the official confirms
    page.click("#run-anyway")
    page.wait_for_load_state("networkidle")
    status = page.locator("#run-status")
    assert status.get_attribute("data-run-status") == "queued"
    assert page.locator("#run-status progress").count() == 1
    # the background worker (django-tasks-db's, as `carbonpeak worker` runs it, here in a thread since a
    # thread cannot install the command's signal handlers) picks the run up; the page polls and reloads
    from django_tasks_db.management.commands.db_worker import Worker

    w = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    worker = threading.Thread(target=w.run)
    worker.start()
    worker.join(timeout=120)
    page.wait_for_selector("[data-peak-year]", timeout=20000)
    run = ScenarioRun.objects.get(scenario=s)
    assert run.status == "done"
    assert page.locator("[data-peak-year]").inner_text() == str(run.results["peak_year_of_mean"])
    assert page.locator("[data-probability]").inner_text() == f"{run.results['p_peak_by_target'] * 100:.0f}%"
    assert page.locator("[data-chart=fan] canvas").count() == 1
    assert page.locator("text=与方案目标的差距").count() == 1
    assert "P01.3" in page.locator("#not-applied").inner_text()  # what the run left out, on its result page

    # the dashboard shows no trial run until the office designates the official scenario
    page.goto(f"{url}/dashboard/")
    assert page.locator("#outlook [data-outlook=none]").count() == 1
    assert "方案项目按期投产" not in page.locator("#outlook").inner_text()
    page.goto(f"{url}/scenarios/{s.pk}/")
    page.click("#official-button")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1 [data-official]").count() == 1
    page.goto(f"{url}/dashboard/")
    outlook = page.locator("#outlook").inner_text()
    assert "方案项目按期投产" in outlook and "官方情景" in outlook
    peak = run.results["peak_year_of_mean"]
    assert (f"预计 {peak} 年达峰" in outlook) or (peak == 2060 and "未见峰值" in outlook)
