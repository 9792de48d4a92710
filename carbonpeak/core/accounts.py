"""County energy and carbon accounts of one year: activity lines by sector, carrier and flow → results.

A line is one quantity of one carrier in one sector and one flow of the energy balance:

- ``final`` 终端消费 (consumption by a sector), ``transformation_input`` 加工转换投入 (fuel burnt in power or
  heat plants), ``transformation_output`` 加工转换产出 (electricity/heat those plants make), ``production``
  一次能源生产 (coal mined; hydro, solar, wind and biomass power), ``inflow`` 调入, ``outflow`` 调出,
  ``loss`` 损失 (e.g. grid losses).
- ``purpose``: ``energy`` (fuel and power), ``feedstock`` (原料用能: counted in energy, not burnt, so no
  combustion CO2; deducted in one dual-control variant), ``renewable`` / ``new_renewable`` (on electricity
  production lines: non-fossil; ``new_renewable`` = capacity added since 2021, deducted in another variant).
- A line without data carries a notation key instead of a quantity: ``NO`` not occurring, ``NE`` not
  estimated, ``IE`` included elsewhere, ``C`` confidential. Never a silent zero.

Per-line CO2 and standard coal come from the ``inventory`` kernel (the same code as ``carbonpeak calc``), run
once on the calorific basis (当量值) and, when the year's coal rate of power supply is given, once on the
coal-equivalent basis (等价值). Totals (all in t and tce):

- direct CO2 = fuels burnt in ``final`` and ``transformation_input`` (feedstock excluded);
- indirect CO2 (scope 2) = electricity, heat and media in ``final``, at the grid factor of the year;
- territorial CO2 (provincial-guideline style) = direct + net electricity inflow × grid factor + net heat
  inflow × heat factor, where the net inflow is derived from the balance (final + losses + transformation
  input − production − transformation output) so locally generated power is not counted twice;
- net CO2 = territorial − sinks;
- total energy consumption = final + transformation input − transformation output + losses (per basis);
  supply = production + inflow − outflow; their difference is the statistical difference.

Nothing here imports Django: the accounting app maps its rows to :class:`Line` and :class:`Params`.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Final

from . import inventory, nonfossil, units
from .errors import CalcError
from .factors import ELECTRICITY, HEAT, HEAT_EF_DEFAULT, TCE_ELECTRICITY_CALORIFIC, FactorSet
from .limits import BALANCE_TOLERANCE

FLOWS: Final = (
    "final",
    "transformation_input",
    "transformation_output",
    "production",
    "inflow",
    "outflow",
    "loss",
)
CONSUMPTION_FLOWS: Final = frozenset({"final", "transformation_input"})
PURPOSES: Final = ("energy", "feedstock", "renewable", "new_renewable")
NONFOSSIL_PURPOSES: Final = frozenset({"renewable", "new_renewable"})
NOTATION_KEYS: Final = ("NO", "NE", "IE", "C")
GROUPS: Final = ("energy", "industry", "construction", "transport", "services", "households", "agriculture")
BASES: Final = ("calorific", "coal_equivalent")
#: canonical physical unit per dimension for the balance table
CANONICAL_UNIT: Final = {units.MASS: "t", units.GAS_VOLUME: "10k_m3", units.ELECTRICITY: "MWh", units.HEAT: "GJ"}
SECTORS_PATH: Final = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "sectors.csv")
_KEY_RE: Final = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")


@dataclass(frozen=True, slots=True)
class Sector:
    code: str
    group: str
    name_zh: str
    name_en: str
    gb4754: str


@cache
def sectors() -> dict[str, Sector]:
    """The shipped sector table (GB/T 4754-2017 divisions grouped as the energy balance groups them)."""
    with open(SECTORS_PATH, encoding="utf-8", newline="") as fh:
        return {
            r["code"]: Sector(r["code"], r["group"], r["name_zh"], r["name_en"], r["gb4754"])
            for r in csv.DictReader(fh)
        }


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    sector: str
    carrier: str
    flow: str
    unit: str
    quantity: Decimal | None = None
    notation: str | None = None
    purpose: str = "energy"


@dataclass(frozen=True, slots=True)
class Params:
    year: int
    grid: str | None = None
    coal_equivalent_kgce_per_kwh: Decimal | None = None
    gdp_10k_yuan: Decimal | None = None  # at the constant prices of the plan's base year
    population: int | None = None
    sink_tco2: Decimal = Decimal(0)
    #: non-fossil share of the electricity that flows in from the grid (the user's figure; none by default)
    inflow_nonfossil_share: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Check:
    severity: str  # error | warning | info
    code: str
    field: str
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def check_line(line: Line, fs: FactorSet) -> list[Check]:
    """Per-line errors (the import and the forms report these with the row's number)."""
    out: list[Check] = []

    def err(code: str, field: str, zh: str, en: str) -> None:
        out.append(Check("error", code, field, zh, en))

    sec = sectors().get(line.sector)
    if sec is None:
        err("unknown_sector", "sector", f"部门代码 {line.sector!r} 不存在", f"unknown sector {line.sector!r}")
    if line.carrier not in fs.carriers:
        err(
            "unknown_carrier", "carrier", f"能源品种 {line.carrier!r} 不在因子库中", f"unknown carrier {line.carrier!r}"
        )
    if line.flow not in FLOWS:
        err(
            "unknown_flow",
            "flow",
            f"流向 {line.flow!r} 无效",
            f"unknown flow {line.flow!r}; use one of {', '.join(FLOWS)}",
        )
    if line.purpose not in PURPOSES:
        err("unknown_purpose", "purpose", f"用途 {line.purpose!r} 无效", f"unknown purpose {line.purpose!r}")
    if line.unit not in units.QUANTITY_UNITS:
        err(
            "unknown_unit",
            "unit",
            f"单位 {line.unit!r} 无效",
            f"unknown unit {line.unit!r}; use one of {', '.join(units.QUANTITY_UNITS)}",
        )
    elif line.carrier in fs.carriers:
        dim = inventory.carrier_dimension(fs, line.carrier)
        if dim is not None and units.QUANTITY_UNITS[line.unit][0] != dim:
            err(
                "unit_mismatch",
                "unit",
                f"{line.carrier} 的计量单位应为 {'、'.join(units.units_of(dim))}，不能用 {line.unit}",
                f"{line.carrier} is measured in {', '.join(units.units_of(dim))}, not {line.unit}",
            )
    if line.quantity is None and line.notation is None:
        err(
            "missing_value",
            "quantity",
            "数量为空：请填写数量或标注键（NO/NE/IE/C）",
            "quantity is empty: give a quantity or a notation key (NO/NE/IE/C)",
        )
    elif line.quantity is not None and line.notation is not None:
        err(
            "conflict",
            "notation",
            "同一行不能既有数量又有标注键",
            "a row cannot have both a quantity and a notation key",
        )
    if line.notation is not None and line.notation not in NOTATION_KEYS:
        err(
            "unknown_notation",
            "notation",
            f"标注键 {line.notation!r} 无效（NO/NE/IE/C）",
            f"unknown notation key {line.notation!r} (NO/NE/IE/C)",
        )
    if line.quantity is not None and (not line.quantity.is_finite() or line.quantity < 0):
        err("out_of_range", "quantity", "数量必须是非负数", "quantity must be a non-negative number")
    if line.purpose == "feedstock" and (
        line.flow not in CONSUMPTION_FLOWS or inventory.carrier_kind(line.carrier) != inventory.KIND_FUEL
    ):
        err(
            "invalid_purpose",
            "purpose",
            "原料用能只适用于化石燃料的消费行",
            "feedstock applies only to fuel consumption rows",
        )
    if line.purpose in NONFOSSIL_PURPOSES and not (line.flow == "production" and line.carrier == ELECTRICITY):
        err(
            "invalid_purpose",
            "purpose",
            "可再生（含新增可再生）只适用于电力的一次能源生产行",
            "renewable / new_renewable applies only to electricity production rows",
        )
    if sec is not None and line.flow != "final" and sec.group != "energy":
        err(
            "invalid_flow",
            "flow",
            f"流向 {line.flow} 只能用于能源生产与加工转换部门（energy.*），终端部门只能填 final",
            f"flow {line.flow} belongs to an energy.* sector; end-use sectors report final consumption",
        )
    return out


def line_key(line: Line) -> tuple[str, str, str, str]:
    """What identifies a line within a year (an import updates the line with the same key)."""
    return (line.sector, line.carrier, line.flow, line.purpose)


def _fsum(values: Any) -> float:
    return math.fsum(values)


def _run_kernel(lines: Sequence[Line], params: Params, fs: FactorSet, basis: str) -> dict[str, Any]:
    case: dict[str, Any] = {
        "calc": "inventory",
        "lines": [{"id": ln.id, "carrier": ln.carrier, "quantity": ln.quantity, "unit": ln.unit} for ln in lines],
        "year": params.year,
        "energy_basis": basis,
    }
    if params.grid:
        case["grid"] = params.grid
    if basis == "coal_equivalent":
        case["coal_equivalent_kgce_per_kwh"] = params.coal_equivalent_kgce_per_kwh
    return inventory.handle(case, fs)


def factor_keys_in(methods: Sequence[str], fs: FactorSet) -> list[str]:
    """The factor keys a set of method strings names (to flag grade-C factors wherever they are used)."""
    found: set[str] = set()
    for m in methods:
        for k in _KEY_RE.findall(m):
            if k in fs:
                found.add(k)
    return sorted(found)


def compute(lines: Sequence[Line], params: Params, fs: FactorSet) -> dict[str, Any]:
    """The year's accounts as a JSON-ready dict (see the module docstring for every formula).

    Raises :class:`CalcError` when a line is invalid or a factor is missing (e.g. electricity without a grid).
    """
    for ln in lines:
        bad = [c for c in check_line(ln, fs) if c.severity == "error"]
        if bad:
            raise CalcError(bad[0].code, f"{ln.id}.{bad[0].field}", bad[0].message_en)
    data = [ln for ln in lines if ln.quantity is not None]
    bases = ["calorific"] + (["coal_equivalent"] if params.coal_equivalent_kgce_per_kwh is not None else [])
    runs = {b: _run_kernel(data, params, fs, b) for b in bases} if data else {}
    per: dict[str, dict[str, Any]] = {ln.id: {} for ln in data}
    for b, res in runs.items():
        for out in res["lines"]:
            per[out["id"]][b] = out["energy_tce"]
            if b == "calorific":
                per[out["id"]]["co2_t"] = out["co2_t"]
                per[out["id"]]["method"] = out["method"]
    sec_table = sectors()

    def scope(ln: Line) -> str:
        if ln.flow not in CONSUMPTION_FLOWS:
            return "none"
        kind = inventory.carrier_kind(ln.carrier)
        if kind == inventory.KIND_FUEL:
            return "none" if ln.purpose == "feedstock" else "direct"
        return "indirect" if ln.flow == "final" else "none"

    out_lines = []
    for ln in data:
        p = per[ln.id]
        s = scope(ln)
        out_lines.append(
            {
                "id": ln.id,
                "sector": ln.sector,
                "group": sec_table[ln.sector].group,
                "carrier": ln.carrier,
                "flow": ln.flow,
                "purpose": ln.purpose,
                "unit": ln.unit,
                "quantity": float(ln.quantity),  # type: ignore[arg-type]
                "scope": s,
                "co2_t": p["co2_t"] if s != "none" else 0.0,
                "energy_tce": {b: p[b] for b in bases},
                "method": p["method"],
            }
        )

    # --- by sector / group / carrier (consumption lines) --------------------------------------------------
    def blank() -> dict[str, Any]:
        return {"direct_co2_t": 0.0, "indirect_co2_t": 0.0, "energy_tce": {b: 0.0 for b in bases}}

    def add(acc: dict[str, Any], row: dict[str, Any]) -> None:
        if row["scope"] == "direct":
            acc["direct_co2_t"] += row["co2_t"]
        elif row["scope"] == "indirect":
            acc["indirect_co2_t"] += row["co2_t"]
        for b in bases:
            acc["energy_tce"][b] += row["energy_tce"][b]

    by_sector: dict[str, dict[str, Any]] = defaultdict(blank)
    by_group: dict[str, dict[str, Any]] = {g: blank() for g in GROUPS}
    by_carrier: dict[str, dict[str, Any]] = defaultdict(blank)
    for row in out_lines:
        if row["flow"] not in CONSUMPTION_FLOWS:
            continue
        add(by_sector[row["sector"]], row)
        add(by_group[row["group"]], row)
        add(by_carrier[row["carrier"]], row)

    def flow_sum(flow: str, basis: str, pred: Any = None) -> float:
        return _fsum(r["energy_tce"][basis] for r in out_lines if r["flow"] == flow and (pred is None or pred(r)))

    def physical(carrier: str, flows: Sequence[str], to_unit: str) -> float:
        return _fsum(
            float(units.convert(Decimal(repr(r["quantity"])), r["unit"], to_unit))
            for r in out_lines
            if r["carrier"] == carrier and r["flow"] in flows
        )

    # --- CO2 ----------------------------------------------------------------------------------------------
    direct = _fsum(r["co2_t"] for r in out_lines if r["scope"] == "direct")
    indirect = _fsum(r["co2_t"] for r in out_lines if r["scope"] == "indirect")
    elec_in = physical(ELECTRICITY, ("final", "loss", "transformation_input"), "MWh")
    elec_out = physical(ELECTRICITY, ("production", "transformation_output"), "MWh")
    net_elec_mwh = elec_in - elec_out
    heat_in = physical(HEAT, ("final", "loss", "transformation_input"), "GJ")
    heat_out = physical(HEAT, ("production", "transformation_output"), "GJ")
    net_heat_gj = heat_in - heat_out
    territorial_methods: list[str] = []
    grid_ef = 0.0
    grid_key = ""
    if net_elec_mwh != 0:
        if not params.grid:
            raise CalcError("missing_factor", "grid", "The accounts have electricity but no grid was chosen.")
        grid_key, ef = fs.electricity_ef_tco2_per_mwh(params.grid, params.year)
        grid_ef = float(ef)
        territorial_methods.append(f"net electricity inflow*{grid_key}")
    heat_ef = 0.0
    if net_heat_gj != 0:
        heat_ef = float(fs.value_in(HEAT_EF_DEFAULT, "tCO2/GJ"))
        territorial_methods.append(f"net heat inflow*{HEAT_EF_DEFAULT}")
    imported_co2 = net_elec_mwh * grid_ef + net_heat_gj * heat_ef
    territorial = direct + imported_co2
    sink = float(params.sink_tco2)
    co2: dict[str, Any] = {
        "direct_co2_t": direct,
        "indirect_co2_t": indirect,
        "scope12_co2_t": direct + indirect,
        "net_electricity_inflow_mwh": net_elec_mwh,
        "net_heat_inflow_gj": net_heat_gj,
        "imported_co2_t": imported_co2,
        "territorial_co2_t": territorial,
        "sink_tco2": sink,
        "net_co2_t": territorial - sink,
        "grid_factor_key": grid_key,
        "method": fs.method(
            "accounts:territorial=direct fuel combustion (feedstock excluded)"
            + "".join(" + " + m for m in territorial_methods)
            + "; scope12=direct+final electricity/heat at the grid factor; net=territorial-sink"
        ),
    }

    # --- energy -------------------------------------------------------------------------------------------
    energy: dict[str, dict[str, float | None]] = {}
    kwh_nonfossil = _fsum(
        float(units.convert(Decimal(repr(r["quantity"])), r["unit"], "kWh"))
        for r in out_lines
        if r["carrier"] == ELECTRICITY and r["flow"] == "production" and r["purpose"] in NONFOSSIL_PURPOSES
    )
    # only what the county uses counts: renewable power sent out of the county is not its consumption
    kwh_nonfossil = min(kwh_nonfossil, elec_in * units.KWH_PER_MWH)
    if params.inflow_nonfossil_share is not None and net_elec_mwh > 0:
        kwh_nonfossil += net_elec_mwh * 1000 * float(params.inflow_nonfossil_share)
    has_supply = any(r["flow"] in ("production", "inflow", "outflow") for r in out_lines)
    for b in bases:
        final = flow_sum("final", b)
        t_in = flow_sum("transformation_input", b)
        t_out = flow_sum("transformation_output", b)
        loss = flow_sum("loss", b)
        total = final + t_in - t_out + loss
        supply = flow_sum("production", b) + flow_sum("inflow", b) - flow_sum("outflow", b)
        feedstock = _fsum(
            r["energy_tce"][b] for r in out_lines if r["purpose"] == "feedstock" and r["flow"] in CONSUMPTION_FLOWS
        )
        new_re = flow_sum("production", b, lambda r: r["purpose"] == "new_renewable")
        rate = (
            fs.value_in(TCE_ELECTRICITY_CALORIFIC, "kgce/kWh")
            if b == "calorific"
            else params.coal_equivalent_kgce_per_kwh
        )
        assert rate is not None
        share = None
        nonfossil_tce = float(rate) * kwh_nonfossil / units.KGCE_PER_TCE
        if total > 0:
            _nf, _tot, share_dec = nonfossil.nonfossil_share(
                Decimal(repr(total - nonfossil_tce)), Decimal(repr(kwh_nonfossil)), rate
            )
            share = float(share_dec)
        gdp = float(params.gdp_10k_yuan) if params.gdp_10k_yuan else None
        energy[b] = {
            "final_tce": final,
            "transformation_input_tce": t_in,
            "transformation_output_tce": t_out,
            "transformation_loss_tce": t_in - t_out,
            "loss_tce": loss,
            "total_tce": total,
            "supply_tce": supply if has_supply else None,
            "statistical_difference_tce": (supply - total) if has_supply else None,
            "feedstock_tce": feedstock,
            "new_renewable_tce": new_re,
            "dual_control_total_tce": total,
            "dual_control_excl_feedstock_tce": total - feedstock,
            "dual_control_excl_new_renewable_tce": total - new_re,
            "nonfossil_tce": nonfossil_tce,
            "nonfossil_share": share,
            "energy_intensity_tce_per_10k_yuan": total / gdp if gdp else None,
            "per_capita_tce": total / params.population if params.population else None,
        }
    indicators: dict[str, Any] = {
        "co2_intensity_t_per_10k_yuan": territorial / float(params.gdp_10k_yuan) if params.gdp_10k_yuan else None,
        "co2_per_capita_t": territorial / params.population if params.population else None,
        "refined_oil_tce": {
            b: _fsum(
                r["energy_tce"][b] for r in out_lines if r["carrier"] in REFINED_OIL and r["flow"] in CONSUMPTION_FLOWS
            )
            for b in bases
        },
        "nonfossil_electricity_kwh": kwh_nonfossil,
        "nonfossil_method": {
            "calorific": "calorific (电热当量法/当量值) " + TCE_ELECTRICITY_CALORIFIC,
            "coal_equivalent": f"coal_equivalent (发电煤耗法/等价值) {params.coal_equivalent_kgce_per_kwh} kgce/kWh",
        },
    }

    # --- energy balance table -----------------------------------------------------------------------------
    balance = _balance(out_lines, fs, bases)

    methods = sorted({r["method"] for r in out_lines})
    used = factor_keys_in([*methods, co2["method"]], fs)
    return {
        "year": params.year,
        "factor_set_version": fs.version,
        "grid": params.grid,
        "bases": bases,
        "lines": out_lines,
        "by_sector": {k: by_sector[k] for k in sorted(by_sector)},
        "by_group": by_group,
        "by_carrier": {k: by_carrier[k] for k in sorted(by_carrier)},
        "co2": co2,
        "energy": energy,
        "indicators": indicators,
        "balance": balance,
        "notation": [
            {"id": ln.id, "sector": ln.sector, "carrier": ln.carrier, "flow": ln.flow, "notation": ln.notation}
            for ln in lines
            if ln.quantity is None
        ],
        "factors_used": used,
        "checks": [c.as_dict() for c in quality_checks(lines, params, fs, energy, used, grid_key)],
    }


#: carriers counted as refined oil products (成品油)
REFINED_OIL: Final = frozenset({"gasoline", "kerosene", "diesel"})
#: coal (煤炭) as the coal-consumption cap counts it: raw coal and the washed-coal products of the library
COAL: Final = frozenset({"raw_coal", "washed_coal", "middlings", "slime"})

BALANCE_COLUMNS: Final = (
    "production",
    "inflow",
    "outflow",
    "supply",
    "transformation_input",
    "transformation_output",
    "loss",
    *(f"final.{g}" for g in GROUPS),
    "final",
)


def _balance(out_lines: list[dict[str, Any]], fs: FactorSet, bases: Sequence[str]) -> dict[str, Any]:
    """能源平衡表: rows are carriers (physical canonical unit) plus a standard-coal row per basis."""
    rows: dict[str, dict[str, float]] = {}
    unit_of: dict[str, str] = {}
    tce_rows: dict[str, dict[str, float]] = {b: dict.fromkeys(BALANCE_COLUMNS, 0.0) for b in bases}
    for r in out_lines:
        c = r["carrier"]
        if c not in rows:
            dim = units.QUANTITY_UNITS[r["unit"]][0]
            unit_of[c] = CANONICAL_UNIT[dim]
            rows[c] = dict.fromkeys(BALANCE_COLUMNS, 0.0)
        q = float(units.convert(Decimal(repr(r["quantity"])), r["unit"], unit_of[c]))
        cols = [r["flow"]] if r["flow"] != "final" else ["final", f"final.{r['group']}"]
        for col in cols:
            rows[c][col] += q
            for b in bases:
                tce_rows[b][col] += r["energy_tce"][b]
    for table in (*rows.values(), *tce_rows.values()):
        table["supply"] = table["production"] + table["inflow"] - table["outflow"]
    return {
        "columns": list(BALANCE_COLUMNS),
        "rows": [{"carrier": c, "unit": unit_of[c], "values": rows[c]} for c in sorted(rows)],
        "tce": tce_rows,
    }


def quality_checks(
    lines: Sequence[Line],
    params: Params,
    fs: FactorSet,
    energy: dict[str, dict[str, float | None]],
    used: Sequence[str],
    grid_key: str,
) -> list[Check]:
    """Data-quality findings of a computed year (severity error | warning | info)."""
    out: list[Check] = []
    groups_seen = {sectors()[ln.sector].group for ln in lines if ln.flow == "final" or ln.quantity is None}
    names = {
        "energy": ("能源生产与加工转换", "energy production"),
        "industry": ("工业", "industry"),
        "construction": ("建筑业", "construction"),
        "transport": ("交通运输", "transport"),
        "services": ("服务业", "services"),
        "households": ("居民生活", "households"),
        "agriculture": ("农业", "agriculture"),
    }
    for g in GROUPS:
        if g == "energy":
            continue
        if g not in groups_seen:
            zh, en = names[g]
            out.append(
                Check(
                    "warning",
                    "sector_missing",
                    f"by_group.{g}",
                    f"{zh}没有任何数据或标注键：缺数据请填 NE/IE/NO/C，不要留空当作零",
                    f"{en} has no rows and no notation key: mark missing data NE/IE/NO/C instead of a silent zero",
                )
            )
    if not any(ln.quantity is not None for ln in lines):
        out.append(Check("error", "no_data", "lines", "本年度没有任何活动数据", "the year has no activity data"))
    if params.gdp_10k_yuan is None:
        out.append(
            Check(
                "warning",
                "gdp_missing",
                "gdp_10k_yuan",
                "未填不变价GDP，无法计算强度指标",
                "no GDP at constant prices: intensities cannot be computed",
            )
        )
    if params.coal_equivalent_kgce_per_kwh is None:
        out.append(
            Check(
                "warning",
                "coal_rate_missing",
                "coal_equivalent_kgce_per_kwh",
                "未填当年供电煤耗：等价值能耗和发电煤耗法非化石能源比重无法计算",
                "no coal rate of power supply: the coal-equivalent basis and the official non-fossil share are missing",
            )
        )
    cal = energy.get("calorific", {})
    diff, total = cal.get("statistical_difference_tce"), cal.get("total_tce")
    if diff is not None and total and abs(diff) > BALANCE_TOLERANCE * total:
        out.append(
            Check(
                "warning",
                "balance_difference",
                "balance",
                f"能源平衡表供需差额 {diff:,.0f} tce，超过消费总量的 {BALANCE_TOLERANCE:.0%}",
                f"energy balance statistical difference {diff:,.0f} tce exceeds {BALANCE_TOLERANCE:.0%} of consumption",
            )
        )
    for k in used:
        f = fs[k]
        if f.grade == "C":
            out.append(
                Check(
                    "warning",
                    "grade_c_factor",
                    k,
                    f"使用了C级（待核实）因子 {k} = {f.value} {f.unit}（{f.source or '无来源'}）",
                    f"uses grade-C (unverified) factor {k} = {f.value} {f.unit} ({f.source or 'no source'})",
                )
            )
    if grid_key and not grid_key.endswith(str(params.year)):
        out.append(
            Check(
                "info",
                "grid_factor_fallback",
                "grid",
                f"{params.year} 年无电网因子，使用最近年份 {grid_key}",
                f"no grid factor for {params.year}; the latest earlier one, {grid_key}, is used",
            )
        )
    for ln in lines:
        if ln.notation is not None:
            out.append(
                Check(
                    "info",
                    "notation_key",
                    ln.id,
                    f"{ln.sector} {ln.carrier} 标注为 {ln.notation}",
                    f"{ln.sector} {ln.carrier} is marked {ln.notation}",
                )
            )
    return out
