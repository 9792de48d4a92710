"""The validation layer (house rule 9): checks return issues with code, field, severity and a message in
Chinese and English; imports, forms, the API and the CLI all report these same objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from carbonpeak.core import numbers, strictjson


@dataclass(frozen=True)
class Issue:
    code: str
    field: str
    message_zh: str
    message_en: str
    severity: str = "error"  # error | warning | info
    line: int | None = None

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["message"] = self.message
        if self.line is None:
            d.pop("line")
        return d


@dataclass
class Issues:
    items: list[Issue] = field(default_factory=list)

    def add(self, code: str, field_path: str, zh: str, en: str, severity: str = "error", line: int | None = None):
        self.items.append(Issue(code, field_path, zh, en, severity, line))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


class ValidationFailed(Exception):
    """Raised before anything is written; carries every error found."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues[:5]))

    def as_dict(self) -> dict[str, Any]:
        return {"errors": [i.as_dict() for i in self.issues]}


#: how each grammar refusal (core.numbers) is worded (callers put the field in front)
NUMBER_MESSAGES: dict[str, tuple[str, str]] = {
    numbers.EMPTY: ("请填写数值", "a number is required"),
    numbers.SYNTAX: ("不是数值", "not a number"),
    numbers.GROUPING: (
        "千位分隔符只能按三位分组，如 1,234,567",
        "thousands separators only in groups of three, as 1,234,567",
    ),
    numbers.EXPONENT: ("不接受科学计数法，请写成普通数字", "no exponent forms; write the number out"),
    numbers.NOT_FINITE: ("数值必须有限", "the number must be finite"),
    numbers.TOO_LARGE: (
        f"数值过大（整数部分最多 {numbers.MAX_INTEGER_DIGITS} 位）",
        f"too large (at most {numbers.MAX_INTEGER_DIGITS} digits before the point)",
    ),
    numbers.TOO_PRECISE: (
        f"小数位过多（最多 {numbers.MAX_PLACES} 位）",
        f"too many decimals (at most {numbers.MAX_PLACES})",
    ),
    numbers.NOT_NUMBER: ("不是数值", "not a number"),
}


def number_issue(code: str, field: str, issues: Issues, label: str | None = None) -> None:
    """One issue for a grammar refusal; ``label`` names the field in the Chinese message (default: the field)."""
    zh, en = NUMBER_MESSAGES.get(code, NUMBER_MESSAGES[numbers.SYNTAX])
    code_out = "not_number" if code != numbers.EMPTY else "required"
    issues.add(code_out, field, f"{label or field}：{zh}", f"{field}: {en}")


def decimal_field(raw: Any, field: str, issues: Issues, label: str | None = None) -> Decimal | None:
    """A decimal in the one grammar (core.numbers); else one issue naming the field and why."""
    try:
        return numbers.to_decimal(raw)
    except numbers.NumberError as e:
        number_issue(e.code, field, issues, label)
        return None


def int_field(raw: Any, field: str, issues: Issues, *, low: int, high: int) -> int | None:
    """A whole number in ``[low, high]`` (an id, a year, a page, a count); else one issue naming the field."""
    try:
        v = numbers.to_int(raw)
    except numbers.NumberError as e:
        if e.code == numbers.EMPTY:
            number_issue(e.code, field, issues)
        else:
            issues.add("not_integer", field, f"{field}：应为整数", f"{field}: a whole number is required")
        return None
    if not low <= v <= high:
        issues.add("out_of_range", field, f"{field}：应在 {low} 到 {high} 之间", f"{field}: between {low} and {high}")
        return None
    return v


def parse_int(raw: Any, *, low: int, high: int) -> int | None:
    """A whole number in ``[low, high]`` or None (for query parameters that fall back to a default)."""
    try:
        v = numbers.to_int(raw)
    except numbers.NumberError:
        return None
    return v if low <= v <= high else None


#: the widest years any page, form or file accepts (plans, accounts, baselines)
YEAR_MIN, YEAR_MAX = 1900, 2200
#: database ids (bigint/integer keys) in range for every backend
ID_MAX = 2**31 - 1


def require_id(raw: Any, field: str) -> int:
    """A database id from a form, query or path (``1`` to ``ID_MAX``), or ValidationFailed naming the field."""
    issues = Issues()
    v = int_field(raw, field, issues, low=1, high=ID_MAX)
    issues.raise_if_errors()
    assert v is not None
    return v


def year_field(raw: Any, field: str, issues: Issues) -> int | None:
    return int_field(raw, field, issues, low=YEAR_MIN, high=YEAR_MAX)


def text_field(
    raw: Any, field: str, issues: Issues, *, max_length: int, required: bool = False, strip: bool = True
) -> str | None:
    """A text with no NUL character and at most ``max_length`` characters; else one issue naming the field."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        issues.add("not_text", field, f"{field}：应为文字", f"{field}: a text is required")
        return None
    s = raw.strip() if strip else raw
    if "\x00" in s:
        issues.add("nul", field, f"{field}：含有空字符（NUL）", f"{field}: contains a NUL character")
        return None
    if len(s) > max_length:
        issues.add("too_long", field, f"{field}：最多 {max_length} 个字", f"{field}: at most {max_length} characters")
        return None
    if required and not s:
        issues.add("required", field, f"{field}：必填", f"{field}: required")
        return None
    return s


#: free texts that reports carry (the round report's PDF and Excel, account and review sheets): a dispatch
#: narrative, and every note, comment, reason or memo
NARRATIVE_MAX = 4000
NOTE_MAX = 1000


def require_text(raw: Any, field: str, *, max_length: int) -> str:
    """A free text within its limit and without NUL, or ValidationFailed naming the field (zh/en)."""
    issues = Issues()
    s = text_field(raw, field, issues, max_length=max_length, strip=False)
    issues.raise_if_errors()
    return s or ""


def max_length_of(model: Any, name: str) -> int:
    """A model field's max_length, so forms and services check the same limit the database has."""
    return int(model._meta.get_field(name).max_length)


def bounded_decimal(
    raw: Any,
    field: str,
    issues: Issues,
    *,
    low: Decimal,
    high: Decimal,
    places: int,
    zh: str,
    en: str,
    low_inclusive: bool = False,
) -> Decimal | None:
    """A decimal in the one grammar (core.numbers) within (low, high) — ``low`` itself when ``low_inclusive`` —
    with at most ``places`` decimals; else one issue with the caller's message."""
    try:
        v = numbers.to_decimal(raw if raw is not None else "")
        ok = (v >= low if low_inclusive else v > low) and v < high and v.as_tuple().exponent >= -places
    except numbers.NumberError:
        ok = False
    if not ok:
        issues.add("invalid", field, zh, en)
        return None
    return v


#: the request attribute holding the body's JSON once parsed (the body guard, the API parser, signed batches)
PARSED = "_carbonpeak_json"
_MISSING = object()


def json_body(request: Any) -> Any:
    """The body's JSON value, parsed strictly once per request (``strictjson.JSONBodyError`` when it is not
    acceptable: repeated keys, NaN, deep nesting, NUL)."""
    cached = getattr(request, PARSED, _MISSING)
    if cached is _MISSING:
        cached = strictjson.loads(request.body)
        setattr(request, PARSED, cached)
    return cached
