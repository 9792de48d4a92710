"""Dispatch (调度) in chromium: the office opens a round whose due date has passed (and must confirm it) beside a
running one; the department reports on both rounds, each form to its own round; the office reminds the late
departments and reads what it did; the department's reminder clears once its reports are in."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def test_two_open_rounds_reports_reminders(live_server, page, plan, fgj, office):
    from django.utils import timezone

    from carbonpeak.plan import services
    from carbonpeak.plan.models import DispatchRound, Task

    base = live_server.url
    today = timezone.localdate()
    running = services.open_round(office, plan, today.year, 1, today + dt.timedelta(days=30))

    # the office opens last year's Q4 round with a due date already past: it is asked to confirm first
    login(page, base, "office")
    page.goto(f"{base}/rounds/")
    page.fill("input[name=year]", str(today.year - 1))
    page.select_option("select[name=quarter]", "4")
    page.fill("input[name=due_date]", (today - dt.timedelta(days=5)).isoformat())
    page.click("main form.card button[type=submit]")
    confirm = page.locator("#confirm-past-due")
    confirm.wait_for()
    assert "已过" in confirm.inner_text() and str(running) in confirm.inner_text()
    assert DispatchRound.objects.count() == 1
    confirm.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/rounds/*/")
    late = DispatchRound.objects.get(year=today.year - 1, quarter=4)
    assert "逾期 5 天" in page.locator("main").inner_text()
    page.context.clear_cookies()

    # the department sees both rounds; the overdue one is shown first, its forms post to it
    tasks = list(Task.objects.filter(assignments__department=fgj.department, assignments__role="lead").order_by("pk"))
    for t in tasks[1:]:  # all but one already reported on the late round
        services.submit_report(fgj, late, t, "in_progress", "已推进")
    login(page, base, "fgj")
    page.goto(f"{base}/workspace/")
    reminder = page.locator(f'[data-reminder="{late.pk}"]')
    assert "逾期 5 天" in reminder.inner_text() and tasks[0].title in reminder.inner_text()
    assert page.locator(f'[data-round="{late.pk}"][aria-current=page]').count() == 1
    card = page.locator(f"#task-{tasks[0].code.replace('.', chr(92) + '.')}")
    card.locator("select[name=status]").select_option("in_progress")
    card.locator("textarea[name=narrative]").fill("四季度任务已补报。")
    card.locator("button[type=submit]").click()
    page.wait_for_url(f"**/workspace/?ok={tasks[0].code}&round={late.pk}*")
    assert late.reports.filter(task=tasks[0]).exists() and not running.reports.exists()
    assert page.locator(f'[data-reminder="{late.pk}"]').count() == 0  # cleared by the report, round still open

    # switching to the running round: the same task's form now posts there
    page.click(f'[data-round="{running.pk}"]')
    page.wait_for_url(f"**/workspace/?round={running.pk}")
    card = page.locator(f"#task-{tasks[0].code.replace('.', chr(92) + '.')}")
    card.locator("select[name=status]").select_option("done")
    card.locator("textarea[name=narrative]").fill("一季度已完成。")
    card.locator("button[type=submit]").click()
    page.wait_for_url(f"**/workspace/?ok={tasks[0].code}&round={running.pk}*")
    assert running.reports.get(task=tasks[0]).narrative == "一季度已完成。"
    page.context.clear_cookies()

    # the office reminds the late departments and is told how many, and how many have no contact
    login(page, base, "office")
    page.goto(f"{base}/rounds/{late.pk}/")
    page.click("button[value=remind]")
    page.wait_for_url(f"{base}/rounds/{late.pk}/")
    msg = page.locator("[data-message]").inner_text()
    reminded = late.reminders.count()
    no_contact = late.reminders.filter(emailed_to="").count()
    assert reminded > 0 and f"已提醒 {reminded} 个部门，{no_contact} 个没有联系人" in msg
    assert not late.reminders.filter(department=fgj.department).exists()  # fgj had reported everything
