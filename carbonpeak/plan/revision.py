"""The plan's revision: a random token renewed by every change to its data, so derived views (lights, dashboard,
API documents) can be cached under (plan, revision) and never served stale.

Model saves and deletes bump it through signals; services that write with bulk_create or update() (which
send no signals) call `bump` themselves."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save

PLAN_PATHS = {
    "Target": "plan_id",
    "Task": "plan_id",
    "Project": "plan_id",
    "Department": "plan_id",
    "Area": "plan_id",
    "ProjectGroup": "plan_id",
    "Period": "plan_id",
    "DispatchRound": "plan_id",
    "AssessmentRule": "plan_id",
    "Milestone": "target.plan_id",
    "IndicatorValue": "target.plan_id",
    "TargetAssignment": "target.plan_id",
    "TaskAssignment": "task.plan_id",
    "TaskReport": "round.plan_id",
    "TargetAllocation": "plan_id",
    "UnitValue": "plan_id",
}


def bump(plan_id: int | None) -> None:
    from carbonpeak.plan.models import Plan
    from carbonpeak.plan.models.structure import new_revision

    if plan_id is not None:
        Plan.objects.filter(pk=plan_id).update(revision=new_revision())


def _plan_id(instance: Any) -> int | None:
    obj = instance
    for part in PLAN_PATHS[type(instance).__name__].split("."):
        try:
            obj = getattr(obj, part)
        except ObjectDoesNotExist:  # the parent is being deleted in the same cascade: its own signal bumps the plan
            return None
    return obj


def _on_change(sender, instance, **kwargs) -> None:
    bump(_plan_id(instance))


def connect() -> None:
    from carbonpeak.plan import models

    for name in PLAN_PATHS:
        model = getattr(models, name)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"plan-revision-save-{name}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"plan-revision-delete-{name}")
