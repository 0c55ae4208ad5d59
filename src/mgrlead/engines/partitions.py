"""Dask and PySpark DataFrames, scored partition by partition with the batch engine.

A Dask or Spark DataFrame is a collection of partitions.  Each is scored where
it lies by the numpy batch engine (:func:`mgrlead.engines.batch.score_matrix`,
the same kernel every engine runs): Dask through ``map_partitions`` (a pandas
frame per partition), Spark through ``mapInArrow`` (Arrow record batches,
straight into a numpy matrix and the score columns straight back out as Arrow).
The result is a lazy frame of the same kind whose plan has one step, whatever
the rubric.  (Run as narwhals expressions, Dask's planner takes seconds to
minutes over the hundreds of expressions of the careless-responding indicators,
and Spark's analyzer may not finish at all.)

Before that, a *first pass* runs over every partition, in parallel, with the
same numpy code (:func:`summarize`): each partition reports its number of rows,
its first cell that is not an answer (and how many there are), and, when a
dimension imputes, how often each response code was given.  The driver adds
these up in partition order (:func:`conclude`), so a bad cell is refused with
the same :class:`~mgrlead.errors.AnswerError` the eager engines give, naming the
item and the row counted from 0 over the whole frame, before any scoring job
runs; and imputation uses the exact item means and medians of the *whole*
frame, sent to every partition as plain Python numbers.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import evolve, field, frozen

from mgrlead.engines.batch import code_counts, code_indices, fills_from_counts, score_matrix
from mgrlead.engines.checks import all_valid, check_answer, invalid
from mgrlead.engines.frames import band_strings, columns_to_matrix, eager_columns, score_eager
from mgrlead.engines.lazy import check_columns
from mgrlead.engines.ops import NUMPY
from mgrlead.errors import AnswerError
from mgrlead.extras import pyarrow
from mgrlead.results import column_kinds, score_column_names

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.engines.batch import BatchScores, Fills
    from mgrlead.plan import ScoringPlan

__all__ = ["Summary", "conclude", "partitioned", "score_partitions", "summarize"]


def _tuples(value: Iterable[Iterable[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(c) for c in counts) for counts in value)


@frozen(kw_only=True)
class Summary:
    """What the first pass learns from some rows (a partition, or all): plain values only."""

    rows: int
    """How many rows."""
    bad: int = 0
    """How many cells are not answers."""
    bad_item: int = -1
    """The item (its index in the plan) of the first such cell; -1: none."""
    bad_row: int = -1
    """The row of that cell, counted from 0 in these rows."""
    bad_value: float = math.nan
    """The value of that cell."""
    counts: tuple[tuple[int, ...], ...] = field(default=(), converter=_tuples)
    """How often each code of each item was given (empty when not counted)."""

    def then(self, later: Summary) -> Summary:
        """These rows followed by ``later``'s: counts added, the first bad cell kept."""
        first = self
        if not self.bad and later.bad:
            first = evolve(later, bad_row=self.rows + later.bad_row)
        if self.counts and later.counts:
            counts = tuple(
                tuple(a + b for a, b in zip(x, y, strict=True))
                for x, y in zip(self.counts, later.counts, strict=True)
            )
        else:
            counts = self.counts or later.counts
        return Summary(
            rows=self.rows + later.rows,
            bad=self.bad + later.bad,
            bad_item=first.bad_item,
            bad_row=first.bad_row,
            bad_value=first.bad_value,
            counts=counts,
        )


def summarize(
    plan: ScoringPlan, matrix: npt.NDArray[np.float64], *, validate: bool, count: bool
) -> Summary:
    """The first pass over one block of answers (``(rows, items)``, NaN missing).

    ``validate``: find the first cell that is not an answer (the rule of
    :func:`~mgrlead.engines.checks.invalid`, as the batch engine applies it);
    ``count``: count each item's codes (not when a cell is bad: the frame is
    refused anyway).
    """
    import numpy as np  # noqa: PLC0415

    by_item = np.asfortranarray(matrix).T  # one contiguous row per item
    out = Summary(rows=matrix.shape[0])
    if validate and not all_valid(plan.items, by_item):
        with np.errstate(invalid="ignore"):
            mask = np.column_stack(
                [invalid(NUMPY, matrix[:, i], it) for i, it in enumerate(plan.items)]
            )
        where = np.argwhere(mask)
        if len(where):
            row, item = (int(x) for x in where[0])
            return evolve(
                out, bad=len(where), bad_item=item, bad_row=row, bad_value=float(matrix[row, item])
            )
    if count:
        indices = [code_indices(it, by_item[i])[0] for i, it in enumerate(plan.items)]
        out = evolve(out, counts=code_counts(plan, indices))
    return out


def conclude(plan: ScoringPlan, summaries: Sequence[Summary]) -> Fills | None:
    """The partitions' summaries, in partition order, added up: the fill values, if imputing.

    Raises:
        AnswerError: for the first cell that is not an answer, naming the item
            and its row over the whole frame, as the eager engines do.
    """
    total = functools.reduce(Summary.then, summaries, Summary(rows=0))
    if total.bad:
        it = plan.items[total.bad_item]
        more = f" (and {total.bad - 1} more bad cells)" if total.bad > 1 else ""
        row = total.bad_row
        try:
            check_answer(it.id, total.bad_value, it.code_min, it.code_max, it.missing_codes)
        except AnswerError as exc:
            raise AnswerError(f"row {row}: {exc}{more}", item=it.id, row=row) from None
        raise AnswerError(  # pragma: no cover - invalid() and check_answer() agree
            f"row {row}: item {it.id!r}: {total.bad_value!r} is not an answer{more}",
            item=it.id,
            row=row,
        )
    if not plan.imputes:
        return None
    counts = total.counts or [[0] * len(it.codes) for it in plan.items]  # no partition
    return fills_from_counts(plan, counts)


def partitioned(frame: Any) -> bool:  # noqa: ANN401 - a narwhals frame
    """Whether a narwhals frame is scored here: Dask and PySpark (classic or Connect)."""
    impl = frame.implementation
    return bool(impl.is_dask() or impl.is_pyspark() or impl.is_pyspark_connect())


def score_partitions(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401 - a narwhals LazyFrame of Dask or PySpark
    *,
    validate: bool = True,
    careless: bool = True,
) -> Any:  # noqa: ANN401
    """Score a Dask or Spark frame (as narwhals) partition by partition; returns a native frame.

    The first pass (checks, code counts) runs now; the scoring runs when the
    result is computed (Dask) or collected (Spark).

    Raises:
        InputError: an item column is absent, or a column would be overwritten.
        AnswerError: a column is not numeric, or holds cells that are not answers.
    """
    names = check_columns(plan, frame)
    native = frame.to_native()
    if frame.implementation.is_dask():
        return _score_dask(plan, native, validate=validate, careless=careless)
    return _score_spark(plan, native, names, validate=validate, careless=careless)


# --- Dask -------------------------------------------------------------------------------


def _pandas_matrix(plan: ScoringPlan, partition: Any) -> npt.NDArray[np.float64]:  # noqa: ANN401
    """A pandas partition's answers, exactly as :func:`score_eager` reads them."""
    import narwhals as nw  # noqa: PLC0415

    eager = nw.from_native(partition, eager_only=True)
    return columns_to_matrix(plan, eager_columns(eager, plan))[0]


def _summarize_pandas(
    plan: ScoringPlan,
    partition: Any,  # noqa: ANN401 - a pandas DataFrame
    *,
    validate: bool,
    count: bool,
) -> Summary:
    return summarize(plan, _pandas_matrix(plan, partition), validate=validate, count=count)


def _score_dask(plan: ScoringPlan, native: Any, *, validate: bool, careless: bool) -> Any:  # noqa: ANN401
    import importlib  # noqa: PLC0415

    import narwhals as nw  # noqa: PLC0415

    dask: Any = importlib.import_module("dask")  # untyped

    fills = None
    if validate or plan.imputes:
        task = dask.delayed(_summarize_pandas, pure=True)
        count = bool(plan.imputes)
        summaries = dask.compute(
            *(task(plan, part, validate=validate, count=count) for part in native.to_delayed())
        )
        fills = conclude(plan, summaries)

    def score(partition: Any, partition_info: dict[str, Any] | None = None) -> Any:  # noqa: ANN401 - a pandas DataFrame
        eager = nw.from_native(partition, eager_only=True)
        try:
            return score_eager(plan, eager, careless=careless, fills=fills)
        except AnswerError as exc:  # only when not validated first
            number = "?" if partition_info is None else partition_info["number"]
            raise AnswerError(f"partition {number}, {exc}", item=exc.item, row=exc.row) from None

    meta = score(native._meta)  # noqa: SLF001 - Dask's own
    return native.map_partitions(score, meta=meta, partition_info=True)


# --- Spark ------------------------------------------------------------------------------

#: The first pass's result, one row per partition (Spark's DDL).
_SUMMARY_SCHEMA: Final = (
    "part long, rows long, bad long, bad_item long, bad_row long, bad_value double, "
    "counts array<long>"
)


def _arrow_matrix(plan: ScoringPlan, batch: Any) -> npt.NDArray[np.float64]:  # noqa: ANN401
    """An Arrow record batch's answers as floats, null and NaN as NaN (missing)."""
    import numpy as np  # noqa: PLC0415

    pa = pyarrow()
    matrix = np.empty((batch.num_rows, len(plan.items)), dtype=np.float64, order="F")
    for j, item in enumerate(plan.item_ids):
        column = batch.column(item).cast(pa.float64(), safe=False)  # as numpy's astype
        matrix[:, j] = column.to_numpy(zero_copy_only=False)  # null: NaN
    return matrix


def _partition_id() -> int:
    from pyspark import TaskContext  # noqa: PLC0415

    context = TaskContext.get()
    return 0 if context is None else int(context.partitionId())


def _summarize_arrow(
    plan: ScoringPlan, validate: bool, count: bool, batches: Iterator[Any]
) -> Iterator[Any]:
    """The first pass over one Spark partition: one row (:data:`_SUMMARY_SCHEMA`)."""
    pa = pyarrow()
    total = Summary(rows=0)
    for batch in batches:
        total = total.then(
            summarize(plan, _arrow_matrix(plan, batch), validate=validate, count=count)
        )
    row = {
        "part": [_partition_id()],
        "rows": [total.rows],
        "bad": [total.bad],
        "bad_item": [total.bad_item],
        "bad_row": [total.bad_row],
        "bad_value": [total.bad_value],
        "counts": [[c for counts in total.counts for c in counts]],
    }
    types = {"bad_value": pa.float64(), "counts": pa.list_(pa.int64())}
    yield pa.RecordBatch.from_pydict(
        row, schema=pa.schema([(name, types.get(name, pa.int64())) for name in row])
    )


def _map_in_arrow(native: Any, fn: Any, schema: Any) -> Any:  # noqa: ANN401
    """``native.mapInArrow(fn, schema)``, without PySpark's warning about the pandas version.

    PySpark warns on every ``mapInArrow`` that it does not support pandas 3 yet;
    these functions read and write Arrow only, never pandas.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        return native.mapInArrow(fn, schema)


def _spark_summaries(plan: ScoringPlan, native: Any, *, validate: bool) -> list[Summary]:  # noqa: ANN401
    """The first pass on Spark: one job, one small row per partition, in partition order.

    It reads the item columns through Arrow into numpy, as the scoring does:
    measured on a million rows in local mode, that took 2 to 2.5 s where
    Spark's own aggregate of the same counts (:func:`mgrlead.engines.lazy.prepare`,
    144 expressions) took 4 to 11 s.
    """
    from pyspark.sql import functions  # noqa: PLC0415

    count = bool(plan.imputes)
    fn = functools.partial(_summarize_arrow, plan, validate, count)
    # the item columns only (a name with a dot or a backtick is quoted, not a path)
    items = native.select(*(functions.col(f"`{i.replace('`', '``')}`") for i in plan.item_ids))
    rows = sorted(_map_in_arrow(items, fn, _SUMMARY_SCHEMA).collect(), key=lambda r: r["part"])
    sizes = [len(it.codes) for it in plan.items]
    out = []
    for r in rows:
        flat = list(r["counts"] or ())
        counts = []
        for size in sizes if flat else ():
            counts.append(flat[:size])
            flat = flat[size:]
        out.append(
            Summary(
                rows=r["rows"],
                bad=r["bad"],
                bad_item=r["bad_item"],
                bad_row=r["bad_row"],
                bad_value=r["bad_value"],
                counts=counts,
            )
        )
    return out


def _arrow_scores(batch: BatchScores, kinds: dict[str, str]) -> list[Any]:
    """The score columns of a batch as Arrow arrays of their kind; NaN as null."""
    pa = pyarrow()
    codes = batch.band_codes()
    types = {"float": pa.float64(), "int": pa.int64(), "str": pa.string(), "bool": pa.bool_()}
    out = []
    for name, values in batch.columns(band_ids=False).items():
        if name in codes:
            out.append(band_strings(*codes[name]))
        else:
            out.append(pa.array(values, type=types[kinds[name]], from_pandas=True))
    return out


def _score_arrow(  # noqa: PLR0913, PLR0917 - what one partition needs, bound by functools.partial
    plan: ScoringPlan,
    passthrough: Sequence[str],
    careless: bool,
    fills: Fills | None,
    kinds: dict[str, str],
    batches: Iterator[Any],
) -> Iterator[Any]:
    """Score one Spark partition, batch by batch: the pass-through columns, then the scores."""
    pa = pyarrow()
    names = [*passthrough, *score_column_names(plan.dimension_ids, careless=careless,
                                               theta=plan.strategy.scores_theta)]  # fmt: skip
    done = 0
    for batch in batches:
        try:
            scores = score_matrix(
                plan, _arrow_matrix(plan, batch), careless=careless, fills=fills, row_offset=done
            )
        except AnswerError as exc:  # only when not validated first
            raise AnswerError(
                f"partition {_partition_id()}, {exc}", item=exc.item, row=exc.row
            ) from None
        done += batch.num_rows
        arrays = [batch.column(n) for n in passthrough] + _arrow_scores(scores, kinds)
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def _spark_type(kind: str) -> Any:  # noqa: ANN401
    from pyspark.sql import types  # noqa: PLC0415

    spark = {"float": types.DoubleType, "int": types.LongType, "str": types.StringType}
    return spark.get(kind, types.BooleanType)()


def _score_spark(
    plan: ScoringPlan,
    native: Any,  # noqa: ANN401 - a pyspark DataFrame
    names: Sequence[str],
    *,
    validate: bool,
    careless: bool,
) -> Any:  # noqa: ANN401
    from pyspark.sql import types  # noqa: PLC0415

    fills = None
    if validate or plan.imputes:
        fills = conclude(plan, _spark_summaries(plan, native, validate=validate))
    items = set(plan.item_ids)
    passthrough = [n for n in names if n not in items]
    kinds = column_kinds(plan.dimension_ids, norms=False)
    fields = [native.schema[n] for n in passthrough]
    fields += [
        types.StructField(name, _spark_type(kinds[name]), nullable=True)
        for name in score_column_names(
            plan.dimension_ids, careless=careless, theta=plan.strategy.scores_theta
        )
    ]
    fills = None if fills is None else {k: list(v) for k, v in fills.items()}
    fn = functools.partial(_score_arrow, plan, passthrough, careless, fills, kinds)
    return _map_in_arrow(native, fn, types.StructType(fields))
