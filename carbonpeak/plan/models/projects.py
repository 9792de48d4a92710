"""Progress on the major projects: every status move (who, when, from, to, why) and the lead department's
quarterly report in a dispatch round, reviewed by the office."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.choices import ProjectStatus, ReviewState
from carbonpeak.plan.models.progress import DispatchRound
from carbonpeak.plan.models.structure import VALUE, Department, Plan, Project


class ProjectStatusChange(models.Model):
    """One move of a project's status; append-only (written only by plan/projects.py)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="project_status_changes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=30, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, choices=ProjectStatus.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    changed_by_label = models.CharField(_("操作人"), max_length=150)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)
    report = models.ForeignKey(
        "ProjectReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="status_changes"
    )

    class Meta:
        verbose_name = _("项目状态变更")
        verbose_name_plural = _("项目状态变更")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.from_status}→{self.to_status}"


class ProjectReport(models.Model):
    """The lead department's report on one project in one round; the office accepts it or returns it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="project_reports")
    round = models.ForeignKey(DispatchRound, on_delete=models.CASCADE, related_name="project_reports")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="project_reports")
    status = models.CharField(_("项目状态"), max_length=30, choices=ProjectStatus.choices)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    investment_share = models.DecimalField(_("投资完成比例"), **VALUE)  # fraction 0–1 of the planned investment
    size_done = models.DecimalField(_("已完成规模"), null=True, blank=True, **VALUE)
    progress = models.TextField(_("完成情况"))
    problems = models.TextField(_("存在问题及协调事项"), blank=True)
    review = models.CharField(_("审核"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by_label = models.CharField(_("审核人"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    submitted_by_label = models.CharField(_("填报人"), max_length=150)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("项目进展报告")
        verbose_name_plural = _("项目进展报告")
        ordering = ["project__group__number", "project__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="plan_projectreport_unique"),
            models.CheckConstraint(
                condition=models.Q(investment_share__gte=0, investment_share__lte=1),
                name="plan_projectreport_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.project.code}"
