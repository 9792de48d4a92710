"""Forest resources of the county by year (the annual 森林资源管理"一张图" update), the year's status (draft →
approved → reopened), harvest and growth data for the gain-loss estimate, and the farmland/wetland register.

Every row belongs to a county (``plan``) and every unique key includes it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan
from carbonpeak.sinks.choices import EcoKind, LandClass, YearStatus

AREA = {"max_digits": 16, "decimal_places": 4}
STOCK = {"max_digits": 18, "decimal_places": 4}


class ForestStand(models.Model):
    """One survey row: a township's land of one class (and, for arbor land, one species group), optionally one
    sub-compartment (小班) of it. A year's rows cover the whole county.

    The key is (county, year, township, class, group, sub-compartment). Every write to a county's year holds that
    year's ``ForestYear`` row lock and checks the key first (``services.import_forest``, ``fastpath``); approval
    checks it again. On PostgreSQL the table has no B-tree on the key, only a BRIN index on (county, year)
    (migration 0002): a county's survey of 500 000 rows is COPYed at about a plain COPY's cost, where the key's
    index would cost 2.5 times more. SQLite keeps the primary key. The county has no database FK (the ORM still
    cascades a county's deletion)."""

    pk = models.CompositePrimaryKey("plan", "year", "township", "land_class", "species_group", "compartment")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField(_("年份"))
    township = models.CharField(_("乡镇"), max_length=60)
    land_class = models.CharField(_("地类"), max_length=16, choices=LandClass.choices)
    # the database defaults let the COPY of a survey without these columns leave them empty
    species_group = models.CharField(_("优势树种组"), max_length=40, blank=True, db_default="")
    compartment = models.CharField(_("小班号"), max_length=40, blank=True, db_default="")
    area_ha = models.DecimalField(_("面积（公顷）"), **AREA)
    stock_m3 = models.DecimalField(_("蓄积量（立方米）"), **STOCK)

    class Meta:
        verbose_name = _("森林资源数据")
        verbose_name_plural = _("森林资源数据")
        constraints = [
            models.CheckConstraint(condition=models.Q(area_ha__gte=0), name="sinks_stand_area_nonnegative"),
            models.CheckConstraint(condition=models.Q(stock_m3__gte=0), name="sinks_stand_stock_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.township} {self.land_class} {self.species_group}"


class ForestYear(models.Model):
    """The status of a year's forest data. Approval freezes the year's figures (``results``) with the
    factor-set version used and feeds the plan's targets; reopening retracts them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("状态"), max_length=10, choices=YearStatus.choices, default=YearStatus.DRAFT)
    factor_set = models.ForeignKey(
        "accounting.FactorSet", verbose_name=_("因子库版本"), null=True, blank=True, on_delete=models.PROTECT
    )
    results = models.JSONField(_("审定结果"), null=True, blank=True, editable=False)
    is_illustrative = models.BooleanField(_("演示数据（虚构）"), default=False)
    approved_by_label = models.CharField(_("审定人"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("森林资源年度数据")
        verbose_name_plural = _("森林资源年度数据")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="sinks_year_unique")]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == YearStatus.APPROVED


class Harvest(models.Model):
    """Growth rate and harvest volume of a species group in a year (optional; for the gain-loss estimate)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    species_group = models.CharField(_("优势树种组"), max_length=40)
    growth_rate = models.DecimalField(_("蓄积年生长率"), max_digits=8, decimal_places=6)
    harvest_m3 = models.DecimalField(_("采伐消耗量（立方米）"), **STOCK)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("采伐与生长")
        verbose_name_plural = _("采伐与生长")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "species_group"], name="sinks_harvest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.species_group}"


class EcoArea(models.Model):
    """A small wetland (小微湿地) or a conservation-tillage area of a township in a year (三(六)2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    township = models.CharField(_("乡镇"), max_length=60)
    kind = models.CharField(_("类别"), max_length=24, choices=EcoKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    area_ha = models.DecimalField(_("面积（公顷）"), **AREA)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("湿地与农田碳汇登记")
        verbose_name_plural = _("湿地与农田碳汇登记")
        ordering = ["year", "township", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "township", "kind", "name"], name="sinks_ecoarea_unique"),
            models.CheckConstraint(condition=models.Q(area_ha__gte=0), name="sinks_ecoarea_area_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.township} {self.name}"
