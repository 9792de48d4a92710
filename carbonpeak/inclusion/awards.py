"""Operator event batches → scored events → points awards, in one pass per batch.

Per event, in order: fields (``ref``, ``resident`` pseudonym, ``methodology`` code, ``quantity``,
``occurred_at`` with offset, optional ``duration_minutes``) → the operator's scope → the resident's active
consent to the scenario → the methodology version in force on the event's Beijing date → the same ``ref``
already reported (by any channel) or earlier in the batch: a duplicate, ignored and counted → anomaly rules:
held for review, no points → score (exact decimal, floored) → the resident's daily and monthly caps for the
scenario (what a cap withholds is not awarded) → the scenario's monthly budget: when the pool cannot pay,
the event waits (it is released, in arrival order, when the budget is topped up).

Writers serialise per scenario on the scenario's pool account (locked first, then the residents' accounts,
in id order): duplicates, caps and budget are decided against committed state.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right, insort
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from carbonpeak.core import inclusion as core
from carbonpeak.core import numbers
from carbonpeak.inclusion import bulk, ledger
from carbonpeak.inclusion.choices import EventStatus, TxnKind
from carbonpeak.inclusion.config import kwh_saving
from carbonpeak.inclusion.models import AnomalyRule, Consent, Event, HouseholdBaseline, Methodology, Resident, Scenario
from carbonpeak.tabular.times import parse_time

BEIJING = ZoneInfo("Asia/Shanghai")
EVENT_COLUMNS = (
    "scenario_id", "methodology_id", "resident_id", "ref", "channel", "quantity", "occurred_at", "date",
    "duration_minutes", "reduction_g", "points", "points_due", "status", "reason", "batch_id", "reviewed_by_label",
    "created_at",
)  # fmt: skip
MAX_BATCH = 10_000
#: points already awarded or promised to waiting events count against the caps
PROMISED = (EventStatus.AWARDED, EventStatus.WAITING)
MAX_QUANTITY = Decimal(10) ** 9
#: one act lasts at most a day (the column keeps 2 decimals)
MAX_DURATION_MINUTES = Decimal(1440)


def in_force(methods: list[Methodology], day: dt.date) -> Methodology | None:
    """The version in force on ``day``: the highest version whose notice period has passed by then."""
    best = None
    for m in methods:
        if m.effective_from <= day and (best is None or m.version > best.version):
            best = m
    return best


def _params(m: Methodology) -> dict[str, Decimal]:
    return {k: Decimal(str(v["value"])) for k, v in m.params.items()}


def reduction_g(m: Methodology, quantity: Decimal) -> Decimal:
    return core.exact_product(core.reduction_per_quantity(m.kind, _params(m)), quantity)


def score(m: Methodology, quantity: Decimal) -> tuple[Decimal, int]:
    red = reduction_g(m, quantity)
    return red, core.event_points(red, Decimal(m.points_per_gco2))


@dataclass(frozen=True)
class _Res:
    pk: int
    household_id: int | None


class Result:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, line: int, status: str, **kw: Any) -> None:
        self.items.append({"line": line, "status": status, **kw})
        self.counts[status] += 1

    def reject(self, line: int, field: str, zh: str, en: str) -> None:
        self.add(line, "rejected", field=field, message=f"{zh} / {en}")

    def as_dict(self) -> dict[str, Any]:
        keys = ("awarded", "held", "waiting", "duplicate", "rejected")
        return {
            **{k: self.counts.get(k, 0) for k in keys},
            "points": sum(i.get("points", 0) for i in self.items),
            "events": sorted(self.items, key=lambda i: i["line"]),
        }


def _anomaly(
    rules: list[AnomalyRule], m: Methodology, q: Decimal, t: dt.datetime, dur: Decimal | None, burst_count: int
) -> str | None:
    for r in rules:
        if r.methodology_code and r.methodology_code != m.code:
            continue
        if r.kind == AnomalyRule.Kind.MAX_QUANTITY and q > Decimal(r.value):
            return f"数量 {q} 超过上限 {r.value} / quantity above {r.value}"
        if r.kind == AnomalyRule.Kind.MAX_SPEED and m.kind == "distance":
            if dur is None or dur <= 0:  # a speed rule cannot be skipped by leaving the duration out
                return "缺少出行时长，无法核验速度 / no duration: the speed cannot be checked"
            speed = q / (dur / 60)
            if speed > Decimal(r.value):
                return f"速度 {speed:.1f} km/h 超过 {r.value} / speed above {r.value} km/h"
        if r.kind == AnomalyRule.Kind.BURST and burst_count > int(r.value):
            return f"一小时内超过 {r.value} 次 / more than {r.value} events in an hour"
        if r.kind == AnomalyRule.Kind.SERVICE_HOURS:
            start, end = r.value.split("-")
            local = t.astimezone(BEIJING).strftime("%H:%M")
            inside = start <= local <= end if start <= end else (local >= start or local <= end)
            if not inside:
                return f"服务时段 {r.value} 之外 / outside service hours {r.value}"
    return None


def ingest(plan, rows: list[dict[str, Any]], channel: str, scenarios: list[Scenario], batch=None) -> Result:
    """Score and award a batch of events for the given scenarios (the operator's scope)."""
    res = Result()
    now = timezone.now()
    by_code: dict[str, tuple[Scenario, list[Methodology]]] = {}
    for sc in scenarios:
        for m in sc.methodologies.all():
            by_code.setdefault(m.code, (sc, []))[1].append(m)
    # only texts the database can hold are looked up (a NUL or an over-long id is simply unknown)
    pseud = {p for r in rows if isinstance(p := r.get("resident"), str) and "\x00" not in p and len(p) <= 64}
    residents = {
        p: _Res(pk, hh)
        for pk, p, hh in Resident.objects.filter(plan=plan, pseudonym__in=pseud, deleted_at__isnull=True).values_list(
            "pk", "pseudonym", "household_id"
        )
    }
    ids = [r.pk for r in residents.values()]
    consents = set(
        Consent.objects.filter(resident_id__in=ids, revoked_at__isnull=True).values_list("resident_id", "scenario_id")
    )
    baselines = {
        (b.household_id, b.month): b.kwh
        for b in HouseholdBaseline.objects.filter(
            household_id__in={r.household_id for r in residents.values() if r.household_id}
        )
    }
    parsed = []
    for n, r in enumerate(rows, start=1):
        ref = r.get("ref")
        ref = ref.strip() if isinstance(ref, str) else ""
        if not ref or len(ref) > 100 or "\x00" in ref:
            res.reject(n, "ref", "ref：请提供不超过 100 字符的业务编号", "ref: the act's id (<= 100 chars)")
            continue
        resident = residents.get(str(r.get("resident") or ""))
        if resident is None:
            res.reject(n, "resident", "resident：未知的居民匿名编号", "resident: unknown pseudonymous id")
            continue
        code = str(r.get("methodology") or "")
        if code not in by_code:
            res.reject(
                n,
                "methodology",
                f"methodology：{code!r} 不在本渠道的场景中",
                f"methodology: {code!r} not in this channel's scenarios",
            )
            continue
        sc, versions = by_code[code]
        try:  # a zero quantity is no act: it is refused, never "awarded"
            q = numbers.to_decimal(r.get("quantity"))
            assert 0 < q <= MAX_QUANTITY and q.as_tuple().exponent >= -6
        except (numbers.NumberError, AssertionError):
            res.reject(
                n,
                "quantity",
                "quantity：应为大于 0、不超过 10⁹ 的数，最多 6 位小数",
                "quantity: above 0, up to 10^9, <= 6 decimals",
            )
            continue
        t = parse_time(str(r.get("occurred_at") or ""))
        if t is None or t > now + dt.timedelta(minutes=10):
            res.reject(
                n,
                "occurred_at",
                "occurred_at：应为带时区、不晚于当前的时间",
                "occurred_at: a past timestamp with offset",
            )
            continue
        dur = None
        if r.get("duration_minutes") not in (None, ""):
            try:
                dur = numbers.to_decimal(r["duration_minutes"])
                assert 0 <= dur <= MAX_DURATION_MINUTES and dur.as_tuple().exponent >= -2
            except (numbers.NumberError, AssertionError):
                res.reject(
                    n,
                    "duration_minutes",
                    "duration_minutes：应为 0 到 1440 分钟之间的数，最多 2 位小数",
                    "duration_minutes: 0 to 1440 minutes, <= 2 decimals",
                )
                continue
        if (resident.pk, sc.pk) not in consents:
            res.reject(n, "resident", f"居民未授权（或已撤回）“{sc.name}”场景", f"resident: no consent to {sc.code}")
            continue
        day = t.astimezone(BEIJING).date()
        m = in_force(versions, day)
        if m is None:
            res.reject(
                n, "occurred_at", f"{day} 时该方法学尚未生效", f"occurred_at: no version of {code} in force on {day}"
            )
            continue
        if m.kind == "per_event" and q != q.to_integral_value():
            res.reject(
                n, "quantity", "quantity：按次方法学的数量应为整数", "quantity: a count for a per-event methodology"
            )
            continue
        sq = q  # the quantity that is scored
        if m.kind == "household_electricity":  # q is the month's consumption; the saving is against the baseline
            base = baselines.get((resident.household_id, day.month)) if resident.household_id else None
            if base is None:
                res.reject(
                    n,
                    "resident",
                    "该居民的家庭没有该月的用电基线",
                    "resident: the household has no baseline for this month",
                )
                continue
            sq = kwh_saving(base, q)
        parsed.append((n, ref, resident, sc, m, q, t, day, dur, sq))
    by_scenario: dict[int, list] = defaultdict(list)
    for p in parsed:
        by_scenario[p[3].pk].append(p)
    for items in by_scenario.values():
        _award_scenario(plan, items[0][3], items, channel, batch, res)
    return res


def _award_scenario(plan, sc: Scenario, items, channel: str, batch, res: Result) -> None:
    with transaction.atomic():
        pool = ledger.pool_account(sc)
        accounts = ledger.resident_account_ids(plan, (i[2].pk for i in items))
        locked = ledger.lock([pool.pk, *accounts.values()])
        refs = {i[1] for i in items}
        stored = set(Event.objects.filter(scenario=sc, ref__in=refs).values_list("ref", flat=True))
        rules = list(sc.anomaly_rules.filter(is_active=True))
        days = {i[7] for i in items}
        months = {d.replace(day=1) for d in days}
        res_ids = list(accounts)
        day_used = defaultdict(int)
        for r in (
            Event.objects.filter(scenario=sc, resident_id__in=res_ids, date__in=days, status__in=PROMISED)
            .values("resident_id", "date")
            .annotate(p=Sum("points"))
        ):
            day_used[r["resident_id"], r["date"]] = r["p"]
        month_used = defaultdict(int)
        for m0 in months:
            nxt = (m0 + dt.timedelta(days=32)).replace(day=1)
            for r in (
                Event.objects.filter(
                    scenario=sc, resident_id__in=res_ids, date__gte=m0, date__lt=nxt, status__in=PROMISED
                )
                .values("resident_id")
                .annotate(p=Sum("points"))
            ):
                month_used[r["resident_id"], m0] = r["p"]
        # events per resident in the hour before each event (stored ones and this batch's), for the burst rule
        times: dict[int, list[dt.datetime]] = defaultdict(list)
        if any(r.kind == AnomalyRule.Kind.BURST for r in rules):
            tmin = min(i[6] for i in items) - dt.timedelta(hours=1)
            tmax = max(i[6] for i in items)
            for rid, t in Event.objects.filter(  # the date bounds let the (resident, scenario, date) index serve
                scenario=sc,
                resident_id__in=res_ids,
                date__gte=tmin.astimezone(BEIJING).date(),
                date__lte=tmax.astimezone(BEIJING).date(),
                occurred_at__gt=tmin,
                occurred_at__lte=tmax,
            ).values_list("resident_id", "occurred_at"):
                insort(times[rid], t)
        budget_left = locked[pool.pk].balance
        batch_id = getattr(batch, "pk", None)
        now = timezone.now()
        seen: set[str] = set()
        new_events, award_of = [], []
        for n, ref, resident, _sc, m, q, t, day, dur, sq in items:
            if ref in stored or ref in seen:
                res.add(n, "duplicate", ref=ref)
                continue
            seen.add(ref)
            red, due = score(m, sq)
            in_hour = 0
            if rules:
                ts = times[resident.pk]
                insort(ts, t)
                in_hour = bisect_right(ts, t) - bisect_right(ts, t - dt.timedelta(hours=1))
            why = _anomaly(rules, m, q, t, dur, in_hour)
            # (status, points, reason) decided below; the row is written in bulk at the end
            base = [sc.pk, m.pk, resident.pk, ref, channel, q, t, day, dur, red, 0, due, None, "", batch_id, "", now]
            if why is not None:
                base[12], base[13] = EventStatus.HELD, why[:300]
                new_events.append(base)
                res.add(n, "held", ref=ref, reason=why)
                continue
            pts = _capped(sc, resident.pk, day, due, day_used, month_used)
            if pts > budget_left:
                base[10], base[12], base[13] = pts, EventStatus.WAITING, "等待场景预算 / waiting for budget"
                new_events.append(base)
                res.add(n, "waiting", ref=ref, points=0)
                continue
            budget_left -= pts
            day_used[resident.pk, day] += pts
            month_used[resident.pk, day.replace(day=1)] += pts
            base[10], base[12] = pts, EventStatus.AWARDED
            if pts < due:
                base[13] = "已达每日或每月上限 / capped"
            award_of.append((len(new_events), accounts[resident.pk], pts, ref))
            new_events.append(base)
            res.add(n, "awarded", ref=ref, points=pts)
        event_ids = bulk.insert(Event, EVENT_COLUMNS, [tuple(e) for e in new_events], ids=True)
        txns = [
            (TxnKind.AWARD, [(pool.pk, -p), (acc, p)], f"{sc.code} {ref}", event_ids[k], None)
            for k, acc, p, ref in award_of
            if p > 0
        ]
        if txns:
            ledger.post_many(plan, txns, locked=locked)


def _capped(sc: Scenario, rid: int, day: dt.date, due: int, day_used, month_used) -> int:
    pts = due
    if sc.daily_cap_points is not None:
        pts = min(pts, max(sc.daily_cap_points - day_used[rid, day], 0))
    if sc.monthly_cap_points is not None:
        pts = min(pts, max(sc.monthly_cap_points - month_used[rid, day.replace(day=1)], 0))
    return pts


def release_waiting(plan, sc: Scenario) -> int:
    """Award the events that waited for budget, in arrival order, as far as the pool now reaches."""
    released = 0
    with transaction.atomic():
        pool = ledger.pool_account(sc)
        waiting = list(
            Event.objects.filter(scenario=sc, status=EventStatus.WAITING).order_by("id").select_related("resident")
        )
        if not waiting:
            return 0
        accounts = {e.resident_id: ledger.resident_account(e.resident) for e in waiting}
        locked = ledger.lock([pool.pk, *(a.pk for a in accounts.values())])
        left = locked[pool.pk].balance
        txns, done = [], []
        for e in waiting:
            if e.points > left:
                break  # first come, first paid: later events keep waiting
            left -= e.points
            done.append(e)
            if e.points:
                txns.append(
                    (
                        TxnKind.AWARD,
                        [(pool.pk, -e.points), (accounts[e.resident_id].pk, e.points)],
                        f"{sc.code} {e.ref}",
                        e,
                        None,
                    )
                )
        if txns:
            ledger.post_many(plan, txns, locked=locked)
        Event.objects.filter(pk__in=[e.pk for e in done]).update(status=EventStatus.AWARDED, reason="")
        released = len(done)
    return released


def review(actor, event: Event, release: bool, reason: str) -> Event:
    """A reviewer releases a held event (it is awarded now, caps and budget applying) or rejects it."""
    from carbonpeak.audit.services import actor_label, record
    from carbonpeak.inclusion.services import require_county_office
    from carbonpeak.validation import Issues, max_length_of, text_field

    require_county_office(actor, event.scenario.plan)
    issues = Issues()
    if not (reason or "").strip():
        issues.add("required", "reason", "请填写复核理由", "reason: say why")
    text_field(reason, "reason", issues, max_length=max_length_of(Event, "reason"), strip=False)
    issues.raise_if_errors()
    with transaction.atomic():
        sc = event.scenario
        pool = ledger.pool_account(sc)
        acc = ledger.resident_account(event.resident)
        locked = ledger.lock([pool.pk, acc.pk])
        e = Event.objects.select_for_update().get(pk=event.pk)
        if e.status != EventStatus.HELD:
            issues.add("not_held", "status", "该事件不在待复核状态", "status: not held")
            issues.raise_if_errors()
        if release:
            day_used, month_used = defaultdict(int), defaultdict(int)
            base = Event.objects.filter(scenario=sc, resident=e.resident, status__in=PROMISED)
            day_used[e.resident_id, e.date] = base.filter(date=e.date).aggregate(p=Sum("points"))["p"] or 0
            m0 = e.date.replace(day=1)
            month_used[e.resident_id, m0] = (
                base.filter(date__gte=m0, date__lt=(m0 + dt.timedelta(days=32)).replace(day=1)).aggregate(
                    p=Sum("points")
                )["p"]
                or 0
            )
            pts = _capped(sc, e.resident_id, e.date, e.points_due, day_used, month_used)
            if pts > locked[pool.pk].balance:
                e.status, e.points = EventStatus.WAITING, pts
            else:
                e.status, e.points = EventStatus.AWARDED, pts
                if pts:
                    ledger.post(
                        e.scenario.plan,
                        TxnKind.AWARD,
                        [(pool.pk, -pts), (acc.pk, pts)],
                        memo=f"{sc.code} {e.ref}",
                        event=e,
                        actor=actor,
                        locked=locked,
                    )
        else:
            e.status = EventStatus.REJECTED
        e.reason = reason.strip()[:300]
        e.reviewed_by_label = actor_label(actor)
        e.save()
        record(actor, "inclusion_event.review", e, {"status": "held"}, {"status": e.status, "reason": e.reason})
    return e


def reverse(actor, event: Event, reason: str) -> Event:
    """Reverse a wrongly awarded event: its points go back to the pool, as far as the resident's balance still
    holds them (a balance never goes below zero; what was already spent is recorded as the shortfall)."""
    from carbonpeak.audit.services import actor_label, record
    from carbonpeak.inclusion.services import require_county_office
    from carbonpeak.validation import Issues

    require_county_office(actor, event.scenario.plan)
    issues = Issues()
    if not (reason or "").strip():
        issues.add("required", "reason", "请填写冲正理由", "reason: say why")
    issues.raise_if_errors()
    with transaction.atomic():
        pool = ledger.pool_account(event.scenario)
        acc = ledger.resident_account(event.resident)
        locked = ledger.lock([pool.pk, acc.pk])
        e = Event.objects.select_for_update().get(pk=event.pk)
        if e.status != EventStatus.AWARDED:
            issues.add("not_awarded", "status", "只能冲正已奖励的事件", "status: only an awarded event")
            issues.raise_if_errors()
        take = min(e.points, locked[acc.pk].balance)
        if take:
            ledger.post(
                e.scenario.plan,
                TxnKind.REVERSAL,
                [(acc.pk, -take), (pool.pk, take)],
                memo=f"reverse {e.ref}",
                event=e,
                actor=actor,
                locked=locked,
            )
        shortfall = e.points - take
        e.status = EventStatus.REVERSED
        e.reason = (reason.strip() + (f"（已消费 {shortfall} 分无法收回）" if shortfall else ""))[:300]
        e.reviewed_by_label = actor_label(actor)
        e.save()
        record(actor, "inclusion_event.reverse", e, {"points": e.points}, {"reversed": take, "shortfall": shortfall})
    return e
