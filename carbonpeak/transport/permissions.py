"""Who may change the transport and gas data: the county's office and the module's lead department (交通局
``transport`` for transport, 发改局 ``dev_reform`` for gas and coal). Everyone who reads the staff pages reads
them (auditors and region readers read only)."""

from __future__ import annotations

from typing import Any

from carbonpeak.accounts.permissions import department_of, is_office, reads_staff_pages, require
from carbonpeak.plan.tenancy import acts_in, plan_in_scope
from carbonpeak.transport.choices import Module

LEADS = {Module.TRANSPORT: ("transport",), Module.GAS: ("dev_reform",)}


def can_write(principal: Any, plan: Any, module: str) -> bool:
    if not acts_in(principal, plan):
        return False
    if is_office(principal):
        return True
    dept = department_of(principal)
    return dept is not None and dept.plan_id == plan.pk and dept.code in LEADS.get(module, ())


def can_read(principal: Any, plan: Any) -> bool:
    return reads_staff_pages(principal) and plan_in_scope(principal, plan)


def require_write(principal: Any, plan: Any, module: str) -> None:
    """``None`` is the command line on the server (its operator holds the database anyway; audited as the
    system); a page or API always passes its user, an anonymous one included."""
    if principal is None:
        return
    require(can_write(principal, plan, module))


def reads_module(principal: Any) -> bool:
    """For the 专项 hub: the staff pages' readers."""
    return reads_staff_pages(principal)
