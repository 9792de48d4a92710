"""GB/T 4754-2017 国民经济行业分类 (with its 2019 amendment): the shipped code table, read once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"


@dataclass(frozen=True)
class Industry:
    code: str
    level: str  # section | division | group | class
    name: str
    section: str
    division: str
    group: str


@cache
def table() -> dict[str, Industry]:
    with open(PATH, encoding="utf-8", newline="") as fh:
        return {r["code"]: Industry(**r) for r in csv.DictReader(fh)}


def is_class(code: str) -> bool:
    i = table().get(code)
    return i is not None and i.level == "class"


def lookup(code: str) -> Industry | None:
    return table().get(code)
