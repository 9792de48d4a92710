"""Forest survey import and status on PostgreSQL (issue 17): a county of N survey rows (two years of townships ×
land classes × species groups × sub-compartments) read from CSV and imported through ``sinks.services`` (a clean
file takes ``sinks/fastpath.py``: checked column-wise with numpy over its bytes, then COPYed; the year locked, audit),
then the year's status (coverage, stock, the sink by species group and township, checks).

Baseline, in the same process: a plain ``COPY … FROM STDIN (FORMAT csv)`` of the same file into a table of the
same columns (no key, no checks). Prints import time, baseline time, the ratio baseline/import (goal ≥ 0.25) and
the status query time.

    .venv/bin/python benchmarks/bench_forest.py [--rows 500000] [--db cp_sinks]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pgdb import fresh_database  # noqa: E402

GROUPS = ("chinese_fir", "masson_pine", "quercus", "broadleaf_mixed", "conifer_mixed", "other")
OTHER = ("bamboo", "special_shrub", "other_shrub", "sparse", "unstocked", "nonforest")


def survey_csv(rows: int, towns: int = 20) -> bytes:
    """``rows`` lines over two years (2024, 2025); arbor stock grows 2 % a year."""
    per_year = rows // 2
    kinds = [("arbor", g) for g in GROUPS] + [(c, "") for c in OTHER]
    per_comp = towns * len(kinds)
    comps = -(-per_year // per_comp)
    out = ["year,township,land_class,species_group,compartment,area_ha,stock_m3"]
    n = 0
    for year, grow in ((2024, 1.0), (2025, 1.02)):
        k = 0
        for c in range(comps):
            for t in range(towns):
                for cls, g in kinds:
                    if k >= per_year:
                        break
                    k += 1
                    area = 1 + (c * 7 + t * 3) % 40 / 4
                    stock = round(area * (60 + (c + t) % 30) * grow, 2) if cls == "arbor" else 0
                    out.append(f"{year},示例{t:02d}镇,{cls},{g},{c:06d},{area:.2f},{stock}")
                    n += 1
    return ("\n".join(out) + "\n").encode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--db", default="cp_sinks_bench")
    a = ap.parse_args()
    fresh_database(a.db)
    from django.db import connection

    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file
    from carbonpeak.sinks import columns, services
    from carbonpeak.sinks.models import ForestStand
    from carbonpeak.tabular import Limits, read_rows

    plan = load_plan(read_plan_file(DATA_DIR / "chaling.json"))
    core_factor_set(default_factor_set(plan))  # the factor library stored and cached, as in a running server
    data = survey_csv(a.rows)
    lines = data.count(b"\n") - 1
    print(f"rows: {lines:,}  file: {len(data) / 1e6:.1f} MB")

    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE bench_plain (plan_id bigint, year smallint, township varchar(60), land_class varchar(16), "
            "species_group varchar(40), compartment varchar(40), area_ha numeric(16,4), stock_m3 numeric(18,4))"
        )
    t0 = time.perf_counter()
    with connection.cursor() as c:
        with c.copy(
            "COPY bench_plain (year, township, land_class, species_group, compartment, area_ha, stock_m3) "
            "FROM STDIN (FORMAT csv, HEADER true)"
        ) as cp:
            cp.write(data)
    t_copy = time.perf_counter() - t0

    t0 = time.perf_counter()
    rep = services.import_forest_file(None, plan, data, "survey.csv")
    t_import = time.perf_counter() - t0
    assert rep.accepted == lines and not rep.rejected, rep.as_dict()["rejected"][:3]
    assert ForestStand.objects.filter(plan=plan).count() == lines

    with connection.cursor() as c:
        c.execute("ANALYZE sinks_foreststand")
    t0 = time.perf_counter()
    res = services.year_status(plan, 2025)
    t_status = time.perf_counter() - t0
    t0 = time.perf_counter()
    rep2 = services.import_forest_file(None, plan, data, "survey.csv")
    t_rerun = time.perf_counter() - t0
    assert rep2.duplicates == lines
    t0 = time.perf_counter()
    rows = read_rows(data, columns.FOREST, "survey.csv", limits=Limits(max_rows=a.rows + 10))
    t_read = time.perf_counter() - t0
    del rows
    print(f"plain COPY of the same rows      {t_copy:8.2f} s")
    print(f"import through the service {t_import:8.2f} s   ratio COPY/import {t_copy / t_import:5.2f}  (goal >= 0.25)")
    print(f"(reading the same file row by row with tabular.read_rows alone: {t_read:.2f} s)")
    print(f"re-import of the same file       {t_rerun:8.2f} s   (all {rep2.duplicates:,} duplicates)")
    print(
        f"status 2025 (2 years summarised) {t_status:8.2f} s   coverage {res['coverage_pct']} %  "
        f"stock {res['stock_m3']:,.0f} m3  sink {res['sink_tco2']:,.0f} tCO2  townships {len(res['by_township'])}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
