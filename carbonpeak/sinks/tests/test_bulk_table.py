"""The survey table on PostgreSQL (migration 0002, models.ForestStand): no B-tree on the key, so the key is kept
by the writers under the year's lock. Proven here: two imports of one year at the same instant store each row
once; approval finds a repeated key written around the services; the fast path stores exactly what the per-row
path stores for any file it takes; the migration's forward and backward steps."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.sinks import columns, services
from carbonpeak.sinks.models import ForestStand
from carbonpeak.validation import ValidationFailed
from tests.race import race

pytestmark = pytest.mark.postgres

HEADER = "年份,乡镇,地类,树种组,面积,蓄积量,小班号\n"


def survey(year: int, towns: int = 3, comps: int = 40) -> str:
    lines = []
    for t in range(towns):
        for c in range(comps):
            lines.append(f"{year},甲{t}镇,乔木林地,杉木,{1 + c % 7}.5,{100 + c}.25,{c:04d}")
            lines.append(f"{year},甲{t}镇,竹林地,,{2 + c % 3},0,{c:04d}")
    return HEADER + "\n".join(lines) + "\n"


def stored(plan):
    return sorted(
        ForestStand.objects.filter(plan=plan).values_list(
            "year", "township", "land_class", "species_group", "compartment", "area_ha", "stock_m3"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_year_at_once_store_each_row_once(plan):
    assert connection.vendor == "postgresql"
    data = survey(2024).encode()
    n = data.count(b"\n") - 1
    out = race([lambda: services.import_forest_file(None, plan, data, "a.csv") for _ in range(3)])
    reports = sorted((r.accepted, r.duplicates, r.rejected) for r in out)
    # one import COPYs the year; the others wait for the year's lock, find it filled and report duplicates
    assert reports == [(0, n, []), (0, n, []), (n, 0, [])]
    assert ForestStand.objects.filter(plan=plan, year=2024).count() == n == 240


@pytest.mark.django_db(transaction=True)
def test_a_fast_and_a_per_row_import_of_one_year_at_once(plan):
    fast = survey(2024).encode()
    slow = survey(2024).replace("甲0镇", " 甲0镇").encode()  # a leading space: the per-row path (stripped there)
    out = race(
        [lambda: services.import_forest_file(None, plan, fast, "a.csv"), lambda: services.import_forest(
            None, plan, [(i, r) for i, r in enumerate(_rows(slow), start=2)])]
    )  # fmt: skip
    assert sorted(r.accepted for r in out) == [0, 240] and sorted(r.duplicates for r in out) == [0, 240]
    assert ForestStand.objects.filter(plan=plan, year=2024).count() == 240


def _rows(data: bytes):
    from carbonpeak.tabular import read_rows

    return [r for _n, r in read_rows(data, columns.FOREST, "a.csv")]


@pytest.mark.django_db
def test_approval_finds_a_key_written_around_the_services(plan, office):
    services.import_forest_file(None, plan, survey(2024).encode(), "a.csv")
    with connection.cursor() as c:  # what no service writes: the same sub-compartment twice
        c.execute(
            "INSERT INTO sinks_foreststand (plan_id, year, township, land_class, species_group, compartment, "
            "area_ha, stock_m3) VALUES (%s, 2024, '甲1镇', 'bamboo', '', '0007', 1, 0)",
            [plan.pk],
        )
    with pytest.raises(ValidationFailed) as e:
        services.approve_year(office, plan, 2024)
    issue = e.value.issues[0]
    assert issue.code == "repeated_key" and "甲1镇、0007" in issue.message_zh and "2 rows" in issue.message_en
    ForestStand.objects.filter(plan=plan, year=2024, township="甲1镇", compartment="0007", land_class="bamboo").delete()
    services.import_forest_file(None, plan, HEADER.encode() + "2024,甲1镇,竹林地,,3,0,0007\n".encode(), "b.csv")
    services.approve_year(office, plan, 2024)  # the year as the survey has it: approved


@pytest.mark.django_db
def test_the_table_has_a_brin_and_no_primary_key():
    with connection.cursor() as c:
        c.execute("SELECT contype FROM pg_constraint WHERE conrelid = 'sinks_foreststand'::regclass")
        kinds = sorted(r[0] for r in c.fetchall())
        c.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'sinks_foreststand'")
        indexes = [r[0] for r in c.fetchall()]
    assert "p" not in kinds and kinds.count("c") == 3  # area and stock non-negative, the year positive
    assert len(indexes) == 1 and "USING brin (plan_id, year)" in indexes[0]


def test_the_migration_goes_back_to_the_key_and_forward_again(migrator):
    executor = migrator()
    executor.migrate([("sinks", "0001_forest_resources")])
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'sinks_foreststand'::regclass AND contype='p'")
        assert c.fetchone()[0] == 1
    executor = migrator()
    executor.migrate([("sinks", "0002_survey_table_for_bulk_loads")])
    test_the_table_has_a_brin_and_no_primary_key()


# --- the fast path stores what the per-row path stores, for any file it takes --------------------------------
# plain rows (which the fast path takes), in every spelling the per-row path knows, and a trap that may be mixed in
PLAIN_HEAD = st.tuples(
    st.sampled_from(["2024", "2025"]),
    st.sampled_from(["甲镇", "乙镇", "乔木林地镇"]),
    st.sampled_from(
        [("乔木林地", "杉木"), ("arbor", "chinese_fir"), ("乔木林", "马尾松"), ("arbor", "masson_pine"), ("竹林", ""),
         ("bamboo", ""), ("非林地", ""), ("nonforest", ""), ("竹林地", "杉木")]
    ),
)  # fmt: skip
PLAIN_NUMBER = st.from_regex(r"[0-9]{1,3}(\.[0-9]{0,4})?", fullmatch=True)
PLAIN_COMP = st.text(string.ascii_letters + string.digits + "杉木-", max_size=3)
PLAIN_ROW = st.builds(
    lambda h, a, s, c: (h[0], h[1], h[2][0], h[2][1], a, s, c), PLAIN_HEAD, PLAIN_NUMBER,
    st.one_of(PLAIN_NUMBER, st.just("")), PLAIN_COMP,
)  # fmt: skip
TRAP = st.sampled_from(
    [
        ("02024", "甲镇", "nonforest", "", "1", "0", "x"), ("2024", " 甲镇", "nonforest", "", "1", "0", "y"),
        ("2024", "\u3000甲镇", "nonforest", "", "1", "0", "z"), ("2024", "甲镇", "arbor", "", "1", "0", "w"),
        ("2024", "甲镇", "forest", "", "1", "0", "v"), ("2024", "甲镇", "arbor", "unknown", "1", "0", "u"),
        ("2024", "甲镇", "nonforest", "", "1.23456", "0", "t"), ("2024", "甲镇", "nonforest", "", "1e3", "0", "s"),
        ("2024", "甲镇", "nonforest", "", "-1", "0", "r"), ("2024", "甲镇", "nonforest", "", "NaN", "0", "q"),
        ("2024", "甲镇", "nonforest", "", "٣", "0", "p"), ("2024", "甲镇", "nonforest", "", "", "0", "o"),
        ("2024", "甲镇", "nonforest", "", "1", "0", "乔木林地"), ("2024", "甲镇", "nonforest", "", "1", "0", "杉木"),
        ("2024", "乔木林", "nonforest", "", "1", "0", "n"), ("2024", "甲镇", "nonforest", "", "1", "0", "m" * 41),
    ]
)  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(PLAIN_ROW, min_size=1, max_size=8),
    trap=st.one_of(st.none(), st.tuples(TRAP, st.integers(0, 8))),
    compartments=st.booleans(),
)
def test_the_fast_path_stores_what_the_per_row_path_stores(plan, rows, trap, compartments):
    from carbonpeak.accounting.fetch import core_factor_set, default_factor_set
    from carbonpeak.sinks.fastpath import import_clean_csv
    from carbonpeak.tabular import read_rows

    if trap:
        rows = [*rows[: trap[1]], trap[0], *rows[trap[1] :]]
    keys = ["year", "township", "land_class", "species_group", "area_ha", "stock_m3"] + (
        ["compartment"] if compartments else []
    )
    text = ",".join(keys) + "\n" + "".join(",".join(r[: len(keys)]) + "\n" for r in rows)
    groups = services.group_names(core_factor_set(default_factor_set(plan)))
    ForestStand.objects.filter(plan=plan).delete()
    fast = import_clean_csv(None, plan, text.encode(), columns.FOREST, services.forest_limits(), groups)
    got = stored(plan)
    ForestStand.objects.filter(plan=plan).delete()
    slow = services.import_forest(None, plan, read_rows(text.encode(), columns.FOREST, "a.csv"))
    plain = slow.as_dict() == {"accepted": len(rows), "duplicates": 0, "rejected": []}
    if fast is None:
        assert got == []  # nothing written when the fast path leaves the file to the per-row path
        # it leaves a file only for a reason: a trap, a row the per-row path refuses or calls a duplicate, or a
        # class or group spelling that is also a sub-compartment (not rewritten blindly)
        spellings = {r[2] for r in rows} | {r[3] for r in rows}
        assert trap or not plain or (compartments and any(r[6] in spellings for r in rows))
    else:
        assert plain and fast.as_dict() == slow.as_dict()
        assert got == stored(plan)
        assert all(isinstance(a, Decimal) for *_, a, _s in got)
    ForestStand.objects.filter(plan=plan).delete()
