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
    return {k: ((ne if en and ne else factor_name_zh(nz, ne, k)) or k) for k, nz, ne in rows}


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


# The shipped factor library (data/factors.csv, hashed into its version) keeps IPCC fuel names in English inside
# name_zh ("Crude oil 缺省CO2排放因子"), report abbreviations ("GWP100 (SAR)"), citations ("(Chen et al.)") and
# English units ("fraction", "persons"). A page shows them in Chinese; the stored row (and 详情) keeps the original.
_IPCC_FUELS = {
    "Crude oil": "原油",
    "Motor gasoline": "车用汽油",
    "Other kerosene": "其他煤油",
    "Jet kerosene": "航空煤油",
    "Gas/diesel oil": "柴油",
    "Residual fuel oil": "残渣燃料油",
    "LPG": "液化石油气",
    "Refinery gas": "炼厂干气",
    "Natural gas": "天然气",
    "Anthracite": "无烟煤",
    "Other bituminous coal": "其他烟煤",
    "Sub-bituminous coal": "次烟煤",
    "Lignite": "褐煤",
    "Coke oven coke": "焦炭",
    "Coke oven gas": "焦炉煤气",
    "Petroleum coke": "石油焦",
}
_IPCC_FUEL = re.compile(r"^(" + "|".join(re.escape(k) for k in sorted(_IPCC_FUELS, key=len, reverse=True)) + r")\s*")
_CITATION = re.compile(r"\s*\([A-Z][A-Za-z-]+ et al\.\)")
_GWP = re.compile(r"\s*GWP100\s*\((SAR|AR\d)\)")
_REPORTS = {"SAR": "第二次", "AR4": "第四次", "AR5": "第五次", "AR6": "第六次"}
UNITS_ZH = {
    "fraction": "比例",
    "ratio": "比值",
    "persons": "人",
    "year": "年",
    "km2": "平方公里",
    "t d.m./m3": "吨干物质/立方米",
    "tC/t d.m.": "tC/吨干物质",
    "gCO2/point": "gCO2/积分",
    "gCO2/ride": "gCO2/次",
    "kgCO2/trip": "kgCO2/次",
    "point/step (1 point = 1 gCO2)": "积分/步（1 积分 = 1 gCO2）",
    "GJ/t or GJ/1e4Nm3": "GJ/t 或 GJ/1e4Nm3",
    "K = enterprise L / industry-average L": "企业碳效值与行业平均值之比",
    "tce/万元 (2010 prices)": "tce/万元（2010年价）",
    "亿元 (current)": "亿元（当年价）",
    "% (2025 vs 2020)": "%（2025年比2020年）",
}


def factor_name_zh(name_zh: str | None, name_en: str | None = None, key: str = "") -> str:
    """A factor's Chinese name without English words: IPCC fuels, GWP report names and citations in Chinese."""
    name = (name_zh or "").strip() or (name_en or "") or key
    m = _IPCC_FUEL.match(name)
    if m:
        name = _IPCC_FUELS[m.group(1)] + name[m.end() :] + "（IPCC）"
    name = _GWP.sub(lambda g: f" 百年全球增温潜势（IPCC {_REPORTS[g.group(1)]}评估报告）", name)
    return _CITATION.sub("（文献估算）", name)


def factor_name(name_zh: str | None, name_en: str | None = None, key: str = "") -> str:
    """A factor's name in the page's language (the English name as stored on an English page)."""
    if _english() and name_en:
        return name_en
    return factor_name_zh(name_zh, name_en, key)


def factor_unit(unit: str | None) -> str:
    """A factor's unit as a Chinese page shows it ("比例", not "fraction"); unchanged on an English page."""
    if not unit or _english():
        return unit or ""
    return UNITS_ZH.get(unit, unit)
