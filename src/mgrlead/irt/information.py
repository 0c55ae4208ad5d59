"""How precisely a dimension measures θ: item peaks, test information, SE(θ) and its precise range.

What ``mgrlead irt show`` prints and the information charts draw, computed
from the item parameters alone (no data).  The standard error at θ is the one
a score there can expect, ``1 / sqrt(I(θ) + 1 / sd²)`` under a normal prior of
SD ``sd`` (the MAP standard error, which the EAP posterior SD approaches as
items are added), or ``1 / sqrt(I(θ))`` without a prior (ML).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from attrs import field, frozen

from mgrlead.errors import RubricError
from mgrlead.irt.fit import marginal_reliability
from mgrlead.irt.models import item_information
from mgrlead.irt.scoring import Prior, dimension_information, plan_for

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import IrtParams, Rubric

    Floats = npt.NDArray[np.float64]

__all__ = [
    "DEFAULT_POINTS",
    "DEFAULT_TARGET_SE",
    "DimensionInformation",
    "ItemInformation",
    "information_peak",
    "information_summary",
    "precise_ranges",
    "standard_error",
    "theta_span",
]

#: The θ values at which a summary reports the information and the SE.
DEFAULT_POINTS: Final = (-2.0, -1.0, 0.0, 1.0, 2.0)
#: The SE a summary's precise range asks for (``1 - 0.4² = 0.84``, a reliability of about .84).
DEFAULT_TARGET_SE: Final = 0.4
#: Grid steps per unit of θ when searching peaks and crossings (then refined).
_GRID_STEPS: Final = 100
#: Bisection and golden-section iterations (each halves, or shrinks by 0.618, the bracket).
_REFINE: Final = 80


def standard_error(information: npt.ArrayLike, prior: Prior | None) -> Floats:
    """The standard error at θ from the test information there: ``1 / sqrt(I + 1/sd²)``.

    ``prior`` ``None`` (ML): ``1 / sqrt(I)``, infinite where the information is 0.
    """
    import numpy as np  # noqa: PLC0415

    info = np.asarray(information, dtype=np.float64)
    precision = 0.0 if prior is None else 1.0 / (prior.sd * prior.sd)
    with np.errstate(divide="ignore"):
        return 1.0 / np.sqrt(info + precision)


def theta_span(params: Sequence[IrtParams], *, margin: float = 4.0) -> tuple[float, float]:
    """A θ range that holds what matters for these items: -6..6, widened to their parameters ± margin."""  # noqa: E501
    values = [v for p in params for v in p.effective_steps()]
    lower = min([-6.0, *(v - margin for v in values)])
    upper = max([6.0, *(v + margin for v in values)])
    return lower, upper


def _grid(lower: float, upper: float) -> Floats:
    import numpy as np  # noqa: PLC0415

    return np.linspace(lower, upper, round((upper - lower) * _GRID_STEPS) + 1)


def information_peak(params: IrtParams) -> tuple[float, float]:
    """An item's largest information and the θ where it is: ``(max I(θ), θ)``.

    The best point of a grid of step 0.01 over :func:`theta_span`, refined by
    golden-section search between its neighbours (to about 1e-12).
    """
    import numpy as np  # noqa: PLC0415

    grid = _grid(*theta_span([params]))
    info = item_information(params, grid)
    best = int(np.argmax(info))
    lo = float(grid[max(best - 1, 0)])
    hi = float(grid[min(best + 1, len(grid) - 1)])

    def at(t: float) -> float:
        return float(item_information(params, np.array([t]))[0])

    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = at(c), at(d)
    for _ in range(_REFINE):
        if fc >= fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = at(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = at(d)
    theta = (lo + hi) / 2.0
    peak = at(theta)
    if peak < float(info[best]):  # a flat top: keep the grid's point
        return float(info[best]), float(grid[best])
    return peak, theta


def precise_ranges(
    rubric: Rubric, dimension: str, target_se: float, prior: Prior | None
) -> tuple[tuple[float, float], ...]:
    """The θ intervals where the dimension's SE(θ) is at most ``target_se``.

    Usually one interval; none when the items never measure that precisely;
    ``(-inf, inf)`` when the prior alone is that precise (``target_se >= sd``).
    The ends are found on a grid of step 0.01 and refined by bisection.

    Raises:
        RubricError: ``target_se`` is not a positive number, or the dimension has no parameters.
    """
    import numpy as np  # noqa: PLC0415

    if not (math.isfinite(target_se) and target_se > 0):
        raise RubricError(f"the target SE must be a positive number, got {target_se!r}")
    plan = plan_for(rubric, (dimension,))
    precision = 0.0 if prior is None else 1.0 / (prior.sd * prior.sd)
    need = 1.0 / (target_se * target_se) - precision  # SE <= target  <=>  I(θ) >= need
    if need <= 0.0:
        return ((-math.inf, math.inf),)

    def excess(t: Floats) -> Floats:
        return dimension_information(rubric, dimension, t) - need

    lower, upper = theta_span([m.params for m in plan.dimensions[0].members])
    # information falls to 0 far from every parameter: widen until both ends fall short
    while excess(np.array([lower]))[0] >= 0.0 and lower > -1e3:
        lower *= 2.0
    while excess(np.array([upper]))[0] >= 0.0 and upper < 1e3:
        upper *= 2.0
    grid = _grid(lower, upper)
    inside = excess(grid) >= 0.0
    if not inside.any():
        return ()
    edges = np.flatnonzero(np.diff(inside.astype(np.int8)))

    def crossing(k: int) -> float:
        a, b = float(grid[k]), float(grid[k + 1])
        rising = not inside[k]
        for _ in range(_REFINE):
            mid = (a + b) / 2.0
            if (excess(np.array([mid]))[0] >= 0.0) == rising:
                b = mid
            else:
                a = mid
        return (a + b) / 2.0

    ends = [crossing(int(k)) for k in edges]
    if inside[0]:
        ends.insert(0, -math.inf)
    if inside[-1]:
        ends.append(math.inf)
    return tuple((ends[i], ends[i + 1]) for i in range(0, len(ends), 2))


@frozen(kw_only=True)
class ItemInformation:
    """One item of a dimension: its parameters (toward the high pole) and where it measures best."""

    id: str
    """The item id."""
    reverse: bool
    """Whether it is reverse-keyed in the dimension (its parameters describe ``max - x``)."""
    params: IrtParams
    """Its declared parameters."""
    peak: float
    """Its largest information."""
    peak_at: float
    """The θ of that largest information."""


@frozen(kw_only=True)
class DimensionInformation:
    """What a dimension's items measure, and how precisely, along θ (no data needed).

    The ``reliability`` field is the dimension's *marginal* reliability
    (:func:`mgrlead.irt.marginal_reliability`, under the summary's prior, or
    N(0, 1) when it has none).
    """

    dimension: str
    """The dimension id."""
    items: tuple[ItemInformation, ...]
    """Its items, in rubric order."""
    prior: Prior | None
    """The prior of the SE (``None``: ML's ``1 / sqrt(I)``)."""
    points: tuple[float, ...]
    """The θ values reported."""
    information: tuple[float, ...]
    """The test information at each point (the sum of the items')."""
    se: tuple[float, ...]
    """The standard error at each point (:func:`standard_error`)."""
    target_se: float
    """The SE the precise ranges ask for."""
    precise: tuple[tuple[float, float], ...]
    """The θ intervals where the SE is at most ``target_se`` (:func:`precise_ranges`)."""
    reliability: float | None = field(default=None)
    """The marginal reliability (see the class docstring); ``None`` when not computed."""


def information_summary(  # noqa: PLR0913 - the summary's options
    rubric: Rubric,
    dimension: str,
    *,
    points: Sequence[float] = DEFAULT_POINTS,
    prior: Prior | None = None,
    ml: bool = False,
    target_se: float = DEFAULT_TARGET_SE,
) -> DimensionInformation:
    """A dimension's item peaks, test information and SE at ``points``, and its precise range.

    Args:
        rubric: A rubric whose dimension's items all carry IRT parameters.
        dimension: The dimension id.
        points: The θ values to report information and SE at.
        prior: The normal prior of the SE (default N(0, 1)).
        ml: No prior: the SE is ``1 / sqrt(I(θ))``.
        target_se: The SE whose θ range is reported.

    Raises:
        RubricError: the dimension does not exist or an item of it has no parameters;
            ``prior`` with ``ml``; a point that is not finite.
    """
    import numpy as np  # noqa: PLC0415

    if ml and prior is not None:
        raise RubricError("the ML standard error uses no prior; leave prior out")
    used = None if ml else (prior if prior is not None else Prior())
    at = np.asarray([float(p) for p in points], dtype=np.float64)
    if not np.isfinite(at).all():
        raise RubricError(f"θ points must be finite numbers, got {list(points)!r}")
    plan = plan_for(rubric, (dimension,))
    items = []
    for m in plan.dimensions[0].members:
        peak, where = information_peak(m.params)
        items.append(
            ItemInformation(
                id=plan.items[m.column].id, reverse=m.reverse, params=m.params, peak=peak,
                peak_at=where,
            )
        )  # fmt: skip
    info = dimension_information(rubric, dimension, at)
    return DimensionInformation(
        dimension=dimension,
        items=tuple(items),
        prior=used,
        points=tuple(float(p) for p in at),
        information=tuple(float(v) for v in info),
        se=tuple(float(v) for v in standard_error(info, used)),
        target_se=target_se,
        precise=precise_ranges(rubric, dimension, target_se, used),
        reliability=marginal_reliability(rubric, dimension, prior=used or Prior()),
    )
