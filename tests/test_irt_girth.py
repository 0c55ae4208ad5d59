"""θ (EAP) against girth's, from the same graded-response parameters (issue 17, optional).

girth (MIT, ``pip install girth``) fits the GRM by marginal maximum likelihood
and reports each person's EAP as a by-product; it cannot score with given
parameters, so this test lets girth fit simulated data and then scores the same
people with mgrlead from girth's own parameters.  girth integrates with 41
Gauss-Legendre points on -4.5..4.5: mgrlead's EAP on that truncated interval
(a fine grid) agrees within 1e-4, and mgrlead's default grid (61 points,
-6..6, which agrees with a 401-point grid on -10..10 within 1e-5) differs from
girth's by its truncation only, most at the all-lowest and all-highest patterns.
girth is in the test extra (it is not a dependency of mgrlead itself).
"""

from __future__ import annotations

import girth
import numpy as np
from girth import synthetic

from helpers import irt_rubric
from mgrlead.irt import Quadrature, score_theta
from mgrlead.model import IrtParams


def test_eap_agrees_with_girth_given_girths_parameters() -> None:
    rng = np.random.default_rng(3)
    n_items = 6
    a = rng.uniform(0.8, 2.2, n_items)
    b = np.sort(rng.normal(0, 1, (n_items, 4)), axis=1) + np.array([-0.6, -0.2, 0.2, 0.6])
    theta = rng.normal(size=2000)
    data = synthetic.create_synthetic_irt_polytomous(b, a, theta, model="grm", seed=5)
    fit = girth.grm_mml(data)  # data: (items, people), codes 1..5
    params = [
        IrtParams(model="grm", a=float(fit["Discrimination"][i]),
                  thresholds=tuple(float(x) for x in fit["Difficulty"][i]))
        for i in range(n_items)
    ]  # fmt: skip
    rubric = irt_rubric(params, ["high"] * n_items)
    answers = data.T.astype(np.float64)
    theirs = np.asarray(fit["Ability"])
    truncated = Quadrature(points=2001, lower=-4.5, upper=4.5)
    same_interval = score_theta(rubric, answers, quadrature=truncated)["trait"].theta
    assert np.abs(same_interval - theirs).max() < 1e-4
    default = score_theta(rubric, answers)["trait"].theta
    fine = score_theta(rubric, answers, quadrature=Quadrature(points=401, lower=-10, upper=10))
    assert np.abs(default - fine["trait"].theta).max() < 1e-5
    assert np.abs(default - theirs).max() < 5e-3  # girth's truncation at ±4.5
    assert np.abs(default - theirs).mean() < 1e-4
