"""Accounting pages: years, one year's accounts (upload, parameters, approval), the factor library."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carbonpeak.accounting import excel, levels, method_text, services
from carbonpeak.accounting.choices import Grade
from carbonpeak.accounting.fetch import core_factor_set, results_of
from carbonpeak.accounting.indicators import target_indicators
from carbonpeak.accounting.models import Factor, Inventory
from carbonpeak.accounting.presentation import (
    COLUMN_NAMES,
    GROUP_NAMES,
    carrier_chart,
    carrier_names,
    check_rows,
    decomposition,
    group_chart,
    trend_chart,
    yoy_rows,
)
from carbonpeak.accounts.permissions import is_office, reads_everything, require, require_staff
from carbonpeak.core import accounts
from carbonpeak.percent import fraction_to_percent, percent_to_fraction
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.tenancy import acts_in, require_county
from carbonpeak.tabular.writing import csv_bytes
from carbonpeak.validation import ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _failed(request, exc: ValidationFailed, back: str):
    return render_issues(request, exc.issues, back)


def _writes(request, plan) -> bool:
    """Show the office's forms: the office of this very county (a region reader and another county's office
    read only; the services refuse them anyway)."""
    return is_office(request.user) and acts_in(request.user, plan)


@login_required
def home(request):
    require_staff(request.user)
    plan = require_county(request)
    if request.method == "POST":
        require(_writes(request, plan))
        try:
            inv = services.create_inventory(request.user, plan, request.POST.get("year"))
        except ValidationFailed as exc:
            return _failed(request, exc, reverse("accounting:home"))
        return redirect("accounting:inventory", year=inv.year)
    invs = list(
        Inventory.objects.filter(plan=plan)
        .select_related("factor_set")
        .annotate(n_lines=Count("lines"))
        .order_by("year")
    )
    rows = []
    prev = None
    for inv in invs:
        res = results_of(inv)
        ok = "error" not in res
        basis = "coal_equivalent" if ok and "coal_equivalent" in res["bases"] else "calorific"
        row = {"inv": inv, "res": res if ok else None, "error": None if ok else res["error"], "basis": basis}
        row["empty"] = inv.n_lines == 0  # no activity data yet: point to the upload, not to a row of zeros
        if ok and prev is not None and prev["res"] is not None and prev["inv"].year == inv.year - 1:
            p = prev["res"]["co2"]["territorial_co2_t"]
            row["co2_change"] = (res["co2"]["territorial_co2_t"] / p - 1) if p else None
        rows.append(row)
        prev = row
    return render(
        request,
        "accounting/home.html",
        {
            "plan": plan,
            "rows": rows,
            "chart": trend_chart([r for r in rows if r["res"] is not None and not r["empty"]]),
            "is_office": _writes(request, plan),
            "factor_sets": levels.visible_factor_sets(plan).count(),
        },
    )


def _inventory(plan, year: int) -> Inventory:
    return get_object_or_404(Inventory.objects.select_related("factor_set", "plan"), plan=plan, year=year)


@login_required
def inventory(request, year: int):
    require_staff(request.user)
    plan = require_county(request)
    inv = _inventory(plan, year)
    report = None
    errors = None
    if request.method == "POST":
        require(_writes(request, plan))
        action = request.POST.get("action")
        try:
            if action == "upload":
                f = request.FILES.get("file")
                if f is None:
                    raise ValidationFailed(
                        [
                            services.Issue(
                                "required", "file", "请选择要上传的 Excel 文件", "choose an Excel file to upload"
                            )
                        ]
                    )
                rows, params = excel.read_workbook(f.read())
                report = services.import_activity(request.user, inv, rows, params)
            elif action == "params":
                values = {k: request.POST.get(k, "") for k in services.PARAM_FIELDS}
                for k in PERCENT_PARAMS:  # typed in percent on the page, stored as a fraction
                    values[k] = percent_to_fraction(values[k])
                issues = services.set_params(request.user, inv, values)
                if issues.errors:
                    raise ValidationFailed(issues.errors)
                return redirect("accounting:inventory", year=inv.year)
            elif action == "factor_set":
                fs = get_object_or_404(levels.visible_factor_sets(plan), version=request.POST.get("version", ""))
                services.set_factor_set(request.user, inv, fs)
                return redirect("accounting:inventory", year=inv.year)
            elif action == "approve":
                services.approve(request.user, inv)
                return redirect("accounting:inventory", year=inv.year)
            elif action == "reopen":
                services.reopen(request.user, inv, request.POST.get("reason", ""))
                return redirect("accounting:inventory", year=inv.year)
            else:
                raise Http404
        except ValidationFailed as exc:
            errors = exc.issues
        inv.refresh_from_db()
    return render(request, "accounting/inventory.html", _inventory_context(request, plan, inv, report, errors))


#: inventory parameters that are shares: the form shows and takes percent
PERCENT_PARAMS = excel.PERCENT_PARAMS


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _param_field(inv: Inventory, k: str) -> tuple[str, tuple[str, str], Any]:
    label, hint = excel.PARAM_LABELS[k]
    value = getattr(inv, k)
    if k in PERCENT_PARAMS:
        return k, (label, _("%，不填则不计")), fraction_to_percent(value)
    return k, (label, hint), value


def _inventory_context(request, plan, inv: Inventory, report, errors) -> dict[str, Any]:
    res = results_of(inv)
    fs_core = core_factor_set(inv.factor_set)
    ctx: dict[str, Any] = {
        "plan": plan,
        "inv": inv,
        "report": report,
        "errors": errors,
        "is_office": _writes(request, plan),
        # the exchange file for the city and province: the office sends it, the region's readers fetch it
        "exchange_ok": _writes(request, plan) or reads_everything(request.user),
        "param_fields": [_param_field(inv, k) for k in services.PARAM_FIELDS],
        # an empty year points to the upload instead of showing a page of zeros
        "is_empty": not inv.lines.exists(),
        "factor_sets": levels.visible_factor_sets(plan),
        "grids": sorted(fs_core.grids()),
    }
    if "error" in res:
        ctx["calc_error"] = res["error"]
        return ctx
    sectors = accounts.sectors()
    cnames = carrier_names(fs_core)
    prev_inv = Inventory.objects.filter(plan=plan, year=inv.year - 1).select_related("factor_set").first()
    prev = results_of(prev_inv) if prev_inv is not None else None
    if prev is not None and "error" in prev:
        prev = None
    basis = "coal_equivalent" if "coal_equivalent" in res["bases"] else "calorific"
    base_inv = (
        Inventory.objects.filter(plan=plan, year=plan.base_year).exclude(pk=inv.pk).select_related("factor_set").first()
    )
    base_res = results_of(base_inv) if base_inv is not None else None
    lmdi_ctx = decomposition(res, inv, base_res, base_inv) if base_res and "error" not in base_res else None
    used = {f.key: f for f in Factor.objects.filter(factor_set=inv.factor_set, key__in=res["factors_used"])}
    snames = {k: (s.name_en if _english() else s.name_zh) for k, s in sectors.items()}
    fnames = method_text.factor_names(inv.factor_set.version)
    indicator_rows = []
    for row in target_indicators(plan):
        this = next((v for v in row["values"] if v["year"] == inv.year), None)
        indicator_rows.append({**row, "this": this})
    ctx.update(
        {
            "res": res,
            "basis": basis,
            "sector_rows": [
                {"code": k, "sector": sectors[k], "group": GROUP_NAMES[sectors[k].group], **v}
                for k, v in res["by_sector"].items()
            ],
            "group_rows": [{"code": g, "name": GROUP_NAMES[g], **res["by_group"][g]} for g in accounts.GROUPS],
            "carrier_rows": [{"code": k, "name": cnames.get(k, k), **v} for k, v in res["by_carrier"].items()],
            "balance_rows": [{**r, "name": cnames.get(r["carrier"], r["carrier"])} for r in res["balance"]["rows"]],
            "balance_columns": [(c, COLUMN_NAMES[c]) for c in res["balance"]["columns"]],
            "lines": inv.lines.all().order_by("sector", "carrier", "flow", "purpose"),
            "line_results": {int(r["id"][1:]): r for r in res["lines"]},
            "prev": prev,
            "prev_inv": prev_inv,
            "yoy": yoy_rows(res, prev, basis) if prev else [],
            "group_chart": group_chart(res),
            "carrier_chart": carrier_chart(res, cnames, basis),
            "checks": check_rows(res["checks"], snames, cnames, fnames, used),
            "n_errors": sum(1 for c in res["checks"] if c["severity"] == "error"),
            "used_factors": [used[k] for k in res["factors_used"] if k in used],
            "grade_c": [used[k] for k in res["factors_used"] if k in used and used[k].grade == Grade.C],
            "indicator_rows": indicator_rows,
            "lmdi": lmdi_ctx,
            # names, not codes, in the activity-lines table (issue 14)
            "sector_names": snames,
            "carrier_names": cnames,
            "factor_names": fnames,
        }
    )
    return ctx


@login_required
@require_GET
def template_xlsx(request, year: int):
    require_staff(request.user)
    inv = _inventory(require_county(request), year)
    resp = HttpResponse(excel.template_workbook(inv), content_type=XLSX)
    resp["Content-Disposition"] = (
        f'attachment; filename="activity-{inv.plan.division_code or inv.plan.code}-{inv.year}.xlsx"'
    )
    return resp


# --- factor library -------------------------------------------------------------------------------------------
@login_required
def factor_sets(request):
    require_staff(request.user)
    plan = require_county(request)
    errors = None
    if request.method == "POST":
        require(_writes(request, plan))
        f = request.FILES.get("file")
        try:
            if f is None:
                raise ValidationFailed(
                    [services.Issue("required", "file", "请选择因子 CSV 文件", "choose a factor CSV file")]
                )
            fs = services.create_county_version(
                request.user, plan, f.read(), label=request.POST.get("label", ""), note=request.POST.get("note", "")
            )
            return redirect("accounting:factor_set", version=fs.version)
        except ValidationFailed as exc:
            errors = exc.issues
    sets = levels.visible_factor_sets(plan).select_related("parent")
    return render(
        request,
        "accounting/factor_sets.html",
        {
            "plan": plan,
            "sets": sets,
            "default": services.default_factor_set(plan),
            "errors": errors,
            "is_office": _writes(request, plan),
        },
    )


FAMILY_NAMES = {
    "tce": "折标准煤系数",
    "ncv": "低位发热量",
    "cc": "单位热值含碳量",
    "of": "碳氧化率",
    "ef_co2": "CO2排放因子",
    "guide_other": "企业核算指南",
    "ipcc": "IPCC 缺省值",
    "grid": "电网排放因子",
    "heat": "热力",
    "gwp": "全球增温潜势",
    "ci": "碳普惠",
    "forest": "林业碳汇",
    "ceff": "碳效评价",
    "chaling": "县域统计",
    "target": "方案目标",
    "const": "常数",
    "nbs": "统计公报",
}


@login_required
@require_GET
def factor_set(request, version: str):
    require_staff(request.user)
    plan = require_county(request)
    visible = levels.visible_factor_sets(plan)
    fs = get_object_or_404(visible.select_related("parent"), version=version)
    factors = fs.factors.all()
    family = request.GET.get("family", "")
    grade = request.GET.get("grade", "")
    q = request.GET.get("q", "").strip()
    if family:
        factors = factors.filter(key__startswith=f"{family}.")
    if grade:
        factors = factors.filter(grade=grade)
    if q:
        factors = factors.filter(Q(key__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q))
    families = sorted({k.split(".")[0] for k in fs.factors.values_list("key", flat=True)})
    return render(
        request,
        "accounting/factor_set.html",
        {
            "plan": plan,
            "fs": fs,
            "factors": factors.order_by("key"),
            "origins": levels.row_origins(fs),
            "families": [(f, FAMILY_NAMES.get(f, f)) for f in families],
            "family": family,
            "grade": grade,
            "q": q,
            "grades": Grade.choices,
            "others": visible.exclude(pk=fs.pk),
        },
    )


@login_required
@require_GET
def factor_set_csv(request, version: str):
    require_staff(request.user)
    fs = get_object_or_404(levels.visible_factor_sets(require_county(request)), version=version)
    cols = services.FACTOR_COLUMNS + services.FACTOR_OPTIONAL_COLUMNS
    rows = ([getattr(f, c) for c in cols] for f in fs.factors.order_by("key"))
    resp = HttpResponse(csv_bytes(cols, rows), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="factors-{version.replace(":", "-")}.csv"'
    return resp


@login_required
@require_GET
def factor_diff(request):
    require_staff(request.user)
    plan = require_county(request)
    visible = levels.visible_factor_sets(plan)
    a = get_object_or_404(visible, version=request.GET.get("a", ""))
    b = get_object_or_404(visible, version=request.GET.get("b", ""))
    return render(
        request,
        "accounting/factor_diff.html",
        {"plan": plan, "a": a, "b": b, "diff": services.diff_factor_sets(a, b), "sets": visible},
    )
