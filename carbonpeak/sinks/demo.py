"""Illustrative forest-resource demo (fictitious numbers, labelled 演示): two years (2022, 2023) of the county's
survey by township, land class and species group, both approved, and a few small wetlands and
conservation-tillage areas. Loaded by ``setup --demo`` only, through the module's services; a second run changes
nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TextIO

from carbonpeak.sinks import services
from carbonpeak.sinks.models import EcoArea, ForestYear

YEARS = (2022, 2023)
TOWNSHIPS = (
    "下东街道",
    "思聪街道",
    "云阳街道",
    "洣江街道",
    "高陇镇",
    "火田镇",
    "腰潞镇",
    "马江镇",
    "严塘镇",
    "湖口镇",
    "虎踞镇",
    "枣市镇",
    "界首镇",
    "平水镇",
    "桃坑乡",
    "秩堂镇",
)
#: species group → share of a township's arbor land and stock per hectare (m³/ha) in the first year
GROUPS = (
    ("chinese_fir", Decimal("0.45"), 62),
    ("masson_pine", Decimal("0.30"), 55),
    ("broadleaf_mixed", Decimal("0.25"), 48),
)


def rows(year: int) -> list[tuple[int, dict[str, str]]]:
    """~160 rows a year: 16 townships of 15 625 ha (250 000 ha, 2 500 km²); stock grows 3 % a year."""
    out = []
    line = 1
    growth = Decimal("1.03") ** (year - YEARS[0])
    for i, town in enumerate(TOWNSHIPS):
        land = Decimal(15625)
        arbor = Decimal(7800 + 80 * i)
        bamboo = Decimal(1200 - 20 * i)
        special = Decimal(600)
        other_shrub = Decimal(300)
        nonforest = land - arbor - bamboo - special - other_shrub
        for g, share, per_ha in GROUPS:
            area = (arbor * share).quantize(Decimal("0.01"))
            stock = (area * per_ha * growth).quantize(Decimal("1"))
            line += 1
            out.append((line, _row(year, town, "arbor", g, area, stock)))
        for cls, area in (("bamboo", bamboo), ("special_shrub", special), ("other_shrub", other_shrub)):
            line += 1
            out.append((line, _row(year, town, cls, "", area, Decimal(0))))
        line += 1
        out.append((line, _row(year, town, "nonforest", "", nonforest, Decimal(0))))
    return out


def _row(year: int, town: str, cls: str, group: str, area: Decimal, stock: Decimal) -> dict[str, str]:
    return {
        "year": str(year),
        "township": town,
        "land_class": cls,
        "species_group": group,
        "area_ha": str(area),
        "stock_m3": str(stock),
    }


ECO = (
    (2023, "火田镇", "small_wetland", "（演示）洣水河畔小微湿地", "4.2"),
    (2023, "湖口镇", "small_wetland", "（演示）湖口村塘小微湿地", "2.6"),
    (2023, "高陇镇", "conservation_tillage", "（演示）高陇镇保护性耕作示范片", "180"),
)


def load(plan: Any, office: Any, out: TextIO) -> None:
    if ForestYear.objects.filter(plan=plan, year__in=YEARS, is_illustrative=True).count() == len(YEARS):
        return
    for y in YEARS:
        services.import_forest(office, plan, rows(y))
        services.mark_illustrative(plan, y)
        services.approve_year(office, plan, y)
    if not EcoArea.objects.filter(plan=plan).exists():
        services.import_eco(
            office,
            plan,
            [
                (n, {"year": str(y), "township": t, "kind": k, "name": name, "area_ha": a})
                for n, (y, t, k, name, a) in enumerate(ECO, start=2)
            ],
        )
    print(f"已载入森林资源演示数据 {len(YEARS)} 年 / forest demo years loaded", file=out)
