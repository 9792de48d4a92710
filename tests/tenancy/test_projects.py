"""Isolation of the projects between two counties (issue 16): the other county's office cannot read or change
Chaling's projects, reports or reviews (404 like a missing object on pages, 403 on the API), its import and the
command line act only in the county chosen; the city's reader reads both and writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from carbonpeak.cli import main
from carbonpeak.plan import projects as svc
from carbonpeak.plan.models import DispatchRound, Project
from tests.tenancy.helpers import body_of, login

pytestmark = pytest.mark.django_db
A = "/api/v1/plans/chaling-2024"


@pytest.fixture
def a_report(plan, fgj):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rnd = DispatchRound.objects.create(plan=plan, year=2025, quarter=1, due_date=timezone.localdate() + dt.timedelta(5))
    data = {"status": "preparing", "investment_share": "0.1", "progress": "甲县测风进展"}
    pdf = SimpleUploadedFile("甲县批复.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    return svc.submit_project_report(fgj, rnd, plan.projects.get(code="P01.6"), data, [pdf])


def test_other_county_office_sees_and_changes_only_its_own(plan, county_b, office_b, a_report):
    c = login(office_b)
    a_project = plan.projects.get(code="P01.6")
    # the same code in B's register is B's project: a page edit reaches B's, never A's
    r = c.post(reverse("project", args=["P01.6"]), {"action": "fields", "township": "乙县镇"})
    assert r.status_code == 302
    assert Project.objects.get(plan=county_b, code="P01.6").township == "乙县镇"
    a_project.refresh_from_db()
    assert a_project.township == ""
    assert "甲县测风进展" not in body_of(c.get(reverse("project", args=["P01.6"])))
    # A's report, its evidence and its round: 404 like missing objects
    assert c.get(reverse("evidence", args=[a_report.evidence.get().pk])).status_code == 404
    assert c.post(reverse("review_project_report", args=[a_report.pk]), {"decision": "accept"}).status_code == 404
    assert c.post(reverse("submit_project_report", args=[a_report.round_id, "P01.6"]), {}).status_code == 404
    # the API: writes to A's plan refused
    r = c.patch(f"{A}/projects/P01.6", json.dumps({"fields": {"township": "x"}}), content_type="application/json")
    assert r.status_code == 403
    r = c.post(f"{A}/project-reports/{a_report.pk}/review", json.dumps({"decision": "accept"}),
               content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    assert "reports" not in c.get(f"{A}/projects/P01.6").json()


def test_services_refuse_another_countys_actor(plan, office_b, a_report):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.update_project(office_b, plan.projects.get(code="P01.6"), {"township": "x"})
    with pytest.raises(PermissionDenied):
        svc.review_project_report(office_b, a_report, "accept")
    from carbonpeak.plan.project_table import import_projects

    with pytest.raises(PermissionDenied):
        import_projects(office_b, plan, [(2, {"code": "P01.6", "township": "x"})])


def test_city_reader_reads_both_and_writes_nothing(plan, county_b, city_reader, a_report):
    c = login(city_reader)
    assert "茶陵严塘秩堂风电项目" in body_of(c.get(reverse("projects") + f"?county={plan.code}"))
    assert c.get(f"{A}/projects/P01.6").json()["reports"][0]["progress"] == "甲县测风进展"
    r = c.post(reverse("project", args=["P01.6"]) + f"?county={plan.code}", {"action": "fields", "township": "x"})
    assert r.status_code == 403
    r = c.patch(f"{A}/projects/P01.6", json.dumps({"fields": {"township": "x"}}), content_type="application/json")
    assert r.status_code == 403
    assert plan.projects.get(code="P01.6").township == ""


def test_the_command_line_acts_in_the_chosen_county(plan, county_b, tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text("项目编码,乡镇\nP01.6,乙县镇\n", encoding="utf-8")
    assert main(["projects", "import", str(f), "--plan", county_b.code, "--update"]) == 0
    capsys.readouterr()
    assert Project.objects.get(plan=county_b, code="P01.6").township == "乙县镇"
    assert Project.objects.get(plan=plan, code="P01.6").township == ""
    with pytest.raises(SystemExit) as exc:  # two counties: --plan is required
        main(["projects", "import", str(f)])
    assert exc.value.code == 2
