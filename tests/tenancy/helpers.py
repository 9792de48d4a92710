"""What the isolation tests of every app share: a signed-in client, a response's text, and the check that none
of a county's identifying texts is in a body."""

from __future__ import annotations

from django.test import Client


def login(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def body_of(resp) -> str:
    return resp.content.decode("utf-8", "replace")


def assert_no_text(resp, county: dict) -> None:
    """None of the county's texts in the body (the address asked for, echoed by the language switch, aside)."""
    body = body_of(resp).replace(resp.request["PATH_INFO"], "")
    for t in county["texts"]:
        assert t not in body, (resp.request["PATH_INFO"], t)
