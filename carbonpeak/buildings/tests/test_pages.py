"""The pages as their users meet them: the 住建局 uploads a year's completions and reads both shares against the
plan's 80 % and 35 %; the 机关事务中心 reads the public buildings ranked by kgce/m²; who may write what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from carbonpeak.buildings import services
from carbonpeak.buildings.models import Completion

COMPLETIONS = (
    "项目编号,竣工验收日期,竣工面积（m²）,民用建筑,绿色建筑等级,装配式建筑\n"
    "X1,2025-03-18,42000,true,basic,true\n"
    "X2,2025-06-30,26500,true,one_star,false\n"
    "X3,2025-08-12,15000,false,none,true\n"
    "X4,2025-10-09,11000,true,none,false\n"
    "X5,2024-12-31T16:30:00Z,8000,true,two_star,true\n"
    "X6,2025-13-01,100,true,none,false\n"
)


@pytest.fixture
def zhujian(make_user, plan):
    return make_user("zhujian", "department", plan.departments.get(code="housing_construction"))


@pytest.fixture
def jiguan(make_user, plan):
    return make_user("jiguan", "department", plan.departments.get(code="government_affairs_center"))


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(resp) -> str:
    return resp.content.decode()


def test_zhujian_imports_completions_and_sees_both_shares(plan, zhujian):
    c = client(zhujian)
    url = reverse("buildings:shares") + "?year=2025"
    f = SimpleUploadedFile("c.csv", COMPLETIONS.encode("utf-8"), content_type="text/csv")
    resp = c.post(url, {"form": "upload", "year": "2025", "file": f})
    assert resp.status_code == 200
    body = text(resp)
    assert "接收 5 条，重复 0 条，拒绝 1 条" in body
    # civil 42 000 + 26 500 + 11 000 + 8 000 (X5: 00:30 on 1 January 2025 Beijing) = 87 500, green 76 500 →
    # 87.43 %; all 102 500, prefab 65 000 → 63.41 %; against the plan's 80 % and 35 %
    assert "87.43 %" in body and "63.41 %" in body
    assert "80 %" in body and "35 %" in body
    assert body.count("已达到") >= 2
    resp = c.post(url, {"form": "approve", "year": "2025"})
    assert resp.status_code == 302
    assert "已审定" in text(c.get(url))
    assert client(zhujian).get(reverse("buildings:template", args=["completions"])).status_code == 200


def test_jiguan_sees_public_buildings_ranked(plan, zhujian, jiguan):
    rows = [
        (
            2,
            {
                "building_id": "A",
                "name": "办公楼甲",
                "township": "镇",
                "use": "office",
                "ownership": "government",
                "floor_area_m2": "1000",
            },
        ),
        (
            3,
            {
                "building_id": "B",
                "name": "医院乙",
                "township": "镇",
                "use": "hospital",
                "ownership": "public_institution",
                "floor_area_m2": "2000",
            },
        ),
        (
            4,
            {
                "building_id": "C",
                "name": "商场丙",
                "township": "镇",
                "use": "commercial",
                "ownership": "private",
                "floor_area_m2": "100",
            },
        ),
    ]
    services.import_buildings(zhujian, plan, rows)
    services.import_bills(
        zhujian,
        plan,
        [
            (
                2,
                {"building_id": "A", "month": "2025-01", "carrier": "electricity", "unit": "kWh", "quantity": "100000"},
            ),
            (
                3,
                {"building_id": "B", "month": "2025-01", "carrier": "electricity", "unit": "kWh", "quantity": "400000"},
            ),
            (
                4,
                {"building_id": "C", "month": "2025-01", "carrier": "electricity", "unit": "kWh", "quantity": "400000"},
            ),
        ],
    )
    body = text(client(jiguan).get(reverse("buildings:institutions") + "?year=2025"))
    ranking = body[body.index('id="ranking"') :]
    assert ranking.index("医院乙") < ranking.index("办公楼甲")  # 24.58 before 12.29 kgce/m²
    assert "24.58" in ranking and "12.29" in ranking and "商场丙" not in ranking


def test_who_may_write(plan, zhujian, jiguan, linye):
    f = SimpleUploadedFile("c.csv", COMPLETIONS.encode("utf-8"), content_type="text/csv")
    assert client(linye).get(reverse("buildings:shares")).status_code == 200  # staff read
    assert client(linye).post(reverse("buildings:shares"), {"form": "upload", "file": f}).status_code == 403
    assert client(jiguan).post(reverse("buildings:home"), {"file": f}).status_code == 403
    assert Completion.objects.count() == 0
    resp = client(jiguan).post(
        reverse("buildings:institutions"),
        {"target_year": "2025", "per_capita": "300", "per_m2": "12", "source": "文件"},
    )
    assert resp.status_code == 302
    assert (
        client(zhujian)
        .post(
            reverse("buildings:institutions"), {"target_year": "2025", "per_capita": "1", "per_m2": "1", "source": "x"}
        )
        .status_code
        == 403
    )


def test_every_page_renders(plan, zhujian):
    services.import_buildings(
        zhujian,
        plan,
        [
            (
                2,
                {
                    "building_id": "A",
                    "name": "办公楼甲",
                    "township": "镇",
                    "use": "office",
                    "ownership": "government",
                    "floor_area_m2": "1000",
                },
            )
        ],
    )
    c = client(zhujian)
    for name, args in (
        ("buildings:home", []),
        ("buildings:shares", []),
        ("buildings:energy", []),
        ("buildings:institutions", []),
        ("buildings:rooftop", []),
        ("buildings:detail", ["A"]),
        ("buildings:export", []),
    ):
        assert c.get(reverse(name, args=args)).status_code == 200, name
    assert c.get(reverse("buildings:detail", args=["NOPE"])).status_code == 404
    assert "建筑节能" in text(c.get("/sectors/"))


def _one_public_building(zhujian, plan):
    services.import_buildings(
        zhujian,
        plan,
        [
            (
                2,
                {
                    "building_id": "A",
                    "name": "办公楼甲",
                    "township": "镇",
                    "use": "office",
                    "ownership": "government",
                    "floor_area_m2": "1000",
                },
            )
        ],
    )


def test_a_refused_typed_bill_speaks_one_language(plan, zhujian):
    """The typed bill's refusal page names the field once and in the reader's language only (it used to print
    ``month：month：… / month: …``, Chinese and English glued together)."""
    _one_public_building(zhujian, plan)
    url = reverse("buildings:detail", args=["A"])
    form = {"form": "bill", "month": "2025-13", "carrier": "electricity", "unit": "kWh", "quantity": "1"}
    body = text(client(zhujian).post(url, form))
    assert "month：应为月份，如 2025-03" in body
    assert "a month such as" not in body and " / month" not in body
    c = client(zhujian)
    c.cookies["django_language"] = "en"
    body = text(c.post(url, form, HTTP_ACCEPT_LANGUAGE="en"))
    assert "month: a month such as 2025-03" in body and "应为月份" not in body


def test_checklist_count_is_words_not_a_fraction(plan, zhujian, jiguan):
    from carbonpeak.buildings.models import Building

    _one_public_building(zhujian, plan)
    b = Building.objects.get(plan=plan, building_id="A")
    for item, done in (("空调温度夏季不低于 26℃", True), ("无纸化办公", True), ("节水器具", False)):
        services.set_checklist_item(jiguan, b, 2025, item, done)
    body = text(client(jiguan).get(reverse("buildings:institutions") + "?year=2025"))
    assert "完成 2 项，共 3 项" in body and "2/3" not in body


def test_a_year_without_area_shows_its_check_in_the_readers_language(plan, zhujian):
    c = client(zhujian)
    c.cookies["django_language"] = "en"
    body = text(c.get(reverse("buildings:shares") + "?year=2023", HTTP_ACCEPT_LANGUAGE="en"))
    assert "no civil area completed in 2023: no green building share" in body
    assert "没有民用建筑竣工面积" not in body
