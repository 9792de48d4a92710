"""The building pages: the registry, a building, the shares of completed area, energy and benchmarks, the public
institutions, rooftop PV, uploads with the standard report, template downloads and the export.

Every query is filtered by the request's county (``require_county``); a building of another county is 404.
Staff read; the office and the 住建局 write the registry, completions, bills and benchmarks; the office and the
机关事务中心 the public institutions' targets and checklist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.buildings import figures, services
from carbonpeak.buildings.choices import PUBLIC_OWNERSHIPS, BillSource, Ownership, Use
from carbonpeak.buildings.columns import BILLS, BUILDINGS, COMPLETIONS
from carbonpeak.buildings.models import Building, ChecklistItem, Completion, EnergyBenchmark
from carbonpeak.buildings.permissions import edits_institutions, edits_registry, reads_buildings
from carbonpeak.enterprises.models import Meter
from carbonpeak.plan.models import Target
from carbonpeak.plan.pages import render_issues as _failed
from carbonpeak.plan.tenancy import principal_of, require_county
from carbonpeak.tabular import Report, Unreadable, read_rows
from carbonpeak.tabular.times import BEIJING
from carbonpeak.tabular.writing import csv_bytes, template_bytes
from carbonpeak.validation import Issue, ValidationFailed, parse_int

MONTHS = [f"{m}月" for m in range(1, 13)]
TEMPLATES = {"buildings": BUILDINGS, "completions": COMPLETIONS, "bills": BILLS}
SHARE_TARGETS = (("green_building_share", "green_building_share_pct"), ("prefab_building_share", "prefab_share_pct"))


def _plan(request):
    if not reads_buildings(request.user):
        raise PermissionDenied
    return require_county(request)


def _year(request, default: int | None = None) -> int:
    d = default if default is not None else timezone.now().astimezone(BEIJING).year - 1
    y = parse_int(request.GET.get("year", request.POST.get("year", d)), low=2000, high=2100)
    return d if y is None else y


def _page_report(rep: Report) -> dict[str, Any]:
    out = rep.as_dict()
    out["summary"] = rep.summary(get_language() or "zh-hans")
    return out


def _upload(request, table, run, back: str):
    """A file from the page through the same service as the command line; the grouped report, or the
    refusal page when the file itself is unreadable."""
    f = request.FILES.get("file")
    try:
        if f is None:
            raise ValidationFailed([Issue("required", "file", "请选择要上传的文件", "choose a file")])
        try:
            rows = read_rows(f.read(), table, f.name)
        except Unreadable as u:
            raise ValidationFailed([Issue("unreadable", "file", u.message_zh, u.message_en)]) from u
    except ValidationFailed as exc:
        return None, _failed(request, exc.issues, back)
    return _page_report(
        run(request.user, require_county(request), rows, update=request.POST.get("update") == "1")
    ), None


@login_required
def upload_template(request, kind: str):
    _plan(request)
    table = TEMPLATES.get(kind)
    if table is None:
        raise Http404(kind)
    resp = HttpResponse(
        template_bytes(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="template-buildings-{kind}.xlsx"'
    return resp


# --- the registry -----------------------------------------------------------------------------------------------
@login_required
def home(request):
    plan = _plan(request)
    report = None
    if request.method == "POST":
        if not edits_registry(principal_of(request), plan):
            raise PermissionDenied
        report, failed = _upload(request, BUILDINGS, services.import_buildings, reverse("buildings:home"))
        if failed:
            return failed
    qs = Building.objects.filter(plan=plan)
    use = request.GET.get("use") or ""
    own = request.GET.get("ownership") or ""
    town = request.GET.get("township") or ""
    if use in Use.values:
        qs = qs.filter(use=use)
    if own in Ownership.values:
        qs = qs.filter(ownership=own)
    if town:
        qs = qs.filter(township=town)
    townships = Building.objects.filter(plan=plan).order_by("township").values_list("township", flat=True).distinct()
    return render(
        request,
        "buildings/home.html",
        {
            "plan": plan,
            "buildings": qs.order_by("building_id")[:500],
            "count": qs.count(),
            "uses": Use.choices,
            "ownerships": Ownership.choices,
            "townships": list(townships),
            "use": use,
            "ownership": own,
            "township": town,
            "can_edit": edits_registry(principal_of(request), plan),
            "report": report,
        },
    )


@login_required
def detail(request, building_id: str):
    plan = _plan(request)
    b = get_object_or_404(Building, plan=plan, building_id=building_id)
    year = _year(request)
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "bill":
                if not edits_registry(principal_of(request), plan):
                    raise PermissionDenied
                row = {k: (request.POST.get(k) or "").strip() for k in ("month", "carrier", "unit", "quantity")}
                rep = services.import_bills(
                    request.user,
                    plan,
                    [(1, {"building_id": b.building_id, **row})],
                    update=request.POST.get("update") == "1",
                    source=BillSource.TYPED,
                )
                if rep.rejected:
                    raise ValidationFailed(
                        [Issue("invalid", field, zh, en) for _line, field, zh, en in rep.rejections()]
                    )
            elif action == "meter":
                if not edits_registry(principal_of(request), plan):
                    raise PermissionDenied
                code = (request.POST.get("meter_code") or "").strip()
                meter = Meter.objects.filter(enterprise__plan=plan, meter_code=code).first()
                if meter is None:
                    raise ValidationFailed(
                        [
                            Issue(
                                "not_found", "meter_code", "计量器具编号：本县未登记", "meter_code: not registered here"
                            )
                        ]
                    )
                services.link_meter(request.user, b, meter)
            elif action == "checklist":
                if not edits_institutions(principal_of(request), plan):
                    raise PermissionDenied
                services.set_checklist_item(
                    request.user,
                    b,
                    request.POST.get("year"),
                    request.POST.get("item"),
                    request.POST.get("done") == "1",
                    request.POST.get("evidence", ""),
                )
            else:
                raise Http404
        except ValidationFailed as exc:
            return _failed(request, exc.issues, reverse("buildings:detail", args=[b.building_id]))
        return redirect(f"{reverse('buildings:detail', args=[b.building_id])}?year={year}")
    row = figures.intensities(plan, year, Building.objects.filter(pk=b.pk))[0]
    prev = figures.energy(plan, year - 1, [b.pk])["buildings"].get(b.pk)
    e = row["energy"]
    series = [
        {
            "name": _("%(y)s 年能耗（kgce，当量值）") % {"y": year},
            "type": "bar",
            "data": [float(round(x, 1)) for x in e["months_kgce"]] if e else [0] * 12,
        }
    ]
    if prev and prev["kgce"]:
        series.append(
            {
                "name": _("%(y)s 年") % {"y": year - 1},
                "type": "line",
                "data": [float(round(x, 1)) for x in prev["months_kgce"]],
            }
        )
    public = b.ownership in PUBLIC_OWNERSHIPS
    return render(
        request,
        "buildings/detail.html",
        {
            "plan": plan,
            "b": b,
            "year": year,
            "row": row,
            "chart": {"categories": MONTHS, "series": series},
            "meters": [link.meter for link in b.meter_links.select_related("meter__enterprise")],
            "bills": b.bills.filter(month__year=year).order_by("month", "carrier"),
            "public": public,
            "checklist": ChecklistItem.objects.filter(plan=plan, building=b, year=year) if public else [],
            "can_edit": edits_registry(principal_of(request), plan),
            "can_edit_checklist": public and edits_institutions(principal_of(request), plan),
        },
    )


# --- the shares -------------------------------------------------------------------------------------------------
def _target_pct(plan, indicator: str, year: int) -> Decimal | None:
    """The plan's target for the share (the milestone of the year, else the last one), as a percent."""
    t = Target.objects.filter(plan=plan, indicator=indicator).prefetch_related("milestones").first()
    if t is None:
        return None
    ms = list(t.milestones.all())
    m = next((x for x in ms if x.year == year), None) or next((x for x in reversed(ms) if x.year >= year), None)
    m = m or (ms[-1] if ms else None)
    return None if m is None else (m.value * 100).quantize(Decimal("0.01"))


@login_required
def shares(request):
    plan = _plan(request)
    year = _year(request)
    report = None
    can_edit = edits_registry(principal_of(request), plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("form")
        back = f"{reverse('buildings:shares')}?year={year}"
        if action == "upload":
            report, failed = _upload(request, COMPLETIONS, services.import_completions, back)
            if failed:
                return failed
        else:
            try:
                if action == "approve":
                    services.approve_year(request.user, plan, year)
                elif action == "reopen":
                    services.reopen_year(request.user, plan, year, request.POST.get("reason", ""))
                else:
                    raise Http404
            except ValidationFailed as exc:
                return _failed(request, exc.issues, back)
            return redirect(back)
    s = figures.shares(plan, year)
    rows = []
    for (indicator, key), label in zip(
        SHARE_TARGETS, (_("民用建筑中绿色建筑竣工面积占比"), _("装配式建筑占新建建筑面积比例")), strict=True
    ):
        value = None if s[key] is None else Decimal(s[key])
        target = _target_pct(plan, indicator, year)
        rows.append(
            {
                "label": label,
                "value": value,
                "target": target,
                "met": None if (value is None or target is None) else value >= target,
            }
        )
    return render(
        request,
        "buildings/shares.html",
        {
            "plan": plan,
            "year": year,
            "s": s,
            "rows": rows,
            "completions": Completion.objects.filter(plan=plan, completed_on__year=year)[:300],
            "can_edit": can_edit,
            "report": report,
            "years": range(timezone.now().astimezone(BEIJING).year, 2019, -1),
        },
    )


# --- energy and benchmarks --------------------------------------------------------------------------------------
@login_required
def energy(request):
    plan = _plan(request)
    year = _year(request)
    can_edit = edits_registry(principal_of(request), plan)
    report = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if request.POST.get("form") == "benchmark":
            try:
                services.set_benchmark(
                    request.user,
                    plan,
                    request.POST.get("use"),
                    request.POST.get("from_year"),
                    request.POST.get("guide"),
                    request.POST.get("limit"),
                    request.POST.get("source"),
                )
            except ValidationFailed as exc:
                return _failed(request, exc.issues, reverse("buildings:energy"))
            return redirect(f"{reverse('buildings:energy')}?year={year}")
        report, failed = _upload(request, BILLS, services.import_bills, reverse("buildings:energy"))
        if failed:
            return failed
    fx = figures.Factors(plan, year)
    rows = [r for r in figures.intensities(plan, year) if r["kgce"]]
    rows.sort(key=lambda r: -(r["eui_kgce_per_m2"] or 0))
    return render(
        request,
        "buildings/energy.html",
        {
            "plan": plan,
            "year": year,
            "rows": rows,
            "worst": figures.worst(plan, year),
            "benchmarks": EnergyBenchmark.objects.filter(plan=plan).order_by("use", "-year"),
            "electricity": fx.electricity_kgce_per_kwh.normalize() if fx.electricity_kgce_per_kwh else "—",
            "uses": Use.choices,
            "can_edit": can_edit,
            "report": report,
        },
    )


# --- public institutions ----------------------------------------------------------------------------------------
@login_required
def institutions(request):
    plan = _plan(request)
    year = _year(request)
    can_edit = edits_institutions(principal_of(request), plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            services.set_institution_target(
                request.user,
                plan,
                request.POST.get("target_year"),
                request.POST.get("per_capita"),
                request.POST.get("per_m2"),
                request.POST.get("source"),
            )
        except ValidationFailed as exc:
            return _failed(request, exc.issues, reverse("buildings:institutions"))
        return redirect(f"{reverse('buildings:institutions')}?year={year}")
    out = figures.institutions(plan, year)
    done = {}
    for item in ChecklistItem.objects.filter(plan=plan, year=year):
        d = done.setdefault(item.building_id, [0, 0])
        d[1] += 1
        d[0] += int(item.done)
    for r in out["rows"]:
        r["checklist"] = done.get(r["building"].pk)
    return render(
        request, "buildings/institutions.html", {"plan": plan, "year": year, "out": out, "can_edit": can_edit}
    )


@login_required
def rooftop(request):
    plan = _plan(request)
    year = _year(request)
    can_edit = edits_registry(principal_of(request), plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            services.set_rooftop(
                request.user,
                plan,
                request.POST.get("usable_share"),
                request.POST.get("kw_per_m2"),
                request.POST.get("source"),
            )
        except ValidationFailed as exc:
            return _failed(request, exc.issues, reverse("buildings:rooftop"))
        return redirect(f"{reverse('buildings:rooftop')}?year={year}")
    return render(
        request,
        "buildings/rooftop.html",
        {"plan": plan, "year": year, "out": figures.rooftop(plan, year), "can_edit": can_edit},
    )


@login_required
def export(request):
    plan = _plan(request)
    year = _year(request)
    rows = figures.export_rows(plan, year)
    cols = figures.EXPORT_COLUMNS
    resp = HttpResponse(csv_bytes(cols, figures.export_csv_cells(rows)), content_type="text/csv")
    resp["Content-Disposition"] = f'attachment; filename="buildings-energy-{year}.csv"'
    return resp
