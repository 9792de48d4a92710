"""`carbonpeak serve` options: gunicorn's workers, threads and timeout from the flags or the environment."""

from __future__ import annotations

import pytest

from carbonpeak.cli import build_parser
from carbonpeak.serving import WebOptions, gunicorn_command


def options(*argv):
    return WebOptions.from_args(build_parser().parse_args(["serve", *argv]))


def flag(cmd, name):
    return cmd[cmd.index(name) + 1]


def test_environment_then_flags(monkeypatch):
    monkeypatch.setenv("CARBONPEAK_WEB_WORKERS", "3")
    monkeypatch.setenv("CARBONPEAK_WEB_THREADS", "5")
    monkeypatch.setenv("CARBONPEAK_WEB_TIMEOUT", "90")
    cmd = gunicorn_command(options("--port", "9001"))
    assert (flag(cmd, "--workers"), flag(cmd, "--threads"), flag(cmd, "--timeout")) == ("3", "5", "90")
    assert flag(cmd, "--bind") == "127.0.0.1:9001"
    cmd = gunicorn_command(options("--workers", "4", "--threads", "1"))
    assert (flag(cmd, "--workers"), flag(cmd, "--threads")) == ("4", "1")


def test_defaults(monkeypatch):
    for name in ("WORKERS", "THREADS", "TIMEOUT", "GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(f"CARBONPEAK_WEB_{name}", raising=False)
    o = options()
    assert (o.workers, o.threads, o.timeout, o.graceful_timeout) == (2, 4, 60, 30)


@pytest.mark.parametrize(("env", "value"), [("CARBONPEAK_WEB_WORKERS", "many"), ("CARBONPEAK_WEB_THREADS", "0")])
def test_bad_values_are_refused_with_the_name(monkeypatch, env, value):
    monkeypatch.setenv(env, value)
    with pytest.raises(SystemExit, match=env):
        options()


def test_a_zero_flag_is_refused():
    with pytest.raises(SystemExit, match="--workers"):
        options("--workers", "0")
