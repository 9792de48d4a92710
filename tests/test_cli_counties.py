"""The command line with several counties on one installation (issue 15): `plan import` loads another county;
`region add`; `user add` / `client add` take --plan or --region; without --plan, the only county, else exit 2
naming the choices; nothing crosses counties (a department, an enterprise of another county is refused)."""

from __future__ import annotations

import json

import pytest

from carbonpeak.accounts.models import ApiClient, User
from carbonpeak.audit.models import AuditEntry
from carbonpeak.cli import main
from carbonpeak.enterprises.tests.test_ingest import CEMENT, rows
from carbonpeak.plan.models import Plan, Region

pytestmark = pytest.mark.django_db


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def second_file(tmp_path):
    from carbonpeak.plan.plan_io import DATA_DIR
    from carbonpeak.setup import second_county_document

    doc = json.loads((DATA_DIR / "chaling.json").read_text(encoding="utf-8"))  # the file as a county writes it
    doc["plan"] = {**doc["plan"], **{k: v for k, v in second_county_document()["plan"].items() if isinstance(v, str)}}
    path = tmp_path / "second.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_only_county_is_the_default_and_several_need_plan(capsys, plan, second_file):
    code, out, _ = run(capsys, "user", "add", "ban1", "--role", "office")
    assert code == 0 and json.loads(out.splitlines()[0])["county"] == plan.code  # one county: that one

    assert run(capsys, "plan", "import", str(second_file))[0] == 0
    assert Plan.objects.count() == 2
    code, _, err = run(capsys, "user", "add", "ban2", "--role", "office")
    assert code == 2 and "--plan" in err and plan.code in err and "example-b-2024" in err  # names the choices
    assert not User.objects.filter(username="ban2").exists()

    code, out, _ = run(capsys, "user", "add", "ban2", "--role", "office", "--plan", "example-b-2024")
    assert code == 0 and User.objects.get(username="ban2").plan.code == "example-b-2024"
    code, _, err = run(capsys, "user", "add", "ban3", "--role", "office", "--plan", "nowhere")
    assert code == 2 and "--plan" in err and "nowhere" in err


def test_department_of_another_county_is_refused(capsys, plan, second_file):
    run(capsys, "plan", "import", str(second_file))
    # dev_reform exists in both counties: it is the county's own department that is taken
    code, out, _ = run(capsys, "user", "add", "fgj_b", "--role", "department", "--department", "dev_reform",
                       "--plan", "example-b-2024")  # fmt: skip
    assert code == 0
    u = User.objects.get(username="fgj_b")
    assert u.plan.code == "example-b-2024" and u.department.plan_id == u.plan_id


def test_region_add_and_region_reader(capsys, plan, second_file):
    run(capsys, "plan", "import", str(second_file))
    code, out, err = run(capsys, "region", "add", "zhuzhou", "--name", "株洲市", "--plans", "chaling-2024,nowhere")
    assert code == 2 and "plans" in err and "nowhere" in err and not Region.objects.exists()
    code, out, _ = run(capsys, "region", "add", "zhuzhou", "--name", "株洲市", "--plans", "chaling-2024,example-b-2024")
    assert code == 0 and json.loads(out)["plans"] == ["chaling-2024", "example-b-2024"]
    assert AuditEntry.objects.filter(action="region.save").count() == 1

    code, _, err = run(capsys, "user", "add", "zz", "--role", "region")
    assert code == 2 and "--region" in err
    code, _, err = run(capsys, "user", "add", "zz", "--role", "region", "--region", "zhuzhou", "--plan", plan.code)
    assert code == 2 and "--region" in err
    code, _, err = run(capsys, "user", "add", "zz", "--role", "office", "--region", "zhuzhou", "--plan", plan.code)
    assert code == 2 and "--region" in err
    code, out, _ = run(capsys, "user", "add", "zz", "--role", "region", "--region", "zhuzhou")
    assert code == 0
    zz = User.objects.get(username="zz")
    assert zz.region.code == "zhuzhou" and zz.plan is None

    code, out, _ = run(capsys, "client", "add", "市平台", "--role", "region", "--region", "zhuzhou")
    token = out.splitlines()[-1]
    assert code == 0 and token.startswith("cpk_")  # the token alone on the last line
    assert ApiClient.objects.get(name="市平台").region.code == "zhuzhou"


def test_client_scope_refuses_another_countys_enterprise(capsys, plan, second_file):
    from carbonpeak.enterprises import services

    services.import_enterprises(
        None, plan, rows({"uscc": CEMENT, "name": "水泥厂", "industry_code": "3011", "township": ""})
    )
    run(capsys, "plan", "import", str(second_file))
    code, out, _ = run(capsys, "client", "add", "B网关", "--role", "gateway", "--plan", "example-b-2024")
    assert code == 0 and ApiClient.objects.get(name="B网关").plan.code == "example-b-2024"
    code, _, err = run(capsys, "client", "scope", "B网关", "--enterprise", CEMENT)
    assert code == 2 and CEMENT in err  # Chaling's enterprise is unknown to county B's gateway
    assert not ApiClient.objects.get(name="B网关").reading_enterprises.exists()
    code, _, err = run(capsys, "client", "add", "B网关2", "--role", "gateway", "--plan", "example-b-2024",
                       "--enterprise", CEMENT)  # fmt: skip
    assert code == 2 and not ApiClient.objects.filter(name="B网关2").exists()
    code, out, _ = run(
        capsys, "client", "add", "A网关", "--role", "gateway", "--plan", plan.code, "--enterprise", CEMENT
    )
    assert code == 0


def test_audit_entries_carry_their_county(capsys, plan, second_file):
    run(capsys, "plan", "import", str(second_file))
    run(capsys, "user", "add", "ob", "--role", "office", "--plan", "example-b-2024")
    b = Plan.objects.get(code="example-b-2024")
    entry = AuditEntry.objects.get(action="user.create", object_id=str(User.objects.get(username="ob").pk))
    assert entry.county_id == b.pk
