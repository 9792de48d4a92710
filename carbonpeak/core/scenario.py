"""Peak scenarios: a baseline from an inventory year, drivers per sector, the project pipeline → paths to 2060.

Deterministic model, for every sector group g and year t after the base year (all rates are yearly fractions):

- energy demand grows with activity and falls with intensity: ``fuel' = fuel × (1 + a)(1 − e)``, the same
  factor on electricity;
- electrification moves ``k`` of the remaining fuel to electricity: ``fuel = fuel' (1 − k)``, electricity gains
  ``fuel' k × MWH_PER_TCE × ELECTRIFICATION_RATIO`` (an electric end use needs less final energy than the fuel
  it replaces; the ratio is a scenario parameter);
- fuel switching (coal → gas) lowers CO2 per tce of fuel: ``c = c (1 − s)``; a gas-network project adds a
  one-off switch in its commissioning year; direct CO2 = fuel × c;
- county electricity demand = Σ electricity × (1 + loss share); local non-fossil supply = the base year's plus,
  for each project in service, ``MW × full-load hours``; net import = demand − local supply, at the grid
  factor, which falls by ``grid_decline`` a year down to ``grid_floor``. A county that exports is not credited
  in the projection (the import is floored at zero).

Uncertainty (the contract's ``projection``): the sectors are the groups' direct CO2 and the imported
electricity; each grows each year by ``1 + g``, ``g`` normal with the deterministic path's growth as its mean and
the driver ranges' spread as its sd (a range's low and high are its 10th and 90th percentiles). Peak = first
highest year. A plateau is a run of at least ``PLATEAU_YEARS`` years from the peak within ``PLATEAU_BAND`` of
the peak value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Final

import numpy as np

from . import projection, units
from .errors import CalcError
from .limits import MAX_DRAWS, MAX_YEARLY_RATE, PLATEAU_BAND, PLATEAU_YEARS

#: the normal distribution's 10th-90th percentile range in standard deviations (2 × 1.2816)
P10_P90_SPAN_IN_SD: Final = 2 * NormalDist().inv_cdf(0.9)
PEAK_BASES: Final = ("gross", "net")


def mwh_per_tce(kj_per_kgce: float) -> float:
    """Calorific MWh in one tce, from the library's energy of 1 kgce (``const.kgce_kJ``, 29 307.6 kJ)."""
    return kj_per_kgce * units.KGCE_PER_TCE / (units.KJ_PER_KWH * units.KWH_PER_MWH)


@dataclass(frozen=True)
class Range:
    """A yearly rate with its uncertainty: ``mean`` and the 10th/90th percentiles ``low``/``high``."""

    mean: float
    low: float | None = None
    high: float | None = None

    @property
    def sd(self) -> float:
        if self.low is None or self.high is None:
            return 0.0
        return max(self.high - self.low, 0.0) / P10_P90_SPAN_IN_SD


@dataclass(frozen=True)
class SectorBase:
    name: str
    fuel_tce: float  # fossil fuel burnt (not feedstock), calorific tce
    direct_co2_t: float
    electricity_mwh: float  # final electricity


def as_range(x: Range | float) -> Range:
    return x if isinstance(x, Range) else Range(float(x))


@dataclass(frozen=True)
class Drivers:
    """Yearly rates of one sector, each a Range (a plain number is a rate without uncertainty)."""

    activity_growth: Range = Range(0.0)
    intensity_improvement: Range = Range(0.0)
    electrification: Range = Range(0.0)
    fuel_switch: Range = Range(0.0)

    def __post_init__(self) -> None:
        for name in ("activity_growth", "intensity_improvement", "electrification", "fuel_switch"):
            object.__setattr__(self, name, as_range(getattr(self, name)))

    @property
    def growth_sd(self) -> float:
        """sd of the yearly growth of the sector's direct CO2 (to first order, the rates' sds combine)."""
        return math.hypot(
            self.activity_growth.sd, self.intensity_improvement.sd, self.electrification.sd, self.fuel_switch.sd
        )


@dataclass(frozen=True)
class Addition:
    """Non-fossil supply in service from ``year`` on (MW × full-load hours), or a gas-network switch."""

    code: str
    year: int
    mwh: float = 0.0
    capacity_mw: float = 0.0
    gas_switch: float = 0.0  # one-off fall of fuel CO2 per tce in the sectors it serves
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioInput:
    base_year: int
    end_year: int
    target_peak_year: int
    sectors: tuple[SectorBase, ...]
    drivers: dict[str, Drivers]
    base_nonfossil_mwh: float
    loss_share: float
    grid_ef_t_per_mwh: float
    grid_decline: Range | float = 0.0
    grid_floor_t_per_mwh: float = 0.0
    additions: tuple[Addition, ...] = ()
    electrification_ratio: float = 1.0  # final electricity per unit of fuel energy replaced (scenario input)
    mwh_per_tce: float = 0.0  # from mwh_per_tce(factor const.kgce_kJ); required when anything electrifies
    base_capacity_mw: float = 0.0
    gdp_10k_yuan: float | None = None
    gdp_growth: Range = Range(0.0)
    coal_equivalent_kgce_per_kwh: float | None = None
    inflow_nonfossil_share: float = 0.0
    #: electricity made in the county from fuels (held at its base-year level; its fuel is in the sectors)
    base_local_fossil_mwh: float = 0.0
    #: energy of the base year that the sector paths do not carry (feedstock, transformation losses), held
    #: constant so that the base year's total equals the accounts' (tce, coal-equivalent basis)
    base_other_energy_tce: float = 0.0
    draws: int = 10_000
    seed: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    #: the forest sink path (tCO2 a year, positive = removals): the latest approved forest year's sink, held from
    #: the base year on and growing by ``sink_growth`` a year; 0 = no sink path
    sink_base_tco2: float = 0.0
    sink_growth: Range | float = 0.0
    #: which path the peak verdict reads: ``gross`` (emissions, the default) or ``net`` (emissions − sink)
    peak_basis: str = "gross"

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid_decline", as_range(self.grid_decline))
        object.__setattr__(self, "sink_growth", as_range(self.sink_growth))

    @property
    def sink_growth_range(self) -> Range:
        return as_range(self.sink_growth)

    @property
    def grid_decline_range(self) -> Range:
        """``grid_decline`` as the Range ``__post_init__`` made of it (typed for the checker)."""
        return as_range(self.grid_decline)


def check(inp: ScenarioInput) -> None:
    if not inp.base_year < inp.end_year:
        raise CalcError("invalid_value", "end_year", "end_year must be after the base year.")
    if not 1 <= inp.draws <= MAX_DRAWS:
        raise CalcError("out_of_range", "draws", f"draws must be 1..{MAX_DRAWS}.")
    for s in inp.sectors:
        d = inp.drivers.get(s.name, Drivers())
        for name, r in (("electrification", d.electrification), ("fuel_switch", d.fuel_switch)):
            if not 0 <= r.mean < 1:
                raise CalcError("out_of_range", f"drivers.{s.name}.{name}", f"{name} is a yearly fraction 0..1.")
        for name, r in (("activity_growth", d.activity_growth), ("intensity_improvement", d.intensity_improvement)):
            if not -MAX_YEARLY_RATE < r.mean < MAX_YEARLY_RATE:
                raise CalcError("out_of_range", f"drivers.{s.name}.{name}", f"{name} {r.mean} is not a yearly rate.")
            if r.low is not None and r.high is not None and r.low > r.high:
                raise CalcError("invalid_value", f"drivers.{s.name}.{name}", "low is above high.")
    if any(d.electrification.mean for d in inp.drivers.values()) and inp.mwh_per_tce <= 0:
        raise CalcError("missing_factor", "mwh_per_tce", "Electrification needs mwh_per_tce (const.kgce_kJ).")
    if not 0 <= inp.grid_decline_range.mean < 1:
        raise CalcError("out_of_range", "grid_decline", "grid_decline is a yearly fraction 0..1.")
    if inp.peak_basis not in PEAK_BASES:
        raise CalcError("invalid_value", "peak_basis", f"peak_basis is one of {PEAK_BASES}.")
    if inp.sink_base_tco2 < 0:
        raise CalcError("invalid_value", "sink_base_tco2", "A sink is removals (>= 0); a net source is not a path.")
    if inp.peak_basis == "net" and inp.sink_base_tco2 <= 0:
        raise CalcError("no_data", "peak_basis", "A net peak verdict needs a sink path (an approved forest sink).")
    sg = inp.sink_growth_range
    if not -MAX_YEARLY_RATE < sg.mean < MAX_YEARLY_RATE:
        raise CalcError("out_of_range", "sink_growth", f"sink_growth {sg.mean} is not a yearly rate.")
    if sg.low is not None and sg.high is not None and sg.low > sg.high:
        raise CalcError("invalid_value", "sink_growth", "low is above high.")


def sink_path(base_tco2: float, growth: float, n: int) -> list[float]:
    """The deterministic sink of each of ``n`` years from the base year: ``S0 × (1 + g)^t``."""
    return [base_tco2 * (1 + growth) ** t for t in range(n)]


def deterministic(inp: ScenarioInput) -> dict[str, Any]:
    """Year-by-year paths of every sector, the imported electricity and the indicators."""
    check(inp)
    years = list(range(inp.base_year, inp.end_year + 1))
    n = len(years)
    names = [s.name for s in inp.sectors]
    fuel = {s.name: [s.fuel_tce] for s in inp.sectors}
    elec = {s.name: [s.electricity_mwh] for s in inp.sectors}
    c0 = {s.name: (s.direct_co2_t / s.fuel_tce if s.fuel_tce > 0 else 0.0) for s in inp.sectors}
    carbon = {g: [c0[g]] for g in names}
    direct = {s.name: [s.direct_co2_t] for s in inp.sectors}
    for t in range(1, n):
        y = years[t]
        for g in names:
            d = inp.drivers.get(g, Drivers())
            scale = (1 + d.activity_growth.mean) * (1 - d.intensity_improvement.mean)
            f_pre = fuel[g][-1] * scale
            moved = f_pre * d.electrification.mean
            fuel[g].append(f_pre - moved)
            elec[g].append(elec[g][-1] * scale + moved * inp.mwh_per_tce * inp.electrification_ratio)
            c = carbon[g][-1] * (1 - d.fuel_switch.mean)
            for a in inp.additions:
                if a.gas_switch and a.year == y and (not a.sectors or g in a.sectors):
                    c *= 1 - a.gas_switch
            carbon[g].append(c)
            direct[g].append(fuel[g][-1] * c)
    demand = [sum(elec[g][t] for g in names) * (1 + inp.loss_share) for t in range(n)]
    local = []
    capacity = []
    for y in years:
        add = [a for a in inp.additions if a.year <= y and y > inp.base_year]
        local.append(inp.base_nonfossil_mwh + sum(a.mwh for a in add))
        capacity.append(inp.base_capacity_mw + sum(a.capacity_mw for a in add))
    decline = inp.grid_decline_range.mean
    ef = [inp.grid_ef_t_per_mwh] + [
        max(inp.grid_ef_t_per_mwh * (1 - decline) ** t, inp.grid_floor_t_per_mwh) for t in range(1, n)
    ]
    imported = [max(demand[t] - local[t] - inp.base_local_fossil_mwh, 0.0) for t in range(n)]
    elec_co2 = [imported[t] * ef[t] for t in range(n)]
    total = [sum(direct[g][t] for g in names) + elec_co2[t] for t in range(n)]
    out: dict[str, Any] = {
        "years": years,
        "sectors": {g: direct[g] for g in names},
        "electricity_co2_t": elec_co2,
        "total_co2_t": total,
        "electricity_demand_mwh": demand,
        "local_nonfossil_mwh": local,
        "net_import_mwh": imported,
        "grid_ef_t_per_mwh": ef,
        "new_energy_capacity_mw": capacity,
    }
    if inp.sink_base_tco2 > 0:
        sink = sink_path(inp.sink_base_tco2, inp.sink_growth_range.mean, n)
        out["sink_tco2"] = sink
        out["net_co2_t"] = [total[t] - sink[t] for t in range(n)]
    rate = inp.coal_equivalent_kgce_per_kwh
    if rate is not None:
        energy = [
            sum(fuel[g][t] for g in names) + demand[t] * rate + inp.base_other_energy_tce for t in range(n)
        ]  # fuels + electricity demand on the coal-equivalent basis (tce) + what the paths do not carry
        nonfossil = [  # local renewable power counts up to the county's own demand (exports are not its use)
            (min(local[t], demand[t]) + imported[t] * inp.inflow_nonfossil_share) * rate for t in range(n)
        ]
        out["energy_tce"] = energy
        out["nonfossil_share"] = [nonfossil[t] / energy[t] if energy[t] > 0 else None for t in range(n)]
        if inp.gdp_10k_yuan:
            gdp = [inp.gdp_10k_yuan * (1 + inp.gdp_growth.mean) ** t for t in range(n)]
            out["gdp_10k_yuan"] = gdp
            out["energy_intensity_tce_per_10k_yuan"] = [energy[t] / gdp[t] for t in range(n)]
            out["co2_intensity_t_per_10k_yuan"] = [total[t] / gdp[t] for t in range(n)]
    return out


def plateau(years: Sequence[int], path: Sequence[float]) -> dict[str, Any]:
    """The peak (first highest year) and how long the path stays within PLATEAU_BAND of it."""
    i = int(np.argmax(np.asarray(path)))
    top = path[i]
    j = i
    while j + 1 < len(path) and path[j + 1] >= top * (1 - PLATEAU_BAND):
        j += 1
    span = j - i + 1
    return {
        "peak_year": years[i],
        "peak_tco2": top,
        "years_near_peak": span,
        "is_plateau": span >= PLATEAU_YEARS,
        "band": PLATEAU_BAND,
    }


def run(inp: ScenarioInput, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Deterministic paths + the Monte Carlo (chunked, seeded; see core.projection)."""
    det = deterministic(inp)
    years = det["years"]
    series = {**det["sectors"], "electricity": det["electricity_co2_t"]}
    sds = {g: inp.drivers.get(g, Drivers()).growth_sd for g in det["sectors"]}
    elec_weights = {s.name: s.electricity_mwh for s in inp.sectors}
    wsum = sum(elec_weights.values())

    def demand(g: str) -> float:
        d = inp.drivers.get(g, Drivers())
        return math.hypot(d.activity_growth.sd, d.intensity_improvement.sd, d.electrification.sd)

    demand_sd = sum(demand(g) * w for g, w in elec_weights.items()) / wsum if wsum > 0 else 0.0
    sds["electricity"] = math.hypot(demand_sd, inp.grid_decline_range.sd)
    names = [k for k, p in series.items() if p[0] > 0 and all(x > 0 for x in p)]
    dropped = [k for k in series if k not in names]
    base = np.array([series[k][0] for k in names])
    ny = len(years) - 1
    mean = np.array([[series[k][t + 1] / series[k][t] - 1 for t in range(ny)] for k in names])
    sd = np.array([[sds[k]] * ny for k in names])
    mc = projection.simulate(
        base, mean, sd, inp.draws, inp.seed, inp.base_year, inp.target_peak_year, progress=progress
    )
    # sectors that reach zero (or start at zero) carry no uncertainty: add their deterministic path
    rest = np.array([sum(series[k][t] for k in dropped) for t in range(len(years))])
    mean_path = mc.total_mean_tco2 + rest
    out = {
        "deterministic": det,
        "years": years,
        "total_mean_tco2": mean_path.tolist(),
        "total_p10_tco2": (mc.total_p10_tco2 + rest).tolist(),
        "total_p90_tco2": (mc.total_p90_tco2 + rest).tolist(),
        "peak_year_of_mean": years[int(np.argmax(mean_path))],
        "p_peak_by_target": mc.p_peak_by_target,
        "peak_year_counts": {str(k): v for k, v in mc.peak_year_counts.items()},
        "plateau": plateau(years, mean_path.tolist()),
        "deterministic_peak": plateau(years, det["total_co2_t"]),
        "draws": inp.draws,
        "seed": inp.seed,
        "uncertain_sectors": names,
        "method": (
            f"scenario: drivers per sector → deterministic path; Monte Carlo {inp.draws} draws (PCG64 seed"
            f" {inp.seed}) with normal yearly growth around it; peak = first highest year"
        ),
        "peak_basis": "gross",
    }
    if inp.sink_base_tco2 > 0:
        _add_sink(out, inp, base, mean, sd, rest, det)
    return out


def _add_sink(
    out: dict[str, Any],
    inp: ScenarioInput,
    base: Any,
    mean: Any,
    sd: Any,
    rest: Any,
    det: dict[str, Any],
) -> None:
    """The sink path with its uncertainty and the net path per draw. The sink grows each year by ``1 + g``, ``g``
    normal around ``sink_growth.mean`` with the range's sd, as the sectors do; in the net run it is one more
    sector with a negative base, so every draw's net total is that draw's emissions minus that draw's sink (a
    run of its own, same seed). With ``peak_basis = net`` the verdict fields read the net run; the gross ones
    stay under ``gross``."""
    years = out["years"]
    ny = len(years) - 1
    g = inp.sink_growth_range
    s0 = inp.sink_base_tco2
    sink_mc = projection.simulate(
        np.array([s0]), np.full((1, ny), g.mean), np.full((1, ny), g.sd), inp.draws, inp.seed, inp.base_year,
        inp.target_peak_year,
    )  # fmt: skip
    net_mc = projection.simulate(
        np.append(base, -s0), np.vstack([mean, np.full((1, ny), g.mean)]), np.vstack([sd, np.full((1, ny), g.sd)]),
        inp.draws, inp.seed, inp.base_year, inp.target_peak_year,
    )  # fmt: skip
    net_mean = net_mc.total_mean_tco2 + rest
    out["sink"] = {
        "base_tco2": s0,
        "growth": {"mean": g.mean, "low": g.low, "high": g.high},
        "deterministic_tco2": det["sink_tco2"],
        "mean_tco2": sink_mc.total_mean_tco2.tolist(),
        "p10_tco2": sink_mc.total_p10_tco2.tolist(),
        "p90_tco2": sink_mc.total_p90_tco2.tolist(),
    }
    out["net"] = {
        "total_mean_tco2": net_mean.tolist(),
        "total_p10_tco2": (net_mc.total_p10_tco2 + rest).tolist(),
        "total_p90_tco2": (net_mc.total_p90_tco2 + rest).tolist(),
        "peak_year_of_mean": years[int(np.argmax(net_mean))],
        "p_peak_by_target": net_mc.p_peak_by_target,
        "peak_year_counts": {str(k): v for k, v in net_mc.peak_year_counts.items()},
        "plateau": plateau(years, net_mean.tolist()),
        "deterministic_peak": plateau(years, det["net_co2_t"]),
    }
    if inp.peak_basis == "net":
        verdict = ("peak_year_of_mean", "p_peak_by_target", "peak_year_counts", "plateau", "deterministic_peak")
        out["gross"] = {k: out[k] for k in verdict}
        out.update({k: out["net"][k] for k in verdict})
        out["peak_basis"] = "net"
