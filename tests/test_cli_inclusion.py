"""碳普惠 set-up from the command line: the shipped scenarios, an operator client and its scope."""

from __future__ import annotations

import json

from tests.test_cli_plan import run


def test_inclusion_setup_and_operator_scope(tmp_path):
    assert run(tmp_path, "i.sqlite3", "setup", "--no-demo").returncode == 0
    p = run(tmp_path, "i.sqlite3", "inclusion", "setup")
    assert p.returncode == 0 and "green_travel" in json.loads(p.stdout)["scenarios"]
    again = run(tmp_path, "i.sqlite3", "inclusion", "setup")  # idempotent: the same scenarios, no new versions
    assert json.loads(again.stdout)["scenarios"] == json.loads(p.stdout)["scenarios"]
    p = run(tmp_path, "i.sqlite3", "inclusion", "operator", "bus", "--channel", "bus", "--scenario", "green_travel")
    assert p.returncode == 2  # no such client yet
    assert run(tmp_path, "i.sqlite3", "client", "add", "bus", "--role", "operator").returncode == 0
    p = run(tmp_path, "i.sqlite3", "inclusion", "operator", "bus", "--channel", "bus", "--scenario", "nope")
    assert p.returncode == 2 and "green_travel" in p.stderr
    p = run(tmp_path, "i.sqlite3", "inclusion", "operator", "bus", "--channel", "bus", "--scenario", "green_travel")
    assert p.returncode == 0 and json.loads(p.stdout)["scenarios"] == ["green_travel"]


def test_inclusion_publish_a_new_methodology_version(tmp_path):
    assert run(tmp_path, "p.sqlite3", "setup", "--no-demo").returncode == 0
    assert run(tmp_path, "p.sqlite3", "inclusion", "setup").returncode == 0
    spec = {
        "code": "walk", "name": "步行 v2", "kind": "per_unit", "unit": "步", "points_per_gco2": "0.01",
        "params": {"gco2_per_unit": {"value": "0.07", "unit": "gCO2/步", "source": "测试"}},
        "golden_cases": [{"quantity": "10000", "points": 6}],
    }  # fmt: skip
    (tmp_path / "walk.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    p = run(tmp_path, "p.sqlite3", "inclusion", "publish", str(tmp_path / "walk.json"), "--scenario", "green_travel")
    assert p.returncode == 1 and "golden_cases[0]" in p.stdout  # 10 000 × 0.07 × 0.01 = 7, not 6
    spec["golden_cases"] = [{"quantity": "10000", "points": 7}]
    (tmp_path / "walk.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    p = run(tmp_path, "p.sqlite3", "inclusion", "publish", str(tmp_path / "walk.json"), "--scenario", "green_travel")
    assert p.returncode == 0 and json.loads(p.stdout)["version"] == 2
