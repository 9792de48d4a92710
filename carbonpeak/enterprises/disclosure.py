"""Disclosure: the enterprise's annual carbon report (a Chinese PDF of its approved account) and the office's
public list of key energy users with their grades, frozen when published."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.accounting.presentation import carrier_names
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import numbers
from carbonpeak.enterprises import accounts, carbon, industry
from carbonpeak.enterprises.models import CarbonAccount, Enterprise, PublishedList
from carbonpeak.enterprises.permissions import require_county_office
from carbonpeak.plan.models import Plan

SCOPE_ZH = {"co2_fuel_t": "化石燃料燃烧", "co2_electricity_t": "净购入电力", "co2_heat_t": "净购入热力"}


def account_pdf(ca: CarbonAccount) -> bytes:
    from weasyprint import HTML

    ent = ca.enterprise
    res = ca.results
    ind = industry.lookup(ent.industry_code)
    ctx = {
        "ca": ca,
        "ent": ent,
        "plan": ent.plan,
        "industry": ind,
        "acc": res["enterprise"],
        "res": res,
        "scopes": SCOPE_ZH,
        "grade": ca.grade_detail,
        "history": [h for h in carbon.grade_history(ent) if h.year <= ca.year][:5],
        "generated_at": timezone.localtime(),
        "cnames": carrier_names(core_factor_set(default_factor_set(ent.plan))),
    }
    html = render_to_string("enterprises/account_pdf.html", ctx)
    buf = io.BytesIO()
    HTML(string=html).write_pdf(buf)
    return buf.getvalue()


def key_user_rows(plan: Plan, year: int) -> list[dict[str, Any]]:
    """Enterprises whose comprehensive energy in ``year`` (the approved account, else the monitored figure)
    reaches the carbon-account threshold, with their grade from the approved account."""
    threshold = accounts.key_user_threshold_tce(plan)
    national = Decimal(str(settings.CARBONPEAK_NATIONAL_KEY_USER_TCE))
    monitored = {e["id"]: e for e in accounts.compute(plan, year)["enterprises"]}
    rows = []
    for ent in Enterprise.objects.filter(plan=plan).order_by("name"):
        ca = carbon.current(ent, year)
        src = ca.results["enterprise"] if ca else monitored.get(ent.pk)
        if src is None:
            continue
        energy = Decimal(repr(src["energy_tce"]))
        if energy < threshold:
            continue
        ind = industry.lookup(ent.industry_code)
        rows.append(
            {
                "uscc": ent.uscc,
                "name": ent.name,
                "industry_code": ent.industry_code,
                "industry": ind.name if ind else "",
                "township": ent.township,
                "energy_tce": round(src["energy_tce"], 1),
                "co2_t": round(src["co2_t"], 1),
                "national_key_user": energy >= national,
                "account_version": ca.version if ca else None,
                "grade": ca.grade if ca else None,
                "colour": (ca.grade_detail or {}).get("colour") if ca else None,
                "benchmark_illustrative": bool(
                    ca and ca.grade_detail and ca.grade_detail["benchmark"]["is_illustrative"]
                ),
                "source": "approved_account" if ca else "monitoring",
            }
        )
    return rows


def publish_list(actor: Any, plan: Plan, year: Any) -> PublishedList:
    """Only a year that has ended (Beijing time) can be published: a running year would put partial figures on
    the public list."""
    require_county_office(actor, plan)
    from carbonpeak.enterprises.rollups import BEIJING
    from carbonpeak.validation import Issues

    issues = Issues()
    try:
        year = numbers.to_int(year)
        if not 2000 <= year < timezone.now().astimezone(BEIJING).year:
            raise ValueError
    except ValueError:  # numbers.NumberError included
        issues.add("invalid", "year", "只能公布已结束的年度", "year: only a year that has ended can be published")
        issues.raise_if_errors()
    rows = key_user_rows(plan, year)
    pl = PublishedList.objects.create(plan=plan, year=year, rows=rows, published_by_label=actor_label(actor))
    record(actor, "key_user_list.publish", pl, None, {"year": year, "enterprises": len(rows)})
    return pl
