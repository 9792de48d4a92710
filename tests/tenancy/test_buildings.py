"""Isolation of the building module between two counties (issue 15): the same building and project ids in both
counties are two objects; the other county's office gets 404 on a building of this county and never its text;
lists, figures and exports hold the county's own data only; a region reader reads both and every write it tries
is 403; the services refuse another county's writer; the command acts only in the county named by ``--plan``."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from carbonpeak.buildings import figures, services
from carbonpeak.buildings.models import Building, Completion
from tests.tenancy.helpers import assert_no_text, body_of, login

pytestmark = pytest.mark.django_db


def _county(plan, tag: str, office) -> dict:
    name = f"{tag}县隔离测试办公楼"
    only = f"JZ-ONLY-{tag}"
    services.import_buildings(
        office,
        plan,
        [
            (
                2,
                {
                    "building_id": "JZ-1",
                    "name": name,
                    "township": f"{tag}县街道",
                    "use": "office",
                    "ownership": "government",
                    "floor_area_m2": "1000",
                },
            ),
            (
                3,
                {
                    "building_id": only,
                    "name": f"{tag}县独有建筑",
                    "township": f"{tag}县街道",
                    "use": "school",
                    "ownership": "public_institution",
                    "floor_area_m2": "500",
                },
            ),
        ],
    )
    services.import_completions(
        office,
        plan,
        [
            (
                2,
                {
                    "project_id": "P1",
                    "completed_on": "2025-05-01",
                    "floor_area_m2": "1000" if tag == "A" else "3000",
                    "civil": "true",
                    "green_level": "basic",
                    "prefab": "false",
                },
            )
        ],
    )
    services.import_bills(
        office,
        plan,
        [(2, {"building_id": "JZ-1", "month": "2025-01", "carrier": "electricity", "unit": "kWh", "quantity": "1000"})],
    )
    return {"plan": plan, "only": only, "texts": [name, f"{tag}县独有建筑"]}


@pytest.fixture
def world(plan, office, county_b, office_b):
    return {"A": _county(plan, "A", office), "B": _county(county_b, "B", office_b)}


def test_same_ids_are_two_objects(world):
    assert Building.objects.filter(building_id="JZ-1").count() == 2
    assert Completion.objects.filter(project_id="P1").count() == 2
    assert figures.shares(world["A"]["plan"], 2025)["civil_completed_m2"] == "1000.00"
    assert figures.shares(world["B"]["plan"], 2025)["civil_completed_m2"] == "3000.00"
    assert [r["building_id"] for r in figures.export_rows(world["A"]["plan"], 2025)] == ["JZ-1", "JZ-ONLY-A"]


PAGES = [
    "buildings:home",
    "buildings:shares",
    "buildings:energy",
    "buildings:institutions",
    "buildings:rooftop",
    "buildings:export",
]


def test_other_county_office_sees_nothing(world, office_b):
    c = login(office_b)
    a = world["A"]
    assert c.get(reverse("buildings:detail", args=[a["only"]])).status_code == 404
    resp = c.get(reverse("buildings:detail", args=["JZ-1"]))  # B's own JZ-1
    assert resp.status_code == 200 and "B县隔离测试办公楼" in body_of(resp)
    assert_no_text(resp, a)
    for name in PAGES:
        resp = c.get(reverse(name) + "?year=2025")
        assert resp.status_code == 200, name
        assert_no_text(resp, a)
    assert "B县独有建筑" in body_of(c.get(reverse("buildings:home")))


def test_region_reader_reads_but_never_writes(world, city_reader):
    c = login(city_reader)
    a, b = world["A"], world["B"]
    resp = c.get(reverse("buildings:home") + f"?county={a['plan'].code}")
    assert resp.status_code == 200 and "A县独有建筑" in body_of(resp)
    resp = c.get(reverse("buildings:home") + f"?county={b['plan'].code}")
    assert "B县独有建筑" in body_of(resp) and "A县独有建筑" not in body_of(resp)
    assert c.post(reverse("buildings:shares"), {"form": "approve", "year": "2025"}).status_code == 403
    assert c.post(reverse("buildings:institutions"), {"target_year": "2025"}).status_code == 403
    assert c.post(reverse("buildings:energy"), {"form": "benchmark"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.approve_year(city_reader, a["plan"], 2025)


def test_services_refuse_the_other_county(world, office_b):
    a = world["A"]
    with pytest.raises(PermissionDenied):
        services.import_buildings(office_b, a["plan"], [])
    with pytest.raises(PermissionDenied):
        services.approve_year(office_b, a["plan"], 2025)
    with pytest.raises(PermissionDenied):
        services.set_institution_target(office_b, a["plan"], 2025, "1", "1", "x")


def test_cli_acts_in_the_named_county(world, tmp_path, capsys):
    from carbonpeak.cli import main

    a, b = world["A"], world["B"]
    (tmp_path / "c.csv").write_text(
        "project_id,completed_on,floor_area_m2,civil,green_level,prefab\nP9,2025-07-01,500,true,none,true\n",
        encoding="utf-8",
    )
    assert main(["buildings", "completions", "import", str(tmp_path / "c.csv"), "--plan", b["plan"].code]) == 0
    assert Completion.objects.filter(project_id="P9", plan=b["plan"]).exists()
    assert not Completion.objects.filter(project_id="P9", plan=a["plan"]).exists()
    capsys.readouterr()
    assert main(["buildings", "shares", "--year", "2025", "--plan", a["plan"].code]) == 0
    assert json.loads(capsys.readouterr().out)["civil_completed_m2"] == "1000.00"
    with pytest.raises(SystemExit) as exc:
        main(["buildings", "shares", "--year", "2025"])  # two counties: --plan required
    assert exc.value.code == 2
