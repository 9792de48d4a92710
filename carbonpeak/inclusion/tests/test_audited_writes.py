"""Every write goes through a service with an audit record (issue 15): the leaderboard switch and a resident's
own sign-up on the pages, an operator's scope from the command line (stored whole or not at all)."""

from __future__ import annotations

import json

from carbonpeak.accounts.models import ApiClient
from carbonpeak.audit.models import AuditEntry
from carbonpeak.inclusion import services
from carbonpeak.inclusion.models import OperatorScope


def test_leaderboard_switch_on_the_household_page_is_audited_and_the_household_follows(scheme, resident, client):
    r = resident("amy")
    h = services.create_household(r, "艾家")
    client.force_login(r.user)
    assert client.post("/inclusion/household/", {"action": "optin", "on": "1"}).status_code == 302
    r.refresh_from_db()
    h.refresh_from_db()
    assert r.leaderboard_opt_in and h.leaderboard_opt_in
    e = AuditEntry.objects.get(action="resident.leaderboard")
    assert (e.actor, e.object_id, e.before, e.after) == (
        r.user,
        str(r.pk),
        {"leaderboard_opt_in": False},
        {"leaderboard_opt_in": True},
    )
    client.post("/inclusion/household/", {"action": "optin", "on": "0"})
    h.refresh_from_db()
    assert not h.leaderboard_opt_in and AuditEntry.objects.filter(action="resident.leaderboard").count() == 2


def test_signing_up_on_the_join_page_records_the_new_account(scheme, client):
    client.post(
        "/inclusion/join/",
        {"username": "zoe", "password": "Green-trip-2026!", "display_name": "Z", "phone": "13900000000", "agree": "1"},
    )
    made = AuditEntry.objects.get(action="user.create")
    assert made.actor.username == "zoe" and made.after["role"] == "resident"
    assert "password" not in json.dumps(made.after)
    assert AuditEntry.objects.filter(action="resident.join", actor=made.actor).exists()


def test_cli_operator_scope_goes_through_the_service_with_audit(scheme, resident, make_user, capsys):
    from carbonpeak.cli import main

    amy = resident("amy").user
    ApiClient.issue("共享单车", "operator", plan=scheme["plan"])
    assert main(["inclusion", "operator", "共享单车", "--channel", "bike", "--scenario", "green_travel"]) == 0
    e = AuditEntry.objects.get(action="operator_scope.set")
    assert e.before is None and e.after == {"channel": "bike", "scenarios": ["green_travel"], "users": []}
    assert e.object_repr == "共享单车（bike）"
    # an unknown --user refuses the whole command: the scenarios and channel are not changed either
    args = ["inclusion", "operator", "共享单车", "--channel", "bike2", "--scenario", "green_life", "--user", "nobody"]
    assert main(args) == 2
    scope = OperatorScope.objects.get(client__name="共享单车")
    assert scope.channel == "bike" and [s.code for s in scope.scenarios.all()] == ["green_travel"]
    assert AuditEntry.objects.filter(action="operator_scope.set").count() == 1
    args = ["inclusion", "operator", "共享单车", "--channel", "bike", "--scenario", "green_life", "--user", "amy"]
    assert main(args) == 0
    e = AuditEntry.objects.filter(action="operator_scope.set").latest("id")
    assert e.before["scenarios"] == ["green_travel"]
    assert e.after == {"channel": "bike", "scenarios": ["green_life"], "users": [amy.username]}
    capsys.readouterr()
