from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.core import projection as P
from carbonpeak.core.dispatch import parse_case, run_case


def case(draws=500, seed=1, sd=0.02, **kw):
    c = {
        "calc": "projection", "base_year": 2020, "end_year": 2035, "target_peak_year": 2030, "draws": draws,
        "seed": seed,
        "sectors": {
            "industry": {"base_tco2": 600, "growth": [{"from": 2021, "to": 2025, "mean": 0.03, "sd": sd},
                                                      {"from": 2026, "to": 2035, "mean": -0.02, "sd": sd}]},
            "transport": {"base_tco2": 250, "growth": [{"from": 2021, "to": 2035, "mean": 0.01, "sd": sd * 2}]},
            "buildings": {"base_tco2": 150, "growth": [{"from": 2021, "to": 2030, "mean": 0.02, "sd": sd},
                                                       {"from": 2031, "to": 2040, "mean": -0.03, "sd": sd}]},
        },
    }
    c.update(kw)
    return c


def err(result):
    assert "error" in result, result
    return result["error"]["code"], result["error"]["field"]


def random_model(seed, s=4, y=12, sd_scale=0.03):
    rng = np.random.default_rng(seed)
    return rng.uniform(10, 100, s), rng.uniform(-0.04, 0.05, (s, y)), rng.uniform(0, sd_scale, (s, y))


def test_output_shape():
    r = run_case(case())
    assert r["years"] == list(range(2020, 2036))
    for k in ("total_mean_tco2", "total_p10_tco2", "total_p90_tco2", "total_deterministic_tco2"):
        assert len(r[k]) == 16
    assert r["total_mean_tco2"][0] == 1000
    assert all(a <= b for a, b in zip(r["total_p10_tco2"], r["total_p90_tco2"], strict=True))
    assert 0 <= r["p_peak_by_target"] <= 1
    assert isinstance(r["peak_year_of_mean"], int)
    assert "PCG64 seed 1" in r["method"]


def test_same_seed_same_result_different_seed_different():
    a, b = run_case(case(seed=42)), run_case(case(seed=42))
    assert a == b
    c = run_case(case(seed=43))
    assert c["total_p90_tco2"] != a["total_p90_tco2"]
    assert json.dumps(a) == json.dumps(run_case(parse_case(json.dumps(case(seed=42)))))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**64), st.integers(1, 5), st.integers(1, 15), st.integers(1, 400))
def test_same_seed_same_result_property(seed, s, y, draws):
    base, mean, sd = random_model(seed % 1000, s, y)
    a = P.simulate(base, mean, sd, draws, seed, 2020, 2025)
    b = P.simulate(base, mean, sd, draws, seed, 2020, 2025, chunk_draws=max(1, draws // 3))
    assert np.array_equal(a.total_p10_tco2, b.total_p10_tco2)
    assert np.array_equal(a.total_p90_tco2, b.total_p90_tco2)
    assert a.p_peak_by_target == b.p_peak_by_target
    np.testing.assert_allclose(a.total_mean_tco2, b.total_mean_tco2, rtol=1e-13)
    c = P.simulate(base, mean, sd, draws, seed, 2020, 2025)
    assert np.array_equal(a.total_mean_tco2, c.total_mean_tco2)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6), st.integers(1, 20), st.integers(1, 300))
def test_zero_variance_reproduces_deterministic_path_exactly(seed, s, y, draws):
    base, mean, _ = random_model(seed, s, y)
    r = P.simulate(base, mean, np.zeros_like(mean), draws, seed, 2020, 2020 + y // 2)
    det = r.total_deterministic_tco2
    assert np.array_equal(r.total_mean_tco2, det)
    assert np.array_equal(r.total_p10_tco2, det)
    assert np.array_equal(r.total_p90_tco2, det)
    peak = 2020 + int(np.argmax(det))
    assert r.peak_year_of_mean == peak
    assert r.p_peak_by_target == (1.0 if peak <= 2020 + y // 2 else 0.0)
    # and the deterministic path is base x prod(1 + mean)
    expect = np.concatenate([[base.sum()], (base[:, None] * np.cumprod(1 + mean, axis=1)).sum(axis=0)])
    np.testing.assert_allclose(det, expect, rtol=1e-12)


def test_zero_variance_through_run_case():
    r = run_case(case(sd=0))
    assert r["total_mean_tco2"] == r["total_deterministic_tco2"] == r["total_p10_tco2"] == r["total_p90_tco2"]


def test_percentiles_bit_identical_to_numpy_quantile_of_the_same_draws():
    base, mean, sd = random_model(5)
    n = 3000
    tot = np.concatenate(list(P._chunks(9, n, 1000, base, mean, sd)))
    r = P.simulate(base, mean, sd, n, 9, 2020, 2026)
    q = np.quantile(tot, [0.1, 0.9], axis=0)
    assert np.array_equal(r.total_p10_tco2, q[0])
    assert np.array_equal(r.total_p90_tco2, q[1])
    np.testing.assert_allclose(r.total_mean_tco2, tot.mean(axis=0), rtol=1e-13)
    peaks = np.argmax(tot, axis=1)
    assert r.p_peak_by_target == np.mean(peaks <= 6)


def test_random_stream_independent_of_chunk_size():
    base, mean, sd = random_model(6)
    a = P.simulate(base, mean, sd, 5000, 3, 2020, 2025)
    b = P.simulate(base, mean, sd, 5000, 3, 2020, 2025, chunk_draws=777)
    assert np.array_equal(a.total_p10_tco2, b.total_p10_tco2)
    assert np.array_equal(a.total_p90_tco2, b.total_p90_tco2)
    assert a.peak_year_counts == b.peak_year_counts
    np.testing.assert_allclose(a.total_mean_tco2, b.total_mean_tco2, rtol=1e-13)


def test_bounded_memory_selection_equals_stored(monkeypatch):
    base, mean, sd = random_model(7, s=3, y=10)
    a = P.simulate(base, mean, sd, 20_000, 11, 2020, 2024, chunk_draws=3000)
    b = P.simulate(base, mean, sd, 20_000, 11, 2020, 2024, chunk_draws=3000, store_max_bytes=0)
    assert a.stored and not b.stored and b.passes == 2
    assert np.array_equal(a.total_p10_tco2, b.total_p10_tco2)
    assert np.array_equal(a.total_p90_tco2, b.total_p90_tco2)
    assert np.array_equal(a.total_mean_tco2, b.total_mean_tco2)
    monkeypatch.setattr(P, "COLLECT_MAX", 5)  # force histogram refinement passes
    c = P.simulate(base, mean, sd, 20_000, 11, 2020, 2024, chunk_draws=3000, store_max_bytes=0)
    assert c.passes > 2
    assert np.array_equal(a.total_p10_tco2, c.total_p10_tco2)
    assert np.array_equal(a.total_p90_tco2, c.total_p90_tco2)


def test_bounded_memory_zero_variance_exact():
    base, mean, _ = random_model(8)
    r = P.simulate(base, mean, np.zeros_like(mean), 50, 1, 2020, 2030, store_max_bytes=0)
    assert np.array_equal(r.total_p10_tco2, r.total_deterministic_tco2)
    assert np.array_equal(r.total_p90_tco2, r.total_deterministic_tco2)


def test_first_peak_of_each_draw():
    # one sector, huge sd: p_peak_by_target equals the share computed from the paths directly
    base, mean, sd = np.array([1.0]), np.zeros((1, 3)), np.full((1, 3), 0.5)
    tot = np.concatenate(list(P._chunks(4, 400, 400, base, mean, sd)))
    r = P.simulate(base, mean, sd, 400, 4, 2020, 2021)
    assert r.p_peak_by_target == np.mean(np.argmax(tot, axis=1) <= 1)


def test_limits_documented():
    assert P.MAX_DRAWS == 1_000_000


@pytest.mark.parametrize(
    "patch, code, field",
    [
        ({"draws": 1_000_001}, "too_large", "draws"),
        ({"draws": 0}, "out_of_range", "draws"),
        ({"draws": 10.0}, "wrong_type", "draws"),
        ({"draws": "1000"}, "wrong_type", "draws"),
        ({"seed": -1}, "out_of_range", "seed"),
        ({"end_year": 2020}, "out_of_range", "end_year"),
        ({"end_year": 2200, "base_year": 1990}, "too_large", "end_year"),
        ({"sectors": {}}, "invalid_value", "sectors"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2021, "to": 2035, "mean": 0, "sd": -0.1}]}}},
         "negative", "sectors.a.growth[0].sd"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2021, "to": 2035, "mean": -1, "sd": 0}]}}},
         "out_of_range", "sectors.a.growth[0].mean"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2021, "to": 2035, "mean": 0, "sd": 0},
                                                        {"from": 2030, "to": 2031, "mean": 0, "sd": 0}]}}},
         "invalid_value", "sectors.a.growth[1].from"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2022, "to": 2035, "mean": 0, "sd": 0}]}}},
         "invalid_value", "sectors.a.growth"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2021, "to": 2020, "mean": 0, "sd": 0}]}}},
         "out_of_range", "sectors.a.growth[0].to"),
        ({"sectors": {"a": {"base_tco2": 1, "growth": [{"from": 2021, "to": 2035, "mean": 0, "sd": 0, "dist": "t"}]}}},
         "unknown_key", "sectors.a.growth[0].dist"),
        ({"sectors": {"a": {"base_tco2": -1, "growth": [{"from": 2021, "to": 2035, "mean": 0, "sd": 0}]}}},
         "negative", "sectors.a.base_tco2"),
    ],
)
def test_projection_errors(patch, code, field):
    assert err(run_case(case(**patch))) == (code, field)


def test_work_limit(monkeypatch):
    monkeypatch.setattr(P, "MAX_DRAW_CELLS", 1000)
    assert err(run_case(case(draws=100))) == ("too_large", "draws")
