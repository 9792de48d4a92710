"""The signed machine API of the GPS platform and the weighbridges.

``POST /api/v1/waste/gps`` (``{"points": [{"plate", "time", "lat", "lon", "speed_kmh"}, …]}``) and
``POST /api/v1/waste/receipts`` (``{"receipts": [{"receipt_id", "manifest_id", "destination_id", "arrived_at",
"net_t"}, …]}``), signed and idempotent as the readings API (``accounts/signed.py``: ``Authorization: Bearer``,
``X-Signature`` HMAC-SHA256 of the raw body, ``Idempotency-Key``; the same key and body replay the stored
report, the same key with another body is refused). The answer is the per-row report (``line`` = position in
the list, from 1).

Only a client of role ``gateway`` whose scope names the kind (``carbonpeak waste client NAME --kind
gps|receipts``) may send, into its own county only; a time must state its offset (a machine states its
clock's offset, as for readings).
"""

from __future__ import annotations

from ninja import Router, Schema

from carbonpeak.accounts import signed
from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import Role
from carbonpeak.api_errors import errors
from carbonpeak.tabular.times import parse_time
from carbonpeak.waste import services
from carbonpeak.waste.models import WasteBatch

router = Router(tags=["waste"])
MAX_BATCH = 10_000
MAX_BODY_BYTES = 4 * 2**20


def _authorizer(kind: str):
    def authorize(client):
        if client.role != Role.GATEWAY:
            return signed.error(
                403, "forbidden_role", "只有数据上报方（gateway）客户端可以上报", "only a gateway client may send"
            )
        if client.plan_id is None or not client.waste_scopes.filter(kind=kind).exists():
            return signed.error(
                403,
                "no_scope",
                f"该客户端未被授权上报此类数据（carbonpeak waste client 名称 --kind {kind}）",
                f"this client may not send {kind} (carbonpeak waste client NAME --kind {kind})",
            )
        return None

    return authorize


class RejectedRow(Schema):
    line: int | None
    field: str
    message: str


class BatchReport(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedRow]


GPS_ROW = {
    "type": "object",
    "required": ["plate", "time", "lat", "lon", "speed_kmh"],
    "properties": {
        "plate": {"type": "string", "description": "plate / 车牌号"},
        "time": {"type": "string", "description": "ISO 8601 time with offset / 定位时间（带时区）"},
        "lat": {"type": ["number", "string"]},
        "lon": {"type": ["number", "string"]},
        "speed_kmh": {"type": ["number", "string"]},
    },
}
RECEIPT_ROW = {
    "type": "object",
    "required": ["receipt_id", "manifest_id", "destination_id", "arrived_at", "net_t"],
    "properties": {
        "receipt_id": {"type": "string"},
        "manifest_id": {"type": "string"},
        "destination_id": {"type": "string"},
        "arrived_at": {"type": "string", "description": "ISO 8601 time with offset / 到场时间（带时区）"},
        "net_t": {"type": ["number", "string"], "description": "net weight, t / 净重（吨）"},
    },
}


@router.post(
    "/gps",
    auth=ClientToken(),
    response={200: BatchReport} | errors(401, 403, 413, 422),
    openapi_extra=signed.openapi("points", GPS_ROW, MAX_BATCH),
    summary="Signed batch of vehicle GPS points / 车辆定位批量上报",
)
def post_gps(request):
    return signed.handle(
        request,
        roles=None,
        authorize=_authorizer("gps"),
        list_key="points",
        max_rows=MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=WasteBatch,
        run=lambda client, rows, batch: services.ingest_gps(
            client.plan, list(enumerate(rows, start=1)), local=False, actor=client
        ).as_dict(),
    )


def _receipts(client, rows):
    """Receipts from a machine: the strict time grammar (an offset required), then the import's rules."""
    clean = []
    bad = []
    for n, r in enumerate(rows, start=1):
        r = {k: ("" if v is None else v if isinstance(v, str) else str(v)) for k, v in r.items()}
        if parse_time(r.get("arrived_at", "")) is None:
            bad.append(n)
        clean.append((n, r))
    rep = services.import_rows(
        client, client.plan, "receipts", [(n, r) for n, r in clean if n not in bad], checked=True
    )
    for n in bad:
        rep.reject(
            n,
            "arrived_at",
            "arrived_at：应为带时区的时间，如 2026-03-02T09:05:00+08:00",
            "arrived_at: a timestamp with its offset",
        )
    return rep.as_dict()


@router.post(
    "/receipts",
    auth=ClientToken(),
    response={200: BatchReport} | errors(401, 403, 413, 422),
    openapi_extra=signed.openapi("receipts", RECEIPT_ROW, MAX_BATCH),
    summary="Signed batch of weighbridge receipts / 过磅单批量上报",
)
def post_receipts(request):
    return signed.handle(
        request,
        roles=None,
        authorize=_authorizer("receipts"),
        list_key="receipts",
        max_rows=MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=WasteBatch,
        run=lambda client, rows, batch: _receipts(client, rows),
    )
