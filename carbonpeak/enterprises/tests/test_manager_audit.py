"""`carbonpeak user add NAME --role enterprise --enterprise USCC`: the account and the enterprise link each go
through a service and leave an audit entry (issue 15: every write through a service, audited)."""

from __future__ import annotations

import json

from carbonpeak.audit.models import AuditEntry
from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises.models import Enterprise


def test_cli_user_add_with_enterprise_is_audited(plan, capsys):
    from carbonpeak.cli import main

    uscc = make_uscc("91430224", "MA4LAU01")
    ent = Enterprise.objects.create(plan=plan, uscc=uscc, name="审计示例企业", industry_code="3011")
    assert main(["user", "add", "mgr9", "--role", "enterprise", "--enterprise", uscc]) == 0
    out = capsys.readouterr().out
    assert json.loads(out.splitlines()[0])["enterprise"] == uscc
    assert list(ent.managers.values_list("username", flat=True)) == ["mgr9"]
    made = AuditEntry.objects.get(action="user.create", object_repr__contains="mgr9")
    link = AuditEntry.objects.get(action="enterprise.managers", object_id=str(ent.pk))
    assert made.after["role"] == "enterprise" and "initial_password" not in json.dumps(made.after)
    assert (link.before, link.after) == ({"managers": []}, {"managers": ["mgr9"]})
