"""Isolation of the generation-unit register between two counties: pages, uploads, the signed API, the CLI
import and the capacity feed act only in their own county; the same unit id in two counties is two units; the
city's reader reads both and writes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from carbonpeak.accounts.models import ApiClient
from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.models import Unit
from carbonpeak.generation.services import import_units, set_grid_client
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.tabular import read_rows
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db

HEAD = "unit_id,type,township,capacity_mw,connected_on\n"


def _csv(*lines: str):
    return read_rows((HEAD + "".join(lines)).encode(), UNITS, "u.csv")


@pytest.fixture
def office(make_user, plan):
    return make_user("office", "office", plan=plan)  # Chaling's office, made after the second county is loaded


@pytest.fixture
def two(plan, county_b, office, office_b):
    import_units(office, plan, _csv("PV-1,pv,茶陵甲镇,40,2024-03-01\n"))
    import_units(office_b, county_b, _csv("PV-1,pv,乙县乙镇,7,2024-03-01\n"))  # the same id: another unit
    return plan, county_b


def test_same_unit_id_is_two_units_and_each_county_is_fed_its_own(two):
    a, b = two
    assert Unit.objects.filter(unit_id="PV-1").count() == 2
    va = IndicatorValue.objects.filter(target__plan=a, target__indicator="new_energy_capacity", year=2024)
    assert {v.value for v in va} == {Decimal("40")}
    vb = IndicatorValue.objects.filter(target__plan=b, target__indicator="new_energy_capacity", year=2024)
    assert all(v.value == Decimal("7") for v in vb)


def test_other_county_office_sees_only_its_own(two, office_b):
    c = login(office_b)
    html = body_of(c.get("/generation/"))
    assert "乙县乙镇" in html and "茶陵甲镇" not in html
    # B's upload changes B only, even with A's id
    f = SimpleUploadedFile("u.csv", (HEAD + "PV-1,pv,乙县乙镇,9,2024-03-01\n").encode())
    c.post("/generation/upload/", {"file": f, "update": "1"})
    assert Unit.objects.get(plan=two[0], unit_id="PV-1").capacity_mw == Decimal("40")
    assert Unit.objects.get(plan=two[1], unit_id="PV-1").capacity_mw == Decimal("9")


def test_office_of_a_may_not_write_in_b(two, office):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_units(office, two[1], _csv("X-1,pv,乙县乙镇,1,2024-03-01\n"))


def test_region_reader_reads_both_writes_nothing(two, city_reader):
    c = login(city_reader)
    a = body_of(c.get("/generation/?county=" + two[0].code))
    assert "茶陵甲镇" in a and "上传机组登记表" not in a
    b = body_of(c.get("/generation/?county=" + two[1].code))
    assert "乙县乙镇" in b
    assert c.get("/generation/upload/").status_code == 403
    f = SimpleUploadedFile("u.csv", (HEAD + "Z-1,pv,乙县乙镇,1,2024-03-01\n").encode())
    assert c.post("/generation/upload/", {"file": f}).status_code == 403
    assert not Unit.objects.filter(unit_id="Z-1").exists()


def test_api_client_writes_only_its_own_county(two):
    a, b = two
    client_b, token = ApiClient.issue("乙县供电", "gateway", plan=b)
    set_grid_client(None, client_b)
    body = json.dumps(
        {"units": [{"unit_id": "PV-1", "type": "pv", "township": "x", "capacity_mw": 99, "connected_on": "2024-03-01"}],
         "update": True}
    ).encode()  # fmt: skip
    sig = hmac.new(ApiClient.signing_secret(token).encode(), body, hashlib.sha256).hexdigest()
    r = login().post(
        "/api/v1/generation/units",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_SIGNATURE=sig,
        HTTP_IDEMPOTENCY_KEY="b1",
    )
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert Unit.objects.get(plan=a, unit_id="PV-1").capacity_mw == Decimal("40")  # A untouched
    assert Unit.objects.get(plan=b, unit_id="PV-1").capacity_mw == Decimal("99")


def test_cli_acts_in_the_chosen_county(two, tmp_path, capsys):
    from carbonpeak.cli import main

    (tmp_path / "u.csv").write_text(HEAD + "WP-1,wind,乙县乙镇,10,2025-01-01\n", encoding="utf-8")
    assert main(["units", "import", str(tmp_path / "u.csv"), "--plan", two[1].code]) == 0
    assert Unit.objects.get(unit_id="WP-1").plan == two[1]
    capsys.readouterr()
    assert main(["units", "capacity", "--year", "2025", "--plan", two[0].code]) == 0
    assert json.loads(capsys.readouterr().out)["capacity_10k_kw"] == "4.0000"  # A: PV-1 40 MW only
    with pytest.raises(SystemExit) as exc:
        main(["units", "capacity", "--year", "2025"])  # two counties: --plan required
    assert exc.value.code == 2
