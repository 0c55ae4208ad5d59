"""How long the lazy engines take to plan and run the built-in rubric.

    python bench/bench_engines.py [--rows 1000] [--dask-rows 5000000] [--spark-rows 1000000]

Three tables, each figure beside a baseline measured in the same run:

1. For each engine (``--rows``, default 1,000), ``score_frame`` builds the
   query (the plan; on Dask and Spark also the first pass over the data, which
   checks every cell and counts codes) and the engine runs it; both are timed,
   the fastest of 5, beside the engine running a query that only reads the same
   frame.  On small data the difference is the cost of planning.
2. ``--dask-rows`` x 24 items (2 % missing) on a local ``distributed`` cluster
   of 2 workers of 1 thread each (data generated and held on the workers),
   scored and kept there (``persist``), against the numpy engine
   (``mgrlead.score_frame`` on the same rows as one pandas frame) in this
   process, which runs on one core (numpy's element-wise work is single-threaded);
   alternating rounds, fastest of each, and their ratio.
3. Spark in local mode (``local[2]``), ``--spark-rows`` rows generated and
   cached in Spark, scored with the careless indicators into Spark's ``noop``
   sink: the time and the rows per second.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import mgrlead

RUBRIC = mgrlead.load_rubric("manager-leader")
ITEMS = list(RUBRIC.item_ids)

warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
warnings.filterwarnings("ignore", message="Dask support is moving out of Narwhals")


def answers(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(rows, len(ITEMS))).astype(np.float64)
    x[rng.random(size=x.shape) < 0.02] = np.nan
    return pd.DataFrame(x, columns=ITEMS)


def spark_session() -> Any:  # noqa: ANN401
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("mgrlead-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )


def noop(frame: Any) -> None:  # noqa: ANN401
    """Run a Spark frame's job to the end, writing nothing (Spark's ``noop`` sink)."""
    frame.write.format("noop").mode("overwrite").save()


def engines(frame: pd.DataFrame) -> dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]]:
    """Per engine: make its frame, and run (collect) a frame of it."""
    import dask.dataframe as dd
    import duckdb
    import polars as pl

    connection = duckdb.connect()
    polars_frame = pl.from_pandas(frame)
    spark_frame = spark_session().createDataFrame(frame).repartition(2).cache()
    spark_frame.count()
    return {
        "polars LazyFrame": (polars_frame.lazy, lambda f: f.collect()),
        "DuckDB relation": (lambda: connection.from_df(frame), lambda f: f.fetchall()),
        "Dask DataFrame (2 partitions, scored per partition by numpy)": (
            lambda: dd.from_pandas(frame, npartitions=2),
            lambda f: f.compute(),
        ),
        "Spark DataFrame (local[2], 2 partitions, per partition by numpy via mapInArrow)": (
            lambda: spark_frame,
            noop,
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


def build_and_run(rows: int) -> None:
    frame = answers(rows)
    print(f"\n{rows:,} rows x {len(ITEMS)} items")
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
                f"{running:.3f} s | {baseline:.3f} s |",
                flush=True,
            )


def dask_cluster(rows: int, rounds: int) -> None:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster, wait

    parts = 20
    size = -(-rows // parts)
    sizes = [min(size, rows - k * size) for k in range(parts)]

    def part(k: int) -> pd.DataFrame:
        return answers(sizes[k], seed=k)

    whole = pd.concat([part(k) for k in range(parts)], ignore_index=True)
    numpy_times, dask_times, builds = [], [], []
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        frame = dd.from_map(part, range(parts)).persist()  # generated and held on the workers
        wait(frame)
        for _ in range(rounds):
            start = time.perf_counter()
            eager = mgrlead.score_frame(RUBRIC, whole)  # the numpy engine, one core, here
            numpy_times.append(time.perf_counter() - start)
            del eager
            start = time.perf_counter()
            lazy = mgrlead.score_frame(RUBRIC, frame)  # first pass, then the graph
            builds.append(time.perf_counter() - start)
            scored = client.persist(lazy)
            wait(scored)
            dask_times.append(time.perf_counter() - start)
            del scored, lazy
    best_numpy, best_dask = min(numpy_times), min(dask_times)
    print(f"\n{rows:,} rows x {len(ITEMS)} items, 2 % missing, careless indicators on")
    print("| engine | build (score_frame) | total | ratio to numpy |")
    print("|---|---|---|---|")
    print(f"| numpy engine (`score_frame` on pandas), one core | | {best_numpy:.2f} s | 1.00 |")
    print(
        f"| Dask, LocalCluster(n_workers=2, threads_per_worker=1), {parts} partitions, "
        f"scored and persisted | {min(builds):.2f} s | {best_dask:.2f} s | "
        f"{best_dask / best_numpy:.2f} |"
    )
    print(f"(fastest of {rounds} alternating rounds; numpy {numpy_times}, Dask {dask_times})")


def spark_local(rows: int) -> None:
    from pyspark.sql import functions as F  # noqa: N812

    spark = spark_session()
    columns = []
    for k, item in enumerate(ITEMS):
        value = F.floor(F.rand(2 * k) * 5) + 1
        columns.append(
            F.when(F.rand(2 * k + 1) < 0.02, None).otherwise(value).cast("double").alias(item)
        )
    frame = spark.range(rows, numPartitions=2).select(*columns).cache()
    frame.count()
    baseline = fastest(lambda: noop(frame), repeat=3)
    start = time.perf_counter()
    scored = score(frame, careless=True)
    build = time.perf_counter() - start
    noop(scored)
    total = time.perf_counter() - start
    print(f"\nSpark local[2], {rows:,} rows x {len(ITEMS)} items cached, careless indicators on")
    print("| step | time | rows/s |")
    print("|---|---|---|")
    print(f"| baseline: read the cached frame (noop sink) | {baseline:.2f} s | |")
    print(f"| `score_frame` (first pass: checks and counts) | {build:.2f} s | |")
    print(
        f"| `score_frame` and the scoring job (noop sink) | {total:.2f} s | {rows / total:,.0f} |"
    )
    spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--dask-rows", type=int, default=5_000_000)
    parser.add_argument("--spark-rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    build_and_run(args.rows)
    if args.dask_rows:
        dask_cluster(args.dask_rows, args.rounds)
    if args.spark_rows:
        spark_local(args.spark_rows)


if __name__ == "__main__":
    main()
