"""Progress on the plan: indicator values with evidence, dispatch rounds and task reports, reminders."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.choices import RoundStatus, TaskStatus, ValueSource
from carbonpeak.plan.models.structure import VALUE, Department, Plan, Target, Task


class IndicatorValue(models.Model):
    """One value of a target for one period: a year (`quarter` null) or a quarter of a year."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    value = models.DecimalField(_("数值"), **VALUE)
    source = models.CharField(_("来源"), max_length=20, choices=ValueSource.choices, default=ValueSource.MANUAL)
    source_detail = models.CharField(_("来源说明"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    entered_by_label = models.CharField(_("填报人"), max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["target_id", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year", "quarter"], name="plan_value_unique_period"),
            models.UniqueConstraint(
                fields=["target", "year"], condition=models.Q(quarter__isnull=True), name="plan_value_unique_year"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="plan_value_quarter_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.name} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)


class DispatchRound(models.Model):
    """A quarterly dispatch (调度) round opened by the office."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    due_date = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("调度轮次")
        verbose_name_plural = _("调度轮次")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"], name="plan_round_unique_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="plan_round_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度调度"


class TaskReport(models.Model):
    """A department's report on one of its tasks in one round."""

    round = models.ForeignKey(DispatchRound, on_delete=models.CASCADE, related_name="reports")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="reports")
    status = models.CharField(_("进展"), max_length=20, choices=TaskStatus.choices)
    narrative = models.TextField(_("进展情况"))
    submitted_by_label = models.CharField(_("填报人"), max_length=150)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("任务进展报告")
        verbose_name_plural = _("任务进展报告")
        ordering = ["task__area__number", "task__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "task", "department"], name="plan_report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.task.code} {self.department}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is the content hash: no user-controlled path component reaches the disk.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # null: uploaded by the office for a target no department owns
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.RESTRICT, related_name="evidence"
    )
    value = models.ForeignKey(IndicatorValue, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(TaskReport, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    project_report = models.ForeignKey(
        "plan.ProjectReport", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    uploaded_by_label = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=False)
                | models.Q(report__isnull=False)
                | models.Q(project_report__isnull=False),
                name="plan_evidence_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Reminder(models.Model):
    round = models.ForeignKey(DispatchRound, on_delete=models.CASCADE, related_name="reminders")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="reminders")
    message = models.TextField()
    emailed_to = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="plan_reminder_once_per_round")]
