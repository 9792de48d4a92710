"""Strict reading of a case: JSON parsing with exact decimals and typed accessors that report paths.

- :func:`loads` parses JSON text with ``parse_float=Decimal`` (so ``1.2`` stays exactly ``1.2``), keeps
  ``NaN``/``Infinity`` literals as :class:`NonFinite` markers (reported with their path, not as a parse
  failure) and marks objects with duplicate keys.
- The accessors (:func:`number`, :func:`integer`, :func:`string`, :func:`array`, :func:`obj`, :func:`keys`)
  raise :class:`CalcError` with the value's path (``lines[3].unit``).

Numbers are accepted as ``int`` (not ``bool``), finite ``Decimal`` and finite ``float`` (a float, e.g. from a
caller that parsed JSON itself, is read through its shortest repr, which is the number as written).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from .errors import CalcError

#: largest magnitude accepted for any number in a case (documented limit; keeps products finite)
MAX_ABS_NUMBER: Final = Decimal("1e30")
#: most significant digits accepted in a number as written (exact arithmetic stays exact)
MAX_DIGITS: Final = 40


class NonFinite:
    """A ``NaN``/``Infinity``/``-Infinity`` literal found while parsing (invalid wherever it appears)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"NonFinite({self.text!r})"


class ReadyList(list[Any]):
    """A list a handler has already made JSON-ready and finite (serialisation need not walk it again)."""


class DuplicateKeyObject(dict[str, Any]):
    """A JSON object that named a key more than once (the last value is kept; validation rejects it)."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        dd = DuplicateKeyObject(d)
        seen: set[str] = set()
        dd.duplicates = []
        for k, _ in pairs:
            if k in seen and k not in dd.duplicates:
                dd.duplicates.append(k)
            seen.add(k)
        return dd
    return d


def loads(text: str | bytes) -> Any:
    """Parse JSON text for the core; malformed JSON -> ``CalcError("invalid_json", "", ...)``."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=NonFinite, object_pairs_hook=_pairs_hook)
    except json.JSONDecodeError as e:
        raise CalcError(
            "invalid_json", "", f"The case is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}."
        ) from e
    except (ValueError, RecursionError) as e:
        raise CalcError("invalid_json", "", f"The case is not valid JSON: {e}.") from e


# --- paths ------------------------------------------------------------------------------------------------
def at_key(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def at_index(base: str, i: int) -> str:
    return f"{base}[{i}]"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float, Decimal, NonFinite)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- accessors --------------------------------------------------------------------------------------------
def obj(value: object, path: str, what: str = "an object") -> dict[str, Any]:
    if not isinstance(value, dict):
        where = path or "the case"
        raise CalcError("wrong_type", path, f"{where} must be {what}, not {json_type(value)}.")
    if isinstance(value, DuplicateKeyObject):
        k = value.duplicates[0]
        raise CalcError("duplicate_key", at_key(path, k), f"Key {k!r} appears more than once; give it once.")
    return value


def keys(d: dict[str, Any], path: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    """Unknown keys are errors (a typo must not fall back to a default); required keys must be present."""
    req = tuple(required)
    allowed = set(req) | set(optional)
    for k in d:
        if k not in allowed:
            near = _nearest(k, allowed)
            hint = f" Did you mean {near!r}?" if near else f" Allowed: {', '.join(sorted(allowed))}."
            raise CalcError("unknown_key", at_key(path, k), f"Unknown key {k!r}.{hint}")
    for k in req:
        if k not in d:
            raise CalcError("missing_key", at_key(path, k), f"Key {k!r} is required.")


def _nearest(word: str, candidates: Iterable[str]) -> str | None:
    import difflib

    m = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return m[0] if m else None


def number(
    value: object,
    path: str,
    *,
    minimum: Decimal | int | None = 0,
    exclusive_minimum: bool = False,
    maximum: Decimal | int | None = None,
    exclusive_maximum: bool = False,
) -> Decimal:
    """A finite number as an exact Decimal. By default it must be >= 0 (quantities are never negative)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, list, dict)):
        if isinstance(value, str):
            msg = f"{path} must be a number, not the string {value!r}; write numbers without quotes" + (
                " (NaN and Infinity are not allowed)." if value.strip().lower() in _NONFINITE_WORDS else "."
            )
        else:
            msg = f"{path} must be a number, not {json_type(value)}."
        raise CalcError("wrong_type", path, msg)
    if isinstance(value, NonFinite):
        raise CalcError("not_finite", path, f"{path} is {value.text}; give a finite number.")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CalcError("not_finite", path, f"{path} is {_spell(value)}; give a finite number.")
        d = Decimal(repr(value))
    else:
        try:  # numpy scalars and other number-likes from Python callers
            f = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CalcError("wrong_type", path, f"{path} must be a number, not {json_type(value)}.") from None
        if not math.isfinite(f):
            raise CalcError("not_finite", path, f"{path} is {_spell(f)}; give a finite number.")
        d = Decimal(repr(f))
    if not d.is_finite():
        raise CalcError("not_finite", path, f"{path} is {_spell(float(d))}; give a finite number.")
    if abs(d) > MAX_ABS_NUMBER:
        raise CalcError("out_of_range", path, f"{path} = {d} is beyond the limit of ±{MAX_ABS_NUMBER}.")
    if len(d.as_tuple().digits) > MAX_DIGITS:
        raise CalcError("out_of_range", path, f"{path} has more than {MAX_DIGITS} significant digits.")
    if minimum is not None:
        lo = Decimal(minimum)
        if d < lo or (exclusive_minimum and d == lo):
            if lo == 0 and d < 0:
                raise CalcError("negative", path, f"{path} = {d} is negative; it must be >= 0.")
            op = ">" if exclusive_minimum else ">="
            raise CalcError("out_of_range", path, f"{path} = {d} must be {op} {lo}.")
    if maximum is not None:
        hi = Decimal(maximum)
        if d > hi or (exclusive_maximum and d == hi):
            op = "<" if exclusive_maximum else "<="
            raise CalcError("out_of_range", path, f"{path} = {d} must be {op} {hi}.")
    return d


def _spell(x: float) -> str:
    """JSON's spelling of a non-finite number."""
    if math.isnan(x):
        return "NaN"
    return "Infinity" if x > 0 else "-Infinity"


_NONFINITE_WORDS = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


def fraction(value: object, path: str) -> Decimal:
    """A fraction 0-1 (never percent)."""
    return number(value, path, minimum=0, maximum=1)


def integer(value: object, path: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (``2020``, also ``2020.0`` is refused: integers are written without a fraction)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, NonFinite):
            raise CalcError("not_finite", path, f"{path} is {value.text}; give an integer.")
        raise CalcError("wrong_type", path, f"{path} must be an integer, not {json_type(value)}.")
    if minimum is not None and value < minimum:
        raise CalcError("out_of_range", path, f"{path} = {value} must be >= {minimum}.")
    if maximum is not None and value > maximum:
        raise CalcError("out_of_range", path, f"{path} = {value} must be <= {maximum}.")
    return value


def string(value: object, path: str, choices: Iterable[str] | None = None, *, code: str = "invalid_value") -> str:
    if not isinstance(value, str):
        raise CalcError("wrong_type", path, f"{path} must be a string, not {json_type(value)}.")
    if not value:
        raise CalcError("invalid_value", path, f"{path} must not be empty.")
    if choices is not None:
        ch = tuple(choices)
        if value not in ch:
            near = _nearest(value, ch)
            hint = f" Did you mean {near!r}?" if near else ""
            shown = ", ".join(ch) if len(ch) <= 20 else ", ".join(ch[:20]) + ", ..."
            raise CalcError(code, path, f"{path} = {value!r} is not one of: {shown}.{hint}")
    return value


def array(
    value: object,
    path: str,
    *,
    min_len: int = 0,
    max_len: int | None = None,
    exact_len: int | None = None,
) -> list[Any]:
    if not isinstance(value, list):
        raise CalcError("wrong_type", path, f"{path} must be an array, not {json_type(value)}.")
    n = len(value)
    if exact_len is not None and n != exact_len:
        raise CalcError("invalid_value", path, f"{path} must have exactly {exact_len} elements, not {n}.")
    if n < min_len:
        raise CalcError("invalid_value", path, f"{path} must have at least {min_len} element(s), not {n}.")
    if max_len is not None and n > max_len:
        raise CalcError("too_large", path, f"{path} has {n} elements; the limit is {max_len}.")
    return value


def optional(d: dict[str, Any], key: str) -> Any:
    return d.get(key)
