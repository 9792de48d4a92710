"""碳普惠 forestry-sink projects: registration, monitoring and crediting through the points ledger.

A project's reduction of one monitoring period (the previous monitoring year → this one) is the stock difference
by species group with the carbon factors of the methodology version in force (the county factor library's
``forest.<group>`` parameters, frozen at publication): ``ΔV × density × BEF × (1 + R) × CF × 44/12`` tCO2
(``core/forest.py: project_credits``). A ``buffer_share`` of it is withheld in the project's buffer account for
reversal risk; the rest is credited to the village collective's account. Points: ``floor(tCO2 × 10⁶ ×
points_per_gco2)`` for the whole sink and for the collective's part; the buffer gets the difference (so the two
add up to the sink's points). A fall of the stock is a reversal: its points (rounded up) are cancelled from the
buffer first, then from the collective's balance; what neither covers is recorded as a shortfall. Each period is
credited once (a second request, also one made at the same moment, is refused naming the period: the accounts
are locked before the check, and a unique constraint on (project, period end) backs it); only inside the
crediting period.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal, InvalidOperation, localcontext
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from carbonpeak.accounts.permissions import reads_staff_pages, require
from carbonpeak.audit.services import actor_label, record
from carbonpeak.core import forest as core_forest
from carbonpeak.core import inclusion as core
from carbonpeak.core.errors import CalcError
from carbonpeak.inclusion import ledger
from carbonpeak.inclusion.choices import AccountKind, MethodKind, TxnKind
from carbonpeak.inclusion.models import (
    ForestCredit,
    ForestMonitoring,
    ForestProject,
    LedgerAccount,
    LedgerEntry,
    Methodology,
    Scenario,
)
from carbonpeak.plan.tenancy import plan_in_scope
from carbonpeak.sinks.permissions import writes_forest
from carbonpeak.validation import Issues

G_PER_T = Decimal(10) ** 6
MAX_STOCK = Decimal(10) ** 9


def _fail(code: str, field: str, zh: str, en: str):
    i = Issues()
    i.add(code, field, zh, en)
    i.raise_if_errors()


def may_write(actor: Any, plan) -> bool:
    """The office and the forestry lead department (林业局) of the project's county."""
    return writes_forest(actor, plan)


def may_read(actor: Any, plan) -> bool:
    return reads_staff_pages(actor) and plan_in_scope(actor, plan)


def credit_points(res: dict[str, Decimal], points_per_gco2: Decimal) -> tuple[int, int, int]:
    """(collective points, buffer points, reversal points) of a ``project_credits`` result."""
    with localcontext() as ctx:
        ctx.prec = 60
        sink_pts = core.event_points(max(res["sink"], Decimal(0)) * G_PER_T, points_per_gco2) if res["sink"] > 0 else 0
        credited = core.event_points(res["credited"] * G_PER_T, points_per_gco2) if res["credited"] > 0 else 0
        rev = int((res["reversal"] * G_PER_T * points_per_gco2).to_integral_value(rounding=ROUND_CEILING))
    return credited, sink_pts - credited, rev


def forest_methods(plan) -> list[Methodology]:
    return list(
        Methodology.objects.filter(scenario__plan=plan, kind=MethodKind.FOREST_STOCK).select_related("scenario")
    )


def in_force(plan, day: dt.date, scenario: Scenario | None = None, code: str | None = None) -> Methodology | None:
    from carbonpeak.inclusion.awards import in_force as pick

    ms = [m for m in forest_methods(plan) if (scenario is None or m.scenario_id == scenario.pk)]
    if code is not None:
        ms = [m for m in ms if m.code == code]
    return pick(ms, day)


def project_account(project: ForestProject, kind: str) -> LedgerAccount:
    acc, _ = LedgerAccount.objects.get_or_create(plan=project.plan, kind=kind, forest_project=project)
    return acc


def register(
    actor: Any,
    plan,
    *,
    name: str,
    collective: str,
    area_ha: Any,
    start_year: Any,
    township: str = "",
    today: dt.date | None = None,
) -> ForestProject:
    """Register a village collective's project under the forestry methodology in force today (its notice period
    passed); the crediting period runs ``crediting_years`` from ``start_year``."""
    require(may_write(actor, plan))
    today = today or timezone.localdate()
    issues = Issues()
    name, collective = (name or "").strip(), (collective or "").strip()
    if not name:
        issues.add("required", "name", "请填写项目名称", "name: required")
    if not collective:
        issues.add("required", "collective", "请填写村集体名称", "collective: required")
    try:
        area = Decimal(str(area_ha).strip())
        assert area.is_finite() and Decimal(0) < area < Decimal(10) ** 7
    except (InvalidOperation, AssertionError):
        issues.add("invalid", "area_ha", "面积应为大于 0 的公顷数", "area_ha: a positive number of hectares")
        area = Decimal(0)
    try:
        start = int(str(start_year).strip())
        assert 1990 <= start <= 2100
    except (ValueError, AssertionError):
        issues.add("invalid", "start_year", "计入期起始年应为 1990–2100 的年份", "start_year: a year 1990–2100")
        start = 0
    m = in_force(plan, today)
    if m is None:
        issues.add(
            "no_methodology",
            "methodology",
            "没有已过公示期的林业碳汇方法学",
            "methodology: no forestry methodology in force (published and past its notice period)",
        )
    issues.raise_if_errors()
    from carbonpeak.inclusion.config import forest_terms

    _f, _share, years = forest_terms(m)
    try:
        with transaction.atomic():
            p = ForestProject.objects.create(
                plan=plan,
                scenario=m.scenario,
                methodology_code=m.code,
                name=name[:100],
                collective=collective[:100],
                township=(township or "").strip()[:60],
                area_ha=area.quantize(Decimal("0.01")),
                start_year=start,
                crediting_end=start + years - 1,
            )
            project_account(p, AccountKind.COLLECTIVE)
            project_account(p, AccountKind.BUFFER)
            record(actor, "forest_project.register", p, None, _state(p))
    except IntegrityError:
        _fail("exists", "name", "同名项目已登记", "name: a project of that name exists")
    return p


def _state(p: ForestProject) -> dict[str, Any]:
    return {
        "name": p.name,
        "collective": p.collective,
        "township": p.township,
        "area_ha": str(p.area_ha),
        "methodology": p.methodology_code,
        "crediting": [p.start_year, p.crediting_end],
    }


def record_monitoring(actor: Any, project: ForestProject, year: Any, stock_m3: dict[str, Any]) -> ForestMonitoring:
    """The stock (m³) by species group at ``year``; the same figures again change nothing, other figures for a
    recorded year are refused (a credited period is never rewritten)."""
    require(may_write(actor, project.plan))
    issues = Issues()
    try:
        y = int(str(year).strip())
        assert 1990 <= y <= 2100
    except (ValueError, AssertionError):
        issues.add("invalid", "year", "监测年份应为 1990–2100 的年份", "year: a year 1990–2100")
        y = 0
    m = in_force(project.plan, timezone.localdate(), project.scenario, project.methodology_code)
    from carbonpeak.inclusion.config import forest_terms

    groups = set(forest_terms(m)[0]) if m is not None else set()
    clean: dict[str, str] = {}
    for g, v in (stock_m3 or {}).items():
        if v in (None, ""):
            continue
        if g not in groups:
            issues.add("invalid", f"stock_m3.{g}", f"树种组 {g} 没有碳计量参数", f"stock_m3.{g}: no parameters")
            continue
        try:
            d = Decimal(str(v).strip())
            assert d.is_finite() and Decimal(0) <= d < MAX_STOCK
        except (InvalidOperation, AssertionError):
            issues.add("invalid", f"stock_m3.{g}", "蓄积量应为不小于 0 的立方米数", f"stock_m3.{g}: a number >= 0")
            continue
        clean[g] = format(d.normalize(), "f") if d else "0"
    if not clean and not issues.items:
        issues.add("required", "stock_m3", "请至少填写一个树种组的蓄积量", "stock_m3: at least one species group")
    issues.raise_if_errors()
    with transaction.atomic():
        have = ForestMonitoring.objects.select_for_update().filter(project=project, year=y).first()
        if have is not None:
            if {g: Decimal(v) for g, v in have.stock_m3.items()} == {g: Decimal(v) for g, v in clean.items()}:
                return have
            _fail(
                "conflict",
                "year",
                f"{y} 年已有不同的监测数据，不能改写",
                f"year: {y} already has other monitoring figures",
            )
        mo = ForestMonitoring.objects.create(
            project=project, year=y, stock_m3=clean, recorded_by_label=actor_label(actor)
        )
        record(actor, "forest_project.monitoring", project, None, {"year": y, "stock_m3": clean})
    return mo


def _refuse_if_credited(project: ForestProject, year: int) -> None:
    done = ForestCredit.objects.filter(project=project, year_to=year).first()
    if done is not None:
        when = timezone.localtime(done.created_at).strftime("%Y-%m-%d %H:%M")
        _fail(
            "already_credited",
            "year",
            f"监测期 {done.year_from}–{done.year_to} 已计入（{when}，{done.actor_label}），同一监测期不重复计入",
            f"year: the period {done.year_from}-{done.year_to} is already credited ({when}); a period is credited once",
        )


def credit(actor: Any, project: ForestProject, year: Any, *, today: dt.date | None = None) -> ForestCredit:
    """Credit the monitoring period ending in ``year`` (from the previous monitoring) through the ledger."""
    require(may_write(actor, project.plan))
    today = today or timezone.localdate()
    y = int(year)
    _refuse_if_credited(project, y)
    mo = ForestMonitoring.objects.filter(project=project, year=y).first()
    prev = ForestMonitoring.objects.filter(project=project, year__lt=y).order_by("-year").first()
    if mo is None or prev is None:
        _fail(
            "no_data",
            "year",
            f"{y} 年及其前一次监测数据不全，无法计算",
            f"year: {y} needs its monitoring and an earlier one",
        )
    m = in_force(project.plan, today, project.scenario, project.methodology_code)
    if m is None:
        _fail("no_methodology", "methodology", "没有已过公示期的林业碳汇方法学", "methodology: none in force")
    from carbonpeak.inclusion.config import forest_terms

    factors, share, _years = forest_terms(m)
    groups = set(mo.stock_m3) | set(prev.stock_m3)
    stock = {g: (Decimal(prev.stock_m3.get(g, "0")), Decimal(mo.stock_m3.get(g, "0"))) for g in groups}
    try:
        res = core_forest.project_credits(
            stock, factors, (prev.year, y), (project.start_year, project.crediting_end), share
        )
    except CalcError as exc:
        if exc.code == "outside_crediting_period":
            _fail(
                "outside_crediting_period",
                "year",
                f"监测期 {prev.year}–{y} 超出计入期 {project.start_year}–{project.crediting_end}",
                f"year: {prev.year}-{y} outside the crediting period {project.start_year}-{project.crediting_end}",
            )
        _fail("invalid", "stock_m3", f"无法计算：{exc}", f"stock_m3: {exc}")
    credited, buffered, rev = credit_points(res, Decimal(m.points_per_gco2))
    with transaction.atomic():
        coll = project_account(project, AccountKind.COLLECTIVE)
        buf = project_account(project, AccountKind.BUFFER)
        issuer = ledger.system_account(project.plan, AccountKind.ISSUER)
        # every credit of the project locks its two accounts first, so a concurrent call of the same period
        # waits here and then (a new snapshot per statement under READ COMMITTED) sees the winner's credit
        locked = ledger.lock([coll.pk, buf.pk, issuer.pk])
        _refuse_if_credited(project, y)
        from_buf = from_coll = short = 0
        txn_id = None
        memo = f"{project.name} {prev.year}–{y} 年"
        if credited + buffered > 0:
            legs = [(issuer.pk, -(credited + buffered))]
            legs += [(a, x) for a, x in ((coll.pk, credited), (buf.pk, buffered)) if x]
            txn_id = ledger.post(project.plan, TxnKind.FOREST, legs, memo=memo, actor=actor, locked=locked)
        elif rev > 0:
            from_buf = min(rev, locked[buf.pk].balance)
            from_coll = min(rev - from_buf, locked[coll.pk].balance)
            short = rev - from_buf - from_coll
            legs = [(a, -x) for a, x in ((buf.pk, from_buf), (coll.pk, from_coll)) if x]
            if legs:
                legs.append((issuer.pk, from_buf + from_coll))
                txn_id = ledger.post(
                    project.plan, TxnKind.FOREST_REVERSAL, legs, memo=memo + "蓄积量下降", actor=actor, locked=locked
                )
        q = Decimal("0.000001")
        fc = ForestCredit.objects.create(
            project=project,
            methodology=m,
            year_from=prev.year,
            year_to=y,
            sink_tco2=res["sink"].quantize(q),
            buffer_tco2=res["buffer"].quantize(q),
            credited_tco2=res["credited"].quantize(q),
            reversal_tco2=res["reversal"].quantize(q),
            credited_points=credited,
            buffer_points=buffered,
            reversed_from_buffer=from_buf,
            reversed_from_collective=from_coll,
            reversal_shortfall=short,
            txn_id=txn_id,
            actor_label=actor_label(actor),
        )
        record(
            actor,
            "forest_project.credit",
            project,
            None,
            {
                "period": [prev.year, y],
                "methodology": f"{m.code} v{m.version}",
                "sink_tco2": str(fc.sink_tco2),
                "credited_points": credited,
                "buffer_points": buffered,
                "reversal": [from_buf, from_coll, short],
            },
        )
    return fc


def ledger_lines(project: ForestProject) -> list[LedgerEntry]:
    """The project's ledger entries (collective and buffer accounts), newest first."""
    return list(
        LedgerEntry.objects.filter(account__forest_project=project)
        .select_related("txn", "account")
        .order_by("-id")[:200]
    )
