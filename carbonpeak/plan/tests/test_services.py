"""Plan services: permissions, validation (nothing stored half-way), audit of every change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan import services
from carbonpeak.plan.models import Evidence, IndicatorValue
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


def fields(exc: ValidationFailed) -> set[str]:
    return {i.field for i in exc.issues}


def test_department_sets_value_of_its_target_and_it_is_audited(plan, fgj):
    t = plan.targets.get(code="energy_intensity_reduction")
    v = services.set_indicator_value(fgj, t, 2025, 2, "0.11", note="Q2")
    assert v.value == Decimal("0.11") and v.period_label == "2025Q2"
    services.set_indicator_value(fgj, t, 2025, 2, "0.12")
    entries = list(AuditEntry.objects.filter(object_type="plan.indicatorvalue").order_by("id"))
    assert [e.actor_label for e in entries] == ["fgj", "fgj"]
    assert entries[0].before is None and entries[0].after["value"] == "0.11"
    assert entries[1].before["value"] == "0.11" and entries[1].after["value"] == "0.12"


def test_department_cannot_set_value_of_another_departments_target(plan, linye):
    with pytest.raises(PermissionDenied):
        services.set_indicator_value(linye, plan.targets.get(code="energy_intensity_reduction"), 2025, None, "0.1")
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("year", "quarter", "value", "field"),
    [
        (2025, None, "1.2", "value"),  # a share above 1
        (2025, None, "-0.1", "value"),
        (2025, None, "abc", "value"),
        (2025, None, "NaN", "value"),
        (2045, None, "0.1", "year"),  # outside the plan
        (2025, 5, "0.1", "quarter"),
    ],
)
def test_bad_values_name_the_field_and_store_nothing(plan, office, year, quarter, value, field):
    t = plan.targets.get(code="non_fossil_share")
    with pytest.raises(ValidationFailed) as exc:
        services.set_indicator_value(office, t, year, quarter, value)
    assert field in fields(exc.value)
    issue = exc.value.issues[0]
    assert issue.message_zh and issue.message_en and issue.message_zh != issue.message_en
    assert not IndicatorValue.objects.exists() and not AuditEntry.objects.filter(action="indicator_value.set").exists()


def test_negative_capacity_is_refused(plan, office):
    with pytest.raises(ValidationFailed) as exc:
        services.set_indicator_value(office, plan.targets.get(code="new_energy_capacity"), 2024, None, "-5")
    assert fields(exc.value) == {"value"}


def test_evidence_type_and_size_are_checked_before_anything_is_stored(plan, fgj, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    t = plan.targets.get(code="energy_intensity_reduction")
    bad = [SimpleUploadedFile("run.exe", b"MZ"), SimpleUploadedFile("big.pdf", b"x" * 11)]
    with pytest.raises(ValidationFailed) as exc:
        services.set_indicator_value(fgj, t, 2025, 1, "0.1", evidence=bad)
    assert {i.code for i in exc.value.issues} == {"file_type", "file_too_large"}
    assert not IndicatorValue.objects.exists() and not Evidence.objects.exists()


def test_evidence_is_stored_under_its_hash(plan, fgj):
    t = plan.targets.get(code="energy_intensity_reduction")
    v = services.set_indicator_value(
        fgj, t, 2025, 1, "0.1", evidence=[SimpleUploadedFile("../../etc/x.pdf", b"%PDF-1")]
    )
    ev = v.evidence.get()
    assert ev.original_name == "x.pdf" and ev.size_bytes == 6
    assert ev.file.name == f"evidence/{ev.sha256[:2]}/{ev.sha256}"


def test_task_status_by_lead_only(plan, fgj, make_user):
    task = plan.tasks.get(code="A01.1")  # 县发展改革局 leads
    services.set_task_status(fgj, task, "in_progress")
    task.refresh_from_db()
    assert task.status == "in_progress"
    coop = make_user("zjj", "department", plan.departments.get(code="housing_construction"))  # co-operating only
    with pytest.raises(PermissionDenied):
        services.set_task_status(coop, task, "done")
    e = AuditEntry.objects.get(action="task.status")
    assert e.before == {"status": "not_started"} and e.after == {"status": "in_progress"}


def test_reassignment_by_office_only_and_unknown_department_refused(plan, office, fgj):
    task = plan.tasks.get(code="A01.1")
    with pytest.raises(PermissionDenied):
        services.set_assignments(fgj, task, ["县林业局"], [])
    with pytest.raises(ValidationFailed) as exc:
        services.set_assignments(office, task, ["县林业局", "县不存在局"], [])
    assert fields(exc.value) == {"lead_departments[1]"}
    assert task.assignments.filter(role="lead").get().department.name == "县发展改革局"  # unchanged
    services.set_assignments(office, task, ["县林业局"], ["县发展改革局"])
    e = AuditEntry.objects.get(action="task.assignments")
    assert e.before["lead"] == ["县发展改革局"] and e.after == {"lead": ["县林业局"], "cooperating": ["县发展改革局"]}


def test_target_change_by_office_is_audited(plan, office):
    t = plan.targets.get(code="non_fossil_share")
    services.set_target(office, t, 2020, "0.142", {"2025": "0.2", "2030": "0.26"})
    assert {m.year: m.value for m in t.milestones.all()} == {2025: Decimal("0.2"), 2030: Decimal("0.26")}
    e = AuditEntry.objects.get(action="target.update")
    assert e.before["values"]["2030"] == "0.25" and e.after["values"]["2030"] == "0.26"
    with pytest.raises(ValidationFailed) as exc:
        services.set_target(office, t, 2020, "0.142", {"2025": "25"})
    assert fields(exc.value) == {"values.2025"}


def test_dispatch_round_report_updates_task_and_reminds_the_rest(plan, office, fgj, mailoutbox):
    import datetime as dt

    rnd = services.open_round(office, plan, 2025, 3, dt.date(2025, 10, 10), past_due_ok=True)
    with pytest.raises(ValidationFailed):
        services.open_round(office, plan, 2025, 3, dt.date(2025, 10, 10), past_due_ok=True)
    task = plan.tasks.get(code="A02.2")
    services.submit_report(fgj, rnd, task, "at_risk", "进度滞后", [SimpleUploadedFile("说明.pdf", b"%PDF-1")])
    task.refresh_from_db()
    assert task.status == "at_risk"
    assert services.send_reminders(rnd, today=dt.date(2025, 10, 10)) == []  # not overdue yet
    sent = services.send_reminders(rnd, today=dt.date(2025, 10, 11))
    depts = {r.department.name for r in sent}
    assert "县林业局" in depts and "县发展改革局" in depts  # fgj still owes its other tasks
    assert "A02.2" not in next(r for r in sent if r.department.name == "县发展改革局").message
    assert services.send_reminders(rnd, today=dt.date(2025, 10, 12)) == []  # once per round
    assert any("fgj@example.invalid" in m.to for m in mailoutbox)
    services.close_round(office, rnd)
    with pytest.raises(ValidationFailed):
        services.submit_report(fgj, rnd, task, "done", "完成")
