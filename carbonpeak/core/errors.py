"""The one error type of the calculation core.

``CalcError(code, field, message)`` serialises to ``{"error": {"code", "field", "message"}}``. ``field`` is
the path of the offending value in the case (``lines[3].unit``, ``events[0].methodology``, ``draws``);
``""`` means the case as a whole. ``message`` is a sentence a person can act on.
"""

from __future__ import annotations


class CalcError(Exception):
    """Invalid input (or an input the factor set cannot serve)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def at(self, field: str) -> CalcError:
        """The same error located at ``field`` (when it was raised without knowing the path)."""
        err = type(self)(self.code, field, self.message)
        err.__cause__ = self.__cause__
        return err

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.field!r}, {self.message!r})"


def error_dict(code: str, field: str, message: str) -> dict[str, dict[str, str]]:
    return CalcError(code, field, message).to_dict()
