"""``projection``: Monte Carlo projection of a county's CO2 path and of its peak year.

Model (the contract): each sector starts at ``base_tco2`` in ``base_year`` and grows by ``1 + g`` each year;
``g`` is drawn independently per draw, sector and year from a normal distribution with the mean and sd of the
growth period covering that year. A draw's total path is the sum of its sectors; its peak is the first highest
year of that path (the base year included). Output: ``years`` (base_year..end_year), the mean, 10th and 90th
percentile (numpy's default "linear" definition) of the total per year, ``peak_year_of_mean`` (first highest
year of the mean path) and ``p_peak_by_target`` (share of draws peaking at or before ``target_peak_year``);
also ``total_deterministic_tco2``, the path with every ``g`` at its mean.

Reproducible and bounded:

- the random numbers come from ``numpy.random.Generator(PCG64(seed))`` as one stream in the order
  ``(draw, sector, year)``; drawing it chunk by chunk gives the same numbers as drawing it at once, so the
  chunk size never changes which numbers a draw gets;
- draws are processed in chunks (at most :data:`CHUNK_DRAWS` draws and :data:`CHUNK_CELLS` variates), so
  memory does not grow with ``draws``. When the per-draw totals fit in :data:`STORE_TOTALS_MAX_BYTES` they
  are kept and the percentiles are taken directly; above that the exact order statistics are found by
  re-drawing the same stream (histogram pass, then a pass that collects only the values in the bucket holding
  each wanted rank), so p10/p90 are exact without holding all draws;
- the mean is accumulated as ``first draw + mean of (draw − first draw)``, so with ``sd = 0`` everywhere the
  mean, p10 and p90 equal the deterministic path exactly.

Limits: ``draws <= MAX_DRAWS`` (1 000 000), ``draws × sectors × years <= MAX_DRAW_CELLS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from . import validate as v
from .errors import CalcError
from .factors import FactorSet
from .limits import (
    MAX_DRAW_CELLS,
    MAX_DRAWS,
    MAX_GROWTH_PERIODS,
    MAX_PROJECTION_YEARS,
    MAX_SECTORS,
    MAX_YEAR,
    MIN_YEAR,
)

__all__ = ["MAX_DRAWS", "CHUNK_DRAWS", "ProjectionResult", "simulate", "deterministic_path", "handle"]

FloatArray = npt.NDArray[np.float64]

CHUNK_DRAWS: Final = 20_000
#: most normal variates drawn per chunk (20 000 draws x 10 sectors x 16 years = 25.6 MB of float64)
CHUNK_CELLS: Final = 20_000 * 10 * 16
#: per-draw totals up to this size are kept (single pass); larger runs use the exact multi-pass selection
STORE_TOTALS_MAX_BYTES: Final = 32 * 2**20
HIST_BINS: Final = 4096
COLLECT_MAX: Final = 50_000
MAX_REFINE: Final = 8
QUANTILES: Final = (0.1, 0.9)
SEED_MAX: Final = 2**128 - 1


@dataclass
class ProjectionResult:
    years: list[int]
    total_mean_tco2: FloatArray
    total_p10_tco2: FloatArray
    total_p90_tco2: FloatArray
    total_deterministic_tco2: FloatArray
    peak_year_of_mean: int
    p_peak_by_target: float
    peak_year_counts: dict[int, int]
    passes: int = 1
    stored: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def first_peak_index(path: FloatArray) -> int:
    """Index of the first highest value."""
    return int(np.argmax(path))


def _totals(z: FloatArray, base: FloatArray, mean: FloatArray, sd: FloatArray, base_total: float) -> FloatArray:
    """Turn standard normals ``z`` of shape (draws, sectors, years) into totals (draws, 1 + years), in place."""
    z *= sd
    z += mean
    z += 1.0
    np.cumprod(z, axis=2, out=z)
    z *= base[:, None]
    c, s, y = z.shape
    tot = np.empty((c, y + 1))
    tot[:, 0] = base_total
    body = tot[:, 1:]
    np.copyto(body, z[:, 0, :])
    for k in range(1, s):
        body += z[:, k, :]
    return tot


def deterministic_path(base: FloatArray, mean: FloatArray) -> FloatArray:
    """The total path with every growth rate at its mean (the same arithmetic as a draw with z = 0)."""
    base = np.asarray(base, dtype=np.float64)
    z = np.zeros((1, *mean.shape))
    path: FloatArray = _totals(z, base, mean, np.zeros_like(mean), float(_base_total(base)))[0]
    return path


def _base_total(base: FloatArray) -> float:
    t = 0.0
    for x in base.tolist():
        t += x
    return t


def _chunks(
    seed: int, draws: int, chunk: int, base: FloatArray, mean: FloatArray, sd: FloatArray
) -> Iterator[FloatArray]:
    rng = np.random.Generator(np.random.PCG64(seed))
    s, y = mean.shape
    base_total = _base_total(base)
    done = 0
    while done < draws:
        c = min(chunk, draws - done)
        z = rng.standard_normal((c, s, y))
        yield _totals(z, base, mean, sd, base_total)
        done += c


def _order_indexes(n: int, q: float) -> tuple[int, int, float]:
    """numpy 'linear' quantile: virtual index (n-1)*q, its floor, the next index and gamma."""
    h = (n - 1) * q
    lo = math.floor(h)
    if h >= n - 1:
        return n - 1, n - 1, h - lo
    return lo, lo + 1, h - lo


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's ``_lerp`` (the same float operations, so results are bit-identical to ``np.quantile``)."""
    diff = b - a
    if t >= 0.5:
        return b - diff * (1 - t)
    return a + diff * t


def chunk_size(sectors: int, years: int) -> int:
    return max(1, min(CHUNK_DRAWS, CHUNK_CELLS // max(1, sectors * years)))


def simulate(
    base_tco2: FloatArray,
    growth_mean: FloatArray,
    growth_sd: FloatArray,
    draws: int,
    seed: int,
    base_year: int,
    target_peak_year: int,
    *,
    chunk_draws: int | None = None,
    store_max_bytes: int = STORE_TOTALS_MAX_BYTES,
    progress: Callable[[float], None] | None = None,
) -> ProjectionResult:
    """Run the Monte Carlo. ``growth_mean``/``growth_sd`` have shape (sectors, years after base_year).
    ``progress``, when given, is called with the share of draws done after each chunk (first pass)."""
    base = np.ascontiguousarray(base_tco2, dtype=np.float64)
    mean = np.ascontiguousarray(growth_mean, dtype=np.float64)
    sd = np.ascontiguousarray(growth_sd, dtype=np.float64)
    s, ny = mean.shape
    cols = ny + 1
    chunk = chunk_draws or chunk_size(s, ny)
    n = draws
    target_idx = target_peak_year - base_year
    store = n * cols * 8 <= store_max_bytes
    stored = np.empty((n, cols)) if store else None

    # --- pass 1: mean, peaks, min/max (and a first histogram when not storing) -------------------------------
    shift: FloatArray | None = None
    acc = np.zeros(cols)
    colmin = np.full(cols, np.inf)
    colmax = np.full(cols, -np.inf)
    peak_counts = np.zeros(cols, dtype=np.int64)
    hist_lo = hist_w = None
    hist = np.zeros((cols, HIST_BINS + 2), dtype=np.int64)
    row = 0
    for tot in _chunks(seed, n, chunk, base, mean, sd):
        c = tot.shape[0]
        if shift is None:
            shift = tot[0].copy()
            if not store:
                hist_lo = tot.min(axis=0)
                hist_w = (tot.max(axis=0) - hist_lo) / HIST_BINS
                hist_w[hist_w <= 0] = np.inf
        acc += (tot - shift).sum(axis=0)
        np.minimum(colmin, tot.min(axis=0), out=colmin)
        np.maximum(colmax, tot.max(axis=0), out=colmax)
        peak_counts += np.bincount(np.argmax(tot, axis=1), minlength=cols)
        if stored is not None:
            stored[row : row + c] = tot
        else:
            assert hist_lo is not None and hist_w is not None
            _histogram(hist, tot, np.arange(cols), hist_lo, hist_w)
        row += c
        if progress is not None:
            progress(row / n)
    assert shift is not None
    mean_path = shift + acc / n

    # --- percentiles --------------------------------------------------------------------------------------------
    ranks: set[int] = set()
    plan = [_order_indexes(n, q) for q in QUANTILES]
    for lo, hi, _ in plan:
        ranks.update((lo, hi))
    rank_list = sorted(ranks)
    passes = 1
    if stored is not None:
        part = np.partition(stored, rank_list, axis=0)
        values = {r: part[r] for r in rank_list}
        del part
    else:
        assert hist_lo is not None and hist_w is not None
        values, extra_passes = _select(seed, n, chunk, base, mean, sd, rank_list, colmin, colmax, hist, hist_lo, hist_w)
        passes += extra_passes
    pct = []
    for lo, hi, gamma in plan:
        a, b = values[lo], values[hi]
        pct.append(np.array([_lerp(float(a[j]), float(b[j]), gamma) for j in range(cols)]))

    det = deterministic_path(base, mean)
    if target_idx < 0:
        p_by_target = 0.0
    else:
        p_by_target = float(peak_counts[: target_idx + 1].sum()) / n
    years = list(range(base_year, base_year + cols))
    return ProjectionResult(
        years=years,
        total_mean_tco2=mean_path,
        total_p10_tco2=pct[0],
        total_p90_tco2=pct[1],
        total_deterministic_tco2=det,
        peak_year_of_mean=base_year + first_peak_index(mean_path),
        p_peak_by_target=p_by_target,
        peak_year_counts={years[j]: int(peak_counts[j]) for j in range(cols) if peak_counts[j]},
        passes=passes,
        stored=stored is not None,
    )


def _histogram(
    hist: npt.NDArray[np.int64], tot: FloatArray, spec_col: npt.NDArray[np.intp], lo: FloatArray, w: FloatArray
) -> None:
    """Add the bucket counts of ``tot[:, spec_col[k]]`` under spec k (buckets 0 = below, B+1 = above)."""
    b = _buckets(tot[:, spec_col], lo, w)
    k = len(spec_col)
    b += (np.arange(k) * (HIST_BINS + 2))[None, :]
    hist += np.bincount(b.ravel(), minlength=k * (HIST_BINS + 2)).reshape(k, HIST_BINS + 2)


def _buckets(x: FloatArray, lo: FloatArray, w: FloatArray) -> npt.NDArray[np.intp]:
    """Monotone bucket index of each value: floor((x - lo) / w) clipped to [-1, B], plus 1."""
    t = x - lo
    t /= w
    np.floor(t, out=t)
    np.clip(t, -1, HIST_BINS, out=t)
    t += 1
    return t.astype(np.intp)


def _select(
    seed: int,
    n: int,
    chunk: int,
    base: FloatArray,
    mean: FloatArray,
    sd: FloatArray,
    ranks: list[int],
    colmin: FloatArray,
    colmax: FloatArray,
    hist: npt.NDArray[np.int64],
    hist_lo: FloatArray,
    hist_w: FloatArray,
) -> tuple[dict[int, FloatArray], int]:
    """Exact order statistics ``ranks`` of every column by re-drawing the stream (bounded memory)."""
    cols = len(colmin)
    out = {r: np.empty(cols) for r in ranks}
    # targets: (col, rank) -> spec (lo, w) and its counts
    pending: dict[tuple[int, int], tuple[float, float, npt.NDArray[np.int64]]] = {}
    for j in range(cols):
        for r in ranks:
            if colmin[j] == colmax[j]:
                out[r][j] = colmin[j]
            else:
                pending[(j, r)] = (float(hist_lo[j]), float(hist_w[j]), hist[j])
    passes = 0
    depth = 0
    while pending:
        collect: dict[tuple[int, int], tuple[float, float, int, int]] = {}  # -> lo, w, bucket, below
        refine: dict[tuple[int, int], tuple[float, float]] = {}
        for (j, r), (lo, w, counts) in pending.items():
            cum = np.cumsum(counts)
            b = int(np.searchsorted(cum, r, side="right"))
            below = int(cum[b - 1]) if b > 0 else 0
            cnt = int(counts[b])
            if cnt <= COLLECT_MAX or depth >= MAX_REFINE:
                collect[(j, r)] = (lo, w, b, below)
                continue
            # refine inside bucket b (ranks stay global: every value is counted in some bucket)
            if not math.isfinite(w):
                a, z = float(colmin[j]), float(colmax[j])
            elif b == 0:
                a, z = float(colmin[j]), lo
            elif b == HIST_BINS + 1:
                a, z = lo + HIST_BINS * w, float(colmax[j])
            else:
                a, z = lo + (b - 1) * w, lo + b * w
            nw = (z - a) / HIST_BINS
            refine[(j, r)] = (a, nw if nw > 0 else math.inf)
        depth += 1
        passes += 1
        keys_r = list(refine)
        spec_col = np.array([j for j, _ in keys_r], dtype=np.intp)
        spec_lo = np.array([refine[k][0] for k in keys_r])
        spec_w = np.array([refine[k][1] for k in keys_r])
        new_hist = np.zeros((len(keys_r), HIST_BINS + 2), dtype=np.int64)
        # several ranks of a column usually fall in the same bucket: gather each (column, bucket) once
        groups: dict[tuple[int, float, float, int], list[tuple[int, int]]] = {}
        for key, (lo, w, b, _below) in collect.items():
            groups.setdefault((key[0], lo, w, b), []).append(key)
        keys_g = list(groups)
        c_col = np.array([g[0] for g in keys_g], dtype=np.intp)
        c_lo = np.array([g[1] for g in keys_g])
        c_w = np.array([g[2] for g in keys_g])
        c_b = np.array([g[3] for g in keys_g], dtype=np.intp)
        gathered: list[list[FloatArray]] = [[] for _ in keys_g]
        for tot in _chunks(seed, n, chunk, base, mean, sd):
            if keys_r:
                _histogram(new_hist, tot, spec_col, spec_lo, spec_w)
            if keys_g:
                x = tot[:, c_col]
                hit = _buckets(x, c_lo, c_w) == c_b[None, :]
                for k in np.flatnonzero(hit.any(axis=0)).tolist():
                    gathered[k].append(x[hit[:, k], k])
        for k, g in enumerate(keys_g):
            vals = np.sort(np.concatenate(gathered[k])) if gathered[k] else np.empty(0)
            for key in groups[g]:
                j, r = key
                out[r][j] = vals[r - collect[key][3]]
        pending = {key: (refine[key][0], refine[key][1], new_hist[k]) for k, key in enumerate(keys_r)}
    return out, passes


# --- the `projection` calculation -----------------------------------------------------------------------------
def handle(case: dict[str, Any], fs: FactorSet) -> dict[str, Any]:
    v.keys(case, "", ("calc", "base_year", "end_year", "target_peak_year", "draws", "seed", "sectors"))
    base_year = v.integer(case["base_year"], "base_year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    end_year = v.integer(case["end_year"], "end_year", minimum=base_year + 1, maximum=MAX_YEAR)
    ny = end_year - base_year
    if ny > MAX_PROJECTION_YEARS:
        raise CalcError(
            "too_large", "end_year", f"The projection spans {ny} years; the limit is {MAX_PROJECTION_YEARS}."
        )
    target = v.integer(case["target_peak_year"], "target_peak_year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    draws = v.integer(case["draws"], "draws", minimum=1)
    if draws > MAX_DRAWS:
        raise CalcError("too_large", "draws", f"draws = {draws} is above the limit of {MAX_DRAWS:_}.".replace("_", " "))
    seed = v.integer(case["seed"], "seed", minimum=0, maximum=SEED_MAX)
    sectors = v.obj(case["sectors"], "sectors")
    if not sectors:
        raise CalcError("invalid_value", "sectors", "At least one sector is required.")
    if len(sectors) > MAX_SECTORS:
        raise CalcError("too_large", "sectors", f"{len(sectors)} sectors; the limit is {MAX_SECTORS}.")
    if draws * len(sectors) * ny > MAX_DRAW_CELLS:
        raise CalcError(
            "too_large",
            "draws",
            f"draws × sectors × years = {draws * len(sectors) * ny} is above the limit of {MAX_DRAW_CELLS};"
            " use fewer draws.",
        )
    names = list(sectors)
    base = np.empty(len(names))
    mean = np.empty((len(names), ny))
    sd = np.empty((len(names), ny))
    for si, name in enumerate(names):
        p = v.at_key("sectors", name)
        d = v.obj(sectors[name], p)
        v.keys(d, p, ("base_tco2", "growth"))
        base[si] = float(v.number(d["base_tco2"], f"{p}.base_tco2"))
        gp = f"{p}.growth"
        periods = v.array(d["growth"], gp, min_len=1, max_len=MAX_GROWTH_PERIODS)
        covered = np.zeros(ny, dtype=bool)
        for gi, raw in enumerate(periods):
            pp = f"{gp}[{gi}]"
            g = v.obj(raw, pp)
            v.keys(g, pp, ("from", "to", "mean", "sd"))
            y0 = v.integer(g["from"], f"{pp}.from", minimum=MIN_YEAR, maximum=MAX_YEAR)
            y1 = v.integer(g["to"], f"{pp}.to", minimum=y0, maximum=MAX_YEAR)
            mu = v.number(g["mean"], f"{pp}.mean", minimum=-1, exclusive_minimum=True)
            sigma = v.number(g["sd"], f"{pp}.sd")
            a, b = max(y0, base_year + 1), min(y1, end_year)
            if a > b:
                continue
            ia, ib = a - base_year - 1, b - base_year
            if covered[ia:ib].any():
                raise CalcError(
                    "invalid_value", f"{pp}.from", f"Growth period {y0}-{y1} overlaps an earlier period of {name!r}."
                )
            covered[ia:ib] = True
            mean[si, ia:ib] = float(mu)
            sd[si, ia:ib] = float(sigma)
        if not covered.all():
            missing = base_year + 1 + int(np.argmin(covered))
            raise CalcError(
                "invalid_value",
                gp,
                f"No growth period of {name!r} covers {missing}; periods must cover {base_year + 1}-{end_year}.",
            )
    r = simulate(base, mean, sd, draws, seed, base_year, target)
    return {
        "years": r.years,
        "total_mean_tco2": r.total_mean_tco2.tolist(),
        "total_p10_tco2": r.total_p10_tco2.tolist(),
        "total_p90_tco2": r.total_p90_tco2.tolist(),
        "peak_year_of_mean": r.peak_year_of_mean,
        "p_peak_by_target": r.p_peak_by_target,
        "total_deterministic_tco2": r.total_deterministic_tco2.tolist(),
        "method": fs.method(
            f"projection:monte_carlo normal yearly growth per draw/sector/year, {draws} draws,"
            f" PCG64 seed {seed}, peak=first highest year, p10/p90 numpy linear"
        ),
    }
