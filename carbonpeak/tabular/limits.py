"""The bounds every uploaded table is read within (settings with sane defaults).

``CARBONPEAK_TABULAR_MAX_ROWS`` (200 000 data rows), ``…_MAX_COLUMNS`` (60), ``…_MAX_CELL_CHARS`` (10 000),
``…_MAX_UNCOMPRESSED`` (bytes inside an xlsx, 256 MiB), ``…_MAX_RATIO`` (uncompressed/compressed size of one
member of an xlsx above 1 MiB, 150), ``…_MAX_SHARED_STRINGS`` (bytes of the shared-strings part, which openpyxl
holds in memory whole, 32 MiB), ``…_MAX_LINE_CHARS`` (one CSV line, 100 000).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULTS = {
    "max_rows": 200_000,
    "max_columns": 60,
    "max_cell_chars": 10_000,
    "max_uncompressed": 256 * 1024 * 1024,
    "max_ratio": 150,
    "max_shared_strings": 32 * 1024 * 1024,
    "max_line_chars": 100_000,
}
#: members smaller than this are not judged by their compression ratio (tiny XML parts compress very well)
RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_rows: int = DEFAULTS["max_rows"]
    max_columns: int = DEFAULTS["max_columns"]
    max_cell_chars: int = DEFAULTS["max_cell_chars"]
    max_uncompressed: int = DEFAULTS["max_uncompressed"]
    max_ratio: int = DEFAULTS["max_ratio"]
    max_shared_strings: int = DEFAULTS["max_shared_strings"]
    max_line_chars: int = DEFAULTS["max_line_chars"]


def current() -> Limits:
    """The limits in force: Django settings ``CARBONPEAK_TABULAR_<NAME>`` where configured, else the defaults."""
    try:
        from django.conf import settings

        configured = settings.configured
    except ImportError:  # pragma: no cover - Django is always installed with the project
        configured = False
    if not configured:
        return Limits()
    return Limits(**{k: int(getattr(settings, f"CARBONPEAK_TABULAR_{k.upper()}", v)) for k, v in DEFAULTS.items()})
