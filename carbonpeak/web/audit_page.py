"""The audit log page: filters (who, action, object type, period), pages of 50, the same filter exported to
Excel. Codes are shown by their Chinese names; the stored before/after stay one click away (详情).

Who reads it, and which entries (issue 15): a county's office and auditors, and a region reader for the county it
chose, read the entries of that county (``AuditEntry.county_id``), and only those, in the page, its filter choices
and the export; the system administrator, who belongs to no county, reads every entry of the installation."""

from __future__ import annotations

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.permissions import is_office, reads_everything
from carbonpeak.audit.export import audit_workbook
from carbonpeak.audit.filters import AuditFilter
from carbonpeak.audit.labels import action_label, actor_names, object_label, object_type_label
from carbonpeak.audit.models import AuditEntry

PER_PAGE = 50
EXPORT_MAX = 50_000


class Row:
    """An entry with the names a reader knows it by."""

    def __init__(self, e: AuditEntry, names: dict[str, str]):
        self.e = e
        self.at = e.at
        self.actor = names.get(e.actor_label, e.actor_label)
        self.action = action_label(e.action)
        self.object_type = object_type_label(e.object_type)
        self.object = object_label(e.object_type, e.object_id, e.object_repr)
        self.before, self.after = e.before, e.after
        self.code = e.action


def rows(entries) -> list[Row]:
    entries = list(entries)
    names = actor_names({e.actor_label for e in entries})
    return [Row(e, names) for e in entries]


def reads_audit(principal) -> bool:
    """The office and auditors of a county, region readers, and the system administrator."""
    return is_office(principal) or reads_everything(principal) or _is_sysadmin(principal)


def _is_sysadmin(principal) -> bool:
    return bool(getattr(principal, "is_active", False) and getattr(principal, "role", None) == Role.SYSADMIN)


def entries_for(request):
    """The entries this request may read: the installation's for the system administrator, else its county's."""
    from carbonpeak.plan.tenancy import principal_of, require_county

    if _is_sysadmin(principal_of(request)):
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(county_id=require_county(request).pk)


def _choices(entries):
    seen = entries.order_by()
    actors = sorted(set(seen.values_list("actor_label", flat=True)))
    names = actor_names(set(actors))
    actions = sorted({(action_label(a), a) for a in seen.values_list("action", flat=True).distinct()})
    types = sorted({(object_type_label(t), t) for t in seen.values_list("object_type", flat=True).distinct()})
    return {
        "actors": sorted(((names[a], a) for a in actors), key=lambda x: x[0]),
        "actions": [(a, label) for label, a in actions],
        "types": [(t, label) for label, t in types],
    }


def audit_context(request) -> dict:
    f = AuditFilter.from_params(request.GET)
    entries = entries_for(request)
    qs = f.apply(entries)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter": f,
        "query": f.as_query(),
        "page": page,
        "entries": rows(page.object_list),
        "choices": _choices(entries),
    }


def headers() -> list[str]:
    return [
        _("时间"),
        _("操作人"),
        _("操作"),
        _("对象类型"),
        _("对象"),
        _("修改前"),
        _("修改后"),
        _("操作人账号"),
        _("操作代码"),
    ]


def audit_xlsx_response(request) -> HttpResponse:
    f = AuditFilter.from_params(request.GET)
    wb = audit_workbook(f.apply(entries_for(request))[:EXPORT_MAX], headers())
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return resp
