"""The office's pages of the living plan: upload → diff → apply (with confirmation, audited, version +1); a
target's owners; target allocation, with a township reporting its own share in percent."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan.plan_io import export_plan
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db


def _upload(doc) -> SimpleUploadedFile:
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile("plan.json", data, content_type="application/json")


def _changed(plan):
    doc = export_plan(plan)
    t = next(x for x in doc["targets"] if x["code"] == "energy_intensity_reduction")
    t["values"]["2025"] = 0.16
    return doc


def test_upload_shows_the_diff_and_applies_only_when_confirmed(plan, office):
    c = login(office)
    assert c.get(reverse("plan_revise")).status_code == 200
    r = c.post(reverse("plan_revise"), {"plan_file": _upload(_changed(plan))})
    body = body_of(r)
    assert (
        r.status_code == 200 and "单位GDP能耗下降率" in body and "15%" in body and "16%" in body and "应用修订" in body
    )
    plan.refresh_from_db()
    assert plan.version == 1  # shown, not applied
    document = r.context["document"]
    form = {"action": "apply", "document": document, "revision": plan.revision}
    r = c.post(reverse("plan_revise"), form)  # no confirmation ticked
    assert "请勾选确认" in body_of(r)
    plan.refresh_from_db()
    assert plan.version == 1
    r = c.post(reverse("plan_revise"), {**form, "confirm": "1", "revision": "stale"})
    assert "重新核对" in body_of(r)
    plan.refresh_from_db()
    assert plan.version == 1
    r = c.post(reverse("plan_revise"), {**form, "confirm": "1"}, follow=True)
    assert "当前版本 2" in body_of(r)
    plan.refresh_from_db()
    assert plan.version == 2
    assert plan.targets.get(code="energy_intensity_reduction").milestones.get(year=2025).value == Decimal("0.16")
    assert AuditEntry.objects.filter(action="plan.revise", actor=office).count() == 1


def test_a_broken_file_is_told(plan, office):
    r = login(office).post(
        reverse("plan_revise"), {"plan_file": SimpleUploadedFile("p.json", b"{oops", content_type="text/plain")}
    )
    assert "不是有效的 JSON" in body_of(r)


def test_only_the_office_revises(plan, fgj):
    assert login(fgj).get(reverse("plan_revise")).status_code == 403


def test_office_sets_a_headline_targets_owners(plan, office, fgj):
    target = plan.targets.get(code="non_fossil_share")  # 二、主要目标: no department in the plan text
    page = body_of(login(office).get(reverse("target", args=[target.code])))
    assert "设置责任部门" in page
    r = login(office).post(
        reverse("target_owners", args=[target.code]), {"lead": ["dev_reform"], "cooperating": ["forestry"]}
    )
    assert r.status_code == 302
    rows = {(a.department.code, a.role) for a in target.assignments.all()}
    assert rows == {("dev_reform", "lead"), ("forestry", "cooperating")}
    assert AuditEntry.objects.filter(action="target.assignments", object_id=str(target.pk)).exists()
    assert "设置责任部门" not in body_of(login(fgj).get(reverse("target", args=[target.code])))
    assert login(fgj).post(reverse("target_owners", args=[target.code]), {"lead": ["forestry"]}).status_code == 403
    r = login(office).post(reverse("target_owners", args=[target.code]), {"lead": []})
    assert r.status_code == 422  # at least one lead department


def test_allocation_page_office_allocates_township_reports(plan, office, make_user):
    target = plan.targets.get(code="energy_intensity_reduction")
    url = reverse("target_allocations", args=[target.code])
    r = login(office).post(url, {"action": "allocate", "department": "yantang", "year": "2025", "basic": "15"})
    assert r.status_code == 302
    assert target.allocations.get().basic_value == Decimal("0.15")  # typed in percent
    user = make_user("yantang", "township", department=plan.departments.get(code="yantang"))
    page = body_of(login(user).get(url))
    assert "填报本单位数值" in page and "15%" in page
    assert login(user).post(url, {"action": "report", "year": "2025", "value": "16"}).status_code == 302
    page = body_of(login(user).get(url))
    assert 'data-light="green"' in page and "16%" in page
    assert (
        login(user).post(url, {"action": "allocate", "department": "yantang", "year": "2025", "basic": "1"}).status_code
        == 403
    )
