"""The role predicates (accounts/permissions.py) on users and machine clients alike: what each role reads and
changes by its role and department alone; an inactive principal is nobody."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.accounts import permissions as p
from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import ApiClient, User
from carbonpeak.plan.models import Department

FGJ = Department(pk=7, code="fgj", name="发改局", may_read_enterprises=False)
GXJ = Department(pk=8, code="gxj", name="工信局", may_read_enterprises=True)


def principals(role: str, department: Department | None = None, active: bool = True):
    """The same role as a person and as a machine client (unsaved: the predicates query nothing)."""
    return [
        User(username="u", role=role, department=department, is_active=active),
        ApiClient(name="c", role=role, department=department, is_active=active),
    ]


@pytest.mark.parametrize("who", principals(Role.OFFICE), ids=["user", "client"])
def test_the_office_reads_and_changes_everything(who):
    assert p.is_office(who) and who.is_office
    assert p.reads_rounds(who) and p.reads_enterprises(who) and p.reads_staff_pages(who)
    assert p.downloads_evidence(who, FGJ.pk) and p.downloads_evidence(who, None)
    assert p.department_of(who) is None and not p.is_auditor(who)
    p.require_office(who)
    p.require_staff(who)


@pytest.mark.parametrize("who", principals(Role.AUDITOR), ids=["user", "client"])
def test_an_auditor_reads_but_is_not_the_office(who):
    assert p.is_auditor(who) and p.reads_rounds(who) and p.reads_enterprises(who) and p.reads_staff_pages(who)
    assert p.downloads_evidence(who, FGJ.pk)
    assert not p.is_office(who) and not who.is_office and p.department_of(who) is None
    with pytest.raises(PermissionDenied):
        p.require_office(who)


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.TOWNSHIP])
def test_an_officer_works_for_its_department_only(role):
    for who in principals(role, FGJ):
        assert p.department_of(who) is FGJ and p.reads_staff_pages(who)
        assert p.downloads_evidence(who, FGJ.pk) and not p.downloads_evidence(who, GXJ.pk)
        assert not p.downloads_evidence(who, None)
        assert not p.reads_rounds(who) and not p.is_office(who) and not p.is_auditor(who)
        assert not p.reads_enterprises(who)  # FGJ was not granted the enterprises' data
    for who in principals(role, GXJ):
        assert p.reads_enterprises(who)  # GXJ was


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.MERCHANT, Role.RESIDENT, Role.GATEWAY, Role.SYSADMIN])
def test_other_roles_read_no_working_page(role):
    for who in principals(role, FGJ):  # a department on a non-department role grants nothing
        assert p.department_of(who) is None
        assert not (p.is_office(who) or p.is_auditor(who) or p.reads_rounds(who) or p.reads_staff_pages(who))
        assert not p.reads_enterprises(who) and not p.downloads_evidence(who, FGJ.pk)
        with pytest.raises(PermissionDenied):
            p.require_staff(who)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.AUDITOR, Role.DEPARTMENT, Role.TOWNSHIP])
def test_an_inactive_principal_is_nobody(role):
    for who in principals(role, FGJ, active=False):
        assert not (p.is_office(who) or who.is_office or p.is_auditor(who) or p.reads_staff_pages(who))
        assert p.department_of(who) is None and not p.downloads_evidence(who, FGJ.pk)
        with pytest.raises(PermissionDenied):
            p.require_staff(who)


def test_the_public_is_nobody():
    assert p.department_of(None) is None
    assert not (p.is_office(None) or p.is_auditor(None) or p.reads_staff_pages(None) or p.reads_enterprises(None))
    with pytest.raises(PermissionDenied):
        p.require_office(None)


def test_require_says_why_in_both_languages():
    p.require(True)
    with pytest.raises(PermissionDenied) as exc:
        p.require(False)
    assert "没有权限" in str(exc.value) and "not allowed" in str(exc.value)
