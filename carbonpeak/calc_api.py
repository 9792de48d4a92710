"""POST /api/v1/calc: the calculation contract over HTTP (same body and result as `carbonpeak calc`).

The body is parsed by the core's own parser (exact decimals: 1.2 stays 1.2, NaN and Infinity are reported
with their path), not by the API layer, so the CLI and the API cannot disagree. Invalid input: HTTP 422 with the
contract's ``{"error": {code, field, message}}`` and, like every 4xx of the API, ``{"errors": [...]}``
(``carbonpeak.api_errors``).

Open to anyone, but a web server is not the command line: the body and the work of one case have smaller
limits here (``HTTP_LIMITS``, ``MAX_BODY_BYTES``), and a caller without a session or a client token is
throttled per address (CARBONPEAK_CALC_ANON_RATE, 429 with Retry-After). Bigger cases: `carbonpeak calc`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from ninja import Router
from ninja.throttling import AnonRateThrottle

from carbonpeak.accounts.auth import ANONYMOUS, ClientToken, OptionalSession
from carbonpeak.api_errors import error_body, errors
from carbonpeak.core.dispatch import is_error, jsonable, parse_case, run_case
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import FactorSet, load_builtin

router = Router(tags=["calc"])
#: request body limits: anonymous callers, and callers with a session or a client token
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_ANON_BODY_BYTES = 256 * 1024
#: per calc, the sizes of one case over HTTP (the command line allows carbonpeak.core.limits): list lengths or
#: counts, by top-level key
HTTP_LIMITS: dict[str, dict[str, int]] = {
    "inventory": {"lines": 5_000},
    "inclusion": {"events": 10_000, "methodologies": 100},
    "projection": {"draws": 10_000, "sectors": 30},
    "peak": {"series": 200},
}


@lru_cache(maxsize=1)
def default_factors() -> FactorSet:
    return load_builtin()


class AnonymousCalcThrottle(AnonRateThrottle):
    """Throttles only callers that are neither logged in nor holding a client token; the address is the one
    the login lock-out uses (axes + ipware, CARBONPEAK_PROXY_COUNT), so X-Forwarded-For cannot be forged."""

    def __init__(self) -> None:
        super().__init__(rate=settings.CARBONPEAK_CALC_ANON_RATE)

    def get_cache_key(self, request):
        if getattr(request, "auth", None) is not ANONYMOUS:
            return None
        from axes.helpers import get_client_ip_address

        return self.cache_format % {"scope": "calc-anon", "ident": get_client_ip_address(request)}


def with_errors(result: dict[str, Any]) -> dict[str, Any]:
    """The contract's error object, with the API's ``errors`` list beside it (the core speaks English)."""
    err = result["error"]
    field = err.get("field", "")
    zh = f"计算输入无效（{field}）" if field else "计算输入无效"
    return {**error_body(err.get("code", "invalid"), field, zh, err.get("message", "")), **result}


def _err(status: int, code: str, field: str, zh: str, en: str) -> JsonResponse:
    """An error in both shapes: the contract's ``error`` object and the API's ``errors`` list."""
    out = error_body(code, field, zh, en)
    out["error"] = {k: out["errors"][0][k] for k in ("code", "field", "message")}
    return JsonResponse(out, status=status, json_dumps_params={"ensure_ascii": False})


def _over_limit(case) -> JsonResponse | None:
    if not isinstance(case, dict) or not isinstance(case.get("calc"), str):
        return None
    for key, limit in HTTP_LIMITS.get(case["calc"], {}).items():
        value = case.get(key)
        n = len(value) if isinstance(value, (list, dict)) else value if type(value) is int else None
        if n is not None and n > limit:
            return _err(
                422,
                "too_large",
                key,
                f"{key}：经网页接口每次最多 {limit}，更大的计算请用命令行 carbonpeak calc",
                f"{key} is limited to {limit} over HTTP; run bigger cases with `carbonpeak calc`",
            )
    return None


@router.post(
    "",
    auth=[ClientToken(), OptionalSession(), ANONYMOUS],
    throttle=[AnonymousCalcThrottle()],
    summary="Run one calculation case / 计算",
    response={200: dict[str, Any]} | errors(401, 413, 422, 429),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
def calc(request):
    body = request.body
    limit = MAX_ANON_BODY_BYTES if request.auth is ANONYMOUS else MAX_BODY_BYTES
    if len(body) > limit:
        return _err(
            413,
            "too_large",
            "",
            f"请求体超过 {limit // 1024} KB（登录或使用客户端令牌可达 {MAX_BODY_BYTES // 1024} KB）",
            f"the body is larger than {limit // 1024} KB",
        )
    try:
        case = parse_case(body)
    except CalcError as e:
        return JsonResponse(with_errors(jsonable(e.to_dict())), status=422, json_dumps_params={"ensure_ascii": False})
    refused = _over_limit(case)
    if refused is not None:
        return refused
    result = run_case(case, default_factors())
    if is_error(result):
        return JsonResponse(with_errors(jsonable(result)), status=422, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(jsonable(result), json_dumps_params={"ensure_ascii": False})
