"""The shipped Chaling plan file: complete, faithful to the source text, and loaded as the plan says."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from carbonpeak.plan.plan_io import DATA_DIR, check_plan_document

DATA = json.loads((DATA_DIR / "chaling.json").read_text(encoding="utf-8"))


def target(code: str) -> dict:
    return next(t for t in DATA["targets"] if t["code"] == code)


def test_document_passes_the_importers_checks():
    assert check_plan_document(json.loads((DATA_DIR / "chaling.json").read_text(), parse_float=Decimal)).errors == []


def test_ten_task_areas_and_their_numbered_tasks():
    areas = [a for a in DATA["areas"] if a["code"].startswith("A")]
    assert [a["number"] for a in areas] == list(range(1, 11))
    per_area = {a["code"]: [t["number"] for t in DATA["tasks"] if t["area"] == a["code"]] for a in areas}
    # counted in the source: 三（一）..（十）
    assert {k: len(v) for k, v in per_area.items()} == {
        "A01": 3,
        "A02": 5,
        "A03": 3,
        "A04": 3,
        "A05": 3,
        "A06": 2,
        "A07": 4,
        "A08": 4,
        "A09": 3,
        "A10": 2,
    }
    for numbers in per_area.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_every_task_has_a_lead_department_and_its_assignment_text():
    for t in DATA["tasks"]:
        assert t["lead_departments"], t["code"]
        assert t["assignment_text"].startswith("（") and t["assignment_text"].endswith("）"), t["code"]


def test_assignment_is_split_into_lead_and_cooperating():
    t = next(t for t in DATA["tasks"] if t["code"] == "A01.1")
    assert t["lead_departments"] == ["县发展改革局"]
    assert "各乡镇（街道、办事处）" in t["cooperating_departments"]
    assert "市生态环境局茶陵分局" in t["cooperating_departments"]


def test_main_goals_in_canonical_units():
    assert target("non_fossil_share")["values"] == {"2025": 0.2, "2030": 0.25}
    assert target("new_energy_capacity")["values"] == {  # 30 / 135 万千瓦 in MW
        "2025": {"value": 300, "qualifier": "at_least"},
        "2030": {"value": 1350, "qualifier": "at_least", "strive": True},
    }
    assert target("energy_intensity_reduction")["values"] == {"2025": 0.15}
    assert target("energy_intensity_reduction")["baseline_year"] == 2020


def test_forest_coverage_is_kept_twice_and_flagged():
    main, sink = target("forest_coverage"), target("forest_coverage_sink_task")
    assert main["values"] == {"2025": 0.6292, "2030": 0.63}
    assert sink["values"] == {
        "2025": {"value": 0.6, "qualifier": "at_least", "strive": True},
        "2030": {"value": 0.61, "qualifier": "about", "strive": True},
    }
    assert main["conflicts_with"] == "forest_coverage_sink_task"
    assert sink["conflicts_with"] == "forest_coverage"
    assert main["source"] != sink["source"]


def test_gas_storage_duty_and_enterprise_threshold():
    gas = target("gas_storage_days")
    assert gas["unit"] == "days" and list(gas["values"].values()) == [3]
    thr = target("enterprise_carbon_account_threshold")
    assert thr["unit"] == "tce" and thr["kind"] == "threshold" and list(thr["values"].values()) == [5000]


def test_source_texts_quote_the_plan():
    for t in DATA["targets"]:
        assert t["source_text"], t["code"]


@pytest.mark.django_db
def test_plan_loads_with_every_row(plan):
    assert plan.tasks.count() == len(DATA["tasks"])
    assert plan.targets.count() == len(DATA["targets"])
    assert plan.projects.count() == len(DATA["projects"])
    assert plan.departments.count() == len(DATA["departments"]) + len(DATA["townships"])
    assert plan.departments.filter(kind="township").count() == 16
    assert plan.targets.get(code="forest_coverage").conflicts_with.code == "forest_coverage_sink_task"
    t = plan.tasks.get(code="A01.1")
    assert t.assignments.filter(role="lead").get().department.name == "县发展改革局"


def test_new_energy_two_wordings_are_one_value_not_a_conflict():
    """二 “达到30万千瓦” and 三（一）1 “力争突破30万千瓦”: the same 300 MW, two qualifiers."""
    main, task = target("new_energy_capacity"), target("new_energy_capacity_energy_task")
    assert main["conflicts_with"] is None and task["conflicts_with"] is None
    assert main["values"]["2025"]["value"] == task["values"]["2025"]["value"] == 300
    assert main["values"]["2025"]["qualifier"] == "at_least" and "strive" not in main["values"]["2025"]
    assert task["values"]["2025"] == {"value": 300, "qualifier": "exceed", "strive": True}


def test_townships_are_the_countys_sixteen():
    names = [t["name"] for t in DATA["townships"]]
    assert len(names) == len(set(names)) == 16
    assert sum(n.endswith("街道") for n in names) == 4 and sum(n.endswith("乡") for n in names) == 2
