"""mgrlead-weights: organisation weighting schemes and a signed scoring strategy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from mgrlead import Weighting, hookimpl
from mgrlead.strategies import DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    from mgrlead.plugins.hookspecs import Registrar

__version__ = "1.0.0"

RESULTS_FIRST = Weighting(
    id="results-first",
    dimensions={"process_results": 2.0, "structure_strategy": 2.0},
    description="Results orientation and strategic thinking count twice.",
)
PEOPLE_FIRST = Weighting(
    id="people-first",
    dimensions={"staff_counsel": 2.0, "memos_coaching": 2.0},
    description="Guiding people and coaching them count twice.",
)


@frozen(kw_only=True)
class SignedStrategy(ScoringStrategy):
    """-100 at the low (manager) pole, 0 in the middle, +100 at the high (leader) pole."""

    name: str = "signed"
    description: str = "From -100 (low pole) through 0 to +100 (high pole)."

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401 - float or array
        """The position between the poles, times 100."""
        return stats.position * 100.0

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: ARG002
        """Always -100 to +100."""
        return (-100.0, 100.0)


@hookimpl
def mgrlead_register_weightings(register: Registrar) -> None:
    """Register ``results-first`` and ``people-first``."""
    register(RESULTS_FIRST)
    register(PEOPLE_FIRST)


@hookimpl
def mgrlead_register_strategies(register: Registrar) -> None:
    """Register the ``signed`` strategy."""
    register(SignedStrategy())
