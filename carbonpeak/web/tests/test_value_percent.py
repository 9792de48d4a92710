"""The department workspace's value form takes shares in percent, as the target page does (issue 14)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _card(body: str, code: str) -> str:
    return body.split(f'id="value-{code}"')[1].split("</form>")[0]


def _fields(card: str) -> dict[str, str]:
    """The hidden fields the form posts (csrf aside)."""
    return {
        n: v
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', card)
        if n != "csrfmiddlewaretoken"
    }


def test_workspace_share_is_typed_in_percent_and_stored_as_fraction(plan, fgj):
    from carbonpeak.plan.models import IndicatorValue

    c = _client(fgj)
    body = c.get(reverse("workspace")).content.decode()
    card = _card(body, "energy_intensity_reduction")
    assert "0–1" not in card and "百分比，20% 填 20" in card
    fields = _fields(card)
    assert fields == {"value_in": "percent"}
    url = reverse("submit_value", args=["energy_intensity_reduction"])
    r = c.post(url, {**fields, "year": 2024, "value": "13"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'role="status"' in r.content.decode()
    assert IndicatorValue.objects.get(target__code="energy_intensity_reduction").value == Decimal("0.13")
    assert "13" in r.content.decode() and 'data-light="green"' in r.content.decode()


def test_workspace_percent_out_of_range_is_told_in_percent_and_stores_nothing(plan, fgj):
    from carbonpeak.plan.models import IndicatorValue

    c = _client(fgj)
    url = reverse("submit_value", args=["gasification_population_share"])
    card = _card(c.get(reverse("workspace")).content.decode(), "gasification_population_share")
    r = c.post(url, {**_fields(card), "year": 2024, "value": "150"}, HTTP_HX_REQUEST="true")
    alert = r.content.decode().split('role="alert"')[1].split("</div></div>")[0]
    assert "百分比应在 0 到 100 之间" in alert and "0 到 1 " not in alert and "between" not in alert
    assert not IndicatorValue.objects.filter(target__code="gasification_population_share").exists()


def test_workspace_quantity_is_not_a_percent(plan, fgj):
    card = _card(_client(fgj).get(reverse("workspace")).content.decode(), "new_energy_capacity_energy_task")
    assert 'name="value_in"' not in card and "%" not in card
