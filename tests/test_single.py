"""The compiled single-respondent engine (mgrlead.engines.single) against the batch engine."""

from __future__ import annotations

import copy
import math
import pickle
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
from mgrlead import AnswerError, RubricError
from mgrlead.api import scoring_plan
from mgrlead.engines.assemble import construct
from mgrlead.engines.batch import score_matrix
from mgrlead.engines.scorer import Scorer
from mgrlead.results import DimensionScore, OverallScore, Profile
from mgrlead.strategies import DimensionStats, MeanStrategy, ScoringStrategy
from mgrlead.testing import hypothesis as mh

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

ML = mgrlead.load_rubric("manager-leader")


@attrs.frozen(kw_only=True)
class Cubed(ScoringStrategy):
    """Not a built-in: the engines must call it."""

    name: str = "cubed"

    def score(self, stats: DimensionStats) -> Any:
        return (stats.position**3) * stats.weight_total + stats.answered

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (-stats.weight_total, stats.weight_total + stats.n_items)


@attrs.frozen(kw_only=True)
class MeanPlusOne(MeanStrategy):
    """A subclass of a built-in that changes its score: it must not be inlined."""

    name: str = "mean_plus_one"

    def score(self, stats: DimensionStats) -> Any:
        return stats.mean + 1.0


def matrix(rubric: mgrlead.Rubric, people: list[dict[str, Any]]) -> np.ndarray:
    return np.array(
        [[np.nan if p.get(i) is None else p[i] for i in rubric.item_ids] for p in people],
        dtype=np.float64,
    ).reshape(len(people), len(rubric.item_ids))


people_of = mh.rubrics().flatmap(
    lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), min_size=1, max_size=4))
)


@given(people_of, st.sampled_from([Cubed(), MeanPlusOne()]))
def test_strategies_that_are_not_built_in_give_batch_results(
    case: tuple[mgrlead.Rubric, list[dict[str, Any]]], strategy: ScoringStrategy
) -> None:
    rubric, people = case
    plan: ScoringPlan = attrs.evolve(scoring_plan(rubric), strategy=strategy)
    batch = score_matrix(plan, matrix(rubric, people))
    for row, answers in enumerate(people):
        single = Scorer(plan).score(answers)
        assert single == batch.profile(row)
        for score in single:
            if score.scorable:
                assert score.mean is not None
                if isinstance(strategy, MeanPlusOne):
                    assert score.score == score.mean + 1.0


@given(people_of, st.data())
def test_answers_as_floats_numpy_numbers_or_read_only_mappings_score_the_same(
    case: tuple[mgrlead.Rubric, list[dict[str, Any]]], data: st.DataObject
) -> None:
    rubric, people = case
    answers = people[0]
    kind = data.draw(st.sampled_from([float, np.int64, np.float64, np.int8]))
    changed = {
        k: v if v is None or (isinstance(v, float) and math.isnan(v)) else kind(v)
        for k, v in answers.items()
    }
    expected = mgrlead.score(rubric, answers)
    assert mgrlead.score(rubric, changed) == expected
    assert mgrlead.score(rubric, MappingProxyType(answers)) == expected


def test_the_first_bad_answer_in_item_order_is_named() -> None:
    answers = dict.fromkeys(ML.item_ids, 3)
    last, first = ML.item_ids[-1], ML.item_ids[2]
    answers[last] = 7
    answers[first] = 2.5
    with pytest.raises(AnswerError, match=rf"item '{first}': 2.5 is not a whole number") as info:
        mgrlead.score(ML, answers)
    assert info.value.item == first


def test_an_unknown_item_is_named_before_any_answer_is_checked() -> None:
    answers = {ML.item_ids[0]: "x", "pr_1": 3}
    with pytest.raises(AnswerError, match=r"unknown item 'pr_1'.*did you mean 'pr1'"):
        mgrlead.score(ML, answers)
    with pytest.raises(AnswerError, match=r"unknown item 5"):
        mgrlead.score(ML, {5: 3})  # type: ignore[dict-item]


@pytest.mark.parametrize("wrap", [dict, MappingProxyType])
def test_a_misspelt_id_in_place_of_a_real_one_is_never_dropped(wrap: Any) -> None:
    answers = dict.fromkeys(ML.item_ids, 3)
    del answers["os4"]
    answers["os_4"] = 3  # as many keys as the rubric has items, every value valid
    with pytest.raises(AnswerError, match=r"unknown item 'os_4'.*did you mean 'os4'"):
        mgrlead.score(ML, wrap(answers))
    with pytest.raises(AnswerError, match=r"unknown item 'os_4'"):
        mgrlead.score(ML, wrap({**answers, "os4": None}))


def test_answers_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(
        AnswerError, match="answers must be a mapping of item id to response, got list"
    ):
        mgrlead.score(ML, [("pr1", 3)])  # type: ignore[arg-type]


def test_a_missing_answer_on_an_imputing_dimension_is_refused_for_one_respondent() -> None:
    rubric = attrs.evolve(ML, missing=mgrlead.MissingPolicy(impute="mean"))
    complete = dict.fromkeys(ML.item_ids, 4)
    assert mgrlead.score(rubric, complete).overall.percent == 50.0  # half the items reversed
    with pytest.raises(RubricError, match="imputes missing answers"):
        mgrlead.score(rubric, {**complete, ML.item_ids[5]: None})


def build(cls: type, values: list[Any]) -> Any:
    """Run the lines :func:`construct` writes, with ``values`` as the field values."""
    ns: dict[str, Any] = {f"v{i}": v for i, v in enumerate(values)}
    names = [f.name for f in attrs.fields(cls)]
    lines = construct(cls, "obj", {n: f"v{i}" for i, n in enumerate(names)}, ns)
    exec("\n".join(lines), ns)  # noqa: S102
    return ns["obj"]


def test_construction_makes_what_the_constructors_make() -> None:
    profile = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 2))
    for obj in (profile.dimensions[0], profile.overall, profile):
        cls = type(obj)
        fields = attrs.fields(cls)
        values = [getattr(obj, f.name) for f in fields]
        built = build(cls, values)
        assert type(built) is cls
        assert built == cls(**{f.name: v for f, v in zip(fields, values, strict=True)})
        assert hash(built) == hash(obj) if cls is not Profile else True
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            built.rubric = "x" if cls is Profile else None
    values = [getattr(profile, f.name) for f in attrs.fields(Profile)]
    values[[f.name for f in attrs.fields(Profile)].index("dimensions")] = list(profile)
    as_list = build(Profile, values)
    assert isinstance(as_list.dimensions, tuple)  # the converter still runs
    assert as_list == profile


def test_construction_refuses_classes_that_validate_or_values_that_do_not_fit() -> None:
    with pytest.raises(TypeError, match="validates in __init__"):
        construct(mgrlead.Item, "x", {}, {})
    with pytest.raises(TypeError, match="OverallScore: no value for field 'reason'"):
        construct(OverallScore, "x", {"scorable": "True"}, {})
    with pytest.raises(TypeError, match="OverallScore has no field"):
        construct(OverallScore, "x", {"percentage": "1.0"}, {})
    assert DimensionScore in {type(s) for s in mgrlead.score(ML, {})}


def test_compiled_profiles_pickle_copy_and_hash_like_any_other() -> None:
    profile = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4) | {"pr1": 1, "ss6": None})
    assert pickle.loads(pickle.dumps(profile)) == profile  # noqa: S301 - our own bytes
    assert copy.deepcopy(profile) == profile
    assert mgrlead.Profile.from_json(profile.to_json()) == profile
    by_dimension = {score: score.dimension for score in profile}  # hashable, frozen
    assert len(by_dimension) == len(ML.dimensions)
    assert hash(profile.overall) == hash(attrs.evolve(profile.overall))


def test_answers_without_a_gap_give_the_batch_careless_indicators() -> None:
    # The one-respondent scorer has a path of its own for complete answers, where
    # the count of answers is a constant: straight-lining (every answer the same)
    # has an intra-individual SD of 0.0 there, as in the batch, not "missing".
    rubric = mgrlead.load_rubric("manager-leader")
    for answers in (
        dict.fromkeys(rubric.item_ids, 4),
        {item: 1 + k % 5 for k, item in enumerate(rubric.item_ids)},
        {item: 5 if k % 2 else 1 for k, item in enumerate(rubric.item_ids)},
    ):
        one = mgrlead.score(rubric, answers).careless
        row = np.array([[answers[i] for i in rubric.item_ids]], dtype=float)
        batch = mgrlead.score_matrix(rubric, row).careless
        assert one is not None
        assert one.longest_run == batch["longest_run"][0]
        assert one.irv == batch["irv"][0]
        assert one.acquiescence == batch["acquiescence"][0]
        assert one.both_poles == batch["both_poles"][0]
    assert mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, 4)).careless.irv == 0.0


def test_whole_floats_are_codes_without_the_slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # a row of a data frame gives floats: 3.0 and numpy's float64(3.0) are the code 3
    # by a lookup, not by the full check of every answer (which made 24 floats
    # four times slower than 24 ints); anything else still gets the full check
    from mgrlead.engines import checks, single  # noqa: PLC0415

    calls: list[object] = []

    def counting(*args: Any) -> int | None:
        calls.append(args[1])
        return checks.check_answer(*args)

    monkeypatch.setattr(single, "check_answer", counting)
    rubric = attrs.evolve(ML, version="floats")  # a new plan: compiled here
    ints = {item_id: k % 5 + 1 for k, item_id in enumerate(rubric.item_ids)}
    floats: dict[str, object] = {k: float(v) for k, v in ints.items()}
    floats["pr2"] = np.float64(floats["pr2"])
    assert mgrlead.score(rubric, floats) == mgrlead.score(rubric, ints)
    assert calls == []
    nan = mgrlead.score(rubric, {**floats, "pr3": math.nan})
    assert nan["process_results"].answered == 5
    assert len(calls) == 1
    for bad in (3.5, True, 9.0):
        with pytest.raises(AnswerError, match="item 'pr1'"):
            mgrlead.score(rubric, {**floats, "pr1": bad})
