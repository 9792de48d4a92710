"""The JSON API under /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs).

Machine clients send `Authorization: Bearer cpk_…` (per-client tokens, see accounts.ApiClient); browsers use
their session with CSRF. Reads of published plans need no login."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI

from carbonpeak.accounting.api import router as accounting_router
from carbonpeak.calc_api import router as calc_router
from carbonpeak.config.inputguard import StrictParser
from carbonpeak.enterprises.api import router as monitoring_router
from carbonpeak.inclusion.api import router as inclusion_router
from carbonpeak.plan.api import router as plan_router
from carbonpeak.validation import ValidationFailed

api = NinjaAPI(
    title="carbonpeak API",
    version="1",
    description="碳达峰管理平台接口 / carbonpeak platform API",
    urls_namespace="api",
    parser=StrictParser(),
)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request, exc: ValidationFailed):
    return api.create_response(request, exc.as_dict(), status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": str(exc) or "您没有权限执行此操作。/ You are not allowed to do this."}, status=403
    )


api.add_router("/plans", plan_router)
api.add_router("/calc", calc_router)
api.add_router("/accounting", accounting_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/inclusion", inclusion_router)
