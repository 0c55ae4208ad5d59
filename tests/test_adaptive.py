"""Adaptive testing (issue 18): sessions, selection, balancing, stopping, JSON state, simulation.

The θ references are independent of the session's own arithmetic:
:func:`mgrlead.irt.score_theta` (the θ scorer, with the missing-data policy
``available``: items not presented are not missing answers) on the answers so
far.  The stopping and balancing properties are checked from the record of
what was asked, not from the session's own flags.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import irt_dimension
from mgrlead.adaptive import STOP_RULES, AdaptiveSession, CatOptions, simulate, sympson_hetter
from mgrlead.adaptive.engine import compile_bank, criterion, posterior
from mgrlead.errors import AdaptiveError, AnswerError, SessionStateError
from mgrlead.irt import item_information, score_theta
from mgrlead.model import IrtParams, MissingPolicy, Rubric, Scale

ROOT = Path(__file__).resolve().parents[1]
BIG5 = mgrlead.load_rubric(ROOT / "examples" / "ipip-bfi50-irt.toml")


def _small() -> Rubric:
    """Two dimensions of mixed models and keyings (GRM, GPCM, PCM, RSM)."""
    params = [
        IrtParams(model="grm", a=1.8, thresholds=(-1.8, -0.6, 0.4, 1.7)),
        IrtParams(model="grm", a=2.2, thresholds=(-1.0, -0.2, 0.3, 0.9), scaling=1.702),
        IrtParams(model="gpcm", a=1.1, steps=(-1.5, 0.5, -0.2, 1.1)),
        IrtParams(model="pcm", steps=(-0.5, -1.0, 0.8, 1.4)),
        IrtParams(model="rsm", location=0.3, steps=(-1.2, -0.3, 0.4, 1.1)),
        IrtParams(model="grm", a=1.3, thresholds=(-0.2, 0.5, 1.2, 2.0)),
    ]
    keyed = ["+", "-", "+", "-", "+", "-"]
    dims = [
        irt_dimension(
            [params[(k + 2 * d) % 6] for k in range(6)],
            [keyed[(k + d) % 6] for k in range(6)],
            did=name,
            ids=[f"{name[0]}{k}" for k in range(6)],
        )
        for d, name in enumerate(("alpha", "beta"))
    ]
    return Rubric(
        id="cat-test", version="1", title="CAT test", scale=Scale.agreement(5), dimensions=dims
    )


SMALL = _small()


def _available(rubric: Rubric) -> Rubric:
    return attrs.evolve(rubric, missing=MissingPolicy.named("available"))


def _run(session: AdaptiveSession, answer: Any) -> list[str]:
    """Answer until done; ``answer(item_id)`` gives the code (or None)."""
    order = []
    while not session.done:
        item = session.next_item()
        assert item is not None
        session.answer(item, answer(item))
        order.append(item)
    return order


def _answers_for(rubric: Rubric, seed: int, skip: float = 0.0) -> dict[str, int | None]:
    rng = random.Random(seed)  # noqa: S311 - test data
    return {
        i: None if rng.random() < skip else rng.randint(rubric.scale.min, rubric.scale.max)
        for i in rubric.item_ids
    }


options_st = st.builds(
    CatOptions,
    selection=st.sampled_from(("mfi", "pwi", "kl")),
    se=st.one_of(st.none(), st.floats(0.3, 0.7)),
    max_items=st.one_of(st.none(), st.integers(2, 12)),
    min_items=st.integers(0, 2),
    min_per_dimension=st.integers(0, 3),
    max_per_dimension=st.one_of(st.none(), st.integers(3, 6)),
    min_information=st.one_of(st.none(), st.floats(0.05, 0.6)),
    randomesque=st.integers(1, 3),
    keying_tolerance=st.integers(1, 2),
)


# ------------------------------------------------------------------ exactness
def test_all_items_equals_full_length_eap_exactly() -> None:
    """An all-items run's θ and SE are score_theta's on the same answers, bit for bit."""
    for seed in range(3):
        answers = _answers_for(BIG5, seed)
        session = AdaptiveSession.start(BIG5, CatOptions(se=None), seed=seed)
        _run(session, answers.__getitem__)
        assert session.stopped_by == ("exhausted",)
        assert len(session.asked) == len(BIG5.items)
        full = score_theta(BIG5, answers)
        profile = session.profile()  # the θ strategy's profile carries the same θ
        for s in session.theta().scores:
            assert s.theta == full[s.dimension].theta
            assert s.se == full[s.dimension].se
            theta = profile[s.dimension].theta
            assert theta is not None
            assert (theta.theta, theta.theta_se) == (s.theta, s.se)
            assert profile[s.dimension].score == s.theta


@settings(max_examples=25, deadline=None)
@given(options=options_st, seed=st.integers(0, 2**32), answers=st.integers(0, 10**6))
def test_each_step_matches_score_theta(options: CatOptions, seed: int, answers: int) -> None:
    """After every answer, θ̂ and SE equal score_theta on the answers so far (exactly)."""
    given_answers = _answers_for(SMALL, answers, skip=0.15)
    session = AdaptiveSession.start(SMALL, options, seed=seed)
    reference = _available(SMALL)
    while not session.done:
        item = session.next_item()
        assert item is not None
        session.answer(item, given_answers[item])
        so_far = {k: v for k, v in session.answers().items() if v is not None}
        if not so_far:
            continue
        full = score_theta(reference, so_far)
        for s in session.theta().scores:
            ref = full[s.dimension]
            if ref.scorable:
                assert (s.theta, s.se) == (ref.theta, ref.se)
            else:
                assert not s.scorable


# ------------------------------------------------------------------ rules
def _check_rules(session: AdaptiveSession, options: CatOptions, rubric: Rubric) -> None:
    """Every stop and balancing promise, checked from the record and score_theta."""
    asked = [a.item for a in session.asked]
    assert len(asked) == len(set(asked)), "an item was asked twice"
    result = session.result()
    assert result.done
    assert result.stopped_by
    assert set(result.stopped_by) <= set(STOP_RULES)
    dims = [d.id for d in rubric.dimensions]
    of = {i.id: d.id for d in rubric.dimensions for i in d.items}
    count = {d: sum(of[i] == d for i in asked) for d in dims}
    size = {d: sum(of[i] == d for i in rubric.item_ids) for d in dims}
    answered = {k: v for k, v in session.answers().items() if v is not None}
    theta = score_theta(_available(rubric), answered) if answered else None
    if options.max_items is not None:
        assert len(asked) <= options.max_items
    if "max_items" in result.stopped_by:
        assert len(asked) == options.max_items
    else:
        exhausted = all(count[d] == size[d] for d in dims)
        assert (
            len(asked) >= options.min_items
            or exhausted
            or all(
                count[d] >= (options.max_per_dimension or 99) or count[d] == size[d] for d in dims
            )
        )
        for d in dims:  # every dimension was closed by the rule the result names
            rule = result.dimension_stops[d]
            assert rule in result.stopped_by
            if rule == "se":
                assert count[d] >= options.min_per_dimension
                assert theta is not None
                se = theta[d].se if theta[d].scorable else options.prior.sd
                assert se <= options.se
            elif rule == "max_per_dimension":
                assert count[d] == options.max_per_dimension
            elif rule == "exhausted":
                assert count[d] == size[d]
            elif rule == "min_information":
                assert count[d] >= options.min_per_dimension
                assert options.min_information is not None
                at = theta[d].theta if theta is not None and theta[d].scorable else 0.0
                left = [i for i in rubric.dimension(d).items if i.id not in asked]
                best = max(float(item_information(i.irt, np.array([at]))[0]) for i in left)
                assert best < options.min_information * 1.01 + 1e-9  # read from a 0.01 grid
    for d in dims:
        if options.max_per_dimension is not None:
            assert count[d] <= options.max_per_dimension
    # keying balance: while a dimension has items of both keyings left, the counts asked
    # of each differ by at most the tolerance
    if options.balance_keying:
        low = {i.id for d in rubric.dimensions for i in d.items if d.reverses(i.keyed)}
        seen: dict[str, list[int]] = {d: [0, 0] for d in dims}
        for n, item in enumerate(asked):
            d = of[item]
            seen[d][item in low] += 1
            rest = [i for i in rubric.item_ids if of[i] == d and i not in asked[: n + 1]]
            if any(i in low for i in rest) and any(i not in low for i in rest):
                assert abs(seen[d][0] - seen[d][1]) <= options.keying_tolerance, (item, seen)


@settings(max_examples=40, deadline=None)
@given(options=options_st, seed=st.integers(0, 2**32), answers=st.integers(0, 10**6))
def test_stops_by_its_rules_and_balances(options: CatOptions, seed: int, answers: int) -> None:
    given_answers = _answers_for(SMALL, answers, skip=0.1)
    session = AdaptiveSession.start(SMALL, options, seed=seed)
    _run(session, given_answers.__getitem__)
    _check_rules(session, options, SMALL)


@settings(max_examples=8, deadline=None)
@given(se=st.floats(0.3, 0.6), seed=st.integers(0, 1000))
def test_rules_on_the_example(se: float, seed: int) -> None:
    options = CatOptions(se=se, min_per_dimension=2)
    given_answers = _answers_for(BIG5, seed)
    session = AdaptiveSession.start(BIG5, options, seed=seed)
    _run(session, given_answers.__getitem__)
    _check_rules(session, options, BIG5)


def test_keying_balance_can_be_seen_to_fail() -> None:
    """Without balancing, an acquiescent respondent gets mostly one keying (the check bites)."""
    options = CatOptions(se=None, max_items=6, dimensions=["agreeableness"], balance_keying=False)
    session = AdaptiveSession.start(BIG5, options, seed=1)
    _run(session, lambda _item: 5)
    low = {i.id for i in BIG5.dimension("agreeableness").items if i.keyed == "-"}
    kinds = [a.item in low for a in session.asked]
    balanced = AdaptiveSession.start(BIG5, attrs.evolve(options, balance_keying=True), seed=1)
    _run(balanced, lambda _item: 5)
    kinds_balanced = [a.item in low for a in balanced.asked]
    assert abs(sum(kinds_balanced) - (len(kinds_balanced) - sum(kinds_balanced))) <= 1
    assert abs(sum(kinds) - (len(kinds) - sum(kinds))) > 1


def test_required_items_come_first_and_always() -> None:
    options = CatOptions(se=0.9, required=["N10", "O4"], max_items=5)
    session = AdaptiveSession.start(BIG5, options, seed=2)
    _run(session, lambda _item: 3)
    first = [a.item for a in session.asked[:2]]
    assert sorted(first) == ["N10", "O4"]
    assert all(a.reason == "required item" for a in session.asked[:2])


def test_min_and_max_per_dimension_mapping() -> None:
    options = CatOptions(se=0.9, min_per_dimension={"intellect": 4}, max_per_dimension=5)
    session = AdaptiveSession.start(BIG5, options, seed=2)
    _run(session, lambda _item: 4)
    count = {d.id: 0 for d in BIG5.dimensions}
    for a in session.asked:
        count[a.dimension] += 1
    assert count["intellect"] >= 4
    assert max(count.values()) <= 5


def test_skipped_items_are_not_asked_again_and_carry_no_information() -> None:
    session = AdaptiveSession.start(SMALL, CatOptions(se=None, max_items=4), seed=5)
    first = session.next_item()
    assert first is not None
    before = session.estimates()
    session.skip(first)
    assert session.next_item() != first
    assert session.estimates() == before
    assert session.answers()[first] is None


# ------------------------------------------------------------------ JSON state
@settings(max_examples=25, deadline=None)
@given(
    steps=st.integers(0, 10),
    seed=st.integers(0, 2**40),
    randomesque=st.integers(1, 4),
    selection=st.sampled_from(("mfi", "pwi", "kl")),
    sympson_hetter=st.booleans(),
)
def test_json_round_trip_resumes_to_the_same_next_item(
    steps: int, seed: int, randomesque: int, selection: str, sympson_hetter: bool
) -> None:
    exposure = {"a0": 0.2, "a1": 0.3, "b0": 0.25, "b2": 0.5} if sympson_hetter else None
    options = CatOptions(se=0.35, randomesque=1 if exposure else randomesque,
                         selection=selection, exposure=exposure)  # fmt: skip
    answers = _answers_for(SMALL, seed % 1000, skip=0.2)
    session = AdaptiveSession.start(SMALL, options, seed=seed)
    for _ in range(steps):
        if session.done:
            break
        item = session.next_item()
        assert item is not None
        session.answer(item, answers[item])
    text = session.to_json()
    json.loads(text)  # plain JSON
    resumed = AdaptiveSession.from_json(SMALL, text)
    assert resumed.next_item() == session.next_item()
    assert resumed.estimates() == session.estimates()
    assert _run(resumed, answers.__getitem__) == _run(session, answers.__getitem__)
    assert resumed.to_dict() == session.to_dict()


def test_same_seed_same_test_other_seed_may_differ() -> None:
    options = CatOptions(se=0.4, randomesque=5)
    runs = []
    for seed in (7, 7, 8):
        session = AdaptiveSession.start(BIG5, options, seed=seed)
        runs.append(_run(session, lambda _item: 4))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_resuming_against_another_rubric_content_is_an_error() -> None:
    session = AdaptiveSession.start(BIG5, CatOptions(), seed=1)
    session.answer(session.next_item() or "", 3)
    text = session.to_json()
    dim = BIG5.dimensions[0]
    item = attrs.evolve(dim.items[0], irt=IrtParams(model="grm", a=1.0,
                                                   thresholds=(-2.0, -1.0, 0.0, 1.0)))  # fmt: skip
    changed = attrs.evolve(BIG5, dimensions=[attrs.evolve(dim, items=[item, *dim.items[1:]]),
                                             *BIG5.dimensions[1:]])  # fmt: skip
    with pytest.raises(SessionStateError, match="content differs"):
        AdaptiveSession.from_json(changed, text)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="x"), "not an adaptive session"),
        (lambda d: d.update(version=99), "layout version 99"),
        (lambda d: d["asked"].append(dict(d["asked"][0])), "presented twice"),
        (lambda d: d["asked"][0].update(item="nope"), "'nope' is not in the bank"),
        (lambda d: d["asked"][0].update(code=9), r"asked\[0\]\.code"),
        (lambda d: d.update(seed=-1), "seed"),
        (lambda d: d["options"].update(selection="best"), "options.selection"),
        (lambda d: d["options"].update(colour=1), "unknown key"),
    ],
)
def test_bad_saved_state_names_the_field(mutate: Any, message: str) -> None:
    session = AdaptiveSession.start(SMALL, CatOptions(), seed=1)
    session.answer(session.next_item() or "", 2)
    data = session.to_dict()
    mutate(data)
    with pytest.raises(SessionStateError, match=message):
        AdaptiveSession.from_dict(SMALL, data)
    with pytest.raises(SessionStateError, match="not valid JSON"):
        AdaptiveSession.from_json(SMALL, "{")


def test_web_handler_cycle() -> None:
    """load → answer → next → store, with nothing kept between requests but the JSON."""
    store: dict[str, str] = {}

    def handle(session_id: str, item: str | None, code: int | None) -> str | None:
        if session_id not in store:
            session = AdaptiveSession.start(SMALL, CatOptions(se=0.45), seed=11)
        else:
            session = AdaptiveSession.from_json(SMALL, store[session_id])
        if item is not None:
            session.answer(item, code)
        store[session_id] = session.to_json()
        return session.next_item()

    item = handle("s1", None, None)
    n = 0
    while item is not None:
        item = handle("s1", item, 4)
        n += 1
    direct = AdaptiveSession.start(SMALL, CatOptions(se=0.45), seed=11)
    assert len(_run(direct, lambda _i: 4)) == n
    assert AdaptiveSession.from_json(SMALL, store["s1"]).result().stopped_by == direct.stopped_by


# ------------------------------------------------------------------ results and errors
def test_result_profile_and_record() -> None:
    session = AdaptiveSession.start(BIG5, CatOptions(se=0.5), seed=3)
    _run(session, lambda _item: 4)
    result = session.result()
    assert isinstance(result.profile, mgrlead.Profile)
    assert result.profile.rubric == "ipip-bfi50-irt"
    # the profile scores the answered items only, each dimension on θ from those asked
    asked = {a.item: a.code for a in result.asked}
    reference = mgrlead.score(BIG5, asked, strategy="theta", missing="available", careless=False)
    assert result.profile == reference
    for s in result.theta.scores:
        assert result.profile[s.dimension].score == s.theta
    assert [s.dimension for s in result.theta.scores] == [d.id for d in BIG5.dimensions]
    assert result.stopped_by == ("se",)
    assert set(result.dimension_stops.values()) == {"se"}
    record = result.to_dict()
    json.dumps(record, allow_nan=False)
    assert record["asked"][0]["reason"].startswith("its dimension")
    assert record["theta"]["extraversion"]["se"] <= 0.5


def test_undo_goes_back_and_re_estimates() -> None:
    session = AdaptiveSession.start(SMALL, CatOptions(se=None, max_items=6), seed=1)
    start = session.estimates()
    first = session.next_item() or ""
    session.answer(first, 5)
    assert session.estimates() != start
    assert session.undo() == first
    assert session.estimates() == start
    assert session.next_item() == first
    assert session.undo() is None


def test_answer_errors_name_the_item() -> None:
    session = AdaptiveSession.start(SMALL, CatOptions(se=None, max_items=1), seed=1)
    with pytest.raises(AdaptiveError, match="'zz' is not in the adaptive test"):
        session.answer("zz", 3)
    item = session.next_item() or ""
    with pytest.raises(AnswerError, match=item):
        session.answer(item, 8)
    session.answer(item, 3)
    with pytest.raises(AdaptiveError, match="presented already"):
        session.answer(item, 3)
    other = next(i for i in SMALL.item_ids if i != item)
    with pytest.raises(AdaptiveError, match="has stopped"):
        session.answer(other, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"selection": "best"}, "options.selection"),
        ({"se": 0}, "options.se"),
        ({"se": {"alpha": -1}}, r"options.se\['alpha'\]"),
        ({"max_items": 0}, "options.max_items"),
        ({"min_items": 5, "max_items": 3}, "max_items"),
        ({"randomesque": 0}, "options.randomesque"),
        ({"exposure": {"a0": 1.5}}, r"options.exposure\['a0'\]"),
        ({"exposure": {"a0": 0.5}, "randomesque": 2}, "choose one exposure control"),
        ({"min_per_dimension": -1}, "options.min_per_dimension"),
        ({"min_information": 0}, "options.min_information"),
        ({"dimensions": "alpha"}, "options.dimensions"),
    ],
)
def test_bad_options_name_the_field(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(AdaptiveError, match=message):
        CatOptions(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"se": {"gamma": 0.3}}, "'gamma'"),
        ({"required": ["zz"]}, "options.required: item 'zz'"),
        ({"required": ["a0", "a1"], "max_items": 1}, "required"),
        ({"exposure": {"zz": 0.5}}, "options.exposure: item 'zz'"),
        ({"min_per_dimension": 4, "max_per_dimension": 3}, "min_per_dimension 4"),
        ({"dimensions": ["gamma"]}, "no dimension 'gamma'"),
    ],
)
def test_options_that_do_not_fit_the_rubric(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(mgrlead.MgrleadError, match=message):
        AdaptiveSession.start(SMALL, CatOptions(**kwargs))


def test_shared_items_are_refused() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    with pytest.raises(mgrlead.MgrleadError, match="IRT parameters"):
        AdaptiveSession.start(rubric)


# ------------------------------------------------------------------ simulation
def test_simulation_all_items_matches_full_length() -> None:
    res = simulate(SMALL, CatOptions(se=None), n=300, seed=4)
    assert res.stop_counts()["exhausted"] == 300
    assert (res.length == len(SMALL.items)).all()
    # the same answers, added in another order: equal up to rounding
    np.testing.assert_allclose(res.theta, res.full_theta, rtol=0, atol=1e-9)
    assert all(v == 1.0 for v in res.exposure().values())


def test_simulation_stops_by_se_and_saves_items() -> None:
    res = simulate(BIG5, CatOptions(se=0.4), n=400, seed=2)
    stopped_se = res.stops[:, STOP_RULES.index("se")]
    # a test stopped by the SE rule has every dimension's SE at most the target
    # (or that dimension ran out of items)
    ok = (res.se <= 0.4) | (res.length_by_dimension == 10)
    assert ok[stopped_se].all()
    assert res.mean_length < 0.8 * len(BIG5.items)
    for d in res.dimensions():
        assert d.corr_full > 0.9
        assert abs(d.bias) < 0.1
    summary = json.loads(res.to_json())
    assert summary["full_length"] == 50
    assert len(res.rows()) == 400


def test_simulation_answers_follow_the_model() -> None:
    """At a fixed true θ, the drawn answers' category shares match the GRM written out here."""
    theta = np.full((20000, 5), 0.7)
    res = simulate(BIG5, CatOptions(se=0.5, max_items=1), theta=theta, seed=9, full=False)
    for item in BIG5.dimensions[0].items:
        assert item.irt is not None
        expected = _grm_probs(item.irt.a or 1.0, item.irt.thresholds, 0.7)
        if item.keyed == "-":
            expected = expected[::-1]  # keyed category 0 is the highest code
        shares = np.bincount(res.answers[:, res.ids.index(item.id)] - 1, minlength=5) / 20000
        # binomial SE at most 0.0036: 5 SE
        np.testing.assert_allclose(shares, expected, atol=0.018, err_msg=item.id)
    with pytest.raises(AdaptiveError, match="true θ"):
        simulate(SMALL, theta=np.zeros((3, 3)))
    with pytest.raises(AdaptiveError, match="simulate: n"):
        simulate(SMALL, n=0)


def test_sympson_hetter_lowers_the_highest_exposure() -> None:
    # keying balance off: with it, emotional stability's only two high-keyed items are
    # forced into every test that reaches its second item, whatever their K
    options = CatOptions(se=0.5, balance_keying=False)
    plain = simulate(BIG5, options, n=1000, seed=1)
    k = sympson_hetter(BIG5, options, target=0.4, n=1000, iterations=6, seed=3)
    controlled = simulate(BIG5, attrs.evolve(options, exposure=k), n=1000, seed=1)
    assert max(plain.exposure().values()) == 1.0
    assert max(controlled.exposure().values()) < 0.5
    assert all(0 < v <= 1 for v in k.values())


@settings(max_examples=30, deadline=None)
@given(options=options_st, required=st.lists(st.sampled_from(SMALL.item_ids), unique=True,
                                             max_size=3))  # fmt: skip
def test_options_round_trip_through_json(options: CatOptions, required: list[str]) -> None:
    options = attrs.evolve(
        options,
        required=required,
        se={"alpha": 0.5} if options.se is None else options.se,
        max_items=None,
        exposure=None if options.randomesque > 1 else {"a0": 0.5, "b1": 0.25},
    )
    text = json.dumps(options.to_dict())
    assert CatOptions.from_dict(json.loads(text)) == options


def test_max_items_stops_even_when_the_caller_skipped_required_items() -> None:
    options = CatOptions(se=None, required=["a5"], max_items=2)
    session = AdaptiveSession.start(SMALL, options, seed=1)
    session.answer("a0", 3)  # chosen by the caller, not the engine
    session.answer("a1", 3)
    assert session.done
    assert session.stopped_by == ("max_items",)
    assert session.asked[0].reason == "chosen by the caller"


# ------------------------------------------------------------------ the criteria, independently
def _grm_probs(a: float, b: tuple[float, ...], theta: float) -> np.ndarray:
    """Textbook GRM category probabilities (keyed), written out here."""
    star = [1.0] + [1.0 / (1.0 + np.exp(-a * (theta - bk))) for bk in b] + [0.0]
    return np.array([star[k] - star[k + 1] for k in range(len(b) + 1)])


def _grm_info(a: float, b: tuple[float, ...], theta: float, h: float = 1e-5) -> float:
    p = _grm_probs(a, b, theta)
    dp = (_grm_probs(a, b, theta + h) - _grm_probs(a, b, theta - h)) / (2 * h)
    return float((dp * dp / p).sum())


@settings(max_examples=30, deadline=None)
@given(theta=st.floats(-3.0, 3.0), shift=st.floats(-2.0, 2.0), spread=st.floats(0.3, 2.0))
def test_criteria_against_textbook_formulas(theta: float, shift: float, spread: float) -> None:
    """MFI at θ̂ (read from the 0.01 grid), PWI and KL, against direct computation."""
    params = [(p.a, p.thresholds) for d in BIG5.dimensions for p in (i.irt for i in d.items)]
    banks = {s: compile_bank(BIG5, CatOptions(selection=s)) for s in ("mfi", "pwi", "kl")}
    bank = banks["mfi"]
    nodes = bank.nodes
    # a normal-shaped posterior on the grid, centred near θ
    log_post = np.stack([-0.5 * ((nodes - theta - shift * d / 5) / spread) ** 2 for d in range(5)])
    th, _se, w = posterior(bank, log_post[None])
    mfi = criterion(banks["mfi"], th, w)[0]
    pwi = criterion(banks["pwi"], th, w)[0]
    kl = criterion(banks["kl"], th, w)[0]
    for i, (a, b) in enumerate(params):
        t = float(th[0, i // 10])
        exact = _grm_info(a, b, t)
        assert mfi[i] == pytest.approx(exact, rel=2e-3, abs=1e-6)
        weights = w[0, i // 10]
        ref_pwi = sum(wq * _grm_info(a, b, float(q)) for wq, q in zip(weights, nodes, strict=True))
        assert pwi[i] == pytest.approx(ref_pwi, rel=1e-5, abs=1e-9)
        p_hat = _grm_probs(a, b, t)
        ref_kl = sum(
            wq * float((p_hat * np.log(p_hat / _grm_probs(a, b, float(q)))).sum())
            for wq, q in zip(weights, nodes, strict=True)
        )
        assert kl[i] == pytest.approx(ref_kl, rel=2e-3, abs=1e-6)


def test_mfi_picks_the_most_informative_item_of_the_least_precise_dimension() -> None:
    options = CatOptions(se=None, balance_keying=False, min_per_dimension=0)
    session = AdaptiveSession.start(BIG5, options, seed=0)
    answers = _answers_for(BIG5, 3)
    params = {i.id: (i.irt.a, i.irt.thresholds) for i in BIG5.items}
    for _ in range(15):
        est = session.estimates()
        worst = max(est, key=lambda d: est[d][1])  # the largest SE (target 1 for all)
        asked = set(session.answers())
        left = [i.id for i in BIG5.dimension(worst).items if i.id not in asked]
        info = {i: _grm_info(*params[i], est[worst][0]) for i in left}
        ranked = sorted(info.values(), reverse=True)
        chosen = session.next_item() or ""
        assert chosen in left
        if len(ranked) < 2 or ranked[0] - ranked[1] > 1e-3:
            assert info[chosen] == ranked[0]
        session.answer(chosen, answers[chosen])


@pytest.mark.parametrize("min_information", [0.3, 0.6, 1.0])
def test_min_information_rule(min_information: float) -> None:
    """Extreme answers: the items left tell little at θ̂, so the rule closes dimensions."""
    options = CatOptions(se=None, min_information=min_information, min_per_dimension=2)
    session = AdaptiveSession.start(BIG5, options, seed=4)
    low = {i.id for i in BIG5.items if i.keyed == "-"}
    _run(session, lambda item: 1 if item in low else 5)
    assert "min_information" in session.stopped_by
    assert len(session.asked) < len(BIG5.items)
    _check_rules(session, options, BIG5)
