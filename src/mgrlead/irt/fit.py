"""Model fit and reliability of a dimension whose items carry IRT parameters.

Everything here takes the parameters as given (however they were estimated)
and the answers, and uses the model code of :mod:`mgrlead.irt.models` on the
quadrature grid of :class:`~mgrlead.irt.scoring.Quadrature`, weighted by the
normal :class:`~mgrlead.irt.scoring.Prior`:

* :func:`marginal_reliability`: ``sd² / (sd² + ∫ I(θ)⁻¹ g(θ) dθ)`` (mirt's
  ``marginal_rxx``);
* :func:`empirical_reliability`: ``var(EAP) / (var(EAP) + mean(SE²))`` (mirt's
  ``empirical_rxx``);
* :func:`item_fit`: S-X² (Orlando and Thissen, 2000; the polytomous form of
  Kang and Chen, 2008) on the complete cases of the dimension;
* :func:`global_fit`: the limited-information statistics M2 (Maydeu-Olivares
  and Joe, 2006), M2* and C2 (Cai and Monroe, 2014), with df, p, RMSEA and
  SRMSR, on the complete cases of the dimension.

docs/irt.md ("Model fit and reliability") states the formulas and the choices.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import field, frozen
from attrs.validators import in_

from mgrlead.engines.batch import code_indices
from mgrlead.engines.checks import all_valid, check_matrix
from mgrlead.errors import FitError, RubricError
from mgrlead.irt.models import category_log_probabilities
from mgrlead.irt.scoring import (
    BLOCK_ROWS,
    Prior,
    Quadrature,
    answer_values,
    check_grid_options,
    dimension_information,
    irt_dimensions,
    plan_for,
    prior_weights,
    score_theta,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import numpy.typing as npt

    from mgrlead.irt.scoring import IrtDimension, IrtPlan
    from mgrlead.model import IrtParams, Rubric

    Floats = npt.NDArray[np.float64]
    Ints = npt.NDArray[np.int64]

__all__ = [
    "GLOBAL_TYPES",
    "MIN_RESPONDENTS",
    "FitCell",
    "GlobalFit",
    "ItemFit",
    "empirical_reliability",
    "global_fit",
    "item_fit",
    "item_parameter_count",
    "marginal_reliability",
]

#: The limited-information statistics of :func:`global_fit`.
GLOBAL_TYPES: Final = ("M2", "M2*", "C2")
#: The fewest complete respondents :func:`item_fit` and :func:`global_fit` accept by default.
MIN_RESPONDENTS: Final = 50
#: The relative step of the central differences of the moments in the item parameters.
_STEP: Final = 1e-5


# ------------------------------------------------------------------ results
@frozen(kw_only=True)
class FitCell:
    """One cell of an item's S-X² table, after collapsing.

    The respondents whose summed score lies in ``scores`` (both ends
    included) and whose keyed category of the item lies in ``categories``.
    """

    scores: tuple[int, int]
    """The lowest and highest summed score of the group (sums of the scale's values,
    keyed: as :func:`mgrlead.irt.sum_score_table` counts them)."""
    categories: tuple[int, int]
    """The lowest and highest keyed category of the item (0: toward the low pole)."""
    observed: int
    """How many respondents fall in the cell."""
    expected: float
    """How many the model expects: the group's size times the model's probability."""


@frozen(kw_only=True)
class ItemFit:
    """The S-X² item fit of one item (see :func:`item_fit`)."""

    dimension: str
    """The dimension id."""
    item: str
    """The item id."""
    statistic: float
    """S-X²: ``Σ (O - E)² / E`` over the cells after collapsing."""
    df: int
    """``cells - groups - parameters``: each score group's cells add up to its size."""
    p: float
    """The upper tail of χ²(df) at the statistic (NaN when df < 1)."""
    rmsea: float
    """``sqrt(max(S-X² - df, 0) / (df (n - 1)))`` (NaN when df < 1)."""
    n: int
    """The complete respondents of the dimension the statistic rests on."""
    groups: int
    """Score groups after collapsing."""
    cells: int
    """Cells after collapsing (over every group)."""
    collapsed: int
    """How many cells collapsing merged away (the possible cells before, less ``cells``)."""
    parameters: int
    """The item parameters subtracted from df (0 when ``estimated=False``)."""
    table: tuple[FitCell, ...]
    """The cells, by score group and then category."""


@frozen(kw_only=True)
class GlobalFit:
    """A limited-information goodness-of-fit test of one dimension (see :func:`global_fit`)."""

    dimension: str
    """The dimension id."""
    type: str = field(validator=in_(GLOBAL_TYPES))
    """``M2``, ``M2*`` or ``C2``: which moments (see :func:`global_fit`)."""
    statistic: float
    """The statistic: ``n e' C e`` with the moment residuals ``e``."""
    df: int
    """``moments - parameters``."""
    p: float
    """The upper tail of χ²(df) at the statistic."""
    rmsea: float
    """``sqrt(max(statistic - df, 0) / (df (n - 1)))``."""
    srmsr: float
    """The root mean square of observed less model-implied correlations of the
    keyed item scores, over the pairs of items (NaN when an item did not vary)."""
    n: int
    """The complete respondents of the dimension the statistic rests on."""
    moments: int
    """How many moments the statistic compares."""
    parameters: int
    """The item parameters subtracted from df (0 when ``estimated=False``)."""


# ------------------------------------------------------------------ shared parts
def _options(prior: Prior | None, quadrature: Quadrature | None) -> tuple[Prior, Quadrature]:
    check_grid_options(prior, quadrature)
    return prior or Prior(), quadrature or Quadrature()


def _grid(prior: Prior, quad: Quadrature) -> tuple[Floats, Floats]:
    """The nodes and the prior's normalised weights on them."""
    nodes = quad.nodes()
    return nodes, prior_weights(prior, nodes)


def _dimension(rubric: Rubric, dimension: str) -> tuple[IrtPlan, IrtDimension]:
    if not isinstance(dimension, str):
        raise RubricError(f"dimension must be a dimension id (a string), got {dimension!r}")
    plan = plan_for(rubric, (dimension,))
    return plan, plan.dimensions[0]


def _probabilities(params: IrtParams, nodes: Floats) -> Floats:
    import numpy as np  # noqa: PLC0415

    return np.exp(category_log_probabilities(params, nodes))


def _complete(
    plan: IrtPlan,
    dim: IrtDimension,
    data: npt.ArrayLike,
    min_respondents: int,
) -> tuple[Ints, int]:
    """The keyed categories ``(respondents, items)`` of the dimension's complete cases.

    Returns the matrix and the number of respondents in the data.
    """
    import numpy as np  # noqa: PLC0415

    if isinstance(data, Mapping):
        raise FitError(
            f"dimension {dim.id!r}: fit statistics need a batch of respondents (an array "
            "or a data frame), not one respondent's answers"
        )
    values = answer_values(plan, data)
    by_item = np.ascontiguousarray(values.T)
    if not all_valid(plan.items, by_item):
        check_matrix(plan.items, values)  # names the first bad cell
    columns = []
    for m in dim.members:
        index, real = code_indices(plan.items[m.column], by_item[m.column])
        k = m.params.categories
        columns.append(np.where(real, (k - 1 - index) if m.reverse else index, -1))
    keyed = np.stack(columns, axis=1).astype(np.int64)
    complete = keyed[(keyed >= 0).all(axis=1)]
    if len(dim.members) < 2:
        raise FitError(
            f"dimension {dim.id!r} has one item; fit statistics compare items with each "
            "other and need at least 2"
        )
    if len(complete) < min_respondents:
        raise FitError(
            f"dimension {dim.id!r}: {len(complete)} of {len(values)} respondents answered "
            f"every item of it; the fit statistics need at least {min_respondents} complete "
            "respondents (collect more data, or pass min_respondents= to accept fewer)"
        )
    return complete, len(values)


def item_parameter_count(params: IrtParams) -> int:
    """How many parameters an item's model has of its own.

    ``grm``, ``gpcm``: ``a`` and K - 1 thresholds or steps; ``pcm``: K - 1
    steps; ``rsm``: its location (the steps are shared by the dimension's
    ``rsm`` items and counted once by :func:`global_fit`).
    """
    k = params.categories
    return {"grm": k, "gpcm": k, "pcm": k - 1, "rsm": 1}[params.model]


def _chi2_sf(statistic: float, df: int) -> float:
    if df < 1:
        return math.nan
    from scipy import stats  # noqa: PLC0415

    return float(stats.chi2.sf(statistic, df))


def _rmsea(statistic: float, df: int, n: int) -> float:
    if df < 1 or n < 2:
        return math.nan
    return math.sqrt(max(statistic - df, 0.0) / (df * (n - 1)))


# ------------------------------------------------------------------ reliability
def marginal_reliability(
    rubric: Rubric,
    dimension: str,
    *,
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
) -> float:
    """The marginal reliability of a dimension: ``sd² / (sd² + ∫ I(θ)⁻¹ g(θ) dθ)``.

    ``I`` is the dimension's test information, ``g`` the prior ``N(mean, sd²)``
    (the population), integrated on the quadrature grid (mirt's
    ``marginal_rxx``, which assumes sd = 1).  It needs no answers.

    Raises:
        RubricError: the dimension does not exist, or an item of it has no parameters.
    """
    used, quad = _options(prior, quadrature)
    _dimension(rubric, dimension)
    nodes, w = _grid(used, quad)
    error = float((w / dimension_information(rubric, dimension, nodes)).sum())
    var = used.sd * used.sd
    return var / (var + error)


def empirical_reliability(
    rubric: Rubric,
    data: npt.ArrayLike,
    dimension: str,
    *,
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
) -> float:
    """The empirical reliability of the EAP scores: ``var(EAP) / (var(EAP) + mean(SE²))``.

    mirt's ``empirical_rxx``: the EAP θ and its posterior SD of every
    respondent the dimension's missing-data policy scores (missing answers
    leave the likelihood, as in :func:`~mgrlead.irt.score_theta`); ``var``
    with the n - 1 denominator.

    Raises:
        RubricError: the dimension does not exist, or an item of it has no parameters.
        AnswerError: an answer off the scale, or data of the wrong shape.
        FitError: fewer than two respondents could be scored.
    """
    import numpy as np  # noqa: PLC0415

    used, quad = _options(prior, quadrature)
    _dimension(rubric, dimension)
    if isinstance(data, Mapping):
        raise FitError(
            f"dimension {dimension!r}: the empirical reliability needs a batch of respondents "
            "(an array or a data frame), not one respondent's answers"
        )
    table = score_theta(rubric, data, prior=used, quadrature=quad, dimensions=(dimension,))
    col = table[dimension]
    ok = col.scorable
    if int(ok.sum()) < 2:
        raise FitError(
            f"dimension {dimension!r}: {int(ok.sum())} of {table.n} respondents have a θ; "
            "the empirical reliability needs at least 2"
        )
    theta = col.theta[ok]
    var = float(np.var(theta, ddof=1))
    error = float(np.mean(col.se[ok] ** 2))
    return var / (var + error)


# ------------------------------------------------------------------ S-X²
def _lw(probs: Sequence[Floats], n_nodes: int) -> Floats:
    """The Lord-Wingersky likelihood of every summed keyed score: ``(sums, nodes)``."""
    import numpy as np  # noqa: PLC0415

    like = np.ones((1, n_nodes))
    for p in probs:
        grown = np.zeros((len(like) + len(p) - 1, n_nodes))
        for k, row in enumerate(p):
            grown[k : k + len(like)] += like * row
        like = grown
    return like


@attrs.define
class _Group:
    """A score group while collapsing: its rows, counts and category boundaries."""

    lo: int  # lowest summed score (keyed, from 0)
    hi: int
    kmin: int  # lowest possible category in the group
    kmax: int
    observed: Any  # (K,) ints
    expected: Any  # (K,) floats
    bounds: Any  # (K-1,) bools: a cell boundary between category j and j + 1

    def cells(self) -> tuple[Any, Any, Any]:
        import numpy as np  # noqa: PLC0415

        ids = np.concatenate(([0], np.cumsum(self.bounds)))
        count = int(ids[-1]) + 1
        return (
            ids,
            np.bincount(ids, self.observed, minlength=count),
            np.bincount(ids, self.expected, minlength=count),
        )

    def merge_categories(self, mincell: float, keep: int) -> None:
        """Merge a cell below ``mincell`` with its smaller neighbour while more than ``keep``."""
        import numpy as np  # noqa: PLC0415

        while True:
            _, _, e = self.cells()
            if len(e) <= keep or e.min() >= mincell:
                return
            j = int(np.argmin(e))
            if j == 0:
                gone = 0
            elif j == len(e) - 1:
                gone = j - 1
            else:  # the neighbour with the smaller expected count (the lower on a tie)
                gone = j - 1 if e[j - 1] <= e[j + 1] else j
            self.bounds[np.flatnonzero(self.bounds)[gone]] = False


def _collapse(groups: list[_Group], mincell: float, categories: int) -> list[_Group]:
    """Collapse cells with an expected count below ``mincell`` (see docs/irt.md)."""
    if categories > 2:
        for g in groups:
            g.merge_categories(mincell, keep=2)
    while len(groups) > 1:
        small = [i for i, g in enumerate(groups) if g.cells()[2].min() < mincell]
        if not small:
            break
        i = small[0]
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:  # the adjacent group with fewer respondents (the lower on a tie)
            below, above = groups[i - 1].observed.sum(), groups[i + 1].observed.sum()
            j = i - 1 if below <= above else i + 1
        a, b = sorted((i, j))
        ga, gb = groups[a], groups[b]
        merged = _Group(
            lo=ga.lo,
            hi=gb.hi,
            kmin=min(ga.kmin, gb.kmin),
            kmax=max(ga.kmax, gb.kmax),
            observed=ga.observed + gb.observed,
            expected=ga.expected + gb.expected,
            bounds=ga.bounds & gb.bounds,
        )
        if categories > 2:
            merged.merge_categories(mincell, keep=2)
        groups[a : b + 1] = [merged]
    if len(groups) == 1:  # the last resort: fewer cells in the one group left
        groups[0].merge_categories(mincell, keep=1)
    return groups


def _groups(probs: Sequence[Floats], i: int, keyed: Ints, w: Floats) -> tuple[list[_Group], int]:
    """Item ``i``'s score groups before collapsing, and how many possible cells they hold.

    Left out: the summed scores nobody reached, and those at which the item
    has one possible category (the lowest and the highest sum).
    """
    import numpy as np  # noqa: PLC0415

    p = probs[i]
    k_count = len(p)
    rest = _lw([*probs[:i], *probs[i + 1 :]], len(w))  # (sums of the other items, nodes)
    rest_top = len(rest) - 1
    top = rest_top + k_count - 1
    weighted = rest * w
    joint = np.zeros((top + 1, k_count))  # ∫ P_ik(θ) L_-i(s - k | θ) g(θ) dθ
    for k in range(k_count):
        joint[k : k + rest_top + 1, k] = weighted @ p[k]
    total = keyed.sum(axis=1)
    size = np.bincount(total, minlength=top + 1)
    observed = np.bincount(total * k_count + keyed[:, i], minlength=(top + 1) * k_count)
    observed = observed.reshape(top + 1, k_count)
    cats = np.arange(k_count - 1)
    groups = []
    possible = 0
    for s in range(top + 1):
        kmin, kmax = max(0, s - rest_top), min(k_count - 1, s)
        if kmax <= kmin or size[s] == 0:
            continue
        possible += kmax - kmin + 1
        groups.append(
            _Group(
                lo=s,
                hi=s,
                kmin=kmin,
                kmax=kmax,
                observed=observed[s].astype(np.int64),
                expected=size[s] * (joint[s] / joint[s].sum()),
                bounds=(cats >= kmin) & (cats + 1 <= kmax),
            )
        )
    return groups, possible


def _summary(groups: Sequence[_Group], offset: int) -> tuple[float, int, tuple[FitCell, ...]]:
    """S-X², the number of cells and the cells of collapsed groups."""
    import numpy as np  # noqa: PLC0415

    statistic = 0.0
    cells = 0
    table = []
    for g in groups:
        ids, o, e = g.cells()
        cells += len(e)
        if len(e) > 1:  # one cell: O = E, nothing to compare
            statistic += float((((o - e) ** 2) / e).sum())
        for c in range(len(e)):
            members = np.flatnonzero(ids == c)
            table.append(
                FitCell(
                    scores=(g.lo + offset, g.hi + offset),
                    categories=(max(int(members[0]), g.kmin), min(int(members[-1]), g.kmax)),
                    observed=int(o[c]),
                    expected=float(e[c]),
                )
            )
    return statistic, cells, tuple(table)


def item_fit(  # noqa: PLR0913 - the statistic's options
    rubric: Rubric,
    data: npt.ArrayLike,
    *,
    dimension: str | None = None,
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
    mincell: float = 1.0,
    estimated: bool = True,
    min_respondents: int = MIN_RESPONDENTS,
) -> tuple[ItemFit, ...]:
    """The S-X² fit statistic of every item of a dimension (or of every IRT dimension).

    For item i, the complete respondents are grouped by their summed keyed
    score ``s`` over the dimension's items; the model's proportion in keyed
    category ``k`` of the item given ``s`` is, by the Lord-Wingersky recursion
    over the other items (``L₋ᵢ``) and over all of them (``L``),
    ``∫ Pᵢₖ(θ) L₋ᵢ(s - k | θ) g(θ) dθ / ∫ L(s | θ) g(θ) dθ``, and the expected
    count is the group's size times it.  Cells with an expected count below
    ``mincell`` are collapsed (categories within a score group first, then
    adjacent score groups; see docs/irt.md), and
    ``S-X² = Σ (O - E)² / E`` with ``df = cells - groups - parameters``.

    Args:
        rubric: A rubric whose items carry :class:`~mgrlead.model.IrtParams`.
        data: The answers, as for :func:`~mgrlead.irt.score_theta`: an array
            ``(respondents, items)`` in ``rubric.item_ids`` order, NaN for an
            unanswered item, or a data frame with a column per item.
        dimension: One dimension; default: every dimension whose items all
            carry parameters.
        prior: The population ``N(mean, sd²)`` (default N(0, 1)).
        quadrature: The θ grid (default 61 points on -6..6).
        mincell: The smallest expected count a cell keeps (mirt's default, 1).
        estimated: Whether the parameters were estimated from these data:
            their count (:func:`item_parameter_count`) is subtracted from df.
            ``False`` for parameters fixed in advance.
        min_respondents: The fewest complete respondents accepted.

    Returns:
        One :class:`ItemFit` per item, dimension by dimension, in rubric order.

    Raises:
        RubricError: no dimension (or the named one) has parameters on all its items.
        AnswerError: an answer off the scale, or data of the wrong shape.
        FitError: a dimension of one item, or too few complete respondents.
    """
    used, quad = _options(prior, quadrature)
    if not (math.isfinite(mincell) and mincell >= 0):
        raise FitError(f"mincell must be a finite number >= 0, got {mincell!r}")
    chosen = irt_dimensions(rubric) if dimension is None else (dimension,)
    if not chosen:
        plan_for(rubric, None)  # raises the error that says what to declare
    out: list[ItemFit] = []
    nodes, w = _grid(used, quad)
    for dim_id in chosen:
        plan, dim = _dimension(rubric, dim_id)
        keyed, _ = _complete(plan, dim, data, min_respondents)
        n = len(keyed)
        probs = [_probabilities(m.params, nodes) for m in dim.members]
        offset = sum(plan.items[m.column].code_min for m in dim.members)
        for i, m in enumerate(dim.members):
            groups, possible = _groups(probs, i, keyed, w)
            groups = _collapse(groups, float(mincell), len(probs[i]))
            statistic, cells, table = _summary(groups, offset)
            parameters = item_parameter_count(m.params) if estimated else 0
            df = cells - len(groups) - parameters
            out.append(
                ItemFit(
                    dimension=dim_id,
                    item=plan.items[m.column].id,
                    statistic=statistic,
                    df=df,
                    p=_chi2_sf(statistic, df),
                    rmsea=_rmsea(statistic, df, n),
                    n=n,
                    groups=len(groups),
                    cells=cells,
                    collapsed=possible - cells,
                    parameters=parameters,
                    table=table,
                )
            )
    return tuple(out)


# ------------------------------------------------------------------ M2, M2*, C2
def _parameter_space(
    dim: IrtDimension,
) -> tuple[list[float], Callable[[Sequence[float]], list[IrtParams]]]:
    """The dimension's free item parameters as one vector, and how to rebuild the items.

    ``rsm`` items share their steps; as only ``location + τ`` enters the
    model, the first ``rsm`` item's location is held (the rest are free).
    """
    vector: list[float] = []
    parts: list[tuple[str, int, int]] = []  # (model, start, count) per member
    shared: int | None = None
    first_rsm = True
    for m in dim.members:
        p = m.params
        if p.model in {"grm", "gpcm"}:
            parts.append((p.model, len(vector), p.categories))
            vector += [p.discrimination, *p.effective_steps()]
        elif p.model == "pcm":
            parts.append((p.model, len(vector), p.categories - 1))
            vector += list(p.steps)
        else:  # rsm
            if shared is None:
                shared = len(vector)
                vector += list(p.steps)
            if first_rsm:
                parts.append(("rsm-held", -1, 0))
                first_rsm = False
            else:
                parts.append(("rsm", len(vector), 1))
                vector.append(float(p.location or 0.0))

    def rebuild(values: Sequence[float]) -> list[IrtParams]:
        items = []
        for m, (kind, start, count) in zip(dim.members, parts, strict=True):
            p = m.params
            chunk = tuple(values[start : start + count])
            if kind == "grm":
                items.append(attrs.evolve(p, a=chunk[0], thresholds=chunk[1:]))
            elif kind == "gpcm":
                items.append(attrs.evolve(p, a=chunk[0], steps=chunk[1:]))
            elif kind == "pcm":
                items.append(attrs.evolve(p, steps=chunk))
            else:
                assert shared is not None  # noqa: S101 - an rsm item set it
                tau = tuple(values[shared : shared + p.categories - 1])
                location = p.location if kind == "rsm-held" else chunk[0]
                items.append(attrs.evolve(p, steps=tau, location=location))
        return items

    return vector, rebuild


def _features(kind: str, categories: int) -> tuple[Any, Any, Any]:
    """An item's feature rows ``(features, K)``, and which of them the univariate
    and the bivariate moments use."""  # noqa: D205, D209
    import numpy as np  # noqa: PLC0415

    indicators = np.eye(categories)[1:]  # 1{x = k}, k >= 1
    score = np.arange(categories, dtype=np.float64)[None, :]
    if kind == "M2":
        every = np.arange(categories - 1)
        return indicators, every, every
    if kind == "M2*":
        return score, np.arange(1), np.arange(1)
    # C2: every univariate margin, bivariate cross-products
    return (
        np.concatenate([indicators, score]),
        np.arange(categories - 1),
        np.array([categories - 1]),
    )


@frozen(eq=False)
class _Moments:
    """The moments of a limited-information statistic over a dimension's items.

    Each item has feature rows (functions of its keyed category: indicators,
    the category itself); a moment is the product of one feature of one item,
    or of one feature each of two items.  ``first``/``second`` hold the
    features' global rows (``features``: the row of ones, for a moment of one
    item) and ``items`` the items' positions (-1: none).
    """

    rows: tuple[Any, ...]  # per item: (features, K)
    first: Any  # (moments,) global feature rows
    first_item: Any
    second: Any
    second_item: Any

    @classmethod
    def layout(cls, dim: IrtDimension, kind: str) -> _Moments:
        import numpy as np  # noqa: PLC0415

        rows = []
        uni: list[list[int]] = []
        bi: list[list[int]] = []
        start = 0
        for m in dim.members:
            feats, u, b = _features(kind, m.params.categories)
            rows.append(feats)
            uni.append([start + int(x) for x in u])
            bi.append([start + int(x) for x in b])
            start += len(feats)
        ones = start
        moments = [(f, i, ones, -1) for i, fs in enumerate(uni) for f in fs]
        for i, j in itertools.combinations(range(len(rows)), 2):
            moments += [(f, i, g, j) for f in bi[i] for g in bi[j]]
        f1, i1, f2, i2 = (np.array(c, dtype=np.intp) for c in zip(*moments, strict=True))
        return cls(tuple(rows), f1, i1, f2, i2)

    @property
    def count(self) -> int:
        return len(self.first)

    @property
    def features(self) -> int:
        return sum(len(r) for r in self.rows)

    def means(self, probs: Sequence[Floats]) -> Floats:
        """Each feature's conditional mean at each node, and a last row of ones."""
        import numpy as np  # noqa: PLC0415

        parts = [r @ p for r, p in zip(self.rows, probs, strict=True)]
        return np.concatenate([*parts, np.ones((1, probs[0].shape[1]))])

    def model(self, probs: Sequence[Floats], w: Floats) -> Floats:
        """The model's moments π."""
        e = self.means(probs)
        return (e[self.first] * e[self.second]) @ w  # type: ignore[no-any-return]

    def covariance(self, probs: Sequence[Floats], w: Floats, pi: Floats) -> Floats:
        """Ξ = E[m m'] - π π', with E[m m'] from conditional independence at each node.

        The product of two moments is a product over the items either uses:
        an item both use contributes the mean of its two features' product,
        an item one uses the mean of its feature.
        """
        import numpy as np  # noqa: PLC0415

        width = self.features + 1
        products = np.zeros((width, width, len(w)))  # E[f g | θ] of two features of one item
        start = 0
        for r, p in zip(self.rows, probs, strict=True):
            stop = start + len(r)
            products[start:stop, start:stop] = np.einsum("ak,bk,kq->abq", r, r, p)
            start = stop
        # one lookup table: the features' means (and ones), then the products
        table = np.concatenate([self.means(probs), products.reshape(width * width, len(w))])
        ones = width - 1
        a, b = np.meshgrid(np.arange(self.count), np.arange(self.count), indexing="ij")
        fb1, ib1, fb2, ib2 = self.first[b], self.first_item[b], self.second[b], self.second_item[b]

        def row(fa: Any, ia: Any) -> Any:  # noqa: ANN401
            """The table row of moment a's feature ``fa`` (item ``ia``) next to moment b."""
            out = np.where(ia == ib1, width + fa * width + fb1, fa)
            out = np.where(ia == ib2, width + fa * width + fb2, out)
            return np.where(ia < 0, ones, out)

        fa1, ia1, fa2, ia2 = self.first[a], self.first_item[a], self.second[a], self.second_item[a]
        picks = (
            row(fa1, ia1),
            row(fa2, ia2),
            np.where((ib1 == ia1) | (ib1 == ia2), ones, fb1),  # b's items a does not use
            np.where((ib2 == ia1) | (ib2 == ia2) | (ib2 < 0), ones, fb2),
        )
        expected = np.zeros((self.count, self.count))
        for q, weight in enumerate(w):
            col = table[:, q]
            expected += weight * (col[picks[0]] * col[picks[1]] * col[picks[2]] * col[picks[3]])
        xi = expected - np.outer(pi, pi)
        return 0.5 * (xi + xi.T)  # type: ignore[no-any-return]

    def observed(self, keyed: Ints) -> Floats:
        """The observed moments, from integer sums (exact, in any row order)."""
        import numpy as np  # noqa: PLC0415

        int_rows = [r.astype(np.int64) for r in self.rows]
        sums = np.zeros(self.count, dtype=np.int64)
        for start in range(0, len(keyed), BLOCK_ROWS):  # bounded memory
            block = keyed[start : start + BLOCK_ROWS]
            values = np.concatenate(
                [r[:, block[:, i]].T for i, r in enumerate(int_rows)]
                + [np.ones((len(block), 1), dtype=np.int64)],
                axis=1,
            )
            sums += (values[:, self.first] * values[:, self.second]).sum(axis=0)
        return sums / len(keyed)


def _srmsr(probs: Sequence[Floats], w: Floats, keyed: Ints) -> float:
    """Root mean square of observed less model-implied correlations, over item pairs."""
    import numpy as np  # noqa: PLC0415

    n = len(keyed)
    mean_q = np.array([np.arange(len(p)) @ p for p in probs])  # (items, Q)
    square_q = np.array([np.arange(len(p)) ** 2 @ p for p in probs])
    m1 = mean_q @ w
    cov_model = (mean_q * w) @ mean_q.T - np.outer(m1, m1)
    np.fill_diagonal(cov_model, square_q @ w - m1 * m1)
    sd_model = np.sqrt(np.diag(cov_model))
    corr_model = cov_model / np.outer(sd_model, sd_model)
    sums = keyed.sum(axis=0)
    cov_obs = (keyed.T @ keyed) / n - np.outer(sums, sums) / (n * n)  # integer sums
    sd_obs = np.sqrt(np.diag(cov_obs))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr_obs = cov_obs / np.outer(sd_obs, sd_obs)
    upper = np.triu_indices(len(probs), 1)
    return float(np.sqrt(np.mean((corr_obs[upper] - corr_model[upper]) ** 2)))


def global_fit(  # noqa: PLR0913 - the statistic's options
    rubric: Rubric,
    data: npt.ArrayLike,
    dimension: str,
    *,
    type: str = "C2",  # noqa: A002 - mirt's name for it
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
    estimated: bool = True,
    min_respondents: int = MIN_RESPONDENTS,
) -> GlobalFit:
    """A limited-information test of a dimension's model: M2, M2* or C2.

    With the observed moments ``p`` of the complete respondents, the model's
    ``π`` (on the quadrature grid), their asymptotic covariance ``Ξ`` under the
    model and ``Δ = ∂π/∂t`` in the free item parameters ``t`` (central
    differences), the statistic is ``n (p - π)' C (p - π)`` with
    ``C = Ξ⁻¹ - Ξ⁻¹ Δ (Δ' Ξ⁻¹ Δ)⁻¹ Δ' Ξ⁻¹`` and ``df = moments - parameters``.

    ``type``:

    * ``M2``: every univariate and bivariate margin, ``P(xᵢ = k)`` and
      ``P(xᵢ = k, xⱼ = l)`` for ``k, l ≥ 1`` (Maydeu-Olivares and Joe, 2006);
    * ``M2*``: the means ``E[xᵢ]`` and cross-products ``E[xᵢ xⱼ]`` of the keyed
      categories (ordinal items; few moments, so often df < 1);
    * ``C2`` (default): every univariate margin and the cross-products (Cai and
      Monroe, 2014); for two-category items all three are M2.

    Args:
        rubric: A rubric whose items carry :class:`~mgrlead.model.IrtParams`.
        data: The answers, as for :func:`item_fit`.
        dimension: The dimension id.
        type: ``M2``, ``M2*`` or ``C2``.
        prior: The population ``N(mean, sd²)`` (default N(0, 1)), held fixed.
        quadrature: The θ grid (default 61 points on -6..6).
        estimated: Whether the item parameters were estimated from these data
            (``False``: fixed in advance, ``C = Ξ⁻¹`` and df = moments).
        min_respondents: The fewest complete respondents accepted.

    Raises:
        RubricError: the dimension does not exist, or an item of it has no parameters.
        AnswerError: an answer off the scale, or data of the wrong shape.
        FitError: too few complete respondents, df < 1 (use more moments:
            ``M2``), or a singular moment covariance.
    """
    import numpy as np  # noqa: PLC0415

    if type not in GLOBAL_TYPES:
        raise FitError(f"unknown fit statistic {type!r}; use one of {', '.join(GLOBAL_TYPES)}")
    used, quad = _options(prior, quadrature)
    plan, dim = _dimension(rubric, dimension)
    keyed, _ = _complete(plan, dim, data, min_respondents)
    n = len(keyed)
    nodes, w = _grid(used, quad)
    layout = _Moments.layout(dim, type)
    count = layout.count
    parameters = 0
    if estimated:
        vector, rebuild = _parameter_space(dim)
        parameters = len(vector)
        if count - parameters < 1:
            raise FitError(
                f"dimension {dimension!r}: {type} compares {count} moments with {parameters} "
                f"item parameters, leaving df = {count - parameters}; use type='C2' or "
                "type='M2' (more moments)"
            )

    def moments_of(params: Sequence[IrtParams]) -> Floats:
        return layout.model([_probabilities(p, nodes) for p in params], w)

    probs = [_probabilities(m.params, nodes) for m in dim.members]
    pi = layout.model(probs, w)
    try:
        chol = np.linalg.cholesky(layout.covariance(probs, w, pi))
    except np.linalg.LinAlgError:
        raise FitError(
            f"dimension {dimension!r}: the covariance of the {type} moments is singular "
            "(a category the model almost never gives?); try type='M2*' or check the parameters"
        ) from None
    r = np.linalg.solve(chol, layout.observed(keyed) - pi)
    if estimated:
        delta = np.empty((count, parameters))
        for c, value in enumerate(vector):
            h = _STEP * max(1.0, abs(value))
            up, down = list(vector), list(vector)
            up[c] += h
            down[c] -= h
            delta[:, c] = (moments_of(rebuild(up)) - moments_of(rebuild(down))) / (2 * h)
        basis, tri = np.linalg.qr(np.linalg.solve(chol, delta))
        diag = np.abs(np.diag(tri))
        if diag.min() <= 1e-10 * diag.max():
            raise FitError(
                f"dimension {dimension!r}: the item parameters are not identified by the "
                f"{type} moments (their derivatives are linearly dependent); use type='M2'"
            )
        r = r - basis @ (basis.T @ r)  # C = Ξ^-1/2 (I - projection on Ξ^-1/2 Δ) Ξ^-1/2
    df = count - parameters
    statistic = float(n * (r @ r))
    return GlobalFit(
        dimension=dimension,
        type=type,
        statistic=statistic,
        df=df,
        p=_chi2_sf(statistic, df),
        rmsea=_rmsea(statistic, df, n),
        srmsr=_srmsr(probs, w, keyed),
        n=n,
        moments=count,
        parameters=parameters,
    )
