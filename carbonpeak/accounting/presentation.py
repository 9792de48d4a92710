"""What the accounting pages show: names, chart data and the year-on-year table (no state changes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carbonpeak.core import accounts
from carbonpeak.core.factors import FactorSet
from carbonpeak.core.limits import YOY_CHANGE_FLAG

GROUP_NAMES = {
    "energy": gettext_lazy("能源生产与加工转换"),
    "industry": gettext_lazy("工业"),
    "construction": gettext_lazy("建筑业"),
    "transport": gettext_lazy("交通运输"),
    "services": gettext_lazy("服务业"),
    "households": gettext_lazy("居民生活"),
    "agriculture": gettext_lazy("农林牧渔业"),
}
COLUMN_NAMES = {
    "production": gettext_lazy("一次能源生产"),
    "inflow": gettext_lazy("调入"),
    "outflow": gettext_lazy("调出（-）"),
    "supply": gettext_lazy("可供本地消费量"),
    "transformation_input": gettext_lazy("加工转换投入"),
    "transformation_output": gettext_lazy("加工转换产出"),
    "loss": gettext_lazy("损失"),
    "final": gettext_lazy("终端消费合计"),
    **{f"final.{g}": name for g, name in GROUP_NAMES.items()},
}


def carrier_names(fs: FactorSet) -> dict[str, str]:
    out = {"electricity": _("电力"), "heat": _("热力")}
    for c in fs.carriers:
        for fam in ("tce", "ncv", "ef_co2"):
            f = fs.get(f"{fam}.{c}")
            if f is not None and f.name_zh:
                out.setdefault(c, f.name_zh.replace("低位发热量", ""))
                break
    return out


def group_chart(res: dict[str, Any]) -> dict[str, Any]:
    groups = [g for g in accounts.GROUPS]
    return {
        "categories": [str(GROUP_NAMES[g]) for g in groups],
        "stack": True,
        "series": [
            {
                "name": _("直接排放"),
                "data": [round(res["by_group"][g]["direct_co2_t"], 1) for g in groups],
                "color": "#0b6e4f",
            },
            {
                "name": _("间接排放（电力、热力）"),
                "data": [round(res["by_group"][g]["indirect_co2_t"], 1) for g in groups],
                "color": "#8fbfa8",
            },
        ],
    }


def carrier_chart(res: dict[str, Any], names: dict[str, str], basis: str) -> dict[str, Any]:
    return {
        "title": _("终端及加工转换能源消费构成（tce）"),
        "data": [
            {"name": names.get(c, c), "value": round(v["energy_tce"][basis], 1)}
            for c, v in res["by_carrier"].items()
            if v["energy_tce"][basis] > 0
        ],
    }


def trend_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    years = [r["inv"].year for r in rows]
    return {
        "categories": [str(y) for y in years],
        "series": [
            {
                "name": _("区域二氧化碳排放（t）"),
                "type": "bar",
                "data": [round(r["res"]["co2"]["territorial_co2_t"]) for r in rows],
            },
            {
                "name": _("净排放（扣除碳汇，t）"),
                "type": "line",
                "data": [round(r["res"]["co2"]["net_co2_t"]) for r in rows],
            },
            {
                "name": _("能源消费总量（tce）"),
                "type": "line",
                "data": [round(r["res"]["energy"][r["basis"]]["total_tce"]) for r in rows],
            },
        ],
    }


def _change(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b - 1


def yoy_rows(res: dict[str, Any], prev: dict[str, Any], basis: str) -> list[dict[str, Any]]:
    """This year against the previous one: totals, then each sector group."""
    pb = basis if basis in prev["bases"] else "calorific"
    rows = [
        {
            "name": _("区域二氧化碳排放（t）"),
            "now": res["co2"]["territorial_co2_t"],
            "before": prev["co2"]["territorial_co2_t"],
        },
        {"name": _("直接排放（t）"), "now": res["co2"]["direct_co2_t"], "before": prev["co2"]["direct_co2_t"]},
        {
            "name": _("能源消费总量（tce）"),
            "now": res["energy"][basis]["total_tce"],
            "before": prev["energy"][pb]["total_tce"],
        },
    ]
    for g in accounts.GROUPS:
        now = res["by_group"][g]["energy_tce"][basis]
        before = prev["by_group"][g]["energy_tce"][pb]
        rows.append({"name": f"{GROUP_NAMES[g]} {_('能耗（tce）')}", "now": now, "before": before})
    for r in rows:
        r["change"] = _change(r["now"], r["before"])
        r["flag"] = r["change"] is not None and abs(r["change"]) > YOY_CHANGE_FLAG
    return rows
