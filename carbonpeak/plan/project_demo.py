"""Demo data of the major projects (``setup --demo`` only; listed in setup.SECTOR_DEMOS), through the services,
labelled 演示, idempotent: a demo project led by 县发展改革局 whose planned commissioning year has passed (so the
dashboard and the round's report show a red flag), and 县发展改革局's report on 布子坑抽水蓄能 in the demo round,
waiting for the office's review. The fgj login reports 严塘秩堂风电 itself."""

from __future__ import annotations

from typing import TextIO

from django.utils import timezone

from carbonpeak.plan import projects as svc
from carbonpeak.plan.models import DispatchRound, Plan, ProjectReport
from carbonpeak.plan.project_table import import_projects

DEMO_CODE = "P01.9"
DEMO_NAME = "（演示）经开区标准厂房分布式光伏示范项目"


def load(plan: Plan, office, out: TextIO) -> None:
    from carbonpeak.accounts.models import User

    last_year = timezone.localdate().year - 1
    if not plan.projects.filter(code=DEMO_CODE).exists():
        rep = import_projects(
            office,
            plan,
            [
                (
                    2,
                    {
                        "code": DEMO_CODE,
                        "name": DEMO_NAME,
                        "group": "P01",
                        "type": "光伏发电",
                        "township": "茶陵经开区",
                        "lead_departments": "县发展改革局",
                        "cooperating_departments": "茶陵经开区管委会",
                        "size": "20",
                        "size_unit": "兆瓦",
                        "investment_10k_yuan": "8000",
                        "commissioning_year": str(last_year),
                        "status": "在建",
                        "expected_effect": "演示数据，非真实项目",
                    },
                )
            ],
        )
        if rep.rejected:  # pragma: no cover - the demo row is fixed
            raise RuntimeError(rep.as_dict())
        print(f"已创建演示项目：{DEMO_NAME}（计划 {last_year} 年投产，未投产）", file=out)
    rnd = DispatchRound.objects.filter(plan=plan).order_by("-year", "-quarter").first()
    fgj = User.objects.filter(username="fgj", plan=plan).first()
    project = plan.projects.filter(code="P02.3").first()
    if rnd is None or fgj is None or project is None or rnd.status != "open":
        return
    if not ProjectReport.objects.filter(round=rnd, project=project).exists():
        svc.submit_project_report(
            fgj,
            rnd,
            project,
            {
                "status": "under_construction",
                "investment_share": "0.35",
                "progress": "（演示）上水库大坝填筑完成约三成，引水隧洞掘进中。",
                "problems": "（演示）需协调进场道路用地。",
            },
        )
        print("已报送演示项目进展：茶陵县布子坑抽水蓄能项目", file=out)
