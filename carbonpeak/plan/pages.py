"""Page helpers every app's views share (pages are layer-neutral: they render, they decide nothing)."""

from __future__ import annotations

from django.shortcuts import render


def render_issues(request, issues, back: str):
    """The page that says what was refused and why (zh/en, per field); nothing was stored. HTTP 422."""
    return render(request, "web/errors.html", {"errors": issues, "back": back}, status=422)
