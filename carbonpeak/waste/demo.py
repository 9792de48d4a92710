"""Illustrative construction-waste data for the demo county (fictitious sites, carriers, plates and figures;
labelled 演示): three sites, three carriers (one licence ending last month), eight vehicles, a landfill, a
recycling plant and a transfer station, two permits, and last month's loads with their receipts and a few GPS
tracks, including the anomalies the reconciliation finds (a missing receipt, a duplicate, a wrong site, an
overload, an expired licence, a detour and a long stop). Loaded through the module's own imports; idempotent
(the same month again is all duplicates)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TextIO

from django.utils import timezone

from carbonpeak.core.corridor import KM_PER_DEGREE
from carbonpeak.tabular import read_rows
from carbonpeak.tabular.times import BEIJING
from carbonpeak.waste import cases, columns, services

MARK = "（演示）"

SITES = (
    "site_id,name,township,builder,permit_no,lat,lon\n"
    f"GD-001,云阳安置小区二期{MARK},云阳街道,湖南示例建设有限公司{MARK},4302242025110101,26.792000,113.546000\n"
    f"GD-002,下东老旧小区改造{MARK},下东街道,茶陵示例建筑公司{MARK},4302242025120301,26.812000,113.521000\n"
    f"GD-003,城南道路拓宽工程{MARK},思聪街道,株洲示例路桥公司{MARK},4302242026010501,26.771000,113.558000\n"
)
DESTINATIONS = (
    "destination_id,name,kind,capacity_t_per_year,lat,lon\n"
    f"XN-01,城北建筑垃圾消纳场{MARK},消纳场,300000,26.862000,113.532000\n"
    f"ZY-01,茶陵再生建材厂{MARK},资源化利用厂,200000,26.748000,113.601000\n"
    f"ZZ-01,城西中转站{MARK},中转站,50000,26.800000,113.480000\n"
)


def _carriers(today: dt.date) -> str:
    before_last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    return (
        "carrier_id,name,licence_no,licence_valid_until\n"
        f"YS-01,茶陵示例渣土运输公司{MARK},茶城管运字〔2025〕1号,{today.year + 1}-12-31\n"
        f"YS-02,云阳示例运输公司{MARK},茶城管运字〔2025〕2号,{today.year + 1}-06-30\n"
        f"YS-03,下东示例运输队{MARK},茶城管运字〔2024〕9号,{before_last_month}\n"
    )


VEHICLES = "plate,carrier_id,capacity_t\n" + "".join(
    f"湘B{n:05d},{c},{cap}\n"
    for n, c, cap in [
        (10001, "YS-01", 18), (10002, "YS-01", 18), (10003, "YS-01", 25), (20001, "YS-02", 18),
        (20002, "YS-02", 18), (20003, "YS-02", 25), (30001, "YS-03", 18), (30002, "YS-03", 18),
    ]
)  # fmt: skip


def _permits(today: dt.date) -> str:
    y = today.year
    return (
        "permit_id,site_id,category,permitted_t,valid_from,valid_until,carrier_ids,destination_ids\n"
        f"HZ-{y}-001,GD-001,工程渣土,6000,{y - 1}-11-01,{y + 1}-10-31,YS-01;YS-02;YS-03,XN-01;ZY-01\n"
        f"HZ-{y}-001,GD-001,工程垃圾,600,{y - 1}-11-01,{y + 1}-10-31,YS-01;YS-02;YS-03,ZY-01\n"
        f"HZ-{y}-002,GD-002,拆除垃圾,1500,{y - 1}-12-01,{y + 1}-11-30,YS-01;YS-02,ZY-01;ZZ-01\n"
        f"HZ-{y}-002,GD-002,装修垃圾,100,{y - 1}-12-01,{y + 1}-11-30,YS-01;YS-02,ZY-01\n"
    )


SITE_POS = {"GD-001": (26.792, 113.546), "GD-002": (26.812, 113.521)}
DEST_POS = {"XN-01": (26.862, 113.532), "ZY-01": (26.748, 113.601), "ZZ-01": (26.800, 113.480)}
PLATES = ["湘B10001", "湘B10002", "湘B10003", "湘B20001", "湘B20002", "湘B20003"]


def month_files(year: int, month: int, permits_year: int, days: int = 20) -> tuple[str, str, str]:
    """A month of loads as CSV texts (manifests, receipts, GPS): three loads a working day, with the anomalies
    named in the module's docstring on fixed days."""
    man = ["联单编号,核准编号,车牌号,类别,出场时间,预估装载量（吨）,处置场所编号"]
    rec = ["过磅单编号,联单编号,处置场所编号,到场时间,净重（吨）"]
    gps = ["车牌号,定位时间,纬度,经度,速度（千米/时）"]
    p1, p2 = f"HZ-{permits_year}-001", f"HZ-{permits_year}-002"
    n = 0
    for day in range(1, days + 1):
        d = dt.date(year, month, min(day, 28))
        if d.weekday() >= 5:
            continue
        for k in range(3):
            n += 1
            mid = f"LD-{year}{month:02d}-{n:04d}"
            plate = PLATES[(n + k) % len(PLATES)]
            if k == 2:
                permit, site, cat, dest = p2, "GD-002", "拆除垃圾", "ZY-01"
            elif k == 1:
                permit, site, cat, dest = p1, "GD-001", "工程垃圾", "ZY-01"
            else:
                permit, site, cat, dest = p1, "GD-001", "工程渣土", "XN-01"
            dep = dt.datetime.combine(d, dt.time(8 + 3 * k, 10))
            net = 15.5 + (n % 5) * 0.4
            if n == 7:
                plate = "湘B30001"  # the carrier's licence ended last month
            man.append(f"{mid},{permit},{plate},{cat},{dep:%Y-%m-%d %H:%M},16,{dest}")
            arrive = dep + dt.timedelta(minutes=70 if n == 10 else 40)
            if n == 5:
                continue  # no receipt
            where = "ZZ-01" if n == 11 else dest  # weighed at another site
            weight = 19.2 if n == 14 else net  # above the 18 t capacity
            rec.append(f"BD-{year}{month:02d}-{n:04d},{mid},{where},{arrive:%Y-%m-%d %H:%M},{weight}")
            if n == 9:  # weighed twice
                again = arrive + dt.timedelta(minutes=6)
                rec.append(f"BD-{year}{month:02d}-{n:04d}B,{mid},{where},{again:%Y-%m-%d %H:%M},{weight}")
            if n in (3, 4, 10):  # tracks: 4 normal, 3 with a detour, 10 with a long stop
                a, b = SITE_POS[site], DEST_POS[dest]
                for q in range(1, 20):
                    f = q / 20
                    lat, lon = a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
                    speed = 32.0
                    if n == 3 and 8 <= q <= 11:
                        lon += 7 / (KM_PER_DEGREE * math.cos(math.radians(lat)))
                    if n == 10 and q == 10:
                        for s in range(0, 26, 5):  # 25 minutes standing mid-route
                            t = dep + dt.timedelta(minutes=2 * q, seconds=60 * s)
                            gps.append(f"{plate},{t:%Y-%m-%d %H:%M:%S},{lat:.6f},{lon:.6f},0")
                        continue
                    extra = 25 if n == 10 and q > 10 else 0
                    t = dep + dt.timedelta(minutes=2 * q + extra)
                    gps.append(f"{plate},{t:%Y-%m-%d %H:%M:%S},{lat:.6f},{lon:.6f},{speed}")
    return "\n".join(man) + "\n", "\n".join(rec) + "\n", "\n".join(gps) + "\n"


def _import(plan, office, kind: str, text: str):
    return services.import_rows(office, plan, kind, read_rows(text.encode("utf-8"), columns.TABLES[kind], kind))


def load(plan, office, out: TextIO) -> None:
    today = timezone.now().astimezone(BEIJING).date()
    for kind, text in (
        ("sites", SITES),
        ("carriers", _carriers(today)),
        ("vehicles", VEHICLES),
        ("destinations", DESTINATIONS),
        ("permits", _permits(today)),
    ):
        _import(plan, office, kind, text)
    last = today.replace(day=1) - dt.timedelta(days=1)
    man, rec, gps = month_files(last.year, last.month, today.year)
    _import(plan, office, "manifests", man)
    _import(plan, office, "receipts", rec)
    services.ingest_gps_file(office, plan, gps.encode("utf-8"), "gps.csv")
    result = cases.check(plan, notify_by_mail=False)
    out.write(f"建筑垃圾演示数据：{last:%Y-%m} 的联单与过磅单，预警案件 {result['open']} 件{MARK}\n")
