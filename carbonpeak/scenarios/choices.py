from django.db import models
from django.utils.translation import gettext_lazy as _


class ScenarioKind(models.TextChoices):
    BASELINE = "baseline", _("基准情景")
    POLICY = "policy", _("政策情景")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class DriverName(models.TextChoices):
    ACTIVITY_GROWTH = "activity_growth", _("活动水平增速")
    INTENSITY_IMPROVEMENT = "intensity_improvement", _("能耗强度年降幅")
    ELECTRIFICATION = "electrification", _("电气化（燃料转电力年比例）")
    FUEL_SWITCH = "fuel_switch", _("燃料替代（单位燃料碳排放年降幅）")
