"""``peak``: the peak of a yearly series (first highest year) and the CAGR from the first to the last year."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, localcontext
from typing import Any, Final

from . import validate as v
from .errors import CalcError
from .factors import FactorSet
from .limits import MAX_SERIES_YEARS, MAX_YEAR, MIN_YEAR

_YEAR_RE: Final = re.compile(r"^[0-9]{4}$")


def peak(series: Mapping[int, Decimal]) -> tuple[int, Decimal]:
    """``(peak_year, peak_value)``: the first (earliest) year with the highest value (exact comparison)."""
    best_year: int | None = None
    best = Decimal(0)
    for y in sorted(series):
        x = series[y]
        if best_year is None or x > best:
            best_year, best = y, x
    if best_year is None:
        raise CalcError("invalid_value", "series", "The series is empty.")
    return best_year, best


def cagr(series: Mapping[int, Decimal]) -> float:
    """Compound annual growth rate from the first to the last year: ``(v_last/v_first)^(1/(y_last−y_first)) − 1``."""
    years = sorted(series)
    y0, y1 = years[0], years[-1]
    v0, v1 = series[y0], series[y1]
    if v0 <= 0:
        raise CalcError("invalid_value", f"series.{y0}", f"The first value ({v0}) must be > 0 for a growth rate.")
    if v1 == 0:
        return -1.0
    with localcontext() as ctx:
        ctx.prec = 50
        ratio = float(v1 / v0)
    return math.expm1(math.log(ratio) / (y1 - y0))


def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "series"))
    raw = v.obj(case["series"], "series")
    if len(raw) < 2:
        raise CalcError("invalid_value", "series", "series needs at least two years.")
    if len(raw) > MAX_SERIES_YEARS:
        raise CalcError("too_large", "series", f"series has {len(raw)} years; the limit is {MAX_SERIES_YEARS}.")
    series: dict[int, Decimal] = {}
    for k, x in raw.items():
        p = v.at_key("series", k)
        if not _YEAR_RE.match(k) or not (MIN_YEAR <= int(k) <= MAX_YEAR):
            raise CalcError("invalid_value", p, f"Series key {k!r} must be a year ({MIN_YEAR}-{MAX_YEAR}).")
        series[int(k)] = v.number(x, p)
    y, pv = peak(series)
    return {
        "peak_year": y,
        "peak_value": float(pv),
        "cagr": cagr(series),
        "method": fs.method("peak:first highest year (exact comparison); cagr=(v_last/v_first)^(1/years)-1"),
    }
