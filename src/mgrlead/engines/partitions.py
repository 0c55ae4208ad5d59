"""Dask DataFrames, scored partition by partition with the batch engine.

A Dask DataFrame is a collection of pandas partitions: each is scored where it
lies by the numpy batch engine (:mod:`mgrlead.engines.batch`), through
``map_partitions``, so the result is a lazy Dask DataFrame whose task graph has
one task per partition, whatever the rubric.  (Run as narwhals expressions,
Dask's planner takes seconds to minutes over the hundreds of expressions of the
careless-responding indicators.)

Before that, one small aggregate runs over the whole frame (as for every lazy
engine, :func:`mgrlead.engines.lazy.prepare`): the check of every cell, and the
code counts that give imputation the exact item means and medians of the
*whole* frame, which every partition then uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mgrlead.engines.frames import score_eager
from mgrlead.engines.lazy import prepare

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = ["score_partitions"]


def score_partitions(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401 - a narwhals LazyFrame of Dask
    *,
    validate: bool = True,
    careless: bool = True,
) -> Any:  # noqa: ANN401
    """Score a Dask frame (as narwhals) partition by partition; returns a Dask DataFrame.

    Raises:
        InputError: an item column is absent.
        AnswerError: a column is not numeric, or holds cells that are not answers.
    """
    import narwhals as nw  # noqa: PLC0415

    _, fills = prepare(plan, frame, validate=validate)
    native = frame.to_native()

    def score(partition: Any) -> Any:  # noqa: ANN401 - a pandas DataFrame
        eager = nw.from_native(partition, eager_only=True)
        return score_eager(plan, eager, careless=careless, fills=fills)

    return native.map_partitions(score, meta=score(native._meta))  # noqa: SLF001 - Dask's own
