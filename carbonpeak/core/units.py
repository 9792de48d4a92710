"""Units and conversion constants: the ONE place where conversion constants are named.

Quantity units accepted on input lines (the contract's list):

- mass ``t``, ``kg``, ``10k_t``
- gas volume ``m3``, ``Nm3``, ``10k_m3``, ``10k_Nm3`` (m3 and Nm3 are both standard cubic metres)
- electricity ``kWh``, ``MWh``, ``GWh``
- heat ``MJ``, ``GJ``, ``TJ``

Factor-file units are compound (``kgce/kg``, ``GJ/1e4Nm3``, ``kgCO2/TJ``, ``tC/TJ``, ...). Their terms may
also use a species suffix on a mass (``kgCO2``, ``tC``, ``kgce``, ``tCO2e``) and the spellings ``1e4Nm3``
``1e4m3`` and ``Gg``, which only occur in factor units. ``convert`` handles simple and compound units and
raises :class:`UnitError` when the dimensions (or species) differ.

Scales are exact rationals (``fractions.Fraction``); a conversion of a float or a numpy array multiplies by
the integer numerator and divides by the integer denominator, so powers of ten never pass through an inexact
decimal fraction such as 0.001.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Final

from .errors import CalcError

# --- named conversion constants -------------------------------------------------------------------------
KG_PER_T: Final = 1000
G_PER_KG: Final = 1000
T_PER_10K_T: Final = 10_000
T_PER_GG: Final = 1000
M3_PER_10K_M3: Final = 10_000
KWH_PER_MWH: Final = 1000
KWH_PER_GWH: Final = 1_000_000
MJ_PER_GJ: Final = 1000
GJ_PER_TJ: Final = 1000
KGCE_PER_TCE: Final = KG_PER_T
KJ_PER_KWH: Final = 3600  # 1 kWh = 3.6 MJ (definition of the watt-hour)
TJ_PER_GJ_F: Final[float] = 1.0 / GJ_PER_TJ  # GJ -> TJ as a float multiplier (exact reciprocal of 1000)

#: molar masses used for carbon -> CO2 (stoichiometry, not an emission factor)
MOLAR_MASS_CO2_G_PER_MOL: Final = 44
MOLAR_MASS_C_G_PER_MOL: Final = 12
#: tCO2 per tC, computed as 44/12 (the factor file's const.c_to_co2 says "compute it as 44/12")
C_TO_CO2: Final[float] = MOLAR_MASS_CO2_G_PER_MOL / MOLAR_MASS_C_G_PER_MOL
C_TO_CO2_EXACT: Final = Fraction(MOLAR_MASS_CO2_G_PER_MOL, MOLAR_MASS_C_G_PER_MOL)
#: 1 t CO2 is 1 t CO2e by the definition of CO2-equivalence (GWP of CO2 == 1); not an emission factor
CO2E_PER_CO2: Final = 1

# --- dimensions -----------------------------------------------------------------------------------------
MASS: Final = "mass"
GAS_VOLUME: Final = "gas volume"
ELECTRICITY: Final = "electricity"
HEAT: Final = "heat"

#: units accepted for a quantity on an input line -> (dimension, scale in the dimension's base unit)
QUANTITY_UNITS: Final[dict[str, tuple[str, Fraction]]] = {
    "t": (MASS, Fraction(1)),
    "kg": (MASS, Fraction(1, KG_PER_T)),
    "10k_t": (MASS, Fraction(T_PER_10K_T)),
    "m3": (GAS_VOLUME, Fraction(1)),
    "Nm3": (GAS_VOLUME, Fraction(1)),
    "10k_m3": (GAS_VOLUME, Fraction(M3_PER_10K_M3)),
    "10k_Nm3": (GAS_VOLUME, Fraction(M3_PER_10K_M3)),
    "kWh": (ELECTRICITY, Fraction(1)),
    "MWh": (ELECTRICITY, Fraction(KWH_PER_MWH)),
    "GWh": (ELECTRICITY, Fraction(KWH_PER_GWH)),
    "MJ": (HEAT, Fraction(1)),
    "GJ": (HEAT, Fraction(MJ_PER_GJ)),
    "TJ": (HEAT, Fraction(MJ_PER_GJ * GJ_PER_TJ)),
}

#: what a Chinese page shows for each quantity unit (the one display mapping; codes stay in files and the API)
UNIT_NAMES_ZH: Final[dict[str, str]] = {
    "t": "吨",
    "kg": "千克",
    "10k_t": "万吨",
    "m3": "立方米",
    "Nm3": "标准立方米",
    "10k_m3": "万立方米",
    "10k_Nm3": "万标准立方米",
    "kWh": "千瓦时",
    "MWh": "兆瓦时",
    "GWh": "吉瓦时",
    "MJ": "兆焦",
    "GJ": "吉焦",
    "TJ": "太焦",
}

#: spellings that occur only inside factor-file units
_FACTOR_ONLY_UNITS: Final[dict[str, tuple[str, Fraction]]] = {
    "1e4Nm3": (GAS_VOLUME, Fraction(M3_PER_10K_M3)),
    "1e4m3": (GAS_VOLUME, Fraction(M3_PER_10K_M3)),
    "Gg": (MASS, Fraction(T_PER_GG)),
    "g": (MASS, Fraction(1, KG_PER_T * G_PER_KG)),
}

_MASS_PREFIX: Final[dict[str, Fraction]] = {
    "g": Fraction(1, KG_PER_T * G_PER_KG),
    "kg": Fraction(1, KG_PER_T),
    "t": Fraction(1),
}
_SPECIES_RE: Final = re.compile(r"^(g|kg|t)(CO2e|CO2|C|ce)$")
_PAREN_RE: Final = re.compile(r"\s*\(.*\)\s*$")


class UnitError(CalcError):
    """A unit is unknown or cannot be converted to the requested unit."""


def _term(term: str) -> tuple[str, Fraction]:
    if term in QUANTITY_UNITS:
        return QUANTITY_UNITS[term]
    if term in _FACTOR_ONLY_UNITS:
        return _FACTOR_ONLY_UNITS[term]
    m = _SPECIES_RE.match(term)
    if m:
        return (f"{MASS} of {m.group(2)}", _MASS_PREFIX[m.group(1)])
    raise UnitError("unknown_unit", "", f"Unknown unit {term!r}.")


def parse_unit(unit: str) -> tuple[str, Fraction]:
    """Return ``(dimension, scale)`` of a simple (``t``) or compound (``kgCO2/kWh``) unit.

    A trailing parenthetical remark (``TJ/Gg (=GJ/t)``) is ignored.
    """
    u = _PAREN_RE.sub("", unit.strip())
    if "/" in u:
        num, _, den = u.partition("/")
        if "/" in den:
            raise UnitError("unknown_unit", "", f"Unit {unit!r} has more than one '/'.")
        dn, sn = _term(num.strip())
        dd, sd = _term(den.strip())
        return (f"{dn} per {dd}", sn / sd)
    return _term(u)


def dimension(unit: str) -> str:
    """The dimension of a unit (``"mass"``, ``"gas volume"``, ``"mass of CO2 per electricity"``, ...)."""
    return parse_unit(unit)[0]


def factor_between(from_unit: str, to_unit: str) -> Fraction:
    """Exact multiplier that converts a value in ``from_unit`` to ``to_unit``."""
    df, sf = parse_unit(from_unit)
    dt, st = parse_unit(to_unit)
    if df != dt:
        raise UnitError("unit_mismatch", "", f"Cannot convert {from_unit!r} ({df}) to {to_unit!r} ({dt}).")
    return sf / st


def convert[N](value: N, from_unit: str, to_unit: str) -> N:
    """Convert ``value`` (float, int, Decimal or numpy array) from ``from_unit`` to ``to_unit``.

    Decimal in, Decimal out (exact for the powers of ten used here); float/array in, float/array out.
    Raises :class:`UnitError` for unknown or incompatible units.
    """
    f = factor_between(from_unit, to_unit)
    if f == 1:
        return value
    if isinstance(value, Decimal):
        return value * f.numerator / f.denominator  # type: ignore[return-value]
    return value * f.numerator / f.denominator  # type: ignore[operator,return-value]


def is_quantity_unit(unit: object) -> bool:
    return isinstance(unit, str) and unit in QUANTITY_UNITS


def units_of(dim: str) -> list[str]:
    """Input units of one dimension, for error messages."""
    return [u for u, (d, _) in QUANTITY_UNITS.items() if d == dim]

#: the mean Earth radius (IUGG), km: one degree of latitude is 2πR/360 (core/corridor.py, the waste route corridor)
EARTH_RADIUS_KM = 6371.0088
