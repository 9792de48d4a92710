"""The API's one error shape: every 4xx answer under /api/v1/ is ``{"errors": [item, …]}``, each item the
validation layer's issue (``carbonpeak.validation.Issue.as_dict``): ``code``, ``field`` (the path of the field,
``""`` for the request as a whole, or a header name), ``message_zh``, ``message_en``, ``message`` (both),
``severity`` and, for a row of a batch, ``line``.

``install(api)`` replaces django-ninja's own ``{"detail": …}`` answers (body and parameter validation 422,
authentication 401, CSRF 403, 404, throttling 429) and Django's (Http404, PermissionDenied, a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE``); ``ErrorShapeMiddleware`` does the same for answers made outside an
operation (405 from a path's other method, 404 for an unknown path under /api/). Operations declare their
error statuses with ``errors(401, 403, …)`` so the OpenAPI schema lists them."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from carbonpeak.validation import Issue, ValidationFailed

API_PREFIX = "/api/"
WWW_AUTHENTICATE = 'Bearer realm="carbonpeak"'


class ErrorItem(Schema):
    code: str
    field: str
    message: str
    message_zh: str
    message_en: str
    severity: str
    line: int | None = None


class ErrorsOut(Schema):
    """Every 4xx answer of the API."""

    errors: list[ErrorItem]


def errors(*statuses: int) -> dict[int, type[ErrorsOut]]:
    """Response declarations of an operation's error statuses: ``response={200: Out} | errors(401, 403)``."""
    return dict.fromkeys(statuses, ErrorsOut)


def error_body(code: str, field: str, zh: str, en: str, line: int | None = None) -> dict[str, Any]:
    return {"errors": [Issue(code, field, zh, en, line=line).as_dict()]}


def error_response(status: int, code: str, field: str, zh: str, en: str, **headers: str) -> JsonResponse:
    resp = JsonResponse(error_body(code, field, zh, en), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        resp["WWW-Authenticate"] = WWW_AUTHENTICATE
    for name, value in headers.items():
        resp[name.replace("_", "-")] = value
    return resp


# Messages of the generic statuses: (code, zh, en).
STATUS_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求无效", "bad request"),
    401: ("unauthorized", "请登录或提供有效的接口令牌", "log in or send a valid API token"),
    403: ("forbidden", "您没有权限执行此操作。", "You are not allowed to do this."),
    404: ("not_found", "未找到", "not found"),
    405: ("method_not_allowed", "该地址不支持此请求方法", "this method is not allowed here"),
    413: ("too_large", "请求体过大", "the body is too large"),
    429: ("throttled", "请求过于频繁，请稍后再试", "too many requests; try again later"),
}


def status_response(status: int, **headers: str) -> JsonResponse:
    code, zh, en = STATUS_MESSAGES.get(status, ("error", "请求无效", "the request was refused"))
    return error_response(status, code, "", zh, en, **headers)


# Chinese for pydantic's error types (the English is pydantic's own message).
PYDANTIC_ZH: dict[str, str] = {
    "missing": "缺少必填项",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为真或假",
    "bool_parsing": "应为真或假",
    "string_type": "应为文本",
    "string_too_long": "文本过长",
    "string_too_short": "文本过短",
    "too_long": "条目过多",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "string_pattern_mismatch": "含有不允许的字符（如 NUL）",
}
# pydantic names the member of a union that failed (``value.constrained-str``): not part of the field's path.
UNION_TAG = re.compile(r"^(constrained-)?(str|float|int|bool|none|decimal)$|\[")
BODY_PARSE_ERROR = "Cannot parse request body"  # ninja's HttpError(400) for a body that is not JSON
JSON_INVALID = ("json_invalid", "", "请求体不是有效的 JSON", "the body is not valid JSON")
LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field(loc: list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in LOCATIONS:
        where = parts.pop(0)
        if where == "body" and len(parts) > 1:
            parts.pop(0)  # the operation's argument name (``payload``)
    return ".".join(str(p) for p in parts if not (isinstance(p, str) and UNION_TAG.search(p)))


def _validation_items(exc: ValidationError) -> list[dict[str, Any]]:
    """One item per field (a union reports each member's failure: the first one is kept)."""
    items: dict[str, dict[str, Any]] = {}
    for e in exc.errors:
        kind = str(e.get("type", "invalid"))
        en = str(e.get("msg", "invalid value"))
        zh = PYDANTIC_ZH.get(kind, "取值无效")
        field = _field(e.get("loc", []))
        items.setdefault(field, Issue(kind, field, zh, en).as_dict())
    return list(items.values())


def install(api: Any) -> None:
    """Register the handlers that give every error of ``api`` the one shape."""

    def respond(request, body: dict[str, Any], status: int, **headers: str):
        resp = api.create_response(request, body, status=status)
        if status == 401:
            resp["WWW-Authenticate"] = WWW_AUTHENTICATE
        for name, value in headers.items():
            resp[name.replace("_", "-")] = value
        return resp

    @api.exception_handler(ValidationFailed)
    def on_validation_failed(request, exc: ValidationFailed):
        return respond(request, exc.as_dict(), 422)

    @api.exception_handler(ValidationError)
    def on_ninja_validation(request, exc: ValidationError):
        return respond(request, {"errors": _validation_items(exc)}, 422)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request, exc: PermissionDenied):
        zh, _sep, en = str(exc).partition(" / ")
        code, zh0, en0 = STATUS_MESSAGES[403]
        return respond(request, error_body(code, "", zh or zh0, en or en0), 403)

    @api.exception_handler(Http404)
    def on_not_found(request, exc: Http404):
        code, zh, en = STATUS_MESSAGES[404]
        return respond(request, error_body(code, "", zh, en), 404)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc: RequestDataTooBig):
        code, zh, en = STATUS_MESSAGES[413]
        return respond(request, error_body(code, "", zh, en), 413)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        if isinstance(exc.__cause__, ValidationFailed):  # a body parser's own refusal, wrapped by ninja
            return respond(request, exc.__cause__.as_dict(), 422)
        if status == 400 and str(exc).startswith(BODY_PARSE_ERROR):  # like calc and the signed batches: 422
            return respond(request, error_body(*JSON_INVALID), 422)
        code, zh, en = STATUS_MESSAGES.get(status, ("error", "请求无效", str(exc)))
        if status == 403 and "CSRF" in str(exc):
            code, zh, en = "csrf", "CSRF 校验失败，请刷新页面后重试", "CSRF check failed; reload the page"
        headers = {}
        if isinstance(exc, Throttled) and exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
        return respond(request, error_body(code, "", zh, en), status, **headers)

    api.add_exception_handler(AuthenticationError, on_http_error)


class ErrorShapeMiddleware:
    """Gives the shape to the 4xx answers under /api/ that no operation made (405 from ninja's path view, the
    URL resolver's 404, Django's 400s) and are not JSON, keeping their status and headers such as ``Allow``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or not 400 <= response.status_code < 500:
            return response
        if response.get("Content-Type", "").startswith("application/json") or getattr(response, "streaming", False):
            return response  # an operation's own answer (the schema test checks its shape)
        shaped = status_response(response.status_code)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(name):
                shaped[name] = response[name]
        return shaped

