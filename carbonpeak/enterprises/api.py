"""The signed machine API for meter gateways and the grid company.

``POST /api/v1/monitoring/readings`` with ``Authorization: Bearer <token>``, ``X-Signature: <hex HMAC-SHA256
of the raw body with the client's signing secret>`` and ``Idempotency-Key``; body ``{"readings": [{"meter_code",
"reading_time", "quantity"}, …]}`` of at most ``MAX_BATCH`` rows. The answer is the per-row report
(``line`` = position in ``readings``, from 1). The same key with the same body replays the stored report
(``Idempotent-Replay: true``) and changes nothing; the same key with another body is refused.

Only a client of role ``gateway`` may send readings, and only for the meters of the enterprises in its scope
(``carbonpeak client scope NAME --enterprise USCC``) that are registered in the client's own county: any other
client (a 碳普惠 operator, a department, the office's scripts) is answered 403, a gateway without enterprises
of its county too, and a row naming a meter outside the scope or of another county is rejected as unknown
(meter codes are looked up in the client's county only). Every stored reading records its batch, and through
it the client that sent it.
"""

from __future__ import annotations

from ninja import Router, Schema

from carbonpeak.accounts import signed
from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import READING_ROLES
from carbonpeak.api_errors import errors
from carbonpeak.enterprises.choices import ReadingSource
from carbonpeak.enterprises.models import IngestBatch
from carbonpeak.enterprises.services import ingest_readings

router = Router(tags=["monitoring"])
MAX_BATCH = 10_000
MAX_BODY_BYTES = 4 * 2**20
INGEST_ROLES = READING_ROLES


def _authorize(client):
    if client.role not in INGEST_ROLES:
        return signed.error(
            403,
            "forbidden_role",
            "只有计量数据上报方（gateway）客户端可以上报计量读数",
            "only a meter gateway client (role gateway) may send meter readings",
        )
    if client.plan_id is None or not client.reading_enterprises.filter(plan_id=client.plan_id).exists():
        return signed.error(
            403,
            "no_scope",
            "该客户端未被授权上报任何企业的读数（carbonpeak client scope 名称 --enterprise 统一社会信用代码）",
            "this client may send no enterprise's readings (carbonpeak client scope NAME --enterprise USCC)",
        )
    return None


READING_ROW = {
    "type": "object",
    "required": ["meter_code", "reading_time", "quantity"],
    "properties": {
        "meter_code": {"type": "string", "description": "the meter's code / 计量器具编号"},
        "reading_time": {"type": "string", "description": "ISO 8601 time (Beijing time without offset) / 读数时间"},
        "quantity": {"type": ["string", "number"], "description": "the reading in the meter's unit / 读数"},
    },
}


class RejectedRow(Schema):
    line: int | None
    field: str
    message: str


class ReadingsReport(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedRow]


@router.post(
    "/readings",
    auth=ClientToken(),
    response={200: ReadingsReport} | errors(401, 403, 413, 422),
    openapi_extra=signed.openapi("readings", READING_ROW, MAX_BATCH),
    summary="Signed batch of meter readings / 计量读数批量上报",
)
def post_readings(request):
    return signed.handle(
        request,
        roles=None,
        authorize=_authorize,
        list_key="readings",
        max_rows=MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=IngestBatch,
        run=lambda client, rows, batch: ingest_readings(
            client.plan, list(enumerate(rows, start=1)), source=ReadingSource.API, batch_id=batch.pk, client=client
        ).as_dict(),
    )
