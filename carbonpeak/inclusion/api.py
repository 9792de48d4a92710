"""Operators' signed event batches: ``POST /api/v1/inclusion/events``.

Same signing as the readings API (``accounts.signed``): bearer token, ``X-Signature`` HMAC over the body,
``Idempotency-Key``, at most ``MAX_BATCH`` events. Body ``{"events": [{"ref", "resident", "methodology",
"quantity", "occurred_at", "duration_minutes"?}, …]}``; ``resident`` is the resident's pseudonymous id. The
answer gives each event's result (``line`` = position, from 1): awarded (with points), held for review,
waiting for budget, duplicate, or rejected (field and message). A replayed batch returns the stored answer
and changes nothing.
"""

from __future__ import annotations

from ninja import Router

from carbonpeak.accounts import signed
from carbonpeak.accounts.auth import ClientToken
from carbonpeak.accounts.choices import Role
from carbonpeak.inclusion import awards
from carbonpeak.inclusion.models import EventBatch, OperatorScope

router = Router(tags=["inclusion"])
MAX_BODY_BYTES = 4 * 2**20


def _run(client, rows, batch):
    scope = OperatorScope.objects.filter(client=client).prefetch_related("scenarios__methodologies").first()
    if scope is None:
        res = awards.Result()
        for n, _r in enumerate(rows, start=1):
            res.reject(n, "client", "该客户端未配置碳普惠场景", "client: no inclusion scenarios configured")
        return res.as_dict()
    scenarios = list(scope.scenarios.all())
    plan = scenarios[0].plan if scenarios else None
    return awards.ingest(plan, rows, scope.channel, scenarios, batch=batch).as_dict()


@router.post("/events", auth=ClientToken(), summary="Signed batch of low-carbon events / 碳普惠减排事件批量上报")
def post_events(request):
    return signed.handle(
        request,
        roles=(Role.OPERATOR,),
        list_key="events",
        max_rows=awards.MAX_BATCH,
        max_bytes=MAX_BODY_BYTES,
        batch_model=EventBatch,
        run=_run,
    )
