"""Reads from a real PostgreSQL streaming replica (issue 15, scale-out): gunicorn processes with
DATABASE_REPLICA_URL pointing at the standby that scripts/test-services makes (port 5433, pg_basebackup -R from the
primary). The test database pytest-django makes on the primary reaches the standby by replication; the test
pauses the standby's replay, writes on the primary, and tells where a read came from by what it shows: the old
value exists only on the standby.

CARBONPEAK_TEST_REPLICA_URL names the standby (its database part is ignored: the test database is used). Missing
or not a standby: the tests fail, they do not skip."""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass

import dj_database_url
import pytest
from django.db import connection

from tests.scaleout.conftest import Browser, db_url, gunicorns
from tests.serving import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPLICA_URL = os.environ.get("CARBONPEAK_TEST_REPLICA_URL", "")
LOCK = "/tmp/carbonpeak-test-replica.lock"  # one test at a time pauses the standby's replay


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _primary_lsn() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()::text")
        return cur.fetchone()[0]


@dataclass
class Standby:
    conn: object
    settings: dict

    def one(self, sql: str, args=()):
        return self.conn.execute(sql, args).fetchone()[0]

    def url(self, **override) -> str:
        return db_url(self.settings, **override)

    def catch_up(self) -> None:
        lsn = _primary_lsn()
        _wait(lambda: self.one("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]), 60, "the standby to replay")

    def pause(self) -> None:
        self.one("SELECT pg_wal_replay_pause()::text")
        _wait(lambda: self.one("SELECT pg_get_wal_replay_pause_state()") == "paused", 30, "the replay to pause")

    def resume(self) -> None:
        self.one("SELECT pg_wal_replay_resume()::text")


@pytest.fixture
def standby():
    import psycopg

    assert connection.vendor == "postgresql"
    if not REPLICA_URL:
        pytest.fail(
            "CARBONPEAK_TEST_REPLICA_URL is not set: run scripts/test-services as root (it makes the streaming "
            "replica on port 5433) and set CARBONPEAK_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433/x "
            "(scripts/test does both)"
        )
    c = dj_database_url.parse(REPLICA_URL)
    settings = {**connection.settings_dict, "HOST": c["HOST"], "PORT": c["PORT"] or 5432}
    settings.update({"USER": c["USER"], "PASSWORD": c["PASSWORD"]} if c["USER"] else {})
    conn, error = None, None
    deadline = time.monotonic() + 30  # the standby may still be replaying the test database's creation
    while conn is None and time.monotonic() < deadline:
        try:
            conn = psycopg.connect(
                host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True, connect_timeout=5,
            )  # fmt: skip
        except psycopg.OperationalError as exc:
            error = exc
            time.sleep(0.5)
    assert conn is not None, f"cannot connect to the standby {REPLICA_URL} ({error}); run scripts/test-services"
    sb = Standby(conn, settings)
    assert sb.one("SELECT pg_is_in_recovery()"), f"{REPLICA_URL} is not a standby (pg_is_in_recovery() is false)"
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield sb
        finally:
            sb.resume()
            conn.close()


def _titles(server, browser, headers=None) -> list[str]:
    status, _, body = browser.send(server, "GET", "/api/v1/plans/", headers=headers)
    assert status == 200, body
    return [p["title"] for p in json.loads(body)]


def _latest(server, browser, code: str, target: str, headers=None):
    status, _, body = browser.send(server, "GET", f"/api/v1/plans/{code}/status", headers=headers)
    assert status == 200, body
    return {t["code"]: t for t in json.loads(body)["targets"]}[target]["latest_period"]


def test_reads_come_from_the_replica_but_not_a_writers_next_reads_nor_a_lagging_or_dead_replica(
    plan, standby, tmp_path
):
    from carbonpeak.accounts.models import ApiClient
    from carbonpeak.plan.models import Plan

    _, token = ApiClient.issue("县发改局脚本", "office", plan=plan)  # the county's own script: it may write there
    old, new = plan.title, plan.title + "（修订）"
    target = "energy_intensity_reduction"
    primary = db_url(connection.settings_dict)
    base = {"DATABASE_URL": primary, "CARBONPEAK_REPLICA_CHECK_SECONDS": "0"}  # every read checks the replica
    env = {**base, "DATABASE_REPLICA_URL": standby.url(), "CARBONPEAK_REPLICA_MAX_LAG_SECONDS": "600"}
    strict = {**env, "CARBONPEAK_REPLICA_MAX_LAG_SECONDS": "1"}
    dead = {**env, "DATABASE_REPLICA_URL": standby.url(PORT=free_port())}  # nothing listens there
    standby.catch_up()
    with gunicorns(tmp_path, env, strict, dead) as (web, web_strict, web_dead):
        standby.pause()
        Plan.objects.filter(pk=plan.pk).update(title=new)  # committed on the primary, not replayed
        assert standby.one("SELECT title FROM plan_plan WHERE id = %s", [plan.pk]) == old
        reader = Browser()

        # a reader's GET (an API list here; pages alike) is answered from the standby: the old title
        assert _titles(web, reader) == [old]

        # a browser that writes is pinned to the primary by a cookie: its next reads show its write
        writer = Browser()
        status, headers, _ = writer.post_form(web, "/i18n/setlang/", {"language": "zh-hans"})
        assert status == 302
        (pin,) = [c for c in headers["set-cookie"] if c.startswith("cp_primary=")]
        assert "Max-Age=15" in pin and "HttpOnly" in pin
        assert _titles(web, writer) == [new]
        assert _titles(web, reader) == [old]

        # a token client (no cookies) is pinned by its token: it reads the value it has just reported
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"year": 2024, "value": "0.13"}).encode()
        status, _, data = Browser().send(
            web, "POST", f"/api/v1/plans/{plan.code}/targets/{target}/values", body, bearer
        )
        assert status == 201, data
        assert _latest(web, Browser(), plan.code, target, headers=bearer) == "2024"
        assert _latest(web, Browser(), plan.code, target) is None  # anyone else: the standby, not yet

        # a standby further behind than CARBONPEAK_REPLICA_MAX_LAG_SECONDS is not used
        _wait(
            lambda: standby.one("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) > 1.5"),
            30,
            "the standby to fall behind",
        )
        assert _titles(web_strict, reader) == [new]
        assert "behind the primary" in web_strict.log_text()
        # nor one that does not answer
        assert _titles(web_dead, reader) == [new]
        assert "unreachable" in web_dead.log_text()
        # and the lenient process still reads the standby
        assert _titles(web, reader) == [old]

        # replay resumes: once the standby has the change, its readers see it
        standby.resume()
        standby.catch_up()
        assert _titles(web, reader) == [new]
        assert _latest(web, reader, plan.code, target) == "2024"
