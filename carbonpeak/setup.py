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
    ("zhujian", "department", "housing_construction", "县住房和城乡建设局 演示人员"),
    ("chengguan", "department", "urban_management", "县城管局 演示人员"),
    ("jiguan", "department", "government_affairs_center", "县机关事务中心 演示人员"),
    ("auditor", "auditor", None, "审计员（演示）"),
    ("qiye", "enterprise", None, "湘东陶瓷 能源管理员（演示）"),
    ("jumin", "resident", None, "居民小李（演示）"),
    ("shanghu", "merchant", None, "绿色生活超市 收银员（演示）"),
    ("yunying", "operator", None, "县公交公司 数据对接员（演示）"),
]
# the multi-county demo (setup --demo --region): a fictional second county's office and the city's reader
REGION_DEMO_USERS = [
    ("office_b", "office", "样例县碳达峰办（演示）"),
    ("zhuzhou", "region", "株洲市发展改革委 查看人员（演示）"),
]
SECOND_COUNTY = ("example-b-2024", "样例县（虚构）")

# (target code, year, quarter, value): illustrative only, the real 2021-2024 statistics are not public.
DEMO_VALUES = [
    ("new_energy_capacity_energy_task", 2021, None, "120"),
    ("new_energy_capacity_energy_task", 2022, None, "165"),
    ("new_energy_capacity_energy_task", 2023, None, "205"),
    ("new_energy_capacity_energy_task", 2024, None, "250"),
    ("energy_intensity_reduction", 2021, None, "0.031"),
    ("energy_intensity_reduction", 2022, None, "0.058"),
    ("energy_intensity_reduction", 2023, None, "0.079"),
    ("forest_coverage", 2020, None, "0.6285"),
    ("forest_coverage", 2023, None, "0.6289"),
    ("gasification_population_share", 2022, None, "0.41"),
    ("gasification_population_share", 2024, None, "0.47"),
    ("forest_stock", 2020, None, "7600000"),
    ("forest_stock", 2024, None, "8400000"),
]


def run_setup(demo: bool = False, out: TextIO = sys.stderr, region: bool = False) -> None:
    """Demo accounts and data only when asked (``setup --demo``, ``serve --demo``, scripts/run): never in a
    production start."""
    call_command("migrate", interactive=False, verbosity=0)
    print("数据库已迁移 / database migrated", file=out)
    call_command("collectstatic", interactive=False, verbosity=0)
    print("静态文件已收集 / static files collected", file=out)
    from carbonpeak.enterprises.workcalendar import load_shipped

    added = load_shipped().accepted
    print(f"节假日安排：新增 {added} 天 / holiday calendar: {added} dates added", file=out)
    load_shipped_plans(out)
    if demo:
        load_demo(out)
        if region:
            load_demo_region(out)


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
            username=username,
            role=role,
            department=dept,
            display_name=display,
            email=f"{username}@demo.invalid",
            plan=plan,
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
                "entered_by_label": "演示数据导入",
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
    grant_demo_enterprise_readers(plan, User.objects.get(username="office"))
    load_demo_accounts(plan, User.objects.get(username="office"), out)
    from carbonpeak.enterprises import demo as enterprise_demo

    enterprise_demo.load(plan, User.objects.get(username="office"), out, DEMO_PASSWORD)
    from carbonpeak.inclusion import demo as inclusion_demo

    inclusion_demo.load(plan, User.objects.get(username="office"), out)
    import importlib

    for name in SECTOR_DEMOS:
        importlib.import_module(name).load(plan, User.objects.get(username="office"), out)
    rerun_stale_demo_scenarios(plan, User.objects.get(username="office"), out)


#: the sector systems' labelled demo data (``<app>/demo.py``: ``load(plan, office, out)``, idempotent, through the
#: module's own services), loaded by ``setup --demo`` only
SECTOR_DEMOS: tuple[str, ...] = (
    "carbonpeak.generation.demo",
    "carbonpeak.buildings.demo",
    "carbonpeak.transport.demo",
    "carbonpeak.waste.demo",
    "carbonpeak.sinks.demo",
    "carbonpeak.plan.project_demo",
)


# Departments of the demo that read every enterprise's data (Department.may_read_enterprises; the production
# default grants none): the development-and-reform bureau, which runs energy dual control.
DEMO_ENTERPRISE_READERS = ["dev_reform"]


def grant_demo_enterprise_readers(plan, office) -> None:
    """Grant the demo's readers once, through the audited service; never again once the office has chosen
    (an audited grant or revocation exists), so a second setup changes nothing."""
    from carbonpeak.audit.models import AuditEntry
    from carbonpeak.plan.services import set_enterprise_readers

    if AuditEntry.objects.filter(action="department.enterprise_access").exists():
        return
    if plan.departments.filter(may_read_enterprises=True).exists():
        return
    set_enterprise_readers(office, plan, DEMO_ENTERPRISE_READERS)


# Illustrative parameters of the demo years (not official statistics): GDP at 2020 prices; the 2020 figure
# is the statistical bulletin's 224.3 亿元, later years grown by an assumed rate; coal rates, sinks assumed.
DEMO_ACCOUNT_PARAMS = {
    2020: {
        "gdp_10k_yuan": "2243000",
        "gdp_current_10k_yuan": "2243000",
        "population": "491849",
        "coal_equivalent_kgce_per_kwh": "0.3055",
        "sink_tco2": "700000",
        "inflow_nonfossil_share": "0.28",
    },
    2024: {
        "gdp_10k_yuan": "2778600",
        "population": "478000",
        "coal_equivalent_kgce_per_kwh": "0.300",
        "sink_tco2": "720000",
        "inflow_nonfossil_share": "0.33",
    },
}
DEMO_APPROVED_YEARS = (2020, 2024)
DEMO_DRAFT_YEAR = 2025
# Hunan has no published 2020 provincial grid factor in the library (the series starts in 2021). The demo
# county therefore makes its own factor version with a grade-C placeholder, which every page using it flags.
DEMO_COUNTY_FACTORS = (
    "key,name_zh,name_en,value,unit,grade,source,notes\n"
    "grid.prov.hunan.2020,2020年湖南省电力平均CO2排放因子（演示占位）,hunan provincial EF 2020 (demo placeholder),"
    "0.5138,kgCO2/kWh,C,演示：沿用2021年值（MEE/NBS 公告2024年第12号），须替换为官方2020年值,illustrative placeholder\n"
)


def load_demo_accounts(plan, office, out: TextIO, scale: Decimal = Decimal(1), scenarios: bool = True) -> None:
    """Two approved demo years (2020 base, 2024) and an empty 2025 draft, loaded through the services; a
    ``scale`` other than 1 multiplies every quantity and parameter (the fictional second county)."""
    import csv

    from carbonpeak.accounting import services
    from carbonpeak.accounting.models import FactorSet, Inventory
    from carbonpeak.plan.plan_io import DATA_DIR

    if Inventory.objects.filter(plan=plan).exists():
        return
    fs = FactorSet.objects.filter(plan=plan).first() or services.create_county_version(
        office, plan, DEMO_COUNTY_FACTORS.encode(), label=f"{plan.county}因子库（演示）", note=DEMO_LABEL
    )
    path = DATA_DIR.parent / "demo" / "chaling_accounts.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for year in (*DEMO_APPROVED_YEARS, DEMO_DRAFT_YEAR):
        inv = services.create_inventory(office, plan, year, factor_set=fs)
        Inventory.objects.filter(pk=inv.pk).update(is_illustrative=True, note=DEMO_LABEL)
        inv.refresh_from_db()
        lines = [
            (i, {k: _scaled(k, r[k], scale) for k in r if k != "year"})
            for i, r in enumerate(rows, start=2)
            if int(r["year"]) == year
        ]
        if lines or year in DEMO_ACCOUNT_PARAMS:
            params = [(None, k, _scaled(k, v, scale)) for k, v in DEMO_ACCOUNT_PARAMS.get(year, {}).items()]
            report = services.import_activity(office, inv, lines, params)
            if report["rejected"]:
                raise RuntimeError(f"demo accounts {year}: {report['rejected']}")
        if year in DEMO_APPROVED_YEARS:
            services.approve(office, inv)
    print(f"已载入演示核算数据（{plan.county}）/ demo accounts loaded", file=out)
    if scenarios:
        load_demo_scenarios(plan, office, out)


#: demo columns and parameters that scale with the size of a county (shares, rates and factors do not)
_EXTENSIVE = {"quantity", "gdp_10k_yuan", "gdp_current_10k_yuan", "population", "sink_tco2"}


#: the fictional county is relatively richer: its GDP scales by this much more than its energy use, so its
#: intensities (and the region's, recomputed from the sums) differ from Chaling's
_GDP_PREMIUM = Decimal("1.25")


def _scaled(key: str, value: str, scale: Decimal) -> str:
    if scale == 1 or key not in _EXTENSIVE or not value:
        return value
    scaled = Decimal(value) * scale * (_GDP_PREMIUM if key.startswith("gdp") else 1)
    if key == "population":  # people are counted whole
        scaled = scaled.to_integral_value()
    return format(scaled.normalize(), "f")


# Illustrative project assumptions for the demo policy scenario: the plan names the projects but gives no
# capacities or dates (a county enters its own).
DEMO_PROJECTS = {
    "P01.1": {"include": True, "capacity_mw": 300, "commissioning_year": 2025},
    "P01.2": {"include": True, "capacity_mw": 400, "commissioning_year": 2027},
    "P01.3": {"include": True, "capacity_mw": 20, "commissioning_year": 2026},
    "P01.4": {"include": True, "capacity_mw": 350, "commissioning_year": 2028},
    "P01.5": {"include": True, "capacity_mw": 30, "commissioning_year": 2026},
    "P03.1": {"include": True, "commissioning_year": 2026},
}


def rerun_stale_demo_scenarios(plan, office, out: TextIO) -> None:
    """The sector demos load after the demo scenarios ran; a scenario whose inputs they changed (the approved
    forest sink gives it a sink path) is run again, so the demo does not open on stale results."""
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.fetch import current_hash
    from carbonpeak.scenarios.models import Scenario

    for s in Scenario.objects.filter(plan=plan).order_by("id"):
        last = s.runs.order_by("-created_at", "-id").first()
        if last is None or last.inputs_sha256 == current_hash(s):
            continue
        run = services.start_run(office, s, enqueue=False)
        services.execute(run.pk)
        print(f"已重新运行演示情景：{s.name} / demo scenario re-run", file=out)


def load_demo_scenarios(plan, office, out: TextIO) -> None:
    """A baseline and a policy scenario on the demo 2024 accounts, each run once."""
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.models import Scenario

    if Scenario.objects.filter(plan=plan).exists():
        return
    base = services.create_baseline(office, plan, "基准情景（演示）")
    policy = services.create_policy(office, base, "方案项目按期投产（演示）")
    data = {f"projects.{code}.{k}": v for code, cfg in DEMO_PROJECTS.items() for k, v in cfg.items()}
    data["measures"] = [
        {"label": "工业节能降碳改造", "sector": "industry", "driver": "intensity_improvement", "delta": "0.01"}
    ]
    services.update_scenario(office, policy, data)
    for s in (base, policy):
        run = services.start_run(office, s, enqueue=False)
        services.execute(run.pk)
    services.designate_official(office, policy)  # the dashboard and the public page show this one
    print("已载入演示情景 / demo scenarios loaded", file=out)


def demo_logins() -> list[tuple[str, str]]:
    from carbonpeak.accounts.models import User

    names = [u[0] for u in DEMO_USERS] + [u[0] for u in REGION_DEMO_USERS]
    users = {
        u.username: u for u in User.objects.filter(username__in=names).select_related("department", "plan", "region")
    }
    several = len({u.plan_id for u in users.values() if u.plan_id}) > 1 or any(u.region_id for u in users.values())

    def where(u) -> str:
        if u.region_id:
            return f"{u.region.name} "
        return f"{u.plan.county} " if several and u.plan_id else ""

    return [
        (n, f"{where(users[n])}{users[n].get_role_display()} {users[n].department or ''}".strip())
        for n in names
        if n in users
    ]


def second_county_document(code: str = SECOND_COUNTY[0], county: str = SECOND_COUNTY[1]) -> dict:
    """Chaling's plan file under another code and name: a fictional county with the same structure (every
    department, target and task code exists in both, so only the county keeps them apart). Demo and tests only."""
    import copy

    from carbonpeak.plan.plan_io import DATA_DIR, read_plan_file

    short = county.split("（")[0].removesuffix("县") or county

    def renamed(value):  # the plan's own text names Chaling (茶陵分局, 茶陵经开区 …): the copy names itself
        if isinstance(value, str):
            return value.replace("茶陵", short).replace("Chaling", "Example")
        if isinstance(value, dict):
            return {k: renamed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v) for v in value]
        return value

    doc = renamed(copy.deepcopy(read_plan_file(DATA_DIR / "chaling.json")))
    doc["plan"].update(
        code=code,
        county=county,
        county_en="Example County (fictional)",
        division_code="439901",
        title=f"{county}碳达峰实施方案（演示，虚构）",
        title_en="Example County Carbon Peak Plan (fictional demo)",
        issuer=f"{county}人民政府",
    )
    return doc


#: the fictional county's activity is Chaling's demo activity times this share (its accounts differ, so the
#: city page's sums and recomputed intensities are visible)
SECOND_COUNTY_SCALE = Decimal("0.6")


@transaction.atomic
def load_demo_region(out: TextIO) -> None:
    """Beside the Chaling demo: a fictional second county (its plan, office, demo values and accounts) and 株洲市
    reading both side by side. Idempotent."""
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.models import Plan
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.regions import save_region
    from carbonpeak.plan.scoring import ensure_default_rules

    chaling = Plan.objects.get(code="chaling-2024")
    second = Plan.objects.filter(code=SECOND_COUNTY[0]).first()
    if second is None:
        second = load_plan(second_county_document())
        print(f"已载入演示第二县 {second.county} / fictional second county loaded", file=out)
    ensure_default_rules(second)
    region = save_region(None, "zhuzhou", "株洲市（演示）", "city", [chaling.code, second.code])
    for username, role, display in REGION_DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            role=role,
            display_name=display,
            email=f"{username}@demo.invalid",
            plan=second if role != "region" else None,
            region=region if role == "region" else None,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    office_b = User.objects.get(username="office_b")
    load_demo_accounts(second, office_b, out, scale=SECOND_COUNTY_SCALE, scenarios=False)
