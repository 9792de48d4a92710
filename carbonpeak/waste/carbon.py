"""Avoided emissions of recycled aggregate against virgin aggregate, through a versioned methodology whose
parameters (value, unit, source, data-quality grade) are data (``data/waste_methods.json``, loaded into
``Methodology``/``MethodParameter`` by migration; a change is a new version, chosen per report).

    avoided (kg CO2e) = recycled_t × (aggregate_yield × virgin_ef − processing_kwh × grid_ef)

The figure is *reported* on the module's page only: it is never added to (or subtracted from) the county's
emission inventory, whose energy-use accounting already holds the recycling plants' electricity and whose
scope does not hold the quarries elsewhere; counting it there would count it twice.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "waste_methods.json"
T3 = Decimal("0.001")


def shipped() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def load_shipped(methodology_model: Any, parameter_model: Any) -> int:
    """Store the shipped versions not stored yet (a stored version is never changed); returns how many."""
    added = 0
    for v in shipped()["versions"]:
        m, created = methodology_model.objects.get_or_create(
            version=v["version"], defaults={"title": v["title"], "note": v.get("note", "")}
        )
        if not created:
            continue
        added += 1
        for p in v["parameters"]:
            parameter_model.objects.create(methodology=m, **{**p, "value": Decimal(p["value"])})
    return added


def avoided_t(recycled_t: Decimal, params: dict[str, Decimal]) -> Decimal:
    """Avoided emissions in t CO2e (3 decimals, half up) of ``recycled_t`` tonnes recycled."""
    per_t_kg = params["aggregate_yield"] * params["virgin_ef"] - params["processing_kwh"] * params["grid_ef"]
    return (recycled_t * per_t_kg / 1000).quantize(T3, rounding=ROUND_HALF_UP)


def report(recycled_t: Decimal, version: str | None = None) -> dict[str, Any] | None:
    """The avoided emissions under a stored version (default: the latest), with its parameters."""
    from carbonpeak.waste.models import Methodology

    qs = Methodology.objects.prefetch_related("parameters")
    m = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if m is None:
        return None
    params = {p.key: p.value for p in m.parameters.all()}
    return {
        "methodology": m,
        "parameters": list(m.parameters.all()),
        "avoided_t": avoided_t(recycled_t, params),
        "versions": list(Methodology.objects.values_list("version", flat=True)),
    }
