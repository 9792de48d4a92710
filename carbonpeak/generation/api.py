"""The signed machine API of the grid company: generation units in batches.

``POST /api/v1/generation/units`` with ``Authorization: Bearer <token>``, ``X-Signature`` (hex HMAC-SHA256 of
the raw body with the client's signing secret) and ``Idempotency-Key``; body ``{"units": [{"unit_id", "type",
"township", "capacity_mw", "connected_on", "retired_on"?, "project_code"?, "owner"?}, …], "update"?: true}`` of at
most ``MAX_BATCH`` rows. The answer is the per-row report (``line`` = position in ``units``, from 1), as the
file import's: equal units are duplicates, a unit registered with other values is a conflict unless the (signed)
body says ``"update": true``. The same key with the same body replays the stored report and changes nothing.

Only a client of role ``gateway`` that the office allowed (``carbonpeak units client NAME``) sends units, and
only into its own county. After a batch that changed units the capacity targets are re-fed.
"""

from __future__ import annotations

import json

from ninja import Router, Schema

from carbonpeak.accounts import signed
from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import READING_ROLES
from carbonpeak.api_errors import errors
from carbonpeak.generation.models import UnitBatch
from carbonpeak.generation.permissions import is_grid_client
from carbonpeak.generation.services import import_units

router = Router(tags=["generation"])
MAX_BATCH = 5_000
MAX_BODY_BYTES = 4 * 2**20

UNIT_ROW = {
    "type": "object",
    "required": ["unit_id", "type", "township", "capacity_mw", "connected_on"],
    "properties": {
        "unit_id": {"type": "string", "description": "the unit's id, unique in the county / 机组编号"},
        "type": {
            "type": "string",
            "enum": ["pv", "wind", "hydro", "biomass", "waste_to_energy", "storage"],
            "description": "unit type / 类型",
        },
        "township": {"type": "string", "description": "township / 乡镇"},
        "capacity_mw": {"type": ["string", "number"], "description": "MW, > 0, <= 4 decimals / 装机容量（兆瓦）"},
        "connected_on": {"type": "string", "description": "Beijing date YYYY-MM-DD / 并网日期"},
        "retired_on": {"type": ["string", "null"], "description": "Beijing date / 退役日期"},
        "project_code": {"type": ["string", "null"], "description": "the plan project's code / 所属项目编码"},
        "owner": {"type": ["string", "null"], "description": "owner / 业主"},
    },
}


def _openapi() -> dict:
    spec = signed.openapi("units", UNIT_ROW, MAX_BATCH)
    body = spec["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["update"] = {
        "type": "boolean",
        "description": "change registered units whose values differ (audited) / 更新已登记机组",
    }
    return spec


def _authorize(client):
    if client.role not in READING_ROLES or client.plan_id is None or not is_grid_client(client, client.plan):
        return signed.error(
            403,
            "no_scope",
            "该客户端未被授权上报并网机组（carbonpeak units client 名称）",
            "this client may not send generation units (carbonpeak units client NAME)",
        )
    return None


class RejectedRow(Schema):
    line: int | None
    field: str
    message: str


class UnitsReport(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedRow]


@router.post(
    "/units",
    auth=ClientToken(),
    response={200: UnitsReport} | errors(401, 403, 413, 422),
    openapi_extra=_openapi(),
    summary="Signed batch of generation units / 并网机组批量上报",
)
def post_units(request):
    def run(client, rows, batch):
        update = json.loads(request.body).get("update") is True  # the strict parser already accepted the body
        return import_units(client, client.plan, list(enumerate(rows, start=1)), update=update).as_dict()

    return signed.handle(
        request,
        roles=None,
        authorize=_authorize,
        list_key="units",
        max_rows=MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=UnitBatch,
        run=run,
    )
