from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    SOIL = "soil", _("工程渣土")
    SLURRY = "slurry", _("工程泥浆")
    CONSTRUCTION = "construction", _("工程垃圾")
    DEMOLITION = "demolition", _("拆除垃圾")
    DECORATION = "decoration", _("装修垃圾")


class DestinationKind(models.TextChoices):
    LANDFILL = "landfill", _("消纳场")
    RECYCLING = "recycling", _("资源化利用厂")
    TRANSFER = "transfer", _("中转站")


class AlertKind(models.TextChoices):
    NO_RECEIPT = "no_receipt", _("超时未过磅")
    WRONG_DESTINATION = "wrong_destination", _("未到核准消纳场")
    UNLICENSED_VEHICLE = "unlicensed_vehicle", _("车辆无资质")
    OVER_PERMIT = "over_permit", _("超核准量")
    OVERLOAD = "overload", _("超载")
    DUPLICATE_RECEIPT = "duplicate_receipt", _("重复过磅")
    ROUTE_DEVIATION = "route_deviation", _("偏离路线或途中停留")
    PERMIT_NOT_VALID = "permit_not_valid", _("核准不在有效期")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("处理中")
    CLOSED = "closed", _("已办结")


class ClientKind(models.TextChoices):
    GPS = "gps", _("车辆定位")
    RECEIPTS = "receipts", _("过磅单")
