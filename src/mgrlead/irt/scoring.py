"""θ scoring from known item parameters: EAP, MAP and ML, one respondent or a batch.

The batch is scored in blocks of :data:`BLOCK_ROWS` rows, like the numpy engine
(:mod:`mgrlead.engines.batch`): the answers of a block become code indices
(:func:`mgrlead.engines.batch.code_indices`), and each dimension's
log-likelihood on the quadrature grid is a sum of gathers from one flat table
of per-item log-probabilities, one row per response code plus a zero row for
a missing answer (the keying is built into the row order).  One respondent is
scored as a batch of one, so both give the same numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, ClassVar, Final, overload

from attrs import evolve, field, frozen
from attrs.validators import ge, in_, instance_of

from mgrlead.engines import kernel
from mgrlead.engines.batch import answer_matrix, code_indices
from mgrlead.engines.checks import all_valid, check_answer, check_matrix
from mgrlead.engines.ops import NUMPY
from mgrlead.errors import AnswerError, RubricError, counted, plural
from mgrlead.i18n import N_, gettext, ngettext
from mgrlead.irt.models import category_log_probabilities, item_information, log_probability
from mgrlead.model import Rubric, ThetaOptions
from mgrlead.plan import compile_plan
from mgrlead.strategies import DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import IrtParams
    from mgrlead.plan import ItemPlan, ScoringPlan

    Floats = npt.NDArray[np.float64]

__all__ = [
    "BLOCK_ROWS",
    "METHODS",
    "STATUS",
    "IrtDimension",
    "IrtMember",
    "IrtPlan",
    "Prior",
    "Quadrature",
    "ThetaColumns",
    "ThetaProfile",
    "ThetaScore",
    "ThetaStrategy",
    "ThetaTable",
    "answer_values",
    "check_grid_options",
    "dimension_information",
    "eap",
    "irt_dimensions",
    "log_prior",
    "log_probability_tables",
    "plan_for",
    "prior_weights",
    "score_theta",
    "status_reason",
]

#: The estimators: ``eap`` (posterior mean), ``map`` (posterior mode), ``ml`` (no prior).
METHODS: Final = ("eap", "map", "ml")
#: Rows scored at a time (every temporary is ``BLOCK_ROWS`` by the grid, or by the items).
BLOCK_ROWS: Final = 1 << 12
#: Why a θ is missing, by status code (0: scored), in English (results give
#: them in the current language: :func:`status_reason`).
STATUS: Final = {
    0: "",
    1: N_("too few items answered for the dimension's missing-data policy"),
    2: N_(
        "every answer is in the lowest category: the ML estimate is -infinity "
        "(not estimable; use EAP or MAP)"
    ),
    3: N_(
        "every answer is in the highest category: the ML estimate is +infinity "
        "(not estimable; use EAP or MAP)"
    ),
    4: N_("the Newton iterations did not converge"),
}
#: Newton iterations and the step size that counts as converged (MAP, ML).
MAX_ITERATIONS: Final = 200
TOLERANCE: Final = 1e-10


def _positive(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError(f"{attribute.name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise RubricError(f"{attribute.name} must be finite and positive, got {value!r}")


def _finite(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RubricError(f"{attribute.name} must be a finite number, got {value!r}")


@frozen(kw_only=True)
class Prior:
    """The normal prior of θ (EAP and MAP): ``N(mean, sd²)``; percentiles are under it."""

    mean: float = field(default=0.0, validator=_finite)
    """The prior mean."""
    sd: float = field(default=1.0, validator=_positive)
    """The prior standard deviation (positive)."""

    def percentile(self, theta: Floats) -> Floats:
        """``100 Φ((θ - mean) / sd)``: the share of the prior population below θ."""
        import numpy as np  # noqa: PLC0415

        z = (np.asarray(theta, dtype=np.float64) - self.mean) / self.sd
        erf = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math.erf is exact to 1 ulp
        return 50.0 * (1.0 + np.asarray(erf(z / math.sqrt(2.0)), dtype=np.float64))


@frozen(kw_only=True)
class Quadrature:
    """The θ grid for EAP: ``points`` equally spaced nodes from ``lower`` to ``upper``.

    The prior's density at the nodes, normalised, gives the weights.  The grid
    must cover the posterior: the default (61 points on -6..6, as R's mirt)
    suits a prior near N(0, 1).
    """

    points: int = field(default=61, validator=[instance_of(int), ge(3)])
    """How many nodes (at least 3)."""
    lower: float = field(default=-6.0, validator=_finite)
    """The lowest node."""
    upper: float = field(default=6.0, validator=_finite)
    """The highest node (greater than ``lower``)."""

    def __attrs_post_init__(self) -> None:
        """``lower < upper``."""
        if not self.lower < self.upper:
            raise RubricError(
                f"quadrature: lower ({self.lower}) must be less than upper ({self.upper})"
            )

    def nodes(self) -> Floats:
        """The nodes, lowest first."""
        import numpy as np  # noqa: PLC0415

        return np.linspace(self.lower, self.upper, self.points)


@frozen(kw_only=True)
class ThetaScore:
    """One respondent's θ on one dimension."""

    dimension: str
    """The dimension id."""
    method: str = field(validator=in_(METHODS))
    """``eap``, ``map`` or ``ml``."""
    theta: float | None
    """The estimate (``None`` when not scorable)."""
    se: float | None
    """Its standard error: the posterior SD (EAP), or 1/sqrt(information) at the estimate."""
    t_score: float | None
    """``50 + 10 θ``."""
    percentile: float | None
    """The percentage of the prior population below θ."""
    answered: int
    """How many of the dimension's items were answered (the likelihood's terms)."""
    scorable: bool
    """Whether θ was estimated."""
    reason: str = ""
    """Why not, when not scorable."""


@frozen(kw_only=True)
class ThetaProfile:
    """One respondent's θ on every IRT dimension (see :func:`score_theta`)."""

    method: str
    """The estimator."""
    prior: Prior | None
    """The prior (``None`` for ML)."""
    scores: tuple[ThetaScore, ...]
    """One score per dimension, in rubric order."""

    def __getitem__(self, dimension_id: str) -> ThetaScore:
        """The score of one dimension."""
        for s in self.scores:
            if s.dimension == dimension_id:
                return s
        raise KeyError(dimension_id)


@frozen(kw_only=True, eq=False)
class ThetaColumns:
    """A batch's θ on one dimension: numpy columns, one value per respondent.

    Not scorable rows hold NaN in the float columns; ``status`` says why
    (:data:`STATUS`).
    """

    dimension: str
    """The dimension id."""
    theta: Floats
    """The estimates."""
    se: Floats
    """Their standard errors."""
    t_score: Floats
    """``50 + 10 θ``."""
    percentile: Floats
    """The percentage of the prior population below θ."""
    answered: npt.NDArray[np.int64]
    """How many of the dimension's items each respondent answered."""
    status: npt.NDArray[np.int8]
    """0: scored; otherwise a key of :data:`STATUS`."""

    @property
    def scorable(self) -> npt.NDArray[np.bool_]:
        """Whether each row was scored."""
        return self.status == 0  # type: ignore[no-any-return]

    def reasons(self) -> list[str]:
        """Each row's reason for not being scored (``""`` when scored)."""
        return [status_reason(int(s)) for s in self.status]


@frozen(kw_only=True, eq=False)
class ThetaTable:
    """A batch's θ on every IRT dimension (see :func:`score_theta`)."""

    method: str
    """The estimator."""
    prior: Prior | None
    """The prior (``None`` for ML)."""
    n: int
    """How many respondents."""
    dimensions: tuple[ThetaColumns, ...]
    """One set of columns per dimension, in rubric order."""

    def __getitem__(self, dimension_id: str) -> ThetaColumns:
        """The columns of one dimension."""
        for c in self.dimensions:
            if c.dimension == dimension_id:
                return c
        raise KeyError(dimension_id)

    def columns(self) -> dict[str, Any]:
        """Flat columns ``<dimension>_theta``, ``_theta_se``, ``_theta_t``, ``_theta_percentile``,
        ``_theta_answered``, ``_theta_status``, ready for a data frame."""  # noqa: D205, D209
        out: dict[str, Any] = {}
        for c in self.dimensions:
            out[f"{c.dimension}_theta"] = c.theta
            out[f"{c.dimension}_theta_se"] = c.se
            out[f"{c.dimension}_theta_t"] = c.t_score
            out[f"{c.dimension}_theta_percentile"] = c.percentile
            out[f"{c.dimension}_theta_answered"] = c.answered
            out[f"{c.dimension}_theta_status"] = c.status
        return out


# ------------------------------------------------------------------ the plan
@frozen
class IrtMember:
    """One item of a dimension: its column, whether it is reverse-keyed there, its parameters."""

    column: int
    """Its index in the rubric's items (the column of a batch)."""
    reverse: bool
    """Whether it is reverse-keyed in the dimension."""
    params: IrtParams
    """Its parameters (toward the high pole)."""


@frozen
class IrtDimension:
    """A dimension scored on θ: its members and how many answers it needs."""

    id: str
    """The dimension id."""
    members: tuple[IrtMember, ...]
    """Its items, in rubric order."""
    required: int
    """The fewest answered items for a θ (the missing-data policy, at least 1)."""


@frozen(eq=False)  # compared by identity: plan_for caches one per rubric value
class IrtPlan:
    """What θ scoring reads: the rubric's items (answer checks) and the scored dimensions."""

    items: tuple[ItemPlan, ...]
    """Every item of the rubric, compiled (codes, missing codes), in rubric order."""
    index: Mapping[str, int]
    """Item id to column."""
    dimensions: tuple[IrtDimension, ...]
    """The dimensions scored on θ."""


def irt_dimensions(rubric: Rubric) -> tuple[str, ...]:
    """The ids of the dimensions whose every item carries IRT parameters, in rubric order."""
    declared = {item.id for item in rubric.items if item.irt is not None}
    return tuple(
        dim.id for dim in rubric.walk() if all(i in declared for i, _ in rubric.members(dim))
    )


@functools.lru_cache(maxsize=64)
def plan_for(rubric: Rubric, dimensions: tuple[str, ...] | None) -> IrtPlan:
    """The compiled IRT plan of ``rubric`` (cached by value): its items and scored dimensions.

    ``dimensions``: which ones; ``None``: every dimension whose items all carry
    parameters.

    Raises:
        RubricError: naming a dimension that does not exist or items without parameters.
    """
    # a rubric that chooses θ may band its scores in θ units: compile it with θ's bounds
    plan = compile_plan(rubric, ThetaStrategy() if rubric.strategy == "theta" else None)
    chosen = dimensions if dimensions is not None else irt_dimensions(rubric)
    if not chosen:
        raise RubricError(
            f"rubric {rubric.id!r}: no dimension has IRT parameters on all its items; "
            "declare irt = {model = ..., ...} on every item of a dimension (see docs/irt.md)"
        )
    known = {d.id: d for d in plan.dimensions}
    out = []
    for dim_id in chosen:
        if dim_id not in known:
            raise RubricError(
                f"rubric {rubric.id!r} has no dimension {dim_id!r}; its dimensions are "
                f"{', '.join(known)}"
            )
        dp = known[dim_id]
        ids = [plan.items[i].id for i in dp.members]
        lacking = [i for i in ids if rubric.item(i).irt is None]
        if lacking:
            raise RubricError(
                f"dimension {dim_id!r}: item(s) {', '.join(map(repr, lacking))} carry no IRT "
                "parameters; θ needs them on every item of the dimension"
            )
        members = tuple(
            IrtMember(i, rev, rubric.item(plan.items[i].id).irt)  # type: ignore[arg-type]
            for i, rev in zip(dp.members, dp.reverse, strict=True)
        )
        out.append(IrtDimension(dim_id, members, max(dp.required, 1)))
    return IrtPlan(plan.items, plan.index, tuple(out))


@functools.lru_cache(maxsize=64)
def _tables(plan: IrtPlan, quadrature: Quadrature) -> tuple[tuple[Floats, Any], ...]:
    """Per dimension: the flat table ``(Σ (codes + 1), Q)`` and each member's row offset."""
    import numpy as np  # noqa: PLC0415

    nodes = quadrature.nodes()
    out = []
    for dim in plan.dimensions:
        parts = []
        offsets = []
        start = 0
        for m in dim.members:
            table = category_log_probabilities(m.params, nodes)  # keyed categories
            if m.reverse:  # row = code index: the highest code is the lowest keyed category
                table = table[::-1]
            parts += [table, np.zeros((1, len(nodes)))]  # the gap row: a missing answer
            offsets.append(start)
            start += len(table) + 1
        flat = np.ascontiguousarray(np.concatenate(parts))
        flat.setflags(write=False)
        out.append((flat, np.asarray(offsets, dtype=np.intp)))
    return tuple(out)


def dimension_information(rubric: Rubric, dimension: str, theta: npt.ArrayLike) -> Floats:
    """The test information of one dimension at each θ: the sum of its items' information.

    ``1 / sqrt(information)`` is the standard error of the ML estimate at θ (add
    ``1 / sd²`` of a normal prior for MAP).  The keying does not change an item's
    information.

    Raises:
        RubricError: the dimension does not exist, or an item of it has no parameters.
    """
    import numpy as np  # noqa: PLC0415

    plan = plan_for(rubric, (dimension,))
    points = np.asarray(theta, dtype=np.float64)
    total = np.zeros_like(points)
    for m in plan.dimensions[0].members:
        total += item_information(m.params, points)
    return total


# ------------------------------------------------------------------ scoring
@overload
def score_theta(
    rubric: Rubric,
    answers: Mapping[str, object],
    *,
    method: str = "eap",
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
    dimensions: Sequence[str] | None = None,
) -> ThetaProfile: ...


@overload
def score_theta(
    rubric: Rubric,
    answers: npt.ArrayLike,
    *,
    method: str = "eap",
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
    dimensions: Sequence[str] | None = None,
) -> ThetaTable: ...


def score_theta(  # noqa: PLR0913 - the estimator's options
    rubric: Rubric,
    answers: Mapping[str, object] | npt.ArrayLike,
    *,
    method: str = "eap",
    prior: Prior | None = None,
    quadrature: Quadrature | None = None,
    dimensions: Sequence[str] | None = None,
) -> ThetaProfile | ThetaTable:
    """θ of one respondent (a mapping) or of a batch (an array), from the rubric's item parameters.

    Args:
        rubric: A rubric whose items carry :class:`~mgrlead.model.IrtParams`.
        answers: ``{item_id: code or None}`` for one respondent; or an array
            ``(respondents, items)`` with the columns in ``rubric.item_ids``
            order, NaN (or a missing code) for an unanswered item; or a data
            frame (pandas, polars) with a column named by each item id (other
            columns are left alone).
        method: ``eap`` (posterior mean, posterior SD as SE), ``map``
            (posterior mode, SE from the observed information at the mode
            plus the prior's 1/sd²) or ``ml`` (no prior; SE from the observed
            information; all-lowest and all-highest patterns are not
            estimable).
        prior: The normal prior (EAP, MAP; default N(0, 1)); also the
            population of the percentile (for ML: N(0, 1) when not given).
        quadrature: The EAP grid (default: 61 points on -6..6); MAP and ML
            start their Newton iterations from its best node.
        dimensions: Which dimensions; default: every dimension whose items
            all carry parameters.

    Returns:
        A :class:`ThetaProfile` for a mapping, a :class:`ThetaTable` for an array.

    Raises:
        RubricError: no dimension (or a named one) has parameters on all its items.
        AnswerError: an answer off the scale, naming the item (and row).
    """
    if not isinstance(rubric, Rubric):
        raise RubricError(
            f"score_theta needs a Rubric, got {type(rubric).__name__}; load one with "
            "mgrlead.load_rubric(name or file)"
        )
    if isinstance(dimensions, str):
        dimensions = (dimensions,)
    if method not in METHODS:
        raise RubricError(f"unknown θ method {method!r}; use one of {', '.join(METHODS)}")
    if method == "ml" and prior is not None:
        raise RubricError("method 'ml' uses no prior; leave prior out (or use 'map')")
    check_grid_options(prior, quadrature)
    plan = plan_for(rubric, None if dimensions is None else tuple(dimensions))
    quad = quadrature if quadrature is not None else Quadrature()
    single = isinstance(answers, Mapping)
    values = _row(plan, answers) if single else answer_values(plan, answers)  # type: ignore[arg-type]
    table = _score(plan, values, method, prior, quad)
    if not single:
        return table
    scores = []
    for c in table.dimensions:
        ok = bool(c.status[0] == 0)
        scores.append(
            ThetaScore(
                dimension=c.dimension,
                method=method,
                theta=float(c.theta[0]) if ok else None,
                se=float(c.se[0]) if ok else None,
                t_score=float(c.t_score[0]) if ok else None,
                percentile=float(c.percentile[0]) if ok else None,
                answered=int(c.answered[0]),
                scorable=ok,
                reason=_reason(plan, c.dimension, int(c.status[0]), int(c.answered[0])),
            )
        )
    return ThetaProfile(method=method, prior=table.prior, scores=tuple(scores))


def status_reason(status: int) -> str:
    """Why a θ with this status code is missing, in the current language (``""``: scored)."""
    text = STATUS[status]
    return gettext(text) if text else ""  # the empty text's translation is the catalogue's header


def _reason(plan: IrtPlan, dimension: str, status: int, answered: int) -> str:
    if status != 1:
        return status_reason(status)
    dim = next(d for d in plan.dimensions if d.id == dimension)
    n_items = len(dim.members)
    return ngettext(
        "answered {answered} of {n_items} item; the missing-data policy needs {required}",
        "answered {answered} of {n_items} items; the missing-data policy needs {required}",
        n_items,
    ).format(answered=answered, n_items=n_items, required=dim.required)


def _row(plan: IrtPlan, answers: Mapping[str, object]) -> Floats:
    import numpy as np  # noqa: PLC0415

    unknown = sorted(set(answers) - set(plan.index))
    if unknown:
        raise AnswerError(
            f"unknown item(s) {', '.join(map(repr, unknown))}; the rubric's items are "
            f"{', '.join(plan.index)}",
            item=str(unknown[0]),
        )
    row = np.full((1, len(plan.items)), np.nan)
    for item_id, value in answers.items():
        it = plan.items[plan.index[item_id]]
        code = check_answer(item_id, value, it.code_min, it.code_max, it.missing_codes)
        if code is not None:
            row[0, plan.index[item_id]] = code
    return row


def answer_values(plan: IrtPlan, values: npt.ArrayLike) -> Floats:
    """A batch of answers as a ``(respondents, items)`` float array in the plan's item order.

    ``values``: an array whose columns are in ``rubric.item_ids`` order, or a
    data frame (pandas, polars) read by column name.  The cells are not checked
    here (the scorers check them block by block).

    Raises:
        AnswerError: a frame without a column for an item, or an array of the
            wrong shape or type.
    """
    columns = getattr(values, "columns", None)
    if columns is not None:  # a data frame: its item columns by name, in rubric order
        names = [str(c) for c in columns]
        ids = [it.id for it in plan.items]
        lacking = [i for i in ids if i not in names]
        if lacking:
            raise AnswerError(
                f"the frame has no column for {plural(len(lacking), 'item')} "
                f"{', '.join(map(repr, lacking))}; "
                "give every item of the rubric a column (empty when not asked)",
                item=lacking[0],
            )
        frame: Any = values
        selected = frame[ids]
        values = selected.to_numpy() if hasattr(selected, "to_numpy") else selected

    return answer_matrix(values, len(plan.items))


def _score(
    plan: IrtPlan, values: Floats, method: str, prior: Prior | None, quad: Quadrature
) -> ThetaTable:
    import numpy as np  # noqa: PLC0415

    n = values.shape[0]
    used = prior if prior is not None else Prior()
    tables = _tables(plan, quad)
    nodes = quad.nodes()
    log_prior = _log_prior(used, nodes) if method != "ml" else 0.0 * nodes
    theta = {d.id: np.full(n, np.nan) for d in plan.dimensions}
    se = {d.id: np.full(n, np.nan) for d in plan.dimensions}
    answered = {d.id: np.zeros(n, dtype=np.int64) for d in plan.dimensions}
    status = {d.id: np.zeros(n, dtype=np.int8) for d in plan.dimensions}
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        by_item = np.ascontiguousarray(values[start:stop].T)
        if not all_valid(plan.items, by_item):
            check_matrix(plan.items, values)  # names the first bad cell
        indices = [code_indices(it, by_item[j]) for j, it in enumerate(plan.items)]
        for dim, (flat, offsets) in zip(plan.dimensions, tables, strict=True):
            sl = slice(start, stop)
            log_post = np.broadcast_to(log_prior, (stop - start, len(nodes))).copy()
            count = np.zeros(stop - start, dtype=np.int64)
            for m, off in zip(dim.members, offsets, strict=True):
                index, real = indices[m.column]
                log_post += flat[off + index]
                count += real
            answered[dim.id][sl] = count
            ok = count >= dim.required
            status[dim.id][sl] = np.where(ok, 0, 1)
            if method == "eap":
                t, s = _eap(log_post, nodes)
            else:
                t, s, st = _newton(dim, indices, log_post, nodes, used if method == "map" else None)
                status[dim.id][sl] = np.where(ok, st, 1)
            theta[dim.id][sl] = t
            se[dim.id][sl] = s
    columns = []
    for dim in plan.dimensions:
        bad = status[dim.id] != 0
        t = np.where(bad, np.nan, theta[dim.id])
        with np.errstate(invalid="ignore"):
            pct = np.where(bad, np.nan, used.percentile(np.where(bad, 0.0, t)))
        columns.append(
            ThetaColumns(
                dimension=dim.id,
                theta=t,
                se=np.where(bad, np.nan, se[dim.id]),
                t_score=50.0 + 10.0 * t,
                percentile=pct,
                answered=answered[dim.id],
                status=status[dim.id],
            )
        )
    return ThetaTable(
        method=method, prior=None if method == "ml" else used, n=n, dimensions=tuple(columns)
    )


def _log_prior(prior: Prior, nodes: Floats) -> Floats:
    return -0.5 * ((nodes - prior.mean) / prior.sd) ** 2


def _eap(log_post: Floats, nodes: Floats) -> tuple[Floats, Floats]:
    """Posterior mean and SD on the grid, from unnormalised log posteriors ``(rows, Q)``."""
    import numpy as np  # noqa: PLC0415

    log_post -= log_post.max(axis=1, keepdims=True)
    w = np.exp(log_post, out=log_post)
    # row by row sums (never a matrix product, whose blocking depends on the
    # number of rows): a respondent gets the same bits alone or in any batch
    total = w.sum(axis=1)
    mean = (w * nodes).sum(axis=1) / total
    d = nodes[None, :] - mean[:, None]
    var = (w * d * d).sum(axis=1) / total
    return mean, np.sqrt(var)


def _objective(
    dim: IrtDimension, cats: list[tuple[Any, Any]], theta: Floats, prior: Prior | None
) -> tuple[Floats, Floats, Floats]:
    """The log posterior (or likelihood) and its two derivatives at each row's θ."""
    import numpy as np  # noqa: PLC0415

    f = np.zeros_like(theta)
    g = np.zeros_like(theta)
    h = np.zeros_like(theta)
    for m, (cat, real) in zip(dim.members, cats, strict=True):
        lp, d1, d2 = log_probability(m.params, cat, theta)
        f += np.where(real, lp, 0.0)
        g += np.where(real, d1, 0.0)
        h += np.where(real, d2, 0.0)
    if prior is not None:
        z = (theta - prior.mean) / prior.sd
        f -= 0.5 * z * z
        g -= z / prior.sd
        h -= 1.0 / (prior.sd * prior.sd)
    return f, g, h


def _newton(
    dim: IrtDimension,
    indices: list[tuple[Any, Any]],
    log_post: Floats,
    nodes: Floats,
    prior: Prior | None,
) -> tuple[Floats, Floats, npt.NDArray[np.int8]]:
    """MAP (``prior``) or ML: Newton's method with step halving, from the best grid node.

    The log posterior of the GRM and the GPCM (with positive ``a``) is strictly
    concave in θ, so a Newton step that does not increase it is halved until it
    does, and the iteration converges to the one maximum.
    """
    import numpy as np  # noqa: PLC0415

    cats = []
    extreme_low = np.ones(log_post.shape[0], dtype=bool)
    extreme_high = np.ones(log_post.shape[0], dtype=bool)
    for m in dim.members:
        index, real = indices[m.column]
        k = m.params.categories
        cat = np.where(real, (k - 1 - index) if m.reverse else index, 0).astype(np.intp)
        cats.append((cat, real))
        extreme_low &= ~real | (cat == 0)
        extreme_high &= ~real | (cat == k - 1)
    theta = nodes[np.argmax(log_post, axis=1)].astype(np.float64)
    status = np.zeros(len(theta), dtype=np.int8)
    if prior is None:  # ML: no finite maximum for all-lowest or all-highest patterns
        status[extreme_low] = 2
        status[extreme_high & ~extreme_low] = 3
    active = status == 0
    f, g, h = _objective(dim, cats, theta, prior)
    for _ in range(MAX_ITERATIONS):
        if not active.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(active & (h < 0), -g / h, 0.0)  # h < 0: strictly concave
        scale = np.ones_like(theta)
        for _halving in range(60):
            trial = theta + scale * step
            with np.errstate(over="ignore", invalid="ignore"):
                f_new, g_new, h_new = _objective(dim, cats, trial, prior)
            # not an increase (or not a number): halve the step
            worse = active & ~(f_new >= f - 1e-12 * np.abs(f))
            if not worse.any():
                break
            scale = np.where(worse, 0.5 * scale, scale)
        theta, f, g, h = trial, f_new, g_new, h_new
        active &= np.abs(scale * step) > TOLERANCE
    status[active] = 4
    with np.errstate(invalid="ignore", divide="ignore"):
        se = 1.0 / np.sqrt(-h)
    return theta, se, status


# ------------------------------------------------------------------ the strategy
#: The status of a θ that is scored (see :data:`STATUS`).
_SCORED: Final = 0


@frozen(kw_only=True)
class ThetaStrategy(ScoringStrategy):
    """θ as a scoring strategy: ``strategy = "theta"`` in a rubric, ``--strategy theta``.

    Every dimension is scored on the latent trait from its items' IRT
    parameters (every item of every dimension must declare them), with the
    options of the rubric's ``[theta]`` section (:class:`~mgrlead.model.ThetaOptions`).
    The ordinary ``sum``, ``mean``, ``percent`` and ``position`` are computed as
    always; the headline ``score`` is θ, the dimension's bands (when declared on
    the ``score``) are in θ units, and each score carries a
    :class:`~mgrlead.results.ThetaResult` (θ, its SE, T-score, percentile, borderline).

    θ needs the answers themselves, not only their sums, so :meth:`score` gives
    only a stand-in (the mean) that the engines replace: each engine runs
    :meth:`theta_columns` on numpy answer matrices (:attr:`scores_theta`).
    """

    name: str = "theta"
    description: str = "θ, the latent trait, from the items' IRT parameters (EAP, MAP or ML)."
    scores_theta: ClassVar[bool] = True
    options: ThetaOptions = field(factory=ThetaOptions)
    """The estimator and its prior and grid (the rubric's ``[theta]``, once prepared)."""
    params: tuple[IrtParams | None, ...] = field(default=(), converter=tuple)
    """Each item's parameters, in the rubric's item order (filled by :meth:`prepare`)."""

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401
        """A stand-in (the mean) for the kernel; the engines replace it with θ."""
        return stats.mean

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:  # noqa: ARG002
        """The quadrature range: bands on θ must cover it (θ beyond it takes the end bands)."""
        return (self.options.lower, self.options.upper)

    def prepare(self, rubric: Any) -> ThetaStrategy:  # noqa: ANN401 - a Rubric
        """This strategy with the rubric's θ options and item parameters.

        Raises:
            RubricError: a dimension has items without IRT parameters, naming them.
        """
        declared = {item.id for item in rubric.items if item.irt is not None}
        for dim in rubric.walk():
            lacking = [i for i, _ in rubric.members(dim) if i not in declared]
            if lacking:
                raise RubricError(
                    f"rubric {rubric.id!r}: strategy 'theta' scores every dimension on θ, but "
                    f"dimension {dim.id!r} has {counted(len(lacking), 'item')} without IRT "
                    f"parameters ({', '.join(map(repr, lacking))}); declare irt = {{model = "
                    "..., ...} on each (see docs/irt.md), or choose another strategy"
                )
        options = rubric.theta if rubric.theta is not None else ThetaOptions()
        return evolve(self, options=options, params=tuple(item.irt for item in rubric.items))

    @property
    def prior(self) -> Prior:
        """The normal prior of the options (for ML: the percentile's population only)."""
        return Prior(mean=self.options.prior_mean, sd=self.options.prior_sd)

    @property
    def quadrature(self) -> Quadrature:
        """The grid of the options."""
        o = self.options
        return Quadrature(points=o.points, lower=o.lower, upper=o.upper)

    def theta_columns(
        self, plan: ScoringPlan, values: Floats, dimensions: dict[str, dict[str, Any]],
        overall: dict[str, Any],
    ) -> None:  # fmt: skip
        """Put θ into a batch's columns (``values``: the checked answers, in item order).

        Per dimension: the θ metrics (:data:`~mgrlead.results.THETA_METRICS`),
        the headline ``score`` (θ) and, when its bands label the ``score``, its
        ``band`` on θ.  A dimension is scorable when it was (its missing-data
        policy) and θ could be estimated; where θ cannot be (ML with every answer
        at one end, or imputed answers only) every number of the dimension is
        missing, its band -1, and ``theta_status`` says why (:meth:`reason`); the
        overall result, which needs every weighted dimension, is then not scorable.
        """
        import numpy as np  # noqa: PLC0415

        table = _score(_irt_plan(self, plan), values, self.options.method, self.prior,
                       self.quadrature)  # fmt: skip
        z = NormalDist().inv_cdf(0.5 + self.options.confidence / 2.0)
        lost = np.zeros(table.n, dtype=bool)
        for d, dim in enumerate(plan.dimensions):
            cols = dimensions[dim.id]
            c = table.dimensions[d]
            before = cols["band"] != kernel.NOT_SCORABLE
            ok = before & (c.status == _SCORED)
            if any(dp == d for dp, _ in plan.top):
                lost |= before & ~ok
            theta = np.where(ok, c.theta, np.nan)
            se = np.where(ok, c.se, np.nan)
            for name in ("sum", "mean", "percent", "position"):
                cols[name] = np.where(ok, cols[name], np.nan)
            cols["score"] = theta
            borderline = np.full(table.n, None, dtype=object)
            with np.errstate(invalid="ignore"):
                if dim.band_on == "score":
                    cols["band"] = np.where(ok, kernel.band_index(NUMPY, theta, dim.boundaries),
                                            kernel.NOT_SCORABLE)  # fmt: skip
                    crosses = kernel.band_slot(NUMPY, theta - z * se, dim.boundaries) != (
                        kernel.band_slot(NUMPY, theta + z * se, dim.boundaries)
                    )
                    borderline[ok] = np.asarray(crosses, dtype=bool)[ok]
                else:
                    cols["band"] = np.where(ok, cols["band"], kernel.NOT_SCORABLE)
            cols["theta"] = theta
            cols["theta_se"] = se
            cols["t_score"] = np.where(ok, c.t_score, np.nan)
            cols["theta_percentile"] = np.where(ok, c.percentile, np.nan)
            cols["theta_borderline"] = borderline
            cols["theta_status"] = np.where(before, c.status, _SCORED).astype(np.int8)
        if lost.any():
            for name in ("percent", "position"):
                overall[name] = np.where(lost, np.nan, overall[name])
            overall["band"] = np.where(lost, kernel.NOT_SCORABLE, overall["band"])

    def reason(self, status: int, answered: int) -> str:
        """Why a dimension that its missing-data policy would score has no θ."""
        if status == 1:
            # TRANSLATORS: {answered} is 0 here; θ (theta) is the IRT estimate of the trait
            return ngettext(
                "{answered} item answered: θ needs at least one answer (it never imputes)",
                "{answered} items answered: θ needs at least one answer (it never imputes)",
                answered,
            ).format(answered=answered)
        return status_reason(status)


def _irt_plan(strategy: ThetaStrategy, plan: ScoringPlan) -> IrtPlan:
    """The θ plan of a compiled plan (cached: its tables are computed once)."""
    key = (strategy, plan.content_hash, plan.dimension_ids)
    found = _PLANS.get(key)
    if found is None:
        if len(_PLANS) >= 64:
            _PLANS.clear()
        dims = tuple(
            IrtDimension(
                dim.id,
                tuple(
                    IrtMember(i, rev, strategy.params[i])  # type: ignore[arg-type]
                    for i, rev in zip(dim.members, dim.reverse, strict=True)
                ),
                max(dim.required, 1),
            )
            for dim in plan.dimensions
        )
        found = _PLANS[key] = IrtPlan(plan.items, plan.index, dims)
    return found


_PLANS: dict[tuple[Any, ...], IrtPlan] = {}


# ------------------------------------------------------------------ for adaptive testing
def log_probability_tables(plan: IrtPlan, quadrature: Quadrature) -> tuple[tuple[Floats, Any], ...]:
    """Per dimension of ``plan``: its flat log-probability table and each member's row offset.

    The table is ``(Σ (codes + 1), Q)``: for each member, one row per response
    code (keying built in: row ``offset + code index``) and a zero row for a
    missing answer (row ``offset + len(codes)``).  θ scoring adds these rows
    (cached per plan and grid); :mod:`mgrlead.adaptive` adds the same rows.
    """
    return _tables(plan, quadrature)


def check_grid_options(prior: object, quadrature: object) -> None:
    """Refuse a ``prior`` that is no :class:`Prior` or a ``quadrature`` no :class:`Quadrature`.

    ``None`` passes (the caller's default).

    Raises:
        RubricError: naming the argument and what it got.
    """
    if prior is not None and not isinstance(prior, Prior):
        raise RubricError(f"prior must be a Prior, got {prior!r}")
    if quadrature is not None and not isinstance(quadrature, Quadrature):
        raise RubricError(f"quadrature must be a Quadrature, got {quadrature!r}")


def log_prior(prior: Prior, nodes: Floats) -> Floats:
    """The normal prior's log density on ``nodes``, up to a constant: ``-(θ - mean)² / 2sd²``."""
    return _log_prior(prior, nodes)


def prior_weights(prior: Prior, nodes: Floats) -> Floats:
    """The normal prior's weights on ``nodes``, normalised to sum to 1 (from :func:`log_prior`)."""
    import numpy as np  # noqa: PLC0415

    log_w = _log_prior(prior, nodes)
    w = np.exp(log_w - log_w.max())
    return w / w.sum()  # type: ignore[no-any-return]


def eap(log_posterior: Floats, nodes: Floats) -> tuple[Floats, Floats]:
    """Posterior mean and SD of each row of unnormalised log posteriors ``(rows, Q)``.

    The same arithmetic as :func:`score_theta`'s EAP (``log_posterior`` is not changed).
    """
    import numpy as np  # noqa: PLC0415

    return _eap(np.array(log_posterior, dtype=np.float64, copy=True), nodes)
