"""Every contract example and every own worked case, through run_case and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _corecheck import check, golden_files, load_example, run_cli

from carbonpeak.core.dispatch import parse_case, run_case

CONTRACT = golden_files("contract")
OWN = golden_files("own")
ALL = CONTRACT + OWN


def test_golden_sets_present():
    assert len(CONTRACT) == 10
    assert len(OWN) >= 40
    for p in OWN:
        ex = load_example(p)
        assert ex.get("note"), f"{p.name} needs a note with source and arithmetic"
        assert set(ex) == {"input", "expect", "rtol", "note"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_run_case_decimal_parse(path: Path):
    """The CLI's way: the input as JSON text, parsed with exact decimals."""
    ex = load_example(path)
    case = parse_case(json.dumps(ex["input"]))
    result = run_case(case)
    assert not (bad := check(result, ex)), bad


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_run_case_float_dict(path: Path):
    """A caller that parsed JSON itself (floats) gets the same results."""
    ex = load_example(path)
    result = run_case(ex["input"])
    assert not (bad := check(result, ex)), bad
    assert result == run_case(parse_case(json.dumps(ex["input"])))


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_cli(path: Path, tmp_path: Path):
    ex = load_example(path)
    case_file = tmp_path / path.name
    case_file.write_text(json.dumps(ex["input"], ensure_ascii=False), encoding="utf-8")
    r = run_cli(str(case_file))
    lines = r.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1, (r.stdout, r.stderr)
    result = json.loads(lines[0])
    assert not (bad := check(result, ex, r.returncode)), bad
    assert r.returncode == (2 if "error" in result else 0), r.stderr
    if "error" in result:
        assert set(result) == {"error"}
        assert set(result["error"]) == {"code", "field", "message"}
        assert result["error"]["message"].endswith((".", "?"))
