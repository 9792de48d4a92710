"""A run as an Excel workbook and as a two-minute PDF brief in Chinese (WeasyPrint, Noto CJK, SVG chart)."""

from __future__ import annotations

import io
import math
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font

from carbonpeak.accounting.presentation import GROUP_NAMES
from carbonpeak.scenarios.fetch import effective_drivers, project_rows
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.scenarios.presentation import summary
from carbonpeak.tabular.writing import workbook_bytes

BOLD = Font(bold=True)


def workbook(s: Scenario, run: ScenarioRun) -> bytes:
    r = run.results
    det = r["deterministic"]
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    sm = summary(run)
    rows = [
        ("情景 scenario", s.name),
        ("基年 base year", s.base_inventory.year),
        ("模拟次数 draws", r["draws"]),
        ("随机种子 seed", r["seed"]),
        ("达峰年份（均值路径）peak year", sm["peak_year"]),
        ("峰值 tCO2 peak", round(sm["peak_tco2"] or 0)),
        (f"{s.plan.peak_year}年前达峰概率 P(peak ≤ {s.plan.peak_year})", r["p_peak_by_target"]),
        ("平台期 plateau", "是" if sm["plateau"]["is_plateau"] else "否"),
        ("输入哈希 inputs sha256", run.inputs_sha256),
        ("方法 method", r["method"]),
    ]
    if s.is_illustrative:
        rows.append(("说明", "演示数据（虚构）/ illustrative demo data"))
    for k, v in rows:
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = BOLD
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70

    ps = wb.create_sheet("年度路径")
    sectors = list(det["sectors"])
    header = ["年份 year", "均值 mean tCO2", "P10", "P90", "确定性 deterministic"]
    header += [f"{GROUP_NAMES[g]} {g}" for g in sectors] + ["调入电力 electricity", "新能源装机 MW"]
    extra = [k for k in ("nonfossil_share", "energy_intensity_tce_per_10k_yuan", "energy_tce") if k in det]
    header += extra
    ps.append(header)
    for c in ps[1]:
        c.font = BOLD
    for i, y in enumerate(r["years"]):
        ps.append(
            [y, r["total_mean_tco2"][i], r["total_p10_tco2"][i], r["total_p90_tco2"][i], det["total_co2_t"][i]]
            + [det["sectors"][g][i] for g in sectors]
            + [det["electricity_co2_t"][i], det["new_energy_capacity_mw"][i]]
            + [det[k][i] for k in extra]
        )
    chart = LineChart()
    chart.title = "二氧化碳排放路径（tCO2）"
    chart.height, chart.width = 9, 22
    chart.add_data(Reference(ps, min_col=2, max_col=5, min_row=1, max_row=len(r["years"]) + 1), titles_from_data=True)
    chart.set_categories(Reference(ps, min_col=1, min_row=2, max_row=len(r["years"]) + 1))
    ws.add_chart(chart, "D2")

    gs = wb.create_sheet("目标差距")
    gs.append(["指标 target", "年份 year", "目标值 target", "预测值 projected", "差距 gap", "达到 met"])
    for g in r.get("gaps", []):
        gs.append([g["name"], g["year"], g["target_value"], g["projected"], g["gap"], "是" if g["met"] else "否"])

    ds = wb.create_sheet("假设")
    ds.append(["部门 sector", "驱动因素 driver", "均值 mean", "P10 low", "P90 high"])
    for g, d in effective_drivers(s).items():
        for name, v in d.items():
            if isinstance(v, dict):
                ds.append([g, name, v.get("mean"), v.get("low"), v.get("high")])
            else:
                ds.append([g, name, v, None, None])
    js = wb.create_sheet("项目")
    js.append(
        [
            "编码 code",
            "名称 name",
            "类型 type",
            "纳入 included",
            "装机 MW",
            "投产年 year",
            "推迟年 delay",
            "利用小时 hours",
        ]
    )
    for p in project_rows(s):
        js.append(
            [
                p["code"],
                p["project"].name,
                p["type"],
                "是" if p["include"] else "否",
                p["capacity_mw"],
                p["commissioning_year"],
                p["delay_years"],
                p["full_load_hours"],
            ]
        )
    return workbook_bytes(wb)


def fan_svg(r: dict[str, Any], width: int = 640, height: int = 260) -> str:
    """The fan chart as inline SVG for the PDF (p10-p90 band, mean, deterministic path, peak marker)."""
    years = r["years"]
    lo, hi, mean = r["total_p10_tco2"], r["total_p90_tco2"], r["total_mean_tco2"]
    det = r["deterministic"]["total_co2_t"]
    step = _nice_step(max(max(hi), max(det)) / 4 or 1.0)
    top = step * math.ceil(max(max(hi), max(det)) * 1.02 / step)
    left, right, up, down = 56, 22, 10, 26
    w, h = width - left - right, height - up - down

    def x(i: int) -> float:
        return left + w * i / max(1, len(years) - 1)

    def y(v: float) -> float:
        return up + h * (1 - v / top)

    band = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(hi))
    band += " " + " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(lo))))
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(mean))
    dline = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(det))
    pk = years.index(r["peak_year_of_mean"])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="10">',
        f'<polygon points="{band}" fill="#0b6e4f" fill-opacity="0.2"/>',
        f'<polyline points="{line}" fill="none" stroke="#0b6e4f" stroke-width="2"/>',
        f'<polyline points="{dline}" fill="none" stroke="#5f6b7a" stroke-dasharray="4 3"/>',
        f'<line x1="{x(pk):.1f}" y1="{up}" x2="{x(pk):.1f}" y2="{up + h}" stroke="#d73027"/>',
        f'<text x="{x(pk) + 3:.1f}" y="{up + 10}" fill="#d73027">峰值 {years[pk]}</text>',
        f'<line x1="{left}" y1="{up + h}" x2="{left + w}" y2="{up + h}" stroke="#333"/>',
    ]
    for i, yr in enumerate(years):
        if yr % 5 == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">{yr}</text>')
    for k in range(round(top / step) + 1):
        v = step * k
        parts.append(f'<text x="{left - 4}" y="{y(v) + 3:.1f}" text-anchor="end">{v / 10000:,.0f}</text>')
    parts.append(f'<text x="4" y="{up + 8}">万吨</text></svg>')
    return "".join(parts)


def _nice_step(raw: float) -> float:
    """1, 2 or 5 × 10^k at or above ``raw`` (readable axis ticks)."""
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def brief_pdf(request: Any, s: Scenario, run: ScenarioRun) -> bytes:
    from weasyprint import HTML

    ctx = {
        "s": s,
        "plan": s.plan,
        "run": run,
        "res": run.results,
        "summary": summary(run),
        "fan_svg": fan_svg(run.results),
        "projects": [p for p in project_rows(s) if p["include"]],
        "generated_at": timezone.localtime(),
    }
    html = render_to_string("scenarios/brief.html", ctx)
    buf = io.BytesIO()
    HTML(string=html).write_pdf(buf)
    return buf.getvalue()
