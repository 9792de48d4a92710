"""碳普惠 pages: who may open which page; join, consent, redeem, export, delete through the views."""

from __future__ import annotations

import json

from carbonpeak.inclusion import awards, services
from carbonpeak.inclusion.models import Merchant, Resident
from carbonpeak.inclusion.tests.conftest import event


def test_inclusion_pages_by_role(scheme, resident, make_user, client):
    r = resident("amy")
    client.force_login(r.user)
    assert client.get("/inclusion/").status_code == 200
    for url in ("/inclusion/office/", "/inclusion/merchant/", "/inclusion/operator/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/dashboard/").url == "/inclusion/"  # a resident's home is their points page
    client.logout()
    clerk = make_user("clerk", "merchant")
    Merchant.objects.create(plan=scheme["plan"], name="店").users.add(clerk)
    client.force_login(clerk)
    assert client.get("/inclusion/").url == "/inclusion/merchant/"
    assert client.get("/inclusion/merchant/").status_code == 200
    assert client.get("/inclusion/office/").status_code == 403
    client.logout()
    client.force_login(scheme["office"])
    for url in ("/inclusion/office/", "/inclusion/operator/", "/inclusion/merchant/"):
        assert client.get(url).status_code == 200, url


def test_inclusion_join_consent_export_delete_through_the_pages(scheme, client):
    r = client.post("/inclusion/join/", {"username": "zoe", "password": "short", "display_name": "Z"})
    assert r.status_code == 422 and not Resident.objects.exists()  # nothing stored half-way
    r = client.post(
        "/inclusion/join/",
        {"username": "zoe", "password": "Green-trip-2026!", "display_name": "Z", "phone": "123", "agree": "1"},
    )
    assert r.status_code == 422 and "phone" in r.content.decode() and not Resident.objects.exists()
    client.post(
        "/inclusion/join/",
        {"username": "zoe", "password": "Green-trip-2026!", "display_name": "Z", "phone": "13900000000", "agree": "1"},
    )
    z = Resident.objects.get(user__username="zoe")
    sc = scheme["sc"]["green_travel"]
    client.post("/inclusion/", {"scenario": sc.pk, "action": "grant"})
    assert z.consents.filter(revoked_at__isnull=True).count() == 1
    awards.ingest(scheme["plan"], [event("z1", z)], "bus", [sc])
    data = json.loads(client.get("/inclusion/export.json").content)
    assert data["balance"] == 10 and data["pseudonym"] == z.pseudonym and data["consents"][0]["scenario"] == sc.code
    assert client.post("/inclusion/delete/", {"confirm": "no"}).status_code == 422
    assert client.post("/inclusion/delete/", {"confirm": "注销"}).status_code == 200
    z.refresh_from_db()
    assert z.deleted_at is not None and services.balance(z) == 0
    assert client.get("/inclusion/").status_code == 302  # logged out
