"""Inventories: import (per-row errors, good rows kept, idempotent), approval, indicators into plan targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from carbonpeak.accounting import services
from carbonpeak.accounting.fetch import compute_inventory
from carbonpeak.accounting.models import ActivityLine, Inventory
from carbonpeak.audit.models import AuditEntry
from carbonpeak.plan.models import IndicatorValue
from carbonpeak.plan.status import target_statuses
from carbonpeak.validation import ValidationFailed


def row(sector, carrier, unit, quantity, flow="final", purpose="energy", notation=""):
    return {
        "sector": sector,
        "carrier": carrier,
        "flow": flow,
        "purpose": purpose,
        "unit": unit,
        "quantity": quantity,
        "notation": notation,
        "source": "",
    }


BASE_ROWS = [
    row("industry.C30", "raw_coal", "t", "100000"),
    row("industry.C30", "electricity", "MWh", "200000"),
    row("transport.G54", "diesel", "t", "20000"),
    row("households.urban", "electricity", "MWh", "100000"),
    row("construction.E", "diesel", "t", "", notation="NE"),
    row("services.other", "electricity", "MWh", "50000"),
    row("agriculture.A", "diesel", "t", "3000"),
    row("energy.D44", "electricity", "MWh", "60000", flow="production", purpose="renewable"),
]
PARAMS = {"gdp_10k_yuan": "1000000", "coal_equivalent_kgce_per_kwh": "0.30", "population": "400000"}


def numbered(rows):
    return [(i, r) for i, r in enumerate(rows, start=2)]


@pytest.fixture
def inv2020(plan, office):
    from carbonpeak.accounting.tests.test_factor_sets import csv

    # the shipped Hunan series starts in 2021: the county adds a (grade C) 2020 factor as its own version
    services.create_county_version(
        office, plan, csv("grid.prov.hunan.2020,湖南2020（占位）,Hunan 2020 placeholder,0.52,kgCO2/kWh,C,测试占位,")
    )
    inv = services.create_inventory(office, plan, 2020)
    report = services.import_activity(office, inv, numbered(BASE_ROWS), [(None, k, v) for k, v in PARAMS.items()])
    assert report["rejected"] == [] and report["created"] == len(BASE_ROWS)
    return inv


def test_new_year_uses_the_county_defaults(plan, office):
    inv = services.create_inventory(office, plan, 2023)
    assert inv.grid == "prov.hunan" and inv.factor_set == services.default_factor_set(plan)
    with pytest.raises(ValidationFailed) as exc:
        services.create_inventory(office, plan, 2023)
    assert exc.value.issues[0].code == "exists"
    with pytest.raises(ValidationFailed):
        services.create_inventory(office, plan, 2099)


def test_import_reports_each_bad_row_keeps_the_good_ones_and_is_idempotent(plan, office):
    inv = services.create_inventory(office, plan, 2021)
    rows = numbered(
        [
            row("industry.C30", "raw_coal", "t", "1000"),
            row("industry.C30", "raw_coal", "MWh", "5"),  # wrong unit for coal
            row("industry.C99", "diesel", "t", "5"),  # no such sector
            row("industry.C30", "diesel", "t", "abc"),  # not a number
            row("industry.C30", "diesel", "t", "-3"),  # negative
            row("industry.C30", "diesel", "t", ""),  # neither quantity nor notation
            row("industry.C30", "raw_coal", "t", "2000"),  # repeats line 2
            row("households.rural", "electricity", "MWh", "1,500.5"),
            row("transport.G54", "diesel", "t", "", notation="ie"),
        ]
    )
    report = services.import_activity(office, inv, rows, [(2, "gdp_10k_yuan", "oops"), (3, "population", "1000")])
    rejected = {(r["line"], r["field"]) for r in report["rejected"]}
    assert rejected == {
        (3, "unit"),
        (4, "sector"),
        (5, "quantity"),
        (6, "quantity"),
        (7, "quantity"),
        (8, "sector"),
        (2, "gdp_10k_yuan"),
    }
    assert all(" / " in r["message"] for r in report["rejected"])  # zh / en
    assert report["created"] == 3 and report["updated"] == 0
    assert inv.lines.count() == 3
    assert inv.lines.get(carrier="electricity").quantity == Decimal("1500.5")
    assert inv.lines.get(carrier="diesel").notation == "IE"
    inv.refresh_from_db()
    assert inv.population == 1000 and inv.gdp_10k_yuan is None

    # the same file again: nothing changes, nothing is written, nothing audited
    audits = AuditEntry.objects.count()
    stamps = list(inv.lines.order_by("id").values_list("updated_at", flat=True))
    inv_stamp = Inventory.objects.get(pk=inv.pk).updated_at
    again = services.import_activity(office, inv, rows, [(2, "gdp_10k_yuan", "oops"), (3, "population", "1000")])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert AuditEntry.objects.count() == audits
    assert list(inv.lines.order_by("id").values_list("updated_at", flat=True)) == stamps
    assert Inventory.objects.get(pk=inv.pk).updated_at == inv_stamp

    # a corrected value updates its line (audited with before and after)
    fixed = services.import_activity(office, inv, numbered([row("industry.C30", "raw_coal", "t", "1200")]))
    assert (fixed["created"], fixed["updated"]) == (0, 1)
    assert inv.lines.get(carrier="raw_coal").quantity == Decimal(1200)
    entry = AuditEntry.objects.filter(action="inventory.import").latest("id")
    assert entry.after["updated"]["industry.C30/raw_coal/final/energy"]["before"]["quantity"] == "1000"


def test_only_the_office_imports(plan, office, fgj):
    inv = services.create_inventory(office, plan, 2021)
    with pytest.raises(PermissionDenied):
        services.import_activity(fgj, inv, numbered(BASE_ROWS))
    with pytest.raises(PermissionDenied):
        services.approve(fgj, inv)
    assert not ActivityLine.objects.exists()


def test_database_refuses_a_line_with_both_or_neither_quantity_and_notation(plan, office):
    from django.db import IntegrityError, transaction

    inv = services.create_inventory(office, plan, 2021)
    for kw in ({"quantity": Decimal(1), "notation": "NE"}, {"quantity": None, "notation": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityLine.objects.create(inventory=inv, sector="industry.C30", carrier="raw_coal", unit="t", **kw)


def test_approval_pushes_indicators_and_moves_the_lights(plan, office, inv2020):
    services.approve(office, inv2020)
    inv = services.create_inventory(office, plan, 2024)
    rows = [dict(r) for r in BASE_ROWS]
    rows[0]["quantity"] = "140000"  # much more coal: energy intensity rises although GDP grows 5 %
    rows.append(row("energy.D44", "electricity", "MWh", "80000", flow="production", purpose="new_renewable"))
    services.import_activity(
        office, inv, numbered(rows), [(None, "gdp_10k_yuan", "1050000"), (None, "coal_equivalent_kgce_per_kwh", "0.30")]
    )

    def status(code):
        return next(s for s in target_statuses(plan) if s.target.code == code)

    before = status("energy_intensity_reduction")
    assert (before.as_dict()["latest_period"], before.latest.value) == ("2020", 0)
    assert before.light == "green"  # at the baseline, on track
    pushed = services.approve(office, inv)
    inv.refresh_from_db()
    assert inv.status == "approved" and inv.results is not None and len(inv.inputs_sha256) == 64
    r0, r1 = compute_inventory(Inventory.objects.get(year=2020)), inv.results
    e0 = r0["energy"]["coal_equivalent"]["total_tce"]
    e1 = r1["energy"]["coal_equivalent"]["total_tce"]
    i0 = Decimal(repr(e0 / 1000000)).quantize(Decimal("0.001"))  # Zhuzhou rounding: 3 decimals first
    i1 = Decimal(repr(e1 / 1050000)).quantize(Decimal("0.001"))
    v = IndicatorValue.objects.get(target__code="energy_intensity_reduction", year=2024)
    assert v.value == (1 - i1 / i0).quantize(Decimal("0.00000001"))
    assert v.source == "accounting" and "等价值" in v.source_detail and "3位小数" in v.source_detail
    nf = IndicatorValue.objects.get(target__code="non_fossil_share", year=2024)
    assert nf.value == Decimal(repr(r1["energy"]["coal_equivalent"]["nonfossil_share"])).quantize(Decimal("1e-8"))
    assert "发电煤耗法" in nf.source_detail
    assert {p.target.code for p in pushed} >= {
        "energy_intensity_reduction",
        "non_fossil_share",
        "co2_intensity_reduction_quota",
    }
    after = status("energy_intensity_reduction")
    assert after.as_dict()["latest_period"] == "2024" and after.latest.value < 0
    assert after.light == "red"  # the intensity rose: the light moved from green to red
    # approved data are locked
    with pytest.raises(ValidationFailed) as exc:
        services.import_activity(office, inv, numbered(BASE_ROWS))
    assert exc.value.issues[0].code == "locked"
    # approving again is refused; reopening needs a reason, and re-approval changes no value
    with pytest.raises(ValidationFailed):
        services.reopen(office, inv, " ")
    before = {(v.target.code, v.year): v.value for v in IndicatorValue.objects.select_related("target")}
    services.reopen(office, inv, "统计局修订")
    inv.refresh_from_db()
    assert inv.status == "draft" and inv.results is None
    # the reopened year no longer backs its values: they are retracted (audited), the base year's stay
    assert not IndicatorValue.objects.filter(year=2024, source="accounting").exists()
    assert IndicatorValue.objects.filter(year=2020, source="accounting").exists()
    assert AuditEntry.objects.filter(action="indicator_value.retract", after__inventory=2024).exists()
    # approving the unchanged data again brings back exactly the same values
    services.approve(office, inv)
    after = {(v.target.code, v.year): v.value for v in IndicatorValue.objects.select_related("target")}
    assert after == before
    assert AuditEntry.objects.filter(action="inventory.reopen", after__reason="统计局修订").exists()
    # reopening the base year retracts every rate computed against it, but not another year's share
    services.reopen(office, Inventory.objects.get(year=2020), "基年修订")
    assert not IndicatorValue.objects.filter(target__code="energy_intensity_reduction", source="accounting").exists()
    assert IndicatorValue.objects.filter(target__code="non_fossil_share", year=2024, source="accounting").exists()


def test_a_year_that_cannot_be_computed_is_not_approved(plan, office):
    inv = services.create_inventory(office, plan, 2022)
    with pytest.raises(ValidationFailed) as exc:
        services.approve(office, inv)
    assert exc.value.issues[0].code == "no_data"
    services.import_activity(office, inv, numbered([row("industry.C30", "electricity", "MWh", "10")]))
    services.set_params(office, inv, {"grid": ""})
    inv.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.approve(office, inv)
    assert exc.value.issues[0].field == "grid"
    assert Inventory.objects.get(pk=inv.pk).status == "draft"


def test_params_are_checked_field_by_field(plan, office):
    inv = services.create_inventory(office, plan, 2022)
    issues = services.set_params(
        office,
        inv,
        {
            "gdp_10k_yuan": "-1",
            "population": "1.5",
            "coal_equivalent_kgce_per_kwh": "3",
            "grid": "prov.mars",
            "inflow_nonfossil_share": "30",
            "sink_tco2": "5000",
        },
    )
    assert {i.field for i in issues.errors} == {
        "gdp_10k_yuan",
        "population",
        "coal_equivalent_kgce_per_kwh",
        "grid",
        "inflow_nonfossil_share",
    }
    inv.refresh_from_db()
    assert inv.sink_tco2 == Decimal(5000) and inv.gdp_10k_yuan is None and inv.grid == "prov.hunan"


def test_switching_the_factor_set_is_audited_and_changes_results(plan, office, inv2020):
    from carbonpeak.accounting.tests.test_factor_sets import csv

    before = compute_inventory(inv2020)["energy"]["calorific"]["total_tce"]
    fs = services.create_county_version(office, plan, csv("tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,化验,"))
    services.set_factor_set(office, inv2020, fs)
    after = compute_inventory(Inventory.objects.get(pk=inv2020.pk))
    assert after["factor_set_version"] == fs.version
    assert after["energy"]["calorific"]["total_tce"] == pytest.approx(before - 100000 * (0.7143 - 0.7))
    assert AuditEntry.objects.filter(action="inventory.factor_set").exists()


def test_year_page_decomposes_the_change_since_the_base_year(plan, office, inv2020):
    from django.test import Client
    from django.urls import reverse

    from carbonpeak.accounting.fetch import results_of
    from carbonpeak.accounting.presentation import decomposition

    inv = services.create_inventory(office, plan, 2023)
    rows = [dict(r) for r in BASE_ROWS]
    rows[0]["quantity"] = "90000"
    rows.append(row("industry.C30", "natural_gas", "10k_m3", "500"))  # a fuel new to the sector
    services.import_activity(
        office,
        inv,
        numbered(rows),
        [(None, k, v) for k, v in {**PARAMS, "population": "410000", "gdp_10k_yuan": "1150000"}.items()],
    )
    d = decomposition(results_of(inv), inv, results_of(inv2020), inv2020)
    r1, r0 = results_of(inv), results_of(inv2020)
    assert d["kaya_total"] == pytest.approx(r1["co2"]["territorial_co2_t"] - r0["co2"]["territorial_co2_t"])
    assert sum(e["value"] for e in d["kaya"]) == pytest.approx(d["kaya_total"], abs=1e-6)
    assert d["sectoral_total"] == pytest.approx(r1["co2"]["scope12_co2_t"] - r0["co2"]["scope12_co2_t"])
    assert sum(e["value"] for e in d["sectoral"]) == pytest.approx(d["sectoral_total"], abs=1e-6)
    c = Client()
    c.force_login(office)
    body = c.get(reverse("accounting:inventory", args=[2023])).content.decode()
    assert 'id="lmdi"' in body and "部门结构" in body and "品种结构" in body
