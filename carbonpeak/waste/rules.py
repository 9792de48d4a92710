"""The reconciliation's settings, each overridable in the installation's Django settings
(``WASTE_NO_RECEIPT_HOURS`` …); the defaults are the issue's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings


def no_receipt_after() -> dt.timedelta:
    """A manifest with no receipt this long after departure is an alert (exactly this long is not yet)."""
    return dt.timedelta(hours=float(getattr(settings, "WASTE_NO_RECEIPT_HOURS", 6)))


def corridor_km() -> float:
    """A GPS point farther than this from the straight segment site→destination is a deviation."""
    return float(getattr(settings, "WASTE_CORRIDOR_KM", 3))


def stop_after() -> dt.timedelta:
    """A stop longer than this outside any site between departure and arrival is a deviation."""
    return dt.timedelta(minutes=float(getattr(settings, "WASTE_STOP_MINUTES", 20)))


def stop_speed_kmh() -> float:
    """A vehicle reporting at most this speed is standing."""
    return float(getattr(settings, "WASTE_STOP_SPEED_KMH", 3))


def site_radius_km() -> float:
    """A stop within this distance of a construction site or a destination is at that site."""
    return float(getattr(settings, "WASTE_SITE_RADIUS_KM", "0.5"))


def recycled_goal() -> Decimal:
    """The recycled share the page compares against when the county's plan has no such target (a fraction)."""
    return Decimal(str(getattr(settings, "WASTE_RECYCLED_SHARE_GOAL", "0.5")))
