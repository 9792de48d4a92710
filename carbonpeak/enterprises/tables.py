"""Reading import files (CSV or Excel) into numbered rows; the script contract's report and exit status.

Line numbers count the header as line 1. A file that cannot be read as a table with the required columns is
:class:`Unreadable` (exit status 2); rejected rows give exit status 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


class Unreadable(Exception):
    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime) and v.tzinfo is None and v.time() == dt.time(0):
        return v.date().isoformat()  # Excel keeps a date cell as midnight: a date column gets its date
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v).strip()


def read_rows(data: bytes, required: Sequence[str], name: str = "") -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line, {column: text})``; blank rows are skipped. Raises Unreadable for the file itself
    (including damage found while reading its rows)."""
    try:
        return list(_iter_rows(data, required, name))
    except Unreadable:
        raise
    except Exception as e:
        raise Unreadable("文件已损坏，无法读取", "the file is damaged and cannot be read") from e


def _iter_rows(data: bytes, required: Sequence[str], name: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    is_xlsx = data[:2] == b"PK" or name.lower().endswith(".xlsx")
    if is_xlsx:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
            raise Unreadable("无法读取 Excel 文件", "the Excel file cannot be read") from e
        it = wb.worksheets[0].iter_rows(values_only=True)
        header = [_cell(h) for h in next(it, ())]
        _check_header(header, required)
        for n, values in enumerate(it, start=2):
            row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
            if any(row.values()):
                yield n, row
        wb.close()
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Unreadable("文件不是 UTF-8 编码的 CSV 或 xlsx", "the file is neither UTF-8 CSV nor xlsx") from e
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    _check_header(header, required)
    for n, values in enumerate(reader, start=2):
        row = {h: (v or "").strip() for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):
            yield n, row


def _check_header(header: list[str], required: Sequence[str]) -> None:
    missing = [c for c in required if c not in header]
    if not header or missing:
        raise Unreadable(
            f"缺少列：{', '.join(missing or required)}（第 1 行应为表头）",
            f"missing columns: {', '.join(missing or required)} (line 1 is the header)",
        )


def read_file(path: str | Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise Unreadable(f"无法打开文件 {path}", f"cannot open {path}: {e.strerror}") from e
    return list(read_rows(data, required, str(path)))


class Report:
    """``{"accepted", "duplicates", "rejected": [{"line", "field", "message"}]}`` (the script contract)."""

    def __init__(self) -> None:
        self.accepted = 0
        self.duplicates = 0
        self.rejected: list[dict[str, Any]] = []

    def reject(self, line: int | None, field: str, zh: str, en: str) -> None:
        self.rejected.append({"line": line, "field": field, "message": f"{zh} / {en}"})

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": sorted(self.rejected, key=lambda r: (r["line"] is None, r["line"] or 0)),
        }

    @property
    def exit_status(self) -> int:
        return 1 if self.rejected else 0
