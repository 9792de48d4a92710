from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    COUNTY_BUREAU = "county_bureau", _("县直部门")
    MUNICIPAL_BRANCH = "municipal_branch", _("市直派驻机构")
    TOWNSHIP_COLLECTIVE = "township_collective", _("各乡镇（街道、办事处）")
    TOWNSHIP = "township", _("乡镇（街道）")
    ENTERPRISE = "enterprise", _("企业")
    PARTY_OFFICE = "party_office", _("党委部门")
    PARK = "park", _("园区")
    OTHER = "other", _("其他")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    COOPERATING = "cooperating", _("配合")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    AT_RISK = "at_risk", _("有风险")


class ProjectType(models.TextChoices):
    SOLAR_PV = "solar_pv", _("光伏发电")
    WIND = "wind", _("风力发电")
    HYDRO = "hydro", _("水电")
    BIOMASS = "biomass", _("生物质发电")
    PUMPED_STORAGE = "pumped_storage", _("抽水蓄能")
    GRID = "grid", _("电网")
    GAS_NETWORK = "gas_network", _("天然气管网")
    GAS_STORAGE = "gas_storage", _("储气调峰")
    EV = "ev", _("新能源汽车")
    CHARGING = "charging", _("充电设施")
    AFFORESTATION = "afforestation", _("国土绿化")
    ECOLOGICAL_CORRIDOR = "ecological_corridor", _("生态廊道")
    WETLAND = "wetland", _("湿地")
    DIGITAL = "digital", _("数字化")
    TOURISM = "tourism", _("低碳旅游")
    CARBON_INCLUSION = "carbon_inclusion", _("碳普惠")
    SOURCE_GRID_LOAD_STORAGE = "source_grid_load_storage", _("源网荷储一体化")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    """谋划 → 前期 → 在建 → 投产, or 暂缓/取消 with a reason (plan/projects.py checks the moves)."""

    CONCEIVED = "conceived", _("谋划")
    PREPARING = "preparing", _("前期")
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMMISSIONED = "commissioned", _("投产")
    SUSPENDED = "suspended", _("暂缓")
    CANCELLED = "cancelled", _("取消")


#: the codes before issue 16 (data migration 0008 and plan files of the old format map them)
LEGACY_PROJECT_STATUS = {"planned": "conceived", "delayed": "suspended"}


class ProjectUnit(models.TextChoices):
    """The unit of a project's size: MW for generation and storage, else what the project builds."""

    MW = "MW", _("兆瓦")
    MWH = "MWh", _("兆瓦时")
    HA = "ha", _("公顷")
    KM = "km", _("公里")
    COUNT = "count", _("个")
    VEHICLES = "vehicles", _("辆")
    M3 = "m3", _("立方米")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    RETURNED = "returned", _("已退回")


class TargetUnit(models.TextChoices):
    """Canonical units: shares and rates as fractions, capacity in MW, durations in days."""

    FRACTION = "fraction", _("比例（0–1）")
    MW = "MW", _("兆瓦")
    DAYS = "days", _("天")
    TCE = "tce", _("吨标准煤")
    TCO2 = "tCO2", _("吨二氧化碳")
    M3 = "m3", _("立方米")
    COUNT = "count", _("个")
    KM = "km", _("公里")
    PERCENT_POINTS = "percent_points", _("百分点")
    YEAR = "year", _("年")


class Direction(models.TextChoices):
    INCREASE = "increase", _("越高越好")
    DECREASE = "decrease", _("越低越好")


class TargetKind(models.TextChoices):
    GOAL = "goal", _("目标")
    THRESHOLD = "threshold", _("门槛/规则")


class Qualifier(models.TextChoices):
    ABOUT = "about", _("左右")
    AT_LEAST = "at_least", _("以上/不低于")
    AT_MOST = "at_most", _("以内/不高于")
    EXCEED = "exceed", _("超过")
    STRIVE = "strive", _("力争")
    EXACT = "exact", _("确定值")


class ValueSource(models.TextChoices):
    MANUAL = "manual", _("部门填报")
    IMPORT = "import", _("批量导入")
    ACCOUNTING = "accounting", _("核算模块")
    MODULE = "module", _("其他模块")


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    NO_DATA = "no_data", _("无数据")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已关闭")


class Indicator(models.TextChoices):
    """Figures the accounts compute for a target (accounting pushes them as IndicatorValue, source=accounting)."""

    ENERGY_INTENSITY_REDUCTION = "energy_intensity_reduction", _("单位GDP能耗下降率（较基准年）")
    CO2_INTENSITY_REDUCTION = "co2_intensity_reduction", _("单位GDP二氧化碳排放下降率（较基准年）")
    NON_FOSSIL_SHARE = "non_fossil_share", _("非化石能源消费比重（发电煤耗法）")
    REFINED_OIL_GROWTH = "refined_oil_growth", _("成品油消费年均增速（较基准年）")
    # fed by the sector modules (plan/feeds.py), each from its own register on approval
    NEW_ENERGY_CAPACITY = "new_energy_capacity", _("新能源装机容量（并网机组登记）")
    FOREST_COVERAGE = "forest_coverage", _("森林覆盖率（森林资源数据）")
    FOREST_STOCK = "forest_stock", _("森林蓄积量（森林资源数据）")
    GREEN_BUILDING_SHARE = "green_building_share", _("民用建筑绿色建筑竣工面积占比")
    PREFAB_BUILDING_SHARE = "prefab_building_share", _("装配式建筑占新建建筑面积比例")
    NEW_BUS_CLEAN_SHARE = "new_bus_clean_share", _("新增公交车新能源及清洁能源占比")
    SERVICE_AREA_CHARGING = "service_area_charging", _("服务区充电设施覆盖率")
    OPERATING_VEHICLE_ENERGY_REDUCTION = (
        "operating_vehicle_energy_reduction",
        _("营运车辆单位运输周转量能耗下降率（较基准年）"),
    )
    OPERATING_VEHICLE_CO2_REDUCTION = (
        "operating_vehicle_co2_reduction",
        _("营运车辆单位运输周转量二氧化碳排放下降率（较基准年）"),
    )
    GASIFICATION_SHARE = "gasification_share", _("天然气气化人口比例")
    GAS_STORAGE_DAYS = "gas_storage_days", _("储气能力（日均需求天数）")
    COAL_CONSUMPTION = "coal_consumption", _("煤炭消费量（核算）")
    CONSTRUCTION_WASTE_RECYCLED_SHARE = "construction_waste_recycled_share", _("建筑垃圾资源化利用率")
