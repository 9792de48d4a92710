"""Readable names for what a result's method string says (issue 14: no formulas or factor keys on a page).

Every result of the calculation core carries a method label such as
``grid:quantity*ef_tco2_per_unit (ef=grid.prov.hunan.2022; grid prov.hunan, year 2025); energy=calorific (当量值)
quantity*tce.electricity_equivalent [factors 430224:1]``. That label stays the record (shown behind a 详情
toggle); officials read :func:`describe` instead: the method in words, with the factors it used by their names
from the factor set ("2022年湖南省电力平均CO2排放因子"). Factor sets and grid series are named the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# what each co2 method label of core/inventory.py computes, in words
_CO2 = {
    "cn_provincial_guideline": lambda: _(
        "实物量 × 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12（省级温室气体清单指南）"
    ),
    "ipcc_per_tj": lambda: _("实物量 × 低位发热量 × 单位热值排放因子（IPCC 方法）"),
    "grid": lambda: _("用电量 × 电网排放因子"),
    "ef_per_unit": lambda: _("实物量 × 单位排放因子"),
}
_KEY = re.compile(r"\b(?:ef|ncv|cc|of)=([a-z][\w.]*[\w])")
_TCE_KEY = re.compile(r"quantity\*(tce\.[\w.]*\w)")
_VERSION = re.compile(r"\[factors ([^\]]+)\]\s*$")


def _english() -> bool:
    return (get_language() or "").startswith("en")


def factor_names(version: str | None) -> dict[str, str]:
    """Factor key → name in the page's language, for the factor set of that version (empty when unknown)."""
    from carbonpeak.accounting.models import Factor

    if not version:
        return {}
    rows = Factor.objects.filter(factor_set__version=version).values_list("key", "name_zh", "name_en")
    en = _english()
    return {k: ((ne if en and ne else nz) or k) for k, nz, ne in rows}


def describe(method: str | None, names: Mapping[str, str]) -> str:
    """One method label in words: how CO2 and energy were computed and with which named factors."""
    if not method:
        return ""
    co2_part, _sep, energy_part = method.partition("; energy=")
    label = co2_part.split(":", 1)[0]
    text = _CO2[label]() if label in _CO2 else _("按因子库计算")
    used = [names.get(k, "") for k in _KEY.findall(co2_part)]
    if "(ef=input)" in co2_part:
        used.append(_("直接填写的排放因子"))
    used = [u for u in dict.fromkeys(used) if u]
    if used:
        text += _("；所用因子：") + _("、").join(used)
    if energy_part.startswith("coal_equivalent"):
        text += _("；折标：等价值（按供电煤耗）")
    elif energy_part.startswith("calorific"):
        text += _("；折标：当量值")
    elif "GB/T 2589" in energy_part:
        text += _("；折标：GB/T 2589 折标准煤系数")
    elif "(input)" in energy_part:
        text += _("；折标：直接填写的系数")
    return text


def used_factor_keys(method: str | None) -> list[str]:
    """The factor keys a method label names (for a 详情 list)."""
    if not method:
        return []
    return list(dict.fromkeys(_KEY.findall(method) + _TCE_KEY.findall(method)))


def factor_set_name(version: str | None) -> str:
    """A factor set as people know it: its label and the day it was made, never ``builtin:781ff868c2d7``."""
    from carbonpeak.accounting.models import FactorSet

    if not version:
        return "—"
    fs = FactorSet.objects.filter(version=version).only("label", "created_at").first()
    if fs is None:
        return version
    return factor_set_label(fs)


def factor_set_label(fs) -> str:
    """:func:`factor_set_name` for a factor set already at hand (no query)."""
    zh, sep, en = fs.label.rpartition(" / ")
    label = (en if _english() else zh) if sep and en.isascii() else fs.label
    return f"{label}（{fs.created_at.date().isoformat()}）"


def grid_name(version: str | None, grid: str | None) -> str:
    """A grid series (``prov.hunan``) by its factors' name without the year: 湖南省电力平均CO2排放因子."""
    if not grid:
        return "—"
    names = factor_names(version)
    prefix = f"grid.{grid}."
    keys = sorted(k for k in names if k.startswith(prefix) and k[len(prefix) :].isdigit())
    if not keys:
        return grid
    name = names[keys[-1]]
    return re.sub(r"^\s*\d{4}\s*年?\s*", "", name) if not _english() else re.sub(r"\s*\d{4}\s*$", "", name)
