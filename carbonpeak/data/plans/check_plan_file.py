#!/usr/bin/env python3
"""Structural checker for carbonpeak plan files (format "carbonpeak.plan/1").

Usage: python3 check_plan_file.py PLAN.json

Standard library only. Collects every problem, prints them, prints counts,
and exits with status 1 if anything failed.
"""

import json
import re
import sys

FORMAT = "carbonpeak.plan/1"
TOP_KEYS = {"format", "plan", "departments", "areas", "tasks", "project_groups", "projects", "targets"}
PLAN_KEYS = {
    "code",
    "county",
    "county_en",
    "division_code",
    "province",
    "city",
    "title",
    "title_en",
    "issuer",
    "issued_date",
    "issued_date_note",
    "base_year",
    "peak_year",
    "periods",
    "grid",
    "round_intensity_dp",
}
PERIOD_KEYS = {"code", "name", "name_en", "start_year", "end_year"}
DEPT_KEYS = {"code", "name", "name_en", "kind"}
TOWNSHIP_KEYS = {"code", "name", "name_en", "division_code"}
QUALIFIERS = {"about", "at_least", "at_most", "exceed", "strive", "exact"}
AREA_KEYS = {"code", "number", "name", "name_en"}
TASK_KEYS = {
    "code",
    "area",
    "number",
    "title",
    "title_en",
    "text",
    "lead_departments",
    "cooperating_departments",
    "townships",
    "assignment_text",
    "note",
}
GROUP_KEYS = {"code", "number", "name", "name_en"}
PROJECT_KEYS = {
    "code",
    "group",
    "number",
    "name",
    "name_en",
    "type",
    "text",
    "township",
    "capacity_mw",
    "investment_10k_yuan",
    "commissioning_year",
    "status",
    "expected_effect",
    # the project register (issue 16)
    "clause",
    "lead_departments",
    "cooperating_departments",
    "size",
    "size_unit",
    "actual_investment_10k_yuan",
    "planned_start_date",
    "actual_start_date",
    "planned_commissioning_date",
    "actual_commissioning_date",
    "status_reason",
    "nonfossil_fraction",
    "nonfossil_source",
}
PROJECT_STATUSES = {"conceived", "preparing", "under_construction", "commissioned", "suspended", "cancelled"}
PROJECT_UNITS = {"MW", "MWh", "ha", "km", "count", "vehicles", "m3"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TARGET_KEYS = {
    "code",
    "name",
    "name_en",
    "unit",
    "direction",
    "kind",
    "baseline_year",
    "baseline_value",
    "values",
    "qualifier",
    "lead_departments",
    "cooperating_departments",
    "source",
    "source_text",
    "note",
    "conflicts_with",
    "indicator",
}

DEPT_KINDS = {"county_bureau", "municipal_branch", "township_collective", "enterprise", "party_office", "park", "other"}
PROJECT_TYPES = {
    "solar_pv",
    "wind",
    "hydro",
    "biomass",
    "pumped_storage",
    "grid",
    "gas_network",
    "gas_storage",
    "ev",
    "charging",
    "afforestation",
    "ecological_corridor",
    "wetland",
    "digital",
    "tourism",
    "carbon_inclusion",
    "source_grid_load_storage",
    "other",
}
UNITS = {"fraction", "MW", "days", "tce", "tCO2", "m3", "count", "km", "percent_points", "year"}
DIRECTIONS = {"increase", "decrease"}
TARGET_KINDS = {"goal", "threshold"}
QUALIFIERS = {"about", "at_least", "at_most", "exceed", "strive", "exact"}

SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
YEAR = re.compile(r"^(19|20)\d\d$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

errors = []


def err(msg):
    errors.append(msg)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_keys(obj, expected, where, optional=frozenset()):
    if not isinstance(obj, dict):
        err(f"{where}: not an object")
        return False
    missing, extra = expected - obj.keys(), obj.keys() - expected - optional
    if missing:
        err(f"{where}: missing keys {sorted(missing)}")
    if extra:
        err(f"{where}: unexpected keys {sorted(extra)}")
    return True


def unique(items, key, what):
    seen = set()
    for it in items:
        v = it.get(key)
        if v in seen:
            err(f"{what}: duplicate {key} {v!r}")
        seen.add(v)
    return seen


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)

    check_keys(data, TOP_KEYS, "top level", optional={"townships"})
    if data.get("format") != FORMAT:
        err(f"format is {data.get('format')!r}, expected {FORMAT!r}")

    # plan
    plan = data.get("plan", {})
    check_keys(plan, PLAN_KEYS, "plan")
    if not DATE.match(str(plan.get("issued_date", ""))):
        err("plan.issued_date is not YYYY-MM-DD")
    periods = plan.get("periods", [])
    unique(periods, "code", "plan.periods")
    for p in periods:
        check_keys(p, PERIOD_KEYS, f"period {p.get('code')}")
        if not (
            isinstance(p.get("start_year"), int)
            and isinstance(p.get("end_year"), int)
            and p["start_year"] <= p["end_year"]
        ):
            err(f"period {p.get('code')}: bad start/end years")

    # departments
    depts = data.get("departments", [])
    unique(depts, "code", "departments")
    dept_names = unique(depts, "name", "departments")
    for d in depts:
        check_keys(d, DEPT_KEYS, f"department {d.get('code')}")
        if not SLUG.match(str(d.get("code", ""))):
            err(f"department {d.get('code')!r}: code is not an ascii slug")
        if d.get("kind") not in DEPT_KINDS:
            err(f"department {d.get('code')}: kind {d.get('kind')!r} not allowed")
    # townships (乡镇、街道): departments of kind township that tasks, targets and projects may name
    townships = data.get("townships", [])
    unique(townships, "code", "townships")
    township_names = unique(townships, "name", "townships")
    for d in townships:
        check_keys(d, TOWNSHIP_KEYS, f"township {d.get('code')}")
        if not SLUG.match(str(d.get("code", ""))):
            err(f"township {d.get('code')!r}: code is not an ascii slug")
        if d.get("name") in dept_names:
            err(f"township {d.get('code')}: name {d.get('name')!r} is also a department")
    used_depts = set()

    def check_dept_refs(obj, where, need_lead):
        for field in ("lead_departments", "cooperating_departments"):
            lst = obj.get(field)
            if not isinstance(lst, list):
                err(f"{where}: {field} is not a list")
                continue
            for name in lst:
                used_depts.add(name)
                if name not in dept_names and name not in township_names:
                    err(f"{where}: {field} names {name!r}, not in departments")
        if need_lead and not obj.get("lead_departments"):
            err(f"{where}: no lead department")
        overlap = set(obj.get("lead_departments") or []) & set(obj.get("cooperating_departments") or [])
        if overlap:
            err(f"{where}: departments both lead and co-operating: {sorted(overlap)}")

    # areas and tasks
    areas = data.get("areas", [])
    area_codes = unique(areas, "code", "areas")
    unique(areas, "number", "areas")
    for a in areas:
        check_keys(a, AREA_KEYS, f"area {a.get('code')}")
    tasks = data.get("tasks", [])
    unique(tasks, "code", "tasks")
    for t in tasks:
        where = f"task {t.get('code')}"
        check_keys(t, TASK_KEYS, where, optional={"archived"})
        if t.get("area") not in area_codes:
            err(f"{where}: area {t.get('area')!r} does not exist")
        elif t.get("code") != f"{t['area']}.{t.get('number')}":
            err(f"{where}: code does not match area.number")
        for field in ("title", "text", "assignment_text"):
            if not isinstance(t.get(field), str) or not t.get(field).strip():
                err(f"{where}: {field} empty")
        asg = t.get("assignment_text") or ""
        if asg and not (asg.startswith("（") and asg.endswith("）") and "按职责分工负责" in asg):
            err(f"{where}: assignment_text is not a parenthesised assignment")
        check_dept_refs(t, where, need_lead=True)
        for name in (t.get("lead_departments") or []) + (t.get("cooperating_departments") or []):
            if name not in asg:
                err(f"{where}: department {name!r} not found in assignment_text")
        if not isinstance(t.get("townships"), list):
            err(f"{where}: townships is not a list")
        if t.get("note") is not None and not isinstance(t.get("note"), str):
            err(f"{where}: note must be string or null")
    for a in areas:
        if not any(t.get("area") == a.get("code") for t in tasks):
            err(f"area {a.get('code')}: has no tasks")

    # project groups and projects
    groups = data.get("project_groups", [])
    group_codes = unique(groups, "code", "project_groups")
    for g in groups:
        check_keys(g, GROUP_KEYS, f"project group {g.get('code')}")
    projects = data.get("projects", [])
    unique(projects, "code", "projects")
    for p in projects:
        where = f"project {p.get('code')}"
        check_keys(p, PROJECT_KEYS, where, optional={"archived"})
        if p.get("group") not in group_codes:
            err(f"{where}: group {p.get('group')!r} does not exist")
        elif p.get("code") != f"{p['group']}.{p.get('number')}":
            err(f"{where}: code does not match group.number")
        if p.get("type") not in PROJECT_TYPES:
            err(f"{where}: type {p.get('type')!r} not allowed")
        for field in ("capacity_mw", "investment_10k_yuan", "size", "actual_investment_10k_yuan"):
            if p.get(field) is not None and (not is_num(p[field]) or p[field] < 0):
                err(f"{where}: {field} must be a non-negative number or null")
        if p.get("status") not in PROJECT_STATUSES:
            err(f"{where}: status {p.get('status')!r} not allowed")
        if p.get("status") in ("suspended", "cancelled") and not p.get("status_reason"):
            err(f"{where}: status {p.get('status')} needs a status_reason")
        if p.get("size_unit") is not None and p.get("size_unit") not in PROJECT_UNITS:
            err(f"{where}: size_unit {p.get('size_unit')!r} not allowed")
        if p.get("size") is not None and p.get("size_unit") is None:
            err(f"{where}: size needs a size_unit")
        for field in (
            "planned_start_date",
            "actual_start_date",
            "planned_commissioning_date",
            "actual_commissioning_date",
        ):
            if p.get(field) is not None and not (isinstance(p[field], str) and DATE_RE.match(p[field])):
                err(f"{where}: {field} must be YYYY-MM-DD or null")
        for field in ("lead_departments", "cooperating_departments"):
            if not isinstance(p.get(field), list):
                err(f"{where}: {field} is not a list")
            else:
                for name in p[field]:
                    if name not in dept_names:
                        err(f"{where}: {field} names unknown department {name!r}")
        nf = p.get("nonfossil_fraction")
        if nf is not None and (not is_num(nf) or not 0 <= nf <= 1):
            err(f"{where}: nonfossil_fraction must be a number 0–1 or null")
        if nf is not None and not p.get("nonfossil_source"):
            err(f"{where}: nonfossil_fraction needs a nonfossil_source")
        cy = p.get("commissioning_year")
        if cy is not None and not (isinstance(cy, int) and 1990 <= cy <= 2100):
            err(f"{where}: commissioning_year must be a year or null")
        if not p.get("text"):
            err(f"{where}: text empty")
    for g in groups:
        if not any(p.get("group") == g.get("code") for p in projects):
            err(f"project group {g.get('code')}: has no projects")

    # targets
    targets = data.get("targets", [])
    target_codes = unique(targets, "code", "targets")
    by_code = {t.get("code"): t for t in targets}
    for t in targets:
        where = f"target {t.get('code')}"
        check_keys(t, TARGET_KEYS, where, optional={"archived"})
        if not SLUG.match(str(t.get("code", ""))):
            err(f"{where}: code is not ascii snake_case")
        if t.get("unit") not in UNITS:
            err(f"{where}: unit {t.get('unit')!r} not allowed")
        if t.get("direction") not in DIRECTIONS:
            err(f"{where}: direction {t.get('direction')!r} not allowed")
        if t.get("kind") not in TARGET_KINDS:
            err(f"{where}: kind {t.get('kind')!r} not allowed")
        if t.get("qualifier") not in QUALIFIERS:
            err(f"{where}: qualifier {t.get('qualifier')!r} not allowed")
        check_dept_refs(t, where, need_lead=False)
        values = t.get("values")
        if not isinstance(values, dict):
            err(f"{where}: values is not an object")
            values = {}
        if not values and not t.get("note"):
            err(f"{where}: empty values need a note explaining why")
        for y, v in values.items():
            if not YEAR.match(y):
                err(f"{where}: values key {y!r} is not a year")
            if isinstance(v, dict):  # a year with its own wording: {"value", "qualifier"?, "strive"?}
                check_keys(v, {"value"}, f"{where} values {y}", optional={"qualifier", "strive"})
                if v.get("qualifier", "exact") not in QUALIFIERS:
                    err(f"{where}: qualifier {v.get('qualifier')!r} for {y} not allowed")
                if not isinstance(v.get("strive", False), bool):
                    err(f"{where}: strive for {y} is not true/false")
                v = v.get("value")
            if not is_num(v):
                err(f"{where}: value for {y} is not a number")
            elif t.get("unit") == "fraction" and not 0 <= v <= 1:
                err(f"{where}: fraction value {v} for {y} outside [0, 1]")
        by, bv = t.get("baseline_year"), t.get("baseline_value")
        if by is not None and not (isinstance(by, int) and 1990 <= by <= 2100):
            err(f"{where}: baseline_year must be a year or null")
        if bv is not None:
            if not is_num(bv):
                err(f"{where}: baseline_value must be a number or null")
            elif t.get("unit") == "fraction" and not 0 <= bv <= 1:
                err(f"{where}: fraction baseline {bv} outside [0, 1]")
        if (by is None) != (bv is None):
            err(f"{where}: baseline_year and baseline_value must be both set or both null")
        if not t.get("source") or not t.get("source_text"):
            err(f"{where}: source/source_text empty")
        cw = t.get("conflicts_with")
        if cw is not None:
            if cw not in target_codes or cw == t.get("code"):
                err(f"{where}: conflicts_with {cw!r} is not another target")
            elif by_code[cw].get("conflicts_with") != t.get("code"):
                err(f"{where}: conflicts_with {cw!r} is not reciprocated")

    unused = dept_names - used_depts
    if unused:
        err(f"departments never referenced: {sorted(unused)}")

    print(f"file: {path}")
    print(f"departments: {len(depts)}")
    print(f"areas: {len(areas)}")
    print(f"tasks: {len(tasks)}")
    print(f"project_groups: {len(groups)}")
    print(f"projects: {len(projects)}")
    print(f"targets: {len(targets)}")
    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  - " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip())
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
