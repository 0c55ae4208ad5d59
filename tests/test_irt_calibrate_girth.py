"""Calibration against girth's ``grm_mml`` on the same data (issue 17, part 5).

girth (MIT; in the test extra) fits the graded response model by marginal
maximum likelihood too, on the logistic metric (D = 1) with θ ~ N(0, 1), but
integrates over 41 Gauss-Legendre points on -4.5..4.5, searches each ``a`` in
0.2..5 with the thresholds from its own integral equations, and stops when no
``a`` moved by 1e-3.  The grid is not what separates the two: mgrlead's
estimates on its default grid (61 points, -6..6) and on a 401-point grid on
-10..10 agree within 1e-7, and with 41 points on girth's interval they move by
1.4e-4.  girth's stopping rule is: its estimates sit slightly below the
maximum (measured: its -2 log L is 0.43 higher, on the same grid), off by at
most 0.0015 in ``a`` and 0.015 in a threshold here, 0.41 standard errors at
most.
"""

from __future__ import annotations

import girth
import numpy as np
from girth import synthetic

from mgrlead.irt import Quadrature, calibrate

from .test_irt_calibrate import _loglik, small


def test_grm_estimates_agree_with_girths_grm_mml() -> None:
    rng = np.random.default_rng(3)
    n_items = 6
    a = rng.uniform(0.8, 2.2, n_items)
    b = np.sort(rng.normal(0, 1, (n_items, 4)), axis=1) + np.array([-0.6, -0.2, 0.2, 0.6])
    data = synthetic.create_synthetic_irt_polytomous(b, a, rng.normal(size=2000), "grm", seed=5)
    theirs = girth.grm_mml(data)  # (items, people), codes 1..5
    answers = data.T.astype(np.float64)
    cal = calibrate(small(n_items), answers)
    ours_a = np.array([e.params.a for e in cal.items])
    ours_b = np.array([e.params.thresholds for e in cal.items])
    se = np.array([e.se for e in cal.items])
    diff = np.column_stack([
        ours_a - theirs["Discrimination"], ours_b - theirs["Difficulty"]
    ])  # fmt: skip
    assert np.abs(diff[:, 0]).max() < 0.005  # measured 0.0015
    assert np.abs(diff[:, 1:]).max() < 0.03  # measured 0.015
    assert (np.abs(diff) < 0.5 * se).all()  # measured: at most 0.41 SE
    # the same likelihood, written out in the other test file: ours is its maximum
    ours = np.concatenate([[e.params.a, *e.params.thresholds] for e in cal.items])
    girths = np.column_stack([theirs["Discrimination"], theirs["Difficulty"]]).ravel()
    assert _loglik(ours, answers) >= _loglik(girths, answers)
    # girth's interval changes nothing that matters
    same_grid = calibrate(
        small(n_items), answers, quadrature=Quadrature(points=41, upper=4.5, lower=-4.5)
    )
    moved = [
        np.abs(np.subtract(x.values, y.values)).max()
        for x, y in zip(same_grid.items, cal.items, strict=True)
    ]
    assert max(moved) < 1e-3
