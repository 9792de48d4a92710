"""`carbonpeak setup`: migrate, load the shipped plans and (optionally) the labelled demo data. Idempotent:
running it twice changes nothing the second time."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import TextIO

from django.core.management import call_command
from django.db import transaction

DEMO_PASSWORD = "Demo-carbonpeak-2026"
DEMO_LABEL = "演示数据（虚构，非官方统计）/ illustrative demo data, not official statistics"
SHIPPED_PLANS = ["chaling.json"]

# username, role, department code (None for office), display name
DEMO_USERS = [
    ("office", "office", None, "碳达峰办（演示）"),
    ("fgj", "department", "dev_reform", "县发展改革局 演示人员"),
    ("linye", "department", "forestry", "县林业局 演示人员"),
    ("jiaotong", "department", "transport", "县交通运输局 演示人员"),
    ("auditor", "auditor", None, "审计员（演示）"),
]

# (target code, year, quarter, value): illustrative only, the real 2021-2024 statistics are not public.
DEMO_VALUES = [
    ("new_energy_capacity_energy_task", 2021, None, "120"),
    ("new_energy_capacity_energy_task", 2022, None, "165"),
    ("new_energy_capacity_energy_task", 2023, None, "205"),
    ("new_energy_capacity_energy_task", 2024, None, "250"),
    ("energy_intensity_reduction", 2021, None, "0.031"),
    ("energy_intensity_reduction", 2022, None, "0.058"),
    ("energy_intensity_reduction", 2023, None, "0.079"),
    ("energy_intensity_reduction", 2024, None, "0.125"),
    ("forest_coverage", 2020, None, "0.6285"),
    ("forest_coverage", 2023, None, "0.6289"),
    ("gasification_population_share", 2022, None, "0.41"),
    ("gasification_population_share", 2024, None, "0.47"),
    ("non_fossil_share", 2020, None, "0.142"),
    ("non_fossil_share", 2024, None, "0.185"),
    ("forest_stock", 2020, None, "7600000"),
    ("forest_stock", 2024, None, "8400000"),
]


def run_setup(demo: bool = True, out: TextIO = sys.stderr) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    print("数据库已迁移 / database migrated", file=out)
    load_shipped_plans(out)
    if demo:
        load_demo(out)


def load_shipped_plans(out: TextIO) -> None:
    from carbonpeak.plan.models import Plan
    from carbonpeak.plan.plan_io import DATA_DIR, load_plan, read_plan_file
    from carbonpeak.plan.scoring import ensure_default_rules

    for name in SHIPPED_PLANS:
        data = read_plan_file(DATA_DIR / name)
        code = data["plan"]["code"]
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            plan = load_plan(data)
            print(f"已载入方案 {code} / plan loaded", file=out)
        ensure_default_rules(plan)


@transaction.atomic
def load_demo(out: TextIO) -> None:
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.choices import ValueSource
    from carbonpeak.plan.models import DispatchRound, IndicatorValue, Plan, Target

    plan = Plan.objects.get(code="chaling-2024")
    created = 0
    for username, role, dept_code, display in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        dept = plan.departments.get(code=dept_code) if dept_code else None
        user = User(
            username=username, role=role, department=dept, display_name=display, email=f"{username}@demo.invalid"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created += 1
    for code, year, quarter, value in DEMO_VALUES:
        target = Target.objects.get(plan=plan, code=code)
        IndicatorValue.objects.get_or_create(
            target=target,
            year=year,
            quarter=quarter,
            defaults={
                "value": Decimal(value),
                "source": ValueSource.IMPORT,
                "source_detail": DEMO_LABEL,
                "entered_by_label": "demo",
            },
        )
    if not DispatchRound.objects.filter(plan=plan).exists():
        today = dt.date.today()
        quarter = (today.month - 1) // 3 + 1
        DispatchRound.objects.create(
            plan=plan, year=today.year, quarter=quarter, due_date=today + dt.timedelta(days=14)
        )
    if created:
        print(f"已创建演示账户 {created} 个 / demo accounts created", file=out)


def demo_logins() -> list[tuple[str, str]]:
    from carbonpeak.accounts.models import User

    names = [u[0] for u in DEMO_USERS]
    users = {u.username: u for u in User.objects.filter(username__in=names).select_related("department")}
    return [(n, f"{users[n].get_role_display()} {users[n].department or ''}".strip()) for n in names if n in users]
