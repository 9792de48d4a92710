"""API authentication: per-client bearer tokens for machines, the session (with CSRF) for browsers.
Both set `request.principal`, the actor that permission checks and the audit log see.

A request with neither a valid token nor a logged-in session answers 401 (with ``WWW-Authenticate``, see
``carbonpeak.api_errors``), never a CSRF 403: CSRF is checked only for a request that carries a session."""

from __future__ import annotations

from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from carbonpeak.accounts.models import ApiClient


class TokenRejected(AuthenticationError):
    """A known token that may no longer be used (revoked or expired): 401 with a message saying which."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(401, f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en

    def as_dict(self) -> dict:
        return {
            "errors": [
                {"code": self.code, "message_zh": self.zh, "message_en": self.en, "message": f"{self.zh} / {self.en}"}
            ]
        }


def check_client(client: ApiClient | None) -> ApiClient | None:
    """None for an unknown token; TokenRejected for a revoked or expired one; else the client."""
    if client is None:
        return None
    if not client.is_active:
        raise TokenRejected("token_revoked", "该客户端令牌已吊销", "this client token has been revoked")
    if client.is_expired:
        raise TokenRejected(
            "token_expired",
            f"该客户端令牌已于 {client.expires_at:%Y-%m-%d %H:%M} 过期，请申请轮换（carbonpeak client rotate）",
            f"this client token expired at {client.expires_at.isoformat()}; ask for a new one (client rotate)",
        )
    return client


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        client = check_client(ApiClient.lookup(token))
        if client is not None:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
            request.principal = client
        return client


class SessionAuth(NinjaSessionAuth):
    """ninja's session auth (which enforces CSRF), recording the user as the acting principal; an anonymous
    request is not authenticated here (so the operation answers 401) before any CSRF check."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        user = super().__call__(request)  # the CSRF check: 403 for a cross-site write with a session
        if user:
            request.principal = user
        return user


class OptionalSession:
    """A logged-in user with a valid CSRF token; anyone else falls through (no 403) to the next callback."""

    def __call__(self, request):
        if request.user.is_authenticated and check_csrf(request) is None:
            request.principal = request.user
            return request.user
        return None


class Anonymous:
    """The last callback of endpoints open to anyone: returns a marker that throttles recognise."""

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return "anonymous"

    def __call__(self, request):
        return self


ANONYMOUS = Anonymous()
WRITE_AUTH = [ClientToken(), SessionAuth()]
