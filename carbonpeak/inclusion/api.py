"""Operators' signed event batches: ``POST /api/v1/inclusion/events``.

Same signing as the readings API (``accounts.signed``): bearer token, ``X-Signature`` HMAC over the body,
``Idempotency-Key``, at most ``MAX_BATCH`` events. Body ``{"events": [{"ref", "resident", "methodology",
"quantity", "occurred_at", "duration_minutes"?}, …]}``; ``resident`` is the resident's pseudonymous id. The
answer gives each event's result (``line`` = position, from 1): awarded (with points), held for review,
waiting for budget, duplicate, or rejected (field and message). A replayed batch returns the stored answer
and changes nothing.

An operator acts for its own county only (issue 15): the scenarios of its scope that are its county's, and
the residents of that county (another county's resident is an unknown pseudonymous id).
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from carbonpeak.accounts import signed
from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import Role
from carbonpeak.api_errors import errors
from carbonpeak.inclusion import awards
from carbonpeak.inclusion.models import EventBatch, OperatorScope

router = Router(tags=["inclusion"])
MAX_BODY_BYTES = 4 * 2**20
EVENT_ROW = {
    "type": "object",
    "required": ["ref", "resident", "methodology", "quantity", "occurred_at"],
    "properties": {
        "ref": {"type": "string", "description": "the operator's own id of the event / 事件编号"},
        "resident": {"type": "string", "description": "the resident's pseudonymous id / 居民假名编号"},
        "methodology": {"type": "string", "description": "methodology code / 方法学编号"},
        "quantity": {"type": ["string", "number"], "description": "in the methodology's unit / 数量"},
        "occurred_at": {"type": "string", "description": "ISO 8601 time / 发生时间"},
        "duration_minutes": {"type": ["string", "number", "null"], "description": "for distance / 时长（分钟）"},
    },
}


class EventsReport(Schema):
    awarded: int
    held: int
    waiting: int
    duplicate: int
    rejected: int
    points: int
    events: list[dict[str, Any]]


def _authorize(client):
    """An operator reports only within its scope (``carbonpeak inclusion operator``): its channel and scenarios;
    an operator without one is refused as a whole (403), before anything is stored."""
    if client.role != Role.OPERATOR:
        return signed.error(
            403,
            "forbidden_role",
            "只有数据运营方（operator）客户端可以上报碳普惠事件",
            "only a data operator client (role operator) may send 碳普惠 events",
        )
    if (
        client.plan_id is None
        or not OperatorScope.objects.filter(client=client, scenarios__plan=client.plan_id).exists()
    ):
        return signed.error(
            403,
            "no_scope",
            "该客户端未配置碳普惠渠道与场景（carbonpeak inclusion operator 名称 --channel 渠道 --scenario 场景）",
            "this client has no 碳普惠 channel and scenarios (carbonpeak inclusion operator NAME --channel --scenario)",
        )
    return None


def _run(client, rows, batch):
    scope = OperatorScope.objects.get(client=client)
    scenarios = list(scope.scenarios.filter(plan=client.plan_id).prefetch_related("methodologies"))
    return awards.ingest(client.plan, rows, scope.channel, scenarios, batch=batch).as_dict()


@router.post(
    "/events",
    auth=ClientToken(),
    response={200: EventsReport} | errors(401, 403, 413, 422),
    openapi_extra=signed.openapi("events", EVENT_ROW, awards.MAX_BATCH),
    summary="Signed batch of low-carbon events / 碳普惠减排事件批量上报",
)
def post_events(request):
    return signed.handle(
        request,
        roles=None,
        authorize=_authorize,
        list_key="events",
        max_rows=awards.MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=EventBatch,
        run=_run,
    )
