"""Years, ids and numbers sent to the enterprise pages are answered 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from carbonpeak.enterprises.models import CarbonAccount, Meter
from carbonpeak.enterprises.tests.test_workflow import CERAMICS, works  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
BAD_YEARS = ["0", "-1", "99999999999999999999", "abc", "1e3", "2023.5", ""]


@pytest.mark.parametrize("year", BAD_YEARS)
def test_submitting_an_account_for_a_malformed_year_is_422(works, client, year):  # noqa: F811
    client.force_login(works["manager"])
    r = client.post(f"/enterprises/{CERAMICS}/", {"action": "submit", "year": year, "value_added": "100"})
    assert r.status_code == 422, r.status_code
    assert "year" in r.content.decode()
    assert not CarbonAccount.objects.exists()


@pytest.mark.parametrize("year", BAD_YEARS)
def test_enterprise_pages_with_malformed_years_are_not_500(works, client, year):  # noqa: F811
    client.force_login(works["office"])
    for url in (f"/enterprises/{CERAMICS}/", "/enterprises/dual-control/", "/enterprises/key-users/"):
        assert client.get(url, {"year": year}).status_code < 500, url
    r = client.post("/enterprises/dual-control/", {"action": "publish", "year": year})
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("year", ["0", "99999999999999999999"])
def test_the_account_pdf_of_year_zero_is_not_500(works, client, year):  # noqa: F811
    client.force_login(works["office"])
    assert 400 <= client.get(f"/enterprises/{CERAMICS}/carbon-account-{year}.pdf").status_code < 500


@pytest.mark.parametrize("meter", ["abc", "²", "99999999999999999999", "0"])
def test_manual_entry_for_a_malformed_meter_id_is_4xx(works, client, meter):  # noqa: F811
    client.force_login(works["manager"])
    r = client.post(
        f"/enterprises/{CERAMICS}/",
        {"action": "manual", "meter": meter, "reading_time": "2024-03-01T00:00", "quantity": "1"},
    )
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("quantity", ["1,2", "1e3", "NaN", "１,2"])
def test_manual_entry_quantities_in_the_one_grammar(works, client, quantity):  # noqa: F811
    client.force_login(works["manager"])
    meter = Meter.objects.get(meter_code="T-E")
    r = client.post(
        f"/enterprises/{CERAMICS}/",
        {"action": "manual", "meter": meter.pk, "reading_time": "2024-03-01T00:00", "quantity": quantity},
    )
    assert meter.readings.count() == 0, r.content.decode()[:300]


def test_readings_for_meter_codes_with_nul_or_over_the_column_are_unknown(works):  # noqa: F811
    from carbonpeak.enterprises import services

    rows = [
        (2, {"meter_code": "T-\x00E", "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "1"}),
        (3, {"meter_code": "T" * 300, "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "1"}),
        (4, {"meter_code": "T-E", "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "1,5"}),
        (5, {"meter_code": "T-E", "reading_time": "2024-03-01T00:30:00+08:00", "quantity": "１,５００"}),
    ]
    rep = services.ingest_readings(works["plan"], rows).as_dict()
    fields = {e["line"]: e["field"] for e in rep["rejected"]}
    assert fields == {2: "meter_code", 3: "meter_code", 4: "quantity"}
    assert Meter.objects.get(meter_code="T-E").readings.get().quantity == 1500
