"""The `carbonpeak` command end to end, in subprocesses against their own databases (DATABASE_URL honoured):
setup is idempotent, export → import into an empty database reproduces the plan exactly, status prints every
target, and a malformed plan file stores nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(tmp: Path, db: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / db}",
        "CARBONPEAK_HOME": str(tmp),
        "CARBONPEAK_SECRET_KEY": "cli-test-key-not-secret-00000000000000000000000000000",
        "DJANGO_SETTINGS_MODULE": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE")
    return subprocess.run(
        [sys.executable, "-m", "carbonpeak.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    first = run(tmp, "a.sqlite3", "setup", "--no-demo")
    assert first.returncode == 0, first.stderr
    again = run(tmp, "a.sqlite3", "setup", "--no-demo")
    assert again.returncode == 0 and "已载入方案" not in again.stderr  # idempotent: nothing loaded twice
    out = run(tmp, "a.sqlite3", "plan", "export", "--format", "json")
    assert out.returncode == 0, out.stderr
    return tmp, out.stdout


def test_export_shape(exported):
    _, text = exported
    doc = json.loads(text)
    assert set(doc) >= {"plan", "targets", "tasks", "projects", "departments"}
    t = next(t for t in doc["targets"] if t["code"] == "non_fossil_share")
    assert set(t) >= {
        "code",
        "name",
        "unit",
        "direction",
        "baseline_year",
        "baseline_value",
        "values",
        "lead_departments",
        "cooperating_departments",
        "source",
    }
    assert t["values"] == {"2025": 0.2, "2030": 0.25}
    cap = next(t for t in doc["targets"] if t["code"] == "new_energy_capacity")
    assert cap["unit"] == "MW" and cap["values"] == {  # a year with its own wording is an object
        "2025": {"value": 300, "qualifier": "at_least"},
        "2030": {"value": 1350, "qualifier": "at_least", "strive": True},
    }
    task = doc["tasks"][0]
    assert set(task) >= {"code", "area", "text", "lead_departments", "cooperating_departments"}
    assert all("name" in d for d in doc["departments"])


def test_import_of_the_export_into_an_empty_database_reproduces_it(exported):
    tmp, text = exported
    (tmp / "export.json").write_text(text, encoding="utf-8")
    assert run(tmp, "b.sqlite3", "setup", "--no-demo").returncode == 0  # loads the shipped plan too...
    dup = run(tmp, "b.sqlite3", "plan", "import", str(tmp / "export.json"))
    assert dup.returncode == 0 and json.loads(dup.stdout)["empty"]  # ...so the same file is a revision: no change
    env_db = "c.sqlite3"  # an empty database: migrate only, then import
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0", "--settings=carbonpeak.config.settings"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / env_db}",
            "CARBONPEAK_HOME": str(tmp),
            "CARBONPEAK_DEBUG": "1",
        },
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    imp = run(tmp, env_db, "plan", "import", str(tmp / "export.json"))
    assert imp.returncode == 0, imp.stdout + imp.stderr
    again = run(tmp, env_db, "plan", "export", "--format", "json")
    assert json.loads(again.stdout) == json.loads(text)


def test_status_json_lists_every_target(exported):
    tmp, text = exported
    out = run(tmp, "a.sqlite3", "plan", "status", "--format", "json")
    rows = json.loads(out.stdout)["targets"]
    assert {r["code"] for r in rows} == {t["code"] for t in json.loads(text)["targets"]}
    keys = {"code", "status", "latest_value", "latest_period", "expected_value", "gap", "latest_source"}
    assert all(set(r) - {"evidence"} == keys and r["latest_source"] is None for r in rows)
    # only the peak-year target carries evidence; with no accounts and no scenario run, both parts are empty
    peak = [r for r in rows if "evidence" in r]
    assert [r["code"] for r in peak] == ["carbon_peak_year"]
    assert (peak[0]["evidence"]["accounts"], peak[0]["evidence"]["scenario"]) == (None, None)
    assert {r["status"] for r in rows} == {"no_data"}  # --no-demo: nothing reported yet
    table = run(tmp, "a.sqlite3", "plan", "status", "--format", "table")
    assert "non_fossil_share" in table.stdout


def test_xlsx_export(exported):
    from openpyxl import load_workbook

    tmp, _ = exported
    out = run(tmp, "a.sqlite3", "plan", "export", "--format", "xlsx", "-o", str(tmp / "plan.xlsx"))
    assert out.returncode == 0, out.stderr
    wb = load_workbook(tmp / "plan.xlsx")
    assert wb.sheetnames == ["目标指标", "重点任务", "重大项目", "部门"]
    assert wb["目标指标"]["A1"].value == "编码" and wb["目标指标"]["A2"].value == "code"


def test_malformed_plan_file_is_refused_with_fields_and_stores_nothing(exported):
    tmp, text = exported
    doc = json.loads(text)
    doc["plan"]["code"] = "other-county"
    doc["targets"][0]["values"]["2025"] = 20  # a share written as a percentage
    doc["tasks"][0]["lead_departments"] = ["不存在的局"]
    doc["projects"][0]["capacity_mw"] = -1
    doc["targets"][1]["values"]["2050"] = 1
    (tmp / "bad.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = run(tmp, "a.sqlite3", "plan", "import", str(tmp / "bad.json"))
    assert out.returncode == 2
    fields = {e["field"] for e in json.loads(out.stdout)["errors"]}
    assert fields == {
        "targets[0].values.2025",
        "tasks[0].lead_departments[0]",
        "projects[0].capacity_mw",
        "targets[1].values.2050",
    }
    (tmp / "broken.json").write_text("{not json", encoding="utf-8")
    broken = run(tmp, "a.sqlite3", "plan", "import", str(tmp / "broken.json"))
    assert broken.returncode == 2 and "JSON" in broken.stdout
    plans = run(tmp, "a.sqlite3", "plan", "export", "--plan", "other-county", "--format", "json")
    assert plans.returncode == 2  # nothing was stored


def test_client_token_is_issued_once_and_works(exported):
    tmp, _ = exported
    out = run(tmp, "a.sqlite3", "client", "add", "grid-gw", "--role", "department", "--department", "dev_reform")
    assert out.returncode == 0, out.stderr
    token = json.loads(out.stdout.splitlines()[0])["token"]
    assert token.startswith("cpk_")
    assert out.stdout.splitlines()[-1] == token  # alone on the last line, for scripts
    assert (
        run(
            tmp, "a.sqlite3", "client", "add", "grid-gw", "--role", "department", "--department", "dev_reform"
        ).returncode
        == 2
    )  # names are unique
    assert run(tmp, "a.sqlite3", "client", "add", "x", "--role", "department").returncode == 2  # needs a department
    assert run(tmp, "a.sqlite3", "client", "add", "y", "--role", "wizard").returncode == 2


def test_user_add_creates_an_account_that_can_log_in(exported):
    tmp, _ = exported
    out = run(tmp, "a.sqlite3", "user", "add", "zhang", "--role", "department", "--department", "forestry")
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["department"] == "forestry" and len(created["initial_password"]) >= 16
    assert run(tmp, "a.sqlite3", "user", "add", "zhang", "--role", "office").returncode == 2
    assert run(tmp, "a.sqlite3", "user", "add", "li", "--role", "department").returncode == 2
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.contrib.auth import authenticate;"
            f"from django.test import RequestFactory; r = RequestFactory().post('/login/');"
            f"print(authenticate(r, username='zhang', password={created['initial_password']!r}).role)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'a.sqlite3'}",
            "CARBONPEAK_HOME": str(tmp),
            "CARBONPEAK_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "carbonpeak.config.settings",
        },
    )
    assert check.stdout.strip() == "department", check.stderr
