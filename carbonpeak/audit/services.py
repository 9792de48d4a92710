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


def county_of(obj: Any, depth: int = 4) -> int | None:
    """The county (plan id) an object belongs to: the plan itself, its ``plan`` field, or the first plan reached
    through its forward foreign keys (a meter's enterprise's plan, a value's target's plan …), else None."""
    if obj is None or depth < 0:
        return None
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return None
    if meta.label_lower == "plan.plan":
        return obj.pk
    plan_id = getattr(obj, "plan_id", None)
    if plan_id is not None:
        return int(plan_id)
    for field in meta.concrete_fields:
        if field.is_relation and field.many_to_one and getattr(obj, field.attname, None) is not None:
            if field.related_model._meta.label_lower in ("accounts.user", "contenttypes.contenttype"):
                continue
            found = county_of(getattr(obj, field.name), depth - 1)
            if found is not None:
                return found
    return None


def record(
    actor: Any,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
    county: int | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is a User, an ApiClient or None (system). The county is the object's (or, for an
    object of no county such as a user, the actor's), unless given."""
    from carbonpeak.accounts.models import User

    if county is None:
        county = county_of(obj)
    if county is None and actor is not None:
        county = getattr(actor, "plan_id", None)
    return AuditEntry.objects.create(
        county_id=county,
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
