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

from mgrlead.engines.batch import item_scores, keyed_items
from mgrlead.engines.frames import columns_to_matrix, frame_columns
from mgrlead.errors import AnalysisWarning, InputError
from mgrlead.plugins.resolve import plan_for, resolve_rubric

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = [
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
    if k < 2 or not np.isfinite(total) or total == 0:
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
    av = float(np.mean(off))
    med = float(np.median(off))
    std_alpha = k * av / (1 + (k - 1) * av)
    sn = k * av / (1 - av) if av != 1 else math.inf
    return av, med, std_alpha, sn


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

    def __getitem__(self, dimension_id: str) -> ScaleAnalysis:
        """The analysis of one dimension."""
        for d in self.dimensions:
            if d.dimension == dimension_id:
                return d
        raise KeyError(dimension_id)

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

    Items that do not vary are excluded from a dimension's statistics, with an
    :class:`AnalysisWarning`.  A dimension needs two items that vary.
    """
    import numpy as np  # noqa: PLC0415

    plan = plan_for(resolve_rubric(rubric))
    matrix, _ = columns_to_matrix(plan, frame_columns(frame, "analyze"))
    n = matrix.shape[0]
    if n < 3:
        raise InputError(f"reliability needs at least 3 respondents, got {n}")
    scored = item_scores(plan, matrix)
    # scoreItems' G6 takes each item's SMC from all the rubric's items that vary
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(scored, axis=0, ddof=1)
    varying = [i for i in range(scored.shape[1]) if np.isfinite(spread[i]) and spread[i] > 0]
    smc_all: dict[int, float] = {}
    if len(varying) >= 2:
        c_all = pairwise_cov(scored[:, varying])
        d_all = np.sqrt(np.diag(c_all))
        smc_values = _smc(c_all / np.outer(d_all, d_all))
        smc_all = {i: float(v) for i, v in zip(varying, smc_values, strict=True)}
    scales = []
    keys_matrix = np.zeros((len(plan.items), len(plan.dimensions)))
    alphas: dict[str, float | None] = {}
    for d, dim in enumerate(plan.dimensions):
        for i, rev in zip(dim.members, dim.reverse, strict=True):
            keys_matrix[i, d] = -1.0 if rev else 1.0
        scale = _scale(plan, dim, scored, miskey_threshold, smc_all)
        scales.append(scale)
        alphas[dim.id] = scale.alpha
    cov_all = pairwise_cov(scored)
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
    return Analysis(
        rubric=plan.rubric,
        rubric_version=plan.version,
        content_hash=plan.content_hash,
        n=n,
        dimensions=tuple(scales),
        correlations=correlations,
        disattenuated=disattenuated,
    )


def _scale(  # noqa: PLR0915 - one pass over every statistic of a scale
    plan: Any,  # noqa: ANN401
    dim: Any,  # noqa: ANN401
    scored: Array,
    threshold: float,
    smc_all: Mapping[int, float],
) -> ScaleAnalysis:
    import numpy as np  # noqa: PLC0415

    n = scored.shape[0]
    ids = [plan.items[i].id for i in dim.members]
    x_all = keyed_items(plan, dim, scored)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sds_all = np.nanstd(x_all, axis=0, ddof=1)
    varied = [j for j in range(len(ids)) if np.isfinite(sds_all[j]) and sds_all[j] > 0]
    excluded = tuple(ids[j] for j in range(len(ids)) if j not in varied)
    if excluded:
        warnings.warn(
            f"dimension {dim.id!r}: item(s) {', '.join(excluded)} did not vary (or were not "
            "answered) and are left out of its reliability statistics",
            AnalysisWarning,
            stacklevel=3,
        )
    x = x_all[:, varied]
    keep = [ids[j] for j in varied]
    reversed_ = [dim.reverse[j] for j in varied]
    k = len(keep)
    if k < 2:
        note = f"needs at least 2 items that vary, has {k}: reliability is undefined"
        return _empty_scale(dim.id, len(ids), n, excluded, note)
    c = pairwise_cov(x)
    r = c / np.outer(np.sqrt(np.diag(c)), np.sqrt(np.diag(c)))
    alpha = _alpha(c)
    av, med, std_alpha, sn = _std_stats(r)
    smc = _smc(r)
    g6 = float(1 - np.sum(1 - smc) / np.sum(r))
    smc_global = np.array([smc_all.get(dim.members[j], math.nan) for j in varied])
    g6_cov = float(1 - np.sum(np.diag(c) * (1 - smc_global)) / np.sum(c))
    one = np.ones(k)
    j = float(one @ c @ one)
    q = (2 * k**2 / ((k - 1) ** 2 * j**3)) * (
        j * (np.trace(c @ c) + np.trace(c) ** 2) - 2 * np.trace(c) * float(one @ c @ c @ one)
    )
    alpha_se = math.sqrt(q / n) if q >= 0 else None
    ci_low = ci_high = None
    if alpha is not None:
        ci_low, ci_high = _feldt(alpha, n, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        row_means = np.nanmean(x, axis=1)
        # the scale's mean and SD describe its score, which counts every item
        score_means = np.nanmean(x_all, axis=1)
    scored_rows = score_means[~np.isnan(score_means)]
    # items
    rs = r.copy()
    np.fill_diagonal(rs, smc)
    items = []
    for jj in range(k):
        col = x[:, jj]
        present = ~np.isnan(col)
        both = present & ~np.isnan(row_means)
        raw_r = float(np.corrcoef(col[both], row_means[both])[0, 1])
        rest = float(c[jj].sum() - c[jj, jj])
        var_rest = float(c.sum() - 2 * c[jj].sum() + c[jj, jj])
        r_drop = rest / math.sqrt(c[jj, jj] * var_rest) if var_rest > 0 else math.nan
        others = [o for o in range(k) if o != jj]
        sub_c = c[np.ix_(others, others)]
        sub_r = r[np.ix_(others, others)]
        if_deleted = _alpha(sub_c) if k > 2 else None
        std_if = _std_stats(sub_r)[2] if k > 2 else None
        av_if = _std_stats(sub_r)[0] if k > 2 else None
        flip = np.ones(k)
        flip[jj] = -1
        if_reversed = _alpha(c * np.outer(flip, flip))
        values, counts = np.unique(col[present], return_counts=True)
        frequencies = {
            _code(v): float(cnt) / int(present.sum()) for v, cnt in zip(values, counts, strict=True)
        }
        items.append(
            ItemAnalysis(
                item=keep[jj], reversed=reversed_[jj], n=int(present.sum()),
                mean=float(np.mean(col[present])), sd=float(np.std(col[present], ddof=1)),
                raw_r=raw_r, std_r=float(r[jj].sum() / math.sqrt(r.sum())),
                r_cor=float(rs[jj].sum() / math.sqrt(rs.sum())), r_drop=float(r_drop),
                r_total_cov=float(c[jj].sum() / math.sqrt(c[jj, jj] * c.sum())),
                alpha_if_deleted=if_deleted, std_alpha_if_deleted=std_if,
                average_r_if_deleted=av_if, missing=1.0 - int(present.sum()) / n,
                frequencies=frequencies, possibly_miskeyed=bool(r_drop < threshold),
                alpha_if_reversed=if_reversed,
            )
        )  # fmt: skip
    omega = None
    loadings: dict[str, float] = {}
    if k >= 3:
        rp = pairwise_cor(x)
        lam = _one_factor(rp)
        omega = float(1 - np.sum(1 - lam**2) / np.sum(rp))
        loadings = {keep[jj]: float(lam[jj]) for jj in range(k)}
    return ScaleAnalysis(
        dimension=dim.id, n_items=len(ids), n=n, alpha=alpha, std_alpha=std_alpha, g6=g6,
        g6_cov=g6_cov, average_r=av,
        average_r_from_alpha=None if alpha is None else alpha / (k - (k - 1) * alpha),
        median_r=med, signal_noise=sn, alpha_se=alpha_se, alpha_ci_low=ci_low,
        alpha_ci_high=ci_high, mean=float(np.mean(scored_rows)),
        sd=float(np.std(scored_rows, ddof=1)), omega_total=omega, loadings=loadings,
        items=tuple(items), excluded=excluded,
        miskeyed=tuple(i.item for i in items if i.possibly_miskeyed),
    )  # fmt: skip


def _empty_scale(
    dim_id: str, n_items: int, n: int, excluded: tuple[str, ...], note: str
) -> ScaleAnalysis:
    nan = math.nan
    return ScaleAnalysis(
        dimension=dim_id, n_items=n_items, n=n, alpha=None, std_alpha=nan, g6=nan, g6_cov=nan,
        average_r=nan, average_r_from_alpha=None, median_r=nan, signal_noise=nan,
        alpha_se=None, alpha_ci_low=None, alpha_ci_high=None, mean=nan, sd=nan,
        omega_total=None, loadings={}, items=(), excluded=excluded, miskeyed=(), note=note,
    )  # fmt: skip


def _code(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval of alpha (F distribution with n-1, (n-1)(k-1) df)."""
    try:
        from scipy import stats  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "the Feldt interval needs scipy: pip install 'mgrlead[analysis]'"
        raise InputError(msg) from exc
    df1, df2 = n - 1, (n - 1) * (k - 1)
    upper_q = float(stats.f.ppf(0.5 + level / 2, df1, df2))
    lower_q = float(stats.f.ppf(0.5 - level / 2, df1, df2))
    return 1 - (1 - alpha) * upper_q, 1 - (1 - alpha) * lower_q
