"""Isolation of the 碳普惠 forestry-sink projects between two counties: the second county's office cannot see,
monitor or credit Chaling's project (404 like a missing object; the service refuses it), the city's reader reads
and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carbonpeak.inclusion import config, forestry
from carbonpeak.inclusion.models import ForestCredit, ForestMonitoring

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def project(plan, office, linye):
    config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))
    p = forestry.register(linye, plan, name="秩堂村造林", collective="秩堂村村民委员会", area_ha="10", start_year=2025)
    forestry.record_monitoring(linye, p, 2025, {"chinese_fir": "1000"})
    forestry.record_monitoring(linye, p, 2026, {"chinese_fir": "1100"})
    return p


def test_other_county_cannot_see_or_credit(project, office_b, office, county_b):
    url = reverse("inclusion:forest")
    c = _login(office_b)
    r = c.get(url)
    assert r.status_code == 200 and "秩堂村造林" not in r.content.decode()
    assert c.get(f"{url}?project={project.pk}").status_code == 404
    for data in (
        {"action": "credit", "project": project.pk, "year": "2026"},
        {"action": "monitor", "project": project.pk, "year": "2027", "stock_chinese_fir": "1"},
    ):
        assert c.post(url, data).status_code == 404
    with pytest.raises(PermissionDenied):
        forestry.credit(office_b, project, 2026)
    with pytest.raises(PermissionDenied):
        forestry.record_monitoring(office_b, project, 2027, {"chinese_fir": "1"})
    assert not ForestCredit.objects.exists() and ForestMonitoring.objects.filter(year=2027).count() == 0
    # the owner county's office sees it and credits it (so the refusals above can fail)
    own = _login(office)
    assert "秩堂村造林" in own.get(f"{url}?project={project.pk}").content.decode()
    assert own.post(url, {"action": "credit", "project": project.pk, "year": "2026"}).status_code == 302
    fc = ForestCredit.objects.get(project=project)
    assert fc.credited_points == 95339
    page = own.get(f"{url}?project={project.pk}").content.decode()
    assert "95339" in page and "23835" in page and "林业碳汇入账" in page


def test_city_reader_reads_but_writes_nothing(project, city_reader, plan):
    c = _login(city_reader)
    url = reverse("inclusion:forest")
    r = c.get(f"{url}?county={plan.code}&project={project.pk}")
    assert r.status_code == 200 and "秩堂村造林" in r.content.decode()
    r = c.post(f"{url}?county={plan.code}", {"action": "credit", "project": project.pk, "year": "2026"})
    assert r.status_code == 403
    assert not ForestCredit.objects.exists()
