"""Upgrading a database with readings: the composite-key migration keeps every reading and correction request,
and the roll-ups are built for what was stored before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

BEFORE = [("enterprises", "0002_meter_interval_and_alerts")]
AFTER = [("enterprises", "0004_accounts_control")]


def test_upgrade_keeps_readings_and_corrections_and_builds_rollups(migrator, plan):
    executor = migrator()
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Enterprise, Meter = apps.get_model("enterprises", "Enterprise"), apps.get_model("enterprises", "Meter")
    Reading = apps.get_model("enterprises", "Reading")
    Correction = apps.get_model("enterprises", "ReadingCorrection")
    from carbonpeak.core.uscc import make_uscc

    ent = Enterprise.objects.create(
        plan_id=plan.pk, uscc=make_uscc("91430224", "MA4LMG01"), name="m", industry_code="3071"
    )
    meter = Meter.objects.create(enterprise=ent, meter_code="MG-1", carrier="electricity", unit="MWh")
    bj = dt.timezone(dt.timedelta(hours=8))
    r1 = Reading.objects.create(
        meter=meter, reading_time=dt.datetime(2024, 3, 1, tzinfo=bj), quantity=Decimal("1000"), source="upload"
    )
    Reading.objects.create(
        meter=meter, reading_time=dt.datetime(2024, 3, 1, 0, 15, tzinfo=bj), quantity=Decimal("7"), source="manual"
    )
    Correction.objects.create(reading=r1, new_quantity=Decimal("100"), reason="多一个 0", requested_by_label="m")
    executor = migrator()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Reading = apps.get_model("enterprises", "Reading")
    Rollup = apps.get_model("enterprises", "MonthlyRollup")
    Correction = apps.get_model("enterprises", "ReadingCorrection")
    assert Reading.objects.count() == 2
    assert sorted((r.month, r.quantity, r.readings, r.manual_readings) for r in Rollup.objects.all()) == [
        (dt.date(2024, 2, 1), Decimal("1000"), 1, 0),  # the interval ending at 1 March 00:00 is February's
        (dt.date(2024, 3, 1), Decimal("7"), 1, 1),
    ]
    c = Correction.objects.get()
    assert (c.meter_id, c.reading_time, c.old_quantity, c.new_quantity, c.status) == (
        meter.pk,
        dt.datetime(2024, 3, 1, tzinfo=bj),
        Decimal("1000"),
        Decimal("100"),
        "pending",
    )
