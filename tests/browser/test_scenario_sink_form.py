"""The office sets the forest sink path of the baseline in the browser: growth in percent, the peak judged on net
emissions; a typo in a rate comes back naming the field in Chinese, with nothing saved."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_sets_the_sink_path_on_the_scenario_page(live_server, browser, plan, office):
    from carbonpeak.accounting.tests.builders import approved_inventory
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.models import Scenario
    from carbonpeak.sinks.choices import YearStatus
    from carbonpeak.sinks.models import ForestYear

    approved_inventory(office, plan)
    base = services.create_baseline(office, plan, "基准")
    ForestYear.objects.create(plan=plan, year=2025, status=YearStatus.APPROVED, results={"sink_tco2": 86000.0})

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = live_server.url
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/dashboard/")

    page.goto(f"{url}/scenarios/{base.pk}/")
    box = page.locator("#sink-settings")
    assert "计入森林碳汇路径" in box.inner_text() and "达峰判断口径" in box.inner_text()
    assert page.locator("#sink-source").inner_text().startswith("碳汇路径从 2025 年已审定的森林资源碳汇 8.60 万吨出发")
    assert page.locator("input[name='sink.include'][type=checkbox]").is_checked()
    page.fill("input[name='sink.growth.mean']", "1.5")
    page.fill("input[name='sink.growth.low']", "-1")
    page.fill("input[name='sink.growth.high']", "4")
    page.select_option("select[name='sink.peak_basis']", "net")
    page.click("#assumptions button[type=submit]")
    page.wait_for_load_state("networkidle")
    base = Scenario.objects.get(pk=base.pk)
    assert base.params["sink"] == {
        "include": True,
        "growth": {"mean": 0.015, "low": -0.01, "high": 0.04},
        "peak_basis": "net",
    }
    assert page.input_value("input[name='sink.growth.mean']") == "1.5"
    assert page.input_value("select[name='sink.peak_basis']") == "net"

    assert not errors, errors

    # a rate above 50 % a year: the page names the field, nothing is saved (answered 422, which the console reports)
    page.fill("input[name='sink.growth.high']", "60")
    page.click("#assumptions button[type=submit]")
    page.wait_for_load_state("networkidle")
    err = page.locator("div.error[role=alert]").inner_text()
    assert "未完成，未保存任何内容" in err and "碳汇年增长率 · 上限" in err and "应在 -50% 到 50% 之间" in err
    assert "sink." not in err
    assert Scenario.objects.get(pk=base.pk).params["sink"]["growth"]["high"] == 0.04
    assert [e for e in errors if "422" not in e] == [], errors
    ctx.close()
