"""The register of grid-connected generation units of a county (光伏、风电、水电、生物质、垃圾焚烧发电、储能),
the grid company's machine clients allowed to send them, and their signed batches."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.generation.choices import UnitType

CAPACITY = {"max_digits": 14, "decimal_places": 4}


class Unit(models.Model):
    """One grid-connected unit (or a planned one: its connection date lies ahead)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="generation_units")
    unit_id = models.CharField(_("机组编号"), max_length=60)
    type = models.CharField(_("类型"), max_length=20, choices=UnitType.choices)
    township = models.CharField(_("乡镇"), max_length=60)
    capacity_mw = models.DecimalField(_("装机容量（兆瓦）"), **CAPACITY)
    connected_on = models.DateField(_("并网日期"))
    retired_on = models.DateField(_("退役日期"), null=True, blank=True)
    owner = models.CharField(_("业主"), max_length=100, blank=True)
    project = models.ForeignKey(
        "plan.Project",
        verbose_name=_("所属重大项目"),
        on_delete=models.PROTECT,  # a project that units belong to is not deleted under them
        null=True,
        blank=True,
        related_name="generation_units",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit_id"], name="generation_unit_unique_per_county"),
            models.CheckConstraint(condition=models.Q(capacity_mw__gt=0), name="generation_unit_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(retired_on__isnull=True) | models.Q(retired_on__gt=models.F("connected_on")),
                name="generation_unit_retired_after_connected",
            ),
        ]
        indexes = [models.Index(fields=["plan", "type"], name="generation_unit_plan_type")]

    def __str__(self) -> str:
        return self.unit_id


class GridClient(models.Model):
    """A machine client (role gateway) of the county allowed to send generation units (the grid company)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="generation_clients")
    client = models.OneToOneField("accounts.ApiClient", on_delete=models.CASCADE, related_name="generation_scope")
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.client.name


class UnitBatch(models.Model):
    """One signed batch, remembered by (client, Idempotency-Key): a replay returns the stored report."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.PROTECT, related_name="generation_batches")
    idempotency_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], name="generation_batch_unique_key")
        ]
