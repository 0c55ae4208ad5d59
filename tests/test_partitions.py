"""Dask and PySpark frames are scored partition by partition by the numpy batch engine.

Both give the bits :func:`mgrlead.engines.batch.score_matrix` gives on the same
data (careless indicators and imputation included), with the whole frame's fill
values; a bad cell is refused before any scoring job, with the eager engines'
message naming the item and the row over the whole frame; Spark's plan is one
``mapInArrow`` step whatever the rubric, with the column types of the metrics table.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import narwhals as nw
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import DataFrame as SparkFrame
from pyspark.sql import SparkSession

import mgrlead
from mgrlead import AnswerError
from mgrlead.api import scorer
from mgrlead.engines.batch import score_matrix
from mgrlead.engines.partitions import Summary, conclude, score_partitions
from mgrlead.results import column_kinds, score_column_names
from mgrlead.testing import hypothesis as mh

ROOT = Path(__file__).resolve().parent.parent
ML = mgrlead.load_rubric("manager-leader")
EXAMPLE = pd.read_csv(ROOT / "examples" / "responses.csv").astype(
    dict.fromkeys(ML.item_ids, "float64")
)
ROW = "__row"

# PySpark warns about pandas >= 3 when it converts frames (the tests' createDataFrame
# and toPandas; mgrlead's own mapInArrow never touches pandas).
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark for the whole test session: one core, no UI, small shuffles.

    Arrow batches of 2 rows, so that a partition is scored in several batches.
    """
    session = (
        SparkSession.builder.master("local[1]")
        .appName("mgrlead-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2")
        .getOrCreate()
    )
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "2")
    # PySpark imports IPython (which raises the recursion limit) the first time it
    # captures a call site; done here, not inside a hypothesis test, which would warn.
    session.range(1).sortWithinPartitions("id")
    yield session
    session.stop()


def spark_frame(spark: SparkSession, frame: pd.DataFrame, parts: int = 3) -> SparkFrame:
    """``frame`` in Spark, in ``parts`` partitions that keep the rows in order."""
    spark_df = spark.createDataFrame(frame)
    return spark_df.repartitionByRange(parts, ROW).sortWithinPartitions(ROW)


def with_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({ROW: np.arange(len(frame))}), frame], axis=1)


def collected(result: Any) -> dict[str, list[Any]]:
    """A Dask or Spark result as ``{column: [values]}``, rows in ``__row`` order."""
    if isinstance(result, SparkFrame):
        rows = sorted((r.asDict() for r in result.collect()), key=lambda r: r[ROW])
        return {name: [r[name] for r in rows] for name in result.columns}
    frame = result.compute().sort_values(ROW)
    return {str(name): frame[name].tolist() for name in frame.columns}


def _bits(value: Any) -> Any:
    """A value to compare bit for bit: floats by their bytes; NaN, NA and null alike."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else struct.pack("<d", float(value))
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


def assert_matches_numpy(
    rubric: mgrlead.Rubric,
    frame: pd.DataFrame,
    got: dict[str, list[Any]],
    *,
    missing: str | None = None,
    careless: bool = True,
) -> None:
    """``got`` holds the pass-through columns, then exactly score_matrix's columns and bits."""
    plan = scorer(rubric, missing=missing).plan
    matrix = frame[list(plan.item_ids)].to_numpy(dtype=np.float64)
    expected = score_matrix(plan, matrix, careless=careless).columns()
    passthrough = [c for c in frame.columns if c not in set(plan.item_ids)]
    assert list(got) == [*passthrough, *expected]
    for name in passthrough:
        assert [_bits(x) for x in got[name]] == [_bits(x) for x in frame[name]], name
    for name, values in expected.items():
        assert [_bits(x) for x in got[name]] == [_bits(x) for x in values], name


def frames(rows: int) -> st.SearchStrategy[tuple[mgrlead.Rubric, pd.DataFrame]]:
    def as_frame(case: tuple[mgrlead.Rubric, dict[str, Any]]) -> Any:
        rubric, columns = case
        body = pd.DataFrame({k: pd.array(v, dtype="float64") for k, v in columns.items()})
        return rubric, with_rows(body)

    return (
        mh.rubrics(max_dimensions=2, translations=st.just(False))  # noqa: FBT003
        .flatmap(lambda r: st.tuples(st.just(r), mh.answer_frames(r, min_rows=1, max_rows=rows)))
        .map(as_frame)
    )


MISSING = st.sampled_from([None, "mean", "median"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(rows=9), MISSING, st.integers(1, 4))
def test_dask_equals_score_matrix(
    case: tuple[mgrlead.Rubric, pd.DataFrame], missing: str | None, parts: int
) -> None:
    rubric, frame = case
    result = mgrlead.score_frame(rubric, dd.from_pandas(frame, npartitions=parts), missing=missing)
    assert_matches_numpy(rubric, frame, collected(result), missing=missing)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(frames(rows=7), MISSING)
def test_spark_equals_score_matrix(
    spark: SparkSession, case: tuple[mgrlead.Rubric, pd.DataFrame], missing: str | None
) -> None:
    rubric, frame = case
    result = mgrlead.score_frame(rubric, spark_frame(spark, frame), missing=missing)
    assert_matches_numpy(rubric, frame, collected(result), missing=missing)


@pytest.mark.parametrize("missing", [None, "median"])
def test_spark_scores_the_example_with_careless_indicators(
    spark: SparkSession, missing: str | None
) -> None:
    frame = with_rows(EXAMPLE)
    result = mgrlead.score_frame(ML, spark_frame(spark, frame, parts=4), missing=missing)
    assert isinstance(result, SparkFrame)  # still lazy
    got = collected(result)
    assert_matches_numpy(ML, frame, got, missing=missing)
    assert "careless_longest_run" in got
    if missing:
        assert max(got["structure_strategy_imputed"]) == 4


def test_spark_without_careless_indicators(spark: SparkSession) -> None:
    frame = with_rows(EXAMPLE)
    result = mgrlead.score_frame(ML, spark_frame(spark, frame), careless=False, missing="mean")
    assert_matches_numpy(ML, frame, collected(result), missing="mean", careless=False)


def test_spark_medians_are_the_whole_frames(spark: SparkSession) -> None:
    # Each partition alone has medians of its own: scored alone, its rows differ.
    frame = with_rows(EXAMPLE)
    alone = score_matrix(
        scorer(ML, missing="median").plan, EXAMPLE[list(ML.item_ids)].to_numpy()[:5]
    ).columns()["overall_percent"]
    got = collected(mgrlead.score_frame(ML, spark_frame(spark, frame, parts=4), missing="median"))
    assert [_bits(x) for x in alone] != [_bits(x) for x in got["overall_percent"][:5]]
    assert_matches_numpy(ML, frame, got, missing="median")


def test_spark_plan_is_one_map_in_arrow_step(spark: SparkSession) -> None:
    result = mgrlead.score_frame(ML, spark.createDataFrame(EXAMPLE))
    plan = result._jdf.queryExecution().logical().toString()
    assert "MapInArrow" in plan
    assert "CASE WHEN" not in plan.upper()  # no expression of the kernel


def test_spark_column_types_follow_the_metrics_table(spark: SparkSession) -> None:
    result = mgrlead.score_frame(ML, spark.createDataFrame(EXAMPLE))
    dims = scorer(ML).plan.dimension_ids
    kinds = column_kinds(dims, norms=False)
    names = score_column_names(dims)
    spark_kind = {"double": "float", "bigint": "int", "string": "str"}
    fields = result.schema.fields
    passthrough = [c for c in EXAMPLE.columns if c not in set(ML.item_ids)]
    assert [f.name for f in fields] == [*passthrough, *names]
    assert {f.name: spark_kind[f.dataType.simpleString()] for f in fields[len(passthrough) :]} == {
        n: kinds[n] for n in names
    }
    # the same names and types as the expression engine gave on Spark (which takes
    # long to plan the careless indicators: without them, and compared without them)
    frame = spark.createDataFrame(EXAMPLE)
    native = mgrlead.score_frame(ML, frame, engine="native", careless=False)
    plain = mgrlead.score_frame(ML, frame, careless=False)
    assert [(f.name, f.dataType) for f in native.schema.fields] == [
        (f.name, f.dataType) for f in plain.schema.fields
    ]


def _bad(frame: pd.DataFrame) -> pd.DataFrame:
    bad = frame.copy()
    bad.loc[17, "pr2"] = 9
    bad.loc[19, "mc3"] = 2.5
    return bad


def _eager_message(frame: pd.DataFrame) -> str:
    with pytest.raises(AnswerError) as caught:
        mgrlead.score_frame(ML, frame)
    assert caught.value.row == 17
    return str(caught.value)


def test_bad_cells_on_spark_give_the_eager_message(spark: SparkSession) -> None:
    frame = _bad(with_rows(EXAMPLE))
    message = _eager_message(frame)
    assert message.startswith("row 17: item 'pr2': 9.0 is outside the scale 1..5")
    assert message.endswith("(and 1 more bad cells)")
    with pytest.raises(AnswerError) as caught:
        mgrlead.score_frame(ML, spark_frame(spark, frame, parts=4))  # row 17: the 4th partition
    assert str(caught.value) == message
    assert (caught.value.item, caught.value.row) == ("pr2", 17)


def test_bad_cells_on_dask_give_the_eager_message() -> None:
    frame = _bad(with_rows(EXAMPLE))
    message = _eager_message(frame)
    with pytest.raises(AnswerError) as caught:
        mgrlead.score_frame(ML, dd.from_pandas(frame, npartitions=3))
    assert str(caught.value) == message
    assert (caught.value.item, caught.value.row) == ("pr2", 17)


def test_unchecked_bad_cells_fail_the_spark_job_with_the_mgrlead_message(
    spark: SparkSession,
) -> None:
    frame = _bad(with_rows(EXAMPLE))
    plan = scorer(ML).plan
    lazy = nw.from_native(spark_frame(spark, frame, parts=1))
    result = score_partitions(plan, lazy, validate=False)  # no first pass
    with pytest.raises(Exception, match=r"AnswerError: partition 0, row 17: item 'pr2': 9\.0"):
        result.collect()


def test_summaries_add_up_in_partition_order() -> None:
    plan = scorer(ML, missing="mean").plan
    n = len(plan.items)
    clean = Summary(rows=4, counts=[[1, 0, 0, 0, 0]] * n)
    bad = Summary(rows=3, bad=2, bad_item=1, bad_row=2, bad_value=7.0)
    later = Summary(rows=5, bad=1, bad_item=0, bad_row=0, bad_value=0.0)
    total = clean.then(bad).then(later)
    assert (total.rows, total.bad, total.bad_item, total.bad_row) == (12, 3, 1, 6)
    with pytest.raises(
        AnswerError, match=r"^row 6: item 'pr2': 7\.0 is outside .*2 more bad cells"
    ):
        conclude(plan, [clean, bad, later])
    fills = conclude(plan, [clean, clean])
    assert fills is not None
    assert fills["mean"] == [1.0] * n  # everyone answered code 1 (scored 1 on 1..5)


def test_unchecked_bad_cells_fail_the_dask_computation_with_the_partition_and_row() -> None:
    frame = _bad(with_rows(EXAMPLE))
    lazy = nw.from_native(dd.from_pandas(frame, npartitions=4))  # rows 15..19: partition 3
    result = score_partitions(scorer(ML).plan, lazy, validate=False)
    with pytest.raises(AnswerError, match=r"^partition 3, row 2: item 'pr2': 9\.0 is outside"):
        result.compute()


@pytest.mark.parametrize("missing", [None, "mean"])
def test_an_empty_frame_gives_no_rows(spark: SparkSession, missing: str | None) -> None:
    frame = with_rows(EXAMPLE).iloc[:0]
    schema = spark.createDataFrame(with_rows(EXAMPLE)).schema
    empty = spark.createDataFrame([], schema)  # no partition at all
    assert_matches_numpy(
        ML, frame, collected(mgrlead.score_frame(ML, empty, missing=missing)), missing=missing
    )
    dask_empty = dd.from_pandas(frame, npartitions=1)
    assert_matches_numpy(
        ML, frame, collected(mgrlead.score_frame(ML, dask_empty, missing=missing)), missing=missing
    )


def test_spark_scores_theta_per_partition(spark: SparkSession) -> None:
    """θ (issue 17, part 2): each partition's numpy engine, bit for bit; flags as booleans."""
    from .test_irt_strategy import _banded, _matrix  # noqa: PLC0415 - its θ rubric

    rubric = _banded(method="map", confidence=0.5)
    frame = with_rows(pd.DataFrame(_matrix(7, n=23), columns=rubric.item_ids))
    result = mgrlead.score_frame(rubric, spark_frame(spark, frame))
    types = {f.name: f.dataType.simpleString() for f in result.schema.fields}
    assert types["process_results_theta"] == "double"
    assert types["process_results_theta_borderline"] == "boolean"
    got = collected(result)
    expected = mgrlead.score_frame(rubric, frame)
    assert list(got) == list(expected.columns)
    for name in expected.columns:
        assert [_bits(v) for v in got[name]] == [_bits(v) for v in expected[name]], name
    flags = {v for d in rubric.dimensions for v in got[f"{d.id}_theta_borderline"]}
    assert {True, False} <= flags
