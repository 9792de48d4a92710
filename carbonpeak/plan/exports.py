"""Excel exports (openpyxl): the plan and a dispatch round, headers in Chinese with English below."""

from __future__ import annotations

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

from carbonpeak.plan.models import DispatchRound, Plan
from carbonpeak.plan.plan_io import export_plan
from carbonpeak.tabular.writing import neutralise_workbook

HEADER_FILL = PatternFill("solid", fgColor="DDE7EE")
LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "no_data": "无数据"}
LIGHT_FILL = {"green": "C8E6C9", "yellow": "FFF0B3", "red": "F8C4C0", "no_data": "E0E0E0"}


def _sheet(wb: Workbook, title: str, headers: list[tuple[str, str]], rows: list[list], widths: list[int] | None = None):
    ws = wb.create_sheet(title)
    ws.append([zh for zh, _ in headers])
    ws.append([en for _, en in headers])
    for cell in list(ws[1]) + list(ws[2]):
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append(row)
    for i, w in enumerate(widths or []):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    return ws


def _milestone_cell(v) -> str:
    """A year's value as the sheet shows it: 300, or 300 以上/不低于（力争） when the year has its own wording."""
    if not isinstance(v, dict):
        return str(v)
    from carbonpeak.plan.choices import Qualifier

    text = str(v.get("value"))
    if v.get("qualifier") in Qualifier.values:
        text += " " + str(Qualifier(v["qualifier"]).label)
    return text + ("（力争）" if v.get("strive") else "")


def plan_workbook(plan: Plan) -> Workbook:
    data = export_plan(plan)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "目标指标",
        [
            ("编码", "code"),
            ("名称", "name"),
            ("单位", "unit"),
            ("方向", "direction"),
            ("基准年", "baseline_year"),
            ("基准值", "baseline_value"),
            ("目标值", "values"),
            ("牵头部门", "lead"),
            ("配合部门", "cooperating"),
            ("出处", "source"),
            ("说明", "note"),
        ],
        [
            [
                t["code"],
                t["name"],
                t["unit"],
                t["direction"],
                t["baseline_year"],
                t["baseline_value"],
                "; ".join(f"{y}: {_milestone_cell(v)}" for y, v in t["values"].items()),
                "、".join(t["lead_departments"]),
                "、".join(t["cooperating_departments"]),
                t["source"],
                t["note"],
            ]
            for t in data["targets"]
        ],
        [34, 26, 10, 10, 8, 10, 24, 24, 40, 14, 40],
    )
    _sheet(
        wb,
        "重点任务",
        [
            ("编码", "code"),
            ("领域", "area"),
            ("任务", "title"),
            ("牵头部门", "lead"),
            ("配合部门", "cooperating"),
            ("状态", "status"),
            ("条款原文", "text"),
        ],
        [
            [
                t["code"],
                t["area"],
                t["title"],
                "、".join(t["lead_departments"]),
                "、".join(t["cooperating_departments"]),
                t["status"],
                t["text"],
            ]
            for t in data["tasks"]
        ],
        [8, 6, 28, 24, 40, 10, 90],
    )
    _sheet(
        wb,
        "重大项目",
        [
            ("编码", "code"),
            ("项目类别", "group"),
            ("名称", "name"),
            ("类型", "type"),
            ("乡镇", "township"),
            ("装机（MW）", "capacity_mw"),
            ("投产年份", "commissioning_year"),
            ("状态", "status"),
        ],
        [
            [
                p["code"],
                p["group"],
                p["name"],
                p["type"],
                p["township"],
                p["capacity_mw"],
                p["commissioning_year"],
                p["status"],
            ]
            for p in data["projects"]
        ],
        [8, 8, 30, 14, 10, 12, 10, 10],
    )
    _sheet(
        wb,
        "部门",
        [("编码", "code"), ("名称", "name"), ("英文名", "name_en"), ("类别", "kind")],
        [[d["code"], d["name"], d["name_en"], d["kind"]] for d in data["departments"]],
        [24, 26, 40, 18],
    )
    neutralise_workbook(wb)  # a department's text never becomes a formula (OWASP CSV injection)
    return wb


def round_workbook(rnd: DispatchRound) -> Workbook:
    from carbonpeak.plan.reports import round_context

    ctx = round_context(rnd)
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(
        wb,
        "预警",
        [
            ("指标", "target"),
            ("编码", "code"),
            ("灯", "light"),
            ("最新值", "latest"),
            ("期间", "period"),
            ("预期值", "expected"),
            ("差距", "gap"),
            ("单位", "unit"),
        ],
        [
            [
                s.target.name,
                s.target.code,
                LIGHT_ZH[s.light.value],
                d["latest_value"],
                d["latest_period"],
                d["expected_value"],
                d["gap"],
                d["unit"],
            ]
            for s in ctx["statuses"]
            for d in [s.as_dict()]
        ],
        [30, 34, 8, 12, 8, 12, 12, 10],
    )
    for row_cells, s in zip(ws.iter_rows(min_row=3), ctx["statuses"], strict=False):
        row_cells[2].fill = PatternFill("solid", fgColor=LIGHT_FILL[s.light.value])
    summary = _sheet(
        wb,
        "汇总",
        [("灯", "light"), ("指标数", "targets")],
        [[LIGHT_ZH[light.value], n] for light, n in ctx["light_counts"]]
        + [[], ["任务进展 / task progress", "报告数 / reports"]]
        + [[str(label), n] for label, n in ctx["status_counts"]],
        [24, 16],
    )
    chart = BarChart()
    chart.title = "目标指标预警"
    chart.y_axis.title = "指标数"
    chart.add_data(
        Reference(summary, min_col=2, min_row=2, max_row=2 + len(ctx["light_counts"])), titles_from_data=True
    )
    chart.set_categories(Reference(summary, min_col=1, min_row=3, max_row=2 + len(ctx["light_counts"])))
    summary.add_chart(chart, "D2")
    _sheet(
        wb,
        "任务进展",
        [
            ("任务", "task"),
            ("部门", "department"),
            ("进展", "status"),
            ("情况", "narrative"),
            ("填报人", "by"),
            ("时间", "at"),
            ("佐证", "evidence"),
        ],
        [
            [
                f"{r.task.code} {r.task.title}",
                r.department.name,
                r.get_status_display(),
                r.narrative,
                r.submitted_by_label,
                r.submitted_at.strftime("%Y-%m-%d %H:%M"),
                len(r.evidence.all()),
            ]
            for r in ctx["reports"]
        ],
        [34, 22, 10, 60, 12, 16, 8],
    )
    _sheet(
        wb,
        "未报送",
        [("部门", "department"), ("任务", "tasks")],
        [[d.name, "、".join(t.code for t in tasks)] for d, tasks in ctx["missing"]],
        [26, 60],
    )
    flags = _sheet(
        wb,
        "项目预警",
        [("项目", "project"), ("编码", "code"), ("牵头部门", "lead"), ("预警", "flag"), ("说明", "reason")],
        [[f.project.name, f.project.code, f.lead, f.level_label, f.message] for f in ctx["project_flags"]],
        [34, 8, 22, 8, 50],
    )
    for row_cells, f in zip(flags.iter_rows(min_row=3), ctx["project_flags"], strict=False):
        row_cells[3].fill = PatternFill("solid", fgColor=LIGHT_FILL[f.level])
    _sheet(
        wb,
        "项目进展",
        [
            ("项目", "project"),
            ("部门", "department"),
            ("状态", "status"),
            ("投资完成（%）", "investment %"),
            ("已完成规模", "size done"),
            ("完成情况", "progress"),
            ("问题及协调事项", "problems"),
            ("审核", "review"),
            ("审核意见", "comment"),
            ("填报人", "by"),
            ("时间", "at"),
            ("佐证", "evidence"),
        ],
        [
            [
                f"{r.project.code} {r.project.name}",
                r.department.name,
                r.get_status_display(),
                float(r.investment_share * 100),
                float(r.size_done) if r.size_done is not None else None,
                r.progress,
                r.problems,
                r.get_review_display(),
                r.review_comment,
                r.submitted_by_label,
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                len(r.evidence.all()),
            ]
            for r in ctx["project_reports"]
        ],
        [34, 22, 8, 10, 10, 50, 40, 8, 30, 12, 16, 8],
    )
    neutralise_workbook(wb)  # a department's text never becomes a formula (OWASP CSV injection)
    return wb


def assessment_workbook(plan: Plan, year: int) -> Workbook:
    """The year's assessment: one row per department, then one row per rule line with its reason."""
    from carbonpeak.plan.scoring import score_table, shown

    scores = score_table(plan, year)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        f"{year}年度考核",
        [("排名", "rank"), ("部门", "department"), ("得分", "score"), ("应得分", "max"), ("得分率（%）", "rate %")]
        + [(line.label, line.rule) for line in (scores[0].lines if scores else [])],
        [
            [i, s.department.name, float(shown(s.total)), float(shown(s.max_total))]
            + [float(shown(s.rate * 100)) if s.rate is not None else "—"]
            + [float(shown(line.points)) if line.applies else "不适用" for line in s.lines]
            for i, s in enumerate(scores, start=1)
        ],
        [6, 26, 8, 8, 12, 14, 14, 14],
    )
    _sheet(
        wb,
        "评分依据",
        [("部门", "department"), ("规则", "rule"), ("得分", "points"), ("分值", "max"), ("依据", "reason")],
        [
            [
                s.department.name,
                line.label,
                float(shown(line.points)) if line.applies else "不适用",
                float(shown(line.max_points)),
                line.reason,
            ]
            for s in scores
            for line in s.lines
        ],
        [26, 20, 8, 8, 70],
    )
    return wb
