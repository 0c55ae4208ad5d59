"""Benchmark: every reliability statistic for 24 items x 200,000 respondents.

Reported as a ratio against numpy computing Cronbach's alpha of each scale on
the same data in the same run (no timed assertions anywhere: machines are
noisy): on complete data ``np.cov``; with 2 % of the answers missing, a
NaN-aware alpha from pairwise-complete covariances (three matrix products per
scale), as one would write it with numpy alone.

    python bench/bench_analyze.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from common import interleaved

import mgrlead
from mgrlead.analysis.psychometrics import analyze


def bare_alpha(x: np.ndarray) -> float:
    """Alpha of complete data with numpy alone: the baseline."""
    c = np.cov(x, rowvar=False)
    k = x.shape[1]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def nan_alpha(x: np.ndarray) -> float:
    """Alpha from pairwise-complete covariances, NaN for a missing answer: the baseline."""
    m = (~np.isnan(x)).astype(np.float64)
    x0 = np.nan_to_num(x)
    n = m.T @ m
    s = x0.T @ m
    c = (x0.T @ x0 - s * s.T / n) / (n - 1)
    k = x.shape[1]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def data(rows: int, missing: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The built-in rubric's items driven by four traits, and the keyed matrix."""
    rubric = mgrlead.load_rubric("manager-leader")
    rng = np.random.default_rng(1)
    traits = rng.normal(size=(rows, 4))
    columns = {}
    for d, dim in enumerate(rubric.dimensions):
        for item in dim.items:
            sign = 1 if item.keyed == "leader" else -1
            x = np.clip(np.rint(3 + sign * traits[:, d] + rng.normal(scale=0.8, size=rows)), 1, 5)
            x[rng.random(rows) < missing] = np.nan
            columns[item.id] = x
    keyed = np.column_stack(
        [6 - columns[i.id] if i.keyed == "manager" else columns[i.id] for i in rubric.items]
    )
    return columns, keyed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    rubric = mgrlead.load_rubric("manager-leader")
    warnings.simplefilter("ignore")
    analyze(rubric, data(1000, 0.02)[0])  # imports (scipy for the interval) outside the timing
    print(
        "| data | baseline (fastest) | `mgrlead.analyze` (fastest) | ratio of fastest | median ratio |"
    )
    print("|---|---|---|---|---|")
    for missing, alpha, what in ((0.0, bare_alpha, "np.cov"), (0.02, nan_alpha, "NaN-aware")):
        columns, keyed = data(args.rows, missing)
        scales = [keyed[:, 6 * d : 6 * d + 6] for d in range(4)]
        base, (ours,), (median,) = interleaved(
            lambda: [alpha(s) for s in scales],  # noqa: B023
            lambda: analyze(rubric, columns),  # noqa: B023
            rounds=5,
            loops=1,
        )
        print(
            f"| {args.rows:,} x 24, {missing:.0%} missing | {base:.3f} s ({what} alpha, 4 scales) "
            f"| {ours:.3f} s | {ours / base:.1f} | {median:.1f} |"
        )


if __name__ == "__main__":
    main()
