"""Construction-waste imports (the script contract) and the GPS ingest shared with the machine API.

Every import validates each row, stores the good ones and reports the rest with line, field and message; a
re-run of the same file changes nothing (rows equal to what is stored count as duplicates). A row with the key
of a stored record (or of an earlier line) but other values is a conflict, rejected naming the line, never
overwritten, except for the registers (sites, carriers, vehicles, destinations, permits) with ``update=True``
(a renewed licence), which change the record with audit. Manifests, receipts and GPS points are never updated.

Only the office and the 城管局 (and the 住建局) of the county write (``permissions.require_write``). The
registers are audited per row; manifests and receipts, which come by the thousand, per import (the ids
accepted); GPS points are not audited per row (the import is, with its counts).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carbonpeak.audit.services import record
from carbonpeak.core import numbers
from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report, split_ids
from carbonpeak.tabular.times import BEIJING, parse_time
from carbonpeak.waste import permissions
from carbonpeak.waste.choices import Category, ClientKind, DestinationKind
from carbonpeak.waste.models import (
    Carrier,
    ClientScope,
    Destination,
    GpsPoint,
    Manifest,
    Permit,
    Receipt,
    Site,
    Vehicle,
)

Rows = Iterable[tuple[int, dict[str, str]]]
Problem = tuple[str, str, str]  # field, zh, en
MAX_TONNES = Decimal(10) ** 9
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_TOLERANCE = dt.timedelta(days=1)
REGISTERS = ("sites", "carriers", "vehicles", "destinations", "permits")
KINDS = (*REGISTERS, "manifests", "receipts", "gps")
AUDIT_IDS = 500  # a manifests/receipts import's audit entry lists at most this many ids

CATEGORY_NAMES = {**{c.value: c.value for c in Category}, **{str(c.label): c.value for c in Category}}
KIND_NAMES = {**{k.value: k.value for k in DestinationKind}, **{str(k.label): k.value for k in DestinationKind}}
KIND_NAMES.update({"消纳场所": "landfill", "资源化利用": "recycling", "再生利用厂": "recycling"})


# --- cell grammar ---------------------------------------------------------------------------------------------
def _text(r: dict[str, str], key: str, label: str, max_len: int, required: bool = True) -> str | Problem:
    v = (r.get(key) or "").strip()
    if required and not v:
        return key, f"{key}：请填写{label}", f"{key}: required"
    if len(v) > max_len:
        return key, f"{key}：{label}最多 {max_len} 个字", f"{key}: at most {max_len} characters"
    if any(ch in v for ch in "\t\n\r\\") or any(ord(ch) < 32 for ch in v):
        return key, f"{key}：{label}含有制表符、换行或反斜杠", f"{key}: tabs, line breaks or backslashes"
    return v


def _tonnes(r: dict[str, str], key: str, label: str) -> Decimal | Problem:
    raw = (r.get(key) or "").strip()
    try:
        d = numbers.parse_text(raw, bounded=False)
    except numbers.NumberError:
        d = None
    if d is None or not d.is_finite() or d < 0 or d >= MAX_TONNES or d.as_tuple().exponent < -3:  # type: ignore[operator]
        return (
            key,
            f"{key}：{label}应为非负数，最多 3 位小数，如 16.5",
            f"{key}: a non-negative number with at most 3 decimals, e.g. 16.5",
        )
    return d


def _date(r: dict[str, str], key: str, label: str) -> dt.date | Problem:
    raw = (r.get(key) or "").strip()
    try:
        if len(raw) != 10:
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        return key, f"{key}：{label}应为日期，如 2026-12-31", f"{key}: a date YYYY-MM-DD"


def _time(r: dict[str, str], key: str, label: str, local: bool = True) -> dt.datetime | Problem:
    t = parse_time(r.get(key) or "", local=local)
    if t is None:
        return (
            key,
            f"{key}：{label}应为时间，如 2026-03-02 08:15（北京时间）或 2026-03-02T08:15:00+08:00",
            f"{key}: a time, e.g. 2026-03-02 08:15 (Beijing time) or 2026-03-02T08:15:00+08:00",
        )
    if t < EARLIEST or t > timezone.now() + FUTURE_TOLERANCE:
        return key, f"{key}：{label}不能晚于当前时间或早于 2000 年", f"{key}: cannot lie in the future or before 2000"
    return t


def _coord(r: dict[str, str], key: str, low: int, high: int, decimals: int | None = 6) -> Decimal | None | Problem:
    raw = (r.get(key) or "").strip()
    if not raw:
        return None
    try:
        d = numbers.parse_text(raw, bounded=False)
    except numbers.NumberError:
        d = None
    if (
        d is None
        or not d.is_finite()
        or not (low <= d <= high)
        or (
            decimals is not None and d.as_tuple().exponent < -decimals  # type: ignore[operator]
        )
    ):
        return (
            key,
            f"{key}：应为 {low} 到 {high} 之间的十进制度数" + (f"，最多 {decimals} 位小数" if decimals else ""),
            f"{key}: decimal degrees between {low} and {high}" + (f", <= {decimals} decimals" if decimals else ""),
        )
    return d


def _category(raw: str) -> str | None:
    return CATEGORY_NAMES.get((raw or "").strip().lower()) or CATEGORY_NAMES.get((raw or "").strip())


def _problem(v: Any) -> bool:
    return isinstance(v, tuple)


def _coords(r: dict[str, str], fields: dict[str, Any]) -> Problem | None:
    """The optional lat/lon columns: both or neither."""
    lat = _coord(r, "lat", -90, 90)
    lon = _coord(r, "lon", -180, 180)
    for v in (lat, lon):
        if _problem(v):
            return v  # type: ignore[return-value]
    if (lat is None) != (lon is None):
        return "lat", "lat/lon：纬度和经度应同时填写", "lat/lon: give both or neither"
    if "lat" in r or "lon" in r:
        fields["lat"], fields["lon"] = lat, lon
    return None


# --- the parsers of each kind: (key, fields) or a problem -------------------------------------------------------
class Context:
    """What a file's rows refer to, looked up once per import (in the county only)."""

    def __init__(self, plan: Plan, rows: list[tuple[int, dict[str, str]]], kind: str):
        self.plan = plan
        col = {r.get(k, "").strip() for _, r in rows for k in ("carrier_id",)}
        if kind == "vehicles":
            self.carriers = {c.carrier_id: c for c in Carrier.objects.filter(plan=plan, carrier_id__in=col)}
        if kind == "permits":
            self.sites = {s.site_id: s for s in Site.objects.filter(plan=plan)}
            self.carriers = {c.carrier_id: c for c in Carrier.objects.filter(plan=plan)}
            self.destinations = {d.destination_id: d for d in Destination.objects.filter(plan=plan)}
        if kind == "manifests":
            self.permits: dict[tuple[str, str], Permit] = {
                (p.permit_id, p.category): p for p in Permit.objects.filter(plan=plan)
            }
            self.permit_ids = {k[0] for k in self.permits}
            self.vehicles = {v.plate: v for v in Vehicle.objects.filter(plan=plan)}
            self.destinations = {d.destination_id: d for d in Destination.objects.filter(plan=plan)}
        if kind == "receipts":
            ids = {(r.get("manifest_id") or "").strip() for _, r in rows}
            self.manifests = {
                m.manifest_id: m
                for m in Manifest.objects.filter(plan=plan, manifest_id__in=ids).only(
                    "pk", "manifest_id", "departed_at"
                )
            }
            self.destinations = {d.destination_id: d for d in Destination.objects.filter(plan=plan)}


def _parse_site(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    fields: dict[str, Any] = {}
    key = _text(r, "site_id", "工地编号", 60)
    if _problem(key):
        return key  # type: ignore[return-value]
    for col, label, n, req in (
        ("name", "项目名称", 200, True),
        ("township", "乡镇", 60, False),
        ("builder", "施工单位", 200, False),
        ("permit_no", "施工许可证号", 100, False),
        ("address", "地址", 200, False),
    ):
        if col in r or req:
            v = _text(r, col, label, n, req)
            if _problem(v):
                return v  # type: ignore[return-value]
            fields[col] = v
    bad = _coords(r, fields)
    return bad if bad else (key, fields)  # type: ignore[return-value]


def _parse_carrier(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    key = _text(r, "carrier_id", "运输企业编号", 60)
    if _problem(key):
        return key  # type: ignore[return-value]
    fields: dict[str, Any] = {}
    for col, label, n in (("name", "企业名称", 200), ("licence_no", "运输许可证号", 100)):
        v = _text(r, col, label, n)
        if _problem(v):
            return v  # type: ignore[return-value]
        fields[col] = v
    d = _date(r, "licence_valid_until", "许可有效期")
    if _problem(d):
        return d  # type: ignore[return-value]
    fields["licence_valid_until"] = d
    return key, fields  # type: ignore[return-value]


def _parse_vehicle(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    key = _text(r, "plate", "车牌号", 20)
    if _problem(key):
        return key  # type: ignore[return-value]
    cid = (r.get("carrier_id") or "").strip()
    carrier = ctx.carriers.get(cid)
    if carrier is None:
        return (
            "carrier_id",
            f"carrier_id：未登记的运输企业 {cid}（先导入运输企业）",
            f"carrier_id: no carrier {cid} registered (import carriers first)",
        )
    cap = _tonnes(r, "capacity_t", "核定载重")
    if _problem(cap):
        return cap  # type: ignore[return-value]
    if cap == 0:
        return "capacity_t", "capacity_t：核定载重应大于 0", "capacity_t: must be positive"
    return str(key).upper(), {"carrier_id": carrier.pk, "capacity_t": cap}


def _parse_destination(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    key = _text(r, "destination_id", "处置场所编号", 60)
    if _problem(key):
        return key  # type: ignore[return-value]
    name = _text(r, "name", "名称", 200)
    if _problem(name):
        return name  # type: ignore[return-value]
    raw = (r.get("kind") or "").strip()
    kind = KIND_NAMES.get(raw.lower()) or KIND_NAMES.get(raw)
    if kind is None:
        return (
            "kind",
            f"kind：类型 {raw!r} 无效，应为消纳场、资源化利用厂或中转站",
            f"kind: {raw!r} is not one of landfill, recycling, transfer",
        )
    cap = _tonnes(r, "capacity_t_per_year", "核准处置能力")
    if _problem(cap):
        return cap  # type: ignore[return-value]
    fields: dict[str, Any] = {"name": name, "kind": kind, "capacity_t_per_year": cap}
    bad = _coords(r, fields)
    return bad if bad else (key, fields)  # type: ignore[return-value]


def _parse_permit(r: dict[str, str], ctx: Context) -> tuple[Any, dict[str, Any]] | Problem:
    pid = _text(r, "permit_id", "核准编号", 60)
    if _problem(pid):
        return pid  # type: ignore[return-value]
    sid = (r.get("site_id") or "").strip()
    site = ctx.sites.get(sid)
    if site is None:
        return "site_id", f"site_id：未登记的工地 {sid}（先导入工地）", f"site_id: no site {sid} registered"
    cat = _category(r.get("category") or "")
    if cat is None:
        return (
            "category",
            f"category：类别 {r.get('category')!r} 无效，应为工程渣土、工程泥浆、工程垃圾、拆除垃圾或装修垃圾",
            "category: one of soil, slurry, construction, demolition, decoration",
        )
    qty = _tonnes(r, "permitted_t", "核准量")
    if _problem(qty):
        return qty  # type: ignore[return-value]
    start, end = _date(r, "valid_from", "有效期起"), _date(r, "valid_until", "有效期止")
    for d in (start, end):
        if _problem(d):
            return d  # type: ignore[return-value]
    if end < start:  # type: ignore[operator]
        return "valid_until", "valid_until：有效期止早于有效期起", "valid_until: before valid_from"
    carriers, dests = split_ids(r.get("carrier_ids")), split_ids(r.get("destination_ids"))
    if not carriers:
        return "carrier_ids", "carrier_ids：请填写至少一家核准运输企业", "carrier_ids: at least one carrier"
    if not dests:
        return "destination_ids", "destination_ids：请填写至少一个核准处置场所", "destination_ids: at least one site"
    unknown = [c for c in carriers if c not in ctx.carriers]
    if unknown:
        return (
            "carrier_ids",
            f"carrier_ids：未登记的运输企业 {'、'.join(unknown)}",
            f"carrier_ids: no carrier {', '.join(unknown)} registered",
        )
    unknown = [d for d in dests if d not in ctx.destinations]
    if unknown:
        return (
            "destination_ids",
            f"destination_ids：未登记的处置场所 {'、'.join(unknown)}",
            f"destination_ids: no destination {', '.join(unknown)} registered",
        )
    return (pid, cat), {
        "site_id": site.pk,
        "permitted_t": qty,
        "valid_from": start,
        "valid_until": end,
        "carriers": frozenset(ctx.carriers[c].pk for c in carriers),
        "destinations": frozenset(ctx.destinations[d].pk for d in dests),
    }


def _parse_manifest(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    key = _text(r, "manifest_id", "联单编号", 60)
    if _problem(key):
        return key  # type: ignore[return-value]
    pid = (r.get("permit_id") or "").strip()
    if pid not in ctx.permit_ids:
        return "permit_id", f"permit_id：未登记的核准 {pid}（先导入核准）", f"permit_id: no permit {pid} registered"
    cat = _category(r.get("category") or "")
    permit = ctx.permits.get((pid, cat or ""))
    if permit is None:
        return (
            "category",
            f"category：核准 {pid} 没有类别 {r.get('category')!r}",
            f"category: permit {pid} has no category {r.get('category')!r}",
        )
    plate = _text(r, "plate", "车牌号", 20)
    if _problem(plate):
        return plate  # type: ignore[return-value]
    plate = str(plate).upper()
    t = _time(r, "departed_at", "出场时间")
    if _problem(t):
        return t  # type: ignore[return-value]
    est = _tonnes(r, "est_t", "预估装载量")
    if _problem(est):
        return est  # type: ignore[return-value]
    did = (r.get("destination_id") or "").strip()
    dest = ctx.destinations.get(did)
    if dest is None:
        return "destination_id", f"destination_id：未登记的处置场所 {did}", f"destination_id: no destination {did}"
    vehicle = ctx.vehicles.get(plate)
    return key, {  # type: ignore[return-value]
        "permit_id": permit.pk,
        "plate": plate,
        "vehicle_id": vehicle.pk if vehicle else None,
        "departed_at": t,
        "est_t": est,
        "destination_id": dest.pk,
    }


def _parse_receipt(r: dict[str, str], ctx: Context) -> tuple[str, dict[str, Any]] | Problem:
    key = _text(r, "receipt_id", "过磅单编号", 60)
    if _problem(key):
        return key  # type: ignore[return-value]
    mid = (r.get("manifest_id") or "").strip()
    m = ctx.manifests.get(mid)
    if m is None:
        return "manifest_id", f"manifest_id：未登记的联单 {mid}（先导入联单）", f"manifest_id: no manifest {mid}"
    did = (r.get("destination_id") or "").strip()
    dest = ctx.destinations.get(did)
    if dest is None:
        return "destination_id", f"destination_id：未登记的处置场所 {did}", f"destination_id: no destination {did}"
    t = _time(r, "arrived_at", "到场时间")
    if _problem(t):
        return t  # type: ignore[return-value]
    if t < m.departed_at:  # type: ignore[operator]
        return "arrived_at", "arrived_at：到场时间早于联单的出场时间", "arrived_at: before the manifest's departure"
    net = _tonnes(r, "net_t", "净重")
    if _problem(net):
        return net  # type: ignore[return-value]
    return key, {"manifest_id": m.pk, "destination_id": dest.pk, "arrived_at": t, "net_t": net}  # type: ignore[return-value]


# --- storing ----------------------------------------------------------------------------------------------------
class Kind:
    def __init__(self, model: Any, key_fields: tuple[str, ...], parse: Callable, label: str):
        self.model, self.key_fields, self.parse, self.label = model, key_fields, parse, label


KINDS_SPEC: dict[str, Kind] = {
    "sites": Kind(Site, ("site_id",), _parse_site, "工地"),
    "carriers": Kind(Carrier, ("carrier_id",), _parse_carrier, "运输企业"),
    "vehicles": Kind(Vehicle, ("plate",), _parse_vehicle, "车辆"),
    "destinations": Kind(Destination, ("destination_id",), _parse_destination, "处置场所"),
    "permits": Kind(Permit, ("permit_id", "category"), _parse_permit, "核准"),
    "manifests": Kind(Manifest, ("manifest_id",), _parse_manifest, "联单"),
    "receipts": Kind(Receipt, ("receipt_id",), _parse_receipt, "过磅单"),
}
M2M = ("carriers", "destinations")


def _key_of(obj: Any, spec: Kind) -> Any:
    vals = tuple(getattr(obj, f) for f in spec.key_fields)
    return vals if len(vals) > 1 else vals[0]


def _stored_fields(obj: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k in fields:
        if k in M2M:
            out[k] = frozenset(getattr(obj, k).values_list("pk", flat=True))
        else:
            out[k] = getattr(obj, k)
    return out


def _audit_values(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (sorted(v) if isinstance(v, frozenset) else v if v is None or isinstance(v, (bool, int, str)) else str(v))
        for k, v in d.items()
    }


def _key_text(key: Any) -> str:
    return "/".join(key) if isinstance(key, tuple) else str(key)


def import_rows(actor: Any, plan: Plan, kind: str, rows: Rows, update: bool = False, checked: bool = False) -> Report:
    """Import one kind's rows (``KINDS``) into ``plan``'s county. ``checked``: the caller authorised the actor
    (the machine API checks a gateway's scope)."""
    if not checked:
        permissions.require_write(actor, plan)
    if kind == "gps":
        return ingest_gps(plan, rows, actor=actor)
    spec = KINDS_SPEC[kind]
    update = update and kind in REGISTERS
    rows = list(rows)
    ctx = Context(plan, rows, kind)
    rep = Report()
    seen: dict[Any, tuple[int, dict[str, Any]]] = {}
    for n, r in rows:
        parsed = spec.parse(r, ctx)
        if len(parsed) == 3:
            rep.reject(n, *parsed)
            continue
        key, fields = parsed
        if key in seen:
            if seen[key][1] == fields:
                rep.duplicates += 1
            else:
                f = spec.key_fields[0]
                rep.reject(
                    n,
                    f,
                    f"{f}：与第 {seen[key][0]} 行编号相同但内容不同",
                    f"{f}: same id as line {seen[key][0]}, different data",
                )
            continue
        seen[key] = (n, fields)
    with transaction.atomic():
        qs = spec.model.objects.filter(plan=plan)
        first = spec.key_fields[0]
        existing = {
            _key_of(o, spec): o
            for o in qs.filter(**{f"{first}__in": {(k[0] if isinstance(k, tuple) else k) for k in seen}})
        }
        new: list[tuple[Any, dict[str, Any]]] = []
        for key, (n, fields) in seen.items():
            obj = existing.get(key)
            if obj is None:
                new.append((key, fields))
                continue
            before = _stored_fields(obj, fields)
            if before == fields:
                rep.duplicates += 1
                continue
            if not update:
                f = spec.key_fields[0]
                rep.reject(
                    n,
                    f,
                    f"{f}：编号 {_key_text(key)} 已登记且内容不同（冲突，未覆盖；登记信息变更请用更新方式上传）",
                    f"{f}: {_key_text(key)} is stored with other values (a conflict, not overwritten)",
                )
                continue
            for k, v in fields.items():
                if k in M2M:
                    getattr(obj, k).set(v)
                else:
                    setattr(obj, k, v)
            obj.save()
            record(actor, f"waste.{kind}.update", obj, _audit_values(before), _audit_values(fields))
            rep.accepted += 1
        _create(actor, plan, kind, spec, new)
        rep.accepted += len(new)
    return rep


def _create(actor: Any, plan: Plan, kind: str, spec: Kind, new: list[tuple[Any, dict[str, Any]]]) -> None:
    if not new:
        return
    objs = []
    for key, fields in new:
        keys = dict(zip(spec.key_fields, key if isinstance(key, tuple) else (key,), strict=True))
        plain = {k: v for k, v in fields.items() if k not in M2M}
        objs.append(spec.model(plan=plan, **keys, **plain))
    if kind in REGISTERS:
        for obj, (_key, fields) in zip(objs, new, strict=True):
            obj.save()
            for k in M2M:
                if k in fields:
                    getattr(obj, k).set(fields[k])
            record(actor, f"waste.{kind}.create", obj, None, _audit_values(fields))
        return
    spec.model.objects.bulk_create(objs, batch_size=2000)
    ids = [_key_text(k) for k, _ in new]
    record(
        actor,
        f"waste.{kind}.import",
        plan,
        None,
        {"count": len(ids), "ids": ids[:AUDIT_IDS], "more": max(0, len(ids) - AUDIT_IDS)},
        county=plan.pk,
    )


# --- GPS ----------------------------------------------------------------------------------------------------------
GPS_CHUNK = 200_000
MAX_SPEED = 300.0


GpsValues = tuple[str, str, str, str, str]  # plate, time, lat, lon, speed as texts
_BAD_TIME = object()
GPS_STORED_CONFLICT = (
    "time",
    "time：该车辆该时间已有不同的定位（冲突，未覆盖）",
    "time: a different position is stored",
)


def _float(raw: str, low: float, high: float) -> float | None:
    """A decimal number within [low, high] (NaN and infinities fail the range; underscores are refused)."""
    if "_" in raw:
        return None
    try:
        v = float(raw)
    except ValueError:
        return None
    return v if low <= v <= high else None


def _gps_values(
    v: GpsValues, local: bool, cache: dict[str, Any], latest: dt.datetime
) -> tuple[str, dt.datetime, str, float, float, float] | Problem:
    """One point's texts checked: ``(plate, time, the time as ISO text, lat, lon, speed)`` or a problem. The
    times are parsed once per distinct text (``cache``)."""
    raw_plate, raw_t, raw_lat, raw_lon, raw_speed = v
    plate = raw_plate.strip().upper()
    if not plate or len(plate) > 20 or "\\" in plate or not plate.isprintable():
        return "plate", "plate：请填写车牌号（最多 20 个字符）", "plate: required, at most 20 characters"
    hit = cache.get(raw_t)
    if hit is None:
        t = parse_time(raw_t, local=local)
        hit = _BAD_TIME if t is None or t < EARLIEST or t > latest else (t, t.isoformat())
        cache[raw_t] = hit
    if hit is _BAD_TIME:
        t = parse_time(raw_t, local=local)
        if t is not None:
            return "time", "time：时间不能晚于当前时间或早于 2000 年", "time: cannot lie in the future or before 2000"
        if local:
            return (
                "time",
                "time：应为时间，如 2026-03-02 08:15:00（北京时间）",
                "time: a time, e.g. 2026-03-02 08:15:00",
            )
        return "time", "time：应为带时区的时间，如 2026-03-02T08:15:00+08:00", "time: a timestamp with its offset"
    lat, lon = _float(raw_lat, -90, 90), _float(raw_lon, -180, 180)
    if lat is None or lon is None:
        return "lat", "lat/lon：经纬度应为十进制度数（纬度 ±90，经度 ±180）", "lat/lon: decimal degrees"
    speed = _float(raw_speed, 0, MAX_SPEED)
    if speed is None:
        return "speed_kmh", f"speed_kmh：速度应为 0–{MAX_SPEED:g} 千米/时", f"speed_kmh: 0 to {MAX_SPEED:g} km/h"
    return plate, hit[0], hit[1], lat, lon, speed


def _values_of(rows: Rows) -> Iterator[tuple[int, GpsValues]]:
    """Dict rows (the bounded reader, the API's JSON, whose numbers become texts) as value tuples."""
    for n, r in rows:
        yield (
            n,
            tuple(  # type: ignore[misc]
                "" if r.get(k) is None else r[k] if type(r[k]) is str else str(r[k])
                for k in ("plate", "time", "lat", "lon", "speed_kmh")
            ),
        )


def ingest_gps(plan: Plan, rows: Rows, local: bool = True, actor: Any = None, audit: bool = True) -> Report:
    """GPS points from dict rows (see ``ingest_gps_values``)."""
    return ingest_gps_values(plan, _values_of(rows), local=local, actor=actor, audit=audit)


def ingest_gps_values(
    plan: Plan, rows: Iterable[tuple[int, GpsValues]], local: bool = True, actor: Any = None, audit: bool = True
) -> Report:
    """GPS points: validated row by row, the good ones stored with ``ON CONFLICT DO NOTHING`` (PostgreSQL: COPY
    into a staging table first), in chunks of ``GPS_CHUNK`` rows; a point not stored is a duplicate when its
    values equal the stored ones (or an earlier line's) and a conflict otherwise. ``local``: a time without
    offset is Beijing time (files); the API requires the offset."""
    rep = Report()
    cache: dict[str, Any] = {}
    latest = timezone.now() + FUTURE_TOLERANCE
    good: dict[tuple[str, dt.datetime], tuple[int, str, float, float, float]] = {}
    for n, v in rows:
        p = _gps_values(v, local, cache, latest)
        if len(p) == 3:
            rep.reject(n, *p)  # type: ignore[arg-type]
            continue
        plate, t, iso, lat, lon, speed = p  # type: ignore[misc]
        k = (plate, t)
        prev = good.get(k)
        if prev is not None:
            if prev[2:] == (lat, lon, speed):
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "time",
                    f"time：与第 {prev[0]} 行同车同时间但位置不同",
                    f"time: same plate and time as line {prev[0]}",
                )
            continue
        good[k] = (n, iso, lat, lon, speed)
        if len(good) >= GPS_CHUNK:
            _flush(plan, good, rep)
            good, cache = {}, {}
    _flush(plan, good, rep)
    if audit:
        _audit_gps(actor, plan, rep)
    return rep


def _audit_gps(actor: Any, plan: Plan, rep: Report) -> None:
    if rep.accepted:
        record(
            actor,
            "waste.gps.import",
            plan,
            None,
            {"accepted": rep.accepted, "duplicates": rep.duplicates, "rejected": len(rep.rejected)},
            county=plan.pk,
        )


def _flush(plan: Plan, good: dict, rep: Report) -> None:
    if not good:
        return
    if connection.vendor == "postgresql":
        accepted, conflicts, dups = _gps_copy(plan, good)
    else:
        accepted, conflicts, dups = _gps_orm(plan, good)
    rep.accepted += accepted
    rep.duplicates += dups
    for n in sorted(conflicts):
        rep.reject(n, *GPS_STORED_CONFLICT)


def plain_csv(data: bytes, name: str = "") -> bool:
    """A CSV the streaming path reads exactly as the row path would: UTF-8 without quotes, tabs, backslashes or
    bare carriage returns (a line is a record); an Excel file, or anything else, takes the bounded row path."""
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        return False
    if b'"' in data or b"\t" in data or b"\\" in data or b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _stream_values(data: bytes) -> Iterator[tuple[int, GpsValues]]:
    """The lines of a plain CSV as value tuples, lazily (a file of a million points is never a list of a
    million rows); the header checked as the row path checks it; blank lines skipped."""
    from carbonpeak.tabular import check_header
    from carbonpeak.waste.columns import GPS

    text = data.decode("utf-8").lstrip("\ufeff")
    lines = iter(text.splitlines())
    header = check_header([h.strip() for h in next(lines, "").split(",")], GPS)
    keys = ("plate", "time", "lat", "lon", "speed_kmh")
    last = {h: i for i, h in enumerate(header)}  # a repeated name: the last, as the row path's dict
    pos = [last[k] + 1 for k in keys]
    width = len(header)
    for n, line in enumerate(lines, start=2):
        v = _line_values(line, header, pos, width)
        if v is not None:
            yield n, v


def _line_values(line: str, header: list[str], pos: list[int], width: int) -> GpsValues | None:
    """One line's value texts (``pos``: the 1-based places of plate, time, lat, lon, speed in the header), or
    None for a line whose named columns are all blank (skipped)."""
    f = line.split(",")
    if len(f) < width:
        f += [""] * (width - len(f))
    v = (f[pos[0] - 1], f[pos[1] - 1].strip(), f[pos[2] - 1], f[pos[3] - 1], f[pos[4] - 1])
    if not (v[0].strip() or v[1] or v[2].strip() or v[3].strip() or v[4].strip()) and not any(
        f[i].strip() for i in range(width) if header[i]
    ):
        return None
    return v


def ingest_gps_file(actor: Any, plan: Plan, data: bytes, name: str = "") -> Report:
    """A GPS file by the fastest path that keeps the contract: a plain CSV streamed (no row bound: the chunks
    bound the memory), anything else through the bounded reader. Raises Unreadable."""
    from carbonpeak.tabular import read_rows
    from carbonpeak.waste import sqlgps
    from carbonpeak.waste.columns import GPS

    permissions.require_write(actor, plan)
    if plain_csv(data, name):
        if sqlgps.eligible(data):
            rep = sqlgps.ingest_csv(plan, data)
            _audit_gps(actor, plan, rep)
            return rep
        return ingest_gps_values(plan, _stream_values(data), actor=actor)
    return ingest_gps(plan, read_rows(data, GPS, name), actor=actor)


def _gps_orm(plan: Plan, good: dict) -> tuple[int, list[int], int]:
    plates = {k[0] for k in good}
    times = [k[1] for k in good]
    stored = {
        (g.plate, g.time): (g.lat, g.lon, g.speed_kmh)
        for g in GpsPoint.objects.filter(plan=plan, plate__in=plates, time__gte=min(times), time__lte=max(times))
    }
    new, conflicts, dups = [], [], 0
    for (plate, t), (n, _iso, lat, lon, speed) in good.items():
        s = stored.get((plate, t))
        if s is None:
            new.append(GpsPoint(plan=plan, plate=plate, time=t, lat=lat, lon=lon, speed_kmh=speed))
        elif s == (lat, lon, speed):
            dups += 1
        else:
            conflicts.append(n)
    with transaction.atomic():
        GpsPoint.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new), conflicts, dups


def _gps_copy(plan: Plan, good: dict) -> tuple[int, list[int], int]:
    """COPY the valid rows into a staging table, then one ``INSERT … ON CONFLICT DO NOTHING``. When it stored
    every row (new data, the common case) that is all; otherwise the staged rows that match a stored key are
    compared with it (a concurrent ingest of the same points stores them once; the later one finds them)."""
    table = GpsPoint._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp.cp_gps")
        cur.execute(
            "CREATE TEMPORARY TABLE cp_gps (line bigint, plate text, time timestamptz, lat float8, lon float8, "
            "speed_kmh float8) ON COMMIT DROP"
        )
        buf = io.StringIO()
        w = buf.write
        for (plate, _t), (n, iso, lat, lon, speed) in good.items():
            w(f"{n}\t{plate}\t{iso}\t{lat!r}\t{lon!r}\t{speed!r}\n")
        with cur.cursor.copy("COPY cp_gps FROM STDIN") as cp:
            cp.write(buf.getvalue())
        insert = (
            f"INSERT INTO {table} (plan_id, plate, time, lat, lon, speed_kmh) "
            "SELECT %s, plate, time, lat, lon, speed_kmh FROM cp_gps ORDER BY plate, time"
        )
        # new data (the common case): a plain INSERT inside a savepoint; a unique violation (a stored point, a
        # concurrent worker) rolls it back and the rows take the ON CONFLICT path
        sid = transaction.savepoint_create()
        try:
            cur.execute(insert, [plan.pk])
            transaction.savepoint_commit(sid)
            return len(good), [], 0
        except IntegrityError:
            transaction.savepoint_rollback(sid)
        insert += " ON CONFLICT DO NOTHING"
        # some were stored already: again, in one statement whose snapshot holds only what was stored before
        # it, so the rows it leaves out are compared with the stored ones
        cur.execute(
            f"WITH ins AS ({insert} RETURNING 1) "
            "SELECT -1, (SELECT count(*) FROM ins)::int "
            "UNION ALL SELECT s.line, CASE WHEN g.lat = s.lat AND g.lon = s.lon AND g.speed_kmh = s.speed_kmh "
            f"  THEN 1 ELSE 0 END FROM cp_gps s JOIN {table} g ON g.plan_id = %s AND g.plate = s.plate "
            "  AND g.time = s.time",
            [plan.pk, plan.pk],
        )
        accepted, conflicts, dups = 0, [], 0
        for line, v in cur.fetchall():
            if line == -1:
                accepted = v
            elif v:
                dups += 1
            else:
                conflicts.append(line)
    return accepted, conflicts, dups


# --- machine clients -------------------------------------------------------------------------------------------
def set_client_scope(actor: Any, client: Any, kind: str, allowed: bool = True) -> None:
    """Allow (or withdraw) a gateway client to send ``kind`` (gps or receipts) for its county; audited."""
    from carbonpeak.accounts.choices import Role
    from carbonpeak.validation import Issues

    issues = Issues()
    if kind not in ClientKind.values:
        issues.add("invalid", "kind", "kind：应为 gps 或 receipts", "kind: gps or receipts")
    if getattr(client, "role", None) != Role.GATEWAY:
        issues.add("invalid", "client", "只有 gateway 角色的接口客户端可以上报", "only a gateway client may send")
    if client.plan_id is None:
        issues.add("invalid", "client", "该客户端不属于任何县", "the client belongs to no county")
    issues.raise_if_errors()
    with transaction.atomic():
        if allowed:
            _, created = ClientScope.objects.get_or_create(client=client, kind=kind)
        else:
            created = bool(ClientScope.objects.filter(client=client, kind=kind).delete()[0])
        if created:
            record(actor, "waste.client_scope", client, None, {"kind": kind, "allowed": allowed}, county=client.plan_id)


def beijing_date(t: dt.datetime) -> dt.date:
    return t.astimezone(BEIJING).date()
