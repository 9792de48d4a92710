"""Target allocation (三（二）2 基本目标和激励目标): a county target split among townships, the development zone and
sectors, each unit with its own light, judged with the county target's wording of that year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan import services
from carbonpeak.plan.allocation_status import unit_statuses
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(plan):
    return plan.targets.get(code="energy_intensity_reduction")  # 15 %以上 by 2025 (at_least)


@pytest.fixture
def yantang_user(make_user, plan):
    return make_user("yantang", "township", department=plan.departments.get(name="严塘镇"))


def _lights(target):
    return {s.department.code: (s.light.value, s.incentive_met) for s in unit_statuses(target)}


def test_each_unit_has_its_own_light(plan, office, target, yantang_user):
    services.set_allocation(office, target, "yantang", 2025, "0.15", "0.17")
    services.set_allocation(office, target, "chaling_edz", 2025, "0.18")
    edz = plan.departments.get(code="chaling_edz")
    services.report_unit_value(office, target, edz, 2025, "0.1799")
    yantang = plan.departments.get(code="yantang")
    services.report_unit_value(yantang_user, target, yantang, 2025, "0.15")  # exactly the basic value: met
    lights = _lights(target)
    assert lights["yantang"] == ("green", False)  # basic met, incentive (17 %) not
    assert lights["chaling_edz"] == ("red", None)  # 0.01 pp short with no tolerance on a single-year share
    services.report_unit_value(yantang_user, target, yantang, 2025, "0.17")
    assert _lights(target)["yantang"] == ("green", True)
    assert AuditEntry.objects.filter(action="target.unit_value").count() == 3


def test_strive_wording_makes_a_missed_share_yellow(plan, office):
    forest = plan.targets.get(code="forest_stock")  # 2025: 力争达到 850万立方米
    services.set_allocation(office, forest, "yantang", 2025, "500000")
    services.report_unit_value(office, forest, plan.departments.get(code="yantang"), 2025, "100000")
    assert _lights(forest)["yantang"] == ("yellow", None)


def test_a_unit_reports_only_its_own_share(plan, office, target, yantang_user, fgj):
    services.set_allocation(office, target, "yantang", 2025, "0.15")
    with pytest.raises(PermissionDenied):
        services.report_unit_value(yantang_user, target, plan.departments.get(code="sicong"), 2025, "0.2")
    with pytest.raises(PermissionDenied):  # a department reports no township's share
        services.report_unit_value(fgj, target, plan.departments.get(code="yantang"), 2025, "0.2")
    with pytest.raises(PermissionDenied):  # only the office allocates
        services.set_allocation(fgj, target, "yantang", 2025, "0.15")
    with pytest.raises(ValidationFailed) as exc:  # no share, no report
        services.report_unit_value(office, target, plan.departments.get(code="sicong"), 2025, "0.2")
    assert exc.value.issues[0].code == "no_allocation"


def test_allocation_checks(plan, office, target):
    with pytest.raises(ValidationFailed) as exc:
        services.set_allocation(office, target, "yantang", 2025, "1.5")  # a share above 100 %
    assert {i.field for i in exc.value.issues} == {"basic_value"}
    with pytest.raises(ValidationFailed) as exc:
        services.set_allocation(office, target, "yantang", 2025, "0.15", "0.1")
    assert exc.value.issues[0].code == "incentive_below_basic"
    a = services.set_allocation(office, target, "yantang", 2025, "0.15")
    services.set_allocation(office, target, "yantang", 2025, "0.16")  # the same unit and year: updated
    a.refresh_from_db()
    assert a.basic_value == Decimal("0.16") and target.allocations.count() == 1


def test_another_county_cannot_allocate(plan, office_b, target):
    with pytest.raises(PermissionDenied):
        services.set_allocation(office_b, target, "yantang", 2025, "0.15")
