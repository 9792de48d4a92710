"""Annual assessment (考核) rules: configurable per plan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models.structure import VALUE, Plan


class RuleKind(models.TextChoices):
    REPORTS_ON_TIME = "reports_on_time", _("按时报送调度报告")
    TARGETS_GREEN = "targets_green", _("牵头指标绿灯")
    TASKS_DONE = "tasks_done", _("牵头任务完成或推进")
    PROJECTS_ON_TRACK = "projects_on_track", _("牵头项目按期推进")


class AssessmentRule(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assessment_rules")
    kind = models.CharField(_("规则"), max_length=30, choices=RuleKind.choices)
    points = models.DecimalField(_("分值"), **VALUE)

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="plan_rule_unique_kind"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="plan_rule_points_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"
