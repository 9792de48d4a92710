"""POST /api/v1/calc: the calculation contract over HTTP (same body and result as `carbonpeak calc`).

The body is parsed by the core's own parser (exact decimals: 1.2 stays 1.2, NaN and Infinity are reported
with their path), not by the API layer, so the CLI and the API cannot disagree. Invalid input: HTTP 422 with the
contract's ``{"error": {code, field, message}}`` and, like every 4xx of the API, ``{"errors": [...]}``
(``carbonpeak.api_errors``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import JsonResponse
from ninja import Router

from carbonpeak.api_errors import error_body, errors
from carbonpeak.core.dispatch import is_error, jsonable, run_json
from carbonpeak.core.factors import FactorSet, load_builtin

router = Router(tags=["calc"])
MAX_BODY_BYTES = 20 * 1024 * 1024


@lru_cache(maxsize=1)
def default_factors() -> FactorSet:
    return load_builtin()


def with_errors(result: dict[str, Any]) -> dict[str, Any]:
    """The contract's error object, with the API's ``errors`` list beside it (the core speaks English)."""
    err = result["error"]
    field = err.get("field", "")
    zh = f"计算输入无效（{field}）" if field else "计算输入无效"
    return {**error_body(err.get("code", "invalid"), field, zh, err.get("message", "")), **result}


@router.post(
    "",
    auth=None,
    summary="Run one calculation case / 计算",
    response={200: dict[str, Any]} | errors(413, 422),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
def calc(request):
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        mb = MAX_BODY_BYTES // 2**20
        out = error_body("too_large", "", f"请求体超过 {mb} MB", f"the body is larger than {mb} MB")
        out["error"] = {k: out["errors"][0][k] for k in ("code", "field", "message")}
        return JsonResponse(out, status=413, json_dumps_params={"ensure_ascii": False})
    result = run_json(body, default_factors())
    if is_error(result):
        return JsonResponse(with_errors(jsonable(result)), status=422, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(jsonable(result), json_dumps_params={"ensure_ascii": False})
