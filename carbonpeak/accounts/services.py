"""Accounts and machine clients: every change here is made in a transaction and audited (never a password, a
token or a secret in the log). Called by the `carbonpeak user|client` commands and the change-password page."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from carbonpeak.accounts.choices import MACHINE_ROLES, Role
from carbonpeak.accounts.models import ApiClient, User
from carbonpeak.audit.services import record


class AccountError(ValueError):
    """A refused change, with the field it concerns and a message in Chinese and English."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


def _expiry(days: int | None) -> dt.datetime | None:
    """``days`` from now; None: the default (CARBONPEAK_CLIENT_TOKEN_DAYS); 0: never."""
    if days is None:
        days = settings.CARBONPEAK_CLIENT_TOKEN_DAYS
    if days < 0:
        raise AccountError("expires_days", "有效天数不能为负数", "the number of days cannot be negative")
    return timezone.now() + dt.timedelta(days=days) if days else None


def check_county(role: str, department=None, plan=None, region=None) -> None:
    """Every account and client belongs to one county (``plan``), or, as a region reader, to one region; the
    system administrator to neither. A department must be of the same county."""
    from carbonpeak.accounts.choices import INSTALLATION_ROLES, REGION_ROLES

    if role in REGION_ROLES:
        if region is None or plan is not None:
            raise AccountError(
                "region",
                "市、省级查看角色须指定 --region（不属于某个县）",
                "a region reader needs --region (and no --plan)",
            )
        return
    if region is not None:
        raise AccountError("region", "只有 region 角色属于市、省", "only the region role belongs to a region")
    if plan is None and role not in INSTALLATION_ROLES:
        raise AccountError("plan", "须指定所属县（--plan）", "the county (--plan) is required")
    if department is not None and plan is not None and department.plan_id != plan.pk:
        raise AccountError("department", "该部门不属于所选的县", "the department belongs to another county")


def _client_state(c: ApiClient) -> dict:
    return {
        "role": c.role,
        "county": c.plan.code if c.plan_id else None,
        "region": c.region.code if c.region_id else None,
        "department": c.department.code if c.department else None,
        "token_prefix": c.token_prefix,
        "is_active": c.is_active,
        "expires_at": c.expires_at,
    }


def issue_client(
    actor,
    name: str,
    role: str,
    department=None,
    expires_days: int | None = None,
    plan=None,
    region=None,
) -> tuple[ApiClient, str]:
    """A new machine client and its raw token (shown once). Its county is ``plan`` (default: the department's);
    a region client reads ``region``'s counties."""
    if role not in Role.values:
        raise AccountError("role", f"未知角色 {role}", f"unknown role (one of {', '.join(Role.values)})")
    if ApiClient.objects.filter(name=name).exists():
        raise AccountError("name", f"客户端 {name} 已存在", "client already exists")
    if plan is None and department is not None:
        plan = department.plan
    check_county(role, department, plan, region)
    with transaction.atomic():
        client, token = ApiClient.issue(
            name, role, department, expires_at=_expiry(expires_days), plan=plan, region=region
        )
        record(actor, "client.issue", client, None, _client_state(client))
    return client, token


def revoke_client(actor, client: ApiClient) -> None:
    """The token stops working at once (401 "revoked"); the client's batches and their records stay."""
    with transaction.atomic():
        before = _client_state(client)
        client.is_active = False
        client.save(update_fields=["is_active"])
        record(actor, "client.revoke", client, before, _client_state(client))


def rotate_client(actor, client: ApiClient, expires_days: int | None = None) -> str:
    """A new token (and so a new signing secret, derived from it); the old token is refused from now on."""
    if not client.is_active:
        raise AccountError(
            "name", "该客户端已吊销，请发放新客户端", "this client is revoked: issue a new client instead"
        )
    raw = ApiClient.new_token()
    with transaction.atomic():
        before = _client_state(client)
        client.set_token(raw)
        client.expires_at = _expiry(expires_days)
        client.save(update_fields=["token_prefix", "token_hash", "expires_at"])
        record(actor, "client.rotate", client, before, _client_state(client))
    return raw


def list_clients() -> list[ApiClient]:
    return list(ApiClient.objects.select_related("department", "plan", "region").order_by("name"))


def client_row(c: ApiClient) -> dict:
    return {
        "name": c.name,
        "role": c.role,
        "county": c.plan.code if c.plan_id else None,
        "region": c.region.code if c.region_id else None,
        "department": c.department.code if c.department else None,
        "token_prefix": c.token_prefix,
        "status": "revoked" if not c.is_active else "expired" if c.is_expired else "active",
        "expires_at": c.expires_at.isoformat() if c.expires_at else None,
        "last_used_at": c.last_used_at.isoformat() if c.last_used_at else None,
        "created_at": c.created_at.isoformat(),
    }


def new_password(user: User) -> str:
    """A random password that meets every validator of the project."""
    while True:
        password = secrets.token_urlsafe(12) + "-Aa1"
        try:
            validate_password(password, user)
        except Exception:  # pragma: no cover - the generated password meets every rule
            continue
        return password


def create_user(
    actor,
    username: str,
    role: str,
    department=None,
    email: str = "",
    display_name: str = "",
    plan=None,
    region=None,
) -> tuple[User, str]:
    """A new account and its initial password (shown once). Its county is ``plan`` (default: the department's);
    a region reader (role ``region``) belongs to ``region`` instead."""
    if role not in Role.values or role in MACHINE_ROLES:
        people = ", ".join(r for r in Role.values if r not in MACHINE_ROLES)
        raise AccountError("role", f"未知或仅限接口客户端的角色 {role}", f"not a role for a person (one of {people})")
    if User.objects.filter(username=username).exists():
        raise AccountError("username", f"用户 {username} 已存在", "user already exists")
    if plan is None and department is not None:
        plan = department.plan
    check_county(role, department, plan, region)
    user = User(
        username=username,
        role=role,
        department=department,
        email=email,
        display_name=display_name,
        plan=plan,
        region=region,
    )
    password = new_password(user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        record(actor, "user.create", user, None, _user_state(user))
    return user, password


def register(user: User, password: str) -> User:
    """A person who signs up themselves (a resident joining 碳普惠): ``user`` is unsaved and already validated
    (username free, ``password`` checked by the caller's form); stored and audited as made by itself."""
    user.set_password(password)
    with transaction.atomic():
        user.save()
        record(user, "user.create", user, None, _user_state(user))
    return user


def _user_state(u: User) -> dict:
    return {
        "role": u.role,
        "county": u.plan.code if u.plan_id else None,
        "region": u.region.code if u.region_id else None,
        "department": u.department.code if u.department_id else None,
        "is_active": u.is_active,
        "display_name": u.display_name,
        "email": u.email,
    }


def user_row(u: User) -> dict:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "county": u.plan.code if u.plan_id else None,
        "region": u.region.code if u.region_id else None,
        "department": u.department.code if u.department_id else None,
        "is_active": u.is_active,
        "last_login": u.last_login.isoformat() if u.last_login else None,
        "locked": is_locked_out(u.username),
    }


def list_users() -> list[User]:
    return list(User.objects.select_related("department", "plan", "region").order_by("username"))


def set_user_active(actor, user: User, active: bool) -> None:
    """Disable (the user's sessions stop working at their next request) or enable an account."""
    with transaction.atomic():
        before = _user_state(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(actor, "user.enable" if active else "user.disable", user, before, _user_state(user))


def reset_password(actor, user: User) -> str:
    """A new random password (shown once to the administrator); the lock-outs of the account are cleared."""
    password = new_password(user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor, "user.reset_password", user, None, {"password": "(reset)"})
    unlock_user(actor, user)
    return password


def change_password(user: User, password: str) -> None:
    """The user's own change (the page checks the old password and the validators)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(user, "user.change_password", user, None, {"password": "(changed)"})


def is_locked_out(username: str) -> bool:
    from axes.models import AccessAttempt

    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


def unlock_user(actor, user: User, address: str | None = None) -> int:
    """Clear the failed-login records of an account (from every address) and, with ``address``, every record
    of that address (its per-address throttle, whatever the account). Returns the records cleared."""
    from axes.utils import reset

    with transaction.atomic():
        n = reset(username=user.username)
        if address:
            n += reset(ip=address)
        record(actor, "user.unlock", user, None, {"cleared": n, "address": address})
    return n
