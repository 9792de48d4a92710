"""Buildings of a county (the registry), the meters that measure them, the completions that make the green and
prefabricated shares, energy bills, benchmarks, the 机关事务 targets and the 节约型机关 checklist.

Meters are the enterprise app's: a building's meter is an ``enterprises.Meter`` of the unit that runs the
building (产权或使用单位, registered with its 统一社会信用代码 like any energy user), attached here through
``BuildingMeter``. Readings, the signed machine API, the monthly roll-ups and the silent-meter alerts therefore
work for building meters unchanged; this app only reads the roll-ups.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.buildings.choices import BillSource, Ownership, StarLevel, Use, YearStatus
from carbonpeak.plan.models import Plan

AREA = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 24, "decimal_places": 6}
KGCE = {"max_digits": 14, "decimal_places": 4}


class Building(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="buildings")
    building_id = models.CharField(_("建筑编号"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    township = models.CharField(_("乡镇（街道）"), max_length=60)
    use = models.CharField(_("建筑用途"), max_length=20, choices=Use.choices)
    ownership = models.CharField(_("产权性质"), max_length=20, choices=Ownership.choices)
    floor_area_m2 = models.DecimalField(_("建筑面积（m²）"), **AREA)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    hvac = models.CharField(_("供暖空调系统"), max_length=100, blank=True)
    star_level = models.CharField(_("绿色建筑星级"), max_length=12, choices=StarLevel.choices, default=StarLevel.NONE)
    star_certificate = models.CharField(_("绿色建筑标识证书编号"), max_length=60, blank=True)
    star_certified_on = models.DateField(_("标识日期"), null=True, blank=True)
    prefab = models.BooleanField(_("装配式建筑"), default=False)
    assembly_rate = models.DecimalField(_("装配率"), max_digits=5, decimal_places=4, null=True, blank=True)
    pv_kw = models.DecimalField(_("屋顶光伏装机（kW）"), max_digits=12, decimal_places=2, null=True, blank=True)
    roof_area_m2 = models.DecimalField(_("屋顶面积（m²）"), null=True, blank=True, **AREA)
    occupants = models.PositiveIntegerField(_("用能人数"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("建筑")
        verbose_name_plural = _("建筑")
        ordering = ["building_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "building_id"], name="buildings_building_unique_id"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="buildings_building_area_positive"),
            models.CheckConstraint(
                condition=models.Q(assembly_rate__isnull=True) | models.Q(assembly_rate__gte=0, assembly_rate__lte=1),
                name="buildings_building_assembly_rate_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.name}"


class BuildingMeter(models.Model):
    """A meter of the enterprise app that measures this building (one building per meter)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="meter_links")
    meter = models.OneToOneField("enterprises.Meter", on_delete=models.CASCADE, related_name="building_link")

    class Meta:
        verbose_name = _("建筑计量器具")
        verbose_name_plural = _("建筑计量器具")


class Completion(models.Model):
    """One project's completion acceptance (竣工验收). ``completed_on`` is the Beijing date that decides its year
    (a time with an offset in the file is converted to Beijing time first)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="building_completions")
    project_id = models.CharField(_("项目编号"), max_length=60)
    completed_on = models.DateField(_("竣工验收日期"))
    floor_area_m2 = models.DecimalField(_("竣工面积（m²）"), **AREA)
    civil = models.BooleanField(_("民用建筑"))
    green_level = models.CharField(_("验收时绿色建筑等级"), max_length=12, choices=StarLevel.choices)
    prefab = models.BooleanField(_("装配式建筑"))
    permit_no = models.CharField(_("施工许可证号"), max_length=60, blank=True)
    permit_on = models.DateField(_("施工许可日期"), null=True, blank=True)
    building_ids = models.CharField(_("建筑编号"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("竣工验收")
        verbose_name_plural = _("竣工验收")
        ordering = ["completed_on", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "project_id"], name="buildings_completion_unique_project"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="buildings_completion_area_positive"),
        ]

    @property
    def year(self) -> int:
        return self.completed_on.year


class CompletionYear(models.Model):
    """A year of completions: draft → approved (the shares feed the targets) → reopened (retracted)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("状态"), max_length=10, choices=YearStatus.choices, default=YearStatus.DRAFT)
    results = models.JSONField(null=True, blank=True)
    approved_by_label = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="buildings_year_unique")]


class Bill(models.Model):
    """A month of one carrier of a building from a bill (typed or imported), in the carrier's unit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="bills")
    month = models.DateField(_("月份"))  # the first day
    carrier = models.CharField(_("能源品种"), max_length=40)
    unit = models.CharField(_("单位"), max_length=12)
    quantity = models.DecimalField(_("用量"), **QUANTITY)
    source = models.CharField(_("来源"), max_length=10, choices=BillSource.choices)

    class Meta:
        verbose_name = _("能源账单")
        verbose_name_plural = _("能源账单")
        constraints = [
            models.UniqueConstraint(fields=["building", "month", "carrier"], name="buildings_bill_unique_month"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="buildings_bill_nonnegative"),
        ]


class EnergyBenchmark(models.Model):
    """The county's energy-use benchmark for a use (kgce/m² a year, calorific basis), from a year on: the guide
    value (引导值) and the limit (约束值), with its source (e.g. the provincial quota document)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    use = models.CharField(_("建筑用途"), max_length=20, choices=Use.choices)
    year = models.PositiveSmallIntegerField(_("起始年份"))
    guide_kgce_per_m2 = models.DecimalField(_("引导值（kgce/m²）"), **KGCE)
    limit_kgce_per_m2 = models.DecimalField(_("约束值（kgce/m²）"), **KGCE)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "use", "year"], name="buildings_benchmark_unique"),
            models.CheckConstraint(
                condition=models.Q(guide_kgce_per_m2__gt=0, limit_kgce_per_m2__gte=models.F("guide_kgce_per_m2")),
                name="buildings_benchmark_ordered",
            ),
        ]


class InstitutionTarget(models.Model):
    """The 机关事务 targets of a year for public institutions: energy per person and per m² (kgce)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年份"))
    kgce_per_capita = models.DecimalField(_("人均综合能耗目标（kgce/人）"), **KGCE)
    kgce_per_m2 = models.DecimalField(_("单位建筑面积能耗目标（kgce/m²）"), **KGCE)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="buildings_institution_target_unique")]


class ChecklistItem(models.Model):
    """One item of a public institution's 节约型机关 checklist for a year: done or not, evidence optional."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="checklist")
    year = models.PositiveSmallIntegerField(_("年份"))
    item = models.CharField(_("事项"), max_length=200)
    done = models.BooleanField(_("已完成"), default=False)
    evidence = models.CharField(_("佐证"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "year", "item"], name="buildings_checklist_unique_item")
        ]


class RooftopSetting(models.Model):
    """The county's assumptions for the public-building rooftop PV potential."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="+")
    usable_share = models.DecimalField(_("可利用比例"), max_digits=5, decimal_places=4)
    kw_per_m2 = models.DecimalField(_("单位面积装机（kW/m²）"), max_digits=8, decimal_places=4)
    source = models.CharField(_("来源"), max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usable_share__gt=0, usable_share__lte=1, kw_per_m2__gt=0),
                name="buildings_rooftop_setting_valid",
            )
        ]
