"""Stateless web processes (issue 15, scale-out): with CARBONPEAK_CACHE_URL=redis://… two gunicorn processes that
share only Redis and the database serve one user's session alike; the session lives in Redis and in the table
(cached_db), so a Redis flush logs nobody out; a logout through either process ends it on both.

Redis: CARBONPEAK_TEST_REDIS_URL (default redis://127.0.0.1:6379/5, started by scripts/test-services); this test
empties that Redis database."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.scaleout.conftest import Browser, db_url, gunicorns, production_password

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("CARBONPEAK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _session_keys(r, session_key: str) -> list[bytes]:
    return [k for k in r.keys("*") if session_key.encode() in k]


def test_one_session_across_two_processes_survives_a_redis_flush_and_ends_on_both(plan, office, tmp_path):
    import redis
    from django.contrib.sessions.models import Session

    assert connection.vendor == "postgresql"
    production_password(office)
    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    env = {"DATABASE_URL": db_url(connection.settings_dict), "CARBONPEAK_CACHE_URL": REDIS_URL}
    staff_only = f"/api/v1/accounting/{plan.code}/inventories"  # 401 without a session, 200 for the office
    with gunicorns(tmp_path, env, env) as (a, b):
        assert a.proc.pid != b.proc.pid
        user = Browser()
        assert user.send(a, "GET", staff_only)[0] == 401
        status, headers, _ = user.post_form(a, "/login/", {"username": "office", "password": "Xy-test-password-1"})
        assert status == 302, headers
        session_key = user.cookies["sessionid"]

        # the session was written through process A to Redis and to the table; process B reads it
        assert _session_keys(r, session_key), "the session is not in Redis"
        assert Session.objects.filter(session_key=session_key).exists()
        assert user.send(b, "GET", staff_only)[0] == 200
        assert user.send(a, "GET", staff_only)[0] == 200

        # Redis loses everything: the table still has the session, and the next read puts it back in Redis
        r.flushdb()
        assert user.send(b, "GET", staff_only)[0] == 200
        assert _session_keys(r, session_key)

        # a logout through B ends the session everywhere: table, Redis, both processes
        stolen = Browser(cookies=dict(user.cookies))  # the same cookies kept elsewhere
        assert user.post_form(b, "/logout/", {})[0] == 302
        assert not Session.objects.filter(session_key=session_key).exists()
        assert not _session_keys(r, session_key)
        assert stolen.send(a, "GET", staff_only)[0] == 401
        assert stolen.send(b, "GET", staff_only)[0] == 401
