"""The demo's 发改局 reads enterprise data (Department.may_read_enterprises), granted once through the audited
service; the production default grants no department (issue 14)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_production_default_grants_no_department(plan):
    assert not plan.departments.filter(may_read_enterprises=True).exists()


def test_demo_grants_fgj_once_audited_and_respects_the_office_afterwards(plan, office, fgj, linye):
    from carbonpeak.audit.models import AuditEntry
    from carbonpeak.plan.services import set_enterprise_readers
    from carbonpeak.setup import grant_demo_enterprise_readers

    grant_demo_enterprise_readers(plan, office)
    assert set(plan.departments.filter(may_read_enterprises=True).values_list("code", flat=True)) == {"dev_reform"}
    entry = AuditEntry.objects.get(action="department.enterprise_access")
    assert entry.after == {"may_read_enterprises": True}
    c = Client()
    c.force_login(fgj)
    assert c.get("/enterprises/").status_code == 200
    c.force_login(linye)
    assert c.get("/enterprises/").status_code == 403

    grant_demo_enterprise_readers(plan, office)  # a second setup changes nothing
    assert AuditEntry.objects.filter(action="department.enterprise_access").count() == 1
    set_enterprise_readers(office, plan, [])  # the office revokes; setup does not grant it back
    grant_demo_enterprise_readers(plan, office)
    assert not plan.departments.filter(may_read_enterprises=True).exists()
