"""A permit's validity and its destination sites in the reconciliation, and cases closed when their alert goes.

On top of the hand-worked fixture (``fixture.py``), a second permit P2 (soil, 100 t, valid on the one Beijing day
2026-03-02, carrier C1, destination L1 only) and five loads of 湘B00001 (C1, valid, 18 t), 10 t each:

=== ======================== ========================== =================================================
N   departure (Beijing)      receipt                    alert
=== ======================== ========================== =================================================
N1  03-01 23:59:59           L1 03-02 00:30             permit_not_valid (the day before valid_from)
N2  03-02 00:00:00           L1 03-02 01:00             none: the first valid day
N3  03-02 23:59:59           L1 03-03 00:30             none: the last valid day
N4  03-03 00:00:00           none (2 h before AS_OF)     permit_not_valid (the day after valid_until)
N5  03-02 12:00 → R1         R1 03-02 13:00             wrong_destination: R1 is not a destination of P2
                                                        (the receipt is at the manifest's own R1: one alert)
=== ======================== ========================== =================================================

P2: hauled 50 t, received 40 t (N1, N2, N3, N5), recycled 10 t (N5 at the recycling plant R1).
"""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.audit.models import AuditEntry
from carbonpeak.waste import cases, reconcile, services
from carbonpeak.waste.choices import CaseStatus
from carbonpeak.waste.models import WasteCase
from carbonpeak.waste.tests import fixture

pytestmark = pytest.mark.django_db

PERMIT = (
    "permit_id,site_id,category,permitted_t,valid_from,valid_until,carrier_ids,destination_ids\n"
    "P2,S1,soil,100,2026-03-02,2026-03-02,C1,L1\n"
)
MANIFESTS = (
    "manifest_id,permit_id,plate,category,departed_at,est_t,destination_id\n"
    "N1,P2,湘B00001,soil,2026-03-01 23:59:59,10,L1\n"
    "N2,P2,湘B00001,soil,2026-03-02 00:00:00,10,L1\n"
    "N3,P2,湘B00001,soil,2026-03-02 23:59:59,10,L1\n"
    "N4,P2,湘B00001,soil,2026-03-03 00:00:00,10,L1\n"
    "N5,P2,湘B00001,soil,2026-03-02 12:00:00,10,R1\n"
)
RECEIPTS = (
    "receipt_id,manifest_id,destination_id,arrived_at,net_t\n"
    "Q1,N1,L1,2026-03-02 00:30,10\nQ2,N2,L1,2026-03-02 01:00,10\nQ3,N3,L1,2026-03-03 00:30,10\n"
    "Q5,N5,R1,2026-03-02 13:00,10\n"
)


@pytest.fixture
def loaded(plan):
    fixture.load(plan)
    for kind, text in (("permits", PERMIT), ("manifests", MANIFESTS), ("receipts", RECEIPTS)):
        rep = services.import_rows(None, plan, kind, fixture.rows(kind, text))
        assert not rep.rejected, rep.as_dict()
    return plan


def test_validity_and_destinations_of_the_permit(loaded):
    out = reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF))
    row = next(r for r in out["permits"] if r["permit_id"] == "P2")
    assert [(a["kind"], a["manifest_id"]) for a in row["alerts"]] == [
        ("wrong_destination", "N5"),
        ("permit_not_valid", "N1"),
        ("permit_not_valid", "N4"),
    ]
    n1 = row["alerts"][1]["message"]
    assert n1.startswith("出场日 2026-03-01 不在核准 P2 的有效期（2026-03-02 至 2026-03-02）内")
    assert row["alerts"][0]["message"].startswith("联单去向 R1 不是核准 P2 的处置场所（L1）")
    assert (row["hauled_t"], row["received_t"], row["recycled_t"], row["open_manifests"]) == (50, 40, 10, ["N4"])
    # P1's alerts are the fixture's: every load of P1 is to one of its destinations, within its validity
    p1 = [a["kind"] for r in out["permits"] if r["permit_id"] == "P1" for a in r["alerts"]]
    assert "permit_not_valid" not in p1 and p1.count("wrong_destination") == 1
    # county: 140.002 + 40 received, 10 + 10 recycled → 20 ÷ 180.002 = 11.1109…% → 11.11
    assert out["totals"] == {"received_t": 180.002, "recycled_t": 20, "recycled_share_pct": 11.11}


def test_no_receipt_message_names_the_bound_and_the_time(loaded):
    out = reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF))
    soil = next(r for r in out["permits"] if (r["permit_id"], r["category"]) == ("P1", "soil"))
    m03 = next(a for a in soil["alerts"] if a["kind"] == "no_receipt")
    # departed 19:59:59, as of 02:00:00 the next day: 6 h 0 min 1 s → whole minutes 6 h 0 min
    assert m03["message"].startswith("出场超过 6 小时仍无过磅单（已 6 小时 0 分）")


def test_a_case_whose_alert_is_gone_is_closed_by_the_check(loaded):
    now = fixture.AS_OF
    out = cases.check(loaded, now=now, notify_by_mail=False)
    assert (out["opened"], out["closed"], out["open"]) == (13, 0, 13)  # the fixture's 10 and P2's 3
    person = WasteCase.objects.get(plan=loaded, key="overload:M06")
    cases.close(None, person, "已处罚")  # a case a person closed stays as it was
    # M03's receipt comes late; N4's permit is corrected to run to 03-03 (an update of the register)
    rep = services.import_rows(
        None,
        loaded,
        "receipts",
        fixture.rows("receipts", RECEIPTS.split("\n")[0] + "\nQ03,M03,L1,2026-03-03 01:00,5\n"),
    )
    assert rep.accepted == 1
    rep = services.import_rows(
        None, loaded, "permits", fixture.rows("permits", PERMIT.replace("2026-03-02,C1", "2026-03-03,C1")), update=True
    )
    assert rep.accepted == 1
    # a minute later M02 (departed 20:00) is 6 h 1 min without a receipt: one new case; two closed; 13 - 1
    # closed by a person - 2 + 1 = 11 open
    later = now + dt.timedelta(minutes=1)
    out = cases.check(loaded, now=later, notify_by_mail=False)
    assert (out["opened"], out["closed"], out["open"]) == (1, 2, 11)
    for key in ("no_receipt:M03", "permit_not_valid:N4"):
        c = WasteCase.objects.get(plan=loaded, key=key)
        assert c.status == CaseStatus.CLOSED and c.closed_at == later
        assert c.close_reason == cases.AUTO_CLOSE_REASON
        entry = AuditEntry.objects.get(action="waste.case.autoclose", object_id=str(c.pk))
        assert entry.actor is None and entry.after == {"status": "closed", "reason": cases.AUTO_CLOSE_REASON}
    person.refresh_from_db()
    assert person.close_reason == "已处罚" and person.closed_at != later
    assert WasteCase.objects.get(plan=loaded, key="permit_not_valid:N1").status == CaseStatus.OPEN
    # checking again changes nothing
    assert cases.check(loaded, now=later, notify_by_mail=False)["closed"] == 0
    # the permit's correction is taken back: N4's alert is back, so the case the check closed opens again (and is
    # mailed again); the case a person closed is not touched
    rep = services.import_rows(None, loaded, "permits", fixture.rows("permits", PERMIT), update=True)
    assert rep.accepted == 1
    again = later + dt.timedelta(minutes=1)
    out = cases.check(loaded, now=again, notify_by_mail=False)
    assert (out["opened"], out["reopened"], out["closed"]) == (0, 1, 0)
    n4 = WasteCase.objects.get(plan=loaded, key="permit_not_valid:N4")
    assert (n4.status, n4.close_reason, n4.closed_at, n4.notified_at) == (CaseStatus.OPEN, "", None, None)
    entry = AuditEntry.objects.get(action="waste.case.reopen", object_id=str(n4.pk))
    assert entry.actor is None and entry.before["status"] == "closed" and entry.after == {"status": "open"}
    assert cases.check(loaded, now=again, notify_by_mail=False)["reopened"] == 0  # once
    person.refresh_from_db()
    assert person.status == CaseStatus.CLOSED and person.close_reason == "已处罚"


def test_the_audit_log_names_the_waste_actions_in_chinese():
    from django.utils import translation

    from carbonpeak.audit.labels import action_label

    with translation.override("zh-hans"):
        assert action_label("waste.case.autoclose") == "自动办结预警案件"
        assert action_label("waste.case.close") == "办结预警案件"
        assert action_label("waste.case.reopen") == "预警再次出现，重新打开案件"
        assert action_label("waste.permits.update") == "修改处置核准"
        assert action_label("waste.manifests.import") == "导入运输联单"
        assert action_label("waste.gps.import") == "导入车辆定位"
        assert action_label("waste.nothing.import") == "其他操作"
    with translation.override("en"):
        assert action_label("waste.case.autoclose") == "Waste alert case closed by the check"
