"""Tried as a new user would, in real chromium: the 住建局 officer opens 建筑节能 from the 专项 hub, uploads the
year's completions and reads both shares against the plan's 80 % and 35 %, then approves the year; the
机关事务中心 officer reads the public buildings ranked by kgce per ㎡."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLETIONS = (
    "project_id,completed_on,floor_area_m2,civil,green_level,prefab\n"
    "XM-1,2025-03-18,42000,true,basic,true\n"
    "XM-2,2025-06-30,26500,true,one_star,false\n"
    "XM-3,2025-08-12,15000,false,none,true\n"
    "XM-4,2025-10-09,11000,true,none,false\n"
    "XM-5,2024-12-31T16:30:00Z,8000,true,two_star,true\n"  # 00:30 on 1 January 2025, Beijing time
)


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")


def test_zhujian_uploads_completions_and_jiguan_reads_the_ranking(live_server, page, plan, make_user, tmp_path):
    from carbonpeak.buildings import services

    zhujian = make_user("zhujian", "department", plan.departments.get(code="housing_construction"))
    make_user("jiguan", "department", plan.departments.get(code="government_affairs_center"))
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
        ],
    )
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
        ],
    )
    base = live_server.url
    login(page, base, "zhujian")
    page.goto(f"{base}/sectors/")
    page.click("text=建筑节能")
    page.click("text=绿色建筑与装配式建筑占比")
    page.select_option("select[name=year]", "2025")
    page.click("form[method=get] button[type=submit]")
    f = tmp_path / "竣工验收.csv"
    f.write_text(COMPLETIONS, encoding="utf-8")
    page.set_input_files("#upload-completions input[type=file]", str(f))
    page.click("#upload-completions button[type=submit]")
    page.locator("#import-report").wait_for()
    assert "接收 5 条" in page.inner_text("#import-report")
    shares = page.inner_text("#shares")
    assert "87.43 %" in shares and "80 %" in shares  # 76 500 ÷ 87 500
    assert "63.41 %" in shares and "35 %" in shares  # 65 000 ÷ 102 500
    page.click("#approve")
    page.wait_for_load_state()
    assert "已审定" in page.inner_text("#shares")
    page.screenshot(path=str(tmp_path / "shares.png"), full_page=True)

    page.context.clear_cookies()
    login(page, base, "jiguan")
    page.goto(f"{base}/buildings/public-institutions/?year=2025")
    ranking = page.inner_text("#ranking")
    assert ranking.index("医院乙") < ranking.index("办公楼甲")  # 24.58 before 12.29 kgce/㎡
    assert "24.58" in ranking
