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


PCT = "0.0%"
PCT2 = "0.00%"


def _unit_name(unit: str) -> str:
    from carbonpeak.plan.choices import TargetUnit

    return "%" if unit == "fraction" else str(dict(TargetUnit.choices).get(unit, unit))


def workbook(s: Scenario, run: ScenarioRun) -> bytes:
    """Shares are stored as fractions and shown as percent (the cell's number format), so the sheet reads
    "25.0%" and still computes; a run without a peak says so instead of naming its last year."""
    from carbonpeak.scenarios.choices import DriverName

    r = run.results
    det = r["deterministic"]
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    sm = summary(run)
    no_peak = sm["no_peak_in_horizon"]
    rows: list[tuple[str, Any, str | None]] = [
        ("情景", s.name, None),
        ("官方情景", "是" if s.is_official else "否（试算）", None),
        ("基年", s.base_inventory.year, None),
        ("模拟次数", r["draws"], None),
        ("随机种子", r["seed"], None),
        (
            "达峰年份（模拟均值路径）",
            f"未见峰值（到 {sm['end_year']} 年仍在上升）" if no_peak else sm["peak_year"],
            None,
        ),
        ("最可能达峰年份（模拟中最多的）", sm["most_likely_peak_year"], None),
        ("峰值（万吨 CO2）", "—（未见峰值）" if no_peak else round((sm["peak_tco2"] or 0) / 10000, 1), None),
        (f"{s.plan.peak_year}年前（含）达峰概率", r["p_peak_by_target"], PCT),
        ("平台期", "—（未见峰值）" if no_peak else ("是" if sm["plateau"]["is_plateau"] else "否"), None),
        ("输入哈希", run.inputs_sha256, None),
        ("方法", r["method"], None),
    ]
    if s.is_illustrative:
        rows.append(("说明", "演示数据（虚构）", None))
    for k, v, fmt in rows:
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = BOLD
        if fmt:
            ws.cell(ws.max_row, 2).number_format = fmt
    for note in r.get("not_applied", []):
        ws.append(["未计入", note["message_zh"]])
        ws.cell(ws.max_row, 1).font = BOLD
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70

    ps = wb.create_sheet("年度路径")
    sectors = list(det["sectors"])
    header = ["年份", "均值（tCO2）", "P10（tCO2）", "P90（tCO2）", "确定性路径（tCO2）"]
    header += [f"{GROUP_NAMES[g]}（tCO2）" for g in sectors] + ["调入电力（tCO2）", "新能源装机（MW）"]
    extra_names = {
        "nonfossil_share": "非化石能源比重（%）",
        "energy_intensity_tce_per_10k_yuan": "单位GDP能耗（tce/万元）",
        "energy_tce": "能源消费总量（tce）",
    }
    extra = [k for k in extra_names if k in det]
    header += [extra_names[k] for k in extra]
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
    if "nonfossil_share" in extra:
        col = len(header) - len(extra) + extra.index("nonfossil_share") + 1
        for row in ps.iter_rows(min_row=2, min_col=col, max_col=col):
            row[0].number_format = PCT
    chart = LineChart()
    chart.title = "二氧化碳排放路径（tCO2）"
    chart.y_axis.title = "tCO2"
    chart.height, chart.width = 9, 22
    chart.add_data(Reference(ps, min_col=2, max_col=5, min_row=1, max_row=len(r["years"]) + 1), titles_from_data=True)
    chart.set_categories(Reference(ps, min_col=1, min_row=2, max_row=len(r["years"]) + 1))
    ws.add_chart(chart, "D2")

    gs = wb.create_sheet("目标差距")
    gs.append(["指标", "单位", "年份", "目标值", "预测值", "差距", "能否达到"])
    for g in r.get("gaps", []):
        unit = g.get("unit", "")
        projected: Any = g["projected"]
        gap: Any = g["gap"]
        if g.get("beyond_horizon"):
            projected, gap = f"未见峰值（到 {projected} 年仍在上升）", None
        gs.append([g["name"], _unit_name(unit), g["year"], g["target_value"], projected, gap])
        gs.cell(gs.max_row, 7).value = "可达到" if g["met"] else "有缺口"
        if unit == "fraction":
            for col in (4, 5, 6):
                gs.cell(gs.max_row, col).number_format = PCT
    for c in gs[1]:
        c.font = BOLD

    ds = wb.create_sheet("假设")
    ds.append(["部门", "驱动因素（每年，%）", "均值", "下限（P10）", "上限（P90）"])
    for g, d in effective_drivers(s).items():
        for name, v in d.items():
            label = str(DriverName(name).label) if name in DriverName.values else name
            if isinstance(v, dict):
                ds.append([str(GROUP_NAMES.get(g, g)), label, v.get("mean"), v.get("low"), v.get("high")])
            else:
                ds.append([str(GROUP_NAMES.get(g, g)), label, v, None, None])
            for col in (3, 4, 5):
                ds.cell(ds.max_row, col).number_format = PCT2
    for c in ds[1]:
        c.font = BOLD
    js = wb.create_sheet("项目")
    js.append(["编码", "名称", "类型", "纳入", "装机（MW）", "投产年", "推迟（年）", "年利用小时"])
    for p in project_rows(s):
        js.append(
            [
                p["code"],
                p["project"].name,
                str(p["project"].get_type_display()),
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
    ]
    if pk == len(years) - 1:  # still rising at the horizon: no peak to mark
        parts.append(f'<text x="{left + w - 4}" y="{up + 10}" fill="#d73027" text-anchor="end">未见峰值</text>')
    else:
        parts += [
            f'<line x1="{x(pk):.1f}" y1="{up}" x2="{x(pk):.1f}" y2="{up + h}" stroke="#d73027"/>',
            f'<text x="{x(pk) + 3:.1f}" y="{up + 10}" fill="#d73027">峰值 {years[pk]}</text>',
        ]
    parts.append(f'<line x1="{left}" y1="{up + h}" x2="{left + w}" y2="{up + h}" stroke="#333"/>')
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
