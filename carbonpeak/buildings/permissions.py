"""Who may read and change the building data of a county.

- the registry, bills, benchmarks, completions and their approval: the county's office and the 住建局
  (``housing_construction``);
- the public institutions' figures (机关事务 targets, the 节约型机关 checklist): the office and the
  机关事务中心 (``government_affairs_center``);
- staff read (departments, townships, auditors, the region's readers); nobody acts in another county.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from carbonpeak.accounts.permissions import department_of, is_office, reads_staff_pages
from carbonpeak.plan.tenancy import acts_in, plan_in_scope

HOUSING = "housing_construction"
AFFAIRS = "government_affairs_center"


def _of_department(principal: Any, code: str) -> bool:
    dept = department_of(principal)
    return dept is not None and dept.code == code


def edits_registry(principal: Any, plan) -> bool:
    return acts_in(principal, plan) and (is_office(principal) or _of_department(principal, HOUSING))


def edits_institutions(principal: Any, plan) -> bool:
    return acts_in(principal, plan) and (is_office(principal) or _of_department(principal, AFFAIRS))


def reads_buildings(principal: Any) -> bool:
    return reads_staff_pages(principal)


def can_read(principal: Any, plan) -> bool:
    return reads_staff_pages(principal) and plan_in_scope(principal, plan)


def require_registry_writer(principal: Any, plan) -> None:
    """``None`` is the command line (the server's operator, acting in the county named by ``--plan``); pages and
    the API always pass the signed-in principal."""
    if principal is not None and not edits_registry(principal, plan):
        raise PermissionDenied


def require_institution_writer(principal: Any, plan) -> None:
    if principal is not None and not edits_institutions(principal, plan):
        raise PermissionDenied
