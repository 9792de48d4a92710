"""carbonpeak's own deployment checks, run by `carbonpeak check --deploy` beside Django's (which already cover
DEBUG, cookie flags, HSTS, SSL redirect and the key's strength). Each names the setting to change."""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def check_deployment(app_configs=None, **kwargs):
    from carbonpeak.config.secret import KEY_FILE

    out = []
    if settings.SECRET_KEY == getattr(settings, "DEV_SECRET_KEY", None):
        out.append(
            Error(
                "密钥是公开的开发密钥 / SECRET_KEY is the public development key.",
                hint="Set CARBONPEAK_SECRET_KEY (50+ characters) and turn CARBONPEAK_DEBUG off.",
                id="carbonpeak.E001",
            )
        )
    if "CHANGE-ME" in settings.SECRET_KEY:
        out.append(
            Error(
                "密钥仍是示例占位符 / SECRET_KEY is still the example's placeholder (deploy/carbonpeak.env).",
                hint="python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="carbonpeak.E005",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        out.append(
            Error(
                "ALLOWED_HOSTS 含通配符 * / ALLOWED_HOSTS accepts any host.",
                hint="List the site's names in CARBONPEAK_ALLOWED_HOSTS, e.g. carbon.example.gov.cn.",
                id="carbonpeak.E002",
            )
        )
    key_file = Path(settings.HOME) / KEY_FILE
    if key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) & 0o077:
        out.append(
            Error(
                f"密钥文件 {key_file} 其他用户可读 / the key file is readable by other users.",
                hint=f"chmod 600 {key_file}",
                id="carbonpeak.E003",
            )
        )
    out += _demo_findings()
    out += _replica_findings()
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        out.append(
            Warning(
                "数据库为 SQLite（仅供试用）/ the database is SQLite, meant for a trial.",
                hint="Use PostgreSQL: DATABASE_URL=postgres://… (or silence with "
                "CARBONPEAK_SILENCED_CHECKS=carbonpeak.W001 on a single small server you back up).",
                id="carbonpeak.W001",
            )
        )
    if settings.SESSION_COOKIE_SECURE and getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        out.append(
            Warning(
                "未信任 TLS 代理的 X-Forwarded-Proto：表单提交会被 CSRF 拒绝 / the TLS proxy's X-Forwarded-Proto is "
                "not trusted: every form POST behind it fails the CSRF origin check.",
                hint="Behind nginx (deploy/nginx-carbonpeak.conf) set CARBONPEAK_PROXY_SSL_HEADER=1.",
                id="carbonpeak.W002",
            )
        )
    return out


def _demo_findings():
    from carbonpeak.setup import DEMO_LABEL, DEMO_PASSWORD, DEMO_USERS

    try:
        from carbonpeak.accounts.models import User
        from carbonpeak.plan.models import IndicatorValue

        demo = [
            u.username
            for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS], is_active=True)
            if u.check_password(DEMO_PASSWORD)
        ]
        demo_values = IndicatorValue.objects.filter(source_detail=DEMO_LABEL).exists()
    except DatabaseError as exc:
        return [
            Warning(
                f"无法检查演示账户 / cannot check for demo accounts: {str(exc).strip().splitlines()[0]}",
                hint="Run `carbonpeak setup` against this DATABASE_URL first.",
                id="carbonpeak.W003",
            )
        ]
    out = []
    if demo:
        out.append(
            Error(
                f"演示账户可用公开密码登录 / demo accounts accept the public demo password: {', '.join(demo)}",
                hint="Production is set up without --demo; use a fresh database (or disable these accounts).",
                id="carbonpeak.E004",
            )
        )
    if demo_values:
        out.append(
            Warning(
                "数据库含演示数据（虚构）/ the database holds the illustrative demo values.",
                hint="Production is set up without --demo, on a fresh database.",
                id="carbonpeak.W004",
            )
        )
    return out


def _replica_findings():
    """A read replica pins a writing token client to the primary by a cache key: with a per-process cache, its
    next read may reach another process, which does not know the pin, and read from the lagging replica."""
    if "replica" not in settings.DATABASES:
        return []
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        return []
    return [
        Warning(
            "设置了只读副本但缓存不共享：接口客户端写后可能从副本读到旧数据 / DATABASE_REPLICA_URL is set but the "
            "cache is per process: an API client's next read after a write may come from the lagging replica.",
            hint="Set CARBONPEAK_CACHE_URL=redis://… (shared by every web process).",
            id="carbonpeak.W005",
        )
    ]
