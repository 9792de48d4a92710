"""The activity-data workbook: a template to fill in (pre-filled with a year's current data) and its reader.

Sheets: 活动数据 (one row a line; header in row 1, so an error on row n is "line n"), 年度参数 (key in column
B, value in column C), 代码表 (the codes the drop-downs offer), 说明 (how to fill it in).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.accounting.choices import Flow, Notation, Purpose
from carbonpeak.accounting.fetch import core_factor_set
from carbonpeak.accounting.models import Inventory
from carbonpeak.accounting.services import LINE_FIELDS, PARAM_FIELDS
from carbonpeak.core import accounts, units
from carbonpeak.percent import fraction_to_percent, percent_to_fraction
from carbonpeak.tabular import Unreadable, cell_value, open_workbook, sheet_rows
from carbonpeak.tabular.writing import workbook_bytes
from carbonpeak.validation import Issue, ValidationFailed

SHEET_LINES = "活动数据"
SHEET_PARAMS = "年度参数"
SHEET_CODES = "代码表"
SHEET_HELP = "说明"
LINE_HEADERS = {
    "sector": "部门代码",
    "carrier": "能源品种",
    "flow": "流向",
    "purpose": "用途",
    "unit": "单位",
    "quantity": "数量",
    "notation": "标注键",
    "source": "数据来源",
}
PARAM_LABELS = {
    "grid": ("电网因子序列", "如 prov.hunan"),
    "gdp_10k_yuan": ("地区生产总值（基准年不变价）", "万元"),
    "gdp_current_10k_yuan": ("地区生产总值（当年价）", "万元"),
    "population": ("常住人口", "人"),
    "coal_equivalent_kgce_per_kwh": ("当年供电煤耗（等价值折算）", "kgce/kWh，如 0.300"),
    "sink_tco2": ("碳汇量", "tCO2（正数）"),
    "inflow_nonfossil_share": ("调入电力中非化石电力比重", "%，不填则不计"),
}
#: parameters that are shares: the template shows and takes percent (35 for 35 %), the inventory keeps 0.35
PERCENT_PARAMS = ("inflow_nonfossil_share",)
PERCENT_MARK = "（%）"
MAX_BYTES = 10 * 1024 * 1024
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_workbook(inv: Inventory) -> bytes:
    fs = core_factor_set(inv.factor_set)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_LINES
    ws.append([f"{LINE_HEADERS[k]}\n{k}" for k in LINE_FIELDS])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 32
    for x in inv.lines.all().order_by("sector", "carrier", "flow", "purpose"):
        ws.append([x.sector, x.carrier, x.flow, x.purpose, x.unit, x.quantity, x.notation or None, x.source or None])
    for i, w in enumerate((16, 16, 22, 14, 10, 16, 8, 30), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"

    codes = wb.create_sheet(SHEET_CODES)
    sectors = list(accounts.sectors().values())
    carriers = sorted(fs.carriers)
    columns = [
        (
            "部门代码 sector",
            [s.code for s in sectors],
            [f"{s.name_zh}（{s.gb4754}）" if s.gb4754 else s.name_zh for s in sectors],
        ),
        ("能源品种 carrier", carriers, [_carrier_name(fs, c) for c in carriers]),
        ("流向 flow", list(Flow.values), [str(x.label) for x in Flow]),
        ("用途 purpose", list(Purpose.values), [str(x.label) for x in Purpose]),
        ("单位 unit", list(units.QUANTITY_UNITS), [units.QUANTITY_UNITS[u][0] for u in units.QUANTITY_UNITS]),
        ("标注键 notation", list(Notation.values), [str(x.label) for x in Notation]),
    ]
    validations = {}
    for j, (title, values, names) in enumerate(columns):
        col, name_col = get_column_letter(2 * j + 1), get_column_letter(2 * j + 2)
        codes[f"{col}1"] = title
        codes[f"{name_col}1"] = "名称"
        codes[f"{col}1"].font = codes[f"{name_col}1"].font = Font(bold=True)
        for i, (v, n) in enumerate(zip(values, names, strict=True), start=2):
            codes[f"{col}{i}"] = v
            codes[f"{name_col}{i}"] = n
        codes.column_dimensions[col].width = 18
        codes.column_dimensions[name_col].width = 30
        validations[j] = f"'{SHEET_CODES}'!${col}$2:${col}${len(values) + 1}"
    for j, field in enumerate(("sector", "carrier", "flow", "purpose", "unit", "notation")):
        letter = get_column_letter(LINE_FIELDS.index(field) + 1)
        dv = DataValidation(type="list", formula1=validations[j], allow_blank=True, showErrorMessage=True)
        dv.error = "请从代码表选择 / choose a code from 代码表"
        dv.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(dv)

    ps = wb.create_sheet(SHEET_PARAMS)
    ps.append(["参数", "key", "数值 value", "单位与说明"])
    for c in ps[1]:
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
    for k in PARAM_FIELDS:
        label, hint = PARAM_LABELS[k]
        value = getattr(inv, k) if getattr(inv, k) not in ("", None) else None
        if k in PERCENT_PARAMS:
            label += PERCENT_MARK
            value = None if value is None else Decimal(fraction_to_percent(value))
        ps.append([label, k, value, hint])
    for col, w in zip("ABCD", (30, 30, 18, 30), strict=True):
        ps.column_dimensions[col].width = w

    hs = wb.create_sheet(SHEET_HELP)
    for line in _help(inv):
        hs.append([line])
    hs.column_dimensions["A"].width = 110
    return workbook_bytes(wb)


def _carrier_name(fs: Any, carrier: str) -> str:
    for fam in ("tce", "ncv", "ef_co2"):
        f = fs.get(f"{fam}.{carrier}")
        if f is not None and f.name_zh:
            return f.name_zh.replace("低位发热量", "")
    return {"electricity": "电力", "heat": "热力"}.get(carrier, carrier)


def _help(inv: Inventory) -> list[str]:
    return [
        f"{inv.plan.county} {inv.year} 年能源活动数据（因子库 {inv.factor_set.version}）",
        "",
        "1. “活动数据”表一行一条：部门代码 + 能源品种 + 流向 + 用途 唯一确定一行；同一文件中不能重复。",
        "2. 数量填实物量，单位从代码表选（t、10k_t、10k_m3、MWh、GJ 等）；折标煤和排放由平台按因子库计算。",
        "3. 没有数据时不要填 0：数量留空，在“标注键”填 NO（不发生）、NE（未估算）、IE（已计入其他项）或 C（保密）。",
        "4. 流向：终端部门只填 final；energy.* 部门可填加工转换投入/产出、一次能源生产、调入、调出、损失。",
        "5. 用途：原料用能填 feedstock（计入能耗、不计燃烧排放）；本地可再生电力生产行填 renewable 或 new_renewable。",
        "6. “年度参数”表填 GDP（基准年不变价）、人口、供电煤耗、碳汇等。",
        "7. 上传后逐行报告错误（行号、字段、原因），正确的行会保存；同一文件再次上传不会改变任何数据。",
        "",
        "Rows: sector + carrier + flow + purpose identify a row. Leave quantity empty and give a notation key",
        "(NO/NE/IE/C) where data is missing. Errors are reported per row; good rows are kept; re-uploading the",
        "same file changes nothing.",
    ]


def read_workbook(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, Any]]]:
    """(line rows, parameter rows) of an uploaded workbook; any damage inside the file is one clear error."""
    try:
        return _read_workbook(data)
    except ValidationFailed:
        raise
    except Exception as e:  # a corrupt sheet (XML parse errors and the like) is the file's problem, not a 500
        raise ValidationFailed(
            [Issue("unreadable", "file", "文件已损坏，无法读取工作表", "the workbook is damaged and cannot be read")]
        ) from e


def _read_workbook(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, Any]]]:
    """(line rows, parameter rows) of an uploaded workbook. A file that is not a readable workbook with the
    活动数据 sheet raises ValidationFailed (nothing is imported)."""

    def fail(code: str, zh: str, en: str) -> ValidationFailed:
        return ValidationFailed([Issue(code, "file", zh, en)])

    if len(data) > MAX_BYTES:
        raise fail("too_large", "文件超过 10 MB", "the file is larger than 10 MB")
    if not data.startswith(b"PK"):
        raise fail(
            "unreadable",
            "无法读取：请上传 .xlsx 文件（可先下载模板）",
            "unreadable: upload an .xlsx file (download the template)",
        )
    try:
        with open_workbook(data) as wb:
            return _sheets(wb, fail)
    except Unreadable as u:
        raise fail("unreadable", u.message_zh, u.message_en) from u


def _sheets(wb: Any, fail: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, Any]]]:
    if SHEET_LINES not in wb.sheetnames:
        raise fail("missing_sheet", f"缺少“{SHEET_LINES}”工作表", f"the sheet {SHEET_LINES} is missing")
    it = sheet_rows(wb[SHEET_LINES])
    first = next(it, None)
    if first is None:
        raise fail("empty", "“活动数据”表为空", "the 活动数据 sheet is empty")
    fields: list[str | None] = []
    by_label = {v: k for k, v in LINE_HEADERS.items()}
    for h in first[1]:
        s = str(h or "").strip()
        key = s.split("\n")[-1].strip() if "\n" in s else s
        fields.append(key if key in LINE_FIELDS else by_label.get(s.split("\n")[0].strip()))
    missing = [k for k in ("sector", "carrier", "unit", "quantity") if k not in fields]
    if missing:
        raise fail("missing_column", f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}")
    rows = []
    for n, values in it:
        row = {f: cell_value(v) for f, v in zip(fields, values, strict=False) if f is not None}
        if all(v in (None, "") for v in row.values()):
            continue
        rows.append((n, row))
    params: list[tuple[int, str, Any]] = []
    if SHEET_PARAMS in wb.sheetnames:
        for n, values in sheet_rows(wb[SHEET_PARAMS], min_row=2):
            if len(values) < 3 or values[1] in (None, ""):
                continue
            key, value = str(values[1]).strip(), cell_value(values[2])
            # a template that says （%） beside the label holds percent; older ones (0–1) are read as they were
            if key in PERCENT_PARAMS and PERCENT_MARK in str(values[0] or "") and value not in (None, ""):
                value = percent_to_fraction(value)
            params.append((n, key, value))
    return rows, params
