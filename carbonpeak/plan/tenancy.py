"""Which county a request acts in: the one place that decides it (issue 15: many counties on one installation).

Every county is a plan. A request's county comes from

- the URL, for the public pages (``/c/<code>/…``: the ``county`` keyword of the URL pattern);
- the account, for everyone signed in with a county (office, departments, townships, auditors, enterprises,
  merchants, residents) and for a machine client's token;
- for a region reader (role ``region``, a city or province), the county it chose among its region's
  (``?county=CODE`` once, remembered in the session), else the first; a region reader writes nothing;
- for an anonymous visitor without a county in the URL, the installation's only published plan, if there is
  exactly one (a single-county installation keeps its short URLs); else none, and pages that need a county say so.

Objects are checked against the request's county with :func:`require_county_object` (404, never another
county's data) and lists are filtered with :func:`scoped`. Nothing else in the code base picks a plan.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from carbonpeak.accounts.permissions import is_region_reader
from carbonpeak.audit.services import county_of
from carbonpeak.plan.models import Plan, Region

#: the session key of a region reader's chosen county
SESSION_KEY = "carbonpeak_county"
_UNSET = object()


def principal_of(request) -> Any:
    """The machine client of a token request, else the signed-in user, else None."""
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "token_hash", None) is not None:
        return auth
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def region_of(principal: Any) -> Region | None:
    if not is_region_reader(principal):
        return None
    return principal.region


def counties_for(principal: Any) -> QuerySet[Plan]:
    """The counties a principal may read: its own; a region reader's region's; the public reads published ones
    through the URL, so for None this is the published plans."""
    if principal is None:
        return Plan.objects.filter(is_published=True).order_by("id")
    if not getattr(principal, "is_active", False):
        return Plan.objects.none()
    region = region_of(principal)
    if region is not None:
        return region.plans.order_by("id")
    plan_id = getattr(principal, "plan_id", None)
    if plan_id is None:
        return Plan.objects.none()
    return Plan.objects.filter(pk=plan_id)


def only_published_plan() -> Plan | None:
    plans = list(Plan.objects.filter(is_published=True).order_by("id")[:2])
    return plans[0] if len(plans) == 1 else None


def _resolve(request) -> Plan | None:
    code = getattr(request, "county_code", None)  # the URL's, set by the middleware
    principal = principal_of(request)
    if code:
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            return None
        if plan.is_published or counties_for(principal).filter(pk=plan.pk).exists():
            return plan
        return None
    if principal is None:
        return only_published_plan()
    if is_region_reader(principal):
        readable = counties_for(principal)
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_KEY) if session is not None else None
        plan = readable.filter(code=chosen).first() if chosen else None
        return plan or readable.first()
    plan_id = getattr(principal, "plan_id", None)
    if plan_id is None or not getattr(principal, "is_active", False):
        return None
    return Plan.objects.filter(pk=plan_id).first()


def county_for(request) -> Plan | None:
    """The county this request acts in (cached on the request), or None."""
    cached = getattr(request, "_carbonpeak_county", _UNSET)
    if cached is _UNSET:
        cached = _resolve(request)
        request._carbonpeak_county = cached
    return cached  # type: ignore[return-value]


def require_county(request) -> Plan:
    """The request's county, or 404 saying none is chosen (an anonymous visitor of a multi-county installation
    starts from the list of counties at ``/``)."""
    plan = county_for(request)
    if plan is None:
        raise Http404(_("未选择县或无权查看该县 / no county chosen, or not yours to read"))
    return plan


def in_county(request, obj: Any) -> bool:
    plan = county_for(request)
    return plan is not None and county_of(obj) == plan.pk


def require_county_object(request, obj: Any):
    """``obj`` if it belongs to the request's county, else 404 (the same answer as a missing object, so ids of
    other counties' objects are not confirmed)."""
    if not in_county(request, obj):
        raise Http404(_("未找到 / not found"))
    return obj


def scoped(qs: QuerySet, request, path: str = "plan") -> QuerySet:
    """``qs`` filtered to the request's county along ``path`` (``plan``, ``enterprise__plan`` …)."""
    return qs.filter(**{path: require_county(request)})


def plan_in_scope(principal: Any, plan: Plan) -> bool:
    """May this principal read ``plan``'s working pages and data? (Writing is decided by the role predicates;
    a region reader never writes.)"""
    return counties_for(principal).filter(pk=plan.pk).exists() if principal is not None else False


def require_plan_in_scope(principal: Any, plan: Plan) -> Plan:
    if not plan_in_scope(principal, plan):
        raise Http404(_("未找到 / not found"))
    return plan


def acts_in(principal: Any, plan: Plan) -> bool:
    """May this principal write in ``plan``? Only an account or client of that county (never a region reader)."""
    return (
        principal is not None
        and not is_region_reader(principal)
        and getattr(principal, "plan_id", None) == plan.pk
        and bool(getattr(principal, "is_active", False))
    )


class TenancyMiddleware:
    """Takes the county code of public URLs (``/c/<code>/…``) and a region reader's ``?county=`` choice."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.county_code = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        code = view_kwargs.pop("county", None)
        if code:
            request.county_code = code
            request.__dict__.pop("_carbonpeak_county", None)
        choice = request.GET.get("county") if request.method == "GET" else None
        if choice and hasattr(request, "session"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and is_region_reader(user):
                if counties_for(user).filter(code=choice).exists():
                    request.session[SESSION_KEY] = choice
                    request.__dict__.pop("_carbonpeak_county", None)
        return None
