"""Model fit and reliability from declared item parameters (issue 17, part 3).

R's mirt is not packaged for Debian (no ``r-cran-mirt``), so the references
here are independent numerical computations, never mgrlead's own code:

* the category probabilities are written out from the textbook formulas
  below (not mgrlead.irt.models), integrated with scipy's ``quad`` or a
  Gauss-Hermite rule (not mgrlead's equally spaced grid);
* S-X²'s expected proportions come from enumerating every answer pattern
  (not the Lord-Wingersky recursion);
* M2, M2* and C2 come from the pattern probabilities, with the moment
  covariance as a sum over patterns and the projection written in its other
  form, ``Δc (Δc' Ξ Δc)⁻¹ Δc'`` with ``Δc`` the orthogonal complement of ``Δ``
  (scipy's ``null_space``);
* under the true model, simulated statistics follow their χ² reference
  distributions (mean near df, p-values uniform).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, linalg, special, stats

from helpers import irt_rubric
from mgrlead.errors import AnswerError, FitError, RubricError
from mgrlead.irt import (
    Prior,
    Quadrature,
    empirical_reliability,
    global_fit,
    item_fit,
    marginal_reliability,
    score_theta,
)
from mgrlead.irt.fit import _collapse, _Group
from mgrlead.model import IrtParams


# ------------------------------------------------------------------ the reference
def _p_ref(p: IrtParams, theta: Any) -> Any:
    """Textbook category probabilities ``(K, len(theta))`` of the keyed categories."""
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    da = p.scaling * (p.a if p.a is not None else 1.0)
    if p.model == "grm":
        b = np.asarray(p.thresholds)
        star = 1.0 / (1.0 + np.exp(-da * (theta[None, :] - b[:, None])))
        upper = np.vstack([np.ones_like(theta), star])
        lower = np.vstack([star, np.zeros_like(theta)])
        return upper - lower
    d = np.asarray(p.steps) + (p.location if p.model == "rsm" else 0.0)
    z = np.vstack([np.zeros_like(theta), np.cumsum(da * (theta[None, :] - d[:, None]), axis=0)])
    z -= z.max(axis=0)
    e = np.exp(z)
    return e / e.sum(axis=0)


def _simulate(params: list[IrtParams], n: int, rng: np.random.Generator) -> Any:
    """Keyed categories ``(n, items)`` drawn from the textbook model, θ ~ N(0, 1)."""
    theta = rng.standard_normal(n)
    out = np.empty((n, len(params)), dtype=np.int64)
    for i, p in enumerate(params):
        cum = _p_ref(p, theta).cumsum(axis=0)
        out[:, i] = (rng.random(n)[None, :] > cum).sum(axis=0)
    return out


def _codes(keyed_cats: Any, keyed: list[str], points: list[int]) -> Any:
    """Answer codes on 1..points from keyed categories (reverse-keyed items mirrored)."""
    out = np.empty(keyed_cats.shape, dtype=float)
    for i, (k, pts) in enumerate(zip(keyed, points, strict=True)):
        out[:, i] = keyed_cats[:, i] + 1 if k == "high" else pts - keyed_cats[:, i]
    return out


def _patterns(params: list[IrtParams], nodes: Any, weights: Any) -> tuple[Any, Any]:
    """Every answer pattern (keyed) and its marginal probability on the given rule."""
    cats = [range(p.categories) for p in params]
    patterns = np.array(list(itertools.product(*cats)))
    probs = [_p_ref(p, nodes) for p in params]
    like = np.ones((len(patterns), len(nodes)))
    for i, pr in enumerate(probs):
        like *= pr[patterns[:, i]]
    return patterns, like @ weights


def _hermite(points: int = 120) -> tuple[Any, Any]:
    """Gauss-Hermite nodes and weights for the standard normal (probabilists')."""
    x, w = special.roots_hermitenorm(points)
    return x, w / w.sum()


GRM = [
    IrtParams(model="grm", a=a, thresholds=b)
    for a, b in [
        (1.2, (-1.8, -0.6, 0.4, 1.7)),
        (2.0, (-1.0, -0.2, 0.3, 0.9)),
        (0.8, (-2.0, -1.0, 0.0, 1.0)),
        (1.5, (-1.5, -0.5, 0.5, 1.5)),
        (1.0, (-1.0, 0.0, 1.0, 2.0)),
        (1.7, (-2.5, -1.0, 0.0, 0.5)),
    ]
]
GRM_KEYED = ["high", "low", "high", "high", "low", "high"]
GRM_RUBRIC = irt_rubric(GRM, GRM_KEYED, points=[5] * 6)

# a small mixed dimension whose every answer pattern can be enumerated
SMALL = [
    IrtParams(model="grm", a=1.4, thresholds=(-0.8, 0.9)),
    IrtParams(model="gpcm", a=0.9, steps=(-1.0, 0.3), scaling=1.702),
    IrtParams(model="pcm", steps=(0.2, -0.4)),
    IrtParams(model="rsm", location=0.4, steps=(-0.7, 0.6)),
    IrtParams(model="rsm", location=-0.3, steps=(-0.7, 0.6)),
]
SMALL_KEYED = ["high", "low", "high", "low", "high"]
SMALL_POINTS = [3, 3, 3, 3, 3]
SMALL_RUBRIC = irt_rubric(SMALL, SMALL_KEYED, points=SMALL_POINTS)


# ------------------------------------------------------------------ reliability
def _information_ref(params: list[IrtParams], theta: float) -> float:
    """Σ_k P_k'² / P_k with P' by a central difference of the textbook probabilities."""
    h = 1e-5
    total = 0.0
    for p in params:
        pr = _p_ref(p, theta)[:, 0]
        d = (_p_ref(p, theta + h)[:, 0] - _p_ref(p, theta - h)[:, 0]) / (2 * h)
        total += float((d * d / pr).sum())
    return total


@pytest.mark.parametrize(("mean", "sd"), [(0.0, 1.0), (0.5, 1.3)])
def test_marginal_reliability_matches_quad(mean: float, sd: float) -> None:
    def integrand(t: float) -> float:
        return stats.norm.pdf(t, mean, sd) / _information_ref(SMALL, t)

    # beyond 12 SD the prior's density (< 1e-32) outweighs 1/I(θ) by far
    lo, hi = mean - 12 * sd, mean + 12 * sd
    error, _ = integrate.quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)
    expected = sd * sd / (sd * sd + error)
    quad = Quadrature(points=121, lower=mean - 8 * sd, upper=mean + 8 * sd)
    got = marginal_reliability(
        SMALL_RUBRIC, "trait", prior=Prior(mean=mean, sd=sd), quadrature=quad
    )
    assert got == pytest.approx(expected, abs=1e-8)
    if mean == 0.0:  # mirt's default grid (61 points on -6..6) is close too
        assert marginal_reliability(SMALL_RUBRIC, "trait") == pytest.approx(expected, abs=1e-6)


def test_empirical_reliability_from_independent_eap() -> None:
    rng = np.random.default_rng(11)
    cats = _simulate(GRM, 300, rng)
    data = _codes(cats, GRM_KEYED, [5] * 6)
    rows = np.flatnonzero(rng.random(300) < 0.3)  # one answer missing: it leaves the likelihood
    data[rows, rng.integers(0, 6, len(rows))] = np.nan
    grid = np.linspace(-8, 8, 3201)
    prior = stats.norm.pdf(grid)
    probs = [_p_ref(p, grid) for p in GRM]
    theta, se = [], []
    for row, kc in zip(data, cats, strict=True):
        like = prior.copy()
        for i, pr in enumerate(probs):
            if not np.isnan(row[i]):
                like *= pr[kc[i]]
        mean = (like * grid).sum() / like.sum()
        theta.append(mean)
        se.append(math.sqrt((like * (grid - mean) ** 2).sum() / like.sum()))
    var = np.var(theta, ddof=1)
    expected = var / (var + np.mean(np.square(se)))
    assert empirical_reliability(GRM_RUBRIC, data, "trait") == pytest.approx(expected, abs=1e-6)


# ------------------------------------------------------------------ S-X²
def _sx2_reference(
    params: list[IrtParams], cats: Any, item: int
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], int]]:
    """Expected and observed counts by (summed keyed score, category) of one item."""
    x, w = _hermite()
    patterns, prob = _patterns(params, x, w)
    sums = patterns.sum(axis=1)
    total = cats.sum(axis=1)
    expected, observed = {}, {}
    for s in np.unique(total):
        at = sums == s
        n_s = int((total == s).sum())
        for k in range(params[item].categories):
            share = prob[at & (patterns[:, item] == k)].sum() / prob[at].sum()
            expected[int(s), k] = n_s * share
            observed[int(s), k] = int(((total == s) & (cats[:, item] == k)).sum())
    return expected, observed


def test_sx2_matches_pattern_enumeration_without_collapsing() -> None:
    rng = np.random.default_rng(3)
    cats = _simulate(SMALL, 400, rng)
    data = _codes(cats, SMALL_KEYED, SMALL_POINTS)
    fits = item_fit(SMALL_RUBRIC, data, mincell=0.0)
    own = [3, 3, 2, 1, 1]  # grm, gpcm: a + 2 steps; pcm: 2 steps; rsm: a location each
    for i, fit in enumerate(fits):
        expected, observed = _sx2_reference(SMALL, cats, i)
        top = sum(p.categories - 1 for p in SMALL)
        statistic = 0.0
        cells = groups = 0
        for s in range(1, top):  # the lowest and highest sums fix every category
            if (s, 0) not in expected:
                continue
            possible = [k for k in range(3) if 0 <= s - k <= top - 2]
            groups += 1
            cells += len(possible)
            statistic += sum(
                (observed[s, k] - expected[s, k]) ** 2 / expected[s, k] for k in possible
            )
        assert fit.item == f"i{i}"
        assert fit.n == 400
        assert fit.parameters == own[i]
        assert fit.groups == groups
        assert fit.cells == cells
        assert fit.collapsed == 0
        assert fit.df == cells - groups - own[i]
        assert fit.statistic == pytest.approx(statistic, rel=1e-7)
        assert fit.p == pytest.approx(stats.chi2.sf(statistic, cells - groups - own[i]), rel=1e-6)
        for cell in fit.table:  # sums of codes: 5 items, each counted from 1
            assert cell.scores[0] == cell.scores[1]
            s = cell.scores[0] - 5
            assert cell.categories[0] == cell.categories[1]
            k = cell.categories[0]
            assert cell.observed == observed[s, k]
            assert cell.expected == pytest.approx(expected[s, k], rel=1e-7)


def test_sx2_collapsing_keeps_every_cell_at_mincell() -> None:
    rng = np.random.default_rng(5)
    cats = _simulate(GRM, 600, rng)
    data = _codes(cats, GRM_KEYED, [5] * 6)
    for fit in item_fit(GRM_RUBRIC, data):
        inner = int(((cats.sum(axis=1) > 0) & (cats.sum(axis=1) < 24)).sum())
        assert inner < 600  # the lowest and highest sums say nothing about an item: left out
        assert sum(c.observed for c in fit.table) == inner
        assert sum(c.expected for c in fit.table) == pytest.approx(inner, rel=1e-12)
        assert fit.groups > 1
        assert all(c.expected >= 1.0 for c in fit.table)
        assert fit.collapsed > 0
        assert fit.df == fit.cells - fit.groups - 5
        groups = {c.scores for c in fit.table}
        assert len(groups) == fit.groups
        by_group: dict[tuple[int, int], list[Any]] = {}
        for c in fit.table:
            by_group.setdefault(c.scores, []).append(c)
        for cells in by_group.values():  # the cells of a group tile its categories
            assert all(a.categories[1] + 1 == b.categories[0] for a, b in itertools.pairwise(cells))
        statistic = sum(
            (c.observed - c.expected) ** 2 / c.expected
            for cells in by_group.values()
            if len(cells) > 1
            for c in cells
        )
        assert fit.statistic == pytest.approx(statistic, rel=1e-12)
        assert fit.rmsea == pytest.approx(
            math.sqrt(max(fit.statistic - fit.df, 0) / (fit.df * 599)), rel=1e-12
        )


@settings(max_examples=20)
@given(mincell=st.floats(0.1, 20.0), n=st.integers(50, 400))
def test_collapsing_invariants(mincell: float, n: int) -> None:
    data = FIT_DATA[:n]
    fine = item_fit(GRM_RUBRIC, data, mincell=0.0)
    for fit, before in zip(item_fit(GRM_RUBRIC, data, mincell=mincell), fine, strict=True):
        assert fit.cells + fit.collapsed == before.cells  # nothing lost, nothing invented
        assert fit.df == fit.cells - fit.groups - 5
        assert sum(c.observed for c in fit.table) == sum(c.observed for c in before.table)
        assert sum(c.expected for c in fit.table) == pytest.approx(
            sum(c.expected for c in before.table), rel=1e-12
        )
        if fit.groups > 1:  # the last resort (one group) may keep a small cell
            assert all(c.expected >= mincell for c in fit.table)


def _group(lo: int, observed: list[int], expected: list[float], kmin: int = 0) -> _Group:
    k = len(observed)
    cats = np.arange(k - 1)
    kmax = k - 1
    return _Group(
        lo=lo,
        hi=lo,
        kmin=kmin,
        kmax=kmax,
        observed=np.array(observed),
        expected=np.array(expected),
        bounds=(cats >= kmin) & (cats + 1 <= kmax),
    )


def test_collapsing_rule_by_hand() -> None:
    # polytomous: within a group, the smallest cell below 1 joins its smaller neighbour
    g = _group(1, [1, 5, 2, 0], [0.4, 5.0, 2.0, 0.6])
    (out,) = _collapse([g], 1.0, 4)
    _, o, e = out.cells()
    assert o.tolist() == [6, 2]
    assert e.tolist() == pytest.approx([5.4, 2.6])
    # a group still short at two cells joins the adjacent group with fewer respondents
    a = _group(1, [0, 3], [0.5, 2.5])
    b = _group(2, [2, 2], [2.0, 2.0])
    c = _group(3, [4, 6], [5.0, 5.0])
    out = _collapse([a, b, c], 1.0, 2)
    assert [(x.lo, x.hi) for x in out] == [(1, 2), (3, 3)]
    assert out[0].cells()[1].tolist() == [2, 5]
    # the middle group: toward the smaller neighbour (here the one above)
    a = _group(1, [5, 5], [5.0, 5.0])
    b = _group(2, [1, 2], [0.5, 2.5])
    c = _group(3, [2, 1], [1.5, 1.5])
    out = _collapse([a, b, c], 1.0, 2)
    assert [(x.lo, x.hi) for x in out] == [(1, 1), (2, 3)]


def test_sx2_p_values_are_uniform_under_the_model() -> None:
    rng = np.random.default_rng(2026)
    p_values = []
    for _ in range(40):
        data = _codes(_simulate(GRM, 800, rng), GRM_KEYED, [5] * 6)
        p_values += [f.p for f in item_fit(GRM_RUBRIC, data, estimated=False)]
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    assert 0.4 < np.mean(p_values) < 0.6


# ------------------------------------------------------------------ M2, M2*, C2
def _moment_functions(kind: str, params: list[IrtParams], patterns: Any) -> Any:
    """The moments of each pattern, ``(patterns, moments)``, as the docs define them."""
    cols = []
    n = len(params)
    for i, p in enumerate(params):
        x = patterns[:, i]
        if kind == "M2*":
            cols.append(x)
        else:
            cols += [x == k for k in range(1, p.categories)]
    for i, j in itertools.combinations(range(n), 2):
        if kind == "M2":
            for k in range(1, params[i].categories):
                cols += [
                    (patterns[:, i] == k) & (patterns[:, j] == v)
                    for v in range(1, params[j].categories)
                ]
        else:
            cols.append(patterns[:, i] * patterns[:, j])
    return np.column_stack(cols).astype(float)


def _flat(params: list[IrtParams]) -> list[float]:
    """Every parameter of every item (rsm: its location and its own copy of the steps)."""
    out: list[float] = []
    for p in params:
        if p.model in {"grm", "gpcm"}:
            out += [p.a or 0.0, *(p.thresholds or p.steps)]
        elif p.model == "pcm":
            out += list(p.steps)
        else:
            out += [p.location or 0.0]
    rsm = [p for p in params if p.model == "rsm"]
    return out + list(rsm[0].steps if rsm else ())


def _unflat(params: list[IrtParams], v: list[float]) -> list[IrtParams]:
    out, at = [], 0
    tau_at = len(v) - (params[-1].categories - 1 if params[-1].model == "rsm" else 0)
    tau = tuple(v[tau_at:])
    for p in params:
        if p.model == "grm":
            out.append(attrs.evolve(p, a=v[at], thresholds=tuple(v[at + 1 : at + 3])))
            at += 3
        elif p.model == "gpcm":
            out.append(attrs.evolve(p, a=v[at], steps=tuple(v[at + 1 : at + 3])))
            at += 3
        elif p.model == "pcm":
            out.append(attrs.evolve(p, steps=tuple(v[at : at + 2])))
            at += 2
        else:
            out.append(attrs.evolve(p, location=v[at], steps=tau))
            at += 1
    return out


def _m2_reference(kind: str, cats: Any, *, estimated: bool) -> tuple[float, int]:
    x, w = _hermite()
    patterns, prob = _patterns(SMALL, x, w)
    moments = _moment_functions(kind, SMALL, patterns)
    pi = prob @ moments
    xi = (moments * prob[:, None]).T @ moments - np.outer(pi, pi)
    index = {tuple(p): n for n, p in enumerate(patterns)}
    observed = moments[[index[tuple(r)] for r in cats]].mean(axis=0)
    e = observed - pi
    if not estimated:
        return float(len(cats) * e @ np.linalg.solve(xi, e)), len(pi)
    v = _flat(SMALL)
    delta = np.empty((len(pi), len(v)))
    for c in range(len(v)):
        up, down = list(v), list(v)
        up[c] += 1e-6
        down[c] -= 1e-6
        plus = _patterns(_unflat(SMALL, up), x, w)[1] @ moments
        minus = _patterns(_unflat(SMALL, down), x, w)[1] @ moments
        delta[:, c] = (plus - minus) / 2e-6
    comp = linalg.null_space(delta.T, rcond=1e-7)  # the orthogonal complement of Δ
    c_mat = comp @ np.linalg.solve(comp.T @ xi @ comp, comp.T)
    return float(len(cats) * e @ c_mat @ e), comp.shape[1]


@pytest.mark.parametrize("kind", ["M2", "M2*", "C2"])
@pytest.mark.parametrize("estimated", [True, False])
def test_global_fit_matches_pattern_enumeration(kind: str, estimated: bool) -> None:
    rng = np.random.default_rng(17)
    cats = _simulate(SMALL, 700, rng)
    data = _codes(cats, SMALL_KEYED, SMALL_POINTS)
    statistic, df = _m2_reference(kind, cats, estimated=estimated)
    fit = global_fit(SMALL_RUBRIC, data, "trait", type=kind, estimated=estimated)
    # grm, gpcm: 3 each; pcm: 2; rsm: 2 shared steps + 2 locations - 1 (only λ + τ counts)
    assert fit.parameters == (3 + 3 + 2 + 3 if estimated else 0)
    assert fit.df == df  # the reference counts the rank of Δ
    assert fit.statistic == pytest.approx(statistic, rel=1e-6)
    assert fit.p == pytest.approx(stats.chi2.sf(statistic, df), rel=1e-5)
    assert fit.rmsea == pytest.approx(
        math.sqrt(max(statistic - df, 0) / (df * 699)), rel=1e-5, abs=1e-12
    )
    x, w = _hermite()
    patterns, prob = _patterns(SMALL, x, w)
    mean = prob @ patterns
    cov = (patterns * prob[:, None]).T @ patterns - np.outer(mean, mean)
    model = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    resid = np.corrcoef(cats, rowvar=False) - model
    upper = np.triu_indices(5, 1)
    assert fit.srmsr == pytest.approx(np.sqrt(np.mean(resid[upper] ** 2)), rel=1e-7)
    assert fit.n == 700


def test_c2_follows_chi2_under_the_model() -> None:
    rng = np.random.default_rng(99)
    values, p_values = [], []
    for _ in range(40):
        data = _codes(_simulate(GRM, 500, rng), GRM_KEYED, [5] * 6)
        fit = global_fit(GRM_RUBRIC, data, "trait")
        assert (fit.moments, fit.parameters, fit.df) == (39, 30, 9)
        values.append(fit.statistic)
        p_values.append(fit.p)
    # mean of 40 draws of χ²(9): SE sqrt(18 / 40) = 0.67
    assert abs(np.mean(values) - 9) < 4 * math.sqrt(18 / 40)
    assert stats.kstest(p_values, "uniform").pvalue > 0.01


@pytest.mark.slow
def test_m2_follows_chi2_under_the_model_many_draws() -> None:
    rng = np.random.default_rng(7)
    by_kind: dict[str, list[float]] = {"M2": [], "C2": []}
    for _ in range(150):
        data = _codes(_simulate(GRM, 1000, rng), GRM_KEYED, [5] * 6)
        for kind, found in by_kind.items():
            found.append(global_fit(GRM_RUBRIC, data, "trait", type=kind).p)
    for found in by_kind.values():
        assert stats.kstest(found, "uniform").pvalue > 0.01


# ------------------------------------------------------------------ properties
FIT_DATA = _codes(_simulate(GRM, 400, np.random.default_rng(1)), GRM_KEYED, [5] * 6)


@functools.cache
def _baseline(kind: str) -> tuple[Any, ...]:
    return (
        item_fit(GRM_RUBRIC, FIT_DATA),
        global_fit(GRM_RUBRIC, FIT_DATA, "trait", type=kind),
        empirical_reliability(GRM_RUBRIC, FIT_DATA, "trait"),
    )


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1))
def test_fit_ignores_the_order_of_respondents(seed: int) -> None:
    shuffled = FIT_DATA[np.random.default_rng(seed).permutation(len(FIT_DATA))]
    items, overall, reliability = _baseline("C2")
    assert item_fit(GRM_RUBRIC, shuffled) == items
    assert global_fit(GRM_RUBRIC, shuffled, "trait") == overall
    assert empirical_reliability(GRM_RUBRIC, shuffled, "trait") == pytest.approx(
        reliability, rel=1e-12
    )


def _reversed(flip: list[bool], kind: str) -> None:
    other = {"high": "low", "low": "high"}
    keyed = [other[k] if f else k for k, f in zip(GRM_KEYED, flip, strict=True)]
    rubric = irt_rubric(GRM, keyed, points=[5] * 6)
    data = FIT_DATA.copy()
    data[:, flip] = 6 - data[:, flip]  # the answers worded the other way
    items, overall, reliability = _baseline(kind)
    assert item_fit(rubric, data) == items
    assert global_fit(rubric, data, "trait", type=kind) == overall
    assert empirical_reliability(rubric, data, "trait") == reliability


@settings(max_examples=15)
@given(flip=st.lists(st.booleans(), min_size=6, max_size=6))
def test_reversing_keying_with_the_data_changes_nothing(flip: list[bool]) -> None:
    _reversed(flip, "C2")


def test_reversing_keying_with_the_data_changes_nothing_m2() -> None:
    _reversed([True, False, True, True, False, False], "M2")


# ------------------------------------------------------------------ bad input
def test_items_without_parameters_are_named() -> None:
    dim = GRM_RUBRIC.dimensions[0]
    items = [attrs.evolve(dim.items[0], irt=None), *dim.items[1:]]
    rubric = attrs.evolve(GRM_RUBRIC, dimensions=[attrs.evolve(dim, items=items)])
    with pytest.raises(RubricError, match=r"dimension 'trait': item\(s\) 'i0' carry no IRT"):
        item_fit(rubric, FIT_DATA, dimension="trait")
    with pytest.raises(RubricError, match="no dimension has IRT parameters on all its items"):
        item_fit(rubric, FIT_DATA)
    with pytest.raises(RubricError, match="'i0' carry no IRT"):
        global_fit(rubric, FIT_DATA, "trait")
    with pytest.raises(RubricError, match="'i0' carry no IRT"):
        marginal_reliability(rubric, "trait")
    with pytest.raises(RubricError, match="has no dimension 'nope'"):
        empirical_reliability(GRM_RUBRIC, FIT_DATA, "nope")


def test_too_few_complete_respondents() -> None:
    data = FIT_DATA[:60].copy()
    data[:20, 3] = np.nan
    with pytest.raises(FitError, match=r"dimension 'trait': 40 of 60 respondents answered every"):
        item_fit(GRM_RUBRIC, data)
    with pytest.raises(FitError, match="at least 50 complete respondents"):
        global_fit(GRM_RUBRIC, data, "trait")
    assert len(item_fit(GRM_RUBRIC, data, min_respondents=40)) == 6
    assert global_fit(GRM_RUBRIC, data, "trait", min_respondents=40).n == 40


def test_data_of_the_wrong_shape_or_values() -> None:
    with pytest.raises(AnswerError, match=r"expected an array of shape \(n, 6\)"):
        item_fit(GRM_RUBRIC, FIT_DATA[:, :5])
    with pytest.raises(AnswerError, match=r"expected an array of shape \(n, 6\)"):
        global_fit(GRM_RUBRIC, FIT_DATA[:, :5], "trait")
    bad = FIT_DATA.copy()
    bad[7, 2] = 9
    with pytest.raises(AnswerError, match="i2"):
        item_fit(GRM_RUBRIC, bad)
    with pytest.raises(FitError, match="not one respondent's answers"):
        item_fit(GRM_RUBRIC, {"i0": 1})  # type: ignore[arg-type]


def test_other_refusals() -> None:
    with pytest.raises(FitError, match=r"M2\* compares 21 moments with 30 item parameters"):
        global_fit(GRM_RUBRIC, FIT_DATA, "trait", type="M2*")
    assert global_fit(GRM_RUBRIC, FIT_DATA, "trait", type="M2*", estimated=False).df == 21
    with pytest.raises(FitError, match="unknown fit statistic 'G2'"):
        global_fit(GRM_RUBRIC, FIT_DATA, "trait", type="G2")
    with pytest.raises(FitError, match="mincell must be"):
        item_fit(GRM_RUBRIC, FIT_DATA, mincell=-1.0)
    one = irt_rubric(GRM[:1], ["high"], points=[5])
    with pytest.raises(FitError, match="dimension 'trait' has one item"):
        item_fit(one, FIT_DATA[:, :1])


def test_a_frame_gives_the_numbers_of_its_array() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(FIT_DATA, columns=list(GRM_RUBRIC.item_ids)).assign(note="x")
    items, overall, reliability = _baseline("C2")
    assert item_fit(GRM_RUBRIC, frame) == items
    assert global_fit(GRM_RUBRIC, frame, "trait") == overall
    assert empirical_reliability(GRM_RUBRIC, frame, "trait") == reliability


def test_large_batches_are_summed_in_blocks() -> None:
    # more rows than one block (BLOCK_ROWS): the same moments as the data once
    many = np.concatenate([FIT_DATA] * 12)  # 4,800 rows
    assert len(many) > 4096
    once = global_fit(GRM_RUBRIC, FIT_DATA, "trait", estimated=False)
    twelve = global_fit(GRM_RUBRIC, many, "trait", estimated=False)
    assert twelve.n == 12 * once.n
    assert twelve.statistic == pytest.approx(12 * once.statistic, rel=1e-9)


# ------------------------------------------------------------------ an independent implementation
FIXTURES = Path(__file__).parent / "fixtures" / "irtfit"


@pytest.mark.parametrize("case", ["binary", "ordinal"])
def test_m2_agrees_with_python_mirt(case: str) -> None:
    """M2 (binary) and M2* (ordinal) against the PyPI package mirt (MIT; not R's mirt).

    tests/fixtures/irtfit/make_fixtures.py made the data and the numbers with
    mirt 1.2.0's ``compute_m2`` (121 Gauss-Hermite points) from the same fixed
    GRM parameters; mgrlead uses its default grid (61 points on -6..6).
    """
    fixture = json.loads((FIXTURES / "fixtures.json").read_text())["cases"][case]
    cats = np.loadtxt(FIXTURES / f"{case}.csv", delimiter=",", skiprows=1, dtype=np.int64)
    points = len(fixture["b"][0]) + 1
    params = [
        IrtParams(model="grm", a=a, thresholds=tuple(b))
        for a, b in zip(fixture["a"], fixture["b"], strict=True)
    ]
    rubric = irt_rubric(params, ["high"] * len(params), points=[points] * len(params))
    kinds = ["M2", "M2*", "C2"] if points == 2 else ["M2*"]  # the same moments for two categories
    for kind in kinds:
        fit = global_fit(rubric, cats + 1.0, "trait", type=kind)
        assert fit.n == fixture["n"]
        assert fit.df == fixture["df"]
        assert fit.statistic == pytest.approx(fixture["M2"], rel=1e-6)
        assert fit.p == pytest.approx(fixture["p"], rel=1e-6)


@pytest.mark.parametrize(("name", "kind"), [("prior", "Prior"), ("quadrature", "Quadrature")])
def test_every_entry_point_refuses_a_prior_or_grid_of_the_wrong_type(name: str, kind: str) -> None:
    """One check (irt.scoring.check_grid_options) behind θ scoring and every fit statistic."""
    wrong: dict[str, Any] = {name: (0.0, 1.0)}
    calls = [
        lambda: marginal_reliability(GRM_RUBRIC, "trait", **wrong),
        lambda: empirical_reliability(GRM_RUBRIC, FIT_DATA, "trait", **wrong),
        lambda: item_fit(GRM_RUBRIC, FIT_DATA, **wrong),
        lambda: global_fit(GRM_RUBRIC, FIT_DATA, "trait", **wrong),
        lambda: score_theta(GRM_RUBRIC, FIT_DATA, **wrong),
    ]
    for call in calls:
        with pytest.raises(RubricError, match=rf"^{name} must be a {kind}, got \(0\.0, 1\.0\)$"):
            call()
