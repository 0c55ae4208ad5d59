"""EAP from sum scores (the Lord-Wingersky recursion), for data that has only sums.

For a dimension whose items all carry parameters, :func:`sum_score_table`
gives the EAP θ and posterior SD of every possible sum of keyed scores, from the
likelihood of each sum at each quadrature node:

    L_0(0 | θ) = 1
    L_i(s | θ) = Σ_k L_{i-1}(s - k | θ) P_ik(θ)

over the items ``i`` and their keyed categories ``k`` (Lord and Wingersky,
1984).  A sum assumes that every item was answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

from mgrlead.errors import AnswerError
from mgrlead.irt.models import category_log_probabilities
from mgrlead.irt.scoring import Prior, Quadrature, plan_for, prior_weights

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import Rubric

    Floats = npt.NDArray[np.float64]

__all__ = ["SumScoreTable", "sum_score_table"]


@frozen(kw_only=True, eq=False)
class SumScoreTable:
    """EAP θ for every sum score of one dimension (see :func:`sum_score_table`)."""

    dimension: str
    """The dimension id."""
    sums: Floats
    """Every possible sum of the items' keyed scores, lowest first (whole numbers)."""
    theta: Floats
    """The EAP θ of each sum."""
    se: Floats
    """Its posterior SD."""
    probability: Floats
    """How likely each sum is in the prior population (they add up to 1)."""

    def lookup(self, sums: npt.ArrayLike) -> tuple[Floats, Floats]:
        """θ and SE of each given sum (NaN stays NaN).

        Raises:
            AnswerError: a sum that is not a whole number in the table's range,
                naming its position.
        """
        import numpy as np  # noqa: PLC0415

        values = np.asarray(sums, dtype=np.float64)
        lo, hi = float(self.sums[0]), float(self.sums[-1])
        present = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            bad = present & ((values < lo) | (values > hi) | (values != np.floor(values)))
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise AnswerError(
                f"dimension {self.dimension!r}: sum {float(values[where])!r} at position "
                f"{where[0] if len(where) == 1 else where} is not a whole number from "
                f"{lo:g} to {hi:g} (the sums of complete answers)"
            )
        index = np.where(present, values - lo, 0).astype(np.intp)
        return (
            np.where(present, self.theta[index], np.nan),
            np.where(present, self.se[index], np.nan),
        )


def sum_score_table(
    rubric: Rubric,
    dimension: str,
    *,
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
) -> SumScoreTable:
    """EAP θ and SE of every sum of keyed scores of ``dimension`` (Lord-Wingersky).

    The sum is of the items' keyed scores on their declared scales (``x``, or
    ``min + max - x`` for a reverse-keyed item), every item answered: the
    rubric's ``sum`` when every item weighs 1 and nothing is missing.

    Raises:
        RubricError: the dimension does not exist, or an item of it has no parameters.
    """
    import numpy as np  # noqa: PLC0415

    used = prior if prior is not None else Prior()
    quad = quadrature if quadrature is not None else Quadrature()
    plan = plan_for(rubric, (dimension,))
    nodes = quad.nodes()
    likelihood = np.ones((1, len(nodes)))
    lowest = 0
    for m in plan.dimensions[0].members:
        p = np.exp(category_log_probabilities(m.params, nodes))  # keyed categories
        grown = np.zeros((len(likelihood) + len(p) - 1, len(nodes)))
        for k, row in enumerate(p):
            grown[k : k + len(likelihood)] += likelihood * row
        likelihood = grown
        item = plan.items[m.column]
        lowest += item.code_min  # the keyed score of category 0 is the scale's min
    joint = likelihood * prior_weights(used, nodes)  # (sums, nodes)
    total = joint.sum(axis=1)
    theta = (joint * nodes).sum(axis=1) / total
    d = nodes[None, :] - theta[:, None]
    se = np.sqrt((joint * d * d).sum(axis=1) / total)
    sums = np.arange(len(likelihood), dtype=np.float64) + lowest
    return SumScoreTable(
        dimension=dimension, sums=sums, theta=theta, se=se, probability=total / total.sum()
    )
