"""Take the README screenshots from a running server (scripts/run) in Debian's chromium.

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
Writes docs/screenshots/*.png and docs/screenshots/dispatch-report.pdf (+ a PNG of its first page via pdftoppm).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "Demo-carbonpeak-2026"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


def login(page, username: str) -> None:
    page.goto(f"{BASE}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(f"{BASE}/")
        page.screenshot(path=OUT / "public.png", full_page=True)
        login(page, "office")
        page.goto(f"{BASE}/dashboard/")
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "dashboard.png", full_page=True)
        page.goto(f"{BASE}/targets/new_energy_capacity_energy_task/")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "target.png", full_page=True)
        page.goto(f"{BASE}/rounds/")
        page.click("table a")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "round.png", full_page=True)
        pdf = page.request.get(page.url + "report.pdf")
        (OUT / "dispatch-report.pdf").write_bytes(pdf.body())
        page.goto(f"{BASE}/assessment/")
        page.screenshot(path=OUT / "assessment.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 1500})
        page.goto(f"{BASE}/accounting/2024/")
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "accounting.png", full_page=False)
        page.goto(f"{BASE}/accounting/2020/")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "accounting-2020-grade-c.png", full_page=False)
        page.goto(f"{BASE}/scenarios/")
        page.click("text=方案项目按期投产（演示）")
        page.wait_for_timeout(900)
        page.screenshot(path=OUT / "scenario.png", full_page=False)
        brief = page.request.get(page.url + "brief.pdf")
        (OUT / "scenario-brief.pdf").write_bytes(brief.body())
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{BASE}/enterprises/")
        page.screenshot(path=OUT / "enterprises-wall.png", full_page=True)
        page.goto(f"{BASE}/enterprises/dual-control/")
        page.screenshot(path=OUT / "enterprises-dual-control.png", full_page=True)
        page.goto(f"{BASE}/enterprises/key-users/")
        page.screenshot(path=OUT / "enterprises-key-users.png", full_page=False)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        login(page, "qiye")  # the energy manager lands on their enterprise
        page.wait_for_timeout(600)
        page.screenshot(path=OUT / "enterprise.png", full_page=True)
        page.goto(page.url.split("?")[0] + "?year=2024")  # the approved demo year
        pdf_link = page.locator("a[href$='.pdf']").first
        if pdf_link.count():
            (OUT / "carbon-account.pdf").write_bytes(page.request.get(BASE + pdf_link.get_attribute("href")).body())
        ctx.close()
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        login(page, "fgj")
        page.goto(f"{BASE}/workspace/")
        page.screenshot(path=OUT / "workspace.png", full_page=False)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        page = ctx.new_page()
        login(page, "jumin")  # a resident on a phone
        page.goto(f"{BASE}/inclusion/")
        page.screenshot(path=OUT / "inclusion-resident.png", full_page=False)
        page.goto(f"{BASE}/inclusion/rewards/")
        page.screenshot(path=OUT / "inclusion-rewards.png", full_page=False)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        login(page, "office")
        page.goto(f"{BASE}/inclusion/office/")
        page.screenshot(path=OUT / "inclusion-office.png", full_page=True)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        page = ctx.new_page()
        page.goto(f"{BASE}/")  # the public page on a phone: folded menu, targets as cards
        page.screenshot(path=OUT / "public-mobile.png", full_page=False)
        page.goto(f"{BASE}/no-such-page/")  # the Chinese 404 page, with the navigation and a way back
        page.screenshot(path=OUT / "error-404-mobile.png", full_page=False)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
        # the language menu sits in the folded phone menu; the language cookie is what it sets
        ctx.add_cookies([{"name": "django_language", "value": "en", "url": BASE}])
        page = ctx.new_page()
        page.goto(f"{BASE}/")
        page.screenshot(path=OUT / "public-en-mobile.png", full_page=False)
        browser.close()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(OUT / "dispatch-report.pdf"),
                    str(OUT / "dispatch-report")], check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(OUT / "scenario-brief.pdf"),
                    str(OUT / "scenario-brief")], check=True)
    if (OUT / "carbon-account.pdf").exists():
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(OUT / "carbon-account.pdf"),
                        str(OUT / "carbon-account")], check=True)


if __name__ == "__main__":
    main()
