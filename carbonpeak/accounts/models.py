"""Accounts: one user model with a role, and per-client API tokens for machine clients."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounts import permissions
from carbonpeak.accounts.choices import Role

TOKEN_PREFIX = "cpk_"

#: a region reader (role ``region``) has a region and no county; every other account or client no region
REGION_ONLY_FOR_REGION_ROLE = (
    models.Q(role="region") & models.Q(region__isnull=False) & models.Q(plan__isnull=True)
) | (~models.Q(role="region") & models.Q(region__isnull=True))


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
    #: the county the account belongs to (every role but the region reader and the system administrator)
    plan = models.ForeignKey(
        "plan.Plan", verbose_name=_("所属县"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    #: the city or province a region reader reads (role ``region``: read-only in its counties)
    region = models.ForeignKey(
        "plan.Region",
        verbose_name=_("所属市、省"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["department", "township"]) | models.Q(department__isnull=False),
                name="accounts_user_department_role_has_department",
            ),
            models.CheckConstraint(
                condition=REGION_ONLY_FOR_REGION_ROLE,
                name="accounts_user_region_role_has_region_only",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_office(self) -> bool:
        return permissions.is_office(self)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiClient(models.Model):
    """A machine client (gateway, grid company, script). Only the token's hash is stored."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "plan.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    #: the county the client acts in; a region client (role ``region``) reads its region's counties instead
    plan = models.ForeignKey(
        "plan.Plan", verbose_name=_("所属县"), null=True, blank=True, on_delete=models.PROTECT, related_name="clients"
    )
    region = models.ForeignKey(
        "plan.Region",
        verbose_name=_("所属市、省"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
    )
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    #: the token is refused after this instant (empty: no expiry); ``client rotate`` issues a new token
    expires_at = models.DateTimeField(_("令牌到期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        constraints = [
            models.CheckConstraint(
                condition=REGION_ONLY_FOR_REGION_ROLE,
                name="accounts_apiclient_region_role_has_region_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @staticmethod
    def new_token() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def set_token(self, raw: str) -> None:
        self.token_prefix, self.token_hash = raw[:10], hash_token(raw)

    @classmethod
    def issue(
        cls, name: str, role: str, department=None, expires_at=None, plan=None, region=None
    ) -> tuple[ApiClient, str]:
        """Create a client and return it with its raw token (shown once, never stored). Audited callers go
        through ``accounts.services.issue_client``. The county defaults to the department's."""
        raw = cls.new_token()
        if plan is None and department is not None:
            plan = department.plan
        client = cls(name=name, role=role, department=department, expires_at=expires_at, plan=plan, region=region)
        client.set_token(raw)
        client.save()
        return client, raw

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @staticmethod
    def signing_secret(raw: str) -> str:
        """The secret a machine client signs request bodies with (HMAC-SHA256): derived from its token and the
        server's secret key, so it is stored nowhere; shown once, with the token, when the client is issued.
        Rotating CARBONPEAK_SECRET_KEY therefore revokes every signing secret."""
        import hmac

        from django.conf import settings

        return hmac.new(settings.SECRET_KEY.encode(), b"carbonpeak-signing:" + raw.encode(), "sha256").hexdigest()

    @classmethod
    def lookup(cls, raw: str) -> ApiClient | None:
        """The client a raw token belongs to, revoked or expired ones included (for a precise refusal)."""
        if not raw.startswith(TOKEN_PREFIX):
            return None
        return cls.objects.select_related("department").filter(token_hash=hash_token(raw)).first()

    @classmethod
    def authenticate(cls, raw: str) -> ApiClient | None:
        """The active, unexpired client of a token (its last use recorded), else None."""
        client = cls.lookup(raw)
        if client is None or not client.is_active or client.is_expired:
            return None
        cls.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client

    # Machine clients act through the same permission checks as users.
    @property
    def is_active_principal(self) -> bool:
        return self.is_active and not self.is_expired

    @property
    def is_office(self) -> bool:
        return permissions.is_office(self)
