"""The login form, with the username's length checked before anything (authentication, the lock-out log)
sees it: Django's AuthenticationForm sets ``max_length`` on the field after it is built, so its validator is
never added and a 256-character name reached the lock-out table (a 500 on PostgreSQL)."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or self.username_field.max_length or 150))
