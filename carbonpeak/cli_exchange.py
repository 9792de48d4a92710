"""`carbonpeak factors …` and `carbonpeak exchange …` (wired into cli.py).

    carbonpeak factors publish FILE --province NAME [--version V] [--label L]   a province's factor-set version
    carbonpeak factors publish FILE --plan CODE [--version V] [--label L]       a county's override version
    carbonpeak exchange export --plan CODE --year Y --format json|xlsx -o FILE
    carbonpeak exchange import FILE [--plan CODE]       into that county (default: the only one); the file must
                                                        name the same county, else refused (exit 2)

Reports are JSON on standard output (``accepted``, ``duplicates``, ``rejected`` with line, field and message).
Exit status: 0 ok (a re-import of the same file too), 1 refused (bad rows, conflicting content), 2 invalid input
(unreadable file, a file of another county; an unknown or missing --plan where several counties exist: the message
names the choices).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _django() -> None:
    from carbonpeak.cli import _django as setup

    setup()


def _issues_report(exc) -> dict:
    return {
        "accepted": 0,
        "duplicates": 0,
        "rejected": [{"line": i.line, "field": i.field, "message": i.message} for i in exc.issues],
    }


def add_parsers(sub) -> None:
    f = sub.add_parser("factors", help="factor library by level (province versions, county overrides)")
    fsub = f.add_subparsers(dest="factors_cmd", required=True)
    x = fsub.add_parser("publish", help="publish a factor-set version from a CSV (rows added or replacing)")
    x.add_argument("file")
    who = x.add_mutually_exclusive_group(required=True)
    who.add_argument("--province", help="the province's name as the plans spell it, e.g. 湖南省")
    who.add_argument("--plan", help="a county's plan code: its override version")
    x.add_argument("--version", default="", help="version name (default: PROVINCE:N or DIVISION:N)")
    x.add_argument("--label", default="")
    x.add_argument("--note", default="")
    f.set_defaults(func=cmd_factors)
    e = sub.add_parser("exchange", help="the approved year for the city and province (carbonpeak.exchange/1)")
    esub = e.add_subparsers(dest="exchange_cmd", required=True)
    x = esub.add_parser("export")
    x.add_argument("--plan")
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--format", choices=["json", "xlsx"], default="json")
    x.add_argument("-o", "--output")
    x = esub.add_parser("import", help="store a received file as a read-only copy of its county")
    x.add_argument("file")
    x.add_argument("--plan", help="the county it is for (default: the only one); the file must name it")
    e.set_defaults(func=cmd_exchange)


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        report = {
            "accepted": 0,
            "duplicates": 0,
            "rejected": [
                {"line": None, "field": "file", "message": f"无法打开文件 {path} / cannot open {path}: {e.strerror}"}
            ],
        }
        print(json.dumps(report, ensure_ascii=False))
        return None


def cmd_factors(args) -> int:
    _django()
    from carbonpeak.accounting import levels
    from carbonpeak.cli import _default_plan
    from carbonpeak.validation import ValidationFailed

    data = _read(args.file)
    if data is None:
        return 2
    plan = _default_plan(args.plan) if args.plan else None
    try:
        fs = levels.publish(
            None, data, province=args.province or "", plan=plan, version=args.version, label=args.label, note=args.note
        )
    except ValidationFailed as exc:
        print(json.dumps(_issues_report(exc), ensure_ascii=False))
        file_level = all(i.line is None for i in exc.issues) and any(
            i.code in ("encoding", "missing_column", "unknown_column", "empty") for i in exc.issues
        )
        return 2 if file_level else 1
    changed = fs.factors.count()
    print(
        json.dumps(
            {
                "accepted": 1,
                "duplicates": 0,
                "rejected": [],
                "version": fs.version,
                "kind": fs.kind,
                "base": fs.parent.version if fs.parent else None,
                "factors": changed,
            },
            ensure_ascii=False,
        )
    )
    return 0


def cmd_exchange(args) -> int:
    _django()
    from carbonpeak.cli import _default_plan
    from carbonpeak.exchange import document, services
    from carbonpeak.tabular import Report, Unreadable
    from carbonpeak.validation import ValidationFailed

    if args.exchange_cmd == "export":
        plan = _default_plan(args.plan)
        try:
            doc = services.build(plan, args.year)
        except ValidationFailed as exc:
            print(json.dumps(_issues_report(exc), ensure_ascii=False))
            return 1
        body = document.canonical_bytes(doc) if args.format == "json" else document.to_xlsx(doc)
        if args.output:
            Path(args.output).write_bytes(body)
        elif args.format == "json":
            sys.stdout.buffer.write(body)
        else:
            print("xlsx 需要 -o 文件名 / xlsx needs -o FILE", file=sys.stderr)
            return 2
        return 0
    county = _default_plan(args.plan)
    data = _read(args.file)
    if data is None:
        return 2
    try:
        rep, status = services.receive(None, data, Path(args.file).name, county)
    except Unreadable as exc:
        rep, status = Report(), 2
        rep.reject(None, "file", exc.message_zh, exc.message_en)
    print(json.dumps(rep.as_dict(), ensure_ascii=False))
    return status
