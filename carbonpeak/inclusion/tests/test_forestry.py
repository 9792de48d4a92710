"""碳普惠 forestry-sink methodology: a village collective's afforestation project credited through the ledger.

Hand-worked (杉木 chinese_fir in the shipped factor library: density 0.307, BEF 1.634, R 0.246, CF 0.52):
factor = 0.307 × 1.634 × 1.246 × 0.52 = 0.32502129296 tC/m³; × 44/12 = 1.19174474085… tCO2/m³.
ΔV = 100 m³ → sink 119.174474 tCO2; buffer 20 % = 23.834895; credited 95.339579 tCO2.
Points at 0.001 per gCO2 (1 per kgCO2): sink floor(119 174.47) = 119 174; collective floor(95 339.58) = 95 339;
buffer 119 174 − 95 339 = 23 835.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from carbonpeak.inclusion import config, forestry, ledger
from carbonpeak.inclusion.choices import AccountKind
from carbonpeak.inclusion.models import ForestCredit, LedgerEntry, Methodology
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(plan, office):
    return {s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))}


@pytest.fixture
def project(scheme, plan, linye):
    return forestry.register(
        linye,
        plan,
        name="秩堂村造林",
        collective="秩堂村村民委员会",
        area_ha="35.5",
        start_year=2025,
        township="秩堂镇",
    )


def _accounts(p):
    return forestry.project_account(p, AccountKind.COLLECTIVE), forestry.project_account(p, AccountKind.BUFFER)


def test_shipped_methodology_freezes_the_library_factors_and_cites_sources(scheme):
    m = Methodology.objects.get(scenario=scheme["forest_sink"], code="afforestation")
    assert m.kind == "forest_stock" and m.version == 1
    assert Decimal(m.params["factor.chinese_fir"]["value"]) == Decimal("0.32502129296")
    assert "杉木" in m.params["factor.chinese_fir"]["source"]
    assert m.params["buffer_share"]["value"] == "0.2" and "AR-CM-001" in m.params["crediting_years"]["source"]
    assert "factors" not in m.params  # resolved at publication: the version is immutable


def test_credit_withholds_the_buffer(project, linye, plan):
    assert (project.start_year, project.crediting_end) == (2025, 2044)  # 20 years
    forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "1000"})
    forestry.record_monitoring(linye, project, 2026, {"chinese_fir": "1100"})
    fc = forestry.credit(linye, project, 2026)
    assert fc.sink_tco2 == Decimal("119.174474")
    assert fc.buffer_tco2 == Decimal("23.834895")
    assert fc.credited_tco2 == Decimal("95.339579")
    assert (fc.credited_points, fc.buffer_points) == (95339, 23835)
    coll, buf = _accounts(project)
    assert (coll.balance, buf.balance) == (95339, 23835)
    assert ledger.system_account(plan, AccountKind.ISSUER).balance == -119174
    assert ledger.check_balanced(plan) == {"unbalanced_txns": [], "drifted_accounts": []}
    # once per monitoring period: asked again, refused naming the period; nothing posted twice
    with pytest.raises(ValidationFailed) as exc:
        forestry.credit(linye, project, 2026)
    (issue,) = exc.value.issues
    assert (issue.code, issue.field) == ("already_credited", "year")
    assert "监测期 2025–2026 已计入" in issue.message_zh and "period 2025-2026 is already credited" in issue.message_en
    assert ForestCredit.objects.get(project=project).pk == fc.pk
    assert tuple(a.balance for a in _accounts(project)) == (95339, 23835)
    assert LedgerEntry.objects.filter(account__forest_project=project).count() == 2
    from carbonpeak.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="forest_project.credit").count() == 1


def test_reversal_debits_the_buffer_first_then_the_collective(project, linye, plan):
    forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "1000"})
    forestry.record_monitoring(linye, project, 2026, {"chinese_fir": "1100"})
    forestry.credit(linye, project, 2026)
    # a fall of 30 m³: 30 × 1.19174474… = 35.752342 tCO2 → ceil(35 752.34) = 35 753 points
    # buffer holds 23 835: all of it, then 11 918 from the collective (95 339 → 83 421)
    forestry.record_monitoring(linye, project, 2027, {"chinese_fir": "1070"})
    fc = forestry.credit(linye, project, 2027)
    assert fc.reversal_tco2 == Decimal("35.752342") and fc.credited_points == 0
    assert (fc.reversed_from_buffer, fc.reversed_from_collective, fc.reversal_shortfall) == (23835, 11918, 0)
    coll, buf = _accounts(project)
    assert (coll.balance, buf.balance) == (83421, 0)
    assert ledger.system_account(plan, AccountKind.ISSUER).balance == -83421
    # a small fall stays within the buffer: 5 m³ → ceil(5 958.72) = 5 959 from the buffer only
    forestry.record_monitoring(linye, project, 2028, {"chinese_fir": "1165"})
    forestry.credit(linye, project, 2028)  # +95 m³: floor(113 215.75) = 113 215; collective floor(90 572.6)
    forestry.record_monitoring(linye, project, 2029, {"chinese_fir": "1160"})
    fc = forestry.credit(linye, project, 2029)
    assert (fc.reversed_from_buffer, fc.reversed_from_collective) == (5959, 0)


def test_crediting_period_end(scheme, plan, linye):
    p = forestry.register(linye, plan, name="老项目", collective="湖口村", area_ha="10", start_year=2007)
    assert p.crediting_end == 2026  # 2007 + 20 − 1
    forestry.record_monitoring(linye, p, 2026, {"chinese_fir": "500"})
    forestry.record_monitoring(linye, p, 2027, {"chinese_fir": "600"})
    with pytest.raises(ValidationFailed) as exc:
        forestry.credit(linye, p, 2027)
    assert exc.value.issues[0].code == "outside_crediting_period"
    assert not ForestCredit.objects.filter(project=p).exists()


def test_monitoring_conflict_and_unknown_group(project, linye):
    mo = forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "1000"})
    assert mo.stock_m3 == {"chinese_fir": "1000"}  # plain digits on the page, never 1E+3
    forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "1000.0"})  # the same: no change
    with pytest.raises(ValidationFailed):
        forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "999"})
    with pytest.raises(ValidationFailed) as exc:
        forestry.record_monitoring(linye, project, 2026, {"banana": "1"})
    assert exc.value.issues[0].field == "stock_m3.banana"


def test_not_in_force_before_the_notice_period(plan, office, linye):
    config.load_defaults(office, plan)  # published now: in force after 7 days
    with pytest.raises(ValidationFailed) as exc:
        forestry.register(linye, plan, name="新项目", collective="某村", area_ha="1", start_year=2026)
    assert exc.value.issues[0].code == "no_methodology"
    p = forestry.register(
        linye, plan, name="新项目", collective="某村", area_ha="1", start_year=2026,
        today=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    assert p.methodology_code == "afforestation"


def test_golden_case_checked_on_publication(scheme, office):
    spec = {
        "code": "afforestation",
        "kind": "forest_stock",
        "points_per_gco2": "0.001",
        "params": {
            "factors": {"from": "factors.forest"},
            "buffer_share": {"value": "0.2", "source": "测试"},
            "crediting_years": {"value": "20", "source": "测试"},
        },
        "golden_cases": [{"stock_m3": {"chinese_fir": ["1000", "1100"]}, "years": [2025, 2026], "points": 95340}],
    }
    with pytest.raises(ValidationFailed) as exc:
        config.publish_methodology(office, scheme["forest_sink"], spec)
    assert exc.value.issues[0].code == "golden_case"
    spec["golden_cases"][0]["points"] = 95339
    spec["params"]["buffer_share"]["value"] = "0.2"
    m = config.publish_methodology(office, scheme["forest_sink"], spec)
    assert m.version == 2


def test_other_departments_may_not_write(project, fgj):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        forestry.record_monitoring(fgj, project, 2025, {"chinese_fir": "1"})


def test_the_forest_page_refuses_a_second_credit_of_a_period(project, linye):
    from django.test import Client
    from django.urls import reverse

    forestry.record_monitoring(linye, project, 2025, {"chinese_fir": "1000"})
    forestry.record_monitoring(linye, project, 2026, {"chinese_fir": "1100"})
    c = Client()
    c.force_login(linye)
    form = {"action": "credit", "project": project.pk, "year": "2026"}
    assert c.post(reverse("inclusion:forest"), form).status_code == 302
    again = c.post(reverse("inclusion:forest"), form)
    assert again.status_code == 422
    body = again.content.decode()
    assert "监测期 2025–2026 已计入" in body and "同一监测期不重复计入" in body
    assert ForestCredit.objects.filter(project=project).count() == 1
    assert tuple(a.balance for a in _accounts(project)) == (95339, 23835)
