"""Reliability and item analysis that agree with R's psych (``alpha``, ``scoreItems``, ``omega``).

:func:`analyze` reports, per dimension, on the items after reverse keying by the
declared scale.  Every statistic is vectorized over respondents.  Missing answers
are handled pairwise, as psych does: covariances use each pair's complete rows.

Every field's formula and its psych counterpart are listed in the documentation
("Reliability and item analysis").  Where psych computes a same-named statistic
differently in ``alpha()`` and in ``scoreItems()``, mgrlead follows ``alpha()``
(``g6``, ``average_r``, ``alpha_se``) and also gives ``scoreItems``' versions
(``g6_cov``, ``average_r_from_alpha``); ``scoreItems``' standard error is not
reproduced.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import frozen

from mgrlead.engines import kernel
from mgrlead.engines.batch import code_indices
from mgrlead.engines.checks import check_matrix
from mgrlead.engines.frames import columns_to_matrix, frame_columns
from mgrlead.errors import AnalysisWarning, InputError, UnknownIdError, plural
from mgrlead.plugins.resolve import plan_for, resolve_rubric

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = [
    "FELDT_NOTE",
    "Analysis",
    "ItemAnalysis",
    "ScaleAnalysis",
    "analyze",
    "cronbach_alpha",
    "pairwise_cor",
    "pairwise_cov",
]

Array = Any  # a numpy array
#: Item-rest correlations below this flag an item as possibly mis-keyed.
MISKEY_THRESHOLD: Final = 0.1
#: The note of an analysis made without scipy, which Feldt's interval needs.
FELDT_NOTE: Final = (
    "the 95% confidence interval of alpha (Feldt; alpha_ci_low, alpha_ci_high) needs "
    "scipy and was left out: pip install 'mgrlead[analysis]'"
)


def pairwise_cov(x: Array) -> Array:
    """Pairwise-complete covariance matrix (n - 1), like ``cov(x, use = "pairwise")``."""
    import numpy as np  # noqa: PLC0415

    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    m = present.astype(np.float64)
    n = m.T @ m
    sums = x0.T @ m  # [i, j]: sum of item i over rows where i and j are both answered
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x0.T @ x0 - sums * sums.T / n) / (n - 1)


def pairwise_cor(x: Array) -> Array:
    """Pairwise-complete correlations, like ``cor(x, use = "pairwise")``.

    Each pair uses its own complete rows for the means and standard deviations.
    """
    import numpy as np  # noqa: PLC0415

    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    m = present.astype(np.float64)
    n = m.T @ m
    sums = x0.T @ m
    squares = (x0 * x0).T @ m
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = x0.T @ x0 - sums * sums.T / n
        var = squares - sums * sums / n
        r = cov / np.sqrt(var * var.T)
    np.fill_diagonal(r, 1.0)
    return r


def cronbach_alpha(x: Array) -> float | None:
    """Raw Cronbach's alpha from pairwise covariances: ``k/(k-1) (1 - tr C / sum C)``.

    ``None`` for fewer than two items or an undefined covariance matrix.
    """
    k = x.shape[1]
    if k < 2:
        return None
    return _alpha(pairwise_cov(x))


def _alpha(c: Array) -> float | None:
    import numpy as np  # noqa: PLC0415

    k = c.shape[0]
    total = float(np.sum(c))
    # a total that is zero to rounding (next to the items' variances) is a scale that
    # does not vary: alpha is undefined, not a huge number made of rounding error
    if k < 2 or not np.isfinite(total) or abs(total) <= 1e-12 * abs(float(np.trace(c))):
        return None
    return float((1 - np.trace(c) / total) * k / (k - 1))


def _smc(r: Array) -> Array:
    """Squared multiple correlations; the largest correlation where R is singular."""
    import numpy as np  # noqa: PLC0415

    try:
        inverse = np.linalg.inv(r)
        smc = 1 - 1 / np.diag(inverse)
        if np.all(np.isfinite(smc)) and np.all(smc >= 0):
            return smc
    except np.linalg.LinAlgError:
        pass
    off = np.abs(r - np.eye(r.shape[0]))
    return np.max(off, axis=1)


def _std_stats(r: Array) -> tuple[float, float, float, float]:
    """Average r, median r, standardized alpha, signal/noise from a correlation matrix."""
    import numpy as np  # noqa: PLC0415

    k = r.shape[0]
    off = r[~np.eye(k, dtype=bool)]
    av = np.mean(off)
    with np.errstate(divide="ignore", invalid="ignore"):  # IEEE inf/nan, as R gives
        std_alpha = k * av / (1 + (k - 1) * av)
        sn = k * av / (1 - av)
    return float(av), float(np.median(off)), float(std_alpha), float(sn)


def _one_factor(r: Array, *, tol: float = 1e-13, max_iter: int = 10_000) -> Array:
    """Loadings of a one-factor minres (unweighted least squares) fit.

    Iterated principal axes: the communalities on the diagonal are replaced by
    the squared loadings until they stop changing; at convergence this is the
    least-squares fit psych's ``fa(fm = "minres")`` finds.
    """
    import numpy as np  # noqa: PLC0415

    loadings = np.sqrt(np.clip(_smc(r), 0.005, 1.0))
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, loadings**2)
        values, vectors = np.linalg.eigh(reduced)
        new = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
        if new.sum() < 0:
            new = -new
        if np.max(np.abs(new - loadings)) < tol:
            return new
        loadings = new
    return loadings


@frozen(kw_only=True)
class ItemAnalysis:
    """Statistics of one item within its dimension (after reverse keying)."""

    item: str
    reversed: bool
    n: int
    mean: float
    sd: float
    raw_r: float
    std_r: float
    r_cor: float
    r_drop: float
    r_total_cov: float
    alpha_if_deleted: float | None
    std_alpha_if_deleted: float | None
    average_r_if_deleted: float | None
    missing: float
    frequencies: dict[str, float] = attrs.field(hash=False)
    possibly_miskeyed: bool
    alpha_if_reversed: float | None


@frozen(kw_only=True)
class ScaleAnalysis:
    """Reliability of one dimension."""

    dimension: str
    n_items: int
    n: int
    alpha: float | None
    std_alpha: float
    g6: float
    g6_cov: float
    average_r: float
    average_r_from_alpha: float | None
    median_r: float
    signal_noise: float
    alpha_se: float | None
    alpha_ci_low: float | None
    alpha_ci_high: float | None
    mean: float
    sd: float
    omega_total: float | None
    loadings: dict[str, float] = attrs.field(hash=False)
    items: tuple[ItemAnalysis, ...]
    excluded: tuple[str, ...]
    miskeyed: tuple[str, ...]
    note: str | None = None


@frozen(kw_only=True)
class Analysis:
    """The reliability analysis of a rubric on a data set."""

    rubric: str
    rubric_version: str
    content_hash: str
    n: int
    dimensions: tuple[ScaleAnalysis, ...]
    correlations: dict[str, dict[str, float]] = attrs.field(hash=False)
    disattenuated: dict[str, dict[str, float | None]] = attrs.field(hash=False)
    notes: tuple[str, ...] = ()
    """What was left out and why, e.g. the Feldt interval without scipy."""

    def __getitem__(self, dimension_id: str) -> ScaleAnalysis:
        """The analysis of one dimension."""
        for d in self.dimensions:
            if d.dimension == dimension_id:
                return d
        raise UnknownIdError(dimension_id, [d.dimension for d in self.dimensions], "dimension")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with stable snake_case field names."""
        return attrs.asdict(self)

    def to_frame(self, backend: str = "pandas") -> Any:  # noqa: ANN401
        """One row per dimension (``backend``: pandas, polars or pyarrow)."""
        import narwhals as nw  # noqa: PLC0415

        skip = {"loadings", "items", "excluded", "miskeyed"}
        rows = [
            {k: v for k, v in attrs.asdict(d).items() if k not in skip} for d in self.dimensions
        ]
        columns = {k: [r[k] for r in rows] for k in rows[0]}
        return nw.from_dict(columns, backend=backend).to_native()  # type: ignore[arg-type]

    def items_frame(self, backend: str = "pandas") -> Any:  # noqa: ANN401
        """One row per item and dimension."""
        import narwhals as nw  # noqa: PLC0415

        rows = []
        for d in self.dimensions:
            for item in d.items:
                row = {"dimension": d.dimension, **attrs.asdict(item)}
                row.pop("frequencies")
                rows.append(row)
        columns = {k: [r[k] for r in rows] for k in rows[0]}
        return nw.from_dict(columns, backend=backend).to_native()  # type: ignore[arg-type]


@frozen
class _Moments:
    """Everything the statistics need from the data, in a few passes over it.

    Each item's scores are centred on the item's mean (computed from a count of
    each response code) with missing cells set to 0, so that one set of matrix
    products gives every pairwise-complete sum; a reversed item is the centred
    item negated.
    """

    n: int
    counts: list[Array]  # per item: how often each code was given
    n_item: Array  # answered cells per item
    mean: Array  # each item's mean score (unkeyed)
    xc: Array  # (n, items) centred scores, 0 where missing
    present: Array | None  # (n, items) 1.0 where answered; None when nothing is missing
    pairs: Array  # [i, j]: rows where both answered
    sums: Array  # [i, j]: sum of centred i over rows where i and j are answered
    squares: Array  # [i, j]: the same for centred i squared
    cross: Array  # [i, j]: sum of centred i times centred j

    @classmethod
    def of(cls, plan: Any, matrix: Array) -> _Moments:  # noqa: ANN401
        import numpy as np  # noqa: PLC0415

        n, width = matrix.shape
        xc = np.empty((n, width), dtype=np.float64, order="F")
        present = np.empty((n, width), dtype=np.float64, order="F")
        counts, n_item, mean = [], np.zeros(width), np.full(width, math.nan)
        for i, it in enumerate(plan.items):
            index, real = code_indices(it, matrix[:, i])
            count = np.bincount(index, minlength=len(it.codes) + 1)[: len(it.codes)]
            table = np.array([float(it.score_of(c)) for c in it.codes])
            counts.append(count)
            n_item[i] = count.sum()
            if n_item[i]:
                mean[i] = float(count @ table) / n_item[i]
            centred = np.append(table - (mean[i] if n_item[i] else 0.0), 0.0)
            xc[:, i] = centred.take(index)
            present[:, i] = real
        complete = bool(n_item.sum() == n * width)
        cross = xc.T @ xc
        if complete:
            column_sum = xc.sum(axis=0)
            pairs = np.full((width, width), float(n))
            sums = np.repeat(column_sum[:, None], width, axis=1)
            squares = np.repeat((xc * xc).sum(axis=0)[:, None], width, axis=1)
            return cls(n, counts, n_item, mean, xc, None, pairs, sums, squares, cross)
        pairs = present.T @ present
        sums = xc.T @ present
        squares = (xc * xc).T @ present
        return cls(n, counts, n_item, mean, xc, present, pairs, sums, squares, cross)

    def cov(self) -> Array:
        """Pairwise-complete covariances of the item scores (n - 1)."""
        import numpy as np  # noqa: PLC0415

        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.cross - self.sums * self.sums.T / self.pairs) / (self.pairs - 1)

    def cor(self) -> Array:
        """Pairwise-complete correlations, each pair with its own means and SDs."""
        import numpy as np  # noqa: PLC0415

        with np.errstate(invalid="ignore", divide="ignore"):
            cov = self.cross - self.sums * self.sums.T / self.pairs
            var = self.squares - self.sums * self.sums / self.pairs
            r = cov / np.sqrt(var * var.T)
        np.fill_diagonal(r, 1.0)
        return r

    def row_means(self, weights: Array, shifts: Array, members: Array) -> Array:
        """Per row and dimension, the mean of the answered keyed items.

        ``weights`` (items, dimensions) holds +1/-1 for a member (the sign of its
        keying), ``shifts`` its keyed mean, ``members`` 1; NaN without answers.
        """
        import numpy as np  # noqa: PLC0415

        sums = self.xc @ weights
        if self.present is None:
            sums += shifts.sum(axis=0)
            counts = members.sum(axis=0)
        else:
            both = self.present @ np.hstack([shifts, members])
            sums += both[:, : shifts.shape[1]]
            counts = both[:, shifts.shape[1] :]
        with np.errstate(invalid="ignore", divide="ignore"):
            sums /= counts
        return sums

    def item_rest(self, means: Array) -> Array:
        """[i, d]: the correlation of (centred) item i with row means ``d`` over i's rows."""
        import numpy as np  # noqa: PLC0415

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y = means - np.nanmean(means, axis=0)
        y = np.nan_to_num(y)  # a row without answers has none of the items answered either
        sxy = self.xc.T @ y
        sx = np.diag(self.sums)[:, None]
        sxx = np.diag(self.squares)[:, None]
        if self.present is None:
            sy = np.broadcast_to(y.sum(axis=0), sxy.shape)
            syy = np.broadcast_to((y * y).sum(axis=0), sxy.shape)
        else:
            both = self.present.T @ np.hstack([y, y * y])
            sy, syy = both[:, : y.shape[1]], both[:, y.shape[1] :]
        m = self.n_item[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            vy = syy - sy * sy / m
            # row means that are equal on i's rows (to rounding) leave r undefined
            vy[vy <= 1e-12 * syy] = math.nan
            return (sxy - sx * sy / m) / np.sqrt((sxx - sx * sx / m) * vy)


def analyze(
    rubric: Rubric | str,
    frame: Any,  # noqa: ANN401
    *,
    miskey_threshold: float = MISKEY_THRESHOLD,
) -> Analysis:
    """Reliability and item analysis of every dimension, on the items after reversal.

    Args:
        rubric: The rubric (or the name of a registered one).
        frame: The answers: a dataframe or a mapping of columns, one column per item.
        miskey_threshold: Items whose item-rest correlation is below this are
            flagged as possibly mis-keyed (nothing is ever reversed).

    Raises:
        AnswerError: a cell holds no answer of its item's scale (naming row and item).
        InputError: fewer than three respondents, or a column is absent.

    Items that do not vary are excluded from a dimension's statistics, with an
    :class:`AnalysisWarning`.  A dimension needs two items that vary.

    Feldt's interval of alpha needs scipy (``pip install 'mgrlead[analysis]'``);
    without it the interval is ``None`` and :attr:`Analysis.notes` says why.
    """
    import numpy as np  # noqa: PLC0415

    plan = plan_for(resolve_rubric(rubric))
    matrix, _ = columns_to_matrix(plan, frame_columns(frame, "analyze"))
    n = matrix.shape[0]
    if n < 3:
        raise InputError(f"reliability needs at least 3 respondents, got {n}")
    check_matrix(plan.items, matrix)
    moments = _Moments.of(plan, matrix)
    cov_all = moments.cov()
    cor_all = moments.cor()
    spread = np.sqrt(np.diag(cov_all))
    varies = np.isfinite(spread) & (spread > 0)
    # scoreItems' G6 takes each item's SMC from all the rubric's items that vary
    varying = [int(i) for i in np.flatnonzero(varies)]
    smc_all: dict[int, float] = {}
    if len(varying) >= 2:
        c_all = cov_all[np.ix_(varying, varying)]
        d_all = np.sqrt(np.diag(c_all))
        smc_values = _smc(c_all / np.outer(d_all, d_all))
        smc_all = {i: float(v) for i, v in zip(varying, smc_values, strict=True)}
    width, depth = len(plan.items), len(plan.dimensions)
    keys_matrix = np.zeros((width, depth))
    shifts = np.zeros((width, depth))
    members = np.zeros((width, depth))
    for d, dim in enumerate(plan.dimensions):
        for i, rev in zip(dim.members, dim.reverse, strict=True):
            keys_matrix[i, d] = -1.0 if rev else 1.0
            shifts[i, d] = kernel.keyed(plan.items[i], rev, moments.mean[i])
            members[i, d] = 1.0
    used = varies[:, None].astype(np.float64)
    # a dimension's score counts every item; the item-total correlations only those that vary
    both = moments.row_means(
        np.hstack([keys_matrix, keys_matrix * used]),
        np.nan_to_num(np.hstack([shifts, shifts * used])),
        np.hstack([members, members * used]),
    )
    score_means, item_total = both[:, :depth], moments.item_rest(both[:, depth:])
    shared = _Shared(cov_all, cor_all, varies, smc_all, item_total, score_means, miskey_threshold)
    scales = [_scale(plan, d, moments, shared) for d in range(depth)]
    alphas = {scale.dimension: scale.alpha for scale in scales}
    with np.errstate(invalid="ignore", divide="ignore"):
        scale_cov = keys_matrix.T @ np.nan_to_num(cov_all) @ keys_matrix
        sd = np.sqrt(np.diag(scale_cov))
        cor = scale_cov / np.outer(sd, sd)
    ids = [dim.id for dim in plan.dimensions]
    correlations = {a: {b: float(cor[i, j]) for j, b in enumerate(ids)} for i, a in enumerate(ids)}
    disattenuated: dict[str, dict[str, float | None]] = {}
    for i, a in enumerate(ids):
        disattenuated[a] = {}
        for j, b in enumerate(ids):
            aa, ab = alphas[a], alphas[b]
            ok = aa is not None and ab is not None and aa > 0 and ab > 0
            disattenuated[a][b] = float(cor[i, j] / math.sqrt(aa * ab)) if ok else None  # type: ignore[operator]
    notes = () if _f_quantile() is not None else (FELDT_NOTE,)
    return Analysis(
        notes=notes,
        rubric=plan.rubric,
        rubric_version=plan.version,
        content_hash=plan.content_hash,
        n=n,
        dimensions=tuple(scales),
        correlations=correlations,
        disattenuated=disattenuated,
    )


def _frequencies(item: Any, count: Array) -> dict[str, float]:  # noqa: ANN401
    """Each response code's share of the item's answers, every code of its scale in order.

    The codes are the ones people chose, before any reverse keying (as psych's
    ``alpha(x, keys = ...)$response.freq``); a code nobody chose has share 0.
    """
    total = int(count.sum())
    return {
        str(code): (times / total if total else 0.0)
        for code, times in zip(item.codes, count.tolist(), strict=True)
        if code not in item.missing_codes
    }


@frozen
class _Shared:
    """What every scale reads: the rubric-wide matrices and per-row, per-dimension means."""

    cov: Array  # pairwise covariances of all items
    cor: Array  # pairwise correlations of all items
    varies: Array  # per item: does it vary
    smc: Mapping[int, float]  # per varying item: its SMC among all varying items
    item_total: Array  # [i, d]: r of item i with the row means of dimension d's varying items
    score_means: Array  # [row, d]: the score of dimension d (all its items)
    threshold: float  # r.drop below which an item is flagged


@frozen
class _Chosen:
    """A scale's items that vary, keyed, with their covariances ``c`` (all defined)."""

    c: Array
    signs: Array  # +1 / -1 per item (reverse keying)
    members: list[int]  # their positions among the rubric's items
    ids: list[str]
    reversed: list[bool]
    excluded: tuple[str, ...]  # items left out because they do not vary
    mean: float  # the score's mean and SD
    sd: float


def _scale(plan: Any, d: int, moments: _Moments, shared: _Shared) -> ScaleAnalysis:  # noqa: ANN401
    import numpy as np  # noqa: PLC0415

    dim = plan.dimensions[d]
    n = moments.n
    ids = [plan.items[i].id for i in dim.members]
    varied = [j for j, i in enumerate(dim.members) if shared.varies[i]]
    excluded = tuple(ids[j] for j in range(len(ids)) if j not in varied)
    if excluded:
        warnings.warn(
            f"dimension {dim.id!r}: {plural(len(excluded), 'item')} {', '.join(excluded)} "
            f"did not vary (or {'was' if len(excluded) == 1 else 'were'} not answered) and "
            f"{'is' if len(excluded) == 1 else 'are'} left out of its reliability statistics",
            AnalysisWarning,
            stacklevel=3,
        )
    keep = [ids[j] for j in varied]
    chosen = [dim.members[j] for j in varied]
    # the scale's mean and SD describe its score, which counts every item
    score_means = shared.score_means[:, d]
    scored_rows = score_means[~np.isnan(score_means)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = float(np.mean(scored_rows)) if scored_rows.size else math.nan
        sd = float(np.std(scored_rows, ddof=1)) if scored_rows.size > 1 else math.nan
    if len(keep) < 2:
        note = f"needs at least 2 items that vary, has {len(keep)}: reliability is undefined"
        return _empty_scale(dim.id, (len(ids), n, mean, sd), excluded, note)
    signs = np.array([-1.0 if dim.reverse[j] else 1.0 for j in varied])
    c = shared.cov[np.ix_(chosen, chosen)] * np.outer(signs, signs)
    if not np.all(np.isfinite(c)):
        a, b = (int(v) for v in np.argwhere(~np.isfinite(c))[0])
        note = (
            f"items {keep[a]!r} and {keep[b]!r} were answered together by fewer than 2 "
            "respondents: their covariance, and so the reliability, is undefined"
        )
        return _empty_scale(dim.id, (len(ids), n, mean, sd), excluded, note)
    scale = _Chosen(c, signs, chosen, keep, [dim.reverse[j] for j in varied], excluded, mean, sd)
    with np.errstate(divide="ignore", invalid="ignore"):  # IEEE inf/nan, as R gives
        return _reliability(plan, d, moments, shared, scale)


def _reliability(  # noqa: PLR0915 - one pass over every statistic of a scale
    plan: Any,  # noqa: ANN401
    d: int,
    moments: _Moments,
    shared: _Shared,
    scale: _Chosen,
) -> ScaleAnalysis:
    """The statistics of a scale whose items' covariances ``c`` are all defined."""
    import numpy as np  # noqa: PLC0415

    c, signs, chosen, keep, reversed_ = (
        scale.c, scale.signs, scale.members, scale.ids, scale.reversed,
    )  # fmt: skip
    dim, item_total = plan.dimensions[d], shared.item_total[:, d]
    n, k = moments.n, len(keep)
    flips = np.outer(signs, signs)
    r = c / np.outer(np.sqrt(np.diag(c)), np.sqrt(np.diag(c)))
    alpha = _alpha(c)
    av, med, std_alpha, sn = _std_stats(r)
    smc = _smc(r)
    g6 = float(1 - np.sum(1 - smc) / np.sum(r))
    smc_global = np.array([shared.smc.get(i, math.nan) for i in chosen])
    g6_cov = float(1 - np.sum(np.diag(c) * (1 - smc_global)) / np.sum(c))
    one = np.ones(k)
    j = one @ c @ one
    q = (2 * k**2 / ((k - 1) ** 2 * j**3)) * (
        j * (np.trace(c @ c) + np.trace(c) ** 2) - 2 * np.trace(c) * float(one @ c @ c @ one)
    )
    alpha_se = float(np.sqrt(q / n)) if q >= 0 else None
    ci_low = ci_high = None
    interval = None if alpha is None else _feldt(alpha, n, k)
    if interval is not None:
        ci_low, ci_high = interval
    rs = r.copy()
    np.fill_diagonal(rs, smc)
    items = []
    for jj, i in enumerate(chosen):
        it = plan.items[i]
        answered = int(moments.n_item[i])
        rest = c[jj].sum() - c[jj, jj]
        var_rest = c.sum() - 2 * c[jj].sum() + c[jj, jj]
        # the rest of the scale must vary by more than rounding for r.drop to be defined
        defined = var_rest > 1e-12 * np.trace(c)
        r_drop = rest / np.sqrt(c[jj, jj] * var_rest) if defined else math.nan
        others = [o for o in range(k) if o != jj]
        sub_c = c[np.ix_(others, others)]
        sub_r = r[np.ix_(others, others)]
        if_deleted = _alpha(sub_c) if k > 2 else None
        std_if = _std_stats(sub_r)[2] if k > 2 else None
        av_if = _std_stats(sub_r)[0] if k > 2 else None
        flip = np.ones(k)
        flip[jj] = -1
        if_reversed = _alpha(c * np.outer(flip, flip))
        items.append(
            ItemAnalysis(
                item=keep[jj], reversed=reversed_[jj], n=answered,
                mean=float(kernel.keyed(it, reversed_[jj], moments.mean[i])),
                sd=math.sqrt(c[jj, jj]), raw_r=float(signs[jj] * item_total[i]),
                std_r=float(r[jj].sum() / np.sqrt(r.sum())),
                r_cor=float(rs[jj].sum() / np.sqrt(rs.sum())), r_drop=float(r_drop),
                r_total_cov=float(c[jj].sum() / np.sqrt(c[jj, jj] * c.sum())),
                alpha_if_deleted=if_deleted, std_alpha_if_deleted=std_if,
                average_r_if_deleted=av_if, missing=1.0 - answered / n,
                frequencies=_frequencies(it, moments.counts[i]),
                possibly_miskeyed=bool(r_drop < shared.threshold), alpha_if_reversed=if_reversed,
            )
        )  # fmt: skip
    omega = None
    note = None
    loadings: dict[str, float] = {}
    if k >= 3:
        rp = shared.cor[np.ix_(chosen, chosen)] * flips
        if np.all(np.isfinite(rp)):
            lam = _one_factor(rp)
            omega = float(1 - np.sum(1 - lam**2) / np.sum(rp))
            loadings = {keep[jj]: float(lam[jj]) for jj in range(k)}
        else:
            a, b = (int(v) for v in np.argwhere(~np.isfinite(rp))[0])
            note = (
                f"items {keep[a]!r} and {keep[b]!r} do not both vary on the rows where both "
                "were answered: their correlation, and so omega, is undefined"
            )
    return ScaleAnalysis(
        dimension=dim.id, n_items=len(dim.members), n=n, alpha=alpha, std_alpha=std_alpha,
        g6=g6, g6_cov=g6_cov, average_r=av, note=note,
        average_r_from_alpha=None if alpha is None else float(
            np.float64(alpha) / (k - (k - 1) * alpha)),
        median_r=med, signal_noise=sn, alpha_se=alpha_se, alpha_ci_low=ci_low,
        alpha_ci_high=ci_high, mean=scale.mean, sd=scale.sd, omega_total=omega,
        loadings=loadings, items=tuple(items), excluded=scale.excluded,
        miskeyed=tuple(i.item for i in items if i.possibly_miskeyed),
    )  # fmt: skip


def _empty_scale(
    dim_id: str, sizes: tuple[int, int, float, float], excluded: tuple[str, ...], note: str
) -> ScaleAnalysis:
    """A scale without reliability: ``sizes`` is its item count, rows, score mean and SD."""
    nan = math.nan
    n_items, n, mean, sd = sizes
    return ScaleAnalysis(
        dimension=dim_id, n_items=n_items, n=n, alpha=None, std_alpha=nan, g6=nan, g6_cov=nan,
        average_r=nan, average_r_from_alpha=None, median_r=nan, signal_noise=nan,
        alpha_se=None, alpha_ci_low=None, alpha_ci_high=None, mean=mean, sd=sd,
        omega_total=None, loadings={}, items=(), excluded=excluded, miskeyed=(), note=note,
    )  # fmt: skip


def _f_quantile() -> Any | None:  # noqa: ANN401
    """The F-distribution quantile function of scipy, or ``None`` without scipy."""
    try:
        from scipy.special import fdtri  # noqa: PLC0415 - lighter than scipy.stats
    except ImportError:
        return None
    return fdtri


def _feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float] | None:
    """Feldt's confidence interval of alpha (F distribution with n-1, (n-1)(k-1) df).

    ``None`` without scipy (the ``analysis`` extra): the interval is left out.
    """
    fdtri = _f_quantile()
    if fdtri is None:
        return None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    upper_q = float(fdtri(df1, df2, 0.5 + level / 2))
    lower_q = float(fdtri(df1, df2, 0.5 - level / 2))
    return 1 - (1 - alpha) * upper_q, 1 - (1 - alpha) * lower_q
