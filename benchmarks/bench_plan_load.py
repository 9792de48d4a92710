"""Loopback load run of the dashboard and the plan API on a 10-year, 100-indicator, 20-department plan.

Prints p50/p95 latency of each page as a ratio to a trivial view (/health/) of the same server, measured in
the same run (goal: at most 3x). Bounded: REQUESTS per endpoint, a timeout per request, a wall-clock cap.

    .venv/bin/python benchmarks/bench_plan_load.py [--requests 200] [--concurrency 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbonpeak_bench .venv/bin/python benchmarks/bench_plan_load.py
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-password-1"

PREPARE = f"""
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from carbonpeak.plan.models import Plan
from carbonpeak.plan.plan_io import load_plan
from carbonpeak.plan.synthetic import synthetic_plan, synthetic_values
from carbonpeak.accounts.models import User
Plan.objects.filter(code="synthetic").delete()
plan = load_plan(synthetic_plan(departments=20, targets=100, years=10))
synthetic_values(plan, 10)
User.objects.filter(username="bench").delete()
u = User(username="bench", role="office"); u.set_password("{PASSWORD}"); u.save()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument(
        "--uncached", action="store_true", help="turn the revision cache off (CARBONPEAK_CACHE_URL=dummy://)"
    )
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="carbonpeak-bench-")
    env = {
        **os.environ,
        "CARBONPEAK_HOME": home,
        "CARBONPEAK_SECRET_KEY": "bench-" + "x" * 50,
        "CARBONPEAK_DEBUG": "0",
        "CARBONPEAK_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "carbonpeak.config.settings",
    }
    if args.uncached:
        env["CARBONPEAK_CACHE_URL"] = "dummy://"
    subprocess.run([sys.executable, "-c", PREPARE], env=env, cwd=ROOT, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(base + "/login/").read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token})
        opener.open(urllib.request.Request(base + "/login/", data=body.encode(), headers={"Referer": base + "/login/"}))
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        endpoints = {
            "trivial /health/": "/health/",
            "dashboard": "/dashboard/",
            "API plan status": "/api/v1/plans/synthetic/status",
            "API plan document": "/api/v1/plans/synthetic",
        }
        deadline = time.monotonic() + args.max_seconds

        def one(path: str) -> float:
            if time.monotonic() > deadline:
                raise TimeoutError("benchmark wall-clock cap reached")
            t0 = time.perf_counter()
            with urllib.request.urlopen(
                urllib.request.Request(base + path, headers={"Cookie": cookie}), timeout=30
            ) as r:
                r.read()
                assert r.status == 200, (path, r.status)
            return time.perf_counter() - t0

        results = {}
        with ThreadPoolExecutor(args.concurrency) as pool:
            for name, path in endpoints.items():
                list(pool.map(one, [path] * 10))  # warm-up
                results[name] = list(pool.map(one, [path] * args.requests))
        base_p50 = statistics.median(results["trivial /health/"])
        base_p95 = percentile(results["trivial /health/"], 0.95)
        db = os.environ.get("DATABASE_URL", "sqlite (embedded)").split("@")[-1]
        print(f"plan: 100 indicators x 10 years of values, 20 departments, 100 tasks; database {db}")
        print(
            f"{args.requests} requests per endpoint, concurrency {args.concurrency}, Django runserver on loopback, "
            f"revision cache {'off' if args.uncached else 'on'}"
        )
        print(f"{'endpoint':<22}{'p50 ms':>10}{'p95 ms':>10}{'p50 ratio':>11}{'p95 ratio':>11}")
        for name, xs in results.items():
            p50, p95 = statistics.median(xs), percentile(xs, 0.95)
            print(f"{name:<22}{p50 * 1000:>10.2f}{p95 * 1000:>10.2f}{p50 / base_p50:>11.2f}{p95 / base_p95:>11.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
