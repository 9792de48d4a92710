"""Helpers shared by the calculation-core tests (imported as a plain module: tests/core is on sys.path)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
PYTHON = sys.executable


def golden_files(sub: str) -> list[Path]:
    return sorted((GOLDEN / sub).glob("*.json"))


def load_example(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def resolve(obj: Any, path: str) -> Any:
    """The contract's dotted path: a key, or in a list the element whose id matches (a number: position)."""
    for part in path.split("."):
        if isinstance(obj, list):
            if part.isdigit():
                obj = obj[int(part)]
            else:
                obj = next(x for x in obj if isinstance(x, dict) and x.get("id") == part)
        else:
            obj = obj[part]
    return obj


def agrees(got: Any, want: Any, rtol: float) -> bool:
    """The contract's comparison: strings/booleans exactly, numbers within rtol (integers exactly)."""
    if isinstance(want, (str, bool)) or isinstance(got, (str, bool)):
        return got == want
    if not isinstance(got, (int, float)) or math.isnan(got):
        return False
    if isinstance(want, int) and isinstance(got, int):
        return got == want
    return abs(got - want) <= rtol * abs(want) + 1e-12


def check(result: dict[str, Any], example: dict[str, Any], exit_status: int | None = None) -> list[str]:
    bad = []
    expect = example["expect"]
    if exit_status is not None and any(k.startswith("error.") for k in expect) and exit_status != 2:
        bad.append(f"exit status {exit_status}, expected 2")
    for key, want in expect.items():
        try:
            got = resolve(result, key)
        except (KeyError, IndexError, StopIteration, TypeError, ValueError):
            bad.append(f"{key} missing in {json.dumps(result, ensure_ascii=False)[:300]}")
            continue
        if not agrees(got, want, example.get("rtol", 1e-4)):
            bad.append(f"{key} = {got!r}, expected {want!r}")
    return bad


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [PYTHON, "-m", "carbonpeak.core.cli_calc", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
