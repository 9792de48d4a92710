"""The no-coal and no-burn zones in the dispatch rounds' report (page and PDF): the zones in force in the round's
year, registered in ``plan.reports.ROUND_SECTIONS`` by the app's ``ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from carbonpeak.transport.models import Zone


def zones_section(rnd: Any) -> dict[str, Any] | None:
    first, last = dt.date(rnd.year, 1, 1), dt.date(rnd.year, 12, 31)
    zones = Zone.objects.filter(plan=rnd.plan, effective_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first)
    )
    return {
        "title": _("无煤区和禁燃区（%(year)s 年在执行）") % {"year": rnd.year},
        "headers": [_("类型"), _("区域"), _("范围"), _("起始日期"), _("截止日期")],
        "rows": [
            [
                z.get_kind_display(),
                z.name,
                z.area or "—",
                z.effective_on.isoformat(),
                z.ends_on.isoformat() if z.ends_on else "—",
            ]
            for z in zones
        ],
    }
