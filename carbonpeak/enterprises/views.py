"""Enterprise pages: the energy manager's page (readings upload, manual entry, account, grade, carbon-account
submission, corrections), the office's monitoring wall, review queue and dual-control page, benchmarks, the
disclosure PDF and the public key-user list."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.accounting import method_text
from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.permissions import is_office, reads_enterprises, require, require_office
from carbonpeak.enterprises import accounts, carbon, control, disclosure, industry, monitoring, sqlingest, workcalendar
from carbonpeak.enterprises.choices import AccountStatus, CorrectionStatus, ProjectStatus
from carbonpeak.enterprises.columns import BENCHMARKS, ENTERPRISES, METERS, READINGS
from carbonpeak.enterprises.models import (
    Benchmark,
    CarbonAccount,
    CountyControl,
    EnergyBudget,
    Enterprise,
    HeadroomEntry,
    Meter,
    MeterAlert,
    MonthlyRollup,
    PublishedList,
    Reading,
    ReadingCorrection,
    ReviewProject,
)
from carbonpeak.enterprises.permissions import can_edit, require_read, require_reader
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.plan.pages import render_issues as _failed
from carbonpeak.plan.tenancy import acts_in, county_for, principal_of, require_county
from carbonpeak.tabular import Report, Unreadable, read_rows
from carbonpeak.tabular.writing import template_bytes
from carbonpeak.validation import Issue, ValidationFailed, parse_int, require_id

MAX_UPLOAD = 50 * 2**20
MONTHS = [f"{m}月" for m in range(1, 13)]


def carrier_display(plan) -> dict[str, str]:
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.accounting.presentation import carrier_names

    return carrier_names(core_factor_set(default_factor_set(plan)))


def _this_year() -> int:
    return timezone.now().astimezone(BEIJING).year


def _year(request, default: int) -> int:
    y = parse_int(request.GET.get("year", default), low=2000, high=2100)
    return default if y is None else y


def _page_report(rep: Report) -> dict[str, Any]:
    """An import report for a page: the counts, one line per distinct problem with its count and first lines
    (``summary``; scripts keep the per-line list), and the period of the valid readings."""
    out = rep.as_dict()
    out["summary"] = rep.summary(get_language() or "zh-hans")
    if rep.period is not None:
        out["period"] = [t.astimezone(BEIJING) for t in rep.period]
    return out


def _require_writer(request, plan) -> None:
    """A write in ``plan``: besides the role (checked by the caller), the principal must act in this county; a
    region reader, or an account of another county, writes nothing (403)."""
    require(acts_in(principal_of(request), plan))


UPLOAD_TEMPLATES = {"readings": READINGS, "meters": METERS, "enterprises": ENTERPRISES, "benchmarks": BENCHMARKS}


@login_required
def upload_template(request, kind: str):
    """The Chinese xlsx template of an upload (bold header, an example row, a 说明 sheet)."""
    table = UPLOAD_TEMPLATES.get(kind)
    if table is None:
        raise Http404(kind)
    resp = HttpResponse(
        template_bytes(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return resp


# --- the monitoring wall ------------------------------------------------------------------------------------
@login_required
def home(request):
    """The office's monitoring wall; an energy manager goes to their enterprise."""
    if request.user.role == Role.ENTERPRISE:
        county = county_for(request)  # an energy manager sees the enterprises of its own county only
        mine = list(request.user.managed_enterprises.filter(plan=county)) if county is not None else []
        if len(mine) == 1:
            return redirect("enterprises:detail", uscc=mine[0].uscc)
        return render(request, "enterprises/mine.html", {"enterprises": mine})
    require_reader(request.user)
    plan = require_county(request)
    now = timezone.now()
    year = _year(request, _this_year())
    tb = accounts.tables(plan, year)
    cal = tb.calorific
    cpos = {c: i for i, c in enumerate(cal.carriers)}
    upos = {u: j for j, u in enumerate(cal.units)}
    meters = {m.pk: m for m in Meter.objects.filter(enterprise__plan=plan).select_related("enterprise")}

    def tce(meter_id: int, q: Decimal) -> float:
        m = meters[meter_id]
        i, j = cpos.get(m.carrier), upos.get(m.unit)
        if i is None or j is None or math.isnan(cal.tce_per_unit[i, j]):
            return 0.0
        return float(q * m.multiplier) * float(cal.tce_per_unit[i, j])

    # live: the last 24 hours straight from the readings (an index range per meter: about 96 rows each)
    last_day: dict[int, float] = {}
    for r in (
        Reading.objects.filter(meter__enterprise__plan=plan, reading_time__gt=now - dt.timedelta(hours=24))
        .values("meter_id")
        .annotate(q=Sum("quantity"))
    ):
        eid = meters[r["meter_id"]].enterprise_id
        last_day[eid] = last_day.get(eid, 0.0) + tce(r["meter_id"], r["q"])
    month = dt.date(now.astimezone(BEIJING).year, now.astimezone(BEIJING).month, 1)
    month_to_date: dict[int, float] = {}
    last_seen: dict[int, dt.datetime] = {}
    for r in MonthlyRollup.objects.filter(meter__enterprise__plan=plan, month=month):
        eid = meters[r.meter_id].enterprise_id
        month_to_date[eid] = month_to_date.get(eid, 0.0) + tce(r.meter_id, r.quantity)
    for r in (
        MonthlyRollup.objects.filter(meter__enterprise__plan=plan).values("meter_id").annotate(t=Max("last_reading_at"))
    ):
        eid = meters[r["meter_id"]].enterprise_id
        if r["t"] and (eid not in last_seen or r["t"] > last_seen[eid]):
            last_seen[eid] = r["t"]
    alerts = list(
        MeterAlert.objects.filter(meter__enterprise__plan=plan, resolved_at__isnull=True).select_related(
            "meter__enterprise"
        )
    )
    warn = control.enterprise_warnings(plan, year, now)
    lights = {r["id"]: r for r in warn["enterprises"]}
    rows = []
    for e in Enterprise.objects.filter(plan=plan).order_by("name"):
        rows.append(
            {
                "e": e,
                "last_day": last_day.get(e.pk),
                "month": month_to_date.get(e.pk),
                "last_seen": last_seen.get(e.pk),
                "warning": lights.get(e.pk),
                "alerts": [a for a in alerts if a.meter.enterprise_id == e.pk],
            }
        )
    county = control.county_warning(plan, year, now, ent=warn)
    return render(
        request,
        "enterprises/wall.html",
        {
            "plan": plan,
            "year": year,
            "rows": rows,
            "alerts": alerts,
            "county": county,
            "warn": warn,
            "is_office": is_office(request.user),
            "pending_accounts": CarbonAccount.objects.filter(
                enterprise__plan=plan, status=AccountStatus.SUBMITTED
            ).count(),
            "pending_corrections": ReadingCorrection.objects.filter(
                meter__enterprise__plan=plan, status=CorrectionStatus.PENDING
            ).count(),
            "now": now,
            "cnames": carrier_display(plan),
            "calendar_missing": workcalendar.missing_years(_calendar_years(now)),
        },
    )


def _calendar_years(now: dt.datetime) -> list[int]:
    """This year, and from November (when the State Council publishes it) the next."""
    local = now.astimezone(BEIJING)
    return [local.year, local.year + 1] if local.month >= 11 else [local.year]


@login_required
def check_meters(request):
    require_office(request.user)
    if request.method == "POST":
        plan = require_county(request)
        _require_writer(request, plan)
        monitoring.check_silent_meters(plan)
    return redirect("enterprises:home")


# --- one enterprise -------------------------------------------------------------------------------------------
def _enterprise(request, uscc: str) -> Enterprise:
    ent = get_object_or_404(Enterprise, plan=require_county(request), uscc=uscc)
    require_read(request.user, ent)
    return ent


def _monthly_chart(ent: Enterprise, year: int) -> dict[str, Any]:
    cur = accounts.enterprise_monthly(ent.plan, year, [ent.pk])[ent.uscc]
    prev = accounts.enterprise_monthly(ent.plan, year - 1, [ent.pk])[ent.uscc]
    series = [
        {
            "name": _("%(y)s 年综合能耗（tce，当量值）") % {"y": year},
            "type": "bar",
            "data": [round(c["energy_tce"], 2) for c in cur],
        }
    ]
    if any(c["energy_tce"] for c in prev):
        series.append(
            {"name": _("%(y)s 年") % {"y": year - 1}, "type": "line", "data": [round(c["energy_tce"], 2) for c in prev]}
        )
    return {"categories": MONTHS, "series": series}


@login_required
def detail(request, uscc: str):
    ent = _enterprise(request, uscc)
    plan = ent.plan
    year = _year(request, _this_year() - 1)
    editable = can_edit(request.user, ent) and acts_in(principal_of(request), plan)
    report = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action")
        back = reverse("enterprises:detail", args=[uscc]) + f"?year={year}"
        try:
            if action == "upload":
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
                own = {m.meter_code: m for m in ent.meters.all()}
                try:
                    report = _page_report(sqlingest.ingest_file(plan, f.read(), f.name, meters=own))
                except Unreadable as u:
                    raise ValidationFailed([Issue("unreadable", "file", u.message_zh, u.message_en)]) from u
            elif action == "manual":
                meter = get_object_or_404(Meter, enterprise=ent, pk=require_id(request.POST.get("meter"), "meter"))
                report = monitoring.enter_manual(
                    request.user, meter, _local_time(request.POST.get("reading_time")), request.POST.get("quantity", "")
                ).as_dict()
            elif action == "submit":
                ca = carbon.submit(
                    request.user,
                    ent,
                    request.POST.get("year"),
                    request.POST.get("value_added", ""),
                    request.POST.get("note", ""),
                )
                return redirect(reverse("enterprises:detail", args=[uscc]) + f"?year={ca.year}#account")
            elif action == "correction":
                meter = get_object_or_404(Meter, enterprise=ent, pk=require_id(request.POST.get("meter"), "meter"))
                monitoring.request_correction(
                    request.user,
                    meter,
                    _local_time(request.POST.get("reading_time")),
                    request.POST.get("new_quantity"),
                    request.POST.get("reason", ""),
                )
                return redirect(reverse("enterprises:detail", args=[uscc]) + f"?year={year}#corrections")
        except ValidationFailed as exc:
            return _failed(request, exc.issues, back)
    live = carbon.live_account(ent, year)
    versions = list(CarbonAccount.objects.filter(enterprise=ent, year=year).order_by("-version"))
    current = next((v for v in versions if v.status == AccountStatus.APPROVED), None)
    provisional = None
    if current is None and versions and versions[0].status == AccountStatus.SUBMITTED and versions[0].grade_detail:
        provisional = versions[0].grade_detail
    budget = EnergyBudget.objects.filter(enterprise=ent, year=year).first()  # the year chosen on the page
    mine = control.enterprise_warnings(plan, year, enterprise_ids=[ent.pk])["enterprises"]
    warn = mine[0] if mine else None
    meters = list(ent.meters.annotate(last=Max("rollups__last_reading_at")).order_by("meter_code"))
    open_alerts = {a.meter_id: a for a in MeterAlert.objects.filter(meter__enterprise=ent, resolved_at__isnull=True)}
    gap_end = timezone.now().astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    for m in meters:
        m.alert = open_alerts.get(m.pk)
        # missing intervals in the last seven whole days (Beijing), for meters read online
        m.gaps = monitoring.gaps(m, gap_end - dt.timedelta(days=7), gap_end) if m.is_online else None
        m.calibration_overdue = m.calibration_due is not None and m.calibration_due < timezone.localdate()
    ind = industry.lookup(ent.industry_code)
    return render(
        request,
        "enterprises/detail.html",
        {
            "plan": plan,
            "ent": ent,
            "industry": ind,
            "year": year,
            "years": list(range(_this_year(), _this_year() - 6, -1)),
            "editable": editable,
            "is_office": is_office(request.user),
            "report": report,
            "live": live,
            "acc": live["enterprise"],
            "chart": _monthly_chart(ent, year),
            "versions": versions,
            "current": current,
            "stale": current is not None and carbon.is_stale(current),
            "provisional": provisional,
            "history": carbon.grade_history(ent),
            "grade_meaning": carbon.GRADE_MEANING,
            "benchmark": carbon.benchmark_for(plan, ent.industry_code, year),
            "budget": budget,
            "warn": warn,
            "meters": meters,
            "corrections": ReadingCorrection.objects.filter(meter__enterprise=ent).select_related("meter")[:50],
            "can_submit": editable
            and year < _this_year()
            and not any(v.status == AccountStatus.SUBMITTED for v in versions),
            "cnames": carrier_display(plan),
            # issue 14: factors, the factor set and the grid by name; the method labels go behind 详情
            "factor_names": method_text.factor_names(live["factor_set"]),
            "factor_set_name": method_text.factor_set_name(live["factor_set"]),
            "grid_name": method_text.grid_name(live["factor_set"], live["grid"]),
        },
    )


_NAIVE_LOCAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")


def _local_time(raw: str | None) -> str:
    """A ``datetime-local`` form value (no offset) is Beijing time; any other text is passed on unchanged and
    judged by the ingest's own grammar."""
    raw = (raw or "").strip()
    if _NAIVE_LOCAL.fullmatch(raw):
        try:
            return dt.datetime.fromisoformat(raw).replace(tzinfo=BEIJING).isoformat()
        except ValueError:
            return raw
    return raw


@login_required
def account_pdf(request, uscc: str, year: int):
    ent = _enterprise(request, uscc)
    ca = carbon.current(ent, year)
    if ca is None:
        return _failed(
            request,
            [Issue("not_approved", "year", f"{year} 年碳账户尚未审定", f"year: {year} is not approved")],
            reverse("enterprises:detail", args=[uscc]),
        )
    pdf = disclosure.account_pdf(ca)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="carbon-account-{ent.uscc}-{year}-v{ca.version}.pdf"'
    return resp


# --- the office's review queue ------------------------------------------------------------------------------
@login_required
def review(request):
    require_reader(request.user)
    plan = require_county(request)
    if request.method == "POST":
        require_office(request.user)
        _require_writer(request, plan)
        back = reverse("enterprises:review")
        try:
            if request.POST.get("kind") == "account":
                ca = get_object_or_404(
                    CarbonAccount, enterprise__plan=plan, pk=require_id(request.POST.get("id"), "id")
                )
                if request.POST.get("action") == "approve":
                    carbon.approve(request.user, ca, request.POST.get("comment", ""))
                else:
                    carbon.return_account(request.user, ca, request.POST.get("comment", ""))
            else:
                c = get_object_or_404(
                    ReadingCorrection, meter__enterprise__plan=plan, pk=require_id(request.POST.get("id"), "id")
                )
                monitoring.review_correction(
                    request.user, c, request.POST.get("action") == "approve", request.POST.get("note", "")
                )
        except ValidationFailed as exc:
            return _failed(request, exc.issues, back)
        return redirect("enterprises:review")
    return render(
        request,
        "enterprises/review.html",
        {
            "plan": plan,
            "accounts": CarbonAccount.objects.filter(enterprise__plan=plan, status=AccountStatus.SUBMITTED)
            .select_related("enterprise")
            .order_by("submitted_at"),
            "corrections": ReadingCorrection.objects.filter(
                meter__enterprise__plan=plan, status=CorrectionStatus.PENDING
            )
            .select_related("meter__enterprise")
            .order_by("created_at"),
            "recent": CarbonAccount.objects.filter(enterprise__plan=plan)
            .exclude(status=AccountStatus.SUBMITTED)
            .select_related("enterprise")
            .order_by("-reviewed_at")[:20],
            "is_office": is_office(request.user),
        },
    )


# --- dual control -------------------------------------------------------------------------------------------
@login_required
def dual_control(request):
    require_reader(request.user)
    plan = require_county(request)
    year = _year(request, _this_year())
    if request.method == "POST":
        require_office(request.user)
        _require_writer(request, plan)
        back = reverse("enterprises:control") + f"?year={year}"
        action = request.POST.get("action")
        try:
            if action == "budget":
                ent = get_object_or_404(Enterprise, plan=plan, uscc=request.POST.get("uscc", "").strip())
                control.set_budget(request.user, ent, year, request.POST.get("budget_tce", ""))
            elif action == "county":
                control.set_county(
                    request.user,
                    plan,
                    year,
                    request.POST.get("energy_total_budget_tce"),
                    request.POST.get("gdp_growth"),
                )
            elif action == "allocate":
                control.allocate(request.user, plan, request.POST.get("amount_tce", ""), request.POST.get("note", ""))
            elif action == "project":
                uscc = request.POST.get("uscc", "").strip().upper()
                ent = Enterprise.objects.filter(plan=plan, uscc=uscc).first() if uscc else None
                if uscc and ent is None:  # never recorded without its enterprise (nor against another county's)
                    raise ValidationFailed(
                        [
                            Issue(
                                "unknown",
                                "uscc",
                                f"uscc：本县未登记统一社会信用代码为 {uscc} 的企业",
                                f"uscc: no enterprise {uscc} registered in this county",
                            )
                        ]
                    )
                control.approve_project(
                    request.user,
                    plan,
                    name=request.POST.get("name", ""),
                    approval_ref=request.POST.get("approval_ref", ""),
                    energy_tce=request.POST.get("energy_tce", ""),
                    approved_on=request.POST.get("approved_on", ""),
                    expected_year=request.POST.get("expected_year", ""),
                    enterprise=ent,
                )
            elif action == "project_status":
                p = get_object_or_404(ReviewProject, plan=plan, pk=require_id(request.POST.get("id"), "id"))
                control.set_project_status(request.user, p, request.POST.get("status", ""))
            elif action == "publish":
                disclosure.publish_list(request.user, plan, request.POST.get("year", ""))
                return redirect("enterprises:public")
        except ValidationFailed as exc:
            return _failed(request, exc.issues, back)
        return redirect(back)
    recon_year = control.latest_accounts_year(plan, year) or year - 1
    warn = control.enterprise_warnings(plan, year)
    return render(
        request,
        "enterprises/control.html",
        {
            "plan": plan,
            "year": year,
            "warn": warn,
            "county": control.county_warning(plan, year, ent=warn),
            "recon_year": recon_year,
            "recon": control.reconciliation(plan, recon_year),
            "control": CountyControl.objects.filter(plan=plan, year=year).first(),
            "enterprises": Enterprise.objects.filter(plan=plan).order_by("name"),
            "ledger": HeadroomEntry.objects.filter(plan=plan).select_related("project").order_by("-id")[:100],
            "headroom": control.headroom_balance(plan),
            "projects": ReviewProject.objects.filter(plan=plan).select_related("enterprise"),
            "is_office": is_office(request.user),
            "today": timezone.localdate(),
            "cnames": carrier_display(plan),
            "statuses": ProjectStatus,
        },
    )


# --- benchmarks -----------------------------------------------------------------------------------------------
@login_required
def benchmarks(request):
    require_reader(request.user)
    plan = require_county(request)
    report = None
    if request.method == "POST":
        require_office(request.user)
        _require_writer(request, plan)
    if request.method == "POST" and request.POST.get("form") == "one":
        # one benchmark typed in: the same per-field checks, audit and duplicate rule as a file's row
        row = {k: (request.POST.get(k) or "").strip() for k in carbon.BENCHMARK_COLUMNS}
        report = carbon.import_benchmarks(request.user, plan, [(1, row)]).as_dict()
        for r in report["rejected"]:
            r["line"] = None  # (no file: the message names the field)
    elif request.method == "POST":
        f = request.FILES.get("file")
        try:
            if f is None:
                raise ValidationFailed(
                    [Issue("required", "file", "请选择行业基准 CSV 文件", "choose a benchmark CSV file")]
                )
            try:
                rows = read_rows(f.read(), BENCHMARKS, f.name)
            except Unreadable as u:
                raise ValidationFailed([Issue("unreadable", "file", u.message_zh, u.message_en)]) from u
        except ValidationFailed as exc:
            return _failed(request, exc.issues, reverse("enterprises:benchmarks"))
        report = _page_report(carbon.import_benchmarks(request.user, plan, rows))
    rows = []
    for b in Benchmark.objects.filter(plan=plan).order_by("industry_code", "-year"):
        rows.append({"b": b, "industry": industry.lookup(b.industry_code)})
    return render(
        request,
        "enterprises/benchmarks.html",
        {"plan": plan, "rows": rows, "report": report, "is_office": is_office(request.user)},
    )


# --- public ---------------------------------------------------------------------------------------------------
def public_list(request):
    """The office's published list of key energy users with their grades (no login): the county of the address
    (``/c/<code>/enterprises/key-users/``), of the account, or the only one; else (several counties, none
    chosen) the installation's list of counties at ``/``."""
    plan = county_for(request)
    if plan is None:
        if getattr(request, "county_code", None):  # an unknown (or unpublished) county in the address
            raise Http404("未找到该县 / no such county")
        return redirect("public")
    lists = list(PublishedList.objects.filter(plan=plan))
    latest_by_year: dict[int, PublishedList] = {}
    for pl in lists:
        latest_by_year.setdefault(pl.year, pl)
    year = _year(request, max(latest_by_year) if latest_by_year else _this_year() - 1)
    return render(
        request,
        "enterprises/public.html",
        {
            "plan": plan,
            "published": latest_by_year.get(year),
            "years": sorted(latest_by_year, reverse=True),
            "year": year,
            "grade_meaning": carbon.GRADE_MEANING,
            "staff": reads_enterprises(request.user),
        },
    )
