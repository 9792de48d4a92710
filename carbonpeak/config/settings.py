"""Settings, all from the environment (house rule 11: fail loudly, no default secret outside DEBUG).

CARBONPEAK_HOME      folder for the SQLite file, uploads and logs (default: ./var)
DATABASE_URL         default sqlite:///$CARBONPEAK_HOME/carbonpeak.sqlite3; postgres://... for production
CARBONPEAK_DEBUG     1 for local development (the README's run command sets it)
CARBONPEAK_SECRET_KEY  generated into $CARBONPEAK_HOME/secret_key without DATABASE_URL; else required (>= 50)
CARBONPEAK_PROXY_SSL_HEADER, CARBONPEAK_CSRF_TRUSTED_ORIGINS, CARBONPEAK_HSTS_*  behind a TLS proxy (deploy/)
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
DEV_SECRET_KEY = "insecure-local-development-key-only-used-when-CARBONPEAK_DEBUG-is-1"
SECRET_KEY = os.environ.get("CARBONPEAK_SECRET_KEY", "")
# The embedded default (no DATABASE_URL) generates its key once into $CARBONPEAK_HOME (config/secret.py); a
# server database needs the key given, at least 50 characters, unless DEBUG.
if not os.environ.get("DATABASE_URL"):
    if not SECRET_KEY:
        from carbonpeak.config.secret import home_secret_key

        SECRET_KEY = home_secret_key(HOME)
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "CARBONPEAK_SECRET_KEY must be set to at least 50 characters when DATABASE_URL is set "
        f"(it is {'unset' if not SECRET_KEY else f'{len(SECRET_KEY)} characters'}); generate one with "
        "`python -c 'import secrets;print(secrets.token_urlsafe(50))'`, or set CARBONPEAK_DEBUG=1 for local "
        "development. / 设置 DATABASE_URL 时必须设置至少 50 个字符的 CARBONPEAK_SECRET_KEY。"
    )
elif not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY

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
    "carbonpeak.buildings",
    "carbonpeak.exchange",
    "carbonpeak.inclusion",
    "carbonpeak.generation",
    "carbonpeak.transport",
    "carbonpeak.waste",
    "carbonpeak.sinks",
    "django_tasks_db",
    "carbonpeak.web",
]

MIDDLEWARE = [
    "carbonpeak.config.inputguard.InputGuardMiddleware",  # body size, forms and strict JSON, before anything reads
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files with hashed names and long cache headers
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carbonpeak.plan.tenancy.TenancyMiddleware",  # the county of /c/<code>/ URLs and a region reader's choice
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "carbonpeak.api_errors.ErrorShapeMiddleware",  # /api/ 4xx made outside an operation get {"errors": [...]}
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

# Reads that tolerate lag from a PostgreSQL streaming replica (config/routers.py says which, and when the primary
# serves them instead): DATABASE_REPLICA_URL=postgres://…@standby:5432/carbonpeak. Writes, transactions and a
# writer's next reads (CARBONPEAK_REPLICA_PIN_SECONDS) stay on the primary; a replica more than
# CARBONPEAK_REPLICA_MAX_LAG_SECONDS behind, or down, is not used (checked every CARBONPEAK_REPLICA_CHECK_SECONDS).
CARBONPEAK_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("CARBONPEAK_REPLICA_MAX_LAG_SECONDS", "5"))
CARBONPEAK_REPLICA_CHECK_SECONDS = float(os.environ.get("CARBONPEAK_REPLICA_CHECK_SECONDS", "5"))
# at least the lag allowed plus the check interval: the pinned client's write has reached the replica by then
CARBONPEAK_REPLICA_PIN_SECONDS = int(os.environ.get("CARBONPEAK_REPLICA_PIN_SECONDS", "15"))
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    if not DATABASES["default"]["ENGINE"] == DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica")
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)  # a dead replica fails fast
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read their own test database through it
    DATABASE_ROUTERS = ["carbonpeak.config.routers.ReplicaRouter"]
    MIDDLEWARE.insert(1, "carbonpeak.config.routers.ReplicaMiddleware")  # before the session and the views

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
# Lock an account only from the address the wrong passwords came from: someone elsewhere cannot lock the office
# out by typing its usernames, and one person's typos do not lock a whole intranet behind one NAT address.
# Besides, one address is refused for every account after CARBONPEAK_LOGIN_ADDRESS_LIMIT failures within the
# cool-off (accounts/lockout.py). `carbonpeak user unlock USERNAME [--address IP]` clears both.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "carbonpeak.accounts.lockout.AddressThrottledHandler"
CARBONPEAK_LOGIN_ADDRESS_LIMIT = int(os.environ.get("CARBONPEAK_LOGIN_ADDRESS_LIMIT", "30"))
# The client address (lock-outs, throttles): REMOTE_ADDR, unless CARBONPEAK_PROXY_COUNT reverse proxies (nginx)
# stand in front and append it to X-Forwarded-For; the address is then taken that many places from the right,
# so a client cannot choose it by sending its own X-Forwarded-For. CARBONPEAK_TRUSTED_PROXIES (comma separated
# address prefixes) additionally requires the request to come through those proxies.
CARBONPEAK_PROXY_COUNT = int(os.environ.get("CARBONPEAK_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = CARBONPEAK_PROXY_COUNT or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_TRUSTED_IPS = [
    p.strip() for p in os.environ.get("CARBONPEAK_TRUSTED_PROXIES", "").split(",") if p.strip()
] or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if CARBONPEAK_PROXY_COUNT else ("REMOTE_ADDR",)
)
# machine-client tokens expire after this many days unless `client add|rotate --expires-days N` says (0: never)
CARBONPEAK_CLIENT_TOKEN_DAYS = int(os.environ.get("CARBONPEAK_CLIENT_TOKEN_DAYS", "365"))
# POST /api/v1/calc without a session or token: requests per address (django-ninja throttle syntax)
CARBONPEAK_CALC_ANON_RATE = os.environ.get("CARBONPEAK_CALC_ANON_RATE", "30/min")
# an operator who knowingly accepts a `carbonpeak check --deploy` finding names it here (docs/zh/operations.md)
SILENCED_SYSTEM_CHECKS = [c.strip() for c in os.environ.get("CARBONPEAK_SILENCED_CHECKS", "").split(",") if c.strip()]
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
SECURE_HSTS_SECONDS = int(os.environ.get("CARBONPEAK_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CARBONPEAK_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("CARBONPEAK_HSTS_PRELOAD")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the local health probe speaks plain HTTP to gunicorn
# Behind a TLS proxy (deploy/nginx): trust its X-Forwarded-Proto, and the origins the browsers use.
if env_bool("CARBONPEAK_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CARBONPEAK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
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
STATIC_ROOT = HOME / "static"  # filled by `carbonpeak setup` (collectstatic), served by whitenoise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "carbonpeak.config.staticfiles.CompressedManifestStorage"},
}
MEDIA_ROOT = HOME / "media"
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
#: a whole multipart upload (the files included); larger bodies are answered 413 before they are read
CARBONPEAK_UPLOAD_MAX_BYTES = int(os.environ.get("CARBONPEAK_UPLOAD_MAX_BYTES", str(51 * 1024 * 1024)))

# --- plan tracking ---
PLAN_STATUS_YELLOW_FRACTION = Decimal(os.environ.get("CARBONPEAK_YELLOW_FRACTION", "0.10"))
# 左右 (about): the band around a milestone that still counts as met on the worse side, as a fraction of the
# milestone (0.02: 20 %左右 is met from 19.6 %; 63 %左右 from 61.74 %)
PLAN_ABOUT_TOLERANCE = Decimal(os.environ.get("CARBONPEAK_ABOUT_TOLERANCE", "0.02"))
EVIDENCE_MAX_BYTES = int(os.environ.get("CARBONPEAK_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv", "txt"]
#: a project report missing after the round's due date: yellow from this many days late, red from the second
#: (docs/zh/projects.md; core/lateness.py)
PROJECT_REPORT_YELLOW_DAYS = int(os.environ.get("CARBONPEAK_PROJECT_REPORT_YELLOW_DAYS", "1"))
PROJECT_REPORT_RED_DAYS = int(os.environ.get("CARBONPEAK_PROJECT_REPORT_RED_DAYS", "15"))
if not 1 <= PROJECT_REPORT_YELLOW_DAYS <= PROJECT_REPORT_RED_DAYS:
    raise ImproperlyConfigured("CARBONPEAK_PROJECT_REPORT_YELLOW_DAYS must be >= 1 and <= _RED_DAYS")

MAILERS = {
    "default": {"BACKEND": os.environ.get("CARBONPEAK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
# Production mail: CARBONPEAK_EMAIL_HOST (SMTP) with _PORT, _USER, _PASSWORD, _USE_TLS or _USE_SSL.
if os.environ.get("CARBONPEAK_EMAIL_HOST"):
    MAILERS["default"] = {
        "BACKEND": os.environ.get("CARBONPEAK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ["CARBONPEAK_EMAIL_HOST"],
            "port": int(os.environ["CARBONPEAK_EMAIL_PORT"]) if os.environ.get("CARBONPEAK_EMAIL_PORT") else None,
            "username": os.environ.get("CARBONPEAK_EMAIL_USER", ""),
            "password": os.environ.get("CARBONPEAK_EMAIL_PASSWORD", ""),
            "use_tls": env_bool("CARBONPEAK_EMAIL_USE_TLS"),
            "use_ssl": env_bool("CARBONPEAK_EMAIL_USE_SSL"),
            "timeout": 20,
        },
    }
DEFAULT_FROM_EMAIL = os.environ.get("CARBONPEAK_FROM_EMAIL", "carbonpeak@localhost")

# Derived pages are cached under the plan's revision (plan/revision.py), so a cache is never stale; the
# default is per process. Several processes can share Redis: CARBONPEAK_CACHE_URL=redis://127.0.0.1:6379/1
# CARBONPEAK_CACHE_URL=dummy:// turns caching off (to measure the uncached path).
_cache_url = os.environ.get("CARBONPEAK_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
    # Stateless web processes: a session is read from Redis by whichever process gets the request, and written
    # through to the database table, so a Redis restart, flush or eviction logs nobody out (cached_db, not
    # cache: the table stays the record). The API throttles share this cache too.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif _cache_url == "dummy://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif _cache_url:
    raise ImproperlyConfigured(f"CARBONPEAK_CACHE_URL must be redis://…, rediss://… or dummy://, got {_cache_url!r}")
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
