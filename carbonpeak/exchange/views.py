"""The download of the county's approved year in the exchange format (JSON or Excel): its office sends it, and
the readers of its city or province (role ``region``) fetch it. The county is the request's (the tenancy
module's), never one looked up here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from carbonpeak.accounts.permissions import is_office, reads_everything, require
from carbonpeak.exchange import document, services
from carbonpeak.plan.pages import render_issues
from carbonpeak.plan.tenancy import require_county
from carbonpeak.validation import ValidationFailed

TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
@login_required
def export(request, year: int, fmt: str):
    require(is_office(request.user) or reads_everything(request.user))
    if fmt not in TYPES:
        raise Http404
    plan = require_county(request)
    try:
        doc = services.build(plan, year)
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, reverse("accounting:home"))
    body = document.canonical_bytes(doc) if fmt == "json" else document.to_xlsx(doc)
    resp = HttpResponse(body, content_type=TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="exchange-{plan.code}-{year}.{fmt}"'
    return resp
