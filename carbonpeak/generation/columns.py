"""The columns of the generation-unit import and of its downloadable Chinese template."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

UNITS = Table(
    "并网发电机组",
    (
        Column("unit_id", "机组编号", "本县唯一，如电网公司的并网编号", "CL-PV-0001", aliases=("编号", "并网编号")),
        Column(
            "type",
            "类型",
            "光伏、风电、水电、生物质发电、垃圾焚烧发电、储能（也可写英文代码，见使用说明）",
            "光伏",
            aliases=("机组类型", "电源类型"),
        ),
        Column("township", "乡镇", "机组所在乡镇（街道），最多 60 字", "城关镇", aliases=("所在乡镇",)),
        Column(
            "capacity_mw",
            "装机容量（兆瓦）",
            "兆瓦（MW），正数，最多 4 位小数；1 万千瓦 = 10 兆瓦",
            "6.5",
            aliases=("装机容量", "容量", "capacity"),
        ),
        Column("connected_on", "并网日期", "北京时间的日期，如 2025-06-30", "2025-06-30", aliases=("并网时间",)),
        Column(
            "retired_on",
            "退役日期",
            "可不填；北京时间的日期，须晚于并网日期（退役当天起不再计入）",
            "",
            required=False,
            aliases=("退役时间",),
        ),
        Column(
            "project_code",
            "所属项目编码",
            "可不填；方案重大项目的编码，如 P01.1",
            "P01.1",
            required=False,
            aliases=("项目编码", "所属项目"),
        ),
        Column("owner", "业主", "可不填；最多 100 字", "示例新能源有限公司", required=False, aliases=("业主单位",)),
    ),
    (
        "每行一台并网机组（或一个并网点）；同一机组编号再次上传且内容相同不会重复计入。",
        "同一编号内容不同的行列为冲突，不会覆盖；确需修改请勾选“更新已登记机组”（命令行 --update），修改留有审计记录。",
        "年末新能源装机 = 当年 12 月 31 日及以前并网、且未在当日及以前退役的机组容量之和（不含储能），以万千瓦计。",
        "第 2 行是示例，上传前请改写或删除。",
    ),
)
