"""The columns of the sink imports: English keys, the Chinese headers of the downloadable templates (both
accepted on upload) and the templates' notes."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"

FOREST = Table(
    "森林资源数据",
    (
        Column("year", "年份", "数据年度，如 2025", "2025", aliases=("年度",)),
        Column("township", "乡镇", "乡镇（街道）名称；一年的数据须覆盖全县", "示例镇"),
        Column(
            "land_class",
            "地类",
            "乔木林地、竹林地、国家特别规定灌木林地、其他灌木林地、疏林地、未成林造林地、非林地（或英文代码）",
            "乔木林地",
        ),
        Column(
            "species_group",
            "树种组",
            "乔木林地必填：杉木、马尾松、栎类、阔叶混交林……或 other（其他树种）；其他地类可不填",
            "杉木",
            required=False,
            aliases=("优势树种组",),
        ),
        Column("area_ha", "面积（公顷）", "非负数，最多 4 位小数", "1200.5", aliases=("面积",)),
        Column("stock_m3", "蓄积量（立方米）", "非负数；无蓄积填 0", "96000", aliases=("蓄积量", "活立木蓄积量")),
        Column("compartment", "小班号", "可不填；按小班上报时填写，同一乡镇地类树种组内唯一", "", required=False),
    ),
    (
        "每行一个乡镇的一个地类（乔木林地再按树种组，可再按小班）；土地面积为全县各行面积之和。",
        "同一文件再次上传不会重复计入；与已存数值不同的行列为冲突，除非选择“整年替换”。",
        EXAMPLE_NOTE,
    ),
)

HARVEST = Table(
    "采伐与生长",
    (
        Column("year", "年份", "", "2025"),
        Column("species_group", "树种组", "杉木、马尾松……", "杉木"),
        Column("growth_rate", "蓄积年生长率", "小数或百分数，如 0.045 或 4.5%", "4.5%"),
        Column("harvest_m3", "采伐消耗量（立方米）", "非负数", "12000", aliases=("采伐量",)),
        Column("source", "数据来源", "可不填", "", required=False),
    ),
    (EXAMPLE_NOTE,),
)

ECO = Table(
    "湿地与农田碳汇登记",
    (
        Column("year", "年份", "", "2025"),
        Column("township", "乡镇", "", "示例镇"),
        Column("kind", "类别", "小微湿地 或 保护性耕作", "小微湿地"),
        Column("name", "名称", "同一乡镇同一年唯一", "示例村小微湿地"),
        Column("area_ha", "面积（公顷）", "非负数，最多 4 位小数", "3.5", aliases=("面积",)),
    ),
    (EXAMPLE_NOTE,),
)
