"""Cached derived views of a plan, keyed by (plan, revision, language): a change bumps the revision, so an
entry is never served after the data it was computed from changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language

from carbonpeak.plan.models import Plan

TIMEOUT_SECONDS = 3600


def cached(plan: Plan, name: str, compute: Callable[[], Any]) -> Any:
    key = f"carbonpeak:{name}:{plan.pk}:{plan.revision}:{get_language()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value
