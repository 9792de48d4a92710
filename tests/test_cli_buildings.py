"""The building commands end to end in subprocesses: JSON reports with exit statuses 0 / 1 / 2, re-imports and
conflicts, the shares' exact keys (a completion at 00:30 on 1 January Beijing time in the new year, a year
without area), approval feeding the plan's targets, reopening retracting them, the export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.test_cli_plan import run


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bld")
    assert run(tmp, "b.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "b.sqlite3", *args)
    out = p.stdout.strip()
    return p.returncode, (json.loads(out) if out.startswith("{") else out), p.stderr


def test_registry_contract(county):
    tmp = county
    (tmp / "b.csv").write_text(
        "building_id,name,township,use,ownership,floor_area_m2\n"
        "JZ-1,县政府办公楼,云阳街道,office,government,1000\n"
        "JZ-2,县一中,云阳街道,school,public_institution,2000\n"
        "JZ-3,坏用途,云阳街道,castle,private,10\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "buildings", "import", str(tmp / "b.csv"), "--format", "json")
    assert (code, out["accepted"], [(r["line"], r["field"]) for r in out["rejected"]]) == (1, 2, [(4, "use")])
    (tmp / "b.csv").write_text(
        "建筑编号,建筑名称,乡镇（街道）,建筑用途,产权性质,建筑面积（m²）\nJZ-1,县政府办公楼,云阳街道,办公建筑,政府投资,1000\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "buildings", "import", str(tmp / "b.csv"), "--format", "json")
    assert (code, out["accepted"], out["duplicates"]) == (0, 0, 1)
    (tmp / "b.csv").write_text(
        "building_id,name,township,use,ownership,floor_area_m2\nJZ-1,县政府办公楼,云阳街道,office,government,1200\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "buildings", "import", str(tmp / "b.csv"), "--format", "json")
    assert (code, out["rejected"][0]["line"]) == (1, 2)
    code, out, _ = call(tmp, "buildings", "import", str(tmp / "b.csv"), "--format", "json", "--update")
    assert (code, out["accepted"]) == (0, 1)
    (tmp / "none.csv").write_text("name\nx\n", encoding="utf-8")
    code, out, _ = call(tmp, "buildings", "import", str(tmp / "none.csv"), "--format", "json")
    assert code == 2 and out["rejected"][0]["field"] == "file"

    (tmp / "bills.csv").write_text(
        "building_id,month,carrier,unit,quantity\nJZ-1,2025-01,electricity,kWh,100000\n", encoding="utf-8"
    )
    code, out, _ = call(tmp, "buildings", "bills", "import", str(tmp / "bills.csv"), "--format", "json")
    assert (code, out["accepted"]) == (0, 1)
    code, out, _ = call(tmp, "buildings", "export", "--year", "2025", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [(r["building_id"], r["month"], r["kgce"]) for r in rows] == [("JZ-1", "1", "12290.00"), ("JZ-2", "", "")]
    # plain digits and true/false for the city's database: never 1E+5 or Python's False
    assert (rows[0]["quantity"], rows[0]["prefab"], rows[1]["prefab"]) == ("100000", "false", "false")
    code, out, _ = call(tmp, "buildings", "export", "--year", "2025", "--format", "json")
    assert out["rows"][0]["floor_area_m2"] == "1200.00"


def test_completions_shares_feed(county):
    tmp = county
    (tmp / "c.csv").write_text(
        "project_id,completed_on,floor_area_m2,civil,green_level,prefab\n"
        "P1,2025-03-01,6669,true,basic,true\n"
        "P2,2025-06-30,13331,true,none,false\n"
        "P3,2024-12-31T16:30:00Z,4000,false,none,true\n"  # 00:30 on 1 January 2025, Beijing
        "P4,2025-12-31T16:30:00Z,500,false,two_star,true\n"  # 00:30 on 1 January 2026, Beijing
        "P5,2025-02-30,1,true,none,false\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "buildings", "completions", "import", str(tmp / "c.csv"), "--format", "json")
    assert (code, out["accepted"], [(r["line"], r["field"]) for r in out["rejected"]]) == (1, 4, [(6, "completed_on")])
    code, out, err = call(tmp, "buildings", "shares", "--year", "2025", "--format", "json")
    assert code == 0 and err == ""
    assert out == {
        "year": 2025,
        "civil_completed_m2": "20000.00",
        "green_completed_m2": "6669.00",
        "green_building_share_pct": "33.35",
        "new_building_m2": "24000.00",
        "prefab_m2": "10669.00",
        "prefab_share_pct": "44.45",
    }
    code, out, err = call(tmp, "buildings", "shares", "--year", "2026", "--format", "json")
    assert (out["green_building_share_pct"], out["prefab_share_pct"]) == (None, "100.00")
    assert "civil_completed_m2" in err
    code, out, _ = call(tmp, "buildings", "completions", "approve", "--year", "2025")
    assert (code, out["fed"]) == (0, 2)
    # the status is the year's new one (it used to print the draft status read before the approval)
    assert out == {
        "status": "approved",
        "fed": 2,
        "year": 2025,
        "civil_completed_m2": "20000.00",
        "green_completed_m2": "6669.00",
        "green_building_share_pct": "33.35",
        "new_building_m2": "24000.00",
        "prefab_m2": "10669.00",
        "prefab_share_pct": "44.45",
    }
    code, status, _ = call(tmp, "plan", "status", "--format", "json")
    values = {t["code"]: t for t in status["targets"]}
    green = values["green_building_completion_share"]
    assert json.dumps(green, ensure_ascii=False).count("0.3335") >= 1
    code, out, _ = call(tmp, "buildings", "completions", "reopen", "--year", "2025", "--reason", "面积有误")
    assert (code, out["retracted"]) == (0, 2)
    code, status, _ = call(tmp, "plan", "status", "--format", "json")
    green = {t["code"]: t for t in status["targets"]}["green_building_completion_share"]
    assert "0.3335" not in json.dumps(green)
    code, out, err = call(tmp, "buildings", "completions", "approve", "--year", "2027")
    assert code == 1 and "2027" in err
