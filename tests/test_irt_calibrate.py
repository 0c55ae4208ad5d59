"""Calibration (issue 17, part 3): recovery, an independent likelihood, properties and errors.

The references here are independent of mgrlead.irt: the graded response
model's probabilities written out from the textbook formula in this file, the
marginal likelihood summed respondent by respondent (not by pattern) on the
same grid, and its derivatives by finite differences.  girth and eRm are in
``test_irt_calibrate_girth.py`` and ``test_irt_calibrate_erm.py``.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import irt_rubric
from mgrlead.errors import (
    AnswerError,
    CalibrationError,
    ConvergenceError,
    MgrleadError,
    RubricError,
)
from mgrlead.io.serialize import dump_rubric, load_rubric_text
from mgrlead.irt import Quadrature, calibrate, category_log_probabilities, score_theta, simulate
from mgrlead.model import Dimension, IrtParams, Item, Rubric, Scale
from mgrlead.plan import content_hash

module = importlib.import_module("mgrlead.irt.calibrate")  # the name is also the function's

ML = mgrlead.load_rubric("manager-leader")
#: Calibrations take a second: generate examples, but do not spend minutes shrinking one.
FAST = (Phase.explicit, Phase.reuse, Phase.generate)


def truth(model: str = "grm", seed: int = 1, rubric: Rubric = ML) -> Rubric:
    """``rubric`` with known parameters on every item (the simulation's truth)."""
    rng = np.random.default_rng(seed)
    dims = []
    for dim in rubric.dimensions:
        items = []
        for item in dim.items:
            spread = np.array([-1.0, -0.3, 0.3, 1.0])
            if model == "grm":
                b = np.sort(rng.normal(0.0, 1.0, 4)) + np.array([-0.6, -0.2, 0.2, 0.6])
                p = IrtParams(model="grm", a=float(rng.uniform(0.8, 2.5)), thresholds=b.tolist())
            elif model == "gpcm":
                steps = (rng.normal(0, 1, 4) + spread).tolist()
                p = IrtParams(model="gpcm", a=float(rng.uniform(0.6, 2.0)), steps=steps)
            elif model == "pcm":
                p = IrtParams(model="pcm", steps=(rng.normal(0, 0.8, 4) + spread).tolist())
            else:
                loc = float(rng.normal(0, 0.7))
                p = IrtParams(model="rsm", location=loc, steps=(-1.6, -0.5, 0.4, 1.7))
            items.append(attrs.evolve(item, irt=p))
        dims.append(attrs.evolve(dim, items=items))
    return attrs.evolve(rubric, dimensions=dims)


def small(n_items: int = 4, keyed: list[str] | None = None) -> Rubric:
    """One dimension of ``n_items`` 5-point items, no parameters."""
    keys = keyed or ["high"] * n_items
    return irt_rubric(
        [None] * len(keys), keys, rubric_id="cal-test", title="Calibration test", version="1.0"
    )


SMALL_TRUE = [
    IrtParams(model="grm", a=1.4, thresholds=(-1.8, -0.7, 0.3, 1.5)),
    IrtParams(model="grm", a=0.9, thresholds=(-1.2, -0.2, 0.6, 1.9)),
    IrtParams(model="grm", a=2.0, thresholds=(-1.0, -0.4, 0.5, 1.1)),
    IrtParams(model="grm", a=1.1, thresholds=(-2.2, -1.0, 0.0, 0.9)),
]


def with_params(rubric: Rubric, params: list[IrtParams]) -> Rubric:
    dim = rubric.dimensions[0]
    items = [attrs.evolve(i, irt=p) for i, p in zip(dim.items, params, strict=True)]
    return attrs.evolve(rubric, dimensions=[attrs.evolve(dim, items=items)])


SMALL = small()
SMALL_DATA = simulate(with_params(SMALL, SMALL_TRUE), 400, seed=11, missing=0.05).answers
SMALL_FIT = calibrate(SMALL, SMALL_DATA)


def rmse(cal: Any, true: Rubric) -> tuple[float, float]:
    """RMSE of a (where free) and of every threshold or step, against the truth."""
    ea, ta, eb, tb = [], [], [], []
    for est in cal.items:
        p = true.item(est.item).irt
        if p.a is not None:
            ea.append(est.params.a)
            ta.append(p.a)
        eb += est.params.effective_steps()
        tb += p.effective_steps()
    ra = math.sqrt(np.mean((np.array(ea) - ta) ** 2)) if ea else math.nan
    return ra, math.sqrt(np.mean((np.array(eb) - tb) ** 2))


# ------------------------------------------------------------------ recovery
def test_grm_recovers_known_parameters_from_2000_people() -> None:
    true = truth("grm")
    data = simulate(true, 2000, seed=7).answers
    cal = calibrate(ML, data, dimensions=["process_results", "staff_counsel"])
    ra, rb = rmse(cal, true)
    assert ra < 0.16  # measured 0.119 on these two dimensions (12 items)
    assert rb < 0.12  # measured 0.091
    for fit in cal.dimensions:
        assert fit.converged
        assert fit.respondents == 2000
        assert fit.n_parameters == 30  # 6 items x (a + 4 thresholds)
        assert fit.aic == pytest.approx(fit.minus2ll + 60)
        assert fit.bic == pytest.approx(fit.minus2ll + 30 * math.log(2000))


@pytest.mark.slow
def test_grm_recovers_known_parameters_from_10000_people() -> None:
    true = truth("grm")
    cal = calibrate(ML, simulate(true, 10_000, seed=7).answers)
    ra, rb = rmse(cal, true)
    assert ra < 0.07  # measured 0.049 (24 items)
    assert rb < 0.04  # measured 0.024


@pytest.mark.parametrize(
    ("model", "bound_a", "bound_b"),
    [
        ("gpcm", 0.10, 0.12),
        ("pcm", math.nan, 0.14),
        ("rsm", math.nan, 0.09),
    ],
)  # fmt: skip  measured: gpcm 0.066 / 0.079, pcm 0.108, rsm 0.066 (6 items, n = 2,000)
def test_other_models_recover_known_parameters(model: str, bound_a: float, bound_b: float) -> None:
    true = truth(model)
    data = simulate(true, 2000, seed=7).answers
    cal = calibrate(ML, data, model=model, dimensions=["process_results"])
    ra, rb = rmse(cal, true)
    assert rb < bound_b
    assert math.isnan(bound_a) == math.isnan(ra)
    if not math.isnan(bound_a):
        assert ra < bound_a
    assert {est.params.model for est in cal.items} == {model}
    if model == "rsm":  # one set of shared steps, summing to 0
        taus = {est.params.steps for est in cal.items}
        assert len(taus) == 1
        assert abs(sum(taus.pop())) < 1e-12
        assert cal.dimensions[0].n_parameters == 6 + 3


# ------------------------------------------------------------------ an independent likelihood
def _grm_p(a: float, b: list[float], theta: np.ndarray) -> np.ndarray:
    """(K, Q) category probabilities of Samejima's GRM, from the textbook formula."""
    star = [np.ones_like(theta)]
    star += [1.0 / (1.0 + np.exp(-a * (theta - bk))) for bk in b]
    star.append(np.zeros_like(theta))
    return np.array([star[k] - star[k + 1] for k in range(len(b) + 1)])


def _loglik(flat: np.ndarray, data: np.ndarray) -> float:
    """Marginal log-likelihood, person by person, on 61 nodes on -6..6 with N(0, 1) weights.

    ``flat``: per item a then its 4 thresholds.  Missing answers are left out.
    """
    nodes = np.linspace(-6, 6, 61)
    w = np.exp(-0.5 * nodes**2)
    w /= w.sum()
    like = np.ones((data.shape[0], len(nodes)))
    for j in range(data.shape[1]):
        p = _grm_p(flat[5 * j], list(flat[5 * j + 1 : 5 * j + 5]), nodes)
        x = data[:, j]
        seen = ~np.isnan(x)
        like[seen] *= p[(x[seen] - 1).astype(int)]
    return float(np.log(like @ w).sum())


def test_minus2ll_estimates_and_ses_agree_with_a_likelihood_written_out_here() -> None:
    est = np.concatenate([[e.params.a, *e.params.thresholds] for e in SMALL_FIT.items])
    fit = SMALL_FIT.dimensions[0]
    ll = _loglik(est, SMALL_DATA)
    assert -2 * ll == pytest.approx(fit.minus2ll, rel=1e-10)
    # a maximum: the gradient (central differences) vanishes ...
    h = 1e-5
    eye = np.eye(len(est))
    grad = np.array(
        [
            (_loglik(est + h * e, SMALL_DATA) - _loglik(est - h * e, SMALL_DATA)) / (2 * h)
            for e in eye
        ]
    )
    assert np.abs(grad).max() < 1e-3
    # ... and the SEs are those of the observed information (second differences)
    h = 1e-3
    hess = np.empty((len(est), len(est)))
    for i in range(len(est)):
        for j in range(i, len(est)):
            f = [
                _loglik(est + h * (si * eye[i] + sj * eye[j]), SMALL_DATA)
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
            hess[i, j] = hess[j, i] = (f[0] - f[1] - f[2] + f[3]) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    ours = np.concatenate([e.se for e in SMALL_FIT.items])
    np.testing.assert_allclose(ours, se, rtol=2e-3)


@pytest.mark.parametrize("model", ["grm", "gpcm", "pcm", "rsm"])
def test_parameter_derivatives_agree_with_finite_differences_of_the_model(model: str) -> None:
    """The M-step's dP/dβ, from P alone, against differences of models.py's probabilities."""
    layout = module._Layout(model, [5, 5])
    rng = np.random.default_rng(4)
    beta = rng.normal(0, 0.3, layout.size)
    if model in {"grm", "gpcm"}:
        for ix in layout.index:
            beta[ix[0]] = 1.3
            if model == "grm":
                beta[ix[1:]] = [1.5, 0.4, -0.6, -1.7]
    nodes = np.linspace(-4, 4, 9)
    for j in range(2):
        prob = np.exp(category_log_probabilities(layout.params(beta)[j], nodes))
        d = layout.derivatives(j, prob, nodes)
        for m, g in enumerate(layout.index[j]):
            up, down = beta.copy(), beta.copy()
            up[g] += 1e-6
            down[g] -= 1e-6
            num = (
                np.exp(category_log_probabilities(layout.params(up)[j], nodes))
                - np.exp(category_log_probabilities(layout.params(down)[j], nodes))
            ) / 2e-6
            np.testing.assert_allclose(d[:, m], num, atol=1e-8)


# ------------------------------------------------------------------ the calibrated rubric
def test_the_calibrated_rubric_is_a_new_version_that_scores_theta() -> None:
    true = with_params(SMALL, SMALL_TRUE)
    sim = simulate(true, 1000, seed=5)
    cal = calibrate(SMALL, sim.answers)
    assert SMALL.items[0].irt is None  # the input is unchanged
    assert cal.rubric.version == "1.0-calibrated"
    assert content_hash(cal.rubric) != content_hash(SMALL)
    assert [i.irt for i in cal.rubric.items] == [e.params for e in cal.items]
    theta = score_theta(cal.rubric, sim.answers)["trait"].theta
    from_truth = score_theta(true, sim.answers)["trait"].theta
    assert np.abs(theta - from_truth).max() < 0.15  # as good as knowing the parameters
    assert np.corrcoef(theta, sim.theta["trait"])[0, 1] > 0.8  # four items: reliability ~0.7
    again = load_rubric_text(dump_rubric(cal.rubric, "toml"), fmt="toml")
    assert again == cal.rubric
    named = calibrate(SMALL, sim.answers, version="2.0")
    assert named.rubric.version == "2.0"


def test_items_that_declare_parameters_are_refitted_only_when_asked() -> None:
    true = with_params(SMALL, SMALL_TRUE)
    with pytest.raises(CalibrationError, match=r"'i0', 'i1', 'i2', 'i3' already declare IRT"):
        calibrate(true, SMALL_DATA)
    cal = calibrate(true, SMALL_DATA, refit=True)
    assert cal.item("i0").replaced == SMALL_TRUE[0]
    assert "re-estimated 4 items that declared parameters: i0, i1, i2, i3" in cal.notes
    assert cal.item("i0").params == SMALL_FIT.item("i0").params


def test_every_form_of_data_gives_the_same_estimates() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    ids = SMALL.item_ids
    frame = pd.DataFrame(SMALL_DATA, columns=list(ids)).assign(person=range(len(SMALL_DATA)))
    rows = [
        {i: (None if math.isnan(v) else int(v)) for i, v in zip(ids, row, strict=True)}
        for row in SMALL_DATA
    ]
    forms = [
        frame,
        pl.from_pandas(frame),
        {i: SMALL_DATA[:, j].tolist() for j, i in enumerate(ids)},
        rows,
    ]
    for form in forms:
        got = calibrate(SMALL, form)
        assert [e.values for e in got.items] == [e.values for e in SMALL_FIT.items]


def test_missing_answers_leave_the_likelihood() -> None:
    data = SMALL_DATA.copy()
    data[:10] = np.nan  # ten people answered nothing
    cal = calibrate(SMALL, data)
    assert cal.dimensions[0].respondents == 390
    assert "dimension 'trait': 10 respondents answered none of its items" in cal.notes[0]
    # leaving them out is the same as never having them
    alone = calibrate(SMALL, data[10:])
    assert [e.values for e in cal.items] == [e.values for e in alone.items]


# ------------------------------------------------------------------ properties
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=FAST)
@given(st.randoms(use_true_random=False))
def test_permuting_respondents_gives_the_same_estimates(random: Any) -> None:
    order = list(range(len(SMALL_DATA)))
    random.shuffle(order)
    cal = calibrate(SMALL, SMALL_DATA[order])
    assert [e.values for e in cal.items] == [e.values for e in SMALL_FIT.items]
    assert [e.se for e in cal.items] == [e.se for e in SMALL_FIT.items]


@settings(max_examples=4, deadline=None, phases=FAST)
@given(st.lists(st.booleans(), min_size=4, max_size=4))
def test_reversing_keying_and_data_together_gives_the_same_parameters(flip: list[bool]) -> None:
    rubric = small(keyed=["low" if f else "high" for f in flip])
    data = SMALL_DATA.copy()
    data[:, flip] = 6 - data[:, flip]  # min + max - x
    cal = calibrate(rubric, data)
    for got, want in zip(cal.items, SMALL_FIT.items, strict=True):
        np.testing.assert_allclose(got.values, want.values, rtol=1e-9, atol=1e-9)
    assert cal.dimensions[0].minus2ll == pytest.approx(SMALL_FIT.dimensions[0].minus2ll, rel=1e-12)


@settings(max_examples=5, deadline=None, phases=FAST)
@given(
    st.sampled_from(["grm", "gpcm", "pcm", "rsm"]),
    st.integers(0, 2**16),
    st.floats(0.0, 0.3),
)
def test_minus2ll_never_rises_over_the_em_cycles(model: str, seed: int, missing: float) -> None:
    true = truth("grm", seed=seed, rubric=attrs.evolve(ML, dimensions=ML.dimensions[:1]))
    data = simulate(true, 300, seed=seed, missing=missing).answers
    try:
        cal = calibrate(true, data, model=model, refit=True)
    except CalibrationError as exc:  # a category nobody chose, in a small sample
        if "nobody answered" not in str(exc):
            raise
        return
    history = np.array(cal.dimensions[0].history)
    assert (np.diff(history) <= 1e-9 * np.abs(history[1:])).all()
    assert cal.dimensions[0].minus2ll <= history[-1] + 1e-9


@settings(max_examples=10, deadline=None, phases=FAST)
@given(
    st.integers(0, len(SMALL_DATA) - 1),
    st.integers(0, 3),
    st.sampled_from([0.0, 6.0, 2.5, -1.0, 99.0]),
)
def test_an_answer_off_the_scale_is_an_error_naming_its_item(
    row: int, col: int, bad: float
) -> None:
    data = SMALL_DATA.copy()
    data[row, col] = bad
    with pytest.raises(AnswerError, match=f"i{col}"):
        calibrate(SMALL, data)


# ------------------------------------------------------------------ errors
def test_a_category_nobody_chose_is_an_error_naming_item_and_code() -> None:
    data = SMALL_DATA.copy()
    data[data[:, 1] == 2, 1] = 3
    with pytest.raises(CalibrationError) as info:
        calibrate(SMALL, data)
    message = str(info.value)
    assert "dimension 'trait', item 'i1': nobody answered 2" in message
    assert "collapse 2 with a neighbouring category" in message
    reverse = small(keyed=["high", "low", "high", "high"])  # keyed category 3 is code 2
    with pytest.raises(CalibrationError, match="item 'i1': nobody answered 2"):
        calibrate(reverse, data)


def test_an_item_with_one_category_is_an_error() -> None:
    data = SMALL_DATA.copy()
    data[~np.isnan(data[:, 2]), 2] = 4
    with pytest.raises(CalibrationError, match=r"item 'i2': only 1 of its 5 categories"):
        calibrate(SMALL, data)


def test_too_few_respondents_is_an_error_naming_the_minimum() -> None:
    with pytest.raises(CalibrationError, match=r"'trait': 60 respondents .* at least 100"):
        calibrate(SMALL, SMALL_DATA[:60])


def test_an_item_keyed_the_wrong_way_is_an_error() -> None:
    data = SMALL_DATA.copy()
    data[:, 3] = 6 - data[:, 3]
    with pytest.raises(CalibrationError, match=r"item 'i3': it correlates -0\.\d\d .*keying"):
        calibrate(SMALL, data)


def test_non_convergence_raises_naming_dimension_iterations_and_change() -> None:
    with pytest.raises(ConvergenceError) as info:
        calibrate(SMALL, SMALL_DATA, max_iter=3)
    message = str(info.value)
    assert message.startswith("dimension 'trait': EM did not converge in 3 iterations")
    assert "largest parameter change in the last was" in message
    assert "max_iter" in message


def test_an_item_in_two_calibrated_dimensions_is_an_error() -> None:
    ipip = mgrlead.load_rubric("examples/ipip-bfi25.toml")
    with pytest.raises(CalibrationError, match="item 'A1' counts toward dimension 'stability'"):
        calibrate(ipip, np.full((200, 25), 3.0), dimensions=["stability", "agreeableness"])


def test_bad_options_and_data_are_errors() -> None:
    with pytest.raises(RubricError, match="unknown IRT model 'rasch'"):
        calibrate(SMALL, SMALL_DATA, model="rasch")
    with pytest.raises(RubricError, match="has no dimension 'nope'"):
        calibrate(SMALL, SMALL_DATA, dimensions=["nope"])
    with pytest.raises(RubricError, match="max_iter must be a positive whole number"):
        calibrate(SMALL, SMALL_DATA, max_iter=0)
    with pytest.raises(AnswerError, match=r"expected an array of shape \(n, 4\)"):
        calibrate(SMALL, SMALL_DATA[:, :3])
    with pytest.raises(AnswerError, match="no column for item 'i3'"):
        calibrate(SMALL, {i: SMALL_DATA[:, j] for j, i in enumerate(SMALL.item_ids[:3])})


def test_quadrature_of_the_likelihood_barely_moves_the_estimates() -> None:
    fine = calibrate(SMALL, SMALL_DATA, quadrature=Quadrature(points=201, lower=-8, upper=8))
    for got, want in zip(fine.items, SMALL_FIT.items, strict=True):
        np.testing.assert_allclose(got.values, want.values, atol=1e-5)


# ------------------------------------------------------------------ the simulator
def test_simulate_draws_each_category_with_the_models_probability() -> None:
    rubric = with_params(small(keyed=["high", "low", "high", "high"]), SMALL_TRUE)
    n = 40_000
    sim = simulate(rubric, n, seed=3, theta={"trait": np.full(n, 0.5)})
    for j, keyed_high in ((0, True), (1, False)):
        p = SMALL_TRUE[j]
        expected = _grm_p(p.a, list(p.thresholds), np.array([0.5]))[:, 0]  # keyed 0..4
        codes = sim.answers[:, j]
        observed = np.array([(codes == c).mean() for c in range(1, 6)])
        if not keyed_high:  # a reverse-keyed item answers max - k
            observed = observed[::-1]
        assert np.abs(observed - expected).max() < 0.01  # 4 SDs of a share at n = 40,000
    assert (sim.theta["trait"] == 0.5).all()


def test_simulate_is_reproducible_and_leaves_out_the_share_asked() -> None:
    rubric = with_params(SMALL, SMALL_TRUE)
    one = simulate(rubric, 2000, seed=8, missing=0.1)
    two = simulate(rubric, 2000, seed=8, missing=0.1)
    np.testing.assert_array_equal(one.answers, two.answers)
    assert 0.08 < np.isnan(one.answers).mean() < 0.12
    with pytest.raises(RubricError, match="no dimension has IRT parameters"):
        simulate(SMALL, 10)
    with pytest.raises(RubricError, match="n must be a positive whole number"):
        simulate(rubric, 0)


def _small_problem(model: str) -> tuple[Any, Any]:
    """The likelihood of ``SMALL_DATA`` under ``model``, and its starting values."""
    cats = np.where(np.isnan(SMALL_DATA), -1, SMALL_DATA - 1).astype(np.intp)
    cats = cats[(cats >= 0).any(axis=1)]
    patterns, weights = np.unique(cats, axis=0, return_counts=True)
    layout = module._Layout(model, [5] * 4)
    problem = module._Problem(layout, patterns, weights.astype(np.float64), Quadrature())
    counts = [np.bincount(cats[cats[:, j] >= 0, j], minlength=5).astype(float) for j in range(4)]
    return problem, module._start(layout, counts, [0.5] * 4)


@pytest.mark.parametrize("model", ["grm", "gpcm", "pcm", "rsm"])
def test_louis_hessian_equals_differences_of_the_exact_gradient(model: str) -> None:
    """The Hessian behind the Newton steps and the SEs, away from the maximum too."""
    problem, beta = _small_problem(model)
    louis = problem.hessian(beta)
    differences = problem.numerical_hessian(beta)
    np.testing.assert_allclose(louis, differences, atol=1e-6 * np.abs(differences).max())


@settings(max_examples=6, deadline=None, phases=FAST)
@given(st.integers(0, 2**20))
def test_hard_data_gives_a_result_or_a_calibration_error(seed: int) -> None:
    """Small samples, 2-5 categories, items that barely discriminate or discriminate
    sharply, up to half the answers missing: a result or one of mgrlead's errors,
    never a numpy warning or exception (warnings are errors in the test run)."""
    rng = np.random.default_rng(seed)
    n_items, k, n = int(rng.integers(2, 7)), int(rng.integers(2, 6)), int(rng.integers(100, 400))
    items = []
    for j in range(n_items):
        a = float(rng.choice([rng.uniform(0.05, 0.3), rng.uniform(0.5, 3), rng.uniform(3, 6)]))
        b = np.sort(rng.normal(0, 1.5, k - 1)) + np.arange(k - 1) * 0.05
        keyed = str(rng.choice(["high", "low"]))
        irt = IrtParams(model="grm", a=a, thresholds=b.tolist())
        items.append(Item(id=f"i{j}", text="t", keyed=keyed, irt=irt))
    dim = Dimension(id="d", name="D", items=items)
    true = Rubric(id="f", version="1", title="t", scale=Scale.agreement(k), dimensions=[dim])
    answers = simulate(true, n, seed=seed, missing=float(rng.uniform(0, 0.5))).answers
    for model in ("grm", "gpcm", "pcm", "rsm"):
        try:
            cal = calibrate(true, answers, model=model, refit=True, max_iter=150)
        except MgrleadError:
            continue
        assert all(np.isfinite(e.values).all() and np.isfinite(e.se).all() for e in cal.items)


def test_a_probability_that_underflows_in_the_tails_raises_no_numpy_warning() -> None:
    """Found by the hard-data property (seed 19): n / P overflowed where P was subnormal."""
    layout = module._Layout("grm", [3])
    patterns = np.array([[0], [1], [2]])
    problem = module._Problem(layout, patterns, np.array([5.0, 5.0, 5.0]), Quadrature())
    logp = category_log_probabilities(IrtParams(model="grm", a=1.0, thresholds=(-1.0, 1.0)),
                                      problem.nodes)  # fmt: skip
    logp[0, -1] = -745.0  # P = 5e-324 at the last node
    counts = np.full((3, 61), 0.1)
    _, grad, _ = problem.item_terms(0, logp, counts)  # warnings are errors in this run
    assert grad.shape == (3,)


def test_rsm_refuses_dimensions_whose_items_would_carry_different_steps() -> None:
    ipip = mgrlead.load_rubric("examples/ipip-bfi25.toml")
    with pytest.raises(CalibrationError) as info:
        calibrate(ipip, np.full((200, 25), 3.0), model="rsm")
    assert str(info.value).startswith(
        "model 'rsm' gives each calibrated dimension its own steps, but dimension 'stability' "
        "holds items of 'agreeableness', 'conscientiousness', 'emotional_stability'"
    )


def test_an_item_with_a_response_map_is_an_error() -> None:
    from mgrlead.model import ResponseScore  # noqa: PLC0415

    dim = SMALL.dimensions[0]
    mapped = attrs.evolve(
        dim.items[2], responses=[ResponseScore(code=c, score=s) for c, s in
                                 zip(range(1, 6), (0, 0, 1, 1, 1), strict=True)]
    )  # fmt: skip
    rubric = attrs.evolve(SMALL, dimensions=[attrs.evolve(dim, items=[*dim.items[:2], mapped,
                                                                     dim.items[3]])])  # fmt: skip
    with pytest.raises(CalibrationError, match="item 'i2': it has a response map"):
        calibrate(rubric, SMALL_DATA)
    with pytest.raises(RubricError, match="min_respondents must be a whole number"):
        calibrate(SMALL, SMALL_DATA, min_respondents=1.5)  # type: ignore[arg-type]


def test_reprs_are_short() -> None:
    assert repr(SMALL_FIT) == "<Calibration grm: 1 dimension, 4 items -> cal-test 1.0-calibrated>"
    fit = SMALL_FIT.dimensions[0]
    assert repr(fit).startswith("<DimensionFit trait grm: 400 respondents, -2LL ")


@pytest.mark.parametrize("model", ["grm", "gpcm", "pcm"])
def test_the_stacked_m_step_terms_equal_the_item_by_item_ones(model: str) -> None:
    problem, beta = _small_problem(model)
    logp = problem.tables(beta)
    expected = problem.estep(logp)[1]
    stacked = problem.all_item_terms(logp, expected)
    for j, (q_value, grad, fisher) in enumerate(stacked):
        want = problem.item_terms(j, logp[j], expected)
        assert q_value == pytest.approx(want[0], rel=1e-12)
        np.testing.assert_allclose(grad, want[1], rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(fisher, want[2], rtol=1e-10, atol=1e-10)
