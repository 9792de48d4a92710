"""Plan files in and out (format `carbonpeak.plan/1`, the shipped data file and the export are the same).

`load_plan(data)` validates the whole document first (every error, with its JSON path) and then writes it in
one transaction: a malformed file stores nothing. `export_plan(plan)` returns the same document, so importing
an export into an empty database reproduces it exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from carbonpeak.audit.services import record
from carbonpeak.core import numbers
from carbonpeak.plan.choices import (
    LEGACY_PROJECT_STATUS,
    AssignmentRole,
    DepartmentKind,
    Direction,
    Indicator,
    ProjectStatus,
    ProjectType,
    ProjectUnit,
    Qualifier,
    TargetKind,
    TargetUnit,
    TaskStatus,
)
from carbonpeak.plan.models import (
    Area,
    Department,
    Milestone,
    Period,
    Plan,
    Project,
    ProjectAssignment,
    ProjectGroup,
    Target,
    TargetAssignment,
    Task,
    TaskAssignment,
)
from carbonpeak.validation import Issues, ValidationFailed

FORMAT = "carbonpeak.plan/1"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "plans"

PLAN_KEYS = {
    "code": str,
    "county": str,
    "county_en": str,
    "division_code": str,
    "province": str,
    "city": str,
    "title": str,
    "title_en": str,
    "issuer": str,
    "issued_date": str,
    "issued_date_note": (str, type(None)),
    "base_year": int,
    "peak_year": int,
    "periods": list,
    "grid": str,
    "round_intensity_dp": (int, type(None)),
}
PLAN_REQUIRED = {"code", "county", "title", "issuer", "issued_date", "base_year", "peak_year", "periods"}
PERIOD_KEYS = {"code": str, "name": str, "name_en": str, "start_year": int, "end_year": int}
DEPARTMENT_KEYS = {"code": str, "name": str, "name_en": str, "kind": str}
#: the county's townships (乡镇、街道): each becomes a department of kind ``township`` that can be assigned
#: tasks, targets and projects; a clause assigned to 各乡镇 (kind ``township_collective``) is reported per township
TOWNSHIP_KEYS = {"code": str, "name": str, "name_en": str, "division_code": (str, type(None))}
#: a target's value for a year: a number, or an object with the year's own wording
MILESTONE_KEYS = {"value": "number?", "qualifier": str, "strive": bool}
AREA_KEYS = {"code": str, "number": int, "name": str, "name_en": str}
TASK_KEYS = {
    "code": str,
    "area": str,
    "number": int,
    "title": str,
    "title_en": str,
    "text": str,
    "lead_departments": list,
    "cooperating_departments": list,
    "townships": list,
    "assignment_text": (str, type(None)),
    "note": (str, type(None)),
    "status": str,
    "archived": bool,
}
GROUP_KEYS = AREA_KEYS
PROJECT_KEYS = {
    "code": str,
    "group": str,
    "number": int,
    "name": str,
    "name_en": str,
    "type": str,
    "text": str,
    "township": (str, type(None)),
    "capacity_mw": "number?",
    "investment_10k_yuan": "number?",
    "commissioning_year": (int, type(None)),
    "status": str,
    "expected_effect": (str, type(None)),
    # issue 16: the project register (docs/zh/plan-format.md)
    "clause": (str, type(None)),
    "lead_departments": list,
    "cooperating_departments": list,
    "size": "number?",
    "size_unit": (str, type(None)),
    "actual_investment_10k_yuan": "number?",
    "planned_start_date": (str, type(None)),
    "actual_start_date": (str, type(None)),
    "planned_commissioning_date": (str, type(None)),
    "actual_commissioning_date": (str, type(None)),
    "status_reason": (str, type(None)),
    "nonfossil_fraction": "number?",
    "nonfossil_source": (str, type(None)),
    "archived": bool,
}
PROJECT_DATES = ("planned_start_date", "actual_start_date", "planned_commissioning_date", "actual_commissioning_date")
TARGET_KEYS = {
    "code": str,
    "name": str,
    "name_en": str,
    "unit": str,
    "direction": str,
    "kind": str,
    "baseline_year": (int, type(None)),
    "baseline_value": "number?",
    "values": dict,
    "qualifier": str,
    "lead_departments": list,
    "cooperating_departments": list,
    "source": str,
    "source_text": str,
    "note": (str, type(None)),
    "conflicts_with": (str, type(None)),
    "indicator": (str, type(None)),
    "archived": bool,
}
TOP_KEYS = {"format", "plan", "departments", "townships", "areas", "tasks", "project_groups", "projects", "targets"}
OPTIONAL_TOP_KEYS = {"format", "townships"}


def read_plan_file(path: Path | str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        issues = Issues()
        issues.add("unreadable", "", f"无法读取方案文件：{exc}", f"cannot read the plan file: {exc}")
        raise ValidationFailed(issues.items) from exc
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        issues = Issues()
        issues.add(
            "malformed_json",
            f"line {exc.lineno}",
            f"方案文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}",
            f"the plan file is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
        )
        raise ValidationFailed(issues.items) from exc


def _is_number(v: Any) -> bool:
    """A number (not a text) within the one grammar's bounds (core.numbers: finite, no 1e30)."""
    if not isinstance(v, (int, Decimal, float)) or isinstance(v, bool):
        return False
    try:
        numbers.to_decimal(v)
    except numbers.NumberError:
        return False
    return True


def _check_object(obj: Any, spec: dict, required: set[str], path: str, issues: Issues) -> bool:
    if not isinstance(obj, dict):
        issues.add("not_object", path, f"{path} 应为对象", f"{path} must be an object")
        return False
    for key in obj:
        if key not in spec:
            issues.add("unknown_key", f"{path}.{key}", f"未知字段 {path}.{key}", f"unknown key {path}.{key}")
    for key in required:
        if key not in obj:
            issues.add("missing", f"{path}.{key}", f"缺少字段 {path}.{key}", f"missing key {path}.{key}")
    for key, kind in spec.items():
        if key not in obj:
            continue
        v = obj[key]
        if kind == "number?":
            ok = v is None or _is_number(v)
        elif kind is int:
            ok = isinstance(v, int) and not isinstance(v, bool)
        else:
            ok = isinstance(v, kind)
        if not ok:
            issues.add(
                "wrong_type",
                f"{path}.{key}",
                f"字段 {path}.{key} 的类型不正确：{v!r}",
                f"{path}.{key} has the wrong type: {v!r}",
            )
    return True


def _choice(value: Any, choices: type, path: str, issues: Issues) -> None:
    if isinstance(value, str) and value not in choices.values:
        allowed = ", ".join(choices.values)
        issues.add(
            "bad_choice",
            path,
            f"{path} 的取值 {value!r} 无效，可选：{allowed}",
            f"{path}: {value!r} is not one of {allowed}",
        )


def check_plan_document(data: Any) -> Issues:
    """Every problem of a plan document, each with its JSON path. Writes nothing."""
    issues = Issues()
    if not isinstance(data, dict):
        issues.add("not_object", "", "方案文件应为 JSON 对象", "the plan file must be a JSON object")
        return issues
    for key in data:
        if key not in TOP_KEYS:
            issues.add("unknown_key", key, f"未知字段 {key}", f"unknown key {key}")
    if data.get("format") != FORMAT:
        issues.add("bad_format", "format", f"format 应为 {FORMAT}", f"format must be {FORMAT}")
    for key in TOP_KEYS - OPTIONAL_TOP_KEYS:
        if key not in data:
            issues.add("missing", key, f"缺少 {key}", f"missing {key}")
    if issues.errors:
        return issues

    plan = data["plan"]
    first_year = last_year = None
    if _check_object(plan, PLAN_KEYS, PLAN_REQUIRED, "plan", issues):
        try:
            dt.date.fromisoformat(str(plan.get("issued_date")))
        except ValueError:
            issues.add("bad_date", "plan.issued_date", "印发日期应为 YYYY-MM-DD", "issued_date must be YYYY-MM-DD")
        periods = plan.get("periods") if isinstance(plan.get("periods"), list) else []
        for i, p in enumerate(periods):
            p_path = f"plan.periods[{i}]"
            if _check_object(p, PERIOD_KEYS, {"code", "name", "start_year", "end_year"}, p_path, issues):
                s, e = p.get("start_year"), p.get("end_year")
                if isinstance(s, int) and isinstance(e, int):
                    if e < s:
                        issues.add(
                            "bad_period", p_path, f"{p_path} 结束年早于起始年", f"{p_path} ends before it starts"
                        )
                    first_year = s if first_year is None else min(first_year, s)
                    last_year = e if last_year is None else max(last_year, e)
        dp = plan.get("round_intensity_dp")
        if isinstance(dp, int) and not 0 <= dp <= 12:
            issues.add(
                "out_of_range",
                "plan.round_intensity_dp",
                "plan.round_intensity_dp：应为 0–12 的整数",
                "plan.round_intensity_dp: must be an integer from 0 to 12",
            )
        if not periods:
            issues.add("missing", "plan.periods", "方案至少应有一个规划期", "the plan needs at least one period")

    dept_names: set[str] = set()
    dept_codes: set[str] = set()
    for i, d in enumerate(_list(data, "departments", issues)):
        path = f"departments[{i}]"
        if _check_object(d, DEPARTMENT_KEYS, {"code", "name"}, path, issues):
            _choice(d.get("kind", "other"), DepartmentKind, f"{path}.kind", issues)
            _unique(d.get("name"), dept_names, f"{path}.name", issues)
            _unique(d.get("code"), dept_codes, f"{path}.code", issues)
    townships = data.get("townships", [])
    if not isinstance(townships, list):
        issues.add("not_list", "townships", "townships 应为数组", "townships must be an array")
        townships = []
    for i, d in enumerate(townships):
        path = f"townships[{i}]"
        if _check_object(d, TOWNSHIP_KEYS, {"code", "name"}, path, issues):
            _unique(d.get("name"), dept_names, f"{path}.name", issues)
            _unique(d.get("code"), dept_codes, f"{path}.code", issues)

    def check_departments(obj: dict, path: str) -> None:
        for key in ("lead_departments", "cooperating_departments"):
            names = obj.get(key) if isinstance(obj.get(key), list) else []
            for j, name in enumerate(names):
                if name not in dept_names:
                    issues.add(
                        "unknown_department",
                        f"{path}.{key}[{j}]",
                        f"{path}.{key}[{j}]：未知部门“{name}”（须先在 departments 中列出）",
                        f"{path}.{key}[{j}]: unknown department {name!r} (list it in departments first)",
                    )

    area_codes: set[str] = set()
    for i, a in enumerate(_list(data, "areas", issues)):
        if _check_object(a, AREA_KEYS, {"code", "number", "name"}, f"areas[{i}]", issues):
            _unique(a.get("code"), area_codes, f"areas[{i}].code", issues)
    task_codes: set[str] = set()
    for i, t in enumerate(_list(data, "tasks", issues)):
        path = f"tasks[{i}]"
        if _check_object(t, TASK_KEYS, {"code", "area", "number", "title", "text", "lead_departments"}, path, issues):
            _unique(t.get("code"), task_codes, f"{path}.code", issues)
            if t.get("area") not in area_codes:
                issues.add(
                    "unknown_area",
                    f"{path}.area",
                    f"{path}.area：未知任务领域 {t.get('area')!r}",
                    f"{path}.area: unknown area {t.get('area')!r}",
                )
            _choice(t.get("status", TaskStatus.NOT_STARTED), TaskStatus, f"{path}.status", issues)
            check_departments(t, path)
    group_codes: set[str] = set()
    for i, g in enumerate(_list(data, "project_groups", issues)):
        if _check_object(g, GROUP_KEYS, {"code", "number", "name"}, f"project_groups[{i}]", issues):
            _unique(g.get("code"), group_codes, f"project_groups[{i}].code", issues)
    project_codes: set[str] = set()
    for i, p in enumerate(_list(data, "projects", issues)):
        path = f"projects[{i}]"
        if _check_object(p, PROJECT_KEYS, {"code", "group", "number", "name", "type"}, path, issues):
            _unique(p.get("code"), project_codes, f"{path}.code", issues)
            if p.get("group") not in group_codes:
                issues.add(
                    "unknown_group",
                    f"{path}.group",
                    f"{path}.group：未知项目类别 {p.get('group')!r}",
                    f"{path}.group: unknown project group {p.get('group')!r}",
                )
            _choice(p.get("type"), ProjectType, f"{path}.type", issues)
            status = LEGACY_PROJECT_STATUS.get(p.get("status"), p.get("status", ProjectStatus.CONCEIVED))
            _choice(status, ProjectStatus, f"{path}.status", issues)
            _check_project_register(p, path, issues)
            check_departments(p, path)
            cap = p.get("capacity_mw")
            if _is_number(cap) and Decimal(str(cap)) < 0:
                issues.add(
                    "negative",
                    f"{path}.capacity_mw",
                    f"{path}.capacity_mw：装机容量不能为负数",
                    f"{path}.capacity_mw: capacity cannot be negative",
                )
            inv = p.get("investment_10k_yuan")
            if _is_number(inv) and Decimal(str(inv)) < 0:
                issues.add(
                    "negative",
                    f"{path}.investment_10k_yuan",
                    f"{path}.investment_10k_yuan：投资不能为负数",
                    f"{path}.investment_10k_yuan: investment cannot be negative",
                )
    target_codes: set[str] = set()
    targets = _list(data, "targets", issues)
    for i, t in enumerate(targets):
        path = f"targets[{i}]"
        if not _check_object(t, TARGET_KEYS, {"code", "name", "unit", "direction", "values", "source"}, path, issues):
            continue
        _unique(t.get("code"), target_codes, f"{path}.code", issues)
        _choice(t.get("unit"), TargetUnit, f"{path}.unit", issues)
        _choice(t.get("direction"), Direction, f"{path}.direction", issues)
        _choice(t.get("kind", TargetKind.GOAL), TargetKind, f"{path}.kind", issues)
        _choice(t.get("qualifier", Qualifier.EXACT), Qualifier, f"{path}.qualifier", issues)
        if t.get("indicator") is not None:
            _choice(t.get("indicator"), Indicator, f"{path}.indicator", issues)
            want = INDICATOR_UNITS.get(t.get("indicator"), TargetUnit.FRACTION)
            if t.get("indicator") in Indicator.values and t.get("unit") != want:
                issues.add(
                    "indicator_unit",
                    f"{path}.indicator",
                    f"{path}.indicator：该核算指标的单位应为 {want}",
                    f"{path}.indicator: this indicator is measured in {want}; the target's unit must be {want}",
                )
        check_departments(t, path)
        values = t.get("values") if isinstance(t.get("values"), dict) else {}
        for year, v in values.items():
            vpath = f"{path}.values.{year}"
            if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                issues.add("bad_year", vpath, f"{vpath}：年份应为四位数字", f"{vpath}: the year must be four digits")
                continue
            if first_year is not None and not (first_year <= int(year) <= last_year):
                issues.add(
                    "year_outside_plan",
                    vpath,
                    f"{vpath}：年份不在方案期 {first_year}–{last_year} 内",
                    f"{vpath}: year outside the plan's periods {first_year}-{last_year}",
                )
            if isinstance(v, dict):
                if _check_object(v, MILESTONE_KEYS, {"value"}, vpath, issues):
                    if "qualifier" in v:
                        _choice(v["qualifier"], Qualifier, f"{vpath}.qualifier", issues)
                    check_target_value(t.get("unit"), v.get("value"), f"{vpath}.value", issues)
                continue
            check_target_value(t.get("unit"), v, vpath, issues)
        if t.get("baseline_value") is not None:
            check_target_value(t.get("unit"), t.get("baseline_value"), f"{path}.baseline_value", issues)
    for i, t in enumerate(targets):
        other = t.get("conflicts_with") if isinstance(t, dict) else None
        if other is not None and other not in target_codes:
            issues.add(
                "unknown_target", f"targets[{i}].conflicts_with", f"未知指标 {other!r}", f"unknown target {other!r}"
            )
    return issues


#: the unit a computed indicator is pushed in (every other indicator is a fraction)
INDICATOR_UNITS = {
    Indicator.NEW_ENERGY_CAPACITY: TargetUnit.MW,
    Indicator.FOREST_STOCK: TargetUnit.M3,
    Indicator.GAS_STORAGE_DAYS: TargetUnit.DAYS,
    Indicator.COAL_CONSUMPTION: TargetUnit.TCE,
}

#: indicators that are rates of change: a value may be negative (intensity rose, consumption fell)
SIGNED_INDICATORS = frozenset(
    {
        Indicator.ENERGY_INTENSITY_REDUCTION,
        Indicator.CO2_INTENSITY_REDUCTION,
        Indicator.REFINED_OIL_GROWTH,
        Indicator.OPERATING_VEHICLE_ENERGY_REDUCTION,
        Indicator.OPERATING_VEHICLE_CO2_REDUCTION,
    }
)


def check_target_value(unit: Any, value: Any, path: str, issues: Issues, signed: bool = False) -> None:
    """A value fits its target's unit: a number; fractions within 0-1 (-1 to 1 for a rate of change,
    ``signed``); no negative MW, days, tce, m3."""
    if not _is_number(value):
        issues.add(
            "not_number",
            path,
            f"{path}：应为有限数值，收到 {value!r}",
            f"{path}: must be a finite number, got {value!r}",
        )
        return
    d = numbers.to_decimal(value)
    if unit == TargetUnit.FRACTION and signed and not (Decimal(-1) <= d <= Decimal(1)):
        issues.add(
            "fraction_range",
            path,
            f"{path}：变化率应在 -1 到 1 之间（3% 写作 0.03），收到 {value}",
            f"{path}: a rate of change must be between -1 and 1 (3 % is 0.03), got {value}",
        )
    elif unit == TargetUnit.FRACTION and not signed and not (Decimal(0) <= d <= Decimal(1)):
        issues.add(
            "fraction_range",
            path,
            f"{path}：比例应在 0 到 1 之间（20% 写作 0.2），收到 {value}",
            f"{path}: a share must be between 0 and 1 (20 % is 0.2), got {value}",
        )
    elif (
        unit in {TargetUnit.MW, TargetUnit.DAYS, TargetUnit.TCE, TargetUnit.M3, TargetUnit.COUNT, TargetUnit.KM}
        and d < 0
    ):
        issues.add("negative", path, f"{path}：不能为负数，收到 {value}", f"{path}: cannot be negative, got {value}")


def _list(data: dict, key: str, issues: Issues) -> list:
    v = data.get(key)
    if not isinstance(v, list):
        issues.add("not_list", key, f"{key} 应为数组", f"{key} must be an array")
        return []
    return v


def _unique(value: Any, seen: set, path: str, issues: Issues) -> None:
    if value in seen:
        issues.add("duplicate", path, f"{path}：重复的取值 {value!r}", f"{path}: duplicate value {value!r}")
    seen.add(value)


def _check_project_register(p: dict, path: str, issues: Issues) -> None:
    """The register keys of one project (issue 16): dates, the size's unit, shares 0–1, no negative amounts."""
    if p.get("size_unit") is not None:
        _choice(p.get("size_unit"), ProjectUnit, f"{path}.size_unit", issues)
    if p.get("size") is not None and not p.get("size_unit"):
        issues.add(
            "required", f"{path}.size_unit", f"{path}.size_unit：填写 size 时须注明单位", f"{path}.size_unit: required"
        )
    for key in ("size", "actual_investment_10k_yuan"):
        if _is_number(p.get(key)) and Decimal(str(p[key])) < 0:
            issues.add("negative", f"{path}.{key}", f"{path}.{key}：不能为负数", f"{path}.{key}: cannot be negative")
    share = p.get("nonfossil_fraction")
    if _is_number(share) and not 0 <= Decimal(str(share)) <= 1:
        issues.add("range", f"{path}.nonfossil_fraction", f"{path}.nonfossil_fraction：应在 0–1 之间", f"{path}: 0–1")
    if share is not None and not (p.get("nonfossil_source") or "").strip():
        issues.add(
            "required",
            f"{path}.nonfossil_source",
            f"{path}.nonfossil_source：非化石比例须注明出处",
            f"{path}.nonfossil_source: a source is required with nonfossil_fraction",
        )
    for key in PROJECT_DATES:
        raw = p.get(key)
        if isinstance(raw, str) and _date(raw) is None:
            issues.add("bad_date", f"{path}.{key}", f"{path}.{key}：日期应为 2025-06-30 格式", f"{path}.{key}: date")


def _date(raw: Any) -> dt.date | None:
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _dec(v: Any) -> Decimal | None:
    if v is None:
        return None
    try:
        return numbers.to_decimal(v)
    except numbers.NumberError:  # pragma: no cover - checked before
        return None


@transaction.atomic
def load_plan(data: dict[str, Any], actor: Any = None) -> Plan:
    """Validate then create the plan. Raises ValidationFailed (nothing written) on any error,
    including a plan code that already exists."""
    issues = check_plan_document(data)
    if not issues.errors and Plan.objects.filter(code=data["plan"]["code"]).exists():
        issues.add(
            "exists", "plan.code", f"方案 {data['plan']['code']} 已存在", f"plan {data['plan']['code']} already exists"
        )
    issues.raise_if_errors()
    p = data["plan"]
    plan = Plan.objects.create(
        code=p["code"],
        county=p["county"],
        county_en=p.get("county_en", ""),
        division_code=p.get("division_code", ""),
        province=p.get("province", ""),
        city=p.get("city", ""),
        title=p["title"],
        title_en=p.get("title_en", ""),
        issuer=p["issuer"],
        issued_date=dt.date.fromisoformat(p["issued_date"]),
        issued_date_note=p.get("issued_date_note") or "",
        base_year=p["base_year"],
        peak_year=p["peak_year"],
        grid=p.get("grid", ""),
        round_intensity_dp=p.get("round_intensity_dp"),
    )
    Period.objects.bulk_create(
        Period(
            plan=plan,
            code=x["code"],
            name=x["name"],
            name_en=x.get("name_en", ""),
            start_year=x["start_year"],
            end_year=x["end_year"],
        )
        for x in p["periods"]
    )
    depts = {
        d["name"]: Department.objects.create(
            plan=plan, code=d["code"], name=d["name"], name_en=d.get("name_en", ""), kind=d.get("kind", "other")
        )
        for d in data["departments"]
    }
    for d in data.get("townships", []):
        depts[d["name"]] = Department.objects.create(plan=plan, **township_fields(d))
    areas = {
        a["code"]: Area.objects.create(
            plan=plan, code=a["code"], number=a["number"], name=a["name"], name_en=a.get("name_en", "")
        )
        for a in data["areas"]
    }
    for t in data["tasks"]:
        task = Task.objects.create(
            plan=plan,
            area=areas[t["area"]],
            code=t["code"],
            number=t["number"],
            title=t["title"],
            title_en=t.get("title_en", ""),
            text=t["text"],
            assignment_text=t.get("assignment_text") or "",
            townships=t.get("townships", []),
            note=t.get("note") or "",
            status=t.get("status", TaskStatus.NOT_STARTED),
            archived=t.get("archived", False),
        )
        TaskAssignment.objects.bulk_create(_assignments(TaskAssignment, "task", task, t, depts))
    groups = {
        g["code"]: ProjectGroup.objects.create(
            plan=plan, code=g["code"], number=g["number"], name=g["name"], name_en=g.get("name_en", "")
        )
        for g in data["project_groups"]
    }
    for x in data["projects"]:
        size, unit = _dec(x.get("size")), x.get("size_unit") or ""
        if size is None and x.get("capacity_mw") is not None:
            size, unit = _dec(x.get("capacity_mw")), ProjectUnit.MW
        project = Project.objects.create(
            plan=plan,
            group=groups[x["group"]],
            code=x["code"],
            number=x["number"],
            name=x["name"],
            name_en=x.get("name_en", ""),
            type=x["type"],
            clause=x.get("clause") or "",
            text=x.get("text", ""),
            township=x.get("township") or "",
            capacity_mw=size if unit == ProjectUnit.MW else None,
            size=size,
            size_unit=unit,
            investment_10k_yuan=_dec(x.get("investment_10k_yuan")),
            actual_investment_10k_yuan=_dec(x.get("actual_investment_10k_yuan")),
            commissioning_year=x.get("commissioning_year"),
            **{key: _date(x.get(key)) for key in PROJECT_DATES},
            status=LEGACY_PROJECT_STATUS.get(x.get("status"), x.get("status", ProjectStatus.CONCEIVED)),
            status_reason=x.get("status_reason") or "",
            expected_effect=x.get("expected_effect") or "",
            nonfossil_fraction=_dec(x.get("nonfossil_fraction")),
            nonfossil_source=x.get("nonfossil_source") or "",
            archived=x.get("archived", False),
        )
        ProjectAssignment.objects.bulk_create(_assignments(ProjectAssignment, "project", project, x, depts))
    targets = {}
    for t in data["targets"]:
        target = Target.objects.create(
            plan=plan,
            code=t["code"],
            name=t["name"],
            name_en=t.get("name_en", ""),
            unit=t["unit"],
            direction=t["direction"],
            kind=t.get("kind", TargetKind.GOAL),
            qualifier=t.get("qualifier", Qualifier.EXACT),
            baseline_year=t.get("baseline_year"),
            baseline_value=_dec(t.get("baseline_value")),
            source=t["source"],
            source_text=t.get("source_text", ""),
            note=t.get("note") or "",
            indicator=t.get("indicator") or "",
            archived=t.get("archived", False),
        )
        targets[t["code"]] = target
        Milestone.objects.bulk_create(
            Milestone(target=target, year=int(y), **milestone_fields(v)) for y, v in t["values"].items()
        )
        TargetAssignment.objects.bulk_create(_assignments(TargetAssignment, "target", target, t, depts))
    for t in data["targets"]:
        if t.get("conflicts_with"):
            Target.objects.filter(pk=targets[t["code"]].pk).update(conflicts_with=targets[t["conflicts_with"]])
    record(
        actor,
        "plan.import",
        plan,
        None,
        {"tasks": len(data["tasks"]), "targets": len(data["targets"]), "projects": len(data["projects"])},
    )
    return plan


def township_fields(d: dict) -> dict:
    """A ``townships`` entry as Department fields (kind township)."""
    return {
        "code": d["code"],
        "name": d["name"],
        "name_en": d.get("name_en", ""),
        "division_code": d.get("division_code") or "",
        "kind": DepartmentKind.TOWNSHIP,
    }


def milestone_fields(v: Any) -> dict:
    """A ``values`` entry (a number, or {value, qualifier, strive}) as Milestone fields."""
    if isinstance(v, dict):
        return {"value": _dec(v["value"]), "qualifier": v.get("qualifier", ""), "strive": v.get("strive", False)}
    return {"value": _dec(v), "qualifier": "", "strive": False}


def milestone_out(m: Milestone) -> Any:
    """A milestone as the file writes it: a plain number unless the year has its own wording."""
    if not m.qualifier and not m.strive:
        return _num(m.value)
    out: dict[str, Any] = {"value": _num(m.value)}
    if m.qualifier:
        out["qualifier"] = m.qualifier
    if m.strive:
        out["strive"] = True
    return out


def _assignments(model, fk: str, obj, item: dict, depts: dict) -> list:
    rows = []
    for pos, name in enumerate(item.get("lead_departments", [])):
        rows.append(model(**{fk: obj}, department=depts[name], role=AssignmentRole.LEAD, position=pos))
    for pos, name in enumerate(item.get("cooperating_departments", [])):
        if name not in item.get("lead_departments", []):
            rows.append(model(**{fk: obj}, department=depts[name], role=AssignmentRole.COOPERATING, position=pos))
    return rows


def _num(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    n = v.normalize()
    return int(n) if n == n.to_integral_value() else float(n)


def _split(assignments) -> tuple[list[str], list[str]]:
    rows = sorted(assignments, key=lambda a: (a.role != AssignmentRole.LEAD, a.position))
    return (
        [a.department.name for a in rows if a.role == AssignmentRole.LEAD],
        [a.department.name for a in rows if a.role == AssignmentRole.COOPERATING],
    )


def export_plan(plan: Plan) -> dict[str, Any]:
    tasks = plan.tasks.select_related("area").prefetch_related("assignments__department").order_by("id")
    targets = plan.targets.select_related("conflicts_with").prefetch_related("milestones", "assignments__department")
    out_tasks = []
    for t in tasks:
        lead, coop = _split(t.assignments.all())
        out_tasks.append(
            {
                "code": t.code,
                "area": t.area.code,
                "number": t.number,
                "title": t.title,
                "title_en": t.title_en,
                "text": t.text,
                "lead_departments": lead,
                "cooperating_departments": coop,
                "townships": t.townships,
                "assignment_text": t.assignment_text or None,
                "note": t.note or None,
                "status": t.status,
                **({"archived": True} if t.archived else {}),
            }
        )
    out_targets = []
    for t in targets.order_by("id"):
        lead, coop = _split(t.assignments.all())
        out_targets.append(
            {
                "code": t.code,
                "name": t.name,
                "name_en": t.name_en,
                "unit": t.unit,
                "direction": t.direction,
                "kind": t.kind,
                "qualifier": t.qualifier,
                "baseline_year": t.baseline_year,
                "baseline_value": _num(t.baseline_value),
                "values": {str(m.year): milestone_out(m) for m in t.milestones.all()},
                "lead_departments": lead,
                "cooperating_departments": coop,
                "source": t.source,
                "source_text": t.source_text,
                "note": t.note or None,
                "conflicts_with": t.conflicts_with.code if t.conflicts_with else None,
                "indicator": t.indicator or None,
                **({"archived": True} if t.archived else {}),
            }
        )
    return {
        "format": FORMAT,
        "plan": {
            "code": plan.code,
            "county": plan.county,
            "county_en": plan.county_en,
            "division_code": plan.division_code,
            "province": plan.province,
            "city": plan.city,
            "title": plan.title,
            "title_en": plan.title_en,
            "issuer": plan.issuer,
            "issued_date": plan.issued_date.isoformat(),
            "issued_date_note": plan.issued_date_note or None,
            "base_year": plan.base_year,
            "peak_year": plan.peak_year,
            "grid": plan.grid,
            "round_intensity_dp": plan.round_intensity_dp,
            "periods": [
                {
                    "code": p.code,
                    "name": p.name,
                    "name_en": p.name_en,
                    "start_year": p.start_year,
                    "end_year": p.end_year,
                }
                for p in plan.periods.all()
            ],
        },
        "departments": [
            {"code": d.code, "name": d.name, "name_en": d.name_en, "kind": d.kind}
            for d in plan.departments.exclude(kind=DepartmentKind.TOWNSHIP).order_by("id")
        ],
        "townships": [
            {"code": d.code, "name": d.name, "name_en": d.name_en, "division_code": d.division_code or None}
            for d in plan.departments.filter(kind=DepartmentKind.TOWNSHIP).order_by("id")
        ],
        "areas": [
            {"code": a.code, "number": a.number, "name": a.name, "name_en": a.name_en}
            for a in plan.areas.order_by("number")
        ],
        "tasks": out_tasks,
        "project_groups": [
            {"code": g.code, "number": g.number, "name": g.name, "name_en": g.name_en}
            for g in plan.project_groups.order_by("number")
        ],
        "projects": [_export_project(x) for x in plan.projects.select_related("group").order_by("id")],
        "targets": out_targets,
    }


def _export_project(x: Project) -> dict[str, Any]:
    lead, coop = _split(x.assignments.select_related("department"))
    return {
        "code": x.code,
        "group": x.group.code,
        "number": x.number,
        "name": x.name,
        "name_en": x.name_en,
        "type": x.type,
        "clause": x.clause or None,
        "text": x.text,
        "lead_departments": lead,
        "cooperating_departments": coop,
        "township": x.township or None,
        "capacity_mw": _num(x.capacity_mw),
        "size": _num(x.size),
        "size_unit": x.size_unit or None,
        "investment_10k_yuan": _num(x.investment_10k_yuan),
        "actual_investment_10k_yuan": _num(x.actual_investment_10k_yuan),
        "commissioning_year": x.commissioning_year,
        **{key: (getattr(x, key).isoformat() if getattr(x, key) else None) for key in PROJECT_DATES},
        "status": x.status,
        "status_reason": x.status_reason or None,
        "expected_effect": x.expected_effect or None,
        "nonfossil_fraction": _num(x.nonfossil_fraction),
        "nonfossil_source": x.nonfossil_source or None,
        **({"archived": True} if x.archived else {}),
    }
