"""State changes of the sink accounts: the forest-resource import (bulk, per-row report), harvest data, approval
(feeds ``forest_coverage`` and ``forest_stock``) and reopening (retracts them), and the farmland/wetland register.
Every write checks permission, validates, writes atomically and is audited. ``actor`` None is the command line
(the system)."""

from __future__ import annotations

import codecs
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import numbers
from carbonpeak.core.factors import FactorSet as CoreFactorSet
from carbonpeak.plan import feeds
from carbonpeak.plan.models import Plan
from carbonpeak.sinks import status as st
from carbonpeak.sinks.choices import EcoKind, LandClass, YearStatus
from carbonpeak.sinks.models import EcoArea, ForestStand, ForestYear, Harvest
from carbonpeak.sinks.permissions import writes_eco, writes_forest
from carbonpeak.tabular import Report
from carbonpeak.validation import Issue, ValidationFailed

FIRST_YEAR = 1990
BATCH = 5000
AREA_MAX = Decimal(10) ** 12
STOCK_MAX = Decimal(10) ** 14
PLACES = 4
_SIMPLE = re.compile(r"[0-9]+(\.[0-9]*)?")
FED_INDICATORS = ("forest_coverage", "forest_stock")


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def require_forest_writer(actor: Any, plan: Plan) -> None:
    if actor is not None:
        _require(writes_forest(actor, plan))


def _label_map(choices: Any) -> dict[str, str]:
    m = {}
    for value, label in choices.choices:
        m[value] = value
        m[str(label)] = value
    return m


LAND_CLASSES = _label_map(LandClass)
LAND_CLASS_ALIASES = {"乔木林": "arbor", "竹林": "bamboo", "特灌林": "special_shrub", "其他灌木林": "other_shrub"}


def group_names(fs: CoreFactorSet) -> dict[str, str]:
    """Accepted spellings of a species group → its code (the code, and the Chinese name of the library)."""
    out = {}
    for g, p in st.species_groups(fs).items():
        out[g] = g
        if p.name_zh:
            out[p.name_zh] = g
    return out


def _number(raw: str, field: str, label: str, n: int, rep: Report, high: Decimal) -> Decimal | None:
    s = (raw or "").strip()
    try:
        d = Decimal(s) if _SIMPLE.fullmatch(s) else numbers.parse_text(s)
    except (numbers.NumberError, InvalidOperation):
        rep.reject(n, field, f"{field}：{label}应为数字", f"{field}: not a number ({s!r})")
        return None
    if d < 0:
        rep.reject(n, field, f"{field}：{label}不能为负数", f"{field}: must not be negative")
        return None
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and exp < -PLACES:
        rep.reject(n, field, f"{field}：{label}最多 {PLACES} 位小数", f"{field}: at most {PLACES} decimals")
        return None
    if d >= high:
        rep.reject(n, field, f"{field}：{label}过大", f"{field}: too large")
        return None
    return d


Key = tuple[int, str, str, str, str]


#: the plainest spellings of an area and a stock (at most 4 decimals, within the column): checked by one match
_AREA = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,4})?")
_STOCK = re.compile(r"[0-9]{1,14}(?:\.[0-9]{0,4})?")


def _head(plan: Plan, ys: str, town: str, lc_raw: str, g_raw: str, groups: dict[str, str]) -> tuple:
    """The year, township, class and group of a row, or ``(None, field, zh, en)``: the same four cells recur on
    thousands of rows, so the caller caches this by their texts."""
    last = plan.last_year
    ys, town, lc_raw, g_raw = ys.strip(), town.strip(), lc_raw.strip(), g_raw.strip()
    try:
        y = numbers.to_int(ys)
    except numbers.NumberError:
        y = None
    if y is None or not FIRST_YEAR <= y <= last:
        return (None, "year", f"year：年份应为 {FIRST_YEAR}–{last}", f"year: must be {FIRST_YEAR}-{last}")
    if not town or len(town) > 60:
        return (None, "township", "township：请填写乡镇（最多 60 字）", "township: required (at most 60 characters)")
    lc = LAND_CLASSES.get(lc_raw) or LAND_CLASS_ALIASES.get(lc_raw)
    if lc is None:
        return (
            None,
            "land_class",
            f"land_class：未知地类 {lc_raw!r}（乔木林地、竹林地、国家特别规定灌木林地、其他灌木林地、疏林地、"
            "未成林造林地、非林地）",
            f"land_class: unknown class {lc_raw!r} (arbor, bamboo, special_shrub, other_shrub, sparse, "
            "unstocked, nonforest)",
        )
    g = groups.get(g_raw, "") if g_raw else ""
    if g_raw and not g:
        return (
            None,
            "species_group",
            f"species_group：未知树种组 {g_raw!r}（因子库 forest.<树种组> 或 other）",
            f"species_group: unknown group {g_raw!r} (the factor library's forest.<group>, or other)",
        )
    if lc == LandClass.ARBOR and not g:
        return (None, "species_group", "species_group：乔木林地须填写树种组", "species_group: required for arbor land")
    return (y, town, lc, g)


def _parse(plan: Plan, rows: Any, rep: Report, groups: dict[str, str]) -> dict[Key, tuple[int, Decimal, Decimal]]:
    """Each row checked (per-row report); the good rows by key, the first occurrence of a key kept: a repeat with
    the same values is a duplicate, with other values a conflict naming the first line."""
    good: dict[Key, tuple[int, Decimal, Decimal]] = {}
    heads: dict[tuple[str, str, str, str], tuple] = {}
    area_ok, stock_ok = _AREA.fullmatch, _STOCK.fullmatch
    for n, r in rows:
        get = r.get
        raw = (get("year") or "", get("township") or "", get("land_class") or "", get("species_group") or "")
        head = heads.get(raw)
        if head is None:
            head = heads[raw] = _head(plan, *raw, groups)
        if head[0] is None:
            rep.reject(n, head[1], head[2], head[3])
            continue
        comp = (get("compartment") or "").strip()
        if len(comp) > 40:
            rep.reject(n, "compartment", "compartment：小班号最多 40 字", "compartment: at most 40 characters")
            continue
        a_raw = (get("area_ha") or "").strip()
        if area_ok(a_raw):
            area: Decimal | None = Decimal(a_raw)
        else:
            area = _number(a_raw, "area_ha", "面积", n, rep, AREA_MAX)
            if area is None:
                continue
        s_raw = (get("stock_m3") or "").strip() or "0"
        if stock_ok(s_raw):
            stock: Decimal | None = Decimal(s_raw)
        else:
            stock = _number(s_raw, "stock_m3", "蓄积量", n, rep, STOCK_MAX)
            if stock is None:
                continue
        key = (head[0], head[1], head[2], head[3], comp)
        seen = good.get(key)
        if seen is not None:
            if seen[1] == area and seen[2] == stock:
                rep.duplicates += 1
            else:
                rep.reject(
                    n,
                    "area_ha",
                    f"与第 {seen[0]} 行的年份、乡镇、地类、树种组相同但数值不同",
                    f"same year, township, class and group as line {seen[0]}, other values",
                )
            continue
        good[key] = (n, area, stock)  # type: ignore[assignment]
    return good


_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _insert(plan: Plan, items: Any) -> None:
    """The bulk path: PostgreSQL COPY (text format, written in chunks), else bulk_create in batches."""
    if connection.vendor == "postgresql":
        cols = "plan_id, year, township, land_class, species_group, compartment, area_ha, stock_m3"
        pid = plan.pk
        esc: dict[str, str] = {}
        with connection.cursor() as c, c.copy(f"COPY {ForestStand._meta.db_table} ({cols}) FROM STDIN") as cp:
            chunk: list[str] = []
            for (y, t, lc, g, comp), a, s in items:
                te = esc.get(t)
                if te is None:
                    te = esc[t] = t.translate(_COPY_ESCAPE)
                chunk.append(f"{pid}\t{y}\t{te}\t{lc}\t{g}\t{comp.translate(_COPY_ESCAPE)}\t{a}\t{s}\n")
                if len(chunk) >= 20000:
                    cp.write("".join(chunk))
                    chunk = []
            if chunk:
                cp.write("".join(chunk))
        return
    batch: list[ForestStand] = []
    for (y, t, lc, g, comp), a, s in items:
        batch.append(
            ForestStand(
                plan=plan, year=y, township=t, land_class=lc, species_group=g, compartment=comp, area_ha=a, stock_m3=s
            )
        )
        if len(batch) >= BATCH:
            ForestStand.objects.bulk_create(batch)
            batch = []
    if batch:
        ForestStand.objects.bulk_create(batch)


def _year_summary(plan: Plan, year: int) -> dict[str, Any]:
    agg = ForestStand.objects.filter(plan=plan, year=year).aggregate(
        n=Count("year"), a=Sum("area_ha"), s=Sum("stock_m3")
    )
    return {"rows": agg["n"], "area_ha": agg["a"] or Decimal(0), "stock_m3": agg["s"] or Decimal(0)}


def _lock_year(plan: Plan, year: int) -> ForestYear:
    fy, _ = ForestYear.objects.get_or_create(plan=plan, year=year)
    return ForestYear.objects.select_for_update().get(pk=fy.pk)


def import_forest(actor: Any, plan: Plan, rows: Any, *, replace_year: bool = False) -> Report:
    """Store the survey rows of a file. A repeated identical row is a duplicate; the same key with other values
    is a conflict (rejected, naming its line), unless ``replace_year``: then each year of the file replaces that
    year's rows, all or nothing (any rejected row: nothing is written). Rows of an approved year are refused."""
    require_forest_writer(actor, plan)
    rep = Report()
    fs = core_factor_set(default_factor_set(plan))
    good = _parse(plan, rows, rep, group_names(fs))
    years = sorted({k[0] for k in good})
    if replace_year and rep.rejected:
        rep.accepted = 0
        return rep
    with transaction.atomic():
        for y in years:
            fy = _lock_year(plan, y)
            if fy.is_locked:
                for k, (n, _a, _s) in good.items():
                    if k[0] == y:
                        rep.reject(
                            n,
                            "year",
                            f"year：{y} 年森林资源数据已审定，须先退回才能修改",
                            f"year: the {y} forest data are approved; reopen them first",
                        )
        if replace_year and rep.rejected:
            rep.accepted = 0
            return rep
        for y in years:
            fy = ForestYear.objects.get(plan=plan, year=y)
            if fy.is_locked:
                continue
            mine = {k: v for k, v in good.items() if k[0] == y}
            existing = {
                (y, t, lc, g, c): (a, s)
                for t, lc, g, c, a, s in ForestStand.objects.filter(plan=plan, year=y).values_list(
                    "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3"
                )
            }
            if replace_year:
                same = len(existing) == len(mine) and all(existing.get(k) == (a, s) for k, (_n, a, s) in mine.items())
                if same:
                    rep.duplicates += len(mine)
                    continue
                before = _year_summary(plan, y)
                ForestStand.objects.filter(plan=plan, year=y).delete()
                _insert(plan, [(k, a, s) for k, (_n, a, s) in mine.items()])
                rep.accepted += len(mine)
                record(actor, "forest.replace_year", fy, before, _year_summary(plan, y))
                continue
            new = []
            for k, (n, a, s) in mine.items():
                cur = existing.get(k)
                if cur is None:
                    new.append((k, a, s))
                elif cur == (a, s):
                    rep.duplicates += 1
                else:
                    rep.reject(
                        n,
                        "area_ha",
                        f"与已存数据（{y} 年同乡镇、地类、树种组）数值不同；整年替换请用 --replace-year",
                        "other values than the stored row (same year, township, class, group); "
                        "use --replace-year to replace the year",
                    )
            if new:
                _insert(plan, new)
                rep.accepted += len(new)
                record(actor, "forest.import", fy, None, {"year": y, "rows_added": len(new)})
    return rep


#: a county's survey by sub-compartment runs to hundreds of thousands of rows: the forest file may be larger than
#: the general upload bound (CARBONPEAK_TABULAR_MAX_ROWS), up to this many rows
FOREST_MAX_ROWS = 1_000_000


def forest_limits() -> Any:
    import dataclasses

    from carbonpeak.tabular.limits import current

    lim = current()
    return dataclasses.replace(lim, max_rows=max(lim.max_rows, FOREST_MAX_ROWS))


def _csv_rows(text: str, table: Any, lim: Any) -> Any:
    """The rows of a CSV survey as ``tabular.read_rows`` gives them (same decoding, header names, bounds and
    refusals, blank rows skipped, record numbers as lines), without its per-cell work on the hundreds of
    thousands of plain rows of a survey: cells are stripped by the row checks that read them."""
    import csv
    import io

    from carbonpeak.tabular import Unreadable, check_header
    from carbonpeak.tabular.reading import _too_long, _too_many_columns, _too_many_rows

    lines = text.splitlines()
    longest = max(map(len, lines)) if lines else 0
    if longest > lim.max_line_chars:
        n = next(i for i, line in enumerate(lines, start=1) if len(line) > lim.max_line_chars)
        raise Unreadable(
            f"第 {n} 行超过 {lim.max_line_chars} 个字符", f"line {n} is longer than {lim.max_line_chars} characters"
        )
    del lines
    reader = csv.reader(io.StringIO(text, newline=""))
    keys = check_header([h.strip() for h in next(reader, [])[: lim.max_columns + 1]], table)
    if len(keys) > lim.max_columns:
        raise _too_many_columns(1, lim)
    known = [k for k in keys if k]
    unknown = len(known) < len(keys)
    cells = longest > lim.max_cell_chars
    out = []
    for n, values in enumerate(reader, start=2):
        if n > lim.max_rows + 1:
            raise _too_many_rows(lim)
        if len(values) > lim.max_columns:
            raise _too_many_columns(n, lim)
        if cells:
            for j, v in enumerate(values, start=1):
                if len(v) > lim.max_cell_chars:
                    raise _too_long(n, j, lim)
        if not "".join(values).strip():
            continue
        row = dict(zip(keys, values, strict=False))
        if unknown and not any((row.get(k) or "").strip() for k in known):
            continue
        out.append((n, row))
    return out


def import_forest_file(actor: Any, plan: Plan, data: bytes, name: str = "", *, replace_year: bool = False) -> Report:
    """A survey file (CSV or Excel) as the report of :func:`import_forest`; a CSV file is read without the general
    reader's per-cell work (see :func:`_csv_rows`) so that a county's 500 000 sub-compartment rows load fast."""
    from carbonpeak.sinks.columns import FOREST
    from carbonpeak.tabular import read_rows
    from carbonpeak.tabular.reading import decode_text, is_xlsx

    require_forest_writer(actor, plan)
    lim = forest_limits()
    if is_xlsx(data, name):
        return import_forest(actor, plan, read_rows(data, FOREST, name, limits=lim), replace_year=replace_year)
    raw = data.removeprefix(codecs.BOM_UTF8)
    try:
        text, utf8 = raw.decode(), raw
    except UnicodeDecodeError:
        text = decode_text(data)
        utf8 = text.encode()
    if not replace_year:  # a plain survey COPYed as it is (fastpath.py); anything else row by row
        from carbonpeak.sinks.fastpath import import_clean_csv

        rep = import_clean_csv(actor, plan, utf8, FOREST, lim, group_names(core_factor_set(default_factor_set(plan))))
        if rep is not None:
            return rep
    return import_forest(actor, plan, _csv_rows(text, FOREST, lim), replace_year=replace_year)


# --- harvest and growth ------------------------------------------------------------------------------------
def import_harvest(actor: Any, plan: Plan, rows: Any, *, update: bool = False) -> Report:
    """Growth rate (a fraction, or a percent with %) and harvest volume per year and species group."""
    from carbonpeak.percent import percent_to_fraction

    require_forest_writer(actor, plan)
    rep = Report()
    groups = group_names(core_factor_set(default_factor_set(plan)))
    with transaction.atomic():
        for n, r in rows:
            try:
                y = numbers.to_int((r.get("year") or "").strip())
            except numbers.NumberError:
                y = 0
            if not FIRST_YEAR <= y <= plan.last_year:
                rep.reject(n, "year", "year：年份无效", "year: invalid year")
                continue
            g = groups.get((r.get("species_group") or "").strip())
            if not g:
                rep.reject(n, "species_group", "species_group：未知树种组", "species_group: unknown group")
                continue
            try:
                rate = numbers.to_decimal(percent_to_fraction(r.get("growth_rate") or ""))
            except (numbers.NumberError, ValueError, TypeError):
                rep.reject(n, "growth_rate", "growth_rate：应为 0–1 的小数或百分数", "growth_rate: a fraction 0-1")
                continue
            if not 0 <= rate <= 1:
                rep.reject(n, "growth_rate", "growth_rate：应为 0–1 的小数或百分数", "growth_rate: a fraction 0-1")
                continue
            harvest = _number(r.get("harvest_m3") or "", "harvest_m3", "采伐量", n, rep, STOCK_MAX)
            if harvest is None:
                continue
            rate = rate.quantize(Decimal("0.000001"))
            cur = Harvest.objects.filter(plan=plan, year=y, species_group=g).first()
            vals = {"growth_rate": rate, "harvest_m3": harvest, "source": (r.get("source") or "").strip()[:200]}
            if cur is None:
                h = Harvest.objects.create(plan=plan, year=y, species_group=g, **vals)
                record(actor, "forest.harvest", h, None, vals)
                rep.accepted += 1
            elif all(getattr(cur, k) == v for k, v in vals.items()):
                rep.duplicates += 1
            elif not update:
                rep.reject(n, "harvest_m3", "与已存数据不同", "other values than the stored row")
            else:
                before = {k: getattr(cur, k) for k in vals}
                for k, v in vals.items():
                    setattr(cur, k, v)
                cur.save()
                record(actor, "forest.harvest", cur, before, vals)
                rep.accepted += 1
    return rep


# --- status, approval, reopening ------------------------------------------------------------------------
def year_status(plan: Plan, year: int) -> dict[str, Any] | None:
    """The approved snapshot of an approved year; the live figures of a draft (with the county's factor set)."""
    fy = ForestYear.objects.filter(plan=plan, year=year).first()
    if fy is not None and fy.is_locked and fy.results is not None:
        return fy.results
    return st.compute(plan, year, core_factor_set(default_factor_set(plan)))


def _detail(year: int, what: str, version: str, illustrative: bool = False) -> str:
    label = "演示数据（虚构），" if illustrative else ""
    return f"{label}{year}年森林资源数据（已审定），{what}，因子库 {version}"


def _require_unique_keys(plan: Plan, year: int) -> None:
    """On PostgreSQL the survey table's key is kept by the writers, not by an index (models.ForestStand): before a
    year's figures are frozen, a row written around them (raw SQL, an old dump restored) is found here."""
    repeated = (
        ForestStand.objects.filter(plan=plan, year=year)
        .values("township", "land_class", "species_group", "compartment")
        .annotate(n=Count("year"))
        .filter(n__gt=1)
        .order_by()
        .first()
    )
    if repeated:
        where = "、".join(v for v in (repeated["township"], repeated["compartment"]) if v)
        raise ValidationFailed(
            [
                Issue(
                    "repeated_key",
                    "year",
                    f"year：{year} 年数据中同一乡镇、地类、树种组、小班有 {repeated['n']} 行（{where}）；"
                    "请整年替换后再审定",
                    f"year: {repeated['n']} rows for one township, class, group and sub-compartment in {year} "
                    f"({where}); replace the year before approving",
                )
            ]
        )


def approve_year(actor: Any, plan: Plan, year: int) -> list[Any]:
    """Freeze the year's figures and feed forest coverage (fraction = pct/100) and forest stock (m³) to the plan's
    targets. Refused for a year without rows or with an error-level check."""
    require_forest_writer(actor, plan)
    fs_row = default_factor_set(plan)
    with transaction.atomic():
        fy = _lock_year(plan, year)
        if fy.is_locked:
            return []
        res = st.compute(plan, year, core_factor_set(fs_row))
        if res is None:
            raise ValidationFailed(
                [Issue("no_data", "year", f"year：{year} 年没有森林资源数据", f"year: no forest data for {year}")]
            )
        _require_unique_keys(plan, year)
        errors = [c for c in res["checks"] if c["severity"] == "error"]
        if errors:
            raise ValidationFailed([Issue(c["code"], "year", c["message_zh"], c["message_en"]) for c in errors])
        before = {"status": fy.status}
        fy.status = YearStatus.APPROVED
        fy.results = res
        fy.factor_set = fs_row
        fy.approved_by_label = actor_label(actor)
        fy.approved_at = timezone.now()
        fy.save()
        record(actor, "forest.approve", fy, before, {"status": fy.status, "factor_set": fs_row.version})
        figures = [
            feeds.Fed(
                "forest_coverage",
                year,
                Decimal(str(res["coverage_pct"])) / 100,
                _detail(
                    year,
                    "森林覆盖率=（乔木林地+竹林地+国家特别规定灌木林地）面积÷土地面积",
                    fs_row.version,
                    fy.is_illustrative,
                ),
            ),
            feeds.Fed(
                "forest_stock",
                year,
                Decimal(str(res["stock_m3"])),
                _detail(year, "乔木林蓄积量合计", fs_row.version, fy.is_illustrative),
            ),
        ]
        skipped: list[str] = []
        written = feeds.feed(actor, plan, figures, skipped=skipped)
        if skipped:
            record(actor, "forest.indicators_skipped", fy, None, {"skipped": skipped})
    return written


def reopen_year(actor: Any, plan: Plan, year: int, reason: str) -> int:
    """Back to editable; the values the year fed are retracted (audited with the reason)."""
    require_forest_writer(actor, plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Issue("required", "reason", "reason：请说明退回原因", "reason: say why")])
    with transaction.atomic():
        fy = ForestYear.objects.select_for_update().filter(plan=plan, year=year).first()
        if fy is None or not fy.is_locked:
            return 0
        record(actor, "forest.reopen", fy, {"status": fy.status}, {"status": YearStatus.REOPENED, "reason": reason})
        fy.status = YearStatus.REOPENED
        fy.results = None
        fy.approved_at = None
        fy.approved_by_label = ""
        fy.save()
        return feeds.retract(actor, plan, FED_INDICATORS, [year], reason)


def mark_illustrative(plan: Plan, year: int) -> None:
    ForestYear.objects.filter(plan=plan, year=year).update(is_illustrative=True)


# --- farmland and wetland register ---------------------------------------------------------------------------
ECO_KINDS = _label_map(EcoKind)


def import_eco(actor: Any, plan: Plan, rows: Any) -> Report:
    """Small wetlands and conservation-tillage areas by township and year (name unique per township, year, kind);
    the same key with another area is a conflict."""
    if actor is not None:
        _require(writes_eco(actor, plan))
    rep = Report()
    with transaction.atomic():
        for n, r in rows:
            try:
                y = numbers.to_int((r.get("year") or "").strip())
            except numbers.NumberError:
                y = 0
            if not FIRST_YEAR <= y <= plan.last_year:
                rep.reject(n, "year", "year：年份无效", "year: invalid year")
                continue
            town = (r.get("township") or "").strip()
            kind = ECO_KINDS.get((r.get("kind") or "").strip())
            name = (r.get("name") or "").strip()
            if not town or len(town) > 60:
                rep.reject(n, "township", "township：请填写乡镇", "township: required")
                continue
            if kind is None:
                rep.reject(
                    n, "kind", "kind：类别应为 小微湿地 或 保护性耕作", "kind: small_wetland or conservation_tillage"
                )
                continue
            if not name or len(name) > 100:
                rep.reject(n, "name", "name：请填写名称（最多 100 字）", "name: required (at most 100 characters)")
                continue
            area = _number(r.get("area_ha") or "", "area_ha", "面积", n, rep, AREA_MAX)
            if area is None:
                continue
            cur = EcoArea.objects.filter(plan=plan, year=y, township=town, kind=kind, name=name).first()
            if cur is None:
                e = EcoArea.objects.create(plan=plan, year=y, township=town, kind=kind, name=name, area_ha=area)
                record(actor, "eco_area.create", e, None, {"area_ha": area})
                rep.accepted += 1
            elif cur.area_ha == area:
                rep.duplicates += 1
            else:
                rep.reject(n, "area_ha", "与已登记面积不同", "other area than the registered one")
    return rep
