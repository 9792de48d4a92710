"""Choices of the building registry: the stored value is the English code of the import files, the label the
Chinese text officials read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Use(models.TextChoices):
    RESIDENTIAL = "residential", _("居住建筑")
    OFFICE = "office", _("办公建筑")
    COMMERCIAL = "commercial", _("商场建筑")
    HOTEL = "hotel", _("宾馆饭店建筑")
    HOSPITAL = "hospital", _("医疗卫生建筑")
    SCHOOL = "school", _("教育建筑")
    OTHER_PUBLIC = "other_public", _("其他公共建筑")


class Ownership(models.TextChoices):
    GOVERNMENT = "government", _("政府投资")
    PUBLIC_INSTITUTION = "public_institution", _("公共机构")
    PRIVATE = "private", _("社会投资")


#: ownerships whose buildings are public institutions' (公共机构) for the 机关事务 figures
PUBLIC_OWNERSHIPS = (Ownership.GOVERNMENT, Ownership.PUBLIC_INSTITUTION)


class StarLevel(models.TextChoices):
    NONE = "none", _("非绿色建筑")
    BASIC = "basic", _("基本级")
    ONE_STAR = "one_star", _("一星级")
    TWO_STAR = "two_star", _("二星级")
    THREE_STAR = "three_star", _("三星级")


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审定")
    REOPENED = "reopened", _("已退回修改")


class BillSource(models.TextChoices):
    TYPED = "typed", _("手工录入")
    IMPORTED = "imported", _("文件导入")
