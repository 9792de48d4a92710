"""Who may see and change an enterprise's data: its energy managers (users with the enterprise role named on
the enterprise) and the office. The office, auditors and the departments the office granted it to
(Department.may_read_enterprises) read every enterprise; other departments and everyone else do not."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.permissions import is_office, reads_enterprises
from carbonpeak.enterprises.models import Enterprise


def is_manager(principal: Any, ent: Enterprise) -> bool:
    return bool(
        principal is not None
        and getattr(principal, "is_active", False)
        and getattr(principal, "role", None) == Role.ENTERPRISE
        and ent.managers.filter(pk=principal.pk).exists()
    )


def can_edit(principal: Any, ent: Enterprise) -> bool:
    return is_office(principal) or is_manager(principal, ent)


def can_read(principal: Any, ent: Enterprise) -> bool:
    return can_edit(principal, ent) or reads_enterprises(principal)


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
