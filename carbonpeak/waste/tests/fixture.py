"""The reconciliation fixture: one site, a landfill and a recycling plant 11 km north and south of it, four
carriers (one expired the day before the loads, one valid until the loads' day, one not licensed for the
permit), a permit with a soil and a construction category, and loads that hit each alert at its bound.

Times are Beijing time; ``AS_OF`` is 2026-03-03 02:00. Each manifest's role (hand-worked):

===== ===== ======================================= ==========================================================
M     plate departure → receipt                     alert
===== ===== ======================================= ==========================================================
M01   B01   03-02 08:00 → L1 09:00, 18 t            none: net = capacity 18 t
M02   B01   03-02 20:00 → none                      none: exactly 6 h before AS_OF (open manifest)
M03   B01   03-02 19:59:59 → none                   no_receipt (6 h + 1 s)
M04   B01   03-02 08:00 → R1 09:00 (manifest to L1) wrong_destination; 10 t recycled
M05   B01   03-02 09:00 → L1 10:00 12 t, again 10:05 duplicate_receipt (12 t counted once)
M06   B01   03-02 10:00 → L1 11:00, 18.001 t        overload
M07   B02   03-02 00:30 (UTC 03-01) → L1 01:30      unlicensed_vehicle: C2 ended 03-01, departure date 03-02
M08   B03   03-02 23:30 → L1 03-03 00:30            none: C3 valid until 03-02, the departure date
M09   B03   03-03 00:10 → L1 00:50, 5 t             unlicensed_vehicle: C3 ended the day before
M10   B04   03-02 08:00 → L1 09:00, 7 t             unlicensed_vehicle: C4 is not a carrier of the permit
M11   B01   construction 11:00 → L1 12:00, 18 t     (construction: 18)
M12   B01   construction 12:30 → L1 13:30, 12 t     none: 30 t = permitted 30 t
M13   B01   construction 14:00 → L1 15:00, 0.001 t  over_permit (30.001 t), named on M13
M14   B05   15:00 → L1 15:40, 10 t                  route_deviation: a point 4 km east (corridor 3 km)
M15   B06   16:00 → L1 17:30, 10 t                  route_deviation: stop 16:40:00–17:00:01 (20 min + 1 s);
                                                    not the stop 16:10–16:30 (exactly 20 min), nor the 27 min
                                                    at the landfill
===== ===== ======================================= ==========================================================

Soil: hauled 12 × 10 = 120 t; received 18 + 10 + 12 + 18.001 + 10 + 10 + 5 + 7 + 10 + 10 = 110.001 t;
recycled 10 t. Construction: hauled 30 t, received 30.001 t. County: received 140.002 t, recycled 10 t,
share 10 ÷ 140.002 = 7.1427…% → 7.14.
"""

from __future__ import annotations

import datetime as dt
import math

from carbonpeak.core.corridor import KM_PER_DEGREE
from carbonpeak.tabular import read_rows
from carbonpeak.tabular.times import BEIJING
from carbonpeak.waste import columns, services

AS_OF = dt.datetime(2026, 3, 3, 2, 0, tzinfo=BEIJING)

SITES = (
    "site_id,name,township,builder,permit_no,lat,lon\n"
    "S1,示例安置小区,云阳街道,示例建设公司,4302242026001,26.800000,113.500000\n"
)
CARRIERS = (
    "carrier_id,name,licence_no,licence_valid_until\n"
    "C1,甲运输公司,YS1,2026-12-31\n"
    "C2,乙运输公司,YS2,2026-03-01\n"
    "C3,丙运输公司,YS3,2026-03-02\n"
    "C4,丁运输公司,YS4,2026-12-31\n"
)
VEHICLES = (
    "plate,carrier_id,capacity_t\n"
    "湘B00001,C1,18\n湘B00002,C2,18\n湘B00003,C3,18\n湘B00004,C4,18\n湘B00005,C1,18\n湘B00006,C1,18\n"
)
DESTINATIONS = (
    "destination_id,name,kind,capacity_t_per_year,lat,lon\n"
    "L1,示例消纳场,landfill,300000,26.900000,113.500000\n"
    "R1,示例再生利用厂,资源化利用厂,200000,26.700000,113.500000\n"
)
PERMITS = (
    "permit_id,site_id,category,permitted_t,valid_from,valid_until,carrier_ids,destination_ids\n"
    "P1,S1,soil,1000,2026-01-01,2026-12-31,C1;C2;C3,L1;R1\n"
    "P1,S1,工程垃圾,30,2026-01-01,2026-12-31,C1;C2;C3,L1\n"
)
MANIFESTS_ROWS = [
    ("M01", "soil", "湘B00001", "2026-03-02 08:00:00", "L1"),
    ("M02", "soil", "湘B00001", "2026-03-02 20:00:00", "L1"),
    ("M03", "soil", "湘B00001", "2026-03-02 19:59:59", "L1"),
    ("M04", "soil", "湘B00001", "2026-03-02 08:00:00", "L1"),
    ("M05", "soil", "湘B00001", "2026-03-02 09:00:00", "L1"),
    ("M06", "soil", "湘B00001", "2026-03-02 10:00:00", "L1"),
    ("M07", "soil", "湘B00002", "2026-03-02T00:30:00+08:00", "L1"),
    ("M08", "soil", "湘B00003", "2026-03-02 23:30:00", "L1"),
    ("M09", "soil", "湘B00003", "2026-03-03 00:10:00", "L1"),
    ("M10", "soil", "湘B00004", "2026-03-02 08:00:00", "L1"),
    ("M11", "construction", "湘B00001", "2026-03-02 11:00:00", "L1"),
    ("M12", "construction", "湘B00001", "2026-03-02 12:30:00", "L1"),
    ("M13", "construction", "湘B00001", "2026-03-02 14:00:00", "L1"),
    ("M14", "soil", "湘B00005", "2026-03-02 15:00:00", "L1"),
    ("M15", "soil", "湘B00006", "2026-03-02 16:00:00", "L1"),
]
MANIFESTS = "manifest_id,permit_id,plate,category,departed_at,est_t,destination_id\n" + "".join(
    f"{m},P1,{plate},{cat},{t},10,{d}\n" for m, cat, plate, t, d in MANIFESTS_ROWS
)
RECEIPTS = (
    "receipt_id,manifest_id,destination_id,arrived_at,net_t\n"
    "R01,M01,L1,2026-03-02 09:00,18\n"
    "R04,M04,R1,2026-03-02 09:00,10\n"
    "R05,M05,L1,2026-03-02 10:00,12\n"
    "R05B,M05,L1,2026-03-02 10:05,12\n"
    "R06,M06,L1,2026-03-02 11:00,18.001\n"
    "R07,M07,L1,2026-03-02 01:30,10\n"
    "R08,M08,L1,2026-03-03 00:30,10\n"
    "R09,M09,L1,2026-03-03 00:50,5\n"
    "R10,M10,L1,2026-03-02 09:00,7\n"
    "R11,M11,L1,2026-03-02 12:00,18\n"
    "R12,M12,L1,2026-03-02 13:30,12\n"
    "R13,M13,L1,2026-03-02 15:00,0.001\n"
    "R14,M14,L1,2026-03-02 15:40,10\n"
    "R15,M15,L1,2026-03-02 17:30,10\n"
)


def east(km: float, lat: float = 26.85) -> float:
    """The longitude ``km`` east of 113.5 at ``lat`` (the corridor's local plane)."""
    return 113.5 + km / (KM_PER_DEGREE * math.cos(math.radians((26.8 + 26.9) / 2)))


def gps_rows() -> str:
    pts = [
        # M14: along the route, then 4 km east, back
        ("湘B00005", "2026-03-02 15:05:00", 26.82, 113.5, 30),
        ("湘B00005", "2026-03-02 15:15:00", 26.85, east(4), 30),
        ("湘B00005", "2026-03-02 15:25:00", 26.88, 113.5, 30),
        # M15: moving, a stop of exactly 20 min, moving, a stop of 20 min 1 s, a long wait at the landfill
        ("湘B00006", "2026-03-02 16:05:00", 26.81, 113.5, 30),
        ("湘B00006", "2026-03-02 16:10:00", 26.83, 113.5, 0),
        ("湘B00006", "2026-03-02 16:20:00", 26.83, 113.5, 1),
        ("湘B00006", "2026-03-02 16:30:00", 26.83, 113.5, 0),
        ("湘B00006", "2026-03-02 16:31:00", 26.84, 113.5, 30),
        ("湘B00006", "2026-03-02 16:40:00", 26.86, 113.5, 0),
        ("湘B00006", "2026-03-02 16:50:00", 26.86, 113.5, 2),
        ("湘B00006", "2026-03-02 17:00:01", 26.86, 113.5, 0),
        ("湘B00006", "2026-03-02 17:01:00", 26.88, 113.5, 30),
        ("湘B00006", "2026-03-02 17:02:00", 26.9, 113.5, 0),
        ("湘B00006", "2026-03-02 17:29:00", 26.9, 113.5, 0),
    ]
    return "plate,time,lat,lon,speed_kmh\n" + "".join(f"{p},{t},{a!r},{b!r},{s}\n" for p, t, a, b, s in pts)


def rows(kind: str, text: str):
    return read_rows(text.encode("utf-8"), columns.TABLES[kind], f"{kind}.csv")


def load(plan, actor=None) -> dict:
    out = {}
    for kind, text in (
        ("sites", SITES),
        ("carriers", CARRIERS),
        ("vehicles", VEHICLES),
        ("destinations", DESTINATIONS),
        ("permits", PERMITS),
        ("manifests", MANIFESTS),
        ("receipts", RECEIPTS),
        ("gps", gps_rows()),
    ):
        rep = services.import_rows(actor, plan, kind, rows(kind, text))
        out[kind] = rep.as_dict()
        assert not rep.rejected, (kind, rep.as_dict())
    return out
