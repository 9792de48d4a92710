"""Helpers of the scale-out tests: the URL of the test database for a subprocess, gunicorn processes started
on it with production settings, and a minimal cookie jar (the secure cookies handled by hand, as in
tests/serving.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from tests.serving import ROOT, clean_env, free_port, request, wait_healthy

SECRET = "scale-out-tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CSRF = "scaleoutCsrfSecret0123456789abcd"  # 32 letters and digits: a well-formed csrftoken cookie and form value


def db_url(settings_dict: dict, **override) -> str:
    """postgres://… of a Django connection's settings (the test database of this pytest worker)."""
    s = {**settings_dict, **override}
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def production_password(user, password: str = "Xy-test-password-1") -> None:
    """The test settings hash with MD5 for speed; the production settings of a subprocess know only Argon2
    and PBKDF2, so a user who logs in there needs a hash they can check."""
    from django.contrib.auth.hashers import make_password

    user.password = make_password(password, hasher="argon2")
    user.save(update_fields=["password"])


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    return clean_env(home, CARBONPEAK_SECRET_KEY=SECRET, CARBONPEAK_HTTPS="0", **extra)


@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorns(tmp_path: Path, *envs: dict[str, str]) -> Iterator[list[Server]]:
    """One gunicorn per ``env`` (a master with one worker process of two threads) on the production settings,
    started together; all answer /health/ before the block runs, all are stopped after it."""
    started = []
    try:
        for env in envs:
            port = free_port()
            home = tmp_path / f"home-{port}"
            home.mkdir()
            log = tmp_path / f"gunicorn-{port}.log"
            with log.open("wb") as err:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "carbonpeak.config.wsgi:application",
                     "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "--timeout", "60",
                     "--no-control-socket"],
                    cwd=ROOT, env=subprocess_env(home, **env), stdout=subprocess.DEVNULL, stderr=err,
                )  # fmt: skip
            started.append(Server(port, proc, log))
        for server in started:
            wait_healthy(server.port, server.proc, timeout=120)
        yield started
    finally:
        for server in started:
            server.proc.terminate()
        for server in started:
            try:
                server.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()


@dataclass
class Browser:
    """Cookies kept across requests to any of the servers (one site behind a load balancer)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, server: Server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, resp_headers, data = request(server.port, method, path, body=body, headers=hdrs)
        for line in resp_headers.get("set-cookie", []):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in line.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, resp_headers, data

    def post_form(self, server: Server, path: str, fields: dict[str, str]):
        from urllib.parse import urlencode

        self.cookies.setdefault("csrftoken", CSRF)
        body = urlencode({**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}).encode()
        return self.send(server, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
