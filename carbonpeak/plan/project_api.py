"""Project endpoints (issue 16), on the plan router: ``/plans/{code}/projects…``. Reads as for targets: the
register of a published plan is public like the plan document; the round reports (what was done, problems,
review) only to principals whose county or region it is. Writes go through plan/projects.py (the office edits
everything; the lead department its projects' progress fields, status and round reports)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from carbonpeak.api_fields import Code, Number, Short, Text
from carbonpeak.plan import projects as svc
from carbonpeak.plan.api import (
    READ_AUTH,
    READ_ERRORS,
    WRITE_AUTH,
    WRITE_ERRORS,
    OkOut,
    _principal,
    _readable_plan,
    _writable_plan,
    router,
)
from carbonpeak.plan.models import DispatchRound, Project, ProjectReport
from carbonpeak.plan.plan_io import _export_project
from carbonpeak.plan.project_flags import flags_by_project, plan_flags
from carbonpeak.plan.tenancy import plan_in_scope


class ProjectPatch(Schema):
    """Fields to change (see docs/zh/projects.md); numbers as text or numbers, dates YYYY-MM-DD, shares 0–1."""

    fields: dict[Short, Number | None] = Field(max_length=40)


class DepartmentsIn(Schema):
    lead_departments: list[Short] = Field(max_length=50)
    cooperating_departments: list[Short] = Field([], max_length=50)


class StatusIn(Schema):
    status: Short
    reason: Short = ""


class ReportIn(Schema):
    status: Short
    status_reason: Short = ""
    investment_share: Number
    size_done: Number | None = None
    progress: Text
    problems: Text = ""


class ReportOut(Schema):
    id: int
    project: str
    round: str
    review: str


class ReviewIn(Schema):
    decision: Short
    comment: Text = ""


def _flags(plan) -> dict[int, list[dict[str, Any]]]:
    return {
        pk: [{"level": f.level, "kind": f.kind, "late": f.late, "message": f.message} for f in fs]
        for pk, fs in flags_by_project(plan_flags(plan)).items()
    }


def _project(plan, code: str) -> Project:
    return get_object_or_404(Project.objects.select_related("plan", "group"), plan=plan, code=code)


@router.get("/{code}/projects", response={200: list[dict[str, Any]]} | READ_ERRORS, auth=READ_AUTH,
            summary="The project register with its flags / 重大项目库")  # fmt: skip
def list_projects(request, code: Code):
    plan = _readable_plan(request, code)
    flags = _flags(plan)
    return [
        _export_project(p) | {"flags": flags.get(p.pk, [])}
        for p in plan.projects.select_related("group").order_by("group__number", "number")
    ]


@router.get("/{code}/projects/{project}", response={200: dict[str, Any]} | READ_ERRORS, auth=READ_AUTH,
            summary="A project, its status history and (own county) its round reports / 项目详情")  # fmt: skip
def get_project(request, code: Code, project: Code):
    plan = _readable_plan(request, code)
    p = _project(plan, project)
    out = _export_project(p) | {"flags": _flags(plan).get(p.pk, [])}
    out["investment_done_share"] = float(p.investment_done_share) if p.investment_done_share is not None else None
    out["history"] = [
        {"from": h.from_status, "to": h.to_status, "reason": h.reason, "by": h.changed_by_label,
         "at": h.changed_at.isoformat()}
        for h in p.status_changes.all()
    ]  # fmt: skip
    if plan_in_scope(_principal(request), plan):
        out["reports"] = [
            {"id": r.pk, "round": str(r.round), "year": r.round.year, "quarter": r.round.quarter, "status": r.status,
             "investment_share": float(r.investment_share), "progress": r.progress, "problems": r.problems,
             "review": r.review, "review_comment": r.review_comment}
            for r in p.reports.select_related("round")
        ]  # fmt: skip
    return out


@router.patch("/{code}/projects/{project}", response={200: OkOut} | WRITE_ERRORS, auth=WRITE_AUTH,
              summary="Change a project's fields / 修改项目信息")  # fmt: skip
def patch_project(request, code: Code, project: Code, payload: ProjectPatch):
    p = _project(_writable_plan(request, code), project)
    svc.update_project(request.principal, p, dict(payload.fields))
    return {"ok": True}


@router.put("/{code}/projects/{project}/departments", response={200: OkOut} | WRITE_ERRORS, auth=WRITE_AUTH,
            summary="Lead and co-operating departments (office) / 项目分工")  # fmt: skip
def put_project_departments(request, code: Code, project: Code, payload: DepartmentsIn):
    p = _project(_writable_plan(request, code), project)
    svc.set_project_departments(request.principal, p, payload.lead_departments, payload.cooperating_departments)
    return {"ok": True}


@router.post("/{code}/projects/{project}/status", response={200: OkOut} | WRITE_ERRORS, auth=WRITE_AUTH,
             summary="Move a project's status / 变更项目状态")  # fmt: skip
def post_project_status(request, code: Code, project: Code, payload: StatusIn):
    p = _project(_writable_plan(request, code), project)
    svc.change_status(request.principal, p, payload.status, payload.reason)
    return {"ok": True}


@router.post("/{code}/rounds/{round_id}/projects/{project}/report", response={201: ReportOut} | WRITE_ERRORS,
             auth=WRITE_AUTH, summary="A project's round report (lead department) / 报送项目进展")  # fmt: skip
def post_project_report(request, code: Code, round_id: int, project: Code, payload: ReportIn):
    plan = _writable_plan(request, code)
    rnd = get_object_or_404(DispatchRound, plan=plan, pk=round_id)
    p = _project(plan, project)
    r = svc.submit_project_report(request.principal, rnd, p, payload.dict())
    return Status(201, {"id": r.pk, "project": p.code, "round": str(rnd), "review": r.review})


@router.post("/{code}/project-reports/{report_id}/review", response={200: ReportOut} | WRITE_ERRORS,
             auth=WRITE_AUTH, summary="Accept or return a project report (office) / 审核项目报告")  # fmt: skip
def post_project_review(request, code: Code, report_id: int, payload: ReviewIn):
    plan = _writable_plan(request, code)
    r = get_object_or_404(ProjectReport.objects.select_related("round", "project"), plan=plan, pk=report_id)
    r = svc.review_project_report(request.principal, r, payload.decision, payload.comment)
    return {"id": r.pk, "project": r.project.code, "round": str(r.round), "review": r.review}
