"""Pages of the plan as a living document: the office uploads a changed plan file, reads the diff and applies it
(with confirmation); sets the owners of a target; splits a target among units (townships, the development zone,
sectors), whose departments report their values. Every write goes through plan.living / plan.services (audited)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carbonpeak.accounts.permissions import department_of, is_office, require_staff
from carbonpeak.percent import percent_to_fraction
from carbonpeak.plan import services
from carbonpeak.plan.allocation_status import unit_statuses
from carbonpeak.plan.living import SECTIONS, apply_plan, plan_diff
from carbonpeak.plan.models import Area, Department, Period, Plan, Project, ProjectGroup, Target, Task
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.tenancy import acts_in, principal_of, require_county
from carbonpeak.validation import Issue, ValidationFailed

PLAN_FILE_MAX_BYTES = 5 * 1024 * 1024
SECTION_MODELS = {
    "periods": Period,
    "departments": Department,
    "townships": Department,
    "areas": Area,
    "project_groups": ProjectGroup,
    "tasks": Task,
    "projects": Project,
    "targets": Target,
}


def _require_office_acting(request, plan: Plan) -> None:
    if not (is_office(request.user) and acts_in(principal_of(request), plan)):
        raise PermissionDenied


def _field_label(model, key: str) -> str:
    extra = {"values": _("目标值"), "lead_departments": _("牵头部门"), "cooperating_departments": _("配合部门")}
    if key in extra:
        return str(extra[key])
    try:
        return str(model._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _names(plan: Plan, section: str, codes: list[str], doc: dict | None) -> list[str]:
    """Items named as officials read them: the stored name, else the file's."""
    model = SECTION_MODELS[section]
    qs = model.objects.filter(plan=plan, code__in=codes)
    by_code = {o.code: getattr(o, "name", None) or getattr(o, "title", "") for o in qs}
    items = {}
    if doc is not None:
        src = doc["plan"].get("periods", []) if section == "periods" else doc.get(section, [])
        items = {x.get("code"): x.get("name") or x.get("title") or "" for x in src if isinstance(x, dict)}
    return [by_code.get(c) or items.get(c) or c for c in codes]


def _cell(v):
    """A changed field's value on the page: yes/no for a flag, else as it is."""
    if isinstance(v, bool):
        return _("是") if v else _("否")
    return v


def diff_view(plan: Plan, diff: dict, doc: dict | None) -> list[dict]:
    """The diff per section, with names and Chinese field labels, for the page."""
    out = []
    for section, label, _en in SECTIONS:
        sec = diff["sections"].get(section, {})
        model = SECTION_MODELS[section]
        changed = [
            {
                "name": _names(plan, section, [c["code"]], doc)[0],
                "fields": [(_field_label(model, k), _cell(v[0]), _cell(v[1])) for k, v in c["fields"].items()],
            }
            for c in sec.get("changed", [])
        ]
        row = {
            "label": _(label),
            "added": _names(plan, section, sec.get("added", []), doc),
            "removed": _names(plan, section, sec.get("removed", []), None),
            "kept": _names(plan, section, sec.get("kept_archived", []), None),
            "changed": changed,
        }
        if row["added"] or row["removed"] or row["kept"] or row["changed"]:
            out.append(row)
    return out


def _milestone_text(value, unit: str) -> str:
    """A milestone as officials read it: 15%, 300 兆瓦以上/不低于（力争）."""
    from carbonpeak.plan.choices import Qualifier
    from carbonpeak.web.templatetags.cp import unit_value

    if value is None:
        return "—"
    if isinstance(value, dict):
        text = unit_value(value.get("value"), unit)
        if value.get("qualifier") in Qualifier.values:
            text += " " + str(Qualifier(value["qualifier"]).label)
        if value.get("strive"):
            text += str(_("（力争）"))
        return text
    return unit_value(value, unit)


def _diff_context(plan: Plan, diff: dict, doc: dict) -> dict:
    units = dict(plan.targets.values_list("code", "unit"))
    for t in doc.get("targets", []):
        units.setdefault(t.get("code"), t.get("unit"))
    target_names = dict(plan.targets.values_list("code", "name"))
    task_names = dict(plan.tasks.values_list("code", "title"))
    for t in doc.get("targets", []):
        target_names.setdefault(t.get("code"), t.get("name"))
    for t in doc.get("tasks", []):
        task_names.setdefault(t.get("code"), t.get("title"))
    return {
        "diff": diff,
        "sections": diff_view(plan, diff, doc),
        "milestones": [
            {
                **m,
                "name": target_names.get(m["target"], m["target"]),
                "before": _milestone_text(m["before"], units.get(m["target"], "")),
                "after": _milestone_text(m["after"], units.get(m["target"], "")),
            }
            for m in diff["milestones"]
        ],
        "assignments": [
            {**a, "name": (task_names if a["kind"] == "task" else target_names).get(a["code"], a["code"])}
            for a in diff["assignments"]
        ],
    }


def _read_upload(request) -> tuple[str | None, ValidationFailed | None]:
    f = request.FILES.get("plan_file")
    if f is None:
        return None, ValidationFailed([Issue("required", "plan_file", "请选择方案文件", "choose a plan file")])
    if f.size > PLAN_FILE_MAX_BYTES:
        return None, ValidationFailed(
            [Issue("too_large", "plan_file", "方案文件超过 5 MB", "the plan file is larger than 5 MB")]
        )
    try:
        return f.read().decode("utf-8"), None
    except UnicodeDecodeError:
        return None, ValidationFailed(
            [Issue("encoding", "plan_file", "方案文件应为 UTF-8 编码", "the plan file must be UTF-8")]
        )


def _parse(text: str) -> dict:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            [
                Issue(
                    "malformed_json",
                    "plan_file",
                    f"方案文件不是有效的 JSON（第 {exc.lineno} 行）",
                    f"the plan file is not valid JSON (line {exc.lineno})",
                )
            ]
        ) from exc


@login_required
def plan_revise(request):
    """Upload a changed plan file → the diff → apply (with confirmation)."""
    plan = require_county(request)
    _require_office_acting(request, plan)
    ctx: dict = {"plan": plan}
    if request.method == "POST":
        text = request.POST.get("document")
        error = None
        if text is None:
            text, error = _read_upload(request)
        try:
            if error is not None:
                raise error
            doc = _parse(text)
            if request.POST.get("action") == "apply":
                if request.POST.get("confirm") != "1":
                    raise ValidationFailed(
                        [Issue("confirm", "confirm", "请勾选确认后再应用", "tick the confirmation to apply")]
                    )
                if request.POST.get("revision") != plan.revision:  # the plan changed since the diff was shown
                    ctx["stale"] = True
                else:
                    result = apply_plan(request.user, plan, doc)
                    messages.info(request, _("已应用方案修订，当前版本 %(v)s。") % {"v": result["version"]})
                    return redirect("plan_revise")
            plan.refresh_from_db()
            diff = plan_diff(plan, doc)
            ctx.update(_diff_context(plan, diff, doc), document=text, revision=plan.revision)
        except ValidationFailed as exc:
            ctx["error"] = exc
    return render(request, "web/plan_revise.html", ctx)


@login_required
@require_POST
def target_owners(request, code: str):
    """The office sets a target's lead and co-operating departments (audited by the service)."""
    plan = require_county(request)
    _require_office_acting(request, plan)
    target = get_object_or_404(Target, plan=plan, code=code)
    by_code = {d.code: d.name for d in plan.departments.all()}
    lead = [by_code[c] for c in request.POST.getlist("lead") if c in by_code]
    coop = [by_code[c] for c in request.POST.getlist("cooperating") if c in by_code and by_code[c] not in lead]
    back = reverse("target", args=[target.code])
    try:
        services.set_assignments(request.user, target, lead, coop)
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, back)
    messages.info(request, _("已保存责任部门。"))
    return redirect(back)


@login_required
def target_allocations(request, code: str):
    """A target's units: their shares (basic and incentive values per year) and lights; the office allocates, a
    unit's department reports its value."""
    require_staff(request.user)
    plan = require_county(request)
    target = get_object_or_404(Target.objects.prefetch_related("milestones"), plan=plan, code=code)
    office = is_office(request.user) and acts_in(principal_of(request), plan)
    dept = department_of(request.user)
    back = reverse("target_allocations", args=[target.code])
    if request.method == "POST":
        if not acts_in(principal_of(request), plan):
            raise PermissionDenied
        action = request.POST.get("action")
        pct = target.unit == "fraction"

        def num(raw):
            return percent_to_fraction(raw) if pct else raw

        try:
            if action == "allocate":
                if not office:
                    raise PermissionDenied
                services.set_allocation(
                    request.user,
                    target,
                    request.POST.get("department", ""),
                    request.POST.get("year"),
                    num(request.POST.get("basic")),
                    num(request.POST.get("incentive")),
                )
                messages.info(request, _("已保存分解目标。"))
            elif action == "delete":
                if not office:
                    raise PermissionDenied
                alloc = get_object_or_404(target.allocations, pk=request.POST.get("allocation"))
                services.delete_allocation(request.user, alloc)
                messages.info(request, _("已删除分解目标。"))
            elif action == "report":
                unit = dept if not office else plan.departments.filter(code=request.POST.get("department")).first()
                if unit is None:
                    raise PermissionDenied
                services.report_unit_value(
                    request.user,
                    target,
                    unit,
                    request.POST.get("year"),
                    num(request.POST.get("value")),
                    request.POST.get("note", ""),
                )
                messages.info(request, _("已保存填报数值。"))
            else:
                raise PermissionDenied
        except ValidationFailed as exc:
            return render_issues(request, exc.issues, back)
        return redirect(back)
    statuses = unit_statuses(target)
    my_units = [s.department for s in statuses if dept is not None and s.department.pk == dept.pk]
    units = plan.departments.filter(kind__in=services.ALLOCATION_KINDS).order_by("kind", "id") if office else []
    return render(
        request,
        "web/target_allocations.html",
        {
            "plan": plan,
            "target": target,
            "statuses": statuses,
            "office": office,
            "units": units,
            "can_report": bool(my_units) or (office and statuses),
            "report_units": [s.department for s in statuses] if office else my_units,
            "years": sorted({m.year for m in target.milestones.all()}) or [plan.last_year],
        },
    )
