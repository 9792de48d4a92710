"""The register's pages: who reads, who writes, the upload report, the template, the 专项 hub."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.models import Unit
from carbonpeak.generation.services import import_units
from carbonpeak.tabular import read_rows
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db

CSV = (
    "机组编号,类型,乡镇,装机容量（兆瓦）,并网日期,退役日期\n"
    "PV-1,光伏,城关镇,100.0005,2024-12-31,\n"
    "WP-1,风电,严塘镇,50,2025-01-01,\n"
    "ST-1,储能,城关镇,10,2024-06-01,\n"
    "HY-1,水电,秩堂镇,20,2020-05-01,2024-12-31\n"
)


@pytest.fixture
def units(plan, office):
    import_units(office, plan, read_rows(CSV.encode(), UNITS, "u.csv"))
    return plan


def test_register_page_totals_and_filters(units, office):
    c = login(office)
    r = c.get("/generation/")
    assert r.status_code == 200
    html = body_of(r)
    # in service today: PV-1 + WP-1 = 150.0005 MW → 15.0001 万千瓦 (HY-1 retired, storage apart)
    assert 'id="total-wkw">15.0001<' in html
    assert "储能" in html and "capacity-chart" in html and "上传机组登记表" in html
    only_wind = body_of(c.get("/generation/?type=wind"))
    assert "WP-1" in only_wind and "PV-1" not in only_wind
    town = body_of(c.get("/generation/?township=秩堂镇"))
    assert "HY-1" in town and "WP-1" not in town


def test_staff_read_only_leads_write(units, linye, fgj):
    c = login(linye)  # 林业局: reads, no upload
    r = c.get("/generation/")
    assert r.status_code == 200 and "上传机组登记表" not in body_of(r)
    assert c.get("/generation/upload/").status_code == 403
    f = SimpleUploadedFile("u.csv", CSV.encode())
    assert c.post("/generation/upload/", {"file": f}).status_code == 403
    assert login(fgj).get("/generation/upload/").status_code == 200


def test_upload_shows_the_report_and_updates_only_when_asked(units, fgj):
    c = login(fgj)
    changed = (
        "unit_id,type,township,capacity_mw,connected_on\nWP-1,wind,严塘镇,55,2025-01-01\nPV-9,pv,城关镇,1,2025-02-01\n"
    )
    r = c.post("/generation/upload/", {"file": SimpleUploadedFile("c.csv", changed.encode())})
    html = body_of(r)
    assert r.status_code == 200 and "接收 1 条，重复 0 条，拒绝 1 条" in html
    assert Unit.objects.get(unit_id="WP-1").capacity_mw == 50
    r = c.post("/generation/upload/", {"file": SimpleUploadedFile("c.csv", changed.encode()), "update": "1"})
    assert "接收 1 条，重复 1 条，拒绝 0 条" in body_of(r)
    assert Unit.objects.get(unit_id="WP-1").capacity_mw == 55
    r = c.post("/generation/upload/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert "缺少列" in body_of(r)


def test_template_is_the_chinese_workbook(units, linye):
    r = login(linye).get("/generation/template.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in ws[1]][:5] == ["机组编号", "类型", "乡镇", "装机容量（兆瓦）", "并网日期"]


def test_listed_on_the_sectors_hub(units, linye):
    assert "/generation/" in body_of(login(linye).get("/sectors/"))
