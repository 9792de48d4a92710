"""Scenario pages: the list (new baseline / policy, compare), one scenario (assumptions, projects, run, results),
the run's progress (HTMX polling), side-by-side comparison, Excel and PDF exports. Everything is the request's
county's (the tenancy module decides it): another county's scenario is 404, like a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from carbonpeak.accounts.permissions import is_office, require, require_staff
from carbonpeak.core import accounts
from carbonpeak.plan.tenancy import acts_in, require_county
from carbonpeak.scenarios import exports, forms, services
from carbonpeak.scenarios.checks import check_inputs
from carbonpeak.scenarios.choices import DriverName, RunStatus
from carbonpeak.scenarios.fetch import (
    capacity_source,
    current_hash,
    defaults,
    effective_drivers,
    effective_params,
    project_rows,
    sink_source,
)
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.scenarios.presentation import (
    GROUP_NAMES,
    compare_chart,
    fan_chart,
    sector_chart,
    sink_chart,
    sink_rows,
    summary,
)
from carbonpeak.validation import ID_MAX, ValidationFailed, parse_int, require_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def latest_run(s: Scenario) -> ScenarioRun | None:
    return s.runs.first()


def latest_done(s: Scenario) -> ScenarioRun | None:
    return s.runs.filter(status=RunStatus.DONE).first()


def _writes(request, plan) -> bool:
    """The office of this very county (a region reader reads only; the services refuse others anyway)."""
    return is_office(request.user) and acts_in(request.user, plan)


@login_required
def scenario_list(request):
    require_staff(request.user)
    plan = require_county(request)
    errors = None
    if request.method == "POST":
        require(_writes(request, plan))
        try:
            if request.POST.get("action") == "baseline":
                s = services.create_baseline(request.user, plan, request.POST.get("name", ""))
            else:
                base = get_object_or_404(Scenario, plan=plan, pk=require_id(request.POST.get("parent"), "parent"))
                s = services.create_policy(request.user, base, request.POST.get("name", ""))
            return redirect("scenarios:detail", pk=s.pk)
        except ValidationFailed as exc:
            errors = exc.issues
    rows = []
    for s in Scenario.objects.filter(plan=plan).select_related("base_inventory", "parent"):
        done = latest_done(s)
        rows.append(
            {
                "s": s,
                "run": done,
                "summary": summary(done) if done else None,
                "stale": done is not None and current_hash(s) != done.inputs_sha256,
            }
        )
    return render(
        request,
        "scenarios/list.html",
        {
            "plan": plan,
            "rows": rows,
            "errors": forms.readable_issues(errors),
            "is_office": _writes(request, plan),
            "baselines": [r["s"] for r in rows if r["s"].kind == "baseline"],
            "latest_inventory": services.latest_approved(plan),
        },
    )


@login_required
def detail(request, pk: int):
    require_staff(request.user)
    plan = require_county(request)
    s = get_object_or_404(Scenario.objects.select_related("base_inventory", "parent"), plan=plan, pk=pk)
    errors = None
    confirm = None
    if request.method == "POST":
        require(_writes(request, plan))
        try:
            action = request.POST.get("action")
            if action == "save":
                services.update_scenario(request.user, s, forms.form_data(request.POST, s))
            elif action == "run":
                pending = [i for i in check_inputs(s) if i.severity == "warning"]
                if pending and request.POST.get("confirm") != "1":
                    # list what the run would leave out; the official runs anyway or goes back to fill it in
                    confirm = forms.readable_issues(pending)
                else:
                    services.start_run(request.user, s)
            elif action == "official":
                services.designate_official(request.user, s)
            elif action == "unofficial":
                services.clear_official(request.user, s)
            if confirm is None:
                return redirect("scenarios:detail", pk=s.pk)
        except ValidationFailed as exc:
            errors = exc.issues
    ctx = _detail_context(request, plan, s, errors)
    ctx["confirm"] = confirm
    return render(request, "scenarios/detail.html", ctx, status=422 if errors else 200)


def _detail_context(request, plan, s: Scenario, errors) -> dict[str, Any]:
    run = latest_run(s)
    done = latest_done(s)
    now_hash = current_hash(s)
    params = effective_params(s)
    drivers = params.get("drivers", {})
    pct = forms.fraction_to_percent
    pending = check_inputs(s)
    ctx: dict[str, Any] = {
        "plan": plan,
        "s": s,
        "errors": forms.readable_issues(errors),
        "is_office": _writes(request, plan),
        "run": run,
        "done": done,
        "stale": done is not None and now_hash != done.inputs_sha256,
        "inputs_ok": now_hash is not None,
        # rates as percent for the inputs (stored as fractions)
        "groups": [
            (
                g,
                GROUP_NAMES[g],
                {
                    k: {
                        part: pct(v.get(part)) if isinstance(v, dict) else (pct(v) if part == "mean" else "")
                        for part in ("mean", "low", "high")
                    }
                    for k, v in drivers.get(g, {}).items()
                },
            )
            for g in accounts.GROUPS
        ],
        "driver_help": [(k, *forms.DRIVER_HELP[k]) for k in DriverName.values],
        "effective": effective_drivers(s),
        "driver_names": DriverName.choices,
        "projects": project_rows(s),
        "capacity_source": capacity_source(s),
        "may_write": _writes(request, plan),
        "measures": [
            {**m, "delta_pct": pct(m.get("delta")), "sentence": forms.measure_sentence(m)} for m in s.measures
        ],
        "measure_count": len(s.measures),
        "params": params,
        "grid_decline_pct": _range_pct(params.get("grid_decline")),
        "gdp_growth_pct": _range_pct(params.get("gdp_growth")),
        "pending": forms.readable_issues(pending),
        "incomplete_codes": {i.field.removeprefix("projects.") for i in pending if i.code == "project_incomplete"},
        "editable": _writes(request, plan) and s.kind == "baseline",
        "sink": _sink_form(plan, params),
    }
    if done is not None:
        ctx.update(
            {
                "res": done.results,
                "summary": summary(done),
                "fan": fan_chart(done.results),
                "sink_rows": sink_rows(done.results),
                "sink_chart": sink_chart(done.results),
                "sectors_chart": sector_chart(done.results),
                "not_applied": forms.readable_issues((done.results or {}).get("not_applied", [])),
            }
        )
    return ctx


def _sink_form(plan, params: dict[str, Any]) -> dict[str, Any]:
    """The sink settings as the form shows them (growth in percent) and where the path starts."""
    sink = params.get("sink") or {}
    src = sink_source(plan)
    return {
        "include": bool(sink.get("include", True)),
        "growth_pct": _range_pct(sink.get("growth", defaults()["sink"]["growth"])),
        "peak_basis": sink.get("peak_basis", "gross"),
        "source_tco2": src[0] if src else None,
        "source_year": src[1]["year"] if src else None,
    }


def _range_pct(v: Any) -> dict[str, str]:
    v = v if isinstance(v, dict) else {"mean": v}
    return {part: forms.fraction_to_percent(v.get(part)) for part in ("mean", "low", "high")}


@login_required
@require_GET
def run_status(request, pk: int, run_id: int):
    """The progress fragment; HTMX polls it while the run is queued or running, then reloads the page."""
    require_staff(request.user)
    run = get_object_or_404(ScenarioRun, scenario__plan=require_county(request), scenario_id=pk, pk=run_id)
    resp = render(request, "scenarios/_run_status.html", {"run": run, "s": run.scenario})
    if run.status in (RunStatus.DONE, RunStatus.FAILED) and request.headers.get("HX-Request"):
        resp["HX-Refresh"] = "true"
    return resp


@login_required
@require_GET
def compare(request):
    require_staff(request.user)
    plan = require_county(request)
    ids = [i for x in request.GET.getlist("ids") if (i := parse_int(x, low=1, high=ID_MAX)) is not None]
    items = []
    for s in Scenario.objects.filter(plan=plan, pk__in=ids):
        done = latest_done(s)
        if done is not None:
            items.append({"s": s, "run": done, "summary": summary(done)})
    return render(
        request,
        "scenarios/compare.html",
        {"plan": plan, "items": items, "chart": compare_chart(items) if items else None},
    )


def _done_or_404(plan, pk: int) -> tuple[Scenario, ScenarioRun]:
    s = get_object_or_404(Scenario, plan=plan, pk=pk)
    done = latest_done(s)
    if done is None:
        from django.http import Http404

        raise Http404("no finished run")
    return s, done


@login_required
@require_GET
def export_xlsx(request, pk: int):
    require_staff(request.user)
    s, done = _done_or_404(require_county(request), pk)
    resp = HttpResponse(exports.workbook(s, done), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="scenario-{s.pk}-run-{done.pk}.xlsx"'
    return resp


@login_required
@require_GET
def export_pdf(request, pk: int):
    require_staff(request.user)
    s, done = _done_or_404(require_county(request), pk)
    resp = HttpResponse(exports.brief_pdf(request, s, done), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="scenario-{s.pk}-brief.pdf"'
    return resp
