"""``inventory``: activity data to energy (tce) and CO2 (t), array-based.

CO2 of a line, per the line's own unit (``NaN`` in an array means "not given"):

- ``quantity × ef_tco2_per_unit`` when a per-unit factor applies (input, an ``ef_key`` per quantity, a grid
  factor for electricity, the default heat factor for heat);
- else ``quantity × ncv / 1000 × ef_tco2_per_tj`` (IPCC style, factor per TJ: input or an ``ef_key`` like
  ``ipcc.ef.other_bituminous``);
- else ``quantity × ncv / 1000 × cc × oxidation × 44/12`` (China provincial guideline).

Standard coal is ``quantity × tce_per_unit`` with the GB/T 2589 coefficient (never NCV / 29.3076); electricity
at 0.1229 kgce/kWh (``calorific``, 当量值, from ``tce.electricity_equivalent``) or at the year's coal rate
(``coal_equivalent``, 等价值, ``coal_equivalent_kgce_per_kwh``).

Public pieces:

- :func:`effective_ef_tco2_per_unit` and :func:`line_co2_energy`: the vectorised line formula;
- :class:`CarrierTable` + :func:`compute_batch`: factors resolved once per (carrier, unit), then one numpy pass
  over any number of lines (batches of enterprise accounts);
- :func:`handle`: the ``inventory`` calculation of a case (validation, parameter resolution, one kernel call).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from . import units
from . import validate as v
from .errors import CalcError
from .factors import (
    ELECTRICITY,
    HEAT,
    HEAT_EF_DEFAULT,
    TCE_ELECTRICITY_CALORIFIC,
    FactorSet,
)
from .limits import MAX_LINES, MAX_YEAR, MIN_YEAR
from .validate import ReadyList

FloatArray = npt.NDArray[np.float64]

# line kinds: fuels are direct emissions, the others indirect
KIND_FUEL: Final = 0
KIND_ELECTRICITY: Final = 1
KIND_HEAT: Final = 2
KIND_MEDIUM: Final = 3
KIND_NAMES: Final = ("fuel", "electricity", "heat", "medium")
#: carriers bought as heat (indirect); media of GB/T 2589 appendix B (indirect, factor must be given)
_HEAT_CARRIERS: Final = frozenset({HEAT, "steam_lp"})
_MEDIA: Final = frozenset({"water_new", "oxygen", "nitrogen"})

OVERRIDES: Final = (
    "ncv_gj_per_unit",
    "cc_tc_per_tj",
    "oxidation",
    "ef_tco2_per_tj",
    "ef_tco2_per_unit",
    "tce_per_unit",
)
LINE_KEYS_REQUIRED: Final = ("id", "carrier", "quantity", "unit")
LINE_KEYS_OPTIONAL: Final = ("sector", "ef_key", *OVERRIDES)
TOP_KEYS_REQUIRED: Final = ("calc", "lines")
TOP_KEYS_OPTIONAL: Final = (
    "energy_basis",
    "coal_equivalent_kgce_per_kwh",
    "grid",
    "year",
    "gdp_10k_yuan",
    "sink_tco2",
)
ENERGY_BASES: Final = ("calorific", "coal_equivalent")

_CO2_PER_HEAT_DIM: Final = f"{units.MASS} of CO2 per {units.HEAT}"


# --- the vectorised formula ---------------------------------------------------------------------------
def effective_ef_tco2_per_unit(
    ncv_gj_per_unit: FloatArray,
    cc_tc_per_tj: FloatArray,
    oxidation: FloatArray,
    ef_tco2_per_tj: FloatArray,
    ef_tco2_per_unit: FloatArray,
) -> FloatArray:
    """tCO2 per unit of quantity for each line (NaN inputs mean "not given"; NaN out = cannot compute)."""
    ef_unit = np.asarray(ef_tco2_per_unit, dtype=np.float64)
    need = np.isnan(ef_unit)
    if not need.any():
        return ef_unit.copy()
    ef_tj = np.asarray(ef_tco2_per_tj, dtype=np.float64)
    guideline_tj = np.asarray(cc_tc_per_tj, dtype=np.float64) * np.asarray(oxidation, dtype=np.float64)
    guideline_tj *= units.C_TO_CO2
    per_tj = np.where(np.isnan(ef_tj), guideline_tj, ef_tj)
    per_tj *= np.asarray(ncv_gj_per_unit, dtype=np.float64)
    per_tj /= units.GJ_PER_TJ
    return np.where(need, per_tj, ef_unit)


def line_co2_energy(
    quantity: FloatArray,
    ncv_gj_per_unit: FloatArray,
    cc_tc_per_tj: FloatArray,
    oxidation: FloatArray,
    ef_tco2_per_tj: FloatArray,
    ef_tco2_per_unit: FloatArray,
    tce_per_unit: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """``(co2_t, energy_tce)`` for arrays of lines, all parameters per the line's own unit."""
    q = np.asarray(quantity, dtype=np.float64)
    ef = effective_ef_tco2_per_unit(ncv_gj_per_unit, cc_tc_per_tj, oxidation, ef_tco2_per_tj, ef_tco2_per_unit)
    ef *= q
    return ef, q * np.asarray(tce_per_unit, dtype=np.float64)


# --- parameter resolution -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Basis:
    """Case-level settings that decide library parameters."""

    energy_basis: str = "calorific"
    coal_equivalent_kgce_per_kwh: Decimal | None = None
    grid: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """How a line of one signature gets its six parameters: a library value (float) or an input (None)."""

    kind: int
    params: tuple[float | None, ...]  # in OVERRIDES order; NaN = not applicable, None = take the line's input
    method: str


def carrier_kind(carrier: str) -> int:
    if carrier == ELECTRICITY:
        return KIND_ELECTRICITY
    if carrier in _HEAT_CARRIERS:
        return KIND_HEAT
    if carrier in _MEDIA:
        return KIND_MEDIUM
    return KIND_FUEL


def carrier_dimension(fs: FactorSet, carrier: str) -> str | None:
    """The dimension a carrier is measured in (from its library factor units)."""
    if carrier == ELECTRICITY:
        return units.ELECTRICITY
    if carrier == HEAT:
        return units.HEAT
    for fam in ("tce", "ncv", "ef_co2"):
        f = fs.get(f"{fam}.{carrier}")
        if f is not None and "/" in f.unit:
            try:
                return units.dimension(f.unit.split("/", 1)[1])
            except units.UnitError:
                continue
    return None


_NAN: Final = math.nan


def _lib(fs: FactorSet, key: str, to_unit: str, field: str, what: str) -> float:
    f = fs.get(key)
    if f is None or f.value is None:
        why = "has no" if f is None else "has no single default for"
        raise CalcError("missing_factor", field, f"Factor set {fs.version} {why} {key}; give {what} on the line.")
    try:
        return float(f.value_in(to_unit))
    except CalcError as e:
        raise CalcError(
            "missing_factor",
            field,
            f"{key} is in {f.unit!r}, which does not apply to a quantity in this unit; give {what} on the line.",
        ) from e


def resolve_template(
    fs: FactorSet, carrier: str, unit: str, given: frozenset[str], ef_key: str | None, basis: Basis, path: str
) -> Template:
    """Resolve the library side of a line signature; errors carry paths below ``path`` (``lines[3]``)."""
    kind = carrier_kind(carrier)
    P = {k: _NAN for k in OVERRIDES}
    for k in given:
        P[k] = None  # type: ignore[assignment]
    src: dict[str, str] = {k: "input" for k in given}

    def conflict(a: str, b: str) -> CalcError:
        return CalcError(
            "conflict", v.at_key(path, a), f"{a} cannot be combined with {b} on one line (one would be ignored)."
        )

    def not_applicable(k: str) -> CalcError:
        return CalcError(
            "not_applicable",
            v.at_key(path, k),
            f"{k} does not apply to {carrier} lines; give ef_tco2_per_unit, ef_key or tce_per_unit.",
        )

    per_unit_factor = f"tCO2/{unit}"
    # --- CO2 -----------------------------------------------------------------------------------------------
    if kind == KIND_FUEL or kind == KIND_MEDIUM:
        co2_method: str
        if "ef_tco2_per_unit" in given:
            for k in ("ef_key", "ef_tco2_per_tj", "ncv_gj_per_unit", "cc_tc_per_tj", "oxidation"):
                if k in given or (k == "ef_key" and ef_key is not None):
                    raise conflict(k, "ef_tco2_per_unit")
            co2_method = "ef_per_unit:quantity*ef_tco2_per_unit (ef=input)"
        elif ef_key is not None or "ef_tco2_per_tj" in given:
            if ef_key is not None and "ef_tco2_per_tj" in given:
                raise conflict("ef_tco2_per_tj", "ef_key")
            per_tj = True
            ef_src = "input"
            if ef_key is not None:
                f = fs.get(ef_key)
                kp = v.at_key(path, "ef_key")
                if f is None:
                    raise CalcError("missing_factor", kp, f"Factor set {fs.version} has no factor {ef_key}.")
                if f.value is None:
                    raise CalcError("missing_factor", kp, f"{ef_key} has no single default value.")
                dim = units.dimension(f.unit) if _parses(f.unit) else ""
                if dim == _CO2_PER_HEAT_DIM:
                    P["ef_tco2_per_tj"] = float(f.value_in("tCO2/TJ"))
                elif _parses(per_unit_factor) and dim == units.dimension(per_unit_factor):
                    per_tj = False
                    P["ef_tco2_per_unit"] = float(f.value_in(per_unit_factor))
                else:
                    raise CalcError(
                        "unit_mismatch",
                        kp,
                        f"{ef_key} is in {f.unit!r}; it is neither a CO2 factor per TJ nor per {unit!r}.",
                    )
                ef_src = ef_key
            if per_tj:
                for k in ("cc_tc_per_tj", "oxidation"):
                    if k in given:
                        raise conflict(k, "ef_key" if ef_key is not None else "ef_tco2_per_tj")
                if "ncv_gj_per_unit" not in given:
                    P["ncv_gj_per_unit"] = _lib(
                        fs, f"ncv.{carrier}", f"GJ/{unit}", v.at_key(path, "ncv_gj_per_unit"), "ncv_gj_per_unit"
                    )
                    src["ncv_gj_per_unit"] = f"ncv.{carrier}"
                co2_method = f"ipcc_per_tj:quantity*ncv*ef_tco2_per_tj/1000 (ncv={src['ncv_gj_per_unit']}, ef={ef_src})"
            else:
                if "ncv_gj_per_unit" in given:
                    raise conflict("ncv_gj_per_unit", "ef_key")
                for k in ("cc_tc_per_tj", "oxidation"):
                    if k in given:
                        raise conflict(k, "ef_key")
                co2_method = f"ef_per_unit:quantity*ef_tco2_per_unit (ef={ef_src})"
        else:
            if kind == KIND_MEDIUM and not given & {"ncv_gj_per_unit", "cc_tc_per_tj", "oxidation"}:
                raise CalcError(
                    "missing_factor",
                    v.at_key(path, "ef_tco2_per_unit"),
                    f"{carrier} is an energy-consuming medium without a CO2 factor in factor set {fs.version};"
                    " give ef_tco2_per_unit (or ef_key) on the line.",
                )
            for k, fam, what in (
                ("ncv_gj_per_unit", "ncv", f"GJ/{unit}"),
                ("cc_tc_per_tj", "cc", "tC/TJ"),
                ("oxidation", "of", "fraction"),
            ):
                if k in given:
                    continue
                key = f"{fam}.{carrier}"
                if fam == "of":
                    f = fs.get(key)
                    if f is None or f.value is None:
                        raise CalcError(
                            "missing_factor",
                            v.at_key(path, k),
                            f"Factor set {fs.version} has no {key}; give {k} on the line.",
                        )
                    P[k] = float(f.value)
                else:
                    P[k] = _lib(fs, key, what, v.at_key(path, k), k)
                src[k] = key
            co2_method = (
                "cn_provincial_guideline:quantity*ncv*cc*of*44/12/1000"
                f" (ncv={src['ncv_gj_per_unit']}, cc={src['cc_tc_per_tj']}, of={src['oxidation']})"
            )
        tce_method = _tce_fuel(fs, carrier, unit, given, P, path)
    else:
        for k in ("ncv_gj_per_unit", "cc_tc_per_tj", "oxidation", "ef_tco2_per_tj"):
            if k in given:
                raise not_applicable(k)
        if "ef_tco2_per_unit" in given:
            if ef_key is not None:
                raise conflict("ef_key", "ef_tco2_per_unit")
            co2_method = "ef_per_unit:quantity*ef_tco2_per_unit (ef=input)"
        elif ef_key is not None:
            kp = v.at_key(path, "ef_key")
            f = fs.get(ef_key)
            if f is None:
                raise CalcError("missing_factor", kp, f"Factor set {fs.version} has no factor {ef_key}.")
            if f.value is None:
                raise CalcError("missing_factor", kp, f"{ef_key} has no single default value.")
            try:
                P["ef_tco2_per_unit"] = float(units.convert(f.value, f.unit, per_unit_factor))
            except units.UnitError as e:
                raise CalcError(
                    "unit_mismatch", kp, f"{ef_key} is in {f.unit!r}, which cannot apply to a line in {unit!r}."
                ) from e
            label = "grid" if ef_key.startswith("grid.") else "ef_per_unit"
            co2_method = f"{label}:quantity*ef_tco2_per_unit (ef={ef_key})"
        elif kind == KIND_ELECTRICITY:
            if basis.grid is None:
                raise CalcError(
                    "missing_factor",
                    "grid",
                    f"Electricity line {path} has no emission factor: give grid and year for the case, or"
                    " ef_key / ef_tco2_per_unit on the line.",
                )
            if basis.year is None:
                raise CalcError("missing_key", "year", "year is required with grid (it selects the grid factor).")
            try:
                f = fs.electricity_factor(basis.grid, basis.year)
            except CalcError as e:
                raise e.at("grid") from e
            try:
                P["ef_tco2_per_unit"] = float(f.value_in(per_unit_factor))
            except CalcError as e:
                raise e.at("grid") from e
            co2_method = f"grid:quantity*ef_tco2_per_unit (ef={f.key}; grid {basis.grid}, year {basis.year})"
        elif kind == KIND_HEAT:
            P["ef_tco2_per_unit"] = _lib(
                fs, HEAT_EF_DEFAULT, per_unit_factor, v.at_key(path, "ef_tco2_per_unit"), "ef_tco2_per_unit"
            )
            co2_method = f"ef_per_unit:quantity*ef_tco2_per_unit (ef={HEAT_EF_DEFAULT})"
        else:  # pragma: no cover - media are resolved as fuels
            raise AssertionError(kind)
        tce_method = _tce_indirect(fs, carrier, unit, given, P, basis, path, kind)
    method = fs.method(f"{co2_method}; energy={tce_method}")
    params = tuple(P[k] for k in OVERRIDES)
    return Template(kind=kind, params=params, method=method)


def _parses(unit: str) -> bool:
    try:
        units.parse_unit(unit)
    except units.UnitError:
        return False
    return True


def _tce_fuel(fs: FactorSet, carrier: str, unit: str, given: frozenset[str], P: dict[str, Any], path: str) -> str:
    if "tce_per_unit" in given:
        return "quantity*tce_per_unit (input)"
    key = f"tce.{carrier}"
    P["tce_per_unit"] = _lib(fs, key, f"tce/{unit}", v.at_key(path, "tce_per_unit"), "tce_per_unit")
    return f"quantity*{key} (GB/T 2589 coefficient)"


def _tce_indirect(
    fs: FactorSet,
    carrier: str,
    unit: str,
    given: frozenset[str],
    P: dict[str, Any],
    basis: Basis,
    path: str,
    kind: int,
) -> str:
    if "tce_per_unit" in given:
        return "quantity*tce_per_unit (input)"
    field = v.at_key(path, "tce_per_unit")
    if kind == KIND_ELECTRICITY:
        if basis.energy_basis == "coal_equivalent":
            assert basis.coal_equivalent_kgce_per_kwh is not None
            P["tce_per_unit"] = float(units.convert(basis.coal_equivalent_kgce_per_kwh, "kgce/kWh", f"tce/{unit}"))
            return (
                "coal_equivalent (等价值) quantity*coal_equivalent_kgce_per_kwh"
                f" ({basis.coal_equivalent_kgce_per_kwh} kgce/kWh, input)"
            )
        P["tce_per_unit"] = _lib(fs, TCE_ELECTRICITY_CALORIFIC, f"tce/{unit}", field, "tce_per_unit")
        return f"calorific (当量值) quantity*{TCE_ELECTRICITY_CALORIFIC}"
    key = f"tce.{carrier}"
    P["tce_per_unit"] = _lib(fs, key, f"tce/{unit}", field, "tce_per_unit")
    return f"calorific (当量值) quantity*{key}"


# --- batches: carrier table + one numpy pass ---------------------------------------------------------------
@dataclass(frozen=True)
class CarrierTable:
    """Effective factors per (carrier, unit) from one factor set and basis; NaN where unavailable."""

    factor_set_version: str
    carriers: tuple[str, ...]
    units: tuple[str, ...]
    kind: npt.NDArray[np.intp]  # (n_carriers,)
    ef_tco2_per_unit: FloatArray  # (n_carriers, n_units)
    tce_per_unit: FloatArray  # (n_carriers, n_units)
    methods: dict[tuple[str, str], str]

    @classmethod
    def build(
        cls,
        factors: FactorSet,
        basis: Basis = Basis(),
        carriers: Sequence[str] | None = None,
        unit_names: Sequence[str] | None = None,
    ) -> CarrierTable:
        cs = tuple(sorted(factors.carriers) if carriers is None else carriers)
        us = tuple(units.QUANTITY_UNITS if unit_names is None else unit_names)
        ef = np.full((len(cs), len(us)), np.nan)
        tce = np.full((len(cs), len(us)), np.nan)
        methods: dict[tuple[str, str], str] = {}
        for i, c in enumerate(cs):
            dim = carrier_dimension(factors, c)
            for j, u in enumerate(us):
                if dim is not None and units.QUANTITY_UNITS[u][0] != dim:
                    continue
                try:
                    t = resolve_template(factors, c, u, frozenset(), None, basis, f"{c}/{u}")
                except CalcError:
                    continue
                e = effective_ef_tco2_per_unit(*(np.array([p]) for p in t.params[:5]))
                ef[i, j] = e[0]
                tce[i, j] = t.params[5]
                methods[(c, u)] = t.method
        kind = np.array([carrier_kind(c) for c in cs], dtype=np.intp)
        return cls(factors.version, cs, us, kind, ef, tce, methods)

    def carrier_index(self, names: Sequence[str]) -> npt.NDArray[np.intp]:
        pos = {c: i for i, c in enumerate(self.carriers)}
        return np.array([pos[n] for n in names], dtype=np.intp)

    def unit_index(self, names: Sequence[str]) -> npt.NDArray[np.intp]:
        pos = {u: i for i, u in enumerate(self.units)}
        return np.array([pos[n] for n in names], dtype=np.intp)


@dataclass(frozen=True)
class BatchResult:
    co2_t: FloatArray
    energy_tce: FloatArray
    direct_co2_t: float
    indirect_co2_t: float
    total_co2_t: float
    total_energy_tce: float
    missing: npt.NDArray[np.bool_]  # lines whose carrier/unit has no library factor


def compute_batch(
    table: CarrierTable,
    carrier_idx: npt.NDArray[np.intp],
    unit_idx: npt.NDArray[np.intp],
    quantity: FloatArray,
) -> BatchResult:
    """Inventory of many lines (e.g. all enterprise accounts of a county) in one vectorised pass.

    Per line ``co2 = quantity × ef[carrier, unit]`` and ``energy = quantity × tce[carrier, unit]``; the totals
    are ``Σ_cells (Σ quantity) × factor`` (one weighted bincount instead of per-kind masks). Lines whose
    (carrier, unit) has no library factor get NaN and are flagged in ``missing`` (and left out of the totals).
    """
    n_cells = table.ef_tco2_per_unit.size
    flat = carrier_idx * len(table.units)
    flat += unit_idx
    q = np.asarray(quantity, dtype=np.float64)
    co2 = np.take(table.ef_tco2_per_unit, flat)
    co2 *= q
    energy = np.take(table.tce_per_unit, flat)
    energy *= q
    if math.isfinite(float(co2.sum()) + float(energy.sum())):
        missing = np.zeros(q.shape, dtype=bool)
        qsum = np.bincount(flat, weights=q, minlength=n_cells)
    else:
        missing = np.isnan(co2) | np.isnan(energy)
        ok = ~missing
        qsum = np.bincount(flat[ok], weights=q[ok], minlength=n_cells)
    ef_cells = np.nan_to_num(table.ef_tco2_per_unit.ravel(), nan=0.0) * qsum
    fuel_cells = np.repeat(table.kind == KIND_FUEL, len(table.units))
    direct = float(ef_cells[fuel_cells].sum())
    indirect = float(ef_cells[~fuel_cells].sum())
    e_total = float((np.nan_to_num(table.tce_per_unit.ravel(), nan=0.0) * qsum).sum())
    return BatchResult(co2, energy, direct, indirect, direct + indirect, e_total, missing)


# --- the `inventory` calculation -----------------------------------------------------------------------------
def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", TOP_KEYS_REQUIRED, TOP_KEYS_OPTIONAL)
    energy_basis = "calorific"
    if "energy_basis" in case:
        energy_basis = v.string(case["energy_basis"], "energy_basis", ENERGY_BASES)
    coal_eq: Decimal | None = None
    if "coal_equivalent_kgce_per_kwh" in case:
        if energy_basis != "coal_equivalent":
            raise CalcError(
                "conflict",
                "coal_equivalent_kgce_per_kwh",
                "coal_equivalent_kgce_per_kwh applies only with energy_basis 'coal_equivalent'.",
            )
        coal_eq = v.number(case["coal_equivalent_kgce_per_kwh"], "coal_equivalent_kgce_per_kwh", exclusive_minimum=True)
    elif energy_basis == "coal_equivalent":
        raise CalcError(
            "missing_key",
            "coal_equivalent_kgce_per_kwh",
            "energy_basis 'coal_equivalent' needs coal_equivalent_kgce_per_kwh (the year's coal rate of power"
            " supply, e.g. about 0.30 kgce/kWh); the library has no single default.",
        )
    grid = v.string(case["grid"], "grid") if "grid" in case else None
    year = v.integer(case["year"], "year", minimum=MIN_YEAR, maximum=MAX_YEAR) if "year" in case else None
    gdp = v.number(case["gdp_10k_yuan"], "gdp_10k_yuan", exclusive_minimum=True) if "gdp_10k_yuan" in case else None
    sink = v.number(case["sink_tco2"], "sink_tco2") if "sink_tco2" in case else Decimal(0)
    basis = Basis(energy_basis, coal_eq, grid, year)

    raw_lines = v.array(case["lines"], "lines", max_len=MAX_LINES)
    carriers = fs.carriers
    dims: dict[str, str | None] = {}
    sig_index: dict[tuple[str, str, frozenset[str], str | None], int] = {}
    tlist: list[Template] = []
    tidx: list[int] = []
    qty: list[float] = []
    patch_j: list[int] = []
    patch_i: list[int] = []
    patch_v: list[float] = []
    ids: list[str] = []
    sectors: dict[int, str] = {}
    seen_ids: set[str] = set()
    required = frozenset(LINE_KEYS_REQUIRED)
    quantity_units = units.QUANTITY_UNITS
    no_overrides: frozenset[str] = frozenset()
    override_pos = {k: j for j, k in enumerate(OVERRIDES)}

    for i, raw in enumerate(raw_lines):
        p = f"lines[{i}]"
        d = v.obj(raw, p) if type(raw) is not dict else raw
        if len(d) != 4 or not required.issuperset(d):
            v.keys(d, p, LINE_KEYS_REQUIRED, LINE_KEYS_OPTIONAL)
            extra = True
        else:
            extra = False
        lid = d["id"]
        if type(lid) is not str or not lid:
            v.string(lid, f"{p}.id")
        if lid in seen_ids:
            raise CalcError("duplicate", f"{p}.id", f"Line id {lid!r} is used by an earlier line; ids must be unique.")
        seen_ids.add(lid)
        carrier = d["carrier"]
        if type(carrier) is not str or carrier not in carriers:
            _bad_carrier(carrier, f"{p}.carrier", fs)
        unit = d["unit"]
        if type(unit) is not str or unit not in quantity_units:
            v.string(unit, f"{p}.unit")
            raise CalcError(
                "unknown_unit",
                f"{p}.unit",
                f"Unknown unit {unit!r}; use one of {', '.join(quantity_units)}.",
            )
        q = d["quantity"]
        tq = type(q)
        if ((tq is float or tq is int) and 0 <= q <= v.MAX_ABS_NUMBER) or (
            tq is Decimal and q.is_finite() and 0 <= q <= v.MAX_ABS_NUMBER
        ):
            qty.append(float(q))
        else:
            qty.append(float(v.number(q, f"{p}.quantity")))
        if extra:
            given = frozenset(k for k in OVERRIDES if k in d)
            ef_key = d.get("ef_key")
            if ef_key is not None:
                ef_key = v.string(ef_key, f"{p}.ef_key")
            sector = d.get("sector")
            if sector is not None:
                sectors[i] = v.string(sector, f"{p}.sector")
        else:
            given, ef_key = no_overrides, None
        sig = (carrier, unit, given, ef_key)
        k = sig_index.get(sig)
        if k is None:
            if carrier not in dims:
                dims[carrier] = carrier_dimension(fs, carrier)
            cdim = dims[carrier]
            if cdim is not None and quantity_units[unit][0] != cdim:
                raise CalcError(
                    "unit_mismatch",
                    f"{p}.unit",
                    f"{carrier} is measured as {cdim} ({', '.join(units.units_of(cdim))}); {unit!r} is"
                    f" {quantity_units[unit][0]} and cannot convert.",
                )
            tlist.append(resolve_template(fs, carrier, unit, given, ef_key, basis, p))
            k = sig_index[sig] = len(tlist) - 1
        tidx.append(k)
        for name in given:
            j = override_pos[name]
            maximum = 1 if name == "oxidation" else None
            patch_j.append(j)
            patch_i.append(i)
            patch_v.append(float(v.number(d[name], f"{p}.{name}", maximum=maximum)))
        ids.append(lid)

    table = np.array([[_NAN if x is None else x for x in t.params] for t in tlist] or [[_NAN] * len(OVERRIDES)])
    index = np.array(tidx, dtype=np.intp)
    par = np.ascontiguousarray(table[index].T)
    if patch_i:
        par[np.array(patch_j, dtype=np.intp), np.array(patch_i, dtype=np.intp)] = patch_v
    kinds = np.array([t.kind for t in tlist] or [KIND_FUEL], dtype=np.intp)[index]
    co2, energy = line_co2_energy(np.array(qty), *par)
    bad = ~(np.isfinite(co2) & np.isfinite(energy))
    if bad.any():
        i = int(np.argmax(bad))
        raise CalcError(
            "out_of_range", f"lines[{i}].quantity", f"lines[{i}] gives a result that is not a finite number."
        )
    fuel = kinds == KIND_FUEL
    direct = math.fsum(co2[fuel].tolist())
    indirect = math.fsum(co2[~fuel].tolist())
    total = direct + indirect
    co2_list = co2.tolist()
    energy_list = energy.tolist()
    energy_total = math.fsum(energy_list)
    methods = [t.method for t in tlist]
    out_lines = ReadyList(
        {"id": lid, "co2_t": c, "energy_tce": e, "method": methods[k]}
        for lid, c, e, k in zip(ids, co2_list, energy_list, tidx, strict=True)
    )
    for i, sector in sectors.items():
        out_lines[i]["sector"] = sector
    result: dict[str, Any] = {
        "lines": out_lines,
        "direct_co2_t": direct,
        "indirect_co2_t": indirect,
        "total_co2_t": total,
        "net_co2_t": total - float(sink),
        "energy_tce": energy_total,
        "energy_basis": energy_basis,
    }
    if gdp is not None:
        g = float(gdp)
        result["energy_intensity_tce_per_10k_yuan"] = energy_total / g
        result["co2_intensity_t_per_10k_yuan"] = total / g
    result["method"] = fs.method(
        f"inventory:sum of lines (direct=fuels, indirect=electricity/heat/media); energy basis {energy_basis}"
    )
    return result


def _bad_carrier(carrier: object, path: str, fs: FactorSet) -> None:
    v.string(carrier, path)
    assert isinstance(carrier, str)
    near = v._nearest(carrier, fs.carriers)
    raise CalcError(
        "unknown_carrier",
        path,
        f"Unknown carrier {carrier!r}."
        + (f" Did you mean {near!r}?" if near else "")
        + f" Carriers are the factor stems of factor set {fs.version} (raw_coal, natural_gas, diesel,"
        " ..., electricity, heat).",
    )
