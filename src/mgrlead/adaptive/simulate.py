"""Simulated adaptive tests: how many items a precision target costs, and how exact θ stays.

:func:`simulate` draws true θ from the prior (or takes them), draws every
answer from the model at the true θ, runs the adaptive test for all simulees
at once (the same :func:`~mgrlead.adaptive.engine.select` a session calls,
vectorised over simulees) and compares its θ with the true θ and with the
full-length EAP (:func:`mgrlead.irt.score_theta` on all the simulee's answers).
:func:`sympson_hetter` computes exposure-control parameters from such runs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from mgrlead.adaptive.engine import Bank, compile_bank, posterior, select
from mgrlead.adaptive.options import STOP_RULES, CatOptions, check_whole
from mgrlead.errors import AdaptiveError
from mgrlead.irt.models import category_log_probabilities
from mgrlead.irt.scoring import score_theta

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import IrtParams, Rubric

    Floats = npt.NDArray[np.float64]

__all__ = ["DimensionSummary", "SimulationResult", "simulate", "sympson_hetter"]


@frozen(kw_only=True)
class DimensionSummary:
    """How the adaptive θ of one dimension compares with the true θ and the full-length EAP."""

    dimension: str
    """The dimension id."""
    items: int
    """How many items the dimension has (its full length)."""
    mean_items: float
    """The mean number of its items presented."""
    mean_se: float
    """The mean SE of the adaptive θ."""
    mean_se_full: float
    """The mean SE of the full-length EAP."""
    bias: float
    """Mean adaptive θ minus true θ."""
    rmse: float
    """Root mean squared difference, adaptive θ vs true θ."""
    rmse_full: float
    """The same for the full-length EAP (the floor the adaptive test approaches)."""
    bias_vs_full: float
    """Mean adaptive θ minus full-length EAP."""
    rmse_vs_full: float
    """Root mean squared difference, adaptive θ vs full-length EAP."""
    corr_full: float
    """Correlation of the adaptive θ with the full-length EAP."""
    corr_true: float
    """Correlation of the adaptive θ with the true θ."""


@frozen(kw_only=True, eq=False)
class SimulationResult:
    """The outcome of :func:`simulate`: summaries, and one row per simulee (numpy columns)."""

    rubric: str
    """The rubric id and version."""
    options: CatOptions
    """The options simulated."""
    n: int
    """How many simulees."""
    seed: int
    """The seed."""
    bank_size: int
    """How many items the full-length test has."""
    dims: tuple[str, ...]
    """The measured dimensions."""
    ids: tuple[str, ...]
    """The bank's items."""
    true_theta: Any
    """``(n, D)``: the true θ."""
    theta: Any
    """``(n, D)``: the adaptive θ (EAP)."""
    se: Any
    """``(n, D)``: its SE."""
    full_theta: Any
    """``(n, D)``: the full-length EAP."""
    full_se: Any
    """``(n, D)``: its SE."""
    length: Any
    """``(n,)``: items presented."""
    length_by_dimension: Any
    """``(n, D)``: items presented per dimension."""
    stops: Any
    """``(n, R)``: which rules stopped each test (:data:`~mgrlead.adaptive.options.STOP_RULES`)."""
    administered: Any
    """``(I,)``: how many simulees were given each item."""
    selected: Any
    """``(I,)``: how often each item came up for its exposure lottery (given or passed over)."""
    item_dims: dict[str, str]
    """Item id to its dimension."""
    answers: Any
    """``(n, I)``: every simulee's drawn answer (response code) to every item of the bank."""

    @property
    def mean_length(self) -> float:
        """The mean test length."""
        return float(self.length.mean())

    @property
    def max_length(self) -> int:
        """The longest test."""
        return int(self.length.max())

    def exposure(self) -> dict[str, float]:
        """Each item's exposure rate: the share of simulees given it."""
        return {i: float(c) / self.n for i, c in zip(self.ids, self.administered, strict=True)}

    def stop_counts(self) -> dict[str, int]:
        """How many tests each stopping rule stopped (a test stopped by two rules counts twice)."""
        return {r: int(c) for r, c in zip(STOP_RULES, self.stops.sum(axis=0), strict=True)}

    def dimensions(self) -> tuple[DimensionSummary, ...]:
        """Per dimension: length, SE, bias, RMSE and correlations."""
        import numpy as np  # noqa: PLC0415

        out = []
        for d, dim in enumerate(self.dims):
            t, f, true = self.theta[:, d], self.full_theta[:, d], self.true_theta[:, d]
            out.append(
                DimensionSummary(
                    dimension=dim,
                    items=int(self._sizes[d]),
                    mean_items=float(self.length_by_dimension[:, d].mean()),
                    mean_se=float(self.se[:, d].mean()),
                    mean_se_full=float(self.full_se[:, d].mean()),
                    bias=float((t - true).mean()),
                    rmse=float(np.sqrt(((t - true) ** 2).mean())),
                    rmse_full=float(np.sqrt(((f - true) ** 2).mean())),
                    bias_vs_full=float((t - f).mean()),
                    rmse_vs_full=float(np.sqrt(((t - f) ** 2).mean())),
                    corr_full=_corr(t, f),
                    corr_true=_corr(t, true),
                )
            )
        return tuple(out)

    @property
    def _sizes(self) -> list[int]:
        return [sum(1 for i in self.ids if self.item_dims[i] == d) for d in self.dims]

    def summary(self) -> dict[str, Any]:
        """Everything but the per-simulee rows, JSON-ready."""
        return {
            "rubric": self.rubric,
            "n": self.n,
            "seed": self.seed,
            "options": self.options.to_dict(),
            "full_length": self.bank_size,
            "mean_length": self.mean_length,
            "max_length": self.max_length,
            "min_length": int(self.length.min()),
            "stopped_by": self.stop_counts(),
            "dimensions": [attrs.asdict(s) for s in self.dimensions()],
            "exposure": self.exposure(),
            "max_exposure": max(self.exposure().values()),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`summary` as JSON."""
        return json.dumps(self.summary(), indent=indent, allow_nan=False)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per simulee: true, adaptive and full-length θ and SE per dimension, lengths."""
        out = []
        for k in range(self.n):
            row: dict[str, Any] = {"simulee": k + 1, "items": int(self.length[k])}
            for d, dim in enumerate(self.dims):
                row[f"{dim}_true"] = float(self.true_theta[k, d])
                row[f"{dim}_theta"] = float(self.theta[k, d])
                row[f"{dim}_se"] = float(self.se[k, d])
                row[f"{dim}_full_theta"] = float(self.full_theta[k, d])
                row[f"{dim}_full_se"] = float(self.full_se[k, d])
                row[f"{dim}_items"] = int(self.length_by_dimension[k, d])
            row["stopped_by"] = " ".join(
                r for r, f in zip(STOP_RULES, self.stops[k], strict=True) if f
            )
            out.append(row)
        return out


def _corr(a: Floats, b: Floats) -> float:
    import numpy as np  # noqa: PLC0415

    if a.std() == 0 or b.std() == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def _params(bank: Bank) -> list[IrtParams]:
    return [m.params for dim in bank.plan.dimensions for m in dim.members]


def _true_theta(bank: Bank, theta: object, n: int | None, rng: Any) -> Floats:  # noqa: ANN401
    import numpy as np  # noqa: PLC0415

    if theta is None:
        check_whole("simulate: n", n, 1)
        assert isinstance(n, int)  # noqa: S101 - checked above
        prior = bank.options.prior
        return prior.mean + prior.sd * rng.standard_normal((n, len(bank.dims)))  # type: ignore[no-any-return]
    if isinstance(theta, Mapping):
        lacking = [d for d in bank.dims if d not in theta]
        if lacking:
            raise AdaptiveError(
                f"simulate: the true θ have no column for dimension(s) {', '.join(lacking)}"
            )
        cols = [np.asarray(theta[d], dtype=np.float64) for d in bank.dims]
        if len({len(c) for c in cols}) != 1:
            raise AdaptiveError("simulate: the true θ columns differ in length")
        values = np.stack(cols, axis=1)
    else:
        values = np.asarray(theta, dtype=np.float64)
        if values.ndim == 1 and len(bank.dims) == 1:
            values = values[:, None]
        if values.ndim != 2 or values.shape[1] != len(bank.dims):
            raise AdaptiveError(
                f"simulate: true θ must be (simulees, {len(bank.dims)}) for dimensions "
                f"{', '.join(bank.dims)}, got shape {values.shape}"
            )
    if len(values) == 0 or not np.isfinite(values).all():
        raise AdaptiveError("simulate: the true θ must be finite numbers (at least one row)")
    return values


def simulate(  # noqa: PLR0913 - the simulation's options
    rubric: Rubric,
    options: CatOptions | None = None,
    *,
    n: int | None = 1000,
    seed: int = 0,
    theta: object = None,
    full: bool = True,
) -> SimulationResult:
    """Run ``n`` simulated adaptive tests and compare them with the truth and with full length.

    Args:
        rubric: A rubric whose measured dimensions carry IRT parameters.
        options: The adaptive test's options (default :class:`CatOptions`).
        n: How many simulees (θ drawn from the options' prior, independently per dimension).
        seed: The seed of θ, the answers and the random choices.
        theta: True θ instead of drawing them: an array ``(simulees, dimensions)`` or a
            mapping ``{dimension: values}`` (``n`` is then ignored).
        full: Also score every simulee on all items (full-length EAP); ``False`` fills
            those columns with NaN (faster, for :func:`sympson_hetter`).

    Raises:
        AdaptiveError: bad options or true θ (naming them).
    """
    import numpy as np  # noqa: PLC0415

    opts = options if options is not None else CatOptions()
    if not isinstance(opts, CatOptions):
        raise AdaptiveError(f"simulate: options must be CatOptions, got {type(opts).__name__}")
    bank = compile_bank(rubric, opts)
    rng = np.random.default_rng(seed)
    true = _true_theta(bank, theta, n, rng)
    count = len(true)
    size = bank.size
    # answers from the model at the true θ: code index per simulee and item
    codes = np.empty((count, size), dtype=np.intp)
    for i, p in enumerate(_params(bank)):
        logp = category_log_probabilities(p, true[:, bank.dim_of[i]])  # (K, n), keyed
        cum = np.cumsum(np.exp(logp), axis=0)
        cat = (rng.random(count)[None, :] > cum[:-1]).sum(axis=0)
        codes[:, i] = (p.categories - 1 - cat) if bank.low_keyed[i] else cat
    full_theta = np.full((count, len(bank.dims)), np.nan)
    full_se = np.full((count, len(bank.dims)), np.nan)
    if full:
        matrix = np.full((count, len(rubric.items)), np.nan)
        column = {item_id: k for k, item_id in enumerate(rubric.item_ids)}
        for i, item_id in enumerate(bank.ids):
            matrix[:, column[item_id]] = codes[:, i] + bank.code_min[i]
        table = score_theta(rubric, matrix, prior=opts.prior, quadrature=opts.quadrature,
                            dimensions=bank.dims)  # fmt: skip
        for d, dim in enumerate(bank.dims):
            full_theta[:, d] = table[dim].theta
            full_se[:, d] = table[dim].se
    asked = np.zeros((count, size), dtype=bool)
    excluded = np.zeros((count, size), dtype=bool)
    log_post = np.broadcast_to(bank.log_prior, (count, len(bank.dims), len(bank.nodes))).copy()
    active = np.ones(count, dtype=bool)
    theta_out = np.full((count, len(bank.dims)), np.nan)
    se_out = np.full((count, len(bank.dims)), np.nan)
    stops = np.zeros((count, len(STOP_RULES)), dtype=bool)
    selected = np.zeros(size, dtype=np.int64)
    for _ in range(size + 1):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        th, se, w = posterior(bank, log_post[idx])
        step = select(bank, asked[idx], excluded[idx], th, se, w, rng.random((len(idx), size + 1)))
        done = step.item < 0
        theta_out[idx[done]] = th[done]
        se_out[idx[done]] = se[done]
        stops[idx[done]] = step.stop[done]
        active[idx[done]] = False
        go = ~done
        rows = idx[go]
        items = step.item[go]
        asked[rows, items] = True
        excluded[rows] |= step.passed[go]
        selected += step.considered[go].sum(axis=0)
        log_post[rows, bank.dim_of[items]] += bank.code_rows[items, codes[rows, items]]
    length_by_dim = (asked @ bank.onehot).astype(np.int64)
    return SimulationResult(
        rubric=f"{bank.rubric_id} {bank.rubric_version}",
        options=opts,
        n=count,
        seed=seed,
        bank_size=size,
        dims=bank.dims,
        ids=bank.ids,
        true_theta=true,
        theta=theta_out,
        se=se_out,
        full_theta=full_theta,
        full_se=full_se,
        length=asked.sum(axis=1),
        length_by_dimension=length_by_dim,
        stops=stops,
        administered=asked.sum(axis=0),
        selected=selected,
        item_dims={i: bank.dims[int(bank.dim_of[k])] for k, i in enumerate(bank.ids)},
        answers=codes + bank.code_min[None, :],
    )


def sympson_hetter(  # noqa: PLR0913 - the procedure's options
    rubric: Rubric,
    options: CatOptions | None = None,
    *,
    target: float = 0.3,
    n: int = 2000,
    iterations: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Sympson-Hetter exposure parameters ``{item id: K}`` for ``options``, from simulations.

    Starting from K = 1, each round simulates ``n`` tests with the current
    parameters and sets ``K_i = target / P(S_i)`` for every item whose selection
    rate ``P(S_i)`` (how often it came up for its lottery) exceeds ``target``,
    1 otherwise (Sympson and Hetter, 1985).  Pass the result as
    ``CatOptions(exposure=...)``; the exposure rate of every item is then about
    ``target`` or less (check it with :func:`simulate`).

    Raises:
        AdaptiveError: ``target`` not in (0, 1], or ``n`` / ``iterations`` below 1.
    """
    import numpy as np  # noqa: PLC0415

    rate_target: object = target
    if (
        isinstance(rate_target, bool)
        or not isinstance(rate_target, (int, float))
        or not 0 < rate_target <= 1
    ):
        raise AdaptiveError(f"sympson_hetter: target must be in (0, 1], got {target!r}")
    check_whole("sympson_hetter: iterations", iterations, 1)
    check_whole("sympson_hetter: n", n, 1)
    opts = attrs.evolve(options if options is not None else CatOptions(), randomesque=1,
                        exposure=None)  # fmt: skip
    ids = compile_bank(rubric, opts).ids
    k = np.ones(len(ids))
    for it in range(iterations):
        current = attrs.evolve(opts, exposure=dict(zip(ids, k.tolist(), strict=True)))
        res = simulate(rubric, current, n=n, seed=seed + it, full=False)
        rate = res.selected / res.n
        k = np.where(rate > target, target / np.maximum(rate, 1e-12), 1.0)
    return {i: float(v) for i, v in zip(ids, k, strict=True)}
