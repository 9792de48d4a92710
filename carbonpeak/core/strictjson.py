"""Strict JSON for request bodies: every JSON endpoint (the ninja API and the signed machine APIs) reads bodies
through ``loads``. Refused, each with a code: text that is not UTF-8 JSON, a key repeated in one object (which
value wins differs between parsers, so the signed body could mean two things), NaN and Infinity, numbers too
large for a float (``1e400``), nesting deeper than ``MAX_DEPTH`` (also where the parser itself runs out of
stack: RecursionError), and NUL characters in any key or string (no database text holds one). Pure: no Django."""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64


class JSONBodyError(ValueError):
    def __init__(self, code: str, zh: str, en: str, field: str = "body"):
        self.code, self.zh, self.en, self.field = code, zh, en, field
        super().__init__(f"{code}: {en}")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise JSONBodyError("duplicate_key", f"JSON 对象中键 “{k}” 重复", f"the JSON object repeats the key {k!r}")
        out[k] = v
    return out


def _constant(name: str) -> Any:
    raise JSONBodyError("not_finite", f"JSON 中不允许 {name}", f"{name} is not allowed in JSON")


def _float(text: str) -> float:
    f = float(text)
    if not math.isfinite(f):
        raise JSONBodyError("number_too_large", f"数值 {text[:30]} 超出范围", f"the number {text[:30]} is out of range")
    return f


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting outside strings (regular expressions do the scanning; then one step per
    bracket), so that a deep body is refused before the parser recurses into it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


#: a NUL can only reach a JSON string as the escape \u0000 (raw control characters are invalid JSON); an
#: escaped backslash before it (\\u0000) is the six characters, not a NUL
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def nul_path(value: Any) -> str | None:
    """Where a NUL character sits in a parsed value (``events[2].ref``), or None."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        v, path = stack.pop()
        if isinstance(v, str):
            if "\x00" in v:
                return path or "body"
        elif isinstance(v, dict):
            for k, x in v.items():
                if "\x00" in k:
                    return path or "body"
                stack.append((x, f"{path}.{k}" if path else k))
        elif isinstance(v, list):
            stack.extend((x, f"{path}[{i}]") for i, x in enumerate(v))
    return None


TOO_DEEP = (f"JSON 嵌套超过 {MAX_DEPTH} 层", f"the JSON nests deeper than {MAX_DEPTH} levels")


def loads(body: bytes | str) -> Any:
    """The JSON value of a body, or JSONBodyError (code, zh, en)."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise JSONBodyError("not_utf8", "请求体不是 UTF-8 编码", "the body is not UTF-8") from e
    else:
        text = body
    if _bracket_depth(text) > MAX_DEPTH:
        raise JSONBodyError("too_deep", *TOO_DEEP)
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
    except JSONBodyError:
        raise
    except RecursionError as e:
        raise JSONBodyError("too_deep", *TOO_DEEP) from e
    except ValueError as e:  # JSONDecodeError, and integers longer than Python converts
        raise JSONBodyError("json_invalid", "请求体不是有效的 JSON", f"the body is not valid JSON ({e})") from e
    if _NUL_ESCAPE.search(text) is not None and (path := nul_path(value)) is not None:
        raise JSONBodyError("nul", f"{path}：含有空字符（NUL）", f"{path}: contains a NUL character", field=path)
    return value
