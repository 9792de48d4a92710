"""The validation layer (house rule 9): checks return issues with code, field, severity and a message in
Chinese and English; imports, forms, the API and the CLI all report these same objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


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
    """A decimal from a form or file cell (thousands separators allowed) within (low, high) — ``low`` itself
    when ``low_inclusive`` — with at most ``places`` decimals; else one issue with the caller's message."""
    try:
        v = Decimal(str(raw if raw is not None else "").replace(",", "").strip())
        ok = (
            v.is_finite() and (v >= low if low_inclusive else v > low) and v < high and v.as_tuple().exponent >= -places
        )
    except (InvalidOperation, ValueError):
        ok = False
    if not ok:
        issues.add("invalid", field, zh, en)
        return None
    return v
