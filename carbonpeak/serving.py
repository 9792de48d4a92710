"""`carbonpeak serve`: the web server and the background worker beside it, started and stopped together.

Without debug the web server is gunicorn (workers × threads, request timeout, graceful reload on SIGHUP); with
debug (``scripts/run``, ``serve --dev``) it is Django's development server. This process supervises both
children: SIGTERM or SIGINT stops them together, SIGHUP is passed to gunicorn (new workers with the new code,
in-flight requests finish), and when one child dies the other is stopped and the exit status is 1, so systemd
or the operator sees the failure instead of a half-running service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} 须为整数 / must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} 须不小于 {minimum} / must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class WebOptions:
    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int

    @classmethod
    def from_args(cls, args) -> WebOptions:
        """Flags win over the environment (CARBONPEAK_WEB_WORKERS, _THREADS, _TIMEOUT, _GRACEFUL_TIMEOUT)."""

        def pick(flag, flag_name, env_name, default):
            if flag is not None:
                if flag < 1:
                    raise SystemExit(f"{flag_name} 须不小于 1 / must be at least 1")
                return flag
            return _env_int(env_name, default)

        return cls(
            host=args.host,
            port=args.port,
            workers=pick(args.workers, "--workers", "CARBONPEAK_WEB_WORKERS", 2),
            threads=pick(args.threads, "--threads", "CARBONPEAK_WEB_THREADS", 4),
            timeout=pick(args.timeout, "--timeout", "CARBONPEAK_WEB_TIMEOUT", 60),
            graceful_timeout=_env_int("CARBONPEAK_WEB_GRACEFUL_TIMEOUT", 30),
        )


def gunicorn_command(o: WebOptions) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "carbonpeak.config.wsgi:application",
        "--bind",
        f"{o.host}:{o.port}",
        "--workers",
        str(o.workers),
        "--threads",
        str(o.threads),
        "--timeout",
        str(o.timeout),
        "--graceful-timeout",
        str(o.graceful_timeout),
        "--access-logfile",
        "-",
        "--no-control-socket",
    ]


def runserver_command(o: WebOptions) -> list[str]:
    return [sys.executable, "-m", "django", "runserver", "--noreload", f"{o.host}:{o.port}"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "carbonpeak.cli", "worker"]


def supervise(children: dict[str, list[str]], stop_timeout: float) -> int:
    """Start the commands, forward signals, and stop them all when one exits or a stop signal arrives."""
    procs = {name: subprocess.Popen(cmd, env=os.environ.copy()) for name, cmd in children.items()}
    state = {"stopping": False}

    def stop(signum, frame):
        state["stopping"] = True
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    def reload(signum, frame):
        web = procs.get("web")
        if web is not None and web.poll() is None:
            web.send_signal(signal.SIGHUP)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    status = 0
    try:
        while not state["stopping"]:
            dead = [(n, p.returncode) for n, p in procs.items() if p.poll() is not None]
            if dead:
                name, code = dead[0]
                print(f"carbonpeak: {name} 已退出 / exited (status {code}); stopping the rest", file=sys.stderr)
                status = 1
                stop(None, None)
                break
            time.sleep(0.2)
    finally:
        deadline = time.monotonic() + stop_timeout
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return status


def serve(args, debug: bool, with_worker: bool) -> int:
    o = WebOptions.from_args(args)
    children = {"web": runserver_command(o) if debug else gunicorn_command(o)}
    if with_worker:
        children["worker"] = worker_command()
    kind = "development server (DEBUG)" if debug else f"gunicorn, {o.workers} workers × {o.threads} threads"
    print(f"\ncarbonpeak: http://{o.host}:{o.port}/  ({kind})", file=sys.stderr)
    if with_worker:
        print("carbonpeak: background worker started (scenario runs)", file=sys.stderr)
    sys.stderr.flush()
    return supervise(children, stop_timeout=o.graceful_timeout + 5)
