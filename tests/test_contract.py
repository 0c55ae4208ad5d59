"""The scorer contract: it passes for mgrlead's own scorers and catches broken ones."""

from __future__ import annotations

import importlib
import itertools
import re
import sys
import types
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import mgrlead
from mgrlead import Weighting
from mgrlead.strategies import (
    DimensionStats,
    MeanStrategy,
    PercentStrategy,
    ProratedSumStrategy,
    ScoringStrategy,
    SumStrategy,
    WeightedMeanStrategy,
)
from mgrlead.testing import ScorerContract, contract
from mgrlead.testing import hypothesis as mh


# ------------------------------------------- the contract on mgrlead's scorers
class TestMeanStrategy(ScorerContract):
    strategy = MeanStrategy()
    max_examples = 15


class TestWeightedMeanStrategy(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    strategy = WeightedMeanStrategy()
    max_examples = 15


class TestSumStrategy(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    strategy = SumStrategy()
    max_examples = 15


class TestProratedSumStrategy(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    strategy = ProratedSumStrategy()
    max_examples = 15


class TestPercentStrategy(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    strategy = PercentStrategy()
    max_examples = 15


class TestEqualWeighting(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    weighting = Weighting(id="equal")
    max_examples = 15


class TestBuiltinRubric(ScorerContract):
    rubric = "manager-leader"
    max_examples = 15


class TestExampleInventory(ScorerContract):
    engines = ("polars-lazy",)  # every engine: TestMeanStrategy, TestBuiltinRubric
    rubric = str(Path(__file__).resolve().parent.parent / "examples" / "ipip-bfi25.toml")
    max_examples = 15


# ------------------------------------------------------------- broken scorers
@frozen(kw_only=True)
class OutOfBounds(ScoringStrategy):
    name: str = "out-of-bounds"

    def score(self, stats: DimensionStats) -> Any:
        return stats.percent * 2  # declares 0..100 below

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (0.0, 100.0)


@frozen(kw_only=True)
class Backwards(ScoringStrategy):
    name: str = "backwards"

    def score(self, stats: DimensionStats) -> Any:
        return 100.0 - stats.percent  # within bounds, but runs the wrong way

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (0.0, 100.0)


@frozen(kw_only=True)
class RespondentOrder(ScoringStrategy):
    name: str = "respondent-order"

    def score(self, stats: DimensionStats) -> Any:
        if isinstance(stats.percent, float):
            return stats.percent
        return np.cumsum(stats.percent) / np.arange(1, len(stats.percent) + 1)

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (0.0, 100.0)


_ticks = itertools.count()


@frozen(kw_only=True)
class Jittery(ScoringStrategy):
    name: str = "jittery"

    def score(self, stats: DimensionStats) -> Any:
        return stats.percent * 0.5 + (next(_ticks) % 2) * 10.0

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (0.0, 100.0)


@frozen(kw_only=True)
class Unserializable(ScoringStrategy):
    name: str = "unserializable"

    def score(self, stats: DimensionStats) -> Any:
        return stats.percent * float("inf")  # inf (or NaN) is not JSON

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (float("-inf"), float("inf"))


@frozen(kw_only=True)
class Crashes(ScoringStrategy):
    name: str = "crashes"

    def score(self, stats: DimensionStats) -> Any:
        if stats.ops.name == "python" or np.size(stats.mean) == 1:  # one respondent
            raise KeyError("oops")
        return stats.mean

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (stats.scale_min, stats.scale_max)


@frozen(kw_only=True)
class Unnormalized(Weighting):
    def weight(self, dimension_id: str) -> float:
        return super().weight(dimension_id) + 1.0  # not proportional to what was asked


@frozen(kw_only=True)
class Lopsided(Weighting):
    def weight(self, dimension_id: str) -> float:
        return super().weight(dimension_id) * (2.0 if dimension_id == "process_results" else 1.0)


def _fails(contract: type[ScorerContract], test: str, message: str) -> None:
    """The contract's property fails, with ``message`` among its failures."""
    contract.shrink = False  # the failure is what matters here, not the minimal example
    contract.derandomize = True  # the same examples on every run: no flaky proof
    with pytest.raises(Exception) as info:  # AssertionError, or a group of them
        getattr(contract(), test)()
    text = _all_messages(info.value)
    assert re.search(message, text), text


def test_out_of_bounds_is_caught() -> None:
    class Contract(ScorerContract):
        strategy = OutOfBounds()
        max_examples = 100

    _fails(Contract, "test_scores_stay_within_declared_bounds", r"outside the bounds 0.0..100.0")


def test_non_monotone_is_caught() -> None:
    class Contract(ScorerContract):
        strategy = Backwards()

    _fails(
        Contract, "test_each_item_moves_its_dimension_toward_its_keyed_pole", "away from its keyed"
    )


def test_respondent_order_dependence_is_caught() -> None:
    class Contract(ScorerContract):
        strategy = RespondentOrder()

    _fails(
        Contract,
        "test_column_and_respondent_order_do_not_change_scores",
        "changed when columns and respondents were shuffled",
    )
    _fails(Contract, "test_one_by_one_equals_batch_and_is_deterministic", "differ from scoring one")


def test_non_determinism_is_caught() -> None:
    class Contract(ScorerContract):
        strategy = Jittery()

    # hypothesis may report a failure that changes on replay as flaky, with the
    # contract's message inside: _fails looks into groups of failures too
    _fails(Contract, "test_one_by_one_equals_batch_and_is_deterministic", "not deterministic")


def _all_messages(exc: BaseException) -> str:
    inner = [_all_messages(e) for e in getattr(exc, "exceptions", ())]
    return " ".join([str(exc), *inner])


def test_unnormalized_weights_are_caught() -> None:
    class Contract(ScorerContract):
        weighting = Unnormalized(id="broken")

    _fails(Contract, "test_weights_are_normalized", "weights are not normalized")


def test_unequal_equal_weights_are_caught() -> None:
    class Contract(ScorerContract):
        weighting = Lopsided(id="lopsided")

    _fails(Contract, "test_equal_weights_give_the_unweighted_result", "equal weights of")


def test_json_breaking_scores_are_caught() -> None:
    class Contract(ScorerContract):
        strategy = Unserializable()

    # the engines refuse an infinite score before it reaches a profile
    _fails(Contract, "test_profile_survives_a_json_round_trip", "a score must be a finite number")


def test_other_exceptions_are_caught() -> None:
    class Contract(ScorerContract):
        strategy = Crashes()

    _fails(Contract, "test_bad_answers_raise_mgrlead_errors",
           "valid answers raised PluginError: .*failed: KeyError")  # fmt: skip


def test_broken_key_flip_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract, "_flip", lambda r: attrs.evolve(r, title=r.title + "!"))

    class Contract(ScorerContract):
        strategy = MeanStrategy()

    _fails(Contract, "test_reverse_keying_twice_is_the_identity", "did not give back the rubric")


# ------------------------------------------------------------------ the kit
@given(st.data())
def test_strategies_draw_valid_objects(data: st.DataObject) -> None:
    rubric = data.draw(mh.rubrics())
    assert isinstance(rubric, mgrlead.Rubric)
    answers = data.draw(mh.answers(rubric))
    mgrlead.score(rubric, answers)  # valid by construction: never raises
    frame = data.draw(mh.answer_frames(rubric, max_rows=4))
    assert set(frame) == set(rubric.item_ids)
    bad = data.draw(mh.invalid_answers(rubric))
    with pytest.raises(mgrlead.MgrleadError):
        mgrlead.score(rubric, bad)
    scale = data.draw(mh.scales(min_points=3, max_points=3))
    assert scale.points == 3
    dim = data.draw(mh.dimensions(max_depth=st.just(2)))
    assert dim.all_items()


def test_from_type_works_through_the_entry_point() -> None:
    @given(st.from_type(mgrlead.Rubric), st.from_type(mgrlead.Scale))
    def check(rubric: mgrlead.Rubric, scale: mgrlead.Scale) -> None:
        assert rubric.items
        assert scale.points >= 2

    check()


def test_impossible_options_are_invalid_arguments() -> None:
    for bad in (
        lambda: mh.scales(min_points=5, max_points=3),
        lambda: mh.scales(min_points=1),
        lambda: mh.rubrics(max_dimensions=0),
        lambda: mh.band_sets(low=5, high=5),
        lambda: mh.missing_policies(max_answered=0),
    ):
        with pytest.raises(InvalidArgument):
            given(bad())(lambda _: None)()


def test_missing_hypothesis_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("mgrlead.testing")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r"pip install 'mgrlead\[testing\]'"):
        importlib.import_module("mgrlead.testing.hypothesis")


pytest_plugins = ["mgrlead.testing.pytest_plugin"]


def test_fixtures(mgrlead_host: Any, register_mgrlead_plugin: Any) -> None:
    assert [p.name for p in mgrlead_host.plugins] == ["mgrlead.builtin"]
    plugin = types.ModuleType("acme")

    @mgrlead.hookimpl
    def mgrlead_register_weightings(register: Any) -> None:
        register(Weighting(id="acme-only", dimensions={"process_results": 2}))

    plugin.mgrlead_register_weightings = mgrlead_register_weightings  # type: ignore[attr-defined]
    register_mgrlead_plugin(plugin)
    rubric = mgrlead.build_rubric("manager-leader", weighting="acme-only")
    assert rubric.sources["weighting:acme-only"] == "acme"


def test_fixture_cleans_up() -> None:
    with pytest.raises(mgrlead.RubricError, match="no weighting named 'acme-only'"):
        mgrlead.build_rubric("manager-leader", weighting="acme-only")
