"""One filter for the audit log's page and its Excel export: who, what action, which object type, period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from carbonpeak.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_params(cls, params) -> AuditFilter:
        """Query parameters → a filter; an unreadable date is ignored (the form shows it empty)."""

        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(params.get(name, "").strip())
            except ValueError:
                return None

        return cls(
            actor=params.get("actor", "").strip(),
            action=params.get("action", "").strip(),
            object_type=(params.get("object_type") or params.get("type") or "").strip(),
            since=day("since"),
            until=day("until"),
        )

    def apply(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.actor:
            qs = qs.filter(actor_label=self.actor)
        if self.action:
            qs = qs.filter(action=self.action)
        if self.object_type:
            qs = qs.filter(object_type=self.object_type)
        if self.since:
            qs = qs.filter(at__date__gte=self.since)  # Beijing days (TIME_ZONE)
        if self.until:
            qs = qs.filter(at__date__lte=self.until)
        return qs

    def as_query(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})
