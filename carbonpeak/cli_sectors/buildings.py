"""`carbonpeak buildings …`: the building registry, completions and their shares, bills, the export.

    carbonpeak buildings import FILE --format json [--update] [--plan CODE]
    carbonpeak buildings completions import FILE --format json [--update]
    carbonpeak buildings completions approve --year Y | reopen --year Y --reason TEXT
    carbonpeak buildings shares --year Y --format json
    carbonpeak buildings bills import FILE --format json [--update]
    carbonpeak buildings meter BUILDING_ID METER_CODE        a registered meter (能耗在线监测) measures the building
    carbonpeak buildings export --year Y --format csv|json [-o FILE]

Imports print the standard report (exit 0 ok, 1 rows rejected, 2 unreadable). ``shares`` prints exactly
``year, civil_completed_m2, green_completed_m2, green_building_share_pct, new_building_m2, prefab_m2,
prefab_share_pct`` (areas and percents as 2-decimal strings; a share without area is null and a check is
written to standard error).
"""

from __future__ import annotations

import json
import sys

from carbonpeak.cli import _default_plan, _django, _print_issues, _report


def add_parsers(sub) -> None:
    b = sub.add_parser("buildings", help="building registry, completions and shares, energy bills, export")
    bsub = b.add_subparsers(dest="buildings_cmd", required=True)
    x = bsub.add_parser("import", help="import the building registry (CSV or xlsx)")
    x.add_argument("file")
    x.add_argument("--format", choices=["json"], default="json")
    x.add_argument("--update", action="store_true", help="change stored buildings whose values differ")
    x.add_argument("--plan")
    x.set_defaults(func=cmd_import, kind="buildings")

    c = bsub.add_parser("completions", help="completion acceptances (竣工验收) of projects")
    csub = c.add_subparsers(dest="completions_cmd", required=True)
    ci = csub.add_parser("import")
    ci.add_argument("file")
    ci.add_argument("--format", choices=["json"], default="json")
    ci.add_argument("--update", action="store_true")
    ci.add_argument("--plan")
    ci.set_defaults(func=cmd_import, kind="completions")
    ca = csub.add_parser("approve", help="approve a year: its shares feed the plan's targets")
    ca.add_argument("--year", type=int, required=True)
    ca.add_argument("--plan")
    ca.set_defaults(func=cmd_approve)
    cr = csub.add_parser("reopen", help="reopen an approved year: its fed values are retracted")
    cr.add_argument("--year", type=int, required=True)
    cr.add_argument("--reason", required=True)
    cr.add_argument("--plan")
    cr.set_defaults(func=cmd_reopen)

    s = bsub.add_parser("shares", help="green and prefabricated building shares of a year")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--format", choices=["json"], default="json")
    s.add_argument("--plan")
    s.set_defaults(func=cmd_shares)

    bl = bsub.add_parser("bills", help="energy bills of buildings")
    blsub = bl.add_subparsers(dest="bills_cmd", required=True)
    bi = blsub.add_parser("import")
    bi.add_argument("file")
    bi.add_argument("--format", choices=["json"], default="json")
    bi.add_argument("--update", action="store_true")
    bi.add_argument("--plan")
    bi.set_defaults(func=cmd_import, kind="bills")

    m = bsub.add_parser("meter", help="attach a registered meter (energy monitoring) to a building")
    m.add_argument("building_id")
    m.add_argument("meter_code")
    m.add_argument("--plan")
    m.set_defaults(func=cmd_meter)

    e = bsub.add_parser("export", help="buildings and monthly energy for the city's building-energy database")
    e.add_argument("--year", type=int, required=True)
    e.add_argument("--format", choices=["csv", "json"], default="json")
    e.add_argument("-o", "--output")
    e.add_argument("--plan")
    e.set_defaults(func=cmd_export)


def cmd_import(args) -> int:
    _django()
    from carbonpeak.buildings import columns, services
    from carbonpeak.tabular import read_file

    plan = _default_plan(args.plan)
    table, run = {
        "buildings": (columns.BUILDINGS, services.import_buildings),
        "completions": (columns.COMPLETIONS, services.import_completions),
        "bills": (columns.BILLS, services.import_bills),
    }[args.kind]
    return _report(lambda: run(None, plan, read_file(args.file, table), update=args.update), args.format)


def cmd_shares(args) -> int:
    _django()
    from carbonpeak.buildings import figures

    res = figures.shares(_default_plan(args.plan), args.year)
    print(json.dumps({k: res[k] for k in figures.SHARE_KEYS}, ensure_ascii=False))
    for c in res["checks"]:
        print(f"{c['field']}: {c['message_zh']} / {c['message_en']}", file=sys.stderr)
    return 0


def cmd_approve(args) -> int:
    _django()
    from carbonpeak.buildings import figures, services
    from carbonpeak.validation import ValidationFailed

    try:
        out = services.approve_year(None, _default_plan(args.plan), args.year)
    except ValidationFailed as exc:
        _print_issues(exc)
        return 1
    res = {k: out["results"][k] for k in figures.SHARE_KEYS}
    print(json.dumps({"status": "approved", "fed": out["fed"], **res}, ensure_ascii=False))
    return 0


def cmd_reopen(args) -> int:
    _django()
    from carbonpeak.buildings import services
    from carbonpeak.validation import ValidationFailed

    try:
        n = services.reopen_year(None, _default_plan(args.plan), args.year, args.reason)
    except ValidationFailed as exc:
        _print_issues(exc)
        return 1
    print(json.dumps({"status": "reopened", "retracted": n}, ensure_ascii=False))
    return 0


def cmd_meter(args) -> int:
    _django()
    from carbonpeak.buildings import services
    from carbonpeak.buildings.models import Building
    from carbonpeak.enterprises.models import Meter
    from carbonpeak.validation import Issue, ValidationFailed

    plan = _default_plan(args.plan)
    try:
        b = Building.objects.filter(plan=plan, building_id=args.building_id).first()
        m = Meter.objects.filter(enterprise__plan=plan, meter_code=args.meter_code).first()
        if b is None or m is None:
            field = "building_id" if b is None else "meter_code"
            raise ValidationFailed(
                [Issue("not_found", field, f"{field}：本县未登记", f"{field}: not registered in this county")]
            )
        services.link_meter(None, b, m)
    except ValidationFailed as exc:
        _print_issues(exc)
        return 1
    print(json.dumps({"building_id": b.building_id, "meter_code": m.meter_code}, ensure_ascii=False))
    return 0


def cmd_export(args) -> int:
    _django()
    from carbonpeak.buildings import figures
    from carbonpeak.tabular.writing import csv_bytes

    rows = figures.export_rows(_default_plan(args.plan), args.year)
    if args.format == "json":
        data = json.dumps(
            {"format": "carbonpeak.buildings/1", "year": args.year, "rows": rows}, ensure_ascii=False
        ).encode()
    else:
        cols = figures.EXPORT_COLUMNS
        data = csv_bytes(cols, figures.export_csv_cells(rows))
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data + (b"\n" if args.format == "json" else b""))
    return 0
