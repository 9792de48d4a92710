"""The two shares by hand, the Beijing year of a completion, the approval's feed and the reopening's retraction,
and who may write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.buildings import figures, services
from carbonpeak.buildings.models import Completion
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.validation import ValidationFailed

HEADER = ("project_id", "completed_on", "floor_area_m2", "civil", "green_level", "prefab")


def rows(*lines):
    return [(n, dict(zip(HEADER, line, strict=True))) for n, line in enumerate(lines, start=2)]


#: 2025: civil 6 669 (basic, prefab) + 13 331 (not green) = 20 000 m²; green 6 669 → 33.345 % → 33.35 (half up;
#: half-even would give 33.34). All area 20 000 + 4 000 (industrial, prefab) = 24 000; prefab 6 669 + 4 000 =
#: 10 669 → 44.454166… → 44.45. The industrial one completed at 00:30 on 1 January 2025 Beijing time
#: (16:30 UTC on 31 December 2024) belongs to 2025; the one at 00:30 on 1 January 2026 (Beijing) to 2026.
FILE = rows(
    ("P1", "2025-03-01", "6669", "true", "basic", "true"),
    ("P2", "2025-06-30", "13,331", "是", "none", "false"),
    ("P3", "2024-12-31T16:30:00Z", "4000", "false", "none", "true"),
    ("P4", "2025-12-31T16:30:00Z", "500", "false", "two_star", "true"),
)


@pytest.fixture
def zhujian(make_user, plan):
    return make_user("zhujian", "department", plan.departments.get(code="housing_construction"))


@pytest.fixture
def jiguan(make_user, plan):
    return make_user("jiguan", "department", plan.departments.get(code="government_affairs_center"))


def test_shares_by_hand(plan, zhujian):
    rep = services.import_completions(zhujian, plan, FILE)
    assert rep.as_dict() == {"accepted": 4, "duplicates": 0, "rejected": []}
    assert Completion.objects.get(project_id="P3").completed_on.isoformat() == "2025-01-01"
    assert Completion.objects.get(project_id="P4").completed_on.isoformat() == "2026-01-01"
    s = figures.shares(plan, 2025)
    assert {k: s[k] for k in figures.SHARE_KEYS} == {
        "year": 2025,
        "civil_completed_m2": "20000.00",
        "green_completed_m2": "6669.00",
        "green_building_share_pct": "33.35",
        "new_building_m2": "24000.00",
        "prefab_m2": "10669.00",
        "prefab_share_pct": "44.45",
    }
    assert s["checks"] == []
    # 2026: only the industrial 500 m² → no green share (a check, not 0), prefab 100 %
    s = figures.shares(plan, 2026)
    assert (s["civil_completed_m2"], s["green_building_share_pct"], s["prefab_share_pct"]) == ("0.00", None, "100.00")
    assert [c["code"] for c in s["checks"]] == ["no_civil_area"]
    # 2027: nothing at all → neither share, two checks
    s = figures.shares(plan, 2027)
    assert (s["green_building_share_pct"], s["prefab_share_pct"]) == (None, None)
    assert len(s["checks"]) == 2


def test_reimport_conflict_and_update(plan, zhujian):
    services.import_completions(zhujian, plan, FILE)
    again = services.import_completions(zhujian, plan, FILE)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 4, [])
    changed = rows(("P2", "2025-06-30", "13332", "true", "none", "false"))
    rep = services.import_completions(zhujian, plan, changed)
    assert rep.accepted == 0 and rep.rejected[0]["line"] == 2 and rep.rejected[0]["field"] == "project_id"
    rep = services.import_completions(zhujian, plan, changed, update=True)
    assert rep.accepted == 1
    assert Completion.objects.get(project_id="P2").floor_area_m2 == Decimal("13332")


def test_row_errors(plan, zhujian):
    rep = services.import_completions(
        zhujian,
        plan,
        rows(
            ("A", "2025-02-30", "1", "true", "none", "false"),
            ("B", "2025-02-01", "0", "true", "none", "false"),
            ("C", "2025-02-01", "1", "maybe", "none", "false"),
            ("D", "2025-02-01", "1", "true", "gold", "false"),
            ("E", "2025-02-01", "1", "true", "none", "x"),
            ("F", "2025-02-01", "1e3", "true", "none", "false"),
        ),
    )
    assert [(r["line"], r["field"]) for r in rep.rejected] == [
        (2, "completed_on"),
        (3, "floor_area_m2"),
        (4, "civil"),
        (5, "green_level"),
        (6, "prefab"),
        (7, "floor_area_m2"),
    ]


def _fed(plan, year):
    return {
        v.target.indicator: v.value
        for v in IndicatorValue.objects.filter(target__plan=plan, year=year).select_related("target")
        if v.target.indicator in ("green_building_share", "prefab_building_share")
    }


def test_approve_feeds_and_reopen_retracts(plan, zhujian):
    services.import_completions(zhujian, plan, FILE)
    out = services.approve_year(zhujian, plan, 2025)
    assert out["fed"] == 2
    assert _fed(plan, 2025) == {"green_building_share": Decimal("0.3335"), "prefab_building_share": Decimal("0.4445")}
    v = IndicatorValue.objects.get(target__plan=plan, target__indicator="green_building_share", year=2025)
    assert v.source == "module" and "竣工验收" in v.source_detail
    # an approved year is locked: a changed row of it is refused, the same row is a duplicate
    rep = services.import_completions(
        zhujian, plan, rows(("P1", "2025-03-01", "1", "true", "basic", "true")), update=True
    )
    assert rep.accepted == 0 and "退回" in rep.rejected[0]["message"]
    assert services.import_completions(zhujian, plan, FILE[:1]).duplicates == 1
    with pytest.raises(ValidationFailed):
        services.approve_year(zhujian, plan, 2025)
    assert services.reopen_year(zhujian, plan, 2025, "面积有误") == 2
    assert _fed(plan, 2025) == {}
    assert figures.shares(plan, 2025)["status"] == "reopened"


def test_year_without_civil_area_feeds_only_prefab(plan, zhujian):
    services.import_completions(zhujian, plan, FILE)
    out = services.approve_year(zhujian, plan, 2026)
    assert out["fed"] == 1
    assert _fed(plan, 2026) == {"prefab_building_share": Decimal("1")}
    with pytest.raises(ValidationFailed):
        services.approve_year(zhujian, plan, 2027)  # no completions at all


def test_who_writes(plan, office, zhujian, jiguan, linye):
    services.import_completions(office, plan, FILE[:1])
    with pytest.raises(PermissionDenied):
        services.import_completions(linye, plan, FILE)
    with pytest.raises(PermissionDenied):
        services.import_completions(jiguan, plan, FILE)
    with pytest.raises(PermissionDenied):
        services.approve_year(linye, plan, 2025)


def test_permit_date_kept_and_checked(plan, zhujian):
    """The 施工许可 date of a project: kept; a permit after the acceptance date, or not a date, refused by line."""
    head = HEADER + ("permit_no", "permit_on")
    lines = [
        ("Q1", "2025-06-30", "100", "true", "basic", "false", "430224202305100101", "2023-05-10"),
        ("Q2", "2025-06-30", "100", "true", "basic", "false", "", "2025-07-01"),
        ("Q3", "2025-06-30", "100", "true", "basic", "false", "", "2023-02-30"),
        ("Q4", "2025-06-30", "100", "true", "basic", "false", "", ""),
    ]
    rep = services.import_completions(
        zhujian, plan, [(n, dict(zip(head, line, strict=True))) for n, line in enumerate(lines, start=2)]
    )
    assert (rep.accepted, [(r["line"], r["field"]) for r in rep.rejected]) == (2, [(3, "permit_on"), (4, "permit_on")])
    q1 = Completion.objects.get(project_id="Q1")
    assert (q1.permit_no, q1.permit_on.isoformat()) == ("430224202305100101", "2023-05-10")
    assert Completion.objects.get(project_id="Q4").permit_on is None
    # the same file again: duplicates, nothing changed
    again = services.import_completions(
        zhujian, plan, [(n, dict(zip(head, line, strict=True))) for n, line in enumerate(lines, start=2)]
    )
    assert (again.accepted, again.duplicates) == (0, 2)


def test_building_ids_must_be_in_the_registry(plan, zhujian):
    """A completion may name the buildings it completes; each must be in the county's registry, else the row is
    refused naming the unknown id (a typo would tie the area to no building). Ids are separated by ; or ；."""
    bhead = ("building_id", "name", "township", "use", "ownership", "floor_area_m2")
    services.import_buildings(
        zhujian,
        plan,
        [
            (n, dict(zip(bhead, line, strict=True)))
            for n, line in (
                (2, ("B-001", "县政府办公楼", "城关镇", "office", "government", "5000")),
                (3, ("B-002", "县一中教学楼", "城关镇", "school", "public_institution", "8000")),
            )
        ],
    )
    head = HEADER + ("building_ids",)
    lines = [
        ("R1", "2025-06-30", "100", "true", "basic", "false", "B-001"),
        ("R2", "2025-06-30", "100", "true", "basic", "false", "B-001；B-002"),
        ("R3", "2025-06-30", "100", "true", "basic", "false", "B-001;B-009"),
        ("R4", "2025-06-30", "100", "true", "basic", "false", ""),
    ]
    rep = services.import_completions(
        zhujian, plan, [(n, dict(zip(head, line, strict=True))) for n, line in enumerate(lines, start=2)]
    )
    assert rep.accepted == 3
    assert [(r["line"], r["field"]) for r in rep.rejected] == [(4, "building_ids")]
    assert "B-009" in rep.rejected[0]["message"] and "建筑名录" in rep.rejected[0]["message"]
    assert not Completion.objects.filter(project_id="R3").exists()
