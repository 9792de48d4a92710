"""Every write of the building module: permission, validation, an atomic write and the audit record.

Imports follow the script contract (``tabular.Report``): per-row errors with line, field and message (zh / en),
the good rows kept; a row equal to the stored one is a duplicate; a row with the same key and other values is a
conflict, rejected naming its line, unless ``update`` is given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from carbonpeak.audit.services import actor_label, record
from carbonpeak.buildings import figures
from carbonpeak.buildings.choices import PUBLIC_OWNERSHIPS, BillSource, Ownership, StarLevel, Use, YearStatus
from carbonpeak.buildings.models import (
    Bill,
    Building,
    BuildingMeter,
    ChecklistItem,
    Completion,
    CompletionYear,
    EnergyBenchmark,
    InstitutionTarget,
    RooftopSetting,
)
from carbonpeak.buildings.permissions import require_institution_writer, require_registry_writer
from carbonpeak.core import numbers
from carbonpeak.plan.choices import Indicator
from carbonpeak.plan.feeds import Fed, feed, retract
from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report, split_ids
from carbonpeak.tabular.times import BEIJING, parse_time
from carbonpeak.validation import NOTE_MAX, Issue, Issues, ValidationFailed, require_text

Row = tuple[int, dict[str, str]]
TRUE = {"true", "1", "是", "yes", "y", "t"}
FALSE = {"false", "0", "否", "no", "n", "f"}
AREA_MAX = Decimal("1e11")
FED_INDICATORS = (Indicator.GREEN_BUILDING_SHARE, Indicator.PREFAB_BUILDING_SHARE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})(-01)?$")


# --- cell grammar ---------------------------------------------------------------------------------------------
def _choice(raw: str, choices: Any) -> str | None:
    """An English code or its Chinese label (as on the page) → the code."""
    raw = (raw or "").strip()
    for value, label in choices.choices:
        if raw.lower() == value or raw == str(label):
            return value
    return None


def _bool(raw: str) -> bool | None:
    s = (raw or "").strip().lower()
    return True if s in TRUE else False if s in FALSE else None


def _dec(raw: str, places: int, low: Decimal = Decimal(0), high: Decimal = AREA_MAX, strict: bool = True):
    try:
        v = numbers.parse_text((raw or "").strip())
    except numbers.NumberError:
        return None
    if (v <= low if strict else v < low) or v >= high or v.as_tuple().exponent < -places:  # type: ignore[operator]
        return None
    return v


def _int(raw: str, low: int, high: int) -> int | None:
    try:
        v = numbers.to_int((raw or "").strip())
    except numbers.NumberError:
        return None
    return v if low <= v <= high else None


def parse_date(raw: str) -> dt.date | None:
    """``2025-06-30``, or a time (with an offset, or Beijing time without) whose Beijing date is taken."""
    raw = (raw or "").strip()
    if _DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    t = parse_time(raw, local=True)
    return None if t is None else t.astimezone(BEIJING).date()


def parse_month(raw: str) -> dt.date | None:
    m = _MONTH.fullmatch((raw or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _text(r: dict[str, str], key: str, n: int, rep: Report, max_length: int, label: str) -> str | None:
    v = (r.get(key) or "").strip()
    if "\x00" in v or len(v) > max_length:
        rep.reject(n, key, f"{key}：{label}最多 {max_length} 字", f"{key}: at most {max_length} characters")
        return None
    return v


# --- the registry ---------------------------------------------------------------------------------------------
def _building_fields(n: int, r: dict[str, str], rep: Report) -> dict[str, Any] | None:
    f: dict[str, Any] = {}
    name = _text(r, "name", n, rep, 200, "名称")
    if name is None:
        return None
    if not name:
        rep.reject(n, "name", "name：请填写建筑名称", "name: the building's name is required")
        return None
    f["name"] = name
    township = _text(r, "township", n, rep, 60, "乡镇")
    if township is None:
        return None
    if not township:
        rep.reject(n, "township", "township：请填写乡镇（街道）", "township: required")
        return None
    f["township"] = township
    use = _choice(r.get("use", ""), Use)
    if use is None:
        raw_use = (r.get("use") or "").strip()[:40]
        rep.reject(n, "use", f"use：“{raw_use}”不是可选的建筑用途", f"use: “{raw_use}” is not one of the listed uses")
        return None
    f["use"] = use
    own = _choice(r.get("ownership", ""), Ownership)
    if own is None:
        rep.reject(n, "ownership", "ownership：不是可选的产权性质", "ownership: not one of the listed ownerships")
        return None
    f["ownership"] = own
    area = _dec(r.get("floor_area_m2", ""), 2)
    if area is None:
        rep.reject(
            n, "floor_area_m2", "floor_area_m2：建筑面积应为正数，最多 2 位小数", "floor_area_m2: > 0, 2 decimals"
        )
        return None
    f["floor_area_m2"] = area
    # optional columns: present → set (empty clears); absent → left as stored
    opt: list[tuple[str, Any, str, str]] = [
        ("floors", lambda s: _int(s, 1, 300), "层数应为 1–300 的整数", "1–300"),
        ("year_built", lambda s: _int(s, 1800, 2200), "建成年份应为 1800–2200", "a year"),
        ("star_certified_on", parse_date, "标识日期应为日期，如 2023-06-30", "a date"),
        (
            "assembly_rate_pct",
            lambda s: _dec(s, 2, Decimal(0), Decimal("100.0001"), strict=False),
            "装配率应为 0–100",
            "0–100",
        ),
        ("pv_kw", lambda s: _dec(s, 2, Decimal(0), AREA_MAX, strict=False), "光伏装机应为非负数", ">= 0"),
        ("roof_area_m2", lambda s: _dec(s, 2, Decimal(0), AREA_MAX, strict=False), "屋顶面积应为非负数", ">= 0"),
        ("occupants", lambda s: _int(s, 0, 10**7), "用能人数应为非负整数", "a whole number >= 0"),
    ]
    for key, parse, zh, en in opt:
        if key not in r:
            continue
        raw = (r.get(key) or "").strip()
        if not raw:
            f[key] = None
            continue
        v = parse(raw)
        if v is None:
            rep.reject(n, key, f"{key}：{zh}", f"{key}: {en}")
            return None
        f[key] = v
    if "assembly_rate_pct" in f:
        p = f.pop("assembly_rate_pct")
        f["assembly_rate"] = None if p is None else (p / 100).quantize(Decimal("0.0001"))
    for key, ml in (("address", 200), ("hvac", 100), ("star_certificate", 60)):
        if key in r:
            v = _text(r, key, n, rep, ml, "")
            if v is None:
                return None
            f[key] = v
    if "star_level" in r:
        raw = (r.get("star_level") or "").strip()
        lv = _choice(raw, StarLevel) if raw else StarLevel.NONE
        if lv is None:
            rep.reject(n, "star_level", "star_level：不是可选的绿色建筑等级", "star_level: not a listed level")
            return None
        f["star_level"] = lv
    if "prefab" in r:
        raw = (r.get("prefab") or "").strip()
        b = _bool(raw) if raw else False
        if b is None:
            rep.reject(n, "prefab", "prefab：应为 true/false 或 是/否", "prefab: true or false")
            return None
        f["prefab"] = b
    return f


def _import(
    actor: Any,
    plan: Plan,
    rows: Iterable[Row],
    rep: Report,
    *,
    key: str,
    parse,
    model,
    key_field: str,
    update: bool,
    action: str,
    guard=None,
    lock=None,
) -> Report:
    """The shared shape of a keyed import: within the file, the same key with the same values is a duplicate
    and with other values a conflict; against the store, equal → duplicate, different → conflict unless
    ``update``."""
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, r in rows:
        k = (r.get(key) or "").strip()
        if not k or len(k) > 60 or "\x00" in k:
            rep.reject(n, key, f"{key}：请填写编号（最多 60 字）", f"{key}: required, at most 60 characters")
            continue
        fields = parse(n, r, rep)
        if fields is None:
            continue
        if k in seen:
            if seen[k][1] == fields:
                rep.duplicates += 1
            else:
                rep.reject(
                    n, key, f"{key}：与第 {seen[k][0]} 行编号相同但内容不同", f"{key}: same id as line {seen[k][0]}"
                )
            continue
        seen[k] = (n, fields)
    with transaction.atomic():
        stored = {getattr(o, key_field): o for o in model.objects.filter(plan=plan, **{f"{key_field}__in": list(seen)})}
        if lock is not None:
            lock(stored, seen)
        for k, (n, fields) in seen.items():
            o = stored.get(k)
            if guard is not None:
                problem = guard(o, fields)
                if problem:
                    rep.reject(n, key, *problem)
                    continue
            if o is None:
                o = model.objects.create(plan=plan, **{key_field: k}, **fields)
                record(actor, f"{action}.create", o, None, _plain(fields))
                rep.accepted += 1
                continue
            before = {f: getattr(o, f) for f in fields}
            if before == fields:
                rep.duplicates += 1
                continue
            if not update:
                changed = "、".join(f for f in fields if before[f] != fields[f])
                rep.reject(
                    n,
                    key,
                    f"{key}：{k} 已登记且内容不同（{changed}）；确认修改请使用更新",
                    f"{key}: {k} is stored with other values ({changed}); use --update to change it",
                )
                continue
            for f, v in fields.items():
                setattr(o, f, v)
            o.save()
            record(actor, f"{action}.update", o, _plain(before), _plain(fields))
            rep.accepted += 1
    return rep


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v) for k, v in d.items()
    }


def import_buildings(actor: Any, plan: Plan, rows: Iterable[Row], update: bool = False) -> Report:
    require_registry_writer(actor, plan)
    return _import(
        actor,
        plan,
        rows,
        Report(),
        key="building_id",
        parse=_building_fields,
        model=Building,
        key_field="building_id",
        update=update,
        action="building",
    )


# --- completions ----------------------------------------------------------------------------------------------
def _completion_fields(n: int, r: dict[str, str], rep: Report) -> dict[str, Any] | None:
    d = parse_date(r.get("completed_on", ""))
    if d is None or not 1900 <= d.year <= 2200:
        rep.reject(
            n,
            "completed_on",
            "completed_on：应为日期（2025-06-30）或带时区的时间",
            "completed_on: a date (2025-06-30) or a time with an offset",
        )
        return None
    area = _dec(r.get("floor_area_m2", ""), 2)
    if area is None:
        rep.reject(
            n, "floor_area_m2", "floor_area_m2：竣工面积应为正数，最多 2 位小数", "floor_area_m2: > 0, 2 decimals"
        )
        return None
    civil = _bool(r.get("civil", ""))
    if civil is None:
        rep.reject(n, "civil", "civil：应为 true（民用）或 false（工业）", "civil: true (civil) or false (industrial)")
        return None
    level = (r.get("green_level") or "").strip().lower()
    if level not in StarLevel.values:
        rep.reject(
            n,
            "green_level",
            "green_level：应为 none、basic、one_star、two_star 或 three_star",
            "green_level: none|basic|one_star|two_star|three_star",
        )
        return None
    prefab = _bool(r.get("prefab", ""))
    if prefab is None:
        rep.reject(n, "prefab", "prefab：应为 true 或 false", "prefab: true or false")
        return None
    f: dict[str, Any] = {
        "completed_on": d,
        "floor_area_m2": area,
        "civil": civil,
        "green_level": level,
        "prefab": prefab,
    }
    for key, ml in (("permit_no", 60), ("building_ids", 300)):
        if key in r:
            v = _text(r, key, n, rep, ml, "")
            if v is None:
                return None
            f[key] = v
    if "permit_on" in r:  # present → set (empty clears); absent → left as stored
        raw = (r.get("permit_on") or "").strip()
        permit = parse_date(raw) if raw else None
        if raw and (permit is None or permit > d):
            rep.reject(
                n,
                "permit_on",
                "permit_on：施工许可日期应为日期（如 2023-05-10），且不晚于竣工验收日期",
                "permit_on: a date (2023-05-10) not after the completion date",
            )
            return None
        f["permit_on"] = permit
    return f


def approved_years(plan: Plan) -> set[int]:
    return set(CompletionYear.objects.filter(plan=plan, status=YearStatus.APPROVED).values_list("year", flat=True))


def import_completions(actor: Any, plan: Plan, rows: Iterable[Row], update: bool = False) -> Report:
    """Rows of an approved year are refused (reopen it first). The years a file touches are locked (their
    ``CompletionYear`` rows, made if missing) before the check, so an approval running at the same time either
    sees this import's rows or refuses them: never an approved year that misses a row."""
    require_registry_writer(actor, plan)
    locked: set[int] = set()
    registry = set(Building.objects.filter(plan=plan).values_list("building_id", flat=True))

    def parse(n: int, r: dict[str, str], rep: Report) -> dict[str, Any] | None:
        f = _completion_fields(n, r, rep)
        # the buildings a completion names must be in the county's registry (a typo would tie the area to nothing)
        for bid in split_ids((f or {}).get("building_ids")):
            if bid not in registry:
                rep.reject(
                    n,
                    "building_ids",
                    f"building_ids：建筑编号 {bid} 不在本县建筑名录中，请先导入该建筑或改正编号",
                    f"building_ids: {bid} is not in the county's building registry",
                )
                return None
        return f

    def lock(stored, seen):
        years = {f["completed_on"].year for _, f in seen.values()} | {o.completed_on.year for o in stored.values()}
        for y in sorted(years):
            row = _year_row(plan, y)
            if row.status == YearStatus.APPROVED:
                locked.add(y)

    def guard(o, fields):
        years = {fields["completed_on"].year} | ({o.completed_on.year} if o is not None else set())
        if o is not None and all(getattr(o, f) == v for f, v in fields.items()):
            return None  # an unchanged row of an approved year is a duplicate
        hit = sorted(years & locked)
        if hit:
            return (
                f"project_id：{hit[0]} 年的竣工数据已审定，请先退回该年",
                f"project_id: the completions of {hit[0]} are approved; reopen the year first",
            )
        return None

    return _import(
        actor,
        plan,
        rows,
        Report(),
        key="project_id",
        parse=parse,
        model=Completion,
        key_field="project_id",
        update=update,
        action="completion",
        guard=guard,
        lock=lock,
    )


def _year_row(plan: Plan, year: int) -> CompletionYear:
    """The year's row, locked until the transaction ends (made as a draft if missing; a concurrent maker's row
    is read instead)."""
    try:
        with transaction.atomic():
            return CompletionYear.objects.select_for_update().get_or_create(plan=plan, year=year)[0]
    except IntegrityError:
        return CompletionYear.objects.select_for_update().get(plan=plan, year=year)


def approve_year(actor: Any, plan: Plan, year: int) -> dict[str, Any]:
    """Freeze the year's shares and feed them to the plan's targets (fraction = pct ÷ 100). A share that
    cannot be computed (no area) feeds nothing and is named in the audit record."""
    require_registry_writer(actor, plan)
    with transaction.atomic():
        y = _year_row(plan, year)
        if y.status == YearStatus.APPROVED:
            raise ValidationFailed([Issue("approved", "year", f"{year} 年已审定", f"{year} is already approved")])
        res = figures.shares(plan, year)
        if res["civil_completed_m2"] == "0.00" and res["new_building_m2"] == "0.00":
            raise ValidationFailed(
                [Issue("empty", "year", f"{year} 年没有竣工记录，不能审定", f"{year} has no completions to approve")]
            )
        before = {"status": y.status}
        y.status = YearStatus.APPROVED
        y.results = res
        y.approved_by_label = actor_label(actor)
        y.approved_at = timezone.now()
        y.reopen_reason = ""
        y.save()
        record(actor, "building_completions.approve", y, before, {"status": y.status, "results": res})
        fed = []
        for ind, k, what in (
            (Indicator.GREEN_BUILDING_SHARE, "green_building_share_pct", "绿色建筑竣工面积÷民用建筑竣工面积"),
            (Indicator.PREFAB_BUILDING_SHARE, "prefab_share_pct", "装配式建筑竣工面积÷全部竣工面积"),
        ):
            if res[k] is None:
                continue
            fed.append(
                Fed(
                    str(ind),
                    year,
                    Decimal(res[k]) / 100,
                    f"{year}年竣工验收数据（住建局，已审定），{what}，按北京时间竣工日期计年",
                )
            )
        skipped: list[str] = []
        written = feed(actor, plan, fed, skipped=skipped)
        if skipped or len(fed) < 2:
            record(actor, "building_completions.feed_skipped", y, None, {"skipped": skipped, "checks": res["checks"]})
    return {"results": res, "fed": len(written)}


def reopen_year(actor: Any, plan: Plan, year: int, reason: str) -> int:
    require_registry_writer(actor, plan)
    reason = require_text(reason, "reason", max_length=NOTE_MAX).strip()
    if not reason:
        raise ValidationFailed(
            [Issue("required", "reason", "reason：请说明退回原因", "reason: say why the year is reopened")]
        )
    with transaction.atomic():
        y = _year_row(plan, year)
        if y.status != YearStatus.APPROVED:
            raise ValidationFailed([Issue("not_approved", "year", f"{year} 年未审定", f"{year} is not approved")])
        y.status = YearStatus.REOPENED
        y.reopen_reason = reason
        y.save()
        record(
            actor,
            "building_completions.reopen",
            y,
            {"status": YearStatus.APPROVED},
            {"status": y.status, "reason": reason},
        )
        return retract(actor, plan, [str(i) for i in FED_INDICATORS], [year], f"{year}年竣工数据已退回：{reason}")


# --- bills ----------------------------------------------------------------------------------------------------
def import_bills(
    actor: Any, plan: Plan, rows: Iterable[Row], update: bool = False, source: str = BillSource.IMPORTED
) -> Report:
    require_registry_writer(actor, plan)
    rep = Report()
    buildings = {b.building_id: b for b in Building.objects.filter(plan=plan)}
    seen: dict[tuple[str, dt.date, str], tuple[int, dict[str, Any]]] = {}
    for n, r in rows:
        bid = (r.get("building_id") or "").strip()
        b = buildings.get(bid)
        if b is None:
            rep.reject(
                n,
                "building_id",
                f"building_id：未登记的建筑“{bid[:60]}”",
                f"building_id: “{bid[:60]}” is not a registered building",
            )
            continue
        month = parse_month(r.get("month", ""))
        if month is None:
            rep.reject(n, "month", "month：应为月份，如 2025-03", "month: a month such as 2025-03")
            continue
        carrier = (r.get("carrier") or "").strip()
        unit = (r.get("unit") or "").strip()
        if not re.fullmatch(r"[a-z0-9_]{1,40}", carrier):
            rep.reject(n, "carrier", "carrier：应为品种代码，如 electricity", "carrier: a carrier code")
            continue
        if unit not in figures.UNITS:
            rep.reject(n, "unit", "unit：不是可用的单位", "unit: not an accepted unit")
            continue
        q = _dec(r.get("quantity", ""), 6, Decimal(0), Decimal("1e15"), strict=False)
        if q is None:
            rep.reject(n, "quantity", "quantity：应为非负数，最多 6 位小数", "quantity: >= 0, at most 6 decimals")
            continue
        k = (bid, month, carrier)
        fields = {"unit": unit, "quantity": q}
        if k in seen:
            if seen[k][1] == fields:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "quantity",
                    f"quantity：与第 {seen[k][0]} 行重复但数值不同",
                    f"quantity: differs from line {seen[k][0]}",
                )
            continue
        seen[k] = (n, fields)
    with transaction.atomic():
        for (bid, month, carrier), (n, fields) in seen.items():
            b = buildings[bid]
            o = Bill.objects.filter(building=b, month=month, carrier=carrier).first()
            if o is None:
                o = Bill.objects.create(plan=plan, building=b, month=month, carrier=carrier, source=source, **fields)
                record(actor, "building_bill.create", o, None, _plain({"month": month, "carrier": carrier, **fields}))
                rep.accepted += 1
            elif o.unit == fields["unit"] and o.quantity == fields["quantity"]:
                rep.duplicates += 1
            elif not update:
                rep.reject(
                    n,
                    "quantity",
                    f"quantity：{bid} {month:%Y-%m} {carrier} 已有不同数值（{o.quantity} {o.unit}）；"
                    "确认修改请使用更新",
                    "quantity: a different value is stored; use --update to change it",
                )
            else:
                before = {"unit": o.unit, "quantity": o.quantity}
                o.unit, o.quantity, o.source = fields["unit"], fields["quantity"], source
                o.save()
                record(actor, "building_bill.update", o, _plain(before), _plain(fields))
                rep.accepted += 1
    return rep


# --- meters ---------------------------------------------------------------------------------------------------
def link_meter(actor: Any, building: Building, meter) -> BuildingMeter:
    """Attach an enterprise-app meter (of the unit running the building, same county) to the building."""
    require_registry_writer(actor, building.plan)
    if meter.enterprise.plan_id != building.plan_id:
        raise ValidationFailed(
            [Issue("other_county", "meter", "meter：计量器具不属于本县", "meter: of another county")]
        )
    with transaction.atomic():
        link, created = BuildingMeter.objects.get_or_create(
            meter=meter, defaults={"plan": building.plan, "building": building}
        )
        if not created and link.building_id != building.pk:
            raise ValidationFailed(
                [
                    Issue(
                        "linked",
                        "meter",
                        "meter：该计量器具已属于另一栋建筑",
                        "meter: already measures another building",
                    )
                ]
            )
        if created:
            record(actor, "building_meter.link", building, None, {"meter": meter.meter_code})
    return link


# --- settings: benchmarks, 机关事务 targets, rooftop, checklist -------------------------------------------------
def _required_decimal(raw: Any, field: str, issues: Issues, places: int, zh: str) -> Decimal | None:
    v = _dec(str(raw if raw is not None else ""), places, Decimal(0), Decimal("1e8"))
    if v is None:
        issues.add("invalid", field, f"{field}：{zh}应为正数，最多 {places} 位小数", f"{field}: > 0, {places} decimals")
    return v


def _source(raw: Any, issues: Issues) -> str:
    s = str(raw or "").strip()
    if not s or len(s) > 200 or "\x00" in s:
        issues.add("required", "source", "source：请填写来源（文件名称或文号，最多 200 字）", "source: required")
    return s


def set_benchmark(actor: Any, plan: Plan, use: str, year: Any, guide: Any, limit: Any, source: Any) -> EnergyBenchmark:
    require_registry_writer(actor, plan)
    issues = Issues()
    u = _choice(str(use or ""), Use)
    if u is None:
        issues.add("invalid", "use", "use：不是可选的建筑用途", "use: not a listed use")
    y = _int(str(year or ""), 2000, 2200)
    if y is None:
        issues.add("invalid", "year", "year：应为年份", "year: a year")
    g = _required_decimal(guide, "guide_kgce_per_m2", issues, 4, "引导值")
    lim = _required_decimal(limit, "limit_kgce_per_m2", issues, 4, "约束值")
    src = _source(source, issues)
    if g is not None and lim is not None and lim < g:
        issues.add("order", "limit_kgce_per_m2", "约束值不能小于引导值", "limit_kgce_per_m2: below the guide value")
    issues.raise_if_errors()
    with transaction.atomic():
        o, created = EnergyBenchmark.objects.update_or_create(
            plan=plan, use=u, year=y, defaults={"guide_kgce_per_m2": g, "limit_kgce_per_m2": lim, "source": src}
        )
        record(
            actor,
            "building_benchmark.set",
            o,
            None,
            _plain({"use": u, "year": y, "guide": g, "limit": lim, "source": src}),
        )
    return o


def set_institution_target(
    actor: Any, plan: Plan, year: Any, per_capita: Any, per_m2: Any, source: Any
) -> InstitutionTarget:
    require_institution_writer(actor, plan)
    issues = Issues()
    y = _int(str(year or ""), 2000, 2200)
    if y is None:
        issues.add("invalid", "year", "year：应为年份", "year: a year")
    pc = _required_decimal(per_capita, "kgce_per_capita", issues, 4, "人均能耗目标")
    pm = _required_decimal(per_m2, "kgce_per_m2", issues, 4, "单位面积能耗目标")
    src = _source(source, issues)
    issues.raise_if_errors()
    with transaction.atomic():
        o, _ = InstitutionTarget.objects.update_or_create(
            plan=plan, year=y, defaults={"kgce_per_capita": pc, "kgce_per_m2": pm, "source": src}
        )
        record(
            actor, "institution_target.set", o, None, _plain({"year": y, "per_capita": pc, "per_m2": pm, "source": src})
        )
    return o


def set_rooftop(actor: Any, plan: Plan, usable_share_pct: Any, kw_per_m2: Any, source: Any) -> RooftopSetting:
    require_registry_writer(actor, plan)
    issues = Issues()
    share = _dec(str(usable_share_pct or ""), 2, Decimal(0), Decimal("100.0001"))
    if share is None:
        issues.add("invalid", "usable_share", "可利用比例应为 0–100（%）", "usable_share: a percent in (0, 100]")
    kw = _required_decimal(kw_per_m2, "kw_per_m2", issues, 4, "单位面积装机")
    src = _source(source, issues)
    issues.raise_if_errors()
    with transaction.atomic():
        o, _ = RooftopSetting.objects.update_or_create(
            plan=plan,
            defaults={"usable_share": (share / 100).quantize(Decimal("0.0001")), "kw_per_m2": kw, "source": src},
        )
        record(
            actor, "rooftop_setting.set", o, None, _plain({"usable_share_pct": share, "kw_per_m2": kw, "source": src})
        )
    return o


def set_checklist_item(
    actor: Any, building: Building, year: Any, item: Any, done: bool, evidence: Any = ""
) -> ChecklistItem:
    require_institution_writer(actor, building.plan)
    issues = Issues()
    if building.ownership not in PUBLIC_OWNERSHIPS:
        issues.add(
            "not_public", "building", "节约型机关清单只适用于公共机构的建筑", "building: not a public institution's"
        )
    y = _int(str(year or ""), 2000, 2200)
    if y is None:
        issues.add("invalid", "year", "year：应为年份", "year: a year")
    it = str(item or "").strip()
    if not it or len(it) > 200 or "\x00" in it:
        issues.add("required", "item", "item：请填写事项（最多 200 字）", "item: required, at most 200 characters")
    ev = str(evidence or "").strip()
    if len(ev) > 300 or "\x00" in ev:
        issues.add("too_long", "evidence", "evidence：最多 300 字", "evidence: at most 300 characters")
    issues.raise_if_errors()
    with transaction.atomic():
        o, _ = ChecklistItem.objects.update_or_create(
            plan=building.plan, building=building, year=y, item=it, defaults={"done": bool(done), "evidence": ev}
        )
        record(actor, "saving_checklist.set", o, None, {"year": y, "item": it, "done": bool(done), "evidence": ev})
    return o
