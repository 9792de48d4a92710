"""The construction-waste pages: the permits with their progress, a load's chain, the alerts and cases, the
monthly totals, the recycled share against the goal, the avoided emissions (reported only), uploads and the
Excel export. Every page is the request's county (``plan.tenancy``); writes are the 城管局's and the office's
(imports also the 住建局's)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import User
from carbonpeak.percent import fraction_to_percent
from carbonpeak.plan.tenancy import principal_of, require_county
from carbonpeak.tabular import Unreadable
from carbonpeak.tabular.times import BEIJING
from carbonpeak.tabular.writing import template_bytes, workbook_bytes
from carbonpeak.validation import ValidationFailed
from carbonpeak.waste import approvals, carbon, cases, columns, permissions, reconcile, rules, services
from carbonpeak.waste.choices import AlertKind, CaseStatus, Category, DestinationKind
from carbonpeak.waste.models import Destination, GpsPoint, Manifest, Permit, Receipt, WasteCase

KIND_TITLES = {
    "sites": "工地",
    "carriers": "运输企业",
    "vehicles": "运输车辆",
    "destinations": "处置场所",
    "permits": "处置核准",
    "manifests": "运输联单",
    "receipts": "过磅单",
    "gps": "车辆定位",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zh(message: str) -> str:
    """The Chinese half of a ``中文 / English`` message."""
    return message.split(" / ")[0]


def _plan(request):
    plan = require_county(request)
    permissions.require_read(principal_of(request), plan)
    return plan


def _as_of(request) -> dt.datetime:
    from carbonpeak.tabular.times import parse_time

    t = parse_time(request.GET.get("as_of") or "", local=True)
    return t or timezone.now()


def _rows(plan, as_of) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = reconcile.reconcile(plan, as_of)
    sites = dict(Permit.objects.filter(plan=plan).values_list("pk", "site__name"))
    rows = []
    for r in result["permits"]:
        permitted = Decimal(str(r["permitted_t"]))
        received = Decimal(str(r["received_t"]))
        pct = (received * 100 / permitted) if permitted else Decimal(0)
        shown = {k: reconcile._t(Decimal(str(r[k]))) for k in ("permitted_t", "hauled_t", "received_t", "recycled_t")}
        rows.append(
            {
                **r,
                **{f"{k}_shown": v for k, v in shown.items()},
                "category_label": Category(r["category"]).label,
                "site": sites.get(r["_pk"], ""),
                "bar": min(100, int(pct)),
                "pct": pct.quantize(Decimal("0.1")),
                "over": received > permitted,
                "alerts_zh": [
                    {**a, "kind_label": AlertKind(a["kind"]).label, "message_zh": zh(a["message"])} for a in r["alerts"]
                ],
            }
        )
    return result, rows


@login_required
def home(request):
    plan = _plan(request)
    as_of = _as_of(request)
    result, rows = _rows(plan, as_of)
    totals = result["totals"]
    recycled = Decimal(str(totals["recycled_t"]))
    method = carbon.report(recycled, request.GET.get("method") or None)
    goal = rules.recycled_goal()
    target = plan.targets.filter(indicator=approvals.INDICATOR).first() if hasattr(plan, "targets") else None
    share = totals["recycled_share_pct"]
    user = principal_of(request)
    return render(
        request,
        "waste/home.html",
        {
            "plan": plan,
            "as_of": as_of.astimezone(BEIJING),
            "rows": rows,
            "totals": totals,
            "alert_count": sum(len(r["alerts"]) for r in rows),
            "goal_pct": fraction_to_percent(goal) + "%",
            "target": target,
            "share_bar": min(100, int(share or 0)),
            "below_goal": share is not None and Decimal(str(share)) < goal * 100,
            "method": method,
            "can_write": permissions.can_write(user, plan),
            "can_cases": permissions.can_handle_cases(user, plan),
            "open_cases": WasteCase.objects.filter(plan=plan, status__in=cases.OPEN).count(),
            "year": as_of.astimezone(BEIJING).year,
            "approval": plan.waste_approvals.filter(year=as_of.astimezone(BEIJING).year).first(),
        },
    )


@login_required
def load(request, manifest_id: str):
    plan = _plan(request)
    m = get_object_or_404(
        Manifest.objects.select_related("permit__site", "destination", "vehicle__carrier"),
        plan=plan,
        manifest_id=manifest_id,
    )
    receipts = list(m.receipts.select_related("destination").order_by("arrived_at", "receipt_id"))
    end = receipts[0].arrived_at if receipts else timezone.now()
    points = list(
        GpsPoint.objects.filter(plan=plan, plate=m.plate, time__gte=m.departed_at, time__lte=end)
        .order_by("time")
        .values_list("time", "lat", "lon", "speed_kmh")[:5000]
    )
    site, dest = m.permit.site, m.destination
    chart = {
        "track": [[p[2], p[1]] for p in points],
        "times": [p[0].astimezone(BEIJING).strftime("%H:%M:%S") for p in points],
        "places": [
            {"name": _("工地") + " " + site.name, "value": [float(site.lon), float(site.lat)]}
            for _x in [0]
            if site.lat is not None
        ]
        + [
            {"name": _("处置场所") + " " + dest.name, "value": [float(dest.lon), float(dest.lat)]}
            for _x in [0]
            if dest.lat is not None
        ],
        "labels": {"track": _("行驶轨迹"), "places": _("工地与处置场所")},
    }
    case_list = list(WasteCase.objects.filter(plan=plan, manifest=m).order_by("opened_at"))
    for c in case_list:
        c.message_zh = zh(c.message)
    return render(
        request,
        "waste/load.html",
        {
            "plan": plan,
            "m": m,
            "receipts": receipts,
            "points": len(points),
            "chart": chart,
            "cases": case_list,
            "category_label": Category(m.permit.category).label,
        },
    )


@login_required
def case_list(request):
    plan = _plan(request)
    user = principal_of(request)
    show_closed = request.GET.get("closed") == "1"
    qs = WasteCase.objects.filter(plan=plan).select_related("manifest", "assignee", "permit")
    qs = qs.filter(status=CaseStatus.CLOSED) if show_closed else qs.filter(status__in=cases.OPEN)
    items = list(qs.order_by("-opened_at")[:500])
    for c in items:
        c.message_zh = zh(c.message)
    assignees = User.objects.filter(plan=plan, is_active=True).filter(
        role=Role.DEPARTMENT, department__code=permissions.LEAD
    ) | User.objects.filter(plan=plan, is_active=True, role=Role.OFFICE)
    return render(
        request,
        "waste/cases.html",
        {
            "plan": plan,
            "cases": items,
            "show_closed": show_closed,
            "can_cases": permissions.can_handle_cases(user, plan),
            "assignees": assignees.order_by("username"),
            "error": request.GET.get("error", ""),
        },
    )


def _case(request, pk: int) -> WasteCase:
    plan = require_county(request)
    return get_object_or_404(WasteCase.objects.select_related("plan"), plan=plan, pk=pk)


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    case = _case(request, pk)
    user = principal_of(request)
    if not permissions.can_handle_cases(user, case.plan):
        raise PermissionDenied
    try:
        if action == "assign":
            assignee = User.objects.filter(pk=request.POST.get("assignee") or 0, plan=case.plan).first()
            if assignee is None:
                return redirect(f"{_url('waste:cases')}?error=assignee")
            cases.assign(user, case, assignee)
        elif action == "follow":
            cases.follow(user, case, request.POST.get("note", ""))
        elif action == "close":
            cases.close(user, case, request.POST.get("reason", ""))
    except ValidationFailed as e:
        return redirect(f"{_url('waste:cases')}?error={e.issues[0].field}")
    return redirect(request.POST.get("next") or _url("waste:cases"))


@login_required
@require_POST
def run_check(request):
    plan = require_county(request)
    if not permissions.can_handle_cases(principal_of(request), plan):
        raise PermissionDenied
    cases.check(plan)
    return redirect(_url("waste:cases"))


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@login_required
def monthly(request):
    plan = _plan(request)
    counted = _counted_receipts(plan)
    by_cat: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_dest: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for month, cat, dest, net in counted:
        by_cat[month][cat] += net
        by_dest[month][dest] += net
    months = sorted(by_cat, reverse=True)
    cats = [c for c in Category if any(by_cat[m].get(c.value) for m in months)]
    dests = list(Destination.objects.filter(plan=plan).order_by("destination_id"))
    dests = [d for d in dests if any(by_dest[m].get(d.pk) for m in months)]
    rows = [
        {
            "month": m,
            "cats": [by_cat[m].get(c.value, Decimal(0)) for c in cats],
            "dests": [by_dest[m].get(d.pk, Decimal(0)) for d in dests],
            "total": sum(by_cat[m].values(), Decimal(0)),
            "recycled": sum(
                (by_dest[m].get(d.pk, Decimal(0)) for d in dests if d.kind == DestinationKind.RECYCLING), Decimal(0)
            ),
        }
        for m in months
    ]
    for r in rows:
        pct = reconcile.share_pct(r["recycled"], r["total"])  # 2 decimals, half up, as the reconciliation's
        r["share"] = f"{pct}%" if pct is not None else "—"
    chart = {
        "categories": [m.strftime("%Y-%m") for m in reversed(months)],
        "series": [
            {
                "name": str(c.label),
                "type": "bar",
                "stack": "t",
                "data": [float(by_cat[m].get(c.value, 0)) for m in reversed(months)],
            }
            for c in cats
        ],
        "unit": "t",
    }
    return render(
        request,
        "waste/monthly.html",
        {"plan": plan, "rows": rows, "cats": cats, "dests": dests, "chart": chart},
    )


def _counted_receipts(plan) -> list[tuple[dt.date, str, int, Decimal]]:
    """(Beijing month, category, destination pk, net) of each manifest's counted (first) receipt."""
    out, seen = [], set()
    for mid, arrived, cat, dest, net in (
        Receipt.objects.filter(plan=plan)
        .order_by("manifest_id", "arrived_at", "receipt_id")
        .values_list("manifest_id", "arrived_at", "manifest__permit__category", "destination_id", "net_t")
    ):
        if mid in seen:
            continue
        seen.add(mid)
        local = arrived.astimezone(BEIJING)
        out.append((local.date().replace(day=1), cat, dest, net))
    return out


@login_required
def upload(request):
    plan = _plan(request)
    user = principal_of(request)
    report = None
    kind = request.POST.get("kind") or request.GET.get("kind") or "manifests"
    if request.method == "POST":
        if not permissions.can_write(user, plan):
            raise PermissionDenied
        f = request.FILES.get("file")
        if kind not in KIND_TITLES:
            kind = "manifests"
        try:
            if f is None:
                raise Unreadable("请选择文件", "choose a file")
            data = f.read()
            if kind == "gps":
                rep = services.ingest_gps_file(user, plan, data, f.name)
            else:
                from carbonpeak.tabular import read_rows

                rows = read_rows(data, columns.TABLES[kind], f.name)
                rep = services.import_rows(user, plan, kind, rows, update=request.POST.get("update") == "1")
            report = rep.as_dict()
            report["summary"] = rep.summary(get_language() or "zh-hans")
        except Unreadable as e:
            report = {
                "accepted": 0,
                "duplicates": 0,
                "rejected": [{"line": None, "field": "file", "message": e.message_zh}],
            }
            report["summary"] = [{"field": "file", "message": e.message_zh, "count": 1, "lines": []}]
    return render(
        request,
        "waste/upload.html",
        {
            "plan": plan,
            "kinds": list(KIND_TITLES.items()),
            "kind": kind,
            "report": report,
            "can_write": permissions.can_write(user, plan),
        },
    )


@login_required
def template(request, kind: str):
    _plan(request)
    table = columns.TABLES.get(kind)
    if table is None:
        from django.http import Http404

        raise Http404(kind)
    resp = HttpResponse(template_bytes(table), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="waste-template-{kind}.xlsx"'
    return resp


@login_required
def export(request):
    from openpyxl import Workbook

    plan = _plan(request)
    as_of = _as_of(request)
    result, rows = _rows(plan, as_of)
    wb = Workbook()
    ws = wb.active
    ws.title = "核准对账"
    ws.append(
        [
            "核准编号",
            "类别",
            "核准量（吨）",
            "清运量（吨）",
            "消纳量（吨）",
            "资源化利用量（吨）",
            "未过磅联单",
            "预警数",
        ]
    )
    for r in rows:
        ws.append(
            [r["permit_id"], str(r["category_label"]), r["permitted_t"], r["hauled_t"], r["received_t"],
             r["recycled_t"], "、".join(r["open_manifests"]), len(r["alerts"])]
        )  # fmt: skip
    t = result["totals"]
    ws.append([])
    ws.append(
        [
            "合计消纳量（吨）",
            t["received_t"],
            "资源化利用量（吨）",
            t["recycled_t"],
            "资源化利用率（%）",
            t["recycled_share_pct"],
        ]
    )
    ws2 = wb.create_sheet("预警")
    ws2.append(["核准编号", "类别", "预警类型", "联单编号", "车牌号", "说明"])
    for r in rows:
        for a in r["alerts_zh"]:
            ws2.append([r["permit_id"], str(r["category_label"]), str(a["kind_label"]), a["manifest_id"] or "",
                        a["plate"] or "", a["message_zh"]])  # fmt: skip
    ws3 = wb.create_sheet("月度")
    ws3.append(["月份", "类别", "处置场所", "消纳量（吨）"])
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    names = dict(Destination.objects.filter(plan=plan).values_list("pk", "name"))
    for month, cat, dest, net in _counted_receipts(plan):
        sums[(month.strftime("%Y-%m"), str(Category(cat).label), names.get(dest, ""))] += net
    for (month, cat, dest), net in sorted(sums.items()):
        ws3.append([month, cat, dest, float(net)])
    resp = HttpResponse(workbook_bytes(wb), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="waste-{as_of.astimezone(BEIJING):%Y%m%d}.xlsx"'
    return resp


@login_required
@require_POST
def approve(request):
    plan = require_county(request)
    user = principal_of(request)
    if not permissions.can_handle_cases(user, plan):
        raise PermissionDenied
    year = int(request.POST.get("year") or 0)
    if not 2000 <= year <= 2100:
        return redirect(_url("waste:home"))
    if request.POST.get("reopen") == "1":
        approvals.reopen_year(user, plan, year, request.POST.get("reason", "") or "重新打开")
    else:
        approvals.approve_year(user, plan, year)
    return redirect(_url("waste:home"))


__all__ = ["Receipt", "Sum", "TruncMonth"]
