"""Illustrative building data for ``setup --demo`` (fictitious, labelled 演示): a dozen buildings, two years of
monthly bills, benchmarks and 机关事务 targets marked as demo values (none is an official quota), a 节约型机关
checklist, the rooftop assumptions and an approved 2024 year of completions. The 2025 completions are left for
the user to import (docs/zh/buildings.md has the example file)."""

from __future__ import annotations

from decimal import Decimal
from typing import TextIO

DEMO_SOURCE = "演示数据（虚构，非官方定额）"
BUILDINGS = [
    # id, name, township, use, ownership, area m², occupants, roof m², pv kW, kWh per month (2025)
    ("JZ-0001", "县政府综合办公楼（演示）", "云阳街道", "office", "government", "18000", "420", "3200", "120", 165000),
    ("JZ-0002", "县发改局办公楼（演示）", "云阳街道", "office", "government", "4200", "90", "900", "", 52000),
    (
        "JZ-0003",
        "县人民医院住院楼（演示）",
        "云阳街道",
        "hospital",
        "public_institution",
        "26000",
        "900",
        "2600",
        "",
        520000,
    ),
    (
        "JZ-0004",
        "县第一中学教学楼（演示）",
        "思聪街道",
        "school",
        "public_institution",
        "15000",
        "2100",
        "4000",
        "200",
        70000,
    ),
    ("JZ-0005", "县图书馆（演示）", "云阳街道", "other_public", "public_institution", "6000", "40", "1800", "", 60000),
    ("JZ-0006", "县行政服务中心（演示）", "下东街道", "office", "government", "9000", "260", "2000", "", 130000),
    ("JZ-0007", "洣水商业广场（演示）", "下东街道", "commercial", "private", "32000", "", "", "", 900000),
    ("JZ-0008", "茶陵宾馆（演示）", "云阳街道", "hotel", "private", "12000", "", "", "", 260000),
    ("JZ-0009", "云阳小区 3 栋（演示）", "云阳街道", "residential", "private", "9600", "", "", "", 45000),
    (
        "JZ-0010",
        "县中医院门诊楼（演示）",
        "思聪街道",
        "hospital",
        "public_institution",
        "8000",
        "300",
        "1200",
        "",
        150000,
    ),
]
BENCHMARKS = [  # use, guide, limit (kgce/m² a year, calorific basis) — illustrative only
    ("office", "11", "14"),
    ("hospital", "26", "32"),
    ("school", "6", "9"),
    ("other_public", "10", "13"),
    ("commercial", "35", "45"),
    ("hotel", "28", "36"),
]
COMPLETIONS_2024 = [
    ("XM-2024-001", "2024-04-18", "32000", "true", "basic", "false"),
    ("XM-2024-002", "2024-09-30", "18500", "true", "one_star", "true"),
    ("XM-2024-003", "2024-11-20", "12000", "false", "none", "true"),
    ("XM-2024-004", "2024-12-26", "9500", "true", "none", "false"),
]
CHECKLIST = ["公务用车节能管理", "办公区人走灯灭、空调温度控制", "无纸化办公", "节水器具更换", "垃圾分类"]


def load(plan, office, out: TextIO) -> None:
    from carbonpeak.buildings import services
    from carbonpeak.buildings.models import Building

    if Building.objects.filter(plan=plan).exists():
        return
    keys = (
        "building_id",
        "name",
        "township",
        "use",
        "ownership",
        "floor_area_m2",
        "occupants",
        "roof_area_m2",
        "pv_kw",
    )
    rows = [(n, dict(zip(keys, b[:9], strict=True))) for n, b in enumerate(BUILDINGS, start=2)]
    _ok(services.import_buildings(office, plan, rows), "buildings")
    bills, n = [], 2
    for b in BUILDINGS:
        for year, scale in ((2024, Decimal("1.04")), (2025, Decimal(1))):
            for m in range(1, 13):
                season = Decimal("1.25") if m in (1, 7, 8, 12) else Decimal("0.9")
                q = (Decimal(b[9]) * scale * season).quantize(Decimal(1))
                bills.append(
                    (
                        n,
                        {
                            "building_id": b[0],
                            "month": f"{year}-{m:02d}",
                            "carrier": "electricity",
                            "unit": "kWh",
                            "quantity": str(q),
                        },
                    )
                )
                n += 1
            if b[3] in ("hospital", "hotel"):
                bills.append(
                    (
                        n,
                        {
                            "building_id": b[0],
                            "month": f"{year}-01",
                            "carrier": "natural_gas",
                            "unit": "m3",
                            "quantity": "18000",
                        },
                    )
                )
                n += 1
        if b[8]:
            for m in range(1, 13):
                gen = int(Decimal(b[8]) * 90)
                bills.append(
                    (
                        n,
                        {
                            "building_id": b[0],
                            "month": f"2025-{m:02d}",
                            "carrier": "pv_generation",
                            "unit": "kWh",
                            "quantity": str(gen),
                        },
                    )
                )
                n += 1
    _ok(services.import_bills(office, plan, bills), "bills")
    for use, guide, limit in BENCHMARKS:
        services.set_benchmark(office, plan, use, 2024, guide, limit, DEMO_SOURCE)
    for year, capita, m2 in ((2024, "400", "14"), (2025, "380", "13.5")):
        services.set_institution_target(office, plan, year, capita, m2, DEMO_SOURCE)
    services.set_rooftop(office, plan, "60", "0.15", DEMO_SOURCE)
    for i, b in enumerate(Building.objects.filter(plan=plan, ownership__in=("government", "public_institution"))):
        for j, item in enumerate(CHECKLIST):
            services.set_checklist_item(office, b, 2025, item, (i + j) % 3 != 0, "演示" if (i + j) % 3 != 0 else "")
    header = ("project_id", "completed_on", "floor_area_m2", "civil", "green_level", "prefab")
    _ok(
        services.import_completions(
            office, plan, [(n, dict(zip(header, r, strict=True))) for n, r in enumerate(COMPLETIONS_2024, start=2)]
        ),
        "completions",
    )
    services.approve_year(office, plan, 2024)
    print(f"已载入演示建筑数据（{plan.county}）/ demo buildings loaded", file=out)


def _ok(rep, what: str) -> None:
    if rep.rejected:
        raise RuntimeError(f"demo {what}: {rep.rejected[:3]}")
