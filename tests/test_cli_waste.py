"""The construction-waste script contract end to end in subprocesses: every kind's import (JSON report, exit
0 / 1 / 2, a re-run all duplicates, a conflict rejected naming its line), the reconciliation's JSON, the daily
check and the gateway scope command."""

from __future__ import annotations

import json

import pytest

from carbonpeak.waste.tests import fixture
from tests.test_cli_plan import run

ORDER = [
    ("sites", fixture.SITES),
    ("carriers", fixture.CARRIERS),
    ("vehicles", fixture.VEHICLES),
    ("destinations", fixture.DESTINATIONS),
    ("permits", fixture.PERMITS),
    ("manifests", fixture.MANIFESTS),
    ("receipts", fixture.RECEIPTS),
    ("gps", fixture.gps_rows()),
]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("waste")
    assert run(tmp, "w.sqlite3", "setup", "--no-demo").returncode == 0
    return tmp


def call(tmp, *args):
    p = run(tmp, "w.sqlite3", *args)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_imports_reconcile_and_check(county):
    tmp = county
    for kind, text in ORDER:
        path = tmp / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        code, out, err = call(tmp, "waste", "import", kind, str(path), "--format", "json")
        assert code == 0, (kind, out, err)
        assert out["rejected"] == [] and out["accepted"] == text.count("\n") - 1
    # a re-run changes nothing: every row a duplicate
    code, out, _ = call(tmp, "waste", "import", "manifests", str(tmp / "manifests.csv"))
    assert (code, out["accepted"], out["duplicates"]) == (0, 0, 15)
    # a conflict (same id, other values), a bad row, a good row: exit 1 naming the lines
    (tmp / "m2.csv").write_text(
        "联单编号,核准编号,车牌号,类别,出场时间,预估装载量（吨）,处置场所编号\n"
        "M01,P1,湘B00001,soil,2026-03-02 08:00:00,11,L1\n"
        "M99,P1,湘B00001,泥浆,2026-03-02 08:00:00,10,L1\n"
        "M98,P1,湘B00001,工程渣土,2026-03-02 08:00:00,10,L1\n",
        encoding="utf-8",
    )
    code, out, _ = call(tmp, "waste", "import", "manifests", str(tmp / "m2.csv"))
    assert code == 1 and out["accepted"] == 1
    assert [(r["line"], r["field"]) for r in out["rejected"]] == [(2, "manifest_id"), (3, "category")]
    # unreadable: a missing column
    (tmp / "bad.csv").write_text("plate,time\n湘B1,2026-03-02 08:00\n", encoding="utf-8")
    code, out, _ = call(tmp, "waste", "import", "gps", str(tmp / "bad.csv"))
    assert code == 2 and out["rejected"][0]["field"] == "file"
    # the reconciliation (M98 departed too: 13 soil manifests hauled, open M98 without receipt)
    code, out, _ = call(tmp, "waste", "reconcile", "--as-of", "2026-03-03T02:00:00+08:00", "--format", "json")
    assert code == 0
    soil = next(p for p in out["permits"] if p["category"] == "soil")
    assert soil["hauled_t"] == 130 and soil["open_manifests"] == ["M02", "M03", "M98"]
    assert [a["kind"] for a in soil["alerts"]].count("route_deviation") == 2
    assert out["totals"] == {"received_t": 140.002, "recycled_t": 10, "recycled_share_pct": 7.14}
    code, _, err = call(tmp, "waste", "reconcile", "--as-of", "yesterday")
    assert code == 2 and "--as-of" in err
    # the daily check (as of now: every load is long past, so M02, M03 and M98 are without receipt too)
    code, out, _ = call(tmp, "waste", "check", "--no-mail")
    assert code == 0 and out["opened"] == 12
    code, out, _ = call(tmp, "waste", "check", "--no-mail")
    assert (code, out["opened"], out["open"]) == (0, 0, 12)


def test_template_and_client_scope(county):
    tmp = county
    code, _, _ = call(tmp, "waste", "template", "permits", "-o", str(tmp / "permits.xlsx"))
    assert code == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp / "permits.xlsx").worksheets[0]
    assert ws.cell(1, 1).value.startswith("核准编号")
    assert run(tmp, "w.sqlite3", "client", "add", "gps-platform", "--role", "gateway").returncode == 0
    code, out, _ = call(tmp, "waste", "client", "gps-platform", "--kind", "gps")
    assert (code, out) == (0, {"client": "gps-platform", "kinds": ["gps"]})
    code, _, err = call(tmp, "waste", "client", "nobody", "--kind", "gps")
    assert code == 2 and "nobody" in err
