"""Which major projects are late (reads; the thresholds and rules are core/lateness.py's):

- commissioning late (red): the planned commissioning year has passed without 投产 (a cancelled project is
  never late; a suspended one is);
- report overdue (yellow/red by days late): a project that owes a report in a round (a lead department, not
  投产 or 取消) has none and the round's due date has passed; yellow from ``PROJECT_REPORT_YELLOW_DAYS`` days late,
  red from ``PROJECT_REPORT_RED_DAYS`` (settings, defaults 1 and 15). A closed round counts the days up to its
  closing day.

The dashboard shows the flags of the open rounds, the round's PDF and Excel the flags of that round, and the
assessment (plan/scoring.py) charges each lead department for its late projects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from carbonpeak.core.lateness import commissioning_late, days_late, overdue_level
from carbonpeak.plan.choices import AssignmentRole, ProjectStatus, RoundStatus
from carbonpeak.plan.models import DispatchRound, Plan, Project, ProjectAssignment, ProjectReport

COMMISSIONING = "commissioning"
REPORT = "report"
ORDER = {"red": 0, "yellow": 1}


@dataclass
class ProjectFlag:
    project: Project
    level: str  # "red" | "yellow"
    kind: str  # COMMISSIONING | REPORT
    late: int  # years past the planned commissioning year, or days past the round's due date
    round: DispatchRound | None = None
    lead: str = ""  # the lead department's name

    @property
    def message(self) -> str:
        if self.kind == COMMISSIONING:
            return f"计划 {self.project.commissioning_year} 年投产，已逾期 {self.late} 年未投产"
        return f"{self.round}项目进展报告逾期 {self.late} 天未报送"

    @property
    def level_label(self) -> str:
        return "红色" if self.level == "red" else "黄色"


def thresholds() -> tuple[int, int]:
    return settings.PROJECT_REPORT_YELLOW_DAYS, settings.PROJECT_REPORT_RED_DAYS


def lead_names(plan: Plan) -> dict[int, str]:
    out: dict[int, str] = {}
    for a in ProjectAssignment.objects.filter(project__plan=plan, role=AssignmentRole.LEAD).select_related(
        "department"
    ):
        out.setdefault(a.project_id, a.department.name)
    return out


def owes_reports(project: Project, leads: dict[int, str]) -> bool:
    return project.pk in leads and project.status not in (ProjectStatus.COMMISSIONED, ProjectStatus.CANCELLED)


def commissioning_flag(project: Project, today: dt.date, lead: str = "") -> ProjectFlag | None:
    years = commissioning_late(
        project.commissioning_year,
        project.status == ProjectStatus.COMMISSIONED,
        project.status == ProjectStatus.CANCELLED,
        today,
    )
    return ProjectFlag(project, "red", COMMISSIONING, years, lead=lead) if years else None


def round_end(rnd: DispatchRound, today: dt.date) -> dt.date:
    """The day lateness is counted to: today, or the closing day of a closed round."""
    if rnd.status == RoundStatus.CLOSED and rnd.closed_at is not None:
        return min(today, timezone.localtime(rnd.closed_at).date())
    return today


def round_flags(
    rnd: DispatchRound,
    today: dt.date | None = None,
    projects: list[Project] | None = None,
    leads: dict[int, str] | None = None,
    reported: set[int] | None = None,
) -> list[ProjectFlag]:
    """The round's overdue project reports."""
    today = today or timezone.localdate()
    leads = lead_names(rnd.plan) if leads is None else leads
    projects = projects if projects is not None else list(rnd.plan.projects.select_related("group"))
    if reported is None:
        reported = set(ProjectReport.objects.filter(round=rnd).values_list("project_id", flat=True))
    yellow, red = thresholds()
    days = days_late(rnd.due_date, round_end(rnd, today))
    level = overdue_level(days, yellow, red)
    if level is None:
        return []
    return [
        ProjectFlag(p, level, REPORT, days, rnd, leads[p.pk])
        for p in projects
        if owes_reports(p, leads) and p.pk not in reported
    ]


def plan_flags(
    plan: Plan,
    today: dt.date | None = None,
    rounds: list[DispatchRound] | None = None,
    projects: list[Project] | None = None,
) -> list[ProjectFlag]:
    """Commissioning flags of every project and the report flags of ``rounds`` (default: the open rounds),
    red first."""
    today = today or timezone.localdate()
    leads = lead_names(plan)
    projects = list(plan.projects.select_related("group")) if projects is None else projects
    flags = [f for p in projects if (f := commissioning_flag(p, today, leads.get(p.pk, "")))]
    if rounds is None:
        rounds = list(DispatchRound.objects.filter(plan=plan, status=RoundStatus.OPEN).order_by("year", "quarter"))
    sent: dict[int, set[int]] = {}
    if rounds:
        for round_id, project_id in ProjectReport.objects.filter(round__in=rounds).values_list(
            "round_id", "project_id"
        ):
            sent.setdefault(round_id, set()).add(project_id)
    for rnd in rounds:
        flags.extend(round_flags(rnd, today, projects, leads, sent.get(rnd.pk, set())))
    flags.sort(key=lambda f: (ORDER[f.level], f.project.group.number, f.project.number))
    return flags


def flags_by_project(flags: list[ProjectFlag]) -> dict[int, list[ProjectFlag]]:
    out: dict[int, list[ProjectFlag]] = {}
    for f in flags:
        out.setdefault(f.project.pk, []).append(f)
    return out
