"""Two counties with accounts, factor versions and scenarios, made through the real services (issue 15), and the
callers of the isolation matrix: county B's office, department officer, enterprise user and token; county A's
office and token; the city's reader (an account and a token) over both.

County A is Chaling (``plan``), county B the fictional copy (``county_b``): the same departments, targets and
projects, so only the county keeps them apart. A's data carry the mark ``甲县`` (factor-version label, activity
sources, scenario names) and A's own factor version is ``430224:1``; B's carry ``乙县``. A's quantities differ
from B's, so A's figures (``A_COAL_T``, its CO2) are recognisable in any body or workbook.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from carbonpeak.accounting import services as acc
from carbonpeak.accounting.tests.test_factor_sets import csv
from carbonpeak.accounting.tests.test_inventory import BASE_ROWS, PARAMS, numbered
from tests.tenancy.helpers import login  # noqa: F401  (the accounting, scenario and exchange tests take it from here)

A_MARK, B_MARK = "甲县", "乙县"
#: A's raw coal (t) in 2020; B burns BASE_ROWS' 100000
A_COAL_T = "123457"
A_VERSION = "430224:1"


def grid_2020(mark: str) -> bytes:
    """The 2020 Hunan grid factor the shipped library lacks, as a county's own (grade C) row."""
    return csv(f"grid.prov.hunan.2020,湖南2020（占位）,Hunan 2020 placeholder,0.52,kgCO2/kWh,C,{mark}测试占位,")


DRAWS = "200"


@dataclass
class County:
    plan: Any
    office: Any
    token: str
    factor_set: Any = None
    inv2020: Any = None
    baseline: Any = None
    policy: Any = None
    run: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    a: County
    b: County
    dept_b: Any
    enterprise_b: Any
    city_reader: Any
    city_token: str


def rows_of(mark: str, coal: str) -> list[dict[str, Any]]:
    out = [{**r, "source": f"{mark}统计局"} for r in BASE_ROWS]
    out[0] = {**out[0], "quantity": coal}
    return out


def _county(plan, office, token: str, mark: str, coal: str, run_scenarios: bool) -> County:
    from carbonpeak.scenarios import services as sc

    c = County(plan=plan, office=office, token=token)
    c.factor_set = acc.create_county_version(office, plan, grid_2020(mark), label=f"{mark}因子库")
    c.inv2020 = acc.create_inventory(office, plan, 2020)
    report = acc.import_activity(office, c.inv2020, numbered(rows_of(mark, coal)), list(_params()))
    assert report["rejected"] == [], report
    acc.approve(office, c.inv2020)
    c.inv2020.refresh_from_db()
    if run_scenarios:
        c.baseline = sc.create_baseline(office, plan, f"{mark}基准情景")
        sc.update_scenario(office, c.baseline, {"draws": DRAWS})
        c.policy = sc.create_policy(office, c.baseline, f"{mark}政策情景")
        for s in (c.baseline, c.policy):
            run = sc.start_run(office, s, enqueue=False)
            sc.execute(run.pk)
        c.run = c.baseline.runs.get()
        assert c.run.status == "done", c.run.error
    return c


def _params():
    return ((None, k, v) for k, v in PARAMS.items())


def build(plan, county_b, city, make_user, run_scenarios: bool = True) -> World:
    from carbonpeak.accounts.models import ApiClient

    office_a = make_user("office_a", "office", plan=plan)
    office_b = make_user("office_b", "office", plan=county_b)
    _c, token_a = ApiClient.issue("a-office-client", "office", plan=plan)
    _c, token_b = ApiClient.issue("b-office-client", "office", plan=county_b)
    _c, city_token = ApiClient.issue("city-client", "region", region=city)
    a = _county(plan, office_a, token_a, A_MARK, A_COAL_T, run_scenarios)
    b = _county(county_b, office_b, token_b, B_MARK, "100000", run_scenarios)
    # a year only A has (a draft): B's callers cannot reach it by its year
    a.extra["inv2021"] = acc.create_inventory(office_a, plan, 2021)
    acc.import_activity(office_a, a.extra["inv2021"], numbered(rows_of(A_MARK, A_COAL_T)), list(_params()))
    return World(
        a=a,
        b=b,
        dept_b=make_user("dept_b", "department", county_b.departments.get(code="dev_reform")),
        enterprise_b=make_user("ent_b", "enterprise", plan=county_b),
        city_reader=make_user("zhuzhou", "region", region=city),
        city_token=city_token,
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def text_of(resp) -> str:
    """The body as text: a workbook's every cell, a PDF's text (pdftotext), else the decoded body."""
    ctype = resp.get("Content-Type", "")
    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if "spreadsheetml" in ctype:
        wb = load_workbook(io.BytesIO(body))
        return "\n".join(
            "" if v is None else str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    if ctype.startswith("application/pdf"):
        import subprocess

        return subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    return body.decode("utf-8", errors="replace")


def _number_in(number: str, text: str) -> bool:
    """``number`` as a whole number in ``text`` (not inside a token such as the CSRF one), with or without
    thousands separators."""
    spelled = (number, f"{int(number):,}") if number.isdigit() else (number,)
    return any(re.search(rf"(?<![\w.,]){re.escape(n)}(?![\w])", text) for n in spelled)


def a_leaks(text: str, w: World, url: str = "") -> list[str]:
    """A's identifying text found in ``text``: its mark, its own version, its raw coal, its 2020 CO2. The page's
    own address (``url``: the language form echoes it) is what the caller typed, not A's data, and is left out."""
    if url:
        for spelled in (url, url.replace("&", "&amp;"), url.split("?")[0]):
            text = text.replace(spelled, "")
    co2 = w.a.inv2020.results["co2"]["territorial_co2_t"]
    found = [m for m in (A_MARK, A_VERSION) if m in text]
    if _number_in(A_COAL_T, text):
        found.append(A_COAL_T)
    if any(_number_in(n, text) for n in (str(round(co2)), repr(co2))):
        found.append(f"A's CO2 {co2}")
    return found


def b_shows(text: str, w: World) -> bool:
    """B's own data is on the page (so a check that A's is absent can fail)."""
    return B_MARK in text or "439901:1" in text
