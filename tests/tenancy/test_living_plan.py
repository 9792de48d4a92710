"""Isolation of the living plan between two counties: B's office cannot revise, allocate or set owners in A (its
pages address its own county only; A is untouched), a region reader reads allocations and writes nothing, and a
plan file acts only in the county it names (tests/test_cli_living.py covers the command)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carbonpeak.plan import services
from carbonpeak.plan.living import apply_plan
from carbonpeak.plan.plan_io import export_plan
from carbonpeak.validation import ValidationFailed
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db


def test_b_office_revising_with_as_file_is_refused(plan, county_b, office_b):
    doc = export_plan(plan)
    doc["plan"]["title"] = "改掉甲县"
    up = SimpleUploadedFile("a.json", json.dumps(doc, ensure_ascii=False).encode(), content_type="application/json")
    r = login(office_b).post(reverse("plan_revise"), {"plan_file": up})
    assert "与方案" in body_of(r) and "不符" in body_of(r)
    plan.refresh_from_db()
    assert plan.title == "茶陵县碳达峰实施方案" and plan.version == 1
    with pytest.raises(ValidationFailed):
        apply_plan(office_b, county_b, doc)


def test_b_office_allocates_and_sets_owners_only_in_b(plan, county_b, office_b):
    url = reverse("target_allocations", args=["energy_intensity_reduction"])
    r = login(office_b).post(url, {"action": "allocate", "department": "yantang", "year": "2025", "basic": "15"})
    assert r.status_code == 302
    assert not plan.targets.get(code="energy_intensity_reduction").allocations.exists()
    assert county_b.targets.get(code="energy_intensity_reduction").allocations.count() == 1
    login(office_b).post(reverse("target_owners", args=["non_fossil_share"]), {"lead": ["dev_reform"]})
    assert not plan.targets.get(code="non_fossil_share").assignments.exists()
    with pytest.raises(Exception) as exc:  # a service handed A's target by B's office
        services.set_allocation(office_b, plan.targets.get(code="energy_intensity_reduction"), "yantang", 2025, "0.1")
    assert type(exc.value).__name__ == "PermissionDenied"


def test_region_reader_reads_allocations_and_writes_nothing(plan, office, city_reader):
    target = plan.targets.get(code="energy_intensity_reduction")
    services.set_allocation(office, target, "yantang", 2025, "0.15")
    c = login(city_reader)
    url = reverse("target_allocations", args=[target.code]) + f"?county={plan.code}"
    r = c.get(url)
    assert r.status_code == 200 and "严塘镇" in body_of(r)
    r = c.post(url, {"action": "allocate", "department": "sicong", "year": "2025", "basic": "10"})
    assert r.status_code == 403
    assert c.get(reverse("plan_revise") + f"?county={plan.code}").status_code == 403
    assert target.allocations.count() == 1
