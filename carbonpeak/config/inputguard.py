"""Request bodies, checked once before any view or other middleware reads them.

- Size: a declared ``Content-Length`` over the limit is answered 413 without reading the body: multipart
  uploads up to ``CARBONPEAK_UPLOAD_MAX_BYTES``, every other body up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``. (Under
  WSGI a body without ``Content-Length`` is never read by Django; under ASGI ``BodyCapASGI`` stops a
  chunked body at the same limit while it streams in.) Django's own RequestDataTooBig becomes 413 too.
- Forms: a malformed multipart body or too many fields is a 400, not a 500.
- JSON: a JSON body is parsed once by ``core.strictjson`` (duplicate keys, NaN, too deep → 422); the ninja
  parser and the signed machine APIs take the parsed value from the request instead of parsing again.

Errors use the API's shape ``{"errors": [{code, field, message_zh, message_en, message, severity}]}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from ninja.parser import Parser

from carbonpeak.core import strictjson
from carbonpeak.validation import Issue, ValidationFailed, json_body

#: endpoints with a contract of their own for bodies: ``/api/v1/calc`` reads the case with the core's strict
#: parser (exact decimals, duplicate keys and NaN reported with their path in the calc error object), exactly as
#: ``carbonpeak calc`` does; only the size limit applies to them here
OWN_PARSER_PATHS = ("/api/v1/calc",)


def error(status: int, code: str, zh: str, en: str, field: str = "body") -> JsonResponse:
    """The API's one error shape (``carbonpeak.api_errors``): each item is a validation ``Issue``."""
    return JsonResponse(
        {"errors": [Issue(code, field, zh, en).as_dict()]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def upload_limit() -> int:
    return int(getattr(settings, "CARBONPEAK_UPLOAD_MAX_BYTES", 0) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def limit_for(content_type: str) -> int:
    if content_type == "multipart/form-data":
        return upload_limit()
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def too_large(limit: int) -> JsonResponse:
    mb = f"{limit / 2**20:g}"
    return error(413, "too_large", f"请求体超过 {mb} MB 的上限", f"the request body is over the {mb} MB limit")


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error(400, "bad_length", "Content-Length 无效", "the Content-Length header is not a number")
        ctype = request.content_type or ""
        limit = limit_for(ctype)
        if length > limit:
            return too_large(limit)
        if length and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                    request.POST  # noqa: B018 - parsed here so that its errors are answered here
                elif is_json(ctype) and not request.path.startswith(OWN_PARSER_PATHS):
                    json_body(request)
            except RequestDataTooBig:
                return too_large(limit)
            except TooManyFieldsSent:
                return error(400, "too_many_fields", "表单字段过多", "the form has too many fields")
            except MultiPartParserError:
                return error(400, "bad_form", "上传的表单无法解析", "the uploaded form cannot be read")
            except strictjson.JSONBodyError as e:
                return error(422, e.code, e.zh, e.en, field=e.field)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """NUL anywhere in the path, the query or a form is refused before any view (session and user are set
        by now, so the errors page renders as usual)."""
        form = (request.content_type or "") in ("multipart/form-data", "application/x-www-form-urlencoded")
        nul = _nul_field(request, form=form)
        if nul is None:
            return None
        issue = Issue("nul", nul, f"{nul}：含有空字符（NUL）", f"{nul}: contains a NUL character")
        return self.process_exception(request, ValidationFailed([issue]))

    def process_exception(self, request: HttpRequest, exc: Exception):
        """A ValidationFailed no view caught (a malformed id or year from the validation layer) is a 422 that
        names the field: the errors page for people, the errors shape for the API."""
        if not isinstance(exc, ValidationFailed):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exc.as_dict(), status=422, json_dumps_params={"ensure_ascii": False})
        return render(request, "web/errors.html", {"errors": exc.issues, "back": request.path}, status=422)


def _nul_field(request: HttpRequest, *, form: bool) -> str | None:
    """The first place a NUL character was sent (the path, a query parameter, a form field), or None. No
    database stores one (PostgreSQL refuses it in every text), so it is refused here, for every page at once."""
    if "\x00" in request.path:
        return "path"
    sources = [request.GET] + ([request.POST] if form and request.method not in ("GET", "HEAD") else [])
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
    return None


class StrictParser(Parser):
    """django-ninja's body parser, strict (see ``core.strictjson``) and sharing the middleware's parse."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_body(request)


class BodyCapASGI:
    """ASGI wrapper: a request body (chunked or not) that grows past the limit is answered 413 as it streams,
    before Django has spooled the whole of it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        limit = limit_for(ctype)
        seen = 0

        async def capped_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            return await self.app(scope, capped_receive, send)
        except _TooLarge:
            resp = too_large(limit)
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": resp.content})
            return None


class _TooLarge(Exception):
    pass
