"""Scenario state changes (office only, validated, audited) and runs as background tasks."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from carbonpeak.accounting.choices import InventoryStatus
from carbonpeak.accounting.models import Inventory
from carbonpeak.accounts.permissions import require, require_office
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import accounts
from carbonpeak.core.errors import CalcError
from carbonpeak.core.limits import MAX_DRAWS, MAX_YEARLY_RATE
from carbonpeak.plan.models import Plan
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.scenarios.checks import check_inputs, notes_json
from carbonpeak.scenarios.choices import DriverName, RunStatus, ScenarioKind
from carbonpeak.scenarios.fetch import defaults, inputs_hash, inputs_json, scenario_input
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.validation import Issue, Issues, ValidationFailed, decimal_field

RANGE_DRIVERS = ("activity_growth", "intensity_improvement", "electrification", "fuel_switch")
INHERITED_KEYS = ("grid_floor_t_per_mwh", "electrification_ratio", "base_capacity_mw")
#: drivers that cannot be negative (a share of fuel moved, a fall of carbon per tce)
SHARE_DRIVERS = ("electrification", "fuel_switch")
MAX_END_YEAR = 2060


def require_office_of(actor: Any, plan: Plan) -> None:
    """The office of ``plan``'s own county (issue 15): another county's office, and a region reader, change no
    scenario here (PermissionDenied, 403)."""
    require_office(actor)
    require(acts_in(actor, plan))


def latest_approved(plan: Plan) -> Inventory | None:
    return Inventory.objects.filter(plan=plan, status=InventoryStatus.APPROVED).order_by("-year").first()


def create_baseline(actor: Any, plan: Plan, name: str = "", inventory: Inventory | None = None) -> Scenario:
    """A baseline from the latest approved inventory with the shipped (illustrative) default assumptions."""
    require_office_of(actor, plan)
    inv = inventory or latest_approved(plan)
    if inv is None or inv.status != InventoryStatus.APPROVED or inv.plan_id != plan.pk:
        raise ValidationFailed(
            [
                Issue(
                    "no_inventory",
                    "base_inventory",
                    "需要一个已审定的年度核算作为基年",
                    "an approved inventory year is needed as the base",
                )
            ]
        )
    d = defaults()
    name = name.strip() or f"基准情景（{inv.year}年基）"
    _unique_name(plan, name)
    params = {
        k: d[k] for k in ("gdp_growth", "grid_decline", "grid_floor_t_per_mwh", "electrification_ratio", "drivers")
    }
    with transaction.atomic():
        s = Scenario.objects.create(
            plan=plan,
            name=name,
            kind=ScenarioKind.BASELINE,
            base_inventory=inv,
            end_year=d["end_year"],
            draws=d["draws"],
            seed=d["seed"],
            params=params,
            created_by_label=actor_label(actor),
            is_illustrative=inv.is_illustrative,
        )
        record(actor, "scenario.create", s, None, {"kind": s.kind, "base_inventory": inv.year})
    return s


def create_policy(actor: Any, baseline: Scenario, name: str) -> Scenario:
    """A policy scenario: the baseline's assumptions, the plan's projects included, measures to add."""
    require_office_of(actor, baseline.plan)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([Issue("required", "name", "name：请填写情景名称", "name: give the scenario a name")])
    _unique_name(baseline.plan, name)
    with transaction.atomic():
        s = Scenario.objects.create(
            plan=baseline.plan,
            name=name,
            kind=ScenarioKind.POLICY,
            parent=baseline if baseline.kind == ScenarioKind.BASELINE else baseline.parent,
            base_inventory=baseline.base_inventory,
            end_year=baseline.end_year,
            draws=baseline.draws,
            seed=baseline.seed,
            params=json.loads(json.dumps(baseline.params)),
            measures=list(baseline.measures),
            projects=json.loads(json.dumps(baseline.projects)),
            created_by_label=actor_label(actor),
            is_illustrative=baseline.is_illustrative,
        )
        record(actor, "scenario.create", s, None, {"kind": s.kind, "parent": baseline.pk})
    return s


def designate_official(actor: Any, s: Scenario) -> None:
    """Make ``s`` the plan's official scenario (the one the dashboard and the public page show); the previous
    official one, if any, stops being official. Only a scenario with a finished run can be designated."""
    from carbonpeak.plan.revision import bump

    require_office_of(actor, s.plan)
    if not s.runs.filter(status=RunStatus.DONE).exists():
        raise ValidationFailed(
            [
                Issue(
                    "not_run",
                    "is_official",
                    f"情景“{s.name}”尚无完成的运行，请先运行再指定为官方情景",
                    f"scenario {s.name!r} has no finished run: run it before designating it official",
                )
            ]
        )
    with transaction.atomic():
        # lock the plan's scenarios in primary-key order: two offices designating at once serialize here
        current = list(Scenario.objects.select_for_update().filter(plan=s.plan).order_by("pk"))
        before = next((x for x in current if x.is_official), None)
        if before is not None and before.pk == s.pk:
            return
        Scenario.objects.filter(plan=s.plan, is_official=True).update(is_official=False)
        Scenario.objects.filter(pk=s.pk).update(is_official=True)
        s.is_official = True
        record(
            actor,
            "scenario.designate_official",
            s,
            {"official": None if before is None else {"id": before.pk, "name": before.name}},
            {"official": {"id": s.pk, "name": s.name}},
        )
        bump(s.plan_id)


def clear_official(actor: Any, s: Scenario) -> None:
    """``s`` is no longer the official scenario: the dashboard and the public page say none is designated."""
    from carbonpeak.plan.revision import bump

    require_office_of(actor, s.plan)
    with transaction.atomic():
        if not Scenario.objects.filter(pk=s.pk, is_official=True).update(is_official=False):
            return
        s.is_official = False
        record(actor, "scenario.clear_official", s, {"official": {"id": s.pk, "name": s.name}}, {"official": None})
        bump(s.plan_id)


def _unique_name(plan: Plan, name: str) -> None:
    if Scenario.objects.filter(plan=plan, name=name).exists():
        raise ValidationFailed(
            [Issue("exists", "name", f"name：已有情景“{name}”", f"name: a scenario {name!r} exists")]
        )


def _num(
    raw: Any, field: str, issues: Issues, lo: float | None = None, hi: float | None = None, rate: bool = False
) -> float | None:
    """A number within [lo, hi]. ``rate``: a yearly fraction, whose range the message states in percent (the
    page takes percent; the API takes the fraction)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    d = decimal_field(raw, field, issues)
    if d is None:
        return None
    if not d.is_finite() or (lo is not None and d < Decimal(str(lo))) or (hi is not None and d > Decimal(str(hi))):
        if rate and lo is not None and hi is not None:
            issues.add(
                "out_of_range",
                field,
                f"{field}：应在 {_pct(lo)} 到 {_pct(hi)} 之间",
                f"{field}: must be between {_pct(lo)} and {_pct(hi)} (as a fraction {lo} to {hi})",
            )
        else:
            issues.add(
                "out_of_range", field, f"{field}：应在 {lo} 到 {hi} 之间", f"{field}: must be between {lo} and {hi}"
            )
        return None
    return float(d)


def _pct(x: float) -> str:
    return f"{Decimal(str(x)) * 100:f}".rstrip("0").rstrip(".") + "%"


def _update_assumptions(params: dict[str, Any], data: dict[str, Any], issues: Issues) -> None:
    """A baseline's own assumptions: drivers per sector, grid path, GDP growth, base capacity."""
    drivers = params.setdefault("drivers", {})
    for g in accounts.GROUPS:
        d = drivers.setdefault(g, {})
        for name in RANGE_DRIVERS:
            cur = d.get(name)
            cur = dict(cur) if isinstance(cur, dict) else {"mean": float(cur or 0.0)}
            lo = 0 if name in SHARE_DRIVERS else -MAX_YEARLY_RATE
            for part in ("mean", "low", "high"):
                key = f"drivers.{g}.{name}.{part}"
                if key in data:
                    v = _num(data[key], key, issues, lo, MAX_YEARLY_RATE, rate=True)
                    if v is None and part == "mean" and key not in [i.field for i in issues.items]:
                        issues.add("required", key, f"{key}：请填写", f"{key}: required")
                    cur[part] = v
            if cur.get("low") is not None and cur.get("high") is not None and cur["low"] > cur["high"]:
                issues.add(
                    "invalid_range",
                    f"drivers.{g}.{name}.low",
                    f"drivers.{g}.{name}：下限高于上限",
                    f"drivers.{g}.{name}: low is above high",
                )
            d[name] = cur
    gd = params.get("grid_decline", 0.0)
    gd = dict(gd) if isinstance(gd, dict) else {"mean": float(gd)}
    for part in ("mean", "low", "high"):
        key = f"grid_decline.{part}"
        if key in data:
            v = _num(data[key], key, issues, 0, MAX_YEARLY_RATE, rate=True)
            if v is None and part == "mean" and key not in [i.field for i in issues.items]:
                issues.add("required", key, f"{key}：请填写", f"{key}: required")
            gd[part] = v
    params["grid_decline"] = gd
    for key, lo, hi in (
        ("grid_floor_t_per_mwh", 0, 2),
        ("electrification_ratio", 0.05, 2),
    ):
        if key in data:
            v = _num(data[key], key, issues, lo, hi)
            if v is not None:
                params[key] = v
    g = params.setdefault("gdp_growth", {"mean": 0.0})
    for part in ("mean", "low", "high"):
        key = f"gdp_growth.{part}"
        if key in data:
            g[part] = _num(data[key], key, issues, -MAX_YEARLY_RATE, MAX_YEARLY_RATE, rate=True)
            if g[part] is None and part == "mean" and key not in [i.field for i in issues.items]:
                issues.add("required", key, f"{key}：请填写", f"{key}: required")
    if "base_capacity_mw" in data:
        params["base_capacity_mw"] = _num(data["base_capacity_mw"], "base_capacity_mw", issues, 0, 1e6)
    _update_sink(params, data, issues)


def _update_sink(params: dict[str, Any], data: dict[str, Any], issues: Issues) -> None:
    """The sink path: ``sink.growth.mean|low|high`` (yearly fractions), ``sink.peak_basis`` (gross | net: which
    path the peak verdict reads), ``sink.include`` (false: no sink path)."""
    if not any(k.startswith("sink.") for k in data):
        return
    sink = dict(params.get("sink") or {})
    g = dict(sink.get("growth") or defaults()["sink"]["growth"])
    for part in ("mean", "low", "high"):
        key = f"sink.growth.{part}"
        if key in data:
            g[part] = _num(data[key], key, issues, -MAX_YEARLY_RATE, MAX_YEARLY_RATE, rate=True)
            if g[part] is None and part == "mean" and key not in [i.field for i in issues.items]:
                issues.add("required", key, f"{key}：请填写", f"{key}: required")
    if g.get("low") is not None and g.get("high") is not None and g["low"] > g["high"]:
        issues.add("invalid_range", "sink.growth.low", "sink.growth：下限高于上限", "sink.growth: low is above high")
    sink["growth"] = g
    if "sink.peak_basis" in data:
        basis = str(data["sink.peak_basis"] or "gross")
        if basis not in ("gross", "net"):
            issues.add(
                "invalid",
                "sink.peak_basis",
                "sink.peak_basis：应为“总排放”或“净排放（排放总量减森林碳汇）”",
                "sink.peak_basis: gross (emissions) or net (emissions minus the forest sink)",
            )
        else:
            sink["peak_basis"] = basis
    if "sink.include" in data:
        sink["include"] = str(data["sink.include"]).lower() not in ("false", "0", "", "off", "no")
    params["sink"] = sink


def _check_net_basis(plan: Plan, params: dict[str, Any], data: dict[str, Any], issues: Issues) -> None:
    """A net verdict needs a sink path: the path on and an approved forest year with a sink (checked when the
    sink settings are saved; the run checks again, as a forest year may be reopened later)."""
    from carbonpeak.scenarios.fetch import sink_source

    sink = params.get("sink") or {}
    if not any(k.startswith("sink.") for k in data) or sink.get("peak_basis") != "net":
        return
    if not sink.get("include", True):
        issues.add(
            "needs_sink",
            "sink.peak_basis",
            "sink.peak_basis：按净排放判断达峰需要计入森林碳汇路径，请勾选“计入森林碳汇路径”或改按总排放判断",
            "sink.peak_basis: a net verdict needs the forest sink path; include it or judge on gross emissions",
        )
        return
    src = sink_source(plan)
    if src is None or src[0] <= 0:
        issues.add(
            "needs_sink",
            "sink.peak_basis",
            "sink.peak_basis：尚无已审定的森林资源年度碳汇，无法按净排放判断达峰，请改按总排放判断",
            "sink.peak_basis: no approved forest year with a sink yet; a net verdict needs one",
        )


def update_scenario(actor: Any, s: Scenario, data: dict[str, Any]) -> None:
    """Replace the assumptions from a flat mapping (the page's form, or the API): ``drivers.<group>.<name>``
    (``.mean/.low/.high`` for ranges), ``grid_decline``, ``gdp_growth.mean``…, ``measures`` (list),
    ``projects.<code>.include|capacity_mw|commissioning_year|delay_years``, ``draws``, ``seed``, ``end_year``,
    ``sink.include``, ``sink.growth.mean|low|high`` (fractions), ``sink.peak_basis`` (gross | net)."""
    require_office_of(actor, s.plan)
    issues = Issues()
    if s.kind == ScenarioKind.POLICY:
        inherited = [
            k for k in data if k.startswith(("drivers.", "gdp_growth.", "grid_decline", "sink.")) or k in INHERITED_KEYS
        ]
        for k in inherited:
            issues.add(
                "inherited",
                k,
                f"{k}：政策情景沿用基准情景的假设，请修改基准情景或添加政策措施",
                f"{k}: a policy scenario takes its assumptions from its baseline; change the baseline or add a measure",
            )
    params = json.loads(json.dumps(s.params))
    if s.kind == ScenarioKind.BASELINE:
        _update_assumptions(params, data, issues)
        _check_net_basis(s.plan, params, data, issues)
    if "capacity_source" in data:  # the scenario's own choice (a policy's too): projects or the unit register
        from carbonpeak.scenarios.fetch import CAPACITY_SOURCES

        src = str(data["capacity_source"] or "projects")
        if src not in CAPACITY_SOURCES:
            issues.add(
                "capacity_source",
                "capacity_source",
                "capacity_source：应为 projects（方案项目）或 register（并网机组登记）",
                "capacity_source: projects or register",
            )
        else:
            params["capacity_source"] = src
    measures = s.measures
    if "measures" in data:
        measures = []
        for i, m in enumerate(data["measures"] or []):
            path = f"measures[{i}]"
            sector = (m.get("sector") or "*").strip()
            if sector != "*" and sector not in accounts.GROUPS:
                issues.add(
                    "unknown_sector",
                    f"{path}.sector",
                    f"{path}.sector：未知部门 {sector}",
                    f"{path}.sector: unknown sector {sector}",
                )
            if m.get("driver") not in DriverName.values:
                issues.add(
                    "unknown_driver", f"{path}.driver", f"{path}.driver：未知驱动因素", f"{path}.driver: unknown driver"
                )
            delta = _num(m.get("delta"), f"{path}.delta", issues, -MAX_YEARLY_RATE, MAX_YEARLY_RATE, rate=True)
            if delta is None:
                if f"{path}.delta" not in [i.field for i in issues.items]:  # never drop a measure silently
                    name = (m.get("label") or "").strip() or f"第 {i + 1} 项措施"
                    issues.add(
                        "required",
                        f"{path}.delta",
                        f"{path}.delta：措施“{name}”未填年变化率，无法计算",
                        f"{path}.delta: measure {name!r} has no yearly rate change and cannot be computed",
                    )
                continue
            measures.append(
                {
                    "label": (m.get("label") or "").strip()[:120],
                    "sector": sector,
                    "driver": m.get("driver"),
                    "delta": delta,
                }
            )
    projects = json.loads(json.dumps(s.projects))
    from carbonpeak.plan.models import Project

    codes = set(Project.objects.filter(plan=s.plan).values_list("code", flat=True))
    for key, raw in data.items():
        if not key.startswith("projects."):
            continue
        code, _, attr = key.removeprefix("projects.").rpartition(".")  # codes may contain dots (P01.1)
        if code not in codes:
            issues.add("unknown_project", key, f"{key}：未知项目", f"{key}: unknown project")
            continue
        cfg = projects.setdefault(code, {})
        if attr == "include":
            cfg["include"] = raw in (True, "on", "1", "true", 1)
        elif attr == "capacity_mw":
            cfg["capacity_mw"] = _num(raw, key, issues, 0, 1e5)
        elif attr == "commissioning_year":
            y = _num(raw, key, issues, s.base_inventory.year, MAX_END_YEAR)
            cfg["commissioning_year"] = int(y) if y is not None else None
        elif attr == "delay_years":
            y = _num(raw, key, issues, 0, 30)
            cfg["delay_years"] = int(y) if y is not None else 0
        elif attr == "full_load_hours":
            cfg["full_load_hours"] = _num(raw, key, issues, 0, 8760)
        else:
            issues.add("unknown_key", key, f"{key}：未知字段", f"{key}: unknown field")
    draws = s.draws
    if "draws" in data:
        v = _num(data["draws"], "draws", issues, 100, MAX_DRAWS)
        draws = int(v) if v is not None else draws
    end_year = s.end_year
    if "end_year" in data:
        v = _num(data["end_year"], "end_year", issues, s.plan.peak_year, MAX_END_YEAR)
        end_year = int(v) if v is not None else end_year
    issues.raise_if_errors()
    before = {
        "params": s.params,
        "measures": s.measures,
        "projects": s.projects,
        "draws": s.draws,
        "end_year": s.end_year,
    }
    kept = (s.params, s.measures, s.projects, s.draws, s.end_year)
    s.params, s.measures, s.projects, s.draws, s.end_year = params, measures, projects, draws, end_year
    try:
        scenario_input(s)  # the new assumptions must still build a projection input
    except CalcError as e:
        s.params, s.measures, s.projects, s.draws, s.end_year = kept  # nothing changed, not even in memory
        raise ValidationFailed([Issue(e.code, e.field, f"假设无法构成情景：{e.message}", e.message)]) from e
    with transaction.atomic():
        s.save()
        record(
            actor,
            "scenario.update",
            s,
            before,
            {"params": params, "measures": measures, "projects": projects, "draws": draws, "end_year": end_year},
        )


def start_run(actor: Any, s: Scenario, enqueue: bool = True) -> ScenarioRun:
    """Queue a run (a background task). The inputs are frozen now, with their hash. ``enqueue=False`` only
    records the run (the caller executes it, e.g. the demo set-up)."""
    from carbonpeak.scenarios.tasks import run_scenario

    require_office_of(actor, s.plan)
    try:
        inp = scenario_input(s)
    except CalcError as e:
        raise ValidationFailed([Issue(e.code, e.field, f"无法运行：{e.message}", e.message)]) from e
    with transaction.atomic():
        run = ScenarioRun.objects.create(
            scenario=s, inputs=inputs_json(inp), inputs_sha256=inputs_hash(inp), started_by_label=actor_label(actor)
        )
        record(actor, "scenario.run", s, None, {"run": run.pk, "inputs_sha256": run.inputs_sha256})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run_scenario, run.pk))
    return run


def _enqueue(task: Any, run_id: int) -> None:
    result = task.enqueue(run_id)
    ScenarioRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def execute(run_id: int) -> None:
    """The task body: compute, reporting progress, and store the results (or the error)."""
    from carbonpeak.core import scenario as sc
    from carbonpeak.plan.revision import bump

    run = ScenarioRun.objects.select_related("scenario__base_inventory", "scenario__plan").get(pk=run_id)
    # claim the run atomically: a second worker given the same run does nothing
    if not ScenarioRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    ):
        return
    last = [0.0]

    def progress(share: float) -> None:
        if share - last[0] >= 0.05 or share >= 1:
            last[0] = share
            ScenarioRun.objects.filter(pk=run.pk).update(progress=round(0.95 * share, 4))

    try:
        inp = scenario_input(run.scenario)
        if inputs_hash(inp) != run.inputs_sha256:
            raise CalcError("stale", "", "The inputs changed after the run was queued; start it again.")
        results = sc.run(inp, progress=progress)
        results["gaps"] = target_gaps(run.scenario.plan, results)
        # what the run left out (incomplete projects, zero measures…), so its page can say so and why
        results["not_applied"] = notes_json(check_inputs(run.scenario))
    except CalcError as e:
        ScenarioRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=e.message, finished_at=timezone.now()
        )
        return
    except Exception as e:  # never leave a run "running": the page would poll forever
        ScenarioRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(e).__name__}: {e}"[:2000], finished_at=timezone.now()
        )
        raise
    ScenarioRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, results=results, progress=1.0, finished_at=timezone.now()
    )
    bump(run.scenario.plan_id)  # the dashboard shows the official scenario's latest run


GAP_TARGETS = {
    "non_fossil_share": "nonfossil_share",
    "energy_intensity_reduction": "energy_intensity_reduction",
    "new_energy_capacity_energy_task": "new_energy_capacity_mw",
    "carbon_peak_year": "peak_year",
}


def target_gaps(plan: Plan, results: dict[str, Any]) -> list[dict[str, Any]]:
    """Projected value against each milestone of the targets a projection speaks to (projected − target)."""
    det = results["deterministic"]
    years = det["years"]
    out = []
    base_intensity = _base_intensity(plan)
    for t in plan.targets.filter(code__in=GAP_TARGETS).prefetch_related("milestones"):
        for m in t.milestones.all():
            key = GAP_TARGETS[t.code]
            beyond = False
            if key == "peak_year":
                value = results["peak_year_of_mean"]
                beyond = value == years[-1]  # still rising at the horizon: no peak by then
            elif m.year not in years:
                continue
            elif key == "energy_intensity_reduction":
                series = det.get("energy_intensity_tce_per_10k_yuan")
                if series is None or base_intensity is None:
                    continue
                value = 1 - series[years.index(m.year)] / base_intensity
            else:
                series = det.get(key)
                if series is None or series[years.index(m.year)] is None:
                    continue
                value = series[years.index(m.year)]
            target = float(m.value)
            good = (value <= target if t.direction == "decrease" else value >= target) and not beyond
            out.append(
                {
                    "target": t.code,
                    "name": t.name,
                    "unit": t.unit,
                    "year": m.year,
                    "target_value": target,
                    "projected": value,
                    "gap": value - target,
                    "met": good,
                    "beyond_horizon": beyond,
                }
            )
    return out


def _base_intensity(plan: Plan) -> float | None:
    """The plan base year's energy intensity on the coal-equivalent basis (the projection's basis); None when
    that year lacks it (never mix bases in one gap)."""
    inv = Inventory.objects.filter(plan=plan, year=plan.base_year, status=InventoryStatus.APPROVED).first()
    if inv is None or not inv.results or not inv.gdp_10k_yuan:
        return None
    e = inv.results["energy"].get("coal_equivalent")
    return None if e is None else e["total_tce"] / float(inv.gdp_10k_yuan)
