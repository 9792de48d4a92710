"""Reads from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``; settings.py adds the ``replica`` alias,
this router and the middleware below only when it is set).

A read goes to the replica only when all of these hold; otherwise it goes to the primary (``default``):

- it is made while a GET, HEAD or OPTIONS request is answered (pages, exports, API reads): never in a POST, PUT,
  PATCH or DELETE, never outside a request (the CLI, the background worker), never on ``/health/``;
- the client has not written lately: every unsafe request pins its client to the primary for
  ``CARBONPEAK_REPLICA_PIN_SECONDS`` (a cookie for browsers; for ``Authorization`` clients, which may keep no
  cookie, a key in the cache, which must be the shared Redis when there are several web processes), so a writer
  reads its own write on the next page;
- the primary connection is not inside ``transaction.atomic`` (what a transaction reads, it reads where it writes);
- the model is not one whose staleness would be wrong rather than late: sessions, accounts and tokens (a revoked
  token, a disabled user, a new login), login lock-outs and the task queue always read from the primary;
- the replica answers and is not behind by more than ``CARBONPEAK_REPLICA_MAX_LAG_SECONDS``. Each process checks
  this at most every ``CARBONPEAK_REPLICA_CHECK_SECONDS``: the replica is current when it has replayed the
  primary's WAL position (``pg_current_wal_lsn``) read just before; otherwise its lag is the time since the last
  transaction it replayed (``pg_last_xact_replay_timestamp``). Unreachable or too far behind: the primary serves
  every read until a later check finds it usable again.

Writes always go to the primary; migrations never run on the replica.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

REPLICA = "replica"
PIN_COOKIE = "cp_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_PATHS = ("/health/",)
# app labels whose rows must be current: who is logged in, tokens and users, lock-outs, claimed tasks
PRIMARY_APPS = frozenset({"sessions", "accounts", "auth", "contenttypes", "axes", "django_tasks_db"})

logger = logging.getLogger("carbonpeak.replica")
_reads_may_lag: ContextVar[bool] = ContextVar("carbonpeak_reads_may_lag", default=False)


class _Health:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.usable = False
        self.reason = "not checked yet"


_health = _Health()


def _probe() -> tuple[bool, str]:
    """(usable, why not). Two one-row queries: the primary's WAL position, then the replica's state."""
    try:
        with connections["default"].cursor() as cur:
            cur.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cur.fetchone()[0]
        with connections[REPLICA].cursor() as cur:
            cur.execute(
                "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
                "extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8",
                [primary_lsn],
            )
            in_recovery, caught_up, since_replay = cur.fetchone()
    except DatabaseError as exc:
        connections[REPLICA].close()
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return False, f"unreachable: {first_line}"
    if not in_recovery or caught_up:  # (not in recovery: the tests' mirror of the primary itself)
        return True, ""
    limit = settings.CARBONPEAK_REPLICA_MAX_LAG_SECONDS
    if since_replay is None:
        return False, "behind the primary and has replayed no transaction yet"
    if since_replay > limit:
        return False, f"behind the primary by {since_replay:.1f} s (limit {limit:g} s)"
    return True, ""


def replica_usable() -> bool:
    """Whether the replica may serve a read now; checked at most every CARBONPEAK_REPLICA_CHECK_SECONDS."""
    interval = settings.CARBONPEAK_REPLICA_CHECK_SECONDS
    if time.monotonic() - _health.checked_at < interval:
        return _health.usable
    with _health.lock:
        if time.monotonic() - _health.checked_at < interval:  # another thread checked while this one waited
            return _health.usable
        usable, reason = _probe()
        if usable != _health.usable or reason != _health.reason:
            if usable:
                logger.warning("read replica in use again")
            else:
                logger.warning("read replica not used, reading from the primary: %s", reason)
        _health.usable, _health.reason, _health.checked_at = usable, reason, time.monotonic()
        return usable


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reads_may_lag.get() or model._meta.app_label in PRIMARY_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA if replica_usable() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the primary's rows: an object read from either may refer to one read from the other
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def _token_pin_key(request) -> str | None:
    auth = request.headers.get("Authorization")
    if not auth:
        return None
    return "replica-pin:" + hashlib.sha256(auth.encode()).hexdigest()[:40]


def _pinned(request) -> bool:
    if request.COOKIES.get(PIN_COOKIE):
        return True
    key = _token_pin_key(request)
    return key is not None and cache.get(key) is not None


class ReplicaMiddleware:
    """Marks the requests whose reads may come from the replica, and pins a writing client to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        may_lag = safe and not request.path_info.startswith(PRIMARY_PATHS) and not _pinned(request)
        token = _reads_may_lag.set(may_lag)
        try:
            response = self.get_response(request)
        finally:
            _reads_may_lag.reset(token)
        if not safe:
            seconds = settings.CARBONPEAK_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            key = _token_pin_key(request)
            if key is not None:
                cache.set(key, 1, seconds)
        return response
