"""Issue 14, page-level: the public page reads as a public page, residents find the sign-up, the language menu
names each language in its own words, percent shares are typed and charted in percent."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from carbonpeak.plan.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_public_page_has_no_qa_flags_duplicates_or_grouped_years(plan):
    body = Client().get("/").content.decode()
    assert "表述不一致" not in body
    assert body.count("森林覆盖率</td>") == 1  # two plan clauses, one public line
    assert ("新能源装机容量规模" in body) != ("新能源发电装机容量规模" in body)
    assert "2,030" not in body and "2030 年" in body


def test_public_keeps_the_clause_with_data_and_no_light_label_next_to_a_value(plan, office):
    from carbonpeak.plan import services

    t = plan.targets.get(code="new_energy_capacity_energy_task")  # the second of its pair
    services.set_indicator_value(office, t, 2024, None, "250")
    body = Client().get("/").content.decode()
    assert "新能源发电装机容量规模" in body and "新能源装机容量规模" not in body
    quota = plan.targets.get(code="energy_intensity_reduction_quota")  # no path: the plan leaves it to the city
    IndicatorValue.objects.create(target=quota, year=2024, value=Decimal("0.1529"))
    page = Client().get("/").content.decode()
    row = re.search(r'<tr id="target-energy_intensity_reduction_quota">.*?</tr>', page, re.S)
    assert "15.29%" in row.group(0) and "无数据" not in row.group(0) and "不评灯" in row.group(0)


def test_residents_find_the_sign_up_from_public_and_login_pages(plan):
    for url in ("/", "/login/"):
        body = Client().get(url).content.decode()
        assert 'href="/inclusion/join/"' in body and "加入碳普惠" in body, url


def test_language_menu_names_each_language_in_its_own_words(plan):
    body = Client().get("/").content.decode()
    assert ">English</option>" in body and ">简体中文</option>" in body and "英语" not in body


def test_no_api_link_for_residents_and_cashiers(plan, make_user, office):
    for role in ("resident", "merchant"):
        c = Client()
        c.force_login(make_user(f"u-{role}", role))
        assert "/api/v1/docs" not in c.get("/").content.decode(), role
    c = Client()
    c.force_login(office)
    assert "/api/v1/docs" in c.get("/").content.decode()


def test_share_targets_are_typed_and_charted_in_percent(plan, office):
    c = Client()
    c.force_login(office)
    t = plan.targets.get(code="non_fossil_share")
    page = c.get("/targets/non_fossil_share/").content.decode()
    assert 'name="value_in" value="percent"' in page and "0–1" not in page
    r = c.post("/workspace/value/non_fossil_share/", {"year": 2024, "value": "25.5", "value_in": "percent"})
    assert r.status_code == 302
    assert t.values.get(year=2024).value == Decimal("0.255")  # stored as the fraction
    r = c.post("/workspace/value/non_fossil_share/", {"year": 2023, "value": "120", "value_in": "percent"})
    body = r.content.decode()
    assert r.status_code == 422 and "百分比应在 0 到 100 之间" in body and "0.2" not in body
    assert not t.values.filter(year=2023).exists()
    chart = json.loads(re.search(r'id="target-chart" type="application/json">(.*?)</script>',
                                 c.get("/targets/non_fossil_share/").content.decode()).group(1))  # fmt: skip
    assert chart["unit"] == "%" and 25.5 in chart["actual"]
    assert max(x for x in chart["expected"] if x is not None) == pytest.approx(25)  # the 2030 target, 25 %


def test_an_error_page_speaks_the_chosen_language_only(plan, office):
    c = Client()
    c.force_login(office)
    zh = c.post("/workspace/value/non_fossil_share/", {"year": 2024, "value": "abc"}).content.decode()
    assert "value" in zh and "不是数值" in zh and "is not a number" not in zh
    c.cookies["django_language"] = "en"
    en = c.post("/workspace/value/non_fossil_share/", {"year": 2024, "value": "abc"}).content.decode()
    assert "not a number" in en and "不是数值" not in en
