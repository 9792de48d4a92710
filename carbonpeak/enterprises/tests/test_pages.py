"""Pages: who sees what, the upload and manual-entry forms, the review queue and the dual-control forms."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from carbonpeak.enterprises import carbon, services
from carbonpeak.enterprises.models import CarbonAccount, CountyControl, EnergyBudget, HeadroomEntry, Reading
from carbonpeak.enterprises.tests.test_workflow import CERAMICS, OTHER, monthly, works  # noqa: F401 - fixture


def login(client, user):
    client.force_login(user)
    return client


def test_each_role_sees_its_pages(works, client, make_user):  # noqa: F811
    assert client.get("/enterprises/").status_code == 302  # login first
    login(client, works["manager"])
    r = client.get("/enterprises/")
    assert r.status_code == 302 and r.url == f"/enterprises/{CERAMICS}/"
    assert client.get(f"/enterprises/{CERAMICS}/").status_code == 200
    assert client.get(f"/enterprises/{OTHER}/").status_code == 403  # another enterprise
    for url in ("/enterprises/dual-control/", "/enterprises/review/", "/enterprises/benchmarks/"):
        assert client.get(url).status_code == 403
    client.logout()
    login(client, works["office"])
    for url in ("/enterprises/", "/enterprises/dual-control/", "/enterprises/review/", f"/enterprises/{OTHER}/"):
        assert client.get(url).status_code == 200, url
    client.logout()
    login(client, make_user("resident1", "resident"))
    assert client.get(f"/enterprises/{CERAMICS}/").status_code == 403


def test_manager_uploads_readings_and_sees_the_report_per_row(works, client):  # noqa: F811
    login(client, works["manager"])
    body = (
        b"meter_code,reading_time,quantity\n"
        b"T-E,2024-02-01T00:00:00+08:00,100\n"
        b"T-E,2024-03-01T00:00:00+08:00,abc\n"
        b"O-E,2024-03-01T00:00:00+08:00,5\n"  # another enterprise's meter: not this page's
        b"T-E,2024-02-01T00:00:00+08:00,100\n"
    )
    r = client.post(
        f"/enterprises/{CERAMICS}/?year=2024",
        {"action": "upload", "file": SimpleUploadedFile("r.csv", body, content_type="text/csv")},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "接收 1 条，重复 1 条，拒绝 2 条" in html
    assert Reading.objects.count() == 1
    r = client.post(f"/enterprises/{CERAMICS}/?year=2024", {"action": "upload"})
    assert r.status_code == 422 and "file" in r.content.decode()


def test_manual_entry_form_takes_beijing_time(works, client):  # noqa: F811
    login(client, works["manager"])
    meter = works["ent"].meters.get(meter_code="T-C")
    r = client.post(
        f"/enterprises/{CERAMICS}/?year=2024",
        {"action": "manual", "meter": meter.pk, "reading_time": "2024-02-01T00:00", "quantity": "12.5"},
    )
    assert r.status_code == 200 and "接收 1 条" in r.content.decode()
    reading = Reading.objects.get(meter=meter)
    assert reading.source == "manual" and reading.reading_time.isoformat() == "2024-01-31T16:00:00+00:00"


def test_submit_and_office_review_through_the_pages(works, client):  # noqa: F811
    plan = works["plan"]
    services.ingest_readings(plan, monthly("T-E", 2024, {m: "100" for m in range(1, 13)}))
    login(client, works["manager"])
    r = client.post(f"/enterprises/{CERAMICS}/?year=2024", {"action": "submit", "year": "2024", "value_added": "x"})
    assert r.status_code == 422 and "value_added_10k_yuan" in r.content.decode()
    assert not CarbonAccount.objects.exists()
    r = client.post(f"/enterprises/{CERAMICS}/?year=2024", {"action": "submit", "year": "2024", "value_added": "800"})
    assert r.status_code == 302
    ca = CarbonAccount.objects.get()
    assert client.post("/enterprises/review/", {"kind": "account", "id": ca.pk, "action": "approve"}).status_code == 403
    client.logout()
    login(client, works["office"])
    r = client.post("/enterprises/review/", {"kind": "account", "id": ca.pk, "action": "return", "comment": ""})
    assert r.status_code == 422
    client.post("/enterprises/review/", {"kind": "account", "id": ca.pk, "action": "approve"})
    ca.refresh_from_db()
    assert ca.status == "approved"
    pdf = client.get(f"/enterprises/{CERAMICS}/carbon-account-2024.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"/enterprises/{CERAMICS}/carbon-account-2023.pdf").status_code == 422


def test_office_sets_budgets_county_figures_and_headroom(works, client):  # noqa: F811
    login(client, works["office"])
    url = "/enterprises/dual-control/?year=2026"
    assert client.post(url, {"action": "budget", "uscc": CERAMICS, "budget_tce": "-3"}).status_code == 422
    client.post(url, {"action": "budget", "uscc": CERAMICS, "budget_tce": "5000"})
    client.post(url, {"action": "budget", "uscc": CERAMICS, "budget_tce": "5200"})  # changed, not duplicated
    assert EnergyBudget.objects.get(enterprise__uscc=CERAMICS, year=2026).budget_tce == Decimal("5200")
    r = client.post(url, {"action": "county", "energy_total_budget_tce": "900000", "gdp_growth": "6%"})
    assert r.status_code == 422 and "gdp_growth" in r.content.decode()
    assert not CountyControl.objects.exists()
    client.post(url, {"action": "county", "energy_total_budget_tce": "900000", "gdp_growth": "0.06"})
    assert CountyControl.objects.get(year=2026).gdp_growth == Decimal("0.06")
    client.post(url, {"action": "allocate", "amount_tce": "1000", "note": "十四五"})
    r = client.post(
        url,
        {
            "action": "project",
            "name": "二期",
            "approval_ref": "审1",
            "energy_tce": "1200",
            "approved_on": "2026-01-05",
            "expected_year": "2027",
            "uscc": "",
        },
    )
    assert r.status_code == 422 and "energy_tce" in r.content.decode()
    assert list(HeadroomEntry.objects.values_list("balance_tce", flat=True)) == [Decimal("1000")]
    page = client.get(url).content.decode()
    assert "剩余用能空间" in page and "1,000.0" in page


def ok_fields() -> dict[str, str]:
    return {"form": "one", "industry_code": "3071", "year": "2025", "intensity": "1.25", "source": "县统计局 2025"}


def test_benchmark_upload_page(works, client):  # noqa: F811
    login(client, works["office"])
    f = SimpleUploadedFile("b.csv", b"industry_code,year,intensity,source\n3071,2024,1.5,test\n30,2024,x,test\n")
    r = client.post("/enterprises/benchmarks/", {"file": f})
    assert "接收 1 条，重复 0 条，拒绝 1 条" in r.content.decode()
    assert carbon.benchmark_for(works["plan"], "3071", 2024).intensity == "1.5"

    # one benchmark typed in: the same checks (the field named, in both languages), then stored and audited
    from carbonpeak.audit.models import AuditEntry

    bad = client.post("/enterprises/benchmarks/", {"form": "one", "industry_code": "3071", "year": "2025",
                                                   "intensity": "-2", "source": "x"}).content.decode()  # fmt: skip
    assert "拒绝 1 条" in bad and "intensity" in bad and carbon.benchmark_for(works["plan"], "3071", 2025).year == 2024
    for field, value in (("intensity", "1." + "0" * 39 + "1"), ("source", "x" * 201)):  # longer than stored
        page = client.post("/enterprises/benchmarks/", {**ok_fields(), field: value})
        assert page.status_code == 200 and "拒绝 1 条" in page.content.decode() and field in page.content.decode()
    ok = ok_fields()
    assert "接收 1 条" in client.post("/enterprises/benchmarks/", ok).content.decode()
    assert carbon.benchmark_for(works["plan"], "3071", 2025).intensity == "1.25"
    assert "重复 1 条" in client.post("/enterprises/benchmarks/", ok).content.decode()
    assert AuditEntry.objects.filter(object_type="enterprises.benchmark").count() == 2
    login(client, works["manager"])
    assert client.post("/enterprises/benchmarks/", {**ok, "intensity": "9"}).status_code == 403


def test_only_a_closed_year_can_be_published(works, client):  # noqa: F811
    from django.utils import timezone

    from carbonpeak.enterprises.models import PublishedList

    client.force_login(works["office"])
    this_year = timezone.now().year
    for bad in ("abc", str(this_year + 1), str(this_year)):
        r = client.post("/enterprises/dual-control/", {"action": "publish", "year": bad})
        assert r.status_code == 422 and "year" in r.content.decode(), bad
    assert not PublishedList.objects.exists()
    r = client.post("/enterprises/dual-control/", {"action": "publish", "year": str(this_year - 1)})
    assert r.status_code == 302 and PublishedList.objects.get().year == this_year - 1


def test_the_wall_says_when_this_years_holiday_calendar_is_missing(works, client):  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    from carbonpeak.enterprises import workcalendar
    from carbonpeak.enterprises.views import _calendar_years
    from carbonpeak.tabular import read_rows

    login(client, works["office"])
    year = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=8))).year
    page = client.get("/enterprises/").content.decode()
    assert 'id="calendar-missing"' in page and str(year) in page
    rows = read_rows(
        f"date,workday,name\n{year}-01-01,0,元旦\n{year + 1}-01-01,0,元旦\n".encode(), workcalendar.COLUMNS
    )
    assert workcalendar.import_days(None, rows).accepted == 2
    assert 'id="calendar-missing"' not in client.get("/enterprises/").content.decode()
    # from November the next year's arrangement is asked for too (it is published then)
    bj = dt.timezone(dt.timedelta(hours=8))
    assert _calendar_years(dt.datetime(2026, 10, 31, 23, tzinfo=bj)) == [2026]
    assert _calendar_years(dt.datetime(2026, 11, 1, 0, tzinfo=bj)) == [2026, 2027]
