"""`carbonpeak client …` and `carbonpeak user …` (in-process, on the test database): list (table and JSON),
revoke, rotate, scope, expiry; disable, enable, reset-password, unlock; each change audited."""

from __future__ import annotations

import json

import pytest

from carbonpeak.accounts.models import ApiClient, User
from carbonpeak.audit.models import AuditEntry
from carbonpeak.cli import main
from carbonpeak.enterprises.tests.test_ingest import CEMENT, FOODS, rows

pytestmark = pytest.mark.django_db


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse and the helpers exit 2 on bad input
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def registry(plan):
    from carbonpeak.enterprises import services

    services.import_enterprises(
        None,
        plan,
        rows(
            {"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""},
            {"uscc": FOODS, "name": "食品厂", "industry_code": "1391", "township": ""},
        ),
    )
    return plan


def test_client_add_gateway_with_scope_list_rotate_revoke(capsys, registry):
    code, out, _ = run(capsys, "client", "add", "A厂网关", "--role", "gateway", "--enterprise", CEMENT.lower(),
                       "--expires-days", "30")  # fmt: skip
    assert code == 0
    first, token = out.splitlines()[0], out.splitlines()[-1]
    info = json.loads(first)
    assert info["token"] == token and token.startswith("cpk_") and info["enterprises"] == [CEMENT]
    assert info["expires_at"] is not None

    code, out, _ = run(capsys, "client", "list", "--format", "json")
    listed = json.loads(out)["clients"]
    assert [(c["name"], c["status"], c["enterprises"]) for c in listed] == [("A厂网关", "active", [CEMENT])]
    assert token not in out  # never the token, only its prefix
    code, table, _ = run(capsys, "client", "list")
    assert code == 0 and "A厂网关" in table and CEMENT in table

    code, out, _ = run(capsys, "client", "scope", "A厂网关", "--enterprise", CEMENT, "--enterprise", FOODS)
    assert code == 0 and json.loads(out)["enterprises"] == sorted([CEMENT, FOODS])
    assert run(capsys, "client", "scope", "A厂网关", "--enterprise", "91430224XXXXXXXXXX")[0] == 2

    code, out, _ = run(capsys, "client", "rotate", "A厂网关")
    new = out.splitlines()[-1]
    assert code == 0 and new.startswith("cpk_") and new != token
    assert ApiClient.authenticate(token) is None and ApiClient.authenticate(new) is not None

    assert run(capsys, "client", "revoke", "A厂网关")[0] == 0
    assert ApiClient.authenticate(new) is None
    assert json.loads(run(capsys, "client", "list", "--format", "json")[1])["clients"][0]["status"] == "revoked"
    assert run(capsys, "client", "rotate", "A厂网关")[0] == 2  # a revoked client gets no new token
    assert run(capsys, "client", "revoke", "nobody")[0] == 2
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.apiclient").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["client.issue", "client.reading_scope", "client.reading_scope", "client.rotate", "client.revoke"]


def test_operator_clients_get_no_enterprises(capsys, registry):
    code, _out, err = run(capsys, "client", "add", "县公交公司", "--role", "operator", "--enterprise", CEMENT)
    assert code == 2 and "gateway" in err and not ApiClient.objects.exists()
    assert run(capsys, "client", "add", "县公交公司", "--role", "operator")[0] == 0
    code, _out, err = run(capsys, "client", "scope", "县公交公司", "--enterprise", CEMENT)
    assert code == 2 and "inclusion operator" in err
    assert not ApiClient.objects.get(name="县公交公司").reading_enterprises.exists()


def test_user_list_disable_enable_reset_unlock(capsys, registry, settings):
    code, out, _ = run(capsys, "user", "add", "lisi", "--role", "office")
    assert code == 0
    password = json.loads(out)["initial_password"]
    assert run(capsys, "user", "add", "gw", "--role", "gateway")[0] == 2  # not a role for a person

    assert run(capsys, "user", "disable", "lisi")[0] == 0
    assert not User.objects.get(username="lisi").is_active
    listed = json.loads(run(capsys, "user", "list", "--format", "json")[1])["users"]
    assert [(u["username"], u["is_active"]) for u in listed] == [("lisi", False)]
    assert run(capsys, "user", "enable", "lisi")[0] == 0

    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="198.51.100.7").post("/login/", {"username": "lisi", "password": "wrong"})
    assert json.loads(run(capsys, "user", "list", "--format", "json")[1])["users"][0]["locked"] is True
    assert "locked" in run(capsys, "user", "list")[1]
    code, out, _ = run(capsys, "user", "unlock", "lisi")
    assert code == 0 and json.loads(out)["cleared"] >= 1
    assert json.loads(run(capsys, "user", "list", "--format", "json")[1])["users"][0]["locked"] is False

    code, out, _ = run(capsys, "user", "reset-password", "lisi")
    new = json.loads(out)["password"]
    user = User.objects.get(username="lisi")
    assert code == 0 and new != password and user.check_password(new) and not user.check_password(password)
    assert run(capsys, "user", "disable", "nobody")[0] == 2
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.user").order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "user.create",
        "user.disable",
        "user.enable",
        "user.unlock",
        "user.reset_password",
        "user.unlock",
    ]
    assert password not in json.dumps(list(AuditEntry.objects.values("before", "after")))
