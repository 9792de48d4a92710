"""Login lock-out by account and address together: wrong passwords from X lock the account from X only; an
address is throttled across accounts; `user unlock` clears; the address behind a proxy is the proxy's report
of it, not what the client writes into X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import Client

from carbonpeak.accounts import services

pytestmark = pytest.mark.django_db
RIGHT = "Right-password-1"


def attempt(address: str, username: str, password: str, **extra):
    return Client(REMOTE_ADDR=address, **extra).post("/login/", {"username": username, "password": password})


def fail(address: str, username: str, times: int, **extra) -> None:
    for _ in range(times):  # the attempt that reaches the limit is itself answered with the lock-out page
        assert attempt(address, username, "wrong", **extra).status_code in (200, 429)


def test_wrong_passwords_from_x_lock_the_account_from_x_only(make_user, settings):
    make_user("kezhang", "office", password=RIGHT)
    fail("198.51.100.7", "kezhang", settings.AXES_FAILURE_LIMIT)
    from_x = attempt("198.51.100.7", "kezhang", RIGHT)
    assert from_x.status_code == 429 and "锁定" in from_x.content.decode()
    from_y = attempt("10.20.0.15", "kezhang", RIGHT)  # the officer at the office
    assert from_y.status_code == 302
    assert services.is_locked_out("kezhang")


def test_unlock_clears_the_lock(make_user, settings):
    user = make_user("kezhang", "office", password=RIGHT)
    fail("198.51.100.7", "kezhang", settings.AXES_FAILURE_LIMIT)
    assert attempt("198.51.100.7", "kezhang", RIGHT).status_code == 429
    assert services.unlock_user(None, user) >= 1
    assert not services.is_locked_out("kezhang")
    assert attempt("198.51.100.7", "kezhang", RIGHT).status_code == 302
    from carbonpeak.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="user.unlock", object_id=str(user.pk)).exists()


def test_one_address_is_throttled_across_accounts(make_user, settings):
    settings.CARBONPEAK_LOGIN_ADDRESS_LIMIT = 6
    victim = make_user("victim", "office", password=RIGHT)
    for name in ("a1", "a2", "a3"):  # two wrong passwords for each of three accounts: none is locked by itself
        fail("203.0.113.9", name, 2)
    assert attempt("203.0.113.9", "victim", RIGHT).status_code == 429  # the spraying address is refused
    assert attempt("10.20.0.15", "victim", RIGHT).status_code == 302  # everyone else is not
    services.unlock_user(None, victim, address="203.0.113.9")
    assert attempt("203.0.113.9", "victim", RIGHT).status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts_and_cannot_be_forged(make_user, settings):
    """One nginx in front (CARBONPEAK_PROXY_COUNT=1): the address is the last X-Forwarded-For entry, which nginx
    appends; whatever the client wrote before it is ignored."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    make_user("kezhang", "office", password=RIGHT)
    for n in range(settings.AXES_FAILURE_LIMIT):  # the attacker changes its own forged part every time
        fail("127.0.0.1", "kezhang", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.7")
    attacker = attempt("127.0.0.1", "kezhang", RIGHT, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")
    assert attacker.status_code == 429
    office = attempt("127.0.0.1", "kezhang", RIGHT, HTTP_X_FORWARDED_FOR="10.20.0.15")
    assert office.status_code == 302
