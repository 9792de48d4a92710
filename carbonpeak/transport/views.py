"""The 交通局 page (vehicles, the clean share of new buses, charging, operating vehicles) and the 发改局 page (gas
storage days, coverage, the no-coal and no-burn zones): figures of the chosen year against their targets, charts
over the years, uploads with the standard report and templates, and the year's approval (feeds the targets)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.accounts.permissions import require
from carbonpeak.core.transport import percent_2dp
from carbonpeak.percent import fraction_to_percent
from carbonpeak.plan.choices import Indicator
from carbonpeak.plan.models import Target
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.tenancy import require_county
from carbonpeak.tabular import Report, Unreadable, read_rows
from carbonpeak.tabular.times import BEIJING
from carbonpeak.tabular.writing import template_bytes
from carbonpeak.transport import columns, figures, services
from carbonpeak.transport.choices import Fuel, Module, SiteKind, Use, YearStatus, ZoneKind
from carbonpeak.transport.models import ChargingSite, GasFacility, ReportedFigure, Vehicle, Zone
from carbonpeak.transport.permissions import can_read, can_write
from carbonpeak.validation import Issue, ValidationFailed, parse_int

MAX_UPLOAD = 50 * 1024 * 1024
TEMPLATES = {
    "vehicles": columns.VEHICLES,
    "chargers": columns.CHARGERS,
    "facilities": columns.FACILITIES,
    "coverage": columns.COVERAGE,
    "operators": columns.OPERATORS,
}
TEMPLATE_NAMES = {
    "vehicles": "车辆登记模板",
    "chargers": "充电站点模板",
    "facilities": "储气设施模板",
    "coverage": "燃气覆盖模板",
    "operators": "营运车辆模板",
}


def _this_year() -> int:
    return timezone.now().astimezone(BEIJING).year


def _year(request) -> int:
    y = parse_int(request.GET.get("year") or request.POST.get("year") or _this_year(), low=2000, high=2100)
    return _this_year() if y is None else y


def _reader(request):
    plan = require_county(request)
    require(can_read(request.user, plan))
    return plan


def _target(plan, indicator: str) -> dict[str, Any] | None:
    t = Target.objects.filter(plan=plan, indicator=indicator).prefetch_related("milestones").first()
    if t is None:
        return None
    ms = list(t.milestones.all())
    last = ms[-1] if ms else None
    shown = ""
    if last is not None:
        shown = (
            f"{fraction_to_percent(last.value)} %"
            if t.unit == "fraction"
            else f"{figures.tidy(last.value)} {_('天') if t.unit == 'days' else ''}".strip()
        )
    return {
        "name": t.name,
        "last": last.value if last else None,
        "year": last.year if last else None,
        "shown": shown,
    }


def _pct(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def _series_chart(name: str, years: list[int], values: list, target: Any, unit: str, scale: int = 1) -> dict:
    goal = None if target is None or target["last"] is None else float(target["last"]) * scale
    return {
        "categories": [str(y) for y in years],
        "unit": unit,
        "series": [{"name": name, "type": "bar", "data": values}]
        + ([] if goal is None else [{"name": _("目标"), "type": "line", "data": [goal for _y in years]}]),
    }


def _reduction_chart(plan, years: list[int], op_years: dict[int, dict[str, Any]]) -> dict:
    """Both operating-vehicle reductions over the years (energy and CO2 per 10 000 t·km against the base year),
    each with its target as a line."""
    series = []
    for key, indicator, name, goal_name in (
        ("energy_reduction", Indicator.OPERATING_VEHICLE_ENERGY_REDUCTION, _("能耗下降率"), _("能耗下降目标")),
        ("co2_reduction", Indicator.OPERATING_VEHICLE_CO2_REDUCTION, _("二氧化碳下降率"), _("二氧化碳下降目标")),
    ):
        t = _target(plan, indicator)
        goal = None if t is None or t["last"] is None else float(t["last"]) * 100
        series.append({"name": name, "type": "bar", "data": [_pct(percent_2dp(op_years[y][key])) for y in years]})
        series.append({"name": goal_name, "type": "line", "data": [goal for _y in years]})
    return {"categories": [str(y) for y in years], "unit": "%", "series": series}


def _coal(plan) -> tuple[dict[str, Any], dict | None]:
    """Coal consumption (tce) of every approved inventory year, as the accounts compute it for a coal-cap target
    (``coal_consumption``), with that target when the plan sets one."""
    from carbonpeak.accounting.indicators import Computed, approved_results, compute_indicator

    results = approved_results(plan)
    rows = []
    for y in sorted(results):
        c = compute_indicator(plan, Indicator.COAL_CONSUMPTION, plan.base_year, y, results)
        ok = isinstance(c, Computed)
        rows.append({"year": y, "tce": c.value if ok else None, "detail": c.detail if ok else c})
    target = _target(plan, Indicator.COAL_CONSUMPTION)
    chart = None
    if any(r["tce"] is not None for r in rows):
        years = [r["year"] for r in rows]
        chart = _series_chart(
            _("煤炭消费量"), years, [None if r["tce"] is None else float(r["tce"]) for r in rows], target, _("吨标准煤")
        )
    return {"rows": rows, "target": target}, chart


def _years(plan) -> list[int]:
    return list(range(max(plan.base_year, _this_year() - 6), _this_year() + 1))


def _upload(request, table) -> list[tuple[int, dict[str, str]]]:
    f = request.FILES.get("file")
    if f is None or f.size > MAX_UPLOAD:
        raise ValidationFailed(
            [
                Issue(
                    "required",
                    "file",
                    "请选择不超过 50 MB 的 CSV 或 Excel 文件",
                    "choose a CSV or Excel file of at most 50 MB",
                )
            ]
        )
    try:
        return read_rows(f.read(), table, f.name)
    except Unreadable as u:
        raise ValidationFailed([Issue("unreadable", "file", u.message_zh, u.message_en)]) from u


def _page_report(rep: Report) -> dict[str, Any]:
    out = rep.as_dict()
    out["summary"] = rep.summary(get_language() or "zh-hans")
    return out


Importer = Callable[..., Report]
Form = Callable[[Any, Any, int], None]


def _post(
    request, plan, module: str, year: int, here: str, imports: dict[str, tuple[Any, Importer]], forms: dict[str, Form]
) -> tuple[HttpResponse | None, dict[str, Any] | None]:
    """The POST of either page: an upload (``imports``: its table and service; the page shows the report), a form
    (``forms``: a service call, then back to the page) or the year's approval. Returns ``(response, report)``:
    a response (redirect or the issues page) or the report to show on the page."""
    require(can_write(request.user, plan, module))
    action = request.POST.get("action", "")
    try:
        if action in imports:
            table, service = imports[action]
            rows = _upload(request, table)
            return None, _page_report(service(request.user, plan, rows, update=request.POST.get("update") == "1"))
        if action in forms:
            forms[action](request, plan, year)
        elif action == "approve":
            services.approve_year(request.user, plan, module, year)
        elif action == "reopen":
            services.reopen_year(request.user, plan, module, year, request.POST.get("reason", ""))
        else:
            raise ValidationFailed([Issue("invalid", "action", "未知的操作", "unknown action")])
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, here), None
    return redirect(here), None


def _reported(request, plan, year: int) -> None:
    p = request.POST
    services.set_reported(request.user, plan, year, p.get("kind", ""), p.get("value", ""), p.get("source", ""))


def _facility(request, plan, year: int) -> None:
    """One storage facility entered on the page: the import's row grammar, its problems as the page's issues."""
    keys = ("facility_id", "operator", "capacity_m3", "in_service_on", "retired_on")
    row = {k: request.POST.get(k, "") for k in keys}
    row["leased"] = "是" if request.POST.get("leased") == "1" else "否"
    rep = services.import_facilities(request.user, plan, [(1, row)], update=request.POST.get("update") == "1")
    if rep.rejected:
        raise ValidationFailed(
            [
                Issue("invalid", r["field"], r["message"].split(" / ")[0], r["message"].split(" / ")[-1])
                for r in rep.rejected
            ]
        )


def _demand(request, plan, year: int) -> None:
    services.set_gas_demand(request.user, plan, year, request.POST.get("m3", ""), request.POST.get("source", ""))


def _zone(request, plan, year: int) -> None:
    p = request.POST
    services.save_zone(
        request.user,
        plan,
        p.get("kind", ""),
        p.get("name", ""),
        p.get("area", ""),
        p.get("effective_on", ""),
        p.get("ends_on", ""),
    )


TRANSPORT_IMPORTS = {
    "vehicles": (columns.VEHICLES, services.import_vehicles),
    "chargers": (columns.CHARGERS, services.import_chargers),
    "operators": (columns.OPERATORS, services.import_operators),
}
GAS_IMPORTS = {
    "facilities": (columns.FACILITIES, services.import_facilities),
    "coverage": (columns.COVERAGE, services.import_coverage),
}


@login_required
def template(request, kind: str):
    _reader(request)
    table = TEMPLATES.get(kind)
    if table is None:
        raise Http404(kind)
    resp = HttpResponse(
        template_bytes(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return resp


# --- 交通局 -------------------------------------------------------------------------------------------------
@login_required
def home(request):
    plan = _reader(request)
    year = _year(request)
    writer = can_write(request.user, plan, Module.TRANSPORT)
    here = reverse("transport:home") + f"?year={year}"
    report = None
    if request.method == "POST":
        forms = {"reported": _reported}
        response, report = _post(request, plan, Module.TRANSPORT, year, here, TRANSPORT_IMPORTS, forms)
        if response is not None:
            return response
    fleet = figures.fleet(plan, year)
    charging = figures.charging(plan, year)
    operating = figures.operating(plan, year)
    years = _years(plan)
    bus_target = _target(plan, Indicator.NEW_BUS_CLEAN_SHARE)
    area_target = _target(plan, Indicator.SERVICE_AREA_CHARGING)
    chart_bus = _series_chart(
        _("新增公交车新能源及清洁能源占比"),
        years,
        [_pct(figures.fleet(plan, y)["new_bus_clean_share_pct"]) for y in years],
        bus_target,
        "%",
        100,
    )
    chart_area = _series_chart(
        _("服务区充电设施覆盖率"),
        years,
        [_pct(figures.charging(plan, y)["service_area_charging_pct"]) for y in years],
        area_target,
        "%",
        100,
    )
    # the chart over the years shows whenever some year has a reduction (also on a year without data of its own)
    op_years = figures.operating_reductions(plan, years)
    has_op = any(v["energy_reduction"] is not None for v in op_years.values())
    chart_op = _reduction_chart(plan, years, op_years) if has_op else None
    uses = dict(Use.choices)
    by_use = [{"label": uses[u], **v} for u, v in fleet["by_use"].items() if v["new"]]
    new_vehicles = Vehicle.objects.filter(plan=plan, registered_on__year=year).order_by("registered_on", "plate")[:200]
    return render(
        request,
        "transport/home.html",
        {
            "plan": plan,
            "year": year,
            "years": years,
            "writer": writer,
            "status": services.year_status(plan, Module.TRANSPORT, year),
            "approved": services.year_status(plan, Module.TRANSPORT, year) == YearStatus.APPROVED,
            "fleet": fleet,
            "by_use": by_use,
            "charging": charging,
            "operating": operating,
            "op_pct": {
                "energy": percent_2dp(operating["energy_reduction"]),
                "co2": percent_2dp(operating["co2_reduction"]),
            },
            "bus_target": bus_target,
            "area_target": area_target,
            "chart_bus": chart_bus,
            "chart_area": chart_area,
            "chart_op": chart_op,
            "new_vehicles": new_vehicles,
            "fuel_names": dict(Fuel.choices),
            "use_names": uses,
            "clean_names": "、".join(str(Fuel(f).label) for f in fleet["clean_fuels"]),
            "service_areas": ChargingSite.objects.filter(plan=plan, kind=SiteKind.SERVICE_AREA),
            "reported": ReportedFigure.objects.filter(plan=plan, year=year),
            "report": report,
        },
    )


# --- 发改局 -------------------------------------------------------------------------------------------------
@login_required
def gas(request):
    plan = _reader(request)
    year = _year(request)
    writer = can_write(request.user, plan, Module.GAS)
    here = reverse("transport:gas") + f"?year={year}"
    report = None
    if request.method == "POST":
        forms = {"facility": _facility, "demand": _demand, "zone": _zone}
        response, report = _post(request, plan, Module.GAS, year, here, GAS_IMPORTS, forms)
        if response is not None:
            return response
    storage = figures.storage(plan, year)
    coverage = figures.gas_coverage(plan, year)
    years = _years(plan)
    days_target = _target(plan, Indicator.GAS_STORAGE_DAYS)
    cov_target = _target(plan, Indicator.GASIFICATION_SHARE)
    chart_days = _series_chart(
        _("储气天数"), years, [_pct(figures.storage(plan, y)["storage_days"]) for y in years], days_target, _("天")
    )
    chart_cov = _series_chart(
        _("天然气气化人口比例"),
        years,
        [_pct(figures.gas_coverage(plan, y)["gasification_pct"]) for y in years],
        cov_target,
        "%",
        100,
    )
    coal, chart_coal = _coal(plan)
    day = figures.year_end(year)
    facilities = [
        {"f": f, "in_service": f.in_service_on <= day and (f.retired_on is None or f.retired_on > day)}
        for f in GasFacility.objects.filter(plan=plan)
    ]
    return render(
        request,
        "transport/gas.html",
        {
            "plan": plan,
            "year": year,
            "years": years,
            "writer": writer,
            "approved": services.year_status(plan, Module.GAS, year) == YearStatus.APPROVED,
            "storage": storage,
            "coverage": coverage,
            "days_target": days_target,
            "cov_target": cov_target,
            "chart_days": chart_days,
            "chart_cov": chart_cov,
            "coal": coal,
            "chart_coal": chart_coal,
            "facilities": facilities,
            "zones": Zone.objects.filter(plan=plan),
            "zone_kinds": ZoneKind.choices,
            "report": report,
        },
    )
