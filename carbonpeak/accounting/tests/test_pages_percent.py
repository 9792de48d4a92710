"""The accounting pages as officials read them: shares typed and shown in percent, chart axes with units, and
an empty year pointing to the upload instead of a page of zeros."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse

from carbonpeak.accounting import services
from carbonpeak.accounting.fetch import compute_inventory
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _chart(html: str, script_id: str) -> dict:
    m = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, script_id
    return json.loads(m.group(1))


def test_an_empty_year_points_to_the_upload_not_to_zeros(plan, office, fgj):
    services.create_inventory(office, plan, 2021)
    page = client(office).get(reverse("accounting:inventory", args=[2021])).content.decode()
    assert 'id="empty-year"' in page and "2021 年尚无活动数据" in page
    assert reverse("accounting:template", args=[2021]) in page and 'href="#upload"' in page and 'id="upload"' in page
    # no totals, charts or indicators computed from nothing
    assert "区域二氧化碳排放" not in page and 'data-chart="bars"' not in page and "方案指标" not in page
    home = client(office).get(reverse("accounting:home")).content.decode()
    assert "data-empty-year" in home and "尚无活动数据" in home and 'data-chart="mixed"' not in home
    # a department reads that the office has not uploaded yet (no buttons it cannot use)
    page = client(fgj).get(reverse("accounting:inventory", args=[2021])).content.decode()
    assert "等待碳达峰办上传本年活动数据" in page and "① 下载 Excel 模板" not in page


def test_a_year_with_data_has_charts_with_units(plan, office):
    inv = services.create_inventory(office, plan, 2021)  # the shipped grid factors start in 2021
    services.import_activity(office, inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    c = client(office)
    page = c.get(reverse("accounting:inventory", args=[2021])).content.decode()
    assert 'id="empty-year"' not in page
    group = _chart(page, "group-chart")
    assert group["unit"] == "吨 CO₂"
    home = c.get(reverse("accounting:home")).content.decode()
    trend = _chart(home, "trend-chart")
    res = compute_inventory(inv)
    assert trend["unit"] == "万吨（CO₂ / 标准煤）"
    assert all("万吨" in s["name"] for s in trend["series"])
    assert trend["series"][0]["data"][0] == round(res["co2"]["territorial_co2_t"] / 10000, 2)


def test_the_inflow_share_is_typed_and_shown_in_percent(plan, office):
    services.create_inventory(office, plan, 2022)
    c = client(office)
    url = reverse("accounting:inventory", args=[2022])
    form = {"action": "params", **{k: "" for k in services.PARAM_FIELDS}, "grid": "prov.hunan"}
    r = c.post(url, {**form, "inflow_nonfossil_share": "30"})
    assert r.status_code == 302
    from carbonpeak.accounting.models import Inventory

    inv = Inventory.objects.get(plan=plan, year=2022)
    assert str(inv.inflow_nonfossil_share.normalize()) == "0.3"
    page = c.get(url).content.decode()
    assert 'name="inflow_nonfossil_share" value="30"' in page and "（%，不填则不计）" in page and "0–1" not in page
    r = c.post(url, {**form, "inflow_nonfossil_share": "130%"})
    body = r.content.decode()
    assert "比例应在 0%–100% 之间" in body
    inv.refresh_from_db()
    assert str(inv.inflow_nonfossil_share.normalize()) == "0.3"  # nothing stored
