"""`carbonpeak transport …` and `carbonpeak gas …` end to end in subprocesses: the JSON reports and figures with
exactly the issue's keys, exit statuses 0 / 1 / 2, re-imports, approval feeding a target and reopening."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_plan import run


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tr")
    assert run(tmp, "t.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "t.sqlite3", *args)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_vehicles_and_fleet(county):
    tmp = county
    (tmp / "v.csv").write_text(
        "号牌,运营单位,用途,燃料,注册日期\n"
        "湘B1,公交,公交车,纯电动,2024-12-31T16:30:00Z\n"  # 00:30 on 1 January 2025, Beijing
        "湘B2,公交,bus,phev,2025-05-01\n"
        "湘B3,公交,bus,diesel,2025-06-01\n"
        "湘B4,公交,bus,steam,2025-06-01\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "transport", "vehicles", "import", str(tmp / "v.csv"), "--format", "json")
    assert code == 1 and out["accepted"] == 3 and [(r["line"], r["field"]) for r in out["rejected"]] == [(5, "fuel")]
    code, out, _ = call(tmp, "transport", "vehicles", "import", str(tmp / "v.csv"), "--format", "json")
    assert (code, out["accepted"], out["duplicates"]) == (1, 0, 3)
    code, out, _ = call(tmp, "transport", "fleet", "--year", "2025", "--format", "json")
    assert code == 0
    assert {k: out[k] for k in ("year", "new_buses", "new_clean_buses", "new_bus_clean_share_pct")} == {
        "year": 2025,
        "new_buses": 3,
        "new_clean_buses": 2,
        "new_bus_clean_share_pct": "66.67",
    }
    assert out["by_use"]["bus"] == {"new": 3, "new_clean": 2, "clean_share_pct": "66.67"}
    code, out, _ = call(tmp, "transport", "fleet", "--year", "2023", "--format", "json")
    assert out["new_bus_clean_share_pct"] is None and out["checks"][0]["code"] == "no_new_buses"
    # approval feeds the target; plan status shows it; reopening takes it back
    code, out, _ = call(tmp, "transport", "approve", "--year", "2025")
    assert code == 0 and out["status"] == "approved"
    code, out, _ = call(tmp, "plan", "status", "--format", "json")
    target = next(t for t in out["targets"] if t["code"] == "new_bus_clean_energy_share")
    assert "0.6667" in json.dumps(target)
    code, out, _ = call(tmp, "transport", "reopen", "--year", "2025", "--reason", "更正")
    assert (code, out["retracted"]) == (0, 1)


def test_unreadable_file_exits_2(county):
    (county / "bad.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    code, out, _ = call(county, "transport", "vehicles", "import", str(county / "bad.csv"))
    assert code == 2 and out["rejected"][0]["field"] == "file"
    code, out, _ = call(county, "gas", "facilities", "import", str(county / "missing.csv"))
    assert code == 2


def test_gas_storage_demand_by_hand_then_absent(county):
    tmp = county
    (tmp / "f.csv").write_text(
        "facility_id,operator,capacity_m3,in_service_on,leased\nG1,昆仑燃气,30000,2024-01-01,否\nG2,租赁罐,20000,2024-06-01,是\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "gas", "facilities", "import", str(tmp / "f.csv"), "--format", "json")
    assert (code, out["accepted"]) == (0, 2)
    code, out, _ = call(tmp, "gas", "storage", "--year", "2024", "--format", "json")
    assert code == 0
    assert {k: out[k] for k in ("year", "capacity_m3", "annual_demand_m3", "demand_source", "storage_days")} == {
        "year": 2024,
        "capacity_m3": "50000",
        "annual_demand_m3": None,
        "demand_source": None,
        "storage_days": None,
    }
    assert out["checks"][0]["code"] == "no_gas_demand"
    code, out, _ = call(tmp, "gas", "demand", "--year", "2024", "--m3", "3660000", "--source", "燃气公司年报")
    assert (code, out) == (0, {"year": 2024, "demand_m3": "3660000", "source": "燃气公司年报"})
    code, out, _ = call(tmp, "gas", "storage", "--year", "2024", "--format", "json")
    # 50 000 ÷ (3 660 000 ÷ 366) = 5.0, the leased tank included
    assert (out["storage_days"], out["annual_demand_m3"], out["leased_m3"]) == ("5.0", "3660000", "20000")
    assert out["demand_source"] == "发改局填报（无已审定核算）：燃气公司年报"
    code, out, err = call(tmp, "gas", "demand", "--year", "2024", "--m3", "abc", "--source", "x")
    assert code == 1 and "m3" in err


def test_operators_import_conflicts_exit_1_and_update_overwrites(county):
    tmp = county
    head = "operator,year,carrier,unit,quantity,passenger_km,tonne_km\n"
    (tmp / "o.csv").write_text(head + "客运,2025,diesel,t,100,,1000000\n", encoding="utf-8")
    (tmp / "o2.csv").write_text(head + "客运,2025,diesel,t,94,,1000000\n客运,2025,diesel,t,95,,\n", encoding="utf-8")
    code, out, _ = call(tmp, "transport", "operators", "import", str(tmp / "o.csv"), "--format", "json")
    assert (code, out) == (0, {"accepted": 1, "duplicates": 0, "rejected": []})
    code, out, _ = call(tmp, "transport", "operators", "import", str(tmp / "o.csv"), "--format", "json")
    assert (code, out) == (0, {"accepted": 0, "duplicates": 1, "rejected": []})
    # line 2: stored as 100 t (a conflict); line 3: the same carrier as line 2 with another quantity
    code, out, _ = call(tmp, "transport", "operators", "import", str(tmp / "o2.csv"), "--format", "json")
    assert code == 1 and [(r["line"], r["field"]) for r in out["rejected"]] == [(2, "quantity"), (3, "quantity")]
    code, out, _ = call(tmp, "transport", "operators", "import", str(tmp / "o2.csv"), "--update", "--format", "json")
    assert code == 1 and out["accepted"] == 1 and [r["line"] for r in out["rejected"]] == [3]
    code, out, _ = call(tmp, "transport", "operating", "--year", "2025", "--format", "json")
    # 94 t diesel × 1.4571 kgce/kg = 136.9674 tce over 100 × 10 000 t·km
    assert out["current"]["energy_tce_per_10k_tkm"].startswith("1.369674")
