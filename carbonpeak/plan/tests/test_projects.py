"""The major projects (issue 16): the register's edits, status moves with history, the round report and its
review, the lateness flags at their bounds, the assessment rule, and the shipped plan's projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from carbonpeak.audit.models import AuditEntry
from carbonpeak.core.lateness import commissioning_late, days_late, overdue_level
from carbonpeak.plan import projects as svc
from carbonpeak.plan.models import DispatchRound, Evidence, ProjectReport, ProjectStatusChange
from carbonpeak.plan.project_flags import commissioning_flag, plan_flags, round_flags
from carbonpeak.plan.scoring import score_table
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


def fields(exc: ValidationFailed) -> set[str]:
    return {i.field for i in exc.issues}


@pytest.fixture
def wind(plan):
    """严塘秩堂风电: 县发展改革局 leads it in the shipped plan, status 前期."""
    return plan.projects.get(code="P01.6")


def a_round(plan, year=2025, quarter=1, due=dt.date(2025, 4, 15)) -> DispatchRound:
    return DispatchRound.objects.create(plan=plan, year=year, quarter=quarter, due_date=due)


def report_data(**over):
    data = {
        "status": "under_construction",
        "investment_share": "0.25",
        "progress": "完成测风塔建设，取得核准批复",
        "problems": "需协调林地使用指标",
    }
    data.update(over)
    return data


# --- the shipped plan ---


def test_shipped_plan_has_the_projects_the_text_names_with_their_clauses(plan):
    got = {p.code: p for p in plan.projects.all()}
    assert len(got) == 26
    assert (got["P01.6"].name, got["P01.6"].clause, got["P01.6"].type) == ("茶陵严塘秩堂风电项目", "三(一)1", "wind")
    assert (got["P02.3"].clause, got["P02.3"].type, got["P02.3"].status) == (
        "三(一)3",
        "pumped_storage",
        "under_construction",
    )
    assert "源网荷储一体化" in got["P02.4"].name and got["P02.4"].clause == "三(一)3"
    assert svc.assignment_snapshot(got["P02.3"])["lead"] == ["县发展改革局"]
    # the waste-to-energy plant: its biogenic share with a source, not 100 %
    assert got["P01.5"].nonfossil_fraction == Decimal("0.6") and "IPCC" in got["P01.5"].nonfossil_source
    # the ecological projects of 四(五) measure in hectares; nothing the text does not state is filled in
    assert {got[c].size_unit for c in ("P05.1", "P05.2", "P05.3")} == {"ha"}
    assert got["P05.1"].size is None and got["P01.1"].commissioning_year is None
    assert not any(p.status in ("planned", "delayed") for p in got.values())


def test_plan_export_round_trips_the_register_keys(plan):
    from carbonpeak.plan.plan_io import check_plan_document, export_plan

    doc = export_plan(plan)
    p = next(x for x in doc["projects"] if x["code"] == "P02.3")
    assert p["lead_departments"] == ["县发展改革局"] and p["clause"] == "三(一)3"
    assert not check_plan_document(doc).errors


def test_plan_file_accepts_the_old_status_codes(plan):
    from carbonpeak.plan.plan_io import check_plan_document, export_plan

    doc = export_plan(plan)
    doc["projects"][0]["status"] = "planned"
    assert not check_plan_document(doc).errors
    doc["projects"][0]["status"] = "finished"
    assert "projects[0].status" in {i.field for i in check_plan_document(doc).errors}


# --- edits ---


def test_office_edits_every_field_audited_and_mw_capacity_follows_size(plan, office, wind):
    svc.update_project(
        office,
        wind,
        {"size": "100", "size_unit": "MW", "investment_10k_yuan": "80000", "planned_commissioning_date": "2027-06-30"},
    )
    wind.refresh_from_db()
    assert (wind.size, wind.capacity_mw, wind.commissioning_year) == (Decimal(100), Decimal(100), 2027)
    e = AuditEntry.objects.filter(action="project.update").latest("id")
    assert e.actor_label == "office" and e.before["size"] is None and e.after["size"] == "100"
    svc.update_project(office, wind, {"size": "50", "size_unit": "ha"})
    wind.refresh_from_db()
    assert wind.capacity_mw is None


def test_lead_department_edits_only_progress_fields_of_its_own_projects(plan, fgj, linye, wind):
    svc.update_project(fgj, wind, {"actual_investment_10k_yuan": "1200", "actual_start_date": "2025-03-01"})
    wind.refresh_from_db()
    assert wind.actual_investment_10k_yuan == Decimal(1200) and wind.actual_start_date == dt.date(2025, 3, 1)
    with pytest.raises(ValidationFailed) as exc:
        svc.update_project(fgj, wind, {"investment_10k_yuan": "1"})
    assert fields(exc.value) == {"investment_10k_yuan"}
    with pytest.raises(PermissionDenied):
        svc.update_project(linye, wind, {"actual_investment_10k_yuan": "1"})


def test_edit_errors_name_their_fields_and_store_nothing(plan, office, wind):
    with pytest.raises(ValidationFailed) as exc:
        svc.update_project(
            office,
            wind,
            {
                "size": "-1",
                "nonfossil_fraction": "1.5",
                "actual_start_date": "2025-13-01",
                "planned_start_date": "2026-01-01",
                "planned_commissioning_date": "2025-12-31",
            },
        )
    assert {"size", "nonfossil_fraction", "actual_start_date", "planned_commissioning_date"} <= fields(exc.value)
    wind.refresh_from_db()
    assert wind.size is None and wind.planned_start_date is None


def test_office_sets_departments_audited(plan, office, fgj):
    p = plan.projects.get(code="P05.1")
    svc.set_project_departments(office, p, ["县林业局"], ["县自然资源局", "县林业局"])
    assert svc.assignment_snapshot(p) == {"lead": ["县林业局"], "cooperating": ["县自然资源局"]}
    assert AuditEntry.objects.filter(action="project.departments").count() == 1
    with pytest.raises(ValidationFailed):
        svc.set_project_departments(office, p, ["不存在的局"], [])
    with pytest.raises(PermissionDenied):
        svc.set_project_departments(fgj, p, ["县发展改革局"], [])


# --- status moves ---


def test_status_moves_forward_and_each_is_recorded(plan, fgj, wind):
    svc.change_status(fgj, wind, "under_construction")
    svc.change_status(fgj, wind, "commissioned")
    rows = list(ProjectStatusChange.objects.filter(project=wind).values_list("from_status", "to_status"))
    assert rows == [("preparing", "under_construction"), ("under_construction", "commissioned")]
    assert ProjectStatusChange.objects.filter(project=wind).first().changed_by_label == "fgj"
    assert AuditEntry.objects.filter(action="project.status").count() == 2


def test_suspend_and_cancel_need_a_reason(plan, fgj, wind):
    for status in ("suspended", "cancelled"):
        with pytest.raises(ValidationFailed) as exc:
            svc.change_status(fgj, wind, status, "  ")
        assert fields(exc.value) == {"reason"}
    svc.change_status(fgj, wind, "suspended", "林地指标未落实")
    wind.refresh_from_db()
    assert (wind.status, wind.status_reason) == ("suspended", "林地指标未落实")
    svc.change_status(fgj, wind, "under_construction")  # resumes without the office
    wind.refresh_from_db()
    assert wind.status_reason == ""


def test_backwards_and_out_of_final_states_only_by_the_office_with_a_reason(plan, office, fgj, wind):
    with pytest.raises(ValidationFailed) as exc:
        svc.change_status(fgj, wind, "conceived", "重新论证")
    assert fields(exc.value) == {"status"}
    with pytest.raises(ValidationFailed) as exc:
        svc.change_status(office, wind, "conceived")
    assert fields(exc.value) == {"reason"}
    svc.change_status(office, wind, "conceived", "重新论证选址")
    svc.change_status(fgj, wind, "cancelled", "规划调整")
    with pytest.raises(ValidationFailed):
        svc.change_status(fgj, wind, "preparing", "恢复")
    svc.change_status(office, wind, "preparing", "县政府决定恢复")
    assert ProjectStatusChange.objects.filter(project=wind).count() == 3


def test_another_department_cannot_move_a_project(plan, linye, wind):
    with pytest.raises(PermissionDenied):
        svc.change_status(linye, wind, "under_construction")


# --- the round report and its review ---


def test_lead_department_reports_with_evidence_and_the_office_accepts(plan, office, fgj, wind):
    rnd = a_round(plan, due=timezone.localdate() + dt.timedelta(days=5))
    pdf = SimpleUploadedFile("核准批复.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    r = svc.submit_project_report(fgj, rnd, wind, report_data(size_done="20"), [pdf])
    assert (r.department.code, r.review, r.investment_share) == ("dev_reform", "submitted", Decimal("0.25"))
    assert Evidence.objects.get(project_report=r).original_name == "核准批复.pdf"
    wind.refresh_from_db()
    assert wind.status == "preparing"  # nothing moves before the office accepts
    svc.review_project_report(office, r, "accept")
    wind.refresh_from_db()
    assert (wind.status, wind.investment_done_share, wind.size_done) == (
        "under_construction",
        Decimal("0.25"),
        Decimal(20),
    )
    change = ProjectStatusChange.objects.get(project=wind)
    assert change.report_id == r.pk and change.changed_by_label == "office"
    with pytest.raises(ValidationFailed) as exc:  # accepted is final
        svc.submit_project_report(fgj, rnd, wind, report_data())
    assert fields(exc.value) == {"report"}


def test_office_returns_with_a_comment_and_the_department_sends_again(plan, office, fgj, wind):
    rnd = a_round(plan, due=timezone.localdate() + dt.timedelta(days=5))
    r = svc.submit_project_report(fgj, rnd, wind, report_data())
    with pytest.raises(ValidationFailed) as exc:
        svc.review_project_report(office, r, "return", "")
    assert fields(exc.value) == {"comment"}
    svc.review_project_report(office, r, "return", "请补充核准批复文件")
    r.refresh_from_db()
    assert (r.review, r.review_comment) == ("returned", "请补充核准批复文件")
    wind.refresh_from_db()
    assert wind.status == "preparing"
    again = svc.submit_project_report(fgj, rnd, wind, report_data(progress="已补充"))
    assert again.pk == r.pk and again.review == "submitted" and again.first_submitted_at == r.first_submitted_at
    with pytest.raises(PermissionDenied):
        svc.review_project_report(fgj, again, "accept")


def test_report_validation_names_fields(plan, fgj, wind):
    rnd = a_round(plan, due=timezone.localdate() + dt.timedelta(days=5))
    with pytest.raises(ValidationFailed) as exc:
        svc.submit_project_report(fgj, rnd, wind, report_data(investment_share="1.2", progress=" ", status="suspended"))
    assert fields(exc.value) == {"investment_share", "progress", "reason"}
    with pytest.raises(ValidationFailed) as exc:
        svc.submit_project_report(fgj, rnd, wind, report_data(investment_share=""))
    assert fields(exc.value) == {"investment_share"}
    assert not ProjectReport.objects.exists()


def test_closed_round_and_other_department_refused(plan, office, fgj, linye, wind):
    rnd = a_round(plan, due=timezone.localdate() + dt.timedelta(days=5))
    with pytest.raises(PermissionDenied):
        svc.submit_project_report(linye, rnd, wind, report_data())
    rnd.status = "closed"
    rnd.save()
    with pytest.raises(ValidationFailed) as exc:
        svc.submit_project_report(fgj, rnd, wind, report_data())
    assert fields(exc.value) == {"round"}


# --- lateness at the bounds ---


def test_core_lateness_bounds():
    due = dt.date(2025, 4, 15)
    assert days_late(due, due) == 0 and days_late(due, dt.date(2025, 4, 16)) == 1
    assert overdue_level(0, 1, 15) is None
    assert overdue_level(1, 1, 15) == "yellow" and overdue_level(14, 1, 15) == "yellow"
    assert overdue_level(15, 1, 15) == "red"
    assert commissioning_late(2025, False, False, dt.date(2025, 12, 31)) == 0
    assert commissioning_late(2025, False, False, dt.date(2026, 1, 1)) == 1
    assert commissioning_late(2025, True, False, dt.date(2027, 1, 1)) == 0
    assert commissioning_late(2025, False, True, dt.date(2027, 1, 1)) == 0
    with pytest.raises(ValueError):
        overdue_level(3, 5, 4)


def test_report_flag_on_the_due_date_then_yellow_then_red_on_the_threshold_day(plan, wind):
    rnd = a_round(plan, due=dt.date(2025, 4, 15))

    def level(day):
        return [(f.project.code, f.level, f.late) for f in round_flags(rnd, day) if f.project.code == "P01.6"]

    assert level(dt.date(2025, 4, 15)) == []  # on the due date: not late
    assert level(dt.date(2025, 4, 16)) == [("P01.6", "yellow", 1)]
    assert level(dt.date(2025, 4, 29)) == [("P01.6", "yellow", 14)]
    assert level(dt.date(2025, 4, 30)) == [("P01.6", "red", 15)]
    # a project without a lead department owes nothing; one reported is not flagged
    codes = {f.project.code for f in round_flags(rnd, dt.date(2025, 4, 30))}
    assert codes == {"P01.6", "P02.3", "P02.4"}


@override_settings(PROJECT_REPORT_YELLOW_DAYS=3, PROJECT_REPORT_RED_DAYS=5)
def test_report_thresholds_come_from_settings(plan, wind):
    rnd = a_round(plan, due=dt.date(2025, 4, 15))
    assert not [f for f in round_flags(rnd, dt.date(2025, 4, 17)) if f.project == wind]
    assert [f.level for f in round_flags(rnd, dt.date(2025, 4, 18)) if f.project == wind] == ["yellow"]
    assert [f.level for f in round_flags(rnd, dt.date(2025, 4, 20)) if f.project == wind] == ["red"]


def test_commissioning_flag_from_the_first_day_of_the_next_year(plan, office, wind):
    svc.update_project(office, wind, {"commissioning_year": "2025"})
    wind.refresh_from_db()
    assert commissioning_flag(wind, dt.date(2025, 12, 31)) is None
    flag = commissioning_flag(wind, dt.date(2026, 1, 1))
    assert (flag.level, flag.late) == ("red", 1) and "2025" in flag.message
    svc.change_status(office, wind, "commissioned")
    wind.refresh_from_db()
    assert commissioning_flag(wind, dt.date(2026, 1, 1)) is None


def test_plan_flags_list_red_before_yellow(plan, office, wind):
    svc.update_project(office, plan.projects.get(code="P02.4"), {"commissioning_year": "2024"})
    a_round(plan, due=dt.date(2025, 4, 15))
    flags = plan_flags(plan, dt.date(2025, 4, 20))
    assert flags[0].project.code == "P02.4" and flags[0].kind == "commissioning"
    assert [f.level for f in flags] == ["red", "yellow", "yellow", "yellow"]


# --- the assessment ---


def test_a_late_project_costs_its_lead_department_points(plan, office, fgj, wind):
    year = timezone.localdate().year
    rnd = a_round(plan, year=year, quarter=1, due=timezone.localdate() - dt.timedelta(days=1))
    for code in ("P02.3", "P02.4"):
        r = svc.submit_project_report(fgj, rnd, plan.projects.get(code=code), report_data(status="under_construction"))
        # sent before the deadline
        ProjectReport.objects.filter(pk=r.pk).update(first_submitted_at=timezone.now() - dt.timedelta(days=2))
    line = next(
        line
        for s in score_table(plan, year)
        if s.department.code == "dev_reform"
        for line in s.lines
        if line.rule == "projects_on_track"
    )
    # three lead projects: 严塘秩堂风电 not reported (late), the two others on time: 10 × 2/3
    assert (line.points, line.max_points) == (Decimal("6.67"), Decimal(10))
    assert "茶陵严塘秩堂风电项目" in line.reason and "未报送" in line.reason


def test_the_project_rule_does_not_apply_without_lead_projects(plan, linye):
    year = timezone.localdate().year
    forestry = next(s for s in score_table(plan, year) if s.department.code == "forestry")
    line = next(line for line in forestry.lines if line.rule == "projects_on_track")
    assert not line.applies and line.points == 0
