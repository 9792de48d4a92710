"""PostgreSQL: two imports of the same new unit at the same instant store it once (one accepted, the other a
duplicate, no error); a signed batch sent twice at once is run once (the readings API's guarantee)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from carbonpeak.accounts.models import ApiClient
from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.models import Unit, UnitBatch
from carbonpeak.generation.services import import_units, set_grid_client
from carbonpeak.generation.tests.test_api import send
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.tabular import read_rows
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSV = b"unit_id,type,township,capacity_mw,connected_on\nPV-1,pv,x,40,2024-03-01\n"


def test_the_same_new_unit_at_once_is_stored_once(plan, office):
    from django.db import connection

    assert connection.vendor == "postgresql"
    out = race([lambda: import_units(office, plan, read_rows(CSV, UNITS, "u.csv")) for _ in range(2)])
    assert all(not isinstance(r, Exception) for r in out), out
    assert sorted((r.accepted, r.duplicates) for r in out) == [(0, 1), (1, 0)]
    assert Unit.objects.filter(plan=plan, unit_id="PV-1").count() == 1
    v = IndicatorValue.objects.get(target__code="new_energy_capacity", year=2024)
    assert v.value == Decimal("40")


def test_the_same_batch_twice_at_once_runs_once(plan):
    c, token = ApiClient.issue("国网", "gateway", plan=plan)
    set_grid_client(None, c)
    body = json.dumps(
        {"units": [{"unit_id": "PV-1", "type": "pv", "township": "x", "capacity_mw": 40, "connected_on": "2024-03-01"}]}
    ).encode()
    out = race([lambda: send(token, body, key="same") for _ in range(2)])
    assert sorted(r.status_code for r in out) == [200, 200]
    assert out[0].json() == out[1].json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert UnitBatch.objects.count() == 1 and Unit.objects.count() == 1
