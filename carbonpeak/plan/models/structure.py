"""The plan as data: plan, periods, departments, task areas and tasks, projects, targets."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.choices import (
    AssignmentRole,
    DepartmentKind,
    Direction,
    Indicator,
    ProjectStatus,
    ProjectType,
    ProjectUnit,
    Qualifier,
    TargetKind,
    TargetUnit,
    TaskStatus,
)

VALUE = {"max_digits": 24, "decimal_places": 8}


def new_revision() -> str:
    return uuid.uuid4().hex


class Plan(models.Model):
    code = models.SlugField(_("编码"), max_length=60, unique=True)
    county = models.CharField(_("县（市、区）"), max_length=60)
    county_en = models.CharField(_("英文名"), max_length=100, blank=True)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    province = models.CharField(_("省"), max_length=30, blank=True)
    city = models.CharField(_("市"), max_length=30, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    title_en = models.CharField(_("英文标题"), max_length=300, blank=True)
    issuer = models.CharField(_("印发机关"), max_length=100)
    issued_date = models.DateField(_("印发日期"))
    issued_date_note = models.CharField(_("日期说明"), max_length=300, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基准年"))
    peak_year = models.PositiveSmallIntegerField(_("达峰年"))
    is_published = models.BooleanField(_("已公开"), default=True)
    # accounting settings of the county: the default grid-factor series and the statistical rounding of
    # intensities before a reduction rate is taken (Zhuzhou rounds to 3 decimals; None = no rounding)
    grid = models.CharField(_("默认电网因子序列"), max_length=60, blank=True)
    round_intensity_dp = models.PositiveSmallIntegerField(_("强度下降率计算前保留小数位"), null=True, blank=True)
    # A fresh random token after every change to the plan's data (plan/revision.py); keys the caches of
    # derived pages. Random rather than a counter: a restored backup brings back its own token, whose cache
    # entries were computed from exactly that state, and two databases never share a key.
    revision = models.CharField(max_length=32, default=new_revision, editable=False)
    # The plan's version as the county reads it: 1 when first loaded, +1 for every revision applied from a
    # changed plan file (plan/living.py); each change of a revision is audited with this number.
    version = models.PositiveIntegerField(_("方案版本号"), default=1)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")

    def __str__(self) -> str:
        return self.title

    @cached_property
    def first_year(self) -> int:
        return min([p.start_year for p in self.periods.all()] or [self.base_year])

    @cached_property
    def last_year(self) -> int:
        return max([p.end_year for p in self.periods.all()] or [self.peak_year])


class Period(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    code = models.SlugField(max_length=30)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名"), max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField(_("起始年"))
    end_year = models.PositiveSmallIntegerField(_("结束年"))

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_period_unique_code"),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")), name="plan_period_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="departments")
    code = models.SlugField(_("编码"), max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.OTHER)
    email = models.EmailField(_("联系邮箱"), blank=True)
    # a township's statistical division code (统计用区划代码), when the plan file gives it
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    # granted by the office (plan.services.set_enterprise_readers, audited): the department's officers read
    # every enterprise's meter data, accounts and the review queue; other departments do not
    may_read_enterprises = models.BooleanField(_("可查看企业能耗数据"), default=False)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_department_unique_code"),
            models.UniqueConstraint(fields=["plan", "name"], name="plan_department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("编码"), max_length=20)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("任务领域")
        verbose_name_plural = _("任务领域")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_area_unique_code")]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("编码"), max_length=20)
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=200)
    title_en = models.CharField(_("英文名"), max_length=300, blank=True)
    text = models.TextField(_("条款原文"))
    assignment_text = models.TextField(_("分工原文"), blank=True)
    townships = models.JSONField(_("涉及乡镇"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    # archived: out of the rounds, lights and assessment; its reports and evidence stay readable
    archived = models.BooleanField(_("已归档"), default=False)
    departments = models.ManyToManyField(Department, through="TaskAssignment", related_name="tasks")

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["area__number", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_task_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TaskAssignment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="task_assignments")
    role = models.CharField(_("分工"), max_length=20, choices=AssignmentRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-role", "position"]  # "lead" sorts after "cooperating": descending puts leads first
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="plan_taskassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.department} {self.role}"


class ProjectGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="project_groups")
    code = models.CharField(_("编码"), max_length=20)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名"), max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_projectgroup_unique_code")]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A major project (四 重大项目). Its writes go through plan/projects.py (status moves with history)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(_("编码"), max_length=20)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名"), max_length=300, blank=True)
    type = models.CharField(_("类型"), max_length=30, choices=ProjectType.choices)
    clause = models.CharField(_("出处条款"), max_length=40, blank=True)
    text = models.TextField(_("条款原文"), blank=True)
    township = models.CharField(_("乡镇"), max_length=60, blank=True)
    # generation and storage: MW, kept equal to size when size_unit is MW (scenarios read capacity_mw)
    capacity_mw = models.DecimalField(_("装机容量（MW）"), null=True, blank=True, **VALUE)
    size = models.DecimalField(_("建设规模"), null=True, blank=True, **VALUE)
    size_unit = models.CharField(_("规模单位"), max_length=10, choices=ProjectUnit.choices, blank=True)
    size_done = models.DecimalField(_("已完成规模"), null=True, blank=True, **VALUE)
    investment_10k_yuan = models.DecimalField(_("计划投资（万元）"), null=True, blank=True, **VALUE)
    actual_investment_10k_yuan = models.DecimalField(_("完成投资（万元）"), null=True, blank=True, **VALUE)
    investment_done_share = models.DecimalField(_("投资完成比例"), null=True, blank=True, **VALUE)
    planned_start_date = models.DateField(_("计划开工日期"), null=True, blank=True)
    actual_start_date = models.DateField(_("实际开工日期"), null=True, blank=True)
    commissioning_year = models.PositiveSmallIntegerField(_("计划投产年份"), null=True, blank=True)
    planned_commissioning_date = models.DateField(_("计划投产日期"), null=True, blank=True)
    actual_commissioning_date = models.DateField(_("实际投产日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=30, choices=ProjectStatus.choices, default=ProjectStatus.CONCEIVED)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    expected_effect = models.CharField(_("预期成效"), max_length=300, blank=True)
    # waste-to-energy and other mixed fuels: the non-fossil (biogenic) share of the output, with its source
    nonfossil_fraction = models.DecimalField(_("非化石能源比例"), null=True, blank=True, **VALUE)
    nonfossil_source = models.CharField(_("非化石比例出处"), max_length=300, blank=True)
    departments = models.ManyToManyField(Department, through="ProjectAssignment", related_name="projects")
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("重大项目")
        verbose_name_plural = _("重大项目")
        ordering = ["group__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_project_unique_code"),
            models.CheckConstraint(
                condition=models.Q(capacity_mw__isnull=True) | models.Q(capacity_mw__gte=0),
                name="plan_project_capacity_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(nonfossil_fraction__isnull=True)
                | models.Q(nonfossil_fraction__gte=0, nonfossil_fraction__lte=1),
                name="plan_project_nonfossil_fraction_range",
            ),
            models.CheckConstraint(
                condition=models.Q(investment_done_share__isnull=True)
                | models.Q(investment_done_share__gte=0, investment_done_share__lte=1),
                name="plan_project_investment_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectAssignment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="project_assignments")
    role = models.CharField(_("分工"), max_length=20, choices=AssignmentRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-role", "position"]  # leads first
        constraints = [
            models.UniqueConstraint(fields=["project", "department"], name="plan_projectassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.department} {self.role}"


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    code = models.SlugField(_("编码"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名"), max_length=300, blank=True)
    unit = models.CharField(_("单位"), max_length=20, choices=TargetUnit.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("类别"), max_length=10, choices=TargetKind.choices, default=TargetKind.GOAL)
    qualifier = models.CharField(_("表述"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    baseline_year = models.PositiveSmallIntegerField(_("基准年"), null=True, blank=True)
    baseline_value = models.DecimalField(_("基准值"), null=True, blank=True, **VALUE)
    source = models.CharField(_("出处"), max_length=100)
    source_text = models.TextField(_("原文"), blank=True)
    note = models.TextField(_("说明"), blank=True)
    conflicts_with = models.ForeignKey(
        "self", verbose_name=_("表述不一致的指标"), null=True, blank=True, on_delete=models.SET_NULL
    )
    indicator = models.CharField(_("核算指标"), max_length=40, choices=Indicator.choices, blank=True)
    # archived: out of the lights and the assessment; its values and evidence stay readable
    archived = models.BooleanField(_("已归档"), default=False)
    departments = models.ManyToManyField(Department, through="TargetAssignment", related_name="targets")

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_target_unique_code")]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("目标值"), **VALUE)
    # the wording of this year's value (达到…以上, 控制在…以内, …左右, 超过); blank: the target's qualifier
    qualifier = models.CharField(_("表述"), max_length=10, choices=Qualifier.choices, blank=True)
    # 力争: an incentive level; missing it is yellow, never red
    strive = models.BooleanField(_("力争"), default=False)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["target", "year"], name="plan_milestone_unique_year")]

    def __str__(self) -> str:
        return f"{self.target.code} {self.year}: {self.value}"


class TargetAssignment(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="target_assignments")
    role = models.CharField(_("分工"), max_length=20, choices=AssignmentRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-role", "position"]  # leads first
        constraints = [
            models.UniqueConstraint(fields=["target", "department"], name="plan_targetassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.department} {self.role}"


class TargetAllocation(models.Model):
    """A county target's share for one unit (a township, the development zone or a sector's department) in one
    year: the basic value (基本目标) and, optionally, the incentive value (激励目标, 三（二）2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="allocations")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="allocations")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("年份"))
    basic_value = models.DecimalField(_("基本目标"), **VALUE)
    incentive_value = models.DecimalField(_("激励目标"), null=True, blank=True, **VALUE)

    class Meta:
        verbose_name = _("目标分解")
        verbose_name_plural = _("目标分解")
        ordering = ["target_id", "department_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "target", "department", "year"], name="plan_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.department} {self.year}"


class UnitValue(models.Model):
    """The value a unit's department reports for its share of a target in one year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_values")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="unit_values")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="unit_values")
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("数值"), **VALUE)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    entered_by_label = models.CharField(_("填报人"), max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("分解单位指标值")
        verbose_name_plural = _("分解单位指标值")
        ordering = ["target_id", "department_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "target", "department", "year"], name="plan_unitvalue_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.department} {self.year}: {self.value}"
