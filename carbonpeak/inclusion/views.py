"""碳普惠 pages: the resident's (phone-first: points, level, history, consent, rewards, household, export,
delete), the merchant's (verify codes, settlements), the operator console (keys, batches, rejections) and the
office's dashboard (budgets, methodologies, held events, report)."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from carbonpeak.accounts import services as account_services
from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import User
from carbonpeak.accounts.permissions import (
    is_office,
    reads_everything,
    reads_staff_pages,
    require,
    require_office,
    require_staff,
)
from carbonpeak.inclusion import awards, ledger, reports, services
from carbonpeak.inclusion.choices import EventStatus
from carbonpeak.inclusion.models import (
    Consent,
    Event,
    EventBatch,
    Merchant,
    Methodology,
    OperatorScope,
    Redemption,
    Resident,
    Reward,
    Scenario,
)
from carbonpeak.plan.pages import render_issues as _failed
from carbonpeak.plan.tenancy import acts_in, county_for, principal_of, require_county
from carbonpeak.validation import Issue, ValidationFailed, parse_int, require_id


def _resident(request) -> Resident | None:
    """The signed-in resident's carbon account in the request's county (its own), else None."""
    county = county_for(request)
    if county is None:
        return None
    return Resident.objects.filter(user=request.user, plan=county, deleted_at__isnull=True).first()


def _require_writer(request, plan) -> None:
    """A write in ``plan``: besides the role, the principal must act in this county (403 for a region reader
    and for an account of another county)."""
    require(acts_in(principal_of(request), plan))


# --- resident ------------------------------------------------------------------------------------------------
def join(request):
    """Sign-up on a phone: a resident account and its carbon account, consent asked per scenario afterwards.
    The resident joins the scheme of the page's county (``/c/<code>/inclusion/join/``; the short address in a
    single-county installation); without one (several counties, none chosen), the installation's list of
    counties at ``/``."""
    plan = county_for(request)
    if plan is None:
        if getattr(request, "county_code", None):  # an unknown (or unpublished) county in the address
            raise Http404("未找到该县 / no such county")
        return redirect("public")
    back = request.path
    if request.method == "POST":
        p = request.POST
        issues = []
        username = p.get("username", "").strip()
        if not username or User.objects.filter(username=username).exists():
            issues.append(Issue("invalid", "username", "用户名为空或已被使用", "username: empty or taken"))
        user = User(username=username, role=Role.RESIDENT, display_name=p.get("display_name", "").strip()[:100])
        try:
            validate_password(p.get("password", ""), user)
        except ValidationError as e:
            issues.append(
                Issue("invalid", "password", "密码：" + "；".join(e.messages), "password: " + "; ".join(e.messages))
            )
        if not p.get("agree"):
            issues.append(
                Issue("required", "agree", "请阅读并同意个人信息处理规则", "agree: accept the privacy notice")
            )
        if issues:
            return _failed(request, issues, back)
        try:
            with transaction.atomic():  # the user and the carbon account together, or neither
                account_services.register(user, p["password"])
                services.join(
                    plan, user, p.get("display_name", ""), phone=p.get("phone", ""), community=p.get("community", "")
                )
        except ValidationFailed as exc:
            return _failed(request, exc.issues, back)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("inclusion:home")
    return render(request, "inclusion/join.html", {"plan": plan})


@login_required
def home(request):
    if reads_staff_pages(request.user):  # the office, officers, auditors and region readers: the dashboard
        return redirect("inclusion:office")
    r = _resident(request)
    if r is None:
        if request.user.role == Role.MERCHANT:
            return redirect("inclusion:merchant")
        if request.user.role == Role.OPERATOR:
            return redirect("inclusion:operator")
        return redirect("inclusion:join")
    scenarios = list(Scenario.objects.filter(plan=r.plan))
    if request.method == "POST":
        sc = get_object_or_404(Scenario, plan=r.plan, pk=require_id(request.POST.get("scenario"), "scenario"))
        if request.POST.get("action") == "grant":
            services.grant(r, sc)
        else:
            services.revoke(r, sc)
        return redirect("inclusion:home")
    active = set(Consent.objects.filter(resident=r, revoked_at__isnull=True).values_list("scenario_id", flat=True))
    life = services.lifetime_points(r)
    name, to_next = services.level(life)
    return render(
        request,
        "inclusion/home.html",
        {
            "plan": r.plan,
            "r": r,
            "balance": services.balance(r),
            "level": name,
            "to_next": to_next,
            "lifetime": life,
            "badges": services.badges(r),
            "history": sorted(services.history(r, 20), key=_entry_time, reverse=True),
            "scenarios": [{"s": s, "on": s.pk in active} for s in scenarios],
            "held": Event.objects.filter(resident=r, status__in=[EventStatus.HELD, EventStatus.WAITING]).count(),
        },
    )


def _entry_time(e):
    """A history line's time as the resident reads it: the day of the trip or action, then the booking."""
    day = e.txn.event.date if e.txn.event else timezone.localdate(e.created_at)
    return (day, e.created_at, e.pk)


@login_required
def rewards(request):
    r = _resident(request)
    if r is None:
        return redirect("inclusion:join")
    if request.method == "POST":
        rw = get_object_or_404(Reward, merchant__plan=r.plan, pk=require_id(request.POST.get("reward"), "reward"))
        if request.POST.get("confirm") != "1":  # first the question: which reward, its price, the balance after
            balance = services.balance(r)
            ctx = {"plan": r.plan, "rw": rw, "balance": balance, "after": balance - rw.points_price}
            return render(request, "inclusion/redeem_confirm.html", ctx)
        try:
            red = services.redeem(r, rw)
        except ValidationFailed as exc:
            return _failed(request, exc.issues, "/inclusion/rewards/")
        return redirect(f"{reverse('inclusion:rewards')}?new={red.pk}#new-code")
    new = request.GET.get("new", "")
    return render(
        request,
        "inclusion/rewards.html",
        {
            "plan": r.plan,
            "balance": services.balance(r),
            "rewards": Reward.objects.filter(
                merchant__plan=r.plan, valid_until__gte=timezone.localdate()
            ).select_related("merchant"),
            "codes": Redemption.objects.filter(resident=r).select_related("reward__merchant").order_by("-id")[:20],
            "new": Redemption.objects.filter(resident=r, pk=new).select_related("reward__merchant").first()
            if new.isdigit()
            else None,
        },
    )


@login_required
def household(request):
    r = _resident(request)
    if r is None:
        return redirect("inclusion:join")
    invite = None
    if request.method == "POST":
        a = request.POST.get("action")
        try:
            if a == "create":
                services.create_household(r, request.POST.get("name", ""))
            elif a == "invite":
                invite = services.invite(r)
            elif a == "accept":
                services.accept(r, request.POST.get("code", ""))
            elif a == "optin":
                services.set_leaderboard_opt_in(r, request.POST.get("on") == "1")
        except ValidationFailed as exc:
            return _failed(request, exc.issues, "/inclusion/household/")
        if invite is None:
            return redirect("inclusion:household")
        r.refresh_from_db()
    month = timezone.localdate().replace(day=1)
    return render(
        request,
        "inclusion/household.html",
        {
            "plan": r.plan,
            "r": r,
            "summary": services.household_summary(r.household) if r.household else None,
            "invite": invite,
            "board_households": services.leaderboard(r.plan, month, "household"),
            "board_communities": services.leaderboard(r.plan, month, "community"),
        },
    )


@login_required
def export(request):
    r = _resident(request)
    if r is None:
        raise PermissionDenied
    resp = HttpResponse(json.dumps(services.export(r), ensure_ascii=False, indent=1), content_type="application/json")
    resp["Content-Disposition"] = f'attachment; filename="carbonpeak-{r.pseudonym}.json"'
    return resp


@login_required
def delete(request):
    r = _resident(request)
    if r is None:
        raise PermissionDenied
    if request.method == "POST":
        plan = r.plan
        if request.POST.get("confirm", "").strip() != "注销":
            return _failed(
                request, [Issue("required", "confirm", "请输入“注销”确认", "confirm: type 注销")], "/inclusion/delete/"
            )
        services.delete_account(r)
        from django.contrib.auth import logout

        logout(request)
        return render(request, "inclusion/deleted.html", {"plan": plan})
    return render(request, "inclusion/delete.html", {"plan": r.plan, "balance": services.balance(r)})


# --- merchant --------------------------------------------------------------------------------------------------
@login_required
def merchant(request):
    """A merchant's clerks verify codes; the office settles; auditors and region readers read. Only the merchants
    of the request's county; ``?m=`` naming another (or another county's) merchant is 404."""
    county = require_county(request)
    if is_office(request.user) or reads_everything(request.user):
        shops = list(Merchant.objects.filter(plan=county).order_by("id"))
    else:
        shops = list(Merchant.objects.filter(users=request.user, plan=county).order_by("id"))
    if not shops:
        raise PermissionDenied
    chosen = request.GET.get("m", "")
    if chosen:
        m = next((s for s in shops if str(s.pk) == chosen), None)
        if m is None:
            raise Http404("未找到 / not found")
    else:
        m = shops[0]
    verified = None
    if request.method == "POST":
        _require_writer(request, m.plan)
        try:
            if request.POST.get("action") == "settle":
                services.settle(request.user, m, request.POST.get("period", ""))
            else:
                verified = services.verify(request.user, m, request.POST.get("code", ""))
        except ValidationFailed as exc:
            return _failed(request, exc.issues, "/inclusion/merchant/")
    return render(
        request,
        "inclusion/merchant.html",
        {
            "plan": m.plan,
            "m": m,
            "shops": shops,
            "verified": verified,
            "recent": Redemption.objects.filter(reward__merchant=m).select_related("reward").order_by("-id")[:30],
            "settlements": m.settlements.order_by("-period"),
            "balance": ledger.merchant_account(m).balance,
            "is_office": is_office(request.user),
            "period": timezone.localdate().strftime("%Y-%m"),
        },
    )


# --- operator console ---------------------------------------------------------------------------------------------
@login_required
def operator(request):
    """The operator console: the office (and auditors, region readers) see every operator of the county, an
    operator's staff their own."""
    county = require_county(request)
    in_county = OperatorScope.objects.filter(client__plan=county).select_related("client")
    if is_office(request.user) or reads_everything(request.user):
        scopes = list(in_county.prefetch_related("scenarios"))
    else:
        scopes = list(in_county.filter(users=request.user).prefetch_related("scenarios"))
        if not scopes:
            raise PermissionDenied
    batches = (
        EventBatch.objects.filter(client__in=[s.client for s in scopes]).select_related("client").order_by("-id")[:30]
    )
    rows = []
    for b in batches:
        r = b.result or {}
        rows.append(
            {"b": b, "r": r, "rejected": [e for e in r.get("events", []) if e.get("status") == "rejected"][:20]}
        )
    return render(request, "inclusion/operator.html", {"plan": county, "scopes": scopes, "rows": rows})


# --- office ------------------------------------------------------------------------------------------------------
@login_required
def office(request):
    require_staff(request.user)
    plan = require_county(request)
    if request.method == "POST":
        require_office(request.user)
        _require_writer(request, plan)
        a = request.POST.get("action")
        try:
            if a == "fund":
                sc = get_object_or_404(Scenario, plan=plan, pk=require_id(request.POST.get("scenario"), "scenario"))
                pts = parse_int(request.POST.get("points", ""), low=-(10**12), high=10**12) or 0
                services.fund(request.user, sc, pts, request.POST.get("memo", "") or "预算")
            elif a in ("release", "reject"):
                ev = get_object_or_404(Event, scenario__plan=plan, pk=require_id(request.POST.get("event"), "event"))
                awards.review(request.user, ev, a == "release", request.POST.get("reason", ""))
        except ValidationFailed as exc:
            return _failed(request, exc.issues, "/inclusion/office/")
        return redirect("inclusion:office")
    year = timezone.localdate().year
    scenarios = []
    for s in Scenario.objects.filter(plan=plan).annotate(
        members=Count("consents", filter=Q(consents__revoked_at__isnull=True), distinct=True)
    ):
        scenarios.append(
            {
                "s": s,
                "pool": ledger.pool_account(s).balance,
                "waiting": s.events.filter(status=EventStatus.WAITING).count(),
            }
        )
    return render(
        request,
        "inclusion/office.html",
        {
            "plan": plan,
            "scenarios": scenarios,
            "methods": Methodology.objects.filter(scenario__plan=plan)
            .select_related("scenario")
            .order_by("scenario_id", "code", "-version"),
            "held": Event.objects.filter(scenario__plan=plan, status=EventStatus.HELD).select_related(
                "scenario", "resident"
            )[:50],
            "report": reports.monthly(plan, year),
            "is_office": is_office(request.user),
            "today": dt.date.today(),
        },
    )


# --- forestry-sink projects (碳普惠 林业碳汇) -------------------------------------------------------------------
def _group_names(plan) -> dict[str, str]:
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.status import species_groups

    return {g: p.name_zh for g, p in species_groups(core_factor_set(default_factor_set(plan))).items()}


def forest(request):
    """The office and 林业局: register a village collective's afforestation project, record its monitoring,
    credit a monitoring period; every project's credits and ledger lines."""
    from carbonpeak.inclusion import forestry
    from carbonpeak.inclusion.config import FACTOR_PREFIX
    from carbonpeak.inclusion.models import ForestProject

    require_staff(request.user)
    plan = require_county(request)
    if not forestry.may_read(request.user, plan):
        raise PermissionDenied
    writer = forestry.may_write(request.user, plan)
    selected = None
    if request.GET.get("project"):
        selected = get_object_or_404(ForestProject, plan=plan, pk=require_id(request.GET.get("project"), "project"))
    if request.method == "POST":
        require(writer)
        a = request.POST.get("action")
        back = reverse("inclusion:forest")
        try:
            if a == "register":
                p = forestry.register(
                    request.user,
                    plan,
                    name=request.POST.get("name", ""),
                    collective=request.POST.get("collective", ""),
                    township=request.POST.get("township", ""),
                    area_ha=request.POST.get("area_ha", ""),
                    start_year=request.POST.get("start_year", ""),
                )
                return redirect(f"{back}?project={p.pk}")
            p = get_object_or_404(ForestProject, plan=plan, pk=require_id(request.POST.get("project"), "project"))
            back = f"{back}?project={p.pk}"
            if a == "monitor":
                stock = {k.removeprefix("stock_"): v for k, v in request.POST.items() if k.startswith("stock_")}
                forestry.record_monitoring(request.user, p, request.POST.get("year", ""), stock)
            elif a == "credit":
                forestry.credit(request.user, p, parse_int(request.POST.get("year", ""), low=1990, high=2100) or 0)
        except ValidationFailed as exc:
            return _failed(request, exc.issues, back)
        return redirect(back)
    names = _group_names(plan)
    today = timezone.localdate()
    m = forestry.in_force(plan, today)
    groups = []
    if m is not None:
        groups = [(k.removeprefix(FACTOR_PREFIX), names.get(k.removeprefix(FACTOR_PREFIX), "")) for k in m.params]
        groups = [(g, n) for g, n in groups if n and f"{FACTOR_PREFIX}{g}" in m.params]
    ctx: dict = {
        "plan": plan,
        "writer": writer,
        "method": m,
        "buffer_share": m.params["buffer_share"]["value"] if m else None,
        "groups": groups,
        "projects": ForestProject.objects.filter(plan=plan).order_by("id"),
        "selected": selected,
        "this_year": today.year,
    }
    if selected is not None:
        from carbonpeak.inclusion.choices import AccountKind

        ctx["monitorings"] = [
            {"year": mo.year, "stock": [(names.get(g, g), v) for g, v in sorted(mo.stock_m3.items())]}
            for mo in selected.monitorings.order_by("year")
        ]
        ctx["credits"] = selected.credits.select_related("methodology").order_by("year_to")
        ctx["collective"] = forestry.project_account(selected, AccountKind.COLLECTIVE)
        ctx["buffer"] = forestry.project_account(selected, AccountKind.BUFFER)
        ctx["lines"] = forestry.ledger_lines(selected)
    return render(request, "inclusion/forest.html", ctx)
