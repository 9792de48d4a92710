"""1 000 000 activity lines through the core inventory vs plain numpy vs a naive per-row Python loop.

Same process, same lines, same factors. Prints the times, the ratios (goals: core <= 2x plain numpy and
>= 20x faster than the loop) and peak memory of the core call (tracemalloc) and of the process (ru_maxrss;
goal <= 1 GiB). With ``--run-case`` it also times ``run_case`` on the first MAX_LINES (200 000) of them given
as JSON objects (the path of ``carbonpeak calc``: validation of every line dict included), in a subprocess so
its memory is its own.

    .venv/bin/python benchmarks/bench_inventory.py [--lines 1000000] [--repeats 5] [--run-case]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from carbonpeak.core import units
from carbonpeak.core.factors import load_builtin
from carbonpeak.core.inventory import Basis, CarrierTable, compute_batch, line_co2_energy

ROOT = Path(__file__).resolve().parent.parent

FUELS = ["raw_coal", "coke", "gasoline", "diesel", "fuel_oil", "lpg", "natural_gas", "lng", "coke_oven_gas"]
UNITS = {"natural_gas": ["m3", "10k_Nm3"], "coke_oven_gas": ["m3", "10k_Nm3"], "electricity": ["kWh", "MWh"],
         "heat": ["GJ", "TJ"]}
CARRIERS = [*FUELS, "electricity", "heat"]
GRID, YEAR = "prov.hunan", 2024


def make_lines(n: int, seed: int = 1) -> tuple[list[str], list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    ci = rng.integers(0, len(CARRIERS), n)
    carriers = [CARRIERS[i] for i in ci.tolist()]
    pick = rng.integers(0, 2, n).tolist()
    unit_names = []
    for c, k in zip(carriers, pick, strict=True):
        us = UNITS.get(c, ["t", "kg"])
        unit_names.append(us[k])
    return carriers, unit_names, rng.uniform(0, 1e4, n)


def plain_params(fs):
    """Per-carrier parameters read straight from the factor file (in the carrier's base unit)."""
    p = {}
    for c in FUELS:
        den = fs[f"ncv.{c}"].unit.split("/")[1]
        p[c] = dict(kind=0, den=den, ncv=float(fs.value(f"ncv.{c}")), cc=float(fs.value(f"cc.{c}")),
                    of=float(fs.value(f"of.{c}")), ef=math.nan,
                    tce=float(fs.value_in(f"tce.{c}", f"tce/{den}")))
    grid = fs.electricity_factor(GRID, YEAR)
    p["electricity"] = dict(kind=1, den="kWh", ncv=math.nan, cc=math.nan, of=math.nan,
                            ef=float(grid.value_in("tCO2/kWh")), tce=float(fs.value_in("tce.electricity_equivalent",
                                                                                        "tce/kWh")))
    p["heat"] = dict(kind=1, den="GJ", ncv=math.nan, cc=math.nan, of=math.nan,
                     ef=float(fs.value_in("heat.ef.default", "tCO2/GJ")), tce=float(fs.value_in("tce.heat", "tce/GJ")))
    return p


def plain_numpy(params, ci, scale, q):
    """The same formula written directly in numpy: gather per-line parameters, select the method, sum by kind."""
    keys = CARRIERS
    ncv = np.array([params[c]["ncv"] for c in keys])[ci]
    cc = np.array([params[c]["cc"] for c in keys])[ci]
    of = np.array([params[c]["of"] for c in keys])[ci]
    ef = np.array([params[c]["ef"] for c in keys])[ci]
    tce = np.array([params[c]["tce"] for c in keys])[ci]
    kind = np.array([params[c]["kind"] for c in keys])[ci]
    qb = q * scale
    co2 = np.where(np.isnan(ef), qb * ncv / 1000 * cc * of * (44 / 12), qb * ef)
    energy = qb * tce
    direct = co2[kind == 0].sum()
    indirect = co2[kind == 1].sum()
    return co2, energy, direct, indirect, energy.sum()


def naive_loop(params, scale_of, carriers, unit_names, q):
    """One line at a time, parameters from dicts (the unit scales precomputed, as a careful loop would)."""
    co2_out, e_out = [], []
    direct = indirect = energy = 0.0
    for c, u, x in zip(carriers, unit_names, q.tolist(), strict=True):
        p = params[c]
        xb = x * scale_of[(c, u)]
        if p["kind"] == 0:
            co2 = xb * p["ncv"] / 1000 * p["cc"] * p["of"] * 44 / 12
            direct += co2
        else:
            co2 = xb * p["ef"]
            indirect += co2
        e = xb * p["tce"]
        energy += e
        co2_out.append(co2)
        e_out.append(e)
    return co2_out, e_out, direct, indirect, energy


def best(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


RUN_CASE_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from carbonpeak.core.dispatch import run_case
lines = json.load(open(sys.argv[2]))
t = time.perf_counter()
r = run_case({"calc": "inventory", "grid": "prov.hunan", "year": 2024, "lines": lines})
dt = time.perf_counter() - t
assert "error" not in r, r
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM")][0].split()[1]  # own peak, not the parent's
print(json.dumps({"seconds": dt, "total": r["total_co2_t"], "maxrss_kib": int(hwm)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--run-case", action="store_true")
    a = ap.parse_args()
    n = a.lines
    fs = load_builtin()
    carriers, unit_names, q = make_lines(n)

    t = time.perf_counter()
    table = CarrierTable.build(fs, Basis(grid=GRID, year=YEAR))
    t_table = time.perf_counter() - t
    ci = table.carrier_index(carriers)
    ui = table.unit_index(unit_names)

    params = plain_params(fs)
    pos = {c: i for i, c in enumerate(CARRIERS)}
    ci_plain = np.array([pos[c] for c in carriers])
    scale_of = {(c, u): float(units.factor_between(u, params[c]["den"])) for c in CARRIERS for u in units.QUANTITY_UNITS
                if units.dimension(u) == units.dimension(params[c]["den"])}
    scale = np.array([scale_of[(c, u)] for c, u in zip(carriers, unit_names, strict=True)])

    t_core, core = best(lambda: compute_batch(table, ci, ui, q), a.repeats)
    tracemalloc.start()
    compute_batch(table, ci, ui, q)
    core_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    t_plain, plain = best(lambda: plain_numpy(params, ci_plain, scale, q), a.repeats)
    t_loop, loop = best(lambda: naive_loop(params, scale_of, carriers, unit_names, q), 1)

    # the general kernel: every parameter given per line (per-line overrides), vs numpy on the same arrays
    keys = CARRIERS
    per_line = {k: np.array([params[c][k] for c in keys])[ci_plain] for k in ("ncv", "cc", "of", "ef", "tce")}
    ncv_l, ef_l, tce_l = per_line["ncv"] * scale, per_line["ef"] * scale, per_line["tce"] * scale  # per line unit
    nan_l = np.full(n, np.nan)
    t_kernel, kern = best(lambda: line_co2_energy(q, ncv_l, per_line["cc"], per_line["of"], nan_l, ef_l, tce_l),
                          a.repeats)
    t_kplain, kplain = best(lambda: (np.where(np.isnan(ef_l), q * ncv_l / 1000 * per_line["cc"] * per_line["of"]
                                              * (44 / 12), q * ef_l), q * tce_l), a.repeats)
    np.testing.assert_allclose(kern[0], plain[0], rtol=1e-12)
    np.testing.assert_allclose(kern[0], kplain[0], rtol=1e-12)

    np.testing.assert_allclose(core.co2_t, plain[0], rtol=1e-12)
    np.testing.assert_allclose(core.energy_tce, plain[1], rtol=1e-12)
    np.testing.assert_allclose(core.co2_t, loop[0], rtol=1e-12)
    assert math.isclose(core.total_co2_t, plain[2] + plain[3], rel_tol=1e-9)
    assert math.isclose(core.total_co2_t, loop[2] + loop[3], rel_tol=1e-9)
    assert math.isclose(core.direct_co2_t, loop[2], rel_tol=1e-9)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{n:_} activity lines (results agree: core vs numpy vs loop, rtol 1e-12)".replace("_", " "))
    print(f"carrier table (once per factor set/basis) {t_table * 1000:9.2f} ms")
    print(f"core inventory (compute_batch)           {t_core * 1000:9.2f} ms")
    print(f"plain numpy, same formula                {t_plain * 1000:9.2f} ms")
    print(f"naive per-row Python loop                {t_loop * 1000:9.2f} ms")
    print(f"core line kernel, per-line parameters    {t_kernel * 1000:9.2f} ms"
          f"   (plain numpy on the same arrays {t_kplain * 1000:.2f} ms, ratio {t_kernel / t_kplain:.2f}x)")
    r1, r2 = t_core / t_plain, t_loop / t_core
    print(f"core / numpy  = {r1:6.2f}x  (goal <= 2x)   {'OK' if r1 <= 2 else 'ABOVE GOAL'}")
    print(f"loop / core   = {r2:6.1f}x  (goal >= 20x)  {'OK' if r2 >= 20 else 'BELOW GOAL'}")
    print(f"peak memory of the core call (tracemalloc) {core_peak / 2**20:8.1f} MiB")
    print(f"peak RSS of this process (ru_maxrss)      {rss / 2**20:8.1f} MiB  (goal <= 1024 MiB)"
          f"   {'OK' if rss <= 2**30 else 'ABOVE GOAL'}")

    if a.run_case:
        import tempfile

        from carbonpeak.core.limits import MAX_LINES

        m = min(n, MAX_LINES)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump([{"id": str(i), "carrier": c, "quantity": x, "unit": u}
                       for i, (c, u, x) in enumerate(zip(carriers[:m], unit_names[:m], q[:m].tolist(), strict=True))],
                      fh)
            path = fh.name
        r = subprocess.run([sys.executable, "-c", RUN_CASE_CHILD, str(ROOT), path], capture_output=True, text=True,
                           timeout=900)
        Path(path).unlink()
        if r.returncode != 0:
            print("run_case failed:", r.stderr[-800:])
            return 1
        info = json.loads(r.stdout)
        sub = compute_batch(table, ci[:m], ui[:m], q[:m])
        assert math.isclose(info["total"], sub.total_co2_t, rel_tol=1e-9)
        t_sub, _ = best(lambda: compute_batch(table, ci[:m], ui[:m], q[:m]), a.repeats)
        m_txt = f"{m:_}".replace("_", " ")
        print(f"run_case on {m_txt} lines as JSON objects (MAX_LINES) {info['seconds'] * 1000:9.1f} ms"
              f"   ({info['seconds'] / t_sub:.0f}x compute_batch on them; validation of every line dict)"
              f"   child peak RSS {info['maxrss_kib'] / 1024:.0f} MiB (includes the parsed input list)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
