"""The factor library by level: national (shipped) → province → county.

A province publishes a version (kind ``province``, ``province`` = the province's name as the plans spell it,
``Plan.province``); its counties inherit it: a county without a version of its own uses its province's newest
version, else the newest shipped library (``services.default_factor_set``). A county version overrides rows of
the version it is based on (by default the county's effective version, so the province's). Every version is
stored whole and never changed; which rows a version inherits and which it overrides is read from the chain of
``parent`` versions (:func:`row_origins`), so every number still names the one version it was computed with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting import services
from carbonpeak.accounting.choices import FactorSetKind
from carbonpeak.accounting.fetch import visible_to
from carbonpeak.accounting.models import FactorSet
from carbonpeak.audit.services import record
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import FactorSet as CoreFactorSet
from carbonpeak.plan.models import Plan
from carbonpeak.validation import Issue, Issues, ValidationFailed

ROW_COLUMNS = ("key", "value", "unit", "grade", "source", "name_zh", "name_en", "notes", "region")
ROW_COLUMNS += ("valid_from_year", "valid_to_year")
VERSION_MAX = FactorSet._meta.get_field("version").max_length

#: how a row of a version came to be there, by the level of the version that wrote it
ORIGIN_LABELS = {
    "national": _("国家（随软件发布）"),
    "province_inherited": _("省级继承"),
    "province_own": _("本省发布"),
    "county_override": _("本县覆盖"),
}


@dataclass(frozen=True)
class Origin:
    level: str  # a key of ORIGIN_LABELS
    version: str  # the version whose row this is (the version itself, or the ancestor it was inherited from)

    @property
    def label(self) -> str:
        return str(ORIGIN_LABELS[self.level])


def province_factor_set(province: str) -> FactorSet | None:
    """The province's newest published version (None: the province has published none)."""
    if not province:
        return None
    qs = FactorSet.objects.filter(kind=FactorSetKind.PROVINCE, province=province)
    return qs.order_by("-created_at", "-id").first()


def visible_factor_sets(plan: Plan) -> QuerySet[FactorSet]:
    """The versions a county may see and use: the shipped ones, its province's and its own."""
    return FactorSet.objects.filter(visible_to(plan))


def readable_factor_sets(plans: Iterable[Plan] | None) -> QuerySet[FactorSet]:
    """The versions a reader of ``plans`` sees (a region reader: what any of its counties sees). ``None`` is the
    public, which has no county: the shipped and the provinces' published versions, never a county's own."""
    if plans is None:
        return FactorSet.objects.filter(plan__isnull=True)
    q = Q(pk__in=[])
    for plan in plans:
        q |= visible_to(plan)
    return FactorSet.objects.filter(q)


def _rows(fs: FactorSet) -> dict[str, str]:
    """key → the row's canonical content hash (value spelling-independent, as the version hash is)."""
    return {r["key"]: services._canonical([r]) for r in fs.factors.values(*ROW_COLUMNS)}


def row_origins(fs: FactorSet) -> dict[str, Origin]:
    """For every key of ``fs``: the level and version that wrote the row. A row equal to its parent's row is
    inherited (and so on up the chain); a row that differs from its parent's, or that the parent lacks, was
    written by that version."""
    chain: list[FactorSet] = []
    cur: FactorSet | None = fs
    while cur is not None and len(chain) < 100:
        chain.append(cur)
        cur = cur.parent
    rows = [_rows(x) for x in chain]
    out: dict[str, Origin] = {}
    for key, content in rows[0].items():
        i = 0
        while i + 1 < len(chain) and rows[i + 1].get(key) == content:
            i += 1
        out[key] = Origin(_level(chain[i], fs), chain[i].version)
    return out


def _level(writer: FactorSet, reader: FactorSet) -> str:
    if writer.kind == FactorSetKind.COUNTY:
        return "county_override"
    if writer.kind == FactorSetKind.PROVINCE:
        return "province_own" if reader.kind == FactorSetKind.PROVINCE else "province_inherited"
    return "national"


def publish(
    actor: Any,
    data: bytes,
    *,
    province: str = "",
    plan: Plan | None = None,
    version: str = "",
    label: str = "",
    note: str = "",
) -> FactorSet:
    """A new province version (``province``) or county version (``plan``) from a factor CSV: the rows of the
    version it is based on (the province's newest, else the shipped library; for a county its effective
    version), with the file's rows added or replacing rows of the same key. All or nothing; audited. ``actor``
    None is the command line (the operator of the installation), the only one who publishes a province's
    version; a county's office publishes its own county's version only."""
    if (plan is None) == (not province):
        raise ValueError("publish either for a province or for a county (plan)")
    if actor is not None:
        if plan is None:
            raise PermissionDenied(
                _("省级因子库版本由系统运维人员在命令行发布 / a province version is published from the command line")
            )
        services.require_office_of(actor, plan)
    version = (version or "").strip()
    issues = Issues()
    if len(version) > VERSION_MAX:
        issues.add("too_long", "version", f"version：最多 {VERSION_MAX} 字", f"version: at most {VERSION_MAX} chars")
    elif version and FactorSet.objects.filter(version=version).exists():
        issues.add("exists", "version", f"version：版本 {version} 已存在", f"version: {version} already exists")
    issues.raise_if_errors()
    if plan is not None:
        base = services.default_factor_set(plan)
    else:
        base = province_factor_set(province) or _national()
    rows, issues = services.parse_factor_csv(data)
    good: dict[str, dict[str, Any]] = {}
    for n, raw in rows:
        row = services._check_factor_row(n, raw, issues)
        if row is None:
            continue
        if row["key"] in good:
            issues.add(
                "duplicate", "key", f"第 {n} 行 key：{row['key']} 重复", f"line {n} key: {row['key']} repeats", line=n
            )
            continue
        good[row["key"]] = row
    issues.raise_if_errors()
    merged = {r["key"]: r for r in base.factors.values(*ROW_COLUMNS)}
    changed = sorted(
        k for k, r in good.items() if k not in merged or services._canonical([merged[k]]) != services._canonical([r])
    )
    if not changed:
        raise ValidationFailed(
            [
                Issue(
                    "no_change",
                    "file",
                    "上传的因子与所依据的版本完全相同，未生成新版本",
                    "the rows equal the base version; no version made",
                )
            ]
        )
    merged.update(good)
    all_rows = list(merged.values())
    sha = services._canonical(all_rows)
    try:
        CoreFactorSet.from_rows(version or "new", all_rows).ceff_grade_bounds()
    except CalcError as e:
        raise ValidationFailed([Issue(e.code, "file", f"因子库整体校验失败：{e.message}", e.message)]) from e
    with transaction.atomic():
        if plan is not None:  # a county's versions one at a time: the content check and the number under its lock
            services.lock_county(plan)
        # equal content: among the versions this county sees (a county's) or the shared ones (a province's);
        # another county's equal version is no business of this one and does not stop it
        same = visible_factor_sets(plan) if plan is not None else FactorSet.objects.filter(plan__isnull=True)
        existing = same.filter(content_sha256=sha).first()
        if existing is not None:
            raise ValidationFailed(
                [
                    Issue(
                        "exists",
                        "file",
                        f"内容与已有版本 {existing.version} 相同",
                        f"the content equals version {existing.version}",
                    )
                ]
            )
        if plan is not None:
            n_own = FactorSet.objects.filter(plan=plan).count() + 1
            version = version or f"{plan.division_code or plan.code}:{n_own}"
            kind, who = FactorSetKind.COUNTY, plan.county
            extra: dict[str, Any] = {"plan": plan}
        else:
            n_own = FactorSet.objects.filter(kind=FactorSetKind.PROVINCE, province=province).count() + 1
            version = version or f"{province}:{n_own}"
            kind, who = FactorSetKind.PROVINCE, province
            extra = {"province": province}
        fs = services._store_set(
            version, kind, label or f"{who}因子库 {version}", all_rows, actor, parent=base, note=note, **extra
        )
        record(
            actor,
            f"factor_set.publish_{kind}",
            fs,
            None,
            {"base": base.version, "province": province or (plan.province if plan else ""), "changed": changed},
        )
    return fs


def _national() -> FactorSet:
    newest = FactorSet.objects.filter(kind=FactorSetKind.BUILTIN).order_by("-created_at", "-id").first()
    return newest if newest is not None else services.ensure_builtin_factor_set()
