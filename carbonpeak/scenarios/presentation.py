"""What the scenario pages show: summaries and chart data (no state changes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from carbonpeak.accounting.presentation import GROUP_NAMES
from carbonpeak.scenarios.models import ScenarioRun

__all__ = [
    "GROUP_NAMES",
    "summary",
    "fan_chart",
    "sector_chart",
    "compare_chart",
    "official_outlook",
    "peak_evidence",
    "attach_peak_evidence",
    "peak_evidence_json",
]


def official_outlook(plan: Any) -> dict[str, Any]:
    """The plan's official scenario and its newest finished run (for the dashboard and the public page): trial
    runs of other scenarios never show there. ``scenario`` is None when the office has designated none; ``run``
    is None when the official scenario has no finished run."""
    from carbonpeak.scenarios.choices import RunStatus
    from carbonpeak.scenarios.models import Scenario

    s = Scenario.objects.filter(plan=plan, is_official=True).first()
    if s is None:
        return {"scenario": None, "run": None}
    run = s.runs.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()
    if run is None:
        return {"scenario": s, "run": None}
    return {"scenario": s, "run": run, **summary(run)}


PEAK_TARGET = "carbon_peak_year"


def attach_peak_evidence(
    plan: Any, statuses: list[Any], outlook: dict[str, Any] | None = None, *, latest: bool = False
) -> list[Any]:
    """Give the peak-year target's status its evidence (its light has no reported values to assess).
    ``outlook``: the page's official outlook when it already has it (no second query). ``latest`` (the target's
    own page only; the dashboard and the public page keep to the official scenario): without an official run,
    the newest finished run of any of the county's scenarios, labelled as not official."""
    for st in statuses:
        if st.target.code == PEAK_TARGET:
            st.evidence = peak_evidence(plan, outlook, latest=latest)
    return statuses


def latest_outlook(plan: Any) -> dict[str, Any]:
    """The newest finished run of any scenario of the county (a trial run too): for staff pages when no official
    scenario has a run, so the peak-year target shows the latest projection with its source."""
    from carbonpeak.scenarios.choices import RunStatus
    from carbonpeak.scenarios.models import ScenarioRun

    run = (
        ScenarioRun.objects.filter(scenario__plan=plan, status=RunStatus.DONE)
        .select_related("scenario")
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return {"scenario": None, "run": None}
    return {"scenario": run.scenario, "run": run, "unofficial": not run.scenario.is_official, **summary(run)}


def peak_evidence(plan: Any, outlook: dict[str, Any] | None = None, *, latest: bool = False) -> dict[str, Any]:
    """What speaks to the peak-year target: the highest year of the approved inventory series (the accounts so
    far) and the official scenario's most likely peak year with P(peak ≤ the plan's peak year)."""
    from carbonpeak.accounting.choices import InventoryStatus
    from carbonpeak.accounting.models import Inventory

    rows = (
        Inventory.objects.filter(plan=plan, status=InventoryStatus.APPROVED)
        .order_by("year")
        .values_list("year", "results__co2__territorial_co2_t")  # one figure per year, not the whole results
    )
    series = [(year, float(t)) for year, t in rows if t is not None]
    accounts_part = None
    if series:
        top_year, top = max(series, key=lambda yv: (yv[1], -yv[0]))  # the first highest year
        accounts_part = {
            "highest_year": top_year,
            "highest_tco2": top,
            "first_year": series[0][0],
            "last_year": series[-1][0],
            "still_rising": top_year == series[-1][0] and len(series) > 1,
        }
    outlook = official_outlook(plan) if outlook is None else outlook
    if latest and outlook.get("run") is None:
        outlook = latest_outlook(plan)
    gap = next((g for g in outlook.get("gaps", []) if g["target"] == PEAK_TARGET), None)
    return {
        "accounts": accounts_part,
        "outlook": outlook,
        "target_year": plan.peak_year,
        "met": None if gap is None else gap["met"],
    }


def peak_evidence_json(ev: dict[str, Any]) -> dict[str, Any]:
    """``peak_evidence`` as plain JSON for the command line and API: numbers and names, each with its source."""
    acc = ev.get("accounts")
    out_ = ev.get("outlook") or {}
    run, scenario = out_.get("run"), out_.get("scenario")
    p = out_.get("p_peak_by_target")
    return {
        "target_year": ev.get("target_year"),
        "accounts": None
        if acc is None
        else {
            "highest_year": acc["highest_year"],
            "highest_tco2": acc["highest_tco2"],
            "still_rising": acc["still_rising"],
            "source": f"approved inventories {acc['first_year']}–{acc['last_year']}",
        },
        "scenario": None
        if run is None
        else {
            "most_likely_peak_year": out_.get("most_likely_peak_year"),
            "peak_year_of_mean": out_.get("peak_year"),
            "p_peak_by_target": None if p is None else float(p),
            "no_peak_in_horizon": out_.get("no_peak_in_horizon"),
            "official": not out_.get("unofficial", False),
            "source": f"scenario {scenario.name!s} run {run.pk} ({out_.get('draws')} draws)",
        },
        "met": ev.get("met"),
    }


def summary(run: ScenarioRun) -> dict[str, Any]:
    r = run.results or {}
    return {
        "peak_year": r.get("peak_year_of_mean"),
        "most_likely_peak_year": _mode_year(r.get("peak_year_counts") or {}),
        "peak_tco2": (r.get("plateau") or {}).get("peak_tco2"),
        "p_peak_by_target": r.get("p_peak_by_target"),
        "plateau": r.get("plateau"),
        "deterministic_peak": r.get("deterministic_peak"),
        "gaps": r.get("gaps", []),
        "draws": r.get("draws"),
        "end_year": r["years"][-1] if r.get("years") else None,
        # the mean path is still rising at the horizon: no peak is in sight (the "peak" is the last year)
        "no_peak_in_horizon": bool(r.get("years")) and r.get("peak_year_of_mean") == r["years"][-1],
    }


def _mode_year(counts: dict[str, int]) -> int | None:
    """The peak year most draws share (the earliest on a tie); None without counts."""
    if not counts:
        return None
    return int(min(counts, key=lambda y: (-counts[y], int(y))))


def _w(xs: list[float | None]) -> list[float | None]:
    """Tonnes → 10 000 t, one decimal."""
    return [None if x is None else round(x / 10000, 1) for x in xs]


def fan_chart(r: dict[str, Any]) -> dict[str, Any]:
    """In 10 000 t (万吨) with one decimal: the unit officials read."""
    lo, hi = r["total_p10_tco2"], r["total_p90_tco2"]
    return {
        "categories": [str(y) for y in r["years"]],
        "low": _w(lo),
        "band": [round((h - lo_) / 10000, 1) for lo_, h in zip(lo, hi, strict=True)],
        "mean": _w(r["total_mean_tco2"]),
        "deterministic": _w(r["deterministic"]["total_co2_t"]),
        "labels": {
            "band": _("10%–90% 区间"),
            "mean": _("模拟均值"),
            "deterministic": _("确定性路径"),
        },
        # no marker when the mean path still rises at the horizon: its last year is no peak
        "peak_year": None if r["peak_year_of_mean"] == r["years"][-1] else str(r["peak_year_of_mean"]),
        "unit": _("万吨 CO₂"),
    }


def sector_chart(r: dict[str, Any]) -> dict[str, Any]:
    det = r["deterministic"]
    series = [
        {"name": str(GROUP_NAMES.get(g, g)), "type": "line", "stack": "total", "area": True, "data": _w(p)}
        for g, p in det["sectors"].items()
        if any(p)
    ]
    series.append(
        {"name": _("调入电力"), "type": "line", "stack": "total", "area": True, "data": _w(det["electricity_co2_t"])}
    )
    return {"categories": [str(y) for y in det["years"]], "series": series, "unit": _("万吨 CO₂")}


def compare_chart(items: list[dict[str, Any]]) -> dict[str, Any]:
    years = items[0]["run"].results["years"]
    return {
        "categories": [str(y) for y in years],
        "series": [
            {"name": it["s"].name, "type": "line", "data": _w(it["run"].results["total_mean_tco2"])} for it in items
        ],
        "unit": _("万吨 CO₂"),
    }


def sink_chart(r: dict[str, Any]) -> dict[str, Any] | None:
    """The net emissions (排放 − 森林碳汇) as a fan, in 万吨: the 10–90 % band and mean of the net paths, with the
    gross mean dashed beside them and the net mean's peak marked. None when the run had no sink path."""
    sink, net = r.get("sink"), r.get("net")
    if not sink or not net or not r.get("years"):
        return None
    lo, hi, mean = net["total_p10_tco2"], net["total_p90_tco2"], net["total_mean_tco2"]
    top = max(range(len(mean)), key=mean.__getitem__)
    return {
        "categories": [str(y) for y in r["years"]],
        "low": _w(lo),
        "band": [round((h - lo_) / 10000, 1) for lo_, h in zip(lo, hi, strict=True)],
        "mean": _w(mean),
        "deterministic": _w(r["total_mean_tco2"]),
        "labels": {
            "band": _("净排放 10%–90% 区间"),
            "mean": _("净排放（模拟均值）"),
            "deterministic": _("排放总量（模拟均值）"),
        },
        "peak_year": None if top == len(mean) - 1 else str(r["years"][top]),
        "unit": _("万吨 CO₂"),
    }


def sink_rows(r: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The sink path and the net emissions (万吨, one decimal) at the base year, every fifth year and the last:
    gross mean, sink mean and its 10–90 % range, net mean and its range. None when the run had no sink path."""
    sink, net = r.get("sink"), r.get("net")
    if not sink or not net or not r.get("years"):
        return None
    years = r["years"]
    idx = [i for i, y in enumerate(years) if i == 0 or y % 5 == 0 or i == len(years) - 1]

    def w(xs: list[float], i: int) -> float:
        return round(xs[i] / 10000, 1)

    return [
        {
            "year": years[i],
            "gross": w(r["total_mean_tco2"], i),
            "sink": w(sink["mean_tco2"], i),
            "sink_p10": w(sink["p10_tco2"], i),
            "sink_p90": w(sink["p90_tco2"], i),
            "net": w(net["total_mean_tco2"], i),
            "net_p10": w(net["total_p10_tco2"], i),
            "net_p90": w(net["total_p90_tco2"], i),
        }
        for i in idx
    ]
