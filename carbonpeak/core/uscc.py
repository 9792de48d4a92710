"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and organisation codes (GB 11714-1997).

A USCC has 18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):
position 1 the registration authority, 2 the entity type, 3-8 the administrative division, 9-17 the
organisation code (8 body characters + its own GB 11714 check character) and 18 the check character:
``C18 = 31 − (Σ_{i=1..17} value(C_i) × 3^(i−1) mod 31) mod 31`` with ``31 → 0``.

GB 11714: body characters are digits or capital letters (A = 10 … Z = 35), weights 3 7 9 10 5 8 4 2, and
``C9 = 11 − (Σ mod 11)`` with ``10 → X`` and ``11 → 0``.
"""

from __future__ import annotations

from typing import Final

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUE: Final = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CHARSET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    total = sum(ORG_CHARSET.index(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def check_uscc(code: str) -> tuple[str, str, str] | None:
    """None when valid, else ``(code, message_zh, message_en)``."""
    if not isinstance(code, str) or len(code) != 18:
        return ("length", "统一社会信用代码应为 18 位", "a unified social credit code has 18 characters")
    bad = [c for c in code if c not in USCC_VALUE]
    if bad:
        return (
            "charset",
            f"统一社会信用代码含非法字符 {bad[0]!r}（不用 I、O、S、V、Z，字母须大写）",
            f"invalid character {bad[0]!r} (I, O, S, V and Z are not used; letters are upper case)",
        )
    if not code[2:8].isdigit():
        return ("division", "第 3–8 位应为行政区划代码（6 位数字）", "positions 3-8 must be a 6-digit division code")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return (
            "check_char",
            f"校验位错误：第 18 位应为 {expected}，实为 {code[17]}",
            f"check character is {code[17]}, expected {expected} (GB 32100)",
        )
    org = code[8:17]
    want = org_check_char(org[:8])
    if want != org[8]:
        return (
            "org_check_char",
            f"内含组织机构代码 {org[:8]}-{org[8]} 的校验位应为 {want}（GB 11714）",
            f"the embedded organisation code {org[:8]}-{org[8]} has check character {want} (GB 11714)",
        )
    return None


def make_uscc(prefix8: str, org_body8: str) -> str:
    """A valid code from its first 8 characters and an organisation-code body (for tests and demo data)."""
    first17 = prefix8 + org_body8 + org_check_char(org_body8)
    return first17 + uscc_check_char(first17)
