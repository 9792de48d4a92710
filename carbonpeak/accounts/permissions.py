"""Role predicates: what a principal (a User or a machine ApiClient) may do by its role and department alone.

One place, used by pages, the API and the CLI of every app:

- the peak office (碳达峰办) changes everything in its plan;
- a department or township officer (or a department's machine client) works for its department;
- auditors, and a city's or province's readers (role ``region``), read the working pages, the rounds and the
  evidence, and change nothing;
- everyone else (and the public) reads published pages only.

Predicates that also look at plan objects (who owns a task or a target) live in ``plan/permissions.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from carbonpeak.accounts.choices import Role


def is_office(principal: Any) -> bool:
    return bool(
        principal is not None
        and getattr(principal, "is_active", False)
        and getattr(principal, "role", None) == Role.OFFICE
    )


def department_of(principal: Any):
    """The plan.Department an active department or township officer (or client) works for, else None."""
    if principal is None or not getattr(principal, "is_active", False):
        return None
    if getattr(principal, "role", None) not in (Role.DEPARTMENT, Role.TOWNSHIP):
        return None
    return getattr(principal, "department", None)


def is_auditor(principal: Any) -> bool:
    return bool(getattr(principal, "is_active", False) and getattr(principal, "role", None) == Role.AUDITOR)


def is_region_reader(principal: Any) -> bool:
    """A city's or province's reader (role ``region``): reads its counties' working pages, writes nothing."""
    return bool(getattr(principal, "is_active", False) and getattr(principal, "role", None) == Role.REGION)


def reads_everything(principal: Any) -> bool:
    """The read-only roles that see all of a county's working data: its auditors and its region's readers
    (which county they read is the tenancy module's business, not the role's)."""
    return is_auditor(principal) or is_region_reader(principal)


def reads_rounds(principal: Any) -> bool:
    """The dispatch rounds' pages, reports and exports: the office (changes them), auditors and region readers
    (read only)."""
    return is_office(principal) or reads_everything(principal)


def downloads_evidence(principal: Any, department_id: int | None) -> bool:
    """Evidence files: the office and auditors read all; a department officer reads its own department's."""
    if reads_rounds(principal):
        return True
    dept = department_of(principal)
    return dept is not None and department_id is not None and dept.pk == department_id


def reads_enterprises(principal: Any) -> bool:
    """Every enterprise's meter data, accounts and the review queue: the office, auditors, and the officers of
    departments the office granted it to (Department.may_read_enterprises)."""
    if reads_rounds(principal):
        return True
    dept = department_of(principal)
    return dept is not None and dept.may_read_enterprises


def reads_staff_pages(principal: Any) -> bool:
    """The office, department and township officers, auditors and region readers read the working pages and the
    accounts."""
    return is_office(principal) or department_of(principal) is not None or reads_everything(principal)


def require_staff(principal: Any) -> None:
    if not reads_staff_pages(principal):
        raise PermissionDenied


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有权限执行此操作。/ You are not allowed to do this."))


def require_office(principal: Any) -> None:
    require(is_office(principal))
