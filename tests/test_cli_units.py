"""`carbonpeak units …` end to end in subprocesses: the import's JSON report and exit statuses 0 / 1 / 2, the
capacity figure of a year, `plan status` showing new_energy_capacity fed from the register, the grid client."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from tests.test_cli_plan import run

FIXTURE = (
    "unit_id,type,township,capacity_mw,connected_on,retired_on,project_code,owner\n"
    "PV-1,pv,城关镇,100.0005,2024-12-31,,P01.1,示例光伏公司\n"
    "WD-1,wind,严塘镇,50,2025-01-01,,,\n"
    "HY-1,hydro,秩堂镇,20,2020-05-01,2024-12-31,,\n"
    "ST-1,storage,城关镇,10,2024-06-01,,,\n"
    "PV-1,pv,城关镇,100.0005,2024-12-31,,P01.1,示例光伏公司\n"
    "WD-1,wind,严塘镇,55,2025-01-01,,,\n"
)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("units")
    assert run(tmp, "u.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "u.sqlite3", *args)
    return p.returncode, (json.JSONDecoder().raw_decode(p.stdout)[0] if p.stdout.strip() else None), p.stderr


def test_import_capacity_and_plan_status(county):
    tmp = county
    (tmp / "units.csv").write_text(FIXTURE, encoding="utf-8")
    code, out, _ = call(tmp, "units", "import", str(tmp / "units.csv"), "--format", "json")
    assert code == 1
    assert (out["accepted"], out["duplicates"]) == (4, 1)
    assert [(r["line"], r["field"]) for r in out["rejected"]] == [(7, "unit_id")]
    code, out, _ = call(tmp, "units", "import", str(tmp / "units.csv"), "--format", "json")
    assert (code, out["accepted"], out["duplicates"]) == (1, 0, 5)

    code, out, _ = call(tmp, "units", "capacity", "--year", "2024", "--format", "json")
    assert code == 0
    # PV-1 alone: 100.0005 MW → 10.00005 → 10.0001 万千瓦 (HY-1 retired on 31 December, WD-1 from 1 January)
    assert out["year"] == 2024 and out["capacity_10k_kw"] == "10.0001"
    assert out["by_type"]["pv"] == "10.0001" and out["by_type"]["wind"] == "0.0000"
    assert out["storage_10k_kw"] == "1.0000" and "storage" not in out["by_type"]
    code, out, _ = call(tmp, "units", "capacity", "--year", "2025", "--format", "json")
    assert out["capacity_10k_kw"] == "15.0001"  # 150.0005 MW

    code, out, _ = call(tmp, "plan", "status", "--format", "json")
    rows = {r["code"]: r for r in out["targets"]}
    for c in ("new_energy_capacity", "new_energy_capacity_energy_task"):
        # the latest fed year is this year: PV-1 + WD-1 = 15.0001 万千瓦 = 150.001 MW
        assert rows[c]["latest_value"] == pytest.approx(150.001), c
        assert rows[c]["latest_period"] >= "2025"

    # a conflicting row with --update: accepted, re-fed
    (tmp / "fix.csv").write_text("unit_id,type,township,capacity_mw,connected_on\nWD-1,wind,严塘镇,55,2025-01-01\n")
    code, out, _ = call(tmp, "units", "import", str(tmp / "fix.csv"))
    assert code == 1 and out["rejected"][0]["line"] == 2
    code, out, _ = call(tmp, "units", "import", str(tmp / "fix.csv"), "--update")
    assert (code, out["accepted"]) == (0, 1)
    code, out, _ = call(tmp, "units", "capacity", "--year", "2025")
    assert out["capacity_10k_kw"] == "15.5001"  # 155.0005 MW
    code, out, _ = call(tmp, "plan", "status", "--format", "json")
    assert {r["code"]: r for r in out["targets"]}["new_energy_capacity"]["latest_value"] == pytest.approx(155.001)


def test_excel_with_chinese_headers_and_labels(county):
    tmp = county
    wb = Workbook()
    ws = wb.active
    ws.append(["机组编号", "类型", "乡镇", "装机容量（兆瓦）", "并网日期"])
    ws.append(["BIO-1", "生物质发电", "界首镇", 30, "2023-07-01"])
    wb.save(tmp / "units.xlsx")
    code, out, _ = call(tmp, "units", "import", str(tmp / "units.xlsx"), "--format", "json")
    assert (code, out["accepted"], out["rejected"]) == (0, 1, [])
    code, out, _ = call(tmp, "units", "capacity", "--year", "2023")
    assert out["by_type"]["biomass"] == "3.0000"


def test_unreadable_and_bad_input(county):
    tmp = county
    (tmp / "bad.csv").write_text("a,b\n1,2\n")
    code, out, _ = call(tmp, "units", "import", str(tmp / "bad.csv"))
    assert code == 2 and out["rejected"][0]["field"] == "file"
    code, out, _ = call(tmp, "units", "import", str(tmp / "missing.csv"))
    assert code == 2
    code, _, err = call(tmp, "units", "capacity", "--year", "2025", "--plan", "nowhere")
    assert code == 2 and "nowhere" in err


def test_grid_client_scope(county):
    tmp = county
    p = run(tmp, "u.sqlite3", "client", "add", "国网茶陵", "--role", "gateway")
    assert p.returncode == 0, p.stderr
    code, out, _ = call(tmp, "units", "client", "国网茶陵")
    assert code == 0 and out["generation_units"] is True and out["county"] == "chaling-2024"
    code, out, _ = call(tmp, "units", "client", "国网茶陵", "--revoke")
    assert code == 0 and out["generation_units"] is False
    code, _, err = call(tmp, "units", "client", "nobody")
    assert code == 2


@pytest.mark.django_db
def test_plan_status_in_process_names_the_register(plan, tmp_path, capsys):
    """The same through cli.main in this process: the fed value's source is the register (module, its detail)."""
    from carbonpeak.cli import main
    from carbonpeak.plan.models import IndicatorValue

    (tmp_path / "u.csv").write_text(FIXTURE, encoding="utf-8")
    assert main(["units", "import", str(tmp_path / "u.csv")]) == 1
    capsys.readouterr()
    assert main(["plan", "status", "--format", "json"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)["targets"]}
    assert rows["new_energy_capacity"]["latest_value"] == pytest.approx(150.001)
    # this year (2026 in the fixture's clock or later): PV-1 + WD-1 (HY-1 retired, storage apart), 2 units
    src = rows["new_energy_capacity"]["latest_source"]
    assert "并网发电机组登记（2台）" in src and "（不含储能）15.0001万千瓦，×10 折合兆瓦" in src
    v = IndicatorValue.objects.get(target__code="new_energy_capacity", year=2025)
    assert v.source == "module" and v.source_detail.startswith("2025年并网发电机组登记（2台）")
    assert "15.0001万千瓦" in v.source_detail
