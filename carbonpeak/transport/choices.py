from django.db import models
from django.utils.translation import gettext_lazy as _


class Use(models.TextChoices):
    BUS = "bus", _("公交车")
    TAXI = "taxi", _("出租车")
    OFFICIAL = "official", _("公务用车")
    SANITATION = "sanitation", _("环卫车")
    LOGISTICS = "logistics", _("物流车")
    COACH = "coach", _("客运车")
    OTHER = "other", _("其他")


class Fuel(models.TextChoices):
    DIESEL = "diesel", _("柴油")
    GASOLINE = "gasoline", _("汽油")
    CNG = "cng", _("压缩天然气")
    LNG = "lng", _("液化天然气")
    BEV = "bev", _("纯电动")
    PHEV = "phev", _("插电式混合动力")
    FCEV = "fcev", _("燃料电池")


class SiteKind(models.TextChoices):
    SERVICE_AREA = "service_area", _("高速公路服务区")
    CAR_PARK = "car_park", _("公共停车场")
    RESIDENTIAL = "residential", _("居民小区")
    WORKPLACE = "workplace", _("单位内部")
    SCENIC = "scenic", _("景区")
    RURAL = "rural", _("乡村")


class Module(models.TextChoices):
    TRANSPORT = "transport", _("交通")
    GAS = "gas", _("燃气")


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审定")


class ReportedKind(models.TextChoices):
    PUBLIC_TRANSPORT_SHARE = "public_transport_share", _("公共交通出行分担率")
    SHARED_BIKES = "shared_bikes", _("共享单车投放量（辆）")


class ZoneKind(models.TextChoices):
    NO_COAL = "no_coal", _("无煤区")
    NO_BURN = "no_burn", _("高污染燃料禁燃区")
