"""Who reports on which task in a dispatch round (调度).

A task's lead departments report on it. A clause assigned to 各乡镇（街道、办事处） (the department of kind
``township_collective``, in any role) is reported by every township of the county (departments of kind
``township``, loaded from the plan file's ``townships``), each its own report, so that it is dispatched and scored
per township; a task naming townships in its ``townships`` list is reported by those townships. Archived tasks are
out of the rounds (their reports stay readable).
"""

from __future__ import annotations

from carbonpeak.plan.choices import AssignmentRole, DepartmentKind
from carbonpeak.plan.models import Department, Plan, Task, TaskAssignment


def owed_pairs(plan: Plan) -> list[tuple[Task, Department]]:
    """Every (task, department) that owes a report in a round, tasks in plan order (three queries)."""
    tasks = list(plan.tasks.filter(archived=False).select_related("area").order_by("area__number", "number"))
    townships = list(plan.departments.filter(kind=DepartmentKind.TOWNSHIP).order_by("id"))
    by_name = {d.name: d for d in townships}
    assignments: dict[int, list[TaskAssignment]] = {}
    for a in TaskAssignment.objects.filter(task__plan=plan).select_related("department"):
        assignments.setdefault(a.task_id, []).append(a)
    out: list[tuple[Task, Department]] = []
    for t in tasks:
        rows = sorted(assignments.get(t.pk, []), key=lambda a: (a.role != AssignmentRole.LEAD, a.position))
        owers = [a.department for a in rows if a.role == AssignmentRole.LEAD]
        if any(a.department.kind == DepartmentKind.TOWNSHIP_COLLECTIVE for a in rows):
            owers += townships
        else:
            owers += [by_name[n] for n in (t.townships or []) if n in by_name]
        seen: set[int] = set()
        for d in owers:
            if d.pk not in seen and d.kind != DepartmentKind.TOWNSHIP_COLLECTIVE:
                seen.add(d.pk)
                out.append((t, d))
    return out


def owed_tasks(plan: Plan, dept: Department) -> list[Task]:
    """The tasks ``dept`` reports on in every round."""
    return [t for t, d in owed_pairs(plan) if d.pk == dept.pk]


def reports_on(task: Task, dept: Department) -> bool:
    """Does ``dept`` owe (and so may file) a report on ``task``?"""
    if task.archived:
        return False
    if task.assignments.filter(department=dept, role=AssignmentRole.LEAD).exists():
        return True
    if dept.kind != DepartmentKind.TOWNSHIP:
        return False
    collective = task.assignments.filter(department__kind=DepartmentKind.TOWNSHIP_COLLECTIVE).exists()
    return collective or dept.name in (task.townships or [])
