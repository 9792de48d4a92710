"""The fast path of the forest import for a clean CSV survey: a county's 500 000 sub-compartment rows are checked
with numpy over the file's bytes, without making a Python object per cell, and the file itself (each line
prefixed with the county, class and group spellings rewritten as codes) is COPYed as it is.

It applies only when every row is plain, so that the per-row path (``services._parse`` and ``import_forest``)
would accept every row with exactly the values stored here:

- no quote, backslash, control character or whitespace other than the line ends anywhere (so no cell has
  surrounding whitespace to strip and nothing needs CSV unquoting or COPY escaping), and every line has the
  header's number of cells;
- years of four digits, townships, classes and groups that the per-row rules accept (each distinct combination
  checked once by ``services._head``);
- areas and stocks of ASCII digits with at most one point, at most 4 decimals and within the columns (an empty
  stock is 0, as on the per-row path); sub-compartment numbers of at most 40 bytes;
- each key (year, township, class and group as stored, sub-compartment) once in the file, by a sorted 64-bit
  hash (a collision only sends the file to the per-row path);
- the file's years unapproved and still empty in this county, on PostgreSQL, checked under the years' locks
  (the table has no index on the key there: see ``models.ForestStand``). A file equal to what the years hold
  (the same survey uploaded again) is all duplicates, matched in SQL (``_all_stored``), and nothing is written.

Then every row is accepted. Anything else returns None (nothing written) and the caller runs the per-row path,
which reports each row.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction

from carbonpeak.tabular import Report, Unreadable, check_header

COMMA, NEWLINE, DOT, ZERO, NINE = 44, 10, 46, 48, 57
MAX_COMPARTMENT_BYTES = 40  # the column holds 40 characters; a longer (non-ASCII) one takes the per-row path
MAX_HEAD_BYTES = 240  # a township of 60 characters is at most 240 bytes of UTF-8
AREA_DIGITS, STOCK_DIGITS, DECIMALS = 12, 14, 4
STAND_COLUMNS = ("plan_id", "year", "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3")

# bytes that must not occur: control characters but the line end, space, quote, backslash, DEL
_BAD = bytes([b for b in range(32) if b != NEWLINE] + [32, ord('"'), ord("\\"), 127])
_GOOD = bytes(b for b in range(256) if b not in _BAD)
# the other characters Python's str.strip() removes (str.isspace), as UTF-8
_UNICODE_SPACES = [c.encode() for c in map(chr, range(0x80, 0x3001)) if c.isspace()]
# 1 for the cell separators (comma, line end), 0 for every other byte: one C pass marks them
_SEPARATOR = bytes(1 if b in (COMMA, NEWLINE) else 0 for b in range(256))
_MIX = np.uint64(0x9E3779B97F4A7C15)  # the 64-bit golden-ratio constant: an odd multiplier for the row hashes


def _plain_bytes(data: bytes) -> bool:
    """No byte the fast path refuses and no Unicode whitespace (C-level passes over the bytes: a Unicode space is
    looked for only where its lead byte occurs at all, which in Chinese text is rare)."""
    if data.translate(None, _GOOD):
        return False
    leads = {seq[:1] for seq in _UNICODE_SPACES}
    present = {lead for lead in leads if lead in data}
    return not any(seq in data for seq in _UNICODE_SPACES if seq[:1] in present)


def _cells(windows: np.ndarray, starts: np.ndarray, lens: np.ndarray, width: int) -> np.ndarray:
    """The cells of one column as an (n, width) byte matrix, zero-padded (no cell holds a zero byte).
    ``windows`` is a sliding-window view of the file's bytes (zero-padded at the end): one gather per row."""
    m = windows[starts, :width]
    m[np.arange(width) >= lens[:, None]] = 0
    return m


def _row_hash(m: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of a zero-padded byte matrix (exact, the row itself, up to 8 bytes)."""
    n, w = m.shape
    words = -(-w // 8) or 1
    wide = np.zeros((n, words * 8), dtype=np.uint8)
    wide[:, :w] = m
    v = wide.view(np.uint64)
    h = v[:, 0].copy()
    for c in range(1, words):
        h = (h * _MIX) ^ v[:, c]
    return h


def _distinct(m: np.ndarray) -> tuple[list[str], np.ndarray] | None:
    """The distinct cells of a byte matrix (as text) and each row's index into them; None on a hash collision
    (every row is compared with the representative of its hash)."""
    h = _row_hash(m)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if m.shape[1] > 8 and not (m == m[first][inverse]).all():
        return None
    return [bytes(m[i]).rstrip(b"\0").decode() for i in first.tolist()], inverse


def _plain_numbers(m: np.ndarray, lens: np.ndarray, int_digits: int, allow_empty: bool) -> bool:
    """Every cell is digits with at most one point, at least one digit before it, at most ``DECIMALS`` after it
    and at most ``int_digits`` before it (the per-row path's plain spelling); empty cells only if allowed."""
    if not allow_empty and (lens == 0).any():
        return False
    if m.shape[1] == 0:
        return True  # every cell empty (and allowed)
    pos = np.arange(m.shape[1])
    inside = pos < lens[:, None]
    digit = (m >= ZERO) & (m <= NINE)
    dot = m == DOT
    if ((~(digit | dot)) & inside).any() or (dot.sum(axis=1) > 1).any():
        return False
    has_dot = dot.any(axis=1)
    where = np.where(has_dot, dot.argmax(axis=1), lens)  # digits before the point (all of them without one)
    if (where > int_digits).any() or ((where == 0) & (lens > 0)).any():
        return False
    return not ((lens - where - 1 > DECIMALS) & has_dot).any()


def import_clean_csv(actor: Any, plan: Any, utf8: bytes, table: Any, lim: Any, groups: dict[str, str]) -> Report | None:
    """The survey's report, or None (nothing written) for the per-row path. ``utf8``: the file as UTF-8 without
    a byte-order mark."""
    from carbonpeak.audit.services import record
    from carbonpeak.sinks import services
    from carbonpeak.sinks.models import ForestStand

    if connection.vendor != "postgresql":
        return None
    head, _, data = utf8.partition(b"\n")
    if not data:
        return None
    try:
        keys = check_header([h.strip() for h in head.decode().split(",")[: lim.max_columns + 1]], table)
    except (Unreadable, UnicodeDecodeError):
        return None  # the per-row path reports a bad header
    if len(keys) > lim.max_columns or "" in keys or len(set(keys)) != len(keys):
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    if not _plain_bytes(data):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    sep = np.flatnonzero(np.frombuffer(data.translate(_SEPARATOR), dtype=np.bool_))
    k = len(keys)
    if sep.size % k:
        return None
    n = sep.size // k
    if not 0 < n <= lim.max_rows:
        return None
    ends = sep.reshape(n, k)
    if not ((arr[ends[:, -1]] == NEWLINE).all() and (arr[ends[:, :-1]] == COMMA).all()):
        return None  # a line with another number of cells, or a blank line
    starts = np.empty_like(ends)
    starts.flat[0] = 0
    starts.flat[1:] = ends.flat[:-1] + 1
    lens = ends - starts
    line_bytes = ends[:, -1] - starts[:, 0]
    if int(line_bytes.max()) > min(lim.max_line_chars, lim.max_cell_chars):
        return None  # possibly too long: the per-row path measures characters and refuses it precisely
    col = {key: j for j, key in enumerate(keys)}
    widest = int(lens.max())
    windows = np.lib.stride_tricks.sliding_window_view(np.concatenate([arr, np.zeros(widest, np.uint8)]), widest)

    # the heads: the distinct (year, township, class, group) combinations, each checked once
    head_cols = [col.get(c) for c in ("year", "township", "land_class", "species_group")]
    distinct: list[list[str]] = []
    inverses = []
    for j in head_cols:
        if j is None:
            distinct.append([""])
            inverses.append(np.zeros(n, dtype=np.intp))
            continue
        width = int(lens[:, j].max())
        if width > MAX_HEAD_BYTES:
            return None
        got = _distinct(_cells(windows, starts[:, j], lens[:, j], width))
        if got is None:
            return None
        values, inverse = got
        distinct.append(values)
        inverses.append(inverse)
    sizes = [len(d) for d in distinct]
    if (lens[:, head_cols[0]] != 4).any() or not all(y.isascii() and y.isdigit() for y in distinct[0]):
        return None  # years of four ASCII digits only ("02024" takes the per-row path)
    if int(np.prod(sizes, dtype=object)) >= 2**62:
        return None  # the combination codes would not fit (a file that is anything but a survey)
    codes = np.zeros(n, dtype=np.int64)
    for size, inverse in zip(sizes, inverses, strict=True):
        codes = codes * size + inverse
    del inverses
    combos = np.flatnonzero(np.bincount(codes)) if int(np.prod(sizes)) <= 1 << 24 else np.unique(codes)
    heads = {}
    for c in combos.tolist():
        raw = _unpack(c, sizes, distinct)
        h = services._head(plan, *raw, groups)
        if h[0] is None:
            return None
        heads[raw] = h
    # the spellings of classes and groups as written, and their codes
    renames = {}
    for which, pos in (("land_class", 2), ("species_group", 3)):
        for raw, h in heads.items():
            if raw[pos] != h[pos]:
                renames.setdefault(which, {})[raw[pos]] = h[pos]

    # numbers and sub-compartments
    for key, digits, empty_ok in (("area_ha", AREA_DIGITS, False), ("stock_m3", STOCK_DIGITS, True)):
        j = col[key]
        width = int(lens[:, j].max())
        if width > digits + 1 + DECIMALS:
            return None
        if not _plain_numbers(_cells(windows, starts[:, j], lens[:, j], width), lens[:, j], digits, empty_ok):
            return None
    jc = col.get("compartment")
    comp = np.zeros((n, 0), dtype=np.uint8)
    if jc is not None:
        if int(lens[:, jc].max()) > MAX_COMPARTMENT_BYTES:
            return None
        comp = _cells(windows, starts[:, jc], lens[:, jc], int(lens[:, jc].max()))

    # each key once in the file: the key is the head as stored (two spellings of a class are one class) and the
    # sub-compartment. A repeat (or a hash collision) takes the per-row path, which tells duplicates from conflicts
    canonical = {h: i for i, h in enumerate(sorted(set(heads.values())))}
    combo_ids = np.fromiter((canonical[heads[_unpack(c, sizes, distinct)]] for c in combos.tolist()), np.int64)
    key = combo_ids[np.searchsorted(combos, codes)].astype(np.uint64) * _MIX ^ _row_hash(comp)
    key.sort()
    if n > 1 and not (key[1:] != key[:-1]).all():
        return None

    # the COPY payload: an empty stock written as 0, each line prefixed with the county, spellings as codes.
    # A spelling is rewritten as a whole cell (",乔木林地," → ",arbor,"): exact only if it is a whole cell of no
    # other column, which the distinct values show (numbers are digits; sub-compartments are compared)
    js = col["stock_m3"]
    empty_stock = starts[:, js][lens[:, js] == 0]
    if empty_stock.size:
        arr = np.insert(arr, empty_stock, ZERO)
    swaps: list[tuple[bytes, bytes]] = []
    for which, mapping in renames.items():
        j = col[which]
        elsewhere = {v for jj, d in zip(head_cols, distinct, strict=True) if jj is not None and jj != j for v in d}
        for spelled, code in mapping.items():
            if spelled in elsewhere or _column_has(comp, spelled):
                return None  # also a whole cell of another column: not rewritten blindly
            end = b"\n" if j == k - 1 else b","
            swaps.append((b"," + spelled.encode() + end, b"," + code.encode() + end))
    if {old for old, _ in swaps} & {new for _, new in swaps}:
        return None  # a spelling that is another cell's code: the rewrites would interfere
    prefix = f"{plan.pk},".encode()
    payload = prefix + arr.tobytes()[:-1].replace(b"\n", b"\n" + prefix) + b"\n"
    for old, new in swaps:
        payload = payload.replace(old, new)

    years = distinct[0]
    year_of = {raw[0]: h[0] for raw, h in heads.items()}
    file_years = sorted(set(year_of.values()))
    year_counts = np.bincount(codes // int(np.prod(sizes[1:])), minlength=len(years))
    rep = Report()
    # the text format with commas: no quotes or backslashes occur, and an empty cell is '' (never NULL)
    columns_sql = ", ".join(["plan_id", *keys])
    options = "FORMAT text, DELIMITER ','"
    with transaction.atomic():
        locked = [services._lock_year(plan, y) for y in file_years]
        if any(fy.is_locked for fy in locked):
            transaction.set_rollback(True)
            return None
        stored = ForestStand.objects.filter(plan=plan, year__in=file_years).count()
        if stored:
            same = stored == n and _all_stored(plan, file_years, columns_sql, options, payload, n)
            transaction.set_rollback(True)  # nothing written (the year rows it may have made, the temporary table)
            if same:
                rep.duplicates = n  # the same survey again
                return rep
            return None  # some rows new or different: the per-row path reports each
        copy_sql = f"COPY {ForestStand._meta.db_table} ({columns_sql}) FROM STDIN ({options})"
        import psycopg

        try:
            with transaction.atomic(), connection.cursor() as c:
                with c.copy(copy_sql) as cp:
                    cp.write(payload)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            # the table's key (SQLite keeps it; see models.ForestStand) or a check refused a row
            transaction.set_rollback(True)
            return None
        per_year: Counter[int] = Counter()
        for i, y in enumerate(years):
            if y in year_of:
                per_year[year_of[y]] += int(year_counts[i])
        for fy in locked:
            record(actor, "forest.import", fy, None, {"year": fy.year, "rows_added": per_year[fy.year]})
        rep.accepted = n
    return rep


def _all_stored(plan: Any, years: list[int], columns_sql: str, options: str, payload: bytes, n: int) -> bool:
    """Whether each of the file's ``n`` rows (distinct keys) is stored with the same values, the years holding ``n``
    rows in all: then the stored years are exactly the file. The file is COPYed into a temporary table dropped at
    the end of the transaction and matched in one query."""
    from carbonpeak.sinks.models import ForestStand

    table = ForestStand._meta.db_table
    with connection.cursor() as c:
        c.execute(f"CREATE TEMP TABLE sinks_incoming (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        with c.copy(f"COPY sinks_incoming ({columns_sql}) FROM STDIN ({options})") as cp:
            cp.write(payload)
        same = " AND ".join(
            f"s.{f} = i.{f}"
            for f in (
                "plan_id",
                "year",
                "township",
                "land_class",
                "species_group",
                "compartment",
                "area_ha",
                "stock_m3",
            )
        )
        c.execute(
            f"SELECT count(*) FROM sinks_incoming i WHERE EXISTS (SELECT 1 FROM {table} s WHERE {same} "
            "AND s.plan_id = %s AND s.year = ANY(%s))",
            [plan.pk, years],
        )
        matched = c.fetchone()[0]
        c.execute("DROP TABLE sinks_incoming")
    return bool(matched == n)


def _unpack(code: int, sizes: list[int], distinct: list[list[str]]) -> tuple[str, ...]:
    """The (year, township, class, group) texts of a combination code (mixed radix over the distinct values)."""
    idx = []
    for size in reversed(sizes):
        code, r = divmod(code, size)
        idx.append(r)
    return tuple(d[i] for d, i in zip(distinct, reversed(idx), strict=True))


def _column_has(m: np.ndarray, value: str) -> bool:
    """Whether some row of a zero-padded byte matrix is exactly ``value``."""
    v = np.frombuffer(value.encode(), dtype=np.uint8)
    if v.size > m.shape[1]:
        return False
    padded = np.zeros(m.shape[1], dtype=np.uint8)
    padded[: v.size] = v
    return bool((m == padded).all(axis=1).any())
