"""The dispatch round report (调度报告): the same context feeds the page, the PDF (WeasyPrint) and Excel."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone

from carbonpeak.plan.choices import Light, TaskStatus
from carbonpeak.plan.dashboard import LIGHT_ORDER
from carbonpeak.plan.models import DispatchRound
from carbonpeak.plan.rounds import overdue_days
from carbonpeak.plan.services import missing_reports
from carbonpeak.plan.status import target_statuses

#: sections the sector modules add to the round report (page, PDF): ``f(round)`` → ``{"title", "headers", "rows"}``
#: (texts, already in Chinese) or None; a module registers its function in its ``AppConfig.ready`` (plan imports no
#: sector app)
ROUND_SECTIONS: list[Callable[[DispatchRound], dict | None]] = []


def round_sections(rnd: DispatchRound) -> list[dict]:
    return [sec for f in ROUND_SECTIONS if (sec := f(rnd))]


def round_context(rnd: DispatchRound) -> dict:
    plan = rnd.plan
    reports = list(rnd.reports.select_related("task__area", "department").prefetch_related("evidence"))
    statuses = target_statuses(plan)
    missing = missing_reports(rnd)
    reminded = set(rnd.reminders.values_list("department_id", flat=True))
    late = overdue_days(rnd)
    status_counts = Counter(r.status for r in reports)
    light_counts = Counter(s.light for s in statuses if s.target.kind == "goal")
    from carbonpeak.plan.project_flags import plan_flags

    project_reports = list(
        rnd.project_reports.select_related("project__group", "department").prefetch_related("evidence")
    )
    project_flags = plan_flags(plan, rounds=[rnd])
    return {
        "plan": plan,
        "round": rnd,
        "reports": reports,
        "statuses": statuses,
        "warnings": [s for s in statuses if s.light in ("red", "yellow")],
        "missing": sorted(missing.items(), key=lambda kv: kv[0].pk),
        # per department: its missing tasks, days overdue (0 = not yet due), reminded already?
        "missing_rows": [
            {"department": d, "tasks": tasks, "overdue_days": late, "reminded": d.pk in reminded}
            for d, tasks in sorted(missing.items(), key=lambda kv: kv[0].pk)
        ],
        "overdue_days": late,
        "missing_count": sum(len(v) for v in missing.values()),
        "status_counts": [(label, status_counts.get(code, 0)) for code, label in TaskStatus.choices],
        "light_counts": [(light, light_counts.get(light, 0)) for light in LIGHT_ORDER],
        "generated_at": timezone.localtime(),
        "sections": round_sections(rnd),
        # the major projects (issue 16): their reports in this round, and the late ones (red first)
        "project_reports": project_reports,
        "project_flags": project_flags,
        "project_red": sum(1 for f in project_flags if f.level == "red"),
        "project_yellow": sum(1 for f in project_flags if f.level == "yellow"),
    }


def _bar_svg(items: list[tuple[str, int, str]], width: int = 480) -> str:
    """A small horizontal bar chart as inline SVG for the PDF (WeasyPrint renders SVG; no JS there)."""
    top = max([v for _, v, _ in items] + [1])
    rows = []
    for i, (label, value, color) in enumerate(items):
        y = i * 26
        w = int((width - 170) * value / top)
        rows.append(
            f'<text x="0" y="{y + 15}" font-size="12">{label}</text>'
            f'<rect x="120" y="{y + 3}" width="{w}" height="16" fill="{color}"/>'
            f'<text x="{126 + w}" y="{y + 15}" font-size="12">{value}</text>'
        )
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{len(items) * 26}">{"".join(rows)}</svg>'


LIGHT_COLORS = {"green": "#1a9850", "yellow": "#f0b400", "red": "#d73027", "no_data": "#9e9e9e"}
STATUS_COLORS = {"已完成": "#1a9850", "推进中": "#4e79a7", "有风险": "#d73027", "未启动": "#9e9e9e"}


def round_pdf(rnd: DispatchRound) -> bytes:
    from weasyprint import HTML

    ctx = round_context(rnd)
    ctx["light_svg"] = _bar_svg(
        [(str(dict(Light.choices).get(k, k)), v, LIGHT_COLORS[k]) for k, v in ctx["light_counts"]]
    )
    ctx["status_svg"] = _bar_svg(
        [(str(label), v, STATUS_COLORS.get(str(label), "#4e79a7")) for label, v in ctx["status_counts"]]
    )
    html = render_to_string("plan/round_report.html", ctx)
    buf = io.BytesIO()
    HTML(string=html).write_pdf(buf)
    return buf.getvalue()


def assessment_pdf(plan, year: int) -> bytes:
    """The year's assessment table as a PDF (WeasyPrint), scores whole or with one decimal."""
    from weasyprint import HTML

    from carbonpeak.plan.scoring import score_table

    html = render_to_string(
        "plan/assessment_report.html",
        {"plan": plan, "year": year, "scores": score_table(plan, year), "generated_at": timezone.localtime()},
    )
    buf = io.BytesIO()
    HTML(string=html).write_pdf(buf)
    return buf.getvalue()
