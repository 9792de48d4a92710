"""`carbonpeak projects import|export|template|flags`: the JSON report, exit 0 / 1 / 2, a re-run changes nothing,
a differing row is a conflict unless --update (audited as cli), Chinese headers, the xlsx round trip."""

from __future__ import annotations

import json

import pytest

from carbonpeak.audit.models import AuditEntry
from carbonpeak.cli import main

pytestmark = pytest.mark.django_db

HEADER = "项目编码,项目名称,项目类别,项目类型,乡镇,牵头部门,建设规模,规模单位,计划投资（万元）,计划投产年份,状态\n"


def run(capsys, *args) -> tuple[int, dict]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def test_import_report_exit_codes_and_idempotence(plan, tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(
        HEADER
        + "P01.6,茶陵严塘秩堂风电项目,,,严塘镇,县发展改革局,100,兆瓦,80000,2027,前期\n"  # line 2: fills the register
        + "P09.1,新项目,P01,光伏发电,,,5,兆瓦,,2026,谋划\n"  # line 3: a new project
        + "P01.6,改了名字,,,,,,,,,\n"  # line 4: same code as line 2, other data
        + "P02.3,,,,,,-1,兆瓦,,,\n"  # line 5: a negative size
        + "P09.2,缺少类别,,光伏发电,,,,,,,\n"  # line 6: new without a group
        + "P01.1,,,,,不存在的局,,,,,\n",  # line 7: unknown department
        encoding="utf-8",
    )
    code, rep = run(capsys, "projects", "import", str(f), "--format", "json")
    assert code == 1
    # line 2 differs from the stored P01.6 (no --update): a conflict too
    assert rep["accepted"] == 1 and rep["duplicates"] == 0
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [
        (2, "township"),
        (4, "code"),
        (5, "size"),
        (6, "group"),
        (7, "lead_departments"),
    ]
    # the Chinese half names the columns as the sheet's headers do, never the English keys
    zh = [r["message"].split(" / ")[0] for r in rep["rejected"]]
    assert zh[0] == (
        "项目 P01.6 已存在且乡镇、建设规模、计划投资（万元）、计划投产年份与已存内容不同；如需修改请选择更新已有项目"
    )
    assert zh[4] == "牵头部门：未知部门“不存在的局”"
    new = plan.projects.get(code="P09.1")
    assert (new.group.code, new.type, new.size, new.capacity_mw, new.commissioning_year) == (
        "P01",
        "solar_pv",
        5,
        5,
        2026,
    )
    assert AuditEntry.objects.filter(action="project.create", actor_label="cli").count() == 1
    # the same file again: the new project is a duplicate now, nothing is stored twice
    code, rep = run(capsys, "projects", "import", str(f), "--format", "json")
    assert code == 1 and rep["accepted"] == 0 and rep["duplicates"] == 1
    assert plan.projects.filter(code="P09.1").count() == 1


def test_update_applies_the_differing_rows_through_the_services(plan, tmp_path, capsys):
    f = tmp_path / "u.csv"
    f.write_text(HEADER + "P01.6,,,,严塘镇,县发展改革局,100,兆瓦,80000,2027,在建\n", encoding="utf-8")
    code, rep = run(capsys, "projects", "import", str(f), "--update", "--format", "json")
    assert (code, rep["accepted"], rep["rejected"]) == (0, 1, [])
    p = plan.projects.get(code="P01.6")
    assert (p.township, p.size, p.capacity_mw, p.status) == ("严塘镇", 100, 100, "under_construction")
    assert p.status_changes.get().changed_by_label == "cli"
    code, rep = run(capsys, "projects", "import", str(f), "--update", "--format", "json")
    assert (code, rep["accepted"], rep["duplicates"]) == (0, 0, 1)


def test_unreadable_file_exits_2(plan, tmp_path, capsys):
    code, rep = run(capsys, "projects", "import", str(tmp_path / "missing.csv"), "--format", "json")
    assert code == 2 and rep["rejected"][0]["field"] == "file"


def test_export_xlsx_round_trips_as_duplicates(plan, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["projects", "export", "--format", "xlsx", "-o", str(out)]) == 0
    code, rep = run(capsys, "projects", "import", str(out), "--format", "json")
    assert rep["rejected"] == [] and (code, rep["accepted"], rep["duplicates"]) == (0, 0, 26)
    code, doc = run(capsys, "projects", "export")
    assert code == 0 and len(doc["projects"]) == 26
    wind = next(p for p in doc["projects"] if p["code"] == "P01.6")
    assert wind["lead_departments"] == "县发展改革局" and wind["status"] == "前期"


def test_template_and_flags(plan, tmp_path, capsys):
    from openpyxl import load_workbook

    t = tmp_path / "t.xlsx"
    assert main(["projects", "template", "-o", str(t)]) == 0
    ws = load_workbook(t).active
    assert ws.cell(1, 1).value == "项目编码" and ws.cell(1, 7).value == "牵头部门"
    code, out = run(capsys, "projects", "flags")
    assert code == 0 and out == {"plan": "chaling-2024", "flags": []}
