"""Test data other apps' tests build on: the county's approved 2020 inventory (the scenarios' baseline, the peak
year's accounts, the coal figure). Plain functions, so a test may call them in the middle of its story; the root
conftest's ``approved`` fixture is the same call."""

from __future__ import annotations

from typing import Any

from carbonpeak.accounting import services as acc
from carbonpeak.accounting.tests.test_factor_sets import csv
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered


def approved_inventory(office: Any, plan: Any) -> Any:
    """2020 from ``BASE_ROWS`` (100 000 t raw coal, …) with a grade-C 2020 grid factor as the county's version."""
    acc.create_county_version(
        office, plan, csv("grid.prov.hunan.2020,湖南2020（占位）,placeholder,0.52,kgCO2/kWh,C,测试,")
    )
    inv = acc.create_inventory(office, plan, 2020)
    acc.import_activity(office, inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    acc.approve(office, inv)
    inv.refresh_from_db()
    return inv
