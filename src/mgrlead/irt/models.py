"""The item response functions: log-probabilities of a category and their derivatives in θ.

Written once over numpy arrays; the quadrature tables (EAP), the Newton steps
(MAP, ML) and the tests' references all call these functions.  Every function
takes an item's :class:`~mgrlead.model.IrtParams`, the *keyed* categories
(0 = lowest, toward the low pole) and θ values of the same shape.

Graded response model (Samejima), with ``x(b) = D a (θ - b)`` and
``sig(x) = 1 / (1 + e^-x)``::

    P(k) = sig(x(b_k)) - sig(x(b_k+1)),          b_0 = -inf, b_K = +inf
    log P(k) = log sig(x(b_k)) + log sig(-x(b_k+1)) + log(1 - e^(-D a (b_k+1 - b_k)))

(an exact rewriting that never subtracts two probabilities near 1).  The
generalized partial credit model, with ``z_k = Σ_{v<=k} D a (θ - d_v)``, ``z_0 = 0``::

    P(k) = exp(z_k) / Σ_j exp(z_j)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import IrtParams

    Floats = npt.NDArray[np.float64]
    Ints = npt.NDArray[np.intp]

__all__ = ["category_log_probabilities", "item_information", "log_probability"]


def _sigmoid(x: Floats) -> Floats:
    import numpy as np  # noqa: PLC0415

    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_sigmoid(x: Floats) -> Floats:
    import numpy as np  # noqa: PLC0415

    return -np.logaddexp(0.0, -x)


def log_probability(
    params: IrtParams, category: Ints, theta: Floats
) -> tuple[Floats, Floats, Floats]:
    """``log P(category | θ)`` and its first and second derivatives in θ, elementwise.

    ``category`` holds keyed categories ``0..K-1`` (the caller masks missing
    answers); ``theta`` has the same shape (or broadcasts to it).
    """
    import numpy as np  # noqa: PLC0415

    da = params.scaling * params.discrimination
    steps = np.asarray(params.effective_steps(), dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    category = np.asarray(category, dtype=np.intp)
    if params.model == "grm":
        ext = np.concatenate(([-np.inf], steps, [np.inf]))
        gap = np.diff(ext)  # b_k+1 - b_k, infinite at both ends
        const = np.log(-np.expm1(-da * gap))  # exact even for thresholds very close together
        lo = ext[category]
        hi = ext[category + 1]
        x_lo = da * (theta - lo)
        x_hi = da * (theta - hi)
        logp = _log_sigmoid(x_lo) + _log_sigmoid(-x_hi) + const[category]
        s_lo, s_hi = _sigmoid(x_lo), _sigmoid(x_hi)
        q_lo, q_hi = _sigmoid(-x_lo), _sigmoid(-x_hi)
        d1 = da * (q_lo - s_hi)
        d2 = -(da * da) * (s_lo * q_lo + s_hi * q_hi)
        return logp, d1, d2
    k = np.arange(len(steps) + 1, dtype=np.float64)
    cum = np.concatenate(([0.0], np.cumsum(steps)))
    shape = np.broadcast_shapes(theta.shape, category.shape)
    z = da * (k * theta[..., None] - cum)  # (..., K)
    z = np.broadcast_to(z, (*shape, len(k)))
    top = z.max(axis=-1, keepdims=True)
    w = np.exp(z - top)
    total = w.sum(axis=-1, keepdims=True)
    lse = (top + np.log(total))[..., 0]
    p = w / total
    mean = (p * k).sum(axis=-1)
    var = (p * (k - mean[..., None]) ** 2).sum(axis=-1)
    chosen = np.take_along_axis(z, np.broadcast_to(category, shape)[..., None], axis=-1)[..., 0]
    return chosen - lse, da * (category - mean), -(da * da) * var


def category_log_probabilities(params: IrtParams, theta: Floats) -> Floats:
    """``log P(k | θ)`` for every category ``k`` (rows) at every θ (columns): ``(K, len(θ))``."""
    import numpy as np  # noqa: PLC0415

    theta = np.asarray(theta, dtype=np.float64)
    cats = np.arange(params.categories, dtype=np.intp)[:, None]
    logp, _, _ = log_probability(params, cats, np.broadcast_to(theta, (len(cats), len(theta))))
    return logp


def item_information(params: IrtParams, theta: Floats) -> Floats:
    """The item's (Fisher, expected) information at each θ: ``Σ_k P_k (d log P_k / dθ)²``.

    For the GPCM this is ``(D a)² Var[k]``; for the GRM ``Σ_k P_k'² / P_k``.
    """
    import numpy as np  # noqa: PLC0415

    theta = np.asarray(theta, dtype=np.float64)
    cats = np.arange(params.categories, dtype=np.intp).reshape((-1,) + (1,) * theta.ndim)
    shape = (params.categories, *theta.shape)
    logp, d1, _ = log_probability(
        params, np.broadcast_to(cats, shape), np.broadcast_to(theta, shape)
    )
    return (np.exp(logp) * d1 * d1).sum(axis=0)  # type: ignore[no-any-return]
