"""Accounting endpoints. The factor library's shared versions (shipped, provinces') are public reference data; a
county's own versions are shown to its own accounts and tokens and its region's readers only. The accounts need a
login or a token of the county (or of its region, read only): another county's answer is 404, as for a county
that does not exist. Writes go through accounting.services (permissions, the county, validation, audit)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from carbonpeak.accounting import levels, services
from carbonpeak.accounting.fetch import results_of
from carbonpeak.accounting.models import FactorSet, Inventory
from carbonpeak.accounts.auth import ANONYMOUS, WRITE_AUTH, ClientToken, OptionalSession
from carbonpeak.accounts.permissions import require_staff
from carbonpeak.api_errors import errors
from carbonpeak.api_fields import Code, Number, Short, Text, Year
from carbonpeak.plan.models import Plan
from carbonpeak.plan.tenancy import counties_for, principal_of, require_plan_in_scope

router = Router(tags=["accounting"])
#: the factor library: anyone; a token or a session also sees its own county's versions
LIBRARY_AUTH = [ClientToken(), OptionalSession(), ANONYMOUS]
#: the library: 401 only for a revoked or expired token (without a token the caller is the public)
READ_ERRORS = errors(401, 404, 422)
STAFF_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(401, 403, 404, 413, 422)


class FactorSetOut(Schema):
    version: str
    kind: str
    label: str
    parent: str | None
    county: str | None
    province: str
    created_at: str
    factors: int


class FactorOut(Schema):
    key: str
    value: str | None
    unit: str
    grade: str
    source: str
    name_zh: str
    name_en: str
    notes: str
    region: str
    valid_from_year: int | None
    valid_to_year: int | None
    #: where the row comes from: national | province_own | province_inherited | county_override, and the version
    origin_level: str
    origin_version: str


class LineIn(Schema):
    sector: Code
    carrier: Code
    unit: Short
    flow: Code = "final"
    purpose: Code = "energy"
    quantity: Number | None = None
    notation: Short | None = None
    source: Text = ""


class LinesIn(Schema):
    lines: list[LineIn] = Field(max_length=10_000)
    params: dict[Code, Number | None] = Field({}, max_length=200)


def _set_out(s: FactorSet) -> dict[str, Any]:
    return {
        "version": s.version,
        "kind": s.kind,
        "label": s.label,
        "parent": s.parent.version if s.parent else None,
        "county": s.plan.code if s.plan else None,
        "province": s.province,
        "created_at": s.created_at.isoformat(),
        "factors": s.factors.count(),
    }


def _factor_out(f: dict[str, Any], origins: dict[str, levels.Origin]) -> dict[str, Any]:
    o = origins[f["key"]]
    return {**f, "value": f["value"] or None, "origin_level": o.level, "origin_version": o.version}


FACTOR_FIELDS = [k for k in FactorOut.model_fields if not k.startswith("origin_")]


def _library(request):
    """The versions this caller sees: an account or token of a county what its county's pages show (shipped, its
    province's, its own); a region reader what any of its counties sees; anyone else (the public, an account of
    no county) the shared ones (shipped and the provinces' published versions)."""
    principal = principal_of(request)
    counties = list(counties_for(principal)) if principal is not None else []
    return levels.readable_factor_sets(counties or None)


@router.get(
    "/factor-sets",
    response={200: list[FactorSetOut]} | errors(401),
    auth=LIBRARY_AUTH,
    summary="Factor-set versions / 因子库版本",
)
def list_factor_sets(request):
    return [_set_out(s) for s in _library(request).select_related("parent", "plan")]


@router.get(
    "/factor-sets/diff",
    response={200: dict[str, Any]} | READ_ERRORS,
    auth=LIBRARY_AUTH,
    summary="Differences between two versions / 版本差异",
)
def factor_diff(request, a: Code, b: Code):
    fa = get_object_or_404(_library(request), version=a)
    fb = get_object_or_404(_library(request), version=b)
    d = services.diff_factor_sets(fa, fb)

    def clean(r: dict[str, Any]) -> dict[str, Any]:
        return {k: (format(v.normalize(), "f") if isinstance(v, Decimal) else v) for k, v in r.items()}

    return {
        "a": a,
        "b": b,
        "added": [clean(r) for r in d["added"]],
        "removed": [clean(r) for r in d["removed"]],
        "changed": [{**c, "before": clean(c["before"]), "after": clean(c["after"])} for c in d["changed"]],
    }


class FactorFilter(Schema):
    family: Code | None = None
    grade: Short | None = None


@router.get(
    "/factor-sets/{version}/factors",
    response={200: list[FactorOut]} | READ_ERRORS,
    auth=LIBRARY_AUTH,
    summary="Factors of a version / 因子",
)
def list_factors(request, version: Code, filters: Query[FactorFilter]):
    fs = get_object_or_404(_library(request), version=version)
    qs = fs.factors.all()
    if filters.family:
        qs = qs.filter(key__startswith=f"{filters.family}.")
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    origins = levels.row_origins(fs)
    return [_factor_out(f, origins) for f in qs.order_by("key").values(*FACTOR_FIELDS)]


def _county(request, code: Code) -> Plan:
    """The plan of ``code`` if the caller may read it (its own county, or its region's), else 404."""
    return require_plan_in_scope(principal_of(request), get_object_or_404(Plan, code=code))


def _inventory(request, code: Code, year: Year) -> Inventory:
    plan = _county(request, code)
    return get_object_or_404(Inventory.objects.select_related("factor_set", "plan"), plan=plan, year=year)


@router.get(
    "/{code}/inventories",
    response={200: list[dict[str, Any]]} | STAFF_ERRORS,
    auth=WRITE_AUTH,
    summary="Inventory years / 核算年度",
)
def list_inventories(request, code: Code):
    plan = _county(request, code)
    require_staff(request.principal)
    out = []
    for inv in Inventory.objects.filter(plan=plan).select_related("factor_set"):
        res = results_of(inv)
        ok = "error" not in res
        out.append(
            {
                "year": inv.year,
                "status": inv.status,
                "factor_set": inv.factor_set.version,
                "illustrative": inv.is_illustrative,
                "territorial_co2_t": res["co2"]["territorial_co2_t"] if ok else None,
                "energy_tce": {b: res["energy"][b]["total_tce"] for b in res["bases"]} if ok else None,
                "error": None if ok else res["error"],
            }
        )
    return out


@router.get(
    "/{code}/inventories/{year}",
    response={200: dict[str, Any]} | STAFF_ERRORS,
    auth=WRITE_AUTH,
    summary="A year's accounts / 年度核算结果",
)
def get_inventory(request, code: Code, year: Year):
    inv = _inventory(request, code, year)
    require_staff(request.principal)
    return {"year": inv.year, "status": inv.status, "illustrative": inv.is_illustrative, "results": results_of(inv)}


@router.post(
    "/{code}/inventories/{year}/lines",
    response={200: dict[str, Any]} | WRITE_ERRORS,
    auth=WRITE_AUTH,
    summary="Import activity lines (per-row results) / 导入活动数据",
)
def post_lines(request, code: Code, year: Year, payload: LinesIn):
    inv = _inventory(request, code, year)
    rows = [(i, line.model_dump()) for i, line in enumerate(payload.lines, start=1)]  # line = position from 1
    params = [(None, k, v) for k, v in payload.params.items()]
    return services.import_activity(request.principal, inv, rows, params)  # type: ignore[arg-type]


@router.post(
    "/{code}/inventories/{year}/approve",
    response={200: dict[str, Any]} | STAFF_ERRORS,
    auth=WRITE_AUTH,
    summary="Approve a year (office) / 审定",
)
def post_approve(request, code: Code, year: Year):
    inv = _inventory(request, code, year)
    pushed = services.approve(request.principal, inv)
    return {
        "year": inv.year,
        "status": inv.status,
        "inputs_sha256": inv.inputs_sha256,
        "indicator_values": [{"target": v.target.code, "year": v.year, "value": str(v.value)} for v in pushed],
    }
