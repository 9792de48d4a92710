"""The exchange document ``carbonpeak.exchange/1``: a county's approved annual inventory and its key energy
users' approved annual accounts, for the city's and the province's platforms (docs/zh/exchange.md).

One document, two spellings that carry the same content:

- JSON: canonical (keys sorted, lists in a fixed order, two-space-free ``indent=1``, UTF-8, a final newline),
  every quantity that the database keeps exactly (Decimal) written as a string; the frozen results travel as
  they were approved. The same content always gives the same bytes, so a file exported, imported elsewhere
  and exported again is byte-identical.
- Excel: readable sheets (活动数据, 重点用能单位) for people, and the sheet 数据 that holds every node of the
  document as a row (JSON Pointer, type, JSON value): the lossless carrier an import reads.

The schema (``carbonpeak/data/exchange.schema.json``) is shipped and checked on import.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from carbonpeak.tabular import Unreadable

SCHEMA = "carbonpeak.exchange/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "exchange.schema.json"
DATA_SHEET = "数据"
DATA_HEADER = ("路径 path", "类型 type", "值 value")
LINE_HEADER = (
    ("sector", "部门"),
    ("carrier", "能源品种"),
    ("flow", "流向"),
    ("purpose", "用途"),
    ("unit", "单位"),
    ("quantity", "数量"),
    ("notation", "标注键"),
    ("source", "数据来源"),
)
USER_HEADER = (
    ("uscc", "统一社会信用代码"),
    ("name", "名称"),
    ("industry_code", "行业代码"),
    ("key_energy_user", "重点用能单位"),
    ("energy_tce", "综合能耗（tce，等价值以外的当量口径）"),
    ("co2_t", "二氧化碳排放（tCO2）"),
    ("value_added_10k_yuan", "工业增加值（万元）"),
    ("grade", "碳效等级"),
    ("factor_set", "因子库版本"),
    ("version", "账户版本"),
)


def dec(v: Any) -> str | None:
    """A database Decimal as its exact, spelling-independent text (``1000000.000000`` → ``1000000``)."""
    if v is None:
        return None
    d = Decimal(v) if not isinstance(v, Decimal) else v
    return format(d.normalize(), "f") if d else "0"


def canonical_bytes(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def sha256(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(doc)).hexdigest()


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def check(doc: Any) -> list[tuple[str, str, str]]:
    """Schema problems as (field path, zh, en); empty when the document is valid."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    out = []
    validator = Draft202012Validator(schema())
    for top in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        e = best_match([top])  # inside "object or null": the object's own error, not "is not valid under any"
        path = "/" + "/".join(str(p) for p in e.absolute_path)
        out.append((path, f"{path}：不符合交换格式 {SCHEMA}（{e.message}）", f"{path}: not {SCHEMA} ({e.message})"))
    return out


# --- reading ---------------------------------------------------------------------------------------------
def read(data: bytes, name: str = "") -> dict[str, Any]:
    """The document of a JSON or Excel exchange file (by content: an xlsx is a zip). Unreadable on failure."""
    if data[:2] == b"PK":
        return from_xlsx(data)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Unreadable(
            f"{name or '文件'} 不是 JSON 或 Excel 交换文件",
            f"{name or 'the file'} is not a JSON or Excel exchange file: {e}",
        ) from e


# --- Excel -------------------------------------------------------------------------------------------------
def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _nodes(value: Any, path: str = ""):
    """Every node in document order: (JSON Pointer, type, JSON text of a scalar or '')."""
    if isinstance(value, dict):
        yield path, "object", ""
        for k in sorted(value):
            yield from _nodes(value[k], f"{path}/{_escape(str(k))}")
    elif isinstance(value, list):
        yield path, "array", ""
        for i, v in enumerate(value):
            yield from _nodes(v, f"{path}/{i}")
    else:
        yield path, "value", json.dumps(value, ensure_ascii=False)


def to_xlsx(doc: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from carbonpeak.tabular.writing import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    county = doc["county"]
    for row in (
        ("格式版本 schema", doc["schema"]),
        ("县（市、区）county", county["county"]),
        ("编码 code", county["code"]),
        ("行政区划代码 division code", county["division_code"]),
        ("省 province", county["province"]),
        ("年份 year", str(doc["year"])),
        ("说明 note", "“数据”工作表逐项记录交换文件的全部内容，导入时以该表为准；其余工作表供阅读。"),
        (
            "note",
            "The sheet 数据 holds every field of the document and is what an import reads; the others are for reading.",
        ),
    ):
        ws.append(row)
    inv = doc.get("inventory")
    ws = wb.create_sheet("活动数据")
    ws.append([f"{zh} {en}" for en, zh in LINE_HEADER])
    for line in (inv or {}).get("lines", []):
        ws.append(["" if line[k] is None else str(line[k]) for k, _ in LINE_HEADER])
    ws = wb.create_sheet("重点用能单位")
    ws.append([f"{zh} {en}" for en, zh in USER_HEADER])
    for u in doc["key_users"]:
        a = u["account"]
        src = {**u, **a, "key_energy_user": "是" if u["key_energy_user"] else "否"}
        ws.append(["" if src.get(k) is None else str(src[k]) for k, _ in USER_HEADER])
    ws = wb.create_sheet(DATA_SHEET)
    ws.append(DATA_HEADER)
    for path, kind, text in _nodes(doc):
        ws.append((path or "/", kind, text))
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    return workbook_bytes(wb)


def from_xlsx(data: bytes) -> dict[str, Any]:
    from carbonpeak.tabular import open_workbook, sheet_rows

    with open_workbook(data) as wb:
        if DATA_SHEET not in wb.sheetnames:
            raise Unreadable(f"缺少工作表“{DATA_SHEET}”", f"the sheet {DATA_SHEET} is missing")
        return _rebuild(sheet_rows(wb[DATA_SHEET], min_row=2))


def _rebuild(rows) -> dict[str, Any]:
    root: Any = None
    nodes: dict[str, Any] = {}
    for n, row in rows:
        path, kind, text = (list(row) + [None, None, None])[:3]
        if path is None and kind is None:
            continue
        path = "" if path == "/" else str(path or "")
        try:
            if kind == "object":
                value: Any = {}
            elif kind == "array":
                value = []
            elif kind == "value":
                value = json.loads(str(text if text is not None else ""))
            else:
                raise ValueError(f"type {kind!r}")
            if path == "":
                root = value
            else:
                parent_path, _, token = path.rpartition("/")
                parent = nodes[parent_path]
                if isinstance(parent, list):
                    if int(token) != len(parent):
                        raise ValueError(f"index {token}")
                    parent.append(value)
                else:
                    parent[_unescape(token)] = value
            nodes[path] = value
        except (KeyError, ValueError, TypeError) as e:
            raise Unreadable(
                f"“{DATA_SHEET}”工作表第 {n} 行无法读取", f"sheet {DATA_SHEET} line {n} cannot be read: {e}"
            ) from e
    if not isinstance(root, dict):
        raise Unreadable(f"“{DATA_SHEET}”工作表没有内容", f"the sheet {DATA_SHEET} is empty")
    return root
