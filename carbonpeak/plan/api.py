"""Plan endpoints. Every write goes through plan.services (permissions, validation, audit).

Counties (issue 15): ``/plans/`` lists the published plans, and a published plan's document and lights are public.
A plan that is not published is read only by a principal whose county (or region) it is, else 404 as if it did
not exist. A write needs the principal to act in the plan's county (``tenancy.acts_in``): another county's token or
session, or a region reader, gets 403 (404 when the plan is not even readable to it)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from carbonpeak.accounts.auth import ANONYMOUS, WRITE_AUTH, ClientToken, OptionalSession
from carbonpeak.accounts.permissions import require
from carbonpeak.api_errors import errors
from carbonpeak.api_fields import Code, Number, Short, Text, Year
from carbonpeak.plan import services
from carbonpeak.plan.cache import cached
from carbonpeak.plan.models import Plan, Target, Task
from carbonpeak.plan.plan_io import export_plan
from carbonpeak.plan.status import target_statuses
from carbonpeak.plan.tenancy import acts_in, plan_in_scope, principal_of

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


READ_ERRORS = errors(401, 404, 422)
WRITE_ERRORS = errors(401, 403, 404, 413, 422)
#: reads: a token or a session when sent (an unpublished plan is read by its own county), else anyone
READ_AUTH = [ClientToken(), OptionalSession(), ANONYMOUS]


def _principal(request):
    principal = getattr(request, "principal", None)
    return principal if principal is not None else principal_of(request)


def _readable_plan(request, code: Code) -> Plan:
    """A published plan, or one of the principal's counties; else 404 (an unpublished plan is not confirmed)."""
    plan = get_object_or_404(Plan, code=code)
    if not plan.is_published and not plan_in_scope(_principal(request), plan):
        raise Http404
    return plan


def _writable_plan(request, code: Code) -> Plan:
    """The plan the principal acts in: another county's plan (or any plan for a region reader) is 403."""
    plan = _readable_plan(request, code)
    require(acts_in(_principal(request), plan))
    return plan


@router.get("/", response=list[PlanSummary], auth=None, summary="Published plans / 已公开方案")
def list_plans(request):
    return list(Plan.objects.filter(is_published=True).order_by("code"))


@router.get(
    "/{code}",
    response={200: dict[str, Any]} | READ_ERRORS,
    auth=READ_AUTH,
    summary="A plan in the carbonpeak.plan/1 format / 方案全文",
)
def get_plan(request, code: Code):
    plan = _readable_plan(request, code)
    return cached(plan, "plan-document", lambda: export_plan(plan))


@router.get(
    "/{code}/status", response={200: StatusOut} | READ_ERRORS, auth=READ_AUTH, summary="Target lights / 指标红黄绿灯"
)
def plan_status(request, code: Code):
    plan = _readable_plan(request, code)
    return cached(plan, "plan-status", lambda: {"targets": [s.as_dict() for s in target_statuses(plan)]})


@router.post(
    "/{code}/targets/{target}/values",
    response={201: ValueOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Report an indicator value / 填报指标值",
)
def post_value(request, code: Code, target: Code, payload: ValueIn):
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_writable_plan(request, code), code=target)
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
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_writable_plan(request, code), code=target)
    services.set_target(request.principal, t, payload.baseline_year, payload.baseline_value, payload.values)
    return {"ok": True}


@router.put(
    "/{code}/targets/{target}/assignments",
    response={200: OkOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Re-assign a target (office) / 调整指标分工",
)
def put_target_assignments(request, code: Code, target: Code, payload: AssignmentsIn):
    t = get_object_or_404(Target.objects.select_related("plan"), plan=_writable_plan(request, code), code=target)
    services.set_assignments(request.principal, t, payload.lead_departments, payload.cooperating_departments)
    return {"ok": True}


@router.patch(
    "/{code}/tasks/{task}",
    response={200: TaskOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Change a task's status (lead department) / 更新任务状态",
)
def patch_task(request, code: Code, task: Code, payload: TaskStatusIn):
    t = get_object_or_404(Task.objects.select_related("plan"), plan=_writable_plan(request, code), code=task)
    t = services.set_task_status(request.principal, t, payload.status)
    return {"code": t.code, "status": t.status}


@router.put(
    "/{code}/tasks/{task}/assignments",
    response={200: OkOut} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Re-assign a task (office) / 调整任务分工",
)
def put_task_assignments(request, code: Code, task: Code, payload: AssignmentsIn):
    t = get_object_or_404(Task.objects.select_related("plan"), plan=_writable_plan(request, code), code=task)
    services.set_assignments(request.principal, t, payload.lead_departments, payload.cooperating_departments)
    return {"ok": True}


# the project endpoints (issue 16) live in their own module, on this router
from carbonpeak.plan import project_api  # noqa: E402,F401
