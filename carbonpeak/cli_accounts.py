"""`carbonpeak user …` and `carbonpeak client …` beyond `add` (which lives in cli.py): list, revoke, rotate and
scope machine clients; list, disable, enable, reset the password of and unlock accounts. Every change goes
through accounts.services (audited, actor "system" from the command line). Exit status: 0 ok, 2 invalid input.

    carbonpeak client list [--format json|table]
    carbonpeak client revoke NAME
    carbonpeak client rotate NAME [--expires-days N]      new token and signing secret; the old ones stop working
    carbonpeak client scope NAME --enterprise USCC [...]   the enterprises a gateway may send readings for
    carbonpeak user list [--format json|table]
    carbonpeak user disable|enable USERNAME
    carbonpeak user reset-password USERNAME               prints a new password once
    carbonpeak user unlock USERNAME [--address IP]        clears the login lock-outs
"""

from __future__ import annotations

import json
import sys


def _fail(zh: str, en: str) -> int:
    print(f"{zh} / {en}", file=sys.stderr)
    return 2


def add_client_parsers(csub) -> None:
    x = csub.add_parser("list", help="every client: role, status, expiry, last use, scope")
    x.add_argument("--format", choices=["json", "table"], default="table")
    x = csub.add_parser("revoke", help="stop a client's token at once")
    x.add_argument("name")
    x = csub.add_parser("rotate", help="issue a new token and signing secret; the old ones stop working")
    x.add_argument("name")
    x.add_argument("--expires-days", type=int, help="days the new token is valid (default 365, 0: never)")
    x = csub.add_parser("scope", help="the enterprises (USCC) whose meter readings a gateway may send")
    x.add_argument("name")
    x.add_argument("--enterprise", action="append", default=[], help="USCC; repeat for several")
    x.add_argument("--none", action="store_true", help="take every enterprise away")


def add_user_parsers(usub) -> None:
    x = usub.add_parser("list", help="every account: role, department, active, last login, locked")
    x.add_argument("--format", choices=["json", "table"], default="table")
    for name, help_text in (("disable", "the account can no longer log in"), ("enable", "allow logging in again")):
        x = usub.add_parser(name, help=help_text)
        x.add_argument("username")
    x = usub.add_parser("reset-password", help="set and print a new random password (shown once)")
    x.add_argument("username")
    x = usub.add_parser("unlock", help="clear the account's login lock-outs (and an address's, with --address)")
    x.add_argument("username")
    x.add_argument("--address", help="also clear every failed login from this client address")


def enterprises_by_uscc(codes: list[str], plan):
    """The enterprises of the USCCs given, registered in ``plan``'s county, or exit 2 naming the others (an
    enterprise of another county is refused as unknown: a client acts in its own county only)."""
    from carbonpeak.enterprises.models import Enterprise

    wanted = {c.strip().upper() for c in codes}
    found = list(Enterprise.objects.filter(uscc__in=wanted, plan=plan)) if plan is not None else []
    missing = wanted - {e.uscc for e in found}
    if missing:
        raise SystemExit(
            _fail(
                f"--enterprise：本县未登记的企业 {', '.join(sorted(missing))}",
                "--enterprise: no such enterprise in this client's county",
            )
        )
    return found


def _scope(c) -> dict:
    inclusion = getattr(c, "inclusion_scope", None)
    return {
        "enterprises": sorted(e.uscc for e in c.reading_enterprises.all()),
        "channel": inclusion.channel if inclusion else None,
        "scenarios": sorted(s.code for s in inclusion.scenarios.all()) if inclusion else [],
    }


def cmd_client(args) -> int:
    from carbonpeak.accounts import services
    from carbonpeak.accounts.models import ApiClient

    if args.client_cmd == "list":
        clients = ApiClient.objects.select_related("department", "inclusion_scope").prefetch_related(
            "reading_enterprises", "inclusion_scope__scenarios"
        )
        rows = [{**services.client_row(c), **_scope(c)} for c in clients.order_by("name")]
        if args.format == "json":
            print(json.dumps({"clients": rows}, ensure_ascii=False))
        else:
            for r in rows:
                scope = ",".join(r["enterprises"]) or (
                    f"{r['channel']}:{','.join(r['scenarios'])}" if r["channel"] else "-"
                )
                print(
                    f"{r['name']:<24} {r['role']:<10} {r['status']:<8} {r['token_prefix']}…  "
                    f"expires {r['expires_at'] or '-':<32} last used {r['last_used_at'] or '-':<32} {scope}"
                )
        return 0
    client = ApiClient.objects.filter(name=args.name).first()
    if client is None:
        return _fail(f"没有客户端 {args.name}", f"no client {args.name}")
    try:
        if args.client_cmd == "revoke":
            services.revoke_client(None, client)
            print(json.dumps({"name": client.name, "status": "revoked"}, ensure_ascii=False))
            return 0
        if args.client_cmd == "rotate":
            token = services.rotate_client(None, client, args.expires_days)
            print(
                json.dumps(
                    {
                        "name": client.name,
                        "expires_at": client.expires_at.isoformat() if client.expires_at else None,
                        "token": token,
                        "signing_secret": ApiClient.signing_secret(token),
                    },
                    ensure_ascii=False,
                )
            )
            print(token)  # alone on the last line, like `client add`
            print(
                "新令牌与签名密钥只显示这一次；旧令牌已失效 / shown once; the old token no longer works",
                file=sys.stderr,
            )
            return 0
        # scope
        from carbonpeak.enterprises.services import set_reading_scope

        if not args.enterprise and not args.none:
            return _fail("请给出 --enterprise 统一社会信用代码（或 --none）", "give --enterprise USCC (or --none)")
        ents = [] if args.none else enterprises_by_uscc(args.enterprise, client.plan)
        try:
            usccs = set_reading_scope(None, client, ents)
        except ValueError:
            return _fail(
                "只有计量数据上报方（--role gateway）客户端可以授权企业；碳普惠运营方用 carbonpeak inclusion operator",
                "only a gateway client may be given enterprises (operators: carbonpeak inclusion operator)",
            )
        print(json.dumps({"name": client.name, "enterprises": usccs}, ensure_ascii=False))
        return 0
    except services.AccountError as exc:
        return _fail(f"{exc.field}：{exc.zh}", exc.en)


def cmd_user(args) -> int:
    from carbonpeak.accounts import services
    from carbonpeak.accounts.models import User

    if args.user_cmd == "list":
        rows = [services.user_row(u) for u in services.list_users()]
        if args.format == "json":
            print(json.dumps({"users": rows}, ensure_ascii=False))
        else:
            for r in rows:
                flags = ("" if r["is_active"] else " disabled") + (" locked" if r["locked"] else "")
                print(
                    f"{r['username']:<20} {r['role']:<10} {r['department'] or '-':<16} "
                    f"last login {r['last_login'] or '-':<32}{flags}  {r['display_name']}"
                )
        return 0
    user = User.objects.filter(username=args.username).first()
    if user is None:
        return _fail(f"没有用户 {args.username}", f"no user {args.username}")
    if args.user_cmd in ("disable", "enable"):
        services.set_user_active(None, user, args.user_cmd == "enable")
        print(json.dumps({"username": user.username, "is_active": user.is_active}))
        return 0
    if args.user_cmd == "reset-password":
        password = services.reset_password(None, user)
        print(json.dumps({"username": user.username, "password": password}, ensure_ascii=False))
        print("新密码只显示这一次 / the new password is shown once", file=sys.stderr)
        return 0
    n = services.unlock_user(None, user, args.address)
    print(json.dumps({"username": user.username, "cleared": n, "address": args.address}))
    return 0
