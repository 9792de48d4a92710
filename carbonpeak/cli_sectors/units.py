"""`carbonpeak units …`: the grid-connected generation units (installed new-energy capacity).

    carbonpeak units import FILE [--format json] [--update] [--plan CODE]   CSV or xlsx; the script contract
    carbonpeak units capacity --year Y [--format json|table] [--plan CODE]  the year-end capacity in 万千瓦
    carbonpeak units feed [--plan CODE]                                     re-feed the capacity targets
    carbonpeak units client NAME [--revoke]                                 let a gateway client send units
    carbonpeak units template -o FILE                                       the Chinese xlsx template

Import: JSON ``{"accepted", "duplicates", "rejected": [{"line", "field", "message"}]}``; exit 0, 1 with rejected
rows, 2 unreadable file or invalid input. After an import that changed units, the capacity of every year from
the first connection on is fed to the targets named ``new_energy_capacity`` (MW = 万千瓦 × 10).
"""

from __future__ import annotations

import json
import sys


def add_parsers(sub) -> None:
    u = sub.add_parser("units", help="grid-connected generation units: import, capacity, grid client")
    usub = u.add_subparsers(dest="units_cmd", required=True)
    x = usub.add_parser("import", help="units from a CSV or xlsx file (per-row report)")
    x.add_argument("file")
    x.add_argument("--format", choices=["json", "table"], default="json")
    x.add_argument("--update", action="store_true", help="change registered units whose values differ (audited)")
    x.add_argument("--plan")
    x = usub.add_parser("capacity", help="installed new-energy capacity at the end of a year (万千瓦)")
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--format", choices=["json", "table"], default="json")
    x.add_argument("--plan")
    x = usub.add_parser("feed", help="feed the capacity of every year to the new_energy_capacity targets")
    x.add_argument("--plan")
    x = usub.add_parser("client", help="let a gateway client (the grid company) send generation units")
    x.add_argument("name")
    x.add_argument("--revoke", action="store_true", help="take the permission away")
    x = usub.add_parser("template", help="write the Chinese xlsx template")
    x.add_argument("-o", "--output", required=True)
    u.set_defaults(func=cmd_units)


def _fail(zh: str, en: str) -> int:
    print(f"{zh} / {en}", file=sys.stderr)
    return 2


def cmd_units(args) -> int:
    from carbonpeak.cli import _default_plan, _django, _report

    _django()
    if args.units_cmd == "import":
        from carbonpeak.generation.columns import UNITS
        from carbonpeak.generation.services import import_units
        from carbonpeak.tabular import read_file

        plan = _default_plan(args.plan)
        return _report(lambda: import_units(None, plan, read_file(args.file, UNITS), update=args.update), args.format)
    if args.units_cmd == "capacity":
        from carbonpeak.generation.fetch import capacity, capacity_dict

        if not 1950 <= args.year <= 2100:
            return _fail("--year：年份应在 1950–2100 之间", "--year: 1950 to 2100")
        out = capacity_dict(capacity(_default_plan(args.plan), args.year))
        if args.format == "json":
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(f"{out['year']}  {out['capacity_10k_kw']} 万千瓦")
            for t, v in out["by_type"].items():
                print(f"  {t:<16} {v}")
            print(f"  {'storage':<16} {out['storage_10k_kw']} (not counted)")
        return 0
    if args.units_cmd == "feed":
        from carbonpeak.generation.services import feed_capacity

        print(json.dumps(feed_capacity(None, _default_plan(args.plan)), ensure_ascii=False))
        return 0
    if args.units_cmd == "template":
        from pathlib import Path

        from carbonpeak.generation.columns import UNITS
        from carbonpeak.tabular.writing import template_bytes

        Path(args.output).write_bytes(template_bytes(UNITS))
        return 0
    from carbonpeak.accounts.models import ApiClient
    from carbonpeak.generation.services import set_grid_client

    client = ApiClient.objects.filter(name=args.name).first()
    if client is None:
        return _fail(
            f"没有名为 {args.name} 的客户端（先 carbonpeak client add 名称 --role gateway --plan 方案编码）",
            f"no client {args.name} (carbonpeak client add NAME --role gateway --plan CODE first)",
        )
    try:
        allowed = set_grid_client(None, client, not args.revoke)
    except ValueError as exc:
        return _fail("只有本县的计量数据上报方（gateway）客户端可以上报并网机组", str(exc))
    county = client.plan.code if client.plan else None
    print(json.dumps({"client": client.name, "county": county, "generation_units": allowed}, ensure_ascii=False))
    return 0
