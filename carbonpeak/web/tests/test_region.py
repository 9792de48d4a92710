"""The region roll-up (issue 15): two counties' approved accounts, made and approved through the accounting
services, summed by hand here; intensities recomputed from the sums; lights counted per county, never summed;
a county without accounts makes the region's figures "—" with a note that names it; the page and its Excel.

The figures: every county consumes only grid electricity (an industrial line in MWh), so by hand
energy (等价值) = MWh × 0.30 tce/MWh (the coal rate typed as the year's parameter) and CO2 = MWh × the grid
factor (2020: the county's placeholder 0.5 t/MWh; 2022: the shipped Hunan factor 0.49 t/MWh).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.tests.test_factor_sets import csv
from carbonpeak.core.tracking import Light
from carbonpeak.web.region import region_table

pytestmark = pytest.mark.django_db

RED, YELLOW, GREEN, NO_DATA = Light.RED, Light.YELLOW, Light.GREEN, Light.NO_DATA
#: (MWh, GDP in 万元 at 2020 prices) per county and year
CHALING = {2020: (100_000, 1_000_000), 2022: (110_000, 1_250_000)}
SECOND = {2020: (50_000, 200_000), 2022: (60_000, 210_000)}


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def office_a(make_user, plan):
    return make_user("office_a", "office", plan=plan)


def county_version(office, plan, tag: str):
    """The county's factor library with a (grade C) 2020 Hunan grid factor of 0.5 kgCO2/kWh (the shipped series
    starts in 2021)."""
    return accounting.create_county_version(
        office, plan, csv(f"grid.prov.hunan.2020,湖南2020（占位）,Hunan 2020 placeholder,0.5,kgCO2/kWh,C,{tag},")
    )


def approve_year(office, plan, fs, year: int, mwh: int, gdp: int):
    inv = accounting.create_inventory(office, plan, year, factor_set=fs)
    line = {"sector": "industry.C30", "carrier": "electricity", "flow": "final", "purpose": "energy"}
    report = accounting.import_activity(
        office,
        inv,
        [(2, {**line, "unit": "MWh", "quantity": str(mwh), "notation": "", "source": ""})],
        [(None, "gdp_10k_yuan", str(gdp)), (None, "coal_equivalent_kgce_per_kwh", "0.30")],
    )
    assert report["rejected"] == []
    accounting.approve(office, inv)
    return inv


@pytest.fixture
def accounts(plan, county_b, city, office_a, office_b):
    """Both counties' 2020 and 2022 accounts, approved."""
    fs_a, fs_b = county_version(office_a, plan, "茶陵占位"), county_version(office_b, county_b, "样例县占位")
    for year, (mwh, gdp) in CHALING.items():
        approve_year(office_a, plan, fs_a, year, mwh, gdp)
    for year, (mwh, gdp) in SECOND.items():
        approve_year(office_b, county_b, fs_b, year, mwh, gdp)
    return {"a": fs_a, "b": fs_b}


def test_region_totals_are_the_hand_sums_and_intensities_are_sum_over_sum(plan, county_b, city, accounts):
    t = region_table(city)
    assert (t.year, t.years, t.basis, t.base_year) == (2022, [2022, 2020], "coal_equivalent", 2020)
    a, b = t.rows
    assert (a.plan, b.plan) == (plan, county_b)
    # each county's own figures, from its approved accounts
    assert (a.energy_tce, a.co2_t, a.gdp_10k_yuan) == (Decimal(33_000), Decimal(53_900), Decimal(1_250_000))
    assert (b.energy_tce, b.co2_t, b.gdp_10k_yuan) == (Decimal(18_000), Decimal(29_400), Decimal(210_000))
    assert a.energy_intensity == Decimal("0.0264")  # 33 000 / 1 250 000
    assert abs(b.energy_intensity - Decimal(18_000) / Decimal(210_000)) < Decimal("1e-15")  # the accounts' float
    # the region: sums, and ratios of the sums
    total = t.total
    assert (total.energy_tce, total.co2_t, total.gdp_10k_yuan) == (51_000, 83_300, 1_460_000)
    assert total.energy_intensity == Decimal(51_000) / Decimal(1_460_000)
    assert total.co2_intensity == Decimal(83_300) / Decimal(1_460_000)
    mean = (a.energy_intensity + b.energy_intensity) / 2
    assert abs(total.energy_intensity - mean) > Decimal("0.02")  # 0.0349 against a mean of 0.0561
    # reductions from the summed 2020 and 2022 figures (no own plan: unrounded):
    # energy 1 − (51 000/1 460 000)/(45 000/1 200 000) = 4 500/65 700; CO2 1 − (83 300/1 460 000)/(75 000/1 200 000)
    assert abs(total.energy_reduction - Decimal(4_500) / Decimal(65_700)) < Decimal("1e-20")
    assert abs(total.co2_reduction - Decimal(9_540) / Decimal(109_500)) < Decimal("1e-20")
    # never the sum or mean of the counties' percentages: Chaling −13.3 %, the second county +14.7 %
    assert a.energy_reduction.value == Decimal("0.13333333")  # its own rounding (3 dp): 1 − 0.026/0.030
    assert b.energy_reduction.value == Decimal("-0.14666667")  # 1 − 0.086/0.075
    assert abs(total.energy_reduction - (a.energy_reduction.value + b.energy_reduction.value) / 2) > Decimal("0.05")
    assert t.notes == []


def test_region_lights_are_each_countys_own_and_never_summed(plan, county_b, city, accounts):
    t = region_table(city)
    a, b = t.rows
    # 20 goals each. Chaling: the energy-intensity reduction (13.3 % by 2022, path 6 %) is green, the non-fossil
    # share (0: only grid power, no non-fossil part given) red. The second county: both red (intensity rose).
    assert a.lights == [(RED, 1), (YELLOW, 0), (GREEN, 1), (NO_DATA, 18)]
    assert b.lights == [(RED, 2), (YELLOW, 0), (GREEN, 0), (NO_DATA, 18)]
    [ta], [tb] = a.energy_reduction.targets, b.energy_reduction.targets  # the target with a milestone
    assert (ta.target.code, ta.light, ta.milestones) == ("energy_intensity_reduction", GREEN, [(2025, Decimal("0.15"))])
    assert (tb.target.plan, tb.light) == (county_b, RED)
    assert not hasattr(t.total, "lights")


def test_a_county_without_accounts_makes_the_region_figures_a_dash_with_a_note(
    plan, county_b, city, office_a, office_b
):
    fs_a = county_version(office_a, plan, "茶陵占位")
    for year, (mwh, gdp) in CHALING.items():
        approve_year(office_a, plan, fs_a, year, mwh, gdp)
    t = region_table(city)
    assert t.year == 2022 and not t.rows[1].approved
    total = t.total
    assert (total.energy_tce, total.co2_t, total.energy_intensity, total.energy_reduction) == (None,) * 4
    [note] = t.notes
    assert "样例县（虚构）" in note and "2022" in note and "茶陵县" not in note

    # the second county approves 2022 but not its base year: sums and intensities, no reduction
    approve_year(office_b, county_b, county_version(office_b, county_b, "样例县占位"), 2022, *SECOND[2022])
    t = region_table(city)
    assert (t.total.energy_tce, t.total.energy_intensity) == (51_000, Decimal(51_000) / Decimal(1_460_000))
    assert t.total.energy_reduction is None and t.total.co2_reduction is None
    [note] = t.notes
    assert "样例县（虚构）" in note and "2020" in note and "茶陵县" not in note
    assert t.rows[1].energy_reduction.value is None  # the county's own figure is missing too


def test_the_page_is_for_region_readers_only(plan, county_b, city, city_reader, office_a, accounts):
    anonymous = Client().get("/region/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert Client().get("/region/region.xlsx").status_code == 302
    assert logged_in(office_a).get("/region/").status_code == 403
    assert logged_in(office_a).get("/region/region.xlsx").status_code == 403

    r = logged_in(city_reader).get("/region/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "株洲市" in body and "茶陵县" in body and "样例县（虚构）" in body
    assert f'href="/dashboard/?county={plan.code}"' in body and f'href="/dashboard/?county={county_b.code}"' in body
    assert 'data-total="energy">5.10<' in body  # 51 000 tce = 5.10 万吨标准煤
    assert 'data-total="energy-intensity">0.0349<' in body and 'data-total="energy-reduction">6.85%<' in body
    assert "万吨标准煤" in body and "0.068" not in body  # percent, not fractions
    assert 'href="/region/"' in body  # the menu's link for region readers
    base = logged_in(city_reader).get("/region/?year=2020").content.decode()
    assert "2020 年各县（市、区）汇总" in base and 'data-total="energy">4.50<' in base  # 45 000 tce in 2020
    for wrong in ("abc", "1999", "99999999999999999999"):  # not a year of approved accounts: the default year
        assert "2022 年各县（市、区）汇总" in logged_in(city_reader).get(f"/region/?year={wrong}").content.decode()

    english = logged_in(city_reader)
    english.cookies["django_language"] = "en"
    body = english.get("/region/").content.decode()
    assert "Counties side by side, 2022" in body and "Chaling County" in body and "10 000 tce" in body


def test_the_excel_export_has_the_pages_figures(plan, county_b, city, city_reader, accounts):
    from openpyxl import load_workbook

    r = logged_in(city_reader).get("/region/region.xlsx?year=2022")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('region-zhuzhou-2022.xlsx"')
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[1]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[3:6]}
    assert set(by_name) == {"茶陵县", "样例县（虚构）", "株洲市合计"}
    energy = "能源消费总量（万吨标准煤，等价值）"
    assert by_name["茶陵县"][energy] == pytest.approx(3.3) and by_name["样例县（虚构）"][energy] == pytest.approx(1.8)
    total = by_name["株洲市合计"]
    assert total[energy] == pytest.approx(5.1) and total["二氧化碳排放（万吨）"] == pytest.approx(8.33)
    assert total["单位GDP能耗（吨标准煤/万元）"] == pytest.approx(51_000 / 1_460_000)
    assert total["单位GDP能耗较基准年下降"] == pytest.approx(4_500 / 65_700)
    assert total["红灯"] == "—"  # lights are not summed
    assert by_name["样例县（虚构）"]["红灯"] == 2


def test_key_users_grades_and_inclusion_counts_are_summed(plan, county_b, city, office_a, office_b, make_user):
    from carbonpeak.core.uscc import make_uscc
    from carbonpeak.enterprises import carbon
    from carbonpeak.enterprises import services as ent
    from carbonpeak.enterprises.models import Enterprise
    from carbonpeak.inclusion import awards, config
    from carbonpeak.inclusion import services as inclusion
    from carbonpeak.inclusion.models import Merchant, Reward
    from carbonpeak.inclusion.tests.conftest import event

    def rows(*dicts):
        return [(i, d) for i, d in enumerate(dicts, start=2)]

    def works(county, n: int, coal_t: int) -> Enterprise:
        """An enterprise burning ``coal_t`` t of raw coal in 2022 (×0.7143 tce/t; the key-user line: 5 000 tce)."""
        uscc = make_uscc("91430224", f"MA4RG{n:03d}")
        company = {"uscc": uscc, "name": f"示例厂{n}", "industry_code": "3071", "township": ""}
        ent.import_enterprises(None, county, rows(company))
        meter = {"uscc": uscc, "meter_code": f"RG-{n}", "carrier": "raw_coal", "unit": "t"}
        ent.import_meters(None, county, rows(meter))
        ingest = rows({"meter_code": f"RG-{n}", "reading_time": "2022-06-15T00:00:00+08:00", "quantity": str(coal_t)})
        assert ent.ingest_readings(county, ingest).accepted == 1
        return Enterprise.objects.get(uscc=uscc)

    graded = works(plan, 1, 10_000)  # 7 143 tce: key user, graded below
    works(plan, 2, 1_000)  # 714 tce: not a key user
    works(county_b, 3, 8_000)  # 5 714 tce: key user, no approved account yet
    benchmark = {"industry_code": "3071", "year": "2020", "intensity": "1", "source": "t"}
    carbon.import_benchmarks(None, plan, rows(benchmark))
    # about 1.9 t CO2 per t of coal over 19 000 万元 of value added: k ≈ 1.0 of the benchmark, grade 3 (0.8–1.2)
    ca = carbon.approve(office_a, carbon.submit(None, graded, 2022, "19000", label="纸质报送"))
    assert ca.grade == 3

    def scheme(county, office):
        published = timezone.now() - dt.timedelta(days=30)
        sc = {s.code: s for s in config.load_defaults(office, county, published_at=published)}["green_travel"]
        inclusion.fund(office, sc, 100_000, "预算")
        return sc

    def resident(county, sc, name: str, phone: str):
        r = inclusion.join(county, make_user(name, "resident", plan=county), name, phone=phone)
        inclusion.grant(r, sc)
        return r

    sc_a, sc_b = scheme(plan, office_a), scheme(county_b, office_b)
    alice, bob = resident(plan, sc_a, "alice", "13800000001"), resident(county_b, sc_b, "bob", "13800000002")
    resident(plan, sc_a, "carol", "13800000003")  # joined, nothing earned yet
    assert awards.ingest(plan, [event("a1", alice, quantity="50")], "bus", [sc_a]).as_dict()["points"] == 50
    assert awards.ingest(county_b, [event("b1", bob, quantity="20")], "bus", [sc_b]).as_dict()["points"] == 20
    shop = Merchant.objects.create(plan=plan, name="茶陵绿色超市")
    bag = Reward.objects.create(
        merchant=shop, name="环保袋", points_price=30, value_yuan=Decimal(3), stock=5, valid_until=dt.date(2099, 1, 1)
    )
    inclusion.redeem(alice, bag)

    t = region_table(city, 2022)
    a, b = t.rows
    assert (a.key_users, b.key_users, t.total.key_users) == (1, 1, 2)
    assert dict(a.grades) == {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, None: 0}
    assert dict(b.grades) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, None: 1}
    assert dict(t.total.grades) == {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, None: 1}
    assert (a.residents, a.points_issued, a.points_redeemed) == (2, 50, 30)
    assert (b.residents, b.points_issued, b.points_redeemed) == (1, 20, 0)
    assert (t.total.residents, t.total.points_issued, t.total.points_redeemed) == (3, 70, 30)


def test_the_regions_own_plan_shows_its_own_lights(plan, county_b, city, city_reader, make_user):
    from carbonpeak.plan import services as plan_services
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.regions import save_region
    from carbonpeak.setup import second_county_document

    own = load_plan(second_county_document(code="zhuzhou-2024", county="株洲市"))
    save_region(None, "zhuzhou", "株洲市", "city", [plan.code, county_b.code], own_plan=own.code)
    city.refresh_from_db()
    target = own.targets.get(code="energy_intensity_reduction")
    plan_services.set_indicator_value(make_user("office_c", "office", plan=own), target, 2022, None, "0.10", note="")
    t = region_table(city)
    assert [r.plan for r in t.rows] == [plan, county_b]  # the own plan is not one of the counties
    assert t.own_lights == [(RED, 0), (YELLOW, 0), (GREEN, 1), (NO_DATA, 19)]  # 10 % by 2022 against a 6 % path
    body = logged_in(city_reader).get("/region/").content.decode()
    assert "本级方案目标" in body and 'id="target-energy_intensity_reduction"' in body


def test_a_region_reader_lands_on_the_region_page_and_a_county_officer_on_the_dashboard(city_reader, office_a):
    for user, landing in ((city_reader, "/region/"), (office_a, "/dashboard/")):
        r = Client().post("/login/", {"username": user.username, "password": "Xy-test-password-1"})
        assert r.status_code == 302 and r.url == landing, (user.username, r.status_code, r.get("Location"))
    r = Client().post("/login/?next=/dashboard/", {"username": city_reader.username, "password": "Xy-test-password-1"})
    assert r.url == "/dashboard/"  # a safe next still wins
