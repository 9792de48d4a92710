"""The events API within an operator's scope (`carbonpeak inclusion operator`): a client without a channel and
scenarios, or of another role, is refused 403 before anything is stored; a stored event records its batch and
through it the client; a methodology of a scenario outside the scope is rejected per row."""

from __future__ import annotations

from carbonpeak.accounts.models import ApiClient
from carbonpeak.inclusion.models import Event, EventBatch, OperatorScope
from carbonpeak.inclusion.tests.conftest import event, signed_post


def test_inclusion_operator_without_scope_is_refused_as_a_whole(scheme, resident, client):
    a = resident("amy")
    _c, token = ApiClient.issue("未配置的运营方", "operator", plan=scheme["plan"])
    r = signed_post(client, token, {"events": [event("s-1", a)]}, "k1")
    assert r.status_code == 403
    err = r.json()["errors"][0]
    assert err["code"] == "no_scope" and "场景" in err["message_zh"] and "scenarios" in err["message_en"]
    assert Event.objects.count() == 0 and EventBatch.objects.count() == 0


def test_inclusion_a_gateway_token_cannot_report_events(scheme, resident, client):
    a = resident("bob")
    gw, token = ApiClient.issue("电表网关", "gateway", plan=scheme["plan"])
    OperatorScope.objects.create(client=gw, channel="bus").scenarios.add(scheme["sc"]["green_travel"])
    r = signed_post(client, token, {"events": [event("s-2", a)]}, "k1")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "forbidden_role"
    assert Event.objects.count() == 0


def test_inclusion_event_records_batch_and_client_and_scope_limits_methodologies(scheme, resident, client):
    a = resident("cat", consent=("green_travel", "green_life"))
    scope = scheme["client"].inclusion_scope
    scope.scenarios.set([scheme["sc"]["green_travel"]])  # green_life taken out of this operator's scope
    life = scheme["sc"]["green_life"].methodologies.first().code
    body = {"events": [event("s-3", a), event("s-4", a, methodology=life, quantity="1")]}
    out = signed_post(client, scheme["token"], body, "batch-9").json()
    assert out["awarded"] == 1 and out["rejected"] == 1
    assert [x.get("field") for x in out["events"] if x["line"] == 2] == ["methodology"], out["events"]
    ev = Event.objects.select_related("batch__client").get(ref="s-3")
    assert ev.batch.idempotency_key == "batch-9" and ev.batch.client == scheme["client"] and ev.channel == "bus"
