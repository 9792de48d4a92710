"""Helpers of the serve tests and benchmarks/bench_serve.py: a clean environment for a `carbonpeak` subprocess,
a free loopback port, waiting for /health/, plain HTTP requests (the secure cookies are handled by hand, as
the TLS proxy's client would)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any carbonpeak, Django or database setting: as on a fresh machine."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CARBONPEAK_", "DJANGO_")) and k not in ("DATABASE_URL", "PYTEST_XDIST_WORKER")
    }
    env["CARBONPEAK_HOME"] = str(home)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers as a lower-case dict of lists, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        hdrs: dict[str, list[str]] = {}
        for k, v in r.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
        return r.status, hdrs, r.read()
    finally:
        conn.close()


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"carbonpeak serve exited with {proc.returncode} before answering")
        try:
            if request(port, "GET", "/health/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("carbonpeak serve did not answer /health/ in time")


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
