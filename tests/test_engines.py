"""The same rubric scores the same data identically on every engine.

numpy (pandas, polars, pyarrow, dicts), numpy per partition (Dask here; Dask and
PySpark in ``test_partitions.py``) and the dataframe-native expression engine
(polars LazyFrame, DuckDB relations) agree bit for bit: the kernel's terms are
constants from its tables, and no formula divides by a constant.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from dask.distributed import Client, LocalCluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import AnswerError, InputError
from mgrlead.testing import hypothesis as mh

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = pd.read_csv(ROOT / "examples" / "responses.csv")
ML = mgrlead.load_rubric("manager-leader")


def _normal(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


def _as_pandas(result: Any) -> pd.DataFrame:  # noqa: PLR0911 - one case per engine
    if isinstance(result, pl.LazyFrame):
        return result.collect().to_pandas()
    if isinstance(result, pl.DataFrame):
        return result.to_pandas()
    if isinstance(result, pa.Table):
        return result.to_pandas()
    if isinstance(result, duckdb.DuckDBPyRelation):
        return result.df()
    if isinstance(result, dd.DataFrame):
        return result.compute().reset_index(drop=True)
    if isinstance(result, dict):
        return pd.DataFrame({k: list(v) for k, v in result.items()})
    return result


def _assert_same(expected: pd.DataFrame, got: pd.DataFrame, label: str) -> None:
    assert list(got.columns) == list(expected.columns), label
    for column in expected.columns:
        for left, right in zip(expected[column], got[column], strict=True):
            a, b = _normal(left), _normal(right)
            if isinstance(a, float) and isinstance(b, int):
                b = float(b)
            assert a == b, (label, column, a, b)  # bit for bit


ENGINES = {
    "polars-lazy": lambda df: pl.from_pandas(df).lazy(),
    "duckdb": duckdb.from_df,
    "polars-native": pl.from_pandas,
    "pyarrow": lambda df: pa.Table.from_pandas(df, preserve_index=False),
}


@pytest.mark.parametrize("engine", [*ENGINES, "dask"])
def test_the_example_scores_identically(engine: str) -> None:
    expected = _as_pandas(mgrlead.score_frame(ML, EXAMPLE))
    if engine == "dask":
        frame: Any = dd.from_pandas(EXAMPLE, npartitions=3)
    else:
        frame = ENGINES[engine](EXAMPLE)
    mode = "native" if engine == "polars-native" else "auto"
    got = mgrlead.score_frame(ML, frame, engine=mode)
    if engine in {"polars-lazy", "duckdb", "dask"}:
        assert type(got) is type(frame)  # a lazy input stays lazy
    _assert_same(expected, _as_pandas(got), engine)


@pytest.mark.parametrize(
    ("engine", "missing"),
    [(e, m) for e in ("polars-lazy", "duckdb", "dask") for m in ("mean", "median")],
)
def test_imputation_works_on_every_engine(engine: str, missing: str) -> None:
    expected = _as_pandas(mgrlead.score_frame(ML, EXAMPLE, missing=missing))
    frame = dd.from_pandas(EXAMPLE, npartitions=3) if engine == "dask" else ENGINES[engine](EXAMPLE)
    got = _as_pandas(mgrlead.score_frame(ML, frame, missing=missing))
    _assert_same(expected, got, engine)
    assert got["structure_strategy_imputed"].max() == 4


def test_median_imputation_on_dask_uses_the_whole_frames_exact_medians() -> None:
    # Each partition alone would have its own medians; Dask's own median is approximate.
    frame = dd.from_pandas(EXAMPLE, npartitions=3)
    got = _as_pandas(mgrlead.score_frame(ML, frame, missing="median"))
    first = frame.get_partition(0).compute()  # the first rows, with medians of their own
    alone = _as_pandas(mgrlead.score_frame(ML, first, missing="median"))["overall_percent"]
    assert not np.array_equal(alone.to_numpy(), got["overall_percent"][: len(first)].to_numpy())
    _assert_same(_as_pandas(mgrlead.score_frame(ML, EXAMPLE, missing="median")), got, "dask")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mh.rubrics(max_dimensions=2, translations=st.just(False)).flatmap(  # noqa: FBT003
        lambda r: st.tuples(st.just(r), mh.answer_frames(r, min_rows=1, max_rows=6))
    ),
    st.sampled_from(list(ENGINES)),
)
def test_every_engine_agrees_with_numpy(
    case: tuple[mgrlead.Rubric, dict[str, Any]], engine: str
) -> None:
    rubric, columns = case
    frame = pd.DataFrame({k: pd.array(v, dtype="float64") for k, v in columns.items()})
    expected = _as_pandas(mgrlead.score_frame(rubric, frame))
    mode = "native" if engine == "polars-native" else "auto"
    got = _as_pandas(mgrlead.score_frame(rubric, ENGINES[engine](frame), engine=mode))
    _assert_same(expected, got, engine)


def test_dask_on_a_local_distributed_cluster() -> None:
    big = pd.concat([EXAMPLE] * 50, ignore_index=True)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        Client(cluster),
    ):
        frame = dd.from_pandas(big, npartitions=4)
        assert frame.npartitions == 4
        result = mgrlead.score_frame(ML, frame)
        assert isinstance(result, dd.DataFrame)
        got = result.compute().reset_index(drop=True)
    _assert_same(_as_pandas(mgrlead.score_frame(ML, big)), got, "dask distributed")


def test_bad_cells_in_a_lazy_frame_are_refused() -> None:
    bad = EXAMPLE.copy()
    bad.loc[3, "pr2"] = 9
    with pytest.raises(AnswerError, match=r"item 'pr2': 1 cell is not an answer: outside 1..5"):
        mgrlead.score_frame(ML, pl.from_pandas(bad).lazy())
    text = EXAMPLE.astype({"pr2": str})
    with pytest.raises(AnswerError, match=r"item 'pr2': the column holds String, not numbers"):
        mgrlead.score_frame(ML, pl.from_pandas(text).lazy())
    with pytest.raises(InputError, match=r"no column for item 'pr2'"):
        mgrlead.score_frame(ML, pl.from_pandas(EXAMPLE.drop(columns="pr2")).lazy())


def test_lazy_options() -> None:
    with pytest.raises(InputError, match="engine='numpy' needs an eager frame"):
        mgrlead.score_frame(ML, pl.from_pandas(EXAMPLE).lazy(), engine="numpy")
    with pytest.raises(InputError, match="unknown engine 'gpu'"):
        mgrlead.score_frame(ML, EXAMPLE, engine="gpu")
    from mgrlead.analysis.norms import NormTable  # noqa: PLC0415

    table = NormTable.build(ML, EXAMPLE, id="n")
    with pytest.raises(InputError, match="norms are applied to eager frames only"):
        mgrlead.score_frame(ML, pl.from_pandas(EXAMPLE).lazy(), norms=table)
