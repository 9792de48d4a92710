"""The forest sink path in the peak scenarios: deterministic by hand, the Monte Carlo's bounds, the net verdict,
and the sink level read from the latest approved forest year."""

from __future__ import annotations

import pytest

from carbonpeak.core import scenario as sc
from carbonpeak.core.errors import CalcError
from carbonpeak.validation import ValidationFailed


def _inp(**kw) -> sc.ScenarioInput:
    """One sector, 1 000 t of CO2 from 100 tce of fuel, growing 10 % a year; no electricity."""
    base = dict(
        base_year=2020,
        end_year=2023,
        target_peak_year=2030,
        sectors=(sc.SectorBase("industry", fuel_tce=100.0, direct_co2_t=1000.0, electricity_mwh=0.0),),
        drivers={"industry": sc.Drivers(activity_growth=0.10)},
        base_nonfossil_mwh=0.0,
        loss_share=0.0,
        grid_ef_t_per_mwh=0.5,
        draws=2000,
        seed=7,
    )
    base.update(kw)
    return sc.ScenarioInput(**base)


def test_deterministic_sink_and_net_by_hand():
    det = sc.deterministic(_inp(sink_base_tco2=600.0, sink_growth=0.2))
    # gross 1000, 1100, 1210, 1331; sink 600 × 1.2^t = 600, 720, 864, 1036.8; net 400, 380, 346, 294.2
    assert det["total_co2_t"] == pytest.approx([1000, 1100, 1210, 1331])
    assert det["sink_tco2"] == pytest.approx([600, 720, 864, 1036.8])
    assert det["net_co2_t"] == pytest.approx([400, 380, 346, 294.2])
    assert "sink_tco2" not in sc.deterministic(_inp())  # no sink: no path


def test_verdict_stays_gross_unless_the_scenario_says_net():
    gross = sc.run(_inp(sink_base_tco2=600.0, sink_growth=0.2))
    assert gross["peak_basis"] == "gross"
    assert gross["deterministic_peak"]["peak_year"] == 2023  # gross keeps rising
    assert gross["net"]["deterministic_peak"]["peak_year"] == 2020  # net: 400, 380, 346, 294.2
    net = sc.run(_inp(sink_base_tco2=600.0, sink_growth=0.2, peak_basis="net"))
    assert net["peak_basis"] == "net"
    assert net["deterministic_peak"]["peak_year"] == 2020 and net["peak_year_of_mean"] == 2020
    assert net["gross"]["deterministic_peak"]["peak_year"] == 2023
    # no uncertainty anywhere: every draw is the deterministic path
    assert net["net"]["total_mean_tco2"] == pytest.approx([400, 380, 346, 294.2])
    assert net["sink"]["p10_tco2"] == pytest.approx([600, 720, 864, 1036.8])
    with pytest.raises(CalcError):
        sc.run(_inp(peak_basis="net"))  # a net verdict without a sink path


def test_monte_carlo_sink_bounds():
    """Sink 1 000 t, growth mean −0.5 % with p10/p90 −3 %/+2 % (the shipped default): the yearly draws compound,
    so the p10/p90 of year t lie inside [1000 × 0.97^t, 1000 × 1.02^t] (equal to them in year 1; independent
    years narrow the spread after), around the mean path 1000 × 0.995^t."""
    r = sc.run(_inp(end_year=2030, sink_base_tco2=1000.0, sink_growth=sc.Range(-0.005, -0.03, 0.02), draws=20000))
    s = r["sink"]
    assert s["deterministic_tco2"] == pytest.approx([1000.0 * 0.995**t for t in range(11)])
    assert s["p10_tco2"][1] == pytest.approx(970, rel=0.002) and s["p90_tco2"][1] == pytest.approx(1020, rel=0.002)
    for t in range(1, 11):
        assert 1000 * 0.97**t * 0.995 <= s["p10_tco2"][t] < s["mean_tco2"][t] < s["p90_tco2"][t]
        assert s["p90_tco2"][t] <= 1000 * 1.02**t * 1.005
        # the sd of one year's growth is 0.05 / 2.563 = 0.0195: after t years about 1000 × 0.0195 × √t
        half = (s["p90_tco2"][t] - s["p10_tco2"][t]) / 2
        assert half == pytest.approx(1000 * 0.995**t * 0.05 / 2 * t**0.5, rel=0.1)
    assert s["p10_tco2"][0] == s["p90_tco2"][0] == 1000.0
    # the net band is emissions minus the sink draw by draw: its mean is gross mean − sink mean
    for t in range(11):
        assert r["net"]["total_mean_tco2"][t] == pytest.approx(r["total_mean_tco2"][t] - s["mean_tco2"][t], rel=0.01)


@pytest.mark.django_db
def test_scenario_reads_the_latest_approved_forest_sink(plan, office):
    from carbonpeak.accounting.tests.builders import approved_inventory
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.fetch import inputs_hash, scenario_input
    from carbonpeak.sinks.choices import YearStatus
    from carbonpeak.sinks.models import ForestYear

    inv = approved_inventory(office, plan)
    s = services.create_baseline(office, plan)
    before = inputs_hash(scenario_input(s))
    assert scenario_input(s).sink_base_tco2 == 0.0
    ForestYear.objects.create(plan=plan, year=2024, status=YearStatus.APPROVED, results={"sink_tco2": 5000.0})
    ForestYear.objects.create(plan=plan, year=2025, status=YearStatus.APPROVED, results={"sink_tco2": 6000.5})
    ForestYear.objects.create(plan=plan, year=2026, status=YearStatus.DRAFT, results={"sink_tco2": 9999.0})
    inp = scenario_input(s)
    assert inp.sink_base_tco2 == 6000.5 and inp.extra["sink"]["year"] == 2025
    assert inp.sink_growth == sc.Range(-0.005, -0.03, 0.02) and inp.peak_basis == "gross"
    assert inputs_hash(inp) != before  # a run made before the sink existed goes stale
    services.update_scenario(office, s, {"sink.peak_basis": "net", "sink.growth.mean": "0.01"})
    s.refresh_from_db()
    inp = scenario_input(s)
    assert inp.peak_basis == "net" and inp.sink_growth.mean == 0.01
    with pytest.raises(ValidationFailed) as exc:  # a net verdict without a sink path is refused at the save
        services.update_scenario(office, s, {"sink.include": "false"})
    assert exc.value.issues[0].field == "sink.peak_basis"
    s.refresh_from_db()
    assert "include" not in s.params["sink"]  # still on (the default): nothing stored
    # … and again at the run, when the forest years are reopened after the save
    ForestYear.objects.filter(plan=plan).update(status=YearStatus.DRAFT)
    with pytest.raises(CalcError):
        sc.check(scenario_input(s))
    assert inv.year == 2020


@pytest.mark.django_db
def test_detail_page_shows_the_sink_path_and_the_verdict_basis(plan, office):
    import dataclasses

    from django.test import Client
    from django.urls import reverse

    from carbonpeak.accounting.tests.builders import approved_inventory
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.fetch import inputs_hash, inputs_json, scenario_input
    from carbonpeak.scenarios.models import ScenarioRun
    from carbonpeak.sinks.choices import YearStatus
    from carbonpeak.sinks.models import ForestYear

    approved_inventory(office, plan)
    s = services.create_baseline(office, plan)
    ForestYear.objects.create(plan=plan, year=2025, status=YearStatus.APPROVED, results={"sink_tco2": 50000.0})
    inp = scenario_input(s)
    res = sc.run(dataclasses.replace(inp, draws=200))
    ScenarioRun.objects.create(
        scenario=s, inputs=inputs_json(inp), inputs_sha256=inputs_hash(inp), status="done", results=res,
        started_by_label="office",
    )  # fmt: skip
    c = Client()
    c.force_login(office)
    page = c.get(reverse("scenarios:detail", args=[s.pk])).content.decode()
    assert "森林碳汇路径与净排放" in page and "达峰判断按排放总量" in page
    assert res["sink"]["mean_tco2"][0] == 50000.0 and "5.0" in page  # 50 000 t = 5.0 万吨 in the base year row
    assert 'id="sink-chart"' in page and 'data-source="sink-chart"' in page  # the net fan drawn above the table


def test_sink_chart_is_the_net_fan_beside_the_gross_mean():
    """The page's chart of the sink path, by hand in 万吨: 1 000 000 t growing 10 % a year (100.0, 110.0, 121.0,
    133.1) less a constant 200 000 t sink (20.0): net 80.0, 90.0, 101.0, 113.1."""
    from carbonpeak.scenarios.presentation import sink_chart

    big = (sc.SectorBase("industry", fuel_tce=100000.0, direct_co2_t=1000000.0, electricity_mwh=0.0),)
    assert sink_chart(sc.run(_inp(sectors=big))) is None  # no sink path: no chart
    res = sc.run(_inp(sectors=big, sink_base_tco2=200000.0, sink_growth=sc.Range(0.0, 0.0, 0.0)))
    chart = sink_chart(res)
    assert chart["categories"] == ["2020", "2021", "2022", "2023"]
    assert chart["deterministic"] == [100.0, 110.0, 121.0, 133.1]
    assert chart["mean"] == [80.0, 90.0, 101.0, 113.1]
    assert chart["peak_year"] is None  # the net mean still rises at the horizon: no peak is marked
    assert chart["labels"]["mean"] == "净排放（模拟均值）" and chart["unit"] == "万吨 CO₂"
