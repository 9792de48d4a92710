"""The timestamp grammar every import shares (uploads, the command line, the machine APIs, the SQL ingest
path): ISO 8601 extended with an explicit offset, or, for files, Beijing time when the offset is left out.
Pure Python at the lowest layer, so any app may use it without importing another app's services."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_fromiso = dt.datetime.fromisoformat

#: the accepted timestamp grammar (ISO 8601 extended, an explicit offset required), shared with the SQL ingest
#: path so that both accept exactly the same texts; it is a date of exactly 10 characters followed by the rest,
#: which the SQL path checks separately (each distinct date and each distinct rest once)
TIME_DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = r"[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
_ZONE = r"(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)"
TIME_REST_PATTERN = _CLOCK + _ZONE + "$"
TIME_PATTERN = TIME_DATE_PATTERN + TIME_REST_PATTERN
#: files (uploads and the command line) may leave the offset out: such a time is Beijing time, as on the
#: manual form (machine clients keep the strict grammar: a gateway states its clock's offset)
TIME_REST_LOCAL_PATTERN = _CLOCK + _ZONE + "?$"
TIME_LOCAL_PATTERN = TIME_DATE_PATTERN + TIME_REST_LOCAL_PATTERN
_TIME_RE = re.compile(TIME_PATTERN)
_TIME_LOCAL_RE = re.compile(TIME_LOCAL_PATTERN)


def parse_time(raw: str, local: bool = False) -> dt.datetime | None:
    """``2024-03-01T00:15:00+08:00`` (or a space for ``T``; ``Z``, ``+08``, ``+0800``; up to 6 fractional
    digits). With ``local`` (files) a time without an offset is Beijing time; otherwise naive times are refused,
    as are other ISO forms and impossible dates."""
    if type(raw) is not str:
        raw = str(raw or "")
    raw = raw.strip()
    if not (_TIME_LOCAL_RE if local else _TIME_RE).fullmatch(raw):
        return None
    try:
        t = _fromiso(raw)
    except ValueError:  # e.g. 30 February
        return None
    return t.replace(tzinfo=BEIJING) if t.tzinfo is None else t
