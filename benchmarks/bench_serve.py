"""Bounded loopback load on the production server (issue 13, "Done means").

    .venv/bin/python benchmarks/bench_serve.py [--requests 400] [--concurrency 8] [--cap 60] [--workers 4]

Starts `carbonpeak serve` without debug (gunicorn, --workers 4) on a free loopback port over a PostgreSQL
database of its own (``carbonpeak_bench_serve``, dropped and re-created each run) set up with ``--demo``, logs in
as the demo office over the proxy's X-Forwarded-Proto (as behind deploy/nginx-carbonpeak.conf), and sends, one
endpoint after the other, a fixed number of requests from a fixed number of threads (each with its own
keep-alive connection), stopping early at the time cap:

  /health/                   the baseline: the cheapest answer the stack can give
  /dashboard/                the office's overview (session, plan status; cached per plan revision)
  POST /api/v1/monitoring/readings   signed batches (HMAC of the body, Idempotency-Key), 10 new readings each

It prints p50/p95 latency and requests per second for each, and their ratios to /health/ in the same run.
Loopback only; nothing is sent anywhere else. Not a test: numbers depend on the machine (2 shared cores here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _pgdb import BASE  # noqa: E402  (benchmarks/ is the script directory: on sys.path)

from carbonpeak.core.uscc import make_uscc  # noqa: E402
from tests.serving import clean_env, free_port, wait_healthy  # noqa: E402

DB = "carbonpeak_bench_serve"
BENCH_METER = "BENCH-SERVE-1"


def cp(env, *args, stdin=None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "carbonpeak.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, input=stdin
    )
    if out.returncode != 0:
        raise SystemExit(f"carbonpeak {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def fresh_database() -> str:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")
    return f"{BASE}/{DB}"


class Conn:
    """One keep-alive connection with the proxy's headers (and the session cookie once logged in)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port, self.cookies = port, dict(cookies or {})
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        h = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.c.request(method, path, body=body, headers=h)
        r = self.c.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return r.status, data


def login(port: int) -> dict[str, str]:
    from carbonpeak.setup import DEMO_PASSWORD

    c = Conn(port)
    status, page = c.send("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = f"csrfmiddlewaretoken={token}&username=office&password={DEMO_PASSWORD}".encode()
    status, _ = c.send(
        "POST",
        "/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://127.0.0.1:{port}"},
    )
    if status != 302 or "sessionid" not in c.cookies:
        raise SystemExit(f"login as office failed ({status})")
    return c.cookies


def readings_request(token: str, secret: str, i: int):
    start = dt.datetime(2023, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(minutes=150 * i)
    rows = [
        {
            "meter_code": BENCH_METER,
            "reading_time": (start + dt.timedelta(minutes=15 * j)).isoformat(),
            "quantity": "1.25",
        }
        for j in range(10)
    ]
    body = json.dumps({"readings": rows}).encode()
    return body, {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        "X-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "Idempotency-Key": f"bench-{i}",
    }


def drive(port, cookies, make, n: int, concurrency: int, cap: float):
    """``make(i)`` → (method, path, body, headers). Returns latencies (s), statuses, wall time."""
    lock, lat, statuses = threading.Lock(), [], {}
    counter = iter(range(n))
    deadline = time.monotonic() + cap

    def run():
        c = Conn(port, cookies)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, path, body, headers = make(i)
            t = time.perf_counter()
            status, _ = c.send(method, path, body, headers)
            dt_ = time.perf_counter() - t
            with lock:
                lat.append(dt_)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, statuses, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400, help="per endpoint")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--cap", type=float, default=60, help="seconds per endpoint at most")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    a = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    env = clean_env(
        home,
        DATABASE_URL=fresh_database(),
        CARBONPEAK_SECRET_KEY="bench-serve-only-secret-key-" + "0" * 40,
        CARBONPEAK_PROXY_SSL_HEADER="1",
        CARBONPEAK_ALLOWED_HOSTS="127.0.0.1",
    )
    t = time.perf_counter()
    cp(env, "setup", "--demo")
    uscc = make_uscc("91430224", "MA4L001X")  # the first demo enterprise
    csv = home / "meter.csv"
    csv.write_text(f"uscc,meter_code,carrier,unit\n{uscc},{BENCH_METER},electricity,MWh\n", encoding="utf-8")
    cp(env, "meters", "import", str(csv))
    # a meter gateway scoped to that enterprise (stdout: the JSON line, then the token alone)
    added = cp(env, "client", "add", "bench-gateway", "--role", "gateway", "--enterprise", uscc)
    client = json.loads(added.splitlines()[0])
    print(f"setup --demo on PostgreSQL ({DB}): {time.perf_counter() - t:.1f} s", file=sys.stderr)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak.cli", "serve", "--port", str(port), "--workers", str(a.workers),
         "--threads", str(a.threads)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_healthy(port, server)
        cookies = login(port)
        endpoints = {
            "/health/": lambda i: ("GET", "/health/", None, {}),
            "/dashboard/": lambda i: ("GET", "/dashboard/", None, {}),
            "POST readings (10 rows)": lambda i: (
                "POST",
                "/api/v1/monitoring/readings",
                *readings_request(client["token"], client["signing_secret"], i),
            ),
        }
        for make in endpoints.values():  # warm every worker once (imports, caches); other readings than below
            drive(port, cookies, lambda i, make=make: make(10_000 + i), 16, 4, 30)
        results = {}
        for name, make in endpoints.items():
            lat, statuses, wall = drive(port, cookies, make, a.requests, a.concurrency, a.cap)
            p = statistics.quantiles(lat, n=100)
            results[name] = (len(lat), statuses, p[49] * 1000, p[94] * 1000, len(lat) / wall)
    finally:
        server.terminate()
        server.wait(timeout=60)

    print(
        f"carbonpeak serve: gunicorn {a.workers} workers × {a.threads} threads, PostgreSQL, loopback; "
        f"{a.requests} requests per endpoint from {a.concurrency} threads (cap {a.cap:.0f} s)"
    )
    print(f"{'endpoint':<26} {'n':>5} {'status':<14} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'p95 ×health':>12} "
          f"{'req/s ×health':>14}")  # fmt: skip
    _, _, _, base_p95, base_rps = results["/health/"]
    for name, (n, statuses, p50, p95, rps) in results.items():
        st = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
        print(f"{name:<26} {n:>5} {st:<14} {p50:>8.1f} {p95:>8.1f} {rps:>8.1f} {p95 / base_p95:>12.2f} "
              f"{rps / base_rps:>14.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
