"""Scenarios in the platform: baseline from the approved inventory, policy with projects and measures, runs
through the task framework (immediate and the database worker), staleness, gaps, pages and exports."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse

from carbonpeak.accounting import services as acc
from carbonpeak.accounting.tests.test_factor_sets import csv
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered
from carbonpeak.scenarios import services
from carbonpeak.scenarios.fetch import current_hash, scenario_input
from carbonpeak.scenarios.models import ScenarioRun
from carbonpeak.validation import ValidationFailed

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_baseline_needs_an_approved_year_and_matches_the_inventory(plan, office, approved):
    s = services.create_baseline(office, plan)
    assert s.base_inventory == approved and s.kind == "baseline"
    inp = scenario_input(s)
    res = approved.results
    # the base year of the projection is the inventory's territorial CO2 (this county imports power, no heat)
    from carbonpeak.core import scenario as sc

    det = sc.deterministic(inp)
    assert det["total_co2_t"][0] == pytest.approx(res["co2"]["territorial_co2_t"], rel=1e-9)
    assert inp.grid_ef_t_per_mwh == pytest.approx(0.52)
    assert inp.base_nonfossil_mwh == 60000


def test_no_baseline_without_an_approved_year(plan, office):
    with pytest.raises(ValidationFailed) as exc:
        services.create_baseline(office, plan)
    assert exc.value.issues[0].code == "no_inventory"


@override_settings(TASKS=IMMEDIATE)
def test_policy_run_gives_peak_probability_and_gaps(plan, office, approved, django_capture_on_commit_callbacks):
    base = services.create_baseline(office, plan)
    pol = services.create_policy(office, base, "项目按期")
    services.update_scenario(
        office,
        pol,
        {
            "projects.P01.1.include": True,
            "projects.P01.1.capacity_mw": "300",
            "projects.P01.1.commissioning_year": "2025",
            "projects.P01.4.capacity_mw": "200",
            "projects.P01.4.commissioning_year": "2027",
            "measures": [{"label": "节能", "sector": "industry", "driver": "intensity_improvement", "delta": "0.02"}],
            "draws": "2000",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(office, pol)
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 1.0
    r = run.results
    assert r["years"][0] == 2020 and r["years"][-1] == 2060 and r["draws"] == 2000
    assert 0 <= r["p_peak_by_target"] <= 1 and r["peak_year_of_mean"] in r["years"]
    cap = r["deterministic"]["new_energy_capacity_mw"]
    assert cap[r["years"].index(2027)] - cap[r["years"].index(2024)] == 500  # 300 + 200 MW in service
    gaps = {(g["target"], g["year"]): g for g in r["gaps"]}
    assert ("non_fossil_share", 2030) in gaps and ("new_energy_capacity_energy_task", 2030) in gaps
    g = gaps[("new_energy_capacity_energy_task", 2030)]
    assert g["gap"] == pytest.approx(g["projected"] - 1350) and g["met"] is False
    # the same inputs and seed give the same results
    with django_capture_on_commit_callbacks(execute=True):
        again = services.start_run(office, pol)
    again.refresh_from_db()
    assert again.inputs_sha256 == run.inputs_sha256 and again.results["total_mean_tco2"] == r["total_mean_tco2"]
    # the policy (projects + a faster intensity fall) lies below the baseline every year after the base year
    with django_capture_on_commit_callbacks(execute=True):
        b = services.start_run(office, base)
    b.refresh_from_db()
    policy_path = r["deterministic"]["total_co2_t"]
    base_path = b.results["deterministic"]["total_co2_t"]
    assert policy_path[0] == pytest.approx(base_path[0])
    assert all(p < q for p, q in zip(policy_path[1:], base_path[1:], strict=True))
    assert r["peak_year_of_mean"] <= b.results["peak_year_of_mean"]
    # a path still rising at the horizon has no peak: the peak-year target is not met, and says why
    for run_results in (r, b.results):
        peak_gap = next(g for g in run_results["gaps"] if g["target"] == "carbon_peak_year")
        rising = run_results["peak_year_of_mean"] == run_results["years"][-1]
        assert peak_gap["beyond_horizon"] is rising
        assert peak_gap["met"] is (not rising and run_results["peak_year_of_mean"] <= 2030)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks, as in production
def test_runs_go_through_the_database_worker(plan, office, approved, django_capture_on_commit_callbacks):
    """The production path: the run is queued in the database and `carbonpeak worker --batch` executes it."""
    from django.core.management import call_command

    s = services.create_baseline(office, plan)
    services.update_scenario(office, s, {"draws": "500"})
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(office, s)
    run.refresh_from_db()
    assert run.status == "queued" and run.task_id
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(id=run.task_id).exists()
    call_command("db_worker", "--batch", "--no-startup-delay")
    run.refresh_from_db()
    assert run.status == "done" and run.results["draws"] == 500


@override_settings(TASKS=IMMEDIATE)
def test_results_go_stale_when_an_input_changes(plan, office, approved, django_capture_on_commit_callbacks):
    s = services.create_baseline(office, plan)
    services.update_scenario(office, s, {"draws": "300"})
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(office, s)
    run.refresh_from_db()
    assert current_hash(s) == run.inputs_sha256
    # a project's commissioning year changes in the plan
    p = plan.projects.get(code="P01.1")
    services.update_scenario(office, s, {"projects.P01.1.include": True, "projects.P01.1.capacity_mw": "100"})
    assert current_hash(s) == run.inputs_sha256  # no year yet: the project is not in service, nothing changed
    p.commissioning_year = 2026
    p.save()
    assert current_hash(s) != run.inputs_sha256
    page = client(office).get(reverse("scenarios:detail", args=[s.pk])).content.decode()
    assert "已过期" in page
    # the inventory is reopened: the scenario cannot run until it is approved again
    acc.reopen(office, approved, "修订")
    s = type(s).objects.get(pk=s.pk)
    assert current_hash(s) is None
    with pytest.raises(ValidationFailed):
        services.start_run(office, s)


def test_assumptions_are_validated_field_by_field(plan, office, approved):
    s = services.create_baseline(office, plan)
    with pytest.raises(ValidationFailed) as exc:
        services.update_scenario(
            office,
            s,
            {
                "drivers.industry.activity_growth.mean": "5",
                "drivers.industry.intensity_improvement.low": "0.05",
                "drivers.industry.intensity_improvement.high": "0.01",
                "grid_decline.mean": "abc",
                "projects.NOPE.include": True,
                "projects.P01.1.commissioning_year": "1999",
                "measures": [{"sector": "mars", "driver": "magic", "delta": "0.1"}],
                "draws": "5",
            },
        )
    fields = {i.field for i in exc.value.issues}
    assert fields >= {
        "drivers.industry.activity_growth.mean",
        "drivers.industry.intensity_improvement.low",
        "grid_decline.mean",
        "projects.NOPE.include",
        "projects.P01.1.commissioning_year",
        "measures[0].sector",
        "measures[0].driver",
        "draws",
    }
    s.refresh_from_db()
    assert s.params["drivers"]["industry"]["activity_growth"]["mean"] == 0.05  # nothing stored


def test_only_the_office_changes_or_runs_scenarios(plan, office, fgj, approved):
    s = services.create_baseline(office, plan)
    for call in (
        lambda: services.create_baseline(fgj, plan, "x"),
        lambda: services.update_scenario(fgj, s, {"draws": "100"}),
        lambda: services.start_run(fgj, s),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert client(fgj).get(reverse("scenarios:detail", args=[s.pk])).status_code == 200
    assert client(fgj).post(reverse("scenarios:detail", args=[s.pk]), {"action": "run"}).status_code == 403


@override_settings(TASKS=IMMEDIATE)
def test_pages_progress_compare_and_exports(plan, office, approved, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    c = client(office)
    r = c.post(reverse("scenarios:list"), {"action": "baseline", "name": "基准"})
    from carbonpeak.scenarios.models import Scenario

    s = Scenario.objects.get(name="基准")
    assert r.status_code == 302
    services.update_scenario(office, s, {"draws": "300"})
    r = c.post(reverse("scenarios:list"), {"action": "policy", "parent": s.pk, "name": "政策"})
    pol = Scenario.objects.get(name="政策")
    form = {
        "action": "save",
        "draws": "300",
        "projects.P01.1.include": "on",
        "projects.P01.1.capacity_mw": "300",
        "projects.P01.1.commissioning_year": "2025",
        "measure_count": "0",
        "measure.0.label": "交通电动化",
        "measure.0.sector": "transport",
        "measure.0.driver": "electrification",
        "measure.0.delta": "2",  # the page takes percentage points; the scenario stores the fraction
    }
    assert c.post(reverse("scenarios:detail", args=[pol.pk]), form).status_code == 302
    pol.refresh_from_db()
    assert pol.measures == [{"label": "交通电动化", "sector": "transport", "driver": "electrification", "delta": 0.02}]
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("scenarios:detail", args=[pol.pk]), {"action": "run"})
        c.post(reverse("scenarios:detail", args=[s.pk]), {"action": "run"})
    run = ScenarioRun.objects.filter(scenario=pol).latest("id")
    body = c.get(reverse("scenarios:detail", args=[pol.pk])).content.decode()
    assert 'data-chart="fan"' in body and "与方案目标的差距" in body and "data-peak-year" in body
    frag = c.get(reverse("scenarios:run_status", args=[pol.pk, run.pk]), HTTP_HX_REQUEST="true")
    assert frag["HX-Refresh"] == "true" and 'data-run-status="done"' in frag.content.decode()
    cmp = c.get(reverse("scenarios:compare") + f"?ids={s.pk}&ids={pol.pk}").content.decode()
    assert "基准" in cmp and "政策" in cmp and 'data-chart="mixed"' in cmp
    wb = load_workbook(io.BytesIO(c.get(reverse("scenarios:xlsx", args=[pol.pk])).content))
    assert wb.sheetnames == ["概要", "年度路径", "目标差距", "假设", "项目"]
    assert wb["年度路径"].max_row == 2060 - 2020 + 2
    pdf = c.get(reverse("scenarios:pdf", args=[pol.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # the dashboard shows the newest outlook
    dash = c.get(reverse("dashboard")).content.decode()
    assert 'id="outlook"' in dash and "达峰展望" in dash


@override_settings(TASKS=IMMEDIATE)
def test_a_policy_composes_over_its_baseline(plan, office, approved, django_capture_on_commit_callbacks):
    base = services.create_baseline(office, plan)
    pol = services.create_policy(office, base, "政策")
    with pytest.raises(ValidationFailed) as exc:
        services.update_scenario(office, pol, {"drivers.industry.activity_growth.mean": "0.01", "grid_decline": "0.03"})
    assert {i.code for i in exc.value.issues} == {"inherited"}
    services.update_scenario(office, pol, {"draws": "300"})
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(office, pol)
    run.refresh_from_db()
    assert current_hash(pol) == run.inputs_sha256
    # the baseline changes: the policy built on it is stale and its next run uses the new assumption
    services.update_scenario(office, base, {"drivers.industry.activity_growth.mean": "0.01"})
    pol = type(pol).objects.get(pk=pol.pk)
    assert current_hash(pol) != run.inputs_sha256
    inp = scenario_input(pol)
    assert inp.drivers["industry"].activity_growth.mean == 0.01


def test_base_year_equals_the_accounts_with_a_local_power_plant_and_feedstock(plan, office):
    """Coal burnt in a county power plant is direct CO2; the power it makes is not imported again; feedstock
    and the plant's conversion loss stay in the energy total: the projection's base year equals the accounts."""
    from carbonpeak.accounting.tests.test_inventory import row
    from carbonpeak.core import scenario as sc

    acc.create_county_version(
        office, plan, csv("grid.prov.hunan.2020,湖南2020（占位）,placeholder,0.52,kgCO2/kWh,C,测试,")
    )
    inv = acc.create_inventory(office, plan, 2020)
    extra = [
        row("energy.D44", "raw_coal", "t", "50000", flow="transformation_input"),
        row("energy.D44", "electricity", "MWh", "100000", flow="transformation_output"),
        row("industry.C26", "natural_gas", "10k_m3", "300", purpose="feedstock"),
    ]
    acc.import_activity(office, inv, numbered(BASE_ROWS + extra), [(None, k, v) for k, v in PARAMS.items()])
    acc.approve(office, inv)
    inv.refresh_from_db()
    s = services.create_baseline(office, plan)
    det = sc.deterministic(scenario_input(s))
    assert det["total_co2_t"][0] == pytest.approx(inv.results["co2"]["territorial_co2_t"], rel=1e-9)
    assert det["energy_tce"][0] == pytest.approx(inv.results["energy"]["coal_equivalent"]["total_tce"], rel=1e-9)


def test_a_year_with_an_indicator_out_of_range_is_still_approved(plan, office, approved):
    """Refined-oil use tripling gives a growth rate above 100 %: the target cannot hold it, the approval
    goes through and the skipped value is in the audit log."""
    from carbonpeak.accounting.tests.test_inventory import row
    from carbonpeak.audit.models import AuditEntry

    inv = acc.create_inventory(office, plan, 2021)
    rows = [dict(r) for r in BASE_ROWS]
    rows[2] = row("transport.G54", "diesel", "t", "70000")
    acc.import_activity(office, inv, numbered(rows), [(None, k, v) for k, v in PARAMS.items()])
    acc.approve(office, inv)
    inv.refresh_from_db()
    assert inv.status == "approved"
    entry = AuditEntry.objects.get(action="inventory.indicators_skipped")
    assert any(x.startswith("refined_oil_consumption_growth 2021") for x in entry.after["skipped"])
