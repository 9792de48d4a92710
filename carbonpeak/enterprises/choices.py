from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadingSource(models.TextChoices):
    UPLOAD = "upload", _("文件上传")
    API = "api", _("接口采集")
    MANUAL = "manual", _("手工录入")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AccountStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审定")


class ProjectStatus(models.TextChoices):
    APPROVED = "approved", _("已审批未投产")
    COMMISSIONED = "commissioned", _("已投产")
    CANCELLED = "cancelled", _("已取消")
