"""POST /api/v1/calc: the calculation contract over HTTP (same body and result as `carbonpeak calc`).

The body is parsed by the core's own parser (exact decimals: 1.2 stays 1.2, NaN and Infinity are reported
with their path), not by the API layer, so the CLI and the API cannot disagree. Invalid input: HTTP 422."""

from __future__ import annotations

from functools import lru_cache

from django.http import JsonResponse
from ninja import Router

from carbonpeak.core.dispatch import is_error, jsonable, run_json
from carbonpeak.core.factors import FactorSet, load_builtin

router = Router(tags=["calc"])
MAX_BODY_BYTES = 20 * 1024 * 1024


@lru_cache(maxsize=1)
def default_factors() -> FactorSet:
    return load_builtin()


@router.post(
    "",
    auth=None,
    summary="Run one calculation case / 计算",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "result"}, "422": {"description": "invalid case (error object)"}},
    },
)
def calc(request):
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse(
            {
                "error": {
                    "code": "too_large",
                    "field": "",
                    "message": f"请求体超过 {MAX_BODY_BYTES // 1024 // 1024} MB / the body is larger than the limit",
                }
            },
            status=413,
        )
    result = run_json(body, default_factors())
    status = 422 if is_error(result) else 200
    return JsonResponse(jsonable(result), status=status, json_dumps_params={"ensure_ascii": False})
