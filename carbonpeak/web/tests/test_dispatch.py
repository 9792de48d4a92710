"""Dispatch rounds (调度) and the assessment (考核) as the office, departments and the auditor use them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carbonpeak.plan import services
from carbonpeak.plan.models import DispatchRound, Task
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def today() -> dt.date:
    return timezone.localdate()


def lead_tasks(dept) -> list[Task]:
    return list(Task.objects.filter(assignments__department=dept, assignments__role="lead").order_by("pk"))


# --- opening a round ----------------------------------------------------------------------------------------


def test_a_past_due_date_is_refused_by_the_service_unless_confirmed(plan, office):
    past = today() - dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as exc:
        services.open_round(office, plan, today().year, 1, past)
    assert [i.code for i in exc.value.issues] == ["due_date_past"] and not DispatchRound.objects.exists()
    assert "已过" in exc.value.issues[0].message_zh
    rnd = services.open_round(office, plan, today().year, 1, past, past_due_ok=True)
    assert rnd.due_date == past
    # a due date today or later needs no confirmation
    assert services.open_round(office, plan, today().year, 2, today()).due_date == today()


def test_the_office_confirms_a_past_due_date_on_the_page(plan, office):
    c = logged_in(office)
    year = today().year
    services.open_round(office, plan, year, 1, today() + dt.timedelta(days=5))
    past = (today() - dt.timedelta(days=10)).isoformat()
    r = c.post(reverse("rounds"), {"year": year, "quarter": 2, "due_date": past})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="confirm-past-due"' in body
    assert f"截止日期 {past} 已过" in body and "目前仍在进行的调度" in body  # the other open round is named
    assert DispatchRound.objects.count() == 1  # nothing opened before the confirmation
    r = c.post(reverse("rounds"), {"year": year, "quarter": 2, "due_date": past, "confirm_past_due": "1"})
    rnd = DispatchRound.objects.get(quarter=2)
    assert r.status_code == 302 and r.url == reverse("round", args=[rnd.pk])


# --- a department reports on every open round ---------------------------------------------------------------


@pytest.fixture
def two_rounds(plan, office):
    y = today().year
    older = services.open_round(office, plan, y - 1, 4, today() - dt.timedelta(days=20), past_due_ok=True)
    newer = services.open_round(office, plan, y, 1, today() + dt.timedelta(days=20))
    return older, newer


def form_actions(body: str) -> set[str]:
    return set(re.findall(r'action="(/workspace/report/[^"]+)"', body))


def test_each_open_round_has_its_own_form(plan, fgj, two_rounds):
    older, newer = two_rounds
    c = logged_in(fgj)
    task = lead_tasks(fgj.department)[0]
    body = c.get(reverse("workspace")).content.decode()
    # both rounds listed; the overdue one, where reports are missing, is the one shown first
    assert f'data-round="{older.pk}"' in body and f'data-round="{newer.pk}"' in body
    assert "逾期 20 天" in body
    assert form_actions(body) and all(a.startswith(f"/workspace/report/{older.pk}/") for a in form_actions(body))
    body = c.get(reverse("workspace") + f"?round={newer.pk}").content.decode()
    assert all(a.startswith(f"/workspace/report/{newer.pk}/") for a in form_actions(body))

    r = c.post(reverse("submit_report", args=[older.pk, task.code]), {"status": "in_progress", "narrative": "迟报"})
    assert r.status_code == 302 and f"round={older.pk}" in r.url
    r = c.post(reverse("submit_report", args=[newer.pk, task.code]), {"status": "in_progress", "narrative": "本季"})
    assert r.status_code == 302 and f"round={newer.pk}" in r.url
    assert older.reports.get(task=task).narrative == "迟报" and newer.reports.get(task=task).narrative == "本季"
    ok = c.get(r.url).content.decode()
    assert f"已提交：{task.title}" in ok  # the task named by its title, not its code


def test_the_reminder_clears_when_the_reports_arrive_while_the_round_stays_open(plan, fgj, two_rounds):
    older, _newer = two_rounds
    services.send_reminders(older)
    c = logged_in(fgj)
    tasks = lead_tasks(fgj.department)
    body = c.get(reverse("workspace")).content.decode()
    assert f'data-reminder="{older.pk}"' in body and "尚未报送" in body and tasks[-1].title in body
    for t in tasks[:-1]:
        services.submit_report(fgj, older, t, "in_progress", "已推进")
    assert f'data-reminder="{older.pk}"' in c.get(reverse("workspace")).content.decode()  # one still missing
    services.submit_report(fgj, older, tasks[-1], "in_progress", "已推进")
    body = c.get(reverse("workspace")).content.decode()
    older.refresh_from_db()
    assert older.status == "open" and f'data-reminder="{older.pk}"' not in body and "尚未报送" not in body


# --- the round page -----------------------------------------------------------------------------------------


def test_round_page_shows_due_date_days_overdue_titles_and_remind_feedback(plan, office, fgj, linye):
    rnd = services.open_round(office, plan, today().year, 1, today() - dt.timedelta(days=4), past_due_ok=True)
    c = logged_in(office)
    body = c.get(reverse("round", args=[rnd.pk])).content.decode()
    assert rnd.due_date.isoformat() in body and "逾期 4 天" in body
    task = lead_tasks(fgj.department)[0]
    assert task.title in body  # titles, not codes only
    missing = {d for d in rnd.plan.departments.all() if lead_tasks(d)}
    missing |= set(rnd.plan.departments.filter(kind="township"))  # each township reports the 各乡镇 clauses
    with_contact = {fgj.department, linye.department}  # their officers have e-mail addresses
    r = c.post(reverse("round", args=[rnd.pk]), {"action": "remind"}, follow=True)
    text = r.content.decode()
    expected = f"已提醒 {len(missing)} 个部门，{len(missing - with_contact)} 个没有联系人"
    assert expected in text
    assert "已提醒" in text.split('data-missing="dev_reform"')[1].split("</tr>")[0]
    r = c.post(reverse("round", args=[rnd.pk]), {"action": "remind"}, follow=True)
    assert "都已提醒过" in r.content.decode()  # once per round, and it says so


def test_remind_on_a_round_not_yet_due_says_so(plan, office):
    rnd = services.open_round(office, plan, today().year, 1, today() + dt.timedelta(days=4))
    r = logged_in(office).post(reverse("round", args=[rnd.pk]), {"action": "remind"}, follow=True)
    assert "本轮尚未逾期" in r.content.decode() and not rnd.reminders.exists()


def test_cli_round_remind_prints_the_same_counts(plan, office, fgj, capsys):
    from carbonpeak.cli import main

    rnd = services.open_round(office, plan, today().year, 1, today() - dt.timedelta(days=1), past_due_ok=True)
    assert main(["round", "remind"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    reminded = rnd.reminders.count()
    no_contact = rnd.reminders.filter(emailed_to="").count()
    assert reminded > 0 and (data["reminders"], data["no_contact"]) == (reminded, no_contact)
    assert f"已提醒 {reminded} 个部门，{no_contact} 个没有联系人" in out.err


# --- the auditor and evidence -------------------------------------------------------------------------------


def test_auditor_reads_rounds_and_evidence_but_changes_nothing(plan, office, fgj, make_user):
    rnd = services.open_round(office, plan, today().year, 1, today() - dt.timedelta(days=1), past_due_ok=True)
    task = lead_tasks(fgj.department)[0]
    rep = services.submit_report(fgj, rnd, task, "done", "完成", [SimpleUploadedFile("台账.pdf", b"%PDF-1 x")])
    ev = rep.evidence.get()
    c = logged_in(make_user("au", "auditor"))
    body = c.get(reverse("rounds")).content.decode()
    assert c.get(reverse("rounds")).status_code == 200 and str(rnd) in body and 'name="due_date"' not in body
    body = c.get(reverse("round", args=[rnd.pk])).content.decode()
    assert "台账.pdf" in body and reverse("evidence", args=[ev.pk]) in body
    assert 'value="remind"' not in body and 'value="close"' not in body
    assert c.post(reverse("round", args=[rnd.pk]), {"action": "close"}).status_code == 403
    assert c.post(reverse("rounds"), {"year": 2026, "quarter": 2, "due_date": "2099-01-01"}).status_code == 403
    rnd.refresh_from_db()
    assert rnd.status == "open" and DispatchRound.objects.count() == 1
    assert b"".join(c.get(reverse("evidence", args=[ev.pk])).streaming_content) == b"%PDF-1 x"
    assert c.get(reverse("round_pdf", args=[rnd.pk])).status_code == 200
    assert c.get(reverse("round_xlsx", args=[rnd.pk])).status_code == 200
    ws = c.get(reverse("workspace")).content.decode()
    assert reverse("round", args=[rnd.pk]) in ws and "没有分配给本部门的任务" not in ws  # not an empty workspace


def test_evidence_links_only_for_those_who_may_download(plan, office, fgj, linye):
    rnd = services.open_round(office, plan, today().year, 1, today(), past_due_ok=True)
    task = lead_tasks(fgj.department)[0]
    rep = services.submit_report(fgj, rnd, task, "done", "完成", [SimpleUploadedFile("台账.pdf", b"%PDF-1 x")])
    url = reverse("evidence", args=[rep.evidence.get().pk])
    other = logged_in(linye).get(reverse("task", args=[task.code])).content.decode()
    assert "台账.pdf" in other and url not in other  # named, but no link that would end in a 403
    assert logged_in(linye).get(url).status_code == 403
    assert url in logged_in(fgj).get(reverse("task", args=[task.code])).content.decode()


# --- the assessment -----------------------------------------------------------------------------------------


def test_a_department_without_data_does_not_outscore_one_that_reported(plan, office, fgj, linye):
    from carbonpeak.plan.scoring import score_table
    from carbonpeak.plan.status import target_statuses

    t = plan.targets.get(code="energy_intensity_reduction")
    services.set_indicator_value(fgj, t, 2024, None, "0.01")  # reported, and far behind the path: red
    assert next(s.light for s in target_statuses(plan) if s.target.pk == t.pk) == "red"
    services.set_task_status(fgj, lead_tasks(fgj.department)[0], "in_progress")
    year = today().year
    scores = {s.department.code: s for s in score_table(plan, year)}
    reported, silent = scores["dev_reform"], scores["forestry"]  # forestry: no value, no task moved
    assert silent.total == 0 and reported.total > silent.total
    assert reported.rate > silent.rate
    green = next(line for line in silent.lines if line.rule == "targets_green")
    assert green.points == 0 and "无数据" in green.reason


def test_a_round_still_open_before_its_due_date_is_not_counted(plan, office, fgj):
    from carbonpeak.plan.scoring import score_table

    y = today().year
    services.open_round(office, plan, y, 1, today() + dt.timedelta(days=10))
    line = next(
        line
        for s in score_table(plan, y)
        if s.department.code == "dev_reform"
        for line in s.lines
        if line.rule == "reports_on_time"
    )
    assert not line.applies and "按时报送 0 份" not in line.reason and "1 轮尚未截止" in line.reason
    body = logged_in(office).get(reverse("assessment") + f"?year={y}").content.decode()
    assert "按时报送 0 份" not in body and "不适用" in body
    # once the round is past its due date it counts
    line = next(
        line
        for s in score_table(plan, y, today=today() + dt.timedelta(days=11))
        if s.department.code == "dev_reform"
        for line in s.lines
        if line.rule == "reports_on_time"
    )
    assert line.applies and "按时报送 0 份" in line.reason


def test_scores_read_as_whole_or_one_decimal_on_page_pdf_and_excel(plan, office, fgj):
    from openpyxl import load_workbook

    from carbonpeak.plan.scoring import shown

    assert (str(shown(Decimal("40.00000000"))), str(shown(Decimal("33.33"))), str(shown(Decimal("7.25")))) == (
        "40",
        "33.3",
        "7.3",
    )
    services.set_task_status(fgj, lead_tasks(fgj.department)[0], "in_progress")
    y = today().year
    c = logged_in(office)
    body = c.get(reverse("assessment") + f"?year={y}").content.decode()
    assert "00000" not in body and ".00" not in body
    scores = re.findall(r"<strong data-score>([^<]+)</strong> / ([^<\s]+)", body)
    assert scores and all(re.fullmatch(r"\d+(\.\d)?", a) and re.fullmatch(r"\d+(\.\d)?", b) for a, b in scores)
    wb = load_workbook(io.BytesIO(c.get(reverse("assessment_xlsx") + f"?year={y}").content))
    ws = wb[f"{y}年度考核"]
    values = [cell.value for row in ws.iter_rows(min_row=3, min_col=3, max_col=4) for cell in row]
    assert values and all(isinstance(v, int | float) and round(v, 1) == v for v in values)
    pdf = c.get(reverse("assessment_pdf") + f"?year={y}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from django.template.loader import render_to_string

    from carbonpeak.plan.scoring import score_table

    # the PDF's text (WeasyPrint compresses the PDF itself): the same rounding as the page
    html = render_to_string("plan/assessment_report.html", {"plan": plan, "year": y, "scores": score_table(plan, y)})
    assert "00000" not in html and re.search(r"\d+(\.\d)? / \d+(\.\d)? 分", html)


def test_error_messages_name_the_field_once(plan, office, fgj):
    r = logged_in(fgj).post(
        reverse("submit_value", args=["energy_intensity_reduction"]), {"year": 2024, "value": "x"}, HTTP_HX_REQUEST="1"
    )
    body = r.content.decode()
    assert "不是数值" in body and "value：value：" not in body
    r = logged_in(office).post(reverse("assessment"), {"targets_green": "-1"})
    body = r.content.decode()
    assert "牵头指标绿灯：分值不能为负数" in body and "targets_green：" not in body
