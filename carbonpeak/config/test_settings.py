"""Settings for the test suite: the production settings with a throw-away home, a test-only secret and
in-memory e-mail. Environment defaults are set before the base settings are read."""

import os
import tempfile
from importlib import import_module

os.environ.setdefault("CARBONPEAK_SECRET_KEY", "test-only-secret-key-not-for-production-use-000000")
os.environ.setdefault("CARBONPEAK_HOME", tempfile.mkdtemp(prefix="carbonpeak-test-"))
os.environ.setdefault("CARBONPEAK_HTTPS", "0")
# the golden cases and API fuzzing call /api/v1/calc anonymously many times; the throttle test sets its own rate
os.environ.setdefault("CARBONPEAK_CALC_ANON_RATE", "100000/min")

_base = import_module("carbonpeak.config.settings")
globals().update({name: getattr(_base, name) for name in dir(_base) if name.isupper()})

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Argon2 is the production hasher (checked in accounts tests); tests that create many users use a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *_base.PASSWORD_HASHERS]

# Tests render pages without running collectstatic: plain names instead of the manifest's hashed ones.
STORAGES = {**_base.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
_base.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
