"""Scoring one respondent: worked examples, missing answers, bad answers."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest

import mgrlead
from helpers import dim, item, rubric
from mgrlead import AnswerError, MissingPolicy, Weighting

ML = mgrlead.load_rubric("manager-leader")


def test_worked_example_process_results() -> None:
    # pr1, pr3 and pr5 are manager-keyed: on 1..5 they reverse to 6 - x.
    answers = {"pr1": 2, "pr2": 4, "pr3": 1, "pr4": 5, "pr5": 3, "pr6": 4}
    keyed = [6 - 2, 4, 6 - 1, 5, 6 - 3, 4]  # 4, 4, 5, 5, 3, 4
    s = mgrlead.score(ML, answers)["process_results"]
    assert s.answered == 6
    assert s.missing == 0
    assert s.sum == sum(keyed) == 25
    assert s.mean == pytest.approx(25 / 6)
    assert s.percent == pytest.approx((25 / 6 - 1) / 4 * 100)
    assert s.position == pytest.approx(((25 / 6 - 1) / 4 * 100 - 50) / 50)
    assert s.score == s.mean  # the rubric's strategy is "mean"
    assert s.band == "leader_leaning"


def test_leader_and_manager_ends() -> None:
    leader = {i.id: (5 if i.keyed == "leader" else 1) for i in ML.items}
    manager = {i.id: (1 if i.keyed == "leader" else 5) for i in ML.items}
    top = mgrlead.score(ML, leader)
    bottom = mgrlead.score(ML, manager)
    assert top.overall.percent == 100.0
    assert top.overall.position == 1.0
    assert bottom.overall.percent == 0.0
    assert bottom.overall.position == -1.0
    assert {s.band for s in top} == {"leader_leaning"}
    assert {s.band for s in bottom} == {"manager_leaning"}


def test_missing_answers_are_never_zero() -> None:
    # Three answered items at the leader end: the score rests on them alone.
    answers = {"pr2": 5, "pr4": 5, "pr6": 5, "pr1": None, "pr3": math.nan}
    s = mgrlead.score(ML, answers)["process_results"]
    assert (s.answered, s.missing) == (3, 3)
    assert s.percent == 100.0


def test_below_the_minimum_a_dimension_is_not_scorable() -> None:
    profile = mgrlead.score(ML, {"pr2": 5, "pr4": 5})
    s = profile["process_results"]
    assert not s.scorable
    assert s.percent is None
    assert s.mean is None
    assert s.band is None
    assert s.reason == "2 of 6 items answered; at least 3 needed"
    assert not profile.overall.scorable
    assert profile.overall.percent is None
    assert "process_results" in (profile.overall.reason or "")


def test_empty_answers_score_nothing() -> None:
    profile = mgrlead.score(ML, {})
    assert not any(s.scorable for s in profile)
    assert repr(profile) == "<Profile manager-leader 1.0: overall not scorable>"


def test_missing_policy_is_configurable() -> None:
    strict = attrs.evolve(ML, missing=MissingPolicy(min_share=1.0))
    answers = dict.fromkeys(ML.item_ids, 3)
    del answers["pr1"]
    assert not mgrlead.score(strict, answers)["process_results"].scorable
    assert mgrlead.score(ML, answers)["process_results"].scorable


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (6, r"item 'pr1': 6 is outside the scale 1..5"),
        (0, r"item 'pr1': 0 is outside the scale 1..5"),
        (3.5, r"item 'pr1': 3.5 is not a whole number"),
        (math.inf, r"item 'pr1': inf is not a whole number"),
        (True, r"item 'pr1': got the boolean True"),
        (np.bool_(1), r"item 'pr1': got the boolean"),
        ("4", r"item 'pr1': got str '4'"),
        ([4], r"item 'pr1': got list"),
    ],
)
def test_bad_answers_name_the_item(value: object, message: str) -> None:
    with pytest.raises(AnswerError, match=message) as info:
        mgrlead.score(ML, {"pr1": value})
    assert info.value.item == "pr1"
    assert isinstance(info.value, mgrlead.MgrleadError)


def test_unknown_item_suggests_the_closest() -> None:
    with pytest.raises(AnswerError, match=r"unknown item 'pr7'.*did you mean 'pr6'\?"):
        mgrlead.score(ML, {"pr7": 3})
    with pytest.raises(AnswerError, match=r"unknown item 42"):
        mgrlead.score(ML, {42: 3})  # type: ignore[dict-item]


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(AnswerError, match="must be a mapping"):
        mgrlead.score(ML, [3, 4])  # type: ignore[arg-type]


def test_numpy_and_whole_float_answers_are_answers() -> None:
    a = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4))
    b = mgrlead.score(ML, {i: np.int64(4) for i in ML.item_ids})
    c = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4.0))
    d = mgrlead.score(ML, {i: np.float32(4) for i in ML.item_ids})
    assert a == b == c == d


def test_score_accepts_a_rubric_name() -> None:
    assert mgrlead.score("manager-leader", {"pr1": 3}) == mgrlead.score(ML, {"pr1": 3})


def test_parent_is_scored_from_all_items_beneath() -> None:
    # child c1 has one item at the high end, c2 three items at the low end.
    r = rubric(
        [
            dim(
                "p",
                [],
                dimensions=[
                    dim("c1", [item("a")]),
                    dim("c2", [item("b"), item("c"), item("d")]),
                ],
            )
        ]
    )
    profile = mgrlead.score(r, {"a": 5, "b": 1, "c": 1, "d": 1})
    assert profile["c1"].percent == 100.0
    assert profile["c2"].percent == 0.0
    assert profile["p"].percent == 25.0  # 1 of 4 items at the top, not (100 + 0) / 2
    assert profile["c1"].parent == "p"
    assert profile["p"].parent is None
    assert profile.overall.percent == 25.0  # only top-level dimensions make the overall


def test_item_weights() -> None:
    r = rubric([dim("d", [item("a", weight=3), item("b", weight=1)])])
    s = mgrlead.score(r, {"a": 5, "b": 1})["d"]
    assert s.sum == 3 * 5 + 1 * 1
    assert s.mean == pytest.approx(16 / 4)
    assert s.percent == pytest.approx(75.0)


def test_answered_items_with_zero_weight_only() -> None:
    r = rubric([dim("d", [item("a", weight=0), item("b")])], missing=MissingPolicy(min_share=0))
    s = mgrlead.score(r, {"a": 5})["d"]
    assert not s.scorable
    assert s.reason == "every answered item has weight 0"


def test_weighting_moves_the_overall_toward_the_heavier_dimension() -> None:
    dims = [dim("d1", [item("a")]), dim("d2", [item("b")])]
    answers = {"a": 5, "b": 1}  # d1 = 100, d2 = 0
    equal = mgrlead.score(rubric(dims), answers).overall.percent
    heavy = mgrlead.score(
        rubric(dims, weighting=Weighting(id="d1x3", dimensions={"d1": 3})), answers
    )
    assert equal == 50.0
    assert heavy.overall.percent == 75.0
    assert heavy.weighting == "d1x3"


def test_zero_weighted_dimension_does_not_block_the_overall() -> None:
    dims = [dim("d1", [item("a")]), dim("d2", [item("b")])]
    r = rubric(dims, weighting=Weighting(id="only-d1", dimensions={"d2": 0}))
    profile = mgrlead.score(r, {"a": 4})
    assert not profile["d2"].scorable
    assert profile.overall.percent == 75.0


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [("mean", 4.0), ("sum", 8.0), ("prorated_sum", 12.0), ("percent", 75.0)],
)
def test_strategy_picks_the_headline_score(strategy: str, expected: float) -> None:
    r = rubric([dim("d", [item("a"), item("b"), item("c")])], strategy=strategy)
    s = mgrlead.score(r, {"a": 4, "b": 4})["d"]
    assert s.score == expected
    assert mgrlead.score(r, {"a": 4, "b": 4}).strategy == strategy


def test_band_boundaries_follow_inclusivity() -> None:
    # One item on 0..10: x scores 10 * x.  Default bands: [0, 40) [40, 60] (60, 100].
    r = rubric(
        [dim("d", [item("a")])], scale=mgrlead.Scale(min=0, max=10, labels=list("abcdefghijk"))
    )
    bands = {x: mgrlead.score(r, {"a": x})["d"].band for x in (3, 4, 6, 7)}
    assert bands == {3: "low", 4: "balanced", 6: "balanced", 7: "high"}
    halves = (
        mgrlead.Band(id="under", label="Under", lower=0, upper=50),
        mgrlead.Band(id="over", label="Over", lower=50, upper=100, include_upper=True),
    )
    split = attrs.evolve(r, bands=halves)
    assert mgrlead.score(split, {"a": 5})["d"].band == "over"
    assert mgrlead.score(split, {"a": 4})["d"].band_label == "Under"


def test_profile_json_round_trip_and_lookup() -> None:
    profile = mgrlead.score(ML, {"pr1": 2, "pr2": 5, "pr3": 1, "os1": 4})
    again = mgrlead.Profile.from_json(profile.to_json())
    assert again == profile
    assert len(profile) == 4
    assert [s.dimension for s in profile] == [d.id for d in ML.dimensions]
    with pytest.raises(KeyError):
        profile["nope"]
