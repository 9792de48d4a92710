"""The 交通局 and 发改局 pages: uploads with the standard report, a tank entered by hand, the figures against
their targets, who may write."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from carbonpeak.transport.models import GasFacility, Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiaotong(make_user, plan):
    return make_user("jiaotong", "department", plan.departments.get(code="transport"))


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_jiaotong_uploads_vehicles_and_sees_the_share_against_100(plan, jiaotong):
    c = client(jiaotong)
    csv = (
        "号牌,运营单位,用途,燃料,注册日期\n"
        "湘B1,公交,公交车,纯电动,2025-01-01 00:30\n"
        "湘B2,公交,公交车,柴油,2025-02-01\n"
        "湘B3,公交,公交车,蒸汽,2025-02-01\n"
    )
    f = SimpleUploadedFile("v.csv", csv.encode("utf-8"), content_type="text/csv")
    r = c.post(reverse("transport:home") + "?year=2025", {"action": "vehicles", "year": "2025", "file": f})
    body = r.content.decode()
    assert r.status_code == 200
    assert "接收 2 条，重复 0 条，拒绝 1 条" in body
    assert Vehicle.objects.filter(plan=plan).count() == 2
    r = c.get(reverse("transport:home") + "?year=2025")
    body = r.content.decode()
    assert "50.00 %" in body and "目标 100 %（2025年）" in body


def test_fgj_enters_a_leased_tank_and_sees_days_against_3(plan, fgj):
    c = client(fgj)
    url = reverse("transport:gas") + "?year=2024"
    r = c.post(url, {"action": "demand", "year": "2024", "m3": "3660000", "source": "燃气公司年报"})
    assert r.status_code == 302
    r = c.post(
        url,
        {
            "action": "facility",
            "year": "2024",
            "facility_id": "LNG-1",
            "operator": "昆仑燃气",
            "capacity_m3": "30000",
            "in_service_on": "2024-03-01",
            "leased": "1",
        },
    )
    assert r.status_code == 302 and GasFacility.objects.get(plan=plan).leased
    body = c.get(url).content.decode()
    # 30 000 ÷ (3 660 000 ÷ 366) = 3.0
    assert "3.0 天" in body and "目标 不低于 3 天（2030年）" in body


def test_other_departments_read_but_cannot_write(plan, fgj, jiaotong):
    r = client(fgj).post(reverse("transport:home"), {"action": "approve", "year": "2025"})
    assert r.status_code == 403
    r = client(jiaotong).post(reverse("transport:gas"), {"action": "demand", "year": "2025", "m3": "1", "source": "x"})
    assert r.status_code == 403
    assert client(jiaotong).get(reverse("transport:gas")).status_code == 200


def test_template_download(plan, jiaotong):
    r = client(jiaotong).get(reverse("transport:template", args=["vehicles"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_approve_on_the_page_feeds_the_target_and_reopen_needs_a_reason(plan, jiaotong):
    from carbonpeak.plan.models import IndicatorValue
    from carbonpeak.transport import services

    services.import_vehicles(
        jiaotong,
        plan,
        [(2, {"plate": "P1", "operator": "公交", "use": "bus", "fuel": "lng", "registered_on": "2025-07-01"})],
    )
    c = client(jiaotong)
    url = reverse("transport:home") + "?year=2025"
    assert c.post(url, {"action": "approve", "year": "2025"}).status_code == 302
    v = IndicatorValue.objects.get(target__plan=plan, target__indicator="new_bus_clean_share", year=2025)
    assert str(v.value.normalize()) == "1"  # 1 of 1 new buses runs on LNG: 100.00 %
    assert "已审定" in c.get(url).content.decode()
    assert c.post(url, {"action": "reopen", "year": "2025", "reason": ""}).status_code == 422
    assert c.post(url, {"action": "reopen", "year": "2025", "reason": "更正"}).status_code == 302
    assert not IndicatorValue.objects.filter(target__plan=plan, target__indicator="new_bus_clean_share").exists()


def test_operating_chart_appears_with_data(plan, jiaotong):
    from carbonpeak.transport import services

    def op(year, qty):
        return {
            "operator": "客运",
            "year": str(year),
            "carrier": "diesel",
            "unit": "t",
            "quantity": qty,
            "tonne_km": "1000000",
        }

    services.import_operators(jiaotong, plan, [(2, op(2020, "100")), (3, op(2025, "94"))])
    body = client(jiaotong).get(reverse("transport:home") + "?year=2025").content.decode()
    assert 'id="chart-op"' in body and "能耗下降 6.00 %" in body
    # the operator's own line: 94 t diesel × 1.4571 = 136.9674 tce over 100 × 10 000 t·km
    assert '<td data-label="运营单位">客运</td>' in body and ">136.97<" in body and ">1.3697<" in body
    # both reductions over the years, each with its target line (diesel only: energy and CO2 fall alike, 6 %)
    chart = _json_script(body, "chart-op")
    names = [s["name"] for s in chart["series"]]
    assert names == ["能耗下降率", "能耗下降目标", "二氧化碳下降率", "二氧化碳下降目标"]
    at = chart["categories"].index("2025")
    assert chart["series"][0]["data"][at] == 6.0 and chart["series"][2]["data"][at] == 6.0
    assert chart["series"][0]["data"][chart["categories"].index("2024")] is None  # no data that year
    assert [s["data"][at] for s in chart["series"][1::2]] == [6.0, 6.2]  # the plan: down 6 % and 6.2 %
    # the chart's series (base year computed once, no operator lines) equals the year-by-year figure
    from carbonpeak.transport import figures

    keys = ("energy_reduction", "co2_reduction")
    assert figures.operating_reductions(plan, [2020, 2024, 2025]) == {
        y: {k: figures.operating(plan, y)[k] for k in keys} for y in (2020, 2024, 2025)
    }
    # a year without data of its own still shows the chart over the years
    body = client(jiaotong).get(reverse("transport:home") + "?year=2024").content.decode()
    assert "2024 年没有营运车辆数据" in body and 'id="chart-op"' in body


def _json_script(body: str, element_id: str):
    import html
    import json
    import re

    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S)
    assert m, element_id
    return json.loads(html.unescape(m.group(1)))


def test_no_operating_data_no_chart(plan, jiaotong):
    body = client(jiaotong).get(reverse("transport:home") + "?year=2025").content.decode()
    assert 'id="chart-op"' not in body and "2025 年没有营运车辆数据" in body


def test_operators_upload_on_the_page_reports_conflicts_and_updates_when_asked(plan, jiaotong):
    from carbonpeak.transport.models import OperatorEnergy

    c = client(jiaotong)
    url = reverse("transport:home") + "?year=2025"

    def upload(qty, **more):
        csv = f"运营单位,年份,能源品种,单位,数量,货物周转量（吨公里）\n客运,2025,diesel,t,{qty},1000000\n"
        f = SimpleUploadedFile("o.csv", csv.encode("utf-8"), content_type="text/csv")
        return c.post(url, {"action": "operators", "year": "2025", "file": f, **more}).content.decode()

    assert "接收 1 条，重复 0 条，拒绝 0 条" in upload("100")
    assert "接收 0 条，重复 1 条，拒绝 0 条" in upload("100")
    body = upload("94")
    assert "接收 0 条，重复 0 条，拒绝 1 条" in body and "已登记为 100 t" in body and "quantity" not in body
    assert OperatorEnergy.objects.get().quantity == 100
    assert "接收 1 条" in upload("94", update="1")
    assert OperatorEnergy.objects.get().quantity == 94


def test_reported_share_shows_as_a_percentage_and_an_unknown_action_is_an_issue(plan, jiaotong):
    c = client(jiaotong)
    url = reverse("transport:home") + "?year=2025"
    form = {"action": "reported", "year": "2025", "kind": "public_transport_share", "value": "35.5", "source": "公报"}
    assert c.post(url, form).status_code == 302
    form = {"action": "reported", "year": "2025", "kind": "shared_bikes", "value": "1200", "source": "企业报送"}
    assert c.post(url, form).status_code == 302
    body = c.get(url).content.decode()
    assert (
        "公共交通出行分担率：35.50 %（来源：公报）" in body
        and "共享单车投放量（辆）：1200 辆（来源：企业报送）" in body
    )
    assert c.post(url, {"action": "nonsense", "year": "2025"}).status_code == 422


def test_an_upload_that_would_change_an_approved_year_says_so_on_the_page(plan, jiaotong):
    from carbonpeak.transport import services

    c = client(jiaotong)
    first = "号牌,运营单位,用途,燃料,注册日期\n湘B1,公交,公交车,纯电动,2025-03-01\n湘B2,公交,公交车,柴油,2025-04-01\n"
    f = SimpleUploadedFile("v.csv", first.encode(), content_type="text/csv")
    c.post(reverse("transport:home") + "?year=2025", {"action": "vehicles", "year": "2025", "file": f})
    services.approve_year(jiaotong, plan, "transport", 2025)  # 1 clean of 2 new buses: 50.00 %
    late = first + "湘B3,公交,公交车,纯电动,2025-09-01\n"
    f = SimpleUploadedFile("v.csv", late.encode(), content_type="text/csv")
    body = c.post(reverse("transport:home") + "?year=2025", {"action": "vehicles", "year": "2025", "file": f})
    body = body.content.decode()
    assert "接收 0 条，重复 2 条，拒绝 1 条" in body
    assert "会改变已审定的 2025 年数据" in body and "50.00% → 66.67%" in body and "请先退回 2025 年" in body
    assert not Vehicle.objects.filter(plan=plan, plate="湘B3").exists()


def test_gas_page_without_approved_accounts_has_no_coal_figures(plan, fgj):
    body = client(fgj).get(reverse("transport:gas") + "?year=2025").content.decode()
    assert "尚无已审定的能源核算" in body and 'id="chart-coal"' not in body


def test_gas_page_shows_coal_consumption_of_the_approved_accounts(plan, fgj, approved):
    """The 燃气与煤炭 page lists the coal consumption (tce) of each approved inventory year as the accounts compute
    it for a coal-cap target; with such a target in the plan, its value is named and drawn as the chart's line."""
    from carbonpeak.plan.models import Milestone, Target

    url = reverse("transport:gas") + "?year=2025"
    # the approved 2020 inventory holds 100 000 t raw coal
    body = client(fgj).get(url).content.decode()
    # 100 000 t × 0.7143 kgce/kg (GB/T 2589 raw coal) = 71 430 tce
    assert ">71430<" in body and "2020年核算（已审定），煤炭消费量" in body and "本方案未设煤炭消费总量目标" in body
    chart = _json_script(body, "chart-coal")
    assert chart["categories"] == ["2020"] and [s["name"] for s in chart["series"]] == ["煤炭消费量"]
    assert chart["series"][0]["data"] == [71430.0]
    t = Target.objects.create(
        plan=plan,
        code="coal_cap",
        name="煤炭消费总量",
        unit="tce",
        direction="decrease",
        source="测试",
        indicator="coal_consumption",
    )
    Milestone.objects.create(target=t, year=2025, value=70000)
    body = client(fgj).get(url).content.decode()
    assert "目标：煤炭消费总量 70000 吨标准煤（2025 年）" in body
    assert _json_script(body, "chart-coal")["series"][1]["data"] == [70000.0]
