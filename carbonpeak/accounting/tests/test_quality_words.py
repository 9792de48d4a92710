"""Data-quality messages and factor names read in Chinese (issue 14): codes become names, the core's own
message stays behind 详情."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from carbonpeak.accounting import method_text
from carbonpeak.accounting.presentation import check_rows


def _check(code, field, zh, en):
    return {"severity": "info", "code": code, "field": field, "message_zh": zh, "message_en": en}


def test_check_messages_name_sectors_carriers_factors_and_notations():
    sectors = {"agriculture.A": "农、林、牧、渔业"}
    carriers = {"lpg": "液化石油气"}
    fnames = {"grid.prov.hunan.2022": "2022年湖南省电力平均CO2排放因子"}
    grid_c = SimpleNamespace(name_zh="2020年湖南省电力平均CO2排放因子", name_en="", value="0.5138", unit="fraction")
    checks = [
        _check("notation_key", "L1", "agriculture.A lpg 标注为 NE", "agriculture.A lpg is marked NE"),
        _check("grid_factor_fallback", "grid", "2024 年无电网因子，使用最近年份 grid.prov.hunan.2022", "x"),
        _check("grade_c_factor", "grid.prov.hunan.2020", "使用了C级因子 grid.prov.hunan.2020 = 0.5 (MEE/NBS)", "x"),
    ]
    with translation.override("zh-hans"):
        rows = check_rows(checks, sectors, carriers, fnames, {"grid.prov.hunan.2020": grid_c})
    assert rows[0]["text"] == "农、林、牧、渔业 液化石油气 标注为 未估算"
    assert rows[0]["detail"] == "agriculture.A lpg 标注为 NE"
    assert rows[1]["text"].endswith("使用最近年份 2022年湖南省电力平均CO2排放因子")
    assert rows[2]["text"] == "使用了待确认因子：2020年湖南省电力平均CO2排放因子 = 0.5138 比例"
    assert all("MEE" not in r["text"] and "grid." not in r["text"] for r in rows)


def test_factor_names_and_units_without_english():
    with translation.override("zh-hans"):
        assert method_text.factor_name_zh("Crude oil 缺省CO2排放因子") == "原油缺省CO2排放因子（IPCC）"
        assert method_text.factor_name_zh("Gas/diesel oil 缺省低位发热量") == "柴油缺省低位发热量（IPCC）"
        assert method_text.factor_name_zh("CH4 GWP100 (SAR)") == "CH4 百年全球增温潜势（IPCC 第二次评估报告）"
        assert method_text.factor_name_zh("茶陵县1997年CO2排放(Chen et al.)") == "茶陵县1997年CO2排放（文献估算）"
        assert method_text.factor_unit("fraction") == "比例"
        assert method_text.factor_unit("tCO2/MWh") == "tCO2/MWh"
    with translation.override("en"):
        assert method_text.factor_name("Crude oil 缺省CO2排放因子", "Crude oil default EF") == "Crude oil default EF"
        assert method_text.factor_unit("fraction") == "fraction"
