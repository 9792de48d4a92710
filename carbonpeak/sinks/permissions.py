"""Who may change the county's sink data: the office and the lead department(s) of the forest and wetland work
(the plan's ``forestry`` department, and any department leading a target fed with forest coverage or stock; for
the farmland and wetland register also ``agriculture_rural``). Auditors and region readers read; nobody acts in
another county."""

from __future__ import annotations

from typing import Any

from carbonpeak.accounts.permissions import department_of, is_office, reads_staff_pages
from carbonpeak.plan.tenancy import acts_in

#: department codes (as plan files spell them) that lead the forest resource data
FOREST_DEPARTMENTS = ("forestry",)
#: … and the farmland and wetland register (三(六)2 is led by agriculture and forestry)
ECO_DEPARTMENTS = ("forestry", "agriculture_rural")
FOREST_INDICATORS = ("forest_coverage", "forest_stock")


def reads_sinks(principal: Any) -> bool:
    return reads_staff_pages(principal)


def _leads(principal: Any, plan: Any, codes: tuple[str, ...]) -> bool:
    dept = department_of(principal)
    if dept is None or dept.plan_id != plan.pk:
        return False
    if dept.code in codes:
        return True
    from carbonpeak.plan.models import TargetAssignment

    return TargetAssignment.objects.filter(
        department=dept, role="lead", target__plan=plan, target__indicator__in=FOREST_INDICATORS
    ).exists()


def writes_forest(principal: Any, plan: Any) -> bool:
    """Import, approve and reopen a year's forest data of ``plan``."""
    if principal is None or not acts_in(principal, plan):
        return False
    return is_office(principal) or _leads(principal, plan, FOREST_DEPARTMENTS)


def writes_eco(principal: Any, plan: Any) -> bool:
    if principal is None or not acts_in(principal, plan):
        return False
    return is_office(principal) or _leads(principal, plan, ECO_DEPARTMENTS)
