"""The secret key of the embedded default: generated once into ``$CARBONPEAK_HOME/secret_key`` (mode 0600) and
reused by every later ``carbonpeak`` command, so a trial install needs no environment variable.

Creation is atomic and race-safe: the key is written whole to a private temporary file, then hard-linked to its
final name; ``link`` fails when another process got there first, and then that process's key is the one used.
No reader can ever see a half-written file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_FILE = "secret_key"
MIN_LENGTH = 50


def home_secret_key(home: Path) -> str:
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        tmp = home / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(64) + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"{path} holds a secret key shorter than {MIN_LENGTH} characters; delete it to generate a new one "
            f"(every session and machine-client signing secret changes) or set CARBONPEAK_SECRET_KEY."
        )
    return key
