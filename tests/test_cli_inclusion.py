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
