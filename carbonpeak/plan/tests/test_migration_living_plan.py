"""Migration 0009 (the living plan) on an installation that loaded Chaling before it: the per-year wording, the
two new-energy clauses no longer a conflict, the 16 townships as departments; another county untouched."""

from __future__ import annotations

import datetime as dt

BEFORE = [("plan", "0008_projects_register")]
AFTER = [("plan", "0009_living_plan_versions_townships_allocations")]


def test_existing_chaling_gets_wording_and_townships(migrator):
    executor = migrator()
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Plan, Target = apps.get_model("plan", "Plan"), apps.get_model("plan", "Target")
    Milestone, Department = apps.get_model("plan", "Milestone"), apps.get_model("plan", "Department")
    common = {"title": "t", "issuer": "i", "issued_date": dt.date(2024, 1, 1), "base_year": 2020, "peak_year": 2030}
    chaling = Plan.objects.create(code="chaling-2024", county="茶陵县", division_code="430224", **common)
    other = Plan.objects.create(code="other", county="乙县", division_code="439901", **common)
    for plan in (chaling, other):
        main = Target.objects.create(
            plan=plan,
            code="new_energy_capacity",
            name="新能源",
            unit="MW",
            direction="increase",
            qualifier="strive",
            source="二",
        )
        task = Target.objects.create(
            plan=plan,
            code="new_energy_capacity_energy_task",
            name="新能源",
            unit="MW",
            direction="increase",
            qualifier="strive",
            source="三（一）1",
            conflicts_with=main,
        )
        Target.objects.filter(pk=main.pk).update(conflicts_with=task)
        Milestone.objects.create(target=main, year=2025, value=300)
        Milestone.objects.create(target=task, year=2025, value=300)
    executor = migrator()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Target, Milestone = apps.get_model("plan", "Target"), apps.get_model("plan", "Milestone")
    Department = apps.get_model("plan", "Department")
    m = Milestone.objects.get(target__plan_id=chaling.pk, target__code="new_energy_capacity_energy_task")
    assert (m.qualifier, m.strive) == ("exceed", True)
    main = Target.objects.get(plan_id=chaling.pk, code="new_energy_capacity")
    assert main.conflicts_with_id is None and main.qualifier == "at_least"
    assert Department.objects.filter(plan_id=chaling.pk, kind="township").count() == 16
    assert Department.objects.filter(plan_id=other.pk, kind="township").count() == 0
    untouched = Milestone.objects.get(target__plan_id=other.pk, target__code="new_energy_capacity")
    assert (
        untouched.qualifier == "" and Target.objects.get(plan_id=other.pk, code="new_energy_capacity").conflicts_with_id
    )
