"""The 林业局 officer, as a new user: opens 森林资源与碳汇 from the 专项 hub, downloads the Chinese template,
uploads the survey of 2024 and then of 2025 (CSV files with the template's Chinese headers and Chinese land
classes and species groups), reads the 2025 coverage, stock and sink (hand-worked below) beside the plan's
forest targets, approves 2025, and the office sees the three forest lights move from 无数据 to red, green and
yellow. Real chromium against a live server.

Hand-worked figures (the land-class split is the survey's; the parameters are the factor library the app ships,
carbonpeak/data/factors.csv, read by :func:`library_factor`):

==========  =================================  =================================
            2024                               2025
==========  =================================  =================================
东镇         杉木 2000 ha 192 000 m³,             杉木 2000 ha 200 000 m³,
            栎类 1000 ha 77 000 m³,               栎类 1000 ha 80 000 m³,
            竹林地 400, 非林地 600                  竹林地 400, 非林地 600        (land 4000)
西镇         杉木 1200 ha 125 000 m³,             杉木 1200 ha 130 000 m³,
            特灌 280.5, 其他灌木 520,             特灌 300.5, 其他灌木 500,
            非林地 999.5                          非林地 999.5                  (land 3000)
南镇         栎类 900 ha 58 000 m³,               栎类 900 ha 60 000 m³,
            竹林地 250, 非林地 1850                竹林地 250, 非林地 1850       (land 3000)
==========  =================================  =================================

- land area = 4000 + 3000 + 3000 = 10 000 ha (the same in both years: no land-area check)
- forest area (乔木林地 + 竹林地 + 国家特别规定灌木林地):
  2024: 3000 + 400 + 1200 + 280.5 + 900 + 250 = 6030.5 ha → 60.305 % → 60.31 % (half up, at the half)
  2025: 3000 + 400 + 1200 + 300.5 + 900 + 250 = 6050.5 ha → 60.505 % → 60.51 % (half up, at the half)
  by township 2025: 东镇 3400/4000 = 85.00 %; 西镇 1500.5/3000 = 50.0166… → 50.02 %; 南镇 1150/3000 = 38.33 %
- stock (arbor) 2025 = 200 000 + 80 000 + 130 000 + 60 000 = 470 000 m³ (杉木 330 000, 栎类 140 000);
  2024 = 192 000 + 77 000 + 125 000 + 58 000 = 452 000 m³ (杉木 317 000, 栎类 135 000)
- carbon factor = wood density × BEF × (1 + root-shoot ratio) × carbon fraction (tC/m³):
  杉木 0.307 × 1.634 × 1.246 × 0.52 = 0.32502129296;  栎类 0.676 × 1.355 × 1.292 × 0.5 = 0.59172308
- sink 2025 = ΔV × factor × 44/12:
  杉木 13 000 × 0.32502129296 = 4225.27680848 tC × 44/12 = 15 492.6816… tCO2 → 15,493
  栎类  5 000 × 0.59172308    = 2958.6154 tC     × 44/12 = 10 848.2564… tCO2 → 10,848
  total 26 340.9381… → 26,341 tCO2; 东镇 (8000 杉木, 3000 栎类) 9533.9579… + 6508.9539… = 16 042.9118… → 16,043
- lights after approving 2025 (no baseline in the plan, one value: the path is flat at the 2025 milestone, so
  the yellow tolerance 10 % × |m − b| is 0):
  forest_coverage 62.92 % 左右 (about, band 2 % × 0.6292 = 0.012584): behind 0.6292 − 0.6051 = 0.0241 > band → red
  forest_coverage_sink_task 力争 60 % 以上: 0.6051 ≥ 0.60 → green
  forest_stock 力争 850 万 m³ 以上: behind 8 030 000 > 0 → red, and 力争 makes a red yellow → yellow
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

import carbonpeak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/sinkbrowser_{}.png"
FACTORS = Path(carbonpeak.__file__).parent / "data" / "factors.csv"
C_TO_CO2 = Decimal(44) / Decimal(12)
FIR = Decimal("0.32502129296")  # hand-worked above
QUERCUS = Decimal("0.59172308")

# (township, 地类, 树种组, area ha, stock m³) as the officer types them: Chinese classes and groups
Y2024 = [
    ("东镇", "乔木林地", "杉木", "2000", "192000"),
    ("东镇", "乔木林地", "栎类", "1000", "77000"),
    ("东镇", "竹林地", "", "400", "0"),
    ("东镇", "非林地", "", "600", "0"),
    ("西镇", "乔木林地", "杉木", "1200", "125000"),
    ("西镇", "国家特别规定灌木林地", "", "280.5", "0"),
    ("西镇", "其他灌木林地", "", "520", "0"),
    ("西镇", "非林地", "", "999.5", "0"),
    ("南镇", "乔木林地", "栎类", "900", "58000"),
    ("南镇", "竹林地", "", "250", "0"),
    ("南镇", "非林地", "", "1850", "0"),
]
Y2025 = [
    ("东镇", "乔木林地", "杉木", "2000", "200000"),
    ("东镇", "乔木林地", "栎类", "1000", "80000"),
    ("东镇", "竹林地", "", "400", "0"),
    ("东镇", "非林地", "", "600", "0"),
    ("西镇", "乔木林地", "杉木", "1200", "130000"),
    ("西镇", "国家特别规定灌木林地", "", "300.5", "0"),
    ("西镇", "其他灌木林地", "", "500", "0"),
    ("西镇", "非林地", "", "999.5", "0"),
    ("南镇", "乔木林地", "栎类", "900", "60000"),
    ("南镇", "竹林地", "", "250", "0"),
    ("南镇", "非林地", "", "1850", "0"),
]
FOREST_TARGETS = ("forest_coverage", "forest_coverage_sink_task", "forest_stock")


def library_factor(group: str) -> Decimal:
    """The carbon factor of a species group from the shipped factor library (forest.<group>.wd|bef|r|cf)."""
    with FACTORS.open(encoding="utf-8") as f:
        values = {r["key"]: Decimal(r["value"]) for r in csv.DictReader(f) if r["key"].startswith(f"forest.{group}.")}
    p = {k.rsplit(".", 1)[1]: v for k, v in values.items()}
    return p["wd"] * p["bef"] * (1 + p["r"]) * p["cf"]


def shown(d: Decimal) -> str:
    """A tCO2 or m³ figure as the page shows it: whole units, half up, thousands separators."""
    return f"{int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


def survey_csv(path: Path, header: list[str], year: int, rows: list[tuple[str, ...]]) -> Path:
    """A CSV as Excel saves it (UTF-8 with BOM) with the template's Chinese header row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for town, lc, group, area, stock in rows:
        w.writerow([year, town, lc, group, area, stock, ""])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return path


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Xy-test-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def lights(page, base: str) -> dict[str, str]:
    page.goto(f"{base}/dashboard/")
    return {c: page.locator(f"#target-{c} [data-light]").get_attribute("data-light") for c in FOREST_TARGETS}


def upload(page, path: Path) -> str:
    page.set_input_files("#upload input[name=file]", str(path))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#import-report")
    return page.inner_text("#import-report")


def test_linye_uploads_two_years_and_the_office_sees_the_forest_lights_move(
    live_server, browser, page, plan, linye, office, tmp_path
):
    # the parameters the app ships are the hand-worked ones
    assert library_factor("chinese_fir") == FIR and library_factor("quercus") == QUERCUS
    sink_fir = 13000 * FIR * C_TO_CO2
    sink_quercus = 5000 * QUERCUS * C_TO_CO2
    assert shown(sink_fir) == "15,493" and shown(sink_quercus) == "10,848"
    assert shown(sink_fir + sink_quercus) == "26,341"
    assert shown(8000 * FIR * C_TO_CO2 + 3000 * QUERCUS * C_TO_CO2) == "16,043"  # 东镇

    base = live_server.url
    # the office, in its own browser context, sees the forest lights before: no value, no light
    office_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    office_page = office_ctx.new_page()
    office_errors: list[str] = []
    office_page.on("pageerror", lambda e: office_errors.append(str(e)))
    office_page.on("console", lambda m: office_errors.append(m.text) if m.type == "error" else None)
    login(office_page, base, "office")
    assert lights(office_page, base) == dict.fromkeys(FOREST_TARGETS, "no_data")
    office_page.screenshot(path=SHOTS.format("1_office_before"), full_page=True)

    # the 林业局 officer finds the module from the header's 专项 link
    login(page, base, "linye")
    page.click("header a:text-is('专项')")
    page.wait_for_url(f"{base}/sectors/")
    page.get_by_role("link", name="森林资源与碳汇", exact=True).click()
    page.wait_for_url(f"{base}/sinks/")
    assert page.locator("h1").inner_text() == "森林资源与碳汇"
    assert "尚无森林资源数据" in page.inner_text("#forest-years")

    # ① the Chinese template
    with page.expect_download() as dl:
        page.click("text=① 下载 Excel 模板")
    assert dl.value.suggested_filename.endswith(".xlsx")
    data = open(dl.value.path(), "rb").read()
    assert data[:2] == b"PK"  # an xlsx (zip) workbook
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == ["年份", "乡镇", "地类", "树种组", "面积（公顷）", "蓄积量（立方米）", "小班号"]
    notes = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "乔木林地、竹林地、国家特别规定灌木林地" in notes and "乔木林地必填" in notes

    # ② 2024, then 2025
    report = upload(page, survey_csv(tmp_path / "2024年森林资源.csv", header, 2024, Y2024))
    assert "接收 11 条，重复 0 条，拒绝 0 条" in report
    row = page.locator("#forest-years tbody tr", has_text="2024")
    assert "60.31%" in row.inner_text() and "452,000" in row.inner_text() and "缺上年数据" in row.inner_text()
    report = upload(page, survey_csv(tmp_path / "2025年森林资源.csv", header, 2025, Y2025))
    assert "接收 11 条，重复 0 条，拒绝 0 条" in report
    row = page.locator("#forest-years tbody tr", has_text="2025")
    cells = [row.locator("td").nth(i).inner_text() for i in range(7)]
    assert cells == ["2025", "草稿", "10,000.00", "6,050.50", "60.51%", "470,000", "26,341"]
    page.screenshot(path=SHOTS.format("2_linye_uploaded"), full_page=True)

    # the year's page: coverage, stock and sink against the plan's targets for the year
    page.click("#forest-years a:text-is('2025')")
    page.wait_for_url(f"{base}/sinks/2025/")
    assert page.inner_text("#coverage") == "60.51%"
    assert page.inner_text("#stock") == "470,000 立方米"
    assert page.inner_text("#sink") == "26,341 tCO2"
    fir = page.locator("#by-group tbody tr", has_text="杉木").inner_text()
    assert "317,000" in fir and "330,000" in fir and "0.3250" in fir and "15,493" in fir
    oak = page.locator("#by-group tbody tr", has_text="栎类").inner_text()
    assert "135,000" in oak and "140,000" in oak and "0.5917" in oak and "10,848" in oak
    ne = page.inner_text("#by-group")
    assert "竹林地（650.00 公顷）" in ne and "国家特别规定灌木林地（300.50 公顷）" in ne and "未估算" in ne
    east = page.locator("#by-township tbody tr", has_text="东镇").inner_text()
    assert "85.00%" in east and "16,043" in east
    assert "50.02%" in page.locator("#by-township tbody tr", has_text="西镇").inner_text()
    assert "38.33%" in page.locator("#by-township tbody tr", has_text="南镇").inner_text()
    page.screenshot(path=SHOTS.format("3_linye_year"), full_page=True)
    # … beside the plan's forest targets, judged as approval would judge them (a preview: nothing is fed yet)
    targets = page.inner_text("#year-targets")
    assert "2025: 62.92%" in targets and "2025: 60%" in targets and "2025: 8,500,000 立方米" in targets
    assert "本年数据尚未审定" in targets
    preview = {
        c: page.locator(f"#year-targets #target-{c} [data-light]").get_attribute("data-light") for c in FOREST_TARGETS
    }
    assert preview == {"forest_coverage": "red", "forest_coverage_sink_task": "green", "forest_stock": "yellow"}
    assert "60.51%" in page.inner_text("#year-targets #target-forest_coverage")
    assert "470,000" in page.inner_text("#year-targets #target-forest_stock")

    # approval: the forest department approves its own data (sinks.permissions.writes_forest)
    page.click("text=审定本年数据")
    page.wait_for_url(f"{base}/sinks/2025/")
    assert page.locator(".tag.status-approved").first.inner_text() == "已审定"
    assert page.locator("button", has_text="退回修改").count() == 1
    assert "本年数据尚未审定" not in page.inner_text("#year-targets")
    page.goto(f"{base}/sinks/")
    assert page.locator("#target-forest_coverage [data-light]").get_attribute("data-light") == "red"
    page.screenshot(path=SHOTS.format("4_linye_approved"), full_page=True)

    # the office sees the lights move: red (about 62.92 %), green (力争 60 % 以上), yellow (力争 850 万 m³)
    assert lights(office_page, base) == {
        "forest_coverage": "red",
        "forest_coverage_sink_task": "green",
        "forest_stock": "yellow",
    }
    cov = office_page.locator("#target-forest_coverage").inner_text()
    assert "60.51%" in cov and "2025" in cov and "红灯" in cov
    assert "470,000" in office_page.locator("#target-forest_stock").inner_text()
    office_page.screenshot(path=SHOTS.format("5_office_after"), full_page=True)
    office_page.goto(f"{base}/targets/forest_stock/")
    source = office_page.locator("main table tbody tr", has_text="2025年森林资源数据").inner_text()
    assert "2025年森林资源数据（已审定），乔木林蓄积量合计，随软件发布的因子库" in source
    assert "builtin:" not in office_page.inner_text("main")  # the factor set by its name, not its version code
    office_page.screenshot(path=SHOTS.format("6_office_target"), full_page=True)
    office_ctx.close()
    assert not office_errors, f"browser console errors: {office_errors}"
