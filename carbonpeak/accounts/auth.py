"""API authentication: per-client bearer tokens for machines, the session (with CSRF) for browsers.
Both set `request.principal`, the actor that permission checks and the audit log see."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from carbonpeak.accounts.models import ApiClient


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        client = ApiClient.authenticate(token)
        if client is not None:
            request.principal = client
        return client


class SessionAuth:
    """django_auth (which enforces CSRF), recording the user as the acting principal."""

    def __call__(self, request):
        user = django_auth(request)
        if user:
            request.principal = request.user
        return user


WRITE_AUTH = [ClientToken(), SessionAuth()]
