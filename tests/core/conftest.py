"""Fixtures of the calculation-core tests (no Django: run with ``-p no:django``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def fs():
    from carbonpeak.core.factors import load_builtin

    return load_builtin()
