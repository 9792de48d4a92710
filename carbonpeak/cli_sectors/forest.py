"""`carbonpeak forest …` (issue 17):

    carbonpeak forest import FILE --format json [--replace-year] [--plan CODE]   survey rows (CSV or Excel)
    carbonpeak forest harvest FILE [--update] [--plan CODE]                       growth and harvest (optional)
    carbonpeak forest status --year Y --format json [--plan CODE]
    carbonpeak forest approve --year Y [--plan CODE]      feeds forest_coverage and forest_stock
    carbonpeak forest reopen --year Y --reason TEXT [--plan CODE]   retracts them

Exit 0 ok, 1 rows rejected (or the year cannot be approved), 2 unreadable file or invalid input.
"""

from __future__ import annotations

import json
import sys


def add_parsers(sub) -> None:
    f = sub.add_parser("forest", help="forest resources: import, status, approve, reopen")
    fsub = f.add_subparsers(dest="forest_cmd", required=True)
    x = fsub.add_parser("import", help="survey rows: year,township,land_class,species_group,area_ha,stock_m3")
    x.add_argument("file")
    x.add_argument("--format", choices=["json"], default="json")
    x.add_argument("--replace-year", action="store_true", help="replace each year of the file (all or nothing)")
    x.add_argument("--plan")
    x = fsub.add_parser("harvest", help="growth rate and harvest volume per year and species group")
    x.add_argument("file")
    x.add_argument("--format", choices=["json"], default="json")
    x.add_argument("--update", action="store_true")
    x.add_argument("--plan")
    x = fsub.add_parser("status")
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--format", choices=["json"], default="json")
    x.add_argument("--plan")
    for name in ("approve", "reopen"):
        x = fsub.add_parser(name)
        x.add_argument("--year", type=int, required=True)
        x.add_argument("--plan")
        if name == "reopen":
            x.add_argument("--reason", required=True)
    f.set_defaults(func=cmd_forest)


def _read(path: str) -> bytes:
    from pathlib import Path

    from carbonpeak.tabular import Unreadable

    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise Unreadable(f"无法打开文件 {path}", f"cannot open {path}: {e.strerror}") from e


def cmd_forest(args) -> int:
    from carbonpeak.cli import _default_plan, _django, _report

    _django()
    from carbonpeak.sinks import columns, services, status
    from carbonpeak.tabular import read_file
    from carbonpeak.validation import ValidationFailed

    plan = _default_plan(args.plan)
    if args.forest_cmd == "import":
        return _report(
            lambda: services.import_forest_file(
                None, plan, _read(args.file), args.file, replace_year=args.replace_year
            ),
            args.format,
        )
    if args.forest_cmd == "harvest":
        return _report(
            lambda: services.import_harvest(None, plan, read_file(args.file, columns.HARVEST), update=args.update),
            args.format,
        )
    if args.forest_cmd == "status":
        res = services.year_status(plan, args.year)
        if res is None:
            print(f"year：{args.year} 年没有森林资源数据 / no forest data for {args.year}", file=sys.stderr)
            return 1
        print(json.dumps(status.status_json(res), ensure_ascii=False, indent=1))
        return 0
    try:
        if args.forest_cmd == "approve":
            written = services.approve_year(None, plan, args.year)
            print(json.dumps({"year": args.year, "status": "approved", "values_fed": len(written)}))
        else:
            n = services.reopen_year(None, plan, args.year, args.reason)
            print(json.dumps({"year": args.year, "status": "reopened", "values_retracted": n}))
    except ValidationFailed as exc:
        print(json.dumps(exc.as_dict(), ensure_ascii=False))
        for i in exc.issues:
            print(f"{i.field}: {i.message}", file=sys.stderr)
        return 1
    return 0
