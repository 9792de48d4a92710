"""Shared set-up of the PostgreSQL benchmarks: a database of their own, dropped and re-created each run, on the
server of ``CARBONPEAK_TEST_PG_URL`` (default postgres://postgres@127.0.0.1:5432/), then Django on it, migrated."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("CARBONPEAK_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/carbonpeak").rsplit("/", 1)[0]


def fresh_database(name: str) -> None:
    """Drop and create ``name``, point Django at it and migrate."""
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")
    os.environ.update(
        DATABASE_URL=f"{BASE}/{name}",
        CARBONPEAK_DEBUG="0",
        CARBONPEAK_SECRET_KEY="bench-only-secret-key-0000000000000000000000000000",
        CARBONPEAK_HOME=str(ROOT / "var" / "bench"),
        DJANGO_SETTINGS_MODULE="carbonpeak.config.settings",
        CARBONPEAK_ALLOWED_HOSTS="localhost",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
