"""The change-password page: linked from the header, Chinese labels, the project's validators, audited, and
the user stays logged in with the new password."""

from __future__ import annotations

import pytest
from django.test import Client

from carbonpeak.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
OLD = "Xy-test-password-1"


def test_change_password_page(plan, make_user):
    user = make_user("zhangsan", "department", plan.departments.get(code="dev_reform"), password=OLD)
    c = Client()
    c.force_login(user)
    home = c.get("/workspace/").content.decode()
    assert 'href="/password/"' in home and "修改密码" in home
    page = c.get("/password/")
    body = page.content.decode()
    assert page.status_code == 200 and "旧密码" in body and "新密码" in body and "至少三类" in body
    weak = c.post("/password/", {"old_password": OLD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"})
    assert weak.status_code == 200 and "至少三类" in weak.content.decode()
    wrong = c.post(
        "/password/", {"old_password": "nope", "new_password1": "Ab-9xyzzy-q", "new_password2": "Ab-9xyzzy-q"}
    )
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.check_password(OLD)
    ok = c.post("/password/", {"old_password": OLD, "new_password1": "Ab-9xyzzy-q", "new_password2": "Ab-9xyzzy-q"})
    assert ok.status_code == 302 and ok.url == "/password/done/"
    user.refresh_from_db()
    assert user.check_password("Ab-9xyzzy-q")
    assert c.get("/workspace/").status_code == 200  # still logged in
    entry = AuditEntry.objects.get(action="user.change_password", object_id=str(user.pk))
    assert entry.actor_label == "zhangsan" and "Ab-9" not in str(entry.after)


def test_change_password_needs_login(plan):
    r = Client().get("/password/")
    assert r.status_code == 302 and "/login/" in r.url
