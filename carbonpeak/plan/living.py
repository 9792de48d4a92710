"""The plan as a living document: a changed plan file for a plan that exists is compared with the plan as stored
(`plan_diff`) and applied only when asked (`apply_plan`).

Items are matched by code (targets, tasks, projects, departments, townships, areas, project groups, periods), so
what was reported stays with its item: indicator values, unit values, task reports and their evidence are never
touched by a revision. An item the file no longer lists is removed only when nothing hangs on it; an item that
carries data is refused (named, zh/en) unless it is archived (``"archived": true`` in a file, or already archived
in the plan, when it is kept as it is). Only the keys an item carries in the file are compared (a key the file
omits is unchanged), generically, so fields other modules add to projects are compared without this module
knowing them.

Applying renews the plan's version number (``Plan.version``: 1 when loaded, +1 per applied revision) and audits
every change with it: one ``plan.revise`` entry for the plan (the whole diff) and one entry per added, changed or
removed item.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from carbonpeak.audit.services import record
from carbonpeak.plan.choices import DepartmentKind
from carbonpeak.plan.models import (
    Area,
    Department,
    Milestone,
    Period,
    Plan,
    Project,
    ProjectGroup,
    Target,
    TargetAssignment,
    Task,
    TaskAssignment,
)
from carbonpeak.plan.plan_io import (
    _assignments,
    _dec,
    check_plan_document,
    export_plan,
    milestone_fields,
    township_fields,
)
from carbonpeak.plan.revision import bump
from carbonpeak.validation import Issues, ValidationFailed

#: the sections compared item by item (file key, label zh, label en)
SECTIONS = (
    ("periods", "规划期", "periods"),
    ("departments", "部门", "departments"),
    ("townships", "乡镇（街道）", "townships"),
    ("areas", "任务领域", "task areas"),
    ("project_groups", "项目类别", "project groups"),
    ("tasks", "重点任务", "tasks"),
    ("projects", "重大项目", "projects"),
    ("targets", "目标指标", "targets"),
)
ASSIGNMENT_KEYS = ("lead_departments", "cooperating_departments")
#: related models that are the item's own structure (rewritten from the file), not data reported on it
STRUCTURE_SUFFIXES = ("Assignment", "Milestone", "Allocation")


def _canon(v: Any) -> Any:
    """A value in a form where the file's and the stored spelling of one value compare equal (300 = 300.0 =
    Decimal("300.00000000"); None = ""; a milestone number = {"value": n})."""
    if isinstance(v, bool) or v is None:
        return v if v not in ("",) else None
    if isinstance(v, (int, float, Decimal)):
        return format(Decimal(str(v)).normalize(), "f")
    if v == "":
        return None
    if isinstance(v, dict):
        return tuple(sorted((str(k), _canon(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_canon(x) for x in v)
    return v


def _milestone(v: Any) -> tuple:
    m = milestone_fields(v)
    return (_canon(m["value"]), m["qualifier"] or None, bool(m["strive"]))


def _shown(v: Any) -> Any:
    """A value as the diff prints it (JSON: numbers stay numbers)."""
    if isinstance(v, Decimal):
        n = v.normalize()
        return int(n) if n == n.to_integral_value() else float(n)
    if isinstance(v, dict):
        return {k: _shown(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_shown(x) for x in v]
    return v


def _has_data(obj: models.Model) -> list[str]:
    """What hangs on an item besides its own structure: the related models with rows (reports, values, evidence,
    anything another module links to it)."""
    found = []
    for rel in obj._meta.related_objects:
        model = rel.related_model
        if model is type(obj) or model.__name__.endswith(STRUCTURE_SUFFIXES):
            continue
        if rel.many_to_many:
            continue
        accessor = rel.get_accessor_name()
        if not accessor:
            continue
        if rel.one_to_one:
            if model.objects.filter(**{rel.field.name: obj}).exists():
                found.append(str(model._meta.verbose_name))
            continue
        if getattr(obj, accessor).exists():
            found.append(str(model._meta.verbose_name))
    return found


def _current(plan: Plan) -> dict[str, Any]:
    doc = export_plan(plan)
    return doc


def _items(doc: dict, section: str) -> dict[str, dict]:
    if section == "periods":
        return {p["code"]: p for p in doc["plan"].get("periods", [])}
    return {x["code"]: x for x in doc.get(section, []) if isinstance(x, dict)}


def _objects(plan: Plan, section: str) -> dict[str, models.Model]:
    qs = {
        "periods": plan.periods.all(),
        "departments": plan.departments.exclude(kind=DepartmentKind.TOWNSHIP),
        "townships": plan.departments.filter(kind=DepartmentKind.TOWNSHIP),
        "areas": plan.areas.all(),
        "project_groups": plan.project_groups.all(),
        "tasks": plan.tasks.all(),
        "projects": plan.projects.all(),
        "targets": plan.targets.all(),
    }[section]
    return {o.code: o for o in qs}


def plan_diff(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """What applying ``data`` to ``plan`` would change. Raises ValidationFailed when the file is malformed or is
    another county's plan. Writes nothing."""
    issues = check_plan_document(data)
    issues.raise_if_errors()
    if data["plan"]["code"] != plan.code:
        issues.add(
            "other_plan",
            "plan.code",
            f"方案文件的编码 {data['plan']['code']} 与方案 {plan.code} 不符",
            f"the file's plan code {data['plan']['code']} is not {plan.code}",
        )
        issues.raise_if_errors()
    before = _current(plan)
    out: dict[str, Any] = {
        "plan": plan.code,
        "version": plan.version,
        "next_version": plan.version + 1,
        "plan_fields": {},
        "sections": {},
        "milestones": [],
        "assignments": [],
        "refused": [],
    }
    for key, value in data["plan"].items():
        if key in ("code", "periods"):
            continue
        if _canon(before["plan"].get(key)) != _canon(value):
            out["plan_fields"][key] = [_shown(before["plan"].get(key)), _shown(value)]
    for section, label_zh, label_en in SECTIONS:
        old, new = _items(before, section), _items(data, section)
        objs = _objects(plan, section)
        sec: dict[str, list] = {"added": [], "changed": [], "removed": [], "kept_archived": []}
        for code, item in new.items():
            if code not in old:
                sec["added"].append(code)
                continue
            fields = {}
            for k, v in item.items():
                if k == "code":
                    continue
                was = old[code].get(k)
                if k in ASSIGNMENT_KEYS:
                    continue
                if k == "values" and section == "targets":
                    _milestone_diff(code, was or {}, v, out["milestones"])
                    continue
                if k == "archived" and not v and not was:
                    continue
                if _canon(was) != _canon(v):
                    fields[k] = [_shown(was), _shown(v)]
            if section in ("tasks", "targets"):
                lead_b = old[code].get("lead_departments") or []
                coop_b = old[code].get("cooperating_departments") or []
                lead_a = item.get("lead_departments", lead_b)
                coop_a = [d for d in item.get("cooperating_departments", coop_b) if d not in lead_a]
                if (lead_b, coop_b) != (lead_a, coop_a):
                    out["assignments"].append(
                        {
                            "kind": section[:-1],
                            "code": code,
                            "before": {"lead": lead_b, "cooperating": coop_b},
                            "after": {"lead": lead_a, "cooperating": coop_a},
                        }
                    )
            if fields:
                sec["changed"].append({"code": code, "fields": fields})
        for code in old:
            if code in new:
                continue
            obj = objs.get(code)
            data_on = _has_data(obj) if obj is not None and section in ("tasks", "projects", "targets") else []
            if section in ("departments", "townships") and obj is not None:
                data_on = [n for n in _has_data(obj) if n]
            if data_on and getattr(obj, "archived", False):
                sec["kept_archived"].append(code)
            elif data_on:
                name = getattr(obj, "name", None) or getattr(obj, "title", code)
                what = "、".join(sorted(set(data_on)))
                out["refused"].append(
                    {
                        "section": section,
                        "code": code,
                        "name": name,
                        "message": f"{label_zh}“{name}”（{code}）已有{what}，不能删除；"
                        "如不再执行，请在方案文件中将其标为 archived（归档）",
                        "message_en": f"{label_en} {code} ({name}) carries data ({what}) and cannot be removed; "
                        'keep it in the file with "archived": true instead',
                    }
                )
            else:
                sec["removed"].append(code)
        out["sections"][section] = sec
    out["empty"] = not (
        out["plan_fields"]
        or out["milestones"]
        or out["assignments"]
        or any(v for s in out["sections"].values() for k, v in s.items() if k != "kept_archived")
    )
    return out


def _milestone_diff(code: str, was: dict, now: dict, out: list) -> None:
    for year in sorted(set(was) | set(now)):
        a = _milestone(was[year]) if year in was else None
        b = _milestone(now[year]) if year in now else None
        if a != b:
            out.append(
                {
                    "target": code,
                    "year": int(year),
                    "before": _shown(was.get(year)),
                    "after": _shown(now.get(year)),
                }
            )


def refusal_issues(diff: dict) -> Issues:
    issues = Issues()
    for r in diff["refused"]:
        issues.add("has_data", f"{r['section']}.{r['code']}", r["message"], r["message_en"])
    return issues


def _set_fields(obj: models.Model, item: dict, skip: set[str], lookups: dict[str, dict]) -> list[str]:
    """Set every key of ``item`` that is a column of ``obj`` (foreign keys through ``lookups``: key -> {code: obj});
    returns the keys that are no column (left to their own code)."""
    unapplied = []
    for k, v in item.items():
        if k in skip:
            continue
        if k in lookups:
            setattr(obj, k, lookups[k][v])
            continue
        try:
            f = obj._meta.get_field(k)
        except FieldDoesNotExist:
            unapplied.append(k)
            continue
        if not getattr(f, "concrete", False) or f.is_relation:
            unapplied.append(k)
            continue
        if isinstance(f, models.DecimalField):
            v = _dec(v)
        elif isinstance(f, models.DateField) and isinstance(v, str):
            v = dt.date.fromisoformat(v)
        elif isinstance(f, (models.CharField, models.TextField)) and v is None:
            v = ""
        setattr(obj, f.attname, v)
    return unapplied


@transaction.atomic
def apply_plan(actor: Any, plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a changed plan file to its plan (the caller checked the actor may). Refuses (ValidationFailed,
    nothing written) a malformed file, another county's file, or removals of items that carry data."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # two revisions of one plan apply one after the other
    diff = plan_diff(plan, data)
    refusal_issues(diff).raise_if_errors()
    if diff["empty"]:
        return diff
    version = plan.version + 1
    tag = {"version": version}
    # the plan's own fields and its periods
    _set_fields(plan, data["plan"], {"code", "periods", "issued_date"}, {})
    if "issued_date" in data["plan"]:
        plan.issued_date = dt.date.fromisoformat(data["plan"]["issued_date"])
    plan.version = version
    plan.save()
    periods = _objects(plan, "periods")
    for p in data["plan"]["periods"]:
        obj = periods.get(p["code"]) or Period(plan=plan)
        _set_fields(obj, p, set(), {})
        obj.save()
    for code in diff["sections"]["periods"]["removed"]:
        periods[code].delete()

    # departments and townships (a township is a department of kind township)
    depts = {d.code: d for d in plan.departments.all()}
    for section in ("departments", "townships"):
        for d in data.get(section, []):
            obj = depts.get(d["code"]) or Department(plan=plan)
            fields = township_fields(d) if section == "townships" else d if obj.pk else {"kind": "other", **d}
            _set_fields(obj, fields, set(), {})
            obj.save()
            depts[d["code"]] = obj
    by_name = {d.name: d for d in depts.values()}

    areas = _upsert(plan, data["areas"], Area, _objects(plan, "areas"), {})
    groups = _upsert(plan, data["project_groups"], ProjectGroup, _objects(plan, "project_groups"), {})

    # tasks: fields, then assignments where they changed
    changed_assignments = {(a["kind"], a["code"]) for a in diff["assignments"]}
    tasks = _objects(plan, "tasks")
    for t in data["tasks"]:
        obj = tasks.get(t["code"]) or Task(plan=plan)
        new = obj.pk is None
        _set_fields(obj, t, {"code", *ASSIGNMENT_KEYS}, {"area": areas})
        obj.code = t["code"]
        obj.save()
        tasks[t["code"]] = obj
        if new or ("task", t["code"]) in changed_assignments:
            TaskAssignment.objects.filter(task=obj).delete()
            TaskAssignment.objects.bulk_create(_assignments(TaskAssignment, "task", obj, t, by_name))

    projects = _objects(plan, "projects")
    for x in data["projects"]:
        obj = projects.get(x["code"]) or Project(plan=plan)
        _set_fields(obj, x, {"code"}, {"group": groups})
        obj.code = x["code"]
        obj.save()

    targets = _objects(plan, "targets")
    milestone_changes = {m["target"] for m in diff["milestones"]}
    for t in data["targets"]:
        obj = targets.get(t["code"]) or Target(plan=plan)
        new = obj.pk is None
        _set_fields(obj, t, {"code", "values", "conflicts_with", *ASSIGNMENT_KEYS}, {})
        obj.code = t["code"]
        obj.save()
        targets[t["code"]] = obj
        if new or t["code"] in milestone_changes:
            years = {int(y) for y in t["values"]}
            Milestone.objects.filter(target=obj).exclude(year__in=years).delete()
            for y, v in t["values"].items():
                Milestone.objects.update_or_create(target=obj, year=int(y), defaults=milestone_fields(v))
        if new or ("target", t["code"]) in changed_assignments:
            TargetAssignment.objects.filter(target=obj).delete()
            TargetAssignment.objects.bulk_create(_assignments(TargetAssignment, "target", obj, t, by_name))
    for t in data["targets"]:
        if "conflicts_with" in t:
            other = targets.get(t["conflicts_with"]) if t["conflicts_with"] else None
            Target.objects.filter(pk=targets[t["code"]].pk).update(conflicts_with=other)

    # audit every item change with the version, before removals (a removed item is recorded while it exists)
    record(actor, "plan.revise", plan, {"version": version - 1}, {**tag, "diff": diff})
    live = {"tasks": tasks, "projects": projects, "targets": targets}
    for section, objs in live.items():
        sec = diff["sections"][section]
        for code in sec["added"]:
            record(actor, f"plan.revise.{section}.add", objs[code], None, tag)
        for ch in sec["changed"]:
            before = {k: v[0] for k, v in ch["fields"].items()}
            after = {k: v[1] for k, v in ch["fields"].items()}
            record(actor, f"plan.revise.{section}.change", objs[ch["code"]], before, {**after, **tag})
    for m in diff["milestones"]:
        record(
            actor,
            "plan.revise.milestone",
            targets[m["target"]],
            {"year": m["year"], "value": m["before"]},
            {"year": m["year"], "value": m["after"], **tag},
        )
    for a in diff["assignments"]:
        obj = (tasks if a["kind"] == "task" else targets)[a["code"]]
        record(actor, f"plan.revise.{a['kind']}.assignments", obj, a["before"], {**a["after"], **tag})

    # removals: items with nothing on them (checked above), then emptied areas/groups, then departments
    for section, objs in live.items():
        for code in diff["sections"][section]["removed"]:
            obj = objs.pop(code)
            record(actor, f"plan.revise.{section}.remove", obj, {"code": code}, tag)
            obj.delete()
    for section, objs in (("areas", areas), ("project_groups", groups)):
        for code in diff["sections"][section]["removed"]:
            obj = objs[code]
            related = obj.tasks if section == "areas" else obj.projects
            if related.exists():  # still holds an archived item kept with its data: stays
                continue
            obj.delete()
    issues = Issues()
    for section in ("departments", "townships"):
        for code in diff["sections"][section]["removed"]:
            obj = depts[code]
            try:
                with transaction.atomic():
                    TaskAssignment.objects.filter(department=obj, task__archived=False).delete()
                    TargetAssignment.objects.filter(department=obj, target__archived=False).delete()
                    record(actor, f"plan.revise.{section}.remove", obj, {"code": code, "name": obj.name}, tag)
                    obj.delete()
            except (RestrictedError, ProtectedError):
                issues.add(
                    "has_data",
                    f"{section}.{code}",
                    f"部门“{obj.name}”（{code}）仍有归档事项或填报记录，不能删除",
                    f"department {code} ({obj.name}) still has archived items or reports and cannot be removed",
                )
    issues.raise_if_errors()
    bump(plan.pk)
    diff["applied"] = True
    diff["version"] = version
    return diff


def _upsert(plan: Plan, items: list[dict], model: type[models.Model], objs: dict, lookups: dict) -> dict:
    for item in items:
        obj = objs.get(item["code"]) or model(plan=plan)
        _set_fields(obj, item, set(), lookups)
        obj.save()
        objs[item["code"]] = obj
    return objs


def import_or_revise(actor: Any, data: dict[str, Any], apply: bool) -> tuple[str, dict[str, Any]]:
    """The one entry of `carbonpeak plan import` and the office page: a new plan code loads the plan (version 1);
    an existing one gives the diff, applied only with ``apply``. Returns ("loaded"|"diff"|"applied", result)."""
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.scoring import ensure_default_rules

    code = data.get("plan", {}).get("code") if isinstance(data, dict) and isinstance(data.get("plan"), dict) else None
    plan = Plan.objects.filter(code=code).first() if isinstance(code, str) else None
    if plan is None:
        with transaction.atomic():
            plan = load_plan(data, actor)
            ensure_default_rules(plan)
        return "loaded", {"imported": plan.code, "version": plan.version}
    if not apply:
        return "diff", plan_diff(plan, data)
    return "applied", apply_plan(actor, plan, data)


def raise_refused(diff: dict) -> None:
    issues = refusal_issues(diff)
    if issues.errors:
        raise ValidationFailed(issues.items)


def _value_text(v: Any) -> str:
    """A year's value in a text line: 0.17, or 0.17（以上/不低于，力争）."""
    if v is None:
        return "无"
    if not isinstance(v, dict):
        return str(v)
    from carbonpeak.plan.choices import Qualifier

    words = [str(Qualifier(v["qualifier"]).label)] if v.get("qualifier") in Qualifier.values else []
    if v.get("strive"):
        words.append("力争")
    return f"{v.get('value')}（{'，'.join(words)}）" if words else str(v.get("value"))


def diff_lines(diff: dict) -> list[str]:
    """The diff as lines an official reads (Chinese; codes only where the item has no other name)."""
    lines = [f"方案 {diff['plan']}：当前版本 {diff['version']}" + ("（已应用）" if diff.get("applied") else "")]
    if diff.get("empty"):
        lines.append("与当前方案相同，没有变化。")
    for k, (a, b) in diff["plan_fields"].items():
        lines.append(f"方案信息 {k}：{a} → {b}")
    for section, label, _en in SECTIONS:
        sec = diff["sections"].get(section, {})
        for code in sec.get("added", []):
            lines.append(f"新增{label}：{code}")
        for ch in sec.get("changed", []):
            fields = "；".join(f"{k}：{v[0]} → {v[1]}" for k, v in ch["fields"].items())
            lines.append(f"修改{label} {ch['code']}：{fields}")
        for code in sec.get("removed", []):
            lines.append(f"删除{label}：{code}")
        for code in sec.get("kept_archived", []):
            lines.append(f"保留已归档{label}：{code}（文件未列出，数据保留）")
    for m in diff["milestones"]:
        lines.append(f"目标值 {m['target']} {m['year']}年：{_value_text(m['before'])} → {_value_text(m['after'])}")
    for a in diff["assignments"]:
        b, c = a["before"], a["after"]
        lead = f"牵头 {'、'.join(b['lead']) or '无'} → {'、'.join(c['lead']) or '无'}"
        coop = f"配合 {'、'.join(b['cooperating']) or '无'} → {'、'.join(c['cooperating']) or '无'}"
        lines.append(f"分工 {a['code']}：{lead}；{coop}")
    for r in diff["refused"]:
        lines.append(f"拒绝：{r['message']}")
    return lines
