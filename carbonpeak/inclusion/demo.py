"""Illustrative 碳普惠 demo: the shipped scenarios (published 30 days ago), funded pools, a supermarket with
rewards, a bus-company operator, and residents with a month of green trips (fictitious; labelled)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

BJ = dt.timezone(dt.timedelta(hours=8))
RESIDENTS = [
    ("jumin", "小李（演示）", "洣江社区"),
    (None, "王阿姨（演示）", "洣江社区"),
    (None, "陈同学（演示）", "思聪社区"),
]


def load(plan, office, out: TextIO) -> None:
    from carbonpeak.accounts.models import ApiClient, User
    from carbonpeak.inclusion import awards, config, services
    from carbonpeak.inclusion.models import Merchant, OperatorScope, Resident, Reward, Scenario

    if Scenario.objects.filter(plan=plan).exists():
        return
    sc = {s.code: s for s in config.load_defaults(office, plan, published_at=timezone.now() - dt.timedelta(days=30))}
    for s in sc.values():
        services.fund(office, s, s.monthly_budget_points or 100000, "演示：本月预算")
    shop = Merchant.objects.create(plan=plan, name="茶陵绿色生活超市（演示）")
    clerk = User.objects.filter(username="shanghu").first()
    if clerk is not None:
        shop.users.add(clerk)
    until = timezone.localdate() + dt.timedelta(days=90)
    for name, price, value, stock in (
        ("环保购物袋", 30, "3.00", 50),
        ("公交月票 10 元抵用券", 200, "10.00", 20),
        ("LED 节能灯泡", 300, "15.00", 5),
    ):
        Reward.objects.create(
            merchant=shop,
            name=name + "（演示）",
            points_price=price,
            value_yuan=Decimal(value),
            stock=stock,
            valid_until=until,
        )
    client, _token = ApiClient.issue("县公交公司（演示）", "operator", plan=plan)
    scope = OperatorScope.objects.create(client=client, channel="县公交")
    scope.scenarios.add(sc["green_travel"])
    op_user = User.objects.filter(username="yunying").first()
    if op_user is not None:
        scope.users.add(op_user)
    people = []
    for username, name, community in RESIDENTS:
        user = User.objects.filter(username=username).first() if username else None
        if user is None:
            user = User.objects.create(
                username=f"demo-{len(people)}", role="resident", display_name=name, is_active=False, plan=plan
            )
        r = Resident.objects.filter(user=user).first() or services.join(plan, user, name, community=community)
        r.leaderboard_opt_in = True
        r.save(update_fields=["leaderboard_opt_in"])
        services.grant(r, sc["green_travel"])
        people.append(r)
    h = services.create_household(people[0], "李家（演示）")
    h.leaderboard_opt_in = True
    h.save(update_fields=["leaderboard_opt_in"])
    people[1].household = h
    people[1].save(update_fields=["household"])
    today = timezone.now().astimezone(BJ).replace(hour=8, minute=0, second=0, microsecond=0)
    rows = []
    for d in range(1, 21):
        for i, r in enumerate(people):
            rows.append(
                {
                    "ref": f"demo-bus-{d}-{i}",
                    "resident": r.pseudonym,
                    "methodology": "bus",
                    "quantity": str(6 + 2 * i),
                    "occurred_at": (today - dt.timedelta(days=d)).isoformat(),
                }
            )
    rows.append(
        {
            "ref": "demo-bus-night",
            "resident": people[0].pseudonym,
            "methodology": "bus",
            "quantity": "8",
            "occurred_at": (today - dt.timedelta(days=2)).replace(hour=1).isoformat(),
        }
    )  # held: outside hours
    res = awards.ingest(plan, rows, "县公交", [sc["green_travel"]])
    _forest_demo(plan, office)
    print(
        f"已载入碳普惠演示：{len(people)} 位居民、{res.counts.get('awarded', 0)} 条出行 / inclusion demo loaded",
        file=out,
    )


def _forest_demo(plan, office) -> None:
    """A village collective's afforestation project with three monitorings, credited twice (演示)."""
    from carbonpeak.inclusion import forestry

    p = forestry.register(
        office, plan, name="秩堂镇湖口村造林（演示）", collective="湖口村村民委员会（演示）", area_ha="42.5",
        start_year=2024, township="秩堂镇",
    )  # fmt: skip
    for year, fir, pine in ((2024, "1800", "600"), (2025, "2050", "680"), (2026, "2290", "740")):
        forestry.record_monitoring(office, p, year, {"chinese_fir": fir, "masson_pine": pine})
    for year in (2025, 2026):
        forestry.credit(office, p, year)
