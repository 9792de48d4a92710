"""Factor sets: the shipped file as a stored version, county versions (all or nothing), immutability, diff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbonpeak.accounting import services
from carbonpeak.accounting.fetch import core_factor_set
from carbonpeak.accounting.models import Factor, FactorSet, ImmutableError
from carbonpeak.core.factors import load_builtin
from carbonpeak.validation import ValidationFailed

HEADER = "key,name_zh,name_en,value,unit,grade,source,notes\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_shipped_library_is_stored_once_with_its_file_version(db):
    builtin = load_builtin()
    fs = FactorSet.objects.get(kind="builtin")  # loaded by post_migrate
    assert fs.version == builtin.version
    assert fs.factors.count() == len(builtin)
    assert services.ensure_builtin_factor_set().pk == fs.pk
    assert FactorSet.objects.count() == 1
    row = fs.factors.get(key="grid.prov.hunan.2022")
    assert row.decimal == Decimal("0.49") and row.grade == "A"
    assert (row.region, row.valid_from_year, row.valid_to_year) == ("prov.hunan", 2022, 2022)
    # the core sees the same values under the same version
    core = core_factor_set(fs)
    assert core.version == builtin.version
    assert all(core[k].value == builtin[k].value for k in builtin)
    assert fs.factors.get(key="const.c_to_co2").value == "3.6666666666666665"  # every digit kept


def test_factors_cannot_be_edited_or_deleted(db):
    f = Factor.objects.get(factor_set__kind="builtin", key="tce.raw_coal")
    f.value = "1"
    with pytest.raises(ImmutableError):
        f.save()
    with pytest.raises(ImmutableError):
        f.delete()
    assert Factor.objects.get(pk=f.pk).value == "0.7143"
    assert Factor.objects.filter(pk=f.pk).exists()


def test_county_version_adds_and_replaces_rows_and_is_audited(plan, office):
    from carbonpeak.audit.models import AuditEntry

    base = services.default_factor_set(plan)
    fs = services.create_county_version(
        office,
        plan,
        csv(
            "grid.prov.hunan.2023,2023年湖南省因子,Hunan 2023,0.4800,kgCO2/kWh,B,县统计局转引,",
            "tce.raw_coal,原煤,raw coal,0.7000,kgce/kg,A,本县煤质化验 2024,local coal",
        ),
        label="本县 2024",
    )
    assert fs.version == "430224:1" and fs.parent == base and fs.plan == plan
    assert fs.factors.count() == base.factors.count() + 1
    assert fs.factors.get(key="tce.raw_coal").value == "0.7000"  # as written
    assert base.factors.get(key="tce.raw_coal").value == "0.7143"  # the old version is untouched
    assert services.default_factor_set(plan) == fs
    assert core_factor_set(fs).electricity_factor("prov.hunan", 2024).key == "grid.prov.hunan.2023"
    d = services.diff_factor_sets(base, fs)
    assert [r["key"] for r in d["added"]] == ["grid.prov.hunan.2023"]
    assert [(c["key"], c["fields"]) for c in d["changed"]] == [("tce.raw_coal", ["value", "source", "notes"])]
    assert d["removed"] == []
    entry = AuditEntry.objects.get(action="factor_set.create")
    assert entry.after["changed"] == ["grid.prov.hunan.2023", "tce.raw_coal"]


def test_same_upload_again_gives_the_same_version(plan, office):
    data = csv("grid.prov.hunan.2023,2023年湖南省因子,Hunan 2023,0.48,kgCO2/kWh,B,转引,")
    a = services.create_county_version(office, plan, data)
    b = services.create_county_version(office, plan, data, base=a.parent)
    assert a.pk == b.pk and FactorSet.objects.filter(plan=plan).count() == 1
    with pytest.raises(ValidationFailed) as exc:
        services.create_county_version(office, plan, data)  # against itself: nothing changes
    assert exc.value.issues[0].code == "no_change"


def test_a_bad_row_makes_no_version_and_every_error_has_its_line(plan, office):
    before = FactorSet.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.create_county_version(
            office,
            plan,
            csv(
                "grid.prov.hunan.2023,ok,ok,0.48,kgCO2/kWh,B,转引,",
                "Bad Key,x,x,1,t,A,src,",
                "tce.x,x,x,abc,kgce/kg,A,src,",
                "tce.y,x,x,1,kgce/kg,Z,src,",
                "tce.z,x,x,1,kgce/kg,A,,",
                "ncv.w,x,x,1,parsecs,A,src,",
                "tce.v,x,x,-1,kgce/kg,A,src,",
            ),
        )
    got = {(i.line, i.field, i.code) for i in exc.value.issues}
    assert got == {
        (3, "key", "bad_key"),
        (4, "value", "not_number"),
        (5, "grade", "bad_grade"),
        (6, "source", "required"),
        (7, "unit", "unknown_unit"),
        (8, "value", "negative"),
    }
    assert all("行" in i.message_zh and "line" in i.message_en for i in exc.value.issues)
    assert FactorSet.objects.count() == before


def test_file_level_errors(plan, office):
    for data, code in (
        (b"\xff\xfe\x00", "encoding"),
        (b"key,value\n", "missing_column"),
        (HEADER.encode(), "empty"),
        ((HEADER.strip() + ",colour\n").encode(), "unknown_column"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.create_county_version(office, plan, data)
        assert exc.value.issues[0].code == code


def test_only_the_office_makes_versions(plan, fgj):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_county_version(fgj, plan, csv("tce.raw_coal,原煤,raw coal,0.7,kgce/kg,A,src,"))
