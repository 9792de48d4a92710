"""What the scenario pages show: summaries and chart data (no state changes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from carbonpeak.accounting.presentation import GROUP_NAMES
from carbonpeak.scenarios.models import ScenarioRun

__all__ = ["GROUP_NAMES", "summary", "fan_chart", "sector_chart", "compare_chart", "latest_outlook"]


def latest_outlook(plan: Any) -> dict[str, Any] | None:
    """The newest finished run of the plan (for the dashboard): one query."""
    from carbonpeak.scenarios.choices import RunStatus

    run = (
        ScenarioRun.objects.filter(scenario__plan=plan, status=RunStatus.DONE)
        .select_related("scenario")
        .order_by("-finished_at", "-id")
        .first()
    )
    return None if run is None else {"run": run, "scenario": run.scenario, **summary(run)}


def summary(run: ScenarioRun) -> dict[str, Any]:
    r = run.results or {}
    return {
        "peak_year": r.get("peak_year_of_mean"),
        "peak_tco2": (r.get("plateau") or {}).get("peak_tco2"),
        "p_peak_by_target": r.get("p_peak_by_target"),
        "plateau": r.get("plateau"),
        "deterministic_peak": r.get("deterministic_peak"),
        "gaps": r.get("gaps", []),
        "draws": r.get("draws"),
        # the mean path is still rising at the horizon: no peak is in sight (the "peak" is the last year)
        "no_peak_in_horizon": bool(r.get("years")) and r.get("peak_year_of_mean") == r["years"][-1],
    }


def _r(xs: list[float | None]) -> list[float | None]:
    return [None if x is None else round(x) for x in xs]


def fan_chart(r: dict[str, Any]) -> dict[str, Any]:
    lo, hi = r["total_p10_tco2"], r["total_p90_tco2"]
    return {
        "categories": [str(y) for y in r["years"]],
        "low": _r(lo),
        "band": [round(h - lo_) for lo_, h in zip(lo, hi, strict=True)],
        "mean": _r(r["total_mean_tco2"]),
        "deterministic": _r(r["deterministic"]["total_co2_t"]),
        "labels": {
            "band": _("10%–90% 区间"),
            "mean": _("模拟均值"),
            "deterministic": _("确定性路径"),
        },
        "peak_year": str(r["peak_year_of_mean"]),
    }


def sector_chart(r: dict[str, Any]) -> dict[str, Any]:
    det = r["deterministic"]
    series = [
        {"name": str(GROUP_NAMES.get(g, g)), "type": "line", "stack": "total", "area": True, "data": _r(p)}
        for g, p in det["sectors"].items()
        if any(p)
    ]
    series.append(
        {"name": _("调入电力"), "type": "line", "stack": "total", "area": True, "data": _r(det["electricity_co2_t"])}
    )
    return {"categories": [str(y) for y in det["years"]], "series": series}


def compare_chart(items: list[dict[str, Any]]) -> dict[str, Any]:
    years = items[0]["run"].results["years"]
    return {
        "categories": [str(y) for y in years],
        "series": [
            {"name": it["s"].name, "type": "line", "data": _r(it["run"].results["total_mean_tco2"])} for it in items
        ],
    }
