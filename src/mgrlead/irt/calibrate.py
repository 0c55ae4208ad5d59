"""Calibration: item parameters estimated from data by marginal maximum likelihood.

Each calibrated dimension is fitted on its own (a unidimensional model per
dimension), with θ ~ N(0, 1) fixing the metric:

1. the answers become *keyed* categories (``x - min``, or ``max - x`` for a
   reverse-keyed item), identical response patterns are collapsed with
   weights, and respondents who answered none of the dimension's items drop
   out (a missing answer leaves the likelihood; it is never a 0);
2. Bock-Aitkin EM over the fixed quadrature grid (:class:`~mgrlead.irt.Quadrature`,
   default 61 nodes on -6..6, N(0, 1) weights): the E-step gives the expected
   number of people at each node in each category of each item; the M-step
   maximises each item's expected complete-data log-likelihood by Fisher
   scoring (analytic first derivatives, step halving keeps ``a > 0`` and the
   GRM thresholds ordered and never lowers it), so -2 log L never rises;
3. Newton steps on the marginal log-likelihood itself (its gradient is exact,
   by Fisher's identity; its Hessian by Louis's identity) polish the
   estimates, and the inverse of the negative Hessian at the maximum (the
   observed information) gives the standard errors, mapped to the reported
   parameters by the delta method.

The category probabilities come from :mod:`mgrlead.irt.models` (the formulas
are written once, there); their derivatives in the parameters follow from the
probabilities alone (the GRM's boundary curves are sums of category
probabilities), so this module restates no model.  See docs/irt-calibration.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import frozen

from mgrlead.engines.batch import answer_matrix, code_indices
from mgrlead.engines.checks import check_matrix
from mgrlead.errors import (
    AnswerError,
    CalibrationError,
    ConvergenceError,
    FitError,
    RubricError,
    counted,
    plural,
)
from mgrlead.irt import fit as fitting
from mgrlead.irt.fit import GLOBAL_TYPES, GlobalFit, ItemFit
from mgrlead.irt.models import category_log_probabilities
from mgrlead.irt.scoring import Quadrature
from mgrlead.model import IrtParams, Rubric
from mgrlead.plan import compile_plan

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import Dimension
    from mgrlead.plan import ItemPlan

    Floats = npt.NDArray[np.float64]
    Ints = npt.NDArray[np.intp]

__all__ = [
    "MIN_RESPONDENTS",
    "MODELS",
    "Calibration",
    "DimensionFit",
    "ItemEstimate",
    "calibrate",
]

#: The models :func:`calibrate` fits (one for every calibrated dimension).
MODELS: Final = ("grm", "gpcm", "pcm", "rsm")
#: The fewest respondents (with at least one answer) a dimension needs by default.
MIN_RESPONDENTS: Final = 100
#: Relative step of the forward differences in the Hessian.
_H: Final = 1e-6


# ------------------------------------------------------------------ results
@frozen(kw_only=True)
class ItemEstimate:
    """One item's estimated parameters and their standard errors.

    ``names``, ``values`` and ``se`` run in parallel: ``a``, ``b1``.. (grm),
    ``a``, ``d1``.. (gpcm), ``d1``.. (pcm), ``location``, ``tau1``.. (rsm; the
    taus are shared by the dimension's items).
    """

    item: str
    """The item id."""
    dimension: str
    """The dimension it was calibrated in."""
    params: IrtParams
    """The estimates, as the rubric now declares them (toward the high pole, D = 1)."""
    names: tuple[str, ...]
    """The parameters' names."""
    values: tuple[float, ...]
    """Their estimates."""
    se: tuple[float, ...]
    """Their standard errors (observed information)."""
    replaced: IrtParams | None = None
    """The parameters the item declared before, when it was re-estimated (``refit``)."""
    fit: ItemFit | None = None
    """Its S-X² item fit on the calibration data (:func:`mgrlead.irt.item_fit`,
    ``estimated=True``); ``None`` when it could not be computed (the
    calibration's notes say why)."""

    def estimate(self, name: str) -> float:
        """The estimate of one parameter by name (``a``, ``b2``, ...)."""
        return self.values[self.names.index(name)]

    def standard_error(self, name: str) -> float:
        """The standard error of one parameter by name."""
        return self.se[self.names.index(name)]


@frozen(kw_only=True, eq=False, repr=False)
class DimensionFit:
    """How one dimension's calibration went: its fit and its iterations."""

    dimension: str
    """The dimension id."""
    model: str
    """The model fitted."""
    items: tuple[str, ...]
    """Its items, in rubric order."""
    respondents: int
    """Respondents with at least one answer (the others leave the likelihood)."""
    patterns: int
    """Distinct response patterns among them."""
    minus2ll: float
    """-2 log L at the estimates (the marginal likelihood of the patterns)."""
    n_parameters: int
    """The number of free parameters."""
    aic: float
    """``-2 log L + 2 k``."""
    bic: float
    """``-2 log L + k log(respondents)``."""
    em_iterations: int
    """EM cycles run."""
    newton_iterations: int
    """Newton steps on the marginal likelihood after EM."""
    criterion: str
    """The convergence criterion, in words."""
    converged: bool
    """Whether it was met (always true: a calibration that does not converge raises)."""
    last_change: float
    """The largest parameter change of the last Newton step."""
    history: tuple[float, ...]
    """-2 log L at the starting values and after each EM cycle."""
    parameters: tuple[str, ...]
    """The free parameters, ``item:name`` (``dimension:tauK`` for shared rsm steps)."""
    covariance: Floats
    """Their covariance matrix (the inverse of the observed information)."""
    global_fit: GlobalFit | None = None
    """The limited-information fit test chosen with ``fit=`` (C2 by default;
    :func:`mgrlead.irt.global_fit`, ``estimated=True``); ``None`` when skipped
    (``fit=None``) or when it could not be computed (the notes say why)."""
    marginal_reliability: float | None = None
    """:func:`mgrlead.irt.marginal_reliability` of the calibrated items."""
    empirical_reliability: float | None = None
    """:func:`mgrlead.irt.empirical_reliability` of the EAP scores of the
    calibration data; ``None`` when it could not be computed (the notes say why)."""

    def __repr__(self) -> str:
        """``<DimensionFit trait grm: 400 respondents, -2LL 4567.8, 20 parameters, ...>``."""
        return (
            f"<DimensionFit {self.dimension} {self.model}: {self.respondents} respondents, "
            f"-2LL {self.minus2ll:.1f}, {self.n_parameters} parameters, EM "
            f"{self.em_iterations} + Newton {self.newton_iterations}>"
        )


@frozen(kw_only=True, repr=False)
class Calibration:
    """The result of :func:`calibrate`: estimates, fit, and the rubric that carries them.

    ``rubric`` is a new version of the input rubric whose calibrated items
    declare the estimates, so ``score_theta(calibration.rubric, data)`` scores θ.
    Every class of the result is built with keywords only, so fields are added
    with defaults without breaking callers: the model fit and reliability
    (``DimensionFit.global_fit``, ``marginal_reliability``,
    ``empirical_reliability``, ``ItemEstimate.fit``) came that way.
    """

    rubric: Rubric
    """The calibrated rubric (a new version; the input is unchanged)."""
    model: str
    """The model fitted."""
    quadrature: Quadrature
    """The grid the likelihood was integrated on."""
    items: tuple[ItemEstimate, ...]
    """Every calibrated item, in rubric order."""
    dimensions: tuple[DimensionFit, ...]
    """One fit summary per calibrated dimension."""
    notes: tuple[str, ...] = ()
    """What the user should know: parameters that were replaced, respondents left out."""

    def __repr__(self) -> str:
        """``<Calibration grm: 4 dimensions, 24 items -> manager-leader 1.0-calibrated>``."""
        return (
            f"<Calibration {self.model}: {counted(len(self.dimensions), 'dimension')}, "
            f"{counted(len(self.items), 'item')} -> {self.rubric.id} {self.rubric.version}>"
        )

    def item(self, item_id: str) -> ItemEstimate:
        """The estimates of one item."""
        for est in self.items:
            if est.item == item_id:
                return est
        raise KeyError(item_id)

    def dimension(self, dimension_id: str) -> DimensionFit:
        """The fit of one dimension."""
        for fit in self.dimensions:
            if fit.dimension == dimension_id:
                return fit
        raise KeyError(dimension_id)


# ------------------------------------------------------------------ the models
class _Layout:
    """Where each item's parameters sit in a dimension's parameter vector, and what they mean.

    Working parameters (slope-intercept form, all finite, unconstrained but for
    ``a > 0`` and the GRM's ordered intercepts):

    * grm: ``[a, c1..cK-1]`` with ``P(X >= k) = sig(a θ + c_k)``, ``b_k = -c_k / a``;
    * gpcm: ``[a, c1..cK-1]`` with ``z_k = a k θ + c_k``, ``d_k = -(c_k - c_k-1) / a``;
    * pcm: ``[c1..cK-1]``, ``a = 1``;
    * rsm: ``[location]`` per item, then ``u1..uK-2`` shared, the steps
      ``tau = (u1, .., uK-2, -Σu)`` (they sum to 0).
    """

    def __init__(self, model: str, cats: Sequence[int]) -> None:
        import numpy as np  # noqa: PLC0415

        self.model = model
        self.cats = list(cats)
        self.index: list[Ints] = []
        start = 0
        shared = self.cats[0] - 2 if model == "rsm" else 0
        first_shared = len(self.cats) if model == "rsm" else 0
        for k in self.cats:
            if model == "rsm":
                own = [start]
                start += 1
            else:
                m = k - 1 if model == "pcm" else k
                own = list(range(start, start + m))
                start += m
            self.index.append(np.asarray(own, dtype=np.intp))
        if model == "rsm":
            tail = list(range(first_shared, first_shared + shared))
            self.index = [np.asarray([*ix, *tail], dtype=np.intp) for ix in self.index]
            start += shared
        self.size = start
        # the groups that step-halving treats as one: each item, or (rsm) all of them
        self.groups = (
            [[0, *range(1, len(self.cats))]]
            if model == "rsm"
            else [[j] for j in range(len(self.cats))]
        )

    def params(self, beta: Floats) -> list[IrtParams]:
        """Each item's :class:`IrtParams` at ``beta`` (no validation beyond attrs')."""
        import numpy as np  # noqa: PLC0415

        out = []
        for j, k in enumerate(self.cats):
            b = beta[self.index[j]]
            if self.model == "grm":
                out.append(
                    IrtParams(model="grm", a=float(b[0]), thresholds=(-b[1:] / b[0]).tolist())
                )
            elif self.model == "gpcm":
                steps = np.diff(np.concatenate(([0.0], -b[1:] / b[0])))
                out.append(IrtParams(model="gpcm", a=float(b[0]), steps=steps.tolist()))
            elif self.model == "pcm":
                steps = np.diff(np.concatenate(([0.0], -b)))
                out.append(IrtParams(model="pcm", steps=steps.tolist()))
            else:
                u = b[1:]
                tau = np.concatenate((u, [-u.sum()])) if k > 1 else np.zeros(0)
                out.append(IrtParams(model="rsm", location=float(b[0]), steps=tau.tolist()))
        return out

    def valid(self, beta: Floats) -> list[bool]:
        """Per group: whether ``beta`` is inside the parameter space (``a > 0``, ordered)."""
        import numpy as np  # noqa: PLC0415

        ok = []
        for group in self.groups:
            good = bool(np.isfinite(beta[np.concatenate([self.index[j] for j in group])]).all())
            for j in group:
                b = beta[self.index[j]]
                if self.model in {"grm", "gpcm"}:
                    good &= bool(b[0] > 1e-8)
                if self.model == "grm":
                    good &= bool((np.diff(b[1:]) < 0).all())
            ok.append(good)
        return ok

    def reported(self, beta: Floats) -> Floats:
        """The reported parameters (``a``, thresholds or steps, location and taus), flat."""
        import numpy as np  # noqa: PLC0415

        parts = []
        for j, p in enumerate(self.params(beta)):
            if self.model == "rsm":
                parts.append(np.asarray([p.location]))
                if j == len(self.cats) - 1:
                    parts.append(np.asarray(p.steps))
                continue
            head = [p.a] if p.a is not None else []
            parts.append(np.asarray([*head, *(p.thresholds or p.steps)]))
        return np.concatenate(parts)

    def reported_names(self, items: Sequence[str], dimension: str) -> list[tuple[str, str]]:
        """``(owner, name)`` of each reported parameter, in :meth:`reported` order."""
        out: list[tuple[str, str]] = []
        for j, (item, k) in enumerate(zip(items, self.cats, strict=True)):
            if self.model == "rsm":
                out.append((item, "location"))
                if j == len(self.cats) - 1:
                    out += [(dimension, f"tau{v + 1}") for v in range(k - 1)]
                continue
            head = [] if self.model == "pcm" else ["a"]
            letter = "b" if self.model == "grm" else "d"
            out += [(item, n) for n in [*head, *(f"{letter}{v + 1}" for v in range(k - 1))]]
        return out

    def derivatives(self, j: int, prob: Floats, nodes: Floats) -> Floats:
        """``dP_k / dβ`` of item ``j`` at each node: ``(K, parameters of j, Q)``, from ``P``.

        ``prob`` may carry leading axes (items of the same model and categories,
        stacked): ``(..., K, Q)`` gives ``(..., K, parameters, Q)``.
        """
        import numpy as np  # noqa: PLC0415

        k = self.cats[j]
        lead = prob.shape[:-2]
        q = len(nodes)
        if self.model == "grm":
            # boundary curves P(X >= m) = upper, 1 - it = lower: sums, never a difference
            upper = np.cumsum(prob[..., ::-1, :], axis=-2)[..., ::-1, :][..., 1:, :]
            lower = np.cumsum(prob, axis=-2)[..., :-1, :]
            w = np.zeros((*lead, k + 1, q))
            w[..., 1:k, :] = upper * lower  # d sig / d(a θ + c) at each boundary
            d = np.zeros((*lead, k, k, q))
            d[..., :, 0, :] = nodes * (w[..., :-1, :] - w[..., 1:, :])
            m = np.arange(1, k)
            d[..., m, m, :] = w[..., 1:k, :]
            d[..., m - 1, m, :] = -w[..., 1:k, :]
            return d
        design = self._design(j, nodes)  # dz_k / dβ: (K, m, Q)
        mean = np.einsum("...kq,kmq->...mq", prob, design)
        return prob[..., :, None, :] * (design - mean[..., None, :, :])  # type: ignore[no-any-return]

    def _design(self, j: int, nodes: Floats) -> Floats:
        import numpy as np  # noqa: PLC0415

        k = self.cats[j]
        q = len(nodes)
        kk = np.arange(k, dtype=np.float64)
        if self.model == "gpcm":
            z = np.zeros((k, k, q))
            z[:, 0] = kk[:, None] * nodes
            z[np.arange(1, k), np.arange(1, k)] = 1.0
            return z
        if self.model == "pcm":
            z = np.zeros((k, k - 1, q))
            z[np.arange(1, k), np.arange(k - 1)] = 1.0
            return z
        z = np.zeros((k, k - 1, q))  # rsm: location, then u1..uK-2
        z[:, 0] = -kk[:, None]
        for r in range(k - 2):
            z[r + 1 : k - 1, r + 1] = -1.0  # tau_r+1 enters z_k for r+1 <= k <= K-2
        return z


# ------------------------------------------------------------------ one dimension
class _Problem:
    """One dimension's data, collapsed into weighted patterns, and its likelihood."""

    def __init__(self, layout: _Layout, patterns: Any, weights: Floats, quad: Quadrature) -> None:  # noqa: ANN401
        import numpy as np  # noqa: PLC0415

        self.layout = layout
        self.nodes = quad.nodes()
        prior = np.exp(-0.5 * self.nodes**2)
        self.log_prior = np.log(prior / prior.sum())
        self.weights = weights
        self.offsets = np.concatenate(([0], np.cumsum(layout.cats)))
        # rows of the flat log-probability table: item j's categories, then a
        # zero row for a missing answer (as in θ scoring)
        gaps = self.offsets[1:] + np.arange(1, len(layout.cats) + 1)
        starts = np.concatenate(([0], gaps[:-1]))
        self.rows = np.where(patterns >= 0, starts + patterns, gaps - 1).T.copy()
        # each item's answered patterns, sorted by category, and where each category starts
        self.groups: list[tuple[Any, Any]] = []
        for j in range(len(layout.cats)):
            answered = np.flatnonzero(patterns[:, j] >= 0)
            order = answered[np.argsort(patterns[answered, j], kind="stable")]
            first = np.searchsorted(patterns[order, j], np.arange(layout.cats[j]))
            self.groups.append((order, first))
        # every pair of items: patterns that answered both, sorted by the two categories
        self.pairs: dict[tuple[int, int], tuple[Any, Any, Any, Any]] = {}
        for i in range(len(layout.cats)):
            for j in range(i + 1, len(layout.cats)):
                both = np.flatnonzero((patterns[:, i] >= 0) & (patterns[:, j] >= 0))
                code = patterns[both, i] * layout.cats[j] + patterns[both, j]
                sort = np.argsort(code, kind="stable")
                combos, starts = np.unique(code[sort], return_index=True)
                if len(both):
                    self.pairs[i, j] = (
                        both[sort],
                        starts,
                        combos // layout.cats[j],
                        combos % layout.cats[j],
                    )

    def tables(self, beta: Floats) -> list[Floats]:
        """Each item's ``log P(k | θ_q)``: ``(K, Q)``, from :mod:`mgrlead.irt.models`."""
        return [category_log_probabilities(p, self.nodes) for p in self.layout.params(beta)]

    def estep(self, logp: list[Floats]) -> tuple[float, Floats]:
        """The marginal log-likelihood and the expected counts ``(Σ K, Q)``."""
        import numpy as np  # noqa: PLC0415

        ll, post = self.posterior(logp)
        counts = [np.add.reduceat(post[order], first, axis=0) for order, first in self.groups]
        return ll, np.concatenate(counts)

    def posterior(self, logp: list[Floats]) -> tuple[float, Floats]:
        """The marginal log-likelihood and each pattern's posterior times its count ``(P, Q)``.

        Gathers and sorted sums only, no matrix products: multithreaded BLAS on
        small products is many times slower on a busy machine.
        """
        import numpy as np  # noqa: PLC0415

        zero = np.zeros((1, len(self.nodes)))
        flat = np.concatenate([part for lp in logp for part in (lp, zero)])
        joint = flat[self.rows[0]] + self.log_prior
        for rows in self.rows[1:]:
            joint += flat[rows]
        top = joint.max(axis=1, keepdims=True)
        # nodes below e^-500 of a pattern's peak count as 0: their subnormal
        # products would slow every later product tenfold, for no difference
        post = np.exp(np.maximum(joint - top, -500.0), out=joint)
        total = post.sum(axis=1, keepdims=True)
        ll = float((self.weights * (np.log(total[:, 0]) + top[:, 0])).sum())
        post *= self.weights[:, None] / total
        return ll, post

    def hessian(self, beta: Floats) -> Floats:
        """The marginal log-likelihood's Hessian at ``beta`` by Louis's identity (1982).

        ``∇²ℓ = Σ_p n_p (E[∇² log f_p] + E[s_p s_pᵀ] - E[s_p] E[s_p]ᵀ)`` under
        each pattern's posterior, with ``s_p(θ) = Σ_i ∇ log P_i(x_pi | θ)``:
        the first term item by item (forward differences of each item's
        complete-data gradient at fixed expected counts, no E-step), the second
        from the expected joint counts of every pair of items, the third from
        each pattern's posterior mean score.  Exact up to the first term's
        differences (1e-6); a test checks it against differences of the gradient.
        """
        import numpy as np  # noqa: PLC0415

        lay = self.layout
        logp = self.tables(beta)
        _, post = self.posterior(logp)
        counts = np.concatenate(
            [np.add.reduceat(post[order], first, axis=0) for order, first in self.groups]
        )
        hess = np.zeros((lay.size, lay.size))
        scores = []
        for j, lp in enumerate(logp):
            prob = np.exp(lp)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                g = np.where(
                    prob[:, None, :] > 0,
                    lay.derivatives(j, prob, self.nodes) / prob[:, None, :],
                    0.0,
                )
            scores.append(g)  # d log P_jk / dβ_j: (K, m, Q)
            ix = lay.index[j]
            base = self.item_terms(j, lp, counts, info=False)[1]
            for at in ix:
                step = _H * max(1.0, abs(float(beta[at])))
                moved = beta.copy()
                moved[at] += step
                if not all(lay.valid(moved)):
                    step = -step
                    moved[at] = beta[at] + step
                lp2 = category_log_probabilities(lay.params(moved)[j], self.nodes)
                hess[ix, at] += (self.item_terms(j, lp2, counts, info=False)[1] - base) / step
            r = counts[self.offsets[j] : self.offsets[j + 1]]
            hess[np.ix_(ix, ix)] += np.einsum("kq,kmq,klq->ml", r, g, g)
        for (i, j), (order, starts, ki, kj) in self.pairs.items():
            joint = np.add.reduceat(post[order], starts, axis=0)  # (combinations, Q)
            block = np.einsum("cq,cmq,clq->ml", joint, scores[i][ki], scores[j][kj])
            hess[np.ix_(lay.index[i], lay.index[j])] += block
            hess[np.ix_(lay.index[j], lay.index[i])] += block.T
        mean = np.zeros((len(self.weights), lay.size))  # each pattern's posterior mean score
        unit = post / self.weights[:, None]
        for j, g in enumerate(scores):
            order, first = self.groups[j]
            bounds = [*first.tolist(), len(order)]
            for k in range(len(first)):
                rows = order[bounds[k] : bounds[k + 1]]
                part = (unit[rows][:, None, :] * g[k][None]).sum(axis=2)
                mean[np.ix_(rows, lay.index[j])] += part
        hess -= np.einsum("pa,pb->ab", mean * self.weights[:, None], mean)
        return 0.5 * (hess + hess.T)  # type: ignore[no-any-return]

    def numerical_hessian(self, beta: Floats) -> Floats:
        """The Hessian by forward differences of the exact gradient (a check of :meth:`hessian`)."""
        import numpy as np  # noqa: PLC0415

        p = len(beta)
        h = np.zeros((p, p))
        base = self.gradient(beta)[1]
        for i in range(p):
            step = _H * max(1.0, abs(float(beta[i])))
            moved = beta.copy()
            moved[i] += step
            if not all(self.layout.valid(moved)):  # at an edge: step the other way
                step = -step
                moved[i] = beta[i] + step
            h[i] = (self.gradient(moved)[1] - base) / step
        return 0.5 * (h + h.T)  # type: ignore[no-any-return]

    def item_terms(
        self, j: int, logp: Floats, counts: Floats, *, info: bool = True
    ) -> tuple[float, Floats, Floats | None]:
        """Item ``j``'s expected complete-data log-likelihood, gradient and Fisher information."""
        import numpy as np  # noqa: PLC0415

        r = counts[self.offsets[j] : self.offsets[j + 1]]
        q_value = float((r * logp).sum())
        prob = np.exp(logp)
        d = self.layout.derivatives(j, prob, self.nodes)
        # far out in the tails a probability can underflow; such nodes carry no
        # weight, and a non-finite result is caught where it is used
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = np.where(prob > 0, r / prob, 0.0)
            grad = np.einsum("kq,kmq->m", ratio, d)
            if not info:
                return q_value, grad, None
            n = r.sum(axis=0)
            inv = np.where(prob > 0, n[None, :] / prob, 0.0)
            fisher = np.einsum("kq,kmq,klq->ml", inv, d, d)
        return q_value, grad, fisher

    def all_item_terms(
        self, logp: list[Floats], counts: Floats
    ) -> list[tuple[float, Floats, Floats]]:
        """:meth:`item_terms` of every item; in one stack when the items share a model and
        their number of categories (not rsm, whose steps are shared)."""  # noqa: D205, D209
        import numpy as np  # noqa: PLC0415

        lay = self.layout
        if lay.model == "rsm" or len(set(lay.cats)) > 1:
            out = []
            for j, lp in enumerate(logp):
                q_value, grad, fisher = self.item_terms(j, lp, counts)
                out.append((q_value, grad, fisher if fisher is not None else np.zeros(0)))
            return out
        k = lay.cats[0]
        lp = np.stack(logp)  # (J, K, Q)
        r = counts.reshape(len(logp), k, -1)
        prob = np.exp(lp)
        d = lay.derivatives(0, prob, self.nodes)  # (J, K, m, Q)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = np.where(prob > 0, r / prob, 0.0)
            grad = np.einsum("jkq,jkmq->jm", ratio, d)
            inv = np.where(prob > 0, r.sum(axis=1, keepdims=True) / prob, 0.0)
            fisher = np.einsum("jkq,jkmq,jklq->jml", inv, d, d)
        q_values = (r * lp).sum(axis=(1, 2))
        return [(float(q_values[j]), grad[j], fisher[j]) for j in range(len(logp))]

    def gradient(self, beta: Floats) -> tuple[float, Floats]:
        """The marginal log-likelihood and its exact gradient (Fisher's identity)."""
        import numpy as np  # noqa: PLC0415

        logp = self.tables(beta)
        ll, counts = self.estep(logp)
        grad = np.zeros(self.layout.size)
        for j, lp in enumerate(logp):
            _, g, _ = self.item_terms(j, lp, counts, info=False)
            grad[self.layout.index[j]] += g
        return ll, grad

    def mstep(self, beta: Floats, counts: Floats, steps: int = 3) -> Floats:
        """Fisher scoring on the expected complete-data log-likelihood, never lowering it."""
        import numpy as np  # noqa: PLC0415

        lay = self.layout
        for _ in range(steps):
            logp = self.tables(beta)
            terms = self.all_item_terms(logp, counts)
            step = np.zeros(lay.size)
            before = []
            for group in lay.groups:
                ix = np.unique(np.concatenate([lay.index[j] for j in group]))
                where = {int(v): n for n, v in enumerate(ix)}
                g = np.zeros(len(ix))
                f = np.zeros((len(ix), len(ix)))
                total = 0.0
                for j in group:
                    qv, gj, fj = terms[j]
                    local = [where[int(v)] for v in lay.index[j]]
                    g[local] += gj
                    f[np.ix_(local, local)] += fj
                    total += qv
                before.append(total)
                try:
                    step[ix] = np.linalg.solve(f + 1e-10 * np.eye(len(ix)), g)
                except np.linalg.LinAlgError:
                    step[ix] = 0.0
                if not np.isfinite(step[ix]).all():  # no step: the Newton phase will say
                    step[ix] = 0.0
            scale = np.ones(len(lay.groups))
            new = beta
            for _halving in range(40):
                per = np.zeros(lay.size)
                for s, group in zip(scale, lay.groups, strict=True):
                    for j in group:
                        per[lay.index[j]] = s
                new = beta + per * step
                valid = lay.valid(new)
                after = self._group_values(new, counts, valid)
                worse = [
                    not (v and a >= b - 1e-12 * abs(b))
                    for v, a, b in zip(valid, after, before, strict=True)
                ]
                if not any(worse):
                    break
                scale = np.where(worse, 0.5 * scale, scale)
            else:
                scale = np.where(worse, 0.0, scale)
                per = np.zeros(lay.size)
                for s, group in zip(scale, lay.groups, strict=True):
                    for j in group:
                        per[lay.index[j]] = s
                new = beta + per * step
            moved = float(np.abs(new - beta).max())
            beta = new
            if moved < 1e-9:
                break
        return beta

    def _group_values(self, beta: Floats, counts: Floats, valid: list[bool]) -> list[float]:
        lay = self.layout
        params = lay.params(beta)
        out = []
        for ok, group in zip(valid, lay.groups, strict=True):
            if not ok:
                out.append(-math.inf)
                continue
            total = 0.0
            for j in group:
                r = counts[self.offsets[j] : self.offsets[j + 1]]
                total += float((r * category_log_probabilities(params[j], self.nodes)).sum())
            out.append(total)
        return out

    def loglik(self, beta: Floats) -> float:
        """The marginal log-likelihood at ``beta`` (``-inf`` outside the parameter space)."""
        if not all(self.layout.valid(beta)):
            return -math.inf
        return self.estep(self.tables(beta))[0]


# ------------------------------------------------------------------ the public function
def calibrate(  # noqa: PLR0913 - the estimator's options
    rubric: Rubric,
    data: Any,  # noqa: ANN401 - an array, a frame, a mapping of columns or a list of rows
    *,
    model: str = "grm",
    dimensions: Sequence[str] | None = None,
    refit: bool = False,
    version: str | None = None,
    quadrature: Quadrature | None = None,
    max_iter: int = 500,
    em_tol: float = 1e-4,
    tol: float = 1e-6,
    max_newton: int = 25,
    min_respondents: int = MIN_RESPONDENTS,
    fit: str | None = "C2",
) -> Calibration:
    """Estimate the item parameters of each chosen dimension by marginal maximum likelihood.

    Then, on the calibrated rubric and the same data, each dimension's model
    fit and reliability (:mod:`mgrlead.irt.fit`, ``estimated=True``, the same
    quadrature): every item's S-X² (``ItemEstimate.fit``), the global fit
    chosen with ``fit`` (``DimensionFit.global_fit``), and the marginal and
    empirical reliability.  A statistic these data cannot give (too few
    respondents who answered every item, df < 1, a singular moment matrix,
    scipy not installed for the p-values) is ``None``, and a note says why.

    Args:
        rubric: The rubric whose items to calibrate (it is not changed).
        data: The answers: a ``(respondents, items)`` array in ``rubric.item_ids``
            order (NaN or a missing code: not answered); a pandas or polars
            frame, or a mapping of columns, with a column named by each
            calibrated item (other columns are left alone); or a list of
            ``{item_id: answer}`` mappings, one per respondent.
        model: ``grm`` (default), ``gpcm``, ``pcm`` (a = 1) or ``rsm`` (a = 1,
            steps shared by the dimension's items).
        dimensions: Which dimensions; default: every dimension without
            sub-dimensions.  An item may be calibrated in one dimension only.
        refit: Re-estimate items that already declare parameters (otherwise
            they are an error); the result's notes list them.
        version: The calibrated rubric's version; default: the input's
            version with ``-calibrated`` appended.
        quadrature: The grid the likelihood is integrated on (default: 61
            points on -6..6); the prior is N(0, 1), which fixes the metric.
        max_iter: The most EM cycles per dimension.
        em_tol: EM stops when no working parameter changes by more than this
            in a cycle; Newton steps take over.
        tol: Converged when the largest Newton step is below this.
        max_newton: The most Newton steps.
        min_respondents: The fewest respondents (with an answer on the
            dimension) a dimension needs (default :data:`MIN_RESPONDENTS`).
            The fit statistics need ``min(min_respondents,``
            :data:`mgrlead.irt.fit.MIN_RESPONDENTS` ``)`` respondents who
            answered every item of the dimension.
        fit: The global fit statistic: ``C2`` (default), ``M2``, ``M2*`` (any
            case), or ``None`` to leave it out (see :func:`mgrlead.irt.global_fit`).

    Returns:
        A :class:`Calibration`; its ``rubric`` scores θ with
        :func:`~mgrlead.irt.score_theta`.

    Raises:
        CalibrationError: naming the dimension and item: a category nobody
            chose, too few respondents, an item that correlates negatively with
            the rest of its dimension, parameters already declared.
        ConvergenceError: the iterations did not converge (never a silent result).
        AnswerError: an answer off the scale, naming the item and row.
        RubricError: an unknown model, dimension or fit statistic.
    """
    import numpy as np  # noqa: PLC0415

    _check_options(rubric, model, quadrature, max_iter, max_newton, em_tol, tol)
    if isinstance(min_respondents, bool) or not isinstance(min_respondents, int):
        raise RubricError(f"min_respondents must be a whole number, got {min_respondents!r}")
    fit_type = _fit_type(fit)
    if isinstance(dimensions, str):
        dimensions = (dimensions,)
    quad = quadrature if quadrature is not None else Quadrature()
    plan = compile_plan(rubric)
    chosen = _chosen(rubric, dimensions)
    replaced, notes = _declared(rubric, chosen, refit=refit)
    if model == "rsm":
        _check_shared_steps(rubric, chosen)
    needed = [item_id for dim in chosen for item_id, _ in rubric.members(dim)]
    matrix = _as_matrix(plan.items, plan.index, data, needed)
    check_matrix(plan.items, matrix)
    estimates: list[ItemEstimate] = []
    fits: list[DimensionFit] = []
    new_params: dict[str, IrtParams] = {}
    for dim in chosen:
        members = rubric.members(dim)
        ids = [i for i, _ in members]
        cats = np.full((matrix.shape[0], len(ids)), -1, dtype=np.intp)
        sizes = []
        for j, (item_id, reverse) in enumerate(members):
            it = plan.items[plan.index[item_id]]
            index, real = code_indices(it, matrix[:, plan.index[item_id]])
            k = len(it.codes)
            sizes.append(k)
            cats[:, j] = np.where(real, (k - 1 - index) if reverse else index, -1)
        answered = (cats >= 0).any(axis=1)
        dropped = int((~answered).sum())
        if dropped:
            notes.append(
                f"dimension {dim.id!r}: {counted(dropped, 'respondent')} answered none of its "
                "items and left the likelihood"
            )
        cats = cats[answered]
        summary, items = _fit_dimension(
            dim.id, ids, [plan.items[plan.index[i]] for i in ids], [r for _, r in members],
            sizes, cats, model, quad,
            max_iter=max_iter, em_tol=em_tol, tol=tol, max_newton=max_newton,
            min_respondents=min_respondents,
        )  # fmt: skip
        fits.append(summary)
        for est in items:
            estimates.append(attrs.evolve(est, replaced=replaced.get(est.item)))
            new_params[est.item] = est.params
    try:
        calibrated = _with_params(
            rubric, new_params, version if version is not None else f"{rubric.version}-calibrated"
        )
    except RubricError as exc:  # e.g. rsm steps that differ within a dimension
        raise CalibrationError(f"the estimates do not make a valid rubric: {exc}") from exc
    fits, estimates = _with_fit_statistics(
        calibrated, matrix, fits, estimates, notes, fit_type=fit_type, quadrature=quad,
        min_respondents=min(min_respondents, fitting.MIN_RESPONDENTS),
    )  # fmt: skip
    order = {i: n for n, i in enumerate(rubric.item_ids)}
    estimates.sort(key=lambda e: order[e.item])
    return Calibration(
        rubric=calibrated,
        model=model,
        quadrature=quad,
        items=tuple(estimates),
        dimensions=tuple(fits),
        notes=tuple(notes),
    )


def _fit_type(fit: object) -> str | None:
    """The :func:`~mgrlead.irt.global_fit` type ``fit`` names (any case), or ``None``."""
    if fit is None:
        return None
    chosen = {t.lower(): t for t in GLOBAL_TYPES}.get(fit.lower()) if isinstance(fit, str) else None
    if chosen is None:
        raise RubricError(
            f"unknown global fit statistic {fit!r}; use one of "
            f"{', '.join(t.lower() for t in GLOBAL_TYPES)}, or None to leave it out"
        )
    return chosen


def _with_fit_statistics(  # noqa: PLR0913 - the fits and how to compute them
    calibrated: Rubric,
    matrix: Floats,
    fits: list[DimensionFit],
    estimates: list[ItemEstimate],
    notes: list[str],
    *,
    fit_type: str | None,
    quadrature: Quadrature,
    min_respondents: int,
) -> tuple[list[DimensionFit], list[ItemEstimate]]:
    """Each dimension's S-X², global fit and reliability, on the calibrated rubric and data.

    A statistic that cannot be computed is ``None`` and adds a note (never an
    error: the estimates stand without it).
    """
    item_fits: dict[str, ItemFit] = {}
    out: list[DimensionFit] = []
    for dim in fits:
        where = dim.dimension
        try:
            found = fitting.item_fit(
                calibrated, matrix, dimension=where, quadrature=quadrature,
                min_respondents=min_respondents,
            )  # fmt: skip
            item_fits.update((f.item, f) for f in found)
        except FitError as exc:
            notes.append(f"item fit (S-X²) left out: {exc}")
        except ImportError as exc:  # scipy, for the p-values
            notes.append(_without_scipy(where, "item fit (S-X²)", exc))
        overall = None
        if fit_type is not None:
            try:
                overall = fitting.global_fit(
                    calibrated, matrix, where, type=fit_type, quadrature=quadrature,
                    min_respondents=min_respondents,
                )  # fmt: skip
            except FitError as exc:
                notes.append(f"global fit ({fit_type}) left out: {exc}")
            except ImportError as exc:
                notes.append(_without_scipy(where, f"global fit ({fit_type})", exc))
        marginal = fitting.marginal_reliability(calibrated, where, quadrature=quadrature)
        empirical = None
        try:
            empirical = fitting.empirical_reliability(
                calibrated, matrix, where, quadrature=quadrature
            )
        except FitError as exc:
            notes.append(f"empirical reliability left out: {exc}")
        out.append(
            attrs.evolve(
                dim,
                global_fit=overall,
                marginal_reliability=marginal,
                empirical_reliability=empirical,
            )
        )
    return out, [attrs.evolve(e, fit=item_fits.get(e.item)) for e in estimates]


def _without_scipy(dimension: str, what: str, exc: ImportError) -> str:
    return (
        f"{what} left out for dimension {dimension!r}: its p-value needs scipy ({exc}); "
        "pip install 'mgrlead[analysis]'"
    )


def _check_options(  # noqa: PLR0913, PLR0917 - the options of calibrate
    rubric: object,
    model: str,
    quadrature: object,
    max_iter: object,
    max_newton: object,
    em_tol: object,
    tol: object,
) -> None:
    if not isinstance(rubric, Rubric):
        raise RubricError(
            f"calibrate needs a Rubric, got {type(rubric).__name__}; load one with "
            "mgrlead.load_rubric(name or file)"
        )
    if model not in MODELS:
        raise RubricError(f"unknown IRT model {model!r}; use one of {', '.join(MODELS)}")
    if quadrature is not None and not isinstance(quadrature, Quadrature):
        raise RubricError(f"quadrature must be a Quadrature, got {quadrature!r}")
    for name, value in (("max_iter", max_iter), ("max_newton", max_newton)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RubricError(f"{name} must be a positive whole number, got {value!r}")
    for name, tolerance in (("em_tol", em_tol), ("tol", tol)):
        if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance > 0):
            raise RubricError(f"{name} must be a positive number, got {tolerance!r}")


def _declared(
    rubric: Rubric, chosen: Sequence[Dimension], *, refit: bool
) -> tuple[dict[str, IrtParams], list[str]]:
    """The parameters the chosen items already declare (an error unless ``refit``), and notes."""
    notes: list[str] = []
    replaced: dict[str, IrtParams] = {}
    for dim in chosen:
        for item_id, _ in rubric.members(dim):
            item = rubric.item(item_id)
            if item.responses:
                raise CalibrationError(
                    f"dimension {dim.id!r}, item {item_id!r}: it has a response map "
                    "(responses); IRT models the scale's ordered points, so it cannot be "
                    "calibrated (remove the map, or leave the dimension out)"
                )
            if item.irt is not None:
                replaced[item_id] = item.irt
    if replaced and not refit:
        raise CalibrationError(
            f"{plural(len(replaced), 'item')} {', '.join(map(repr, replaced))} already "
            "declare IRT parameters; pass refit=True (mgrlead irt fit --refit) to "
            "re-estimate them, or leave their dimensions out (dimensions=...)"
        )
    if replaced:
        notes.append(
            f"re-estimated {counted(len(replaced), 'item')} that declared parameters: "
            f"{', '.join(replaced)}"
        )
    return replaced, notes


def _check_shared_steps(rubric: Rubric, chosen: Sequence[Dimension]) -> None:
    """``rsm``: no dimension may hold items of two calibrated dimensions (their steps differ)."""
    owner = {item_id: dim.id for dim in chosen for item_id, _ in rubric.members(dim)}
    for dim in rubric.walk():
        sources = list(dict.fromkeys(owner[i] for i, _ in rubric.members(dim) if i in owner))
        if len(sources) > 1:
            raise CalibrationError(
                f"model 'rsm' gives each calibrated dimension its own steps, but dimension "
                f"{dim.id!r} holds items of {', '.join(map(repr, sources))}, whose steps would "
                f"then differ; calibrate {dim.id!r} itself (dimensions=[{dim.id!r}]), or use "
                "pcm or gpcm"
            )


def _chosen(rubric: Rubric, dimensions: Sequence[str] | None) -> list[Dimension]:
    """The dimensions to calibrate; no item in two of them."""
    if dimensions is None:
        chosen = [d for d in rubric.walk() if not d.dimensions]
    else:
        known = [d.id for d in rubric.walk()]
        chosen = []
        for dim_id in dimensions:
            if dim_id not in known:
                raise RubricError(
                    f"rubric {rubric.id!r} has no dimension {dim_id!r}; its dimensions are "
                    f"{', '.join(known)}"
                )
            chosen.append(rubric.dimension(dim_id))
        if not chosen:
            raise RubricError("dimensions=[] names no dimension to calibrate; name at least one")
    seen: dict[str, str] = {}
    for dim in chosen:
        for item_id, _ in rubric.members(dim):
            if item_id in seen:
                raise CalibrationError(
                    f"item {item_id!r} counts toward dimension {seen[item_id]!r} and "
                    f"{dim.id!r}; an item carries one set of parameters, so calibrate one of "
                    "them (dimensions=[...])"
                )
            seen[item_id] = dim.id
    return chosen


def _as_matrix(
    items: Sequence[ItemPlan],
    index: Mapping[str, int],
    data: Any,  # noqa: ANN401 - an array, a frame, a mapping of columns or a list of rows
    needed: Sequence[str],
) -> Floats:
    """The data as a ``(respondents, items)`` float array in rubric order (NaN: missing)."""
    import numpy as np  # noqa: PLC0415

    ids = [it.id for it in items]
    columns = getattr(data, "columns", None)
    if columns is None and isinstance(data, Mapping):
        columns = list(data)
    if columns is not None:  # a frame, or a mapping of columns: by name
        names = [str(c) for c in columns]
        lacking = [i for i in needed if i not in names]
        if lacking:
            raise AnswerError(
                f"the data has no column for {plural(len(lacking), 'item')} "
                f"{', '.join(map(repr, lacking))}; give every calibrated item a column",
                item=lacking[0],
            )
        present = [i for i in ids if i in names]
        if isinstance(data, Mapping):
            cols = [np.asarray(_floats(data[i]), dtype=np.float64) for i in present]
            lengths = {len(c) for c in cols}
            if len(lengths) > 1:
                raise AnswerError(
                    f"the columns differ in length ({sorted(lengths)}); give each one value "
                    "per respondent"
                )
            block = np.column_stack(cols) if cols else np.zeros((0, 0))
        else:
            selected = data[present]
            block = answer_matrix(
                selected.to_numpy() if hasattr(selected, "to_numpy") else selected, len(present)
            )
        out = np.full((block.shape[0], len(ids)), np.nan)
        for n, i in enumerate(present):
            out[:, index[i]] = block[:, n]
        return out
    if isinstance(data, Sequence) and data and all(isinstance(r, Mapping) for r in data):
        out = np.full((len(data), len(ids)), np.nan)
        for row, answers in enumerate(data):
            unknown = [k for k in answers if k not in index]
            if unknown:
                raise AnswerError(
                    f"row {row}: unknown item {unknown[0]!r}; the rubric's items are "
                    f"{', '.join(ids)}",
                    item=str(unknown[0]),
                    row=row,
                )
            for item_id, value in answers.items():
                out[row, index[item_id]] = _floats([value])[0]
        return out
    return answer_matrix(data, len(ids))


def _floats(values: Iterable[object]) -> list[float]:
    """Cells as floats for the answer checks: ``None`` is NaN; text and flags stay invalid."""
    out = []
    for v in values:
        if v is None:
            out.append(math.nan)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            try:
                out.append(float(v))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise AnswerError(
                    f"{v!r} is not a response code; answers are numbers (None or NaN: not answered)"
                ) from None
            if isinstance(v, bool):
                raise AnswerError(f"{v!r} is a true/false value, not a response code; give numbers")
        else:
            out.append(float(v))
    return out


def _with_params(rubric: Rubric, params: Mapping[str, IrtParams], version: str) -> Rubric:
    """A new rubric: ``version``, and each named item carrying its parameters."""

    def dimension(dim: Dimension) -> Dimension:
        items = [attrs.evolve(i, irt=params[i.id]) if i.id in params else i for i in dim.items]
        subs = [dimension(s) for s in dim.dimensions]
        return attrs.evolve(dim, items=items, dimensions=subs)

    return attrs.evolve(
        rubric, version=version, dimensions=[dimension(d) for d in rubric.dimensions]
    )


# ------------------------------------------------------------------ fitting one dimension
def _fit_dimension(  # noqa: PLR0913, PLR0915, PLR0917 - one dimension's whole fit
    dim_id: str,
    ids: list[str],
    items: list[ItemPlan],
    reverse: list[bool],
    sizes: list[int],
    cats: Any,  # noqa: ANN401
    model: str,
    quad: Quadrature,
    *,
    max_iter: int,
    em_tol: float,
    tol: float,
    max_newton: int,
    min_respondents: int,
) -> tuple[DimensionFit, list[ItemEstimate]]:
    import numpy as np  # noqa: PLC0415

    where = f"dimension {dim_id!r}"
    n = cats.shape[0]
    if n < min_respondents:
        raise CalibrationError(
            f"{where}: {counted(n, 'respondent')} answered its items; calibration needs at "
            f"least {min_respondents} (a few hundred for stable estimates); gather more "
            "responses (or lower min_respondents, at the cost of unstable estimates)"
        )
    if model == "rsm" and len(set(sizes)) > 1:
        raise CalibrationError(
            f"{where}: rsm shares its steps between items, but the items have "
            f"{sorted(set(sizes))} categories; use pcm or gpcm"
        )
    counts = []
    for j, (item_id, it, rev, k) in enumerate(zip(ids, items, reverse, sizes, strict=True)):
        c = np.bincount(cats[cats[:, j] >= 0, j], minlength=k).astype(np.float64)
        counts.append(c)
        seen = int((c > 0).sum())
        if seen < 2:
            raise CalibrationError(
                f"{where}, item {item_id!r}: only {seen} of its {k} categories were "
                "chosen; an item needs answers in at least two to be calibrated (leave it "
                "out of the dimension, or gather more varied responses)"
            )
        for cat in np.flatnonzero(c == 0):
            code = it.code_max - int(cat) if rev else it.code_min + int(cat)
            raise CalibrationError(
                f"{where}, item {item_id!r}: nobody answered {code}, so "
                f"{'the thresholds around it are' if model == 'grm' else 'its steps are'} "
                f"not identified; collapse {code} with a neighbouring category in the data "
                "(or on the scale), or gather more responses"
            )
    patterns, weights = np.unique(cats, axis=0, return_counts=True)
    rest = _item_rest(patterns, weights.astype(np.float64))
    for item_id, r in zip(ids, rest, strict=True):
        if not r > 0:
            raise CalibrationError(
                f"{where}, item {item_id!r}: it correlates {r:+.2f} with the rest of the "
                "dimension; check its keying (keyed = high/low), or leave it out"
            )
    layout = _Layout(model, sizes)
    problem = _Problem(layout, patterns, weights.astype(np.float64), quad)
    beta = _start(layout, counts, rest)
    history = []
    change = math.inf
    em_iterations = 0
    for em_iterations in range(1, max_iter + 1):  # noqa: B007
        ll, expected = problem.estep(problem.tables(beta))
        history.append(-2.0 * ll)
        new = problem.mstep(beta, expected)
        moved = np.abs(new - beta)
        change = float(moved.max())
        beta = new
        if change < em_tol:
            break
    else:
        worst = int(np.argmax(moved))
        item = next(i for i, ix in zip(ids, layout.index, strict=True) if worst in ix)
        raise ConvergenceError(
            f"{where}: EM did not converge in {max_iter} iterations (the largest parameter "
            f"change in the last was {change:.3g}, in item {item!r}, above em_tol = "
            f"{em_tol:g}); allow more with max_iter (--max-iter) or a looser em_tol; an "
            "item that barely discriminates, or too few respondents for the model, keeps "
            "EM from settling (try a simpler model, or leave the item out)"
        )
    history.append(-2.0 * problem.loglik(beta))
    newton = 0
    step_size = math.inf
    ll = problem.loglik(beta)
    hess = None
    hess_at = beta
    previous = math.inf
    for newton in range(1, max_newton + 1):  # noqa: B007
        _, grad = problem.gradient(beta)
        if hess is None or step_size > 0.1 * previous:  # keep it while steps shrink fast
            hess = problem.hessian(beta)
            hess_at = beta
        previous = step_size
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.full_like(beta, np.nan)
        if not np.isfinite(step).all():
            raise _not_identified(where, ids, layout)
        scale = 1.0
        for _halving in range(40):
            trial = beta + scale * step
            value = problem.loglik(trial)
            if value >= ll - 1e-10 * abs(ll):
                break
            scale *= 0.5
        else:
            trial, value = beta, ll
        step_size = float(np.abs(trial - beta).max())
        beta, ll = trial, value
        if step_size < tol:
            break
    else:
        raise ConvergenceError(
            f"{where}: the Newton steps did not converge in {max_newton} (the last moved a "
            f"parameter by {step_size:.3g}, above tol = {tol:g}); allow more with max_newton "
            "or a looser tol"
        )
    if np.abs(beta - hess_at).max() > 0.0:
        hess = problem.hessian(beta)  # the SEs: the information at the estimates
    try:
        cov = np.linalg.inv(-hess)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise _not_identified(where, ids, layout) from None
    jac = _jacobian(layout, beta)
    cov_reported = jac @ cov @ jac.T
    se = np.sqrt(np.clip(np.diag(cov_reported), 0.0, None))
    values = layout.reported(beta)
    names = layout.reported_names(ids, dim_id)
    params = layout.params(beta)
    estimates = []
    for j, item_id in enumerate(ids):
        mine = [n for n, (owner, _) in enumerate(names) if owner == item_id]
        if model == "rsm":
            mine += [n for n, (owner, _) in enumerate(names) if owner == dim_id]
        estimates.append(
            ItemEstimate(
                item=item_id,
                dimension=dim_id,
                params=params[j],
                names=tuple(names[n][1] for n in mine),
                values=tuple(float(values[n]) for n in mine),
                se=tuple(float(se[n]) for n in mine),
            )
        )
    k = layout.size
    m2ll = -2.0 * ll
    fit = DimensionFit(
        dimension=dim_id,
        model=model,
        items=tuple(ids),
        respondents=n,
        patterns=len(weights),
        minus2ll=m2ll,
        n_parameters=k,
        aic=m2ll + 2.0 * k,
        bic=m2ll + k * math.log(n),
        em_iterations=em_iterations,
        newton_iterations=newton,
        criterion=(
            f"EM until no parameter changed by {em_tol:g} in a cycle, then Newton "
            f"until the largest step was below {tol:g}"
        ),
        converged=True,
        last_change=step_size,
        history=tuple(history),
        parameters=tuple(f"{owner}:{name}" for owner, name in names),
        covariance=cov_reported,
    )
    return fit, estimates


def _not_identified(where: str, ids: Sequence[str], layout: _Layout) -> CalibrationError:
    return CalibrationError(
        f"{where}: the observed information is not positive definite, so the "
        f"{layout.model} parameters of items {', '.join(map(repr, ids))} are not identified by "
        "these data; gather more responses, collapse rare categories, or fit a simpler "
        "model (pcm or rsm)"
    )


def _jacobian(layout: _Layout, beta: Floats) -> Floats:
    """d(reported parameters) / d(working parameters), by central differences.

    Only the parameter transformation is differenced (no likelihood).
    """
    import numpy as np  # noqa: PLC0415

    base = layout.reported(beta)
    jac = np.zeros((len(base), len(beta)))
    for i in range(len(beta)):
        h = 1e-6 * max(1.0, abs(float(beta[i])))
        up = beta.copy()
        up[i] += h
        down = beta.copy()
        down[i] -= h
        jac[:, i] = (layout.reported(up) - layout.reported(down)) / (2 * h)
    return jac


def _item_rest(patterns: Any, weights: Floats) -> list[float]:  # noqa: ANN401
    """Each item's correlation with the mean of the other items answered (keyed).

    Computed on the distinct patterns with their weights: the same numbers in
    any order of the respondents.
    """
    import numpy as np  # noqa: PLC0415

    x = np.where(patterns >= 0, patterns, 0).astype(np.float64)
    real = patterns >= 0
    total = x.sum(axis=1)
    count = real.sum(axis=1)
    out = []
    for j in range(x.shape[1]):
        others = count - real[:, j]
        ok = real[:, j] & (others > 0)
        w = weights[ok]
        if w.sum() < 3:
            out.append(1.0 if x.shape[1] == 1 else math.nan)
            continue
        a = x[ok, j]
        b = (total[ok] - a) / others[ok]
        ma, mb = (w * a).sum() / w.sum(), (w * b).sum() / w.sum()
        cov = (w * (a - ma) * (b - mb)).sum()
        var = (w * (a - ma) ** 2).sum() * (w * (b - mb) ** 2).sum()
        out.append(float(cov / math.sqrt(var)) if var > 0 else math.nan)
    return out


def _start(layout: _Layout, counts: Sequence[Floats], rest: Sequence[float]) -> Floats:
    """Starting values from the category proportions and item-rest correlations."""
    import numpy as np  # noqa: PLC0415

    beta = np.zeros(layout.size)
    pcm_steps = []
    for j, (c, r) in enumerate(zip(counts, rest, strict=True)):
        rr = min(max(r, 0.1), 0.9)
        a = float(np.clip(1.702 * rr / math.sqrt(1.0 - rr * rr), 0.3, 4.0))
        ix = layout.index[j]
        if layout.model == "grm":
            upper = np.cumsum(c[::-1])[::-1][1:] / c.sum()  # P(X >= k), k = 1..K-1
            logit = np.log(upper / (1.0 - upper))
            thresholds = -logit * math.sqrt(1.0 + (a / 1.702) ** 2) / a
            beta[ix] = np.concatenate(([a], -a * thresholds))
        elif layout.model in {"gpcm", "pcm"}:
            intercepts = np.log(c[1:] / c[0])  # adjacent-category logits at θ = 0
            beta[ix] = np.concatenate(([a], intercepts)) if layout.model == "gpcm" else intercepts
        else:
            pcm_steps.append(np.log(c[:-1] / c[1:]))
    if layout.model == "rsm":
        steps = np.asarray(pcm_steps)
        location = steps.mean(axis=1)
        tau = (steps - location[:, None]).mean(axis=0)
        for j, loc in enumerate(location):
            beta[layout.index[j][0]] = loc
        beta[layout.index[0][1:]] = tau[:-1]
    return beta
