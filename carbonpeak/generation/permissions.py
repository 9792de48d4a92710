"""Who may read and change a county's generation-unit register: the office and the lead departments (the
development-and-reform bureau, 发改局, and the grid company, 国网供电公司) of that county write; every staff
reader of the county (departments, townships, auditors, the region's readers) reads. The grid company's machine
client writes through the signed API when the office granted it (``carbonpeak units client NAME``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from carbonpeak.accounts.permissions import department_of, is_office, reads_staff_pages
from carbonpeak.plan.tenancy import acts_in, plan_in_scope

#: the departments (plan department codes) that keep the register beside the office
WRITER_DEPARTMENTS = ("dev_reform", "state_grid_chaling")


def is_grid_client(principal: Any, plan: Any) -> bool:
    """A machine client the office allowed to send this county's units (GridClient)."""
    from carbonpeak.generation.models import GridClient

    return (
        principal is not None
        and getattr(principal, "_meta", None) is not None
        and principal._meta.label_lower == "accounts.apiclient"
        and bool(getattr(principal, "is_active", False))
        and GridClient.objects.filter(client_id=principal.pk, plan=plan, client__plan=plan).exists()
    )


def can_write(principal: Any, plan: Any) -> bool:
    if principal is None or not acts_in(principal, plan):
        return False
    if is_office(principal):
        return True
    dept = department_of(principal)
    return (dept is not None and dept.code in WRITER_DEPARTMENTS) or is_grid_client(principal, plan)


def can_read(principal: Any, plan: Any) -> bool:
    return can_write(principal, plan) or (reads_staff_pages(principal) and plan_in_scope(principal, plan))


def reads_register(principal: Any) -> bool:
    """For the 专项 hub: the staff who read the register of their county."""
    return reads_staff_pages(principal)


def require_write(principal: Any, plan: Any) -> None:
    if not can_write(principal, plan):
        raise PermissionDenied


def require_read(principal: Any, plan: Any) -> None:
    if not can_read(principal, plan):
        raise PermissionDenied
