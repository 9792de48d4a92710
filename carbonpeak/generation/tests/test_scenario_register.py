"""A scenario may take its new-energy capacity path from the unit register instead of the project list: the
base year's installed capacity, then each later year's connections and retirements (planned units by their
dates); gas projects stay. Hand-worked paths below."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.core import scenario as sc
from carbonpeak.generation import fetch
from carbonpeak.generation.columns import UNITS
from carbonpeak.generation.services import import_units
from carbonpeak.scenarios import services
from carbonpeak.scenarios.fetch import scenario_input
from carbonpeak.tabular import read_rows
from carbonpeak.validation import ValidationFailed

pytestmark = pytest.mark.django_db

REGISTER = (
    "unit_id,type,township,capacity_mw,connected_on,retired_on\n"
    "HY-1,hydro,秩堂镇,20,2018-05-01,2027-12-31\n"  # in service at the end of 2020; retired on 31 Dec 2027
    "PV-1,pv,城关镇,100,2022-06-30,\n"
    "PV-2,pv,严塘镇,60,2028-06-30,\n"  # planned
    "ST-1,storage,城关镇,10,2022-01-01,\n"  # storage: never in the path
)


@pytest.fixture
def register(plan, office, monkeypatch):
    monkeypatch.setattr(fetch, "beijing_today", lambda: dt.date(2026, 3, 1))
    import_units(office, plan, read_rows(REGISTER.encode(), UNITS, "u.csv"))


def _path(s) -> dict[int, float]:
    inp = scenario_input(s)
    det = sc.deterministic(inp)
    return dict(zip(range(inp.base_year, inp.end_year + 1), det["new_energy_capacity_mw"], strict=False))


def test_policy_from_the_register_ignores_generation_projects(plan, office, approved, register):
    base = services.create_baseline(office, plan)
    pol = services.create_policy(office, base, "按登记")
    services.update_scenario(
        office,
        pol,
        {
            "projects.P01.1.include": True,
            "projects.P01.1.capacity_mw": "300",
            "projects.P01.1.commissioning_year": "2025",
        },
    )
    by_projects = _path(pol)
    # projects: the base is the fed 2020 value (the register's 20 MW), plus P01.1's 300 MW from 2025
    assert by_projects[2020] == pytest.approx(20) and by_projects[2025] == pytest.approx(320)
    services.update_scenario(office, pol, {"capacity_source": "register"})
    pol.refresh_from_db()
    assert pol.params["capacity_source"] == "register"
    path = _path(pol)
    # 20 (HY-1) → +100 in 2022 (PV-1) → −20 in 2027 (HY-1 retired on 31 Dec) → +60 in 2028 (PV-2, planned)
    assert [path[y] for y in (2020, 2021, 2022, 2026, 2027, 2028, 2030)] == pytest.approx(
        [20, 20, 120, 120, 100, 160, 160]
    )
    adds = {a.code: a for a in scenario_input(pol).additions}
    assert adds["register.pv.2022"].mwh == pytest.approx(100 * 1000)  # solar full-load hours 1000
    assert adds["register.hydro.2027"].mwh == pytest.approx(-20 * 3300)
    assert not any(code.startswith("P01") for code in adds)


def test_capacity_source_is_checked(plan, office, approved, register):
    base = services.create_baseline(office, plan)
    with pytest.raises(ValidationFailed) as exc:
        services.update_scenario(office, base, {"capacity_source": "guess"})
    assert exc.value.issues[0].field == "capacity_source"


def test_the_register_changes_make_a_run_stale(plan, office, approved, register):
    from carbonpeak.scenarios.fetch import current_hash

    base = services.create_baseline(office, plan)
    services.update_scenario(office, base, {"capacity_source": "register"})
    before = current_hash(base)
    import_units(
        office, plan, read_rows(b"unit_id,type,township,capacity_mw,connected_on\nWD-1,wind,x,5,2029-01-01\n", UNITS)
    )
    assert current_hash(base) != before
