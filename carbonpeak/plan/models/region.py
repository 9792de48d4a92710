"""A region: a city (市) or a province (省) that runs one installation for its counties and reads them side by
side. Its users read its counties' pages and write nothing there; where the region has a plan of its own
(``own_plan``), its targets are shown beside the roll-up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models.structure import Plan


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    PROVINCE = "province", _("省")


class Region(models.Model):
    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices, default=RegionLevel.CITY)
    plans = models.ManyToManyField(Plan, verbose_name=_("所辖县（市、区）方案"), related_name="regions", blank=True)
    own_plan = models.ForeignKey(
        Plan,
        verbose_name=_("本级方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_region",
    )

    class Meta:
        verbose_name = _("区域（市、省）")
        verbose_name_plural = _("区域（市、省）")

    def __str__(self) -> str:
        return self.name
