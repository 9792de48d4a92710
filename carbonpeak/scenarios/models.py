"""Peak scenarios of a plan: a baseline built from an approved inventory year, policy scenarios over it, runs.

A scenario holds its assumptions as data (drivers per sector, measures, project settings); a run stores its
results with the sha256 of the inputs it was computed from, so a run whose inputs have since changed (the
inventory, a project's commissioning year, the assumptions) shows as stale.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.models import Inventory
from carbonpeak.plan.models import Plan
from carbonpeak.scenarios.choices import RunStatus, ScenarioKind


class Scenario(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=ScenarioKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("基准情景"), null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    base_inventory = models.ForeignKey(Inventory, verbose_name=_("基年核算"), on_delete=models.PROTECT)
    end_year = models.PositiveSmallIntegerField(_("展望至"), default=2060)
    draws = models.PositiveIntegerField(_("模拟次数"), default=20000)
    seed = models.PositiveBigIntegerField(_("随机种子"), default=20301)
    params = models.JSONField(_("参数"), default=dict)
    measures = models.JSONField(_("政策措施"), default=list, blank=True)
    projects = models.JSONField(_("项目设置"), default=dict, blank=True)
    is_illustrative = models.BooleanField(_("演示数据（虚构）"), default=False)
    #: the scenario the office stands behind: the dashboard and the public page show this one only
    is_official = models.BooleanField(_("官方情景"), default=False)
    created_by_label = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("达峰情景")
        verbose_name_plural = _("达峰情景")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="scenarios_unique_name"),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(is_official=True), name="scenarios_one_official_per_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioRun(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    inputs_sha256 = models.CharField(max_length=64)
    inputs = models.JSONField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.FloatField(default=0)
    error = models.TextField(blank=True)
    results = models.JSONField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} #{self.pk} {self.status}"
