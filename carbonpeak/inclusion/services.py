"""Residents, households, consent, budgets, rewards, redemptions, settlement, expiry, export and deletion."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounts.permissions import require, require_office
from carbonpeak.audit.services import record
from carbonpeak.core import numbers
from carbonpeak.inclusion import ledger
from carbonpeak.inclusion.choices import AccountKind, EventStatus, RedemptionStatus, TxnKind
from carbonpeak.inclusion.models import (
    Consent,
    Event,
    Household,
    HouseholdInvite,
    LedgerAccount,
    LedgerEntry,
    Merchant,
    OperatorScope,
    Redemption,
    Resident,
    Reward,
    Scenario,
    Settlement,
)
from carbonpeak.plan.tenancy import acts_in
from carbonpeak.tabular import Column, Report, Table
from carbonpeak.validation import NOTE_MAX, Issues, require_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def phone_hash(phone: str) -> str:
    """A keyed hash of the normalised phone number: finds a returning resident, reveals nothing."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return hmac.new(settings.SECRET_KEY.encode(), b"carbonpeak-phone:" + digits.encode(), hashlib.sha256).hexdigest()


def _code(n: int = 10) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def _fail(code: str, field: str, zh: str, en: str):
    i = Issues()
    i.add(code, field, zh, en)
    i.raise_if_errors()


def require_county_office(actor: Any, plan) -> None:
    """The office of ``plan``'s county: an office of another county, or a region reader, is refused (403)."""
    require_office(actor)
    require(acts_in(actor, plan))


# --- residents -----------------------------------------------------------------------------------------------
def join(plan, user, display_name: str, phone: str = "", community: str = "") -> Resident:
    if Resident.objects.filter(user=user).exists():
        _fail("exists", "user", "该账户已开通碳普惠", "user: already a member")
    if user.plan_id is not None and user.plan_id != plan.pk:
        _fail("county", "user", "该账户属于另一个县", "user: the account belongs to another county")
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone and not (len(digits) == 11 and digits.startswith("1")):
        _fail("invalid", "phone", "手机号应为 11 位数字", "phone: an 11-digit mobile number")
    with transaction.atomic():
        if user.plan_id is None:  # a resident belongs to the county whose scheme it joins
            user.plan = plan
            user.save(update_fields=["plan"])
        r = Resident.objects.create(
            plan=plan,
            user=user,
            display_name=display_name.strip()[:40],
            community=community.strip()[:60],
            phone_hash=phone_hash(digits) if digits else "",
        )
        ledger.resident_account(r)
        record(user, "resident.join", r, None, {"pseudonym": r.pseudonym})
    return r


def grant(resident: Resident, scenario: Scenario) -> Consent:
    with transaction.atomic():
        current = Consent.objects.filter(resident=resident, scenario=scenario, revoked_at__isnull=True).first()
        if current is not None and current.text_version == scenario.consent_version:
            return current
        if current is not None:  # a new text version: the old consent ends, the new one starts
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
        c = Consent.objects.create(resident=resident, scenario=scenario, text_version=scenario.consent_version)
        record(resident.user, "consent.grant", c, None, {"scenario": scenario.code, "text_version": c.text_version})
    return c


def revoke(resident: Resident, scenario: Scenario) -> int:
    n = Consent.objects.filter(resident=resident, scenario=scenario, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if n:
        record(resident.user, "consent.revoke", resident, None, {"scenario": scenario.code})
    return n


def create_household(resident: Resident, name: str) -> Household:
    if not name.strip():
        _fail("required", "name", "请填写家庭名称", "name: required")
    with transaction.atomic():
        h = Household.objects.create(plan=resident.plan, name=name.strip()[:60], community=resident.community)
        resident.household = h
        resident.save(update_fields=["household"])
    return h


def invite(resident: Resident) -> HouseholdInvite:
    if resident.household is None:
        _fail("no_household", "household", "请先创建家庭", "household: create one first")
    return HouseholdInvite.objects.create(
        household=resident.household,
        code=_code(8),
        created_by=resident,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )


def accept(resident: Resident, code: str) -> Household:
    with transaction.atomic():
        inv = HouseholdInvite.objects.select_for_update().filter(code=code.strip().upper()).first()
        if inv is None or inv.used_at is not None or inv.expires_at < timezone.now():
            _fail("invalid", "code", "邀请码无效或已过期", "code: invalid or expired invitation")
        if inv.household.plan_id != resident.plan_id:
            _fail("invalid", "code", "邀请码无效", "code: invalid invitation")
        inv.used_by, inv.used_at = resident, timezone.now()
        inv.save(update_fields=["used_by", "used_at"])
        resident.household = inv.household
        resident.save(update_fields=["household"])
    return inv.household


def set_leaderboard_opt_in(resident: Resident, on: bool) -> None:
    """The resident joins or leaves the leaderboard; their household follows (one switch on the page)."""
    with transaction.atomic():
        before = {"leaderboard_opt_in": resident.leaderboard_opt_in}
        resident.leaderboard_opt_in = bool(on)
        resident.save(update_fields=["leaderboard_opt_in"])
        if resident.household:
            resident.household.leaderboard_opt_in = resident.leaderboard_opt_in
            resident.household.save(update_fields=["leaderboard_opt_in"])
        record(resident.user, "resident.leaderboard", resident, before, {"leaderboard_opt_in": bool(on)})


def _scope_state(scope: OperatorScope | None) -> dict[str, Any] | None:
    if scope is None:
        return None
    return {
        "channel": scope.channel,
        "scenarios": sorted(scope.scenarios.values_list("code", flat=True)),
        "users": sorted(scope.users.values_list("username", flat=True)),
    }


def set_operator_scope(
    actor: Any, client: Any, channel: str, scenarios: list[Scenario], users: list[Any]
) -> OperatorScope:
    """What a data operator (a machine client with the operator role) may send: its channel and scenarios (set
    to exactly these), and the residents' accounts it may name (added to those it has). The scenarios and users
    must be of the client's own county: anything else is refused naming the field, and nothing is stored."""
    issues = Issues()
    if client.plan_id is None:
        issues.add("county", "client", "该客户端不属于任何县", "client: the client belongs to no county")
    others = sorted(s.code for s in scenarios if s.plan_id != client.plan_id)
    if others:
        issues.add(
            "county",
            "scenario",
            f"场景 {', '.join(others)} 不属于该客户端所在的县",
            f"scenario: {', '.join(others)} not of the client's county",
        )
    strangers = sorted(u.username for u in users if u.plan_id != client.plan_id)
    if strangers:
        issues.add(
            "county",
            "user",
            f"用户 {', '.join(strangers)} 属于另一个县",
            f"user: {', '.join(strangers)} belong(s) to another county",
        )
    issues.raise_if_errors()
    with transaction.atomic():
        before = _scope_state(OperatorScope.objects.filter(client=client).first())
        scope, _created = OperatorScope.objects.update_or_create(client=client, defaults={"channel": channel})
        scope.scenarios.set(scenarios)
        if users:
            scope.users.add(*users)
        record(actor, "operator_scope.set", scope, before, _scope_state(scope))
    return scope


def balance(resident: Resident) -> int:
    acc = LedgerAccount.objects.filter(resident=resident).values_list("balance", flat=True).first()
    return acc or 0


def history(resident: Resident, limit: int = 20) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(account__resident=resident)
        .select_related("txn", "txn__event")
        .order_by("-id")[:limit]
    )


def household_summary(h: Household) -> dict[str, Any]:
    members = list(h.members.filter(deleted_at__isnull=True))
    accs = {a.resident_id: a.balance for a in LedgerAccount.objects.filter(resident__in=members)}
    red = Event.objects.filter(resident__in=members, status=EventStatus.AWARDED).aggregate(g=Sum("reduction_g"))["g"]
    return {
        "members": [{"name": str(m), "balance": accs.get(m.pk, 0)} for m in members],
        "balance": sum(accs.values()),
        "reduction_kg": float((red or 0) / 1000),
    }


LEVELS = [(0, _("新芽")), (200, _("绿叶")), (1000, _("青松")), (5000, _("森林"))]


def lifetime_points(resident: Resident) -> int:
    return Event.objects.filter(resident=resident, status=EventStatus.AWARDED).aggregate(p=Sum("points"))["p"] or 0


def level(points: int) -> tuple[str, int | None]:
    """The level name and the points still needed for the next one (None at the top)."""
    name, nxt = LEVELS[0][1], None
    for i, (t, n) in enumerate(LEVELS):
        if points >= t:
            name = n
            nxt = LEVELS[i + 1][0] - points if i + 1 < len(LEVELS) else None
    return name, nxt


def badges(resident: Resident) -> list[str]:
    ev = Event.objects.filter(resident=resident, status=EventStatus.AWARDED)
    out = []
    if ev.filter(scenario__code="green_travel").exists():
        out.append(_("绿色出行先行者"))
    if ev.count() >= 10:
        out.append(_("低碳十次"))
    if resident.household_id:
        out.append(_("低碳家庭成员"))
    if Redemption.objects.filter(resident=resident).exists():
        out.append(_("首次兑换"))
    return out


def leaderboard(plan, month: dt.date, by: str = "household", limit: int = 10) -> list[dict[str, Any]]:
    """Opt-in leaderboards of the month's points: households (opted in) or communities (residents opted in)."""
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    qs = Event.objects.filter(
        scenario__plan=plan,
        status=EventStatus.AWARDED,
        date__gte=month,
        date__lt=nxt,
        resident__deleted_at__isnull=True,
    )
    if by == "household":
        rows = (
            qs.filter(resident__household__leaderboard_opt_in=True)
            .values("resident__household__name")
            .annotate(p=Sum("points"))
            .order_by("-p")[:limit]
        )
        return [{"name": r["resident__household__name"], "points": r["p"]} for r in rows]
    rows = (
        qs.filter(resident__leaderboard_opt_in=True)
        .exclude(resident__community="")
        .values("resident__community")
        .annotate(p=Sum("points"))
        .order_by("-p")[:limit]
    )
    return [{"name": r["resident__community"], "points": r["p"]} for r in rows]


# --- budgets -------------------------------------------------------------------------------------------------
def fund(actor, scenario: Scenario, points: int, memo: str) -> None:
    """The office puts points into a scenario's pool (from the county issuer); waiting events are then paid."""
    memo = require_text(memo, "memo", max_length=NOTE_MAX)
    from carbonpeak.inclusion.awards import release_waiting

    require_county_office(actor, scenario.plan)
    if points <= 0:
        _fail("invalid", "points", "预算积分应为正整数", "points: a positive whole number")
    with transaction.atomic():
        issuer = ledger.system_account(scenario.plan, AccountKind.ISSUER)
        pool = ledger.pool_account(scenario)
        ledger.post(scenario.plan, TxnKind.BUDGET, [(issuer.pk, -points), (pool.pk, points)], memo=memo, actor=actor)
        record(actor, "inclusion.fund", scenario, None, {"points": points, "memo": memo})
    release_waiting(scenario.plan, scenario)


# --- rewards ---------------------------------------------------------------------------------------------------
def redeem(resident: Resident, reward: Reward) -> Redemption:
    """Stock and balance in one transaction: the reward row first, then the accounts in id order."""
    if resident.deleted_at is not None:
        _fail("deleted", "resident", "账户已注销", "resident: account deleted")
    if reward.merchant.plan_id != resident.plan_id:  # a reward of another county's scheme is not offered
        _fail("county", "reward", "该奖品不属于本县碳普惠", "reward: not a reward of this county's scheme")
    with transaction.atomic():
        rw = Reward.objects.select_for_update().get(pk=reward.pk)
        if rw.stock <= 0:
            _fail("out_of_stock", "reward", "已兑完", "reward: out of stock")
        if rw.valid_until < timezone.localdate():
            _fail("expired", "reward", "已过兑换有效期", "reward: no longer offered")
        acc = ledger.resident_account(resident)
        macc = ledger.merchant_account(rw.merchant)
        locked = ledger.lock([acc.pk, macc.pk])
        if locked[acc.pk].balance < rw.points_price:
            _fail(
                "insufficient",
                "points",
                f"积分不足：余额 {locked[acc.pk].balance}，需要 {rw.points_price}",
                f"points: the balance {locked[acc.pk].balance} cannot cover {rw.points_price}",
            )
        for _ in range(5):
            try:
                with transaction.atomic():
                    red = Redemption.objects.create(
                        reward=rw, resident=resident, points=rw.points_price, value_yuan=rw.value_yuan, code=_code(10)
                    )
                break
            except IntegrityError:  # a code collision (1 in 32^10): draw again
                continue
        ledger.post(
            resident.plan,
            TxnKind.REDEMPTION,
            [(acc.pk, -rw.points_price), (macc.pk, rw.points_price)],
            memo=rw.name,
            redemption=red,
            actor=resident.user,
            locked=locked,
        )
        rw.stock -= 1
        rw.save(update_fields=["stock"])
    return red


def verify(actor, merchant: Merchant, code: str) -> Redemption:
    """The merchant checks a code once: it must be theirs, issued and not used. Only the merchant's own clerks,
    accounts of the merchant's county."""
    if not (acts_in(actor, merchant.plan) and merchant.users.filter(pk=actor.pk).exists()):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    with transaction.atomic():
        red = (
            Redemption.objects.select_for_update().filter(code=code.strip().upper(), reward__merchant=merchant).first()
        )
        if red is None:
            _fail("unknown", "code", "兑换码无效", "code: not a code of this merchant")
        if red.status != RedemptionStatus.ISSUED:
            _fail("used", "code", f"兑换码{red.get_status_display()}", f"code: already {red.status}")
        red.status, red.verified_at = RedemptionStatus.VERIFIED, timezone.now()
        red.save(update_fields=["status", "verified_at"])
        record(actor, "redemption.verify", red, {"status": "issued"}, {"status": "verified"})
    return red


def settle(actor, merchant: Merchant, period: str) -> Settlement:
    """The verified, unsettled redemptions of a month: the merchant's points move to the settled account, and
    the county owes their value."""
    require_county_office(actor, merchant.plan)
    try:
        start = dt.date.fromisoformat(period + "-01")
    except ValueError:
        _fail("invalid", "period", "期间应为 YYYY-MM", "period: YYYY-MM")
    end = (start + dt.timedelta(days=32)).replace(day=1)
    with transaction.atomic():
        macc = ledger.merchant_account(merchant)
        settled = ledger.system_account(merchant.plan, AccountKind.SETTLED)
        locked = ledger.lock([macc.pk, settled.pk])
        items = list(
            Redemption.objects.select_for_update().filter(
                reward__merchant=merchant,
                status=RedemptionStatus.VERIFIED,
                settlement__isnull=True,
                verified_at__date__gte=start,
                verified_at__date__lt=end,
            )
        )
        if not items:
            _fail("empty", "period", "该期间没有待结算的核销", "period: nothing to settle")
        pts = sum(r.points for r in items)
        value = sum((r.value_yuan for r in items), Decimal(0))
        try:
            with transaction.atomic():
                s = Settlement.objects.create(merchant=merchant, period=period, points=pts, value_yuan=value)
        except IntegrityError:
            _fail("exists", "period", "该期间已结算", "period: already settled")
        Redemption.objects.filter(pk__in=[r.pk for r in items]).update(settlement=s)
        ledger.post(
            merchant.plan,
            TxnKind.SETTLEMENT,
            [(macc.pk, -pts), (settled.pk, pts)],
            memo=period,
            actor=actor,
            locked=locked,
        )
        record(actor, "inclusion.settle", s, None, {"points": pts, "value_yuan": str(value)})
    return s


def expire_inactive(actor, plan, months: int = 24) -> int:
    """Points of residents with no award and no redemption for ``months`` expire (one entry each)."""
    require_county_office(actor, plan)
    cutoff = timezone.now() - dt.timedelta(days=30 * months)
    n = 0
    with transaction.atomic():
        sink = ledger.system_account(plan, AccountKind.EXPIRED)
        active = set(
            Event.objects.filter(scenario__plan=plan, created_at__gte=cutoff).values_list("resident_id", flat=True)
        )
        active |= set(
            Redemption.objects.filter(resident__plan=plan, created_at__gte=cutoff).values_list("resident_id", flat=True)
        )
        accounts = LedgerAccount.objects.filter(plan=plan, kind=AccountKind.RESIDENT, balance__gt=0).exclude(
            resident_id__in=active
        )
        ids = list(accounts.values_list("pk", flat=True))
        locked = ledger.lock([sink.pk, *ids])
        txns = [
            (
                TxnKind.EXPIRY,
                [(a, -locked[a].balance), (sink.pk, locked[a].balance)],
                f"{months} 个月未活动",
                None,
                None,
            )
            for a in ids
            if locked[a].balance > 0
        ]
        if txns:
            ledger.post_many(plan, txns, actor=actor, locked=locked)
            n = len(txns)
    return n


# --- the resident's own data ---------------------------------------------------------------------------------
def export(resident: Resident) -> dict[str, Any]:
    """Everything the platform holds about the resident (PIPL: the right to a copy)."""
    return {
        "pseudonym": resident.pseudonym,
        "display_name": resident.display_name,
        "community": resident.community,
        "phone": "stored only as a keyed hash" if resident.phone_hash else None,
        "household": resident.household.name if resident.household else None,
        "joined_at": resident.created_at.isoformat(),
        "balance": balance(resident),
        "consents": [
            {
                "scenario": c.scenario.code,
                "text_version": c.text_version,
                "granted_at": c.granted_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in resident.consents.select_related("scenario").order_by("granted_at")
        ],
        "events": [
            {
                "ref": e.ref,
                "scenario": e.scenario.code,
                "methodology": f"{e.methodology.code} v{e.methodology.version}",
                "channel": e.channel,
                "quantity": str(e.quantity),
                "occurred_at": e.occurred_at.isoformat(),
                "reduction_g": str(e.reduction_g),
                "points": e.points,
                "status": e.status,
                "reason": e.reason,
            }
            for e in resident.events.select_related("scenario", "methodology").order_by("occurred_at")
        ],
        "ledger": [
            {
                "at": x.created_at.isoformat(),
                "kind": x.txn.kind,
                "amount": x.amount,
                "balance_after": x.balance_after,
                "memo": x.txn.memo,
            }
            for x in LedgerEntry.objects.filter(account__resident=resident).select_related("txn").order_by("id")
        ],
        "redemptions": [
            {
                "reward": r.reward.name,
                "points": r.points,
                "code": r.code,
                "status": r.status,
                "at": r.created_at.isoformat(),
            }
            for r in resident.redemptions.select_related("reward").order_by("id")
        ],
    }


def delete_account(resident: Resident) -> None:
    """Erase the personal data; the balance is forfeited by a ledger entry; the ledger stays consistent (the
    anonymous account and its entries remain, so every transaction still sums to zero)."""
    user = resident.user
    with transaction.atomic():
        open_codes = list(
            Redemption.objects.select_for_update()
            .filter(resident=resident, status=RedemptionStatus.ISSUED)
            .select_related("reward__merchant")
        )
        rewards = sorted({r.reward_id for r in open_codes})
        list(Reward.objects.select_for_update().filter(pk__in=rewards).order_by("pk"))  # rewards before accounts
        acc = ledger.resident_account(resident)
        sink = ledger.system_account(resident.plan, AccountKind.FORFEITED)
        merchants = {r.reward.merchant_id: ledger.merchant_account(r.reward.merchant) for r in open_codes}
        locked = ledger.lock([acc.pk, sink.pk, *(m.pk for m in merchants.values())])
        # unused codes are cancelled: their points (and the stock) come back, then everything is forfeited
        refunds = [
            (TxnKind.REFUND, [(merchants[r.reward.merchant_id].pk, -r.points), (acc.pk, r.points)], r.code, None, r)
            for r in open_codes
        ]
        if refunds:
            ledger.post_many(resident.plan, refunds, locked=locked)
            for r in open_codes:
                Reward.objects.filter(pk=r.reward_id).update(stock=F("stock") + 1)
            Redemption.objects.filter(pk__in=[r.pk for r in open_codes]).update(status=RedemptionStatus.CANCELLED)
        left = locked[acc.pk].balance
        if left:
            ledger.post(resident.plan, TxnKind.FORFEIT, [(acc.pk, -left), (sink.pk, left)], memo="销户", locked=locked)
        Consent.objects.filter(resident=resident, revoked_at__isnull=True).update(revoked_at=timezone.now())
        resident.display_name, resident.phone_hash, resident.community = "", "", ""
        resident.household, resident.user, resident.leaderboard_opt_in = None, None, False
        resident.deleted_at = timezone.now()
        resident.save()
        record(None, "resident.delete", resident, None, {"forfeited": left})
        if user is not None:
            user.is_active = False
            user.email, user.first_name, user.last_name, user.display_name = "", "", "", ""
            user.username = f"deleted-{resident.pseudonym}"
            user.set_unusable_password()
            user.save()


# --- household electricity baselines (from the grid company) ---------------------------------------------------
BASELINE_COLUMNS = ("resident", "year", "month", "kwh")
BASELINES = Table(
    "家庭用电基准",
    (
        Column("resident", "居民编号", "平台给出的居民匿名编号", "R-0001", aliases=("匿名编号",)),
        Column("year", "年份", "基准年，如 2024", "2024"),
        Column("month", "月份", "1–12", "1"),
        Column("kwh", "用电量（千瓦时）", "该月家庭用电量，非负，最多 3 位小数", "215.4", aliases=("用电量",)),
    ),
    ("电网公司按居民匿名编号提供；同一行再次上传不重复计入，数值变化时以新值为准。",),
)


def import_baselines(plan, rows) -> Any:
    """Rows ``resident,year,month,kwh``: the month's electricity of the resident's household in the baseline
    year, as the grid company reports it (by pseudonymous id). Per-row report; the same row again is a
    duplicate; a changed figure replaces the stored one (the baseline is the grid company's to correct)."""
    from carbonpeak.inclusion.models import HouseholdBaseline

    rep = Report()
    with transaction.atomic():
        for n, r in rows:
            res = Resident.objects.filter(
                plan=plan, pseudonym=(r.get("resident") or "").strip(), deleted_at__isnull=True
            ).first()
            if res is None or res.household_id is None:
                rep.reject(
                    n, "resident", "resident：未知居民或该居民未加入家庭", "resident: unknown, or not in a household"
                )
                continue
            try:
                year, month = numbers.to_int(r.get("year") or ""), numbers.to_int(r.get("month") or "")
                assert 2000 <= year <= 2100 and 1 <= month <= 12
            except (numbers.NumberError, AssertionError):
                rep.reject(n, "month", "year/month：年份或月份无效", "year/month: not a valid year and month")
                continue
            try:
                kwh = numbers.to_decimal(r.get("kwh") or "")
                assert 0 <= kwh < Decimal(10) ** 9 and kwh.as_tuple().exponent >= -3
            except (numbers.NumberError, AssertionError):
                rep.reject(n, "kwh", "kwh：应为非负数，最多 3 位小数", "kwh: a non-negative number, <= 3 decimals")
                continue
            b = HouseholdBaseline.objects.filter(household_id=res.household_id, month=month).first()
            if b is not None and b.year == year and b.kwh == kwh:
                rep.duplicates += 1
                continue
            HouseholdBaseline.objects.update_or_create(
                household_id=res.household_id, month=month, defaults={"year": year, "kwh": kwh}
            )
            rep.accepted += 1
    return rep
