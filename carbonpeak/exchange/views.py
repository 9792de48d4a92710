"""The office's download of the approved year in the exchange format (JSON or Excel)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from carbonpeak.accounts.permissions import require_office
from carbonpeak.exchange import document, services
from carbonpeak.validation import ValidationFailed
from carbonpeak.web.views import current_plan, render_issues

TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
@login_required
def export(request, year: int, fmt: str):
    require_office(request.user)
    if fmt not in TYPES:
        raise Http404
    plan = current_plan()
    try:
        doc = services.build(plan, year)
    except ValidationFailed as exc:
        return render_issues(request, exc.issues, reverse("accounting:home"))
    body = document.canonical_bytes(doc) if fmt == "json" else document.to_xlsx(doc)
    resp = HttpResponse(body, content_type=TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="exchange-{plan.code}-{year}.{fmt}"'
    return resp
