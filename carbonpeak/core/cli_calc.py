"""``carbonpeak calc``: run calculation cases headless.

    carbonpeak calc CASE.json            one JSON object on stdout
    carbonpeak calc A.json B.json ...    one JSON object per line (JSON Lines), same order
    carbonpeak calc -                    read one case from stdin

Exit status 0 when every case succeeded, 2 when any case was invalid (including unreadable files and malformed
JSON, reported as an error object with field ""), 1 on an internal error. Only JSON goes to stdout.
Also runnable as ``python -m carbonpeak.core.cli_calc CASE.json``. Imports stay minimal for a fast start:
no Django, and numpy only for the calculations that need it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

USAGE = "usage: carbonpeak calc CASE.json [CASE.json ...] | carbonpeak calc -"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "field": "", "message": message}}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "calc":  # tolerate being handed the whole `carbonpeak calc ...` argv
        args = args[1:]
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        if args:
            return 0
        _write(out, _error("usage", "Give one or more case files, or '-' to read a case from stdin."))
        return 2
    from .dispatch import run_json

    invalid = False
    internal = False
    stdin_used = False
    for arg in args:
        data: bytes | None = None
        result: dict[str, Any]
        if arg == "-":
            if stdin_used:
                result = _error("usage", "'-' (stdin) can be given once.")
            else:
                stdin_used = True
                data = sys.stdin.buffer.read()
        else:
            try:
                with open(arg, "rb") as fh:
                    data = fh.read()
            except OSError as e:
                result = _error("unreadable", f"Cannot read {arg}: {e.strerror or e}.")
        if data is not None:
            try:
                result = run_json(data)
                data = None
            except Exception as e:  # report, keep JSON on stdout, go on with the next case
                import traceback

                traceback.print_exc(file=sys.stderr)
                result = {"error": {"code": "internal_error", "field": "", "message": f"Internal error: {e!r}."}}
                internal = True
        if "error" in result and result["error"].get("code") != "internal_error":
            invalid = True
        try:
            _write(out, result)
        except ValueError as e:  # a non-finite float slipped through
            _write(out, {"error": {"code": "internal_error", "field": "", "message": f"Internal error: {e}."}})
            internal = True
    if out is not None:
        out.flush()
    else:
        sys.stdout.flush()
    if invalid:
        return 2
    return 1 if internal else 0


def _write(out: Any, obj: dict[str, Any]) -> None:
    """One JSON line; large results are streamed in pieces (no second full copy of the text in memory)."""
    encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    if out is None:
        sys.stdout.write(encoder.encode(obj) + "\n")
        return
    buf: list[str] = []
    size = 0
    for piece in encoder.iterencode(obj):
        buf.append(piece)
        size += len(piece)
        if size > 1 << 16:
            out.write("".join(buf).encode("utf-8"))
            buf.clear()
            size = 0
    buf.append("\n")
    out.write("".join(buf).encode("utf-8"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
