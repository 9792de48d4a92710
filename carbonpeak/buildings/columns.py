"""The columns of the building imports (registry, completions, bills): English keys, the Chinese headers of the
downloadable templates (both accepted on upload) and the notes the templates carry. The rules stay in
``services``."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"
USE_NOTE = (
    "residential 居住、office 办公、commercial 商场、hotel 宾馆饭店、hospital 医疗卫生、school 教育、"
    "other_public 其他公共建筑（英文代码或中文均可）"
)
OWNERSHIP_NOTE = "government 政府投资、public_institution 公共机构、private 社会投资（英文代码或中文均可）"
LEVEL_NOTE = "none 非绿色、basic 基本级、one_star 一星级、two_star 二星级、three_star 三星级"

BUILDINGS = Table(
    "建筑名录",
    (
        Column("building_id", "建筑编号", "全县唯一", "JZ-0001", aliases=("编号",)),
        Column("name", "建筑名称", "最多 200 字", "县政府办公楼", aliases=("名称",)),
        Column("township", "乡镇（街道）", "", "云阳街道", aliases=("乡镇",)),
        Column("use", "建筑用途", USE_NOTE, "office", aliases=("用途",)),
        Column("ownership", "产权性质", OWNERSHIP_NOTE, "government"),
        Column("floor_area_m2", "建筑面积（m²）", "正数，最多 2 位小数", "12000", aliases=("建筑面积",)),
        Column("address", "地址", "可不填", "", required=False),
        Column("floors", "层数", "可不填；整数", "8", required=False),
        Column("year_built", "建成年份", "可不填；如 2008", "2008", required=False),
        Column("hvac", "供暖空调系统", "可不填；如 分体空调、多联机", "", required=False),
        Column("star_level", "绿色建筑星级", "可不填；" + LEVEL_NOTE, "none", required=False),
        Column("star_certificate", "标识证书编号", "可不填", "", required=False),
        Column("star_certified_on", "标识日期", "可不填；如 2023-06-30", "", required=False),
        Column("prefab", "装配式建筑", "可不填；true/false 或 是/否", "false", required=False),
        Column("assembly_rate_pct", "装配率（%）", "可不填；0–100", "", required=False),
        Column("pv_kw", "屋顶光伏装机（kW）", "可不填", "", required=False),
        Column("roof_area_m2", "屋顶面积（m²）", "可不填", "1500", required=False),
        Column("occupants", "用能人数", "可不填；公共机构按编制和常驻人数", "260", required=False),
    ),
    (
        "每行一栋建筑；同一编号再次上传内容相同则计为重复，内容不同列为冲突",
        "（加 --update 或在页面勾选“更新”才会修改）。",
        EXAMPLE_NOTE,
    ),
)
COMPLETIONS = Table(
    "竣工验收",
    (
        Column("project_id", "项目编号", "全县唯一", "XM-2025-001", aliases=("项目",)),
        Column(
            "completed_on",
            "竣工验收日期",
            "日期（2025-06-30）或带时区的时间（2025-12-31T16:30:00Z）；按北京时间的日期定年份",
            "2025-06-30",
            aliases=("竣工日期",),
        ),
        Column("floor_area_m2", "竣工面积（m²）", "正数，最多 2 位小数", "8600", aliases=("竣工面积",)),
        Column("civil", "民用建筑", "true 民用 / false 工业（或 是/否）", "true"),
        Column("green_level", "绿色建筑等级", LEVEL_NOTE, "basic"),
        Column("prefab", "装配式建筑", "true/false 或 是/否", "false"),
        Column("permit_no", "施工许可证号", "可不填", "", required=False),
        Column("permit_on", "施工许可日期", "可不填；如 2023-05-10，不晚于竣工验收日期", "", required=False),
        Column("building_ids", "建筑编号", "可不填；多个用分号分隔", "", required=False),
    ),
    (
        "每行一个项目的竣工验收；同一项目编号再次上传内容相同则计为重复，内容不同列为冲突（需 --update）。",
        "已审定年份的竣工记录不能修改，请先退回该年。",
        EXAMPLE_NOTE,
    ),
)
BILLS = Table(
    "能源账单",
    (
        Column("building_id", "建筑编号", "须为已登记的建筑", "JZ-0001", aliases=("编号",)),
        Column("month", "月份", "如 2025-03", "2025-03"),
        Column(
            "carrier",
            "能源品种",
            "因子库中的品种代码，如 electricity、natural_gas；光伏发电量写 pv_generation",
            "electricity",
        ),
        Column("unit", "单位", "kWh、MWh、m3、10k_m3、t 等", "kWh"),
        Column("quantity", "用量", "非负数，最多 6 位小数", "152000", aliases=("数量",)),
    ),
    ("每行一栋建筑一个月一种能源；同一月份同一品种再次上传内容不同列为冲突（需 --update）。", EXAMPLE_NOTE),
)
