"""The reconciliation of every load from the site to the disposal or recycling plant, as of a time.

Only what was known at ``as_of`` counts: manifests that departed and receipts that arrived at or before it.
Per permit row (a permit's category):

- hauled = Σ estimated loads of its manifests; received = Σ net weight of their *counted* receipts (the first
  receipt of a manifest by arrival time, then receipt id; any further one is a ``duplicate_receipt`` and not
  counted); recycled = received at destinations of kind recycling;
- ``no_receipt``: no receipt more than ``rules.no_receipt_after()`` (6 h) after departure (exactly 6 h: not yet);
- ``wrong_destination``: the counted receipt is at another site than the manifest's destination, or the
  manifest's destination is not one of the permit's destination sites (a second alert of its own);
- ``permit_not_valid``: the departure's Beijing date lies outside the permit's validity (both ends valid);
- ``unlicensed_vehicle``: the plate is not registered, its carrier is not a licensed carrier of the permit, or
  the carrier's licence ended before the departure's Beijing date (valid until that date: still valid);
- ``over_permit``: received above permitted; the alert names the manifest whose receipt crossed the amount;
- ``overload``: the counted receipt's net weight above the vehicle's capacity (equal: not an overload);
- ``route_deviation``: between departure and arrival (the counted receipt, else ``as_of``) a GPS point of the
  plate farther than ``rules.corridor_km()`` from the straight segment site→destination
  (``core.corridor``; only where both have coordinates), or a stop — consecutive points at or below
  ``rules.stop_speed_kmh()`` — lasting more than ``rules.stop_after()`` (20 min; exactly 20 min is not) from
  its first to its last point, farther than ``rules.site_radius_km()`` from every site and destination.

The GPS checks are set-based SQL over the points of the loads' windows (the index (plan, plate, time)); Python
sees only the deviating loads and the long stops. Totals: received, recycled, and the share recycled ÷ received
in percent, 2 decimals, half up (``None`` when nothing was received).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from carbonpeak.core import corridor
from carbonpeak.plan.models import Plan
from carbonpeak.tabular.times import BEIJING
from carbonpeak.waste import rules
from carbonpeak.waste.choices import AlertKind, Category, DestinationKind
from carbonpeak.waste.models import Carrier, Destination, GpsPoint, Manifest, Permit, Receipt, Site, Vehicle

ZERO = Decimal(0)
T3 = Decimal("0.001")
P2 = Decimal("0.01")
KIND_ORDER = {k.value: i for i, k in enumerate(AlertKind)}


def _num(d: Decimal | None) -> float | None:
    """A JSON number of a quantised decimal (a float prints as its shortest repr: 12.345 stays 12.345)."""
    return None if d is None else float(d)


def _t(d: Decimal) -> str:
    """Tonnes as people write them: 18, 18.5, 18.001 (no trailing zeros)."""
    return format(d.normalize(), "f")


def share_pct(recycled: Decimal, received: Decimal) -> Decimal | None:
    if received == 0:
        return None
    return (recycled * 100 / received).quantize(P2, rounding=ROUND_HALF_UP)


def _alert(kind: str, manifest_id: str | None, plate: str | None, zh: str, en: str, key: str) -> dict[str, Any]:
    return {"kind": kind, "manifest_id": manifest_id, "plate": plate, "message": f"{zh} / {en}", "_key": key}


def _db_time(t: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(t)


def _duration_sql(a: str, b: str) -> str:
    """SQL: whole seconds from ``a`` to ``b`` (PostgreSQL exact; SQLite, the development database, in whole
    seconds)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({b} - {a}))"
    return f"(CAST(strftime('%%s', {b}) AS INTEGER) - CAST(strftime('%%s', {a}) AS INTEGER))"


def _windows_sql() -> str:
    """SQL of the loads' windows: manifest, plate, departure, arrival (the counted receipt's, else as_of), the
    site's and the destination's coordinates."""
    m, r, p, s, d = (x._meta.db_table for x in (Manifest, Receipt, Permit, Site, Destination))
    return (
        f"SELECT m.id AS mid, m.plate AS plate, m.departed_at AS t0, "
        f"  COALESCE((SELECT MIN(r.arrived_at) FROM {r} r WHERE r.manifest_id = m.id AND r.arrived_at <= %(as_of)s), "
        f"    %(as_of)s) AS t1, "
        "  CAST(s.lat AS DOUBLE PRECISION) AS alat, CAST(s.lon AS DOUBLE PRECISION) AS alon, "
        "  CAST(d.lat AS DOUBLE PRECISION) AS blat, CAST(d.lon AS DOUBLE PRECISION) AS blon "
        f"FROM {m} m JOIN {p} p ON p.id = m.permit_id JOIN {s} s ON s.id = p.site_id "
        f"JOIN {d} d ON d.id = m.destination_id "
        "WHERE m.plan_id = %(plan)s AND m.departed_at <= %(as_of)s"
    )


def _fence() -> str:
    """SQL that keeps a subquery a level of its own (computed once, not inlined into every use of its
    columns)."""
    return "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"


def corridor_deviations(plan: Plan, as_of: dt.datetime, width_km: float) -> dict[int, tuple[int, float]]:
    """{manifest pk: (points outside the corridor, the farthest distance in km)} — in SQL, the squared distance
    of ``core.corridor.distance_to_segment_km`` compared with the squared width. Each level (the loads'
    constants, the points' plane coordinates, the projection, the distance) is computed once."""
    g = GpsPoint._meta.db_table
    k = repr(corridor.KM_PER_DEGREE)
    fence = _fence()
    sql = (
        "SELECT mid, COUNT(*), MAX(d2) FROM ("
        " SELECT mid, (px - f * bx) * (px - f * bx) + (py - f * by_) * (py - f * by_) AS d2 FROM ("
        "  SELECT mid, px, py, bx, by_, CASE WHEN l2 = 0 OR dot <= 0 THEN 0 WHEN dot >= l2 THEN 1 "
        "   ELSE dot / l2 END AS f FROM ("
        "   SELECT mid, px, py, bx, by_, bx * bx + by_ * by_ AS l2, px * bx + py * by_ AS dot FROM ("
        f"    SELECT c.mid, (gp.lon - c.alon) * c.kx AS px, (gp.lat - c.alat) * {k} AS py, c.bx, c.by_ FROM ("
        f"     SELECT mid, plate, t0, t1, alat, alon, kx, (blon - alon) * kx AS bx, (blat - alat) * {k} AS by_ FROM ("
        f"      SELECT w.*, COS(RADIANS((alat + blat) / 2)) * {k} AS kx FROM ({_windows_sql()}) w "
        f"      WHERE alat IS NOT NULL AND alon IS NOT NULL AND blat IS NOT NULL AND blon IS NOT NULL {fence}"
        f"     ) c0 {fence}) c "
        f"    JOIN {g} gp ON gp.plan_id = %(plan)s AND gp.plate = c.plate AND gp.time >= c.t0 AND gp.time <= c.t1 "
        f"    {fence}) v {fence}) t {fence}) d"
        ") x WHERE d2 > %(w2)s GROUP BY mid"
    )
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL jit = off")  # (compiling the expressions costs more than it saves here)
        cur.execute(sql, {"plan": plan.pk, "as_of": _db_time(as_of), "w2": width_km * width_km})
        return {mid: (int(n), math.sqrt(float(d2))) for mid, n, d2 in cur.fetchall()}


def long_stops(plan: Plan, as_of: dt.datetime) -> list[tuple[int, Any, Any, float, float]]:
    """Stops longer than the setting between departure and arrival: ``(manifest pk, first, last, lat, lon)``
    (the stop's mean position), by gaps and islands over the window's points in time order."""
    g = GpsPoint._meta.db_table
    dur = _duration_sql("MIN(time)", "MAX(time)")
    sql = (
        f"WITH w AS ({_windows_sql()}), "
        "pts AS (SELECT w.mid, gp.time, gp.lat, gp.lon, CASE WHEN gp.speed_kmh <= %(still)s THEN 1 ELSE 0 END AS st, "
        "  ROW_NUMBER() OVER (PARTITION BY w.mid ORDER BY gp.time) AS rn "
        f"  FROM w JOIN {g} gp ON gp.plan_id = %(plan)s AND gp.plate = w.plate AND gp.time >= w.t0 "
        "  AND gp.time <= w.t1), "
        "isl AS (SELECT mid, time, lat, lon, rn - ROW_NUMBER() OVER (PARTITION BY mid ORDER BY time) AS grp "
        "  FROM pts WHERE st = 1) "
        f"SELECT mid, MIN(time), MAX(time), AVG(lat), AVG(lon) FROM isl GROUP BY mid, grp HAVING {dur} > %(secs)s"
    )
    with connection.cursor() as cur:
        cur.execute(
            sql,
            {
                "plan": plan.pk,
                "as_of": _db_time(as_of),
                "still": rules.stop_speed_kmh(),
                "secs": rules.stop_after().total_seconds(),
            },
        )
        return [(mid, a, b, float(lat), float(lon)) for mid, a, b, lat, lon in cur.fetchall()]


def _places(plan: Plan) -> list[tuple[float, float]]:
    out = []
    for model in (Site, Destination):
        out += [
            (float(a), float(b))
            for a, b in model.objects.filter(plan=plan, lat__isnull=False, lon__isnull=False).values_list("lat", "lon")
        ]
    return out


def _fmt_time(t: Any) -> str:
    if isinstance(t, str):  # SQLite returns the stored text (UTC)
        t = dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def reconcile(plan: Plan, as_of: dt.datetime) -> dict[str, Any]:
    """``{"permits": [...], "totals": {...}}`` with each alert's internal ``_key`` (see ``public``)."""
    permits = list(Permit.objects.filter(plan=plan).prefetch_related("carriers", "destinations"))
    licensed = {p.pk: {c.pk for c in p.carriers.all()} for p in permits}
    pby = {p.pk: p for p in permits}
    permitted_at = {p.pk: {d.pk for d in p.destinations.all()} for p in permits}
    carriers = {c.pk: c for c in Carrier.objects.filter(plan=plan)}
    vehicles = {v.pk: v for v in Vehicle.objects.filter(plan=plan)}
    dest_kind = dict(Destination.objects.filter(plan=plan).values_list("pk", "kind"))
    dest_code = dict(Destination.objects.filter(plan=plan).values_list("pk", "destination_id"))
    manifests = list(
        Manifest.objects.filter(plan=plan, departed_at__lte=as_of)
        .order_by("departed_at", "manifest_id")
        .values_list("pk", "manifest_id", "permit_id", "plate", "vehicle_id", "departed_at", "destination_id")
    )
    mby = {m[0]: m for m in manifests}
    hauled = dict(
        Manifest.objects.filter(plan=plan, departed_at__lte=as_of)
        .values_list("permit_id")
        .annotate(t=Sum("est_t"))
        .values_list("permit_id", "t")
    )
    counted: dict[int, tuple] = {}
    alerts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec in (
        Receipt.objects.filter(plan=plan, arrived_at__lte=as_of, manifest__departed_at__lte=as_of)
        .order_by("manifest_id", "arrived_at", "receipt_id")
        .values_list("pk", "receipt_id", "manifest_id", "destination_id", "arrived_at", "net_t")
    ):
        mid = rec[2]
        if mid in counted:
            m = mby[mid]
            alerts[m[2]].append(
                _alert(
                    AlertKind.DUPLICATE_RECEIPT,
                    m[1],
                    m[3],
                    f"联单 {m[1]} 已有过磅单 {counted[mid][1]}，过磅单 {rec[1]} 重复，未重复计入",
                    f"manifest {m[1]} already has receipt {counted[mid][1]}; receipt {rec[1]} is not counted again",
                    f"duplicate_receipt:{m[1]}:{rec[1]}",
                )
            )
            continue
        counted[mid] = rec
    no_receipt_after = rules.no_receipt_after()
    open_manifests: dict[int, list[str]] = defaultdict(list)
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    recycled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_arrival: dict[int, list[tuple]] = defaultdict(list)
    for pk, code, permit_id, plate, vehicle_id, departed, dest_id in manifests:
        rec = counted.get(pk)
        a = alerts[permit_id]
        if rec is None:
            open_manifests[permit_id].append(code)
            if as_of - departed > no_receipt_after:
                bound = f"{no_receipt_after.total_seconds() / 3600:g}"
                mins = int((as_of - departed).total_seconds() // 60)
                a.append(
                    _alert(
                        AlertKind.NO_RECEIPT,
                        code,
                        plate,
                        f"出场超过 {bound} 小时仍无过磅单（已 {mins // 60} 小时 {mins % 60} 分）",
                        f"no weighbridge receipt more than {bound} hours after departure "
                        f"({mins // 60} h {mins % 60} min)",
                        f"no_receipt:{code}",
                    )
                )
        else:
            received[permit_id] += rec[5]
            if dest_kind.get(rec[3]) == DestinationKind.RECYCLING:
                recycled[permit_id] += rec[5]
            by_arrival[permit_id].append((rec[4], rec[1], code, plate, rec[5]))
            if rec[3] != dest_id:
                a.append(
                    _alert(
                        AlertKind.WRONG_DESTINATION,
                        code,
                        plate,
                        f"联单去向 {dest_code[dest_id]}，实际在 {dest_code[rec[3]]} 过磅",
                        f"manifest to {dest_code[dest_id]}, weighed at {dest_code[rec[3]]}",
                        f"wrong_destination:{code}",
                    )
                )
        v = vehicles.get(vehicle_id) if vehicle_id else None
        day = departed.astimezone(BEIJING).date()
        p = pby[permit_id]
        if dest_id not in permitted_at[permit_id]:
            named = "、".join(sorted(dest_code[d] for d in permitted_at[permit_id]))
            a.append(
                _alert(
                    AlertKind.WRONG_DESTINATION,
                    code,
                    plate,
                    f"联单去向 {dest_code[dest_id]} 不是核准 {p.permit_id} 的处置场所（{named}）",
                    f"manifest to {dest_code[dest_id]}, not a destination of permit {p.permit_id} "
                    f"({named.replace('、', ', ')})",
                    f"wrong_destination:permit:{code}",
                )
            )
        if not p.valid_from <= day <= p.valid_until:
            a.append(
                _alert(
                    AlertKind.PERMIT_NOT_VALID,
                    code,
                    plate,
                    f"出场日 {day} 不在核准 {p.permit_id} 的有效期（{p.valid_from} 至 {p.valid_until}）内",
                    f"departure {day} outside permit {p.permit_id}'s validity ({p.valid_from} to {p.valid_until})",
                    f"permit_not_valid:{code}",
                )
            )
        if v is None:
            zh, en = f"车辆 {plate} 未登记", f"vehicle {plate} is not registered"
        elif v.carrier_id not in licensed[permit_id]:
            zh = f"车辆 {plate} 所属运输企业 {carriers[v.carrier_id].carrier_id} 不是该核准的运输企业"
            en = f"vehicle {plate}'s carrier {carriers[v.carrier_id].carrier_id} is not licensed for the permit"
        elif carriers[v.carrier_id].licence_valid_until < day:
            c = carriers[v.carrier_id]
            zh = f"运输企业 {c.carrier_id} 的许可已于 {c.licence_valid_until} 到期（出场日 {day}）"
            en = f"carrier {c.carrier_id}'s licence ended on {c.licence_valid_until} (departure {day})"
        else:
            zh = en = ""
        if zh:
            a.append(_alert(AlertKind.UNLICENSED_VEHICLE, code, plate, zh, en, f"unlicensed_vehicle:{code}"))
        if rec is not None and v is not None and rec[5] > v.capacity_t:
            a.append(
                _alert(
                    AlertKind.OVERLOAD,
                    code,
                    plate,
                    f"净重 {_t(rec[5])} 吨超过核定载重 {_t(v.capacity_t)} 吨",
                    f"net {_t(rec[5])} t above the capacity {_t(v.capacity_t)} t",
                    f"overload:{code}",
                )
            )
    # the GPS checks (set-based)
    width = rules.corridor_km()
    for mid, (n, far) in corridor_deviations(plan, as_of, width).items():
        m = mby.get(mid)
        if m is None:
            continue
        alerts[m[2]].append(
            _alert(
                AlertKind.ROUTE_DEVIATION,
                m[1],
                m[3],
                f"{n} 个定位点偏离路线走廊（{width:g} 千米），最远 {far:.2f} 千米",
                f"{n} GPS points outside the {width:g} km corridor, farthest {far:.2f} km",
                f"route_deviation:corridor:{m[1]}",
            )
        )
    places = _places(plan)
    radius = rules.site_radius_km()
    limit = rules.stop_after()
    for mid, first, last, lat, lon in long_stops(plan, as_of):
        m = mby.get(mid)
        if m is None or any(corridor.distance_to_segment_km(lat, lon, p, p) <= radius for p in places):
            continue
        minutes = limit.total_seconds() / 60
        alerts[m[2]].append(
            _alert(
                AlertKind.ROUTE_DEVIATION,
                m[1],
                m[3],
                f"途中在场外停留超过 {minutes:g} 分钟（{_fmt_time(first)} 至 {_fmt_time(last)}）",
                f"stopped outside any site for more than {minutes:g} minutes ({_fmt_time(first)}–{_fmt_time(last)})",
                f"route_deviation:stop:{m[1]}:{_fmt_time(first)}",
            )
        )
    rows = []
    total_received = total_recycled = ZERO
    for p in sorted(permits, key=lambda p: (p.permit_id, p.category)):
        rec_t = received[p.pk]
        if rec_t > p.permitted_t:
            cumulative, crossing = ZERO, None
            for _arrived, _rid, code, plate, net in sorted(by_arrival[p.pk]):
                cumulative += net
                if cumulative > p.permitted_t:
                    crossing = (code, plate)
                    break
            alerts[p.pk].append(
                _alert(
                    AlertKind.OVER_PERMIT,
                    crossing[0] if crossing else None,
                    crossing[1] if crossing else None,
                    f"{Category(p.category).label}已消纳 {_t(rec_t)} 吨，超过核准量 {_t(p.permitted_t)} 吨",
                    f"{p.category}: received {_t(rec_t)} t above the permitted {_t(p.permitted_t)} t",
                    f"over_permit:{p.permit_id}:{p.category}",
                )
            )
        total_received += rec_t
        total_recycled += recycled[p.pk]
        rows.append(
            {
                "permit_id": p.permit_id,
                "category": p.category,
                "permitted_t": _num(p.permitted_t),
                "hauled_t": _num((hauled.get(p.pk) or ZERO).quantize(T3)),
                "received_t": _num(rec_t.quantize(T3)),
                "recycled_t": _num(recycled[p.pk].quantize(T3)),
                "open_manifests": sorted(open_manifests[p.pk]),
                "alerts": sorted(
                    alerts[p.pk], key=lambda a: (KIND_ORDER[a["kind"]], a["manifest_id"] or "", a["_key"])
                ),
                "_pk": p.pk,
            }
        )
    totals = {
        "received_t": _num(total_received.quantize(T3)),
        "recycled_t": _num(total_recycled.quantize(T3)),
        "recycled_share_pct": _num(share_pct(total_recycled, total_received)),
    }
    return {"permits": rows, "totals": totals}


def public(result: dict[str, Any]) -> dict[str, Any]:
    """The reconciliation as printed (``carbonpeak waste reconcile``): without the internal keys."""
    return {
        "permits": [
            {
                **{k: v for k, v in row.items() if not k.startswith("_") and k != "alerts"},
                "alerts": [{k: v for k, v in a.items() if not k.startswith("_")} for a in row["alerts"]],
            }
            for row in result["permits"]
        ],
        "totals": result["totals"],
    }
