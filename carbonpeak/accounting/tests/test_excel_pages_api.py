"""The workbook (template round trip, unreadable files), the pages (who sees what) and the JSON API."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from carbonpeak.accounting import excel, services
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered
from carbonpeak.validation import ValidationFailed


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def inv2021(plan, office):
    inv = services.create_inventory(office, plan, 2021)
    services.import_activity(office, inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    return inv


def test_template_round_trip_reproduces_the_year(plan, office, inv2021):
    data = excel.template_workbook(inv2021)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["活动数据", "代码表", "年度参数", "说明"]
    assert wb["活动数据"].data_validations.count >= 6  # drop-downs for the coded columns
    rows, params = excel.read_workbook(data)
    assert len(rows) == len(BASE_ROWS)
    other = services.create_inventory(office, plan, 2022)
    report = services.import_activity(office, other, rows, params)
    assert report["rejected"] == [] and report["created"] == len(BASE_ROWS)
    key = ("sector", "carrier", "flow", "purpose", "unit", "quantity", "notation")
    assert sorted(other.lines.values_list(*key)) == sorted(inv2021.lines.values_list(*key))
    other.refresh_from_db()
    assert (other.gdp_10k_yuan, other.coal_equivalent_kgce_per_kwh) == (
        inv2021.gdp_10k_yuan,
        inv2021.coal_equivalent_kgce_per_kwh,
    )
    # and uploading the year's own template back changes nothing
    again = services.import_activity(office, inv2021, *excel.read_workbook(data))
    assert (again["created"], again["updated"], again["unchanged"], again["params_changed"]) == (
        0,
        0,
        len(BASE_ROWS),
        [],
    )


def test_unreadable_workbooks_are_refused_whole(plan, office):
    for data, code in ((b"not a zip", "unreadable"), (b"x" * (excel.MAX_BYTES + 1), "too_large")):
        with pytest.raises(ValidationFailed) as exc:
            excel.read_workbook(data)
        assert exc.value.issues[0].code == code
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ValidationFailed) as exc:
        excel.read_workbook(buf.getvalue())
    assert exc.value.issues[0].code == "missing_sheet"


def test_pages_for_the_office(plan, office, inv2021):
    c = client(office)
    home = c.get(reverse("accounting:home"))
    assert home.status_code == 200 and "2021" in home.content.decode()
    page = c.get(reverse("accounting:inventory", args=[2021]))
    body = page.content.decode()
    assert page.status_code == 200
    for text in (
        "能源平衡表",
        "能耗双控",
        "扣除原料用能",
        "扣除新增可再生能源",
        "发电煤耗法",
        "电热当量法",
        "数据质量检查",
        "审定本年核算",
        "上传填好的模板",
    ):
        assert text in body, text
    assert 'data-chart="bars"' in body and 'data-chart="pie"' in body
    resp = c.get(reverse("accounting:template", args=[2021]))
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    # upload through the page: per-row report
    wb = load_workbook(io.BytesIO(resp.content))
    wb["活动数据"].append(["industry.C30", "diesel", "final", "energy", "t", "abc"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "y.xlsx"
    r = c.post(reverse("accounting:inventory", args=[2021]), {"action": "upload", "file": buf})
    body = r.content.decode()
    assert r.status_code == 200, body
    assert 'id="import-report"' in body and "abc" in body, body[body.find("<main") :][:3000]
    assert "拒绝 1 行" in body and "未变 8 行" in body


def test_approve_and_reopen_through_the_page(plan, office, inv2021):
    c = client(office)
    url = reverse("accounting:inventory", args=[2021])
    r = c.post(url, {"action": "approve"})
    assert r.status_code == 302
    inv2021.refresh_from_db()
    assert inv2021.status == "approved"
    body = c.get(url).content.decode()
    assert "退回草稿" in body and "上传填好的模板" not in body
    r = c.post(url, {"action": "reopen", "reason": ""})
    assert "reason" in r.content.decode()
    c.post(url, {"action": "reopen", "reason": "修订"})
    inv2021.refresh_from_db()
    assert inv2021.status == "draft"


def test_departments_read_but_cannot_write_and_residents_see_nothing(plan, fgj, make_user, inv2021):
    url = reverse("accounting:inventory", args=[2021])
    c = client(fgj)
    body = c.get(url).content.decode()
    assert "上传填好的模板" not in body and "审定本年核算" not in body
    r = c.post(url, {"action": "approve"})
    assert r.status_code == 403
    resident = make_user("r1", "resident")
    for name, args in (("accounting:home", []), ("accounting:inventory", [2021]), ("accounting:factor_sets", [])):
        assert client(resident).get(reverse(name, args=args)).status_code == 403
    assert client().get(url).status_code == 302  # to the login page


def test_factor_pages_browse_filter_and_diff(plan, office):
    from carbonpeak.accounting.tests.test_factor_sets import csv

    c = client(office)
    base = services.default_factor_set(plan)
    body = c.get(reverse("accounting:factor_set", args=[base.version]) + "?grade=C").content.decode()
    assert "ncv.lng" in body and "grid.prov.hunan.2022" not in body and "待确认" in body
    body = c.get(reverse("accounting:factor_set", args=[base.version]) + "?family=grid&q=hunan").content.decode()
    assert "grid.prov.hunan.2022" in body and "tce.raw_coal" not in body
    up = io.BytesIO(csv("tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,化验,"))
    up.name = "f.csv"
    r = c.post(reverse("accounting:factor_sets"), {"file": up, "label": "本县"})
    assert r.status_code == 302 and r["Location"].endswith("/430224:1/")
    diff = c.get(reverse("accounting:factor_diff") + f"?a={base.version}&b=430224:1").content.decode()
    assert "tce.raw_coal" in diff and "0.7143" in diff and "0.7000" in diff
    bad = io.BytesIO(csv("tce.raw_coal,原煤,raw coal,x,kgce/kg,A,化验,"))
    bad.name = "f.csv"
    body = c.post(reverse("accounting:factor_sets"), {"file": bad}).content.decode()
    # one language on the page (issue 14): the Chinese message names the line, the English one is not shown
    assert "未生成新版本" in body and "第 2 行" in body and "line 2" not in body
    csv_text = c.get(reverse("accounting:factor_set_csv", args=["430224:1"])).content.decode("utf-8-sig")
    assert "tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,化验" in csv_text


def test_api_factor_library_is_public(plan):
    c = client()
    sets = c.get("/api/v1/accounting/factor-sets").json()
    assert sets[0]["kind"] == "builtin" and sets[0]["factors"] > 300
    v = sets[0]["version"]
    grid = c.get(f"/api/v1/accounting/factor-sets/{v}/factors?family=grid").json()
    assert all(f["key"].startswith("grid.") for f in grid)
    hunan = next(f for f in grid if f["key"] == "grid.prov.hunan.2022")
    assert hunan["value"] == "0.49" and hunan["unit"] == "kgCO2/kWh" and hunan["valid_from_year"] == 2022
    grade_c = c.get(f"/api/v1/accounting/factor-sets/{v}/factors?grade=C").json()
    assert grade_c and all(f["grade"] == "C" for f in grade_c)
    d = c.get(f"/api/v1/accounting/factor-sets/diff?a={v}&b={v}").json()
    assert d["added"] == d["removed"] == d["changed"] == []


def test_api_inventories_need_a_login_and_write_through_the_services(plan, office, fgj):
    from carbonpeak.accounts.models import ApiClient

    inv = services.create_inventory(office, plan, 2021)
    assert client().get(f"/api/v1/accounting/{plan.code}/inventories").status_code == 401
    _client, token = ApiClient.issue("统计局接口", "office", plan=plan)
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {
        "lines": [dict(r) for r in BASE_ROWS] + [{"sector": "x", "carrier": "raw_coal", "unit": "t", "quantity": 1}],
        "params": PARAMS,
    }
    r = client().post(
        f"/api/v1/accounting/{plan.code}/inventories/2021/lines", json.dumps(body), "application/json", **h
    )
    assert r.status_code == 200
    out = r.json()
    assert out["created"] == len(BASE_ROWS) and [x["line"] for x in out["rejected"]] == [len(BASE_ROWS) + 1]
    got = client(fgj).get(f"/api/v1/accounting/{plan.code}/inventories/2021").json()
    assert got["status"] == "draft" and got["results"]["co2"]["territorial_co2_t"] > 0
    r = client(fgj).post(f"/api/v1/accounting/{plan.code}/inventories/2021/approve")
    assert r.status_code == 403
    r = client().post(f"/api/v1/accounting/{plan.code}/inventories/2021/approve", **h)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    inv.refresh_from_db()
    assert inv.status == "approved"


def test_shipped_library_is_listed_beside_county_versions(plan, office):
    from carbonpeak.accounting.tests.test_factor_sets import csv

    services.create_county_version(office, plan, csv("tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,化验,"))
    body = client(office).get(reverse("accounting:factor_sets")).content.decode()
    from carbonpeak.accounting.models import FactorSet

    builtin = FactorSet.objects.get(kind="builtin").version
    assert builtin in body and "430224:1" in body


def test_a_negative_territorial_balance_does_not_break_the_year_page(plan, office):
    """An exporting county has negative territorial CO2: the Kaya decomposition is skipped, the page works."""
    from carbonpeak.accounting.tests.test_inventory import row

    for year in (2020, 2022):
        inv = services.create_inventory(office, plan, year) if year == 2022 else None
        if inv is None:
            from carbonpeak.accounting.tests.test_factor_sets import csv

            services.create_county_version(office, plan, csv("grid.prov.hunan.2020,湖南2020,p,0.52,kgCO2/kWh,C,测试,"))
            inv = services.create_inventory(office, plan, 2020)
        services.import_activity(
            office,
            inv,
            numbered(
                [
                    row("energy.D44", "electricity", "MWh", "10000", flow="production", purpose="renewable"),
                    row("industry.C30", "electricity", "MWh", "1000"),
                ]
            ),
            [(None, k, v) for k, v in PARAMS.items()],
        )
    r = client(office).get(reverse("accounting:inventory", args=[2022]))
    assert r.status_code == 200 and 'id="lmdi"' not in r.content.decode()


def test_template_asks_for_the_nonfossil_share_in_percent(plan, office, inv2021):
    from decimal import Decimal

    services.set_params(office, inv2021, {"inflow_nonfossil_share": "0.35"})
    inv2021.refresh_from_db()
    data = excel.template_workbook(inv2021)
    ps = load_workbook(io.BytesIO(data))["年度参数"]
    row = next(r for r in ps.iter_rows(min_row=2, values_only=True) if r[1] == "inflow_nonfossil_share")
    assert row[0] == "调入电力中非化石电力比重（%）" and float(row[2]) == 35 and row[3].startswith("%")
    # the official types 40 (percent) into the template; the year keeps the fraction 0.4
    wb = load_workbook(io.BytesIO(data))
    ws = wb["年度参数"]
    cell = next(r[2] for r in ws.iter_rows(min_row=2) if r[1].value == "inflow_nonfossil_share")
    cell.value = 40
    out = io.BytesIO()
    wb.save(out)
    rows, params = excel.read_workbook(out.getvalue())
    assert ("inflow_nonfossil_share", "0.4") in [(k, v) for _n, k, v in params]
    services.import_activity(office, inv2021, rows, params)
    inv2021.refresh_from_db()
    assert inv2021.inflow_nonfossil_share == Decimal("0.4")
    # an older template without （%） beside the label still holds the 0–1 fraction
    ws.cell(row=cell.row, column=1, value="调入电力中非化石电力比重")
    cell.value = 0.3
    out = io.BytesIO()
    wb.save(out)
    assert ("inflow_nonfossil_share", 0.3) in [(k, v) for _n, k, v in excel.read_workbook(out.getvalue())[1]]
