"""Monte Carlo projection: 100 000 draws, 10 sectors, 16 years through ``carbonpeak calc`` vs plain numpy.

- Time: the CLI (process start, JSON in and out included) vs a plain numpy computation of the same draws in this
  process (all draws at once: normals, growth, cumprod, sector sum, mean, quantiles, peaks); goal <= 3x.
  The two results are compared (mean, p10, p90 within 1e-9; p_peak_by_target exact).
- Memory: peak RSS of the CLI process at 100 000 and at 1 000 000 draws (goal: flat; plain numpy would need
  draws x sectors x years x 8 bytes for the normals alone).

    .venv/bin/python benchmarks/bench_projection.py [--repeats 3] [--no-million]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASE_YEAR, END_YEAR, TARGET = 2020, 2036, 2026
SECTORS = 10
SEED = 20260301


def make_case(draws: int) -> dict:
    rng = np.random.default_rng(7)
    sectors = {}
    for s in range(SECTORS):
        sectors[f"sector_{s}"] = {
            "base_tco2": round(float(rng.uniform(20_000, 200_000)), 1),
            "growth": [
                {"from": 2021, "to": 2026, "mean": round(float(rng.uniform(0.0, 0.04)), 4),
                 "sd": round(float(rng.uniform(0.01, 0.04)), 4)},
                {"from": 2027, "to": 2036, "mean": round(float(rng.uniform(-0.03, 0.005)), 4),
                 "sd": round(float(rng.uniform(0.01, 0.04)), 4)},
            ],
        }
    return {"calc": "projection", "base_year": BASE_YEAR, "end_year": END_YEAR, "target_peak_year": TARGET,
            "draws": draws, "seed": SEED, "sectors": sectors}


def arrays(case: dict):
    ny = case["end_year"] - case["base_year"]
    names = list(case["sectors"])
    base = np.array([case["sectors"][n]["base_tco2"] for n in names])
    mean = np.empty((len(names), ny))
    sd = np.empty((len(names), ny))
    for i, n in enumerate(names):
        for g in case["sectors"][n]["growth"]:
            a, b = g["from"] - case["base_year"] - 1, g["to"] - case["base_year"]
            mean[i, a:b], sd[i, a:b] = g["mean"], g["sd"]
    return base, mean, sd


def plain_numpy(case: dict) -> dict:
    base, mean, sd = arrays(case)
    n = case["draws"]
    rng = np.random.Generator(np.random.PCG64(case["seed"]))
    z = rng.standard_normal((n, *mean.shape))
    path = base[:, None] * np.cumprod(1 + (mean + sd * z), axis=2)
    tot = np.concatenate([np.full((n, 1), base.sum()), path.sum(axis=1)], axis=1)
    q = np.quantile(tot, [0.1, 0.9], axis=0)
    m = tot.mean(axis=0)
    peaks = np.argmax(tot, axis=1)
    return {"total_mean_tco2": m, "total_p10_tco2": q[0], "total_p90_tco2": q[1],
            "peak_year_of_mean": BASE_YEAR + int(np.argmax(m)),
            "p_peak_by_target": float(np.mean(peaks <= TARGET - BASE_YEAR))}


def calc_command() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "carbonpeak"
    if exe.exists():
        r = subprocess.run([str(exe), "calc", "-"], input=b'{"calc": "peak", "series": {"2020": 1, "2021": 2}}',
                           capture_output=True, timeout=60)
        if r.returncode == 0:
            return [str(exe), "calc"]
    return [sys.executable, "-m", "carbonpeak.core.cli_calc"]


#: runs the CLI's main() in a fresh interpreter and reports that process's own high-water RSS (VmHWM). The
#: rusage of a spawned child would also count the parent's pages before exec (vfork/fork + exec), so it is not
#: used for the memory figure.
MEASURE_RSS = r"""
import sys
from carbonpeak.core.cli_calc import main
rc = main(sys.argv[1:])
hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM')]
sys.stderr.write('VmHWM_KiB=' + (hwm[0].split()[1] if hwm else '-1') + '\n')
sys.exit(rc)
"""


def peak_rss(case_file: str) -> tuple[float, int, bytes]:
    """Wall time, VmHWM (bytes) and stdout of one CLI run in a fresh interpreter."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", MEASURE_RSS, case_file], capture_output=True, cwd=ROOT, env=env,
                       timeout=900)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"CLI failed ({r.returncode}): {r.stderr.decode()[-800:]}")
    kib = int(r.stderr.decode().rsplit("VmHWM_KiB=", 1)[1].split()[0])
    return dt, kib * 1024, r.stdout


def run_measured(cmd: list[str]) -> tuple[float, int, bytes]:
    """Wall time, rusage max RSS (bytes; see MEASURE_RSS) of the child, stdout."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=ROOT, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise SystemExit(f"{cmd} failed ({p.returncode}): {p.stderr.read().decode()[-800:]}")
        p.stderr.close()
        out.seek(0)
        return dt, ru.ru_maxrss * 1024, out.read()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-million", action="store_true")
    a = ap.parse_args()
    cmd = calc_command()
    with tempfile.TemporaryDirectory() as tmp:
        f100k = Path(tmp) / "p100k.json"
        f100k.write_text(json.dumps(make_case(100_000)))
        f1m = Path(tmp) / "p1m.json"
        f1m.write_text(json.dumps(make_case(1_000_000)))
        run_measured([*cmd, str(f100k)])  # warm up
        cli_times, out = [], b""
        for _ in range(a.repeats):
            dt, _, out = run_measured([*cmd, str(f100k)])
            cli_times.append(dt)
        got = json.loads(out)
        np_times = []
        for _ in range(a.repeats):
            t = time.perf_counter()
            want = plain_numpy(make_case(100_000))
            np_times.append(time.perf_counter() - t)
        for k in ("total_mean_tco2", "total_p10_tco2", "total_p90_tco2"):
            np.testing.assert_allclose(got[k], want[k], rtol=1e-9)
        assert got["p_peak_by_target"] == want["p_peak_by_target"], (got["p_peak_by_target"], want["p_peak_by_target"])
        assert got["peak_year_of_mean"] == want["peak_year_of_mean"]
        t_cli, t_np = statistics.median(cli_times), statistics.median(np_times)
        print(f"executable: {' '.join(cmd)}")
        print(f"projection 100 000 draws x {SECTORS} sectors x {END_YEAR - BASE_YEAR} years "
              f"(results agree with plain numpy; p_peak_by_target {got['p_peak_by_target']})")
        print(f"carbonpeak calc (process start + JSON included) {t_cli * 1000:8.0f} ms")
        print(f"plain numpy, same draws, in this process       {t_np * 1000:8.0f} ms")
        ratio = t_cli / t_np
        print(f"ratio {ratio:.2f}x (goal <= 3x)  {'OK' if ratio <= 3 else 'ABOVE GOAL'}")
        _, rss_100k, _ = peak_rss(str(f100k))
        print(f"peak RSS (VmHWM) of the CLI at   100 000 draws  {rss_100k / 2**20:7.1f} MiB")
        if not a.no_million:
            dt, rss_1m, out = peak_rss(str(f1m))
            r1m = json.loads(out)
            print(f"peak RSS (VmHWM) of the CLI at 1 000 000 draws  {rss_1m / 2**20:7.1f} MiB   ({dt:.1f} s;"
                  f" p_peak_by_target {r1m['p_peak_by_target']})")
            print(f"memory ratio 1M/100k {rss_1m / rss_100k:.2f}x (flat: chunks of at most 20 000 draws); plain numpy"
                  f" would hold {1_000_000 * SECTORS * (END_YEAR - BASE_YEAR) * 8 / 2**30:.2f} GiB of normals")
    return 0


if __name__ == "__main__":
    sys.exit(main())
