"""Races on PostgreSQL: an approval of a year and an upload that changes that year, at the same instant. Either the
upload lands first and the approval includes it, or the approval lands first and the upload is refused: in both,
the value fed to the target is the figure the year's data give afterwards (the module's advisory lock)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from carbonpeak.plan.models import IndicatorValue
from carbonpeak.transport import figures, services
from carbonpeak.transport.models import Vehicle
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jiaotong(make_user, plan):
    return make_user("jiaotong", "department", plan.departments.get(code="transport"))


def bus(plate, fuel, day):
    return [(2, {"plate": plate, "operator": "茶陵公交", "use": "bus", "fuel": fuel, "registered_on": day})]


def test_an_approval_and_an_upload_of_its_year_at_once_leave_the_fed_value_true(plan, jiaotong):
    assert connection.vendor == "postgresql"
    outcomes = set()
    for i, year in enumerate(range(2021, 2029)):
        services.import_vehicles(jiaotong, plan, bus(f"D{i}", "diesel", f"{year}-03-01"))  # 0 of 1 clean
        out = race(
            [
                lambda y=year: services.approve_year(jiaotong, plan, "transport", y),
                lambda y=year, n=i: services.import_vehicles(jiaotong, plan, bus(f"E{n}", "bev", f"{y}-06-01")),
            ]
        )
        assert not isinstance(out[0], Exception), out[0]
        report = out[1]
        landed = Vehicle.objects.filter(plan=plan, plate=f"E{i}").exists()
        assert landed == (report.accepted == 1)  # refused means nothing stored
        fed = IndicatorValue.objects.get(target__plan=plan, target__indicator="new_bus_clean_share", year=year)
        now = figures.fleet(plan, year)["new_bus_clean_share_pct"] / 100
        assert fed.value == now == (Decimal("0.5") if landed else Decimal(0))
        outcomes.add(landed)
    assert outcomes  # each round ended one way or the other, and the fed value always told the truth
