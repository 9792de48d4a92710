"""Versioned factor sets.

A :class:`FactorSet` maps a key (``tce.raw_coal``, ``grid.prov.hunan.2022``, ``gwp.ar5.ch4``, ...) to a
:class:`Factor` (value as an exact ``Decimal`` or ``None`` when the library has no single default, unit, grade,
source, names, notes) and carries a version string that every result ``method`` names.

- :func:`load_builtin` reads the factor file shipped with the package (``carbonpeak/data/factors.csv``);
  its version is ``"builtin:" + sha256(file)[:12]`` so a changed file is a different version.
- :meth:`FactorSet.from_rows` builds a set from database rows (the Django layer).

Values are never copied into code: every calculation asks its FactorSet.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import NamedTuple

from . import numbers, units
from .errors import CalcError

BUILTIN_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "factors.csv")

#: factor-key families whose stem is a carrier (China guideline parameters and GB/T 2589 coefficients)
CARRIER_FAMILIES = ("tce", "ncv", "cc", "of", "ef_co2")
ELECTRICITY = "electricity"
HEAT = "heat"
#: keys of the energy-basis coefficients of electricity (not carriers themselves)
TCE_ELECTRICITY_CALORIFIC = "tce.electricity_equivalent"  # 当量值
TCE_ELECTRICITY_COAL_EQUIVALENT = "tce.electricity_equal_value"  # 等价值 (a yearly parameter, blank)
HEAT_EF_DEFAULT = "heat.ef.default"
CEFF_GRADE_PREFIX = "ceff.grade_max."
CEFF_LEVEL_LOW_MAX = "ceff.level.low_max"
CEFF_LEVEL_MID_MAX = "ceff.level.mid_max"
_NOT_CARRIERS = frozenset({"electricity_equivalent", "electricity_equal_value"})

FIELDS = ("key", "name_zh", "name_en", "value", "unit", "grade", "source", "notes")


class Factor(NamedTuple):
    """One factor row (immutable). ``value`` is exact, or None when the library has no single default."""

    key: str
    value: Decimal | None
    unit: str
    grade: str = ""
    source: str = ""
    name_zh: str = ""
    name_en: str = ""
    notes: str = ""

    def require(self) -> Decimal:
        """The value; a :class:`CalcError` (``missing_factor``) when the library has no single default."""
        if self.value is None:
            raise CalcError(
                "missing_factor",
                "",
                f"Factor {self.key} has no single default value ({self.notes or 'a range or yearly parameter'});"
                " supply the value in the case.",
            )
        return self.value

    def value_in(self, unit: str) -> Decimal:
        """The value converted to ``unit`` (exact)."""
        try:
            return units.convert(self.require(), self.unit, unit)
        except units.UnitError as e:
            raise CalcError(
                "unit_mismatch", "", f"Factor {self.key} is in {self.unit!r}, which cannot convert to {unit!r}."
            ) from e


def _to_decimal(raw: object, key: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, str) and not raw.strip():
        return None
    try:  # the one grammar (core.numbers): thousands only as 1,234,567, no exponents, NaN or infinity
        return numbers.to_decimal(raw)
    except numbers.NumberError as e:
        what = "is not finite" if e.code == numbers.NOT_FINITE else "is not a number in the accepted grammar"
        raise CalcError("invalid_factor_set", "", f"Factor {key}: value {raw!r} {what}.") from e


class FactorSet(Mapping[str, Factor]):
    """An immutable, versioned mapping ``key -> Factor``."""

    __slots__ = ("version", "_factors", "_grids", "_carriers")

    def __init__(self, version: str, factors: Mapping[str, Factor]) -> None:
        if not version:
            raise CalcError("invalid_factor_set", "", "A factor set needs a version string.")
        self.version: str = version
        self._factors: dict[str, Factor] = dict(factors)
        grids: dict[str, dict[int, str]] = {}
        carriers: set[str] = set()
        for key in self._factors:
            parts = key.split(".")
            if parts[0] == "grid" and len(parts) >= 3 and len(parts[-1]) == 4 and parts[-1].isdigit():
                grids.setdefault(".".join(parts[1:-1]), {})[int(parts[-1])] = key
            elif parts[0] in CARRIER_FAMILIES and len(parts) == 2 and parts[1] not in _NOT_CARRIERS:
                carriers.add(parts[1])
        carriers.update((ELECTRICITY, HEAT))
        self._grids = {g: dict(sorted(ys.items())) for g, ys in grids.items()}
        self._carriers = frozenset(carriers)

    # --- construction -----------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, version: str, rows: Iterable[Mapping[str, object]]) -> FactorSet:
        """Build a set from rows with the factor-file columns (``key, value, unit`` required; ``grade, source,
        name_zh, name_en, notes`` optional). ``value`` may be a str, Decimal, int, float or None/blank."""
        factors: dict[str, Factor] = {}
        for row in rows:
            key = str(row.get("key") or "").strip()
            if not key:
                raise CalcError("invalid_factor_set", "", "A factor row has no key.")
            if key in factors:
                raise CalcError("invalid_factor_set", "", f"Factor key {key} occurs twice.")
            factors[key] = Factor(
                key=key,
                value=_to_decimal(row.get("value"), key),
                unit=str(row.get("unit") or "").strip(),
                grade=str(row.get("grade") or "").strip(),
                source=str(row.get("source") or ""),
                name_zh=str(row.get("name_zh") or ""),
                name_en=str(row.get("name_en") or ""),
                notes=str(row.get("notes") or ""),
            )
        return cls(version, factors)

    @classmethod
    def from_csv_bytes(cls, data: bytes, version: str | None = None, prefix: str = "csv") -> FactorSet:
        """Parse factor-file CSV content; the default version is ``prefix:`` + sha256 prefix of the bytes."""
        if version is None:
            version = f"{prefix}:{hashlib.sha256(data).hexdigest()[:12]}"
        text = data.decode("utf-8-sig")
        return cls.from_rows(version, csv.DictReader(io.StringIO(text, newline="")))

    # --- Mapping ------------------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Factor:
        return self._factors[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._factors)

    def __len__(self) -> int:
        return len(self._factors)

    def __repr__(self) -> str:
        return f"FactorSet({self.version!r}, {len(self)} factors)"

    # --- lookups ------------------------------------------------------------------------------------------
    def factor(self, key: str) -> Factor:
        """The factor ``key``; a :class:`CalcError` (``missing_factor``) when the set has no such key."""
        f = self._factors.get(key)
        if f is None:
            raise CalcError("missing_factor", "", f"Factor set {self.version} has no factor {key}.")
        return f

    def value(self, key: str) -> Decimal:
        """The exact value of ``key``; errors when absent or blank."""
        return self.factor(key).require()

    def value_in(self, key: str, unit: str) -> Decimal:
        """The value of ``key`` converted to ``unit``."""
        return self.factor(key).value_in(unit)

    def method(self, formula: str) -> str:
        """A result's method label: ``formula [factors <version>]``."""
        return f"{formula} [factors {self.version}]"

    @property
    def carriers(self) -> frozenset[str]:
        """Carrier names: stems of ``tce.* ncv.* cc.* of.* ef_co2.*`` plus ``electricity`` and ``heat``."""
        return self._carriers

    def grids(self) -> dict[str, tuple[int, ...]]:
        """Yearly grid series: ``{"cn": (2021, 2022, 2023), "prov.hunan": (2021, 2022), ...}``."""
        return {g: tuple(ys) for g, ys in self._grids.items()}

    def electricity_factor(self, grid: str, year: int) -> Factor:
        """``grid.<grid>.<year>``, else the latest year at or before ``year`` that has a value.

        Errors (``unknown_grid`` / ``missing_factor``) when the grid is unknown or has no year <= ``year``.
        """
        series = self._grids.get(grid)
        if series is None:
            known = ", ".join(sorted(self._grids)) or "none"
            raise CalcError(
                "unknown_grid",
                "",
                f"Factor set {self.version} has no yearly grid series {grid!r} (known: {known}); other grid"
                " factors can be chosen with a line's ef_key.",
            )
        best: Factor | None = None
        for y, key in series.items():
            f = self._factors[key]
            if y <= year and f.value is not None:
                best = f
        if best is None:
            have = ", ".join(str(y) for y in series)
            raise CalcError(
                "missing_factor",
                "",
                f"Grid {grid!r} has no electricity factor for {year} or an earlier year (factor set"
                f" {self.version} has {have}); choose a later year, another grid, or give ef_tco2_per_unit.",
            )
        return best

    def electricity_ef_tco2_per_mwh(self, grid: str, year: int) -> tuple[str, Decimal]:
        f = self.electricity_factor(grid, year)
        return f.key, f.value_in("tCO2/MWh")

    def gwp(self, gwp_set: str, gas: str) -> Factor:
        key = f"gwp.{gwp_set.lower()}.{gas.lower()}"
        f = self._factors.get(key)
        if f is None or f.value is None:
            raise CalcError("missing_factor", "", f"Factor set {self.version} has no {gwp_set} GWP for {gas} ({key}).")
        return f

    def ceff_grade_bounds(self) -> tuple[tuple[str, Decimal], ...]:
        """``ceff.grade_max.<n>`` in grade order: ``((key, bound), ...)``; grade n+1 is above the last."""
        found: list[tuple[int, str]] = []
        for key in self._factors:
            if key.startswith(CEFF_GRADE_PREFIX) and key[len(CEFF_GRADE_PREFIX) :].isdigit():
                found.append((int(key[len(CEFF_GRADE_PREFIX) :]), key))
        found.sort()
        if not found or [n for n, _ in found] != list(range(1, len(found) + 1)):
            raise CalcError(
                "missing_factor", "", f"Factor set {self.version} lacks ceff.grade_max.1..n grading bounds."
            )
        bounds = tuple((k, self.value(k)) for _, k in found)
        if any(b1[1] >= b2[1] for b1, b2 in zip(bounds, bounds[1:], strict=False)):
            raise CalcError("invalid_factor_set", "", "ceff.grade_max.* bounds must increase.")
        return bounds


_BUILTIN: FactorSet | None = None


def load_builtin() -> FactorSet:
    """The factor file shipped with the package (cached)."""
    global _BUILTIN
    if _BUILTIN is None:
        with open(BUILTIN_PATH, "rb") as fh:
            data = fh.read()
        _BUILTIN = FactorSet.from_csv_bytes(data, prefix="builtin")
    return _BUILTIN
