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
from carbonpeak.config.inputguard import json_body
from carbonpeak.core.strictjson import JSONBodyError


def error(status: int, code: str, zh: str, en: str, field: str | None = None) -> JsonResponse:
    e = {"code": code, "message_zh": zh, "message_en": en, "message": f"{zh} / {en}"}
    return JsonResponse({"errors": [e if field is None else {**e, "field": field}]}, status=status)


def handle(
    request,
    *,
    roles: tuple[str, ...],
    list_key: str,
    max_rows: int,
    max_bytes: int,
    batch_model: Any,
    run: Callable[[ApiClient, list[dict[str, Any]], Any], dict[str, Any]],
) -> JsonResponse:
    """Check the signature, key and body, then run the batch once: ``run(client, rows, batch)`` inside the
    transaction that stores ``batch_model(client, idempotency_key, body_sha256, result)``."""
    client: ApiClient = request.principal
    body = request.body
    if len(body) > max_bytes:
        return error(413, "too_large", f"请求体超过 {max_bytes // 2**20} MB", "the body is too large")
    raw = request.headers.get("Authorization", "").split(" ", 1)[-1].strip()
    expected = hmac.new(ApiClient.signing_secret(raw).encode(), body, hashlib.sha256).hexdigest()
    given = request.headers.get("X-Signature", "").strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        return error(401, "bad_signature", "X-Signature 签名无效", "X-Signature does not match the body")
    if client.role not in roles:
        return error(403, "forbidden", "该客户端无权上报此类数据", "this client may not send this batch")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100 or "\x00" in key:
        return error(
            422, "idempotency_key", "请提供 Idempotency-Key（最多 100 字符）", "send an Idempotency-Key (<= 100 chars)"
        )
    try:
        payload = json_body(request)  # strict: duplicate keys, NaN, deep nesting refused (config.inputguard)
    except JSONBodyError as e:
        return error(422, e.code, e.zh, e.en, e.field)
    try:
        rows = payload[list_key]
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    except (KeyError, TypeError, AssertionError):
        return error(
            422, "bad_body", f'请求体应为 {{"{list_key}": [...]}}', f'the body must be {{"{list_key}": [...]}}'
        )
    if len(rows) > max_rows:
        return error(413, "too_many_rows", f"每批最多 {max_rows} 条", f"at most {max_rows} rows per batch")
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
            )
        resp = JsonResponse(stored.result)
        resp["Idempotent-Replay"] = "true"
        return resp
    return JsonResponse(result)
