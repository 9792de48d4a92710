"""The exchange format: an approved year exported here, imported on another installation (a fresh SQLite
database driven through the command line), exported there again → the same bytes; the Excel spelling carries
the same document; a re-import changes nothing, a conflicting one is refused; exit 0/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered
from carbonpeak.audit.models import AuditEntry
from carbonpeak.enterprises import carbon
from carbonpeak.enterprises.models import CarbonAccount
from carbonpeak.enterprises.tests.test_workflow import CERAMICS, monthly, rows
from carbonpeak.exchange import document, services
from carbonpeak.exchange.models import ReceivedExchange

ROOT = Path(__file__).resolve().parents[3]
YEAR = 2024


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'other.sqlite3'}",
        "CARBONPEAK_HOME": str(tmp),
        "CARBONPEAK_SECRET_KEY": "exchange-test-key-not-secret-000000000000000000000000",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "carbonpeak.cli", *args], cwd=ROOT, env=env, capture_output=True, timeout=300
    )


@pytest.fixture
def approved_year(plan, office, make_user):
    from carbonpeak.enterprises import services as ent_services
    from carbonpeak.enterprises.models import Enterprise

    inv = accounting.create_inventory(office, plan, YEAR)
    rows_ = [*BASE_ROWS[:-1], {**BASE_ROWS[0], "sector": "industry.C31", "source": '=HYPERLINK("x")'}]
    report = accounting.import_activity(office, inv, numbered(rows_), [(None, k, v) for k, v in PARAMS.items()])
    assert report["rejected"] == []
    accounting.approve(office, inv)
    ent_services.import_enterprises(
        None, plan, rows({"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": "思聪街道"})
    )
    ent_services.import_meters(
        None,
        plan,
        rows(
            {"uscc": CERAMICS, "meter_code": "T-E", "carrier": "electricity", "unit": "MWh"},
            {"uscc": CERAMICS, "meter_code": "T-C", "carrier": "raw_coal", "unit": "t"},
        ),
    )
    ent_services.ingest_readings(plan, monthly("T-E", YEAR, {m: "100" for m in range(1, 13)}))
    ent_services.ingest_readings(plan, monthly("T-C", YEAR, {m: "50.5" for m in range(1, 13)}))
    carbon.import_benchmarks(None, plan, rows({"industry_code": "30", "year": "2020", "intensity": "2", "source": "t"}))
    manager = make_user("manager", "enterprise")
    Enterprise.objects.get(uscc=CERAMICS).managers.add(manager)
    carbon.approve(office, carbon.submit(manager, Enterprise.objects.get(uscc=CERAMICS), YEAR, "1234.5"))
    return plan


def test_document_carries_every_number_with_its_version_and_is_schema_valid(approved_year):
    doc = services.build(approved_year, YEAR)
    assert document.check(doc) == []
    inv = doc["inventory"]
    assert inv["factor_set"]["version"] == inv["results"]["factor_set_version"]
    assert inv["params"]["gdp_10k_yuan"] == "1000000" and inv["params"]["coal_equivalent_kgce_per_kwh"] == "0.3"
    coal = next(x for x in inv["lines"] if x["carrier"] == "raw_coal" and x["sector"] == "industry.C30")
    assert coal["quantity"] == "100000"
    [user] = doc["key_users"]
    assert user["uscc"] == CERAMICS and user["account"]["value_added_10k_yuan"] == "1234.5"
    assert user["account"]["factor_set"] == user["account"]["results"]["factor_set"]
    assert user["account"]["status"] == "approved" and user["account"]["grade"] in range(1, 6)
    # a bad document names the field
    broken = json.loads(document.canonical_bytes(doc))
    broken["inventory"]["lines"][0]["quantity"] = 12.5
    assert [p for p, _, _ in document.check(broken)] == ["/inventory/lines/0/quantity"]


def test_round_trip_json_and_excel_through_another_installation(approved_year, tmp_path):
    doc = services.build(approved_year, YEAR)
    first = document.canonical_bytes(doc)
    xlsx = document.to_xlsx(doc)
    # the Excel spelling holds the same document; formula-looking text is plain text there
    assert document.from_xlsx(xlsx) == json.loads(first)
    (tmp_path / "out.json").write_bytes(first)
    (tmp_path / "out.xlsx").write_bytes(xlsx)
    wb = load_workbook(tmp_path / "out.xlsx")
    cell = next(c for row in wb["活动数据"].iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix

    # the other installation: a fresh database with the same county
    assert run(tmp_path, "setup", "--no-demo").returncode == 0
    got = run(tmp_path, "exchange", "import", str(tmp_path / "out.json"))
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == {"accepted": 1, "duplicates": 0, "rejected": []}
    again = run(tmp_path, "exchange", "import", str(tmp_path / "out.json"))
    assert (again.returncode, json.loads(again.stdout)["duplicates"]) == (0, 1)
    via_excel = run(tmp_path, "exchange", "import", str(tmp_path / "out.xlsx"))  # the same content
    assert (via_excel.returncode, json.loads(via_excel.stdout)) == (0, {"accepted": 0, "duplicates": 1, "rejected": []})
    out = run(
        tmp_path,
        "exchange",
        "export",
        "--plan",
        doc["county"]["code"],
        "--year",
        str(YEAR),
        "-o",
        str(tmp_path / "back.json"),
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "back.json").read_bytes() == first  # byte-identical
    out = run(
        tmp_path,
        "exchange",
        "export",
        "--plan",
        doc["county"]["code"],
        "--year",
        str(YEAR),
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "back.xlsx"),
    )
    assert out.returncode == 0
    assert document.from_xlsx((tmp_path / "back.xlsx").read_bytes()) == json.loads(first)

    # a conflicting file for the same county and year is refused, the copy stays as it was
    changed = json.loads(first)
    changed["inventory"]["lines"][0]["source"] = "改过的来源"
    (tmp_path / "changed.json").write_bytes(document.canonical_bytes(changed))
    refused = run(tmp_path, "exchange", "import", str(tmp_path / "changed.json"))
    rep = json.loads(refused.stdout)
    assert refused.returncode == 1 and rep["accepted"] == 0 and rep["rejected"][0]["field"] == "year"
    out = run(tmp_path, "exchange", "export", "--plan", doc["county"]["code"], "--year", str(YEAR))
    assert out.stdout == first

    # not an exchange file / no such county: exit 2 with the report
    (tmp_path / "junk.json").write_bytes(b"{not json")
    junk = run(tmp_path, "exchange", "import", str(tmp_path / "junk.json"))
    assert junk.returncode == 2 and json.loads(junk.stdout)["rejected"][0]["field"] == "file"
    elsewhere = json.loads(first)
    elsewhere["county"]["code"] = "nowhere-2024"
    (tmp_path / "elsewhere.json").write_bytes(document.canonical_bytes(elsewhere))
    nowhere = run(tmp_path, "exchange", "import", str(tmp_path / "elsewhere.json"))
    assert nowhere.returncode == 2 and json.loads(nowhere.stdout)["rejected"][0]["field"] == "county.code"


def test_received_copy_is_read_only_audited_and_kept_apart(approved_year, office):
    first = document.canonical_bytes(services.build(approved_year, YEAR))
    rep, status = services.receive(office, first, "out.json", approved_year)
    assert (status, rep.accepted) == (0, 1)
    got = ReceivedExchange.objects.get()
    assert got.source_name == "out.json" and got.received_by_label == "office" and got.source_format == "json"
    entry = AuditEntry.objects.get(action="exchange.receive")
    assert entry.after["sha256"] == got.sha256 == document.sha256(json.loads(first))
    with pytest.raises(ValueError):
        got.save()
    # the county's own approved data wins over a received copy when exporting
    assert CarbonAccount.objects.filter(status="approved").count() == 1
    assert document.canonical_bytes(services.build(approved_year, YEAR)) == first


def test_office_downloads_the_exchange_file_others_may_not(approved_year, office, fgj, client):
    first = document.canonical_bytes(services.build(approved_year, YEAR))
    client.force_login(office)
    page = client.get(f"/accounting/{YEAR}/").content.decode()
    assert f'href="/exchange/{YEAR}.json"' in page and f'href="/exchange/{YEAR}.xlsx"' in page
    assert f'href="/exchange/{YEAR}.json"' in client.get(f"/enterprises/?year={YEAR}").content.decode()
    got = client.get(f"/exchange/{YEAR}.json")
    assert got.status_code == 200 and got.content == first
    xlsx = client.get(f"/exchange/{YEAR}.xlsx")
    assert xlsx.status_code == 200 and document.from_xlsx(xlsx.content) == json.loads(first)
    assert client.get(f"/exchange/{YEAR - 1}.json").status_code == 422  # nothing approved: says so
    client.force_login(fgj)
    assert client.get(f"/exchange/{YEAR}.json").status_code == 403
    assert "/exchange/" not in client.get(f"/accounting/{YEAR}/").content.decode()
