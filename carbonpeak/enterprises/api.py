"""The signed machine API for meter gateways and the grid company.

``POST /api/v1/monitoring/readings`` with ``Authorization: Bearer <token>``, ``X-Signature: <hex HMAC-SHA256
of the raw body with the client's signing secret>`` and ``Idempotency-Key``; body ``{"readings": [{"meter_code",
"reading_time", "quantity"}, …]}`` of at most ``MAX_BATCH`` rows. The answer is the per-row report
(``line`` = position in ``readings``, from 1). The same key with the same body replays the stored report
(``Idempotent-Replay: true``) and changes nothing; the same key with another body is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from ninja import Router

from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import Role
from carbonpeak.accounts.models import ApiClient
from carbonpeak.enterprises.choices import ReadingSource
from carbonpeak.enterprises.models import IngestBatch
from carbonpeak.enterprises.services import ingest_readings

router = Router(tags=["monitoring"])
MAX_BATCH = 10_000
MAX_BODY_BYTES = 4 * 2**20
INGEST_ROLES = (Role.OPERATOR, Role.OFFICE)


def _error(status: int, code: str, zh: str, en: str) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"code": code, "message_zh": zh, "message_en": en, "message": f"{zh} / {en}"}]}, status=status
    )


@router.post("/readings", auth=ClientToken(), summary="Signed batch of meter readings / 计量读数批量上报")
def post_readings(request):
    client: ApiClient = request.principal
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"请求体超过 {MAX_BODY_BYTES // 2**20} MB", "the body is too large")
    raw = request.headers.get("Authorization", "").split(" ", 1)[-1].strip()
    expected = hmac.new(ApiClient.signing_secret(raw).encode(), body, hashlib.sha256).hexdigest()
    given = request.headers.get("X-Signature", "").strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        return _error(401, "bad_signature", "X-Signature 签名无效", "X-Signature does not match the body")
    if client.role not in INGEST_ROLES:
        return _error(403, "forbidden", "该客户端无权上报读数", "this client may not send readings")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return _error(
            422, "idempotency_key", "请提供 Idempotency-Key（最多 100 字符）", "send an Idempotency-Key (<= 100 chars)"
        )
    try:
        payload = json.loads(body)
        rows = payload["readings"]
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    except (ValueError, KeyError, TypeError, AssertionError):
        return _error(422, "bad_body", '请求体应为 {"readings": [...]}', 'the body must be {"readings": [...]}')
    if len(rows) > MAX_BATCH:
        return _error(413, "too_many_rows", f"每批最多 {MAX_BATCH} 条", f"at most {MAX_BATCH} readings per batch")
    sha = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            batch = IngestBatch.objects.create(client=client, idempotency_key=key, body_sha256=sha, result={})
            report = ingest_readings(None, list(enumerate(rows, start=1)), source=ReadingSource.API).as_dict()
            batch.result = report
            batch.save(update_fields=["result"])
    except IntegrityError:
        stored = IngestBatch.objects.get(client=client, idempotency_key=key)
        if stored.body_sha256 != sha:
            return _error(
                422,
                "idempotency_conflict",
                "该 Idempotency-Key 已用于另一批数据",
                "this Idempotency-Key was used for another body",
            )
        resp = JsonResponse(stored.result)
        resp["Idempotent-Replay"] = "true"
        return resp
    return JsonResponse(report)
