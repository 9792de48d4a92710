"""Illustrative demo enterprises for the demo county (fictitious names, codes and figures; labelled as such):
six metered key energy users with daily readings from 2024-01-01 to yesterday, one meter gone silent, budgets
for this year (one yellow, one red), illustrative benchmarks, approved 2024 carbon accounts, a 2025 account
waiting for review, an energy-review headroom allocation with one project, and a published 2024 list."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from carbonpeak.core.uscc import make_uscc
from carbonpeak.enterprises.rollups import BEIJING

DEMO_MARK = "（演示）"
ILLUSTRATIVE = "演示数据（虚构），不代表任何真实企业或官方基准 / illustrative"

# name, class, township, {carrier|unit: 2024 annual quantity}, growth 2025, growth this year, value added 2024
ENTERPRISES = [
    (
        "茶陵县华峰水泥有限公司",
        "3011",
        "下东街道",
        {"raw_coal|t": 180000, "electricity|MWh": 150000},
        0.02,
        0.01,
        118000,
    ),
    (
        "茶陵县湘东陶瓷有限公司",
        "3071",
        "思聪街道",
        {"raw_coal|t": 40000, "natural_gas|10k_m3": 1800, "electricity|MWh": 60000},
        0.03,
        0.06,
        52000,
    ),
    ("茶陵县云阳钢结构有限公司", "3311", "洣江街道", {"electricity|MWh": 55000}, 0.04, 0.02, 41000),
    ("茶陵县洣水粮油有限公司", "1331", "腰潞镇", {"raw_coal|t": 8000, "electricity|MWh": 20000}, 0.01, 0.00, 23000),
    ("茶陵县星联电子科技有限公司", "3982", "洣江街道", {"electricity|MWh": 70000}, 0.10, 0.18, 65000),
    ("茶陵县楚源化工有限公司", "2614", "枣市镇", {"electricity|MWh": 30000}, 0.02, 0.03, 15000),
]
BENCHMARKS = [
    ("30", "2.2"),
    ("3011", "3.6"),
    ("3071", "2.2"),
    ("33", "0.75"),
    ("13", "1.4"),
    ("39", "0.95"),
    ("26", "0.9"),
]
MANAGER = ("qiye", "湘东陶瓷 能源管理员（演示）")
SILENT = ("茶陵县云阳钢结构有限公司", "electricity")  # its meter stops 8 days before today


def _noise(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF - 0.5  # -0.5 .. 0.5


def _daily(annual: float, day: dt.date, key: str) -> Decimal:
    season = 1 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
    q = annual / 365 * season * (1 + 0.06 * _noise(f"{key}{day}"))
    return Decimal(f"{q:.3f}")


def load(plan, office, out: TextIO, password: str) -> None:
    from carbonpeak.accounts.models import User
    from carbonpeak.enterprises import carbon, control, disclosure, monitoring, services
    from carbonpeak.enterprises.models import CountyControl, EnergyBudget, Enterprise, Meter

    if Enterprise.objects.filter(plan=plan).exists():
        return
    today = timezone.now().astimezone(BEIJING).date()
    this_year = today.year
    rows_e = []
    for n, (name, cls, town, *_rest) in enumerate(ENTERPRISES, start=1):
        uscc = make_uscc("91430224", f"MA4L{n:03d}X")
        rows_e.append((n + 1, {"uscc": uscc, "name": name + DEMO_MARK, "industry_code": cls, "township": town}))
    services.import_enterprises(office, plan, rows_e)
    ents = {e.name.removesuffix(DEMO_MARK): e for e in Enterprise.objects.filter(plan=plan)}
    meter_rows, line = [], 2
    for name, _cls, _t, carriers, *_ in ENTERPRISES:
        ent = ents[name]
        for k, cu in enumerate(carriers, start=1):
            carrier, unit = cu.split("|")
            meter_rows.append(
                (line, {"uscc": ent.uscc, "meter_code": f"{ent.uscc[-6:]}-{k:02d}", "carrier": carrier, "unit": unit})
            )
            line += 1
    services.import_meters(office, plan, meter_rows)
    Meter.objects.filter(enterprise__plan=plan).update(
        interval_minutes=1440, calibration_due=dt.date(this_year + 1, 6, 30)
    )
    ceramics = ents["茶陵县湘东陶瓷有限公司"]
    ceramics.contact_name, ceramics.contact_email = "李工（演示）", "energy@ceramics.demo.invalid"
    ceramics.save()
    user = User.objects.filter(username=MANAGER[0]).first()
    if user is None:
        user = User(
            username=MANAGER[0], role="enterprise", display_name=MANAGER[1], email="qiye@demo.invalid", plan=plan
        )
        user.set_password(password)  # setup's DEMO_PASSWORD (setup sits above every app)
        user.save()
    ceramics.managers.add(user)

    # daily readings (each ends at the next midnight, Beijing time) from 2024-01-01 to yesterday
    readings = []
    for name, _cls, _t, carriers, g25, g_now, _va in ENTERPRISES:
        ent = ents[name]
        for k, (cu, annual) in enumerate(carriers.items(), start=1):
            code = f"{ent.uscc[-6:]}-{k:02d}"
            stop = today - dt.timedelta(days=8) if (name, cu.split("|")[0]) == SILENT else today
            day = dt.date(2024, 1, 1)
            while day < stop:
                growth = 1.0 if day.year == 2024 else (1 + g25) * ((1 + g_now) if day.year >= this_year else 1)
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BEIJING)
                readings.append(
                    (
                        None,
                        {
                            "meter_code": code,
                            "reading_time": end.isoformat(),
                            "quantity": str(_daily(annual * growth, day, code)),
                        },
                    )
                )
                day += dt.timedelta(days=1)
    rep = services.ingest_readings(plan, readings)
    monitoring.check_silent_meters(plan, notify_by_mail=False)

    carbon.import_benchmarks(
        office,
        plan,
        [
            (i + 2, {"industry_code": c, "year": "2020", "intensity": v, "source": ILLUSTRATIVE})
            for i, (c, v) in enumerate(BENCHMARKS)
        ],
        illustrative=True,
    )
    # 2024 accounts approved; the ceramics works' 2025 account waits for review
    for name, _cls, _t, _c, _g25, _g, va in ENTERPRISES:
        ent = ents[name]
        ca = carbon.submit(None, ent, 2024, str(va), "演示", label="企业填报（演示导入）")
        carbon.approve(office, ca, "演示：审定")
        if name == "茶陵县湘东陶瓷有限公司":
            carbon.submit(user, ent, 2025, str(round(va * 1.05)), "演示")
    # this year's budgets: last year's consumption × a factor chosen to show each light
    last = {e["id"]: e["energy_tce"] for e in carbon.accounts.compute(plan, this_year - 1)["enterprises"]}
    factor = {"茶陵县华峰水泥有限公司": 1.03, "茶陵县湘东陶瓷有限公司": 1.0, "茶陵县星联电子科技有限公司": 1.02}
    for name, ent in ents.items():
        if last.get(ent.pk):
            EnergyBudget.objects.create(
                enterprise=ent,
                year=this_year,
                budget_tce=Decimal(f"{last[ent.pk] * factor.get(name, 1.05):.0f}"),
            )
    est = control.county_warning(plan, this_year).get("estimated_total_tce")
    CountyControl.objects.create(
        plan=plan,
        year=this_year,
        gdp_growth=Decimal("0.06"),
        energy_total_budget_tce=Decimal(f"{est * 0.98:.0f}") if est else None,
    )
    control.allocate(office, plan, "60000", "“十四五”新增用能空间（演示）")
    control.approve_project(
        office,
        plan,
        name="湘东陶瓷二期生产线（演示）",
        approval_ref="茶发改能审〔2026〕1号（演示）",
        energy_tce="12000",
        approved_on=dt.date(this_year, 3, 15),
        expected_year=this_year + 1,
        enterprise=ceramics,
    )
    disclosure.publish_list(office, plan, 2024)
    print(f"已载入演示企业 {len(ents)} 家、读数 {rep.accepted} 条 / demo enterprises loaded", file=out)
