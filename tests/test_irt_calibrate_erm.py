"""Partial credit calibration against R's eRm (issue 17, part 5).

``tests/fixtures/erm/make_fixtures.R`` simulates 1,000 people on six 5-point
partial-credit items (θ ~ N(0, 1), 3% of the answers missing), writes the data
(``pcm-data.csv``) and eRm's PCM estimates of the step parameters (eRm calls
them thresholds) with their standard errors (``pcm.json``).  Only eRm's
outputs are used.

eRm estimates by conditional maximum likelihood (CML: conditioning on each
person's raw score, no assumption about θ's distribution) and fixes the origin
by a sum-to-zero normalisation of its item-category parameters; mgrlead's
marginal maximum likelihood fixes it by θ ~ N(0, 1).  The two origins differ by
a constant shift of every step, so both are centred before comparing (measured
shift: 0.55).  With the data drawn from N(0, 1), as MML assumes, the two
estimators target the same steps and differ by sampling noise of the two
methods: measured at most 0.041 (0.30 of eRm's standard error), 0.018 on
average; the standard errors agree within 8.1% (CML's lose the information
in the raw-score distribution, MML's lose that of the origin).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mgrlead.irt import calibrate

from .test_irt_calibrate import small

HERE = Path(__file__).parent / "fixtures" / "erm"


def test_pcm_steps_agree_with_erm() -> None:
    ref = json.loads((HERE / "pcm.json").read_text())
    data = np.genfromtxt(HERE / "pcm-data.csv", delimiter=",", skip_header=1)
    assert data.shape == (ref["n"], 6)
    assert np.isnan(data).any()  # missing answers, left out by both
    cal = calibrate(small(6), data, model="pcm")
    ours = np.array([e.params.steps for e in cal.items])
    se = np.array([e.se for e in cal.items])
    theirs = np.array(ref["thresholds"])
    their_se = np.array(ref["se"])
    diff = (ours - ours.mean()) - (theirs - theirs.mean())
    assert np.abs(diff).max() < 0.06  # measured 0.041
    assert np.abs(diff).mean() < 0.03  # measured 0.018
    assert (np.abs(diff) < 0.4 * their_se).all()  # measured 0.30
    np.testing.assert_allclose(se, their_se, rtol=0.12)  # measured 8.1%
