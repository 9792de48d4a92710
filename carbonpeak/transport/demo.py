"""Illustrative transport and gas data for the demo county (fictitious operators, plates and figures, labelled
演示): new buses of the four years before this one (the clean share rising to 100 %), the county's highway
service areas and a few charging sites, two storage tanks (one leased), the gas demand and coverage entered for
the last three years, operating vehicles' energy and turnover (the base year and the last three), and one
no-burn zone; the two years before last approved. This year is left empty for the user to import. Idempotent;
through the module's services."""

from __future__ import annotations

from typing import Any, TextIO

from django.utils import timezone

from carbonpeak.tabular.times import BEIJING
from carbonpeak.transport import services
from carbonpeak.transport.choices import Module
from carbonpeak.transport.models import Vehicle

MARK = "（演示）"
SOURCE = "演示数据（虚构），不代表真实统计"


def _rows(dicts: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    return [(i, d) for i, d in enumerate(dicts, start=2)]


def load(plan: Any, office: Any, out: TextIO) -> None:
    if Vehicle.objects.filter(plan=plan, operator__endswith=MARK).exists():
        return
    this = timezone.now().astimezone(BEIJING).year
    bus_op = f"茶陵县公共交通有限公司{MARK}"
    # (years back, diesel buses, BEV, PHEV, CNG)
    mix = [(4, 4, 4, 0, 2), (3, 2, 6, 1, 1), (2, 1, 8, 1, 0), (1, 0, 10, 2, 0)]
    vehicles = []
    for back, diesel, bev, phev, cng in mix:
        y = this - back
        n = 0
        for fuel, count in (("diesel", diesel), ("bev", bev), ("phev", phev), ("cng", cng)):
            for _i in range(count):
                n += 1
                vehicles.append(
                    {
                        "plate": f"演示公交{y % 100:02d}-{n:03d}",
                        "operator": bus_op,
                        "use": "bus",
                        "fuel": fuel,
                        "registered_on": f"{y}-{(n % 12) + 1:02d}-15",
                        "seats": "40",
                    }
                )
        vehicles.append(
            {
                "plate": f"演示出租{y % 100:02d}-1",
                "operator": f"茶陵县出租汽车公司{MARK}",
                "use": "taxi",
                "fuel": "bev",
                "registered_on": f"{y}-06-01",
            }
        )
    services.import_vehicles(office, plan, _rows(vehicles))
    last = this - 1
    services.import_chargers(
        office,
        plan,
        _rows(
            [
                {
                    "site_id": "FWQ-1",
                    "name": f"茶陵服务区（东）{MARK}",
                    "kind": "service_area",
                    "chargers": "4",
                    "power_kw": "480",
                    "commissioned_on": f"{this - 3}-06-30",
                },
                {
                    "site_id": "FWQ-2",
                    "name": f"茶陵服务区（西）{MARK}",
                    "kind": "service_area",
                    "chargers": "4",
                    "power_kw": "480",
                    "commissioned_on": f"{last}-09-30",
                },
                {
                    "site_id": "FWQ-3",
                    "name": f"严塘服务区{MARK}",
                    "kind": "service_area",
                    "chargers": "0",
                },
                {
                    "site_id": "TCC-1",
                    "name": f"云阳广场停车场{MARK}",
                    "kind": "car_park",
                    "township": "思聪街道",
                    "chargers": "12",
                    "power_kw": "720",
                    "commissioned_on": f"{this - 2}-01-10",
                },
            ]
        ),
    )
    services.import_facilities(
        office,
        plan,
        _rows(
            [
                {
                    "facility_id": "CQ-1",
                    "operator": f"茶陵昆仑燃气{MARK}",
                    "capacity_m3": "450000",
                    "in_service_on": f"{this - 4}-10-01",
                    "leased": "否",
                },
                {
                    "facility_id": "CQ-2",
                    "operator": f"茶陵昆仑燃气（租赁）{MARK}",
                    "capacity_m3": "250000",
                    "in_service_on": f"{last}-11-01",
                    "leased": "是",
                },
            ]
        ),
    )
    # the county's yearly natural-gas use is of the order of the demo accounts' (50 million m³ in 2020, 76 in
    # 2024): where a year's inventory is approved it wins over the figure entered here
    for y, m3 in ((this - 3, "72000000"), (this - 2, "76000000"), (last, "80000000")):
        services.set_gas_demand(office, plan, y, m3, SOURCE)
    cov = []
    for y, pct in ((this - 3, 52), (this - 2, 56), (last, 61)):
        for town, pop in (("思聪街道", 90000), ("洣江街道", 70000), ("腰潞镇", 40000)):
            cov.append({"year": str(y), "township": town, "population": str(pop), "covered": str(pop * pct // 100)})
    services.import_coverage(office, plan, _rows(cov))
    # operating vehicles: the bus company (diesel giving way to electricity) and a freight carrier, in the base
    # year of the reduction targets and the last three years; intensity falls as the fleet electrifies
    base = plan.base_year
    bus = f"茶陵县公共交通有限公司{MARK}"
    freight = f"茶陵县货运物流有限公司{MARK}"
    ops = []
    for y, bus_t, bus_kwh, pkm, fr_t, tkm in (
        (base, 1500, 2000000, 150000000, 9000, 300000000),
        (this - 3, 1200, 3500000, 155000000, 9300, 325000000),
        (this - 2, 1000, 4500000, 158000000, 9400, 340000000),
        (last, 800, 5500000, 160000000, 9500, 355000000),
    ):
        if y < base:
            continue
        ops += [
            {
                "operator": bus,
                "year": str(y),
                "carrier": "diesel",
                "unit": "t",
                "quantity": str(bus_t),
                "passenger_km": str(pkm),
            },
            {"operator": bus, "year": str(y), "carrier": "electricity", "unit": "kWh", "quantity": str(bus_kwh)},
            {
                "operator": freight,
                "year": str(y),
                "carrier": "diesel",
                "unit": "t",
                "quantity": str(fr_t),
                "tonne_km": str(tkm),
            },
        ]
    services.import_operators(office, plan, _rows(ops))
    services.save_zone(office, plan, "no_burn", f"县城建成区{MARK}", "思聪、洣江、云阳街道建成区", f"{this - 3}-01-01")
    # the two years before last are approved (their figures feed the targets and light the dashboard); last
    # year stays a draft for the user to review and approve
    for y in (this - 3, this - 2):
        for module in (Module.TRANSPORT, Module.GAS):
            services.approve_year(office, plan, module, y)
    print(f"交通与燃气演示数据已载入（{SOURCE}）/ transport and gas demo data loaded", file=out)
