"""The region pages (issue 15): a city's or a province's reader sees its counties side by side (read only).

Only a region reader (role ``region``) opens them; everyone else signed in gets 403, and a visitor the login page.
The figures come from :func:`carbonpeak.web.region.region_table`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from carbonpeak.accounting.choices import InventoryStatus
from carbonpeak.accounting.models import Inventory
from carbonpeak.enterprises.carbon import GRADE_MEANING
from carbonpeak.plan.models import Region
from carbonpeak.plan.tenancy import region_of
from carbonpeak.tabular.writing import workbook_bytes
from carbonpeak.validation import YEAR_MAX, YEAR_MIN, parse_int
from carbonpeak.web.region import region_table, region_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _region(request) -> Region:
    region = region_of(request.user) if getattr(request.user, "is_active", False) else None
    if region is None:
        raise PermissionDenied
    return region


def _year(request, region: Region) -> int | None:
    """The year asked for, if some county of the region has approved accounts of it; else None (the default)."""
    year = parse_int(request.GET.get("year"), low=YEAR_MIN, high=YEAR_MAX)
    if year is None:
        return None
    approved = Inventory.objects.filter(plan__in=region.plans.all(), year=year, status=InventoryStatus.APPROVED)
    return year if approved.exists() else None


@login_required
@require_GET
def region_page(request):
    region = _region(request)
    table = region_table(region, _year(request, region))
    return render(request, "web/region.html", {"t": table, "grade_meaning": GRADE_MEANING})


@login_required
@require_GET
def region_xlsx(request):
    region = _region(request)
    with translation.override(settings.LANGUAGE_CODE):  # the export is in Chinese whatever the page's language
        table = region_table(region, _year(request, region))
        body = workbook_bytes(region_workbook(table))
    resp = HttpResponse(body, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="region-{region.code}-{table.year}.xlsx"'
    return resp
