"""The production start, end to end (issue 13, "Done means"): `carbonpeak serve` on a fresh home with no
environment variable at all runs gunicorn without debug, with a generated key file (0600), hashed and compressed
static files with long cache headers, no demo account, the security headers, a plain 404 page; every other
command works on the same home without variables; SIGTERM stops the server and its background worker together.
Marked `serve`: scripts/test runs it as its own step."""

from __future__ import annotations

import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from carbonpeak.setup import DEMO_PASSWORD, DEMO_USERS
from tests.serving import ROOT, alive, children, clean_env, free_port, request, wait_healthy

pytestmark = pytest.mark.serve


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home") / "var"  # not even created yet
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak.cli", "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        cwd=ROOT,
        env=clean_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(port, proc)
        yield home, port, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_key_file_is_generated_private(server):
    home, _, _ = server
    key = home / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) >= 50
    assert not [p for p in home.iterdir() if p.name.startswith(".secret_key")]  # no temporary file left


def test_gunicorn_without_debug_and_a_plain_404(server):
    _, port, _ = server
    status, headers, body = request(port, "GET", "/no-such-page/")
    assert status == 404
    assert headers["server"] == ["gunicorn"]
    text = body.decode()
    assert "Using the URLconf" not in text and "Traceback" not in text and "DEBUG = True" not in text


def test_hashed_static_files_compressed_with_long_cache_headers(server):
    _, port, _ = server
    status, _, body = request(port, "GET", "/login/")
    assert status == 200
    urls = re.findall(r'(/static/[^"\']+\.[0-9a-f]{12}\.(?:js|css))', body.decode())
    assert urls, "the page links no hashed static file"
    for url in urls:
        for encoding in ("gzip", "br"):
            st, h, data = request(port, "GET", url, headers={"Accept-Encoding": encoding})
            assert st == 200, url
            assert h["content-encoding"] == [encoding], url
            cache = h["cache-control"][0]
            assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 86400
        plain = request(port, "GET", url)
        assert plain[0] == 200 and "content-encoding" not in plain[1] and len(plain[2]) > len(data)


def test_no_demo_account(server):
    home, port, _ = server
    with sqlite3.connect(home / "carbonpeak.sqlite3") as db:
        names = [u[0] for u in DEMO_USERS]
        found = db.execute(
            f"SELECT username FROM accounts_user WHERE username IN ({','.join('?' * len(names))})", names
        ).fetchall()
        assert found == []
        assert db.execute("SELECT count(*) FROM plan_plan").fetchone()[0] == 1  # the shipped plan is there
    status, headers, body = request(port, "GET", "/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", " ".join(headers["set-cookie"])).group(1)
    assert "Secure" in " ".join(headers["set-cookie"])  # HTTPS cookies without debug
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    form = f"csrfmiddlewaretoken={token}&username=office&password={DEMO_PASSWORD}".encode()
    status, headers, body = request(
        port,
        "POST",
        "/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
    )
    assert status == 200  # the form again (a CSRF refusal would be 403, a login 302)
    assert "sessionid" not in " ".join(headers.get("set-cookie", []))
    assert 'name="password"' in body.decode()


def test_security_headers(server):
    _, port, _ = server
    _, h, _ = request(port, "GET", "/login/")
    assert h["x-content-type-options"] == ["nosniff"]
    assert h["referrer-policy"] == ["same-origin"]
    assert h["x-frame-options"] == ["DENY"]
    csp = h["content-security-policy"][0]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_other_commands_need_no_environment_variable(server):
    home, _, _ = server
    key = (home / "secret_key").read_text()
    out = subprocess.run(
        [sys.executable, "-m", "carbonpeak.cli", "plan", "status", "--format", "json"],
        cwd=ROOT,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert '"targets"' in out.stdout
    assert (home / "secret_key").read_text() == key  # reused, not regenerated


def test_sigterm_stops_the_server_and_its_worker_together(server):
    _, port, proc = server
    kids = children(proc.pid)
    assert len(kids) == 2  # gunicorn's arbiter and the background worker
    grandkids = [g for k in kids for g in children(k)]
    assert grandkids  # gunicorn's worker processes
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while any(alive(p) for p in kids + grandkids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in kids + grandkids if alive(p)]
    with pytest.raises(OSError):
        request(port, "GET", "/health/")
