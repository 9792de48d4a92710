"""What a run would leave out (house rule 9: issues with code, field, severity, zh/en).

The projection only counts a project it can place in time and size, and a measure that moves a driver: a
project ticked 纳入 without its capacity or its year, or a measure of zero, would otherwise run as if the
scenario were complete. The page lists these before a run (the official confirms or goes back), and the run
keeps the list so its result page says what was not applied and why.
"""

from __future__ import annotations

from typing import Any

from carbonpeak.scenarios.choices import DriverName
from carbonpeak.scenarios.fetch import capacity_source, project_rows
from carbonpeak.scenarios.models import Scenario
from carbonpeak.validation import Issue, Issues


def _measure_name(i: int, m: dict[str, Any]) -> str:
    return m.get("label") or f"第 {i + 1} 项措施"


def check_inputs(s: Scenario) -> list[Issue]:
    """Warnings for inputs that a run would not apply, info for what the base year already holds."""
    issues = Issues()
    from_register = capacity_source(s) == "register"
    for r in project_rows(s):
        if from_register and r["type"] != "gas_network":
            continue  # the register's units stand for the generation projects
        p = r["project"]
        name = f"{r['code']} {p.name}"
        field = f"projects.{r['code']}"
        cfg = s.projects.get(r["code"], {})
        if p.status == "cancelled":
            if cfg.get("include"):
                issues.add(
                    "project_cancelled",
                    f"{field}.include",
                    f"{name}：项目已取消，不计入",
                    f"{name}: the project is cancelled and is left out",
                    "warning",
                )
            continue
        if not r["include"]:
            continue
        missing_zh, missing_en = [], []
        if r["type"] != "gas_network" and not r["capacity_mw"]:
            missing_zh.append("装机容量（MW）")
            missing_en.append("capacity (MW)")
        if not r["commissioning_year"]:
            missing_zh.append("投产年份")
            missing_en.append("commissioning year")
        if r["type"] != "gas_network" and r["capacity_mw"] and not r["full_load_hours"]:
            missing_zh.append("年利用小时")
            missing_en.append("full-load hours")
        if missing_zh:
            issues.add(
                "project_incomplete",
                field,
                f"{name}：已勾选纳入，但未填{'、'.join(missing_zh)}，运行时不计入",
                f"{name}: ticked as included but has no {', '.join(missing_en)}; the run leaves it out",
                "warning",
            )
        elif r["in_service_year"] and r["in_service_year"] <= s.base_inventory.year:
            issues.add(
                "project_in_base_year",
                field,
                f"{name}：{r['in_service_year']} 年已投产，已含在 {s.base_inventory.year} 年基年核算中，不重复计入",
                f"{name}: in service in {r['in_service_year']}, already in the {s.base_inventory.year} accounts;"
                " not counted again",
                "info",
            )
        elif r["in_service_year"] and r["in_service_year"] > s.end_year:
            issues.add(
                "project_beyond_horizon",
                field,
                f"{name}：{r['in_service_year']} 年投产，晚于展望期末 {s.end_year} 年，不起作用",
                f"{name}: in service in {r['in_service_year']}, after the horizon {s.end_year}; no effect",
                "warning",
            )
    for i, m in enumerate(s.measures):
        if float(m.get("delta") or 0) == 0:
            name = _measure_name(i, m)
            issues.add(
                "measure_zero",
                f"measures[{i}].delta",
                f"措施“{name}”：变化率为 0，不改变{DriverName(m['driver']).label}",
                f"measure {name!r}: a rate change of 0 changes nothing",
                "warning",
            )
    return issues.items


def notes_json(items: list[Issue]) -> list[dict[str, Any]]:
    return [i.as_dict() for i in items]
