"""Reading import files (CSV or Excel) into numbered rows, within bounds.

Line numbers count the header as line 1. A file that cannot be read as a table with the required columns, or
that exceeds the bounds of :mod:`carbonpeak.tabular.limits`, is :class:`Unreadable` (exit status 2), refused
before its rows are read where the file says enough (an xlsx's zip directory) and at the first excess row,
column or cell otherwise.

Excel: the zip members' declared sizes and compression ratios are checked with :mod:`zipfile` before openpyxl
opens the file (the declared size also bounds what zipfile will inflate); the sheet is read in openpyxl's
streaming mode with its stated dimension ignored (a forged ``<dimension ref="A1:XFD1048576"/>`` would make
every row 16 384 cells wide); a row with a value beyond ``max_columns`` is refused at once. CSV: UTF-8 (a BOM
is dropped), else GB18030 (what Excel saves on a Chinese Windows); line length and field count bounded.

Headers: a :class:`Table` names each column's key, its Chinese header and other accepted names, so a file with
``计量器具编号`` reads like one with ``meter_code``. A bare list of keys is accepted too (English headers only).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbonpeak.tabular.limits import RATIO_FLOOR, Limits, current


class Unreadable(Exception):
    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


@dataclass(frozen=True)
class Column:
    """One column of an import: ``key`` (the English header and the row's key), ``zh`` (the Chinese header of the
    template), ``note`` (unit or format, in Chinese, for the template's notes), ``example`` (the template's example
    row), ``aliases`` (other accepted headers)."""

    key: str
    zh: str
    note: str = ""
    example: str = ""
    required: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """The columns of one import (and of its downloadable template)."""

    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.required)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def header_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for c in self.columns:
            for n in (c.key, c.zh, *c.aliases):
                names[_fold(n)] = c.key
        return names


_PAREN = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


def _fold(text: str) -> str:
    return text.strip().lower()


def header_key(text: str, names: dict[str, str]) -> str:
    """The key a header cell names: itself, a Chinese header or alias, either line of a two-line header
    (``计量器具编号\\nmeter_code``), or any of these followed by a note in brackets (``读数（实物量）``); else the
    text as it is (optional columns keep their own names)."""
    text = text.strip()
    candidates = [text, *text.split("\n")]
    candidates += [_PAREN.sub("", c) for c in candidates]
    for c in candidates:
        key = names.get(_fold(c))
        if key is not None:
            return key
    return text


def check_header(header: Sequence[str], columns: Sequence[str] | Table) -> list[str]:
    """The header with each cell as its key; Unreadable when a required column is missing."""
    if isinstance(columns, Table):
        names = columns.header_names()
        keys = [header_key(h, names) if h else "" for h in header]
        required = columns.required
        shown = {c.key: f"{c.zh}（{c.key}）" for c in columns.columns}
    else:
        keys = [h.strip() for h in header]
        required = tuple(columns)
        shown = {}
    missing = [c for c in required if c not in keys]
    if not any(keys) or missing:
        cols = missing or list(required)
        raise Unreadable(
            f"缺少列：{'、'.join(shown.get(c, c) for c in cols)}（第 1 行应为表头）",
            f"missing columns: {', '.join(cols)} (line 1 is the header)",
        )
    return keys


def cell_value(v: Any) -> Any:
    """An Excel cell's value as the importer wants it: a date cell (which openpyxl reads as midnight) a date."""
    if isinstance(v, dt.datetime) and v.tzinfo is None and v.time() == dt.time(0):
        return v.date()
    return v


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    v = cell_value(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v).strip()


def split_ids(raw: str | None) -> list[str]:
    """A cell holding several ids separated by ``;`` (or the full-width ``；``): the distinct ids, sorted."""
    return sorted({p.strip() for p in (raw or "").replace("；", ";").split(";") if p.strip()})


def _too_long(line: int, column: int, lim: Limits) -> Unreadable:
    return Unreadable(
        f"第 {line} 行第 {column} 列超过 {lim.max_cell_chars} 个字符",
        f"line {line}, column {column}: longer than {lim.max_cell_chars} characters",
    )


def _too_many_rows(lim: Limits) -> Unreadable:
    return Unreadable(
        f"文件超过 {lim.max_rows} 行数据，请分批上传", f"the file has more than {lim.max_rows} data rows: split it"
    )


def _too_many_columns(line: int, lim: Limits) -> Unreadable:
    return Unreadable(f"第 {line} 行超过 {lim.max_columns} 列", f"line {line} has more than {lim.max_columns} columns")


# --- Excel --------------------------------------------------------------------------------------------------
def check_xlsx(data: bytes, lim: Limits | None = None) -> None:
    """Refuse a zip bomb before anything is inflated: the members' declared sizes (which also bound what zipfile
    inflates) against the total, the shared-strings and the ratio limits."""
    lim = lim or current()
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise Unreadable("无法读取 Excel 文件", "the Excel file cannot be read") from e
    total = 0
    for info in infos:
        total += info.file_size
        ratio_bomb = info.file_size > RATIO_FLOOR and info.file_size > lim.max_ratio * max(info.compress_size, 1)
        strings = info.filename.lower().endswith("sharedstrings.xml") and info.file_size > lim.max_shared_strings
        if ratio_bomb or strings or total > lim.max_uncompressed:
            raise Unreadable(
                "Excel 文件解压后过大（疑似压缩炸弹），已拒绝；请删去多余内容或分批上传",
                "the Excel file inflates to far more than it holds (a zip bomb?) and is refused; "
                "remove what is not needed or split it",
            )


@contextlib.contextmanager
def open_workbook(data: bytes, lim: Limits | None = None) -> Iterator[Any]:
    """A checked workbook in openpyxl's streaming (read-only) mode, closed afterwards."""
    from openpyxl import load_workbook

    check_xlsx(data, lim)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise Unreadable("无法读取 Excel 文件", "the Excel file cannot be read") from e
    try:
        yield wb
    finally:
        wb.close()


def sheet_rows(ws: Any, lim: Limits | None = None, min_row: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(line, values)`` of a read-only sheet, streaming, its stated dimension ignored, bounded in rows, columns
    and cell length (Unreadable at the first excess)."""
    lim = lim or current()
    ws.reset_dimensions()  # each row as wide as its own last cell, not as the (forgeable) dimension says
    for n, values in enumerate(ws.iter_rows(min_row=min_row, values_only=True), start=min_row):
        if n > lim.max_rows + 1:
            raise _too_many_rows(lim)
        if len(values) > lim.max_columns:
            if any(v is not None for v in values[lim.max_columns :]):
                raise _too_many_columns(n, lim)
            values = values[: lim.max_columns]  # (empty styled cells further right)
        for j, v in enumerate(values, start=1):
            if type(v) is str and len(v) > lim.max_cell_chars:
                raise _too_long(n, j, lim)
        yield n, values


def _xlsx_rows(data: bytes, columns: Sequence[str] | Table, lim: Limits) -> Iterator[tuple[int, dict[str, str]]]:
    with open_workbook(data, lim) as wb:
        it = sheet_rows(wb.worksheets[0], lim)
        first = next(it, None)
        header = check_header([cell_text(h) for h in (first[1] if first else ())], columns)
        for n, values in it:
            row = {h: cell_text(v) for h, v in zip(header, values, strict=False) if h}
            if any(row.values()):
                yield n, row


# --- CSV ----------------------------------------------------------------------------------------------------
def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030 (GBK's superset: CSV saved by Excel on a Chinese Windows)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as e:
            raise Unreadable(
                "文件不是 UTF-8 或 GBK（GB18030）编码的 CSV，也不是 xlsx",
                "the file is neither UTF-8 or GBK (GB18030) CSV nor xlsx",
            ) from e
    return text


def _csv_rows(data: bytes, columns: Sequence[str] | Table, lim: Limits) -> Iterator[tuple[int, dict[str, str]]]:
    text = decode_text(data)
    for n, line in enumerate(text.splitlines(), start=1):
        if len(line) > lim.max_line_chars:
            raise Unreadable(
                f"第 {n} 行超过 {lim.max_line_chars} 个字符", f"line {n} is longer than {lim.max_line_chars} characters"
            )
    reader = csv.reader(io.StringIO(text, newline=""))
    header = check_header([h.strip() for h in next(reader, [])[: lim.max_columns + 1]], columns)
    if len(header) > lim.max_columns:
        raise _too_many_columns(1, lim)
    for n, values in enumerate(reader, start=2):
        if n > lim.max_rows + 1:
            raise _too_many_rows(lim)
        if len(values) > lim.max_columns:
            raise _too_many_columns(n, lim)
        row = {}
        for j, (h, v) in enumerate(zip(header, values, strict=False), start=1):
            if len(v) > lim.max_cell_chars:
                raise _too_long(n, j, lim)
            if h:
                row[h] = v.strip()
        if any(row.values()):
            yield n, row


def is_xlsx(data: bytes, name: str = "") -> bool:
    return data[:2] == b"PK" or name.lower().endswith(".xlsx")


def read_rows(
    data: bytes, columns: Sequence[str] | Table, name: str = "", limits: Limits | None = None
) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line, {key: text})``; blank rows are skipped. Raises Unreadable for the file itself
    (including damage found while reading its rows, and any bound exceeded)."""
    lim = limits or current()
    try:
        if is_xlsx(data, name):
            return list(_xlsx_rows(data, columns, lim))
        return list(_csv_rows(data, columns, lim))
    except Unreadable:
        raise
    except Exception as e:
        raise Unreadable("文件已损坏，无法读取", "the file is damaged and cannot be read") from e


def read_file(path: str | Path, columns: Sequence[str] | Table) -> list[tuple[int, dict[str, str]]]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise Unreadable(f"无法打开文件 {path}", f"cannot open {path}: {e.strerror}") from e
    return read_rows(data, columns, str(path))
