"""A calibration's model fit and reliability (issue 17, part 3).

calibrate() reports S-X², the global fit and the reliabilities of
:mod:`mgrlead.irt.fit`, computed on the calibrated rubric and the same data;
the references here call those functions directly.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from mgrlead.errors import RubricError
from mgrlead.irt import (
    Quadrature,
    calibrate,
    empirical_reliability,
    global_fit,
    item_fit,
    marginal_reliability,
    simulate,
)
from mgrlead.irt.calibrate import DimensionFit, ItemEstimate

from .test_irt_calibrate import ML, SMALL, SMALL_DATA, truth

CAL = calibrate(SMALL, SMALL_DATA)


def test_the_fit_and_reliability_equal_those_of_mgrlead_irt_fit() -> None:
    (dim,) = CAL.dimensions
    reference = global_fit(CAL.rubric, SMALL_DATA, "trait")
    assert dim.global_fit == reference
    assert dim.global_fit is not None
    assert dim.global_fit.type == "C2"
    assert dim.global_fit.parameters == 4 * 5
    assert dim.global_fit.df == 4 * 4 + 6 - 20
    assert dim.marginal_reliability == marginal_reliability(CAL.rubric, "trait")
    assert dim.empirical_reliability == empirical_reliability(CAL.rubric, SMALL_DATA, "trait")
    assert 0.5 < dim.marginal_reliability < 1
    fits = item_fit(CAL.rubric, SMALL_DATA, dimension="trait")
    assert [e.fit for e in CAL.items] == list(fits)
    assert all(f.parameters == 5 for f in fits)  # estimated: a and 4 thresholds off df
    assert CAL.notes == ()


def test_every_calibrated_dimension_gets_its_own_statistics() -> None:
    data = simulate(truth("pcm"), 300, seed=5, missing=0.01).answers
    dims = ["process_results", "staff_counsel"]
    quad = Quadrature(points=41)
    cal = calibrate(ML, data, model="pcm", dimensions=dims, fit="m2", quadrature=quad)
    assert [d.dimension for d in cal.dimensions] == dims
    for dim in cal.dimensions:
        assert dim.global_fit == global_fit(
            cal.rubric, data, dim.dimension, type="M2", quadrature=quad
        )
        assert dim.marginal_reliability == marginal_reliability(
            cal.rubric, dim.dimension, quadrature=quad
        )
        assert dim.empirical_reliability == empirical_reliability(
            cal.rubric, data, dim.dimension, quadrature=quad
        )
        expected = item_fit(cal.rubric, data, dimension=dim.dimension, quadrature=quad)
        assert [e.fit for e in cal.items if e.dimension == dim.dimension] == list(expected)
        assert all(f.parameters == 4 for f in expected)  # pcm: 4 steps


@pytest.mark.parametrize("fit", ["c2", "C2", "m2", "M2"])
def test_the_global_statistic_is_chosen_in_any_case(fit: str) -> None:
    cal = calibrate(SMALL, SMALL_DATA, fit=fit)
    assert cal.dimensions[0].global_fit == global_fit(
        CAL.rubric, SMALL_DATA, "trait", type=fit.upper()
    )


def test_fit_none_leaves_the_global_fit_out_and_keeps_the_rest() -> None:
    cal = calibrate(SMALL, SMALL_DATA, fit=None)
    dim = cal.dimensions[0]
    assert dim.global_fit is None
    assert cal.notes == ()  # asked for: no note
    assert dim.marginal_reliability == CAL.dimensions[0].marginal_reliability
    assert all(e.fit is not None for e in cal.items)
    assert cal.rubric == CAL.rubric  # the estimates do not depend on it


def test_an_unknown_statistic_is_an_error_naming_the_choices() -> None:
    with pytest.raises(RubricError, match=r"unknown global fit statistic 'rmsea'; use one of "
                       r"m2, m2\*, c2, or None"):  # fmt: skip
        calibrate(SMALL, SMALL_DATA, fit="rmsea")
    with pytest.raises(RubricError, match="unknown global fit statistic 2"):
        calibrate(SMALL, SMALL_DATA, fit=2)  # type: ignore[arg-type]


def test_a_statistic_without_df_is_none_with_the_reason() -> None:
    cal = calibrate(SMALL, SMALL_DATA, fit="m2*")  # 4 + 6 moments, 20 parameters
    assert cal.dimensions[0].global_fit is None
    assert cal.notes == (
        (
            "global fit (M2*) left out: dimension 'trait': M2* compares 10 moments with 20 item "
            "parameters, leaving df = -10; use type='C2' or type='M2' (more moments)"
        ),
    )
    assert all(e.fit is not None for e in cal.items)  # the rest is still there


def test_too_few_complete_respondents_give_none_and_notes_not_an_error() -> None:
    data = SMALL_DATA.copy()
    rng = np.random.default_rng(3)
    data[rng.random(data.shape) < 0.45] = np.nan  # few answer all four items
    complete = int((~np.isnan(data)).all(axis=1).sum())
    assert complete < 50
    cal = calibrate(SMALL, data)  # no error
    dim = cal.dimensions[0]
    assert dim.global_fit is None
    assert all(e.fit is None for e in cal.items)
    why = (
        f"dimension 'trait': {complete} of 400 respondents answered every item of it; the "
        "fit statistics need at least 50 complete respondents"
    )
    dropped, sx2, c2 = cal.notes  # the first: respondents who answered nothing
    assert "answered none of its items" in dropped
    assert sx2.startswith(f"item fit (S-X²) left out: {why}")
    assert c2.startswith(f"global fit (C2) left out: {why}")
    # what needs no complete cases is still reported
    assert dim.marginal_reliability == marginal_reliability(cal.rubric, "trait")
    assert dim.empirical_reliability == empirical_reliability(cal.rubric, data, "trait")
    # a lower min_respondents lowers the fit statistics' floor too
    lower = calibrate(SMALL, data, min_respondents=complete)
    assert lower.dimensions[0].global_fit == global_fit(
        lower.rubric, data, "trait", min_respondents=complete
    )


def test_without_scipy_the_p_value_statistics_are_none_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy fails
    cal = calibrate(SMALL, SMALL_DATA)
    assert cal.rubric == CAL.rubric
    assert cal.dimensions[0].global_fit is None
    assert all(e.fit is None for e in cal.items)
    assert len(cal.notes) == 2
    assert all("needs scipy" in n and "mgrlead[analysis]" in n for n in cal.notes)
    assert cal.dimensions[0].marginal_reliability == CAL.dimensions[0].marginal_reliability


def test_results_built_without_the_new_fields_still_work() -> None:
    est = CAL.items[0]
    old = ItemEstimate(item=est.item, dimension=est.dimension, params=est.params,
                       names=est.names, values=est.values, se=est.se)  # fmt: skip
    assert old.fit is None
    dim = CAL.dimensions[0]
    kwargs = {
        name: getattr(dim, name)
        for name in (
            "dimension",
            "model",
            "items",
            "respondents",
            "patterns",
            "minus2ll",
            "n_parameters",
            "aic",
            "bic",
            "em_iterations",
            "newton_iterations",
            "criterion",
            "converged",
            "last_change",
            "history",
            "parameters",
            "covariance",
        )
    }
    bare = DimensionFit(**kwargs)
    assert bare.global_fit is None
    assert bare.marginal_reliability is None
    assert bare.empirical_reliability is None
    assert math.isfinite(dim.marginal_reliability or math.nan)
