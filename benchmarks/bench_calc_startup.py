"""Start-up cost of ``carbonpeak calc`` on trivial cases vs ``python -c "import numpy"`` (same interpreter).

Prints the median wall time of N runs of each and the ratios (goal: at most 2x). The executable is
``.venv/bin/carbonpeak`` when it runs ``calc``, else ``python -m carbonpeak.core.cli_calc``.

    .venv/bin/python benchmarks/bench_calc_startup.py [--repeats 21]
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

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "gwp (no numpy)": {"calc": "gwp", "gwp_set": "AR5", "gases_t": {"CH4": 100, "N2O": 10, "SF6": 0.1}},
    "inventory (numpy)": {
        "calc": "inventory",
        "grid": "prov.hunan",
        "year": 2024,
        "lines": [
            {"id": "coal", "carrier": "raw_coal", "quantity": 10000, "unit": "t"},
            {"id": "power", "carrier": "electricity", "quantity": 5000, "unit": "MWh"},
        ],
    },
}


def calc_command(case_file: str) -> list[str]:
    exe = ROOT / ".venv" / "bin" / "carbonpeak"
    if exe.exists():
        r = subprocess.run([str(exe), "calc", case_file], capture_output=True, timeout=60)
        if r.returncode == 0 and r.stdout.startswith(b"{"):
            return [str(exe), "calc"]
    return [sys.executable, "-m", "carbonpeak.core.cli_calc"]


def median_time(cmd: list[str], repeats: int) -> float:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env, timeout=60)  # warm the page cache
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env, timeout=60)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"{cmd} failed: {r.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=21)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, case in CASES.items():
            p = Path(tmp) / (name.split()[0] + ".json")
            p.write_text(json.dumps(case))
            files[name] = str(p)
        base_cmd = calc_command(files["gwp (no numpy)"])
        py_bare = median_time([sys.executable, "-c", "pass"], a.repeats)
        py_numpy = median_time([sys.executable, "-c", "import numpy"], a.repeats)
        print(f"executable: {' '.join(base_cmd)}   repeats: {a.repeats}")
        print(f"python -c pass           {py_bare * 1000:8.1f} ms")
        print(f"python -c 'import numpy' {py_numpy * 1000:8.1f} ms   (reference)")
        worst = 0.0
        for name, f in files.items():
            t = median_time([*base_cmd, f], a.repeats)
            ratio = t / py_numpy
            worst = max(worst, ratio)
            print(f"calc {name:<20}{t * 1000:8.1f} ms   ratio {ratio:5.2f}x  (goal <= 2x)")
    print(f"worst ratio {worst:.2f}x: {'OK' if worst <= 2 else 'ABOVE GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
