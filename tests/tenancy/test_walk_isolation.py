"""Every page county A's people are shown, opened by county B's people: never A's data.

The demo (Chaling, with its enterprises, residents, accounts, rounds and scenarios) and the fictional second
county beside it (``setup --demo --region``) are loaded through the real loaders. Each of Chaling's roles walks
every same-site link it is shown (tests/test_walk_pages.py's walker); then every page with an object in its path
(digits, or a code after the section) is opened again by county B's office, by a county-B account of the same
role, and by an anonymous visitor. The answer must be 403 or 404, a redirect to the login, or a page that does
not name Chaling (the second county's plan text names itself, so "茶陵" on a county-B page is a leak).

This is the generic half of the isolation matrix; tests/tenancy/test_*.py hold the per-endpoint rows (API, POSTs,
exports) with the objects made by each app's services.
"""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from tests.test_walk_pages import SKIP, _shape, findings_in

pytestmark = pytest.mark.django_db

LEAK = "茶陵"
CHALING_ROLES = ["office", "fgj", "auditor", "qiye", "jumin", "shanghu", "yunying"]
PER_SHAPE = 4
MAX_PAGES = 300
PUBLIC_ANYWAY = re.compile(r"^/c/[\w-]+/|^/accounting/factors/builtin:")
#: a region reader's county switcher names every county of its region, on every page
SWITCHER = re.compile(r"<select[^>]*name=\"county\".*?</select>", re.S)


def crawl(client: Client, starts: list[str]) -> list[str]:
    """The pages (GET, HTML) a signed-in client is shown, following links as in the page walk."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    pages: list[str] = []
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or shapes.get(_shape(url), 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        r = client.get(url)
        if r.status_code in (301, 302):
            queue.append(urljoin(url, r["Location"]))
            continue
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        pages.append(url)
        for href in findings_in(r.content.decode())[1]:
            target, _ = urldefrag(urljoin(url, href))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def names_an_object(url: str) -> bool:
    """A path with an id or a code in it (/rounds/3/, /targets/forest_coverage/, /enterprises/9143…/)."""
    path = urlsplit(url).path.strip("/").split("/")
    return len(path) >= 2 or bool(re.search(r"\d", url))


@pytest.fixture
def two_counties(db):
    from carbonpeak.setup import load_demo, load_demo_region, load_shipped_plans

    out = io.StringIO()
    load_shipped_plans(out)
    load_demo(out)
    load_demo_region(out)


def _b_user(role: str):
    """County B's account of a role (the demo's office_b, else one made bare for the walk)."""
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.models import Plan

    b = Plan.objects.get(code="example-b-2024")
    if role == "office":
        return User.objects.get(username="office_b")
    dept = b.departments.get(code="dev_reform") if role == "department" else None
    user, _ = User.objects.get_or_create(username=f"b_{role}", defaults={"role": role, "plan": b, "department": dept})
    return user


def test_county_b_never_sees_chaling_pages(two_counties):
    from carbonpeak.accounts.models import User

    urls: dict[str, str] = {}  # url → the Chaling role that was shown it
    for username in CHALING_ROLES:
        a = Client()
        a.force_login(User.objects.get(username=username))
        for url in crawl(a, ["/dashboard/", "/"]):
            urls.setdefault(url, User.objects.get(username=username).role)
    object_pages = sorted(u for u in urls if names_an_object(u))
    assert len(object_pages) >= 20, object_pages  # the walk reached the object pages (else the test is empty)

    # public by design, the same for every visitor: a county's own public pages (/c/<code>/…) and the shipped
    # factor library (national and published reference rows, Chaling's statistical bulletin among them)
    object_pages = [u for u in object_pages if not PUBLIC_ANYWAY.match(u)]
    leaks = []
    for role in sorted(set(urls.values()) | {"office"}):
        b = Client()
        b.force_login(_b_user(role))
        for url in object_pages:
            r = b.get(url)
            if r.status_code in (403, 404) or (r.status_code == 302 and "/login/" in r["Location"]):
                continue
            body = r.content.decode(errors="replace")
            if LEAK in body:
                leaks.append(f"county B {role}: {url} → HTTP {r.status_code} names {LEAK}")
    anonymous = Client()
    for url in object_pages:
        r = anonymous.get(url)
        if r.status_code == 200 and LEAK in r.content.decode(errors="replace"):
            # with two counties, a public page names Chaling only at Chaling's own public address
            leaks.append(f"anonymous: {url} names {LEAK}")
    assert not leaks, "\n".join(leaks)


def test_region_reader_reads_both_counties_and_writes_neither(two_counties):
    from carbonpeak.accounts.models import User
    from carbonpeak.plan.models import Plan

    zz = Client()
    zz.force_login(User.objects.get(username="zhuzhou"))
    seen = {}
    for plan in Plan.objects.order_by("id"):
        r = zz.get(f"/dashboard/?county={plan.code}")
        assert r.status_code == 200
        seen[plan.code] = SWITCHER.sub("", r.content.decode())
    assert LEAK in seen["chaling-2024"] and LEAK not in seen["example-b-2024"]
    assert "样例" in seen["example-b-2024"]
    # every form a county's office is shown is refused to the region reader
    office = Client()
    office.force_login(User.objects.get(username="office"))
    forms = set()
    for url in crawl(office, ["/dashboard/"])[:80]:
        html = office.get(url).content.decode()
        for action in re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html, flags=re.I):
            if not SKIP.search(action) and "/logout/" not in action and "/i18n/" not in action:
                forms.add(urljoin(url, action))
    assert forms, "the office was shown no form to try"
    zz.get("/dashboard/?county=chaling-2024")
    for action in sorted(forms):
        r = zz.post(action, {})
        assert r.status_code in (403, 404, 405) or (r.status_code == 302 and "/login/" in r["Location"]), (
            f"region reader POST {action} → {r.status_code}"
        )
