"""Settings, all from the environment (house rule 11: fail loudly, no default secret outside DEBUG).

CARBONPEAK_HOME      folder for the SQLite file, uploads and logs (default: ./var)
DATABASE_URL         default sqlite:///$CARBONPEAK_HOME/carbonpeak.sqlite3; postgres://... for production
CARBONPEAK_DEBUG     1 for local development (the README's run command sets it)
CARBONPEAK_SECRET_KEY  required unless DEBUG
CARBONPEAK_ALLOWED_HOSTS  comma separated
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("CARBONPEAK_HOME", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {raw!r}")


DEBUG = env_bool("CARBONPEAK_DEBUG")
SECRET_KEY = os.environ.get("CARBONPEAK_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CARBONPEAK_SECRET_KEY is not set. Set it "
            "(e.g. `python -c 'import secrets;print(secrets.token_urlsafe(50))'`) "
            "or set CARBONPEAK_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key-only-used-when-CARBONPEAK_DEBUG-is-1"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CARBONPEAK_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "carbonpeak.accounts",
    "carbonpeak.audit",
    "carbonpeak.plan",
    "carbonpeak.accounting",
    "carbonpeak.scenarios",
    "carbonpeak.enterprises",
    "carbonpeak.inclusion",
    "django_tasks_db",
    "carbonpeak.web",
]

MIDDLEWARE = [
    "carbonpeak.config.inputguard.InputGuardMiddleware",  # body size, forms and strict JSON, before anything reads
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carbonpeak.config.urls"
WSGI_APPLICATION = "carbonpeak.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carbonpeak.web.context.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'carbonpeak.sqlite3'}",
        conn_max_age=int(os.environ.get("CARBONPEAK_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security (MLPS 2.0 level 2, COMPLIANCE.md) ---
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "carbonpeak.accounts.validators.CharacterClassValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CARBONPEAK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CARBONPEAK_LOGIN_COOLOFF_HOURS", "0.5"))
# Lock the account, not the address: a county intranet often sits behind one NAT address, and locking it
# would lock every department out after one person's typos (axes.W006 is therefore silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "public"
SESSION_COOKIE_AGE = int(os.environ.get("CARBONPEAK_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("CARBONPEAK_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("CARBONPEAK_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- i18n: zh-Hans first (house rule 10) ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # statistical year and day boundaries follow Beijing time
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = HOME / "media"
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
#: a whole multipart upload (the files included); larger bodies are answered 413 before they are read
CARBONPEAK_UPLOAD_MAX_BYTES = int(os.environ.get("CARBONPEAK_UPLOAD_MAX_BYTES", str(51 * 1024 * 1024)))

# --- plan tracking ---
PLAN_STATUS_YELLOW_FRACTION = Decimal(os.environ.get("CARBONPEAK_YELLOW_FRACTION", "0.10"))
EVIDENCE_MAX_BYTES = int(os.environ.get("CARBONPEAK_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv", "txt"]

MAILERS = {
    "default": {"BACKEND": os.environ.get("CARBONPEAK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
DEFAULT_FROM_EMAIL = os.environ.get("CARBONPEAK_FROM_EMAIL", "carbonpeak@localhost")

# Derived pages are cached under the plan's revision (plan/revision.py), so a cache is never stale; the
# default is per process. Several processes can share Redis: CARBONPEAK_CACHE_URL=redis://127.0.0.1:6379/1
# CARBONPEAK_CACHE_URL=dummy:// turns caching off (to measure the uncached path).
_cache_url = os.environ.get("CARBONPEAK_CACHE_URL", "")
if _cache_url.startswith("redis://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url == "dummy://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif _cache_url:
    raise ImproperlyConfigured(f"CARBONPEAK_CACHE_URL must be redis://… or dummy://, got {_cache_url!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "carbonpeak"}}

NINJA_PAGINATION_PER_PAGE = 100

# Key energy users: the carbon-account threshold (the plan's target enterprise_carbon_account_threshold wins
# when the plan has one) and the national key-energy-user threshold, in tce of comprehensive energy.
CARBONPEAK_KEY_USER_TCE = int(os.environ.get("CARBONPEAK_KEY_USER_TCE", "5000"))
CARBONPEAK_NATIONAL_KEY_USER_TCE = int(os.environ.get("CARBONPEAK_NATIONAL_KEY_USER_TCE", "10000"))

# Background work (scenario runs): Django's task framework with the database backend; `carbonpeak worker`
# (started by `carbonpeak serve`) runs the queue. CARBONPEAK_TASKS=immediate runs tasks in the request instead.
_tasks = os.environ.get("CARBONPEAK_TASKS", "database")
if _tasks == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif _tasks == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"CARBONPEAK_TASKS must be database or immediate, got {_tasks!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CARBONPEAK_LOG_LEVEL", "WARNING")},
}

SITE_NAME = _("碳达峰管理平台")
