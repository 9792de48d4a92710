"""Who may change which plan object: a department officer (or a department's machine client) changes only the
tasks and target values that their department owns (lead or co-operating assignment for reports and values; task
status by the lead); the peak office changes everything in its plan, and only in its own: a principal of another
county (or a region reader, which has none) owns nothing here.

The role predicates these build on (``is_office``, ``department_of``, ``require`` …) are the accounts app's
(``carbonpeak/accounts/permissions.py``); import them from there.
"""

from __future__ import annotations

from typing import Any

from carbonpeak.accounts.permissions import department_of, is_office
from carbonpeak.plan.choices import AssignmentRole
from carbonpeak.plan.models import Target, Task


def same_county(principal: Any, obj: Any) -> bool:
    """Does ``obj`` (anything with a ``plan_id``) belong to the principal's own county?"""
    plan_id = getattr(principal, "plan_id", None)
    return plan_id is not None and plan_id == getattr(obj, "plan_id", None)


def owns_task(principal: Any, task: Task, lead_only: bool = False) -> bool:
    if not same_county(principal, task):
        return False
    if is_office(principal):
        return True
    dept = department_of(principal)
    if dept is None:
        return False
    qs = task.assignments.filter(department=dept)
    if lead_only:
        qs = qs.filter(role=AssignmentRole.LEAD)
    if qs.exists():
        return True
    from carbonpeak.plan.dispatch import reports_on

    return not lead_only and reports_on(task, dept)  # a township reports on the 各乡镇 clauses


def owns_target(principal: Any, target: Target) -> bool:
    if not same_county(principal, target):
        return False
    if is_office(principal):
        return True
    dept = department_of(principal)
    return dept is not None and target.assignments.filter(department=dept).exists()


def leads_project(principal: Any, project: Any) -> bool:
    """A lead department's officer (or client) of ``project``, in its county."""
    if not same_county(principal, project):
        return False
    dept = department_of(principal)
    return dept is not None and project.assignments.filter(department=dept, role=AssignmentRole.LEAD).exists()


def reports_project(principal: Any, project: Any) -> bool:
    """May send the project's round report or change its progress: the office or the lead department."""
    return same_county(principal, project) and (is_office(principal) or leads_project(principal, project))
