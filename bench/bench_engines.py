"""How long the lazy engines take to plan and run the built-in rubric.

    python bench/bench_engines.py [--rows 1000]

For each engine, ``score_frame`` builds the query (the plan) and the engine
runs it; both are timed, the fastest of 5, beside a baseline measured in the
same run: the engine running a query that only reads the same frame. On small
data the difference is the cost of planning mgrlead's expressions.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import mgrlead

RUBRIC = mgrlead.load_rubric("manager-leader")
ITEMS = list(RUBRIC.item_ids)


def answers(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(rows, len(ITEMS))).astype(np.float64)
    x[rng.random(size=x.shape) < 0.02] = np.nan
    return pd.DataFrame(x, columns=ITEMS)


def engines(frame: pd.DataFrame) -> dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]]:
    """Per engine: make its frame, and run (collect) a frame of it."""
    import dask.dataframe as dd
    import duckdb
    import polars as pl

    connection = duckdb.connect()
    polars_frame = pl.from_pandas(frame)
    return {
        "polars LazyFrame": (polars_frame.lazy, lambda f: f.collect()),
        "DuckDB relation": (lambda: connection.from_df(frame), lambda f: f.fetchall()),
        "Dask DataFrame (2 partitions)": (
            lambda: dd.from_pandas(frame, npartitions=2),
            lambda f: f.compute(),
        ),
    }


def score(frame: Any, *, careless: bool) -> Any:  # noqa: ANN401
    return mgrlead.score_frame(RUBRIC, frame, careless=careless)


def fastest(fn: Callable[[], Any], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    frame = answers(args.rows)
    print(
        "| engine | careless indicators | build (score_frame) | run | "
        "baseline: run a query that reads the frame |"
    )
    print("|---|---|---|---|---|")
    for name, (make, run) in engines(frame).items():
        baseline = fastest(lambda make=make, run=run: run(make()))
        for careless in (False, True):
            planning = fastest(
                lambda make=make, careless=careless: score(make(), careless=careless)
            )
            scored = score(make(), careless=careless)
            running = fastest(lambda run=run, scored=scored: run(scored))
            print(
                f"| {name} | {'yes' if careless else 'no'} | {planning:.3f} s | "
                f"{running:.3f} s | {baseline:.3f} s |"
            )


if __name__ == "__main__":
    main()
