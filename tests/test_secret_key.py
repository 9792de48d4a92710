"""The secret key: generated once into $CARBONPEAK_HOME (0600, atomically, one winner among racing processes)
on the embedded default; required (at least 50 characters) with DATABASE_URL and debug off."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from carbonpeak.config.secret import home_secret_key
from tests.serving import ROOT, clean_env


def test_generated_once_private_and_reused(tmp_path):
    home = tmp_path / "new"
    key = home_secret_key(home)
    assert len(key) >= 50
    path = home / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert home_secret_key(home) == key
    assert [p.name for p in home.iterdir()] == ["secret_key"]


def test_racing_processes_agree_on_one_key(tmp_path):
    code = (
        "import sys, time; from pathlib import Path; from carbonpeak.config.secret import home_secret_key; "
        "t = float(sys.argv[1]); time.sleep(max(0, t - time.time())); print(home_secret_key(Path(sys.argv[2])))"
    )
    import time

    start = str(time.time() + 3)  # all processes start the creation at the same instant
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, start, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(keys) == 1 and keys == {(tmp_path / "secret_key").read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_truncated_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ImproperlyConfigured, match="shorter than 50"):
        home_secret_key(tmp_path)


def _settings(tmp_path, **env):
    return subprocess.run(
        [sys.executable, "-c", "import carbonpeak.config.settings as s; print(len(s.SECRET_KEY))"],
        cwd=ROOT,
        env=clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


PG = "postgres://carbonpeak@db.invalid:5432/carbonpeak"


@pytest.mark.parametrize("key", [None, "x" * 49])
def test_a_server_database_needs_a_long_key(tmp_path, key):
    out = _settings(tmp_path, DATABASE_URL=PG, **({"CARBONPEAK_SECRET_KEY": key} if key else {}))
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and "at least 50 characters" in out.stderr
    assert not (tmp_path / "secret_key").exists()


def test_a_server_database_with_a_long_key_or_debug_starts(tmp_path):
    assert _settings(tmp_path, DATABASE_URL=PG, CARBONPEAK_SECRET_KEY="k" * 50).stdout.strip() == "50"
    assert _settings(tmp_path, DATABASE_URL=PG, CARBONPEAK_DEBUG="1").returncode == 0


def test_the_embedded_default_needs_no_variable(tmp_path):
    out = _settings(tmp_path)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 50 and (tmp_path / "secret_key").exists()
