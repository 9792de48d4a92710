"""Isolation of the peak scenarios (issue 15, TENANCY rule 6): list, detail, run progress, comparison, the Excel
and PDF exports and every write (new baseline or policy, save, run, the official flag), as county B's office,
department officer and enterprise user against county A's scenarios → 404/403 with none of A's names or figures
(the workbook opened with openpyxl, the PDF read with pdftotext); B on its own → 200; the city's reader reads
both counties and writes in neither. A run computes against its own scenario's county (its targets)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from carbonpeak.scenarios import services as sc
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.validation import ValidationFailed
from tests.tenancy.accounting_world import A_MARK, B_MARK, County, World, a_leaks, b_shows, build, login, text_of

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def w(plan, county_b, city, make_user) -> World:
    return build(plan, county_b, city, make_user)


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[County], str]
    #: the URL names one of the county's scenarios (B gets 404 on A's); else it lists the caller's county's
    keyed: bool


PAGES = [
    Page("list", lambda c: reverse("scenarios:list"), keyed=False),
    # the comparison lists only the caller's county's scenarios among the ids asked for
    Page(
        "compare",
        lambda c: reverse("scenarios:compare") + f"?ids={c.baseline.pk}&ids={c.policy.pk}",
        keyed=False,
    ),
    Page("detail", lambda c: reverse("scenarios:detail", args=[c.baseline.pk]), keyed=True),
    Page("policy", lambda c: reverse("scenarios:detail", args=[c.policy.pk]), keyed=True),
    Page("run-status", lambda c: reverse("scenarios:run_status", args=[c.baseline.pk, c.run.pk]), keyed=True),
    Page("xlsx", lambda c: reverse("scenarios:xlsx", args=[c.baseline.pk]), keyed=True),
    Page("pdf", lambda c: reverse("scenarios:pdf", args=[c.baseline.pk]), keyed=True),
]


def _writes(c: County) -> list[tuple[str, dict]]:
    """Every POST of the scenario pages, aimed at county ``c``'s scenarios."""
    detail = reverse("scenarios:detail", args=[c.baseline.pk])
    return [
        (reverse("scenarios:list"), {"action": "baseline", "name": "闯入的基准"}),
        (reverse("scenarios:list"), {"action": "policy", "parent": c.baseline.pk, "name": "闯入的政策"}),
        (detail, {"action": "save", "draws": "150"}),
        (detail, {"action": "run", "confirm": "1"}),
        (detail, {"action": "official"}),
        (detail, {"action": "unofficial"}),
    ]


def _numbers(resp) -> list[float]:
    wb = load_workbook(io.BytesIO(resp.content))
    cells = (v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    return [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _untouched(c: County) -> None:
    s = Scenario.objects.get(pk=c.baseline.pk)
    assert (s.draws, s.is_official) == (200, False)
    assert ScenarioRun.objects.filter(scenario__plan=c.plan).count() == 2
    assert not Scenario.objects.filter(name__startswith="闯入").exists()


def test_county_b_against_county_a(w: World):
    problems = []
    for user in (w.b.office, w.dept_b):
        c = login(user)
        for page in PAGES:
            url = page.url(w.a)
            resp = c.get(url)
            text = text_of(resp)
            ok = resp.status_code in (403, 404) if page.keyed else resp.status_code == 200
            if not ok or a_leaks(text, w, url):
                problems.append((user.username, page.name, resp.status_code, a_leaks(text, w, url)))
    c = login(w.enterprise_b)
    for page in PAGES:
        resp = c.get(page.url(w.a))
        if resp.status_code != 403 or a_leaks(text_of(resp), w, page.url(w.a)):
            problems.append(("ent_b", page.name, resp.status_code))
    assert problems == []
    # B's office posts at A's scenarios: 404 (the list's new baseline is made in B, never in A)
    c = login(w.b.office)
    for url, form in _writes(w.a)[1:]:
        resp = c.post(url, form)
        assert resp.status_code == 404 and not a_leaks(text_of(resp), w, url), (url, form)
    _untouched(w.a)
    # the services refuse B's office on A's scenarios even when called directly
    for call in (
        lambda: sc.update_scenario(w.b.office, w.a.baseline, {"draws": "150"}),
        lambda: sc.start_run(w.b.office, w.a.baseline, enqueue=False),
        lambda: sc.designate_official(w.b.office, w.a.baseline),
        lambda: sc.clear_official(w.b.office, w.a.baseline),
        lambda: sc.create_policy(w.b.office, w.a.baseline, "闯入的政策"),
        lambda: sc.create_baseline(w.b.office, w.a.plan, "闯入的基准"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # nor may B's baseline be built on A's inventory
    with pytest.raises(ValidationFailed):
        sc.create_baseline(w.b.office, w.b.plan, "闯入的基准", inventory=w.a.inv2020)
    _untouched(w.a)


def test_county_b_on_its_own(w: World):
    problems = []
    for user in (w.b.office, w.dept_b):
        c = login(user)
        for page in PAGES:
            resp = c.get(page.url(w.b))
            text = text_of(resp)
            shows = b_shows(text, w) or page.name == "run-status"  # the progress fragment names no scenario
            if resp.status_code != 200 or not shows or a_leaks(text, w):
                problems.append((user.username, page.name, resp.status_code, a_leaks(text, w)))
    assert problems == []
    # the workbook holds B's base-year CO2 and not A's
    numbers = _numbers(login(w.b.office).get(reverse("scenarios:xlsx", args=[w.b.baseline.pk])))
    b_co2, a_co2 = (c.inv2020.results["co2"]["territorial_co2_t"] for c in (w.b, w.a))
    assert any(v == pytest.approx(b_co2, rel=1e-9) for v in numbers)
    assert not any(v == pytest.approx(a_co2, rel=1e-6) for v in numbers)
    # B's office designates B's scenario official: A's flag is untouched
    resp = login(w.b.office).post(reverse("scenarios:detail", args=[w.b.baseline.pk]), {"action": "official"})
    assert resp.status_code == 302
    assert Scenario.objects.get(pk=w.b.baseline.pk).is_official
    assert not Scenario.objects.filter(plan=w.a.plan, is_official=True).exists()


def test_region_reader_reads_both_and_writes_neither(w: World):
    c = login(w.city_reader)
    problems = []
    for county, mark in ((w.a, A_MARK), (w.b, B_MARK)):
        for page in PAGES:
            url = page.url(county)
            resp = c.get(url + ("&" if "?" in url else "?") + f"county={county.plan.code}")
            shows = mark in text_of(resp) if resp.status_code == 200 and page.name != "run-status" else True
            if resp.status_code != 200 or not shows:
                problems.append((county.plan.code, page.name, resp.status_code))
    assert problems == []
    for county in (w.a, w.b):
        c.get(reverse("scenarios:list") + f"?county={county.plan.code}")
        for url, form in _writes(county):
            assert c.post(url, form).status_code == 403, (county.plan.code, url, form)
        _untouched(county)


@override_settings(TASKS=IMMEDIATE)
def test_a_run_computes_against_its_own_countys_targets(w: World, django_capture_on_commit_callbacks):
    """The background task gets a run id only: it must read the scenario's own county (its targets), not the
    installation's first one. B's 2030 non-fossil milestone is set apart from A's; each run's gap names its
    own county's milestone."""
    from carbonpeak.plan.models import Milestone

    milestone = Milestone.objects.get(target__plan=w.b.plan, target__code="non_fossil_share", year=2030)
    a_value = Milestone.objects.get(target__plan=w.a.plan, target__code="non_fossil_share", year=2030).value
    milestone.value = Decimal("0.77")
    milestone.save()
    assert a_value != Decimal("0.77")
    runs = {}
    for county in (w.b, w.a):
        with django_capture_on_commit_callbacks(execute=True):
            run = sc.start_run(county.office, county.baseline)
        run.refresh_from_db()
        assert run.status == "done", run.error
        runs[county.plan.code] = {(g["target"], g["year"]): g["target_value"] for g in run.results["gaps"]}
    assert runs[w.b.plan.code][("non_fossil_share", 2030)] == pytest.approx(0.77)
    assert runs[w.a.plan.code][("non_fossil_share", 2030)] == pytest.approx(float(a_value))
