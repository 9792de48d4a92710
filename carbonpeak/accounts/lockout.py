"""Login lock-out (django-axes): an account is locked only from the address its wrong passwords came from
(AXES_LOCKOUT_PARAMETERS [["username", "ip_address"]]), and one address is refused for every account once
its failed attempts within the cool-off reach CARBONPEAK_LOGIN_ADDRESS_LIMIT (a password-spraying throttle
that an outsider cannot turn against the office). Both counts come from axes' own attempt records, in the
database, so they hold across every server process; `carbonpeak user unlock` clears them."""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def address_failures(address: str | None) -> int:
    """Failed login attempts from one address within the cool-off, whatever the account."""
    if not address:
        return 0
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    agg = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )
    return agg["n"] or 0


def _address_over_limit(request) -> bool:
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address_failures(address) >= settings.CARBONPEAK_LOGIN_ADDRESS_LIMIT


class AddressThrottledHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or _address_over_limit(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """axes flags the request for its lock-out page by its own count (account and address); an address over
        its own limit is flagged too, so it gets the same page (429) instead of "wrong password"."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and _address_over_limit(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
