"""Item response theory: parameters in the rubric, and θ scored from them (issue 17).

The references are independent: category probabilities written out from the
textbook formulas here (not mgrlead.irt.models), integrated with scipy's
``quad`` and maximised with scipy's ``minimize_scalar``.
"""

from __future__ import annotations

import importlib
import itertools
import json
import math

import attrs
import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

import mgrlead
from helpers import MIXED, irt_rubric, p_textbook
from mgrlead.errors import AnswerError, RubricError, RubricFileError
from mgrlead.io.schema import rubric_schema
from mgrlead.io.serialize import dump_rubric, load_rubric_text, unstructure_rubric
from mgrlead.irt import (
    Prior,
    Quadrature,
    dimension_information,
    item_information,
    score_theta,
    sum_score_table,
)
from mgrlead.irt import scoring as irt_scoring
from mgrlead.model import IrtParams, Item, Rubric, Scale
from mgrlead.plan import content_hash

ML = mgrlead.load_rubric("manager-leader")
GRM = IrtParams(model="grm", a=1.5, thresholds=(-2.0, -1.0, 0.0, 1.0))
KEYED = ["high", "low", "high", "low", "high", "-"]
RUBRIC = irt_rubric(MIXED, KEYED)


# ------------------------------------------------------------------ the reference
def _keyed(answers: dict[str, int | None], rubric: Rubric = RUBRIC) -> list[tuple[IrtParams, int]]:
    dim = rubric.dimensions[0]
    out = []
    for item in dim.items:
        x = answers.get(item.id)
        if x is None:
            continue
        cat = (5 - x) if dim.reverses(item.keyed) else (x - 1)
        assert item.irt is not None
        out.append((item.irt, cat))
    return out


def _log_lik(pairs: list[tuple[IrtParams, int]], theta: float) -> float:
    probabilities = [p_textbook(p, k, theta) for p, k in pairs]
    if min(probabilities, default=1.0) <= 0.0:  # underflow far out in the tails
        return -math.inf
    return sum(math.log(q) for q in probabilities)


def _reference_eap(pairs: list[tuple[IrtParams, int]], prior: Prior) -> tuple[float, float]:
    peak = optimize.minimize_scalar(
        lambda t: -_log_lik(pairs, t) + 0.5 * ((t - prior.mean) / prior.sd) ** 2,
        bounds=(-10, 10), method="bounded", options={"xatol": 1e-12},
    ).fun  # fmt: skip

    def dens(t: float) -> float:
        lp = _log_lik(pairs, t) - 0.5 * ((t - prior.mean) / prior.sd) ** 2
        return math.exp(lp + peak)

    kw = {"epsabs": 1e-14, "epsrel": 1e-13, "limit": 500}
    z = integrate.quad(dens, -12, 12, points=[prior.mean], **kw)[0]
    m1 = integrate.quad(lambda t: t * dens(t), -12, 12, points=[prior.mean], **kw)[0] / z
    m2 = integrate.quad(lambda t: (t - m1) ** 2 * dens(t), -12, 12, points=[prior.mean], **kw)[0]
    return m1, math.sqrt(m2 / z)


def _reference_mode(pairs: list[tuple[IrtParams, int]], prior: Prior | None) -> tuple[float, float]:
    def neg(t: float) -> float:
        out = -_log_lik(pairs, t)
        if prior is not None:
            out += 0.5 * ((t - prior.mean) / prior.sd) ** 2
        return out

    best = optimize.minimize_scalar(neg, bounds=(-15, 15), method="bounded",
                                    options={"xatol": 1e-12}).x  # fmt: skip
    h = 1e-4  # the observed information by central differences
    info = (neg(best + h) - 2 * neg(best) + neg(best - h)) / (h * h)
    return best, 1.0 / math.sqrt(info)


ANSWERS = [
    {"i0": 4, "i1": 2, "i2": 3, "i3": 1, "i4": 5, "i5": 2},
    {"i0": 1, "i1": 5, "i2": 1, "i3": 5, "i4": 1, "i5": 5},  # all lowest (keyed)
    {"i0": 5, "i1": None, "i2": 4, "i3": 2, "i4": 3},  # one missing, one left out
    {"i0": 2, "i1": 4, "i2": 5, "i3": 3, "i4": 2, "i5": 1},
]


@pytest.mark.parametrize("answers", ANSWERS)
@pytest.mark.parametrize("prior", [Prior(), Prior(mean=0.5, sd=0.8)])
def test_eap_agrees_with_numerical_integration(
    answers: dict[str, int | None], prior: Prior
) -> None:
    score = score_theta(RUBRIC, answers, prior=prior)["trait"]
    theta, se = _reference_eap(_keyed(answers), prior)
    assert score.theta == pytest.approx(theta, abs=1e-6)
    assert score.se == pytest.approx(se, abs=1e-6)
    assert score.t_score == pytest.approx(50 + 10 * theta, abs=1e-5)
    z = (theta - prior.mean) / prior.sd
    assert score.percentile == pytest.approx(50 * (1 + math.erf(z / math.sqrt(2))), abs=1e-4)


@pytest.mark.parametrize("answers", ANSWERS)
def test_map_agrees_with_numerical_optimisation(answers: dict[str, int | None]) -> None:
    prior = Prior(mean=-0.2, sd=1.3)
    score = score_theta(RUBRIC, answers, method="map", prior=prior)["trait"]
    theta, se = _reference_mode(_keyed(answers), prior)
    assert score.theta == pytest.approx(theta, abs=1e-6)
    assert score.se == pytest.approx(se, abs=1e-5)  # finite differences: 1e-5


@pytest.mark.parametrize("answers", [ANSWERS[0], ANSWERS[2], ANSWERS[3]])
def test_ml_agrees_with_numerical_optimisation(answers: dict[str, int | None]) -> None:
    profile = score_theta(RUBRIC, answers, method="ml")
    score = profile["trait"]
    theta, se = _reference_mode(_keyed(answers), None)
    assert profile.prior is None
    assert score.theta == pytest.approx(theta, abs=1e-6)
    assert score.se == pytest.approx(se, abs=1e-5)


def test_ml_refuses_all_lowest_and_all_highest_patterns() -> None:
    low = score_theta(RUBRIC, ANSWERS[1], method="ml")["trait"]
    assert (low.scorable, low.theta, low.se) == (False, None, None)
    assert "lowest category" in low.reason
    assert "-infinity" in low.reason
    high = {"i0": 5, "i1": 1, "i2": 5, "i3": None, "i4": 5, "i5": 1}
    top = score_theta(RUBRIC, high, method="ml")["trait"]
    assert not top.scorable
    assert "highest category" in top.reason
    # EAP and MAP give finite values for the same patterns
    assert score_theta(RUBRIC, ANSWERS[1], method="map")["trait"].scorable
    table = score_theta(
        RUBRIC, np.array([[1, 5, 1, 5, 1, 5], [5, 1, 5, np.nan, 5, 1]]), method="ml"
    )
    assert table["trait"].status.tolist() == [2, 3]
    assert np.isnan(table["trait"].theta).all()


def test_missing_answers_drop_out_and_the_policy_applies() -> None:
    one = score_theta(RUBRIC, {"i0": 4, "i5": None})["trait"]
    assert not one.scorable  # 1 of 6 answered; the default policy needs 3
    assert one.answered == 1
    assert "needs 3" in one.reason
    three = {"i0": 4, "i2": 2, "i4": 5}
    score = score_theta(RUBRIC, three)["trait"]
    assert score.scorable
    assert score.answered == 3
    theta, _ = _reference_eap(_keyed(three), Prior())
    assert score.theta == pytest.approx(theta, abs=1e-6)


def test_the_quadrature_is_declarable() -> None:
    answers = ANSWERS[0]
    theta, se = _reference_eap(_keyed(answers), Prior())
    fine = score_theta(RUBRIC, answers, quadrature=Quadrature(points=161, lower=-8, upper=8))
    assert fine["trait"].theta == pytest.approx(theta, abs=1e-6)
    assert fine["trait"].se == pytest.approx(se, abs=1e-6)
    coarse = score_theta(RUBRIC, answers, quadrature=Quadrature(points=7))["trait"]
    assert coarse.theta is not None
    assert abs(coarse.theta - theta) > 1e-3  # 7 nodes two units apart: a visibly cruder sum


def test_missing_codes_count_as_missing() -> None:
    scale = attrs.evolve(
        Scale.agreement(5), missing=[mgrlead.model.MissingCode(code=9, label="NA")]
    )
    rubric = attrs.evolve(RUBRIC, scale=scale)
    with_code = score_theta(rubric, ANSWERS[0] | {"i5": 9})["trait"]
    without = score_theta(rubric, ANSWERS[0] | {"i5": None})["trait"]
    assert with_code == without
    assert with_code.answered == 5


# ------------------------------------------------------------------ properties
params_grm = st.builds(
    lambda a, b: IrtParams(model="grm", a=a, thresholds=tuple(sorted(b))),
    st.floats(0.3, 3.0),
    st.lists(st.floats(-3, 3), min_size=4, max_size=4, unique=True).filter(
        lambda b: min(abs(x - y) for x in b for y in b if x != y) > 0.05
    ),
)
answer_st = st.one_of(st.none(), st.integers(1, 5))


@settings(max_examples=40, deadline=None)
@given(
    params=st.lists(params_grm, min_size=3, max_size=6),
    data=st.data(),
    method=st.sampled_from(["eap", "map"]),
)
def test_theta_increases_when_an_answer_moves_toward_the_high_pole(
    params: list[IrtParams], data: st.DataObject, method: str
) -> None:
    keyed = data.draw(st.lists(st.sampled_from(["high", "low"]), min_size=len(params),
                               max_size=len(params)))  # fmt: skip
    rubric = irt_rubric(params, keyed)
    answers = {f"i{n}": data.draw(st.integers(1, 5)) for n in range(len(params))}
    n = data.draw(st.integers(0, len(params) - 1))
    toward_high = 1 if keyed[n] == "high" else -1
    moved = answers[f"i{n}"] + toward_high
    if not 1 <= moved <= 5:
        return
    before = score_theta(rubric, answers, method=method)["trait"].theta
    after = score_theta(rubric, answers | {f"i{n}": moved}, method=method)["trait"].theta
    assert before is not None
    assert after is not None
    assert after > before


def _flip(p: IrtParams) -> IrtParams:
    """The same item's parameters toward the other pole (θ → -θ, categories reversed)."""
    if p.model == "grm":
        return attrs.evolve(p, thresholds=tuple(-b for b in reversed(p.thresholds)))
    if p.model == "rsm":
        return attrs.evolve(
            p, location=-(p.location or 0.0), steps=tuple(-s for s in reversed(p.steps))
        )
    return attrs.evolve(p, steps=tuple(-s for s in reversed(p.steps)))


SWAP = {"high": "low", "low": "high", "+": "-", "-": "+"}


@settings(max_examples=30, deadline=None)
@given(
    answers=st.fixed_dictionaries({f"i{n}": answer_st for n in range(6)}),
    method=st.sampled_from(["eap", "map", "ml"]),
    sd=st.floats(0.5, 2.0),
)
def test_swapping_the_poles_with_the_parameters_mirrors_theta(
    answers: dict[str, int | None], method: str, sd: float
) -> None:
    """Every item keyed the other way and its parameters restated toward the new
    high pole (GRM b -> -reversed b; (G)PCM, RSM steps likewise): θ -> -θ, same SE."""
    swapped = irt_rubric([_flip(p) for p in MIXED], [SWAP[k] for k in KEYED])
    prior = {} if method == "ml" else {"prior": Prior(mean=0.0, sd=sd)}
    a = score_theta(RUBRIC, answers, method=method, **prior)["trait"]
    b = score_theta(swapped, answers, method=method, **prior)["trait"]
    assert (a.scorable, a.answered) == (b.scorable, b.answered)
    if a.theta is not None and b.theta is not None:
        assert b.theta == pytest.approx(-a.theta, abs=1e-9)
        assert b.se == pytest.approx(a.se, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    answers=st.fixed_dictionaries({f"i{n}": answer_st for n in range(6)}),
    flip=st.sets(st.integers(0, 5)),
    method=st.sampled_from(["eap", "map", "ml"]),
)
def test_reverse_keying_is_declared_once_and_parameters_stay_toward_the_high_pole(
    answers: dict[str, int | None], flip: set[int], method: str
) -> None:
    """An item worded the other way (keying flipped, answers reversed on the declared
    scale) keeps its parameters, stated toward the high pole: the same θ."""
    keyed = [SWAP[k] if n in flip else k for n, k in enumerate(KEYED)]
    reworded = irt_rubric(list(MIXED), keyed)
    other = {
        key: (6 - v if v is not None and int(key[1:]) in flip else v) for key, v in answers.items()
    }
    a = score_theta(RUBRIC, answers, method=method)["trait"]
    b = score_theta(reworded, other, method=method)["trait"]
    assert a == b


@settings(max_examples=40, deadline=None)
@given(
    answers=st.fixed_dictionaries({f"i{n}": answer_st for n in range(6)}),
    sd=st.floats(0.3, 2.0),
    mean=st.floats(-1.0, 1.0),
)
def test_eap_se_is_at_most_the_prior_sd(
    answers: dict[str, int | None], sd: float, mean: float
) -> None:
    score = score_theta(RUBRIC, answers, prior=Prior(mean=mean, sd=sd))["trait"]
    if score.se is not None:
        assert score.se <= sd + 1e-12


@settings(max_examples=15, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({f"i{n}": answer_st for n in range(6)}),
                  min_size=1, max_size=12),
    method=st.sampled_from(["eap", "map", "ml"]),
    block=st.sampled_from([1, 3, 4096]),
)  # fmt: skip
def test_one_respondent_equals_the_batch(
    rows: list[dict[str, int | None]], method: str, block: int
) -> None:
    matrix = np.array([[np.nan if r[i] is None else r[i] for i in RUBRIC.item_ids] for r in rows])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(irt_scoring, "BLOCK_ROWS", block)  # rows never see each other's block
        table = score_theta(RUBRIC, matrix, method=method)["trait"]
    for n, row in enumerate(rows):
        one = score_theta(RUBRIC, row, method=method)["trait"]
        assert one.scorable == bool(table.scorable[n])
        assert one.answered == table.answered[n]
        if one.scorable:
            assert (one.theta, one.se, one.t_score, one.percentile) == (
                table.theta[n],
                table.se[n],
                table.t_score[n],
                table.percentile[n],
            )
        else:
            assert one.reason
            assert np.isnan(table.theta[n])


# ------------------------------------------------------------------ errors
def test_a_bad_cell_names_its_row_and_item() -> None:
    matrix = np.array([[1, 2, 3, 4, 5, 1], [1, 2, 7, 4, 5, 1]], dtype=float)
    with pytest.raises(AnswerError, match=r"row 1: item 'i2': 7\.0 is outside the scale 1\.\.5"):
        score_theta(RUBRIC, matrix)
    with pytest.raises(AnswerError, match=r"shape \(n, 6\)"):
        score_theta(RUBRIC, np.ones((2, 5)))
    with pytest.raises(AnswerError, match=r"unknown item.*'nope'"):
        score_theta(RUBRIC, {"nope": 3})
    with pytest.raises(AnswerError, match=r"item 'i0'.*outside the scale"):
        score_theta(RUBRIC, {"i0": 6})


def test_dimensions_without_parameters_are_named() -> None:
    with pytest.raises(RubricError, match="no dimension has IRT parameters"):
        score_theta(ML, dict.fromkeys(ML.item_ids, 3))
    dim = ML.dimensions[0]
    half = [attrs.evolve(i, irt=GRM) if n < 3 else i for n, i in enumerate(dim.items)]
    rubric = attrs.evolve(ML, dimensions=[attrs.evolve(dim, items=half), *ML.dimensions[1:]])
    with pytest.raises(RubricError, match="'pr4', 'pr5', 'pr6' carry no IRT parameters"):
        score_theta(rubric, {}, dimensions=["process_results"])
    with pytest.raises(
        RubricError, match=r"needs a Rubric, got str; load one with mgrlead\.load_rubric"
    ):
        score_theta("manager-leader", {})  # type: ignore[call-overload]
    assert score_theta(RUBRIC, {}, dimensions="trait")["trait"].answered == 0
    with pytest.raises(RubricError, match="unknown θ method 'wle'"):
        score_theta(RUBRIC, {}, method="wle")
    with pytest.raises(RubricError, match="'ml' uses no prior"):
        score_theta(RUBRIC, {}, method="ml", prior=Prior())
    with pytest.raises(RubricError, match="sd must be finite and positive"):
        Prior(sd=0)
    with pytest.raises(RubricError, match=r"lower \(1\.0\) must be less than upper"):
        Quadrature(lower=1.0, upper=-1.0)


# ------------------------------------------------------------------ the rubric
@pytest.mark.parametrize(
    ("params", "message"),
    [
        (IrtParams(model="grm", a=1.0, thresholds=(-1, 0.5, 0.2, 1)),
         r"item 'x': irt: thresholds must increase \(b2 = 0\.5 >= b3 = 0\.2\)"),
        (IrtParams(model="grm", a=0.0, thresholds=(-1, 0, 1, 2)),
         r"item 'x': irt: a must be positive, got 0\.0"),
        (IrtParams(model="gpcm", a=-1.0, steps=(-1, 0, 1, 2)), "item 'x': irt: a must be positive"),
        (IrtParams(model="grm", thresholds=(-1, 0, 1, 2)),
         "item 'x': irt: grm needs the discrimination a"),
        (IrtParams(model="pcm", a=1.0, steps=(-1, 0, 1, 2)), "item 'x': irt: pcm fixes a at 1"),
        (IrtParams(model="rsm", steps=(-1, 0, 1, 2)), "item 'x': irt: rsm needs a location"),
        (IrtParams(model="grm", a=1.0, steps=(-1, 0, 1, 2)), "grm takes thresholds, not steps"),
        (IrtParams(model="grm", a=1.0, thresholds=(-1, 0, 1, 2), scaling=-1.702),
         r"scaling \(D\) must be positive"),
    ],
)  # fmt: skip
def test_bad_parameters_name_the_item_and_the_parameter(params: IrtParams, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        Item(id="x", text="X", keyed="+", irt=params)


def test_the_count_of_thresholds_must_fit_the_scale() -> None:
    three = IrtParams(model="grm", a=1.0, thresholds=(-1.0, 0.0, 1.0))
    with pytest.raises(
        RubricError, match="item 'i0': irt: 3 thresholds for a scale of 5 points; give 4"
    ):
        irt_rubric([three], ["high"])
    own_scale = Item(id="i0", text="X", keyed="+", irt=three, scale=Scale.agreement(4))
    rubric = attrs.evolve(
        RUBRIC, dimensions=[attrs.evolve(RUBRIC.dimensions[0], items=[own_scale])]
    )
    assert rubric.item("i0").irt == three  # 3 thresholds fit a 4-point scale


def test_rsm_items_of_a_dimension_share_their_steps() -> None:
    other = IrtParams(model="rsm", location=0.0, steps=(-1.0, -0.3, 0.4, 1.1))
    with pytest.raises(RubricError, match=r"rsm items share their steps.*item 'i1'"):
        irt_rubric([MIXED[4], other], ["high", "high"])


def test_a_response_map_and_irt_parameters_do_not_mix() -> None:
    responses = [mgrlead.model.ResponseScore(code=c, score=c * 2) for c in range(1, 6)]
    with pytest.raises(RubricError, match=r"item 'x': irt parameters .* response map"):
        Item(id="x", text="X", keyed="+", irt=GRM, responses=responses)


@pytest.mark.parametrize("fmt", ["toml", "json", "yaml"])
def test_parameters_round_trip_through_every_file_format(fmt: str) -> None:
    text = dump_rubric(RUBRIC, fmt)
    assert load_rubric_text(text, fmt=fmt) == RUBRIC
    assert "thresholds" in text
    assert "scaling" in text  # 1.702 declared on one item


def test_a_file_with_bad_parameters_names_the_item() -> None:
    data = unstructure_rubric(RUBRIC)
    data["dimensions"][0]["items"][1]["irt"]["thresholds"] = [0.0, -1.0, 0.5, 1.0]
    with pytest.raises(RubricFileError, match=r"item 'i1': irt: thresholds must increase"):
        load_rubric_text(json.dumps(data), fmt="json")
    data = unstructure_rubric(RUBRIC)
    data["dimensions"][0]["items"][2]["irt"]["model"] = "2pl"
    with pytest.raises(
        RubricFileError, match=r"unknown model '2pl'; use one of grm, gpcm, pcm, rsm"
    ):
        load_rubric_text(json.dumps(data), fmt="json")
    data = unstructure_rubric(RUBRIC)
    data["dimensions"][0]["items"][0]["irt"]["discrimination"] = 1.0
    with pytest.raises(RubricFileError, match=r"unknown key 'discrimination'.*irt"):
        load_rubric_text(json.dumps(data), fmt="json")


def test_the_json_schema_describes_the_parameters() -> None:
    schema = rubric_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = unstructure_rubric(RUBRIC)
    jsonschema.validate(data, schema)
    irt = schema["$defs"]["IrtParams"]
    assert irt["properties"]["model"]["enum"] == ["grm", "gpcm", "pcm", "rsm"]
    assert irt["required"] == ["model"]
    data["dimensions"][0]["items"][0]["irt"]["b"] = [1.0]
    with pytest.raises(jsonschema.ValidationError, match="'b' was unexpected"):
        jsonschema.validate(data, schema)


def test_the_content_hash_covers_the_parameters_only_when_present() -> None:
    assert content_hash(ML) == (  # the built-in rubric's hash as it was before issue 17
        "sha256:8e18316ce49fcb1370aae964360be7687b9cfece07b33a0bd974dee4a2b1a1ab"
    )
    base = content_hash(RUBRIC)
    dim = RUBRIC.dimensions[0]
    for change in (
        {"a": 1.3},
        {"thresholds": (-1.8, -0.6, 0.4, 1.8)},
        {"scaling": 1.702},
    ):
        item = attrs.evolve(dim.items[0], irt=attrs.evolve(dim.items[0].irt, **change))
        other = attrs.evolve(RUBRIC, dimensions=[attrs.evolve(dim, items=[item, *dim.items[1:]])])
        assert content_hash(other) != base, change
    reworded = attrs.evolve(dim.items[0], text="Reworded")
    same = attrs.evolve(RUBRIC, dimensions=[attrs.evolve(dim, items=[reworded, *dim.items[1:]])])
    assert content_hash(same) == base


def test_map_and_ml_reach_estimates_beyond_the_quadrature_grid() -> None:
    """Newton starts at the best node but is not bound to the grid (hard items, θ near 8)."""
    hard = [attrs.evolve(p, thresholds=tuple(b + 8.0 for b in p.thresholds)) for p in
            (MIXED[0], MIXED[1], GRM)]  # fmt: skip
    rubric = irt_rubric(hard, ["high", "high", "high"])
    answers = {"i0": 3, "i1": 2, "i2": 4}
    for method, prior in (("ml", None), ("map", Prior(mean=0.0, sd=4.0))):
        kwargs = {} if prior is None else {"prior": prior}
        score = score_theta(rubric, answers, method=method, **kwargs)["trait"]
        theta, se = _reference_mode(_keyed(answers, rubric), prior)
        assert theta > 6.5
        assert score.theta == pytest.approx(theta, abs=1e-6)
        assert score.se == pytest.approx(se, abs=1e-5)


@pytest.mark.parametrize("params", MIXED)
def test_item_information_agrees_with_the_textbook_formula(params: IrtParams) -> None:
    """Σ_k P_k'(θ)² / P_k(θ), the derivatives by central differences of the reference."""
    thetas = np.linspace(-4, 4, 17)
    got = item_information(params, thetas)
    h = 1e-5
    for theta, info in zip(thetas, got, strict=True):
        want = 0.0
        for k in range(params.categories):
            p = p_textbook(params, k, theta)
            dp = (p_textbook(params, k, theta + h) - p_textbook(params, k, theta - h)) / (2 * h)
            want += dp * dp / p
        assert info == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_dimension_information_is_the_sum_and_gives_the_ml_se() -> None:
    thetas = np.array([-1.0, 0.0, 0.7])
    total = dimension_information(RUBRIC, "trait", thetas)
    assert total == pytest.approx(sum(item_information(p, thetas) for p in MIXED), rel=1e-12)
    # keying does not change information
    flipped = irt_rubric(list(MIXED), [SWAP[k] for k in KEYED])
    assert dimension_information(flipped, "trait", thetas) == pytest.approx(total, rel=1e-12)
    with pytest.raises(RubricError, match="no dimension 'nope'"):
        dimension_information(RUBRIC, "nope", thetas)


def _params(model: str, k: int) -> st.SearchStrategy[IrtParams]:
    """Valid parameters of ``model`` for a scale of ``k`` points."""
    values = st.lists(st.floats(-4, 4, allow_subnormal=False), min_size=k - 1, max_size=k - 1)
    a = st.floats(0.05, 5.0)
    d = st.sampled_from([1.0, 1.702])
    if model == "grm":
        ordered = values.filter(lambda v: len(set(v)) == len(v)).map(sorted)
        return st.builds(lambda a, b, d: IrtParams(model="grm", a=a, thresholds=b, scaling=d),
                         a, ordered, d)  # fmt: skip
    if model == "gpcm":
        return st.builds(lambda a, s, d: IrtParams(model="gpcm", a=a, steps=s, scaling=d),
                         a, values, d)  # fmt: skip
    if model == "pcm":
        return st.builds(lambda s: IrtParams(model="pcm", steps=s), values)
    return st.builds(lambda loc, s: IrtParams(model="rsm", location=loc, steps=s),
                     st.floats(-3, 3), values)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(data=st.data(), model=st.sampled_from(["grm", "gpcm", "pcm", "rsm"]))
def test_any_valid_parameters_round_trip_and_validate_against_the_schema(
    data: st.DataObject, model: str
) -> None:
    n = data.draw(st.integers(1, 4))
    if model == "rsm":  # the steps are shared in a dimension
        shared = data.draw(_params("rsm", 5))
        locations = data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
        params = [attrs.evolve(shared, location=loc) for loc in locations]
    else:
        params = [data.draw(_params(model, 5)) for _ in range(n)]
    rubric = irt_rubric(params, data.draw(st.lists(st.sampled_from(["high", "low"]),
                                                min_size=n, max_size=n)))  # fmt: skip
    for fmt in ("toml", "json", "yaml"):
        assert load_rubric_text(dump_rubric(rubric, fmt), fmt=fmt) == rubric
    jsonschema.validate(unstructure_rubric(rubric), rubric_schema())
    score = score_theta(rubric, dict.fromkeys(rubric.item_ids, 3))["trait"]
    assert score.theta is not None
    assert math.isfinite(score.theta)


def test_thresholds_very_close_together_stay_finite() -> None:
    """log(1 - e^(-Da gap)) for a tiny gap: -inf with log1p(-exp(...)), exact with expm1."""
    close = IrtParams(model="grm", a=1.0, thresholds=(0.0, 1e-30, 1.0, 2.0))
    rubric = irt_rubric([close, GRM], ["high", "high"])
    score = score_theta(rubric, {"i0": 2, "i1": 3})["trait"]  # the all-but-impossible category
    assert score.theta is not None
    assert math.isfinite(score.theta)
    assert item_information(close, np.array([0.0]))[0] > 0


def test_eap_from_sum_scores_agrees_with_summing_over_every_pattern() -> None:
    """Lord-Wingersky against brute force: every answer pattern of four items (625)."""
    rubric = irt_rubric(MIXED[:4], KEYED[:4])
    prior = Prior(mean=0.3, sd=1.2)
    table = sum_score_table(rubric, "trait", prior=prior)
    nodes = np.linspace(-6, 6, 61)
    weights = np.exp(-0.5 * ((nodes - prior.mean) / prior.sd) ** 2)
    weights /= weights.sum()
    by_sum: dict[int, np.ndarray] = {}
    for pattern in itertools.product(range(5), repeat=4):  # keyed categories
        lik = np.array([math.prod(p_textbook(p, k, t) for p, k in zip(MIXED[:4], pattern,
                        strict=True)) for t in nodes])  # fmt: skip
        s = sum(pattern) + 4  # keyed scores on 1..5
        by_sum[s] = by_sum.get(s, np.zeros_like(nodes)) + lik
    assert table.sums.tolist() == list(range(4, 21))
    for s, theta, se, prob in zip(table.sums, table.theta, table.se, table.probability,
                                  strict=True):  # fmt: skip
        joint = by_sum[int(s)] * weights
        want = (joint * nodes).sum() / joint.sum()
        assert theta == pytest.approx(want, abs=1e-12)
        assert se == pytest.approx(math.sqrt((joint * (nodes - want) ** 2).sum() / joint.sum()),
                                   abs=1e-12)  # fmt: skip
        assert prob == pytest.approx(joint.sum(), abs=1e-12)
    assert table.probability.sum() == pytest.approx(1.0, abs=1e-12)
    assert (np.diff(table.theta) > 0).all()  # a higher sum, a higher θ


def test_sum_scores_are_looked_up_and_checked() -> None:
    rubric = irt_rubric(MIXED[:4], KEYED[:4])
    table = sum_score_table(rubric, "trait")
    theta, se = table.lookup([4, 12, np.nan, 20])
    assert theta[1] == table.theta[8]
    assert theta[0] == table.theta[0]
    assert np.isnan(theta[2])
    assert np.isnan(se[2])
    # the sums are the rubric's own `sum` score of complete answers (weights 1)
    answers = {"i0": 5, "i1": 2, "i2": 3, "i3": 1}
    profile_sum = mgrlead.score(rubric, answers).dimensions[0].sum
    keyed = sum(k + 1 for _, k in _keyed(answers, rubric))
    assert profile_sum == keyed
    assert table.lookup([profile_sum])[0][0] == table.theta[keyed - 4]
    with pytest.raises(
        AnswerError, match=r"sum 21\.0 at position 1 is not a whole number from 4 to 20"
    ):
        table.lookup([12, 21])
    with pytest.raises(AnswerError, match=r"sum 7\.5 at position 0"):
        table.lookup([7.5])


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_a_data_frame_is_read_by_column_name(library: str) -> None:
    module = importlib.import_module(library)
    rows = [ANSWERS[0], ANSWERS[2] | {"i5": None}]
    order = ["i3", "i0", "i5", "i2", "i1", "i4"]  # not the rubric's order
    data = {"person": ["ann", "bob"]} | {i: [r.get(i) for r in rows] for i in order}
    frame = module.DataFrame(data)
    table = score_theta(RUBRIC, frame)["trait"]
    for n, row in enumerate(rows):
        assert table.theta[n] == score_theta(RUBRIC, row)["trait"].theta
    with pytest.raises(AnswerError, match=r"no column for item 'i1'"):
        score_theta(RUBRIC, module.DataFrame({i: data[i] for i in order if i != "i1"}))


def test_items_on_scales_of_their_own_mix_in_one_dimension() -> None:
    """A yes/no item (2PL as a one-threshold GRM) and a 0..3 item beside 1..5 items."""
    yes_no = Scale(min=0, max=1, labels=["No", "Yes"])
    four = Scale(min=0, max=3, labels=["Never", "Sometimes", "Often", "Always"])
    items = [
        Item(id="y", text="Y", keyed="high", scale=yes_no,
             irt=IrtParams(model="grm", a=1.7, thresholds=(0.4,))),
        Item(id="f", text="F", keyed="low", scale=four,
             irt=IrtParams(model="gpcm", a=1.1, steps=(-0.7, 0.1, 0.9))),
        Item(id="g", text="G", keyed="high", irt=GRM),
    ]  # fmt: skip
    dim = attrs.evolve(RUBRIC.dimensions[0], items=items)
    rubric = attrs.evolve(RUBRIC, dimensions=[dim])
    answers = {"y": 1, "f": 1, "g": 2}
    pairs = [(items[0].irt, 1), (items[1].irt, 3 - 1), (GRM, 2 - 1)]
    theta, se = _reference_eap(pairs, Prior())  # type: ignore[arg-type]
    score = score_theta(rubric, answers)["trait"]
    assert score.theta == pytest.approx(theta, abs=1e-6)
    assert score.se == pytest.approx(se, abs=1e-6)
    mode, _ = _reference_mode(pairs, None)  # type: ignore[arg-type]
    assert score_theta(rubric, answers, method="ml")["trait"].theta == pytest.approx(mode, abs=1e-6)
    with pytest.raises(AnswerError, match=r"item 'y': 2 is outside the scale 0\.\.1"):
        score_theta(rubric, {"y": 2})
