"""``inclusion`` (碳普惠): low-carbon acts to points, in exact decimal arithmetic.

Methodology kinds (ER = BE − PE, baseline minus project emissions):

- ``per_event``: ``gco2_per_event × quantity`` (quantity = a whole count);
- ``per_unit``: ``gco2_per_unit × quantity`` (e.g. per step);
- ``distance``: ``(baseline_kgco2_per_km − mode_kgco2_per_km) × km × 1000`` g.

Events are taken in the order given. Events sharing a ``ref`` are one real-world act reported twice: the first
counts, the later ones are ignored and counted in ``duplicates_ignored``. Points of an event =
``floor(reduction_g × points_per_gco2)``. ``daily_cap_points`` caps the points of one date over all
methodologies; events of a date are credited in order until the cap is reached (the event that crosses the cap
gets the remainder), and the methodology of each credited event gets its points. ``reduction_gco2`` is the
reduction of all counted (non-duplicate) events, whether or not the cap let them earn points;
``points_capped`` is what the cap withheld.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from decimal import ROUND_FLOOR, Decimal, Inexact, localcontext
from typing import Any, Final

from . import units
from . import validate as v
from .errors import CalcError
from .factors import FactorSet
from .limits import MAX_EVENTS, MAX_METHODOLOGIES

KINDS: Final = ("per_event", "per_unit", "distance")
KIND_PARAMS: Final = {
    "per_event": ("gco2_per_event",),
    "per_unit": ("gco2_per_unit",),
    "distance": ("baseline_kgco2_per_km", "mode_kgco2_per_km"),
}
DESCRIPTIVE: Final = ("name", "source", "version")
EXACT_PREC: Final = 200
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Methodology:
    code: str
    kind: str
    g_per_quantity: Decimal  # gCO2 reduced per unit of event quantity


@dataclass(frozen=True, slots=True)
class Event:
    ref: str
    methodology: str
    quantity: Decimal
    date: str


@dataclass(frozen=True, slots=True)
class InclusionResult:
    reduction_gco2: Decimal
    points: int
    by_methodology: dict[str, int]
    duplicates_ignored: int
    points_capped: int


def points(
    points_per_gco2: Decimal,
    methodologies: dict[str, Methodology],
    events: list[Event],
    daily_cap_points: int | None = None,
) -> InclusionResult:
    by_m: dict[str, int] = {code: 0 for code in methodologies}
    seen: set[str] = set()
    per_day: dict[str, int] = {}
    dup = 0
    capped = 0
    total_red = Decimal(0)
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        ctx.traps[Inexact] = True
        for ev in events:
            if ev.ref in seen:
                dup += 1
                continue
            seen.add(ev.ref)
            m = methodologies[ev.methodology]
            red = m.g_per_quantity * ev.quantity
            total_red += red
            pts = int((red * points_per_gco2).to_integral_value(rounding=ROUND_FLOOR))
            if daily_cap_points is not None:
                used = per_day.get(ev.date, 0)
                room = max(daily_cap_points - used, 0)
                award = min(pts, room)
                capped += pts - award
                pts = award
                per_day[ev.date] = used + award
            by_m[m.code] += pts
    return InclusionResult(total_red, sum(by_m.values()), by_m, dup, capped)


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "points_per_gco2", "methodologies", "events"), ("daily_cap_points",))
    ppg = v.number(case["points_per_gco2"], "points_per_gco2")
    cap: int | None = None
    if "daily_cap_points" in case and case["daily_cap_points"] is not None:
        c = v.number(case["daily_cap_points"], "daily_cap_points")
        if c != c.to_integral_value():
            raise CalcError("invalid_value", "daily_cap_points", "daily_cap_points must be a whole number of points.")
        cap = int(c)
    raw_m = v.array(case["methodologies"], "methodologies", min_len=1, max_len=MAX_METHODOLOGIES)
    meths: dict[str, Methodology] = {}
    for i, raw in enumerate(raw_m):
        p = f"methodologies[{i}]"
        d = v.obj(raw, p)
        if "kind" not in d:
            raise CalcError("missing_key", f"{p}.kind", f"Key 'kind' is required ({', '.join(KINDS)}).")
        kind = v.string(d["kind"], f"{p}.kind", KINDS, code="unknown_methodology_kind")
        params = KIND_PARAMS[kind]
        v.keys(d, p, ("code", "kind", *params), DESCRIPTIVE)
        code = v.string(d["code"], f"{p}.code")
        if code in meths:
            raise CalcError("duplicate", f"{p}.code", f"Methodology code {code!r} is defined twice.")
        for k in DESCRIPTIVE:
            if k in d:
                v.string(d[k], f"{p}.{k}")
        if kind == "distance":
            base = v.number(d["baseline_kgco2_per_km"], f"{p}.baseline_kgco2_per_km")
            mode = v.number(d["mode_kgco2_per_km"], f"{p}.mode_kgco2_per_km")
            if mode > base:
                raise CalcError(
                    "invalid_value",
                    f"{p}.mode_kgco2_per_km",
                    f"mode_kgco2_per_km ({mode}) exceeds baseline_kgco2_per_km ({base}): not a reduction.",
                )
            with localcontext() as ctx:
                ctx.prec = EXACT_PREC
                g = (base - mode) * units.G_PER_KG
        else:
            g = v.number(d[params[0]], f"{p}.{params[0]}")
        meths[code] = Methodology(code, kind, g)
    raw_e = v.array(case["events"], "events", max_len=MAX_EVENTS)
    events: list[Event] = []
    for i, raw in enumerate(raw_e):
        p = f"events[{i}]"
        d = v.obj(raw, p)
        v.keys(d, p, ("ref", "methodology", "quantity", "date"))
        ref = v.string(d["ref"], f"{p}.ref")
        mcode = d["methodology"]
        if not isinstance(mcode, str) or mcode not in meths:
            v.string(mcode, f"{p}.methodology")
            raise CalcError(
                "unknown_methodology",
                f"{p}.methodology",
                f"Methodology {mcode!r} is not defined in methodologies ({', '.join(meths)}).",
            )
        q = v.number(d["quantity"], f"{p}.quantity")
        if meths[mcode].kind == "per_event" and q != q.to_integral_value():
            raise CalcError("invalid_value", f"{p}.quantity", f"quantity {q} of a per_event methodology is a count.")
        ds = v.string(d["date"], f"{p}.date")
        try:
            if not _DATE_RE.match(ds):
                raise ValueError
            _date.fromisoformat(ds)
        except ValueError:
            raise CalcError("invalid_value", f"{p}.date", f"date {ds!r} must be a date YYYY-MM-DD.") from None
        events.append(Event(ref, mcode, q, ds))
    r = points(ppg, meths, events, cap)
    cap_txt = f", daily cap {cap} points per date" if cap is not None else ""
    return {
        "reduction_gco2": float(r.reduction_gco2),
        "points": r.points,
        "by_methodology": r.by_methodology,
        "duplicates_ignored": r.duplicates_ignored,
        "points_capped": r.points_capped,
        "method": fs.method(
            f"inclusion:floor(reduction_g*points_per_gco2) per event, first ref counts{cap_txt}; exact decimal"
        ),
    }


def reduction_per_quantity(kind: str, params: dict[str, Decimal]) -> Decimal:
    """gCO2 reduced per unit of event quantity for a methodology kind (``household_electricity``: per kWh saved,
    ``grid_gco2_per_kwh``)."""
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        ctx.traps[Inexact] = True
        if kind == "per_event":
            return params["gco2_per_event"]
        if kind == "per_unit":
            return params["gco2_per_unit"]
        if kind == "distance":
            base, mode = params["baseline_kgco2_per_km"], params["mode_kgco2_per_km"]
            if mode > base:
                raise ValueError("mode_kgco2_per_km exceeds baseline_kgco2_per_km: not a reduction")
            return (base - mode) * units.G_PER_KG
        if kind == "household_electricity":
            return params["grid_gco2_per_kwh"]
    raise ValueError(f"unknown methodology kind {kind!r}")


def event_points(reduction_g: Decimal, points_per_gco2: Decimal) -> int:
    """Points of one event: the reduction in grams × points per gram, floored to a whole point."""
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        ctx.traps[Inexact] = True
        return int((reduction_g * points_per_gco2).to_integral_value(rounding=ROUND_FLOOR))


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = EXACT_PREC
        ctx.traps[Inexact] = True
        return a * b
