"""The example deployment in deploy/ is rendered and lint-checked: the nginx site passes `nginx -t` (Debian's
nginx, a throw-away self-signed certificate), the systemd units pass `systemd-analyze verify` with their
commands pointing at this checkout, every ExecStart is a `carbonpeak` command line the parser accepts, and the
environment file names only settings that exist. nginx or openssl missing is a failure (scripts/test installs
them), not a skip."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from carbonpeak.cli import build_parser
from tests.serving import ROOT

pytestmark = pytest.mark.serve
DEPLOY = ROOT / "deploy"
UNITS = ["carbonpeak-web.service", "carbonpeak-worker@.service", "carbonpeak-daily.service", "carbonpeak-daily.timer"]


def need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install {'nginx-light' if tool == 'nginx' else tool} (scripts/test)")
    return path


def env_file() -> dict[str, str]:
    out = {}
    for line in (DEPLOY / "carbonpeak.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value
    return out


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = need("nginx")
    subprocess.run(
        [need("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=carbon.example.gov.cn", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx-carbonpeak.conf").read_text(encoding="utf-8")
    assert "/etc/ssl/carbonpeak/fullchain.pem" in site and "/etc/ssl/carbonpeak/privkey.pem" in site
    site = site.replace("/etc/ssl/carbonpeak/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/carbonpeak/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    temp = "\n".join(
        f"    {k}_temp_path {tmp_path / 'tmp'};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {tmp_path / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "test is successful" in out.stderr
    # the proxy tells the application the scheme (CARBONPEAK_PROXY_SSL_HEADER) and reaches the web unit's port
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    upstream = re.search(r"upstream carbonpeak \{\s*server ([\d.]+):(\d+);", site)
    web = (DEPLOY / "carbonpeak-web.service").read_text(encoding="utf-8")
    assert f"--host {upstream.group(1)} --port {upstream.group(2)}" in web


def exec_starts(unit: str) -> list[list[str]]:
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    return [shlex.split(m) for m in re.findall(r"^ExecStart=(.+)$", text, flags=re.M)]


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_every_exec_start_is_a_carbonpeak_command(unit):
    starts = exec_starts(unit)
    assert starts
    for argv in starts:
        assert argv[0] == "/opt/carbonpeak/.venv/bin/carbonpeak"
        args = build_parser().parse_args(argv[1:])  # exits (SystemExit) on an unknown subcommand or flag
        assert callable(args.func)


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # no systemd on this machine: the parse above is the check
        pytest.fail("systemd-analyze not found (apt-get install systemd)")
    env = tmp_path / "carbonpeak.env"
    env.write_text("", encoding="utf-8")
    names = []
    for unit in UNITS:
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        text = text.replace("/opt/carbonpeak", str(ROOT)).replace("/etc/carbonpeak/carbonpeak.env", str(env))
        name = unit.replace("@.", "@1.")  # an instance of the template
        (tmp_path / name).write_text(text, encoding="utf-8")
        names.append(str(tmp_path / name))
    out = subprocess.run([analyze, "verify", *names], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Unknown" not in out.stderr, out.stderr


def test_environment_file_names_only_real_settings():
    known = "".join(
        (ROOT / p).read_text(encoding="utf-8") for p in ("carbonpeak/config/settings.py", "carbonpeak/serving.py")
    )
    names = env_file()
    assert {"DATABASE_URL", "CARBONPEAK_SECRET_KEY", "CARBONPEAK_ALLOWED_HOSTS", "CARBONPEAK_PROXY_SSL_HEADER"} <= set(
        names
    )
    unknown = [n for n in names if f'"{n}"' not in known]
    assert unknown == []
