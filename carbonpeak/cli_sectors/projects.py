"""`carbonpeak projects …`: the major-project register (docs/zh/projects.md).

    carbonpeak projects import FILE [--plan CODE] [--update] [--format json]   the register from Excel/CSV
    carbonpeak projects export [--plan CODE] [--format json|xlsx] [-o FILE]    the register (xlsx: the import layout)
    carbonpeak projects template -o FILE                                       the Chinese import template
    carbonpeak projects flags [--plan CODE]                                    the late projects, red first (JSON)

Import: JSON report ``{"accepted", "duplicates", "rejected": [{"line", "field", "message"}]}``; exit 0, 1 with
rejected rows, 2 unreadable. The command line acts as the county's office; every change is audited as ``cli``.
"""

from __future__ import annotations

import json
import sys


def add_parsers(sub) -> None:
    p = sub.add_parser("projects", help="the major-project register (重大项目)")
    psub = p.add_subparsers(dest="projects_cmd", required=True)
    x = psub.add_parser("import", help="import the register from an Excel/CSV file (per-row errors, idempotent)")
    x.add_argument("file")
    x.add_argument("--plan")
    x.add_argument("--update", action="store_true", help="apply rows that differ from the stored projects")
    x.add_argument("--format", choices=["json", "pretty"], default="json")
    x = psub.add_parser("export", help="export the register")
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json", "xlsx"], default="json")
    x.add_argument("-o", "--output")
    x = psub.add_parser("template", help="write the Chinese import template")
    x.add_argument("-o", "--output", required=True)
    x = psub.add_parser("flags", help="late projects (commissioning year passed, report overdue)")
    x.add_argument("--plan")
    p.set_defaults(func=cmd_projects)


def cmd_projects(args) -> int:
    from carbonpeak.cli import _default_plan, _django, _report

    _django()
    from carbonpeak.plan.project_table import PROJECTS, export_rows, import_projects, register_workbook
    from carbonpeak.plan.projects import COMMAND_LINE

    if args.projects_cmd == "template":
        from pathlib import Path

        from carbonpeak.tabular.writing import template_bytes

        Path(args.output).write_bytes(template_bytes(PROJECTS))
        return 0
    plan = _default_plan(args.plan)
    if args.projects_cmd == "import":
        from carbonpeak.tabular import read_file

        return _report(
            lambda: import_projects(COMMAND_LINE, plan, read_file(args.file, PROJECTS), args.update), args.format
        )
    if args.projects_cmd == "flags":
        from carbonpeak.plan.project_flags import plan_flags

        out = [
            {
                "code": f.project.code,
                "name": f.project.name,
                "lead": f.lead,
                "level": f.level,
                "kind": f.kind,
                "late": f.late,
                "message": f.message,
            }
            for f in plan_flags(plan)
        ]
        print(json.dumps({"plan": plan.code, "flags": out}, ensure_ascii=False))
        return 0
    if args.format == "xlsx":
        if not args.output:
            print("--output：导出 xlsx 须指定文件 / --output is required for xlsx", file=sys.stderr)
            return 2
        from carbonpeak.tabular.writing import save_workbook

        save_workbook(register_workbook(plan), args.output)
        return 0
    keys = [c.key for c in PROJECTS.columns]
    text = json.dumps(
        {"plan": plan.code, "projects": [dict(zip(keys, row, strict=True)) for row in export_rows(plan)]},
        ensure_ascii=False,
    )
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0
