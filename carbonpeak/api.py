"""The JSON API under /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs).

Machine clients send `Authorization: Bearer cpk_…` (per-client tokens, see accounts.ApiClient); browsers use
their session with CSRF. Reads of published plans need no login."""

from __future__ import annotations

from ninja import NinjaAPI

from carbonpeak import api_errors
from carbonpeak.accounting.api import router as accounting_router
from carbonpeak.accounts.auth import TokenRejected
from carbonpeak.calc_api import router as calc_router
from carbonpeak.config.inputguard import StrictParser
from carbonpeak.enterprises.api import router as monitoring_router
from carbonpeak.generation.api import router as generation_router
from carbonpeak.inclusion.api import router as inclusion_router
from carbonpeak.plan.api import router as plan_router
from carbonpeak.waste.api import router as waste_router

api = NinjaAPI(
    title="carbonpeak API",
    version="1",
    description=(
        "碳达峰管理平台接口 / carbonpeak platform API\n\n"
        "所有 4xx 错误都是同一格式 / every 4xx answer has one shape: "
        '`{"errors": [{"code", "field", "message_zh", "message_en", "message", "severity", "line"?}]}`; '
        "`field` 为出错字段的路径（整体请求为空，签名与幂等错误为请求头名）/ `field` is the path of the field "
        "(empty for the request as a whole, the header's name for signature and idempotency errors). "
        "未登录且无令牌的写请求答 401（带 `WWW-Authenticate`），不是 CSRF 403 / writes without credentials "
        "answer 401 with `WWW-Authenticate`, not a CSRF 403."
    ),
    urls_namespace="api",
    parser=StrictParser(),
)


api_errors.install(api)


@api.exception_handler(TokenRejected)
def on_token_rejected(request, exc: TokenRejected):
    """A revoked or expired token: 401 in the one error shape, saying which."""
    return api_errors.error_response(401, exc.code, "Authorization", exc.zh, exc.en)


api.add_router("/plans", plan_router)
api.add_router("/calc", calc_router)
api.add_router("/accounting", accounting_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/inclusion", inclusion_router)
api.add_router("/generation", generation_router)
api.add_router("/waste", waste_router)
