"""One entry point for every calculation: ``run_case(case, factors) -> result``.

``case`` is a JSON object (a ``dict``, ideally parsed with :func:`parse_case`, which keeps numbers as exact
decimals) whose ``calc`` names the calculation; the result is a JSON-ready ``dict`` or
``{"error": {"code", "field", "message"}}``. Validation is strict (unknown keys, wrong types, strings for
numbers, NaN/Infinity, negative quantities, unknown carriers, units that cannot convert, missing factors and
sizes above :mod:`carbonpeak.core.limits` are errors naming the field).

:data:`CALCS` maps a calc name to its handler ``(case, factor_set) -> dict``; handler modules are imported on
first use (numpy is only loaded by the calculations that need it). Add a calculation with :func:`register`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from importlib import import_module
from typing import Any

from . import validate as v
from .errors import CalcError
from .factors import FactorSet, load_builtin

Handler = Callable[[dict[str, Any], FactorSet], dict[str, Any]]


def _lazy(module: str, attr: str) -> Handler:
    target: list[Handler] = []

    def handler(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
        if not target:
            target.append(getattr(import_module(module, __package__), attr))
        return target[0](case, fs)

    handler.__qualname__ = handler.__name__ = f"{module.lstrip('.')}.{attr}"
    return handler


#: calc name -> handler(case, factor_set) -> JSON-ready dict
CALCS: dict[str, Handler] = {
    "inventory": _lazy(".inventory", "handle"),
    "gwp": _lazy(".gwp", "handle"),
    "intensity_reduction": _lazy(".intensity", "handle_intensity_reduction"),
    "required_annual_reduction": _lazy(".intensity", "handle_required_annual_reduction"),
    "nonfossil_share": _lazy(".nonfossil", "handle"),
    "forest_sink": _lazy(".forest", "handle"),
    "carbon_efficiency": _lazy(".ceff", "handle"),
    "inclusion": _lazy(".inclusion", "handle"),
    "lmdi": _lazy(".lmdi", "handle"),
    "peak": _lazy(".peak", "handle"),
    "projection": _lazy(".projection", "handle"),
}


def register(name: str, handler: Handler) -> None:
    """Plug in a calculation (``handler(case, factor_set) -> dict``; raise CalcError for invalid input)."""
    if name in CALCS:
        raise ValueError(f"calc {name!r} is already registered")
    CALCS[name] = handler


def parse_case(text: str | bytes) -> Any:
    """Parse JSON text with exact decimals (``1.2`` stays ``Decimal('1.2')``); CalcError when malformed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CalcError("invalid_json", "", f"The case is not UTF-8 text ({e.reason} at byte {e.start}).") from e
    return v.loads(text)


def run_case(case: dict[str, Any], factors: FactorSet | None = None) -> dict[str, Any]:
    """Validate and run one case; returns the result or an error object (never raises CalcError)."""
    try:
        d = v.obj(case, "", "a JSON object")
        if "calc" not in d:
            raise CalcError("missing_key", "calc", f"Key 'calc' is required; one of {', '.join(CALCS)}.")
        name = d["calc"]
        if not isinstance(name, str) or name not in CALCS:
            v.string(name, "calc")
            raise CalcError("unknown_calc", "calc", f"Unknown calculation {name!r}; one of {', '.join(CALCS)}.")
        fs = factors if factors is not None else load_builtin()
        result: dict[str, Any] = jsonable(CALCS[name](d, fs))
        return result
    except CalcError as e:
        return e.to_dict()


def run_json(text: str | bytes, factors: FactorSet | None = None) -> dict[str, Any]:
    """Parse and run one case given as JSON text."""
    try:
        case = parse_case(text)
    except CalcError as e:
        return e.to_dict()
    return run_case(case, factors)


def is_error(result: dict[str, Any]) -> bool:
    return "error" in result and len(result) == 1


def jsonable(obj: Any) -> Any:
    """Plain JSON types: Decimal -> float (int stays int), numpy scalars/arrays -> Python; NaN/inf rejected."""
    t = type(obj)
    if t is float:
        if not math.isfinite(obj):
            raise CalcError("not_finite_result", "", "The calculation produced a non-finite number; check magnitudes.")
        return obj
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is dict:
        return {k: jsonable(x) for k, x in obj.items()}
    if t is v.ReadyList:
        return obj
    if t is list or t is tuple:
        if obj and all(type(x) is float for x in obj):
            if not all(map(math.isfinite, obj)):
                raise CalcError("not_finite_result", "", "The calculation produced a non-finite number.")
            return list(obj)
        return [jsonable(x) for x in obj]
    if t is Decimal:
        return jsonable(float(obj))
    if hasattr(obj, "tolist"):  # numpy scalar or array
        return jsonable(obj.tolist())
    raise TypeError(f"not JSON-ready: {obj!r}")
