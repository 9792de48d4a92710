"""The enterprise script contract, end to end in subprocesses: JSON reports, exit statuses 0 / 1 / 2, re-imports,
the accounts of a year (with the reading that ends at New Year's midnight in the old year)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from carbonpeak.core.uscc import make_uscc
from tests.test_cli_plan import run

CEMENT = make_uscc("91430224", "MA4L0C01")
BRICKS = make_uscc("91430224", "MA4L0B02")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ent")
    assert run(tmp, "e.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "e.sqlite3", *args)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_script_contract(county):
    tmp = county
    (tmp / "ent.csv").write_text(
        "uscc,name,industry_code,township\n"
        f"{CEMENT},茶陵示例水泥有限公司,3011,下东街道\n"
        "91350100M000100Y44,校验位错误的公司,3011,\n"
        f"{BRICKS},示例砖瓦厂,3031,\n"
        f"{BRICKS},示例砖瓦厂,3031,\n"
        f"{make_uscc('91430224', 'MA4L0D03')},行业代码错的厂,30,\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "enterprises", "import", str(tmp / "ent.csv"), "--format", "json")
    assert code == 1
    assert (out["accepted"], out["duplicates"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in out["rejected"]] == [(3, "uscc"), (6, "industry_code")]
    # the same file again: nothing new, same rejections
    code, out, _ = call(tmp, "enterprises", "import", str(tmp / "ent.csv"), "--format", "json")
    assert (code, out["accepted"], out["duplicates"]) == (1, 0, 3)

    # meters from an Excel file
    wb = Workbook()
    ws = wb.active
    ws.append(["uscc", "meter_code", "carrier", "unit"])
    ws.append([CEMENT, "E-001", "electricity", "MWh"])
    ws.append([CEMENT, "C-001", "raw_coal", "t"])
    ws.append([CEMENT, "C-002", "raw_coal", "MWh"])  # unit does not fit the carrier
    ws.append([BRICKS, "B-001", "raw_coal", "t"])
    wb.save(tmp / "meters.xlsx")
    code, out, _ = call(tmp, "meters", "import", str(tmp / "meters.xlsx"), "--format", "json")
    assert (code, out["accepted"]) == (1, 3)
    assert out["rejected"][0]["line"] == 4 and out["rejected"][0]["field"] == "unit"

    (tmp / "readings.csv").write_text(
        "meter_code,reading_time,quantity\n"
        "C-001,2024-01-01T00:00:00+08:00,999\n"  # ends 2023
        "C-001,2024-06-30T12:00:00+08:00,7990\n"
        "C-001,2025-01-01T00:00:00+08:00,10\n"  # ends 2024
        "E-001,2024-12-31T16:00:00Z,1000\n"
        "B-001,2024-03-01T00:00:00+08:00,100\n"
        "B-001,2024-03-01T00:00:00+08:00,100\n"  # duplicate within the file
        "B-001,2024-13-01 00:15:00,5\n",  # no 13th month (a time without an offset is Beijing time: below)
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "readings", "import", str(tmp / "readings.csv"), "--format", "json")
    assert (code, out["accepted"], out["duplicates"]) == (1, 5, 1)
    assert [(r["line"], r["field"]) for r in out["rejected"]] == [(8, "reading_time")]
    code, out, _ = call(tmp, "readings", "import", str(tmp / "readings.csv"), "--format", "json")
    assert (out["accepted"], out["duplicates"]) == (0, 6)

    code, out, _ = call(tmp, "enterprises", "accounts", "--year", "2024", "--format", "json")
    assert code == 0
    by = {e["uscc"]: e for e in out["enterprises"]}
    assert by[CEMENT]["energy_tce"] == pytest.approx(8000 * 0.7143 + 122.9, rel=1e-12)
    assert by[CEMENT]["co2_t"] == pytest.approx(15202.3907904 + 490, rel=1e-9)
    assert by[CEMENT]["key_energy_user"] is True
    assert by[BRICKS]["key_energy_user"] is False and by[BRICKS]["energy_tce"] == pytest.approx(71.43)
    assert {"uscc", "name", "energy_tce", "co2_t", "key_energy_user"} <= set(by[CEMENT])
    assert out["factor_set"].startswith("builtin:") and out["grid"] == "prov.hunan"
    # every meter last reported in 2024-2025, long before today: all silent, each alert opened once
    code, out, _ = call(tmp, "meters", "check")
    assert code == 0 and sorted(out["opened"]) == ["B-001", "C-001", "E-001"]
    code, out, _ = call(tmp, "meters", "check")
    # the shipped holiday calendar covers 2024-2026; last year and this year are the ones the silence is counted over
    this_year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
    uncovered = [y for y in (this_year - 1, this_year) if y > 2026]
    assert out == {
        "opened": [],
        "closed": [],
        "notify_failed": [],
        "calendar_missing_years": uncovered,
        "partitions_created": [],  # (SQLite: one plain table)
    }
    code, out, _ = call(tmp, "meters", "partitions", "--since", "2010")
    assert (code, out) == (0, {"partitioned": False, "created": [], "moved": 0, "years": []})
    code, out, _ = call(tmp, "meters", "rollups")
    assert code == 0 and out["rollups"] >= 1


def test_unreadable_files_exit_2(county):
    tmp = county
    (tmp / "bad.csv").write_bytes(b"\xff\xfe\x00garbage")
    code, out, _ = call(tmp, "readings", "import", str(tmp / "bad.csv"), "--format", "json")
    assert code == 2 and out["rejected"][0]["field"] == "file"
    (tmp / "nohead.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, _ = call(tmp, "meters", "import", str(tmp / "nohead.csv"), "--format", "json")
    assert code == 2 and "uscc" in out["rejected"][0]["message"]
    code, out, _ = call(tmp, "enterprises", "import", str(tmp / "missing.csv"), "--format", "json")
    assert code == 2


def test_user_add_links_an_energy_manager_to_the_enterprise(county):
    tmp = county
    (tmp / "one.csv").write_text(f"uscc,name,industry_code,township\n{CEMENT},茶陵示例水泥有限公司,3011,\n", "utf-8")
    assert call(tmp, "enterprises", "import", str(tmp / "one.csv"), "--format", "json")[0] in (0, 1)
    code, out, _ = call(tmp, "user", "add", "mgr1", "--role", "enterprise", "--enterprise", CEMENT.lower())
    assert code == 0 and out["enterprise"] == CEMENT and out["initial_password"]
    code, _, err = call(tmp, "user", "add", "mgr2", "--role", "auditor", "--enterprise", CEMENT)
    assert code == 2 and "--enterprise" in err
    code, _, err = call(tmp, "user", "add", "mgr3", "--role", "enterprise", "--enterprise", BRICKS + "X")
    assert code == 2
