"""`carbonpeak backup FILE`, `carbonpeak backup --verify FILE` and `carbonpeak restore FILE`.

A backup file is a tar archive of two members: ``manifest.json`` first, then the data —
``data.sqlite3`` (SQLite's online backup API: a consistent copy while the site keeps running; the archive is
gzip-compressed) or ``data.pgdump`` (``pg_dump -Fc``, compressed by itself). The manifest says what the data must
be: the format version, when it was made, the engine, the applied migrations, the row count of every table, the
points ledger's check (inclusion/ledger.py ``check_balanced``), the audit log's count, last id and a SHA-256 over
its rows in id order, and the data member's size and SHA-256. Everything in it is measured on the very snapshot
that is written: the SQLite copy itself, or on PostgreSQL the transaction whose snapshot pg_dump exports.

Checks (``verify``): the checksum, then the figures measured on the data (the SQLite copy; the restored
database) against the manifest — the same row counts, the same migrations, a balanced ledger, the audit log
intact (same count, last id and digest). On PostgreSQL ``backup --verify`` can check the checksum and that the
dump's table of contents holds every table; the full check is a restore (into a staging database).

Restore refuses, changing nothing, a file that is not a readable backup, whose checksum fails, from the other
engine, or from a newer version of carbonpeak (migrations this code does not know). It replaces the whole
database — SQLite through the backup API into the live file; PostgreSQL by dropping every table, view and
sequence of the ``public`` schema and loading the dump, all in one transaction (a failure leaves the database
as it was) — and then verifies. Stop the web and worker processes first.

Exit status: 0 ok; 1 a check failed (the file is damaged, or the restored database does not match); 2 invalid
input (no such file, a refused restore, a tool missing).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.db import connections, transaction
from django.utils import timezone

FORMAT = "carbonpeak.backup/1"
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "data.sqlite3", "postgresql": "data.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or a failed check: the message in Chinese and English, and the exit status (1 or 2)."""

    def __init__(self, status: int, zh: str, en: str, details: list[str] | None = None):
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en, self.details = status, zh, en, details or []


# --- what a database holds -----------------------------------------------------------------------------------


def _engine(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in PAYLOAD:
        raise BackupError(2, f"不支持的数据库 {vendor}", f"unsupported database engine {vendor}")
    return vendor


def audit_digest(using: str = "default") -> dict[str, Any]:
    """The audit log's row count, last id and a SHA-256 over every row in id order: any row changed, removed
    or added changes it (the log is append-only, so a sound copy has exactly the rows of the original)."""
    from carbonpeak.audit.models import AuditEntry

    fields = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr")
    digest, count, last = hashlib.sha256(), 0, None
    rows = AuditEntry.objects.using(using).order_by("id").values_list(*fields, "before", "after")
    for row in rows.iterator(chunk_size=2000):
        digest.update(json.dumps(row, default=str, ensure_ascii=False, sort_keys=True).encode() + b"\n")
        count, last = count + 1, row[0]
    return {"count": count, "last_id": last, "sha256": digest.hexdigest()}


def measure(using: str = "default") -> dict[str, Any]:
    """Row counts of every table (the models', incl. many-to-many, and django_migrations), the applied
    migrations, the ledger check and the audit digest, read through the connection ``using``."""
    from carbonpeak.inclusion.ledger import check_balanced

    conn = connections[using]
    tables = set(conn.introspection.django_table_names(only_existing=True, include_views=False))
    tables.add("django_migrations")
    counts = {}
    with conn.cursor() as cur:
        for table in sorted(tables):
            cur.execute(f"SELECT count(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, name] for app, name in cur.fetchall()]
    ledger = check_balanced(using=using)
    return {"tables": counts, "migrations": migrations, "ledger": ledger, "audit": audit_digest(using)}


def compare(manifest: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs between the manifest and a database's figures, one "中文 / English" line each (empty: sound)."""
    problems = []
    want, have = manifest["tables"], found["tables"]
    for table in sorted(set(want) | set(have)):
        if table not in have:
            problems.append(f"缺少表 {table} / table {table} is missing")
        elif table not in want:
            problems.append(f"多出表 {table}（备份中没有）/ table {table} is not in the backup")
        elif want[table] != have[table]:
            problems.append(
                f"表 {table} 行数 {have[table]}，备份清单为 {want[table]} / "
                f"table {table} has {have[table]} rows, the manifest says {want[table]}"
            )
    if manifest["migrations"] != found["migrations"]:
        problems.append("已应用的迁移与备份清单不同 / the applied migrations differ from the manifest")
    ledger = found["ledger"]
    if ledger["unbalanced_txns"] or ledger["drifted_accounts"]:
        problems.append(
            f"碳普惠积分账本不平：不平衡交易 {ledger['unbalanced_txns'][:10]}，余额不符账户 "
            f"{ledger['drifted_accounts'][:10]} / the points ledger is not balanced: transactions "
            f"{ledger['unbalanced_txns'][:10]}, accounts {ledger['drifted_accounts'][:10]}"
        )
    if manifest["audit"] != found["audit"]:
        a, b = manifest["audit"], found["audit"]
        problems.append(
            f"审计日志与备份不符（条数 {b['count']}/{a['count']}，末条 {b['last_id']}/{a['last_id']}，摘要"
            f"{'相同' if a['sha256'] == b['sha256'] else '不同'}）/ the audit log does not match the backup "
            f"(rows {b['count']}/{a['count']}, last id {b['last_id']}/{a['last_id']}, digest "
            f"{'same' if a['sha256'] == b['sha256'] else 'differs'})"
        )
    return problems


def _code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- SQLite ----------------------------------------------------------------------------------------------------


@contextmanager
def _sqlite_alias(path: Path) -> Iterator[str]:
    """A Django connection alias to another SQLite file (the copy), for the ORM and ``measure``."""
    from django.db.utils import load_backend

    alias = f"carbonpeak_backup_{uuid4().hex[:8]}"
    settings_dict = {**connections["default"].settings_dict, "NAME": str(path)}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper  # this thread only; not in settings.DATABASES
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def _sqlite_copy(dest: Path) -> None:
    """The live database into ``dest`` with SQLite's online backup API (one consistent step)."""
    import sqlite3

    conn = connections["default"]
    conn.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        conn.connection.backup(target)
    finally:
        target.close()


def _sqlite_load(source: Path) -> None:
    """``source`` replaces the live database's content, through the backup API (the live file's journal and
    other connections stay consistent; a plain file copy would not)."""
    import sqlite3

    conn = connections["default"]
    conn.close()
    conn.ensure_connection()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.backup(conn.connection)
    finally:
        src.close()
    conn.close()


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    s = connections["default"].settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
    ):
        if value:
            env[var] = str(value)
    for option, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT")):
        if s.get("OPTIONS", {}).get(option):
            env[var] = str(s["OPTIONS"][option])
    if s.get("OPTIONS", {}).get("sslkey"):
        env["PGSSLKEY"] = str(s["OPTIONS"]["sslkey"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            2,
            f"找不到 {name}（请安装 postgresql-client，版本不低于服务器）",
            f"{name} not found (install postgresql-client, at least the server's version)",
        )
    return path


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, **kw)
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or "").strip().splitlines() if ln][-5:]
        raise BackupError(1, f"{Path(cmd[0]).name} 失败", f"{Path(cmd[0]).name} failed", lines)
    return done


# Every table, view and sequence of the public schema, in the restore's transaction (partitions go with their
# table, identity and owned sequences with their column): the dump then loads into an empty schema, whatever
# migrations the database had since.
_PG_EMPTY_PUBLIC = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.relkind, format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
  END LOOP;
END $$;
"""


def _pg_dump(dest: Path) -> dict[str, Any]:
    """pg_dump -Fc of the snapshot of a repeatable-read transaction, and the figures of that same snapshot."""
    pg_dump = _tool("pg_dump")
    conn = connections["default"]
    conn.ensure_connection()
    with transaction.atomic():
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
        _run([pg_dump, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(dest)])
        return measure("default")


def _pg_load(source: Path) -> None:
    """The dump into the database in one transaction that psql commits only after pg_restore has produced the
    whole script without error: a dump that breaks off half-way (or a psql error) rolls everything back."""
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    connections["default"].close()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_out:
        load = subprocess.Popen(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            env=_pg_env(),
            stdin=subprocess.PIPE,
            stdout=psql_out,
            stderr=subprocess.STDOUT,
        )
        script = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "-f", "-", str(source)],
            env=_pg_env(),
            stdout=subprocess.PIPE,
            stderr=restore_err,
        )
        try:
            load.stdin.write(b"BEGIN;\n" + _PG_EMPTY_PUBLIC.encode())
            while chunk := script.stdout.read(CHUNK):
                load.stdin.write(chunk)
            if script.wait() == 0:
                load.stdin.write(b"\nCOMMIT;\n")
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): its transaction is rolled back
            pass
        finally:
            script.stdout.close()
            script.wait()
            try:
                load.stdin.close()
            except BrokenPipeError:
                pass
            load.wait()
        restore_err.seek(0)
        psql_out.seek(0)
        messages = restore_err.read().decode(errors="replace") + "\n" + psql_out.read().decode(errors="replace")
    if script.returncode != 0 or load.returncode != 0:
        lines = [ln for ln in messages.splitlines() if ln.strip()][-5:]
        raise BackupError(
            1, "恢复失败，数据库保持原样", "the restore failed; the database is as it was (one transaction)", lines
        )


def _pg_toc_problems(manifest: dict[str, Any], payload: Path) -> list[str]:
    toc = _run([_tool("pg_restore"), "--list", str(payload)]).stdout
    listed = set()
    for line in toc.splitlines():
        parts = line.split()
        # "215; 1259 16386 TABLE public accounts_user postgres"
        if len(parts) >= 6 and not line.startswith(";") and parts[3] == "TABLE" and parts[4] == "public":
            listed.add(parts[5])
    return [f"转储中没有表 {t} / the dump has no table {t}" for t in sorted(set(manifest["tables"]) - listed)]


# --- the archive -----------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write(path: str | os.PathLike) -> dict[str, Any]:
    """Write a backup of the default database to ``path`` (atomically: a half-written file never has the name).
    Returns the manifest."""
    engine = _engine()
    target = Path(path).resolve()
    if not target.parent.is_dir():
        raise BackupError(2, f"目录不存在：{target.parent}", f"no such directory: {target.parent}")
    work = Path(tempfile.mkdtemp(prefix=".carbonpeak-backup-", dir=target.parent))
    try:
        payload = work / PAYLOAD[engine]
        if engine == "sqlite":
            _sqlite_copy(payload)
            with _sqlite_alias(payload) as alias:
                facts = measure(alias)
        else:
            facts = _pg_dump(payload)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "engine": engine,
            **facts,
            "payload": {"name": payload.name, "bytes": payload.stat().st_size, "sha256": _sha256(payload)},
        }
        archive = work / "archive.tar"
        with tarfile.open(archive, "w:gz" if engine == "sqlite" else "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(payload, arcname=payload.name)
        archive.chmod(0o600)  # the database: accounts, residents' data
        os.replace(archive, target)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _damaged(reason_zh: str, reason_en: str) -> BackupError:
    return BackupError(
        1, f"备份文件已损坏或不完整：{reason_zh}", f"the backup file is damaged or incomplete: {reason_en}"
    )


def read(path: str | os.PathLike, work: Path) -> tuple[dict[str, Any], Path]:
    """The manifest and the data member (written into ``work``), its size and checksum checked."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(2, f"找不到备份文件 {source}", f"no such backup file: {source}")
    try:
        with tarfile.open(source, "r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(
                    1,
                    "不是 carbonpeak 备份文件（第一项不是 manifest.json）",
                    "not a carbonpeak backup (no manifest first)",
                )
            manifest = json.loads(tar.extractfile(first).read().decode())
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                fmt = manifest.get("format") if isinstance(manifest, dict) else None
                raise BackupError(2, f"不认识的备份格式 {fmt}", f"unknown backup format {fmt!r} (this reads {FORMAT})")
            name = manifest["payload"]["name"]
            if name not in PAYLOAD.values():
                raise _damaged("数据项名称不对", f"unexpected data member {name!r}")
            member = tar.next()
            if member is None or member.name != name or not member.isfile():
                raise _damaged("缺少数据项", f"the data member {name} is missing")
            payload = work / name
            digest = hashlib.sha256()
            with tar.extractfile(member) as src, payload.open("wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged("无法读取归档", f"the archive cannot be read ({exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise _damaged("清单无法解析", f"the manifest cannot be read ({exc})") from exc
    want = manifest["payload"]
    if payload.stat().st_size != want.get("bytes") or digest.hexdigest() != want.get("sha256"):
        raise _damaged("校验和不符", "the data's SHA-256 does not match the manifest")
    return manifest, payload


def verify_file(path: str | os.PathLike) -> dict[str, Any]:
    """Check a backup file without touching the database; raises BackupError (status 1) on any problem."""
    work = Path(tempfile.mkdtemp(prefix=".carbonpeak-verify-"))
    try:
        manifest, payload = read(path, work)
        if manifest["engine"] == "sqlite":
            import sqlite3

            try:
                with sqlite3.connect(f"file:{payload}?mode=ro", uri=True) as db:
                    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise _damaged("数据库文件无法打开", f"the database copy cannot be opened ({exc})") from exc
            if ok != "ok":
                raise _damaged("数据库完整性检查失败", f"integrity_check: {ok}")
            if connections["default"].vendor != "sqlite":
                raise BackupError(
                    2,
                    "请在 SQLite 配置下检查 SQLite 备份（不设 DATABASE_URL）",
                    "check a SQLite backup with the SQLite settings (no DATABASE_URL)",
                )
            with _sqlite_alias(payload) as alias:
                problems = compare(manifest, measure(alias))
        else:
            problems = _pg_toc_problems(manifest, payload)
        if problems:
            raise BackupError(1, "备份检查未通过", "the backup check failed", problems)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def restore(path: str | os.PathLike) -> dict[str, Any]:
    """Replace the default database with the backup at ``path``, then verify it. Returns a summary."""
    engine = _engine()
    conn = connections["default"]
    on_disk = engine == "sqlite" and not conn.is_in_memory_db()
    # the SQLite copy is unpacked beside the live file (the same file system), not in a small /tmp
    work = Path(
        tempfile.mkdtemp(
            prefix=".carbonpeak-restore-", dir=Path(conn.settings_dict["NAME"]).parent if on_disk else None
        )
    )
    try:
        try:
            manifest, payload = read(path, work)
        except BackupError as exc:
            exc.status = 2  # a damaged file is refused before anything changes: invalid input
            raise
        if manifest["engine"] != engine:
            raise BackupError(
                2,
                f"备份来自 {manifest['engine']} 数据库，当前是 {engine}，不能恢复",
                f"the backup is of a {manifest['engine']} database, this one is {engine}: refused",
            )
        unknown = sorted({tuple(m) for m in manifest["migrations"]} - _code_migrations())
        if unknown:
            names = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
            raise BackupError(
                2,
                f"备份来自更新版本的 carbonpeak（本版本没有迁移 {names}），请先升级再恢复",
                f"the backup was made by a newer carbonpeak (migrations unknown here: {names}); upgrade first",
            )
        if engine == "sqlite":
            with _sqlite_alias(payload) as alias:  # the copy is checked before it replaces anything
                problems = compare(manifest, measure(alias))
            if problems:
                raise BackupError(
                    2, "备份内容与清单不符，未恢复", "the backup does not match its manifest: refused", problems
                )
            _sqlite_load(payload)
        else:
            _pg_load(payload)
        problems = compare(manifest, measure("default"))
        if problems:
            raise BackupError(1, "恢复后的检查未通过", "the restored database failed the check", problems)
        pending = sorted(_code_migrations() - {tuple(m) for m in manifest["migrations"]})
        return {
            "restored": str(path),
            "engine": engine,
            "created_at": manifest["created_at"],
            "rows": sum(manifest["tables"].values()),
            "audit_entries": manifest["audit"]["count"],
            "verified": True,
            "migrations_to_apply": len(pending),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
