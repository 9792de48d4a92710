"""Chinese error pages with the site's navigation and a way back, instead of Django's bare English ones."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db


def test_403_is_chinese_with_navigation_and_a_way_back(plan, fgj):
    c = Client()
    c.force_login(fgj)
    r = c.get("/audit/", HTTP_REFERER="http://testserver/dashboard/")
    body = r.content.decode()
    assert r.status_code == 403
    assert "Forbidden" not in body and "没有权限" in body
    assert '<header class="top">' in body and 'href="/tasks/"' in body  # the role's own navigation
    assert 'href="http://testserver/dashboard/">返回上一页' in body and "回到首页" in body


def test_404_is_chinese(plan):
    r = Client().get("/no/such/page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and "Not Found" not in body
    assert 'href="/login/"' in body


def test_400_and_csrf_failure_are_chinese(plan, make_user):
    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "x", "password": "y"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode() and "Forbidden" not in r.content.decode()
    from django.views.defaults import bad_request

    r = bad_request(RequestFactory().get("/"), Exception("x"))
    assert r.status_code == 400 and "请求有误" in r.content.decode()


def test_500_renders_without_the_database_or_context_processors(django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        r = server_error(RequestFactory().get("/"))
    body = r.content.decode()
    assert r.status_code == 500 and "服务器出错" in body and "Server Error" not in body
    assert 'href="/"' in body and 'href="/login/"' in body


def test_refusal_page_names_a_field_once():
    """A message that starts with its field ("year：…") is not given the field's key a second time; one that
    does not name it keeps the key before it."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from carbonpeak.validation import Issue

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "web/errors.html",
        {
            "errors": [
                Issue("locked", "year", "year：2025 年森林资源数据已审定", "year: approved"),
                Issue("bad_date", "due_date", "截止日期格式应为 YYYY-MM-DD", "due_date must be YYYY-MM-DD"),
            ],
            "back": "/",
        },
        request=request,
    )
    assert "<code>year</code>" not in html and html.count("year：2025") == 1
    assert "<code>due_date</code>：截止日期格式应为" in html
