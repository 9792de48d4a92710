"""Accounts: one user model with a role, and per-client API tokens for machine clients."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounts.choices import Role

TOKEN_PREFIX = "cpk_"


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    department = models.ForeignKey(
        "plan.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["department", "township"]) | models.Q(department__isnull=False),
                name="accounts_user_department_role_has_department",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_office(self) -> bool:
        return self.is_active and self.role == Role.OFFICE


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiClient(models.Model):
    """A machine client (gateway, grid company, script). Only the token's hash is stored."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "plan.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @classmethod
    def issue(cls, name: str, role: str, department=None) -> tuple[ApiClient, str]:
        """Create a client and return it with its raw token (shown once, never stored)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        client = cls.objects.create(
            name=name, role=role, department=department, token_prefix=raw[:10], token_hash=hash_token(raw)
        )
        return client, raw

    @staticmethod
    def signing_secret(raw: str) -> str:
        """The secret a machine client signs request bodies with (HMAC-SHA256): derived from its token and the
        server's secret key, so it is stored nowhere; shown once, with the token, when the client is issued.
        Rotating CARBONPEAK_SECRET_KEY therefore revokes every signing secret."""
        import hmac

        from django.conf import settings

        return hmac.new(settings.SECRET_KEY.encode(), b"carbonpeak-signing:" + raw.encode(), "sha256").hexdigest()

    @classmethod
    def authenticate(cls, raw: str) -> ApiClient | None:
        if not raw.startswith(TOKEN_PREFIX):
            return None
        client = cls.objects.select_related("department").filter(token_hash=hash_token(raw), is_active=True).first()
        if client is not None:
            cls.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client

    # Machine clients act through the same permission checks as users.
    @property
    def is_active_principal(self) -> bool:
        return self.is_active

    @property
    def is_office(self) -> bool:
        return self.is_active and self.role == Role.OFFICE
