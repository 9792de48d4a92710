"""Roll-ups, the carbon-account workflow and grades, dual-control warnings, reconciliation, the headroom
ledger, corrections, manual entries, notifications and disclosure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
from carbonpeak.audit.models import AuditEntry
from carbonpeak.core.ceff import carbon_efficiency
from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises import accounts, carbon, control, disclosure, monitoring, rollups, services
from carbonpeak.enterprises.choices import AccountStatus, CorrectionStatus, ProjectStatus
from carbonpeak.enterprises.models import (
    CarbonAccount,
    CountyControl,
    EnergyBudget,
    Enterprise,
    HeadroomEntry,
    Meter,
    MeterAlert,
    MonthlyRollup,
    PublishedList,
    Reading,
    ReviewProject,
)
from carbonpeak.validation import ValidationFailed
from tests.race import race

BJ = rollups.BEIJING
CERAMICS = make_uscc("91430224", "MA4LTC01")
OTHER = make_uscc("91430224", "MA4LTC02")
E_TCE = 0.1229  # tce per MWh, calorific (GB/T 2589)


def rows(*dicts):
    return [(i, d) for i, d in enumerate(dicts, start=2)]


def month_end(y: int, m: int) -> str:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return dt.datetime.combine(nxt, dt.time(), BJ).isoformat()


@pytest.fixture
def works(plan, office, make_user):
    services.import_enterprises(
        None,
        plan,
        rows(
            {"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": "思聪街道"},
            {"uscc": OTHER, "name": "示例电子厂", "industry_code": "3982", "township": ""},
        ),
    )
    services.import_meters(
        None,
        plan,
        rows(
            {"uscc": CERAMICS, "meter_code": "T-E", "carrier": "electricity", "unit": "MWh"},
            {"uscc": CERAMICS, "meter_code": "T-C", "carrier": "raw_coal", "unit": "t"},
            {"uscc": OTHER, "meter_code": "O-E", "carrier": "electricity", "unit": "MWh"},
        ),
    )
    manager = make_user("manager", "enterprise")
    stranger = make_user("stranger", "enterprise")
    ent = Enterprise.objects.get(uscc=CERAMICS)
    ent.managers.add(manager)
    Enterprise.objects.get(uscc=OTHER).managers.add(stranger)
    return {"plan": plan, "ent": ent, "manager": manager, "stranger": stranger, "office": office}


def monthly(meter: str, year: int, values: dict[int, str]):
    return rows(*({"meter_code": meter, "reading_time": month_end(year, m), "quantity": v} for m, v in values.items()))


# --- roll-ups -------------------------------------------------------------------------------------------------
def test_rollup_months_follow_the_interval_end_rule(works):
    plan = works["plan"]
    services.ingest_readings(
        plan,
        rows(
            {"meter_code": "T-E", "reading_time": "2024-03-01T00:00:00+08:00", "quantity": "5"},  # February's
            {"meter_code": "T-E", "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "7"},  # March's
            {"meter_code": "T-E", "reading_time": "2023-12-31T16:00:00Z", "quantity": "11"},  # = 2024-01-01 00:00 +08
            {"meter_code": "T-E", "reading_time": "2024-02-29T15:45:00Z", "quantity": "2", "x": ""},  # 23:45 +08
        ),
    )
    got = {(r.month, r.quantity, r.readings) for r in MonthlyRollup.objects.filter(meter__meter_code="T-E")}
    assert got == {
        (dt.date(2023, 12, 1), Decimal("11"), 1),
        (dt.date(2024, 2, 1), Decimal("7"), 2),
        (dt.date(2024, 3, 1), Decimal("7"), 1),
    }
    before = list(MonthlyRollup.objects.order_by("pk").values())
    again = services.ingest_readings(
        plan, rows({"meter_code": "T-E", "reading_time": "2024-03-01T00:00:00+08:00", "quantity": "5"})
    )
    assert again.as_dict() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert list(MonthlyRollup.objects.order_by("pk").values()) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 3 * 366 * 24 - 1), st.integers(0, 10**6), st.sampled_from(["T-E", "T-C", "O-E"])),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 4),
)
def test_rollups_equal_the_readings_whatever_the_batches(works, data, batches):
    """However the readings are split into batches, each roll-up is exactly the sum of its month's readings."""
    Reading.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    start = dt.datetime(2023, 1, 1, tzinfo=BJ)
    rs = [
        {"meter_code": code, "reading_time": (start + dt.timedelta(hours=h)).isoformat(), "quantity": f"{q / 1000}"}
        for h, q, code in data
    ]
    for b in range(batches):
        services.ingest_readings(works["plan"], rows(*rs[b::batches]))
    expect: dict[tuple[int, dt.date], Decimal] = {}
    for r in Reading.objects.all():
        k = (r.meter_id, rollups.month_of(r.reading_time))
        expect[k] = expect.get(k, Decimal(0)) + r.quantity
    assert {(r.meter_id, r.month): r.quantity for r in MonthlyRollup.objects.all()} == expect


# --- the carbon account -----------------------------------------------------------------------------------
@pytest.fixture
def year2024(works):
    plan = works["plan"]
    services.ingest_readings(plan, monthly("T-E", 2024, {m: "100" for m in range(1, 13)}))
    services.ingest_readings(plan, monthly("T-C", 2024, {m: "50" for m in range(1, 13)}))
    carbon.import_benchmarks(
        None, plan, rows({"industry_code": "30", "year": "2020", "intensity": "2", "source": "test"})
    )
    return works


def test_grade_bounds_are_upper_inclusive_and_exact(works):
    plan, ent = works["plan"], works["ent"]
    carbon.import_benchmarks(
        None, plan, rows({"industry_code": "3071", "year": "2020", "intensity": "1.5", "source": "t"})
    )
    # k = 120 / (100 × 1.5) = 0.8 exactly: grade 2 (upper-inclusive); one millionth more: grade 3
    assert carbon.grade(plan, ent, 2024, Decimal("120"), Decimal("100"))["grade"] == 2
    assert carbon.grade(plan, ent, 2024, Decimal("120.000001"), Decimal("100"))["grade"] == 3
    assert carbon.grade(plan, ent, 2024, Decimal("301"), Decimal("100"))["grade"] == 5  # k > 2.0
    g = carbon.grade(plan, ent, 2024, Decimal("60"), Decimal("100"))
    assert (g["grade"], g["benchmark"]["industry_code"], g["k"]) == (1, "3071", "0.4")


def test_benchmark_falls_back_to_the_division_and_to_earlier_years(works):
    plan, ent = works["plan"], works["ent"]
    rep = carbon.import_benchmarks(
        None,
        plan,
        rows(
            {"industry_code": "30", "year": "2020", "intensity": "2", "source": "div"},
            {"industry_code": "3071", "year": "2025", "intensity": "1.2", "source": "class"},
            {"industry_code": "9999", "year": "2020", "intensity": "1", "source": "x"},
            {"industry_code": "3011", "year": "2020", "intensity": "-1", "source": "x"},
            {"industry_code": "3011", "year": "20x0", "intensity": "1", "source": "x"},
            {"industry_code": "3011", "year": "2020", "intensity": "1", "source": ""},
        ),
    )
    d = rep.as_dict()
    assert d["accepted"] == 2
    assert [(r["line"], r["field"]) for r in d["rejected"]] == [
        (4, "industry_code"),
        (5, "intensity"),
        (6, "year"),
        (7, "source"),
    ]
    assert carbon.benchmark_for(plan, ent.industry_code, 2024).source == "div"  # the class starts in 2025
    assert carbon.benchmark_for(plan, ent.industry_code, 2025).source == "class"
    again = carbon.import_benchmarks(
        None, plan, rows({"industry_code": "30", "year": "2020", "intensity": "2", "source": "div"})
    )
    assert again.as_dict() == {"accepted": 0, "duplicates": 1, "rejected": []}


def test_account_workflow_submit_return_approve_lock_revise(year2024):
    w = year2024
    ent, manager, office = w["ent"], w["manager"], w["office"]
    with pytest.raises(PermissionDenied):
        carbon.submit(w["stranger"], ent, 2024, "1000")
    with pytest.raises(ValidationFailed) as e:
        carbon.submit(manager, ent, dt.date.today().year, "1000")
    assert e.value.issues[0].field == "year"
    with pytest.raises(ValidationFailed) as e:
        carbon.submit(manager, ent, 2024, "-5")
    assert e.value.issues[0].field == "value_added_10k_yuan"
    assert not CarbonAccount.objects.exists()

    v1 = carbon.submit(manager, ent, 2024, "1000", "first")
    acc = v1.results["enterprise"]
    assert acc["energy_tce"] == pytest.approx(1200 * E_TCE + 600 * 0.7143, rel=1e-12)
    assert acc["co2_fuel_t"] + acc["co2_electricity_t"] == pytest.approx(acc["co2_t"])
    fs = core_factor_set(default_factor_set(w["plan"]))
    co2 = Decimal(repr(acc["co2_t"])).quantize(Decimal("0.000001"))
    expected = carbon_efficiency(co2, Decimal("1000"), Decimal("2"), fs)
    assert v1.grade == expected.grade and v1.grade_detail["k"] == str(expected.k)
    with pytest.raises(ValidationFailed):  # one pending version at a time
        carbon.submit(manager, ent, 2024, "1000")
    with pytest.raises(PermissionDenied):
        carbon.approve(manager, v1)
    with pytest.raises(ValidationFailed) as e:
        carbon.return_account(office, v1, "  ")
    assert e.value.issues[0].field == "comment"
    carbon.return_account(office, v1, "补充说明煤炭热值")
    v1.refresh_from_db()
    assert v1.status == AccountStatus.RETURNED

    v2 = carbon.submit(manager, ent, 2024, "1000", "second")
    assert v2.version == 2
    carbon.approve(office, v2)
    v2.refresh_from_db()
    assert v2.status == AccountStatus.APPROVED and carbon.current(ent, 2024) == v2
    v2.note = "changed"
    with pytest.raises(ValueError):
        v2.save()  # approved versions are locked
    with pytest.raises(ValidationFailed) as e:
        carbon.submit(manager, ent, 2024, "1000.0")  # identical to the approved version
    assert e.value.issues[0].code == "unchanged"
    assert not carbon.is_stale(v2)

    # late data makes the approved version stale; a revision is version 3 and v2 stays approved until then
    services.ingest_readings(
        w["plan"], rows({"meter_code": "T-E", "reading_time": "2024-06-15T00:00:00+08:00", "quantity": "10"})
    )
    assert carbon.is_stale(v2)
    v3 = carbon.submit(manager, ent, 2024, "1000")
    assert v3.version == 3 and carbon.current(ent, 2024) == v2
    carbon.approve(office, v3)
    assert carbon.current(ent, 2024).version == 3
    assert [h.version for h in carbon.grade_history(ent)] == [3]
    actions = set(AuditEntry.objects.filter(action__startswith="carbon_account.").values_list("action", flat=True))
    assert actions == {"carbon_account.submit", "carbon_account.return", "carbon_account.approve"}


# --- dual control -------------------------------------------------------------------------------------------
NOW = dt.datetime(2024, 7, 10, 12, tzinfo=BJ)  # six complete months of 2024


@pytest.fixture
def two_years(works):
    plan = works["plan"]
    services.ingest_readings(plan, monthly("T-E", 2023, {m: "100" for m in range(1, 13)}))
    services.ingest_readings(plan, monthly("T-E", 2024, {m: "110" for m in range(1, 7)}))
    services.ingest_readings(  # July is running: left out of the projection
        plan, rows({"meter_code": "T-E", "reading_time": "2024-07-05T00:00:00+08:00", "quantity": "999"})
    )
    return works


@pytest.mark.parametrize(("budget", "light"), [("170", "green"), ("150", "yellow"), ("140", "red")])
def test_enterprise_budget_light_uses_its_own_seasonal_profile(two_years, budget, light):
    ent = two_years["ent"]
    EnergyBudget.objects.create(enterprise=ent, year=2024, budget_tce=Decimal(budget))
    out = control.enterprise_warnings(two_years["plan"], 2024, NOW)
    assert out["complete_months"] == 6
    row = next(r for r in out["enterprises"] if r["uscc"] == CERAMICS)
    # YTD 660 MWh; last year 600 in the same months and 1 200 in all: 660 × 1200/600 = 1 320 MWh
    assert row["projection"] == "profile"
    assert row["projected_tce"] == pytest.approx(1320 * E_TCE, rel=1e-12)
    assert row["light"] == light
    assert row["gap_tce"] == pytest.approx(1320 * E_TCE - float(budget), rel=1e-9)
    assert row["carriers"][0]["carrier"] == "electricity"
    assert row["carriers"][0]["change_tce"] == pytest.approx(60 * E_TCE, rel=1e-12)


def test_without_last_year_the_projection_is_linear_and_a_running_month_is_not_counted(works):
    services.ingest_readings(works["plan"], monthly("T-E", 2024, {1: "30", 2: "30", 3: "30"}))
    out = control.enterprise_warnings(works["plan"], 2024, dt.datetime(2024, 4, 20, tzinfo=BJ))
    row = next(r for r in out["enterprises"] if r["uscc"] == CERAMICS)
    assert (row["projection"], row["light"]) == ("linear", "no_data")  # no budget: no light
    assert row["projected_tce"] == pytest.approx(90 * 12 / 3 * E_TCE, rel=1e-12)


def _approved_inventory(office, plan, year, gdp):
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, numbered

    inv = acc.create_inventory(office, plan, year)
    params = [
        (None, "gdp_10k_yuan", gdp),
        (None, "coal_equivalent_kgce_per_kwh", "0.30"),
        (None, "population", "400000"),
    ]
    acc.import_activity(office, inv, numbered(BASE_ROWS), params)
    acc.approve(office, inv)
    return inv


def test_county_total_and_intensity_warning_name_the_enterprises_behind_the_change(two_years):
    from carbonpeak.accounting.fetch import results_of

    plan, office = two_years["plan"], two_years["office"]
    inv = _approved_inventory(office, plan, 2023, "1000000")
    total_2023 = results_of(inv)["energy"]["calorific"]["total_tce"]
    target = plan.targets.get(code="energy_intensity_reduction")
    target.baseline_year = 2023
    target.save()
    estimate = total_2023 - 1200 * E_TCE + 1320 * E_TCE
    CountyControl.objects.create(
        plan=plan, year=2024, gdp_growth=Decimal("0.05"), energy_total_budget_tce=Decimal(f"{estimate / 1.05:.4f}")
    )
    out = control.county_warning(plan, 2024, NOW)
    assert out["estimated_total_tce"] == pytest.approx(estimate, rel=1e-12)
    assert out["total"]["light"] == "yellow"  # 5 % over the budget: within the 10 % of the plan's rule
    reduction = 1 - (estimate / 1050000) / (total_2023 / 1000000)
    assert out["intensity"]["estimated_reduction"] == pytest.approx(reduction, rel=1e-9)
    assert out["intensity"]["expected_reduction"] == pytest.approx(0.075)  # halfway from 2023 (0) to 2025 (0.15)
    assert out["intensity"]["light"] == ("green" if reduction >= 0.075 else "yellow" if reduction >= 0.06 else "red")
    assert out["drivers"][0]["name"] == "示例陶瓷厂"
    assert out["drivers"][0]["carriers"][0]["carrier"] == "electricity"


def test_county_warning_says_what_is_missing(works):
    out = control.county_warning(works["plan"], 2024, NOW)
    assert out["total"]["light"] == "no_data" and out["intensity"]["light"] == "no_data"
    assert {"no_approved_inventory", "no_total_budget"} <= set(out["reasons"])


def test_reconciliation_reports_coverage_per_sector(two_years):
    plan, office = two_years["plan"], two_years["office"]
    inv = _approved_inventory(office, plan, 2023, "1000000")
    from carbonpeak.accounting.fetch import results_of

    res = results_of(inv)
    out = control.reconciliation(plan, 2023)
    c30 = next(r for r in out["sectors"] if r["sector"] == "industry.C30")
    assert c30["monitored_tce"] == pytest.approx(1200 * E_TCE)
    assert c30["inventory_tce"] == pytest.approx(res["by_sector"]["industry.C30"]["energy_tce"]["calorific"])
    assert c30["coverage"] == pytest.approx(c30["monitored_tce"] / c30["inventory_tce"])
    assert out["industry"]["gap_tce"] == pytest.approx(
        res["by_group"]["industry"]["energy_tce"]["calorific"] - 1200 * E_TCE
    )
    assert control.sector_of("3982") == "industry.C39" and control.sector_of("0000") is None


# --- energy-review headroom -----------------------------------------------------------------------------------
def test_headroom_is_debited_on_approval_and_never_negative(works):
    plan, office = works["plan"], works["office"]
    with pytest.raises(PermissionDenied):
        control.allocate(works["manager"], plan, "100", "x")
    control.allocate(office, plan, "1000", "十四五增量")
    p = control.approve_project(
        office,
        plan,
        name="二期",
        approval_ref="审〔2026〕1号",
        energy_tce="600",
        approved_on="2026-03-01",
        expected_year=2027,
        enterprise=works["ent"],
    )
    assert control.headroom_balance(plan) == Decimal("400")
    with pytest.raises(ValidationFailed) as e:
        control.approve_project(
            office,
            plan,
            name="三期",
            approval_ref="审〔2026〕2号",
            energy_tce="400.0001",
            approved_on="2026-04-01",
            expected_year=2027,
        )
    assert e.value.issues[0].field == "energy_tce"
    assert not ReviewProject.objects.filter(approval_ref="审〔2026〕2号").exists()  # nothing stored half-way
    with pytest.raises(ValidationFailed) as e:
        control.approve_project(
            office,
            plan,
            name="",
            approval_ref=" ",
            energy_tce="x",
            approved_on="2026-13-01",
            expected_year="y",
        )
    assert {i.field for i in e.value.issues} == {"name", "approval_ref", "energy_tce", "approved_on", "expected_year"}
    with pytest.raises(ValidationFailed) as e:  # the same approval number twice (checked under the lock)
        control.approve_project(
            office, plan, name="重复", approval_ref="审〔2026〕1号", energy_tce="1", approved_on="2026-03-02",
            expected_year=2027,
        )  # fmt: skip
    assert e.value.issues[0].field == "approval_ref"
    control.set_project_status(office, p, ProjectStatus.COMMISSIONED)  # commissioning keeps the debit
    assert control.headroom_balance(plan) == Decimal("400")
    with pytest.raises(ValidationFailed):
        control.set_project_status(office, p, ProjectStatus.CANCELLED)
    q = control.approve_project(
        office,
        plan,
        name="四期",
        approval_ref="审〔2026〕3号",
        energy_tce="400",
        approved_on="2026-05-01",
        expected_year=2028,
    )
    assert control.headroom_balance(plan) == 0
    control.set_project_status(office, q, ProjectStatus.CANCELLED)
    entries = list(HeadroomEntry.objects.filter(plan=plan).order_by("id"))
    assert [e.kind for e in entries] == ["allocation", "approval", "approval", "cancel"]
    running = Decimal(0)
    for e in entries:  # every entry carries the balance after it
        running += e.amount_tce
        assert e.balance_tce == running
    assert running == Decimal("400")


# --- corrections, manual entries, alerts ------------------------------------------------------------------
def test_correction_is_reviewed_by_the_office_and_changes_the_reading_with_audit(works):
    plan, manager, office = works["plan"], works["manager"], works["office"]
    services.ingest_readings(
        plan, rows({"meter_code": "T-E", "reading_time": "2024-05-01T00:00:00+08:00", "quantity": "80"})
    )
    meter = Meter.objects.get(meter_code="T-E")
    t = "2024-05-01T00:00:00+08:00"
    with pytest.raises(PermissionDenied):
        monitoring.request_correction(works["stranger"], meter, t, "8", "typo")
    with pytest.raises(ValidationFailed) as e:
        monitoring.request_correction(manager, meter, "2024-05-02T00:00:00+08:00", "8", "typo")
    assert e.value.issues[0].field == "reading_time"
    with pytest.raises(ValidationFailed) as e:
        monitoring.request_correction(manager, meter, t, "80", "same")
    assert e.value.issues[0].field == "new_quantity"
    c = monitoring.request_correction(manager, meter, t, "8", "多录一个 0")
    with pytest.raises(ValidationFailed):
        monitoring.request_correction(manager, meter, t, "9", "again")
    with pytest.raises(PermissionDenied):
        monitoring.review_correction(manager, c, True)
    with pytest.raises(ValidationFailed):
        monitoring.review_correction(office, c, False, "")  # a rejection needs a reason
    monitoring.review_correction(office, c, True)
    assert Reading.objects.get(meter=meter).quantity == Decimal("8")
    assert MonthlyRollup.objects.get(meter=meter, month=dt.date(2024, 4, 1)).quantity == Decimal("8")
    c.refresh_from_db()
    assert c.status == CorrectionStatus.APPROVED
    audit = AuditEntry.objects.get(action="reading.correct")
    assert (audit.before["quantity"], audit.after["quantity"]) == ("80.000000", "8.000000")
    # the old value sent again is now a conflict, never a silent overwrite back
    rep = services.ingest_readings(plan, rows({"meter_code": "T-E", "reading_time": t, "quantity": "80"}))
    assert rep.as_dict()["rejected"][0]["field"] == "quantity"


def test_manual_entries_stay_marked_manual(works):
    meter = Meter.objects.get(meter_code="T-C")
    with pytest.raises(PermissionDenied):
        monitoring.enter_manual(works["stranger"], meter, "2024-02-01T00:00:00+08:00", "12")
    rep = monitoring.enter_manual(works["manager"], meter, "2024-02-01T00:00:00+08:00", "12")
    assert rep.as_dict() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert Reading.objects.get(meter=meter).source == "manual"
    r = MonthlyRollup.objects.get(meter=meter)
    assert (r.month, r.readings, r.manual_readings) == (dt.date(2024, 1, 1), 1, 1)
    bad = monitoring.enter_manual(works["manager"], meter, "2024-02-01T00:00:00+08:00", "-1")
    assert bad.as_dict()["rejected"][0]["field"] == "quantity"


def test_silent_meter_alert_mails_the_enterprise_and_the_office_once(works, django_capture_on_commit_callbacks):
    plan = works["plan"]
    works["ent"].contact_email = "contact@ceramics.invalid"
    works["ent"].save()
    services.ingest_readings(
        plan, rows({"meter_code": "T-E", "reading_time": "2024-05-06T10:00:00+08:00", "quantity": "1"})
    )
    now = dt.datetime(2024, 5, 10, 12, tzinfo=BJ)  # Friday: Tue-Fri = 4 working days after Monday
    with django_capture_on_commit_callbacks(execute=True):
        out = monitoring.check_silent_meters(plan, now)
    assert "T-E" in out["opened"]
    sent = [m for m in mail.outbox if "T-E" in m.subject]
    assert len(sent) == 1
    assert set(sent[0].to) == {"contact@ceramics.invalid", "manager@example.invalid", "office@example.invalid"}
    assert "stranger@example.invalid" not in sent[0].to
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.check_silent_meters(plan, now + dt.timedelta(hours=1))
    assert len([m for m in mail.outbox if "T-E" in m.subject]) == 1  # once per alert
    assert MeterAlert.objects.get(meter__meter_code="T-E").notified_at is not None


# --- disclosure -----------------------------------------------------------------------------------------------
def test_published_list_is_frozen_and_the_report_renders(year2024, client):
    w = year2024
    plan, office = w["plan"], w["office"]
    ca = carbon.submit(w["manager"], w["ent"], 2024, "1000")
    carbon.approve(office, ca)
    with pytest.raises(PermissionDenied):
        disclosure.publish_list(w["manager"], plan, 2024)
    from carbonpeak.plan.models import Milestone

    Milestone.objects.filter(target__code="enterprise_carbon_account_threshold").update(value=Decimal("100"))
    pl = disclosure.publish_list(office, plan, 2024)
    assert [(r["uscc"], r["grade"], r["source"]) for r in pl.rows] == [(CERAMICS, ca.grade, "approved_account")]
    # a later revision does not change what was published
    late = services.ingest_readings(
        plan, rows({"meter_code": "T-C", "reading_time": "2024-08-15T00:00:00+08:00", "quantity": "900"})
    )
    assert late.accepted == 1
    revised = carbon.submit(w["manager"], w["ent"], 2024, "1000")
    carbon.approve(office, revised)
    live = disclosure.key_user_rows(plan, 2024)
    assert live[0]["account_version"] == revised.version and live[0]["energy_tce"] > pl.rows[0]["energy_tce"]
    assert PublishedList.objects.get(pk=pl.pk).rows == pl.rows  # the published list keeps version 1
    page = client.get("/enterprises/key-users/?year=2024")  # public, no login
    assert page.status_code == 200 and "示例陶瓷厂" in page.content.decode()
    pdf = disclosure.account_pdf(carbon.current(w["ent"], 2024))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_accounts_are_read_from_the_rollups(year2024):
    """Accounts come from the roll-ups: deleting the readings behind them does not change the account."""
    plan = year2024["plan"]
    before = accounts.compute(plan, 2024)
    Reading.objects.all()._raw_delete(Reading.objects.db)
    assert accounts.compute(plan, 2024) == before
    assert MonthlyRollup.objects.aggregate(n=Sum("readings"))["n"] == 24


# --- PostgreSQL ---------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readings_are_range_partitioned_by_year_on_postgresql(plan):
    from django.db import connection

    assert connection.vendor == "postgresql"
    services.import_enterprises(
        None, plan, rows({"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": ""})
    )
    services.import_meters(
        None, plan, rows({"uscc": CERAMICS, "meter_code": "P-E", "carrier": "electricity", "unit": "MWh"})
    )
    services.ingest_readings(
        plan,
        rows(
            {"meter_code": "P-E", "reading_time": "2024-12-31T23:45:00+08:00", "quantity": "1"},
            {"meter_code": "P-E", "reading_time": "2025-01-01T00:15:00+08:00", "quantity": "2"},
            {"meter_code": "P-E", "reading_time": "2001-06-01T00:00:00+08:00", "quantity": "3"},
        ),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'enterprises_reading'::regclass")
        assert cur.fetchone() == ("r",)
        cur.execute("SELECT tableoid::regclass::text, quantity FROM enterprises_reading ORDER BY reading_time")
        assert cur.fetchall() == [
            ("enterprises_reading_default", Decimal("3.000000")),
            ("enterprises_reading_y2024", Decimal("1.000000")),
            ("enterprises_reading_y2025", Decimal("2.000000")),
        ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_project_approvals_never_overdraw_the_headroom(plan, office):
    control.allocate(office, plan, "100", "test")

    def approve(n):
        return lambda: control.approve_project(
            office,
            plan,
            name=f"P{n}",
            approval_ref=f"R{n}",
            energy_tce="60",
            approved_on="2026-01-01",
            expected_year=2027,
        )

    results = race([approve(n) for n in range(4)])
    ok = [r for r in results if isinstance(r, ReviewProject)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert (len(ok), len(refused)) == (1, 3), results
    assert control.headroom_balance(plan) == Decimal("40")
    assert HeadroomEntry.objects.filter(kind="approval").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_of_one_meter_leave_exact_rollups(plan, monkeypatch):
    """The first refresh to write stalls between its aggregate and its upsert, as a slow worker would: without
    the meter lock the others' rows, committed meanwhile, would be overwritten by its stale sums."""
    import threading
    import time

    original = MonthlyRollup.objects.bulk_create
    first = threading.Lock()

    def slow_first(*args, **kwargs):
        if first.acquire(blocking=False):
            time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(MonthlyRollup.objects, "bulk_create", slow_first)
    services.import_enterprises(
        None, plan, rows({"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": ""})
    )
    services.import_meters(
        None, plan, rows({"uscc": CERAMICS, "meter_code": "P-E", "carrier": "electricity", "unit": "MWh"})
    )
    start = dt.datetime(2024, 3, 1, 0, 15, tzinfo=BJ)  # (00:00 would end a February interval)
    batches = [
        rows(
            *(
                {
                    "meter_code": "P-E",
                    "reading_time": (start + dt.timedelta(minutes=15 * (4 * i + k))).isoformat(),
                    "quantity": f"{k + 1}",
                }
                for i in range(500)
            )
        )
        for k in range(4)
    ]  # four workers, interleaved times in the same month
    results = race([lambda b=b: services.ingest_readings(plan, b) for b in batches])
    assert [r.accepted for r in results] == [500] * 4
    r = MonthlyRollup.objects.get(meter__meter_code="P-E")
    assert (r.readings, r.quantity) == (2000, Decimal(500 * (1 + 2 + 3 + 4)))


# --- registry: optional columns -----------------------------------------------------------------------------
def test_optional_contact_and_meter_columns_are_validated_and_kept(works):
    plan = works["plan"]
    rep = services.import_enterprises(
        None,
        plan,
        rows(
            {"uscc": CERAMICS, "name": "示例陶瓷厂", "industry_code": "3071", "township": "思聪街道",
             "contact_name": "李工", "contact_phone": "0731-1234567", "contact_email": "li@example.invalid"},
            {"uscc": OTHER, "name": "示例电子厂", "industry_code": "3982", "township": "", "contact_email": "not-mail"},
        ),
    )  # fmt: skip
    assert rep.as_dict()["accepted"] == 1 and rep.as_dict()["rejected"][0]["field"] == "contact_email"
    ent = Enterprise.objects.get(uscc=CERAMICS)
    assert (ent.contact_name, ent.contact_email) == ("李工", "li@example.invalid")
    base = {"uscc": CERAMICS, "meter_code": "T-E", "carrier": "electricity", "unit": "MWh"}
    rep = services.import_meters(
        None,
        plan,
        rows(
            {**base, "multiplier": "80", "calibration_due": "2027-06-30", "energy_review_ref": "茶发改能审〔2025〕3号",
             "interval_minutes": "15", "is_online": "是"},
            {**base, "meter_code": "T-X", "multiplier": "0"},
            {**base, "meter_code": "T-Y", "calibration_due": "2027-02-30"},
            {**base, "meter_code": "T-Z", "is_online": "maybe"},
            {**base, "meter_code": "T-W", "interval_minutes": "0"},
        ),
    )  # fmt: skip
    d = rep.as_dict()
    assert d["accepted"] == 1
    assert [r["field"] for r in d["rejected"]] == ["multiplier", "calibration_due", "is_online", "interval_minutes"]
    m = Meter.objects.get(meter_code="T-E")
    assert (m.multiplier, m.calibration_due, m.energy_review_ref) == (
        Decimal(80),
        dt.date(2027, 6, 30),
        "茶发改能审〔2025〕3号",
    )
    again = services.import_meters(None, plan, rows({**base, "multiplier": "80.0", "calibration_due": "2027-06-30"}))
    assert again.as_dict() == {"accepted": 0, "duplicates": 1, "rejected": []}
    services.ingest_readings(
        plan, rows({"meter_code": "T-E", "reading_time": "2024-05-01T00:00:00+08:00", "quantity": "1"})
    )
    fixed = services.import_meters(None, plan, rows({**base, "multiplier": "100"}))
    assert fixed.as_dict()["rejected"][0]["field"] == "meter_code"  # a meter with readings keeps its multiplier
    moved = services.import_meters(None, plan, rows({**base, "calibration_due": "2028-01-31", "is_online": "否"}))
    assert moved.as_dict()["accepted"] == 1
    m.refresh_from_db()
    assert (m.calibration_due, m.is_online, m.multiplier) == (dt.date(2028, 1, 31), False, Decimal(80))
    # the multiplier scales the account
    acc = next(e for e in accounts.compute(plan, 2024)["enterprises"] if e["uscc"] == CERAMICS)
    assert acc["energy_tce"] == pytest.approx(80 * E_TCE)


def test_the_meter_table_shows_missing_intervals_of_the_last_week(works, client):
    plan = works["plan"]
    meter = Meter.objects.get(meter_code="T-E")
    meter.interval_minutes = 1440
    meter.save()
    today = dt.datetime.now(BJ).replace(hour=0, minute=0, second=0, microsecond=0)
    services.ingest_readings(
        plan, rows(*({"meter_code": "T-E", "reading_time": (today - dt.timedelta(days=d)).isoformat(), "quantity": "1"}
                     for d in (0, 1, 2, 4, 5, 6)))
    )  # fmt: skip
    client.force_login(works["manager"])
    html = client.get(f"/enterprises/{CERAMICS}/").content.decode()
    assert ">1 / 7</span>" in html  # one of the seven daily intervals is missing


def test_an_enterprise_monitored_only_since_the_inventory_year_is_not_counted_twice(two_years):
    from carbonpeak.accounting.fetch import results_of

    plan, office = two_years["plan"], two_years["office"]
    inv = _approved_inventory(office, plan, 2023, "1000000")
    before = control.county_warning(plan, 2024, NOW)["estimated_total_tce"]
    services.ingest_readings(plan, monthly("O-E", 2024, {m: "500" for m in range(1, 7)}))  # new in 2024
    out = control.county_warning(plan, 2024, NOW)
    assert out["estimated_total_tce"] == pytest.approx(before, rel=1e-12)
    assert before == pytest.approx(results_of(inv)["energy"]["calorific"]["total_tce"] + 120 * E_TCE, rel=1e-12)
    assert [n["name"] for n in out["newly_monitored"]] == ["示例电子厂"]


def test_the_submitter_cannot_review_their_own_account(year2024, make_user):
    office, ent = year2024["office"], year2024["ent"]
    ca = carbon.submit(office, ent, 2024, "1000", "filed on paper by the enterprise")
    for review in (lambda: carbon.approve(office, ca), lambda: carbon.return_account(office, ca, "x")):
        with pytest.raises(ValidationFailed) as e:
            review()
        assert e.value.issues[0].field == "reviewer"
    colleague = make_user("office2", "office")
    carbon.approve(colleague, ca)
    ca.refresh_from_db()
    assert (ca.status, ca.submitted_by, ca.reviewed_by_label) == ("approved", office, str(colleague))


def test_a_failed_alert_mail_is_retried_and_offline_meters_close_their_alerts(works, monkeypatch):
    plan = works["plan"]
    now = dt.datetime(2024, 5, 10, 12, tzinfo=BJ)
    for code in ("T-E", "T-C"):
        services.ingest_readings(
            plan, rows({"meter_code": code, "reading_time": "2024-05-06T10:00:00+08:00", "quantity": "1"})
        )

    def broken(*a, **k):
        raise OSError("smtp down")

    monkeypatch.setattr(monitoring, "send_mail", broken)
    out = monitoring.check_silent_meters(plan, now)
    assert set(out["opened"]) >= {"T-E", "T-C"} and set(out["notify_failed"]) >= {"T-E", "T-C"}
    assert MeterAlert.objects.filter(notified_at__isnull=True).count() >= 2
    monkeypatch.undo()
    out = monitoring.check_silent_meters(plan, now + dt.timedelta(minutes=5))
    assert out["opened"] == [] and out["notify_failed"] == []
    assert not MeterAlert.objects.filter(resolved_at__isnull=True, notified_at__isnull=True).exists()  # retried
    assert len([m for m in mail.outbox if "T-C" in m.subject]) == 1
    Meter.objects.filter(meter_code="T-C").update(is_online=False)  # read by hand from now on
    out = monitoring.check_silent_meters(plan, now + dt.timedelta(minutes=10))
    assert out["closed"] == ["T-C"]


def test_rollups_can_be_rebuilt_from_the_readings(year2024):
    plan = year2024["plan"]
    good = sorted(MonthlyRollup.objects.values_list("meter_id", "month", "quantity", "readings"))
    MonthlyRollup.objects.filter(month__gte=dt.date(2024, 6, 1)).delete()  # as if a refresh never ran
    MonthlyRollup.objects.filter(month=dt.date(2024, 1, 1)).update(quantity=Decimal(0))
    assert services.rebuild_rollups(plan) == len(good)
    assert sorted(MonthlyRollup.objects.values_list("meter_id", "month", "quantity", "readings")) == good
