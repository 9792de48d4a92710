"""The replica router's rules that need no replica (the real standby is in test_replica.py): which requests may
read from it, how a writing client is pinned to the primary, and what never leaves the primary."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from carbonpeak.config import routers


def _seen(request) -> tuple[bool, HttpResponse]:
    """Whether the view of ``request`` was allowed lagging reads, and the response the middleware made."""
    seen = []

    def view(req):
        seen.append(routers._reads_may_lag.get())
        return HttpResponse("ok")

    response = routers.ReplicaMiddleware(view)(request)
    return seen[0], response


@override_settings(CARBONPEAK_REPLICA_PIN_SECONDS=15)
def test_only_safe_requests_of_clients_that_did_not_write_lately_may_read_lagging_data():
    rf = RequestFactory()
    assert _seen(rf.get("/dashboard/"))[0] is True
    assert _seen(rf.head("/api/v1/plans/"))[0] is True
    assert _seen(rf.get("/health/"))[0] is False  # the health probe answers for the primary

    lagging, response = _seen(rf.post("/inclusion/redeem/"))
    assert lagging is False  # a write request reads where it writes
    pin = response.cookies[routers.PIN_COOKIE]
    assert pin["max-age"] == 15 and pin["httponly"] and pin["samesite"] == "Lax"

    pinned = rf.get("/dashboard/")
    pinned.COOKIES[routers.PIN_COOKIE] = "1"
    assert _seen(pinned)[0] is False


def test_a_token_client_is_pinned_by_its_token_not_by_a_cookie():
    from django.core.cache import cache

    rf = RequestFactory()
    mine, other = {"Authorization": "Bearer cpk_mine"}, {"Authorization": "Bearer cpk_other"}
    assert _seen(rf.get("/api/v1/plans/", headers=mine))[0] is True
    _seen(rf.post("/api/v1/plans/x/targets/y/values", headers=mine))
    assert _seen(rf.get("/api/v1/plans/", headers=mine))[0] is False
    assert _seen(rf.get("/api/v1/plans/", headers=other))[0] is True
    cache.clear()  # the pin lapses with its cache key (CARBONPEAK_REPLICA_PIN_SECONDS)
    assert _seen(rf.get("/api/v1/plans/", headers=mine))[0] is True


@pytest.mark.django_db
def test_writes_transactions_and_current_state_stay_on_the_primary():
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.models import Plan

    router = routers.ReplicaRouter()
    token = routers._reads_may_lag.set(True)
    try:
        with transaction.atomic():  # whatever a transaction reads, it reads where it writes
            assert router.db_for_read(Plan) == "default"
        assert router.db_for_read(User) == "default"  # accounts, tokens, sessions, lock-outs, the task queue
    finally:
        routers._reads_may_lag.reset(token)
    assert router.db_for_read(Plan) == "default"  # outside a request: the CLI, the worker
    assert router.db_for_write(Plan) == "default"
    assert router.allow_migrate("replica", "plan") is False
    assert router.allow_migrate("default", "plan") is None


def test_check_deploy_warns_of_a_replica_without_a_shared_cache():
    from django.conf import settings

    from carbonpeak.config.checks import _replica_findings

    assert _replica_findings() == []  # no replica
    replica = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    with pytest.warns(UserWarning, match="DATABASES"), override_settings(DATABASES=replica):
        assert [w.id for w in _replica_findings()] == ["carbonpeak.W005"]
        with override_settings(CACHES=redis):
            assert _replica_findings() == []
