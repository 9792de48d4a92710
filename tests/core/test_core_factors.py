from __future__ import annotations

import re
from decimal import Decimal

import pytest

from carbonpeak.core import units
from carbonpeak.core.errors import CalcError
from carbonpeak.core.factors import Factor, FactorSet, load_builtin


def test_builtin_version_and_size(fs):
    assert re.fullmatch(r"builtin:[0-9a-f]{12}", fs.version)
    assert len(fs) == 313
    assert load_builtin() is fs


def test_values_are_exact_decimals(fs):
    f = fs["tce.raw_coal"]
    assert isinstance(f, Factor)
    assert f.value == Decimal("0.7143") and f.unit == "kgce/kg" and f.grade == "A"
    assert f.name_zh == "原煤" and f.name_en == "raw coal"
    assert fs["tce.slime"].value is None
    with pytest.raises(CalcError) as e:
        fs.value("tce.electricity_equal_value")
    assert e.value.code == "missing_factor"


def test_carriers(fs):
    c = fs.carriers
    for name in ("raw_coal", "coke", "gasoline", "diesel", "lpg", "natural_gas", "lng", "electricity", "heat"):
        assert name in c
    assert "electricity_equivalent" not in c and "electricity_equal_value" not in c
    assert "other_bituminous" not in c  # IPCC stems are chosen with ef_key


@pytest.mark.parametrize(
    "grid, year, key, value",
    [
        ("prov.hunan", 2024, "grid.prov.hunan.2022", "0.49"),
        ("prov.hunan", 2022, "grid.prov.hunan.2022", "0.49"),
        ("prov.hunan", 2021, "grid.prov.hunan.2021", "0.5138"),
        ("region.central", 2030, "grid.region.central.2022", "0.5395"),
        ("cn", 2023, "grid.cn.2023", "0.5306"),
        ("cn", 2099, "grid.cn.2023", "0.5306"),
    ],
)
def test_electricity_factor_selection(fs, grid, year, key, value):
    f = fs.electricity_factor(grid, year)
    assert f.key == key and f.value == Decimal(value)
    k, ef = fs.electricity_ef_tco2_per_mwh(grid, year)
    assert k == key and ef == Decimal(value)


def test_electricity_factor_errors(fs):
    with pytest.raises(CalcError) as e:
        fs.electricity_factor("prov.hunan", 2020)
    assert e.value.code == "missing_factor" and "2021" in e.value.message
    with pytest.raises(CalcError) as e:
        fs.electricity_factor("prov.atlantis", 2022)
    assert e.value.code == "unknown_grid"


def test_grid_fallback_skips_blank_years():
    rows = [
        {"key": "grid.x.2020", "value": "0.5", "unit": "kgCO2/kWh"},
        {"key": "grid.x.2022", "value": "", "unit": "kgCO2/kWh"},
    ]
    s = FactorSet.from_rows("test:1", rows)
    assert s.electricity_factor("x", 2023).key == "grid.x.2020"


def test_from_rows_like_database(fs):
    rows = [
        {"key": f.key, "value": f.value, "unit": f.unit, "grade": f.grade, "source": f.source,
         "name_zh": f.name_zh, "name_en": f.name_en, "notes": f.notes}
        for f in fs.values()
    ]
    db = FactorSet.from_rows("db:42", rows)
    assert db.version == "db:42"
    assert dict(db) == dict(fs)
    assert db.carriers == fs.carriers
    assert FactorSet.from_rows("db:f", [{"key": "a.b", "value": 0.1, "unit": "t"}])["a.b"].value == Decimal("0.1")


@pytest.mark.parametrize(
    "rows",
    [
        [{"key": "a", "value": "1", "unit": "t"}, {"key": "a", "value": "2", "unit": "t"}],
        [{"key": "", "value": "1", "unit": "t"}],
        [{"key": "a", "value": "abc", "unit": "t"}],
        [{"key": "a", "value": float("nan"), "unit": "t"}],
        [{"key": "a", "value": "Infinity", "unit": "t"}],
    ],
)
def test_from_rows_rejects_bad_rows(rows):
    with pytest.raises(CalcError) as e:
        FactorSet.from_rows("x:1", rows)
    assert e.value.code == "invalid_factor_set"


def test_derived_rows_match_recomputation(fs):
    """ef_co2.* rows are derived (grade 'derived'): NCV × CC × OF × 44/12 reproduces them to their 5 digits."""
    n = 0
    for key, f in fs.items():
        if not key.startswith("ef_co2."):
            continue
        stem = key.split(".", 1)[1]
        assert f.grade == "derived"
        ncv = fs[f"ncv.{stem}"]
        den = ncv.unit.split("/")[1]
        per = fs.value(f"ncv.{stem}") / 1000 * fs.value(f"cc.{stem}") * fs.value(f"of.{stem}")
        ef = float(per) * units.C_TO_CO2
        assert ef == pytest.approx(float(f.value_in(f"tCO2/{den}")), rel=2e-4), key
        n += 1
    assert n == 17


def test_ceff_bounds(fs):
    b = fs.ceff_grade_bounds()
    assert [k for k, _ in b] == [f"ceff.grade_max.{i}" for i in (1, 2, 3, 4)]
    assert [x for _, x in b] == [Decimal("0.6"), Decimal("0.8"), Decimal("1.2"), Decimal("2.0")]


def test_gwp_lookup(fs):
    assert fs.gwp("AR5", "CH4").value == 28
    assert fs.gwp("SAR", "HFC-134a").value == 1300
    with pytest.raises(CalcError):
        fs.gwp("SAR", "NF3")


def test_standard_coal_is_the_coefficient_not_ncv_over_29_3076(fs):
    coef = fs.value("tce.raw_coal")
    naive = fs.value("ncv.raw_coal") / (fs.value("const.kgce_kJ") / 1000)
    assert coef == Decimal("0.7143") and round(naive, 4) == Decimal("0.7134")
