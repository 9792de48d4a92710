"""Illustrative generation units for the demo county (fictitious ids, owners and capacities; labelled 演示),
loaded through the import service, so the capacity targets are fed from the register as in production. One
hydro unit retired, one storage station (not counted), one planned PV unit connecting next year."""

from __future__ import annotations

from typing import TextIO

from carbonpeak.generation.fetch import beijing_today
from carbonpeak.generation.services import import_units

OWNER = "演示数据（虚构）"

# unit_id, type, township, MW, connected_on, retired_on, project code
UNITS = [
    ("HY-0001", "hydro", "洣江街道", "12.6", "2008-05-01", "", "P01.3"),
    ("HY-0002", "hydro", "桃坑乡", "8", "2010-03-01", "2023-12-31", "P01.3"),
    ("BM-0001", "biomass", "界首镇", "30", "2020-11-30", "", "P01.5"),
    ("PV-0001", "pv", "下东街道", "20", "2021-06-30", "", "P01.1"),
    ("WP-0001", "wind", "秩堂镇", "100", "2022-12-28", "", "P01.4"),
    ("PV-0002", "pv", "思聪街道", "35.5", "2023-12-31", "", "P01.1"),
    ("PV-0003", "pv", "严塘镇", "60", "2024-09-30", "", "P01.2"),
    ("ST-0001", "storage", "严塘镇", "20", "2025-06-30", "", ""),
]


def load(plan, office, out: TextIO) -> None:
    rows = [
        (
            n,
            {
                "unit_id": uid,
                "type": kind,
                "township": township,
                "capacity_mw": mw,
                "connected_on": on,
                "retired_on": off,
                "project_code": project,
                "owner": OWNER,
            },
        )
        for n, (uid, kind, township, mw, on, off, project) in enumerate(UNITS, start=2)
    ]
    planned = f"{beijing_today().year + 1}-06-30"
    rows.append(
        (
            len(rows) + 2,
            {
                "unit_id": "PV-0004",
                "type": "pv",
                "township": "腰潞镇",
                "capacity_mw": "50",
                "connected_on": planned,
                "retired_on": "",
                "project_code": "P01.2",
                "owner": OWNER,
            },
        )
    )
    if not plan.projects.filter(code="P01.1").exists():
        rows = [(n, {**r, "project_code": ""}) for n, r in rows]  # a county without the Chaling projects
    rep = import_units(office, plan, rows)
    if rep.accepted:
        print(f"演示并网机组 {rep.accepted} 台 / demo generation units", file=out)
