"""`carbonpeak plan import FILE` on a plan that exists: the diff as JSON (--format json), applied only with
--apply; exit 0 diff/applied, 1 removals refused (nothing applied), 2 unreadable or another county's file."""

from __future__ import annotations

import json

import pytest

from carbonpeak.cli import main
from carbonpeak.plan.plan_io import export_plan
from tests.test_cli_plan import run


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("living")
    assert run(tmp, "l.sqlite3", "setup", "--no-demo").returncode == 0
    out = run(tmp, "l.sqlite3", "plan", "export", "--format", "json")
    return tmp, json.loads(out.stdout)


def test_diff_then_apply_in_subprocesses(county):
    tmp, doc = county
    t = next(x for x in doc["targets"] if x["code"] == "energy_intensity_reduction")
    t["values"]["2025"] = 0.16
    (tmp / "v2.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shown = run(tmp, "l.sqlite3", "plan", "import", str(tmp / "v2.json"), "--format", "json")
    assert shown.returncode == 0, shown.stderr
    diff = json.loads(shown.stdout)
    assert diff["version"] == 1 and diff["next_version"] == 2 and "applied" not in diff
    assert diff["milestones"] == [{"target": "energy_intensity_reduction", "year": 2025, "before": 0.15, "after": 0.16}]
    again = json.loads(run(tmp, "l.sqlite3", "plan", "import", str(tmp / "v2.json")).stdout)
    assert again["version"] == 1  # showing the diff applied nothing
    applied = run(tmp, "l.sqlite3", "plan", "import", str(tmp / "v2.json"), "--apply")
    assert applied.returncode == 0 and json.loads(applied.stdout)["version"] == 2
    after = json.loads(run(tmp, "l.sqlite3", "plan", "import", str(tmp / "v2.json")).stdout)
    assert after["empty"] and after["version"] == 2
    text = run(tmp, "l.sqlite3", "plan", "import", str(tmp / "v2.json"), "--format", "text")
    assert text.returncode == 0 and "没有变化" in text.stdout
    (tmp / "bad.json").write_text("{not json", encoding="utf-8")
    assert run(tmp, "l.sqlite3", "plan", "import", str(tmp / "bad.json")).returncode == 2


@pytest.mark.django_db
def test_refused_removal_exits_1_and_applies_nothing(plan, office, tmp_path, capsys):
    from carbonpeak.plan.values import set_indicator_value

    set_indicator_value(office, plan.targets.get(code="forest_stock"), 2024, None, "8000000")
    doc = export_plan(plan)
    doc["targets"] = [t for t in doc["targets"] if t["code"] != "forest_stock"]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["plan", "import", str(path), "--apply", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in out["refused"]] == ["forest_stock"] and "applied" not in out
    plan.refresh_from_db()
    assert plan.version == 1 and plan.targets.filter(code="forest_stock").exists()


@pytest.mark.django_db
def test_the_file_acts_only_in_its_own_county(plan, county_b, tmp_path, capsys):
    doc = export_plan(county_b)
    doc["plan"]["title"] = "乙县碳达峰实施方案（修订）"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["plan", "import", str(path), "--plan", plan.code]) == 2  # not this county's file
    assert main(["plan", "import", str(path), "--apply"]) == 0
    capsys.readouterr()
    county_b.refresh_from_db()
    plan.refresh_from_db()
    assert county_b.title == "乙县碳达峰实施方案（修订）" and county_b.version == 2
    assert plan.version == 1 and plan.title == "茶陵县碳达峰实施方案"
