"""Who may see and change the construction-waste data of a county: the 城管局 (urban_management, the plan's lead
for 三(七)3) and the office write (imports, cases); the 住建局 (housing_construction, co-operating) imports too
but does not handle cases; every staff reader of the county reads (auditors and region readers read only,
their region's counties). ``None`` is the system (the command line, acting in the county it was given)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from carbonpeak.accounts.permissions import department_of, is_office, reads_staff_pages
from carbonpeak.plan.tenancy import acts_in, plan_in_scope

LEAD = "urban_management"
WRITERS = (LEAD, "housing_construction")


def _dept_code(principal: Any) -> str | None:
    dept = department_of(principal)
    return dept.code if dept is not None else None


def can_write(principal: Any, plan) -> bool:
    """Imports: the office and the 城管局 and 住建局 of the county."""
    return (is_office(principal) or _dept_code(principal) in WRITERS) and acts_in(principal, plan)


def can_handle_cases(principal: Any, plan) -> bool:
    """Assign, follow and close cases: the office and the 城管局 of the county."""
    return (is_office(principal) or _dept_code(principal) == LEAD) and acts_in(principal, plan)


def can_read(principal: Any, plan=None) -> bool:
    if not reads_staff_pages(principal):
        return False
    return plan is None or plan_in_scope(principal, plan)


def reads_module(principal: Any) -> bool:
    """The 专项 hub's predicate."""
    return reads_staff_pages(principal)


def require_write(principal: Any, plan) -> None:
    if principal is None:  # the system: the command line, in the county it was given
        return
    if not can_write(principal, plan):
        raise PermissionDenied


def require_cases(principal: Any, plan) -> None:
    if principal is None:
        return
    if not can_handle_cases(principal, plan):
        raise PermissionDenied


def require_read(principal: Any, plan) -> None:
    if not can_read(principal, plan):
        raise PermissionDenied
