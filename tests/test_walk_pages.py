"""Walk every page of every demo role in Chinese, as an official would, and fail on what reads like an
engineer's tool: a server error, ASCII-only words that are not in the short allow-list below, raw
`Xxx object (n)` labels and Python reprs.

The demo data (carbonpeak/setup.py) is loaded through the real loaders, with a second county beside Chaling and a
city reading both (issue 15): the public walk starts from the list of counties at ``/`` and each county's
``/c/<code>/``; the city reader walks each county's pages after choosing it. Each role logs in and follows every
same-site link it is shown (GET only, bounded per URL shape), never logout, language switch, API or file
downloads. Technical detail kept behind a <details> 详情 toggle is not "visible text" until opened, so it is
not checked.
"""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Words an official reads in Chinese pages anyway: units, standards, brand and format names. Keep it short.
ALLOWED_WORDS = {
    # units and quantities
    "tce",
    "tco2",
    "tco2e",
    "co2",
    "ch4",
    "n2o",
    "mw",
    "kw",
    "kwh",
    "mwh",
    "gwh",
    "gj",
    "tj",
    "kg",
    "km",
    "t",
    "kgce",
    "kgco2",
    "kgco2/kwh",
    "tco2/tce",
    "tce/mwh",
    "m3",
    "m²",
    "gdp",
    "mj",
    "kgce/kwh",
    # standards, formats, brands
    "gb/t",
    "pdf",
    "excel",
    "csv",
    "json",
    "xlsx",
    "api",
    "carbonpeak",
    "echarts",
    "ipcc",
    "gwp",
    "ar5",
    "ar6",
    "uscc",
    "id",
    "q1",
    "q2",
    "q3",
    "q4",
    "vs",
    "english",  # the language menu names English in its own words
    "led",
    # method names officials meet in the literature by these letters: LMDI (log-mean Divisia index) decomposition
    "lmdi",
    "lmdi-i",
    # refrigerant names (GB/T 7778) in the factor library's GWP rows
    "hfc-134a",
    "hfc-143a",
}
# Codes people type or read off a document: USCC (18 chars), meter and redemption codes, versions, dates,
# the plan's clause numbers shown beside a task's title (A01.1, S.2), an API key's prefix (cpk_ybesoX).
# (an API key's shown prefix, cpk_ and 6 URL-safe characters, loses a trailing "-" to the word stripping above:
# cpk_ and 1 to 6 of them)
CODE = re.compile(
    r"^(?:[0-9A-Z]{18}|cpk_[\w-]{1,6}|[A-Z]\d{0,2}\.\d{1,2}|[A-Z]{1,4}[-_]?[0-9][0-9A-Z-]*|[0-9A-Z]{4,}(?:-[0-9A-Z]{2,})+|v?\d[\w.:/-]*|Q[1-4]|P\d+(?:\.\d+)*|r[0-9a-f]{20})$"
)
# Units as factor tables write them: symbols joined by "/" (tCO2/MWh, GJ/1e4Nm3, kgce/kg).
UNIT = re.compile(r"^(?:(?:1e4)?(?:[kMGT]?(?:g|t|J|Wh)(?:ce|oe|C|CO2e?)?|N?m3|kcal)(?:/|$))+$")
REPRS = ["{'", "[('", "Decimal(", "datetime.", "<QuerySet"]
OBJECT_N = re.compile(r"\bobject \(\d+\)")

SKIP = re.compile(r"^/(?:logout|i18n|api|static|media)/|\.(?:pdf|xlsx|csv|json|zip)$|/(?:export|download)\b|/evidence/")
PER_SHAPE = 3  # pages per URL shape (digits replaced): enough to see each template with real data
MAX_PAGES = 250


class _Text(HTMLParser):
    """Visible text and same-site links; <script>, <style>, <template> and closed <details> are not read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script", "style", "template", "details"):
            self._hidden += 1
            self._stack.append(tag)
        elif tag == "summary" and self._stack and self._stack[-1] == "details":
            self._hidden -= 1  # the toggle's own label is visible
            self._stack.append("summary")
        if tag in ("input",) and a.get("type") in ("submit", "button") and a.get("value"):
            self.chunks.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "summary" and self._stack and self._stack[-1] == "summary":
            self._stack.pop()
            self._hidden += 1
        elif tag in ("script", "style", "template", "details") and self._stack and self._stack[-1] == tag:
            self._stack.pop()
            self._hidden -= 1

    def handle_data(self, data):
        if self._hidden <= 0:
            self.chunks.append(data)


def findings_in(html: str) -> tuple[list[str], list[str]]:
    p = _Text()
    p.feed(html)
    text = " ".join(p.chunks)
    found = []
    for word in re.findall(r"[!-~]+", text):
        w = word.strip(".,;:!?()[]（）\"'·%+-–—/=<>")
        if not re.search(r"[A-Za-z]", w):
            continue
        if w.lower() in ALLOWED_WORDS or CODE.match(w) or UNIT.match(w):
            continue
        found.append(f"word {w!r}")
    found += [f"repr {r!r}" for r in REPRS if r in text]
    if re.search(r"(?<![\w-])None(?![\w-])", text):
        found.append("repr 'None'")
    found += [f"raw label {m!r}" for m in OBJECT_N.findall(text)]
    return found, p.links


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def walk(client: Client, starts: list[str]) -> tuple[dict[str, list[str]], int]:
    seen, shapes, problems = set(), {}, {}
    queue = deque(starts)
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        if shapes.get(_shape(url), 0) >= PER_SHAPE:
            continue
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        visited += 1
        if r.status_code >= 500:
            problems.setdefault(url, []).append(f"HTTP {r.status_code}")
            continue
        if r.status_code in (301, 302):
            queue.append(urljoin(url, r["Location"]))
            continue
        if "text/html" not in r.get("Content-Type", ""):
            continue
        found, links = findings_in(r.content.decode())
        if r.status_code == 403:
            found.append("HTTP 403 from a link shown to this role")
        if found:
            problems[url] = sorted(set(found))
        for href in links:
            target, _ = urldefrag(urljoin(url, href))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return problems, visited


SECOND = "example-b-2024"  # conftest.second_county_document's code


@pytest.fixture
def demo(db):
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.plan_io import load_plan
    from carbonpeak.plan.regions import save_region
    from carbonpeak.plan.scoring import ensure_default_rules
    from carbonpeak.setup import load_demo, load_shipped_plans, second_county_document

    out = io.StringIO()
    load_shipped_plans(out)
    load_demo(out)
    ensure_default_rules(load_plan(second_county_document(SECOND)))
    city = save_region(None, "zhuzhou", "株洲市", "city", ["chaling-2024", SECOND])
    User.objects.create_user("zhuzhou", role="region", region=city, display_name="株洲市 查看")


def test_findings_catch_what_they_should():
    bad = "<p>consent.grant Consent object (3) {'a': 1} None industry.C13 prov.hunan</p>"
    found, _ = findings_in(bad)
    assert "word 'consent.grant'" in found and "raw label 'object (3)'" in found
    assert 'repr "{\'"' in found and "repr 'None'" in found
    assert "word 'industry.C13'" in found and "word 'prov.hunan'" in found
    assert findings_in("<p>A01.1 大力发展可再生能源 S.2 x.1</p>")[0] == ["word 'x.1'"]
    assert findings_in("<p>0.5 tCO2/MWh 38.9 GJ/1e4Nm3 1.2 kgce/kg ride/step</p>")[0] == ["word 'ride/step'"]
    good = "<p>2030 年 12.5 tCO2 91430224MA4L0XYZ12 <details><summary>详情</summary>inventory.approve</details></p>"
    assert findings_in(good)[0] == []


@pytest.mark.parametrize(
    ("username", "county"),
    [
        *((name, None) for name in ["office", "fgj", "auditor", "qiye", "jumin", "shanghu", "yunying", None]),
        ("zhuzhou", "chaling-2024"),  # the city reader, in each of its counties
        ("zhuzhou", SECOND),
    ],
)
def test_every_page_of_every_role_reads_in_chinese(demo, username, county):
    from carbonpeak.accounts.models import User

    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    starts = ["/", "/dashboard/"] if username else ["/", "/login/"]
    if county:
        starts = [f"/dashboard/?county={county}", *starts]  # the county switcher, remembered in the session
    problems, visited = walk(client, starts)
    assert visited >= 3, f"{username}: walked only {visited} pages"
    assert not problems, "\n".join(f"{u}: {', '.join(p)}" for u, p in problems.items())
