"""The columns of the construction-waste imports: English keys, the Chinese headers of the downloadable templates
(both accepted on upload) and the templates' notes. The rules of each import live in ``services``."""

from __future__ import annotations

from carbonpeak.tabular import Column, Table

EXAMPLE_NOTE = "第 2 行是示例，上传前请改写或删除。"
TIME_NOTE = "北京时间，如 2026-03-02 08:15；写了时区按所写时区"
SAME_AGAIN = "同一文件再次上传不会重复计入；编号相同而内容不同的行列为冲突，不会覆盖。"
COORDS = (
    Column("lat", "纬度", "可不填；WGS-84 十进制度，如 26.79；用于路线偏离检查", "26.7920", required=False),
    Column("lon", "经度", "可不填；WGS-84 十进制度，如 113.54", "113.5460", required=False),
)

SITES = Table(
    "建筑工地",
    (
        Column("site_id", "工地编号", "全县唯一", "GD-001", aliases=("编号",)),
        Column("name", "项目名称", "最多 200 字", "示例安置小区一期"),
        Column("township", "乡镇", "可不填", "云阳街道"),
        Column("builder", "施工单位", "全称", "示例建设有限公司"),
        Column("permit_no", "施工许可证号", "住建部门核发", "430224202601010101"),
        Column("address", "地址", "可不填", "示例路 1 号", required=False),
        *COORDS,
    ),
    ("每行一个工地。", SAME_AGAIN, EXAMPLE_NOTE),
)
CARRIERS = Table(
    "运输企业",
    (
        Column("carrier_id", "运输企业编号", "全县唯一", "YS-01", aliases=("编号",)),
        Column("name", "企业名称", "全称", "示例渣土运输有限公司"),
        Column("licence_no", "运输许可证号", "城管部门核发的建筑垃圾运输许可", "茶城管运字〔2026〕1号"),
        Column("licence_valid_until", "许可有效期至", "日期，如 2026-12-31（北京日期，当日仍有效）", "2026-12-31"),
    ),
    ("每行一家运输企业；许可续期请用「更新」方式上传。", SAME_AGAIN, EXAMPLE_NOTE),
)
VEHICLES = Table(
    "运输车辆",
    (
        Column("plate", "车牌号", "如 湘B12345", "湘B12345", aliases=("车牌",)),
        Column("carrier_id", "运输企业编号", "须为已登记的运输企业", "YS-01"),
        Column("capacity_t", "核定载重（吨）", "正数，最多 3 位小数", "18"),
    ),
    ("每行一辆车。", SAME_AGAIN, EXAMPLE_NOTE),
)
DESTINATIONS = Table(
    "处置场所",
    (
        Column("destination_id", "处置场所编号", "全县唯一", "XN-01", aliases=("编号",)),
        Column("name", "名称", "全称", "示例建筑垃圾消纳场"),
        Column("kind", "类型", "消纳场（landfill）、资源化利用厂（recycling）或中转站（transfer）", "消纳场"),
        Column("capacity_t_per_year", "核准处置能力（吨/年）", "非负数", "300000"),
        *COORDS,
    ),
    ("每行一个处置场所。", SAME_AGAIN, EXAMPLE_NOTE),
)
PERMITS = Table(
    "处置核准",
    (
        Column("permit_id", "核准编号", "同一核准的各类别各占一行", "HZ-2026-001"),
        Column("site_id", "工地编号", "须为已登记的工地", "GD-001"),
        Column("category", "类别", "工程渣土、工程泥浆、工程垃圾、拆除垃圾或装修垃圾", "工程渣土"),
        Column("permitted_t", "核准量（吨）", "该类别的核准处置量，非负数", "12000"),
        Column("valid_from", "有效期自", "日期，如 2026-01-01", "2026-01-01"),
        Column("valid_until", "有效期至", "日期，如 2026-12-31", "2026-12-31"),
        Column("carrier_ids", "核准运输企业", "运输企业编号，多个用英文分号 ; 分隔", "YS-01;YS-02"),
        Column("destination_ids", "核准处置场所", "处置场所编号，多个用英文分号 ; 分隔", "XN-01"),
    ),
    ("每行一个核准的一个类别。", SAME_AGAIN, EXAMPLE_NOTE),
)
MANIFESTS = Table(
    "运输联单",
    (
        Column("manifest_id", "联单编号", "全县唯一", "LD-20260302-0001", aliases=("联单号",)),
        Column("permit_id", "核准编号", "须为已登记的核准", "HZ-2026-001"),
        Column("plate", "车牌号", "如 湘B12345", "湘B12345", aliases=("车牌",)),
        Column("category", "类别", "与核准的类别之一相同", "工程渣土"),
        Column("departed_at", "出场时间", TIME_NOTE, "2026-03-02 08:15"),
        Column("est_t", "预估装载量（吨）", "非负数，最多 3 位小数", "16.5"),
        Column("destination_id", "处置场所编号", "须为已登记的处置场所", "XN-01"),
    ),
    ("每行一车次。", SAME_AGAIN, EXAMPLE_NOTE),
)
RECEIPTS = Table(
    "过磅单",
    (
        Column("receipt_id", "过磅单编号", "全县唯一", "BD-20260302-0001", aliases=("磅单号",)),
        Column("manifest_id", "联单编号", "须为已登记的联单", "LD-20260302-0001", aliases=("联单号",)),
        Column("destination_id", "处置场所编号", "过磅的场所", "XN-01"),
        Column("arrived_at", "到场时间", TIME_NOTE, "2026-03-02 09:05"),
        Column("net_t", "净重（吨）", "非负数，最多 3 位小数", "16.12"),
    ),
    ("每行一张过磅单。", SAME_AGAIN, EXAMPLE_NOTE),
)
GPS = Table(
    "车辆定位",
    (
        Column("plate", "车牌号", "如 湘B12345", "湘B12345", aliases=("车牌",)),
        Column("time", "定位时间", TIME_NOTE, "2026-03-02 08:16:00", aliases=("时间",)),
        Column("lat", "纬度", "WGS-84 十进制度", "26.7925"),
        Column("lon", "经度", "WGS-84 十进制度", "113.5471"),
        Column("speed_kmh", "速度（千米/时）", "非负数", "32.5", aliases=("速度",)),
    ),
    ("每行一个定位点；同一车辆同一时间只能有一个位置。", SAME_AGAIN, EXAMPLE_NOTE),
)

TABLES: dict[str, Table] = {
    "sites": SITES,
    "carriers": CARRIERS,
    "vehicles": VEHICLES,
    "destinations": DESTINATIONS,
    "permits": PERMITS,
    "manifests": MANIFESTS,
    "receipts": RECEIPTS,
    "gps": GPS,
}
