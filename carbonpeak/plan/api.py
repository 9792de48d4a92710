"""Plan endpoints. Every write goes through plan.services (permissions, validation, audit)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from carbonpeak.accounts.auth import WRITE_AUTH
from carbonpeak.api_errors import errors
from carbonpeak.api_fields import Code, Number, Short, Text, Year
from carbonpeak.plan import services
from carbonpeak.plan.cache import cached
from carbonpeak.plan.models import Plan, Target, Task
from carbonpeak.plan.plan_io import export_plan
from carbonpeak.plan.status import target_statuses

router = Router(tags=["plan"])


class PlanSummary(Schema):
    code: str
    county: str
    title: str
    issuer: str
    base_year: int
    peak_year: int


class TargetStatusOut(Schema):
    code: str
    name: str
    status: str
    latest_value: float | None
    latest_period: str | None
    expected_value: float | None
    gap: float | None
    unit: str


class StatusOut(Schema):
    targets: list[TargetStatusOut]


class ValueIn(Schema):
    year: Year
    quarter: int | None = Field(None, ge=1, le=4)
    value: Number
    unit: Short | None = None
    note: Text = ""


class ValueOut(Schema):
    target: str
    period: str
    value: float
    source: str


class TaskStatusIn(Schema):
    status: Short


class TaskOut(Schema):
    code: str
    status: str


class AssignmentsIn(Schema):
    lead_departments: list[Code] = Field(max_length=100)
    cooperating_departments: list[Code] = Field([], max_length=100)


class TargetIn(Schema):
    baseline_year: Year | None = None
    baseline_value: Number | None = None
    values: dict[Short, Number] = Field(max_length=200)


class OkOut(Schema):
    ok: bool


READ_ERRORS = errors(404, 422)
WRITE_ERRORS = errors(401, 403, 404, 413, 422)


def _plan(code: Code) -> Plan:
    return get_object_or_404(Plan, code=code, is_published=True)


@router.get("/", response=list[PlanSummary], auth=None, summary="Published plans / 已公开方案")
def list_plans(request):
    return list(Plan.objects.filter(is_published=True).order_by("code"))


@router.get(
    "/{code}",
    response={200: dict[str, Any]} | READ_ERRORS,
    auth=None,
    summary="A plan in the carbonpeak.plan/1 format / 方案全文",
)
def get_plan(request, code: Code):
    plan = _plan(code)
    return cached(plan, "plan-document", lambda: export_plan(plan))


@router.get(
    "/{code}/status", response={200: StatusOut} | READ_ERRORS, auth=None, summary="Target lights / 指标红黄绿灯"
)
def plan_status(request, code: Code):
    plan = _plan(code)
    return cached(plan, "plan-status", lambda: {"targets": [s.as_dict() for s in target_statuses(plan)]})


@router.post(
    "/{code}/targets/{target}/values",
    response={201: ValueOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Report an indicator value / 填报指标值",
)
def post_value(request, code: Code, target: Code, payload: ValueIn):
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_plan(code), code=target)
    v = services.set_indicator_value(
        request.principal, t, payload.year, payload.quarter, payload.value, payload.note, unit=payload.unit
    )
    return Status(201, {"target": t.code, "period": v.period_label, "value": float(v.value), "source": v.source})


@router.put(
    "/{code}/targets/{target}",
    response={200: OkOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Change baseline and milestones (office) / 修改基准与目标值",
)
def put_target(request, code: Code, target: Code, payload: TargetIn):
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_plan(code), code=target)
    services.set_target(request.principal, t, payload.baseline_year, payload.baseline_value, payload.values)
    return {"ok": True}


@router.put(
    "/{code}/targets/{target}/assignments",
    response={200: OkOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Re-assign a target (office) / 调整指标分工",
)
def put_target_assignments(request, code: Code, target: Code, payload: AssignmentsIn):
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_plan(code), code=target)
    services.set_assignments(request.principal, t, payload.lead_departments, payload.cooperating_departments)
    return {"ok": True}


@router.patch(
    "/{code}/tasks/{task}",
    response={200: TaskOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Change a task's status (lead department) / 更新任务状态",
)
def patch_task(request, code: Code, task: Code, payload: TaskStatusIn):
    t = get_object_or_404(Task.objects.select_related("plan"), plan=_plan(code), code=task)
    t = services.set_task_status(request.principal, t, payload.status)
    return {"code": t.code, "status": t.status}


@router.put(
    "/{code}/tasks/{task}/assignments",
    response={200: OkOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Re-assign a task (office) / 调整任务分工",
)
def put_task_assignments(request, code: Code, task: Code, payload: AssignmentsIn):
    t = get_object_or_404(Task.objects.select_related("plan"), plan=_plan(code), code=task)
    services.set_assignments(request.principal, t, payload.lead_departments, payload.cooperating_departments)
    return {"ok": True}
