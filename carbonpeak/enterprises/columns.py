"""The columns of the enterprise-side imports (registry, meters, readings, work calendar, benchmarks): English
keys, the Chinese headers of the downloadable templates (both accepted on upload), and the notes the templates
carry. Only the headers live here; each import's rules stay in its service."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"

ENTERPRISES = Table(
    "企业名录",
    (
        Column("uscc", "统一社会信用代码", "18 位，含校验位", "91430224MA4PXXXXXX", aliases=("信用代码",)),
        Column("name", "企业名称", "全称", "示例建材有限公司"),
        Column("industry_code", "行业代码", "GB/T 4754-2017 小类，4 位数字，如 3011（水泥制造）", "3011"),
        Column("township", "乡镇", "可不填", "城关镇", required=False),
        Column("contact_name", "联系人", "可不填；最多 60 字", "张三", required=False),
        Column("contact_phone", "联系电话", "可不填", "0731-00000000", required=False),
        Column("contact_email", "电子邮箱", "可不填", "energy@example.com", required=False, aliases=("邮箱",)),
    ),
    ("每行一家企业；同一信用代码再次上传会更新名称、行业和联系人。", EXAMPLE_NOTE),
)
METERS = Table(
    "计量器具",
    (
        Column("uscc", "统一社会信用代码", "企业须先登记", "91430224MA4PXXXXXX", aliases=("信用代码",)),
        Column("meter_code", "计量器具编号", "全县唯一", "M-0001", aliases=("表号", "计量器具")),
        Column("carrier", "能源品种", "因子库中的品种代码，如 electricity、natural_gas、raw_coal", "electricity"),
        Column("unit", "单位", "kWh（千瓦时）、MWh、t（吨）、10k_m3（万立方米）等", "kWh"),
        Column("multiplier", "倍率", "可不填，默认 1", "1", required=False),
        Column("calibration_due", "检定有效期", "可不填；日期，如 2026-12-31", "2026-12-31", required=False),
        Column("energy_review_ref", "节能审查文号", "可不填", "", required=False),
        Column("interval_minutes", "采集间隔（分钟）", "可不填，默认 15", "15", required=False),
        Column("is_online", "在线采集", "是/否，可不填（默认是）", "是", required=False),
    ),
    ("每行一台计量器具；已有读数的表不能改变企业、品种、单位或倍率。", EXAMPLE_NOTE),
)
READINGS = Table(
    "计量器具读数",
    (
        Column("meter_code", "计量器具编号", "须为已登记的本企业计量器具", "M-0001", aliases=("表号", "计量器具")),
        Column(
            "reading_time",
            "读数时间",
            "北京时间，如 2024-03-01 00:15 或 2024-03-01T00:15:00+08:00（写了时区按所写时区）",
            "2024-03-01 00:15",
            aliases=("时间",),
        ),
        Column(
            "quantity",
            "读数",
            "该时段的用量（非累计表底），按计量器具登记的单位；非负数，最多 6 位小数",
            "125.5",
            aliases=("数量", "用量"),
        ),  # fmt: skip
    ),
    (
        "每行一条读数：同一计量器具同一时间只能有一个数值。",
        "同一文件再次上传不会重复计入；与已存数值不同的行会列为冲突，不会覆盖。",
        EXAMPLE_NOTE,
    ),
)
CALENDAR = Table(
    "节假日安排",
    (
        Column("date", "日期", "如 2026-10-01", "2026-10-01"),
        Column("workday", "是否上班", "1 或 是（调休上班）；0 或 否（放假）", "0", aliases=("上班",)),
        Column("name", "节日名称", "最多 60 字", "国庆节", aliases=("名称",)),
        Column("source", "依据", "可不填；如国务院办公厅通知文号", "", required=False),
    ),
    ("每行一天；只列放假日和调休上班日，其余按周一至周五计。", EXAMPLE_NOTE),
)
BENCHMARKS = Table(
    "行业碳排放强度基准",
    (
        Column("industry_code", "行业代码", "GB/T 4754-2017 小类（4 位）或大类（2 位）", "3011"),
        Column("year", "起始年份", "自该年起适用", "2025", aliases=("年份",)),
        Column("intensity", "强度", "吨二氧化碳/万元工业增加值，正数", "2.15", aliases=("基准值",)),
        Column("source", "来源", "文件名称或文号", "示例：省发改委通知", aliases=("依据",)),
    ),
    (EXAMPLE_NOTE,),
)
