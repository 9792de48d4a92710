"""The GPS bulk path on PostgreSQL (COPY into staging, a plain INSERT, ON CONFLICT and the classification when
something was stored): new points, the same file again (all duplicates), a changed point (a conflict naming
its line), and within one file a repeated point and a contradicting one. Run with
``DATABASE_URL=postgresql://… pytest -m postgres``."""

from __future__ import annotations

import pytest
from django.db import connection

from carbonpeak.waste import services
from carbonpeak.waste.models import GpsPoint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HEAD = "plate,time,lat,lon,speed_kmh\n"


def test_copy_path_duplicates_and_conflicts(plan):
    assert connection.vendor == "postgresql"  # marker postgres: run in the PostgreSQL pass only, never skipped
    rows = "".join(f"湘B00001,2026-03-02 08:{m:02d}:00,26.8{m:02d},113.5,30\n" for m in range(50))
    rep = services.ingest_gps_file(None, plan, (HEAD + rows).encode(), "g.csv")
    assert (rep.accepted, rep.duplicates, rep.rejected) == (50, 0, [])
    rep = services.ingest_gps_file(None, plan, (HEAD + rows).encode(), "g.csv")
    assert (rep.accepted, rep.duplicates, rep.rejected) == (0, 50, [])
    # one stored point with another position, one new point, a point with its offset equal to a stored one
    more = (
        "湘B00001,2026-03-02 08:10:00,26.9,113.5,30\n"
        "湘B00001,2026-03-02 09:00:00,26.7,113.5,30\n"
        "湘B00001,2026-03-02T00:20:00Z,26.820,113.5,30\n"
        "湘B00001,2026-03-02 09:00:00,26.7,113.5,30\n"
        "湘B00001,2026-03-02 09:00:00,26.6,113.5,30\n"
    )
    rep = services.ingest_gps_file(None, plan, (HEAD + more).encode(), "g.csv")
    assert (rep.accepted, rep.duplicates) == (1, 2)
    assert [(r["line"], r["field"]) for r in rep.as_dict()["rejected"]] == [(2, "time"), (6, "time")]
    assert GpsPoint.objects.filter(plan=plan).count() == 51
