"""Isolation of the sink accounts between two counties (issue 15 rules applied to issue 17): Chaling (A) and the
second county (B) each import forest data through the real services; B's office never reads A's rows (A's
year is 404 in B's session, A's townships never in B's pages), cannot import into or approve A's year, and its
own import lands in B; the city's reader reads both after ``?county=`` and every write it tries is 403; the
same survey rows may exist in both counties (the keys include the county)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carbonpeak.sinks import fetch, services
from carbonpeak.sinks.models import EcoArea, ForestStand
from carbonpeak.tabular.reading import read_rows
from tests.tenancy.helpers import body_of, login

HEADER = "year,township,land_class,species_group,area_ha,stock_m3\n"
A_ROWS = "2024,甲独有镇,arbor,chinese_fir,600,60000\n2024,甲独有镇,nonforest,,400,0\n"
A_ROWS_25 = "2025,甲独有镇,arbor,chinese_fir,600,61000\n2025,甲独有镇,nonforest,,400,0\n"
B_ROWS = "2025,乙县某镇,arbor,masson_pine,100,9000\n2025,乙县某镇,nonforest,,900,0\n"


def rows(text):
    from carbonpeak.sinks.columns import FOREST

    return read_rows((HEADER + text).encode(), FOREST)


@pytest.fixture
def two(plan, office, linye, county_b, office_b):
    services.import_forest(office, plan, rows(A_ROWS + A_ROWS_25))
    services.approve_year(office, plan, 2025)
    return plan, county_b


def test_other_office_reads_nothing_of_a(two, office_b):
    plan, b = two
    c = login(office_b)
    r = c.get(reverse("sinks:home"))
    assert r.status_code == 200 and "甲独有镇" not in body_of(r)
    assert c.get(reverse("sinks:year", args=[2025])).status_code == 404
    assert c.get(reverse("sinks:export", args=[2025])).status_code == 404
    assert fetch.approved_sink(b, 2025) is None and fetch.approved_years(b) == []


def test_other_office_cannot_write_a(two, office_b):
    plan, _b = two
    with pytest.raises(PermissionDenied):
        services.import_forest(office_b, plan, rows(B_ROWS))
    with pytest.raises(PermissionDenied):
        services.import_forest_file(office_b, plan, (HEADER + B_ROWS).encode(), "b.csv")
    with pytest.raises(PermissionDenied):
        services.reopen_year(office_b, plan, 2025, "不属于本县")
    with pytest.raises(PermissionDenied):
        services.import_eco(office_b, plan, [])


def test_other_office_upload_lands_in_its_own_county(two, office_b):
    plan, b = two
    c = login(office_b)
    f = SimpleUploadedFile("b.csv", (HEADER + B_ROWS + A_ROWS_25).encode())
    assert "接收 4 条" in body_of(c.post(reverse("sinks:home"), {"file": f}))
    assert ForestStand.objects.filter(plan=b).count() == 4
    # the same rows as A's (same year, township, class, group) are B's own, and A's stay as they were
    assert ForestStand.objects.filter(plan=plan).count() == 4
    r = c.get(reverse("sinks:year", args=[2025]))
    assert r.status_code == 200 and "乙县某镇" in body_of(r)
    assert login(office_b).get(reverse("sinks:home")).status_code == 200


def test_city_reader_reads_both_and_writes_nothing(two, city_reader):
    plan, b = two
    c = login(city_reader)
    r = c.get(reverse("sinks:year", args=[2025]) + f"?county={plan.code}")
    assert r.status_code == 200 and "甲独有镇" in body_of(r)
    f = SimpleUploadedFile("x.csv", (HEADER + B_ROWS).encode())
    assert c.post(reverse("sinks:home"), {"file": f}).status_code == 403
    assert c.post(reverse("sinks:year", args=[2025]), {"action": "reopen", "reason": "x"}).status_code == 403
    assert c.post(reverse("sinks:wetlands"), {}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.approve_year(city_reader, plan, 2024)
    assert not EcoArea.objects.exists()


def test_cli_acts_only_in_the_chosen_county(two, tmp_path, capsys):
    from carbonpeak.cli_sectors.forest import cmd_forest

    plan, b = two
    p = tmp_path / "b.csv"
    p.write_text(HEADER + B_ROWS, encoding="utf-8")

    class Args:
        forest_cmd = "import"
        file = str(p)
        format = "json"
        replace_year = False

    Args.plan = b.code
    assert cmd_forest(Args) == 0
    assert ForestStand.objects.filter(plan=b).count() == 2
    assert ForestStand.objects.filter(plan=plan).count() == 4
    with pytest.raises(SystemExit) as e:  # two counties: --plan is required
        Args.plan = None
        cmd_forest(Args)
    assert e.value.code == 2
