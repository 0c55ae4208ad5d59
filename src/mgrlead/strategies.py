"""Scoring strategies: which number becomes a dimension's headline ``score``.

Every dimension score always carries its sum, mean, percent and position (see
:mod:`mgrlead.engines.kernel`); a strategy turns those into the headline ``score``.  A
strategy is a frozen attrs object with a ``name`` and two methods:

- :meth:`ScoringStrategy.score` receives a :class:`DimensionStats`, whose fields
  are floats when one respondent is scored, numpy arrays in batch scoring and
  narwhals expressions on a lazy frame (polars, DuckDB, Dask, PySpark).  Write it
  with arithmetic (``+ - * /``, comparisons) and the functions of
  ``stats.ops`` (``where``, ``maximum``, ``minimum``, ``clip``, ``abs``,
  ``sqrt``, ``exp``, ``log``, ``floor``, ``ceil``): then every engine runs the
  very same formula.  A strategy that needs numpy itself sets
  :attr:`ScoringStrategy.numpy_only`; the lazy engines then refuse it with an
  error that names it, and score eager frames with numpy instead;
- :meth:`ScoringStrategy.bounds` says the lowest and highest score it can give.

Plugins add strategies with :func:`mgrlead.plugins.hookspecs.mgrlead_register_strategies`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Protocol

from attrs import field, frozen
from attrs.validators import instance_of, matches_re

__all__ = [
    "BUILTIN_STRATEGIES",
    "DimensionStats",
    "MeanStrategy",
    "PercentStrategy",
    "ProratedSumStrategy",
    "ScoringStrategy",
    "StrategyResolver",
    "SumStrategy",
    "WeightedMeanStrategy",
]


class StrategyResolver(Protocol):
    """Anything that turns a strategy name into a strategy (a plugin host does)."""

    def resolve_strategy(self, name: str) -> ScoringStrategy:
        """The strategy registered under ``name``; raises :class:`~mgrlead.RubricError` if none."""
        ...  # pragma: no cover - a protocol


@frozen(kw_only=True)
class DimensionStats:
    """What a strategy may use: floats for one respondent, numpy arrays for a batch."""

    sum: Any
    """Weighted sum of the answered items after reverse keying."""
    mean: Any
    """Weighted mean of the answered items after reverse keying (item metric)."""
    percent: Any
    """0-100 percent of maximum possible."""
    position: Any
    """-1 (low pole) to +1 (high pole)."""
    answered: Any
    """How many items were answered."""
    n_items: int
    """How many items the dimension has."""
    scale_min: float
    """The lowest point of the items' scale."""
    scale_max: float
    """The highest point of the items' scale."""
    weight_total: float
    """The sum of the weights of all the dimension's items."""
    ops: Any = None
    """The operations of the engine that runs (``stats.ops.maximum(stats.mean, 2.0)``).

    Python floats, numpy arrays or narwhals expressions all satisfy them; see
    :mod:`mgrlead.engines.ops`.  ``None`` only where no engine runs (bounds)."""


@frozen(kw_only=True)
class ScoringStrategy:
    """Base class of scoring strategies; subclass it and override :meth:`score`."""

    name: str = field(validator=matches_re(r"[a-z][a-z0-9_\-]*"))
    """The name rubrics and the CLI use to pick the strategy."""
    description: str = field(default="", validator=instance_of(str))
    """One sentence on what the score means."""
    numpy_only: ClassVar[bool] = False
    """Set to ``True`` in a subclass whose :meth:`score` calls numpy itself: it then
    runs on one respondent and in numpy batches, and the lazy engines refuse it."""
    scores_theta: ClassVar[bool] = False
    """``True`` for the ``theta`` strategy (:class:`mgrlead.irt.ThetaStrategy`), which
    scores from the answers themselves rather than from the sums: every engine
    then runs its ``theta_columns`` on numpy answer matrices (one respondent as a
    batch of one, lazy frames batch by batch, Dask and Spark per partition) and
    adds the θ metrics (:data:`mgrlead.results.THETA_METRICS`)."""

    def prepare(self, rubric: Any) -> ScoringStrategy:  # noqa: ANN401, ARG002 - a Rubric
        """The strategy that scores ``rubric``: called once when the rubric is compiled.

        The default is the strategy itself; a strategy with options in the rubric
        (``theta``) returns itself with them, or raises
        :class:`~mgrlead.RubricError` when it cannot score the rubric.
        """
        return self

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401 - float or array
        """The headline score from a dimension's statistics."""
        raise NotImplementedError

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        """The lowest and highest score this strategy can give for such a dimension."""
        raise NotImplementedError


@frozen(kw_only=True)
class MeanStrategy(ScoringStrategy):
    """The weighted mean of the answered items, in the item metric (psych's default)."""

    name: str = "mean"
    description: str = "Mean of the answered items on the response scale."

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401, D102
        return stats.mean

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: D102
        return (stats.scale_min, stats.scale_max)


@frozen(kw_only=True)
class WeightedMeanStrategy(MeanStrategy):
    """The weighted mean, by its own name: ``mean`` always applies item weights.

    With unit weights (the default) both are the plain mean of the answered items.
    """

    name: str = "weighted_mean"
    description: str = "Mean of the answered items, each counted with its weight."


@frozen(kw_only=True)
class SumStrategy(ScoringStrategy):
    """The weighted sum of the answered items (grows with the number answered)."""

    name: str = "sum"
    description: str = "Sum of the answered items; unanswered items add nothing."

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401, D102
        return stats.sum

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: D102
        low = min(0.0, stats.scale_min * stats.weight_total)
        high = max(0.0, stats.scale_max * stats.weight_total)
        return (low, high)


@frozen(kw_only=True)
class ProratedSumStrategy(ScoringStrategy):
    """The mean times the number of items: a sum that missing answers do not shrink."""

    name: str = "prorated_sum"
    description: str = "Mean of the answered items times the number of items."

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401, D102
        return stats.mean * stats.n_items

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: D102
        return (stats.scale_min * stats.n_items, stats.scale_max * stats.n_items)


@frozen(kw_only=True)
class PercentStrategy(ScoringStrategy):
    """0-100 percent of maximum possible (POMP), 0 at the low pole."""

    name: str = "percent"
    description: str = "Percent of maximum possible, 0 at the low pole and 100 at the high pole."
    RANGE: ClassVar[tuple[float, float]] = (0.0, 100.0)

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401, D102
        return stats.percent

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: ARG002, D102
        return self.RANGE


#: The strategies that ship with mgrlead, by name.
BUILTIN_STRATEGIES: Final[dict[str, ScoringStrategy]] = {
    s.name: s
    for s in (
        MeanStrategy(),
        WeightedMeanStrategy(),
        SumStrategy(),
        ProratedSumStrategy(),
        PercentStrategy(),
    )
}
