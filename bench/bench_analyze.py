"""Benchmark: every reliability statistic for 24 items x 200,000 respondents.

Reported as a ratio against a bare numpy computation of Cronbach's alpha on the
same data in the same run (no timed assertions anywhere: machines are noisy).

    python bench/bench_analyze.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from common import best_of

import mgrlead
from mgrlead.analysis.psychometrics import analyze


def bare_alpha(x: np.ndarray) -> float:
    """Alpha of complete data with numpy alone: the baseline."""
    c = np.cov(x, rowvar=False)
    k = x.shape[1]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    rubric = mgrlead.load_rubric("manager-leader")
    rng = np.random.default_rng(1)
    traits = rng.normal(size=(args.rows, 4))
    columns = {}
    for d, dim in enumerate(rubric.dimensions):
        for item in dim.items:
            sign = 1 if item.keyed == "leader" else -1
            x = 3 + sign * traits[:, d] + rng.normal(scale=0.8, size=args.rows)
            columns[item.id] = np.clip(np.rint(x), 1, 5)
    matrix = np.column_stack([columns[i] for i in rubric.item_ids])
    keyed = np.column_stack(
        [6 - columns[i.id] if i.keyed == "manager" else columns[i.id] for i in rubric.items]
    )
    baseline = best_of(lambda: [bare_alpha(keyed[:, 6 * d : 6 * d + 6]) for d in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = best_of(lambda: analyze(rubric, columns), repeat=2)
    print("| what | seconds | ratio |\n|---|---|---|")
    print(f"| bare numpy alpha, 4 scales ({args.rows:,} x 24) | {baseline:.3f} | 1.0 |")
    print(f"| mgrlead.analyze, every statistic | {full:.3f} | {full / baseline:.1f} |")
    _ = matrix


if __name__ == "__main__":
    main()
