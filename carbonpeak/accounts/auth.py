"""API authentication: per-client bearer tokens for machines, the session (with CSRF) for browsers.
Both set `request.principal`, the actor that permission checks and the audit log see.

A request with neither a valid token nor a logged-in session answers 401 (with ``WWW-Authenticate``, see
``carbonpeak.api_errors``), never a CSRF 403: CSRF is checked only for a request that carries a session."""

from __future__ import annotations

from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from carbonpeak.accounts.models import ApiClient


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        client = ApiClient.authenticate(token)
        if client is not None:
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


WRITE_AUTH = [ClientToken(), SessionAuth()]
