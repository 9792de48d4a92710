"""`carbonpeak check --deploy`: Django's deployment checks and carbonpeak's own; exit 0 only when an operator
has configured everything (deploy/carbonpeak.env), exit 1 with every finding named otherwise. `setup` loads no
demo account unless asked with --demo."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.serving import ROOT, clean_env
from tests.test_deploy_files import env_file

pytestmark = pytest.mark.serve

# deploy/carbonpeak.env as an operator fills it in, here on the embedded SQLite (W001 knowingly accepted)
PRODUCTION = {
    k: v
    for k, v in env_file().items()
    if k not in ("DATABASE_URL", "CARBONPEAK_HOME", "CARBONPEAK_SECRET_KEY", "CARBONPEAK_EMAIL_PASSWORD")
} | {"CARBONPEAK_SILENCED_CHECKS": "carbonpeak.W001"}


def cp(home, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "carbonpeak.cli", *args],
        cwd=ROOT,
        env=clean_env(home, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("deploy")
    out = cp(home, "setup")
    assert out.returncode == 0, out.stderr
    assert "演示账户" not in out.stderr  # no demo without --demo
    return home


def test_configured_production_passes(home):
    out = cp(home, "check", "--deploy", **PRODUCTION)
    assert out.returncode == 0, out.stderr
    assert "no issues" in out.stderr + out.stdout


def test_defaults_fail_with_every_finding_named(home):
    out = cp(home, "check", "--deploy")
    assert out.returncode == 1
    for finding in ("carbonpeak.W001", "carbonpeak.W002", "security.W008", "mail.E001"):
        assert finding in out.stderr, finding
    assert "carbonpeak.E004" not in out.stderr  # no demo account was loaded


def test_wildcard_hosts_debug_and_an_open_key_file_fail(home):
    key = home / "secret_key"
    key.chmod(0o644)
    try:
        out = cp(home, "check", "--deploy", **{**PRODUCTION, "CARBONPEAK_ALLOWED_HOSTS": "*"})
    finally:
        key.chmod(0o600)
    assert out.returncode == 1
    assert "carbonpeak.E002" in out.stderr and "carbonpeak.E003" in out.stderr
    dev = cp(
        home,
        "check",
        "--deploy",
        **{**PRODUCTION, "CARBONPEAK_DEBUG": "1", "DATABASE_URL": "sqlite:///" + str(home / "carbonpeak.sqlite3")},
    )
    assert dev.returncode == 1
    assert "carbonpeak.E001" in dev.stderr and "security.W018" in dev.stderr  # the public key, DEBUG on


def test_the_example_key_placeholder_fails(home):
    out = cp(home, "check", "--deploy", **PRODUCTION, CARBONPEAK_SECRET_KEY=env_file()["CARBONPEAK_SECRET_KEY"])
    assert out.returncode == 1 and "carbonpeak.E005" in out.stderr


def test_demo_accounts_fail_the_check(home):
    out = cp(home, "setup", "--demo")
    assert out.returncode == 0, out.stderr
    assert "office" in out.stderr  # the demo logins are printed
    check = cp(home, "check", "--deploy", **PRODUCTION)
    assert check.returncode == 1
    assert "carbonpeak.E004" in check.stderr and "office" in check.stderr and "carbonpeak.W004" in check.stderr
