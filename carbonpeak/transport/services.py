"""Every write of the transport and gas data: permission, validation, an atomic write, audit.

Imports follow the tabular contract (``carbonpeak/tabular``): a Report with the accepted rows, the duplicates (a
row equal to what is stored, or to an earlier line of the file) and the rejected rows with line, field and
message; a row whose key is stored with other values is a conflict (rejected naming the line) unless
``update=True``. A year of a module is approved (its figures feed the plan's targets, plan/feeds.py) and reopened
(the values are taken back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from carbonpeak.audit.services import record
from carbonpeak.core import numbers
from carbonpeak.plan import feeds
from carbonpeak.plan.choices import Indicator
from carbonpeak.tabular import Report
from carbonpeak.tabular.times import BEIJING, parse_time
from carbonpeak.transport import figures
from carbonpeak.transport.choices import Fuel, Module, ReportedKind, SiteKind, Use, YearStatus, ZoneKind
from carbonpeak.transport.models import (
    ChargingSite,
    GasCoverage,
    GasDemand,
    GasFacility,
    ModuleYear,
    OperatorEnergy,
    OperatorYear,
    ReportedFigure,
    Vehicle,
    Zone,
)
from carbonpeak.transport.permissions import require_write
from carbonpeak.validation import Issue, Issues, ValidationFailed

Rows = Iterable[tuple[int, dict[str, str]]]
YEARS = (1990, 2100)

INDICATORS = {
    Module.TRANSPORT: (
        Indicator.NEW_BUS_CLEAN_SHARE,
        Indicator.SERVICE_AREA_CHARGING,
        Indicator.OPERATING_VEHICLE_ENERGY_REDUCTION,
        Indicator.OPERATING_VEHICLE_CO2_REDUCTION,
    ),
    Module.GAS: (Indicator.GASIFICATION_SHARE, Indicator.GAS_STORAGE_DAYS),
}


# --- cell grammar -------------------------------------------------------------------------------------------
class Bad(Exception):
    def __init__(self, field: str, zh: str, en: str):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


def _text(r: dict[str, str], key: str, zh: str, *, required: bool = True, max_len: int = 100) -> str:
    v = (r.get(key) or "").strip()
    if required and not v:
        raise Bad(key, f"{zh}：请填写", f"{key}: required")
    if len(v) > max_len:
        raise Bad(key, f"{zh}：最多 {max_len} 字", f"{key}: at most {max_len} characters")
    return v


def parse_day(raw: str) -> dt.date | None:
    """A date (``2025-03-01``, ``2025/3/1``) or a timestamp (Beijing time without an offset; with an offset
    converted to Beijing time first): ``2024-12-31T16:30:00Z`` is 1 January 2025."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        if len(raw) <= 10:
            parts = raw.replace("/", "-").replace(".", "-").split("-")
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    t = parse_time(raw, local=True)
    return t.astimezone(BEIJING).date() if t is not None else None


def _day(r: dict[str, str], key: str, zh: str, *, required: bool = True) -> dt.date | None:
    raw = (r.get(key) or "").strip()
    if not raw:
        if required:
            raise Bad(key, f"{zh}：请填写日期", f"{key}: a date is required")
        return None
    d = parse_day(raw)
    if d is None:
        raise Bad(key, f"{zh}：{raw} 不是日期（如 2025-03-01）", f"{key}: {raw!r} is not a date (e.g. 2025-03-01)")
    return d


def _choice(r: dict[str, str], key: str, zh: str, choices: Any) -> str:
    raw = (r.get(key) or "").strip()
    by_label = {str(label): value for value, label in choices.choices}
    by_label.update({"CNG": "cng", "LNG": "lng", "BEV": "bev", "PHEV": "phev", "FCEV": "fcev", "纯电": "bev"})
    v = raw.lower() if raw.lower() in choices.values else by_label.get(raw)
    if v is None:
        allowed = "、".join(str(label) for _v, label in choices.choices)
        raise Bad(
            key, f"{zh}：{raw or '（空）'} 不是可选值（{allowed}）", f"{key}: {raw!r} is not one of {choices.values}"
        )
    return v


def _decimal(r: dict[str, str], key: str, zh: str, *, required: bool = True, positive: bool = False) -> Decimal | None:
    raw = (r.get(key) or "").strip()
    if not raw:
        if required:
            raise Bad(key, f"{zh}：请填写数值", f"{key}: a number is required")
        return None
    try:
        d = numbers.to_decimal(raw)
    except numbers.NumberError as e:
        raise Bad(key, f"{zh}：{raw} 不是数值", f"{key}: {raw!r} is not a number") from e
    if d < 0 or (positive and d == 0):
        raise Bad(
            key, f"{zh}：应为{'正数' if positive else '非负数'}", f"{key}: must be {'positive' if positive else '≥ 0'}"
        )
    return d


def _int(r: dict[str, str], key: str, zh: str, *, required: bool = True, low: int = 0, high: int = 10**9) -> int | None:
    d = _decimal(r, key, zh, required=required)
    if d is None:
        return None
    if d != d.to_integral_value() or not low <= d <= high:
        raise Bad(key, f"{zh}：应为 {low} 到 {high} 的整数", f"{key}: a whole number from {low} to {high}")
    return int(d)


def _bool(r: dict[str, str], key: str, zh: str) -> bool:
    raw = (r.get(key) or "").strip().lower()
    if raw in ("", "否", "0", "no", "false", "n"):
        return False
    if raw in ("是", "1", "yes", "true", "y"):
        return True
    raise Bad(key, f"{zh}：请填 是 或 否", f"{key}: yes or no")


# --- the shared import loop ---------------------------------------------------------------------------------
# --- an approved year stays as approved -----------------------------------------------------------------------
class ApprovedYearChanged(Exception):
    """A write would change what an approved year fed its targets; ``issues`` name the year and the figure."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        self.issues = issues


#: the second key of a module's advisory lock (the first is the county)
_LOCK_KEYS = {Module.TRANSPORT: 201, Module.GAS: 202}


def _module_lock(plan: Any, module: str) -> None:
    """Serialise the writes and the approvals of one module of one county until the transaction ends: a write
    checks every approved year, and an approval (of any year, also one never opened before) must not slip in
    between its check and its commit. PostgreSQL: a transaction-level advisory lock; SQLite has one writer."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_xact_lock(%s, %s)", [plan.pk, _LOCK_KEYS[Module(module)]])


def _fed_now(plan: Any, module: str, year: int) -> dict[str, Decimal]:
    return {f.indicator: f.value for f in compute_feeds(plan, module, year)[0]}


def _shown(indicator: str, v: Decimal | None) -> str:
    from carbonpeak.plan.plan_io import INDICATOR_UNITS

    if v is None:
        return "无"
    if INDICATOR_UNITS.get(indicator, "fraction") == "fraction":
        return f"{(v * 100).quantize(Decimal('0.01'))}%"
    return figures.tidy(v)


@contextmanager
def approved_years_kept(plan: Any, module: str) -> Iterator[None]:
    """Run the writes inside so that no approved year of ``module`` changes under them: the figures each approved
    year feeds are computed before and after; if one differs, everything inside is rolled back and
    :class:`ApprovedYearChanged` names the year, the figure and both values (reopen the year first, as for the
    energy accounts). The module is locked meanwhile (:func:`_module_lock`), so an approval cannot slip in between."""
    with transaction.atomic():
        _module_lock(plan, module)
        years = list(
            ModuleYear.objects.select_for_update()
            .filter(plan=plan, module=module, status=YearStatus.APPROVED)
            .order_by("year")
            .values_list("year", flat=True)
        )
        before = {y: _fed_now(plan, module, y) for y in years}
        yield
        issues = []
        for y in years:
            after = _fed_now(plan, module, y)
            for ind in sorted(set(before[y]) | set(after)):
                old, new = before[y].get(ind), after.get(ind)
                if old != new:
                    name = str(Indicator(ind).label)
                    issues.append(
                        Issue(
                            "approved_year",
                            "year",
                            f"年份：会改变已审定的 {y} 年数据（{name} {_shown(ind, old)} → {_shown(ind, new)}），"
                            f"未保存；如需修改请先退回 {y} 年",
                            f"year: would change the approved {y} figures ({ind} {old} -> {new}); nothing saved; "
                            f"reopen {y} first",
                        )
                    )
        if issues:
            raise ApprovedYearChanged(issues)


def _kept(plan: Any, module: str, run: Callable[[], Report]) -> Report:
    """An import's report, all of it rolled back (nothing accepted) when it would change an approved year."""
    done: list[Report] = []
    try:
        with approved_years_kept(plan, module):
            done.append(run())
    except ApprovedYearChanged as e:
        rep = done[0]
        rep.accepted = 0
        for i in e.issues:
            rep.reject(None, i.field, i.message_zh, i.message_en)
        return rep
    return done[0]


def _import(
    actor: Any,
    plan: Any,
    rows: Rows,
    model: Any,
    key_field: str,
    parse: Callable[[dict[str, str]], dict[str, Any]],
    action: str,
    *,
    update: bool = False,
) -> Report:
    """Parse each row; same key twice in the file: duplicate when equal, else a conflict; a stored key with
    other values: a conflict unless ``update``. Good rows are stored, bad rows reported."""
    rep = Report()
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, r in rows:
        try:
            fields = parse(r)
        except Bad as b:
            rep.reject(n, b.field, b.zh, b.en)
            continue
        key = fields[key_field]
        if key in good:
            if good[key][1] == fields:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    key_field,
                    f"{_label(model, key_field)}：{key} 与第 {good[key][0]} 行相同但内容不同",
                    f"{key_field}: same key as line {good[key][0]}, different data",
                )
            continue
        good[key] = (n, fields)
    with transaction.atomic():
        existing = {
            getattr(o, key_field): o for o in model.objects.filter(plan=plan, **{f"{key_field}__in": list(good)})
        }
        for key, (n, fields) in good.items():
            obj = existing.get(key)
            if obj is None:
                obj = model.objects.create(plan=plan, **fields)
                record(actor, f"{action}.create", obj, None, _plain(fields))
                rep.accepted += 1
                continue
            before = {k: getattr(obj, k) for k in fields}
            if before == fields:
                rep.duplicates += 1
            elif not update:
                diff = [k for k in fields if before[k] != fields[k]]
                zh_diff = "、".join(_label(model, k) for k in diff)
                rep.reject(
                    n,
                    key_field,
                    f"{_label(model, key_field)}：{key} 已登记且内容不同（{zh_diff}），"
                    "未覆盖；如需修改请勾选“更新已有”",
                    f"{key_field}: {key} is stored with other values ({', '.join(diff)}); "
                    "not overwritten (use --update)",
                )
            else:
                for k, v in fields.items():
                    setattr(obj, k, v)
                obj.save()
                record(actor, f"{action}.update", obj, _plain(before), _plain(fields))
                rep.accepted += 1
    return rep


def _label(model: Any, field: str) -> str:
    """The field's Chinese name (its verbose name) for a message an official reads."""
    return str(model._meta.get_field(field).verbose_name)


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Decimal, dt.date)) else v) for k, v in d.items()}


def _quantised(d: Decimal | None, places: int) -> Decimal | None:
    return None if d is None else d.quantize(Decimal(1).scaleb(-places))


# --- vehicles -----------------------------------------------------------------------------------------------
def _vehicle(r: dict[str, str]) -> dict[str, Any]:
    f = {
        "plate": _text(r, "plate", "号牌", max_len=40),
        "operator": _text(r, "operator", "运营单位"),
        "use": _choice(r, "use", "用途", Use),
        "fuel": _choice(r, "fuel", "燃料", Fuel),
        "registered_on": _day(r, "registered_on", "注册日期"),
        "retired_on": _day(r, "retired_on", "报废日期", required=False),
        "seats": _int(r, "seats", "座位数", required=False, high=1000),
        "tonnage": _quantised(_decimal(r, "tonnage", "吨位", required=False), 3),
    }
    if f["retired_on"] is not None and f["retired_on"] < f["registered_on"]:
        raise Bad("retired_on", "报废日期：早于注册日期", "retired_on: before registered_on")
    return f


def import_vehicles(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    require_write(actor, plan, Module.TRANSPORT)
    return _kept(
        plan,
        Module.TRANSPORT,
        lambda: _import(actor, plan, rows, Vehicle, "plate", _vehicle, "transport.vehicle", update=update),
    )


# --- charging sites -----------------------------------------------------------------------------------------
def _site(r: dict[str, str]) -> dict[str, Any]:
    f = {
        "site_id": _text(r, "site_id", "站点编号", max_len=40),
        "name": _text(r, "name", "站点名称"),
        "kind": _choice(r, "kind", "类型", SiteKind),
        "township": _text(r, "township", "乡镇", required=False, max_len=60),
        "chargers": _int(r, "chargers", "充电桩数", high=100000),
        "power_kw": _quantised(_decimal(r, "power_kw", "总功率", required=False), 2) or Decimal("0.00"),
        "commissioned_on": _day(r, "commissioned_on", "投运日期", required=False),
        "retired_on": _day(r, "retired_on", "停用日期", required=False),
    }
    if f["chargers"] and f["commissioned_on"] is None:
        raise Bad("commissioned_on", "投运日期：有充电桩时请填写", "commissioned_on: required where there are chargers")
    if f["retired_on"] and f["commissioned_on"] and f["retired_on"] < f["commissioned_on"]:
        raise Bad("retired_on", "停用日期：早于投运日期", "retired_on: before commissioned_on")
    return f


def import_chargers(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    require_write(actor, plan, Module.TRANSPORT)
    return _kept(
        plan,
        Module.TRANSPORT,
        lambda: _import(actor, plan, rows, ChargingSite, "site_id", _site, "transport.site", update=update),
    )


# --- gas storage facilities ---------------------------------------------------------------------------------
def _facility(r: dict[str, str]) -> dict[str, Any]:
    f = {
        "facility_id": _text(r, "facility_id", "设施编号", max_len=40),
        "operator": _text(r, "operator", "运营单位"),
        "capacity_m3": _quantised(_decimal(r, "capacity_m3", "工作储气量", positive=True), 6),
        "in_service_on": _day(r, "in_service_on", "投运日期"),
        "retired_on": _day(r, "retired_on", "停用日期", required=False),
        "leased": _bool(r, "leased", "租赁"),
    }
    if f["retired_on"] is not None and f["retired_on"] < f["in_service_on"]:
        raise Bad("retired_on", "停用日期：早于投运日期", "retired_on: before in_service_on")
    return f


def import_facilities(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    require_write(actor, plan, Module.GAS)
    return _kept(
        plan,
        Module.GAS,
        lambda: _import(actor, plan, rows, GasFacility, "facility_id", _facility, "gas.facility", update=update),
    )


# --- gas coverage -------------------------------------------------------------------------------------------
def import_coverage(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    require_write(actor, plan, Module.GAS)
    return _kept(plan, Module.GAS, lambda: _import_coverage(actor, plan, rows, update=update))


def _import_coverage(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    rep = Report()
    with transaction.atomic():
        seen: dict[tuple[int, str], int] = {}
        for n, r in rows:
            try:
                year = _int(r, "year", "年份", low=YEARS[0], high=YEARS[1])
                town = _text(r, "township", "乡镇", max_len=60)
                pop = _int(r, "population", "人口")
                cov = _int(r, "covered", "用气人口")
                if cov > pop:
                    raise Bad("covered", "用气人口：多于人口", "covered: more than the population")
            except Bad as b:
                rep.reject(n, b.field, b.zh, b.en)
                continue
            if (year, town) in seen:
                rep.reject(
                    n, "township", f"乡镇：与第 {seen[year, town]} 行重复", f"township: as line {seen[year, town]}"
                )
                continue
            seen[year, town] = n
            cur = GasCoverage.objects.filter(plan=plan, year=year, township=town).first()
            if cur is not None and (cur.population, cur.covered) == (pop, cov):
                rep.duplicates += 1
            elif cur is not None and not update:
                rep.reject(
                    n,
                    "township",
                    f"乡镇：{town} {year} 年已登记且数值不同，未覆盖",
                    f"township: {town} {year} stored with other values",
                )
            else:
                before = None if cur is None else {"population": cur.population, "covered": cur.covered}
                obj, _c = GasCoverage.objects.update_or_create(
                    plan=plan, year=year, township=town, defaults={"population": pop, "covered": cov}
                )
                record(actor, "gas.coverage.set", obj, before, {"population": pop, "covered": cov})
                rep.accepted += 1
    return rep


def set_gas_demand(actor: Any, plan: Any, year: int, m3: Any, source: str) -> GasDemand:
    """The year's natural-gas consumption entered by hand (used only where no inventory is approved)."""
    require_write(actor, plan, Module.GAS)
    issues = Issues()
    if not YEARS[0] <= year <= YEARS[1]:
        issues.add("out_of_range", "year", "年份：超出范围", "year: out of range")
    try:
        value = numbers.to_decimal(m3)
        if value <= 0:
            issues.add("not_positive", "m3", "天然气消费量：应为正数", "m3: must be positive")
    except numbers.NumberError:
        value = Decimal(0)
        issues.add("not_number", "m3", "天然气消费量：不是数值", "m3: not a number")
    source = (source or "").strip()
    if not source:
        issues.add("required", "source", "来源：请填写数据来源", "source: say where the figure comes from")
    elif len(source) > 200:
        issues.add("too_long", "source", "来源：最多 200 字", "source: at most 200 characters")
    issues.raise_if_errors()
    try:
        with approved_years_kept(plan, Module.GAS):
            cur = GasDemand.objects.filter(plan=plan, year=year).first()
            before = None if cur is None else {"demand_m3": str(cur.demand_m3), "source": cur.source}
            obj, _c = GasDemand.objects.update_or_create(
                plan=plan, year=year, defaults={"demand_m3": value.quantize(Decimal("0.000001")), "source": source}
            )
            record(actor, "gas.demand.set", obj, before, {"demand_m3": str(value), "source": source})
    except ApprovedYearChanged as e:
        raise ValidationFailed(e.issues) from e
    return obj


# --- operating vehicles -------------------------------------------------------------------------------------
def import_operators(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    """Energy by carrier and turnover per operator and year (a row per carrier; turnover on any row).

    Same contract as the registers: a row equal to what is stored (or to an earlier line) is a duplicate; the same
    operator, year and carrier with another quantity or unit, or a turnover other than the one given earlier in
    the file, is rejected naming the line; a stored quantity or turnover with another value is a conflict (not
    overwritten) unless ``update``. A stored turnover of 0 is "not given yet" and is filled in. Nothing is stored
    when the file would change an approved year (its own, or a later one whose reduction it is the base of)."""
    require_write(actor, plan, Module.TRANSPORT)
    return _kept(plan, Module.TRANSPORT, lambda: _import_operators(actor, plan, rows, update=update))


def _import_operators(actor: Any, plan: Any, rows: Rows, *, update: bool = False) -> Report:
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.core import units

    carriers = core_factor_set(default_factor_set(plan)).carriers
    rep = Report()
    energy_seen: dict[tuple[str, int, str], tuple[int, str, Decimal]] = {}
    turnover_seen: dict[tuple[str, int, str], tuple[int, Decimal]] = {}
    names = {"passenger_km": ("旅客周转量", "passenger_km"), "tonne_km": ("货物周转量", "tonne_km")}
    with transaction.atomic():
        for n, r in rows:
            try:
                op = _text(r, "operator", "运营单位")
                year = _int(r, "year", "年份", low=YEARS[0], high=YEARS[1])
                carrier = _text(r, "carrier", "能源品种", max_len=40)
                if carrier not in carriers:
                    raise Bad(
                        "carrier", f"能源品种：因子库中没有 {carrier}", f"carrier: {carrier!r} is not in the factor set"
                    )
                unit = _text(r, "unit", "单位", max_len=12)
                try:
                    units.parse_unit(unit)
                except Exception as e:
                    raise Bad("unit", f"单位：{unit} 无法识别", f"unit: {unit!r} is not a known unit") from e
                qty = _decimal(r, "quantity", "数量")
                turnover = {
                    "passenger_km": _decimal(r, "passenger_km", "旅客周转量", required=False),
                    "tonne_km": _decimal(r, "tonne_km", "货物周转量", required=False),
                }
                turnover = {k: v for k, v in turnover.items() if v is not None}
                # within the file
                ekey = (op, year, carrier)
                if ekey in energy_seen and energy_seen[ekey][1:] != (unit, qty):
                    line = energy_seen[ekey][0]
                    raise Bad(
                        "quantity",
                        f"数量：{op} {year} 年 {carrier} 与第 {line} 行重复但数值不同",
                        f"quantity: {op} {year} {carrier} as line {line} with another value",
                    )
                for k, v in turnover.items():
                    tk = (op, year, k)
                    if tk in turnover_seen and turnover_seen[tk][1] != v:
                        line = turnover_seen[tk][0]
                        raise Bad(
                            k,
                            f"{names[k][0]}：{op} {year} 年已在第 {line} 行填写且数值不同",
                            f"{k}: {op} {year} given on line {line} with another value",
                        )
                # against what is stored
                oy = OperatorYear.objects.filter(plan=plan, operator=op, year=year).first()
                cur = None if oy is None else OperatorEnergy.objects.filter(operator_year=oy, carrier=carrier).first()
                energy_changed = cur is None or (cur.unit, cur.quantity) != (unit, qty)
                turnover_changed = {k: v for k, v in turnover.items() if oy is None or getattr(oy, k) != v}
                if not update:
                    if cur is not None and energy_changed:
                        raise Bad(
                            "quantity",
                            f"数量：{op} {year} 年 {carrier} 已登记为 {figures.tidy(cur.quantity)} {cur.unit}，"
                            "内容不同，未覆盖；如需修改请勾选“更新已有”",
                            f"quantity: {op} {year} {carrier} is stored as {cur.quantity} {cur.unit}; "
                            "not overwritten (use --update)",
                        )
                    for k in turnover_changed:
                        stored = getattr(oy, k) if oy is not None else 0
                        if stored:
                            raise Bad(
                                k,
                                f"{names[k][0]}：{op} {year} 年已登记为 {figures.tidy(stored)}，内容不同，未覆盖；"
                                "如需修改请勾选“更新已有”",
                                f"{k}: {op} {year} is stored as {stored}; not overwritten (use --update)",
                            )
            except Bad as b:
                rep.reject(n, b.field, b.zh, b.en)
                continue
            energy_seen.setdefault(ekey, (n, unit, qty))
            for k, v in turnover.items():
                turnover_seen.setdefault((op, year, k), (n, v))
            if not energy_changed and not turnover_changed:
                rep.duplicates += 1
                continue
            if oy is None:
                oy = OperatorYear.objects.create(plan=plan, operator=op, year=year)
            before: dict[str, Any] = {k: str(getattr(oy, k)) for k in turnover_changed}
            if cur is not None and energy_changed:
                before.update({"carrier": carrier, "unit": cur.unit, "quantity": str(cur.quantity)})
            if turnover_changed:
                for k, v in turnover_changed.items():
                    setattr(oy, k, v)
                oy.save()
            if energy_changed:
                OperatorEnergy.objects.update_or_create(
                    operator_year=oy, carrier=carrier, defaults={"unit": unit, "quantity": qty}
                )
            after = {"carrier": carrier, "unit": unit, "quantity": str(qty)}
            after.update({k: str(v) for k, v in turnover_changed.items()})
            record(actor, "transport.operator.set", oy, before or None, after)
            rep.accepted += 1
    return rep


# --- reported figures and zones -----------------------------------------------------------------------------
def set_reported(actor: Any, plan: Any, year: int, kind: str, value: Any, source: str) -> ReportedFigure:
    require_write(actor, plan, Module.TRANSPORT)
    issues = Issues()
    if kind not in ReportedKind.values:
        issues.add("invalid", "kind", "指标：不是可选值", "kind: not a known figure")
    if not YEARS[0] <= year <= YEARS[1]:
        issues.add("out_of_range", "year", "年份：超出范围", "year: out of range")
    try:
        v = numbers.to_decimal(value)
    except numbers.NumberError:
        v = Decimal(0)
        issues.add("not_number", "value", "数值：不是数值", "value: not a number")
    # the share is a percentage 0–100 (35 means 35 %), the bikes a whole number
    if kind == ReportedKind.PUBLIC_TRANSPORT_SHARE and not Decimal(0) <= v <= Decimal(100):
        issues.add("out_of_range", "value", "数值：分担率按百分数填写，0 到 100", "value: a percentage from 0 to 100")
    if kind == ReportedKind.SHARED_BIKES and (v < 0 or v != v.to_integral_value()):
        issues.add("not_integer", "value", "数值：共享单车数应为非负整数", "value: a whole number of bikes ≥ 0")
    if not (source or "").strip():
        issues.add("required", "source", "来源：请填写", "source: required")
    issues.raise_if_errors()
    obj, _c = ReportedFigure.objects.update_or_create(
        plan=plan, year=year, kind=kind, defaults={"value": v, "source": source.strip()[:200]}
    )
    record(actor, "transport.reported.set", obj, None, {"kind": kind, "value": str(v), "source": source})
    return obj


def save_zone(actor: Any, plan: Any, kind: str, name: str, area: str, effective_on: Any, ends_on: Any = None) -> Zone:
    require_write(actor, plan, Module.GAS)
    issues = Issues()
    if kind not in ZoneKind.values:
        issues.add("invalid", "kind", "类型：请选择无煤区或禁燃区", "kind: no_coal or no_burn")
    if not (name or "").strip():
        issues.add("required", "name", "区域：请填写名称", "name: required")
    start = parse_day(str(effective_on or ""))
    end = parse_day(str(ends_on or "")) if ends_on else None
    if start is None:
        issues.add("required", "effective_on", "起始日期：请填写日期", "effective_on: a date is required")
    if end is not None and start is not None and end < start:
        issues.add("order", "ends_on", "截止日期：早于起始日期", "ends_on: before effective_on")
    issues.raise_if_errors()
    with transaction.atomic():
        obj, _c = Zone.objects.update_or_create(
            plan=plan,
            kind=kind,
            name=name.strip()[:100],
            defaults={"area": (area or "").strip()[:300], "effective_on": start, "ends_on": end},
        )
        record(actor, "gas.zone.save", obj, None, {"kind": kind, "name": name, "effective_on": str(start)})
    return obj


# --- approval -----------------------------------------------------------------------------------------------
def compute_feeds(plan: Any, module: str, year: int) -> tuple[list[feeds.Fed], dict[str, Any]]:
    """The figures a year of ``module`` feeds, and the figures themselves (for the page and the audit)."""
    out: list[feeds.Fed] = []
    if module == Module.TRANSPORT:
        f = figures.fleet(plan, year)
        c = figures.charging(plan, year)
        o = figures.operating(plan, year)
        clean = "、".join(str(Fuel(x).label) for x in f["clean_fuels"])
        if f["share"] is not None:
            out.append(
                feeds.Fed(
                    Indicator.NEW_BUS_CLEAN_SHARE,
                    year,
                    f["new_bus_clean_share_pct"] / 100,
                    f"{year}年车辆登记（已审定），新增公交车{f['new_buses']}辆中新能源及清洁能源（{clean}）"
                    f"{f['new_clean_buses']}辆，按北京时间注册日期计",
                )
            )
        if c["share"] is not None:
            out.append(
                feeds.Fed(
                    Indicator.SERVICE_AREA_CHARGING,
                    year,
                    c["service_area_charging_pct"] / 100,
                    f"{year}年充电站点登记（已审定），12月31日有在用充电桩的服务区{c['service_areas_with_chargers']}个"
                    f"÷服务区{c['service_areas']}个",
                )
            )
        cur = o["current"]
        if o["energy_reduction"] is not None:
            detail = (
                f"{year}年较{o['base_year']}年营运车辆数据（已审定），能耗/二氧化碳÷换算周转量（换算系数 "
                f"{o['tkm_per_pkm']}），因子库 {cur['factor_set']}"
            )
            out.append(feeds.Fed(Indicator.OPERATING_VEHICLE_ENERGY_REDUCTION, year, o["energy_reduction"], detail))
            out.append(feeds.Fed(Indicator.OPERATING_VEHICLE_CO2_REDUCTION, year, o["co2_reduction"], detail))
        figs = {"fleet": f, "charging": c, "operating": o}
    else:
        g = figures.gas_coverage(plan, year)
        s = figures.storage(plan, year)
        if g["share"] is not None:
            out.append(
                feeds.Fed(
                    Indicator.GASIFICATION_SHARE,
                    year,
                    g["share"],
                    f"{year}年燃气覆盖数据（已审定），用气人口{g['covered']}÷人口{g['population']}",
                )
            )
        if s["storage_days"] is not None:
            out.append(
                feeds.Fed(
                    Indicator.GAS_STORAGE_DAYS,
                    year,
                    s["storage_days"],
                    f"{year}年储气设施（已审定，含租赁），12月31日工作储气量{s['capacity_m3']}立方米÷"
                    f"（年用气量{s['annual_demand_m3']}立方米÷{s['days_in_year']}天）；用气量来源：{s['demand_source']}",
                )
            )
        figs = {"coverage": g, "storage": s}
    return out, figs


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    if isinstance(x, (Decimal, dt.date)):
        return str(x)
    return x


def approve_year(actor: Any, plan: Any, module: str, year: int) -> tuple[ModuleYear, list[str]]:
    """Approve a year of ``module``: its figures feed the targets that name them. Returns the year and what the
    targets could not hold (``skipped``)."""
    require_write(actor, plan, module)
    skipped: list[str] = []
    with transaction.atomic():
        _module_lock(plan, module)
        fed, figs = compute_feeds(plan, module, year)  # under the lock: what is stored when approving
        my, _c = ModuleYear.objects.select_for_update().get_or_create(plan=plan, module=module, year=year)
        before = {"status": my.status}
        my.status = YearStatus.APPROVED
        my.approved_by = actor if getattr(actor, "pk", None) and hasattr(actor, "username") else None
        my.approved_at = timezone.now()
        my.figures = _jsonable(figs)
        my.save()
        record(actor, f"{module}.year.approve", my, before, {"status": my.status, "year": year})
        feeds.feed(actor, plan, fed, skipped=skipped)
    return my, skipped


def reopen_year(actor: Any, plan: Any, module: str, year: int, reason: str) -> int:
    """Reopen an approved year: the values it fed are taken back (audited with the reason)."""
    require_write(actor, plan, module)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Issue("required", "reason", "原因：请填写重新打开的原因", "reason: required")])
    with transaction.atomic():
        _module_lock(plan, module)
        my = ModuleYear.objects.select_for_update().filter(plan=plan, module=module, year=year).first()
        if my is None or my.status != YearStatus.APPROVED:
            raise ValidationFailed([Issue("not_approved", "year", f"{year} 年尚未审定", f"{year} is not approved")])
        my.status = YearStatus.DRAFT
        my.save()
        record(
            actor, f"{module}.year.reopen", my, {"status": YearStatus.APPROVED}, {"status": my.status, "reason": reason}
        )
        return feeds.retract(actor, plan, INDICATORS[module], [year], reason)


def year_status(plan: Any, module: str, year: int) -> str:
    my = ModuleYear.objects.filter(plan=plan, module=module, year=year).first()
    return my.status if my else YearStatus.DRAFT
