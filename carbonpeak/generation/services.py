"""Changes to the generation-unit register: the file and API import (per-row report, idempotent, conflicts
refused unless an explicit update), the grid company's client scope, and the capacity feed to the plan's targets.

After every import, API batch or update that changed a unit, the year-end new-energy capacity of every year
from the first connection to this year is fed to the targets named ``new_energy_capacity`` (plan/feeds.py, in
MW = 万千瓦 × 10): an unchanged year changes nothing, a changed year is re-fed, and a year that no longer has any
unit (the first connection moved later) has its fed value retracted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from carbonpeak.audit.services import record
from carbonpeak.core import numbers
from carbonpeak.core.capacity import capacity_at, first_year
from carbonpeak.generation import fetch
from carbonpeak.generation.choices import TYPE_ALIASES, UnitType
from carbonpeak.generation.models import GridClient, Unit
from carbonpeak.generation.permissions import can_write
from carbonpeak.plan.choices import Indicator
from carbonpeak.plan.feeds import Fed, feed, retract
from carbonpeak.plan.models import IndicatorValue, Plan, Project
from carbonpeak.tabular import Report
from carbonpeak.tabular.times import BEIJING, parse_time

MAX_CAPACITY_MW = Decimal(10) ** 6
CAPACITY_DECIMALS = 4
EARLIEST = dt.date(1950, 1, 1)
LATEST = dt.date(2100, 12, 31)
OPTIONAL = ("retired_on", "project_code", "owner")
#: the stored fields an import compares and sets (project_code → project_id)
FIELDS = ("type", "township", "capacity_mw", "connected_on", "retired_on", "owner", "project_id")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(raw: Any) -> dt.date | None:
    """A Beijing date: ``2025-12-31`` (or ``2025/12/31``, ``2025年12月31日``); a time with an offset is read as
    the Beijing date it falls on (``2025-12-31T17:00:00Z`` is 1 January 2026 in Beijing)."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    text = str(raw or "").strip()
    m = _DATE.fullmatch(text)
    if m:
        try:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    else:
        t = parse_time(text, local=True)
        if t is None:
            return None
        d = t.astimezone(BEIJING).date()
    return d if EARLIEST <= d <= LATEST else None


def parse_type(raw: Any) -> str | None:
    text = str(raw or "").strip()
    if text.lower() in UnitType.values:
        return text.lower()
    return TYPE_ALIASES.get(text) or TYPE_ALIASES.get(text.lower())


def parse_capacity(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        v = numbers.parse_text(str(raw).strip(), bounded=False)
    except numbers.NumberError:
        return None
    if v <= 0 or v > MAX_CAPACITY_MW or v.as_tuple().exponent < -CAPACITY_DECIMALS:  # type: ignore[operator]
        return None
    return v


Problem = tuple[str, str, str]


def _row(r: dict[str, Any], projects: dict[str, Project]) -> tuple[str, dict[str, Any] | None, Problem | None]:
    """The unit id and the fields a row sets (optional columns only when present), or its first problem."""
    for k, v in r.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
            return (
                str(r.get("unit_id") or "")[:60],
                None,
                (
                    str(k)[:40],
                    f"{str(k)[:40]}：应为文字、数字或日期",
                    f"{str(k)[:40]}: a text, a number or a date",
                ),
            )
    uid = str(r.get("unit_id") or "").strip()
    if not uid:
        return uid, None, ("unit_id", "unit_id：请填写机组编号", "unit_id: required")
    if len(uid) > 60 or "\x00" in uid:
        return uid, None, ("unit_id", "unit_id：机组编号最多 60 个字符", "unit_id: at most 60 characters")
    kind = parse_type(r.get("type"))
    if kind is None:
        return (
            uid,
            None,
            (
                "type",
                f"type：类型 {str(r.get('type') or '')[:20]!r} 无效，"
                "应为光伏、风电、水电、生物质发电、垃圾焚烧发电或储能",
                "type: one of pv, wind, hydro, biomass, waste_to_energy, storage",
            ),
        )
    township = str(r.get("township") or "").strip()
    if not township or len(township) > 60:
        return uid, None, ("township", "township：请填写乡镇（最多 60 字）", "township: required, <= 60 characters")
    cap = parse_capacity(r.get("capacity_mw"))
    if cap is None:
        return (
            uid,
            None,
            (
                "capacity_mw",
                "capacity_mw：装机容量应为正数（兆瓦），最多 4 位小数，不超过 1000000",
                "capacity_mw: a positive number of MW, <= 4 decimals, <= 1000000",
            ),
        )
    on = parse_date(r.get("connected_on"))
    if on is None:
        return (
            uid,
            None,
            (
                "connected_on",
                "connected_on：并网日期应为日期，如 2025-06-30（北京时间）",
                "connected_on: a date such as 2025-06-30 (Beijing)",
            ),
        )
    fields: dict[str, Any] = {"type": kind, "township": township, "capacity_mw": cap, "connected_on": on}
    if "retired_on" in r:
        raw = str(r.get("retired_on") or "").strip()
        off = parse_date(raw) if raw else None
        if raw and off is None:
            return (
                uid,
                None,
                (
                    "retired_on",
                    "retired_on：退役日期应为日期，如 2030-12-31（北京时间）",
                    "retired_on: a date such as 2030-12-31 (Beijing)",
                ),
            )
        if off is not None and off <= on:
            return (
                uid,
                None,
                (
                    "retired_on",
                    "retired_on：退役日期须晚于并网日期",
                    "retired_on: the retirement date must be after the connection date",
                ),
            )
        fields["retired_on"] = off
    if "owner" in r:
        owner = str(r.get("owner") or "").strip()
        if len(owner) > 100:
            return uid, None, ("owner", "owner：业主最多 100 字", "owner: at most 100 characters")
        fields["owner"] = owner
    if "project_code" in r:
        code = str(r.get("project_code") or "").strip()
        project = projects.get(code) if code else None
        if code and project is None:
            return (
                uid,
                None,
                (
                    "project_code",
                    f"project_code：本县方案中没有编码为 {code[:20]!r} 的重大项目",
                    f"project_code: no project {code[:20]!r} in this county's plan",
                ),
            )
        fields["project_id"] = project.pk if project else None
    return uid, fields, None


def _audit(d: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit log keeps them: capacities with their 4 decimals, dates ISO."""

    def one(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v.quantize(Decimal("0.0001")))
        return v if v is None or isinstance(v, (bool, int, str)) else str(v)

    return {k: one(v) for k, v in d.items()}


def require_writer(actor: Any, plan: Plan) -> None:
    """The office, 发改局 and the grid company of the county, or its granted grid client; None is the command
    line (the operator of the installation)."""
    if actor is not None and not can_write(actor, plan):
        raise PermissionDenied


def import_units(actor: Any, plan: Plan, rows: Iterable[tuple[int, dict[str, Any]]], *, update: bool = False) -> Report:
    """Store the good rows, report the others. A unit id already registered with equal values is a duplicate;
    with other values a conflict (rejected naming its line) unless ``update`` (then changed, audited with before
    and after). Within one file the same id twice: equal rows are duplicates, different ones conflicts."""
    require_writer(actor, plan)
    rep = Report()
    rows = list(rows)
    projects = {p.code: p for p in Project.objects.filter(plan=plan)}
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    good: list[tuple[int, str, dict[str, Any]]] = []
    for n, r in rows:
        uid, fields, bad = _row(r, projects)
        if bad is not None or fields is None:
            rep.reject(n, *(bad or ("unit_id", "", "")))
            continue
        if uid in seen:
            if seen[uid][1] == fields:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "unit_id",
                    f"unit_id：与第 {seen[uid][0]} 行编号相同但内容不同",
                    f"unit_id: same id as line {seen[uid][0]}, different data",
                )
            continue
        seen[uid] = (n, fields)
        good.append((n, uid, fields))
    changed = False
    with transaction.atomic():
        existing = {
            u.unit_id: u for u in Unit.objects.select_for_update().filter(plan=plan, unit_id__in=[g[1] for g in good])
        }
        for n, uid, fields in good:
            u = existing.get(uid)
            if u is None:
                new = {"retired_on": None, "owner": "", "project_id": None, **fields}
                try:
                    with transaction.atomic():  # a savepoint: another import may have created it meanwhile
                        u = Unit.objects.create(plan=plan, unit_id=uid, **new)
                except IntegrityError:
                    u = Unit.objects.select_for_update().get(plan=plan, unit_id=uid)  # then compare as stored
                else:
                    record(actor, "generation_unit.create", u, None, _audit({"unit_id": uid, **new}))
                    rep.accepted += 1
                    changed = True
                    continue
            before = {k: getattr(u, k) for k in fields}
            if before == fields:
                rep.duplicates += 1
                continue
            differ = [k for k in fields if before[k] != fields[k]]
            if (
                fields.get("retired_on", u.retired_on) is not None
                and fields.get("retired_on", u.retired_on) <= fields["connected_on"]
            ):
                rep.reject(
                    n,
                    "retired_on",
                    "retired_on：已登记的退役日期不晚于新的并网日期",
                    "retired_on: the stored retirement date is not after the new connection date",
                )
                continue
            if not update:
                names = "、".join(str(Unit._meta.get_field(k).verbose_name) for k in differ)
                rep.reject(
                    n,
                    "unit_id",
                    f"unit_id：机组 {uid} 已登记，{names}与登记不同，未覆盖；确需修改请选择更新已登记机组（--update）",
                    f"unit_id: unit {uid} is registered with other values ({', '.join(differ)}); "
                    "not overwritten (use --update)",
                )
                continue
            for k, v in fields.items():
                setattr(u, k, v)
            u.save()
            record(
                actor,
                "generation_unit.update",
                u,
                _audit({k: before[k] for k in differ}),
                _audit({k: fields[k] for k in differ}),
            )
            rep.accepted += 1
            changed = True
        if changed:
            feed_capacity(actor, plan)
    return rep


# --- the capacity feed ----------------------------------------------------------------------------------------
FEED_REASON = "并网机组登记变化，该年已无在运新能源机组"


def capacity_detail(year: int, as_of: dt.date, cap_10k: Decimal, n: int) -> str:
    return (
        f"{year}年并网发电机组登记（{n}台），{as_of.isoformat()}及以前并网且未退役的新能源机组容量之和"
        f"（不含储能）{cap_10k}万千瓦，×10 折合兆瓦"
    )


def feed_capacity(actor: Any, plan: Plan, *, today: dt.date | None = None) -> dict[str, Any]:
    """Feed the year-end new-energy capacity (MW) from the first connection's year to this year (this year: as of
    today; units connected later are planned ones and not fed); retract the fed years before the first
    connection. Returns ``{"fed": [years written], "retracted": n, "skipped": [...]}``."""
    today = today or fetch.beijing_today()
    units = fetch.unit_rows(plan, connected_by=today)
    first = first_year(units)
    last = min(today.year, plan.last_year)
    years = list(range(first, last + 1)) if first is not None and first <= last else []
    figures = []
    for y in years:
        cap = capacity_at(units, y, as_of=min(dt.date(y, 12, 31), today))
        figures.append(
            Fed(
                Indicator.NEW_ENERGY_CAPACITY,
                y,
                cap.capacity_mw,
                capacity_detail(y, cap.as_of, cap.capacity_10k_kw, cap.units),
            )
        )
    skipped: list[str] = []
    with transaction.atomic():
        written = feed(actor, plan, figures, skipped=skipped)
        stale = set(
            IndicatorValue.objects.filter(
                target__plan=plan, target__indicator=Indicator.NEW_ENERGY_CAPACITY, source="module"
            )
            .exclude(year__in=years)
            .values_list("year", flat=True)
        )
        n = retract(actor, plan, [Indicator.NEW_ENERGY_CAPACITY], sorted(stale), FEED_REASON) if stale else 0
    return {"fed": sorted({v.year for v in written}), "retracted": n, "skipped": skipped}


# --- the grid company's client ----------------------------------------------------------------------------------
def set_grid_client(actor: Any, client: Any, allowed: bool = True) -> bool:
    """Allow (or stop) a machine client of role gateway to send its county's generation units, audited."""
    from carbonpeak.accounts.choices import READING_ROLES

    if client.role not in READING_ROLES:
        raise ValueError("only a gateway client may send generation units")
    if client.plan_id is None:
        raise ValueError("the client belongs to no county")
    with transaction.atomic():
        before = GridClient.objects.filter(client=client).exists()
        if allowed and not before:
            GridClient.objects.create(plan_id=client.plan_id, client=client)
        elif not allowed and before:
            GridClient.objects.filter(client=client).delete()
        if before != allowed:
            record(
                actor, "client.generation_scope", client, {"generation_units": before}, {"generation_units": allowed}
            )
    return allowed
