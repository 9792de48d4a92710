"""The enterprise's annual carbon account as a workflow, and its carbon-efficiency grade (碳效码).

Submit → the office returns it with a comment, or approves it. Each submission is a new version holding the
frozen account (computed from the monthly roll-ups with the county's default factor set) and the input hash;
an approved version is locked and stays in the history; a revision is the next version. Only a past year (in
Beijing time) can be submitted, and only one version per year may wait for review.

The grade is the calc contract's ``carbon_efficiency``: k = (CO2 ÷ value added) ÷ the industry's benchmark
intensity, upper-inclusive exact decimal bounds. The benchmark is the county's figure for the enterprise's
GB/T 4754 class, else its division (first two digits), for the latest year at or before the account's year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.accounts.models import User
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import numbers
from carbonpeak.core.ceff import carbon_efficiency
from carbonpeak.enterprises import accounts, industry
from carbonpeak.enterprises.choices import AccountStatus
from carbonpeak.enterprises.models import Benchmark, CarbonAccount, Enterprise, MonthlyRollup
from carbonpeak.enterprises.permissions import require_county_office, require_edit
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.plan.models import Plan
from carbonpeak.tabular import Report
from carbonpeak.validation import NOTE_MAX, YEAR_MAX, Issues, bounded_decimal, int_field, require_text

#: the first year an annual carbon account can be for (readings start in 2000)
EARLIEST_YEAR = 2000

#: what a grade means for the enterprise (Huzhou-style 碳效码 colours); general guidance, set by county policy
GRADE_MEANING = {
    1: (_("深绿"), _("碳效领先：行业强度的 60% 及以下。可优先获得绿色金融、用能指标和评优支持。")),
    2: (_("浅绿"), _("碳效较好：行业强度的 60%–80%。保持并继续挖潜。")),
    3: (_("黄"), _("碳效一般：行业强度的 80%–120%。建议开展节能诊断，制定降碳计划。")),
    4: (_("橙"), _("碳效偏低：行业强度的 120%–200%。列入节能监察与技改重点，限期提升。")),
    5: (_("红"), _("碳效落后：高于行业强度的 2 倍。重点监管，新增用能从严审查。")),
}


def _q6(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(repr(x)).quantize(Decimal("0.000001"))


# --- benchmarks ---------------------------------------------------------------------------------------------
BENCHMARK_COLUMNS = ("industry_code", "year", "intensity", "source")
INTENSITY_CHARS = Benchmark._meta.get_field("intensity").max_length
SOURCE_CHARS = Benchmark._meta.get_field("source").max_length


def import_benchmarks(actor: Any, plan: Plan, rows, illustrative: bool = False) -> Report:
    """Rows ``industry_code,year,intensity,source``: a GB/T 4754 class (4 digits) or division (2 digits), the
    first year it applies, tCO2 per 10 000 yuan of value added (> 0, exact decimal text). Same row again: a
    duplicate; a changed value for a stored (code, year) updates it, audited."""
    rep = Report()
    seen: dict[tuple[str, int], int] = {}
    with transaction.atomic():
        for n, r in rows:
            code = (r.get("industry_code") or "").strip()
            ind = industry.lookup(code)
            if ind is None or ind.level not in ("class", "division"):
                rep.reject(
                    n,
                    "industry_code",
                    f"industry_code：{code!r} 不是 GB/T 4754-2017 小类（4 位）或大类（2 位）代码",
                    f"industry_code: {code!r} is not a GB/T 4754-2017 class (4 digits) or division (2 digits)",
                )
                continue
            try:
                year = numbers.to_int(r.get("year") or "")
                assert 1990 <= year <= 2100
            except (numbers.NumberError, AssertionError):
                rep.reject(n, "year", "year：应为 1990–2100 的年份", "year: a year from 1990 to 2100")
                continue
            raw = (r.get("intensity") or "").strip()
            try:
                val = numbers.to_decimal(raw)
                ok = val > 0
            except numbers.NumberError:
                ok = False
            if not ok:
                rep.reject(
                    n, "intensity", "intensity：应为正数（tCO2/万元）", "intensity: a positive number (tCO2/10k yuan)"
                )
                continue
            if len(str(val)) > INTENSITY_CHARS:
                rep.reject(
                    n,
                    "intensity",
                    f"intensity：有效数字过多（不超过 {INTENSITY_CHARS} 个字符）",
                    f"intensity: too many digits (at most {INTENSITY_CHARS} characters)",
                )
                continue
            source = (r.get("source") or "").strip()
            if not source or len(source) > SOURCE_CHARS:
                rep.reject(
                    n,
                    "source",
                    f"source：请注明来源（不超过 {SOURCE_CHARS} 字）",
                    f"source: name where the figure comes from (at most {SOURCE_CHARS} characters)",
                )
                continue
            if (code, year) in seen:
                rep.reject(
                    n,
                    "industry_code",
                    f"industry_code：与第 {seen[code, year]} 行重复",
                    f"same as line {seen[code, year]}",
                )
                continue
            seen[code, year] = n
            b = Benchmark.objects.filter(plan=plan, industry_code=code, year=year).first()
            fields = {"intensity": str(val), "source": source, "is_illustrative": illustrative}
            if b is None:
                b = Benchmark.objects.create(plan=plan, industry_code=code, year=year, **fields)
                record(actor, "benchmark.create", b, None, fields)
                rep.accepted += 1
            elif all(getattr(b, k) == v for k, v in fields.items()):
                rep.duplicates += 1
            else:
                before = {k: getattr(b, k) for k in fields}
                Benchmark.objects.filter(pk=b.pk).update(**fields)
                record(actor, "benchmark.update", b, before, fields)
                rep.accepted += 1
    return rep


def benchmark_for(plan: Plan, industry_code: str, year: int) -> Benchmark | None:
    for code in (industry_code, industry_code[:2]):
        b = Benchmark.objects.filter(plan=plan, industry_code=code, year__lte=year).order_by("-year").first()
        if b is not None:
            return b
    return None


def grade(plan: Plan, ent: Enterprise, year: int, co2_t: Decimal, value_added: Decimal) -> dict[str, Any] | None:
    """The carbon-efficiency grade, or None without a benchmark for the enterprise's industry."""
    b = benchmark_for(plan, ent.industry_code, year)
    if b is None:
        return None
    fs = core_factor_set(default_factor_set(plan))
    r = carbon_efficiency(co2_t, value_added, Decimal(b.intensity), fs)
    colour, meaning = GRADE_MEANING[r.grade]
    return {
        "grade": r.grade,
        "level": r.level,
        "k": str(r.k),
        "intensity_tco2_per_10k_yuan": str(r.intensity_tco2_per_10k_yuan),
        "benchmark": {
            "industry_code": b.industry_code,
            "year": b.year,
            "intensity": b.intensity,
            "source": b.source,
            "is_illustrative": b.is_illustrative,
        },
        "bound": r.bound_key,
        "colour": str(colour),
        "meaning": str(meaning),
        "factor_set": fs.version,
    }


# --- the account ----------------------------------------------------------------------------------------------
def live_account(ent: Enterprise, year: int, through_month: int = 12) -> dict[str, Any]:
    """The enterprise's account computed now from the roll-ups (what a submission would freeze)."""
    out = accounts.compute(ent.plan, year, through_month=through_month, enterprise_ids=[ent.pk])
    row = out["enterprises"][0]
    rolls = MonthlyRollup.objects.filter(
        meter__enterprise=ent, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, through_month, 1)
    )
    months = sorted({r.month.month for r in rolls})
    manual = sum(r.manual_readings for r in rolls)
    return {
        **{
            k: out[k]
            for k in (
                "year",
                "months",
                "factor_set",
                "grid",
                "coal_equivalent_kgce_per_kwh",
                "coal_rate_year",
                "key_energy_user_threshold_tce",
                "methods",
            )
        },
        "unpriced_meters": out["unpriced_meters"],
        "enterprise": row,
        "months_with_data": months,
        "manual_readings": manual,
    }


def inputs_sha256(account: dict[str, Any], value_added: Decimal) -> str:
    va = str(Decimal(value_added).quantize(Decimal("0.0001")))  # as the column stores it (4 places)
    body = json.dumps({"account": account, "value_added": va}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _parse_va(raw: Any, issues: Issues) -> Decimal | None:
    return bounded_decimal(
        raw,
        "value_added_10k_yuan",
        issues,
        low=Decimal(0),
        high=Decimal(10) ** 15,
        places=4,
        zh="工业增加值（万元）应为正数，最多 4 位小数",
        en="value_added_10k_yuan: a positive number of 10 000 yuan, at most 4 decimals",
    )


def submit(
    actor: Any, ent: Enterprise, year: Any, value_added: Any, note: str = "", *, label: str = ""
) -> CarbonAccount:
    """A new version for review. ``actor`` None is an import on the enterprise's behalf (``label`` names it)."""
    if actor is not None:
        require_edit(actor, ent)
    issues = Issues()
    note = require_text(note, "note", max_length=NOTE_MAX)
    year = int_field(year, "year", issues, low=EARLIEST_YEAR, high=YEAR_MAX)  # year 0 or 10²⁰: an issue, not a 500
    issues.raise_if_errors()
    assert year is not None
    if year >= timezone.now().astimezone(BEIJING).year:
        issues.add("not_closed", "year", f"{year} 年尚未结束，不能提交年度碳账户", f"year: {year} has not ended yet")
    va = _parse_va(value_added, issues)
    issues.raise_if_errors()
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=ent.pk).first()  # one submission at a time
        versions = CarbonAccount.objects.filter(enterprise=ent, year=year)
        if versions.filter(status=AccountStatus.SUBMITTED).exists():
            issues.add(
                "pending",
                "year",
                f"{year} 年已有待审核的版本，请等待审核结果",
                f"year: a version of {year} awaits review",
            )
            issues.raise_if_errors()
        acc = live_account(ent, year)
        if not acc["months_with_data"]:
            issues.add("no_data", "year", f"{year} 年没有计量数据", f"year: no readings for {year}")
            issues.raise_if_errors()
        sha = inputs_sha256(acc, va)
        approved = versions.filter(status=AccountStatus.APPROVED).order_by("-version").first()
        if approved is not None and approved.inputs_sha256 == sha:
            issues.add(
                "unchanged",
                "year",
                f"与已审定的第 {approved.version} 版相同，无需修订",
                f"year: identical to approved version {approved.version}; nothing to revise",
            )
            issues.raise_if_errors()
        e = acc["enterprise"]
        g = grade(ent.plan, ent, year, _q6(e["co2_t"]), va)
        last = versions.order_by("-version").values_list("version", flat=True).first() or 0
        ca = CarbonAccount.objects.create(
            enterprise=ent,
            year=year,
            version=last + 1,
            value_added_10k_yuan=va,
            results=acc,
            inputs_sha256=sha,
            grade=g["grade"] if g else None,
            grade_detail=g,
            note=note.strip(),
            submitted_by=actor if isinstance(actor, User) else None,
            submitted_by_label=label or actor_label(actor),
        )
        record(actor, "carbon_account.submit", ca, None, {"year": year, "version": ca.version, "sha256": sha})
    return ca


def _reviewable(ca: CarbonAccount, actor: Any) -> CarbonAccount:
    locked = CarbonAccount.objects.select_for_update().get(pk=ca.pk)
    if locked.submitted_by_id is not None and locked.submitted_by_id == getattr(actor, "pk", None):
        issues = Issues()
        issues.add(
            "same_person",
            "reviewer",
            "提交人不能审核自己提交的碳账户，请由另一位工作人员审核",
            "reviewer: the person who submitted a version cannot review it",
        )
        issues.raise_if_errors()
    if locked.status != AccountStatus.SUBMITTED:
        issues = Issues()
        issues.add(
            "not_pending", "status", "该版本不在待审核状态", f"status: version {locked.version} is {locked.status}"
        )
        issues.raise_if_errors()
    return locked


def return_account(actor: Any, ca: CarbonAccount, comment: str) -> CarbonAccount:
    require_county_office(actor, ca.enterprise.plan)
    comment = require_text(comment, "comment", max_length=NOTE_MAX)
    if not (comment or "").strip():
        issues = Issues()
        issues.add("required", "comment", "退回时请填写审核意见", "comment: say what must change")
        issues.raise_if_errors()
    with transaction.atomic():
        ca = _reviewable(ca, actor)
        ca.status = AccountStatus.RETURNED
        ca.review_comment = comment.strip()
        ca.reviewed_by_label = actor_label(actor)
        ca.reviewed_at = timezone.now()
        ca.save()
        record(actor, "carbon_account.return", ca, {"status": "submitted"}, {"status": "returned", "comment": comment})
    return ca


def approve(actor: Any, ca: CarbonAccount, comment: str = "") -> CarbonAccount:
    require_county_office(actor, ca.enterprise.plan)
    comment = require_text(comment, "comment", max_length=NOTE_MAX)
    with transaction.atomic():
        ca = _reviewable(ca, actor)
        ca.status = AccountStatus.APPROVED
        ca.review_comment = (comment or "").strip()
        ca.reviewed_by_label = actor_label(actor)
        ca.reviewed_at = timezone.now()
        ca.save()
        record(actor, "carbon_account.approve", ca, {"status": "submitted"}, {"status": "approved", "grade": ca.grade})
    return ca


def current(ent: Enterprise, year: int) -> CarbonAccount | None:
    """The account of the year: its latest approved version."""
    return (
        CarbonAccount.objects.filter(enterprise=ent, year=year, status=AccountStatus.APPROVED)
        .order_by("-version")
        .first()
    )


def grade_history(ent: Enterprise) -> list[CarbonAccount]:
    """The approved account of each year (latest version), newest year first."""
    out: dict[int, CarbonAccount] = {}
    for ca in CarbonAccount.objects.filter(enterprise=ent, status=AccountStatus.APPROVED).order_by("-year", "-version"):
        out.setdefault(ca.year, ca)
    return list(out.values())


def is_stale(ca: CarbonAccount) -> bool:
    """The readings changed after this version was frozen (a correction or late data)."""
    return inputs_sha256(live_account(ca.enterprise, ca.year), ca.value_added_10k_yuan) != ca.inputs_sha256
