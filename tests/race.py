"""Run callables at the same instant from several threads (each with its own database connection), for the
PostgreSQL race tests: every result, or the exception it raised, in order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(fns: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    out: list[Any] = [None] * len(fns)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            out[i] = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what the test checks
            out[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out
