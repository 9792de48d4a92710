from carbonpeak.plan.models.progress import (
    DispatchRound,
    Evidence,
    IndicatorValue,
    Reminder,
    TaskReport,
)
from carbonpeak.plan.models.projects import ProjectReport, ProjectStatusChange
from carbonpeak.plan.models.region import Region, RegionLevel
from carbonpeak.plan.models.scoring import AssessmentRule
from carbonpeak.plan.models.structure import (
    Area,
    Department,
    Milestone,
    Period,
    Plan,
    Project,
    ProjectAssignment,
    ProjectGroup,
    Target,
    TargetAllocation,
    TargetAssignment,
    Task,
    TaskAssignment,
    UnitValue,
)

__all__ = [
    "Area",
    "AssessmentRule",
    "Department",
    "DispatchRound",
    "Evidence",
    "IndicatorValue",
    "Milestone",
    "Period",
    "Plan",
    "Project",
    "ProjectAssignment",
    "ProjectGroup",
    "ProjectReport",
    "ProjectStatusChange",
    "Region",
    "RegionLevel",
    "Reminder",
    "Target",
    "TargetAllocation",
    "TargetAssignment",
    "Task",
    "TaskAssignment",
    "TaskReport",
    "UnitValue",
]
