"""Reliability statistics (vectorized; agree with R's psych).

Items are passed after reverse keying, as a ``(respondents, items)`` float array
with NaN for missing answers.  Covariances and correlations are pairwise
complete, as psych computes them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cronbach_alpha", "pairwise_cov"]


def pairwise_cov(x: Any) -> Any:  # noqa: ANN401
    """Pairwise-complete covariance matrix (n - 1), like ``cov(x, use = "pairwise")``."""
    import numpy as np  # noqa: PLC0415

    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    m = present.astype(np.float64)
    n = m.T @ m
    sums = x0.T @ m  # [i, j]: sum of item i over rows where i and j are both answered
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x0.T @ x0 - sums * sums.T / n) / (n - 1)


def cronbach_alpha(x: Any) -> float | None:  # noqa: ANN401
    """Raw Cronbach's alpha from pairwise covariances: ``k/(k-1) (1 - tr C / sum C)``.

    ``None`` for fewer than two items or an undefined covariance matrix.
    """
    import numpy as np  # noqa: PLC0415

    k = x.shape[1]
    if k < 2:
        return None
    c = pairwise_cov(x)
    total = float(np.sum(c))
    if not np.isfinite(total) or total == 0:
        return None
    return float((1 - np.trace(c) / total) * k / (k - 1))
