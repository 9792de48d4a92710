"""Sink pages for the 林业局 and the office: the years (coverage, stock, sink against the targets, the stock by
species group over the years, upload with the standard report, template), one year (table by township and class,
sink by species group, NE lines, gain-loss, checks, approve/reopen, Excel export), and the farmland and wetland
register."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.accounts.permissions import require
from carbonpeak.plan.choices import AssignmentRole, ProjectType, ProjectUnit
from carbonpeak.plan.models import Project, Task
from carbonpeak.plan.status import target_statuses
from carbonpeak.plan.tenancy import require_county
from carbonpeak.sinks import columns, services
from carbonpeak.sinks.choices import EcoKind, LandClass
from carbonpeak.sinks.models import EcoArea, ForestStand, ForestYear
from carbonpeak.sinks.permissions import FOREST_INDICATORS, reads_sinks, writes_eco, writes_forest
from carbonpeak.tabular import Report, Unreadable, read_rows
from carbonpeak.tabular.writing import template_bytes, workbook_bytes
from carbonpeak.validation import ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = {"forest": columns.FOREST, "harvest": columns.HARVEST, "wetlands": columns.ECO}


def _reader(request):
    require(reads_sinks(request.user))
    return require_county(request)


def _page_report(rep: Report) -> dict[str, Any]:
    out = rep.as_dict()
    out["summary"] = rep.summary(get_language() or "zh-hans")
    return out


def _upload(request, load) -> dict[str, Any]:
    f = request.FILES.get("file")
    rep = Report()
    if f is None:
        rep.reject(None, "file", "请选择要上传的文件", "choose a file to upload")
        return _page_report(rep)
    try:
        rows = read_rows(f.read(), load[0], f.name)
    except Unreadable as exc:
        rep.reject(None, "file", exc.message_zh, exc.message_en)
        return _page_report(rep)
    return _page_report(load[1](rows))


def _group_names(plan) -> dict[str, str]:
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.status import species_groups

    return {g: p.name_zh for g, p in species_groups(core_factor_set(default_factor_set(plan))).items()}


def stock_chart(plan) -> dict[str, Any]:
    """Arbor stock by species group over the years (stacked bars, m³)."""
    rows = (
        ForestStand.objects.filter(plan=plan, land_class=LandClass.ARBOR)
        .values_list("year", "species_group")
        .annotate(s=Sum("stock_m3"))
        .order_by()
    )
    data: dict[str, dict[int, Decimal]] = defaultdict(dict)
    years: set[int] = set()
    for y, g, s in rows:
        data[g][y] = Decimal(s)
        years.add(y)
    ys = sorted(years)
    names = _group_names(plan)
    return {
        "categories": [str(y) for y in ys],
        "unit": _("立方米"),
        "series": [
            {
                "name": names.get(g, g),
                "type": "bar",
                "stack": "stock",
                "data": [float(data[g].get(y, 0)) for y in ys],
            }
            for g in sorted(data)
        ],
    }


def _years(plan) -> list[dict[str, Any]]:
    stored = {fy.year: fy for fy in ForestYear.objects.filter(plan=plan)}
    years = sorted(set(ForestStand.objects.filter(plan=plan).values_list("year", flat=True).distinct()) | set(stored))
    out = []
    for y in years:
        res = services.year_status(plan, y)
        out.append({"year": y, "fy": stored.get(y), "res": res})
    return out


@login_required
def home(request):
    plan = _reader(request)
    may_write = writes_forest(request.user, plan)
    report = None
    if request.method == "POST":
        require(may_write)
        replace = request.POST.get("replace_year") == "on"
        f = request.FILES.get("file")
        rep = Report()
        if f is None:
            rep.reject(None, "file", "请选择要上传的文件", "choose a file to upload")
        else:
            try:
                rep = services.import_forest_file(request.user, plan, f.read(), f.name, replace_year=replace)
            except Unreadable as exc:
                rep.reject(None, "file", exc.message_zh, exc.message_en)
        report = _page_report(rep)
    statuses = [s for s in target_statuses(plan) if s.target.indicator in FOREST_INDICATORS]
    chart = stock_chart(plan)
    return render(
        request,
        "sinks/home.html",
        {
            "plan": plan,
            "years": _years(plan),
            "statuses": statuses,
            "chart": chart if chart["categories"] else None,
            "may_write": may_write,
            "report": report,
            "eco_projects": eco_projects(plan),
        },
    )


#: the project types of the plan's ecological sink works (方案四(五): 国土绿化、生态廊道、湿地保护修复)
ECO_PROJECT_TYPES = (ProjectType.AFFORESTATION, ProjectType.ECOLOGICAL_CORRIDOR, ProjectType.WETLAND)


def eco_projects(plan) -> list[dict[str, Any]]:
    """The plan's ecological sink projects with their lead departments, status and area planned and done (ha):
    they are reported in the dispatch rounds like every project; this lists them beside the sink accounts."""
    out = []
    projects = (
        Project.objects.filter(plan=plan, type__in=ECO_PROJECT_TYPES, archived=False)
        .prefetch_related("assignments__department")
        .order_by("code")
    )
    for p in projects:
        leads = [a.department.name for a in p.assignments.all() if a.role == AssignmentRole.LEAD]
        share = None
        if p.size and p.size_done is not None and p.size_unit == ProjectUnit.HA:
            share = p.size_done / p.size
        out.append({"project": p, "leads": leads, "share": share, "in_ha": p.size_unit == ProjectUnit.HA})
    return out


def _pivot(plan, year: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """Area by township (rows) and land class (columns), with the township's arbor stock."""
    rows = (
        ForestStand.objects.filter(plan=plan, year=year)
        .values_list("township", "land_class")
        .annotate(a=Sum("area_ha"), s=Sum("stock_m3"))
        .order_by()
    )
    towns: dict[str, dict[str, Any]] = {}
    for t, c, a, s in rows:
        row = towns.setdefault(t, {"township": t, "areas": defaultdict(Decimal), "stock": Decimal(0)})
        row["areas"][c] += Decimal(a)
        if c == LandClass.ARBOR:
            row["stock"] += Decimal(s)
    classes = list(LandClass)
    out = []
    for t in sorted(towns):
        r = towns[t]
        out.append(
            {
                "township": t,
                "areas": [(c.label, r["areas"].get(c.value, Decimal(0))) for c in classes],
                "land": sum(r["areas"].values(), Decimal(0)),
                "stock": r["stock"],
            }
        )
    return out, classes


def year_targets(plan, year: int, res: dict[str, Any], illustrative: bool = False) -> list[Any]:
    """The forest targets judged as if this year's figures (a draft's too) were the latest reported values: the
    plan's values of earlier years, and this year's coverage (a fraction) and stock, through the plan's own
    light rule (``plan.status.target_statuses``). What approval would feed, so a 林业局 officer sees the year
    against the targets before approving it."""
    from carbonpeak.plan.status import ValuePoint, load_values

    figures: dict[str, Decimal | None] = {
        "forest_coverage": None if res["coverage_pct"] is None else Decimal(str(res["coverage_pct"])) / 100,
        "forest_stock": None if res["stock_m3"] is None else Decimal(str(res["stock_m3"])),
    }
    detail = "演示数据（虚构）" if illustrative else ""
    values = load_values(plan)
    for pk, indicator in plan.targets.filter(archived=False, indicator__in=FOREST_INDICATORS).values_list(
        "pk", "indicator"
    ):
        points = [v for v in values.get(pk, []) if v.year < year]
        figure = figures.get(indicator)
        if figure is not None:
            points.append(ValuePoint(year, None, figure, detail))
        values[pk] = points
    return [s for s in target_statuses(plan, values) if s.target.indicator in FOREST_INDICATORS]


@login_required
def year(request, year: int):
    plan = _reader(request)
    may_write = writes_forest(request.user, plan)
    errors = None
    if request.method == "POST":
        require(may_write)
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_year(request.user, plan, year)
            elif action == "reopen":
                services.reopen_year(request.user, plan, year, request.POST.get("reason", ""))
            else:
                raise Http404
            return redirect("sinks:year", year=year)
        except ValidationFailed as exc:
            errors = exc.issues
    res = services.year_status(plan, year)
    fy = ForestYear.objects.filter(plan=plan, year=year).first()
    if res is None and fy is None:
        raise Http404
    pivot, classes = _pivot(plan, year)
    towns = {t["township"]: t for t in (res or {}).get("by_township", [])}
    for p in pivot:
        p["fig"] = towns.get(p["township"], {})
    return render(
        request,
        "sinks/year.html",
        {
            "plan": plan,
            "year": year,
            "fy": fy,
            "res": res,
            "pivot": pivot,
            "classes": classes,
            "targets": year_targets(plan, year, res, bool(fy and fy.is_illustrative)) if res else [],
            "may_write": may_write,
            "errors": errors,
            "english": (get_language() or "").startswith("en"),
        },
    )


@login_required
def template_xlsx(request, kind: str):
    _reader(request)
    table = TEMPLATES.get(kind)
    if table is None:
        raise Http404
    resp = HttpResponse(template_bytes(table), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return resp


@login_required
def export_xlsx(request, year: int):
    """The year's rows (in the template's columns, Chinese headers) and its figures by township."""
    from openpyxl import Workbook

    plan = _reader(request)
    res = services.year_status(plan, year)
    if res is None:
        raise Http404
    names = _group_names(plan)
    labels = dict(LandClass.choices)
    wb = Workbook()
    ws = wb.active
    ws.title = "森林资源数据"
    ws.append([c.zh for c in columns.FOREST.columns])
    for y, t, c, g, a, s, comp in (
        ForestStand.objects.filter(plan=plan, year=year)
        .order_by("township", "land_class", "species_group", "compartment")
        .values_list("year", "township", "land_class", "species_group", "area_ha", "stock_m3", "compartment")
        .iterator(chunk_size=5000)
    ):
        ws.append([y, t, str(labels.get(c, c)), names.get(g, g) if g else "", float(a), float(s), comp])
    ws2 = wb.create_sheet("分乡镇")
    ws2.append(["乡镇", "森林覆盖率（%）", "乔木林蓄积量（立方米）", "碳汇（tCO2）"])
    for t in res["by_township"]:
        ws2.append([t["township"], t["coverage_pct"], t["stock_m3"], t["sink_tco2"]])
    ws2.append(["全县", res["coverage_pct"], res["stock_m3"], res["sink_tco2"]])
    resp = HttpResponse(workbook_bytes(wb), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="forest-{year}.xlsx"'
    return resp


@login_required
def wetlands(request):
    """Small wetlands and conservation tillage by township and year, against 三(六)2; their sinks NE."""
    plan = _reader(request)
    may_write = writes_eco(request.user, plan)
    report = None
    if request.method == "POST":
        require(may_write)
        report = _upload(request, (columns.ECO, lambda rows: services.import_eco(request.user, plan, rows)))
    areas = list(EcoArea.objects.filter(plan=plan).order_by("-year", "township", "kind", "name"))
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for a in areas:
        totals[(a.year, a.kind)] += a.area_ha
    summary = [
        {
            "year": y,
            "kind": str(EcoKind(k).label),
            "area": v,
            "count": sum(1 for a in areas if (a.year, a.kind) == (y, k)),
        }
        for (y, k), v in sorted(totals.items(), reverse=True)
    ]
    tasks = list(
        Task.objects.filter(plan=plan).filter(text__contains="小微湿地")
        | Task.objects.filter(plan=plan).filter(text__contains="保护性耕作")
    )
    return render(
        request,
        "sinks/wetlands.html",
        {"plan": plan, "areas": areas, "summary": summary, "tasks": tasks, "may_write": may_write, "report": report},
    )
