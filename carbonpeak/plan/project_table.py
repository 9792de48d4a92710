"""The project register as a table: the Excel/CSV import (office only), the export and the Chinese template.

One row per project, keyed by its code (P01.6). A code the county does not have creates the project (its group,
name and type required); a known code with the same values is a duplicate (a re-run of the same file changes
nothing); a known code with other values is a conflict, rejected naming its line, unless the import is an
explicit update (``update=True``, ``--update``), which applies the row through the services (audited, status moves
with their history). An empty cell means "not given": it is neither compared nor changed. Departments are
separated by 、 or ；. Per-row errors carry the line, the field and a message in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from openpyxl import Workbook

from carbonpeak.accounts.permissions import require
from carbonpeak.audit.services import record
from carbonpeak.plan import projects as svc
from carbonpeak.plan.choices import ProjectStatus
from carbonpeak.plan.models import Plan, Project
from carbonpeak.plan.revision import bump
from carbonpeak.tabular import Column, Report, Table
from carbonpeak.validation import Issues, ValidationFailed

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"

PROJECTS = Table(
    "重大项目",
    (
        Column("code", "项目编码", "如 P01.6；已有编码为修改，新编码为新增", "P01.6", aliases=("编码",)),
        Column("name", "项目名称", "新增时必填", "茶陵严塘秩堂风电项目", required=False, aliases=("名称",)),
        Column("group", "项目类别", "新增时必填：类别编码（P01）或名称", "P01", required=False, aliases=("类别",)),
        Column("type", "项目类型", "新增时必填：如 风力发电、光伏发电、国土绿化", "风力发电", required=False),
        Column("clause", "出处条款", "如 三(一)1", "三(一)1", required=False),
        Column("township", "乡镇", "可不填", "严塘镇", required=False),
        Column("lead_departments", "牵头部门", "部门全称，多个用“、”分隔", "县发展改革局", required=False),
        Column("cooperating_departments", "配合部门", "部门全称，多个用“、”分隔", "县自然资源局", required=False),
        Column("size", "建设规模", "非负数", "100", required=False),
        Column("size_unit", "规模单位", "兆瓦、兆瓦时、公顷、公里、个、辆、立方米", "兆瓦", required=False),
        Column("investment_10k_yuan", "计划投资（万元）", "非负数", "80000", required=False),
        Column("actual_investment_10k_yuan", "完成投资（万元）", "非负数", "", required=False),
        Column("planned_start_date", "计划开工日期", "日期，如 2025-06-30", "2025-06-30", required=False),
        Column("actual_start_date", "实际开工日期", "日期", "", required=False),
        Column("commissioning_year", "计划投产年份", "四位年份", "2027", required=False),
        Column("planned_commissioning_date", "计划投产日期", "日期；年份须与计划投产年份一致", "", required=False),
        Column("actual_commissioning_date", "实际投产日期", "日期", "", required=False),
        Column("status", "状态", "谋划、前期、在建、投产、暂缓、取消", "前期", required=False),
        Column("status_reason", "状态说明", "暂缓、取消时必填原因", "", required=False),
        Column("nonfossil_fraction", "非化石能源比例", "0–1 的小数或百分数（60%）", "", required=False),
        Column("nonfossil_source", "非化石比例出处", "填写比例时必填", "", required=False),
    ),
    (
        "每行一个项目；同一文件再次上传不会重复计入；与已存内容不同的行列为冲突，勾选“更新已有项目”后才会修改。",
        "空单元格表示不修改该字段。",
        EXAMPLE_NOTE,
    ),
)
NOT_FIELDS = ("code", "group", "lead_departments", "cooperating_departments", "status", "status_reason")
FIELD_KEYS = [c.key for c in PROJECTS.columns if c.key not in NOT_FIELDS]
DEPT_SEP = ("、", "；", ";", ",", "，")


def _names(raw: str) -> list[str]:
    """Department names split at 、；;，, outside brackets (各乡镇（街道、办事处） stays one name)."""
    out, cur, depth = [], [], 0
    for ch in raw:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and ch in DEPT_SEP:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [n.strip() for n in out if n.strip()]


def _status(raw: str) -> str:
    by_label = {str(lbl): v for v, lbl in ProjectStatus.choices}
    return by_label.get(raw, raw)


def _share(raw: str) -> str:
    from carbonpeak.percent import percent_to_fraction

    return percent_to_fraction(raw) if raw.strip().endswith(("%", "％")) else raw


def _reject(rep: Report, line: int, exc: ValidationFailed) -> None:
    for i in exc.issues:  # a row's error names its column (lead_departments, not lead_departments[0])
        rep.reject(line, i.field.split("[")[0], i.message_zh, i.message_en)


def _given(r: dict[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in r.items() if v is not None and str(v).strip() != ""}


def _differs(p: Project, row: dict[str, str]) -> list[str]:
    """The given fields whose values differ from the project's (parsed the way the services parse them)."""
    issues = Issues()
    changes = {k: (_share(v) if k == "nonfossil_fraction" else v) for k, v in row.items() if k in FIELD_KEYS}
    parsed = svc.check_fields(p, changes, issues)
    out = [k for k, v in parsed.items() if k in changes and getattr(p, k) != v]
    if issues.errors:
        raise ValidationFailed(issues.errors)
    svc.check_departments(
        p.plan, _names(row.get("lead_departments", "")), _names(row.get("cooperating_departments", "")), issues
    )
    if issues.errors:
        raise ValidationFailed(issues.errors)
    depts = svc.assignment_snapshot(p)
    for key, role in (("lead_departments", "lead"), ("cooperating_departments", "cooperating")):
        if key in row and _names(row[key]) != depts[role]:
            out.append(key)
    if "status" in row and _status(row["status"]) != p.status:
        out.append("status")
    return out


def import_projects(actor: Any, plan: Plan, rows: Iterable[tuple[int, dict[str, str]]], update: bool = False) -> Report:
    """Import the register (office of ``plan`` only); see the module's docstring."""
    require(svc.manages(actor, plan))
    rep = Report()
    seen: dict[str, tuple[int, dict[str, str]]] = {}
    groups = {g.code: g for g in plan.project_groups.all()} | {g.name: g for g in plan.project_groups.all()}
    for n, raw in rows:
        row = _given(raw)
        code = row.get("code", "")
        if not code:
            rep.reject(n, "code", "项目编码：必填", "code: required")
            continue
        if len(code) > 20:
            rep.reject(n, "code", "项目编码：最多 20 个字", "code: at most 20 characters")
            continue
        if code in seen:
            if seen[code][1] == row:
                rep.duplicates += 1
            else:
                rep.reject(
                    n, "code", f"项目编码：与第 {seen[code][0]} 行相同但内容不同", f"code: as line {seen[code][0]}"
                )
            continue
        seen[code] = (n, row)
        try:
            with transaction.atomic():
                _one(actor, plan, n, row, groups, rep, update)
        except ValidationFailed as exc:
            _reject(rep, n, exc)
    return rep


def _one(actor: Any, plan: Plan, n: int, row: dict[str, str], groups: dict, rep: Report, update: bool) -> None:
    p = Project.objects.filter(plan=plan, code=row["code"]).first()
    if p is None:
        issues = Issues()
        for key, zh in (("name", "项目名称"), ("group", "项目类别"), ("type", "项目类型")):
            if key not in row:
                issues.add("required", key, f"{zh}：新增项目时必填", f"{key}: required for a new project")
        if "group" in row and row["group"] not in groups:
            issues.add(
                "unknown_group", "group", f"项目类别：未知类别“{row['group']}”", f"group: unknown {row['group']!r}"
            )
        issues.raise_if_errors()
        group = groups[row["group"]]
        number = (group.projects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        p = Project.objects.create(
            plan=plan, group=group, code=row["code"], number=number, name=row["name"], type=svc.ProjectType.OTHER
        )
        record(actor, "project.create", p, None, {"code": p.code, "name": p.name, "group": group.code})
        bump(plan.pk)
        _apply(actor, p, row, svc.EDITABLE)
        rep.accepted += 1
        return
    differs = _differs(p, row)
    if not differs:
        rep.duplicates += 1
        return
    if not update:
        zh = {c.key: c.zh for c in PROJECTS.columns}
        rep.reject(
            n,
            differs[0],
            f"项目 {p.code} 已存在且{'、'.join(zh[k] for k in differs)}与已存内容不同；如需修改请选择更新已有项目",
            f"project {p.code} exists with other values ({', '.join(differs)}); import as an update to change it",
        )
        return
    _apply(actor, p, row, differs)
    rep.accepted += 1


def _apply(actor: Any, p: Project, row: dict[str, str], keys: Iterable[str]) -> None:
    keys = set(keys)
    changes = {k: (_share(v) if k == "nonfossil_fraction" else v) for k, v in row.items() if k in FIELD_KEYS}
    changes = {k: v for k, v in changes.items() if k in keys}
    if changes:
        svc.update_project(actor, p, changes)
    if {"lead_departments", "cooperating_departments"} & set(row):
        now = svc.assignment_snapshot(p)
        lead = _names(row["lead_departments"]) if "lead_departments" in row else now["lead"]
        coop = _names(row["cooperating_departments"]) if "cooperating_departments" in row else now["cooperating"]
        if (lead, coop) != (now["lead"], now["cooperating"]):
            svc.set_project_departments(actor, p, lead, coop)
    if "status" in row:
        p.refresh_from_db()
        svc.change_status(actor, p, _status(row["status"]), row.get("status_reason", ""))


def export_rows(plan: Plan) -> list[list[Any]]:
    out = []
    for p in plan.projects.select_related("group").prefetch_related("assignments__department"):
        d = svc.assignment_snapshot(p)
        out.append(
            [
                p.code,
                p.name,
                p.group.code,
                p.get_type_display(),
                p.clause,
                p.township,
                "、".join(d["lead"]),
                "、".join(d["cooperating"]),
                _cell(p.size),
                p.get_size_unit_display() if p.size_unit else "",
                _cell(p.investment_10k_yuan),
                _cell(p.actual_investment_10k_yuan),
                _cell(p.planned_start_date),
                _cell(p.actual_start_date),
                p.commissioning_year or "",
                _cell(p.planned_commissioning_date),
                _cell(p.actual_commissioning_date),
                p.get_status_display(),
                p.status_reason,
                _cell(p.nonfossil_fraction),
                p.nonfossil_source,
            ]
        )
    return out


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return format(v.normalize(), "f")


def register_workbook(plan: Plan) -> Workbook:
    """The register in the import's own layout (Chinese headers): exported, edited, imported back."""
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = PROJECTS.title
    ws.append([c.zh for c in PROJECTS.columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in export_rows(plan):
        ws.append(row)
    ws.freeze_panes = "A2"
    return wb
