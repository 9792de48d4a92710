"""State changes of the accounts (house rule 6): validated first, one transaction, audited.

- factor sets: the shipped file is loaded once per content; a county adds a version (all rows or none);
- inventories: created per year, activity lines imported (per-row errors, good rows kept, a re-import of the
  same rows changes nothing), parameters set, approved (results frozen, indicators pushed to the plan's
  targets) and reopened.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from carbonpeak.accounting.choices import FactorSetKind, Grade, InventoryStatus
from carbonpeak.accounting.fetch import compute_inventory, core_factor_set, default_factor_set, visible_to
from carbonpeak.accounting.models import ActivityLine, Factor, FactorSet, Inventory
from carbonpeak.accounts.permissions import require, require_office
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import accounts, numbers, units
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import BUILTIN_PATH
from carbonpeak.core.factors import FactorSet as CoreFactorSet
from carbonpeak.plan.models import Plan
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.validation import NUMBER_MESSAGES, Issue, Issues, ValidationFailed

FACTOR_COLUMNS = ("key", "name_zh", "name_en", "value", "unit", "grade", "source", "notes")
FACTOR_OPTIONAL_COLUMNS = ("region", "valid_from_year", "valid_to_year")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: families whose unit the core converts: a county row in these must have a unit it understands
UNIT_FAMILIES = ("tce", "ncv", "cc", "ef_co2", "grid", "heat", "ipcc")
MAX_FACTOR_ROWS = 5000
LINE_FIELDS = ("sector", "carrier", "flow", "purpose", "unit", "quantity", "notation", "source")
PARAM_FIELDS = (
    "grid",
    "gdp_10k_yuan",
    "gdp_current_10k_yuan",
    "population",
    "coal_equivalent_kgce_per_kwh",
    "sink_tco2",
    "inflow_nonfossil_share",
)
MAX_IMPORT_ROWS = 20000
SOURCE_MAX = 200
MAX_MAGNITUDE = Decimal(10) ** 15


def require_office_of(actor: Any, plan: Plan) -> None:
    """The office of ``plan``'s own county (issue 15): another county's office, and a region reader, may not
    change this county's accounts or factor versions (PermissionDenied, 403)."""
    require_office(actor)
    require(acts_in(actor, plan))


OTHER_COUNTY = Issue("other_county", "factor_set", "这是其他县的因子库版本", "that version belongs to another county")


def lock_county(plan: Plan) -> None:
    """Serialize a county's factor-version writes (call inside a transaction)."""
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).first()


def _storable(d: Decimal) -> bool:
    """Fits the columns exactly on every database: |d| <= 10^15, <= 6 decimals, <= 15 significant digits
    (SQLite keeps decimals as REAL), so a value read back always equals the value written."""
    exp = d.as_tuple().exponent
    return abs(d) <= MAX_MAGNITUDE and isinstance(exp, int) and exp >= -6 and len(d.normalize().as_tuple().digits) <= 15


# --- factor sets -------------------------------------------------------------------------------------------
def _canonical(rows: list[dict[str, Any]]) -> str:
    """sha256 of the rows' content, independent of row order and of Decimal spelling (0.50 == 0.5)."""
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: r["key"]):
        v = r.get("value")
        parts = [r["key"], "" if v in (None, "") else format(Decimal(v).normalize(), "f")]
        parts += [str(r.get(k) or "") for k in FACTOR_COLUMNS if k not in ("key", "value")]
        parts += [str(r.get(k) or "") for k in FACTOR_OPTIONAL_COLUMNS]
        h.update("\x1f".join(parts).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def _value_text(v: Any) -> str:
    """The stored spelling of a factor value: exact, as given (a Decimal keeps its digits)."""
    if v is None or v == "":
        return ""
    return format(v, "f") if isinstance(v, Decimal) else str(Decimal(str(v)))


def _derived_meta(key: str) -> dict[str, Any]:
    """Region and valid years that a key spells out (``grid.prov.hunan.2022``, ``chaling.gdp.2020``)."""
    parts = key.split(".")
    meta: dict[str, Any] = {"region": "", "valid_from_year": None, "valid_to_year": None}
    years = [p for p in parts if len(p) == 4 and p.isdigit()]
    if years:
        meta["valid_from_year"] = meta["valid_to_year"] = int(years[-1])
    if parts[0] == "grid" and len(parts) >= 3:
        meta["region"] = ".".join(p for p in parts[1:] if not (len(p) == 4 and p.isdigit()))
    return meta


def _store_set(version: str, kind: str, label: str, rows: list[dict[str, Any]], actor: Any, **extra: Any) -> FactorSet:
    fs = FactorSet.objects.create(
        version=version,
        kind=kind,
        label=label,
        content_sha256=_canonical(rows),
        created_by_label=actor_label(actor),
        **extra,
    )
    Factor.objects.bulk_create(
        Factor(
            factor_set=fs,
            key=r["key"],
            value=_value_text(r.get("value")),
            unit=r.get("unit") or "",
            grade=r.get("grade") or "",
            source=r.get("source") or "",
            name_zh=r.get("name_zh") or "",
            name_en=r.get("name_en") or "",
            notes=r.get("notes") or "",
            region=r.get("region") or "",
            valid_from_year=r.get("valid_from_year"),
            valid_to_year=r.get("valid_to_year"),
        )
        for r in rows
    )
    return fs


def ensure_builtin_factor_set(using: str = "default") -> FactorSet:
    """The shipped factor file as a stored set (created once per file content; later calls find it)."""
    core = CoreFactorSet.from_csv_bytes(open(BUILTIN_PATH, "rb").read(), prefix="builtin")
    existing = FactorSet.objects.using(using).filter(version=core.version).first()
    if existing is not None:
        return existing
    rows = []
    for f in core.values():
        row = f._asdict()
        row.update(_derived_meta(f.key))
        rows.append(row)
    with transaction.atomic(using=using):
        return _store_set(
            core.version, FactorSetKind.BUILTIN, "随软件发布的因子库 / shipped factor library", rows, None
        )


def parse_factor_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], Issues]:
    """Rows of a factor CSV with their line numbers (the header is line 1); file-level problems as issues."""
    issues = Issues()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.add("encoding", "file", "文件不是 UTF-8 编码的 CSV", "the file is not UTF-8 CSV")
        return [], issues
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("key", "value", "unit", "grade", "source") if c not in header]
    unknown = [c for c in header if c not in FACTOR_COLUMNS + FACTOR_OPTIONAL_COLUMNS]
    if missing:
        issues.add(
            "missing_column", "header", f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}"
        )
    if unknown:
        issues.add(
            "unknown_column", "header", f"未知列：{', '.join(unknown)}", f"unknown columns: {', '.join(unknown)}"
        )
    if issues.errors:
        return [], issues
    rows = [(i, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)]
    if len(rows) > MAX_FACTOR_ROWS:
        issues.add("too_many_rows", "file", f"最多 {MAX_FACTOR_ROWS} 行", f"at most {MAX_FACTOR_ROWS} rows")
    if not rows:
        issues.add("empty", "file", "文件没有数据行", "the file has no data rows")
    return rows, issues


def _check_factor_row(n: int, raw: dict[str, str], issues: Issues) -> dict[str, Any] | None:
    ok = True

    def err(code: str, field: str, zh: str, en: str) -> None:
        nonlocal ok
        ok = False
        issues.add(code, field, f"第 {n} 行 {field}：{zh}", f"line {n} {field}: {en}", line=n)

    key = raw.get("key", "")
    if not KEY_RE.match(key):
        err(
            "bad_key",
            "key",
            f"键 {key!r} 格式应为 family.name（小写字母、数字、下划线）",
            f"key {key!r} must look like family.name",
        )
    value: Decimal | None = None
    if raw.get("value", "") != "":
        try:
            value = numbers.to_decimal(raw["value"])
        except numbers.NumberError as e:
            value = None
            err("not_number", "value", *NUMBER_MESSAGES[e.code])
        else:
            if not value.is_finite():
                err("not_finite", "value", "数值必须有限", "the value must be finite")
            elif value < 0 and not key.startswith(("const.", "target.")):
                err("negative", "value", "因子不能为负数", "a factor cannot be negative")
    unit = raw.get("unit", "")
    if not unit:
        err("required", "unit", "请填写单位", "a unit is required")
    elif key.split(".")[0] in UNIT_FAMILIES and value is not None:
        try:
            units.parse_unit(unit)
        except units.UnitError:
            err("unknown_unit", "unit", f"无法识别单位 {unit!r}", f"unit {unit!r} cannot be parsed")
    grade = raw.get("grade", "")
    if grade not in Grade.values:
        err(
            "bad_grade",
            "grade",
            f"等级应为 {'/'.join(Grade.values)}",
            f"grade must be one of {', '.join(Grade.values)}",
        )
    if not raw.get("source"):
        err("required", "source", "本县因子必须注明来源", "a county factor needs its source")
    years: dict[str, int | None] = {}
    for k in ("valid_from_year", "valid_to_year"):
        s = raw.get(k, "")
        years[k] = None
        if s:
            if s.isdigit() and 1900 <= int(s) <= 2100:
                years[k] = int(s)
            else:
                err("bad_year", k, "年份应为 1900–2100", "a year from 1900 to 2100")
    if not ok:
        return None
    row: dict[str, Any] = {k: raw.get(k, "") for k in FACTOR_COLUMNS}
    row["value"] = value
    row["region"] = raw.get("region", "")
    derived = _derived_meta(key)
    row["valid_from_year"] = years["valid_from_year"] or derived["valid_from_year"]
    row["valid_to_year"] = years["valid_to_year"] or derived["valid_to_year"]
    if not row["region"]:
        row["region"] = derived["region"]
    return row


def create_county_version(
    actor: Any, plan: Plan, data: bytes, label: str = "", note: str = "", base: FactorSet | None = None
) -> FactorSet:
    """A new county version = ``base`` (default: the county's current set) with the CSV's rows added or
    replacing rows of the same key. All or nothing: any bad row and no version is made (a half-made library
    would be a different library from the one meant). The same content again returns the existing version the
    county can see (its own, its province's or a shipped one; another county's equal version is not looked at)."""
    require_office_of(actor, plan)
    base = base or default_factor_set(plan)
    if not FactorSet.objects.filter(visible_to(plan), pk=base.pk).exists():
        raise ValidationFailed([OTHER_COUNTY])
    rows, issues = parse_factor_csv(data)
    good: dict[str, dict[str, Any]] = {}
    for n, raw in rows:
        row = _check_factor_row(n, raw, issues)
        if row is None:
            continue
        if row["key"] in good:
            issues.add(
                "duplicate", "key", f"第 {n} 行 key：{row['key']} 重复", f"line {n} key: {row['key']} repeats", line=n
            )
            continue
        good[row["key"]] = row
    issues.raise_if_errors()
    merged: dict[str, dict[str, Any]] = {
        f["key"]: f
        for f in base.factors.values(
            "key",
            "value",
            "unit",
            "grade",
            "source",
            "name_zh",
            "name_en",
            "notes",
            "region",
            "valid_from_year",
            "valid_to_year",
        )
    }
    changed = [k for k, r in good.items() if k not in merged or _canonical([merged[k]]) != _canonical([r])]
    if not changed:
        raise ValidationFailed(
            [
                Issue(
                    "no_change",
                    "file",
                    "上传的因子与当前版本完全相同，未生成新版本",
                    "the rows equal the current version; no version made",
                )
            ]
        )
    merged.update(good)
    all_rows = list(merged.values())
    sha = _canonical(all_rows)
    prefix = plan.division_code or plan.code
    try:
        CoreFactorSet.from_rows(f"{prefix}:new", all_rows).ceff_grade_bounds()
    except CalcError as e:
        raise ValidationFailed([Issue(e.code, "file", f"因子库整体校验失败：{e.message}", e.message)]) from e
    with transaction.atomic():
        # one upload at a time per county: the equal-content check and the version number are read under the
        # county's lock, so two offices uploading at once get one version each, or the same one, never an error
        lock_county(plan)
        existing = FactorSet.objects.filter(visible_to(plan), content_sha256=sha).first()
        if existing is not None:
            return existing
        n = FactorSet.objects.filter(plan=plan).count() + 1
        version = f"{prefix}:{n}"
        fs = _store_set(
            version,
            FactorSetKind.COUNTY,
            label or f"{plan.county}因子库 第{n}版",
            all_rows,
            actor,
            plan=plan,
            parent=base,
            note=note,
        )
        record(actor, "factor_set.create", fs, None, {"base": base.version, "changed": sorted(changed)})
    return fs


def diff_factor_sets(a: FactorSet, b: FactorSet) -> dict[str, list[dict[str, Any]]]:
    """What changes from ``a`` to ``b``: added, removed and changed keys with both rows."""
    cols = ("key", "value", "unit", "grade", "source", "name_zh", "notes")
    ra = {r["key"]: r for r in a.factors.values(*cols)}
    rb = {r["key"]: r for r in b.factors.values(*cols)}
    changed = []
    for k in sorted(ra.keys() & rb.keys()):
        fields = [
            c
            for c in cols[1:]
            if (_norm_value(ra[k][c]) != _norm_value(rb[k][c]) if c == "value" else ra[k][c] != rb[k][c])
        ]
        if fields:
            changed.append({"key": k, "fields": fields, "before": ra[k], "after": rb[k]})
    return {
        "added": [rb[k] for k in sorted(rb.keys() - ra.keys())],
        "removed": [ra[k] for k in sorted(ra.keys() - rb.keys())],
        "changed": changed,
    }


def _norm(v: Any) -> Any:
    return format(v.normalize(), "f") if isinstance(v, Decimal) else v


def _norm_value(v: str) -> str:
    return format(Decimal(v).normalize(), "f") if v else ""


# --- inventories -------------------------------------------------------------------------------------------
def create_inventory(actor: Any, plan: Plan, year: Any, factor_set: FactorSet | None = None) -> Inventory:
    require_office_of(actor, plan)
    if factor_set is not None and not FactorSet.objects.filter(visible_to(plan), pk=factor_set.pk).exists():
        raise ValidationFailed([OTHER_COUNTY])
    issues = Issues()
    try:
        y = numbers.to_int(year)
    except numbers.NumberError:
        y = 0
    if not 1990 <= y <= plan.last_year:
        issues.add("bad_year", "year", f"year：年份应在 1990–{plan.last_year}", f"year: must be 1990-{plan.last_year}")
    elif Inventory.objects.filter(plan=plan, year=y).exists():
        issues.add("exists", "year", f"year：{y} 年核算已存在", f"year: the {y} accounts already exist")
    issues.raise_if_errors()
    with transaction.atomic():
        inv = Inventory.objects.create(
            plan=plan, year=y, factor_set=factor_set or default_factor_set(plan), grid=plan.grid
        )
        record(actor, "inventory.create", inv, None, {"year": y, "factor_set": inv.factor_set.version})
    return inv


def _require_draft(inv: Inventory) -> None:
    if inv.is_locked:
        raise ValidationFailed(
            [
                Issue(
                    "locked",
                    "status",
                    f"{inv.year} 年核算已审定，须先退回草稿才能修改",
                    f"the {inv.year} accounts are approved; reopen them to change data",
                )
            ]
        )


def _parse_param(name: str, raw: Any, fs_core: CoreFactorSet, issues: Issues, line: int | None):
    where_zh = f"年度参数表第 {line} 行 " if line else ""
    where_en = f"parameter sheet line {line} " if line else ""

    def err(code: str, zh: str, en: str) -> None:
        issues.add(code, name, f"{where_zh}{name}：{zh}", f"{where_en}{name}: {en}", line=line)

    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if name == "grid":
        g = str(raw).strip()
        if g not in fs_core.grids():
            err("unknown_grid", f"电网因子序列 {g!r} 不在因子库中", f"grid series {g!r} is not in the factor set")
            return _INVALID
        return g
    if isinstance(raw, bool):
        err("not_number", "应为数值", "must be a number")
        return _INVALID
    try:
        d = numbers.to_decimal(raw)
    except numbers.NumberError as e:
        err("not_number", *NUMBER_MESSAGES[e.code])
        return _INVALID
    if not d.is_finite() or d < 0 or not _storable(d):
        err(
            "out_of_range",
            "应为非负有限数值（不超过 10¹⁵，最多 6 位小数）",
            "must be a non-negative number up to 10^15, 6 decimals",
        )
        return _INVALID
    if name == "population":
        if d != d.to_integral_value():
            err("not_integer", "人口应为整数", "population must be a whole number")
            return _INVALID
        return int(d)
    if name == "inflow_nonfossil_share" and d > 1:
        err(
            "fraction_range",
            "比例应在 0%–100% 之间（Excel 模板中写小数，30% 写作 0.3）",
            "a share is between 0 % and 100 % (in the Excel template a fraction: 30 % is 0.3)",
        )
        return _INVALID
    if name == "coal_equivalent_kgce_per_kwh" and not Decimal("0.1") <= d <= Decimal("0.6"):
        err(
            "out_of_range",
            "供电煤耗应在 0.1–0.6 kgce/kWh（如 0.3）",
            "the coal rate must be 0.1-0.6 kgce/kWh (e.g. 0.3)",
        )
        return _INVALID
    if name in ("gdp_10k_yuan", "gdp_current_10k_yuan") and d == 0:
        err("out_of_range", "GDP 必须大于 0", "GDP must be above 0")
        return _INVALID
    return d


_INVALID = object()


def set_params(actor: Any, inv: Inventory, values: dict[str, Any]) -> Issues:
    """Set the year's parameters (blank = unset). Bad values are reported and not stored; good ones are."""
    require_office_of(actor, inv.plan)
    issues = Issues()
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inv.pk)  # an approval in between is not undone
        _require_draft(locked)
        before = {k: getattr(locked, k) for k in PARAM_FIELDS}
        changed = _apply_params(locked, [(None, k, v) for k, v in values.items()], issues)
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            record(
                actor,
                "inventory.params",
                locked,
                {k: before[k] for k in changed},
                {k: getattr(locked, k) for k in changed},
            )
    inv.refresh_from_db()
    return issues


def _apply_params(inv: Inventory, items: list[tuple[int | None, str, Any]], issues: Issues) -> list[str]:
    fs_core = core_factor_set(inv.factor_set)
    changed = []
    for line, name, raw in items:
        if name not in PARAM_FIELDS:
            issues.add("unknown_key", name, f"未知参数 {name}", f"unknown parameter {name}", line=line)
            continue
        v = _parse_param(name, raw, fs_core, issues, line)
        if v is _INVALID:
            continue
        if name == "grid":
            v = v or ""
        if name == "sink_tco2" and v is None:
            v = Decimal(0)
        current = getattr(inv, name)
        if _norm(current) != _norm(v):
            setattr(inv, name, v)
            changed.append(name)
    return changed


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def import_activity(
    actor: Any,
    inv: Inventory,
    rows: list[tuple[int, dict[str, Any]]],
    params: list[tuple[int, str, Any]] | None = None,
) -> dict[str, Any]:
    """Upsert activity lines by (sector, carrier, flow, purpose). Per-row errors with line and field; good rows
    stored; a row equal to the stored line is "unchanged" and not written. Returns the report."""
    require_office_of(actor, inv.plan)
    _require_draft(inv)
    fs_core = core_factor_set(inv.factor_set)
    issues = Issues()
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(
            [
                Issue(
                    "too_many_rows",
                    "file",
                    f"一次最多导入 {MAX_IMPORT_ROWS} 行",
                    f"at most {MAX_IMPORT_ROWS} rows per import",
                )
            ]
        )
    seen: dict[tuple[str, str, str, str], int] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    for n, raw in rows:
        unknown = [k for k in raw if k not in LINE_FIELDS]
        if unknown:
            issues.add(
                "unknown_key",
                unknown[0],
                f"第 {n} 行：未知字段 {unknown[0]}",
                f"line {n}: unknown field {unknown[0]}",
                line=n,
            )
            continue
        r = {k: _cell(raw.get(k)) for k in LINE_FIELDS}
        r["flow"] = r["flow"] or "final"
        r["purpose"] = r["purpose"] or "energy"
        r["notation"] = r["notation"].upper()
        q: Decimal | None = None
        bad = False
        if r["quantity"]:
            try:
                q = Decimal(r["quantity"].replace(",", ""))
            except InvalidOperation:
                issues.add(
                    "not_number",
                    "quantity",
                    f"第 {n} 行 quantity：“{r['quantity']}”不是数值",
                    f"line {n} quantity: {r['quantity']!r} is not a number",
                    line=n,
                )
                bad = True
            else:
                if not q.is_finite():
                    issues.add(
                        "not_finite",
                        "quantity",
                        f"第 {n} 行 quantity：数值必须有限",
                        f"line {n} quantity: must be finite",
                        line=n,
                    )
                    bad = True
                elif not _storable(q):
                    issues.add(
                        "out_of_range",
                        "quantity",
                        f"第 {n} 行 quantity：应不超过 10¹⁵，最多 6 位小数、15 位有效数字",
                        f"line {n} quantity: at most 10^15, 6 decimals and 15 significant digits",
                        line=n,
                    )
                    bad = True
        if len(r["source"]) > SOURCE_MAX:
            issues.add(
                "too_long",
                "source",
                f"第 {n} 行 source：最多 {SOURCE_MAX} 字",
                f"line {n} source: at most {SOURCE_MAX} characters",
                line=n,
            )
            bad = True
        if bad:
            continue
        line = accounts.Line(
            id=str(n),
            sector=r["sector"],
            carrier=r["carrier"],
            flow=r["flow"],
            unit=r["unit"],
            quantity=q,
            notation=r["notation"] or None,
            purpose=r["purpose"],
        )
        errs = [c for c in accounts.check_line(line, fs_core) if c.severity == "error"]
        for c in errs:
            issues.add(
                c.code, c.field, f"第 {n} 行 {c.field}：{c.message_zh}", f"line {n} {c.field}: {c.message_en}", line=n
            )
        if errs:
            continue
        key = accounts.line_key(line)
        if key in seen:
            issues.add(
                "duplicate",
                "sector",
                f"第 {n} 行：与第 {seen[key]} 行重复（部门、品种、流向、用途相同）",
                f"line {n}: repeats line {seen[key]} (same sector, carrier, flow and purpose)",
                line=n,
            )
            continue
        seen[key] = n
        r["quantity"] = q
        good.append((n, r))
    created: list[str] = []
    updated: dict[str, Any] = {}
    unchanged = 0
    label = actor_label(actor)
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inv.pk)
        _require_draft(locked)
        # read the stored lines under the lock: a concurrent import of the same year waits, then sees ours
        existing = {(x.sector, x.carrier, x.flow, x.purpose): x for x in locked.lines.all()}
        param_changes: list[str] = []
        if params:
            before_params = {k: getattr(locked, k) for k in PARAM_FIELDS}
            param_changes = _apply_params(locked, params, issues)
            if param_changes:
                locked.save()
        for _n, r in good:
            key = (r["sector"], r["carrier"], r["flow"], r["purpose"])
            cur = existing.get(key)
            fields = {"unit": r["unit"], "quantity": r["quantity"], "notation": r["notation"], "source": r["source"]}
            if cur is None:
                try:
                    with transaction.atomic():
                        ActivityLine.objects.create(
                            inventory=locked,
                            updated_by_label=label,
                            **dict(zip(("sector", "carrier", "flow", "purpose"), key, strict=True)),
                            **fields,
                        )
                except IntegrityError:  # a concurrent import stored the same key first: report, keep going
                    issues.add(
                        "conflict",
                        "sector",
                        f"第 {_n} 行：同时有另一导入写入了该行",
                        f"line {_n}: another import stored this row at the same time",
                        line=_n,
                    )
                    continue
                created.append("/".join(key))
            elif any(_norm(getattr(cur, f)) != _norm(v) for f, v in fields.items()):
                before = {f: getattr(cur, f) for f in fields}
                for f, v in fields.items():
                    setattr(cur, f, v)
                cur.updated_by_label = label
                cur.save()
                updated["/".join(key)] = {"before": before, "after": fields}
            else:
                unchanged += 1
        if created or updated or param_changes:
            locked.save(update_fields=["updated_at"])
            record(
                actor,
                "inventory.import",
                locked,
                {"params": {k: before_params[k] for k in param_changes}} if param_changes else None,
                {"created": created, "updated": updated, "params": {k: getattr(locked, k) for k in param_changes}},
            )
    inv.refresh_from_db()
    return {
        "accepted": len(created) + len(updated),
        "created": len(created),
        "updated": len(updated),
        "unchanged": unchanged,
        "params_changed": param_changes,
        "rejected": [{"line": i.line, "field": i.field, "message": i.message, "code": i.code} for i in issues.errors],
    }


def set_factor_set(actor: Any, inv: Inventory, fs: FactorSet) -> None:
    """Switch a draft year to another factor-set version (audited)."""
    require_office_of(actor, inv.plan)
    _require_draft(inv)
    if not FactorSet.objects.filter(visible_to(inv.plan), pk=fs.pk).exists():
        raise ValidationFailed([OTHER_COUNTY])
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().select_related("factor_set").get(pk=inv.pk)
        _require_draft(locked)
        before = locked.factor_set.version
        locked.factor_set = fs
        if locked.grid and locked.grid not in core_factor_set(fs).grids():
            locked.grid = ""
        locked.save(update_fields=["factor_set", "grid", "updated_at"])
        record(actor, "inventory.factor_set", locked, {"factor_set": before}, {"factor_set": fs.version})
    inv.refresh_from_db()


def inputs_sha256(inv: Inventory) -> str:
    h = hashlib.sha256()
    h.update(inv.factor_set.version.encode())
    for k in PARAM_FIELDS:
        h.update(f"|{k}={_norm(getattr(inv, k))}".encode())
    for x in inv.lines.order_by("sector", "carrier", "flow", "purpose"):
        h.update(f"|{x.sector},{x.carrier},{x.flow},{x.purpose},{x.unit},{_norm(x.quantity)},{x.notation}".encode())
    return h.hexdigest()


def approve(actor: Any, inv: Inventory) -> list[Any]:
    """Freeze the year's results and push the accounting indicators to the plan's targets. Refused while the
    accounts cannot be computed or have an error-level check."""
    from carbonpeak.accounting.indicators import push_indicators

    require_office_of(actor, inv.plan)
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inv.pk)
        _require_draft(locked)
        res = compute_inventory(locked)
        if "error" in res:
            e = res["error"]
            raise ValidationFailed(
                [
                    Issue(
                        e["code"],
                        e["field"],
                        f"核算无法完成：{e['message']}",
                        f"the accounts cannot be computed: {e['message']}",
                    )
                ]
            )
        errors = [c for c in res["checks"] if c["severity"] == "error"]
        if errors:
            raise ValidationFailed([Issue(c["code"], c["field"], c["message_zh"], c["message_en"]) for c in errors])
        locked.results = res
        locked.inputs_sha256 = inputs_sha256(locked)
        locked.status = InventoryStatus.APPROVED
        locked.approved_by_label = actor_label(actor)
        locked.approved_at = timezone.now()
        locked.save()
        record(
            actor,
            "inventory.approve",
            locked,
            {"status": InventoryStatus.DRAFT},
            {
                "status": InventoryStatus.APPROVED,
                "inputs_sha256": locked.inputs_sha256,
                "factor_set": locked.factor_set.version,
            },
        )
        skipped: list[str] = []
        pushed = push_indicators(actor, locked.plan, skipped)
        if skipped:
            record(actor, "inventory.indicators_skipped", locked, None, {"skipped": skipped})
    inv.refresh_from_db()
    return pushed


def reopen(actor: Any, inv: Inventory, reason: str) -> None:
    require_office_of(actor, inv.plan)
    if not (reason or "").strip():
        raise ValidationFailed(
            [Issue("required", "reason", "reason：请说明退回原因", "reason: say why the accounts are reopened")]
        )
    with transaction.atomic():
        locked = Inventory.objects.select_for_update().get(pk=inv.pk)
        if not locked.is_locked:
            return
        record(
            actor,
            "inventory.reopen",
            locked,
            {"status": InventoryStatus.APPROVED, "inputs_sha256": locked.inputs_sha256},
            {"status": InventoryStatus.DRAFT, "reason": reason.strip()},
        )
        locked.status = InventoryStatus.DRAFT
        locked.results = None
        locked.approved_at = None
        locked.approved_by_label = ""
        locked.save()
        from carbonpeak.accounting.indicators import retract_indicators

        retract_indicators(actor, locked, reason.strip())
    inv.refresh_from_db()
