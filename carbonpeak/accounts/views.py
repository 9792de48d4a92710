"""The change-password page of a logged-in user (Django's view and form, the project's password validators);
the change itself goes through accounts.services (audited)."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy

from carbonpeak.accounts import services
from carbonpeak.accounts.choices import Role


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        from django.contrib.auth.password_validation import password_validators_help_texts

        return {**super().get_context_data(**kwargs), "password_rules": password_validators_help_texts()}

    def form_valid(self, form):
        services.change_password(self.request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)  # this session stays logged in, others end
        return HttpResponseRedirect(self.get_success_url())


class LoginView(auth_views.LoginView):
    """Django's login; a city or province reader lands on its side-by-side page of the counties (``/region/``),
    everyone else on the dashboard (which sends enterprise and 碳普惠 users on to their own pages). A safe
    ``next`` still wins."""

    template_name = "accounts/login.html"

    def get_default_redirect_url(self):
        if getattr(self.request.user, "role", None) == Role.REGION:
            return reverse("region")
        return super().get_default_redirect_url()


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
