"""`carbonpeak transport …` and `carbonpeak gas …` (issue 20).

    carbonpeak transport vehicles import FILE [--update] [--format json]   the vehicle register
    carbonpeak transport vehicles template -o FILE                         the Chinese xlsx template
    carbonpeak transport fleet --year Y --format json                      new buses and their clean share
    carbonpeak transport chargers import FILE [--update]                   charging sites (service areas included)
    carbonpeak transport charging --year Y --format json                   service areas' charging coverage
    carbonpeak transport operators import FILE [--update]                  operating vehicles: energy, turnover
    carbonpeak transport operating --year Y --format json                  intensity and reduction
    carbonpeak transport reported --year Y --kind K --value V --source S   public transport share, shared bikes
    carbonpeak transport approve|reopen --year Y [--reason R]              feed / retract the targets
    carbonpeak gas facilities import FILE [--update]                       storage facilities
    carbonpeak gas coverage import FILE [--update]                         population and covered, per township
    carbonpeak gas demand --year Y --m3 N --source TEXT                    consumption entered by hand
    carbonpeak gas storage --year Y --format json                          storage days
    carbonpeak gas coverage --year Y --format json                         gasification share
    carbonpeak gas approve|reopen --year Y [--reason R]

Every command takes ``--plan CODE`` (without it the only county; several: exit 2). Imports print the standard
report and exit 0 / 1 rows rejected / 2 unreadable.
"""

from __future__ import annotations

import json
import sys


def _setup():
    from carbonpeak.cli import _django

    _django()


def _plan(args):
    from carbonpeak.cli import _default_plan

    return _default_plan(args.plan)


def _print(obj) -> int:
    print(json.dumps(obj, ensure_ascii=False, default=str))
    return 0


def _import_parser(sub, name: str, help_text: str):
    x = sub.add_parser(name, help=help_text)
    xs = x.add_subparsers(dest="action", required=True)
    i = xs.add_parser("import")
    i.add_argument("file")
    i.add_argument("--plan")
    i.add_argument("--update", action="store_true", help="overwrite stored rows with other values")
    i.add_argument("--format", choices=["json"], default="json")
    t = xs.add_parser("template", help="write the Chinese xlsx template")
    t.add_argument("-o", "--output", required=True)
    t.add_argument("--plan")
    return x


def _year_parser(sub, name: str, help_text: str):
    x = sub.add_parser(name, help=help_text)
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json"], default="json")
    return x


def add_parsers(sub) -> None:
    t = sub.add_parser("transport", help="vehicles, charging, operating vehicles (issue 20)")
    ts = t.add_subparsers(dest="transport_cmd", required=True)
    for name, h in (("vehicles", "vehicle register"), ("chargers", "charging sites"), ("operators", "operators")):
        _import_parser(ts, name, h)
    _year_parser(ts, "fleet", "new buses and the clean share")
    _year_parser(ts, "charging", "service areas with chargers")
    _year_parser(ts, "operating", "operating-vehicle intensity")
    r = _year_parser(ts, "reported", "a reported figure with its source")
    r.add_argument("--kind", required=True, choices=["public_transport_share", "shared_bikes"])
    r.add_argument("--value", required=True)
    r.add_argument("--source", required=True)
    for name in ("approve", "reopen"):
        a = _year_parser(ts, name, f"{name} a year: feed or retract the targets")
        a.add_argument("--reason", default="")
    t.set_defaults(func=cmd_transport)

    g = sub.add_parser("gas", help="gas coverage, storage days, zones (issue 20)")
    gs = g.add_subparsers(dest="gas_cmd", required=True)
    _import_parser(gs, "facilities", "storage facilities")
    c = gs.add_parser("coverage", help="import per-township coverage, or print the year's share")
    c.add_argument("action", nargs="?", choices=["import", "template"])
    c.add_argument("file", nargs="?")
    c.add_argument("--year", type=int)
    c.add_argument("--plan")
    c.add_argument("--update", action="store_true")
    c.add_argument("-o", "--output")
    c.add_argument("--format", choices=["json"], default="json")
    d = _year_parser(gs, "demand", "the year's natural-gas consumption where no inventory is approved")
    d.add_argument("--m3", required=True)
    d.add_argument("--source", required=True)
    _year_parser(gs, "storage", "storage days")
    for name in ("approve", "reopen"):
        a = _year_parser(gs, name, f"{name} a year: feed or retract the targets")
        a.add_argument("--reason", default="")
    g.set_defaults(func=cmd_gas)


def _do_import(args, table, load_fn) -> int:
    from carbonpeak.cli import _report
    from carbonpeak.tabular import read_file

    if args.action == "template":  # the same for every county
        from pathlib import Path

        from carbonpeak.tabular.writing import template_bytes

        Path(args.output).write_bytes(template_bytes(table))
        print(args.output)
        return 0
    plan = _plan(args)
    return _report(lambda: load_fn(None, plan, read_file(args.file, table), update=args.update), args.format)


def _issues(exc) -> int:
    from carbonpeak.cli import _print_issues

    _print_issues(exc)
    return 1


def _approval(args, module: str) -> int:
    from carbonpeak.transport import services
    from carbonpeak.validation import ValidationFailed

    plan = _plan(args)
    try:
        if getattr(args, f"{module}_cmd") == "approve":
            my, skipped = services.approve_year(None, plan, module, args.year)
            return _print({"year": args.year, "status": my.status, "figures": my.figures, "skipped": skipped})
        n = services.reopen_year(None, plan, module, args.year, args.reason)
        return _print({"year": args.year, "status": "draft", "retracted": n})
    except ValidationFailed as exc:
        return _issues(exc)


def cmd_transport(args) -> int:
    _setup()
    from carbonpeak.transport import columns, figures, services
    from carbonpeak.validation import ValidationFailed

    cmd = args.transport_cmd
    if cmd == "vehicles":
        return _do_import(args, columns.VEHICLES, services.import_vehicles)
    if cmd == "chargers":
        return _do_import(args, columns.CHARGERS, services.import_chargers)
    if cmd == "operators":
        return _do_import(args, columns.OPERATORS, services.import_operators)
    plan = _plan(args)
    if cmd == "fleet":
        f = figures.fleet(plan, args.year)
        out = {k: f[k] for k in ("year", "new_buses", "new_clean_buses", "new_bus_clean_share_pct")}
        out["by_use"] = {
            use: {"new": v["new"], "new_clean": v["new_clean"], "clean_share_pct": v["clean_share_pct"]}
            for use, v in f["by_use"].items()
        }
        out["checks"] = f["checks"]
        return _print(out)
    if cmd == "charging":
        c = figures.charging(plan, args.year)
        c.pop("share")
        return _print(c)
    if cmd == "operating":
        return _print(figures.operating(plan, args.year))
    if cmd == "reported":
        try:
            obj = services.set_reported(None, plan, args.year, args.kind, args.value, args.source)
        except ValidationFailed as exc:
            return _issues(exc)
        return _print({"year": obj.year, "kind": obj.kind, "value": obj.value, "source": obj.source})
    return _approval(args, "transport")


def cmd_gas(args) -> int:
    _setup()
    from carbonpeak.transport import columns, figures, services
    from carbonpeak.validation import ValidationFailed

    cmd = args.gas_cmd
    if cmd == "facilities":
        return _do_import(args, columns.FACILITIES, services.import_facilities)
    if cmd == "coverage":
        if args.action:
            if args.action == "import" and not args.file:
                print("gas coverage import FILE：请给出文件 / a FILE is required", file=sys.stderr)
                return 2
            if args.action == "template" and not args.output:
                print("gas coverage template -o FILE / -o FILE is required", file=sys.stderr)
                return 2
            return _do_import(args, columns.COVERAGE, services.import_coverage)
        if args.year is None:
            print("gas coverage --year Y / --year is required", file=sys.stderr)
            return 2
        g = figures.gas_coverage(_plan(args), args.year)
        g.pop("share")
        return _print(g)
    plan = _plan(args)
    if cmd == "demand":
        try:
            obj = services.set_gas_demand(None, plan, args.year, args.m3, args.source)
        except ValidationFailed as exc:
            return _issues(exc)
        return _print({"year": obj.year, "demand_m3": figures.tidy(obj.demand_m3), "source": obj.source})
    if cmd == "storage":
        s = figures.storage(plan, args.year)
        out = {k: s[k] for k in ("year", "capacity_m3", "annual_demand_m3", "demand_source", "storage_days")}
        out["leased_m3"] = s["leased_m3"]
        out["checks"] = s["checks"]
        return _print(out)
    return _approval(args, "gas")
