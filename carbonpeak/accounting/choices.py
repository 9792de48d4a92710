from django.db import models
from django.utils.translation import gettext_lazy as _


class FactorSetKind(models.TextChoices):
    BUILTIN = "builtin", _("随软件发布")
    COUNTY = "county", _("本县版本")
    PROVINCE = "province", _("省级版本")


class Grade(models.TextChoices):
    A = "A", _("A 官方文本")
    B = "B", _("B 待发布前核实")
    C = "C", _("C 占位，须人工确认")
    DERIVED = "derived", _("推导值")
    PARAMETER = "parameter", _("年度参数")


class InventoryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审定")


class Flow(models.TextChoices):
    FINAL = "final", _("终端消费")
    TRANSFORMATION_INPUT = "transformation_input", _("加工转换投入")
    TRANSFORMATION_OUTPUT = "transformation_output", _("加工转换产出")
    PRODUCTION = "production", _("一次能源生产")
    INFLOW = "inflow", _("调入")
    OUTFLOW = "outflow", _("调出")
    LOSS = "loss", _("损失")


class Purpose(models.TextChoices):
    ENERGY = "energy", _("燃料动力")
    FEEDSTOCK = "feedstock", _("原料用能")
    RENEWABLE = "renewable", _("可再生能源（存量）")
    NEW_RENEWABLE = "new_renewable", _("新增可再生能源")


class Notation(models.TextChoices):
    NO = "NO", _("NO 不发生")
    NE = "NE", _("NE 未估算")
    IE = "IE", _("IE 已计入其他项")
    C = "C", _("C 保密")
