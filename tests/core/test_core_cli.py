from __future__ import annotations

import io
import json
import sys

from _corecheck import run_cli

from carbonpeak.core import cli_calc

GWP = {"calc": "gwp", "gwp_set": "AR5", "gases_t": {"CH4": 100}}
PEAK = {"calc": "peak", "series": {"2020": 1, "2021": 3, "2022": 2}}
BAD = {"calc": "gwp", "gwp_set": "AR5", "gases_t": {"CH4": -1}}


def write(tmp_path, name, obj):
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return str(p)


def test_one_file_one_object(tmp_path):
    r = run_cli(write(tmp_path, "a.json", GWP))
    assert r.returncode == 0 and r.stderr == b""
    assert json.loads(r.stdout)["co2e_t"] == 2800


def test_json_lines_same_order_and_exit_2(tmp_path):
    files = [write(tmp_path, "a.json", GWP), write(tmp_path, "b.json", BAD), write(tmp_path, "c.json", PEAK)]
    r = run_cli(*files)
    out = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert len(out) == 3
    assert out[0]["co2e_t"] == 2800
    assert out[1]["error"]["field"] == "gases_t.CH4"
    assert out[2]["peak_year"] == 2021
    assert r.returncode == 2
    r = run_cli(files[0], files[2])
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2


def test_stdin():
    r = run_cli("-", stdin=json.dumps(PEAK).encode())
    assert r.returncode == 0
    assert json.loads(r.stdout)["peak_year"] == 2021


def test_malformed_and_unreadable(tmp_path):
    r = run_cli(write(tmp_path, "bad.json", '{"calc": "peak", "series": {'))
    out = json.loads(r.stdout)
    assert r.returncode == 2 and out["error"]["code"] == "invalid_json" and out["error"]["field"] == ""
    r = run_cli(str(tmp_path / "missing.json"))
    out = json.loads(r.stdout)
    assert r.returncode == 2 and out["error"]["code"] == "unreadable" and out["error"]["field"] == ""
    r = run_cli(write(tmp_path, "bin.json", "\udcff"[:0] + "{\x00"))
    assert r.returncode == 2 and "error" in json.loads(r.stdout)
    (tmp_path / "latin1.json").write_bytes(b'{"calc": "peak", "series": {"2020": 1, "\xff": 2}}')
    r = run_cli(str(tmp_path / "latin1.json"))
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "invalid_json"


def test_bom_and_unicode(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps({**PEAK, "series": {"2020": 1, "2021": 2}}).encode())
    r = run_cli(str(p))
    assert r.returncode == 0
    r = run_cli(write(tmp_path, "u.json", {"calc": "inventory", "lines": [{"id": "煤", "carrier": "raw_coal",
                                                                          "quantity": 1, "unit": "t"}]}))
    out = json.loads(r.stdout.decode("utf-8"))
    assert out["lines"][0]["id"] == "煤"


def test_no_arguments_is_an_error_with_json():
    r = run_cli()
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["code"] == "usage"
    assert b"usage" in r.stderr


def test_main_in_process_tolerates_leading_calc(tmp_path, monkeypatch, capsysbinary):
    f = write(tmp_path, "a.json", GWP)
    assert cli_calc.main(["calc", f]) == 0
    assert json.loads(capsysbinary.readouterr().out)["co2e_t"] == 2800
    assert cli_calc.main([f, f]) == 0
    assert len(capsysbinary.readouterr().out.splitlines()) == 2
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(BAD).encode())))
    assert cli_calc.main(["-"]) == 2
    assert json.loads(capsysbinary.readouterr().out)["error"]["code"] == "negative"


def test_results_keep_int_types(tmp_path):
    r = run_cli(write(tmp_path, "c.json", {"calc": "carbon_efficiency", "emissions_tco2": 6000,
                                           "value_added_10k_yuan": 5000, "industry_intensity_tco2_per_10k_yuan": 1.0}))
    out = r.stdout.decode()
    assert '"grade": 3' in out and '"k": 1.2' in out
