"""Isolation of the exchange files (issue 15, TENANCY rule 6): the export is the request's county's approved year
and key users, never another's (JSON and the Excel spelling opened with openpyxl); the city's reader fetches
either county's file and can import nothing; an import goes into the county the importer acts in (``--plan``, or
the only county; an account's own county), which must be the county the file names: a file of another county is
refused and nothing is stored. The command line takes ``--plan`` and, without it, names the choices."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from carbonpeak.exchange import document, services
from carbonpeak.exchange.models import ReceivedExchange
from tests.tenancy.accounting_world import A_MARK, B_MARK, World, a_leaks, b_shows, build, login, text_of

A_FIRM = "甲县陶瓷厂"


@pytest.fixture
def w(plan, county_b, city, make_user) -> World:
    world = build(plan, county_b, city, make_user, run_scenarios=False)
    _a_key_user(world)
    return world


def _a_key_user(w: World) -> None:
    """An approved 2020 carbon account of an enterprise of county A (through the enterprises' services)."""
    from carbonpeak.enterprises import carbon
    from carbonpeak.enterprises import services as ent
    from carbonpeak.enterprises.models import Enterprise
    from carbonpeak.enterprises.tests.test_workflow import CERAMICS, monthly, rows

    plan = w.a.plan
    ent.import_enterprises(None, plan, rows({"uscc": CERAMICS, "name": A_FIRM, "industry_code": "3071"}))
    ent.import_meters(
        None, plan, rows({"uscc": CERAMICS, "meter_code": "A-E", "carrier": "electricity", "unit": "MWh"})
    )
    ent.ingest_readings(plan, monthly("A-E", 2020, {m: "100" for m in range(1, 13)}))
    carbon.import_benchmarks(None, plan, rows({"industry_code": "30", "year": "2020", "intensity": "2", "source": "t"}))
    from carbonpeak.accounts.models import User

    manager = User.objects.create(username="a_manager", role="enterprise", plan=plan)
    firm = Enterprise.objects.get(uscc=CERAMICS)
    firm.managers.add(manager)
    carbon.approve(w.a.office, carbon.submit(manager, firm, 2020, "1234.5"), "")


def test_each_county_exports_its_own_year_only(w: World):
    a_doc = services.build(w.a.plan, 2020)
    assert [u["name"] for u in a_doc["key_users"]] == [A_FIRM]
    b_doc = services.build(w.b.plan, 2020)
    assert b_doc["county"]["code"] == w.b.plan.code and b_doc["key_users"] == []
    for fmt in ("json", "xlsx"):
        url = reverse("exchange:export", args=[2020, fmt])
        text = text_of(login(w.b.office).get(url))
        assert b_shows(text, w) and w.b.plan.code in text
        assert not a_leaks(text, w) and A_FIRM not in text and w.a.plan.code not in text
        # A's office gets A's, with its key user
        text = text_of(login(w.a.office).get(url))
        assert A_MARK in text and A_FIRM in text and B_MARK not in text
    # a year only A approved is not B's to export: B's answer says B has nothing, with no trace of A
    from carbonpeak.accounting import services as acc

    acc.approve(w.a.office, w.a.extra["inv2021"])
    resp = login(w.b.office).get(reverse("exchange:export", args=[2021, "json"]))
    assert resp.status_code == 422 and not a_leaks(text_of(resp), w)


def test_region_reader_fetches_either_countys_file(w: World):
    c = login(w.city_reader)
    for county, mark in ((w.a, A_MARK), (w.b, B_MARK)):
        for fmt in ("json", "xlsx"):
            resp = c.get(reverse("exchange:export", args=[2020, fmt]) + f"?county={county.plan.code}")
            assert resp.status_code == 200 and mark in text_of(resp), (county.plan.code, fmt)
    # and receives nothing: importing is an office's (or the operator's) business
    data = document.canonical_bytes(services.build(w.a.plan, 2020))
    for county in (w.a.plan, w.b.plan):
        with pytest.raises(PermissionDenied):
            services.receive(w.city_reader, data, "a.json", county)
    assert not ReceivedExchange.objects.exists()


def test_an_import_goes_only_into_the_county_the_file_names(w: World):
    a_file = document.canonical_bytes(services.build(w.a.plan, 2020))
    # B's office may not receive into A, nor take A's file into B
    with pytest.raises(PermissionDenied):
        services.receive(w.b.office, a_file, "a.json", w.a.plan)
    rep, status = services.receive(w.b.office, a_file, "a.json", w.b.plan)
    assert status == 2 and [r["field"] for r in rep.as_dict()["rejected"]] == ["county.code"]
    assert not ReceivedExchange.objects.exists()
    # A's office receives A's file into A
    rep, status = services.receive(w.a.office, a_file, "a.json", w.a.plan)
    assert (status, rep.accepted) == (0, 1)
    assert ReceivedExchange.objects.get().plan == w.a.plan


def test_command_line_takes_plan_and_names_the_choices_without_it(w: World, tmp_path, capsys):
    from carbonpeak.cli import main

    a_file = tmp_path / "a.json"
    a_file.write_bytes(document.canonical_bytes(services.build(w.a.plan, 2020)))
    codes = sorted([w.a.plan.code, w.b.plan.code])
    for argv in (
        ["exchange", "import", str(a_file)],
        ["exchange", "export", "--year", "2020"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and all(code in err for code in codes), err
    # A's file into B: refused, nothing stored
    assert main(["exchange", "import", str(a_file), "--plan", w.b.plan.code]) == 2
    rep = json.loads(capsys.readouterr().out)
    assert rep["accepted"] == 0 and rep["rejected"][0]["field"] == "county.code"
    assert not ReceivedExchange.objects.exists()
    assert main(["exchange", "import", str(a_file), "--plan", w.a.plan.code]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1
    assert ReceivedExchange.objects.get().plan == w.a.plan
    # export names its county
    assert main(["exchange", "export", "--year", "2020", "--plan", w.b.plan.code]) == 0
    out = capsys.readouterr().out
    assert B_MARK in out and not a_leaks(out, w) and A_FIRM not in out
    # a county's factor version from the command line: its own county's, based on its own current version
    over = tmp_path / "over.csv"
    from carbonpeak.accounting.tests.test_factor_sets import csv

    over.write_bytes(csv("tce.raw_coal,原煤,raw coal,0.68,kgce/kg,A,乙县化验,"))
    assert main(["factors", "publish", str(over), "--plan", w.b.plan.code]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["version"], got["base"]) == ("439901:2", "439901:1")
    with pytest.raises(SystemExit) as exc:
        main(["factors", "publish", str(over), "--plan", "nowhere"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and all(code in err for code in codes), err
