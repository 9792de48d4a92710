"""Record changes. Call inside the transaction that makes the change, so both land or neither."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carbonpeak.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 0.11000000 and 0.11 are one value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    username = getattr(actor, "username", None)
    if username:
        return str(username)
    return f"api:{getattr(actor, 'name', actor)}"


def record(actor: Any, action: str, obj: Any, before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Append one entry. `actor` is a User, an ApiClient or None (system)."""
    from carbonpeak.accounts.models import User

    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
