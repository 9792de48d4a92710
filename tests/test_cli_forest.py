"""The forest script contract, end to end in subprocesses: the import report and exit statuses 0 / 1 / 2, an
Excel file, --replace-year, the status JSON with exactly the issue's keys, approve and reopen."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from tests.test_cli_plan import run


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("forest")
    assert run(tmp, "f.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "f.sqlite3", *args)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_forest_script_contract(county):
    tmp = county
    (tmp / "y2024.csv").write_text(
        "year,township,land_class,species_group,area_ha,stock_m3\n"
        "2024,甲镇,arbor,chinese_fir,600,60000\n"
        "2024,甲镇,nonforest,,400,0\n"
        "2024,甲镇,arbor,,1,1\n"  # species group required for arbor
        "2024,甲镇,nonforest,,400,0\n",  # a repeated identical row
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "forest", "import", str(tmp / "y2024.csv"), "--format", "json")
    assert code == 1 and (out["accepted"], out["duplicates"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in out["rejected"]] == [(4, "species_group")]

    wb = Workbook()
    ws = wb.active
    ws.append(["年份", "乡镇", "地类", "树种组", "面积（公顷）", "蓄积量（立方米）"])
    ws.append([2025, "甲镇", "乔木林地", "杉木", 600, 61000])
    ws.append([2025, "甲镇", "竹林地", None, 100, 0])
    ws.append([2025, "甲镇", "非林地", None, 300, 0])
    wb.save(tmp / "y2025.xlsx")
    code, out, _ = call(tmp, "forest", "import", str(tmp / "y2025.xlsx"), "--format", "json")
    assert (code, out) == (0, {"accepted": 3, "duplicates": 0, "rejected": []})
    code, out, _ = call(tmp, "forest", "import", str(tmp / "y2025.xlsx"), "--format", "json")
    assert (code, out) == (0, {"accepted": 0, "duplicates": 3, "rejected": []})

    # a conflict, then the same file replacing the year
    (tmp / "fix.csv").write_text(
        "year,township,land_class,species_group,area_ha,stock_m3\n2024,甲镇,arbor,chinese_fir,600,59000\n"
        "2024,甲镇,nonforest,,400,0\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "forest", "import", str(tmp / "fix.csv"))
    assert code == 1 and out["rejected"][0]["line"] == 2
    code, out, _ = call(tmp, "forest", "import", str(tmp / "fix.csv"), "--replace-year")
    assert (code, out) == (0, {"accepted": 2, "duplicates": 0, "rejected": []})

    code, out, _ = call(tmp, "forest", "status", "--year", "2025", "--format", "json")
    assert code == 0
    assert list(out) == [
        "year",
        "land_area_ha",
        "forest_area_ha",
        "coverage_pct",
        "stock_m3",
        "sink_tco2",
        "factor_set",
        "by_township",
        "checks",
    ]
    assert (out["land_area_ha"], out["forest_area_ha"], out["coverage_pct"]) == (1000.0, 700.0, 70.0)
    assert out["stock_m3"] == 61000.0
    # ΔV = 2000 m³ of 杉木: 2000 × 0.32502129296 × 44/12 = 2383.4894817
    assert out["sink_tco2"] == 2383.49
    assert out["by_township"] == [{"township": "甲镇", "coverage_pct": 70.0, "stock_m3": 61000.0, "sink_tco2": 2383.49}]
    assert any(c["code"] == "not_estimated" for c in out["checks"])

    code, out, _ = call(tmp, "forest", "approve", "--year", "2025")
    assert code == 0 and out["values_fed"] == 3  # two coverage targets and the stock target
    code, out, _ = call(tmp, "plan", "status", "--format", "json")
    stock = next(t for t in out["targets"] if t["code"] == "forest_stock")
    assert stock["latest_value"] == 61000.0
    code, out, _ = call(tmp, "forest", "reopen", "--year", "2025", "--reason", "更正")
    assert code == 0 and out["values_retracted"] == 3


def test_unreadable_and_unknown_year(county):
    (county / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    code, out, _ = call(county, "forest", "import", str(county / "junk.xlsx"))
    assert code == 2 and out["rejected"][0]["field"] == "file"
    code, _out, err = call(county, "forest", "status", "--year", "2019")
    assert code == 1 and "2019" in err
    code, _out, _err = call(county, "forest", "import", str(county / "y2024.csv"), "--plan", "nowhere")
    assert code == 2
