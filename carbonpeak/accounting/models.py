"""Factor sets (versioned, immutable) and the county's annual inventories (activity lines by sector/carrier).

A factor set is written once, with all its rows, and never changed: a county that needs other values makes a
new version (services.create_county_version). ``Factor.save``/``delete`` refuse to touch stored rows, and an
inventory that was approved keeps the version it was computed with.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.choices import FactorSetKind, Flow, Grade, InventoryStatus, Notation, Purpose
from carbonpeak.plan.models import Plan

QUANTITY = {"max_digits": 24, "decimal_places": 6}


class ImmutableError(Exception):
    pass


class FactorSet(models.Model):
    version = models.CharField(_("版本"), max_length=60, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=FactorSetKind.choices)
    label = models.CharField(_("名称"), max_length=200)
    plan = models.ForeignKey(
        Plan, verbose_name=_("所属方案"), null=True, blank=True, on_delete=models.PROTECT, related_name="factor_sets"
    )
    #: a province's version (kind province): the province's name as the plans spell it (Plan.province)
    province = models.CharField(_("所属省份"), max_length=30, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("基于版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.TextField(_("说明"), blank=True)
    #: the rows' content hash: one version per content among the shared versions (shipped, provinces') and within
    #: a county; two counties may each hold a version of equal content (neither sees the other's, issue 15)
    content_sha256 = models.CharField(max_length=64, db_index=True)
    created_by_label = models.CharField(_("创建人"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("因子库版本")
        verbose_name_plural = _("因子库版本")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256"],
                condition=models.Q(plan__isnull=True),
                name="accounting_factorset_unique_shared_content",
            ),
            models.UniqueConstraint(
                fields=["plan", "content_sha256"],
                condition=models.Q(plan__isnull=False),
                name="accounting_factorset_unique_county_content",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class Factor(models.Model):
    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="factors")
    key = models.CharField(_("键"), max_length=120)
    # the exact decimal as text (blank: no single default); a DecimalField would round on SQLite (REAL)
    value = models.CharField(_("数值"), max_length=60, blank=True)
    unit = models.CharField(_("单位"), max_length=60)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, blank=True)
    source = models.TextField(_("来源"), blank=True)
    name_zh = models.CharField(_("中文名"), max_length=200, blank=True)
    name_en = models.CharField(_("英文名"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    region = models.CharField(_("适用地区"), max_length=60, blank=True)
    valid_from_year = models.PositiveSmallIntegerField(_("适用起始年"), null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField(_("适用截止年"), null=True, blank=True)

    class Meta:
        verbose_name = _("因子")
        verbose_name_plural = _("因子")
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["factor_set", "key"], name="accounting_factor_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value or '—'} {self.unit}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError(f"factor {self.key} of {self.factor_set_id} is stored; make a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("factors are never deleted; make a new version instead")

    @property
    def decimal(self) -> Decimal | None:
        return Decimal(self.value) if self.value else None


class Inventory(models.Model):
    """The county's energy and carbon accounts of one year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="inventories")
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("状态"), max_length=10, choices=InventoryStatus.choices, default=InventoryStatus.DRAFT)
    factor_set = models.ForeignKey(FactorSet, verbose_name=_("因子库版本"), on_delete=models.PROTECT)
    grid = models.CharField(_("电网因子序列"), max_length=60, blank=True)
    gdp_10k_yuan = models.DecimalField(_("地区生产总值（基准年不变价，万元）"), null=True, blank=True, **QUANTITY)
    gdp_current_10k_yuan = models.DecimalField(_("地区生产总值（当年价，万元）"), null=True, blank=True, **QUANTITY)
    population = models.PositiveIntegerField(_("常住人口（人）"), null=True, blank=True)
    coal_equivalent_kgce_per_kwh = models.DecimalField(
        _("当年供电煤耗（kgce/kWh）"), null=True, blank=True, max_digits=10, decimal_places=6
    )
    sink_tco2 = models.DecimalField(_("碳汇（tCO2）"), default=0, **QUANTITY)
    inflow_nonfossil_share = models.DecimalField(
        _("调入电力非化石比重"), null=True, blank=True, max_digits=8, decimal_places=6
    )
    is_illustrative = models.BooleanField(_("演示数据（虚构）"), default=False)
    note = models.TextField(_("说明"), blank=True)
    results = models.JSONField(_("审定结果"), null=True, blank=True, editable=False)
    inputs_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    approved_by_label = models.CharField(_("审定人"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度核算")
        verbose_name_plural = _("年度核算")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="accounting_inventory_unique_year")]

    def __str__(self) -> str:
        return f"{self.plan.county} {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == InventoryStatus.APPROVED


class ActivityLine(models.Model):
    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="lines")
    sector = models.CharField(_("部门"), max_length=40)
    carrier = models.CharField(_("能源品种"), max_length=40)
    flow = models.CharField(_("流向"), max_length=24, choices=Flow.choices, default=Flow.FINAL)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices, default=Purpose.ENERGY)
    unit = models.CharField(_("单位"), max_length=12)
    quantity = models.DecimalField(_("数量"), null=True, blank=True, **QUANTITY)
    notation = models.CharField(_("标注键"), max_length=2, choices=Notation.choices, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    updated_by_label = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("活动数据")
        verbose_name_plural = _("活动数据")
        ordering = ["sector", "carrier", "flow", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "sector", "carrier", "flow", "purpose"], name="accounting_line_unique_key"
            ),
            models.CheckConstraint(
                condition=(models.Q(quantity__isnull=False) & models.Q(notation=""))
                | (models.Q(quantity__isnull=True) & ~models.Q(notation="")),
                name="accounting_line_quantity_xor_notation",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gte=0),
                name="accounting_line_quantity_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.carrier} {self.flow}"
