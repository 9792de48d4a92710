"""The tabular module: hostile workbooks and CSV files are refused early with bounded memory, honest ones read
(Chinese or English headers, GBK CSV); the grouped report; every export neutralises formula-like text."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from carbonpeak.enterprises.columns import READINGS
from carbonpeak.tabular import Limits, Report, Unreadable, read_rows
from carbonpeak.tabular.writing import csv_bytes, neutralise, template_bytes, workbook_bytes

MB = 1024 * 1024


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with ``xl/worksheets/sheet1.xml`` changed (what an attacker does by hand)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            z.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        try:
            out = fn()
        except Unreadable as u:
            out = u
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


HONEST = _xlsx([("meter_code", "reading_time", "quantity"), ("M-1", "2024-03-01 00:15", 12.5)])


def test_a_forged_dimension_is_ignored_and_costs_nothing():
    forged = _rewrite_sheet(
        HONEST, lambda b: b.replace(b'<dimension ref="A1:C2" />', b'<dimension ref="A1:XFD1048576"/>')
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(forged)).read("xl/worksheets/sheet1.xml")
    rows, peak = _peak(lambda: read_rows(forged, READINGS, "r.xlsx"))
    assert rows == [(2, {"meter_code": "M-1", "reading_time": "2024-03-01 00:15", "quantity": "12.5"})]
    assert peak < 5 * MB  # (16 384 × 1 048 576 cells were stated)


def test_a_cell_far_to_the_right_or_far_down_is_refused_before_the_rows_are_padded():
    wide = _rewrite_sheet(
        HONEST, lambda b: b.replace(b"</row></sheetData>", b'<c r="XFD2"><v>1</v></c></row></sheetData>')
    )
    out, peak = _peak(lambda: read_rows(wide, READINGS, "r.xlsx"))
    assert isinstance(out, Unreadable) and "超过 60 列" in out.message_zh and "60 columns" in out.message_en
    assert peak < 5 * MB
    deep = _rewrite_sheet(
        HONEST, lambda b: b.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>')
    )
    out, peak = _peak(lambda: read_rows(deep, READINGS, "r.xlsx", Limits(max_rows=1000)))
    assert isinstance(out, Unreadable) and "超过 1000 行" in out.message_zh and "split it" in out.message_en
    assert peak < 5 * MB


def test_a_zip_bomb_is_refused_before_openpyxl_inflates_it():
    # 64 MB of repeated rows that pack into a few hundred KB: refused from the zip directory alone
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    bomb = _rewrite_sheet(HONEST, lambda b: b.replace(b"</sheetData>", row * 64_000 + b"</sheetData>"))
    assert len(bomb) < 1 * MB
    out, peak = _peak(lambda: read_rows(bomb, READINGS, "r.xlsx"))
    assert isinstance(out, Unreadable) and "压缩炸弹" in out.message_zh and "zip bomb" in out.message_en
    assert peak < 2 * MB  # nothing was inflated


def test_shared_strings_are_bounded_and_long_cells_refused():
    wb = Workbook()
    wb.active.append(["meter_code", "reading_time", "quantity"])
    wb.active.append(["M-1", "2024-03-01 00:15", "y" * 20_000])
    data = workbook_bytes(wb)
    with pytest.raises(Unreadable) as e:
        read_rows(data, READINGS, "r.xlsx")
    assert "第 2 行第 3 列超过 10000 个字符" in e.value.message_zh
    # openpyxl holds the whole shared-strings part in memory: its size is bounded before it is opened
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>z</t></si>" * 100 + b"</sst>")
    with pytest.raises(Unreadable) as e:
        read_rows(buf.getvalue(), READINGS, "r.xlsx", Limits(max_shared_strings=1000, max_cell_chars=10**6))
    assert "压缩炸弹" in e.value.message_zh


def test_an_honest_workbook_is_not_mistaken_for_a_bomb():
    rows = [("计量器具编号", "读数时间", "读数")] + [
        ("M-1", f"2024-03-{1 + i // 96:02d} {i % 96 // 4:02d}:{15 * (i % 4):02d}", 12.5) for i in range(5_000)
    ]
    data = _xlsx(rows)
    got = read_rows(data, READINGS, "r.xlsx")
    assert len(got) == 5_000 and got[0] == (
        2,
        {"meter_code": "M-1", "reading_time": "2024-03-01 00:00", "quantity": "12.5"},
    )


def test_chinese_headers_two_line_headers_and_notes_in_brackets():
    data = "\ufeff计量器具编号,读数时间（北京时间）,读数\nM-1,2024-03-01 00:15,5\n".encode()
    assert read_rows(data, READINGS) == [
        (2, {"meter_code": "M-1", "reading_time": "2024-03-01 00:15", "quantity": "5"})
    ]
    data = _xlsx([("计量器具编号\nmeter_code", "reading_time", "Quantity"), ("M-1", "2024-03-01 00:15", 5)])
    assert read_rows(data, READINGS, "r.xlsx")[0][1]["quantity"] == "5"
    with pytest.raises(Unreadable) as e:
        read_rows("计量器具编号,读数\nM-1,5\n".encode(), READINGS)
    assert "读数时间（reading_time）" in e.value.message_zh and "reading_time" in e.value.message_en


def test_gbk_csv_from_excel_on_a_chinese_windows():
    data = "计量器具编号,读数时间,读数\r\n电表-1,2024-03-01 00:15,5\r\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_rows(data, READINGS) == [
        (2, {"meter_code": "电表-1", "reading_time": "2024-03-01 00:15", "quantity": "5"})
    ]


def test_csv_bounds():
    head = "meter_code,reading_time,quantity\n"
    with pytest.raises(Unreadable) as e:
        read_rows((head + "M-1,2024-03-01 00:15," + "9" * 200_000 + "\n").encode(), READINGS)
    assert "第 2 行超过 100000 个字符" in e.value.message_zh
    with pytest.raises(Unreadable) as e:
        read_rows((head + "M-1,t,5" + ",x" * 70 + "\n").encode(), READINGS)
    assert "第 2 行超过 60 列" in e.value.message_zh
    with pytest.raises(Unreadable) as e:
        read_rows((head + "M-1,t,5\n" * 11).encode(), READINGS, limits=Limits(max_rows=10))
    assert "超过 10 行数据" in e.value.message_zh
    assert len(read_rows((head + "M-1,t,5\n" * 10).encode(), READINGS, limits=Limits(max_rows=10))) == 10


def test_the_summary_groups_one_problem_with_its_count_and_first_lines():
    rep = Report()
    for n in range(2, 95):
        rep.reject(n, "reading_time", "reading_time：应为时间", "reading_time: a time")
    rep.reject(96, "meter_code", "meter_code：未登记", "meter_code: unknown")
    assert rep.summary() == [
        {"field": "reading_time", "message": "reading_time：应为时间", "count": 93, "lines": [2, 3, 4, 5, 6]},
        {"field": "meter_code", "message": "meter_code：未登记", "count": 1, "lines": [96]},
    ]
    assert rep.summary("en")[0]["message"] == "reading_time: a time"
    assert len(rep.as_dict()["rejected"]) == 94  # scripts keep one entry per line


def test_csv_export_neutralises_formula_like_text_and_keeps_numbers():
    assert [neutralise(v) for v in ("=1+1", "+1", "-x", "@A1", "\tx", "\rx", "ok", -5, 2.5)] == [
        "'=1+1", "'+1", "'-x", "'@A1", "'\tx", "'\rx", "ok", -5, 2.5,
    ]  # fmt: skip
    text = csv_bytes(["name", "value"], [['=HYPERLINK("http://evil","点我")', -0.25]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["name", "value"], ['\'=HYPERLINK("http://evil","点我")', "-0.25"]]


def test_xlsx_export_keeps_formula_like_text_as_text_and_numbers_as_numbers():
    wb = Workbook()
    wb.active.append(['=HYPERLINK("http://evil","点我")', -5, "-3 %", 1.5])
    assert wb.active["A1"].data_type == "f"  # what openpyxl would have written
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert [c.value for c in back[1]] == ['=HYPERLINK("http://evil","点我")', -5, "-3 %", 1.5]
    assert [c.data_type for c in back[1]] == ["s", "n", "s", "n"]
    assert back["A1"].quotePrefix and not back["B1"].quotePrefix


def test_the_template_reads_back_through_the_importer():
    data = template_bytes(READINGS)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["计量器具读数", "说明"]
    ws = wb["计量器具读数"]
    assert [c.value for c in ws[1]] == ["计量器具编号", "读数时间", "读数"] and ws["A1"].font.b
    assert "北京时间" in " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert read_rows(data, READINGS, "t.xlsx") == [
        (2, {"meter_code": "M-0001", "reading_time": "2024-03-01 00:15", "quantity": "125.5"})
    ]
