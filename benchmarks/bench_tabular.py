"""Reading a large honest workbook through ``carbonpeak.tabular`` vs plain openpyxl read-only iteration.

Both in this process, on the same file (N readings rows, the readings template's Chinese headers): time and
tracemalloc peak of (a) ``read_rows`` (zip check, streaming, bounds, header aliases, cell texts) and (b)
``load_workbook(read_only=True)`` + ``iter_rows(values_only=True)`` doing nothing with the values. Prints the
ratios (a)/(b) and the largest compression ratio of a member (what ``max_ratio`` must stay above for honest
files). Also times the refusal of the hostile files of tests/test_tabular.py.

    .venv/bin/python benchmarks/bench_tabular.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook, load_workbook  # noqa: E402

from carbonpeak.enterprises.columns import READINGS  # noqa: E402
from carbonpeak.tabular import Unreadable, read_rows  # noqa: E402


def honest(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("读数")
    ws.append(["计量器具编号", "读数时间", "读数"])
    for i in range(rows):
        day, q = divmod(i % (96 * 28), 96)
        ws.append([f"M-{i // (96 * 28) % 50:04d}", f"2024-02-{day + 1:02d} {q // 4:02d}:{15 * (q % 4):02d}",
                   round(100 + (i * 7919 % 1000) / 10, 1)])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _call(fn) -> object:
    try:
        return fn()
    except Unreadable as u:
        return u


def measure(fn) -> tuple[float, int, object]:
    """Wall time of one run without tracing, then the tracemalloc peak of another (tracing slows Python down)."""
    t0 = time.perf_counter()
    out = _call(fn)
    dt = time.perf_counter() - t0
    tracemalloc.start()
    _call(fn)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak, out


def plain(data: bytes) -> int:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args()
    data = honest(args.rows)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    ratio = max(i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 1024 * 1024)
    print(f"workbook: {args.rows} rows, {len(data) / 1e6:.1f} MB, largest member ratio {ratio:.1f}")
    t_plain, m_plain, n = measure(lambda: plain(data))
    t_ours, m_ours, rows = measure(lambda: read_rows(data, READINGS, "r.xlsx"))
    assert isinstance(rows, list) and len(rows) == args.rows == n - 1, rows
    print(f"plain openpyxl read-only: {t_plain:7.2f} s  peak {m_plain / 1e6:8.1f} MB")
    print(f"carbonpeak.tabular:       {t_ours:7.2f} s  peak {m_ours / 1e6:8.1f} MB (rows kept as dicts)")
    print(f"ratio time {t_ours / t_plain:.2f}x, peak memory {m_ours / max(m_plain, 1):.1f}x")

    def rewrite(change) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(honest(1)))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                body = src.read(info.filename)
                z.writestr(info.filename, change(body) if info.filename.endswith("sheet1.xml") else body)
        return out.getvalue()

    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    hostile = {
        "forged dimension A1:XFD1048576": rewrite(
            lambda b: b.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1)
        ),
        "cell at XFD2": rewrite(
            lambda b: b.replace(b"</row></sheetData>", b'<c r="XFD2"><v>1</v></c></row></sheetData>')
        ),
        "64 MB of repetition": rewrite(lambda b: b.replace(b"</sheetData>", row * 64_000 + b"</sheetData>")),
    }
    for name, blob in hostile.items():
        t, m, out = measure(lambda blob=blob: read_rows(blob, READINGS, "h.xlsx"))
        what = f"refused: {out.message_en}" if isinstance(out, Unreadable) else f"read {len(out)} rows"
        print(f"{name:32s} {len(blob) / 1e3:7.1f} KB  {t * 1000:7.1f} ms  peak {m / 1e6:6.2f} MB  {what}")


if __name__ == "__main__":
    main()
