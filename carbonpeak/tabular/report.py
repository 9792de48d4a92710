"""The import report (the script contract) and its grouped form for pages.

``as_dict()`` is what scripts read: ``{"accepted", "duplicates", "rejected": [{"line", "field", "message"}]}``,
one entry per rejected line (unchanged for scripts and the machine API), exit status 0, or 1 when rows were
rejected (2, the file itself unreadable, is the caller's). ``summary()`` is what a person reads: one entry per
distinct problem with its count and its first few lines, so 93 lines with the same bad time read as one.
"""

from __future__ import annotations

from typing import Any

FIRST_LINES = 5


class Report:
    def __init__(self) -> None:
        self.accepted = 0
        self.duplicates = 0
        self.rejected: list[dict[str, Any]] = []
        self._texts: list[tuple[str, str]] = []
        #: (first, last) reading time of the valid rows of a readings file, where the import knows it
        self.period: tuple[Any, Any] | None = None

    def reject(self, line: int | None, field: str, zh: str, en: str) -> None:
        self.rejected.append({"line": line, "field": field, "message": f"{zh} / {en}"})
        self._texts.append((zh, en))

    def rejections(self) -> list[tuple[int | None, str, str, str]]:
        """Each rejection as (line, field, message in Chinese, message in English), in the order found."""
        texts = self._texts + [(r["message"], r["message"]) for r in self.rejected[len(self._texts) :]]
        return [(r["line"], r["field"], zh, en) for r, (zh, en) in zip(self.rejected, texts, strict=True)]

    def _ordered(self) -> list[int]:
        lines = [r["line"] for r in self.rejected]
        return sorted(range(len(lines)), key=lambda i: (lines[i] is None, lines[i] or 0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [self.rejected[i] for i in self._ordered()],
        }

    def summary(self, language: str = "zh-hans", first: int = FIRST_LINES) -> list[dict[str, Any]]:
        """One entry per distinct (field, message): ``{"field", "message", "count", "lines"}`` (the first
        ``first`` line numbers), most frequent first; the message in the reader's language only."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        en = language.lower().startswith("en")
        for i in self._ordered():
            r = self.rejected[i]
            zh_text, en_text = self._texts[i] if i < len(self._texts) else (r["message"], r["message"])
            g = groups.setdefault(
                (r["field"], r["message"]),
                {"field": r["field"], "message": en_text if en else zh_text, "count": 0, "lines": []},
            )
            g["count"] += 1
            if r["line"] is not None and len(g["lines"]) < first:
                g["lines"].append(r["line"])
        return sorted(groups.values(), key=lambda g: -g["count"])

    @property
    def exit_status(self) -> int:
        return 1 if self.rejected else 0
