"""The JSON API under /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs).

Machine clients send `Authorization: Bearer cpk_…` (per-client tokens, see accounts.ApiClient); browsers use
their session with CSRF. Reads of published plans need no login."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from carbonpeak.accounts.models import ApiClient
from carbonpeak.validation import ValidationFailed


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        client = ApiClient.authenticate(token)
        if client is not None:
            request.principal = client
        return client


class SessionAuth:
    """django_auth, recording the user as the acting principal."""

    def __call__(self, request):
        user = django_auth(request)
        if user:
            request.principal = request.user
        return user


WRITE_AUTH = [ClientToken(), SessionAuth()]

api = NinjaAPI(
    title="carbonpeak API",
    version="1",
    description="碳达峰管理平台接口 / carbonpeak platform API",
    urls_namespace="api",
)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request, exc: ValidationFailed):
    return api.create_response(request, exc.as_dict(), status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": str(exc) or "您没有权限执行此操作。/ You are not allowed to do this."}, status=403
    )


from carbonpeak.plan.api import router as plan_router  # noqa: E402  (routers import `WRITE_AUTH` from here)

api.add_router("/plans", plan_router)
