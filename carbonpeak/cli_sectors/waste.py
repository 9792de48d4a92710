"""``carbonpeak waste …``: construction-waste imports, the reconciliation, the daily check and the machine clients.

carbonpeak waste import KIND FILE [--plan CODE] [--format json] [--update]
    KIND: sites carriers vehicles destinations permits manifests receipts gps (the script contract: JSON
    report; exit 0, 1 when rows were rejected, 2 when the file is unreadable)
carbonpeak waste template KIND -o FILE            the Chinese xlsx template of an import
carbonpeak waste reconcile --as-of TIME [--plan CODE] [--format json]
carbonpeak waste check [--plan CODE]              reconcile now, open/update cases, e-mail the assignees
carbonpeak waste client NAME --kind gps|receipts [--revoke]   a gateway client may send this kind
"""

from __future__ import annotations

import json
import sys

from carbonpeak.cli import _default_plan, _django, _report

KINDS = ("sites", "carriers", "vehicles", "destinations", "permits", "manifests", "receipts", "gps")


def add_parsers(sub) -> None:
    w = sub.add_parser("waste", help="construction waste: imports, reconciliation, cases (建筑垃圾监管)")
    wsub = w.add_subparsers(dest="waste_cmd", required=True)
    x = wsub.add_parser("import", help="import one kind of file (JSON report; exit 0/1/2)")
    x.add_argument("kind", choices=KINDS)
    x.add_argument("file")
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json", "text"], default="json")
    x.add_argument(
        "--update", action="store_true", help="registers only: a stored id with other values is updated (audited)"
    )
    x = wsub.add_parser("template", help="the Chinese xlsx template of an import")
    x.add_argument("kind", choices=KINDS)
    x.add_argument("-o", "--output", required=True)
    x = wsub.add_parser("reconcile", help="permits, loads and alerts as of a time (JSON)")
    x.add_argument("--as-of", required=True, help="a time, e.g. 2026-04-01 00:00 (Beijing time) or with its offset")
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json"], default="json")
    x = wsub.add_parser("check", help="the daily check: reconcile now, open/update cases, e-mail the assignees")
    x.add_argument("--plan")
    x.add_argument("--no-mail", action="store_true")
    x = wsub.add_parser("client", help="allow a gateway client to send GPS points or weighbridge receipts")
    x.add_argument("name")
    x.add_argument("--kind", choices=["gps", "receipts"], required=True)
    x.add_argument("--revoke", action="store_true")
    w.set_defaults(func=cmd_waste)


def _err(zh: str, en: str) -> int:
    print(f"{zh} / {en}", file=sys.stderr)
    return 2


def cmd_waste(args) -> int:
    _django()
    if args.waste_cmd == "import":
        from carbonpeak.tabular import read_file
        from carbonpeak.waste import columns, services

        plan = _default_plan(args.plan)
        if args.kind == "gps":  # a plain CSV streamed (no row bound), anything else through the bounded reader
            from pathlib import Path

            from carbonpeak.tabular import Unreadable

            def load_gps():
                try:
                    data = Path(args.file).read_bytes()
                except OSError as e:
                    raise Unreadable(f"无法打开文件 {args.file}", f"cannot open {args.file}: {e.strerror}") from e
                return services.ingest_gps_file(None, plan, data, str(args.file))

            return _report(load_gps, args.format)
        return _report(
            lambda: services.import_rows(
                None, plan, args.kind, read_file(args.file, columns.TABLES[args.kind]), update=args.update
            ),
            args.format,
        )
    if args.waste_cmd == "template":
        from pathlib import Path

        from carbonpeak.tabular.writing import template_bytes
        from carbonpeak.waste import columns

        Path(args.output).write_bytes(template_bytes(columns.TABLES[args.kind]))
        return 0
    if args.waste_cmd == "reconcile":
        from carbonpeak.tabular.times import parse_time
        from carbonpeak.waste import reconcile

        plan = _default_plan(args.plan)
        as_of = parse_time(args.as_of, local=True)
        if as_of is None:
            return _err(
                "--as-of：应为时间，如 2026-04-01 00:00（北京时间）或 2026-04-01T00:00:00+08:00",
                "--as-of: a time, e.g. 2026-04-01 00:00 (Beijing time) or 2026-04-01T00:00:00+08:00",
            )
        out = reconcile.public(reconcile.reconcile(plan, as_of))
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if args.waste_cmd == "check":
        from carbonpeak.waste import cases

        out = cases.check(_default_plan(args.plan), notify_by_mail=not args.no_mail)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    # client
    from carbonpeak.accounts.models import ApiClient
    from carbonpeak.validation import ValidationFailed
    from carbonpeak.waste import services

    client = ApiClient.objects.filter(name=args.name).first()
    if client is None:
        return _err(
            f"没有名为 {args.name} 的接口客户端（先 carbonpeak client add 名称 --role gateway）",
            f"no client {args.name} (carbonpeak client add NAME --role gateway)",
        )
    try:
        services.set_client_scope(None, client, args.kind, allowed=not args.revoke)
    except ValidationFailed as e:
        for issue in e.issues:
            print(f"{issue.field}: {issue.message}", file=sys.stderr)
        return 2
    kinds = sorted(client.waste_scopes.values_list("kind", flat=True))
    print(json.dumps({"client": client.name, "kinds": kinds}, ensure_ascii=False))
    return 0
