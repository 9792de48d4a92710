"""Route corridors of construction-waste loads: how far a GPS point lies from the straight segment between a
load's site and its destination, on a local plane (equirectangular projection about the segment's mean
latitude; within a county, tens of kilometres, its error is far below a GPS fix's).

``KM_PER_DEGREE`` is the length of one degree of latitude on the mean Earth sphere (radius 6 371.0088 km,
IUGG); a degree of longitude is that times the cosine of the latitude. The reconciliation's SQL computes the
same squared distance (``waste/reconcile.py``); this function is the reference its tests compare against.
"""

from __future__ import annotations

import math

from carbonpeak.core.units import EARTH_RADIUS_KM

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def local_xy(lat: float, lon: float, lat0: float, lon0: float, cos0: float) -> tuple[float, float]:
    """Kilometres east and north of (lat0, lon0), with ``cos0 = cos(mean latitude)``."""
    return (lon - lon0) * cos0 * KM_PER_DEGREE, (lat - lat0) * KM_PER_DEGREE


def distance_to_segment_km(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km from the point (lat, lon) to the segment a→b (each ``(lat, lon)``): to the nearest point
    of the segment (its ends included), not of the infinite line."""
    cos0 = math.cos(math.radians((a[0] + b[0]) / 2))
    bx, by = local_xy(b[0], b[1], a[0], a[1], cos0)
    px, py = local_xy(lat, lon, a[0], a[1], cos0)
    length2 = bx * bx + by * by
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, (px * bx + py * by) / length2))
    return math.hypot(px - t * bx, py - t * by)


def outside_corridor(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float], width_km: float) -> bool:
    """True when the point is farther than ``width_km`` from the segment (on the boundary is inside)."""
    return distance_to_segment_km(lat, lon, a, b) > width_km
