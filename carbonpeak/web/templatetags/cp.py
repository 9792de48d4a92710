"""Display helpers: numbers are rounded only here, where people read them (calc contract)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "no_data": "无数据"}


@register.filter
def light_label(value) -> str:
    return _(LIGHTS.get(str(value), str(value)))


@register.filter
def unit_value(value, unit: str) -> str:
    """Fractions as percentages; other units with thousands separators, at most 4 significant decimals."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    if unit == "fraction":
        return f"{(d * 100):.2f}%".replace(".00%", "%")
    if unit == "year" and d == d.to_integral_value():  # 2030, never 2,030
        return str(int(d))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{float(d):,.4g}" if abs(d) < 1000 else f"{float(d):,.2f}"


@register.filter
def unit_zh(unit: str) -> str:
    """A quantity unit as a Chinese page shows it (万立方米, not 10k_m3); the code itself in English."""
    from django.utils.translation import get_language

    from carbonpeak.core.units import UNIT_NAMES_ZH

    if (get_language() or "zh-hans").startswith("en"):
        return unit
    return UNIT_NAMES_ZH.get(unit, unit)


@register.filter
def unit_label(unit: str) -> str:
    from carbonpeak.plan.choices import TargetUnit

    if unit == "fraction":
        return "%"
    return str(dict(TargetUnit.choices).get(unit, unit))


@register.filter
def loc(obj, field: str = "name") -> str:
    """The object's `<field>_en` when the page is in English and it has one, else `<field>` (zh)."""
    from django.utils.translation import get_language

    if obj is None:
        return ""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def num(value, decimals: int = 0) -> str:
    """A computed figure for reading: thousands separators, fixed decimals; "—" when absent."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{int(decimals)}f}"


@register.filter
def pct(value, decimals: int = 2) -> str:
    """A fraction as a percentage (0.1234 → 12.34%)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(decimals)}f}%"


@register.filter
def get(mapping, key):
    """mapping[key] in a template (None when absent)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def div(value, by):
    """value / by (None stays None): tonnes to 10 000 t for reading."""
    if value is None or value == "":
        return None
    return float(value) / float(by)


@register.filter
def split(value: str, sep: str = " ") -> list[str]:
    return value.split(sep)


@register.filter
def pretty_json(value) -> str:
    """Stored JSON (audit before/after) as indented JSON text with Chinese left readable."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


@register.filter
def in_language(issue) -> str:
    """An issue (or any object with message_zh / message_en) in the page's language only: the person chose
    one, so the other is noise. Falls back to the Chinese text when there is no English one."""
    from django.utils.translation import get_language

    if isinstance(issue, dict):  # a data-quality check as the calculation core returns it
        zh, en = issue.get("message_zh"), issue.get("message_en")
    else:
        zh = getattr(issue, "message_zh", None)
        en = getattr(issue, "message_en", None)
    if zh is None and en is None:
        return str(issue)
    if (get_language() or "").startswith("en") and en:
        return en
    return zh or en or ""


@register.filter
def names_its_field(issue) -> bool:
    """Whether an issue's message already starts with its field ("year：…", "year: …"), so a page need not put
    the field's key before it a second time."""
    field = getattr(issue, "field", "") or ""
    text = in_language(issue)
    return bool(field) and (text.startswith(f"{field}：") or text.startswith(f"{field}:"))


@register.filter
def bilingual(text) -> str:
    """Stored "中文 / English" text (demo labels, notes) in the page's language: the part after the last
    " / " when it is plain ASCII is the English one."""
    from django.utils.translation import get_language

    text = "" if text is None else str(text)
    zh, sep, en = text.rpartition("/")
    zh, en = zh.strip(), en.strip()
    if not sep or not en.isascii() or not re.search(r"[A-Za-z]", en) or zh.isascii():
        return text
    return en if (get_language() or "").startswith("en") else zh


@register.simple_tag(takes_context=True)
def person(context, label) -> str:
    """A stored actor label (a login name, `api:NAME`, `system`) as people know it: the display name. The
    names are looked up once per request."""
    from carbonpeak.audit.labels import actor_names

    label = "" if label is None else str(label)
    if not label:
        return ""
    request = context.get("request")
    cache = getattr(request, "_cp_people", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._cp_people = cache
    if label not in cache:
        cache.update(actor_names({label}))
    return cache[label]


@register.simple_tag(takes_context=True)
def county_url(context, name: str) -> str:
    """The URL of a public page about the page's county: its county twin (the same URL name with a ``county``
    keyword, ``/c/<code>/…``) when the installation publishes several plans, else the short URL. A page with no
    county twin keeps its short URL."""
    from django.urls import NoReverseMatch, reverse

    cp = context.get("cp")
    plan = context.get("plan") or (cp.county if cp is not None else None)
    if plan is not None and cp is not None and cp.several:
        try:
            return reverse(name, kwargs={"county": plan.code})
        except NoReverseMatch:
            pass
    return reverse(name)
