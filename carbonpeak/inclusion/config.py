"""Scenarios and methodology versions: publishing checks the golden cases, sets the public-notice period and
never touches an earlier version (events keep the version in force on their date)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from carbonpeak.audit.services import record
from carbonpeak.core import forest as core_forest
from carbonpeak.inclusion import ledger
from carbonpeak.inclusion.choices import MethodKind
from carbonpeak.inclusion.models import AnomalyRule, Methodology, Scenario
from carbonpeak.validation import Issues

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "inclusion_defaults.json"
NOTICE_DAYS = 7
PARAMS = {
    "per_event": ("gco2_per_event",),
    "per_unit": ("gco2_per_unit",),
    "distance": ("baseline_kgco2_per_km", "mode_kgco2_per_km"),
    "household_electricity": ("grid_gco2_per_kwh",),
    "forest_stock": ("buffer_share", "crediting_years"),
}
#: a ``forest_stock`` parameter ``factor.<group>`` is a species group's carbon factor (tC per m³ of stem volume)
FACTOR_PREFIX = "factor."


def publish_methodology(
    actor: Any,
    scenario: Scenario,
    spec: dict[str, Any],
    *,
    notice_days: int = NOTICE_DAYS,
    now: dt.datetime | None = None,
) -> Methodology:
    """A new version of ``spec["code"]``: every parameter with a value, unit and source; every golden case must
    give its stated points; in force ``notice_days`` after publication."""
    from carbonpeak.inclusion.awards import score

    issues = Issues()
    kind = spec.get("kind")
    if kind not in MethodKind.values:
        issues.add(
            "invalid", "kind", f"方法学类型应为 {', '.join(MethodKind.values)}", f"kind: one of {MethodKind.values}"
        )
        issues.raise_if_errors()
    params = resolve_params(scenario.plan, spec.get("params") or {}, issues)
    for name in PARAMS[kind]:
        p = params.get(name)
        try:
            ok = (
                isinstance(p, dict)
                and Decimal(str(p["value"])).is_finite()
                and Decimal(str(p["value"])) >= 0
                and p.get("source")
            )
        except (InvalidOperation, KeyError):
            ok = False
        if not ok:
            issues.add(
                "invalid", f"params.{name}", f"参数 {name} 须有数值和来源", f"params.{name}: a value >= 0 and a source"
            )
    try:
        ppg = Decimal(str(spec.get("points_per_gco2")))
        assert ppg.is_finite() and ppg > 0
    except (InvalidOperation, AssertionError):
        issues.add("invalid", "points_per_gco2", "每克减排积分应为正数", "points_per_gco2: a positive number")
    if not spec.get("golden_cases"):
        issues.add("required", "golden_cases", "请至少提供一个校验算例", "golden_cases: at least one worked case")
    issues.raise_if_errors()
    now = now or timezone.now()
    draft = Methodology(
        scenario=scenario,
        code=spec["code"],
        kind=kind,
        params=params,
        points_per_gco2=str(ppg),
        unit=spec.get("unit", ""),
    )
    if kind == "distance" and Decimal(str(params["mode_kgco2_per_km"]["value"])) > Decimal(
        str(params["baseline_kgco2_per_km"]["value"])
    ):
        issues.add(
            "invalid",
            "params.mode_kgco2_per_km",
            "出行方式排放高于基准，不是减排",
            "params.mode_kgco2_per_km: above the baseline",
        )
        issues.raise_if_errors()
    if kind == "forest_stock":
        _forest_params(params, issues)
        issues.raise_if_errors()
    for i, case in enumerate(spec["golden_cases"]):
        if kind == "forest_stock":
            got = _forest_golden(draft, case, i, issues)
            if got is None:
                continue
        else:
            got = score(draft, Decimal(str(case["quantity"])))[1]
        if got != int(case["points"]):
            issues.add(
                "golden_case",
                f"golden_cases[{i}]",
                f"校验算例 {case.get('quantity', i + 1)} 应得 {case['points']} 分，实际 {got} 分",
                f"golden_cases[{i}]: {case.get('quantity', i + 1)} gives {got} points, not {case['points']}",
            )
    issues.raise_if_errors()
    with transaction.atomic():
        last = Methodology.objects.filter(scenario=scenario, code=spec["code"]).aggregate(v=Max("version"))["v"] or 0
        m = Methodology.objects.create(
            scenario=scenario,
            code=spec["code"],
            version=last + 1,
            name=spec.get("name", spec["code"]),
            kind=kind,
            params=params,
            points_per_gco2=str(ppg),
            unit=spec.get("unit", ""),
            golden_cases=spec["golden_cases"],
            published_at=now,
            effective_from=(now + dt.timedelta(days=notice_days)).date(),
            # the column holds 300 characters; every parameter keeps its own full source in ``params``
            source=(spec.get("source") or "; ".join(str(p.get("source")) for p in params.values()))[:300],
        )
        record(
            actor,
            "methodology.publish",
            m,
            None,
            {"code": m.code, "version": m.version, "effective_from": str(m.effective_from)},
        )
    return m


def resolve_params(plan, params: dict[str, Any], issues: Issues) -> dict[str, Any]:
    """A parameter may name a figure of the county's own data instead of a typed value:
    ``{"from": "transport.bus_fleet", "year": 2025}`` is the bus fleet's kgCO2 per passenger-km of that year
    (transport/reads.py). It is resolved at publication into value, unit and source (and keeps ``from``), so the
    published version stays immutable and its notice period shows the figure used."""
    out = dict(params)
    for name, p in params.items():
        if not (isinstance(p, dict) and p.get("from")):
            continue
        if p["from"] == "factors.forest":
            del out[name]
            out.update(forest_factors(plan))
            continue
        if p["from"] != "transport.bus_fleet":
            issues.add("invalid", f"params.{name}.from", f"参数 {name} 的来源未知", f"params.{name}.from: unknown")
            continue
        from carbonpeak.transport.reads import bus_fleet_factor

        try:
            year = int(p.get("year"))
        except (TypeError, ValueError):
            issues.add("invalid", f"params.{name}.year", f"参数 {name} 须注明年份", f"params.{name}.year: required")
            continue
        f = bus_fleet_factor(plan, year)
        if f is None:
            issues.add(
                "no_data",
                f"params.{name}",
                f"参数 {name}：{year} 年没有公交运营数据（能耗和旅客周转量），无法取公交车队排放因子",
                f"params.{name}: no bus operators' energy and passenger-km for {year}",
            )
            continue
        out[name] = {
            "value": str(f.kgco2_per_pkm),
            "unit": "kgCO2/km",
            "source": f.source,
            "from": "transport.bus_fleet",
            "year": year,
        }
    return out


def load_defaults(
    actor: Any, plan, *, published_at: dt.datetime | None = None, notice_days: int = NOTICE_DAYS
) -> list[Scenario]:
    """The shipped scenarios and their first methodology versions (skips scenarios the county already has)."""
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    out = []
    for s in data["scenarios"]:
        sc, created = Scenario.objects.get_or_create(
            plan=plan,
            code=s["code"],
            defaults={
                "name": s["name"],
                "consent_text": s["consent_text"],
                "daily_cap_points": s.get("daily_cap_points"),
                "monthly_cap_points": s.get("monthly_cap_points"),
                "monthly_budget_points": s.get("monthly_budget_points"),
                "inventory_share": Decimal(s.get("inventory_share", "0")),
                "point_value_yuan": Decimal(s.get("point_value_yuan", "0")),
            },
        )
        out.append(sc)
        if not created:
            continue
        ledger.pool_account(sc)
        for spec in s["methodologies"]:
            publish_methodology(actor, sc, spec, notice_days=notice_days, now=published_at)
        for r in s.get("anomaly_rules", []):
            AnomalyRule.objects.create(
                scenario=sc, methodology_code=r["methodology_code"], kind=r["kind"], value=r["value"]
            )
    return out


def kwh_saving(baseline_kwh: Decimal, actual_kwh: Decimal) -> Decimal:
    """Household electricity saving of a month: the baseline month minus this month, never below zero."""
    return max(baseline_kwh - actual_kwh, Decimal(0))


def forest_factors(plan) -> dict[str, Any]:
    """The county's factor library's species-group carbon factors (the same parameters as the county's forest
    sink, ``sinks/status.py``): ``{"factor.<group>": {value tC/m³, unit, source}}`` for each complete group."""
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.status import species_groups

    fs = core_factor_set(default_factor_set(plan))
    out = {}
    for g, p in sorted(species_groups(fs).items()):
        if p.factor is None:
            continue
        vals = p.values or {}
        out[f"{FACTOR_PREFIX}{g}"] = {
            "value": str(p.factor),
            "unit": "tC/m³",
            "source": (
                f"因子库 {fs.version}：{p.name_zh} 木材密度 {vals['wood_density_t_per_m3']} × BEF {vals['bef']}"
                f" × (1 + 根茎比 {vals['root_shoot_ratio']}) × 含碳率 {vals['carbon_fraction']}（等级 {p.grade}）"
            ),
            "from": "factors.forest",
        }
    return out


def forest_terms(m: Methodology) -> tuple[dict[str, Decimal], Decimal, int]:
    """A ``forest_stock`` version's (carbon factors by group, buffer share, crediting years)."""
    factors = {
        k.removeprefix(FACTOR_PREFIX): Decimal(str(v["value"]))
        for k, v in m.params.items()
        if k.startswith(FACTOR_PREFIX)
    }
    return (
        factors,
        Decimal(str(m.params["buffer_share"]["value"])),
        int(Decimal(str(m.params["crediting_years"]["value"]))),
    )


def _forest_params(params: dict[str, Any], issues: Issues) -> None:
    share = Decimal(str(params["buffer_share"]["value"]))
    if not share < 1:
        issues.add("invalid", "params.buffer_share", "缓冲比例应小于 1", "params.buffer_share: below 1")
    years = Decimal(str(params["crediting_years"]["value"]))
    if years != years.to_integral_value() or years < 1:
        issues.add(
            "invalid", "params.crediting_years", "计入期年数应为正整数", "params.crediting_years: a positive integer"
        )
    if not any(k.startswith(FACTOR_PREFIX) for k in params):
        issues.add(
            "invalid",
            "params.factors",
            "没有任何树种组的碳计量参数（因子库中无 forest.<树种组> 参数）",
            "params.factors: no species group's parameters",
        )


def _forest_golden(draft: Methodology, case: dict[str, Any], i: int, issues: Issues) -> int | None:
    """A forestry golden case: ``{"stock_m3": {group: [v0, v1]}, "years": [y0, y1], "points": n}`` — the points
    credited to the collective (after the buffer)."""
    from carbonpeak.core.errors import CalcError
    from carbonpeak.inclusion.forestry import credit_points

    factors, share, _years = forest_terms(draft)
    try:
        stock = {g: (Decimal(str(a)), Decimal(str(b))) for g, (a, b) in case["stock_m3"].items()}
        y0, y1 = (int(y) for y in case["years"])
        res = core_forest.project_credits(stock, factors, (y0, y1), (y0, y1), share)
    except (CalcError, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        issues.add("golden_case", f"golden_cases[{i}]", f"校验算例无法计算：{exc}", f"golden_cases[{i}]: {exc}")
        return None
    return credit_points(res, Decimal(draft.points_per_gco2))[0]
