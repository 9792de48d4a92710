"""The API keeps its OpenAPI contract: schemathesis generates requests for every operation of
/api/v1/openapi.json (valid and invalid ones), sends them in-process to the Django WSGI application with a loaded
plan, anonymously and with an office token, and checks each answer: never a 5xx, a status the operation
declares, the declared content type, headers and body schema, every 4xx in the ``{"errors": [...]}`` shape and
every 401 with ``WWW-Authenticate``. Bounded (``MAX_EXAMPLES`` per operation and mode) and derandomized, so the
run is the same on every machine. Each operation is fuzzed twice: with generated path parameters (mostly 404s)
and with the loaded plan's real ones (its code, a target, a task, an inventory year, the shipped factor set), so
valid and invalid bodies reach the services. The signed batch endpoints are fuzzed unsigned: they must refuse
with the shape, never fail."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 10


def error_shape(ctx, response, case) -> None:
    """Every 4xx is ``{"errors": [{code, field, message, message_zh, message_en}, …]}``; a 401 says how to
    authenticate."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"], body
    for item in body["errors"]:
        assert {"code", "field", "message", "message_zh", "message_en"} <= item.keys(), item
    if response.status_code == 401:
        assert response.headers.get("www-authenticate"), "401 without WWW-Authenticate"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    error_shape,
]


@pytest.fixture
def wsgi_app():
    """The Django WSGI application, without closing the test's database connection after each request (what
    Django's own test client does too: the test runs inside one transaction)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def known(plan, office) -> dict[str, dict[str, str]]:
    """Real path and query parameters: the plan's code, a target and a task, a year with accounts, a version."""
    from carbonpeak.accounting import services
    from carbonpeak.accounting.models import FactorSet

    services.create_inventory(office, plan, 2021)
    version = FactorSet.objects.order_by("pk").values_list("version", flat=True).first()
    # a round with a project report (issue 16), so the project endpoints reach their services
    import datetime as dt

    from carbonpeak.plan import projects as project_services
    from carbonpeak.plan.models import DispatchRound

    rnd = DispatchRound.objects.create(plan=plan, year=2025, quarter=1, due_date=dt.date(2099, 1, 1))
    data = {"status": "preparing", "investment_share": "0.1", "progress": "x"}
    report = project_services.submit_project_report(office, rnd, plan.projects.get(code="P01.6"), data)
    path = {
        "code": plan.code,
        "target": plan.targets.order_by("pk").first().code,
        "task": plan.tasks.order_by("pk").first().code,
        "year": "2021",
        "version": version,
        "project": "P01.6",
        "round_id": str(rnd.pk),
        "report_id": str(report.pk),
    }
    return {"path": path, "query": {"a": version, "b": version}}


@pytest.fixture
def office_token(plan):
    from carbonpeak.accounts.choices import Role
    from carbonpeak.accounts.models import ApiClient

    return ApiClient.issue("schemathesis-office", Role.OFFICE, plan=plan)[1]  # the loaded county's office


def run_schema(app, headers: dict[str, str], known: dict[str, dict[str, str]]) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, [op.label for op in operations]
    for op in operations:
        names = re.findall(r"{(\w+)}", op.path)
        fixed = {"path_parameters": {n: known["path"][n] for n in names}} if names else {}
        if op.path.endswith("/diff"):
            fixed = {"query": known["query"]}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for given_params in ({}, fixed) if fixed else ({},):

                @settings(
                    max_examples=MAX_EXAMPLES,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=op.as_strategy(generation_mode=mode, **given_params))
                def check(case):
                    case.call_and_validate(headers=headers, checks=CHECKS)

                try:
                    check()
                except Unsatisfiable:
                    assert mode == GenerationMode.NEGATIVE, op.label  # no input of this operation can be invalid
                except BaseException as exc:  # schemathesis reports an exception group of failures
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    where = "real parameters" if given_params else "generated parameters"
                    failures.append(f"{op.label} ({mode.value}, {where}): {str(exc)[:1200]}")
    return failures


def test_every_operation_keeps_its_contract_anonymously(wsgi_app, known):
    failures = run_schema(wsgi_app, {}, known)
    assert not failures, "\n\n".join(failures)


def test_every_operation_keeps_its_contract_with_an_office_token(wsgi_app, known, office_token):
    failures = run_schema(wsgi_app, {"Authorization": f"Bearer {office_token}"}, known)
    assert not failures, "\n\n".join(failures)
