"""A target's indicator values: the one write of a value (checked, stored, audited with its source), and the
checks of a number, a period and an evidence file that the plan's other services share.

Here and not in ``services`` because the accounting app writes values too (``accounting/indicators.py``: an
approved inventory pushes the computed indicators to their targets, source = accounting, with the factor set's
version in the detail), and a domain app never imports another's ``services`` (tests/test_layering.py).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from carbonpeak.accounts.permissions import require
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import numbers
from carbonpeak.plan.choices import AssignmentRole, ValueSource
from carbonpeak.plan.models import Department, Evidence, IndicatorValue, Plan, Target
from carbonpeak.plan.permissions import owns_target
from carbonpeak.plan.plan_io import SIGNED_INDICATORS, check_target_value
from carbonpeak.validation import NOTE_MAX, Issues, decimal_field, text_field


def parse_decimal(raw: Any, field: str, issues: Issues, label: str | None = None) -> Decimal | None:
    """A number in the one grammar (core.numbers: ``1,234.5``, fullwidth alike; no exponents, NaN or ``1,2``);
    `label` names the field in the Chinese message (default: the field itself)."""
    if isinstance(raw, bool) or raw is None or raw == "":
        issues.add("required", field, f"{label or field}：请填写数值", f"{field}: a number is required")
        return None
    return decimal_field(raw, field, issues, label)


def check_period(plan: Plan, year: Any, quarter: Any, issues: Issues) -> tuple[int | None, int | None]:
    first, last = plan.first_year, plan.last_year
    lowest = min(first, plan.base_year)
    try:  # the one grammar: 2025 and ２０２５ alike; 2025.7 or 1e3 are not years
        y = numbers.to_int(year)
    except numbers.NumberError:
        issues.add("bad_year", "year", "year：年份无效", "year: not a valid year")
        return None, None
    if not lowest <= y <= last:
        issues.add(
            "period_outside_plan",
            "year",
            f"year：{y} 不在方案期 {lowest}–{last} 内",
            f"year: {y} is outside the plan's period {lowest}-{last}",
        )
    q = None
    if quarter not in (None, ""):
        try:
            q = numbers.to_int(quarter)
        except numbers.NumberError:
            q = -1
        if q not in (1, 2, 3, 4):
            issues.add("bad_quarter", "quarter", "quarter：季度应为 1–4", "quarter: must be 1 to 4")
    return y, q


#: Evidence.original_name's column
EVIDENCE_NAME_MAX = 200


def check_evidence(upload: Any, issues: Issues, field: str = "evidence") -> None:
    name = getattr(upload, "name", "") or ""
    if len(PurePath(name).name) > EVIDENCE_NAME_MAX:
        issues.add(
            "too_long",
            field,
            f"{field}：文件名最多 {EVIDENCE_NAME_MAX} 个字",
            f"{field}: the file name has at most {EVIDENCE_NAME_MAX} characters",
        )
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext not in settings.EVIDENCE_EXTENSIONS:
        allowed = ", ".join(settings.EVIDENCE_EXTENSIONS)
        issues.add(
            "file_type",
            field,
            f"{field}：不允许的文件类型 .{ext}（允许：{allowed}）",
            f"{field}: file type .{ext} is not allowed (allowed: {allowed})",
        )
    size = getattr(upload, "size", 0) or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        mb = settings.EVIDENCE_MAX_BYTES / 1024 / 1024
        issues.add(
            "file_too_large",
            field,
            f"{field}：文件过大（上限 {mb:.0f} MB）",
            f"{field}: the file is too large (limit {mb:.0f} MB)",
        )
    if size == 0:
        issues.add("file_empty", field, f"{field}：文件为空", f"{field}: the file is empty")


def store_evidence(upload: Any, department: Department | None, actor: Any, **owner: Any) -> Evidence:
    data = upload.read()
    digest = hashlib.sha256(data).hexdigest()
    ev = Evidence(
        original_name=PurePath(upload.name).name[:200],
        content_type=getattr(upload, "content_type", "") or "",
        size_bytes=len(data),
        sha256=digest,
        department=department,
        uploaded_by_label=actor_label(actor),
        **owner,
    )
    ev.file.save(digest, ContentFile(data), save=False)
    ev.save()
    return ev


def value_snapshot(v: IndicatorValue | None) -> dict | None:
    if v is None:
        return None
    return {"value": v.value, "period": v.period_label, "source": v.source, "note": v.note}


@transaction.atomic
def set_indicator_value(
    actor: Any,
    target: Target,
    year: Any,
    quarter: Any,
    value: Any,
    note: str = "",
    source: str = ValueSource.MANUAL,
    source_detail: str = "",
    evidence: list | None = None,
    unit: str | None = None,
) -> IndicatorValue:
    """`unit`, when a client states one, must be the target's canonical unit (no silent conversion)."""
    require(owns_target(actor, target))
    if target.archived:  # out of the lights: its values stay readable, no new ones
        issues = Issues()
        issues.add("archived", "target", "该指标已归档，不再填报", "this target is archived and takes no new values")
        issues.raise_if_errors()
    return store_indicator_value(actor, target, year, quarter, value, note, source, source_detail, evidence, unit)


def store_indicator_value(
    actor: Any,
    target: Target,
    year: Any,
    quarter: Any,
    value: Any,
    note: str = "",
    source: str = ValueSource.MANUAL,
    source_detail: str = "",
    evidence: list | None = None,
    unit: str | None = None,
) -> IndicatorValue:
    """The checked, audited write without the ownership check: for a computed figure a module pushes on an
    approval the module itself authorised (plan/feeds.py). Everything a person types goes through
    ``set_indicator_value``."""
    issues = Issues()
    if unit not in (None, "") and unit != target.unit:
        issues.add(
            "unit_mismatch",
            "unit",
            f"unit：指标“{target.name}”的单位是 {target.unit}，不能填报 {unit}",
            f"unit: target {target.code} is measured in {target.unit}, not {unit}",
        )
    y, q = check_period(target.plan, year, quarter, issues)
    text_field(note, "note", issues, max_length=NOTE_MAX, strip=False)
    d = parse_decimal(value, "value", issues)
    if d is not None:
        check_target_value(target.unit, d, "value", issues, signed=target.indicator in SIGNED_INDICATORS)
    for f in evidence or []:
        check_evidence(f, issues)
    issues.raise_if_errors()
    existing = IndicatorValue.objects.select_for_update().filter(target=target, year=y, quarter=q).first()
    before = value_snapshot(existing)
    if existing is None:
        existing = IndicatorValue(target=target, year=y, quarter=q)
    existing.value = d
    existing.note = note
    existing.source = source
    existing.source_detail = source_detail
    existing.entered_by_label = actor_label(actor)
    existing.save()
    dept = _acting_department(actor, target.assignments.filter(role=AssignmentRole.LEAD).first())
    for f in evidence or []:
        store_evidence(f, dept, actor, value=existing)
    record(actor, "indicator_value.set", existing, before, value_snapshot(existing))
    return existing


def _acting_department(actor: Any, fallback_assignment: Any) -> Department | None:
    dept = getattr(actor, "department", None)
    if dept is not None:
        return dept
    return fallback_assignment.department if fallback_assignment is not None else None
