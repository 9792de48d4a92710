"""Races on PostgreSQL: a forestry project's monitoring period credited twice at the same instant, and two
periods of one project credited at once. Each thread has its own connection (``tests/race.py``).

Hand-worked (杉木 chinese_fir: 0.32502129296 tC/m³ × 44/12 = 1.19174474085… tCO2/m³, buffer 20 %, 1 point
per kgCO2; see ``test_forestry.py``):
- 2025 → 2026, ΔV = 100 m³: sink 119.174474 tCO2 → 119 174 points; collective floor(95 339.58) = 95 339,
  buffer 119 174 − 95 339 = 23 835.
- 2026 → 2027, ΔV = 50 m³: sink 59.587237 tCO2 → floor(59 587.24) = 59 587 points; collective
  floor(47 669.79) = 47 669, buffer 59 587 − 47 669 = 11 918.
"""

from __future__ import annotations

import pytest
from django.db import connection

from carbonpeak.audit.models import AuditEntry
from carbonpeak.inclusion import forestry, ledger
from carbonpeak.inclusion.choices import AccountKind, TxnKind
from carbonpeak.inclusion.models import ForestCredit, LedgerAccount, LedgerEntry, LedgerTxn
from carbonpeak.validation import ValidationFailed
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project(scheme, linye):
    p = forestry.register(
        linye, scheme["plan"], name="秩堂村造林", collective="秩堂村村民委员会", area_ha="35.5", start_year=2025,
        township="秩堂镇",
    )  # fmt: skip
    for year, fir in ((2025, "1000"), (2026, "1100"), (2027, "1150")):
        forestry.record_monitoring(linye, p, year, {"chinese_fir": fir})
    return p


def balances(p) -> tuple[int, int, int]:
    """(collective, buffer, issuer) balances, read fresh from the database; the issuer's without the 100 000
    points it issued to the green-travel pool (the ``scheme`` fixture)."""
    coll = LedgerAccount.objects.get(forest_project=p, kind=AccountKind.COLLECTIVE).balance
    buf = LedgerAccount.objects.get(forest_project=p, kind=AccountKind.BUFFER).balance
    return coll, buf, ledger.system_account(p.plan, AccountKind.ISSUER).balance + 100_000


def sound(plan):
    assert ledger.check_balanced(plan) == {"unbalanced_txns": [], "drifted_accounts": []}


def test_the_same_period_credited_twice_at_once_is_credited_once(project, linye, office):
    assert connection.vendor == "postgresql"
    out = race([lambda: forestry.credit(linye, project, 2026), lambda: forestry.credit(office, project, 2026)])
    won = [o for o in out if isinstance(o, ForestCredit)]
    lost = [o for o in out if isinstance(o, ValidationFailed)]
    assert (len(won), len(lost)) == (1, 1), out
    (issue,) = lost[0].issues
    assert (issue.code, issue.field) == ("already_credited", "year")
    assert "2025–2026" in issue.message_zh and "已计入" in issue.message_zh
    assert "2025-2026" in issue.message_en and "already credited" in issue.message_en
    fc = ForestCredit.objects.get(project=project)
    assert (fc.pk, fc.year_from, fc.year_to) == (won[0].pk, 2025, 2026)
    assert (fc.credited_points, fc.buffer_points) == (95339, 23835)
    assert balances(project) == (95339, 23835, -119174)  # the buffer withheld once, nothing credited twice
    assert LedgerTxn.objects.filter(plan=project.plan, kind=TxnKind.FOREST).count() == 1
    assert LedgerEntry.objects.filter(account__forest_project=project).count() == 2
    assert AuditEntry.objects.filter(action="forest_project.credit").count() == 1
    sound(project.plan)


def test_the_same_period_four_times_at_once(project, linye):
    out = race([lambda: forestry.credit(linye, project, 2026) for _ in range(4)])
    assert sorted(type(o).__name__ for o in out) == ["ForestCredit"] + ["ValidationFailed"] * 3, out
    assert balances(project) == (95339, 23835, -119174)
    assert LedgerEntry.objects.filter(account__forest_project=project).count() == 2
    sound(project.plan)


def test_two_periods_of_one_project_at_once_both_credit(project, linye, office):
    out = race([lambda: forestry.credit(linye, project, 2026), lambda: forestry.credit(office, project, 2027)])
    assert all(isinstance(o, ForestCredit) for o in out), out
    got = {fc.year_to: (fc.year_from, fc.credited_points, fc.buffer_points) for fc in out}
    assert got == {2026: (2025, 95339, 23835), 2027: (2026, 47669, 11918)}
    # collective 95 339 + 47 669 = 143 008; buffer 23 835 + 11 918 = 35 753; issuer −(119 174 + 59 587)
    assert balances(project) == (143008, 35753, -178761)
    assert LedgerTxn.objects.filter(plan=project.plan, kind=TxnKind.FOREST).count() == 2
    assert LedgerEntry.objects.filter(account__forest_project=project).count() == 4
    sound(project.plan)
