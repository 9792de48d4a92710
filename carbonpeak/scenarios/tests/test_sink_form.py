"""The sink settings on the scenario page: the form takes percent and Chinese choices, the scenario stores
fractions, a run reads them, bad input is refused naming the field, nothing stored half-way.

Hand-worked: an approved 2025 forest year with a sink of 50 000 tCO2; growth typed 1.5 (%) → 0.015 a year, so the
deterministic sink path is 50 000, 50 750, 51 511.25 t in the first three years (50 000 × 1.015^t)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from carbonpeak.accounting.tests.builders import approved_inventory
from carbonpeak.audit.models import AuditEntry
from carbonpeak.core import scenario as sc
from carbonpeak.scenarios import services
from carbonpeak.scenarios.fetch import scenario_input
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.scenarios.tests.test_scenarios import IMMEDIATE
from carbonpeak.sinks.choices import YearStatus
from carbonpeak.sinks.models import ForestYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def baseline(plan, office) -> Scenario:
    approved_inventory(office, plan)
    return services.create_baseline(office, plan)


@pytest.fixture
def forest(plan):
    return ForestYear.objects.create(plan=plan, year=2025, status=YearStatus.APPROVED, results={"sink_tco2": 50000.0})


@pytest.fixture
def c(plan, office) -> Client:
    client = Client()
    client.force_login(office)
    return client


def page(c: Client, s: Scenario) -> str:
    return c.get(reverse("scenarios:detail", args=[s.pk])).content.decode()


def save(c: Client, s: Scenario, **fields):
    """The page's save as a browser sends it: the hidden ``sink.include=false`` always, then the checkbox's
    ``true`` when ticked (the last value wins)."""
    form = {"action": "save", "draws": "300", "sink.include": ["false"], **fields}
    if form.pop("tick", True):
        form["sink.include"] = ["false", "true"]
    return c.post(reverse("scenarios:detail", args=[s.pk]), form)


def run(c: Client, s: Scenario, capture) -> dict:
    with capture(execute=True):
        c.post(reverse("scenarios:detail", args=[s.pk]), {"action": "run", "confirm": "1"})
    r = ScenarioRun.objects.filter(scenario=s).latest("id")
    assert r.status == "done", r.error
    return r.results


def test_the_page_shows_the_shipped_sink_settings_in_percent(c, baseline, forest):
    body = page(c, baseline)
    assert "计入森林碳汇路径" in body and "达峰判断口径" in body
    # the shipped growth −0.5 %/yr, p10 −3 %, p90 +2 %: percent on the page, never −0.005
    for part, v in (("mean", "-0.5"), ("low", "-3"), ("high", "2")):
        assert f'name="sink.growth.{part}" value="{v}"' in body
    assert '<option value="gross" selected>总排放（不扣除碳汇）</option>' in body
    assert 'name="sink.include" value="true" checked' in body
    assert "碳汇路径从 2025 年已审定的森林资源碳汇 5.00 万吨出发" in body


def test_no_approved_forest_year_is_said_plainly(c, baseline):
    assert "尚无已审定的森林资源年度碳汇：不形成碳汇路径，达峰只能按总排放判断。" in page(c, baseline)


@override_settings(TASKS=IMMEDIATE)
def test_form_saves_the_sink_settings_and_a_run_uses_them(c, baseline, forest, django_capture_on_commit_callbacks):
    r = save(
        c, baseline, **{"sink.growth.mean": "1.5", "sink.growth.low": "-1％", "sink.growth.high": "4 %",
                        "sink.peak_basis": "net"},
    )  # fmt: skip
    assert r.status_code == 302
    baseline.refresh_from_db()
    assert baseline.params["sink"] == {
        "include": True,
        "growth": {"mean": 0.015, "low": -0.01, "high": 0.04},
        "peak_basis": "net",
    }
    audit = AuditEntry.objects.filter(action="scenario.update").latest("id")
    assert audit.after["params"]["sink"]["peak_basis"] == "net"
    assert audit.before["params"].get("sink") is None  # the shipped defaults were not stored before
    body = page(c, baseline)
    for part, v in (("mean", "1.5"), ("low", "-1"), ("high", "4")):
        assert f'name="sink.growth.{part}" value="{v}"' in body
    assert '<option value="net" selected>' in body
    inp = scenario_input(baseline)
    assert inp.sink_base_tco2 == 50000.0 and inp.peak_basis == "net"
    assert inp.sink_growth == sc.Range(0.015, -0.01, 0.04)

    res = run(c, baseline, django_capture_on_commit_callbacks)
    det = res["deterministic"]
    assert det["sink_tco2"][:3] == pytest.approx([50000.0, 50750.0, 51511.25])
    assert det["net_co2_t"][:3] == pytest.approx([det["total_co2_t"][t] - det["sink_tco2"][t] for t in range(3)])
    # the verdict reads the net path; the gross one is kept beside it
    assert res["peak_basis"] == "net"
    assert res["peak_year_of_mean"] == res["net"]["peak_year_of_mean"]
    years, net, gross = res["years"], det["net_co2_t"], det["total_co2_t"]
    assert res["deterministic_peak"]["peak_year"] == years[net.index(max(net))]  # the first highest year
    assert res["gross"]["deterministic_peak"]["peak_year"] == years[gross.index(max(gross))]
    assert "本情景按净排放（排放总量 − 森林碳汇）判断达峰。" in page(c, baseline)

    # the box unticked, back to gross: no sink path in the inputs or the run
    assert save(c, baseline, tick=False, **{"sink.peak_basis": "gross"}).status_code == 302
    baseline.refresh_from_db()
    assert baseline.params["sink"]["include"] is False and baseline.params["sink"]["peak_basis"] == "gross"
    assert 'name="sink.include" value="true" checked' not in page(c, baseline)
    assert scenario_input(baseline).sink_base_tco2 == 0.0
    res = run(c, baseline, django_capture_on_commit_callbacks)
    assert res["peak_basis"] == "gross" and "sink" not in res and "sink_tco2" not in res["deterministic"]


@pytest.mark.parametrize(
    ("fields", "field", "label", "zh", "en"),
    [
        ({"sink.growth.mean": "abc"}, "sink.growth.mean", "碳汇年增长率 · 均值", "不是数值", "sink.growth.mean"),
        ({"sink.growth.high": "80"}, "sink.growth.high", "碳汇年增长率 · 上限", "应在 -50% 到 50% 之间", "between"),
        ({"sink.growth.mean": ""}, "sink.growth.mean", "碳汇年增长率 · 均值", "请填写", "required"),
        (
            {"sink.growth.low": "3", "sink.growth.high": "1"},
            "sink.growth.low", "碳汇年增长率 · 下限", "下限高于上限", "low is above high",
        ),
        ({"sink.peak_basis": "both"}, "sink.peak_basis", "达峰判断口径", "应为“总排放”或“净排放", "gross"),
        (
            {"sink.peak_basis": "net", "tick": False}, "sink.peak_basis", "达峰判断口径",
            "按净排放判断达峰需要计入森林碳汇路径", "needs the forest sink path",
        ),
    ],
)  # fmt: skip
def test_bad_sink_input_is_refused_naming_the_field(c, baseline, forest, fields, field, label, zh, en):
    before = dict(baseline.params)
    r = save(c, baseline, **{"sink.growth.mean": "1", "sink.peak_basis": "gross", "draws": "500", **fields})
    assert r.status_code == 422
    body = r.content.decode()
    assert "未完成，未保存任何内容" in body and label in body and zh in body
    assert f"{field}：" not in body  # the Chinese name, never the technical path, in the Chinese message
    with pytest.raises(Exception) as exc:  # the same through the service: the field and both languages
        services.update_scenario(
            baseline.plan.scenarios.get(pk=baseline.pk).created_by_label and c.session and _office(baseline),
            baseline,
            _service_data(fields),
        )
    issues = [i for i in exc.value.issues if i.field == field]
    assert issues and zh in issues[0].message_zh and en in issues[0].message_en
    baseline.refresh_from_db()
    assert baseline.params == before and baseline.draws != 500  # nothing stored half-way


def _office(s: Scenario):
    from carbonpeak.accounts.models import User

    return User.objects.get(username="office")


def _service_data(fields: dict) -> dict:
    from carbonpeak.scenarios.forms import percent_to_fraction

    data = {"sink.growth.mean": "0.01", "sink.peak_basis": "gross", "sink.include": "true"}
    for k, v in fields.items():
        if k == "tick":
            data["sink.include"] = "false"
        else:
            data[k] = percent_to_fraction(v) if k.startswith("sink.growth.") else v
    return data


def test_net_basis_without_an_approved_forest_year_is_refused(c, baseline):
    r = save(c, baseline, **{"sink.growth.mean": "1", "sink.peak_basis": "net"})
    assert r.status_code == 422
    assert "尚无已审定的森林资源年度碳汇，无法按净排放判断达峰" in r.content.decode()
    baseline.refresh_from_db()
    assert "sink" not in baseline.params


def test_a_policy_page_shows_the_baselines_sink_settings_read_only(c, office, baseline, forest):
    services.update_scenario(office, baseline, {"sink.peak_basis": "net", "sink.growth.mean": "0.02"})
    pol = services.create_policy(office, baseline, "政策")
    body = page(c, pol)
    assert 'disabled name="sink.growth.mean" value="2"' in body
    assert '<select name="sink.peak_basis" disabled><option value="gross">' in body
    # the policy's own save sends no sink field (disabled inputs are not posted) and is accepted
    assert c.post(reverse("scenarios:detail", args=[pol.pk]), {"action": "save", "draws": "300"}).status_code == 302
    assert scenario_input(pol).peak_basis == "net"
