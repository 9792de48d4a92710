"""Shared fixtures: the shipped Chaling plan loaded through the real importer, and users per role."""

from __future__ import annotations

import pytest


@pytest.fixture
def plan(db):
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file
    from carbonpeak.plan.scoring import ensure_default_rules

    p = load_plan(read_plan_file(DATA_DIR / "chaling.json"))
    ensure_default_rules(p)
    return p


@pytest.fixture
def make_user(db):
    from carbonpeak.accounts.models import User

    def make(username: str, role: str, department=None, password: str = "Xy-test-password-1", plan=None, region=None):
        """A user of ``plan``'s county: the department's, else the only plan loaded (a region reader: none)."""
        from carbonpeak.plan.models import Plan

        if plan is None and role not in ("region", "sysadmin"):
            if department is not None:
                plan = department.plan
            else:
                plans = list(Plan.objects.order_by("id")[:2])
                plan = plans[0] if len(plans) == 1 else None
        user = User(
            username=username,
            role=role,
            department=department,
            email=f"{username}@example.invalid",
            plan=plan,
            region=region,
        )
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def office(make_user):
    return make_user("office", "office")


@pytest.fixture
def approved(plan, office):
    """The county's approved 2020 inventory (``accounting/tests/builders.py``)."""
    from carbonpeak.accounting.tests.builders import approved_inventory

    return approved_inventory(office, plan)


@pytest.fixture
def dev_reform(plan):
    return plan.departments.get(code="dev_reform")


@pytest.fixture
def fgj(make_user, dev_reform):
    """An officer of 县发展改革局, lead department of many tasks and targets."""
    return make_user("fgj", "department", dev_reform)


@pytest.fixture
def linye(make_user, plan):
    """An officer of 县林业局, which owns the forest targets but not the energy ones."""
    return make_user("linye", "department", plan.departments.get(code="forestry"))


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the site's default language: a request with the English cookie activates
    English in this thread, and a later test's data (saved through gettext) must not inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- a second county beside Chaling (issue 15: nothing a county does is visible to another) -----------------


@pytest.fixture
def county_b(plan):
    """A second county loaded beside Chaling (``plan``)."""
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.scoring import ensure_default_rules
    from carbonpeak.setup import second_county_document

    p = load_plan(second_county_document())
    ensure_default_rules(p)
    return p


@pytest.fixture
def office_b(make_user, county_b):
    return make_user("office_b", "office", plan=county_b)


@pytest.fixture
def city(plan, county_b):
    """株洲市 (a city region) over Chaling and the second county."""
    from carbonpeak.plan.regions import save_region

    return save_region(None, "zhuzhou", "株洲市", "city", [plan.code, county_b.code])


@pytest.fixture
def city_reader(make_user, city):
    return make_user("zhuzhou", "region", region=city)


# --- migration tests ----------------------------------------------------------------------------------------


@pytest.fixture
def migrator(transactional_db):
    """A fresh ``MigrationExecutor`` per call, for tests that move the schema back to test a data migration.

    Migrating one app back unapplies every later migration of other apps that depends on it (plan 0008 takes
    inclusion 0003 with it); teardown always brings the whole schema back to the latest state, so the next test
    on this worker finds every table and column, whether this test passed or failed."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def fresh() -> MigrationExecutor:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        return executor

    yield fresh
    executor = fresh()
    executor.migrate(executor.loader.graph.leaf_nodes())
