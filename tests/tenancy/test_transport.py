"""Isolation of the transport and gas data between two counties: B's office neither reads A's vehicles, tanks or
figures nor writes into A; the city's reader reads both and writes nothing; an import acts only in its county."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from carbonpeak.transport import figures, services
from carbonpeak.transport.models import GasDemand, GasFacility, Vehicle
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db


def _rows(*dicts):
    return [(i, d) for i, d in enumerate(dicts, start=2)]


@pytest.fixture
def counties(plan, office, county_b, office_b):
    services.import_vehicles(
        office,
        plan,
        _rows(
            {"plate": "湘B-A县001", "operator": "甲县公交", "use": "bus", "fuel": "bev", "registered_on": "2025-03-01"}
        ),
    )
    services.import_facilities(
        office,
        plan,
        _rows({"facility_id": "A-TANK", "operator": "甲县燃气", "capacity_m3": "30000", "in_service_on": "2024-01-01"}),
    )
    services.set_gas_demand(office, plan, 2025, "3650000", "甲县年报")
    # the same ids in B (two counties may use the same ids)
    services.import_facilities(
        office_b,
        county_b,
        _rows({"facility_id": "A-TANK", "operator": "乙县燃气", "capacity_m3": "10000", "in_service_on": "2024-01-01"}),
    )
    return {"a": plan, "b": county_b}


def test_other_countys_office_sees_nothing_of_a(counties, office_b):
    c = login(office_b)
    for name in ("transport:home", "transport:gas"):
        body = body_of(c.get(reverse(name) + "?year=2025"))
        assert "湘B-A县001" not in body and "甲县燃气" not in body and "甲县年报" not in body
    body = body_of(c.get(reverse("transport:gas") + "?year=2025"))
    assert "乙县燃气" in body
    assert figures.storage(counties["b"], 2025)["capacity_m3"] == Decimal(10000)
    assert figures.storage(counties["a"], 2025)["storage_days"] == Decimal("3.0")  # 30 000 ÷ 10 000 a day


def test_other_countys_office_cannot_write_into_a(counties, office_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_vehicles(office_b, counties["a"], _rows())
    with pytest.raises(PermissionDenied):
        services.approve_year(office_b, counties["a"], "gas", 2025)
    # a page post from B lands in B, never in A
    r = login(office_b).post(reverse("transport:gas"), {"action": "demand", "year": "2025", "m3": "1", "source": "乙"})
    assert r.status_code == 302
    assert GasDemand.objects.get(plan=counties["a"], year=2025).source == "甲县年报"
    assert GasDemand.objects.get(plan=counties["b"], year=2025).source == "乙"
    assert Vehicle.objects.filter(plan=counties["b"]).count() == 0


def test_region_reader_reads_both_and_writes_nothing(counties, city_reader):
    c = login(city_reader)
    body = body_of(c.get(reverse("transport:gas") + f"?year=2025&county={counties['a'].code}"))
    assert "甲县燃气" in body and "登记一座储气设施" not in body
    r = c.post(reverse("transport:gas") + f"?county={counties['a'].code}", {"action": "approve", "year": "2025"})
    assert r.status_code == 403
    body = body_of(c.get(reverse("transport:gas") + f"?year=2025&county={counties['b'].code}"))
    assert "乙县燃气" in body
    assert GasFacility.objects.count() == 2


def test_cli_import_acts_only_in_the_chosen_county(counties, tmp_path, capsys):
    from carbonpeak.cli import main

    f = tmp_path / "v.csv"
    f.write_text("plate,operator,use,fuel,registered_on\n湘B-B县9,乙县公交,bus,cng,2025-04-01\n", encoding="utf-8")
    with pytest.raises(SystemExit) as e:  # two counties and no --plan: refused
        main(["transport", "vehicles", "import", str(f)])
    assert e.value.code == 2
    assert main(["transport", "vehicles", "import", str(f), "--plan", counties["b"].code]) == 0
    assert Vehicle.objects.get(plate="湘B-B县9").plan == counties["b"]
    assert not Vehicle.objects.filter(plan=counties["a"], plate="湘B-B县9").exists()
