"""Which departments read every enterprise's meter data and the review queue: only those the office granted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from carbonpeak.enterprises.tests.test_workflow import CERAMICS, works  # noqa: F401 - fixture
from carbonpeak.plan import services
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db

PAGES = (
    "/enterprises/",
    "/enterprises/review/",
    "/enterprises/dual-control/",
    "/enterprises/benchmarks/",
    f"/enterprises/{CERAMICS}/",
)


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_departments_read_enterprises_only_when_granted(works, fgj, linye, make_user):  # noqa: F811
    c = logged_in(linye)
    for url in PAGES:
        assert c.get(url).status_code == 403, url
    # no menu link that would end in a 403
    assert reverse("enterprises:home") + '"' not in c.get(reverse("dashboard")).content.decode()
    services.set_enterprise_readers(works["office"], works["plan"], ["forestry"])
    for url in PAGES:
        assert c.get(url).status_code == 200, url
    assert f'href="{reverse("enterprises:home")}"' in c.get(reverse("dashboard")).content.decode()
    # another department stays out; the auditor and the office read
    other, auditor = logged_in(fgj), logged_in(make_user("au", "auditor"))
    for url in PAGES:
        assert other.get(url).status_code == 403, url
        assert auditor.get(url).status_code == 200, url
    # reading is not editing: the granted department cannot act on the review queue
    assert c.post("/enterprises/review/", {"kind": "account", "id": "1", "action": "approve"}).status_code == 403


def test_the_office_grants_on_a_page_audited_and_validated(works, linye):  # noqa: F811
    from carbonpeak.audit.models import AuditEntry

    office = logged_in(works["office"])
    url = reverse("enterprise_readers")
    assert 'value="forestry"' in office.get(url).content.decode()
    r = office.post(url, {"departments": ["forestry"]})
    assert r.status_code == 302
    linye.department.refresh_from_db()
    assert linye.department.may_read_enterprises
    entry = AuditEntry.objects.get(action="department.enterprise_access")
    assert entry.before == {"may_read_enterprises": False} and entry.after == {"may_read_enterprises": True}
    office.post(url, {})  # unticked: withdrawn
    linye.department.refresh_from_db()
    assert not linye.department.may_read_enterprises
    with pytest.raises(ValidationFailed):
        services.set_enterprise_readers(works["office"], works["plan"], ["forestry", "nope"])
    linye.department.refresh_from_db()
    assert not linye.department.may_read_enterprises  # nothing stored half-way
    assert logged_in(linye).get(url).status_code == 403  # only the office decides
    with pytest.raises(Exception, match="权限|allowed"):
        services.set_enterprise_readers(linye, works["plan"], ["forestry"])
