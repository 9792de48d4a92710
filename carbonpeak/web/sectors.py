"""The sector systems (专项系统): one page that lists the county's sector modules a user may open, so the header
keeps one link however many modules an installation has.

A module adds one ``Sector`` to ``SECTORS`` (its page's URL name, its title and one line on what it holds, the
departments that lead it, and who may read it). The page shows only the modules the user may read; the
predicate is the module's own (``carbonpeak/<app>/permissions.py``), so the hub never grants anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounts.permissions import is_office, reads_staff_pages, require_staff
from carbonpeak.plan.tenancy import require_county


@dataclass(frozen=True)
class Sector:
    url_name: str  # e.g. "sinks:home"
    title: Any  # gettext_lazy
    blurb: Any  # one line: what the module holds
    leads: Any  # the lead departments, as the plan names them
    reads: Callable[[Any], bool] = reads_staff_pages


#: the installation's sector modules, in the plan's order (三(一) energy … 三(七) waste); each module adds its line
SECTORS: list[Sector] = [
    # the plan itself as a living document: the office revises it from a changed plan file (web/living_views.py)
    Sector(
        "plan_revise",
        _("方案修订"),
        _("上传修订后的方案文件，核对变化后应用，版本与修改均有记录"),
        _("碳达峰办"),
        is_office,
    ),
]


def sector_rows(user: Any) -> list[dict[str, Any]]:
    return [
        {"url": reverse(s.url_name), "title": s.title, "blurb": s.blurb, "leads": s.leads}
        for s in SECTORS
        if s.reads(user)
    ]


def sectors_page(request):
    require_staff(request.user)
    plan = require_county(request)
    return render(request, "web/sectors.html", {"plan": plan, "sectors": sector_rows(request.user)})


__all__ = ["SECTORS", "Sector", "sector_rows", "sectors_page"]
