"""Registry and readings: USCC check characters, per-row reports, duplicates, conflicts, New Year, accounts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core.uscc import USCC_CHARSET, check_uscc, make_uscc, org_check_char
from carbonpeak.enterprises import services
from carbonpeak.enterprises.accounts import enterprise_accounts, year_window
from carbonpeak.enterprises.models import Reading

VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]
CEMENT = make_uscc("91430224", "MA4L0C01")
FOODS = make_uscc("92430224", "L1234567")


def test_published_codes_pass_and_each_fault_is_named():
    assert all(check_uscc(c) is None for c in VALID)
    assert check_uscc("91350100M000100Y4")[0] == "length"
    assert check_uscc("91350100M000100YO3")[0] == "charset"  # O is not used
    assert check_uscc("9135010aM000100Y43")[0] == "charset"
    assert check_uscc("91350100M000100Y44")[0] == "check_char"
    # a code whose outer check character is right but whose embedded organisation code is not
    body = "MA4L0C01"
    wrong = "0" if org_check_char(body) != "0" else "1"
    first17 = "91430224" + body + wrong
    from carbonpeak.core.uscc import uscc_check_char

    assert check_uscc(first17 + uscc_check_char(first17))[0] == "org_check_char"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    st.integers(0, 17),
    st.sampled_from(USCC_CHARSET),
)
def test_any_single_substitution_is_caught(head, division, body, pos, char):
    code = make_uscc(head + division, body)
    assert check_uscc(code) is None
    changed = code[:pos] + char + code[pos + 1 :]
    if changed != code:
        assert check_uscc(changed) is not None


def rows(*dicts):
    return [(i, d) for i, d in enumerate(dicts, start=2)]


@pytest.fixture
def registry(plan):
    rep = services.import_enterprises(
        None,
        plan,
        rows(
            {"uscc": CEMENT, "name": "茶陵示例水泥有限公司", "industry_code": "3011", "township": "下东街道"},
            {"uscc": FOODS, "name": "示例食品厂", "industry_code": "1391", "township": "思聪街道"},
        ),
    )
    assert rep.as_dict() == {"accepted": 2, "duplicates": 0, "rejected": []}
    rep = services.import_meters(
        None,
        plan,
        rows(
            {"uscc": CEMENT, "meter_code": "E-001", "carrier": "electricity", "unit": "MWh"},
            {"uscc": CEMENT, "meter_code": "C-001", "carrier": "raw_coal", "unit": "t"},
            {"uscc": FOODS, "meter_code": "G-001", "carrier": "natural_gas", "unit": "10k_m3"},
        ),
    )
    assert rep.as_dict()["accepted"] == 3
    return plan


def test_enterprise_import_reports_rows_and_repeats_change_nothing(plan):
    data = rows(
        {"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""},
        {"uscc": "91350100M000100Y44", "name": "校验位错", "industry_code": "3011", "township": ""},
        {"uscc": FOODS, "name": "食品厂", "industry_code": "9999", "township": ""},
        {"uscc": FOODS, "name": "", "industry_code": "1391", "township": ""},
        {"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""},
        {"uscc": CEMENT, "name": "另一个名字", "industry_code": "3011", "township": ""},
    )
    rep = services.import_enterprises(None, plan, data).as_dict()
    assert (rep["accepted"], rep["duplicates"]) == (1, 1)
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [
        (3, "uscc"),
        (4, "industry_code"),
        (5, "name"),
        (7, "uscc"),
    ]
    assert "校验位" in rep["rejected"][0]["message"] and "check character" in rep["rejected"][0]["message"]
    again = services.import_enterprises(None, plan, data).as_dict()
    assert (again["accepted"], again["duplicates"]) == (0, 2)


def test_meter_units_must_fit_the_carrier(registry):
    rep = services.import_meters(
        None,
        registry,
        rows(
            {"uscc": CEMENT, "meter_code": "X-1", "carrier": "raw_coal", "unit": "MWh"},
            {"uscc": CEMENT, "meter_code": "X-2", "carrier": "coal", "unit": "t"},
            {"uscc": "91350100M000100Y43", "meter_code": "X-3", "carrier": "diesel", "unit": "t"},
            {"uscc": CEMENT, "meter_code": "E-001", "carrier": "electricity", "unit": "MWh"},
        ),
    ).as_dict()
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [(2, "unit"), (3, "carrier"), (4, "uscc")]
    assert rep["duplicates"] == 1


def test_readings_duplicates_conflicts_and_time_zones(registry):
    first = rows(
        {"meter_code": "E-001", "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "10"},
        {"meter_code": "E-001", "reading_time": "2024-03-01T00:30:00+08:00", "quantity": "12"},
        {"meter_code": "E-001", "reading_time": "2024-02-29T16:30:00Z", "quantity": "12"},  # the same instant
        {"meter_code": "E-001", "reading_time": "2024-03-01T00:45:00", "quantity": "3"},  # no offset
        {"meter_code": "NOPE", "reading_time": "2024-03-01T00:45:00+08:00", "quantity": "3"},
        {"meter_code": "E-001", "reading_time": "2024-03-01T01:00:00+08:00", "quantity": "-1"},
        {"meter_code": "E-001", "reading_time": "2024-03-01T01:15:00+08:00", "quantity": "abc"},
    )
    rep = services.ingest_readings(registry, first).as_dict()
    assert (rep["accepted"], rep["duplicates"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [
        (5, "reading_time"),
        (6, "meter_code"),
        (7, "quantity"),
        (8, "quantity"),
    ]
    again = services.ingest_readings(registry, first).as_dict()
    assert (again["accepted"], again["duplicates"], len(again["rejected"])) == (0, 3, 4)
    conflict = services.ingest_readings(
        registry, rows({"meter_code": "E-001", "reading_time": "2024-03-01T00:15:00+08:00", "quantity": "11"})
    ).as_dict()
    assert conflict["accepted"] == 0 and conflict["rejected"][0]["field"] == "quantity"
    assert "10" in conflict["rejected"][0]["message"]
    assert Reading.objects.get(reading_time=dt.datetime(2024, 2, 29, 16, 15, tzinfo=dt.UTC)).quantity == Decimal(10)
    assert Reading.objects.count() == 2


def test_annual_accounts_count_the_interval_ending_at_new_year_in_the_old_year(registry):
    """Hand arithmetic (shipped factors; Hunan grid 2022 = 0.4900 kgCO2/kWh is the latest at or before 2024):
    coal 8 000 t → 8 000 × 0.7143 = 5 714.4 tce and 8 000 × 20.908/1000 × 26.37 × 0.94 × 44/12 = 15 202.39 t;
    electricity 1 000 MWh → 122.9 tce and 490 t. Total 5 837.3 tce ≥ 5 000: a key energy user."""
    services.ingest_readings(
        registry,
        rows(
            {"meter_code": "C-001", "reading_time": "2024-01-01T00:00:00+08:00", "quantity": "999"},  # ends 2023
            {"meter_code": "C-001", "reading_time": "2024-06-30T12:00:00+08:00", "quantity": "7990"},
            {"meter_code": "C-001", "reading_time": "2025-01-01T00:00:00+08:00", "quantity": "10"},  # ends 2024
            {"meter_code": "C-001", "reading_time": "2025-01-01T00:15:00+08:00", "quantity": "555"},  # 2025
            {
                "meter_code": "E-001",
                "reading_time": "2024-12-31T16:00:00Z",
                "quantity": "1000",
            },  # = 2025-01-01 00:00 +08
            {"meter_code": "G-001", "reading_time": "2024-05-01T00:00:00+08:00", "quantity": "30"},
        ),
    )
    out = enterprise_accounts(registry, 2024)
    assert out["window"] == ["2024-01-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00"]
    by = {e["uscc"]: e for e in out["enterprises"]}
    cement = by[CEMENT]
    assert cement["energy_tce"] == pytest.approx(5714.4 + 122.9, rel=1e-12)
    assert cement["co2_t"] == pytest.approx(15202.3907904 + 490, rel=1e-9)
    assert cement["key_energy_user"] is True
    foods = by[FOODS]
    assert foods["energy_tce"] == pytest.approx(300000 * 1.33 / 1000, rel=1e-12)
    assert foods["key_energy_user"] is False
    assert out["key_energy_user_threshold_tce"] == 5000  # from the plan's target
    coal = next(c for c in by[CEMENT]["by_carrier"] if c["carrier"] == "raw_coal")
    assert (coal["unit"], coal["quantity"], coal["scope"]) == ("t", 8000, "co2_fuel_t")
    power = next(c for c in by[CEMENT]["by_carrier"] if c["carrier"] == "electricity")
    assert power["scope"] == "co2_electricity_t"
    assert cement["co2_fuel_t"] + cement["co2_electricity_t"] + cement["co2_heat_t"] == pytest.approx(cement["co2_t"])
    old = {e["uscc"]: e for e in enterprise_accounts(registry, 2023)["enterprises"]}
    assert old[CEMENT]["energy_tce"] == pytest.approx(999 * 0.7143, rel=1e-12)  # the reading ending 2024-01-01 00:00
    start, end = year_window(2024)
    assert Reading.objects.filter(reading_time__gt=start, reading_time__lte=end).count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_ingesting_the_same_batch_store_it_once(plan):
    from django.db import connection

    assert connection.vendor == "postgresql"
    services.import_enterprises(
        None, plan, rows({"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""})
    )
    services.import_meters(
        None, plan, rows({"uscc": CEMENT, "meter_code": "E-1", "carrier": "electricity", "unit": "MWh"})
    )
    t0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    batch = rows(
        *[
            {"meter_code": "E-1", "reading_time": (t0 + dt.timedelta(minutes=15 * i)).isoformat(), "quantity": str(i)}
            for i in range(3000)
        ]
    )
    barrier = threading.Barrier(2)
    reports = []

    def work():
        from django.db import connections

        barrier.wait()
        try:
            reports.append(services.ingest_readings(plan, batch).as_dict())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Reading.objects.count() == 3000
    assert sum(r["accepted"] for r in reports) == 3000
    assert sum(r["duplicates"] for r in reports) == 3000
    assert all(r["rejected"] == [] for r in reports)


def test_many_chunks_in_one_transaction_are_counted_once(registry, monkeypatch):
    """Chunks share a staging table (PostgreSQL) within a transaction: each is counted on its own."""
    monkeypatch.setattr(services, "COPY_CHUNK", 3)
    monkeypatch.setattr(services, "INSERT_CHUNK", 3)
    data = rows(
        *[
            {"meter_code": "E-001", "reading_time": f"2024-07-01T00:{m:02d}:00+08:00", "quantity": "1"}
            for m in range(10)
        ]
    )
    assert services.ingest_readings(registry, data).as_dict() == {"accepted": 10, "duplicates": 0, "rejected": []}
    assert services.ingest_readings(registry, data).as_dict() == {"accepted": 0, "duplicates": 10, "rejected": []}
    assert Reading.objects.count() == 10


def test_monthly_accounts_sum_to_the_year_and_follow_interval_ends(registry):
    from carbonpeak.enterprises.accounts import enterprise_monthly

    services.ingest_readings(
        registry,
        rows(
            {"meter_code": "C-001", "reading_time": "2024-02-01T00:00:00+08:00", "quantity": "100"},  # January
            {"meter_code": "C-001", "reading_time": "2024-02-01T00:15:00+08:00", "quantity": "50"},  # February
            {"meter_code": "E-001", "reading_time": "2024-12-31T23:45:00+08:00", "quantity": "10"},  # December
            {"meter_code": "E-001", "reading_time": "2025-01-01T00:00:00+08:00", "quantity": "10"},  # December
        ),
    )
    months = enterprise_monthly(registry, 2024)[CEMENT]
    assert months[0]["energy_tce"] == pytest.approx(100 * 0.7143)
    assert months[1]["energy_tce"] == pytest.approx(50 * 0.7143)
    assert months[11]["energy_tce"] == pytest.approx(20 * 0.1229)
    year = {e["uscc"]: e for e in enterprise_accounts(registry, 2024)["enterprises"]}[CEMENT]
    assert sum(m["energy_tce"] for m in months) == pytest.approx(year["energy_tce"], rel=1e-12)
    assert sum(m["co2_t"] for m in months) == pytest.approx(year["co2_t"], rel=1e-12)


def test_silent_meters_raise_one_alert_and_close_it_when_data_returns(registry):
    from carbonpeak.enterprises.models import MeterAlert
    from carbonpeak.enterprises.monitoring import check_silent_meters, gaps, working_days_between

    bj = dt.timezone(dt.timedelta(hours=8))
    # Friday 2024-03-01 → Wednesday 2024-03-06: 3 working days (Mon, Tue, Wed); Thursday: 4
    fri = dt.datetime(2024, 3, 1, 12, tzinfo=bj)
    assert working_days_between(fri, dt.datetime(2024, 3, 6, 9, tzinfo=bj)) == 3
    assert working_days_between(fri, dt.datetime(2024, 3, 7, 9, tzinfo=bj)) == 4
    # (no holiday calendar is loaded here: 2024 counts as Monday to Friday, and the check says so)
    services.ingest_readings(
        registry,
        rows(
            *[
                {"meter_code": c, "reading_time": "2024-03-01T12:00:00+08:00", "quantity": "1"}
                for c in ("E-001", "C-001", "G-001")
            ]
        ),
    )
    assert check_silent_meters(registry, dt.datetime(2024, 3, 6, 9, tzinfo=bj)) == {
        "opened": [],
        "closed": [],
        "notify_failed": [],
        "calendar_missing_years": [2024],
    }
    r = check_silent_meters(registry, dt.datetime(2024, 3, 7, 9, tzinfo=bj))
    assert sorted(r["opened"]) == ["C-001", "E-001", "G-001"]
    assert check_silent_meters(registry, dt.datetime(2024, 3, 8, 9, tzinfo=bj))["opened"] == []  # still one each
    assert MeterAlert.objects.filter(resolved_at__isnull=True).count() == 3
    services.ingest_readings(
        registry, rows({"meter_code": "E-001", "reading_time": "2024-03-08T08:00:00+08:00", "quantity": "1"})
    )
    r = check_silent_meters(registry, dt.datetime(2024, 3, 8, 9, tzinfo=bj))
    assert r == {"opened": [], "closed": ["E-001"], "notify_failed": [], "calendar_missing_years": [2024]}
    # gaps: two of the four quarter-hours after 12:00 are missing
    from carbonpeak.enterprises.models import Meter

    m = Meter.objects.get(meter_code="C-001")
    services.ingest_readings(
        registry,
        rows(
            {"meter_code": "C-001", "reading_time": "2024-03-01T12:15:00+08:00", "quantity": "1"},
            {"meter_code": "C-001", "reading_time": "2024-03-01T12:45:00+08:00", "quantity": "1"},
        ),
    )
    g = gaps(m, dt.datetime(2024, 3, 1, 12, tzinfo=bj), dt.datetime(2024, 3, 1, 13, tzinfo=bj))
    assert (g["expected"], g["missing"]) == (4, 2)
    assert g["first_missing"] == ["2024-03-01T12:30:00+08:00", "2024-03-01T13:00:00+08:00"]


def test_values_that_would_not_read_back_equal_are_refused_not_rounded(registry):
    rep = services.ingest_readings(
        registry,
        rows(
            {"meter_code": "E-001", "reading_time": "2024-04-01T00:15:00+08:00", "quantity": "1.2345678"},
            {"meter_code": "E-001", "reading_time": "2024-04-01T00:30:00+08:00", "quantity": "123456789012.1234"},
            {"meter_code": "E-001", "reading_time": "2099-04-01T00:30:00+08:00", "quantity": "1"},
            {"meter_code": "E-001", "reading_time": "2024-04-01T00:45:00+08:00", "quantity": "1.234567"},
        ),
    ).as_dict()
    assert [(r["line"], r["field"]) for r in rep["rejected"]] == [(2, "quantity"), (3, "quantity"), (4, "reading_time")]
    assert rep["accepted"] == 1
    again = services.ingest_readings(
        registry, rows({"meter_code": "E-001", "reading_time": "2024-04-01T00:45:00+08:00", "quantity": "1.234567"})
    ).as_dict()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 1, [])


def test_a_meter_code_of_another_county_is_refused(registry, db):
    from carbonpeak.enterprises.models import Meter
    from carbonpeak.plan.models import Plan

    other = Plan.objects.create(
        code="other-county",
        county="某县",
        title="某县方案",
        issuer="某县人民政府",
        issued_date=dt.date(2024, 1, 1),
        base_year=2020,
        peak_year=2030,
    )
    services.import_enterprises(
        None,
        other,
        rows({"uscc": make_uscc("91430225", "MA4L0E05"), "name": "外县厂", "industry_code": "3011", "township": ""}),
    )
    rep = services.import_meters(
        None,
        other,
        rows(
            {"uscc": make_uscc("91430225", "MA4L0E05"), "meter_code": "E-001", "carrier": "electricity", "unit": "MWh"}
        ),
    ).as_dict()
    assert (
        rep["rejected"][0]["field"] == "meter_code" and Meter.objects.get(meter_code="E-001").enterprise.uscc == CEMENT
    )


def test_a_damaged_workbook_is_one_clear_error():
    import io
    import zipfile

    from carbonpeak.tabular import Unreadable, read_rows

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    with pytest.raises(Unreadable):
        read_rows(buf.getvalue(), ("meter_code",), "x.xlsx")
    from carbonpeak.accounting.excel import read_workbook
    from carbonpeak.validation import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        read_workbook(buf.getvalue())
    assert exc.value.issues[0].field == "file"
