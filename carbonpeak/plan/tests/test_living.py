"""plan/living.py: a second version of a plan file is compared by code and applied only when asked; what was
reported stays with its target or task; removals of items with data are refused unless archived."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan import services
from carbonpeak.plan.living import apply_plan, plan_diff
from carbonpeak.plan.models import IndicatorValue, Plan, TaskReport
from carbonpeak.plan.plan_io import export_plan
from carbonpeak.plan.status import target_statuses
from carbonpeak.plan.values import set_indicator_value
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


def _item(doc, section, code):
    return next(x for x in doc[section] if x["code"] == code)


@pytest.fixture
def reported(plan, fgj, office):
    """A value on energy_intensity_reduction and a report (with its task) in an open round, by the 发改局."""
    target = plan.targets.get(code="energy_intensity_reduction")
    set_indicator_value(fgj, target, 2024, None, "0.12")
    rnd = services.open_round(office, plan, 2025, 1, dt.date(2099, 4, 15))
    task = plan.tasks.get(code="A01.1")
    services.submit_report(fgj, rnd, task, "in_progress", "已开展光伏项目前期")
    return target, task


def _second_version(plan):
    doc = export_plan(plan)
    _item(doc, "targets", "energy_intensity_reduction")["values"]["2025"] = 0.16
    new_task = copy.deepcopy(_item(doc, "tasks", "A01.1"))
    new_task.update(code="A01.9", number=9, title="新增任务", text="新增条款原文")
    doc["tasks"].append(new_task)
    removed = doc["projects"].pop()
    return doc, removed["code"]


def test_the_export_of_a_plan_is_no_change(plan):
    diff = plan_diff(plan, export_plan(plan))
    assert diff["empty"] and diff["refused"] == [] and diff["version"] == 1


def test_second_version_changes_a_value_adds_a_task_removes_an_empty_project(plan, office, reported):
    target, task = reported
    doc, gone = _second_version(plan)
    diff = plan_diff(plan, doc)
    assert diff["milestones"] == [{"target": "energy_intensity_reduction", "year": 2025, "before": 0.15, "after": 0.16}]
    assert diff["sections"]["tasks"]["added"] == ["A01.9"]
    assert diff["sections"]["projects"]["removed"] == [gone]
    assert diff["refused"] == [] and not diff["empty"]
    assert plan.projects.filter(code=gone).exists()  # a diff writes nothing

    applied = apply_plan(office, plan, doc)
    plan.refresh_from_db()
    assert applied["applied"] and plan.version == 2
    assert target.milestones.get(year=2025).value == Decimal("0.16")
    assert plan.tasks.get(code="A01.9").assignments.filter(role="lead").get().department.code == "dev_reform"
    assert not plan.projects.filter(code=gone).exists()
    # what was reported survives, on the same rows
    assert IndicatorValue.objects.get(target=target, year=2024).value == Decimal("0.12")
    assert TaskReport.objects.get(task=task).narrative == "已开展光伏项目前期"
    # every change audited with the version
    entries = AuditEntry.objects.filter(action__startswith="plan.revise")
    assert {e.action for e in entries} >= {
        "plan.revise",
        "plan.revise.tasks.add",
        "plan.revise.projects.remove",
        "plan.revise.milestone",
    }
    assert all(e.after["version"] == 2 for e in entries)
    # applying the same file again changes nothing
    assert plan_diff(plan, doc)["empty"]


def test_removing_a_target_with_values_is_refused_unless_archived(plan, office, reported):
    target, _ = reported
    doc = export_plan(plan)
    doc["targets"] = [t for t in doc["targets"] if t["code"] != "energy_intensity_reduction"]
    diff = plan_diff(plan, doc)
    assert [r["code"] for r in diff["refused"]] == ["energy_intensity_reduction"]
    refusal = diff["refused"][0]
    assert "单位GDP能耗下降率" in refusal["message"] and "archived" in refusal["message_en"]
    with pytest.raises(ValidationFailed) as exc:
        apply_plan(office, plan, doc)
    assert exc.value.issues[0].field == "targets.energy_intensity_reduction"
    plan.refresh_from_db()
    assert plan.version == 1 and plan.targets.filter(code="energy_intensity_reduction").exists()

    # archived in the file: applied; the target leaves the lights, keeps its values
    doc = export_plan(plan)
    _item(doc, "targets", "energy_intensity_reduction")["archived"] = True
    apply_plan(office, plan, doc)
    target.refresh_from_db()
    assert target.archived and target.values.count() == 1
    assert "energy_intensity_reduction" not in {s.target.code for s in target_statuses(plan)}
    # a later version that no longer lists it keeps it as it is
    doc["targets"] = [t for t in doc["targets"] if t["code"] != "energy_intensity_reduction"]
    diff = plan_diff(plan, doc)
    assert diff["refused"] == [] and diff["sections"]["targets"]["kept_archived"] == ["energy_intensity_reduction"]
    apply_plan(office, plan, doc)
    assert plan.targets.get(code="energy_intensity_reduction").values.count() == 1


def test_removing_a_task_with_reports_is_refused(plan, office, reported):
    doc = export_plan(plan)
    doc["tasks"] = [t for t in doc["tasks"] if t["code"] != "A01.1"]
    diff = plan_diff(plan, doc)
    assert [(r["section"], r["code"]) for r in diff["refused"]] == [("tasks", "A01.1")]
    assert "任务进展报告" in diff["refused"][0]["message"]


def test_removing_an_empty_task_and_target_is_allowed(plan, office):
    doc = export_plan(plan)
    doc["tasks"] = [t for t in doc["tasks"] if t["code"] != "A01.1"]
    doc["targets"] = [t for t in doc["targets"] if t["code"] != "beautiful_village_share"]
    diff = apply_plan(office, plan, doc)
    assert diff["sections"]["tasks"]["removed"] == ["A01.1"]
    assert not plan.targets.filter(code="beautiful_village_share").exists()


def test_assignments_and_wording_changes_are_listed(plan, office):
    doc = export_plan(plan)
    t = _item(doc, "targets", "non_fossil_share")
    t["lead_departments"] = ["县发展改革局"]
    t["values"]["2030"] = {"value": 0.25, "qualifier": "about", "strive": True}
    diff = plan_diff(plan, doc)
    assert diff["assignments"] == [
        {
            "kind": "target",
            "code": "non_fossil_share",
            "before": {"lead": [], "cooperating": []},
            "after": {"lead": ["县发展改革局"], "cooperating": []},
        }
    ]
    assert [m["year"] for m in diff["milestones"]] == [2030]
    apply_plan(office, plan, doc)
    target = plan.targets.get(code="non_fossil_share")
    assert target.assignments.get().department.code == "dev_reform"
    assert target.milestones.get(year=2030).strive is True


def test_project_fields_are_compared_generically(plan, office):
    doc = export_plan(plan)
    p = doc["projects"][0]
    p["capacity_mw"] = 12.5
    p["township"] = "严塘镇"
    diff = plan_diff(plan, doc)
    changed = diff["sections"]["projects"]["changed"]
    assert changed == [{"code": p["code"], "fields": {"capacity_mw": [None, 12.5], "township": [None, "严塘镇"]}}]
    apply_plan(office, plan, doc)
    assert plan.projects.get(code=p["code"]).capacity_mw == Decimal("12.5")


def test_a_revision_never_touches_another_county(plan, county_b, office):
    b_before = export_plan(county_b)
    b_revision = Plan.objects.get(pk=county_b.pk).revision
    doc, _ = _second_version(plan)
    apply_plan(office, plan, doc)
    assert export_plan(county_b) == b_before
    assert Plan.objects.get(pk=county_b.pk).revision == b_revision
    # another county's file is refused for this plan
    with pytest.raises(ValidationFailed) as exc:
        plan_diff(plan, export_plan(county_b))
    assert exc.value.issues[0].code == "other_plan"


def test_an_archived_target_takes_no_new_values(plan, office):
    from carbonpeak.plan.choices import Indicator
    from carbonpeak.plan.feeds import Fed, feed

    target = plan.targets.get(code="forest_stock")
    plan.targets.filter(pk=target.pk).update(archived=True)
    target.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        set_indicator_value(office, target, 2024, None, "8000000")
    assert exc.value.issues[0].code == "archived"
    assert feed(office, plan, [Fed(Indicator.FOREST_STOCK, 2024, Decimal("8000000"), "森林资源数据")]) == []
