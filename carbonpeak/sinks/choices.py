from django.db import models
from django.utils.translation import gettext_lazy as _


class LandClass(models.TextChoices):
    """The land classes of the forest-resource survey (森林资源管理"一张图")."""

    ARBOR = "arbor", _("乔木林地")
    BAMBOO = "bamboo", _("竹林地")
    SPECIAL_SHRUB = "special_shrub", _("国家特别规定灌木林地")
    OTHER_SHRUB = "other_shrub", _("其他灌木林地")
    SPARSE = "sparse", _("疏林地")
    UNSTOCKED = "unstocked", _("未成林造林地、迹地等")
    NONFOREST = "nonforest", _("非林地")


#: forest area = arbor + bamboo + special shrub (coverage counts these)
FOREST_CLASSES = (LandClass.ARBOR, LandClass.BAMBOO, LandClass.SPECIAL_SHRUB)


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审定")
    REOPENED = "reopened", _("已退回修改")


class EcoKind(models.TextChoices):
    """Farmland and wetland areas registered against 三(六)2 (their sinks are not estimated until a method is
    chosen)."""

    SMALL_WETLAND = "small_wetland", _("小微湿地")
    CONSERVATION_TILLAGE = "conservation_tillage", _("保护性耕作")
