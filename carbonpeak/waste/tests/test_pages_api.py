"""The pages (as the 城管局, a reader and another department) and the signed machine API."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

from carbonpeak.accounts import services as account_services
from carbonpeak.waste import reconcile
from carbonpeak.waste import services as waste_services
from carbonpeak.waste.choices import CaseStatus
from carbonpeak.waste.models import GpsPoint, Receipt, WasteCase
from carbonpeak.waste.tests import fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def cg(make_user, plan):
    return make_user("cg", "department", plan.departments.get(code="urban_management"))


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_pages_read_and_the_city_bureau_writes(plan, cg, make_user):
    fixture.load(plan)
    c = _client(cg)
    home = c.get("/waste/").content.decode()
    assert "P1" in home and "工程渣土" in home and "仅作报告，不计入县域碳排放清单" in home
    assert "7.14%" in home  # the county's recycled share
    load = c.get("/waste/loads/M14/").content.decode()
    assert 'data-chart="track"' in load and "R14" in load
    assert c.get("/waste/loads/NOPE/").status_code == 404
    # the bars are <progress> elements (the CSP refuses inline styles): P1 soil 110.001 of 1000 t → 11%, P1
    # construction 30.001 of 30 t → full and red; the share 7.14% against the 50% goal → amber
    assert '<progress class="waste-progress" max="100" value="11"' in home
    assert '<progress class="waste-progress over" max="100" value="100"' in home
    assert '<progress class="waste-share below" max="100" value="7"' in home
    for page in (home, load, c.get("/waste/cases/").content.decode()):
        assert "style=" not in page.split("<main", 1)[1]
    monthly = c.get("/waste/monthly/").content.decode()
    # March: received 140.002 t, recycled 10 t → 7.142755…% shown as 7.14%, never the raw fraction
    assert '<td class="num">7.14%</td>' in monthly and "7.1427" not in monthly
    r = c.get("/waste/export/waste.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert c.get("/waste/templates/receipts.xlsx").status_code == 200
    # the check opens the cases; assign and close one through the forms
    assert c.post("/waste/cases/check/").status_code == 302
    case = WasteCase.objects.get(plan=plan, key="overload:M06")
    assert c.post(f"/waste/cases/{case.pk}/assign/", {"assignee": cg.pk}).status_code == 302
    assert c.post(f"/waste/cases/{case.pk}/close/", {"reason": "已核实整改"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert f'id="case-{case.pk}"' not in c.get("/waste/cases/").content.decode()  # closed: off the open list
    assert f'id="case-{case.pk}"' in c.get("/waste/cases/?closed=1").content.decode()
    # another department reads but may not write
    other = _client(make_user("jt", "department", plan.departments.get(code="transport")))
    assert other.get("/waste/").status_code == 200
    assert other.post(f"/waste/cases/{case.pk}/close/", {"reason": "x"}).status_code == 403
    up = other.post("/waste/upload/", {"kind": "sites", "file": _file("s.csv", fixture.SITES)})
    assert up.status_code == 403


def _file(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_upload_in_the_browser_shows_the_report(plan, cg):
    c = _client(cg)
    r = c.post("/waste/upload/", {"kind": "sites", "file": _file("s.csv", fixture.SITES)})
    assert "接收 1 条" in r.content.decode()
    r = c.post(
        "/waste/upload/", {"kind": "sites", "file": _file("s.csv", fixture.SITES.replace("示例安置小区", "改名"))}
    )
    body = r.content.decode()
    assert "拒绝 1 条" in body and "冲突" in body


def _signed(client, token, url, body, key="k1"):
    raw = json.dumps(body).encode()
    from carbonpeak.accounts.models import ApiClient

    sig = hmac.new(ApiClient.signing_secret(token).encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        url,
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_SIGNATURE=sig,
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_signed_api_gps_and_receipts(plan, office):
    fixture.load(plan)
    gw, token = account_services.issue_client(office, "gps-platform", "gateway", plan=plan)
    c = Client()
    point = {"plate": "湘B00009", "time": "2026-03-02T10:00:00+08:00", "lat": 26.8, "lon": 113.5, "speed_kmh": 20}
    r = _signed(c, token, "/api/v1/waste/gps", {"points": [point]})
    assert r.status_code == 403  # no scope yet
    waste_services.set_client_scope(office, gw, "gps")
    naive = {**point, "time": "2026-03-02 10:00:00"}
    r = _signed(c, token, "/api/v1/waste/gps", {"points": [point, naive, {**point, "lat": 26.9}]}, key="a")
    assert r.status_code == 200
    out = r.json()
    assert (out["accepted"], [x["line"] for x in out["rejected"]]) == (1, [2, 3])
    # the same key and body replay the report; another body with the key is refused
    r2 = _signed(c, token, "/api/v1/waste/gps", {"points": [point, naive, {**point, "lat": 26.9}]}, key="a")
    assert r2.json() == out and r2["Idempotent-Replay"] == "true"
    assert _signed(c, token, "/api/v1/waste/gps", {"points": [point]}, key="a").status_code == 422
    assert GpsPoint.objects.filter(plan=plan, plate="湘B00009").count() == 1
    # receipts need their own scope
    rec = {"receipt_id": "R02", "manifest_id": "M02", "destination_id": "L1",
           "arrived_at": "2026-03-02T21:00:00+08:00", "net_t": 9.5}  # fmt: skip
    assert _signed(c, token, "/api/v1/waste/receipts", {"receipts": [rec]}, key="b").status_code == 403
    waste_services.set_client_scope(office, gw, "receipts")
    r = _signed(c, token, "/api/v1/waste/receipts", {"receipts": [rec, {**rec, "receipt_id": "R03",
                "arrived_at": "2026-03-02 21:00"}]}, key="c")  # fmt: skip
    assert r.json()["accepted"] == 1 and r.json()["rejected"][0]["line"] == 2
    assert Receipt.objects.get(plan=plan, receipt_id="R02").net_t == 9500 / 1000
    soil = reconcile.public(reconcile.reconcile(plan, fixture.AS_OF))["permits"][1]
    assert "M02" not in soil["open_manifests"]
