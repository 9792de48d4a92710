"""The `carbonpeak` command.

    carbonpeak calc CASE.json [...] | -        the calculation core (never starts Django)
    carbonpeak setup [--demo]                 migrate, load reference data and the shipped plans (idempotent)
    carbonpeak serve [--host H] [--port P] [--dev] [--demo]   setup, then gunicorn and the background worker
    carbonpeak check --deploy                 production readiness: Django's deployment checks and ours
    carbonpeak plan import FILE               load a plan file (format carbonpeak.plan/1): one more county
    carbonpeak plan export [--plan CODE] --format json|xlsx [-o FILE]
    carbonpeak plan status [--plan CODE] --format json|table
    carbonpeak factors publish FILE --province NAME | --plan CODE   see cli_exchange.py
    carbonpeak exchange export|import                                see cli_exchange.py
    carbonpeak round remind                   send reminders for overdue dispatch reports
    carbonpeak client add NAME --role R [--department CODE]   issue a machine-client token (shown once)
    carbonpeak client list|revoke|rotate|scope                  see cli_accounts.py
    carbonpeak user add USERNAME --role R [--department CODE]  create an account (initial password shown once)
    carbonpeak user list|disable|enable|reset-password|unlock  see cli_accounts.py
    carbonpeak backup FILE | --verify FILE    back up the database, or check a backup file (see backup.py)
    carbonpeak restore FILE                   replace the database with a backup, then verify it

Every database command honours DATABASE_URL. Exit status: 0 ok, 1 failed check, 2 invalid input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonpeak.config.settings")
    import django

    django.setup()


def _print_issues(exc) -> None:
    json.dump(exc.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    for issue in exc.issues:
        print(f"{issue.field}: {issue.message}", file=sys.stderr)


def _default_plan(code: str | None):
    """The county a command acts in: ``--plan CODE``; without it, the installation's only plan if there is one,
    else exit 2 naming the choices (a command never picks one county of several by itself)."""
    from carbonpeak.plan.models import Plan

    qs = Plan.objects.order_by("code")
    if code:
        plan = qs.filter(code=code).first()
        if plan is None:
            known = ", ".join(qs.values_list("code", flat=True)) or "-"
            print(
                f"--plan：未找到方案 {code}；可选 {known} / no plan with code {code} (one of {known})", file=sys.stderr
            )
            raise SystemExit(2)
        return plan
    plans = list(qs[:2])
    if not plans:
        print("数据库中没有方案，请先运行 carbonpeak setup / no plan loaded: run carbonpeak setup", file=sys.stderr)
        raise SystemExit(2)
    if len(plans) > 1:
        known = ", ".join(qs.values_list("code", flat=True))
        print(
            f"--plan：有多个县，请指定其一：{known} / several counties: choose one with --plan ({known})",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return plans[0]


def cmd_setup(args) -> int:
    _django()
    from carbonpeak.setup import run_setup

    run_setup(demo=args.demo, out=sys.stderr, region=args.region)
    _print_demo_logins()
    return 0


def _print_demo_logins() -> None:
    from carbonpeak.setup import DEMO_PASSWORD, demo_logins

    logins = demo_logins()
    if logins:
        print(f"演示账户 / demo logins (password {DEMO_PASSWORD}):", file=sys.stderr)
        for username, role in logins:
            print(f"  {username:<18} {role}", file=sys.stderr)


def cmd_serve(args) -> int:
    """Debug only from an explicit --dev (or CARBONPEAK_DEBUG=1, as scripts/run sets); demo only with --demo."""
    if args.dev:
        os.environ["CARBONPEAK_DEBUG"] = "1"
    _django()
    from django.conf import settings

    from carbonpeak.serving import serve
    from carbonpeak.setup import run_setup

    run_setup(demo=args.demo, out=sys.stderr, region=args.region)
    _print_demo_logins()
    with_worker = settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend" and not args.no_worker
    return serve(args, debug=settings.DEBUG, with_worker=with_worker)


def cmd_check(args) -> int:
    """Django's system checks (with --deploy its deployment checks and ours); exit 1 on any finding."""
    _django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level="WARNING")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_worker(args) -> int:
    """Run queued background tasks (Django's task framework, database backend) until stopped."""
    _django()
    from django.core.management import call_command

    opts = ["--interval", str(args.interval), "--no-startup-delay"]
    if args.batch:
        opts.append("--batch")
    call_command("db_worker", *opts)
    return 0


def _backup_failed(exc) -> int:
    print(f"{exc.zh} / {exc.en}", file=sys.stderr)
    for line in exc.details:
        print(f"  {line}", file=sys.stderr)
    return exc.status


def cmd_backup(args) -> int:
    """Write a backup file (manifest + SQLite copy or pg_dump), or with --verify check an existing one."""
    _django()
    from carbonpeak import backup

    try:
        if args.verify:
            m = backup.verify_file(args.file)
            print(f"备份检查通过 / the backup checks out: {args.file}", file=sys.stderr)
        else:
            m = backup.write(args.file)
            print(f"已备份到 {args.file} / backed up to {args.file}", file=sys.stderr)
    except backup.BackupError as exc:
        return _backup_failed(exc)
    summary = {
        "file": args.file,
        "engine": m["engine"],
        "created_at": m["created_at"],
        "tables": len(m["tables"]),
        "rows": sum(m["tables"].values()),
        "audit_entries": m["audit"]["count"],
        "bytes": m["payload"]["bytes"],
        "sha256": m["payload"]["sha256"],
    }
    print(json.dumps(summary, ensure_ascii=False))
    ledger = m["ledger"]
    if ledger["unbalanced_txns"] or ledger["drifted_accounts"]:  # written all the same: it is what the data is
        print("碳普惠积分账本不平（备份时即如此）/ the points ledger was not balanced when backed up", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args) -> int:
    """Replace the database with a backup (refused, unchanged, when the file is damaged, of the other engine or
    of a newer version), then verify row counts, the ledger and the audit log."""
    _django()
    from carbonpeak import backup

    try:
        out = backup.restore(args.file)
    except backup.BackupError as exc:
        return _backup_failed(exc)
    print(json.dumps(out, ensure_ascii=False))
    print(f"已恢复并核对 / restored and verified: {args.file}", file=sys.stderr)
    if out["migrations_to_apply"]:
        print(
            f"备份来自较旧版本：运行 carbonpeak setup 应用 {out['migrations_to_apply']} 个迁移 / "
            "the backup is from an older version: run carbonpeak setup to migrate",
            file=sys.stderr,
        )
    return 0


def _report(load, fmt: str = "json") -> int:
    """The script contract for a file import: run ``load()`` (a Report), print the JSON report, exit 0, 1 when
    rows were rejected, 2 when the file itself is unreadable."""
    from carbonpeak.tabular import Report, Unreadable

    try:
        rep = load()
    except Unreadable as exc:
        rep = Report()
        rep.reject(None, "file", exc.message_zh, exc.message_en)
        print(json.dumps(rep.as_dict(), ensure_ascii=False))
        return 2
    print(json.dumps(rep.as_dict(), ensure_ascii=False, indent=None if fmt == "json" else 1))
    return rep.exit_status


def _import(kind: str, args) -> int:
    """The script contract: JSON report; exit 0, 1 when rows were rejected, 2 when the file is unreadable."""
    _django()
    from carbonpeak.enterprises import columns as tables
    from carbonpeak.enterprises import services
    from carbonpeak.tabular import Unreadable, read_file

    table = {"enterprises": tables.ENTERPRISES, "meters": tables.METERS}.get(kind)
    plan = _default_plan(args.plan)

    def load():
        if kind == "readings":  # by the fastest path that keeps the contract (SQL on PostgreSQL for plain CSV)
            from pathlib import Path

            from carbonpeak.enterprises.sqlingest import ingest_file

            try:
                data = Path(args.file).read_bytes()
            except OSError as e:
                raise Unreadable(f"无法打开文件 {args.file}", f"cannot open {args.file}: {e.strerror}") from e
            return ingest_file(plan, data, str(args.file))
        rows = read_file(args.file, table)
        if kind == "enterprises":
            return services.import_enterprises(None, plan, rows)
        return services.import_meters(None, plan, rows)

    return _report(load, args.format)


def cmd_enterprises(args) -> int:
    if args.ent_cmd == "import":
        return _import("enterprises", args)
    _django()
    from carbonpeak.enterprises.accounts import enterprise_accounts

    out = enterprise_accounts(_default_plan(args.plan), args.year)
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        for e in out["enterprises"]:
            flag = "★" if e["key_energy_user"] else " "
            print(f"{flag} {e['uscc']}  {e['energy_tce']:>14,.1f} tce  {e['co2_t']:>14,.1f} tCO2  {e['name']}")
    return 0


def cmd_meters(args) -> int:
    if args.meters_cmd in ("check", "partitions"):
        _django()
        from django.utils import timezone

        from carbonpeak.enterprises import partitions
        from carbonpeak.enterprises.rollups import BEIJING

        this_year = timezone.now().astimezone(BEIJING).year
        if args.meters_cmd == "partitions":
            out = partitions.ensure_yearly(args.since or this_year, args.until or this_year + 5)
            out["years"] = partitions.yearly() if out["partitioned"] else []
            print(json.dumps(out, ensure_ascii=False))
            return 0
        from carbonpeak.enterprises.monitoring import check_silent_meters

        out = check_silent_meters(_default_plan(args.plan))
        # the daily check also keeps this year's and the next two years' reading partitions in place; a failure
        # there (the lock not had in time) is reported, and the alerts above stand
        from django.db import DatabaseError

        try:
            out["partitions_created"] = partitions.ensure_yearly(this_year, this_year + 2)["created"]
        except DatabaseError as exc:
            out["partitions_created"], out["partitions_error"] = [], str(exc).strip().splitlines()[0]
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if args.meters_cmd == "rollups":
        _django()
        from carbonpeak.enterprises.services import rebuild_rollups

        print(json.dumps({"rollups": rebuild_rollups(_default_plan(args.plan))}))
        return 0
    return _import("meters", args)


def cmd_readings(args) -> int:
    return _import("readings", args)


def cmd_calendar(args) -> int:
    _django()
    from carbonpeak.enterprises import workcalendar
    from carbonpeak.enterprises.columns import CALENDAR
    from carbonpeak.tabular import read_file

    if args.cal_cmd == "show":
        from carbonpeak.enterprises.models import CalendarDay

        days = CalendarDay.objects.all()
        if args.year:
            days = days.filter(date__year=args.year)
        for d in days:
            print(f"{d.date.isoformat()}  {'上班' if d.workday else '放假'}  {d.name}  {d.source}")
        if args.year and not days:
            print(f"{args.year} 年未载入节假日安排，按周一至周五计 / no arrangement for {args.year}: Monday to Friday")
        return 0
    return _report(lambda: workcalendar.import_days(None, read_file(args.file, CALENDAR)), args.format)


def cmd_plan(args) -> int:
    _django()

    if args.plan_cmd == "import":
        return _plan_import(args)
    plan = _default_plan(args.plan)
    if args.plan_cmd == "export":
        from carbonpeak.plan.plan_io import export_plan

        if args.format == "json":
            text = json.dumps(export_plan(plan), ensure_ascii=False, indent=1) + "\n"
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        from carbonpeak.plan.exports import plan_workbook

        if not args.output:
            print("xlsx 需要 -o 文件名 / xlsx needs -o FILE", file=sys.stderr)
            return 2
        from carbonpeak.tabular.writing import save_workbook

        save_workbook(plan_workbook(plan), args.output)
        return 0
    if args.plan_cmd == "status":
        from carbonpeak.plan.status import target_statuses

        statuses = target_statuses(plan)
        rows = [s.as_dict() for s in statuses]
        if args.format == "json":
            keys = ("code", "status", "latest_value", "latest_period", "expected_value", "gap")
            # the latest value's source and method as stored with it (a fed value: the register and its sum)
            out = [
                {**{k: r[k] for k in keys}, "latest_source": s.latest.source_detail if s.latest else None}
                for s, r in zip(statuses, rows, strict=True)
            ]
            # the peak-year target has no reported values: it carries what speaks to it (the accounts' highest
            # year, the latest scenario run's most likely peak year and P(peak ≤ target year)), each with its source
            from carbonpeak.scenarios.presentation import attach_peak_evidence, peak_evidence_json

            attach_peak_evidence(plan, statuses, latest=True)
            for s, o in zip(statuses, out, strict=True):
                if getattr(s, "evidence", None) is not None:
                    o["evidence"] = peak_evidence_json(s.evidence)
            print(json.dumps({"targets": out}, ensure_ascii=False, indent=1))
        else:
            print(f"{'code':<46} {'status':<8} {'latest':>14} {'period':>8} {'expected':>14} {'gap':>12}")
            for r in rows:
                print(
                    f"{r['code']:<46} {r['status']:<8} {_n(r['latest_value']):>14} {r['latest_period'] or '-':>8} "
                    f"{_n(r['expected_value']):>14} {_n(r['gap']):>12}"
                )
        return 0
    return 2


def _plan_import(args) -> int:
    """A new plan code loads the plan; an existing one prints the diff (added, changed, removed …) and applies it
    only with --apply. Exit 0 loaded/diff/applied, 1 removals refused (nothing applied), 2 unreadable/invalid."""
    from carbonpeak.plan.living import import_or_revise
    from carbonpeak.plan.plan_io import read_plan_file
    from carbonpeak.validation import ValidationFailed

    try:
        data = read_plan_file(args.file)
        code = data.get("plan", {}).get("code") if isinstance(data.get("plan"), dict) else None
        if args.plan and code != args.plan:
            print(
                f"--plan {args.plan}：文件中的方案编码为 {code} / the file's plan code is {code}, not {args.plan}",
                file=sys.stderr,
            )
            return 2
        kind, result = import_or_revise(None, data, apply=args.apply)
    except ValidationFailed as exc:
        if any(i.code == "has_data" for i in exc.issues):
            from carbonpeak.plan.living import plan_diff
            from carbonpeak.plan.models import Plan

            diff = plan_diff(Plan.objects.get(code=data["plan"]["code"]), data)
            _print_diff(diff, args.format)
            return 1
        _print_issues(exc)
        return 2
    if kind == "loaded":
        from carbonpeak.plan.models import Plan

        plan = Plan.objects.get(code=result["imported"])
        result = {
            "imported": plan.code,
            "version": plan.version,
            "tasks": plan.tasks.count(),
            "targets": plan.targets.count(),
            "projects": plan.projects.count(),
        }
        print(json.dumps(result, ensure_ascii=False))
        return 0
    _print_diff(result, args.format)
    return 1 if result["refused"] else 0


def _print_diff(diff: dict, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(diff, ensure_ascii=False, indent=1))
        return
    from carbonpeak.plan.living import diff_lines

    for line in diff_lines(diff):
        print(line)


def _n(v) -> str:
    return "-" if v is None else f"{v:.6g}"


def cmd_round(args) -> int:
    _django()
    from carbonpeak.plan.choices import RoundStatus
    from carbonpeak.plan.models import DispatchRound
    from carbonpeak.plan.rounds import remind_summary
    from carbonpeak.plan.services import send_reminders

    rounds = [remind_summary(r, send_reminders(r)) for r in DispatchRound.objects.filter(status=RoundStatus.OPEN)]
    for r in rounds:  # the same sentence as the round page's 提醒逾期部门, one line per open round
        print(f"{r['round']}：{r['message']}", file=sys.stderr)
    sent = sum(r["reminded"] for r in rounds)
    no_contact = sum(r["no_contact"] for r in rounds)
    print(json.dumps({"reminders": sent, "no_contact": no_contact, "rounds": rounds}, ensure_ascii=False))
    return 0


def _role_department(args):
    """Check --role, --plan/--region and --department (a department or township role needs one); return
    (county, region, department) or exit 2 with a message naming the field."""
    from carbonpeak.accounts.choices import INSTALLATION_ROLES, REGION_ROLES, Role

    if args.role not in Role.values:
        print(f"--role：未知角色 {args.role} / unknown role (one of {', '.join(Role.values)})", file=sys.stderr)
        raise SystemExit(2)
    region = None
    if args.role in REGION_ROLES:
        from carbonpeak.plan.models import Region

        if not args.region or args.plan or args.department:
            print(
                "--region：region 角色须指定 --region，且不带 --plan、--department / "
                "the region role takes --region only",
                file=sys.stderr,
            )
            raise SystemExit(2)
        region = Region.objects.filter(code=args.region).first()
        if region is None:
            known = ", ".join(Region.objects.order_by("code").values_list("code", flat=True)) or "-"
            print(f"--region：未知区域 {args.region}；可选 {known} / unknown region", file=sys.stderr)
            raise SystemExit(2)
        return None, region, None
    if args.region:
        print("--region：只用于 --role region / --region is for the region role only", file=sys.stderr)
        raise SystemExit(2)
    if args.role in INSTALLATION_ROLES and not args.plan:
        return None, None, None
    plan = _default_plan(args.plan)
    dept = None
    if args.department:
        dept = plan.departments.filter(code=args.department).first()
        if dept is None:
            print(f"--department：{plan.county}没有部门 {args.department} / unknown department code", file=sys.stderr)
            raise SystemExit(2)
    if args.role in (Role.DEPARTMENT, Role.TOWNSHIP) and dept is None:
        print("--department：部门角色需要 --department / a department role needs --department", file=sys.stderr)
        raise SystemExit(2)
    return plan, region, dept


def cmd_client(args) -> int:
    _django()
    from carbonpeak import cli_accounts

    if args.client_cmd != "add":
        return cli_accounts.cmd_client(args)
    from carbonpeak.accounts import services
    from carbonpeak.accounts.choices import READING_ROLES
    from carbonpeak.accounts.models import ApiClient

    plan, region, dept = _role_department(args)
    if args.enterprise and args.role not in READING_ROLES:
        print(
            "--enterprise 只用于计量数据上报方（--role gateway）；碳普惠运营方用 carbonpeak inclusion operator / "
            "--enterprise is for --role gateway only",
            file=sys.stderr,
        )
        return 2
    ents = cli_accounts.enterprises_by_uscc(args.enterprise, plan) if args.enterprise else []
    try:
        client, token = services.issue_client(
            None, args.name, args.role, dept, args.expires_days, plan=plan, region=region
        )
    except services.AccountError as exc:
        print(f"{exc.field}：{exc.zh} / {exc.en}", file=sys.stderr)
        return 2
    if ents:
        from carbonpeak.enterprises.services import set_reading_scope

        set_reading_scope(None, client, ents)
    print(
        json.dumps(
            {
                "name": client.name,
                "role": client.role,
                "county": plan.code if plan else None,
                "region": region.code if region else None,
                "department": dept.code if dept else None,
                "enterprises": sorted(e.uscc for e in ents),
                "expires_at": client.expires_at.isoformat() if client.expires_at else None,
                "token": token,
                "signing_secret": ApiClient.signing_secret(token),
            },
            ensure_ascii=False,
        )
    )
    print(token)  # alone on the last line, for scripts
    print(
        "令牌与签名密钥只显示这一次，请妥善保存 / the token and the signing secret are shown once: store them safely",
        file=sys.stderr,
    )
    return 0


def cmd_inclusion(args) -> int:
    """碳普惠 set-up: the shipped scenarios (first versions in force after the notice period) and operators."""
    _django()
    from carbonpeak.accounts.models import ApiClient, User
    from carbonpeak.inclusion import config
    from carbonpeak.inclusion.models import Scenario

    plan = _default_plan(args.plan)
    if args.inc_cmd == "setup":
        made = config.load_defaults(None, plan)
        print(json.dumps({"scenarios": [s.code for s in made]}, ensure_ascii=False))
        return 0
    if args.inc_cmd == "publish":
        from carbonpeak.validation import ValidationFailed

        sc = Scenario.objects.filter(plan=plan, code=args.scenario).first()
        if sc is None:
            print(f"--scenario：未知场景 {args.scenario} / unknown scenario", file=sys.stderr)
            return 2
        try:
            spec = json.loads(open(args.file, encoding="utf-8").read())
            m = config.publish_methodology(None, sc, spec, notice_days=args.notice_days)
        except (OSError, ValueError) as exc:
            print(json.dumps({"errors": [{"field": "file", "message": str(exc)}]}, ensure_ascii=False))
            return 2
        except ValidationFailed as exc:
            print(json.dumps(exc.as_dict(), ensure_ascii=False))
            return 1
        print(json.dumps({"code": m.code, "version": m.version, "effective_from": str(m.effective_from)}))
        return 0
    if args.inc_cmd == "baselines":
        from carbonpeak.inclusion.services import BASELINES, import_baselines
        from carbonpeak.tabular import read_file

        return _report(lambda: import_baselines(plan, read_file(args.file, BASELINES)))
    client = ApiClient.objects.filter(name=args.client).first()
    if client is None or client.role != "operator":
        print(
            "client：没有该数据运营方客户端（先 carbonpeak client add 名称 --role operator）/ no such operator client",
            file=sys.stderr,
        )
        return 2
    if client.plan_id != plan.pk:  # an operator acts for its own county's scenarios and residents only
        print(
            f"client：客户端 {client.name} 属于另一个县，不能为{plan.county}的场景上报 / "
            f"client: {client.name} belongs to another county than {plan.code}",
            file=sys.stderr,
        )
        return 2
    scenarios = list(Scenario.objects.filter(plan=plan, code__in=args.scenario))
    if len(scenarios) != len(set(args.scenario)):
        known = ", ".join(Scenario.objects.filter(plan=plan).values_list("code", flat=True))
        print(f"--scenario：未知场景；可选 {known} / unknown scenario", file=sys.stderr)
        return 2
    users = []
    for name in args.user or []:  # every name checked before anything is stored
        u = User.objects.filter(username=name).first()
        if u is None:
            print(f"--user：没有用户 {name} / no user {name}", file=sys.stderr)
            return 2
        if u.plan_id != plan.pk:
            print(f"--user：用户 {name} 属于另一个县 / user {name} belongs to another county", file=sys.stderr)
            return 2
        users.append(u)
    from carbonpeak.inclusion.services import set_operator_scope
    from carbonpeak.validation import ValidationFailed

    try:
        scope = set_operator_scope(None, client, args.channel, scenarios, users)
    except ValidationFailed as exc:
        _print_issues(exc)
        return 2
    print(
        json.dumps(
            {"client": client.name, "channel": scope.channel, "scenarios": [s.code for s in scenarios]},
            ensure_ascii=False,
        )
    )
    return 0


def cmd_user(args) -> int:
    _django()
    from carbonpeak import cli_accounts

    if args.user_cmd != "add":
        return cli_accounts.cmd_user(args)
    from carbonpeak.accounts import services
    from carbonpeak.accounts.models import User

    plan, region, dept = _role_department(args)
    if User.objects.filter(username=args.username).exists():
        print(f"用户 {args.username} 已存在 / user already exists", file=sys.stderr)
        return 2
    enterprise = None
    if args.enterprise:
        from carbonpeak.enterprises.models import Enterprise

        enterprise = Enterprise.objects.filter(uscc=args.enterprise.strip().upper(), plan=plan).first()
        if enterprise is None or args.role != "enterprise":
            print(
                "--enterprise：须为本县已登记企业的统一社会信用代码，且角色为 enterprise / "
                "--enterprise: the USCC of an enterprise registered in this county, with --role enterprise",
                file=sys.stderr,
            )
            return 2
    try:
        user, password = services.create_user(
            None,
            args.username,
            args.role,
            dept,
            email=args.email or "",
            display_name=args.name or "",
            plan=plan,
            region=region,
        )
    except services.AccountError as exc:
        print(f"{exc.field}：{exc.zh} / {exc.en}", file=sys.stderr)
        return 2
    if enterprise is not None:
        from carbonpeak.enterprises.services import add_manager

        add_manager(None, enterprise, user)
    print(
        json.dumps(
            {
                "username": user.username,
                "role": user.role,
                "county": plan.code if plan else None,
                "region": region.code if region else None,
                "department": dept.code if dept else None,
                "enterprise": enterprise.uscc if enterprise else None,
                "initial_password": password,
            },
            ensure_ascii=False,
        )
    )
    print("初始密码只显示这一次 / the initial password is shown once", file=sys.stderr)
    return 0


def cmd_region(args) -> int:
    _django()
    from carbonpeak.plan import regions

    if args.region_cmd == "list":
        print(json.dumps({"regions": regions.region_rows()}, ensure_ascii=False))
        return 0
    codes = [c.strip() for c in args.plans.split(",") if c.strip()]
    try:
        region = regions.save_region(None, args.code, args.name, args.level, codes, args.own_plan)
    except regions.RegionError as exc:
        print(f"{exc.field}：{exc.zh} / {exc.en}", file=sys.stderr)
        return 2
    print(json.dumps(regions.region_row(region), ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="carbonpeak", description="碳达峰管理平台 / carbonpeak")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("calc", help="calculation core (see docs/calc.md)", add_help=False)
    s = sub.add_parser("setup", help="migrate, collect static files, load reference data and plans (idempotent)")
    s.add_argument("--demo", action="store_true", help="also load the labelled demo data and demo accounts")
    s.add_argument("--no-demo", action="store_true", help="the default; kept for old scripts")
    s.add_argument("--region", action="store_true", help="with --demo: a fictional second county and 株洲市 over both")
    s.set_defaults(func=cmd_setup)
    s = sub.add_parser("serve", help="setup, then the web server (gunicorn; --dev: development server)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", default=8000, type=int)
    s.add_argument("--dev", action="store_true", help="DEBUG and Django's development server (never in production)")
    s.add_argument("--demo", action="store_true", help="load the labelled demo data and demo accounts")
    s.add_argument("--no-demo", action="store_true", help="the default; kept for old scripts")
    s.add_argument("--region", action="store_true", help="with --demo: a fictional second county and 株洲市 over both")
    s.add_argument("--workers", type=int, help="gunicorn worker processes (CARBONPEAK_WEB_WORKERS, default 2)")
    s.add_argument("--threads", type=int, help="threads per worker (CARBONPEAK_WEB_THREADS, default 4)")
    s.add_argument("--timeout", type=int, help="request timeout in seconds (CARBONPEAK_WEB_TIMEOUT, default 60)")
    s.add_argument("--no-worker", action="store_true", help="no background worker beside (systemd runs its own)")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("check", help="Django's system checks; --deploy: production readiness (exit 1 on any)")
    s.add_argument("--deploy", action="store_true", help="Django's deployment checks and carbonpeak's own")
    s.set_defaults(func=cmd_check)
    en = sub.add_parser("enterprises", help="enterprise registry and accounts")
    esub = en.add_subparsers(dest="ent_cmd", required=True)
    x = esub.add_parser("import", help="CSV/xlsx with columns uscc,name,industry_code,township")
    x.add_argument("file")
    x.add_argument("--format", choices=["json", "text"], default="json")
    x.add_argument("--plan", help="plan code (default: the published plan)")
    x = esub.add_parser("accounts", help="annual accounts from metered readings")
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--format", choices=["json", "table"], default="json")
    x.add_argument("--plan")
    en.set_defaults(func=cmd_enterprises)
    for name, help_text, fn in (
        ("meters", "CSV/xlsx with columns uscc,meter_code,carrier,unit", cmd_meters),
        ("readings", "CSV/xlsx with columns meter_code,reading_time,quantity", cmd_readings),
    ):
        mp = sub.add_parser(name, help=f"{name} import")
        msub = mp.add_subparsers(dest=f"{name}_cmd", required=True)
        x = msub.add_parser("import", help=help_text)
        x.add_argument("file")
        x.add_argument("--format", choices=["json", "text"], default="json")
        x.add_argument("--plan")
        if name == "meters":
            x = msub.add_parser("check", help="open/close alerts for meters silent > 3 working days (for cron)")
            x.add_argument("--plan")
            x = msub.add_parser("rollups", help="rebuild every monthly roll-up from the readings (after a crash)")
            x.add_argument("--plan")
            x = msub.add_parser("partitions", help="PostgreSQL: add the missing yearly partitions of the readings")
            x.add_argument("--since", type=int, help="first year (default: this year; e.g. 2010 before a backfill)")
            x.add_argument("--until", type=int, help="last year (default: this year + 5)")
        mp.set_defaults(func=fn)
    cal = sub.add_parser("calendar", help="the national holiday arrangement (working days)")
    calsub = cal.add_subparsers(dest="cal_cmd", required=True)
    x = calsub.add_parser("import", help="CSV/xlsx with columns date,workday,name[,source] (workday 1 = 调休上班)")
    x.add_argument("file")
    x.add_argument("--format", choices=["json", "text"], default="json")
    x = calsub.add_parser("show", help="the loaded dates")
    x.add_argument("--year", type=int)
    cal.set_defaults(func=cmd_calendar)
    b = sub.add_parser("backup", help="back up the database to FILE (SQLite online backup, PostgreSQL pg_dump)")
    b.add_argument("file")
    b.add_argument("--verify", action="store_true", help="check the backup FILE instead of writing one")
    b.set_defaults(func=cmd_backup)
    b = sub.add_parser("restore", help="replace the database with the backup FILE, then verify it")
    b.add_argument("file")
    b.set_defaults(func=cmd_restore)
    w = sub.add_parser("worker", help="run queued background tasks (scenario runs)")
    w.add_argument("--interval", type=float, default=1.0)
    w.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    w.set_defaults(func=cmd_worker)
    pl = sub.add_parser("plan", help="plan files and status")
    psub = pl.add_subparsers(dest="plan_cmd", required=True)
    x = psub.add_parser("import", help="load a new plan; for a plan that exists, show the diff (--apply: apply it)")
    x.add_argument("file")
    x.add_argument("--apply", action="store_true", help="apply the diff to the existing plan (audited)")
    x.add_argument("--format", choices=["json", "text"], default="json")
    x.add_argument("--plan", help="the plan code the file must carry")
    x = psub.add_parser("export")
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json", "xlsx"], default="json")
    x.add_argument("-o", "--output")
    x = psub.add_parser("status")
    x.add_argument("--plan")
    x.add_argument("--format", choices=["json", "table"], default="table")
    pl.set_defaults(func=cmd_plan)
    r = sub.add_parser("round", help="dispatch rounds")
    rsub = r.add_subparsers(dest="round_cmd", required=True)
    rsub.add_parser("remind")
    r.set_defaults(func=cmd_round)
    u = sub.add_parser("user", help="accounts")
    usub = u.add_subparsers(dest="user_cmd", required=True)
    x = usub.add_parser("add")
    x.add_argument("username")
    x.add_argument("--role", required=True)
    x.add_argument("--department", help="department code, e.g. dev_reform")
    x.add_argument("--email")
    x.add_argument("--name", help="display name")
    x.add_argument("--enterprise", help="USCC of the enterprise an energy manager (--role enterprise) manages")
    x.add_argument("--plan", help="the county's plan code (default: the only plan)")
    x.add_argument("--region", help="--role region: the city or province code (carbonpeak region add)")
    from carbonpeak import cli_accounts

    cli_accounts.add_user_parsers(usub)
    u.set_defaults(func=cmd_user)
    c = sub.add_parser("client", help="machine-client API tokens")
    csub = c.add_subparsers(dest="client_cmd", required=True)
    x = csub.add_parser("add")
    x.add_argument("name")
    x.add_argument("--role", required=True)
    x.add_argument("--department", help="department code, e.g. dev_reform")
    x.add_argument("--enterprise", action="append", default=[], help="gateway: USCC whose readings it may send")
    x.add_argument("--expires-days", type=int, help="days the token is valid (default 365, 0: never)")
    x.add_argument("--plan", help="the county's plan code (default: the only plan)")
    x.add_argument("--region", help="--role region: the city or province code (carbonpeak region add)")
    cli_accounts.add_client_parsers(csub)
    c.set_defaults(func=cmd_client)
    rg = sub.add_parser("region", help="cities and provinces that read their counties side by side")
    rgsub = rg.add_subparsers(dest="region_cmd", required=True)
    x = rgsub.add_parser("add", help="add a region, or change its name, level, counties and own plan")
    x.add_argument("code")
    x.add_argument("--name", required=True)
    x.add_argument("--level", choices=["city", "province"], default="city")
    x.add_argument("--plans", required=True, help="comma-separated plan codes of its counties")
    x.add_argument("--own-plan", help="the region's own plan code, if it has one (its targets are shown too)")
    x = rgsub.add_parser("list")
    rg.set_defaults(func=cmd_region)
    inc = sub.add_parser("inclusion", help="碳普惠 scenarios and operators")
    isub = inc.add_subparsers(dest="inc_cmd", required=True)
    x = isub.add_parser("setup", help="load the shipped scenarios and methodologies (in force after 7 days' notice)")
    x.add_argument("--plan")
    x = isub.add_parser("publish", help="publish a new methodology version (JSON spec with golden cases)")
    x.add_argument("file")
    x.add_argument("--scenario", required=True)
    x.add_argument("--notice-days", type=int, default=7)
    x.add_argument("--plan")
    x = isub.add_parser("baselines", help="household electricity baselines (resident,year,month,kwh) from the grid")
    x.add_argument("file")
    x.add_argument("--format", choices=["json"], default="json")
    x.add_argument("--plan")
    x = isub.add_parser("operator", help="let an operator client send events for scenarios")
    x.add_argument("client")
    x.add_argument("--channel", required=True)
    x.add_argument("--scenario", action="append", required=True)
    x.add_argument("--user", action="append", help="a user who may see the operator console")
    x.add_argument("--plan")
    inc.set_defaults(func=cmd_inclusion)
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parsers(sub)
    return p


#: modules that add their own subcommands (``add_parsers(sub)``; each parser sets ``func``). A sector module keeps
#: its commands beside its code (``carbonpeak/<app>/cli.py``) and adds one line here.
COMMAND_MODULES = (
    "carbonpeak.cli_exchange",
    "carbonpeak.cli_sectors.units",
    "carbonpeak.cli_sectors.buildings",
    "carbonpeak.cli_sectors.transport",
    "carbonpeak.cli_sectors.waste",
    "carbonpeak.cli_sectors.forest",
    "carbonpeak.cli_sectors.projects",
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "calc":
        from carbonpeak.core.cli_calc import main as calc_main

        return calc_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
