"""Townships as units: the plan file's townships are departments (kind township); a 各乡镇 clause is reported by
each township in the rounds and scored per township; the collective itself owes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.plan import services
from carbonpeak.plan.dispatch import owed_pairs, owed_tasks
from carbonpeak.plan.rounds import department_rounds
from carbonpeak.plan.scoring import score_table

pytestmark = pytest.mark.django_db

#: tasks of the shipped plan with 各乡镇（街道、办事处） among their departments (all co-operating)
COLLECTIVE_TASKS = 14


@pytest.fixture
def yantang(plan):
    return plan.departments.get(name="严塘镇")


@pytest.fixture
def yantang_user(make_user, yantang):
    return make_user("yantang", "township", department=yantang)


def test_townships_loaded_as_departments(plan):
    names = set(plan.departments.filter(kind="township").values_list("name", flat=True))
    assert len(names) == 16 and {"思聪街道", "严塘镇", "舲舫乡"} <= names


def test_each_township_owes_the_collective_clauses(plan, yantang):
    pairs = owed_pairs(plan)
    collective = plan.departments.get(code="townships_all")
    assert all(d.pk != collective.pk for _, d in pairs)
    assert len(owed_tasks(plan, yantang)) == COLLECTIVE_TASKS
    per_township = {d.name for t, d in pairs if t.code == "A01.1" and d.kind == "township"}
    assert len(per_township) == 16
    leads = sum(1 for t in plan.tasks.all() for a in t.assignments.all() if a.role == "lead")
    assert len(pairs) == leads + 16 * COLLECTIVE_TASKS


def test_an_archived_task_leaves_the_rounds(plan, yantang):
    plan.tasks.filter(code="A01.1").update(archived=True)
    assert len(owed_tasks(plan, yantang)) == COLLECTIVE_TASKS - 1
    assert all(t.code != "A01.1" for t, _ in owed_pairs(plan))


def test_a_township_reports_its_share_and_is_scored(plan, office, yantang, yantang_user):
    rnd = services.open_round(office, plan, 2025, 1, dt.date(2025, 4, 15), past_due_ok=True)
    missing = services.missing_reports(rnd)
    assert len(missing[yantang]) == COLLECTIVE_TASKS
    task = plan.tasks.get(code="A01.1")
    report = services.submit_report(yantang_user, rnd, task, "done", "严塘镇屋顶光伏已并网 2 兆瓦")
    assert report.department == yantang
    task.refresh_from_db()
    assert task.status == "not_started"  # a township's report does not set the county task's status
    state = department_rounds(plan, yantang, today=dt.date(2025, 4, 20))[0]
    assert len(state.missing) == COLLECTIVE_TASKS - 1 and state.overdue_days == 5
    # a task without 各乡镇 is not the township's
    with pytest.raises(PermissionDenied):
        services.submit_report(yantang_user, rnd, plan.tasks.get(code="A02.3"), "done", "x")
    rows = {s.department.name: s for s in score_table(plan, 2025, today=dt.date(2025, 5, 1))}
    lines = {x.rule: x for x in rows["严塘镇"].lines}
    assert "完成 1 项" in lines["tasks_done"].reason
    assert f"应报 {COLLECTIVE_TASKS} 份" in lines["reports_on_time"].reason
    assert "思聪街道" in rows and "各乡镇（街道、办事处）" not in rows
