"""Transport and gas registers of a county. Every row has its plan (the county) and every key includes it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.transport.choices import Fuel, Module, ReportedKind, SiteKind, Use, YearStatus, ZoneKind

DEC = {"max_digits": 20, "decimal_places": 6}


class Vehicle(models.Model):
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    plate = models.CharField(_("号牌或自编号"), max_length=40)
    operator = models.CharField(_("运营单位"), max_length=100)
    use = models.CharField(_("用途"), max_length=16, choices=Use.choices)
    fuel = models.CharField(_("燃料"), max_length=10, choices=Fuel.choices)
    #: the registration day in Beijing time (a timestamp with an offset is converted first)
    registered_on = models.DateField(_("注册日期"))
    retired_on = models.DateField(_("报废日期"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("座位数"), null=True, blank=True)
    tonnage = models.DecimalField(_("吨位"), null=True, blank=True, max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("车辆")
        ordering = ["plate"]
        constraints = [models.UniqueConstraint(fields=["plan", "plate"], name="transport_vehicle_unique_plate")]
        indexes = [models.Index(fields=["plan", "registered_on"])]

    def __str__(self) -> str:
        return self.plate


class ChargingSite(models.Model):
    """A charging site; the county's highway service areas are the sites of kind ``service_area`` (one with no
    charger yet is listed with 0 chargers, so it counts in the denominator)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    site_id = models.CharField(_("站点编号"), max_length=40)
    name = models.CharField(_("站点名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices)
    township = models.CharField(_("乡镇"), max_length=60, blank=True)
    chargers = models.PositiveIntegerField(_("充电桩数"), default=0)
    power_kw = models.DecimalField(_("总功率（千瓦）"), max_digits=12, decimal_places=2, default=0)
    commissioned_on = models.DateField(_("投运日期"), null=True, blank=True)
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("充电站点")
        ordering = ["site_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "site_id"], name="transport_site_unique_id")]

    def __str__(self) -> str:
        return self.name


class GasFacility(models.Model):
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    facility_id = models.CharField(_("设施编号"), max_length=40)
    operator = models.CharField(_("运营单位"), max_length=100)
    kind = models.CharField(_("类型"), max_length=40, blank=True)
    capacity_m3 = models.DecimalField(_("工作储气量（立方米）"), **DEC)
    leased = models.BooleanField(_("租赁"), default=False)
    in_service_on = models.DateField(_("投运日期"))
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("储气设施")
        ordering = ["facility_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "facility_id"], name="transport_gasfacility_unique")]

    def __str__(self) -> str:
        return self.facility_id


class GasDemand(models.Model):
    """The year's natural-gas consumption entered by the 发改局 where no inventory is approved (labelled so)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    demand_m3 = models.DecimalField(_("天然气消费量（立方米）"), **DEC)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        verbose_name = _("天然气消费量（填报）")
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="transport_gasdemand_unique")]


class GasCoverage(models.Model):
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    township = models.CharField(_("乡镇"), max_length=60)
    population = models.PositiveIntegerField(_("人口"))
    covered = models.PositiveIntegerField(_("用气人口"))

    class Meta:
        verbose_name = _("燃气覆盖")
        ordering = ["year", "township"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "township"], name="transport_gascoverage_unique"),
            models.CheckConstraint(condition=models.Q(covered__lte=models.F("population")), name="transport_cov_le"),
        ]


class OperatorYear(models.Model):
    """An operator's year of operating vehicles: turnover, and energy by carrier in ``energy`` rows."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(_("运营单位"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年份"))
    passenger_km = models.DecimalField(_("旅客周转量（人公里）"), **DEC, default=0)
    tonne_km = models.DecimalField(_("货物周转量（吨公里）"), **DEC, default=0)

    class Meta:
        verbose_name = _("营运车辆年度数据")
        ordering = ["year", "operator"]
        constraints = [models.UniqueConstraint(fields=["plan", "operator", "year"], name="transport_opyear_unique")]


class OperatorEnergy(models.Model):
    operator_year = models.ForeignKey(OperatorYear, on_delete=models.CASCADE, related_name="energy")
    carrier = models.CharField(_("能源品种"), max_length=40)
    unit = models.CharField(_("单位"), max_length=12)
    quantity = models.DecimalField(_("数量"), **DEC)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["operator_year", "carrier"], name="transport_openergy_unique")]


class ReportedFigure(models.Model):
    """Public transport share, shared bikes: reported figures with their source (not computed here)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    kind = models.CharField(_("指标"), max_length=30, choices=ReportedKind.choices)
    value = models.DecimalField(_("数值"), **DEC)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year", "kind"], name="transport_reported_unique")]


class Zone(models.Model):
    """A no-coal or no-burn zone (无煤区、禁燃区) with its dates, listed in the dispatch rounds."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=ZoneKind.choices)
    name = models.CharField(_("区域"), max_length=100)
    area = models.CharField(_("范围"), max_length=300, blank=True)
    effective_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("无煤区和禁燃区")
        ordering = ["effective_on", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "name"], name="transport_zone_unique")]


class ModuleYear(models.Model):
    """A year of the transport or gas data: draft → approved (feeds the targets) → reopened (retracts)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    module = models.CharField(_("模块"), max_length=10, choices=Module.choices)
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("状态"), max_length=10, choices=YearStatus.choices, default=YearStatus.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    approved_at = models.DateTimeField(null=True, blank=True)
    #: the figures as approved (what was fed), for the page and the audit
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "module", "year"], name="transport_moduleyear_unique")]
