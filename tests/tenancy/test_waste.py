"""Isolation of the construction-waste module between two counties (issue 15, TENANCY.md rule 6).

Both counties load the same fixture ids (P1, M01 … — unique keys include the county). County B's office and
城管局 get 404 on A's loads and cases and never A's text; B's pages show B's own data; B's gateway sends into B
only; the city's reader reads both and every write it tries is 403; the imports and the reconciliation act in
the county they are given.
"""

from __future__ import annotations

import pytest

from carbonpeak.waste import cases, reconcile, services
from carbonpeak.waste.models import Manifest, WasteCase
from carbonpeak.waste.tests import fixture
from tests.tenancy.helpers import assert_no_text, body_of, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(plan, office, county_b, office_b, make_user):
    fixture.load(plan)
    fixture.load(county_b)
    # B differs: its site is named otherwise, and its M01 weighs 17 t
    Manifest.objects.filter(plan=county_b, manifest_id="M01").first().receipts.update(net_t=17)
    from carbonpeak.waste.models import Site

    Site.objects.filter(plan=plan).update(name="甲县独有工地名")
    Site.objects.filter(plan=county_b).update(name="乙县独有工地名")
    cases.sync_cases(plan, reconcile.reconcile(plan, fixture.AS_OF))
    cases.sync_cases(county_b, reconcile.reconcile(county_b, fixture.AS_OF))
    cg_b = make_user("cg_b", "department", county_b.departments.get(code="urban_management"))
    return {"a": plan, "b": county_b, "cg_b": cg_b, "texts_a": ["甲县独有工地名"]}


def test_other_county_sees_nothing_of_a(two, office_b, office):
    a, b = two["a"], two["b"]
    case_a = WasteCase.objects.get(plan=a, key="overload:M06")
    for user in (office_b, two["cg_b"]):
        c = login(user)
        home = c.get("/waste/")
        assert home.status_code == 200 and "乙县独有工地名" in body_of(home)
        assert_no_text(home, {"texts": two["texts_a"]})
        load = c.get("/waste/loads/M01/")  # B's own M01
        assert load.status_code == 200 and "乙县独有工地名" in body_of(load)
        assert "17" in body_of(load)
        # A's case: 404 like a missing one, and nothing changes
        r = c.post(f"/waste/cases/{case_a.pk}/close/", {"reason": "越权"})
        assert r.status_code == 404
    case_a.refresh_from_db()
    assert case_a.status != "closed"
    # A's office sees A's
    assert "甲县独有工地名" in body_of(login(office).get("/waste/"))
    assert b.pk != a.pk


def test_region_reader_reads_both_and_writes_nothing(two, city_reader):
    a, b = two["a"], two["b"]
    c = login(city_reader)
    for county, text in ((a, "甲县独有工地名"), (b, "乙县独有工地名")):
        r = c.get(f"/waste/?county={county.code}")
        assert r.status_code == 200 and text in body_of(r)
    case_b = WasteCase.objects.get(plan=b, key="overload:M06")
    assert c.post(f"/waste/cases/{case_b.pk}/close/", {"reason": "x"}).status_code == 403
    assert c.post("/waste/cases/check/").status_code == 403
    assert c.post("/waste/approve/", {"year": 2026}).status_code == 403
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("s.csv", fixture.SITES.encode(), content_type="text/csv")
    assert c.post("/waste/upload/", {"kind": "sites", "file": f}).status_code == 403


def test_imports_and_reconciliation_act_in_the_given_county(two, office_b):
    a, b = two["a"], two["b"]
    # B's import of a receipt naming M02 attaches to B's M02, never A's
    rep = services.import_rows(
        office_b,
        b,
        "receipts",
        fixture.rows(
            "receipts", "receipt_id,manifest_id,destination_id,arrived_at,net_t\nR02,M02,L1,2026-03-02 21:00,9\n"
        ),
    )
    assert rep.accepted == 1
    assert Manifest.objects.get(plan=b, manifest_id="M02").receipts.count() == 1
    assert Manifest.objects.get(plan=a, manifest_id="M02").receipts.count() == 0
    # B's office may not import into A
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_rows(office_b, a, "sites", fixture.rows("sites", fixture.SITES))
    ra = reconcile.public(reconcile.reconcile(a, fixture.AS_OF))
    rb = reconcile.public(reconcile.reconcile(b, fixture.AS_OF))
    assert ra["totals"]["received_t"] == 140.002
    assert rb["totals"]["received_t"] == 148.002  # 140.002 - 18 + 17 (B's M01) + 9 (B's M02)
