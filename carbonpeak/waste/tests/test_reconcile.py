"""The reconciliation on the hand-worked fixture (``fixture.py``): each alert at its bound, the totals, cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from carbonpeak.core import corridor
from carbonpeak.waste import cases, reconcile
from carbonpeak.waste.choices import CaseStatus
from carbonpeak.waste.models import GpsPoint, Receipt, WasteCase
from carbonpeak.waste.tests import fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(plan):
    fixture.load(plan)
    return plan


def _alerts(result, permit="P1", category="soil"):
    row = next(r for r in result["permits"] if (r["permit_id"], r["category"]) == (permit, category))
    return [(a["kind"], a["manifest_id"]) for a in row["alerts"]], row


def test_the_fixture_loads_cleanly(loaded):
    assert GpsPoint.objects.filter(plan=loaded).count() == 14
    assert Receipt.objects.filter(plan=loaded).count() == 14


def test_each_alert_at_its_bound(loaded):
    out = reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF))
    soil, row = _alerts(out)
    assert soil == [
        ("no_receipt", "M03"),  # 6 h + 1 s; M02 at exactly 6 h is not
        ("wrong_destination", "M04"),
        ("unlicensed_vehicle", "M07"),  # licence ended 03-01, departure 03-02 Beijing (03-01 in UTC)
        ("unlicensed_vehicle", "M09"),  # licence ended the day before; M08 on the last day is not
        ("unlicensed_vehicle", "M10"),  # carrier not on the permit
        ("overload", "M06"),  # 18.001 > 18; M01 at 18 is not
        ("duplicate_receipt", "M05"),
        ("route_deviation", "M14"),  # 4 km outside the 3 km corridor
        ("route_deviation", "M15"),  # the 20 min 1 s stop only
    ]
    stop = next(a for a in row["alerts"] if a["manifest_id"] == "M15")
    assert "16:40:00" in stop["message"] and "17:00:01" in stop["message"]
    assert row["open_manifests"] == ["M02", "M03"]
    assert (row["permitted_t"], row["hauled_t"], row["received_t"], row["recycled_t"]) == (1000, 120, 110.001, 10)
    construction, crow = _alerts(out, category="construction")
    assert construction == [("over_permit", "M13")]  # 30 t (= permitted) after M12, 30.001 after M13
    assert (crow["hauled_t"], crow["received_t"]) == (30, 30.001)
    assert out["totals"] == {"received_t": 140.002, "recycled_t": 10, "recycled_share_pct": 7.14}
    assert set(out["permits"][0]) == {
        "permit_id", "category", "permitted_t", "hauled_t", "received_t", "recycled_t", "open_manifests", "alerts"
    }  # fmt: skip
    assert set(row["alerts"][0]) == {"kind", "manifest_id", "plate", "message"}


def test_as_of_counts_only_what_was_known(loaded):
    """Seven hours earlier (03-02 19:00) M02, M03, M08 and M09 have not departed; R05B, the duplicate, had
    arrived."""
    out = reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF - dt.timedelta(hours=7)))
    soil, row = _alerts(out)
    assert ("no_receipt", "M03") not in soil and ("unlicensed_vehicle", "M09") not in soil
    assert row["open_manifests"] == []
    assert ("duplicate_receipt", "M05") in soil


def test_a_stop_at_the_bound_and_a_longer_one(loaded, settings):
    """With the stop limit at 20 min 1 s the second stop is exactly at it: no alert; the first never was."""
    settings.WASTE_STOP_MINUTES = 20 + 1 / 60
    soil, _ = _alerts(reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF)))
    assert ("route_deviation", "M15") not in soil


def test_corridor_bound_in_sql_matches_the_pure_function(loaded, settings):
    """The detour point lies 4 km from the segment: a 4.01 km corridor holds it, 3.99 km does not."""
    a, b = (26.8, 113.5), (26.9, 113.5)
    assert corridor.distance_to_segment_km(26.85, fixture.east(4), a, b) == pytest.approx(4, abs=1e-9)
    settings.WASTE_CORRIDOR_KM = 4.01
    assert ("route_deviation", "M14") not in _alerts(reconcile.public(reconcile.reconcile(loaded, fixture.AS_OF)))[0]
    settings.WASTE_CORRIDOR_KM = 3.99
    result = reconcile.reconcile(loaded, fixture.AS_OF)
    assert ("route_deviation", "M14") in _alerts(reconcile.public(result))[0]
    far = reconcile.corridor_deviations(loaded, fixture.AS_OF, 3.99)
    assert [round(d, 6) for _, d in far.values()] == [4.0]


def test_corridor_pure_function():
    a, b = (26.8, 113.5), (26.9, 113.5)
    # a point on the segment, beyond its end (distance to the end, not the line), and at the width exactly
    assert corridor.distance_to_segment_km(26.85, 113.5, a, b) == pytest.approx(0, abs=1e-12)
    assert corridor.distance_to_segment_km(27.0, 113.5, a, b) == pytest.approx(0.1 * corridor.KM_PER_DEGREE)
    lon3 = fixture.east(3)
    d = corridor.distance_to_segment_km(26.85, lon3, a, b)
    assert not corridor.outside_corridor(26.85, lon3, a, b, d)
    assert corridor.outside_corridor(26.85, lon3, a, b, d - 1e-9)
    assert corridor.distance_to_segment_km(1.0, 2.0, (1.0, 2.0), (1.0, 2.0)) == 0  # a degenerate segment


def test_share_is_half_up():
    assert reconcile.share_pct(Decimal(1), Decimal(800)) == Decimal("0.13")  # 0.125 → 0.13 (not banker's 0.12)
    assert reconcile.share_pct(Decimal(0), Decimal(0)) is None


def test_reconciling_twice_opens_each_case_once(loaded, office):
    result = reconcile.reconcile(loaded, fixture.AS_OF)
    assert cases.sync_cases(loaded, result) == {"opened": 10, "updated": 0, "reopened": 0, "closed": 0}
    assert cases.sync_cases(loaded, reconcile.reconcile(loaded, fixture.AS_OF)) == {
        "opened": 0,
        "updated": 10,
        "reopened": 0,
        "closed": 0,
    }
    assert WasteCase.objects.filter(plan=loaded).count() == 10


def test_cases_are_assigned_followed_and_closed_with_audit(loaded, make_user):
    from carbonpeak.audit.models import AuditEntry

    lead = loaded.departments.get(code="urban_management")
    cg = make_user("cg", "department", lead)
    other = make_user("jt", "department", loaded.departments.get(code="transport"))
    result = reconcile.reconcile(loaded, fixture.AS_OF)
    cases.sync_cases(loaded, result)
    case = WasteCase.objects.get(plan=loaded, key="overload:M06")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cases.close(other, case, "不是我的")
    from carbonpeak.validation import ValidationFailed

    with pytest.raises(ValidationFailed):
        cases.assign(cg, case, other)  # not an officer of the 城管局
    cases.assign(cg, case, cg)
    cases.follow(cg, case, "已约谈运输企业")
    with pytest.raises(ValidationFailed):
        cases.close(cg, case, "  ")
    cases.close(cg, case, "已处罚并整改")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.close_reason == "已处罚并整改" and "约谈" in case.follow_up
    actions = list(
        AuditEntry.objects.filter(object_type="waste.wastecase", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["waste.case.assign", "waste.case.follow", "waste.case.close"]
    # a closed case stays closed when the alert is seen again
    cases.sync_cases(loaded, reconcile.reconcile(loaded, fixture.AS_OF))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_daily_check_mails_once(loaded, make_user):
    lead = loaded.departments.get(code="urban_management")
    cg = make_user("cg", "department", lead)
    now = fixture.AS_OF
    out = cases.check(loaded, now=now)
    assert (out["opened"], out["notified"], out["open"]) == (10, 10, 10)
    assert len(mail.outbox) == 10 and mail.outbox[0].to == [cg.email]
    out = cases.check(loaded, now=now)
    assert (out["opened"], out["notified"]) == (0, 0) and len(mail.outbox) == 10
    case = WasteCase.objects.get(plan=loaded, key="no_receipt:M03")
    cases.assign(cg, case, cg)
    assert cases.check(loaded, now=now)["notified"] == 1  # the assignee is told


def test_year_approval_feeds_and_reopen_retracts(loaded, make_user):
    """2026: received 140.002 t (every counted receipt arrived in March), recycled 10 t → 10 ÷ 140.002 =
    0.0714275510… → 0.07142755; the shipped plan has no such target, so nothing is written, but the approval is
    recorded and audited; reopening marks it."""
    from carbonpeak.audit.models import AuditEntry
    from carbonpeak.waste import approvals

    cg = make_user("cg", "department", loaded.departments.get(code="urban_management"))
    f = approvals.year_figures(loaded, 2026)
    assert (f["received_t"], f["recycled_t"], f["share"]) == (Decimal("140.002"), Decimal(10), Decimal("0.07142755"))
    assert approvals.year_figures(loaded, 2025)["share"] is None
    a = approvals.approve_year(cg, loaded, 2026)
    assert a.approved and a.share == Decimal("0.07142755")
    approvals.reopen_year(cg, loaded, 2026, "过磅单有误")
    a.refresh_from_db()
    assert not a.approved
    actions = set(AuditEntry.objects.filter(action__startswith="waste.year").values_list("action", flat=True))
    assert actions == {"waste.year.approve", "waste.year.reopen"}
