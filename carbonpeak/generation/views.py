"""The generation-unit register's pages: the register (filters, totals by type, the capacity by year), the
upload with its report, and the Chinese template. Staff of the county read; the office, 发改局 and the grid
company write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.core.capacity import GENERATING_TYPES, STORAGE, UnitRow, capacity_at, in_service, to_10k_kw
from carbonpeak.generation import fetch
from carbonpeak.generation.choices import UnitType
from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.models import Unit
from carbonpeak.generation.permissions import can_read, can_write
from carbonpeak.generation.services import import_units
from carbonpeak.plan.tenancy import principal_of, require_county
from carbonpeak.tabular import Report, Unreadable, read_rows
from carbonpeak.tabular.writing import template_bytes

PAGE_ROWS = 500


def _county(request, write: bool = False):
    plan = require_county(request)
    who = principal_of(request)
    if not (can_write(who, plan) if write else can_read(who, plan)):
        raise PermissionDenied
    return plan


def _chart(plan, today) -> dict[str, Any]:
    """Year-end capacity by type (万千瓦, stacked bars) from the first connection to this year (or the last
    planned connection), storage apart."""
    rows = fetch.unit_rows(plan)
    first = min((u.connected_on.year for u in rows), default=None)
    if first is None:
        return {}
    first = max(first, min(plan.first_year, plan.base_year))  # the years the targets are fed
    last = max(today.year, max(u.connected_on.year for u in rows))
    years = list(range(first, last + 1))
    caps = [capacity_at(rows, y) for y in years]
    labels = dict(UnitType.choices)
    series = [
        {"name": str(labels[t]), "type": "bar", "stack": "cap", "data": [float(c.by_type.get(t, 0)) for c in caps]}
        for t in GENERATING_TYPES
        if any(c.by_type.get(t) for c in caps)
    ]
    series.append({"name": _("新能源装机合计"), "type": "line", "data": [float(c.capacity_10k_kw) for c in caps]})
    if any(c.storage_10k_kw for c in caps):
        series.append({"name": _("储能（不计入）"), "type": "line", "data": [float(c.storage_10k_kw) for c in caps]})
    return {"categories": [str(y) for y in years], "series": series, "unit": _("万千瓦")}


@login_required
def home(request):
    plan = _county(request)
    today = fetch.beijing_today()
    kind = request.GET.get("type", "")
    township = request.GET.get("township", "")[:60]
    qs = Unit.objects.filter(plan=plan).select_related("project")
    if kind in UnitType.values:
        qs = qs.filter(type=kind)
    else:
        kind = ""
    if township:
        qs = qs.filter(township=township)
    units = list(qs.order_by("type", "unit_id")[: PAGE_ROWS + 1])
    shown = units[:PAGE_ROWS]
    # totals by type of the units shown by the filter, in service today
    totals: dict[str, dict[str, Any]] = {}
    for t, label in UnitType.choices:
        totals[t] = {"label": label, "count": 0, "mw": Decimal(0), "storage": t == STORAGE}
    for t, mw, on, off in qs.values_list("type", "capacity_mw", "connected_on", "retired_on"):
        row = UnitRow(t, mw, on, off)
        if in_service(row, today):
            totals[t]["count"] += 1
            totals[t]["mw"] += mw
    for t in totals.values():
        t["wkw"] = to_10k_kw(t["mw"])
    generating = [totals[t] for t in GENERATING_TYPES]
    total_mw = sum((t["mw"] for t in generating), Decimal(0))
    ctx = {
        "plan": plan,
        "units": shown,
        "more": len(units) > PAGE_ROWS,
        "types": UnitType.choices,
        "kind": kind,
        "township": township,
        "townships": list(
            Unit.objects.filter(plan=plan).order_by("township").values_list("township", flat=True).distinct()
        ),
        "totals": [*generating, totals[STORAGE]],
        "total_wkw": to_10k_kw(total_mw),
        "total_count": sum(t["count"] for t in generating),
        "today": today,
        "chart": _chart(plan, today),
        "may_write": can_write(principal_of(request), plan),
    }
    return render(request, "generation/units.html", ctx)


@login_required
def upload(request):
    plan = _county(request, write=True)
    report = None
    if request.method == "POST":
        f = request.FILES.get("file")
        rep = Report()
        if f is None:
            rep.reject(None, "file", "请选择文件", "choose a file")
        else:
            try:
                rep = import_units(
                    request.user, plan, read_rows(f.read(), UNITS, f.name), update=request.POST.get("update") == "1"
                )
            except Unreadable as exc:
                rep.reject(None, "file", exc.message_zh, exc.message_en)
        report = rep.as_dict()
        report["summary"] = rep.summary(get_language() or "zh-hans")
    return render(request, "generation/upload.html", {"plan": plan, "report": report, "table": UNITS})


@login_required
def template(request):
    _county(request)
    resp = HttpResponse(
        template_bytes(UNITS), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = 'attachment; filename="template-generation-units.xlsx"'
    return resp
