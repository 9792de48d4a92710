"""Regions (a city or a province) and their counties: made by ``carbonpeak region add``, audited."""

from __future__ import annotations

from django.db import transaction

from carbonpeak.audit.services import record
from carbonpeak.plan.models import Plan, Region, RegionLevel


class RegionError(ValueError):
    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


def region_row(r: Region) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "plans": sorted(p.code for p in r.plans.all()),
        "own_plan": r.own_plan.code if r.own_plan_id else None,
    }


def region_rows() -> list[dict]:
    return [region_row(r) for r in Region.objects.prefetch_related("plans").select_related("own_plan").order_by("code")]


def save_region(actor, code: str, name: str, level: str, plan_codes: list[str], own_plan: str | None = None) -> Region:
    """Add the region, or update it (same code): its name, level, counties and own plan. Every code is checked
    before anything is stored."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 60 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise RegionError(
            "code", "区域编码须为字母、数字、- 或 _（至多 60 个）", "the code is letters, digits, - or _ (≤ 60)"
        )
    if not name or len(name) > 100:
        raise RegionError("name", "名称不能为空，至多 100 字", "the name is required (≤ 100 characters)")
    if level not in RegionLevel.values:
        raise RegionError("level", "层级须为 city 或 province", "the level is city or province")
    if not plan_codes:
        raise RegionError("plans", "至少列出一个县的方案编码", "list at least one county's plan code")
    plans = list(Plan.objects.filter(code__in=plan_codes))
    missing = sorted(set(plan_codes) - {p.code for p in plans})
    if missing:
        raise RegionError("plans", f"未找到方案 {', '.join(missing)}", f"no plan {', '.join(missing)}")
    own = None
    if own_plan:
        own = Plan.objects.filter(code=own_plan).first()
        if own is None:
            raise RegionError("own_plan", f"未找到方案 {own_plan}", f"no plan {own_plan}")
        if own.code in plan_codes:
            raise RegionError(
                "own_plan", "本级方案不能同时是所辖县的方案", "the region's own plan is not one of its counties"
            )
    with transaction.atomic():
        region = Region.objects.select_for_update().filter(code=code).first()
        before = region_row(region) if region else None
        if region is None:
            region = Region(code=code)
        region.name, region.level, region.own_plan = name, level, own
        region.save()
        region.plans.set(plans)
        record(actor, "region.save", region, before, region_row(region), county=None)
    return region
