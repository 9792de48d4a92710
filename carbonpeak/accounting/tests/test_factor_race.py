"""Factor versions uploaded at once, on PostgreSQL: a county's uploads are serialized by its lock (the equal-content
check and the version number are read under it), so equal uploads give one version, different ones numbered
versions, never an IntegrityError; two counties uploading equal rows at once each get a version of their own."""

from __future__ import annotations

import pytest
from django.db import connection

from carbonpeak.accounting import levels, services
from carbonpeak.accounting.models import FactorSet
from carbonpeak.accounting.tests.test_factor_sets import csv
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows(value: str) -> bytes:
    return csv(f"tce.raw_coal,原煤,raw coal,{value},kgce/kg,A,本县化验,")


def test_equal_and_different_uploads_of_one_county_at_once(plan, make_user):
    assert connection.vendor == "postgresql"
    office = make_user("office_a", "office", plan=plan)
    out = race([lambda: services.create_county_version(office, plan, _rows("0.68")) for _ in range(4)])
    assert all(isinstance(x, FactorSet) for x in out), out
    assert len({x.pk for x in out}) == 1 and FactorSet.objects.filter(plan=plan).count() == 1
    values = ("0.61", "0.62", "0.63", "0.64")
    out = race([lambda v=v: levels.publish(office, _rows(v), plan=plan) for v in values])
    assert all(isinstance(x, FactorSet) for x in out), out
    versions = sorted(FactorSet.objects.filter(plan=plan).values_list("version", flat=True))
    assert versions == [f"430224:{n}" for n in range(1, 6)]


def test_two_counties_upload_equal_rows_at_once(plan, county_b, make_user):
    offices = {p: make_user(f"office_{p.pk}", "office", plan=p) for p in (plan, county_b)}
    out = race([lambda p=p: services.create_county_version(offices[p], p, _rows("0.68")) for p in (plan, county_b)])
    assert all(isinstance(x, FactorSet) for x in out), out
    assert [x.plan for x in out] == [plan, county_b] and out[0].content_sha256 == out[1].content_sha256
