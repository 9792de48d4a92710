"""The scenario page's form edge: officials type and read percent; the services store yearly fractions.

A rate typed "3" or "3%" on the page is 0.03 in the scenario (and in the API, which takes the fraction).
Nothing here decides validity: a value that is not a number passes through unchanged, so the service names
the field that is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carbonpeak.percent import fraction_to_percent, percent_to_fraction
from carbonpeak.scenarios.choices import DriverName
from carbonpeak.scenarios.fetch import project_rows
from carbonpeak.scenarios.models import Scenario
from carbonpeak.scenarios.presentation import GROUP_NAMES
from carbonpeak.validation import parse_int

MAX_MEASURES = 50
RATE_PREFIXES = ("drivers.", "grid_decline", "gdp_growth.", "sink.growth.")
PARTS = {"mean": gettext_lazy("均值"), "low": gettext_lazy("下限"), "high": gettext_lazy("上限")}

#: what a positive number means for each driver, said plainly (the sign of a rate is never left to guess)
DRIVER_HELP = {
    "activity_growth": (gettext_lazy("活动水平每年增长（%）"), gettext_lazy("正数为上升，负数为下降")),
    "intensity_improvement": (gettext_lazy("能耗强度每年下降（%）"), gettext_lazy("正数为下降，负数为上升")),
    "electrification": (gettext_lazy("每年转为用电的燃料比例（%）"), gettext_lazy("不小于 0")),
    "fuel_switch": (gettext_lazy("单位燃料碳排放每年下降（%）"), gettext_lazy("不小于 0")),
}


def is_rate(key: str) -> bool:
    return key.startswith(RATE_PREFIXES)


def form_data(post: Any, s: Scenario) -> dict[str, Any]:
    """The posted form as the flat mapping ``update_scenario`` takes, rates converted from percent. A measure
    row with a name or a rate is kept (a name without a rate is refused by the service, never dropped)."""
    data: dict[str, Any] = {}
    for k, v in post.items():
        if k in ("csrfmiddlewaretoken", "action", "confirm") or k.startswith("measure"):
            continue
        data[k] = percent_to_fraction(v) if is_rate(k) else v
    for r in project_rows(s):
        data[f"projects.{r['code']}.include"] = post.get(f"projects.{r['code']}.include") == "on"
    measures = []
    raw_count = str(post.get("measure_count", "0") or "0")
    count = parse_int(raw_count, low=0, high=MAX_MEASURES) or 0
    for i in range(count + 1):
        label = post.get(f"measure.{i}.label", "").strip()
        delta = post.get(f"measure.{i}.delta", "").strip()
        if delta or label:
            measures.append(
                {
                    "label": label,
                    "sector": post.get(f"measure.{i}.sector", "*"),
                    "driver": post.get(f"measure.{i}.driver", ""),
                    "delta": percent_to_fraction(delta),
                }
            )
    data["measures"] = measures
    return data


def measure_sentence(m: dict[str, Any]) -> str:
    """A measure in words: "工业：能耗强度每年多下降 2 个百分点"."""
    sector = _("全部部门") if m.get("sector") in (None, "", "*") else str(GROUP_NAMES.get(m["sector"], m["sector"]))
    delta = float(m.get("delta") or 0)
    n = fraction_to_percent(abs(delta))
    more = delta > 0
    driver = m.get("driver")
    if delta == 0:
        text = _("不改变%(driver)s（变化率为 0）") % {"driver": DriverName(driver).label}
    elif driver == "activity_growth":
        text = (_("活动水平每年多增长 %(n)s 个百分点") if more else _("活动水平每年少增长 %(n)s 个百分点")) % {"n": n}
    elif driver == "intensity_improvement":
        text = (_("能耗强度每年多下降 %(n)s 个百分点") if more else _("能耗强度每年少下降 %(n)s 个百分点")) % {"n": n}
    elif driver == "electrification":
        text = (_("每年多将 %(n)s%% 的燃料转为用电") if more else _("每年少将 %(n)s%% 的燃料转为用电")) % {"n": n}
    else:
        text = (
            _("单位燃料碳排放每年多下降 %(n)s 个百分点") if more else _("单位燃料碳排放每年少下降 %(n)s 个百分点")
        ) % {"n": n}
    return f"{sector}：{text}"


def field_label(field: str) -> str:
    """A form field's name as an official reads it: "工业 · 能耗强度年降幅 · 均值", "第 1 项措施 · 年变化率"."""
    parts = field.split(".")
    if parts[0] == "drivers" and len(parts) >= 3:
        out = [str(GROUP_NAMES.get(parts[1], parts[1]))]
        if parts[2] in DriverName.values:
            out.append(str(DriverName(parts[2]).label))
        if len(parts) > 3:
            out.append(str(PARTS.get(parts[3], parts[3])))
        return " · ".join(out)
    if field.startswith("measures["):
        idx = field[len("measures[") : field.index("]")]
        what = {"delta": _("年变化率"), "sector": _("部门"), "driver": _("驱动因素")}.get(parts[-1], "")
        return " · ".join(x for x in (_("第 %(n)s 项措施") % {"n": int(idx) + 1}, what) if x)
    if parts[0] == "projects":
        code, _sep, attr = field.removeprefix("projects.").rpartition(".")
        names = {
            "include": _("纳入"),
            "capacity_mw": _("装机 MW"),
            "commissioning_year": _("投产年份"),
            "delay_years": _("推迟（年）"),
            "full_load_hours": _("年利用小时"),
        }
        if attr in names:
            return f"{_('项目')} {code} · {names[attr]}"
        return f"{_('项目')} {field.removeprefix('projects.')}"
    if parts[0] == "sink" and len(parts) >= 2:
        sink_names = {"include": _("计入森林碳汇路径"), "growth": _("碳汇年增长率"), "peak_basis": _("达峰判断口径")}
        if parts[1] in sink_names:
            return " · ".join([str(sink_names[parts[1]])] + [str(PARTS.get(p, p)) for p in parts[2:]])
    named = {
        "grid_decline": _("电网因子年降幅"),
        "gdp_growth": _("GDP 年增速"),
        "grid_floor_t_per_mwh": _("电网因子下限"),
        "electrification_ratio": _("电气化终端能效比"),
        "base_capacity_mw": _("基年新能源装机"),
        "draws": _("模拟次数"),
        "end_year": _("展望至"),
        "name": _("名称"),
        "base_inventory": _("基年核算"),
        "is_official": _("官方情景"),
    }
    if parts[0] in named:
        return " · ".join([str(named[parts[0]])] + [str(PARTS.get(p, p)) for p in parts[1:]])
    return field


#: a technical field path in front of a Chinese message ("drivers.industry.fuel_switch：…")
FIELD_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_.\[\]]*：")


def readable_issues(issues: Any) -> list[dict[str, str]]:
    """Issues for the page: the field's Chinese name and the message without its technical field prefix."""
    out = []
    for i in issues or []:
        d = i if isinstance(i, dict) else i.as_dict()
        zh = d["message_zh"]
        if zh.startswith(f"{d['field']}："):
            zh = zh[len(d["field"]) + 1 :]
        else:  # a prefix naming the range rather than the part ("sink.growth：下限高于上限"): the label says it
            zh = FIELD_PREFIX.sub("", zh, count=1)
        out.append(
            {"label": field_label(d["field"]), "message": zh, "detail": d["message_en"], "severity": d["severity"]}
        )
    return out
