"""Simulated answers from a rubric's item parameters: for tests, docs and planning.

``simulate(rubric, n, seed)`` draws θ ~ N(0, 1) per dimension (independent),
then each item's *keyed* category from the model's category probabilities
(:mod:`mgrlead.irt.models`), and turns it into the response code the
respondent would give (``min + k``, or ``max - k`` for a reverse-keyed item).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from mgrlead.errors import RubricError
from mgrlead.irt.models import category_log_probabilities
from mgrlead.irt.scoring import irt_dimensions

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import Rubric

    Floats = npt.NDArray[np.float64]

__all__ = ["Simulation", "simulate"]


@frozen(kw_only=True, eq=False)
class Simulation:
    """Simulated respondents: their answers and the true θ they were drawn from."""

    answers: Floats
    """``(n, items)`` response codes in ``rubric.item_ids`` order; NaN: not answered
    (or an item of no simulated dimension)."""
    theta: Mapping[str, Floats]
    """The true θ of each respondent, per simulated dimension."""


def simulate(  # noqa: PLR0913 - the simulation's options
    rubric: Rubric,
    n: int,
    seed: int | None = None,
    *,
    dimensions: Sequence[str] | None = None,
    missing: float = 0.0,
    theta: Mapping[str, npt.ArrayLike] | None = None,
) -> Simulation:
    """Draw ``n`` respondents' answers from the item parameters the rubric declares.

    Args:
        rubric: A rubric whose items carry :class:`~mgrlead.model.IrtParams`.
        n: How many respondents.
        seed: The random seed (the same seed gives the same answers).
        dimensions: Which dimensions; default: every dimension whose items all
            carry parameters and that has no sub-dimension.  An item in two of
            them is drawn from the first.
        missing: The share of answers left out at random (NaN), 0 to 1.
        theta: The true θ per dimension (``n`` values each) instead of N(0, 1)
            draws.

    Raises:
        RubricError: a dimension that does not exist or whose items lack parameters.
    """
    import numpy as np  # noqa: PLC0415

    given: object = n
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise RubricError(f"n must be a positive whole number, got {n!r}")
    if not 0.0 <= missing < 1.0:
        raise RubricError(f"missing must be a share from 0 to below 1, got {missing!r}")
    if dimensions is None:
        scored = set(irt_dimensions(rubric))
        chosen = [d for d in rubric.walk() if d.id in scored and not d.dimensions]
    else:
        chosen = [
            rubric.dimension(d)
            for d in ([dimensions] if isinstance(dimensions, str) else dimensions)
        ]
    if not chosen:
        raise RubricError(
            f"rubric {rubric.id!r}: no dimension has IRT parameters on all its items; "
            "calibrate it (mgrlead.irt.calibrate) or declare them (docs/irt.md)"
        )
    rng = np.random.default_rng(seed)
    columns = {item_id: j for j, item_id in enumerate(rubric.item_ids)}
    answers = np.full((n, len(columns)), np.nan)
    done: set[str] = set()
    drawn: dict[str, Floats] = {}
    for dim in chosen:
        if theta is not None and dim.id in theta:
            t = np.asarray(theta[dim.id], dtype=np.float64)
            if t.shape != (n,):
                raise RubricError(f"theta[{dim.id!r}] must hold {n} values, got shape {t.shape}")
        else:
            t = rng.standard_normal(n)
        drawn[dim.id] = t
        for item_id, reverse in rubric.members(dim):
            item = rubric.item(item_id)
            if item.irt is None:
                raise RubricError(
                    f"dimension {dim.id!r}: item {item_id!r} carries no IRT parameters to "
                    "simulate from"
                )
            if item_id in done:
                continue
            done.add(item_id)
            prob = np.exp(category_log_probabilities(item.irt, t))  # (K, n)
            cum = np.cumsum(prob, axis=0)
            u = rng.random(n) * cum[-1]
            keyed = (u[None, :] > cum).sum(axis=0)
            scale = rubric.item_scale(item)
            codes = scale.max - keyed if reverse else scale.min + keyed
            answers[:, columns[item_id]] = codes
    if missing > 0:
        answers[rng.random(answers.shape) < missing] = np.nan
    out: dict[str, Any] = drawn
    return Simulation(answers=answers, theta=out)
