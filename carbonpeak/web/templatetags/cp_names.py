"""Names instead of codes on a page (issue 14): industries by their GB/T 4754 name, a result's method in words.

Kept apart from ``cp`` so pages load only what they use: ``{% load cp_names %}``."""

from __future__ import annotations

import re

from django import template

from carbonpeak.accounting import method_text as _method_text

register = template.Library()


@register.filter
def industry_name(code) -> str:
    """A GB/T 4754-2017 code (``3071``, ``C30``, ``industry.C30``) as its Chinese name; unknown codes unchanged."""
    from carbonpeak.enterprises.industry import lookup

    raw = "" if code is None else str(code)
    bare = raw.removeprefix("industry.")
    found = lookup(bare) or (lookup(bare[1:]) if bare[:1].isalpha() and bare[1:].isdigit() else None)
    return found.name if found else raw


@register.filter
def method_text(method, names) -> str:
    """A result's method label in words, naming the factors it used (the label itself goes behind 详情)."""
    return _method_text.describe(method, names or {})


@register.filter
def factor_set_name(fs) -> str:
    """A factor set (object or version string) by its label and date, never ``430224:1`` or ``builtin:…``."""
    if fs is None or isinstance(fs, str):
        return _method_text.factor_set_name(fs)
    return _method_text.factor_set_label(fs)


#: "因子库 <version>" in a stored source text (``430224:1``, ``builtin:781ff868c2d7``)
_FACTOR_SET_IN_TEXT = re.compile(r"因子库 ?([0-9A-Za-z][0-9A-Za-z_.:-]*)")


@register.filter
def factor_sets_named(text) -> str:
    """A stored source text (a module's indicator value, e.g. "…，因子库 builtin:781ff868c2d7") with each factor
    set by its name and date as people know it; a version the database does not hold stays as written."""

    def named(m: re.Match[str]) -> str:
        name = _method_text.factor_set_name(m.group(1))
        if name == m.group(1):
            return m.group(0)
        return name if "因子库" in name else f"因子库 {name}"

    return _FACTOR_SET_IN_TEXT.sub(named, "" if text is None else str(text))


@register.filter
def grid_name(version, grid) -> str:
    """A grid series (``prov.hunan``) of a factor set by its factors' Chinese name."""
    return _method_text.grid_name(version, grid)


@register.filter
def grade_name(factor) -> str:
    """A factor's grade (or a grade's label) in words (官方文本, 待确认…), without the bare letter code."""
    label = str(factor.get_grade_display() if hasattr(factor, "get_grade_display") else factor)
    return label[2:] if len(label) > 2 and label[1] == " " else label


@register.filter
def factor_name(factor) -> str:
    """A factor (model row or dict) by its name in words: no English IPCC names or citations on a Chinese page."""
    get = factor.get if isinstance(factor, dict) else (lambda k: getattr(factor, k, ""))
    return _method_text.factor_name(get("name_zh"), get("name_en"), get("key") or "")


@register.filter
def factor_unit(unit) -> str:
    """A factor's unit in Chinese ("比例" for "fraction")."""
    return _method_text.factor_unit(unit)


@register.filter
def choice_words(label) -> str:
    """A choice label such as "NE 未估算" without its leading code: "未估算"."""
    text = str(label or "")
    code, sep, words = text.partition(" ")
    return words if sep and code.isascii() and words else text


@register.filter
def grade_label(code) -> str:
    """A grade code ("C") in words ("占位，须人工确认")."""
    from carbonpeak.accounting.choices import Grade

    return grade_name(dict(Grade.choices).get(code, code or ""))


@register.filter
def factor_field(field) -> str:
    """A factor row's column (``value``, ``unit``…) by its Chinese heading."""
    from django.utils.translation import gettext as _

    names = {
        "value": _("数值"),
        "unit": _("单位"),
        "grade": _("等级"),
        "source": _("来源"),
        "name_zh": _("名称"),
        "notes": _("备注"),
    }
    return names.get(field, field)
