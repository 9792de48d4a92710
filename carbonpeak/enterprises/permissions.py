"""Who may see and change an enterprise's data: its energy managers (users with the enterprise role named on
the enterprise) and the office of its county. The office, auditors and the departments the office granted it to
(Department.may_read_enterprises) read every enterprise of their county, a city's or province's readers those
of their region's counties; other departments and everyone else do not. Nobody reads or changes another
county's enterprises (issue 15)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.permissions import is_office, reads_enterprises, require, require_office
from carbonpeak.enterprises.models import Enterprise
from carbonpeak.plan.tenancy import acts_in, plan_in_scope


def is_manager(principal: Any, ent: Enterprise) -> bool:
    return bool(
        principal is not None
        and getattr(principal, "is_active", False)
        and getattr(principal, "role", None) == Role.ENTERPRISE
        and getattr(principal, "plan_id", None) == ent.plan_id
        and ent.managers.filter(pk=principal.pk).exists()
    )


def can_edit(principal: Any, ent: Enterprise) -> bool:
    return (is_office(principal) and acts_in(principal, ent.plan)) or is_manager(principal, ent)


def can_read(principal: Any, ent: Enterprise) -> bool:
    return can_edit(principal, ent) or (reads_enterprises(principal) and plan_in_scope(principal, ent.plan))


def require_read(principal: Any, ent: Enterprise) -> None:
    if not can_read(principal, ent):
        raise PermissionDenied


def require_edit(principal: Any, ent: Enterprise) -> None:
    if not can_edit(principal, ent):
        raise PermissionDenied


def require_reader(principal: Any) -> None:
    """The pages over all enterprises (the wall, the review queue, dual control, benchmarks)."""
    if not reads_enterprises(principal):
        raise PermissionDenied


def require_county_office(principal: Any, plan) -> None:
    """The office of ``plan``'s county (an office of another county, or a region reader, is refused)."""
    require_office(principal)
    require(acts_in(principal, plan))
