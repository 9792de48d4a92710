"""Database → the core's ScenarioInput: the base inventory's approved results, the assumptions, the projects."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from carbonpeak.accounting.fetch import core_factor_set
from carbonpeak.core import accounts, units
from carbonpeak.core import scenario as sc
from carbonpeak.core.errors import CalcError
from carbonpeak.plan.models import IndicatorValue, Project
from carbonpeak.scenarios.models import Scenario

DEFAULTS_PATH = Path(__file__).resolve().parent.parent / "data" / "scenario_defaults.json"
CAPACITY_TARGETS = ("new_energy_capacity_energy_task", "new_energy_capacity")


@cache
def defaults() -> dict[str, Any]:
    return json.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def _range(d: dict[str, Any] | float | None) -> sc.Range:
    if d is None:
        return sc.Range(0.0)
    if isinstance(d, (int, float)):
        return sc.Range(float(d))
    return sc.Range(float(d["mean"]), _opt(d.get("low")), _opt(d.get("high")))


def _opt(x: Any) -> float | None:
    return None if x is None or x == "" else float(x)


def effective_params(s: Scenario) -> dict[str, Any]:
    """A policy scenario composes over its baseline: the baseline's assumptions, the policy's measures and
    projects. A change to the baseline therefore changes (and makes stale) every policy built on it."""
    if s.kind == "policy" and s.parent_id is not None:
        return s.parent.params
    return s.params


def effective_drivers(s: Scenario) -> dict[str, dict[str, Any]]:
    """The scenario's drivers with its measures added (a measure shifts a driver's mean, low and high)."""
    drivers = json.loads(json.dumps(effective_params(s).get("drivers", {})))
    for m in s.measures:
        groups = accounts.GROUPS if m.get("sector") in (None, "", "*") else [m["sector"]]
        for g in groups:
            d = drivers.setdefault(g, {})
            name, delta = m["driver"], float(m["delta"])
            cur = d.get(name, 0.0)
            if isinstance(cur, dict):
                d[name] = {k: (None if v is None else v + delta) for k, v in cur.items()}
            else:
                d[name] = cur + delta
    return drivers


def project_rows(s: Scenario) -> list[dict[str, Any]]:
    """The plan's supply and gas projects with the scenario's settings (include, capacity, year, delay)."""
    dflt = defaults()
    types = set(dflt["supply_types"]) | {"gas_network"}
    rows = []
    for p in Project.objects.filter(plan=s.plan, type__in=types).order_by("id"):
        cfg = s.projects.get(p.code, {})
        capacity = cfg.get("capacity_mw", None)
        capacity = float(capacity) if capacity not in (None, "") else (float(p.capacity_mw) if p.capacity_mw else None)
        year = cfg.get("commissioning_year")
        year = int(year) if year not in (None, "") else p.commissioning_year
        delay = int(cfg.get("delay_years") or 0)
        rows.append(
            {
                "project": p,
                "code": p.code,
                "type": p.type,
                "include": bool(cfg.get("include", s.kind == "policy")) and p.status != "cancelled",
                "capacity_mw": capacity,
                "commissioning_year": year,
                "delay_years": delay,
                "full_load_hours": float(cfg.get("full_load_hours") or dflt["full_load_hours"].get(p.type, 0)),
                "in_service_year": (year + delay) if year else None,
            }
        )
    return rows


#: where a scenario's new-energy capacity path comes from: the plan's projects (default) or the register of
#: grid-connected units (the scenario's own ``params["capacity_source"]``, a policy's too)
CAPACITY_SOURCES = ("projects", "register")
#: register unit type → the project type whose full-load hours it takes (waste-to-energy: none by default, so
#: its output is not counted as non-fossil until a biogenic share is set; its capacity counts)
REGISTER_HOURS = {"pv": "solar_pv", "wind": "wind", "hydro": "hydro", "biomass": "biomass"}


def capacity_source(s: Scenario) -> str:
    src = (s.params or {}).get("capacity_source")
    return src if src in CAPACITY_SOURCES else "projects"


def register_additions(s: Scenario, base_year: int) -> tuple[float, list[sc.Addition]]:
    """The base-year capacity and the later net changes of the register, as the core's additions."""
    from carbonpeak.generation.fetch import register_path

    hours = defaults()["full_load_hours"]
    base, changes = register_path(s.plan, base_year, s.end_year)
    additions = [
        sc.Addition(
            f"register.{kind}.{year}",
            year,
            mwh=float(mw) * float(hours.get(REGISTER_HOURS.get(kind, ""), 0)),
            capacity_mw=float(mw),
        )
        for kind, year, mw in changes
    ]
    return float(base), additions


def _base_capacity(s: Scenario) -> float:
    params = effective_params(s)
    if params.get("base_capacity_mw") not in (None, ""):
        return float(params["base_capacity_mw"])
    v = (
        IndicatorValue.objects.filter(
            target__plan=s.plan,
            target__code__in=CAPACITY_TARGETS,
            quarter__isnull=True,
            year__lte=s.base_inventory.year,
        )
        .order_by("-year")
        .first()
    )
    return float(v.value) if v is not None else 0.0


def scenario_input(s: Scenario) -> sc.ScenarioInput:
    """Raises CalcError when the base year is not approved or lacks what a projection needs."""
    inv = s.base_inventory
    if not inv.is_locked or not inv.results:
        raise CalcError("not_approved", "base_inventory", f"The {inv.year} accounts are not approved.")
    res = inv.results
    fs = core_factor_set(inv.factor_set)
    fuel: dict[str, float] = dict.fromkeys(accounts.GROUPS, 0.0)
    elec: dict[str, float] = dict.fromkeys(accounts.GROUPS, 0.0)
    local = loss = final_elec = thermal = 0.0
    for line in res["lines"]:
        q = Decimal(repr(line["quantity"]))
        if line["scope"] == "direct":
            fuel[line["group"]] += line["energy_tce"]["calorific"]
        if line["carrier"] == "electricity":
            mwh = float(units.convert(q, line["unit"], "MWh"))
            if line["flow"] == "final":
                elec[line["group"]] += mwh
                final_elec += mwh
            elif line["flow"] == "production" and line["purpose"] in accounts.NONFOSSIL_PURPOSES:
                local += mwh
            elif line["flow"] == "transformation_output":
                thermal += mwh
            elif line["flow"] == "loss":
                loss += mwh
    key = res["co2"].get("grid_factor_key") or (fs.electricity_factor(inv.grid, inv.year).key if inv.grid else "")
    if not key:
        raise CalcError("missing_factor", "grid", f"The {inv.year} accounts have no grid factor.")
    ef = float(fs.value_in(key, "tCO2/MWh"))
    dflt = defaults()
    p = effective_params(s)
    # the sink path: on unless the scenario turns it off; its level from the latest approved forest year
    sink_p = p.get("sink") or {}
    sink_base, sink_note = 0.0, None
    if sink_p.get("include", True):
        src = sink_source(s.plan)
        if src is not None and src[0] > 0:
            sink_base, sink_note = src
    drivers = {
        g: sc.Drivers(
            activity_growth=_range(d.get("activity_growth")),
            intensity_improvement=_range(d.get("intensity_improvement")),
            electrification=_range(d.get("electrification")),
            fuel_switch=_range(d.get("fuel_switch")),
        )
        for g, d in effective_drivers(s).items()
    }
    additions = []
    gas = dflt["gas_switch"]
    from_register = capacity_source(s) == "register"
    base_capacity = _base_capacity(s)
    if from_register:  # the register replaces the generation projects; gas projects stay
        base_capacity, additions = register_additions(s, inv.year)
    for r in project_rows(s):
        if from_register and r["type"] != "gas_network":
            continue
        # a project in service by the base year is already in the accounts (its output and its capacity)
        if not r["include"] or not r["in_service_year"] or r["in_service_year"] <= inv.year:
            continue
        if r["type"] == "gas_network":
            additions.append(
                sc.Addition(
                    r["code"], r["in_service_year"], gas_switch=float(gas["share"]), sectors=tuple(gas["sectors"])
                )
            )
        elif r["capacity_mw"]:
            additions.append(
                sc.Addition(
                    r["code"],
                    r["in_service_year"],
                    mwh=r["capacity_mw"] * r["full_load_hours"],
                    capacity_mw=r["capacity_mw"] if r["type"] in dflt["new_energy_types"] else 0.0,
                )
            )
    sectors = tuple(
        sc.SectorBase(g, fuel_tce=fuel[g], direct_co2_t=res["by_group"][g]["direct_co2_t"], electricity_mwh=elec[g])
        for g in accounts.GROUPS
    )
    return sc.ScenarioInput(
        base_year=inv.year,
        end_year=s.end_year,
        target_peak_year=s.plan.peak_year,
        sectors=sectors,
        drivers=drivers,
        base_nonfossil_mwh=local,
        loss_share=loss / final_elec if final_elec else 0.0,
        grid_ef_t_per_mwh=ef,
        grid_decline=_range(p.get("grid_decline", dflt["grid_decline"])),
        grid_floor_t_per_mwh=float(p.get("grid_floor_t_per_mwh", dflt["grid_floor_t_per_mwh"])),
        additions=tuple(additions),
        electrification_ratio=float(p.get("electrification_ratio", dflt["electrification_ratio"])),
        mwh_per_tce=sc.mwh_per_tce(float(fs.value("const.kgce_kJ"))),
        base_capacity_mw=base_capacity,
        gdp_10k_yuan=float(inv.gdp_10k_yuan) if inv.gdp_10k_yuan else None,
        gdp_growth=_range(p.get("gdp_growth", dflt["gdp_growth"])),
        coal_equivalent_kgce_per_kwh=(
            float(inv.coal_equivalent_kgce_per_kwh) if inv.coal_equivalent_kgce_per_kwh else None
        ),
        inflow_nonfossil_share=float(inv.inflow_nonfossil_share or 0),
        base_local_fossil_mwh=thermal,
        base_other_energy_tce=_other_energy(res, fuel, elec, loss, inv),
        draws=s.draws,
        seed=s.seed,
        extra={
            "inventory": inv.year,
            "inventory_sha256": inv.inputs_sha256,
            "factor_set": inv.factor_set.version,
            **({"sink": sink_note} if sink_note else {}),
        },
        sink_base_tco2=sink_base,
        sink_growth=_range(sink_p.get("growth", dflt["sink"]["growth"])),
        peak_basis=sink_p.get("peak_basis", "gross"),
    )


def sink_source(plan: Any) -> tuple[float, dict[str, Any]] | None:
    """The latest approved forest year with a sink (``sinks/fetch.py``): (tCO2, {year, text}), else None."""
    from carbonpeak.sinks.fetch import approved_sink, approved_years

    for y in reversed(approved_years(plan)):
        if y["sink_tco2"] is None:
            continue
        got = approved_sink(plan, y["year"])
        if got is None:
            continue
        return float(got[0]), {"year": y["year"], "text": got[1], "is_illustrative": y["is_illustrative"]}
    return None


def _other_energy(res: dict[str, Any], fuel: dict[str, float], elec: dict[str, float], loss: float, inv: Any) -> float:
    """The accounts' coal-equivalent total minus what the sector paths carry in the base year."""
    ceq = res["energy"].get("coal_equivalent")
    if ceq is None or not inv.coal_equivalent_kgce_per_kwh:
        return 0.0
    rate = float(inv.coal_equivalent_kgce_per_kwh)
    carried = sum(fuel.values()) + (sum(elec.values()) + loss) * rate
    return ceq["total_tce"] - carried


SINK_KEYS = ("sink_base_tco2", "sink_growth", "peak_basis")


def inputs_json(inp: sc.ScenarioInput) -> dict[str, Any]:
    d = asdict(inp)
    if not inp.sink_base_tco2 and inp.peak_basis == "gross":  # no sink path: the inputs (and hash) as before
        for k in SINK_KEYS:
            d.pop(k)
    return json.loads(json.dumps(d, sort_keys=True, default=str))


def inputs_hash(inp: sc.ScenarioInput) -> str:
    return hashlib.sha256(json.dumps(inputs_json(inp), sort_keys=True).encode()).hexdigest()


def current_hash(s: Scenario) -> str | None:
    try:
        return inputs_hash(scenario_input(s))
    except CalcError:
        return None
