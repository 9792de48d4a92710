"""Load the shipped factor library after migrations, so every database has it as a factor set."""

from __future__ import annotations

from typing import Any


def load_shipped_factors(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from carbonpeak.accounting.services import ensure_builtin_factor_set

    ensure_builtin_factor_set(using=using)
