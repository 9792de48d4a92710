"""The columns of the transport and gas imports: English keys (the issue's), the Chinese headers of the
downloadable templates (both accepted on upload), and the notes the templates carry."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"
DATE_NOTE = "日期如 2025-03-01；也可写北京时间时刻或带时区的时刻，如 2025-01-01T00:30:00+08:00（按北京时间取日期）"

VEHICLES = Table(
    "车辆登记",
    (
        Column("plate", "号牌", "车牌号或车队自编号，全县唯一", "湘B·D12345", aliases=("车牌号", "自编号")),
        Column("operator", "运营单位", "企业或单位全称", "示例公交有限公司"),
        Column(
            "use",
            "用途",
            "公交车、出租车、公务用车、环卫车、物流车、客运车、其他"
            "（或 bus、taxi、official、sanitation、logistics、coach、other）",
            "公交车",
        ),
        Column(
            "fuel",
            "燃料",
            "柴油、汽油、压缩天然气、液化天然气、纯电动、插电式混合动力、燃料电池"
            "（或 diesel、gasoline、cng、lng、bev、phev、fcev）",
            "纯电动",
            aliases=("燃料类型",),
        ),
        Column("registered_on", "注册日期", DATE_NOTE, "2025-03-01", aliases=("注册登记日期",)),
        Column("retired_on", "报废日期", "可不填", "", required=False),
        Column("seats", "座位数", "可不填；整数", "40", required=False),
        Column("tonnage", "吨位", "可不填；吨", "", required=False),
    ),
    (
        "每行一辆车；同一号牌再次上传内容相同则不变，内容不同列为冲突（不覆盖）。",
        "新增车辆按注册日期（北京时间）所在年份计。",
        EXAMPLE_NOTE,
    ),
)

CHARGERS = Table(
    "充电站点",
    (
        Column("site_id", "站点编号", "全县唯一", "CD-001", aliases=("编号",)),
        Column("name", "站点名称", "", "示例高速服务区（东区）", aliases=("名称",)),
        Column(
            "kind",
            "类型",
            "高速公路服务区、公共停车场、居民小区、单位内部、景区、乡村"
            "（或 service_area、car_park、residential、workplace、scenic、rural）",
            "高速公路服务区",
        ),
        Column("township", "乡镇", "可不填", "城关镇", required=False),
        Column("chargers", "充电桩数", "整数；服务区尚无充电桩填 0", "4"),
        Column("power_kw", "总功率（千瓦）", "可不填", "480", required=False, aliases=("功率",)),
        Column("commissioned_on", "投运日期", "有充电桩时必填", "2024-06-30", required=False),
        Column("retired_on", "停用日期", "可不填", "", required=False),
    ),
    ("每行一个站点；全县高速公路服务区每个都列一行（类型填 高速公路服务区）。", EXAMPLE_NOTE),
)

FACILITIES = Table(
    "储气设施",
    (
        Column("facility_id", "设施编号", "全县唯一", "CQ-001", aliases=("编号",)),
        Column("operator", "运营单位", "", "示例燃气有限公司"),
        Column("capacity_m3", "工作储气量（立方米）", "标准立方米，正数", "60000", aliases=("储气量", "工作储气量")),
        Column("in_service_on", "投运日期", "", "2024-10-01"),
        Column("retired_on", "停用日期", "可不填", "", required=False),
        Column("leased", "租赁", "是/否，可不填（默认否）；租赁的储气设施计入储气能力", "否", required=False),
    ),
    ("每行一座储气设施；同一编号再次上传内容相同则不变，内容不同列为冲突（不覆盖）。", EXAMPLE_NOTE),
)

COVERAGE = Table(
    "燃气覆盖",
    (
        Column("year", "年份", "", "2025"),
        Column("township", "乡镇", "", "城关镇"),
        Column("population", "人口", "常住人口，整数", "120000"),
        Column("covered", "用气人口", "使用管道天然气或瓶装气的人口，整数", "90000"),
    ),
    ("每行一个乡镇一年。", EXAMPLE_NOTE),
)

OPERATORS = Table(
    "营运车辆能耗与周转量",
    (
        Column("operator", "运营单位", "", "示例客运有限公司"),
        Column("year", "年份", "", "2025"),
        Column("carrier", "能源品种", "因子库中的品种代码，如 diesel、gasoline、natural_gas、electricity", "diesel"),
        Column("unit", "单位", "t（吨）、kWh、10k_m3 等", "t"),
        Column("quantity", "数量", "非负数", "1200"),
        Column("passenger_km", "旅客周转量（人公里）", "可不填（同一单位同一年只填一次）", "", required=False),
        Column("tonne_km", "货物周转量（吨公里）", "可不填（同一单位同一年只填一次）", "", required=False),
    ),
    ("每行一个单位一年一种能源；周转量写在该单位该年的任一行。", EXAMPLE_NOTE),
)
