"""Signed machine batches (meter gateways, operators): the checks every batch endpoint makes, in one place.

``Authorization: Bearer <token>``; ``X-Signature``: hex HMAC-SHA256 of the raw body with the client's signing
secret; ``Idempotency-Key`` (≤ 100 chars); a body-size limit. The same key with the same body replays the
stored result; the same key with another body is refused."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import JsonResponse

from carbonpeak.accounts.models import ApiClient
from carbonpeak.api_errors import error_response
from carbonpeak.core.strictjson import JSONBodyError
from carbonpeak.validation import json_body

SIGNATURE_HEADER = "X-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 100


def error(status: int, code: str, zh: str, en: str, field: str = "") -> JsonResponse:
    """The API's error shape (``carbonpeak.api_errors``); a 401 carries ``WWW-Authenticate``."""
    return error_response(status, code, field, zh, en)


def openapi(list_key: str, row_schema: dict[str, Any], max_rows: int) -> dict[str, Any]:
    """The OpenAPI description of a signed batch endpoint: its headers and the body the endpoint reads raw."""
    return {
        "parameters": [
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "description": "hex HMAC-SHA256 of the raw body with the client's signing secret / 请求体的签名",
                "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
            },
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": True,
                "description": "the same key with the same body replays the stored answer / 幂等键",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": [list_key],
                        "properties": {list_key: {"type": "array", "maxItems": max_rows, "items": row_schema}},
                    }
                }
            },
        },
    }


def handle(
    request,
    *,
    roles: tuple[str, ...] | None,
    list_key: str,
    max_rows: int,
    max_bytes: int,
    batch_model: Any,
    run: Callable[[ApiClient, list[dict[str, Any]], Any], dict[str, Any]],
    authorize: Callable[[ApiClient], JsonResponse | None] | None = None,
) -> JsonResponse:
    """Check the signature, the client's role (``roles``) and scope (``authorize(client)`` answers a 403 or
    None), the key and the body, then run the batch once: ``run(client, rows, batch)`` inside the transaction
    that stores ``batch_model(client, idempotency_key, body_sha256, result)``."""
    client: ApiClient = request.principal
    body = request.body
    if len(body) > max_bytes:
        return error(413, "too_large", f"请求体超过 {max_bytes // 2**20} MB", "the body is too large")
    raw = request.headers.get("Authorization", "").split(" ", 1)[-1].strip()
    expected = hmac.new(ApiClient.signing_secret(raw).encode(), body, hashlib.sha256).hexdigest()
    given = request.headers.get(SIGNATURE_HEADER, "").strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        return error(
            401, "bad_signature", "X-Signature 签名无效", "X-Signature does not match the body", SIGNATURE_HEADER
        )
    if roles is not None and client.role not in roles:
        return error(403, "forbidden", "该客户端无权上报此类数据", "this client may not send this batch")
    refused = authorize(client) if authorize is not None else None
    if refused is not None:
        return refused
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or "\x00" in key:
        return error(
            422,
            "idempotency_key",
            "请提供 Idempotency-Key（最多 100 字符）",
            "send an Idempotency-Key (<= 100 chars)",
            IDEMPOTENCY_HEADER,
        )
    try:
        payload = json_body(request)  # strict: duplicate keys, NaN, deep nesting refused (validation.json_body)
    except JSONBodyError as e:
        return error(422, e.code, e.zh, e.en, e.field or "")
    try:
        rows = payload[list_key]
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    except (KeyError, TypeError, AssertionError):
        return error(
            422,
            "bad_body",
            f'请求体应为 {{"{list_key}": [...]}}',
            f'the body must be {{"{list_key}": [...]}}',
            list_key,
        )
    if len(rows) > max_rows:
        return error(413, "too_many_rows", f"每批最多 {max_rows} 条", f"at most {max_rows} rows per batch", list_key)
    sha = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            batch = batch_model.objects.create(client=client, idempotency_key=key, body_sha256=sha, result={})
            result = run(client, rows, batch)
            batch.result = result
            batch.save(update_fields=["result"])
    except IntegrityError:
        stored = batch_model.objects.filter(client=client, idempotency_key=key).first()
        if stored is None:
            raise
        if stored.body_sha256 != sha:
            return error(
                422,
                "idempotency_conflict",
                "该 Idempotency-Key 已用于另一批数据",
                "this Idempotency-Key was used for another body",
                IDEMPOTENCY_HEADER,
            )
        resp = JsonResponse(stored.result)
        resp["Idempotent-Replay"] = "true"
        return resp
    return JsonResponse(result)
