"""The points ledger: posting balanced transactions, with the touched accounts locked in id order.

``post`` is the only writer of entries and balances. Every transaction's entries sum to zero; a balance that
would go below zero (any account but the issuer) is refused before anything is written, and the database's
check constraint backs that up. Callers hold ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone

from carbonpeak.audit.services import actor_label
from carbonpeak.inclusion import bulk
from carbonpeak.inclusion.choices import AccountKind
from carbonpeak.inclusion.models import LedgerAccount, LedgerEntry, LedgerTxn
from carbonpeak.validation import Issues

SYSTEM_KINDS = (AccountKind.ISSUER, AccountKind.SETTLED, AccountKind.EXPIRED, AccountKind.FORFEITED)


class Insufficient(Exception):
    def __init__(self, account_id: int, balance: int, needed: int):
        super().__init__(f"account {account_id}: balance {balance}, needs {needed}")
        self.account_id, self.balance, self.needed = account_id, balance, needed


def system_account(plan, kind: str) -> LedgerAccount:
    acc, _ = LedgerAccount.objects.get_or_create(plan=plan, kind=kind, scenario=None, resident=None, merchant=None)
    return acc


def pool_account(scenario) -> LedgerAccount:
    acc, _ = LedgerAccount.objects.get_or_create(plan=scenario.plan, kind=AccountKind.POOL, scenario=scenario)
    return acc


def resident_account(resident) -> LedgerAccount:
    acc, _ = LedgerAccount.objects.get_or_create(plan=resident.plan, kind=AccountKind.RESIDENT, resident=resident)
    return acc


def resident_account_ids(plan, resident_ids: Iterable[int]) -> dict[int, int]:
    """{resident id: account id} for many residents, in two queries (missing accounts created)."""
    wanted = list(set(resident_ids))
    have = dict(LedgerAccount.objects.filter(resident_id__in=wanted).values_list("resident_id", "pk"))
    missing = [rid for rid in wanted if rid not in have]
    if missing:
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(plan=plan, kind=AccountKind.RESIDENT, resident_id=rid) for rid in missing],
            ignore_conflicts=True,
        )
        have.update(LedgerAccount.objects.filter(resident_id__in=missing).values_list("resident_id", "pk"))
    return have


def merchant_account(merchant) -> LedgerAccount:
    acc, _ = LedgerAccount.objects.get_or_create(plan=merchant.plan, kind=AccountKind.MERCHANT, merchant=merchant)
    return acc


@dataclass
class Held:
    """A locked account: what writers need of it (no model instance per row on the batch path)."""

    pk: int
    kind: str
    balance: int


def lock(ids: Iterable[int]) -> dict[int, Held]:
    """Lock the accounts in id order (one fixed order for every writer: no deadlocks) and return them."""
    ids = sorted(set(ids))
    rows = LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {pk: Held(pk, kind, bal) for pk, kind, bal in rows.values_list("pk", "kind", "balance")}


def post(
    plan,
    kind: str,
    legs: Sequence[tuple[int, int]],
    *,
    memo: str = "",
    event=None,
    redemption=None,
    actor: Any = None,
    locked: dict[int, Held] | None = None,
) -> int:
    """One balanced transaction. ``legs`` are (account id, signed amount). Raises Insufficient (nothing written)
    when an account other than the issuer would go below zero."""
    return post_many(plan, [(kind, legs, memo, event, redemption)], actor=actor, locked=locked)[0]


def post_many(plan, txns, *, actor: Any = None, locked: dict[int, Held] | None = None) -> list[int]:
    """Many balanced transactions at once (the batch award path): ``txns`` are (kind, legs, memo, event,
    redemption), event and redemption as objects or ids. Accounts are locked once, in id order; transactions
    and entries are inserted in bulk (COPY on PostgreSQL) and the balances updated with one statement per
    chunk. Returns the transaction ids."""
    assert transaction.get_connection().in_atomic_block, "post inside transaction.atomic"
    ids = {a for _k, legs, *_ in txns for a, _ in legs}
    accounts = locked if locked is not None and ids <= set(locked) else lock(ids)
    running = {a: accounts[a].balance for a in ids}
    for kind, legs, *_ in txns:
        if sum(x for _, x in legs) != 0:
            raise ValueError(f"unbalanced {kind} transaction: {legs}")
        if any(x == 0 for _, x in legs):
            raise ValueError("a leg of zero points")
        for a, x in legs:
            running[a] += x
            if running[a] < 0 and accounts[a].kind != AccountKind.ISSUER:
                raise Insufficient(a, running[a] - x, -x)
    label = actor_label(actor) if actor is not None else ""
    now = timezone.now()
    txn_ids = bulk.insert(
        LedgerTxn,
        ("plan_id", "kind", "memo", "event_id", "redemption_id", "actor_label", "created_at"),
        [
            (plan.pk, k, memo[:200], getattr(ev, "pk", ev), getattr(rd, "pk", rd), label, now)
            for k, _l, memo, ev, rd in txns
        ],
        ids=True,
    )
    bal = {a: accounts[a].balance for a in ids}
    entries = []
    for tid, (_kind, legs, *_rest) in zip(txn_ids, txns, strict=True):
        for a, x in legs:
            bal[a] += x
            entries.append((tid, a, x, bal[a], now))
    bulk.insert(LedgerEntry, ("txn_id", "account_id", "amount", "balance_after", "created_at"), entries)
    _apply(bal, accounts)
    for a in ids:
        accounts[a].balance = bal[a]
    return txn_ids


def _apply(balances: dict[int, int], accounts: dict[int, Held]) -> None:
    changed = [(a, b) for a, b in balances.items() if b != accounts[a].balance]
    if not changed:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {LedgerAccount._meta.db_table} a SET balance = v.b "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, b) WHERE a.id = v.id",
                [[a for a, _ in changed], [b for _, b in changed]],
            )
        return
    for i in range(0, len(changed), 500):
        chunk = changed[i : i + 500]
        LedgerAccount.objects.filter(pk__in=[a for a, _ in chunk]).update(
            balance=Case(
                *(When(pk=a, then=Value(b)) for a, b in chunk), default=F("balance"), output_field=BigIntegerField()
            )
        )


def check_balanced(plan=None, using: str = "default") -> dict[str, Any]:
    """Audit the whole ledger: every transaction sums to zero, every cached balance equals the sum of its
    entries, and each entry's balance_after equals the running sum. Returns the offending ids (empty: sound).
    ``using``: another database alias (the backup check runs it on the copy it is about to write)."""
    where = "WHERE t.plan_id = %s" if plan is not None else ""
    args = [plan.pk] if plan is not None else []
    e, t, a = LedgerEntry._meta.db_table, LedgerTxn._meta.db_table, LedgerAccount._meta.db_table
    with connections[using].cursor() as cur:
        cur.execute(
            f"SELECT t.id FROM {t} t JOIN {e} e ON e.txn_id = t.id {where} GROUP BY t.id HAVING sum(e.amount) <> 0",
            args,
        )
        unbalanced = [r[0] for r in cur.fetchall()]
        cur.execute(
            f"SELECT a.id FROM {a} a LEFT JOIN {e} e ON e.account_id = a.id "
            + ("WHERE a.plan_id = %s " if plan is not None else "")
            + "GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(e.amount), 0)",
            args,
        )
        drifted = [r[0] for r in cur.fetchall()]
    return {"unbalanced_txns": unbalanced, "drifted_accounts": drifted}


def issues_for(exc: Insufficient, field: str = "points") -> Issues:
    i = Issues()
    i.add(
        "insufficient",
        field,
        f"积分不足：余额 {exc.balance}，需要 {exc.needed}",
        f"{field}: the balance {exc.balance} cannot cover {exc.needed}",
    )
    return i
