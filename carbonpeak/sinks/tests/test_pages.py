"""The 林业局's pages: upload in the browser with the standard report, the year's table and figures, approval
from the page moving the forest targets, templates and export, and who may write."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from carbonpeak.plan.models import IndicatorValue
from carbonpeak.sinks.tests.test_forest import HEADER, Y2024, Y2025
from tests.tenancy.helpers import body_of, login


def upload(client, text, **extra):
    f = SimpleUploadedFile("forest.csv", (HEADER + text).encode(), content_type="text/csv")
    return client.post(reverse("sinks:home"), {"file": f, **extra})


def test_linye_uploads_two_years_and_approves(plan, linye, office):
    c = login(linye)
    r = upload(c, Y2024)
    assert r.status_code == 200 and "接收 7 条，重复 0 条，拒绝 0 条" in body_of(r)
    r = upload(c, Y2025 + "2025,甲镇,arbor,,1,1\n")
    body = body_of(r)
    assert "接收 9 条，重复 0 条，拒绝 1 条" in body and "乔木林地须填写树种组" in body
    r = c.get(reverse("sinks:year", args=[2025]))
    body = body_of(r)
    assert r.status_code == 200
    assert 'id="coverage">40.33%' in body and "112,600" in body and "3,063 tCO2" in body
    assert "丙镇" in body and "未估算" in body and "竹林地" in body
    r = c.post(reverse("sinks:year", args=[2025]), {"action": "approve"})
    assert r.status_code == 302
    assert IndicatorValue.objects.get(target__code="forest_stock", year=2025).value == 112600
    # the office sees the forest target with its 2025 value on the module page and the plan's lights
    r = login(office).get(reverse("sinks:home"))
    body = body_of(r)
    assert 'id="target-forest_stock"' in body and "已审定" in body
    r = c.post(reverse("sinks:year", args=[2025]), {"action": "reopen", "reason": "更正"})
    assert r.status_code == 302 and not IndicatorValue.objects.filter(target__code="forest_stock").exists()


def test_template_and_export(plan, linye):
    c = login(linye)
    r = c.get(reverse("sinks:template", args=["forest"]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [x.value for x in ws[1]][:3] == ["年份", "乡镇", "地类"]
    upload(c, Y2024)
    r = c.get(reverse("sinks:export", args=[2024]))
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["森林资源数据"].values)
    assert len(rows) == 8 and ("乔木林地" in rows[1]) and ("杉木" in rows[1])
    # the exported sheet reads back as an import of the same rows: all duplicates
    f = SimpleUploadedFile("back.xlsx", r.content)
    body = body_of(c.post(reverse("sinks:home"), {"file": f}))
    assert "接收 0 条，重复 7 条，拒绝 0 条" in body


def test_other_departments_read_but_do_not_write(plan, fgj):
    c = login(fgj)
    assert c.get(reverse("sinks:home")).status_code == 200
    assert upload(c, Y2024).status_code == 403
    assert "上传森林资源数据" not in body_of(c.get(reverse("sinks:home")))


def test_wetland_register_reports_areas_and_ne(plan, linye):
    c = login(linye)
    f = SimpleUploadedFile(
        "eco.csv",
        "year,township,kind,name,area_ha\n2024,甲镇,小微湿地,甲村湿地,3.5\n2024,甲镇,保护性耕作,示范片,100\n"
        "2024,甲镇,小微湿地,乙村湿地,1.5\n".encode(),
    )
    body = body_of(c.post(reverse("sinks:wetlands"), {"file": f}))
    assert "接收 3 条" in body
    assert "5.00" in body and "100.00" in body and "未估算" in body and "稳步提升农田湿地碳汇" in body


def test_sector_hub_lists_the_module(plan, linye):
    body = body_of(login(linye).get("/sectors/"))
    assert "森林资源与碳汇" in body and reverse("sinks:home") in body


def test_public_page_shows_the_latest_approved_year(plan, office):
    from carbonpeak.sinks import services
    from carbonpeak.sinks.tests.test_forest import load

    assert "public-forest" not in body_of(login().get("/"))
    load(plan, Y2024)
    load(plan, Y2025)
    services.approve_year(office, plan, 2024)
    services.approve_year(office, plan, 2025)
    body = body_of(login().get("/"))
    assert "森林资源与碳汇（2025 年，已审定）" in body and "40.33%" in body and "112,600" in body
    assert "3,063 tCO2" in body


def light_in(body: str, code: str, within: str = "") -> str:
    """The data-light of a target's row (in the element of id ``within`` when given)."""
    import re

    if within:
        body = body[body.index(f'id="{within}"') :]
    row = body[body.index(f'id="target-{code}"') :]
    return re.search(r'data-light="(\w+)"', row[: row.index("</tr>")]).group(1)


def test_year_page_judges_the_draft_against_the_targets_before_approval(plan, linye, office):
    """Hand-worked (Y2025: coverage 40.33 %, stock 112 600 m³; one value, no baseline: tolerance 0):
    forest_coverage 62.92 % 左右 (band 2 % × 0.6292 = 0.012584): behind 0.2259 → red;
    forest_coverage_sink_task 力争 60 % 以上: behind 0.1967 → red, 力争 → yellow;
    forest_stock 力争 850 万 m³ 以上: behind 8 387 400 → red, 力争 → yellow."""
    c = login(linye)
    upload(c, Y2024)
    upload(c, Y2025)
    body = body_of(c.get(reverse("sinks:year", args=[2025])))
    assert "对照方案目标（按 2025 年数据）" in body and "本年数据尚未审定" in body
    judged = {
        k: light_in(body, k, "year-targets") for k in ("forest_coverage", "forest_coverage_sink_task", "forest_stock")
    }
    assert judged == {"forest_coverage": "red", "forest_coverage_sink_task": "yellow", "forest_stock": "yellow"}
    assert "40.33%" in body and "8,387,400" in body  # the gap to 850 万 m³
    assert not IndicatorValue.objects.exists()  # a preview: nothing fed before approval
    # the module page's lights are the plan's: still no value
    assert light_in(body_of(c.get(reverse("sinks:home"))), "forest_coverage") == "no_data"
    # every area cell of the township table says its land class on a phone
    assert 'data-label="竹林地">100.00</td>' in body
    c.post(reverse("sinks:year", args=[2025]), {"action": "approve"})
    body = body_of(c.get(reverse("sinks:year", args=[2025])))
    assert "本年数据尚未审定" not in body and light_in(body, "forest_coverage", "year-targets") == "red"
    assert light_in(body_of(c.get(reverse("sinks:home"))), "forest_coverage") == "red"


def test_target_page_names_the_factor_set_of_a_fed_value(plan, linye, office):
    from carbonpeak.accounting.fetch import default_factor_set
    from carbonpeak.accounting.method_text import factor_set_label

    c = login(linye)
    upload(c, Y2024)
    upload(c, Y2025)
    c.post(reverse("sinks:year", args=[2025]), {"action": "approve"})
    fs = default_factor_set(plan)
    assert fs.version in IndicatorValue.objects.get(target__code="forest_stock").source_detail  # stored: the version
    body = body_of(login(office).get(reverse("target", args=["forest_stock"])))
    assert "2025年森林资源数据（已审定），乔木林蓄积量合计，" + factor_set_label(fs) in body  # shown: its name
    assert fs.version not in body


def test_ecological_projects_listed_with_area_done_and_their_lead(plan, linye):
    """方案四(五): the ecological sink works are plan projects reported in the dispatch rounds; the forest page
    lists them with the area planned and done (25 of 100 ha: 25.0%) and says when no lead is assigned yet."""
    from carbonpeak.plan.choices import AssignmentRole
    from carbonpeak.plan.models import Project, ProjectAssignment

    greening = Project.objects.get(plan=plan, code="P05.1")
    greening.size, greening.size_done = 100, 25
    greening.save()
    ProjectAssignment.objects.create(project=greening, department=linye.department, role=AssignmentRole.LEAD)
    body = body_of(login(linye).get(reverse("sinks:home")))
    section = body[body.index('id="eco-projects"') :]
    assert "加强国土绿化工程" in section and "开展生态廊道建设" in section and "加强湿地保护修复" in section
    row = section[section.index("加强国土绿化工程") : section.index("开展生态廊道建设")]
    assert linye.department.name in row and "100.00" in row and "25.00" in row and "25.0%" in row
    corridor = section[section.index("开展生态廊道建设") : section.index("加强湿地保护修复")]
    assert "尚未指定" in corridor and "未填" in corridor
    assert "光伏" not in section  # only the ecological types
