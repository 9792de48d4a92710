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
from carbonpeak.buildings.permissions import reads_buildings
from carbonpeak.generation.permissions import reads_register
from carbonpeak.plan.tenancy import require_county
from carbonpeak.sinks.permissions import reads_sinks
from carbonpeak.transport.permissions import reads_module as transport_reads
from carbonpeak.waste.permissions import reads_module as waste_reads


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
    Sector(
        "projects",
        _("重大项目"),
        _("方案“四、重大项目”的项目库：牵头部门、规模、投资、进度、调度报告与预警"),
        _("碳达峰办、各牵头部门"),
    ),
    Sector(
        "generation:home",
        _("并网发电机组"),
        _("光伏、风电、水电、生物质、垃圾焚烧发电和储能机组登记，年末新能源装机容量"),
        _("县发展改革局、供电公司"),
        reads_register,
    ),
    Sector(
        "transport:gas",
        _("燃气与煤炭"),
        _("储气设施与储气天数、天然气气化人口比例、无煤区和禁燃区"),
        _("县发展改革局"),
        transport_reads,
    ),
    Sector(
        "sinks:home",
        _("森林资源与碳汇"),
        _("森林覆盖率、蓄积量和碳汇；湿地与农田碳汇登记"),
        _("县林业局"),
        reads_sinks,
    ),
    Sector(
        "inclusion:forest",
        _("林业碳汇项目（碳普惠）"),
        _("村集体造林项目登记、监测，按林业碳汇方法学计入碳普惠账户（缓冲留存、逆转扣减）"),
        _("县林业局"),
        reads_sinks,
    ),
    Sector(
        "buildings:home",
        _("建筑节能"),
        _("建筑名录与能耗监测、绿色建筑和装配式建筑占比、公共机构节能、屋顶光伏"),
        _("县住建局、县机关事务中心"),
        reads_buildings,
    ),
    Sector(
        "transport:home",
        _("交通运输"),
        _("车辆登记、新增公交车清洁能源占比、服务区充电、营运车辆能耗"),
        _("县交通运输局"),
        transport_reads,
    ),
    Sector(
        "waste:home",
        _("建筑垃圾监管"),
        _("处置核准、运输联单、过磅单和车辆定位的全程对账，预警案件与资源化利用率"),
        _("县城管局（住建局、生态环境分局配合）"),
        waste_reads,
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
