"""The factor library by level: a province's version reaches its counties, a county's override wins and says
so, another province's county never sees it, and every publication is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbonpeak.accounting import levels, services
from carbonpeak.accounting.fetch import compute_inventory, core_factor_set
from carbonpeak.accounting.models import FactorSet
from carbonpeak.accounting.tests.test_factor_sets import csv
from carbonpeak.audit.models import AuditEntry
from carbonpeak.validation import ValidationFailed

PROVINCE_ROWS = (
    "tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,湖南省统计局 2024,province",
    "tce.diesel,柴油,diesel,1.4500,kgce/kg,A,湖南省统计局 2024,province",
)


@pytest.fixture
def other_plan(plan):
    """A county of another province (江西省), loaded beside Chaling."""
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file

    doc = read_plan_file(DATA_DIR / "chaling.json")
    doc["plan"].update(code="lianhua-2024", county="莲花县", division_code="360321", province="江西省")
    return load_plan(doc)


def test_a_province_version_reaches_its_county_inventory(plan, office):
    national = services.default_factor_set(plan)
    prov = levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省", version="湖南省:2024")
    assert (prov.kind, prov.province, prov.plan, prov.parent) == ("province", "湖南省", None, national)
    assert services.default_factor_set(plan) == prov
    inv = services.create_inventory(office, plan, 2023)
    assert inv.factor_set == prov
    assert core_factor_set(inv.factor_set)["tce.raw_coal"].value == Decimal("0.7000")
    services.import_activity(
        office, inv, [(2, {"sector": "industry.C30", "carrier": "raw_coal", "unit": "t", "quantity": "1000"})]
    )
    res = compute_inventory(inv)
    assert res["factor_set_version"] == "湖南省:2024"
    assert "tce.raw_coal" in res["factors_used"]
    # the row origins of the province's own version
    origins = levels.row_origins(prov)
    assert origins["tce.raw_coal"] == levels.Origin("province_own", "湖南省:2024")
    assert origins["tce.natural_gas"].level == "national" and origins["tce.natural_gas"].version == national.version


def test_a_county_override_wins_and_is_marked(plan, office):
    prov = levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省", version="湖南省:2024")
    county = levels.publish(
        office, csv("tce.raw_coal,原煤,raw coal,0.6800,kgce/kg,A,本县煤质化验 2024,county"), plan=plan
    )
    assert county.parent == prov and county.plan == plan and county.kind == "county"
    assert services.default_factor_set(plan) == county
    inv = services.create_inventory(office, plan, 2023)
    assert core_factor_set(inv.factor_set)["tce.raw_coal"].value == Decimal("0.6800")
    origins = levels.row_origins(county)
    assert origins["tce.raw_coal"] == levels.Origin("county_override", county.version)
    assert origins["tce.diesel"] == levels.Origin("province_inherited", "湖南省:2024")
    assert origins["tce.raw_coal"].label == "本县覆盖" and origins["tce.diesel"].label == "省级继承"
    assert origins["tce.natural_gas"].level == "national"


def test_another_provinces_county_does_not_see_it(plan, other_plan, make_user):
    office = make_user("lianhua_office", "office", plan=other_plan)
    national = services.default_factor_set(other_plan)
    prov = levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省")
    assert prov.version == "湖南省:1"
    assert services.default_factor_set(other_plan) == national
    assert prov not in levels.visible_factor_sets(other_plan)
    assert prov in levels.visible_factor_sets(plan)
    inv = services.create_inventory(office, other_plan, 2023)
    assert inv.factor_set == national
    with pytest.raises(ValidationFailed) as exc:
        services.set_factor_set(office, inv, prov)
    assert exc.value.issues[0].code == "other_county"
    with pytest.raises(ValidationFailed) as exc:
        services.create_inventory(office, other_plan, 2022, factor_set=prov)
    assert exc.value.issues[0].code == "other_county"


def test_publications_are_audited_and_bad_rows_refused_whole(plan, office):
    before = FactorSet.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        levels.publish(
            None, csv(PROVINCE_ROWS[0], "tce.diesel,柴油,diesel,abc,kgce/kg,A,湖南省统计局,"), province="湖南省"
        )
    assert [(i.line, i.field, i.code) for i in exc.value.issues] == [(3, "value", "not_number")]
    assert FactorSet.objects.count() == before
    prov = levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省", version="湖南省:2024")
    with pytest.raises(ValidationFailed) as exc:
        levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省", version="湖南省:2024")
    assert exc.value.issues[0].code == "exists"
    county = levels.publish(office, csv("tce.raw_coal,原煤,raw coal,0.68,kgce/kg,A,本县化验,"), plan=plan)
    entries = {e.action: e for e in AuditEntry.objects.filter(action__startswith="factor_set.publish")}
    assert entries["factor_set.publish_province"].after["changed"] == ["tce.diesel", "tce.raw_coal"]
    assert entries["factor_set.publish_province"].after["province"] == "湖南省"
    assert entries["factor_set.publish_county"].after["base"] == prov.version
    assert entries["factor_set.publish_county"].after["changed"] == ["tce.raw_coal"]
    assert county.version == "430224:1"


def test_page_and_api_show_where_each_row_comes_from(plan, office, client):
    levels.publish(None, csv(*PROVINCE_ROWS), province="湖南省", version="湖南省:2024")
    county = levels.publish(office, csv("tce.raw_coal,原煤,raw coal,0.68,kgce/kg,A,本县化验,"), plan=plan)
    client.force_login(office)
    page = client.get(f"/accounting/factors/{county.version}/?q=tce.")
    html = page.content.decode()
    assert page.status_code == 200 and "来源层级" in html
    row = html[html.rindex("<tr", 0, html.index("<code>tce.raw_coal</code>")) :]  # the whole row, origin cell first
    assert row[: row.index("</tr>")].count("本县覆盖") == 1
    row = html[html.rindex("<tr", 0, html.index("<code>tce.diesel</code>")) :]  # the whole row, origin cell first
    assert "省级继承" in row[: row.index("</tr>")] and "湖南省:2024" in row[: row.index("</tr>")]
    rows = {r["key"]: r for r in client.get(f"/api/v1/accounting/factor-sets/{county.version}/factors").json()}
    assert (rows["tce.raw_coal"]["origin_level"], rows["tce.raw_coal"]["origin_version"]) == (
        "county_override",
        county.version,
    )
    assert (rows["tce.diesel"]["origin_level"], rows["tce.diesel"]["origin_version"]) == (
        "province_inherited",
        "湖南省:2024",
    )


def test_cli_publishes_a_province_version_and_reports_bad_rows(plan, tmp_path, capsys):
    import json

    from carbonpeak.cli import main

    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv(*PROVINCE_ROWS))
    bad.write_bytes(csv("tce.diesel,柴油,diesel,-1,kgce/kg,A,湖南省统计局,"))
    assert main(["factors", "publish", str(bad), "--province", "湖南省"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert rep["accepted"] == 0 and [(r["line"], r["field"]) for r in rep["rejected"]] == [(2, "value")]
    assert main(["factors", "publish", str(good), "--province", "湖南省", "--version", "湖南省:2024"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["version"], out["kind"]) == ("湖南省:2024", "province")
    assert services.default_factor_set(plan).version == "湖南省:2024"
    over = tmp_path / "over.csv"
    over.write_bytes(csv("tce.raw_coal,原煤,raw coal,0.68,kgce/kg,A,本县化验,"))
    assert main(["factors", "publish", str(over), "--plan", plan.code]) == 0
    assert json.loads(capsys.readouterr().out)["base"] == "湖南省:2024"
    assert main(["factors", "publish", str(tmp_path / "missing.csv"), "--plan", plan.code]) == 2


def test_only_the_command_line_publishes_a_province_version(plan, office):
    """A county's office publishes its own county's version; a province's is the operator's (actor None)."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        levels.publish(office, csv(*PROVINCE_ROWS), province="湖南省")
    assert not FactorSet.objects.filter(kind="province").exists()
