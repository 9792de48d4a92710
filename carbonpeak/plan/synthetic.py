"""A synthetic plan of any size, in the carbonpeak.plan/1 format, for load runs and size-independence tests.
Clearly fictional ("示例县"); never shipped as data."""

from __future__ import annotations

from typing import Any


def synthetic_plan(
    departments: int = 20, targets: int = 100, years: int = 10, tasks_per_area: int = 10, code: str = "synthetic"
) -> dict[str, Any]:
    start = 2021
    end = start + years - 1
    depts = [
        {"code": f"d{i:02d}", "name": f"示例局{i:02d}", "name_en": f"Bureau {i:02d}", "kind": "county_bureau"}
        for i in range(departments)
    ]
    areas = [{"code": f"A{i:02d}", "number": i, "name": f"领域{i}", "name_en": f"Area {i}"} for i in range(1, 11)]
    tasks = []
    for a in areas:
        for n in range(1, tasks_per_area + 1):
            k = len(tasks)
            tasks.append(
                {
                    "code": f"{a['code']}.{n}",
                    "area": a["code"],
                    "number": n,
                    "title": f"任务{k}",
                    "title_en": f"Task {k}",
                    "text": f"示例任务条款 {k}。",
                    "lead_departments": [depts[k % departments]["name"]],
                    "cooperating_departments": [depts[(k + 1) % departments]["name"]],
                }
            )
    out_targets = []
    for i in range(targets):
        out_targets.append(
            {
                "code": f"t{i:03d}",
                "name": f"指标{i:03d}",
                "name_en": f"Indicator {i:03d}",
                "unit": "fraction",
                "direction": "increase",
                "baseline_year": start - 1,
                "baseline_value": 0.1,
                "values": {
                    str(y): round(0.1 + 0.5 * (y - start + 1) / years, 4) for y in (start + years // 2 - 1, end)
                },
                "lead_departments": [depts[i % departments]["name"]],
                "cooperating_departments": [],
                "source": "synthetic",
                "source_text": "",
                "kind": "goal",
                "qualifier": "about",
            }
        )
    return {
        "format": "carbonpeak.plan/1",
        "plan": {
            "code": code,
            "county": "示例县",
            "title": "示例县碳达峰实施方案（合成数据）",
            "issuer": "示例县人民政府",
            "issued_date": f"{start}-01-01",
            "base_year": start - 1,
            "peak_year": end,
            "periods": [{"code": "p1", "name": "规划期", "start_year": start, "end_year": end}],
        },
        "departments": depts,
        "areas": areas,
        "tasks": tasks,
        "project_groups": [],
        "projects": [],
        "targets": out_targets,
    }


def synthetic_values(plan, per_target_years: int) -> int:
    """One annual value per target and year, along a slightly lagging path. Returns the count created."""
    from decimal import Decimal

    from carbonpeak.plan.models import IndicatorValue
    from carbonpeak.plan.revision import bump

    rows = []
    first = plan.first_year
    for t in plan.targets.all():
        for k in range(per_target_years):
            rows.append(
                IndicatorValue(
                    target=t, year=first + k, value=Decimal("0.1") + Decimal(k) / 25, entered_by_label="synthetic"
                )
            )
    IndicatorValue.objects.bulk_create(rows)
    bump(plan.pk)
    return len(rows)
