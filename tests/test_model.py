"""Every invariant of the domain model, and the message that names the offender."""

from __future__ import annotations

import math

import attrs
import pytest

import mgrlead
from helpers import dim, item, pole, rubric
from mgrlead import Band, Dimension, Item, MissingPolicy, Pole, RubricError, Scale, Weighting
from mgrlead.api import scoring_plan


class TestScale:
    def test_agreement_scale_has_a_label_per_point(self) -> None:
        scale = Scale.agreement(7)
        assert (scale.min, scale.max, scale.points) == (1, 7, 7)
        assert scale.label(1) == "Strongly disagree"
        assert scale.label(7) == "Strongly agree"
        assert list(scale) == [1, 2, 3, 4, 5, 6, 7]

    def test_reverse_uses_the_declared_scale(self) -> None:
        scale = Scale.agreement(5, start=0)
        assert [scale.reverse(v) for v in scale] == [4, 3, 2, 1, 0]

    def test_contains_only_integer_points(self) -> None:
        scale = Scale.agreement(5)
        assert 3 in scale
        assert 0 not in scale
        assert 6 not in scale
        assert True not in scale
        assert 3.0 not in scale

    @pytest.mark.parametrize(("lo", "hi"), [(5, 1), (3, 3)])
    def test_min_must_be_below_max(self, lo: int, hi: int) -> None:
        with pytest.raises(RubricError, match="must be less than max"):
            Scale(min=lo, max=hi, labels=["a"])

    def test_one_label_per_point(self) -> None:
        with pytest.raises(RubricError, match="has 5 points but 2 labels"):
            Scale(min=1, max=5, labels=["a", "b"])

    def test_empty_label_is_named(self) -> None:
        with pytest.raises(RubricError, match="label of point 2 is empty"):
            Scale(min=1, max=3, labels=["a", " ", "c"])

    def test_bounds_must_be_integers_not_booleans(self) -> None:
        with pytest.raises(RubricError, match="min must be an integer"):
            Scale(min=True, max=5, labels=["a"] * 5)
        with pytest.raises(RubricError, match="max must be an integer"):
            Scale(min=1, max=5.0, labels=["a"] * 5)  # type: ignore[arg-type]

    def test_agreement_supports_2_to_7_points(self) -> None:
        with pytest.raises(RubricError, match="2 to 7 points, not 9"):
            Scale.agreement(9)

    def test_label_of_a_point_off_the_scale(self) -> None:
        with pytest.raises(RubricError, match=r"not a point of the scale 1\.\.5"):
            Scale.agreement(5).label(6)


class TestItem:
    @pytest.mark.parametrize("weight", [-1.0, math.nan, math.inf])
    def test_weight_must_be_finite_and_not_negative(self, weight: float) -> None:
        with pytest.raises(RubricError, match=r"item 'x1': weight must be finite"):
            Item(id="x1", text="t", keyed="hi", weight=weight)

    def test_weight_must_be_a_number(self) -> None:
        with pytest.raises(RubricError, match="item 'x1': weight must be a number"):
            Item(id="x1", text="t", keyed="hi", weight=True)

    def test_integer_weight_is_kept_as_its_value(self) -> None:
        assert Item(id="x1", text="t", keyed="hi", weight=2).weight == 2.0

    def test_text_must_not_be_empty(self) -> None:
        with pytest.raises(RubricError, match="text must not be empty"):
            Item(id="x1", text="   ", keyed="hi")

    def test_id_must_be_an_identifier(self) -> None:
        with pytest.raises(ValueError, match="'id' must match regex"):
            Item(id="has space", text="t", keyed="hi")

    def test_items_are_frozen(self) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            item("a").weight = 2  # type: ignore[misc]


class TestDimension:
    def test_item_keyed_toward_an_unknown_pole_is_named(self) -> None:
        with pytest.raises(RubricError, match=r"dimension 'd': item 'a' is keyed toward 'up'"):
            dim("d", [item("a", keyed="up")])

    def test_poles_must_differ(self) -> None:
        with pytest.raises(RubricError, match="both poles have the id 'lo'"):
            Dimension(id="d", name="d", low=pole("lo"), high=pole("lo"), items=[item("a", "lo")])

    def test_dimension_without_items(self) -> None:
        with pytest.raises(RubricError, match="dimension 'd' has no items"):
            dim("d", [])

    def test_item_weights_must_not_all_be_zero(self) -> None:
        with pytest.raises(
            RubricError, match="dimension 'd': the weights of its items add up to 0"
        ):
            dim("d", [item("a", weight=0), item("b", weight=0)])

    def test_sub_dimensions_count_their_items(self) -> None:
        parent = dim("p", [], dimensions=[dim("c1", [item("a")]), dim("c2", [item("b")])])
        assert [i.id for i in parent.all_items()] == ["a", "b"]
        assert [d.id for d in parent.walk()] == ["p", "c1", "c2"]
        assert "2 items" in repr(parent)

    def test_sub_dimension_of_wrong_type(self) -> None:
        with pytest.raises(RubricError, match="sub-dimensions must be Dimension"):
            dim("p", [item("a")], dimensions=["c1"])


def _band(bid: str, lower: float, upper: float, **kw: object) -> Band:
    return Band(id=bid, label=bid, lower=lower, upper=upper, **kw)


class TestBands:
    def test_default_bands_cover_the_range(self) -> None:
        r = rubric([dim("d", [item("a")])])
        assert [b.id for b in r.bands] == ["low", "balanced", "high"]

    def test_band_membership_respects_inclusivity(self) -> None:
        low = _band("low", 0, 40)
        mid = _band("mid", 40, 60, include_upper=True)
        assert low.contains(0)
        assert not low.contains(40)
        assert mid.contains(40)
        assert mid.contains(60)

    @pytest.mark.parametrize(
        ("bands", "message"),
        [
            ([_band("a", 0, 40), _band("b", 50, 100, include_upper=True)], "gap or overlap"),
            ([_band("a", 0, 60), _band("b", 40, 100, include_upper=True)], "gap or overlap"),
            (
                [_band("a", 0, 50, include_upper=True), _band("b", 50, 100, include_upper=True)],
                "both include the boundary 50",
            ),
            (
                [_band("a", 0, 50), _band("b", 50, 100, include_lower=False, include_upper=True)],
                "neither includes the boundary 50",
            ),
            ([_band("a", 10, 100, include_upper=True)], "must start at 0"),
            ([_band("a", 0, 90, include_upper=True)], "must end at 100"),
            ([_band("a", 0, 100)], "must end at 100, inclusive"),
            ([_band("a", 0, 50), _band("a", 50, 100, include_upper=True)], "band id 'a' is used"),
            ([], "needs at least one band"),
        ],
    )
    def test_bands_must_cover_0_to_100_exactly_once(self, bands: list[Band], message: str) -> None:
        with pytest.raises(RubricError, match=message):
            rubric([dim("d", [item("a")])], bands=bands)

    def test_dimension_bands_are_checked_too(self) -> None:
        with pytest.raises(RubricError, match="dimension 'd': the first band"):
            dim("d", [item("a")], bands=[_band("a", 5, 100, include_upper=True)])

    def test_empty_band(self) -> None:
        with pytest.raises(RubricError, match="band 'a' runs from 50 to 50, a single point, but"):
            _band("a", 50, 50)
        with pytest.raises(RubricError, match="band 'a' runs from 50 to 50, a single point, but"):
            _band("a", 50, 50, include_lower=False, include_upper=True)
        with pytest.raises(RubricError, match=r"band 'a': lower \(60\) must not be greater"):
            _band("a", 60, 50, include_upper=True)

    def test_a_point_band_between_two_open_boundaries(self) -> None:
        # issue 16, item 16: "neutral" only when the score is exactly 50
        bands = [
            _band("low", 0, 50),
            _band("neutral", 50, 50, include_upper=True),
            _band("high", 50, 100, include_lower=False, include_upper=True),
        ]
        r = rubric([dim("d", [item("a")])], bands=bands)
        assert r.bands[1].contains(50)
        assert not r.bands[1].contains(49.9)
        assert not r.bands[0].contains(50)
        assert not r.bands[2].contains(50)
        # and at the ends of the range
        ends = [
            _band("none", 0, 0, include_upper=True),
            _band("some", 0, 100, include_lower=False),
            _band("all", 100, 100, include_upper=True),
        ]
        assert rubric([dim("d", [item("a")])], bands=ends).bands == tuple(ends)

    @pytest.mark.parametrize(
        ("bands", "message"),
        [
            (
                [_band("low", 0, 50), _band("high", 50, 100, include_lower=False,
                                            include_upper=True)],
                (r"bands 'low' and 'high' leave a gap: neither includes the boundary 50.*"
                 r"point band between them \(lower = upper = 50\)"),
            ),
            (
                [_band("low", 0, 50, include_upper=True), _band("mid", 50, 50, include_upper=True),
                 _band("high", 50, 100, include_lower=False, include_upper=True)],
                "bands 'low' and 'mid' overlap: both include the boundary 50",
            ),
            (
                [_band("low", 0, 50), _band("mid", 50, 50, include_upper=True),
                 _band("mid2", 50, 50, include_upper=True),
                 _band("high", 50, 100, include_lower=False, include_upper=True)],
                "bands 'mid' and 'mid2' overlap",
            ),
        ],
    )  # fmt: skip
    def test_point_bands_still_refuse_gaps_and_overlaps(
        self, bands: list[Band], message: str
    ) -> None:
        with pytest.raises(RubricError, match=message):
            rubric([dim("d", [item("a")])], bands=bands)


class TestRubric:
    def test_needs_dimensions(self) -> None:
        with pytest.raises(RubricError, match="rubric 'test' has no dimensions"):
            rubric([])

    def test_item_ids_are_unique_across_dimensions(self) -> None:
        with pytest.raises(
            RubricError, match="item id 'a' appears in dimension 'd1' and again in 'd2'"
        ):
            rubric([dim("d1", [item("a")]), dim("d2", [item("a")])])

    def test_dimension_ids_are_unique_at_every_depth(self) -> None:
        with pytest.raises(RubricError, match="dimension id 'd1' is used twice"):
            rubric([dim("d1", [item("a")], dimensions=[dim("d1", [item("b")])])])

    def test_reserved_dimension_id(self) -> None:
        with pytest.raises(RubricError, match="'overall' is reserved"):
            rubric([dim("overall", [item("a")])])

    def test_unknown_strategy_is_refused_when_the_plan_is_compiled(self) -> None:
        r = rubric([dim("d", [item("a")])], strategy="median")
        with pytest.raises(RubricError, match=r"no strategy named 'median' is registered"):
            mgrlead.score(r, {"a": 1})

    def test_strategy_name_must_look_like_a_name(self) -> None:
        with pytest.raises(ValueError, match="'strategy' must match"):
            rubric([dim("d", [item("a")])], strategy="Mean Score")

    def test_weighting_of_unknown_dimension(self) -> None:
        with pytest.raises(RubricError, match="weights 'nope', which is not a top-level"):
            rubric([dim("d", [item("a")])], weighting=Weighting(id="w", dimensions={"nope": 1}))

    @pytest.mark.parametrize("weight", [-0.5, math.nan, math.inf])
    def test_weighting_weights_must_be_finite_and_not_negative(self, weight: float) -> None:
        with pytest.raises(RubricError, match="weighting 'w', dimension 'd'"):
            Weighting(id="w", dimensions={"d": weight})

    def test_weighting_must_have_a_positive_sum(self) -> None:
        with pytest.raises(RubricError, match="gives every dimension weight 0"):
            rubric([dim("d", [item("a")])], weighting=Weighting(id="w", dimensions={"d": 0}))

    def test_missing_policy_bounds(self) -> None:
        with pytest.raises(ValueError, match="min_share"):
            MissingPolicy(min_share=1.5)
        with pytest.raises(ValueError, match="min_answered"):
            MissingPolicy(min_answered=0)

    @pytest.mark.parametrize(
        ("share", "n", "needed"), [(0.5, 6, 3), (0.5, 5, 3), (0.7, 10, 7), (0.0, 4, 1), (1, 4, 4)]
    )
    def test_missing_policy_required(self, share: float, n: int, needed: int) -> None:
        assert MissingPolicy(min_share=share).required(n) == needed

    def test_lookup_and_repr(self) -> None:
        r = rubric([dim("d1", [item("a"), item("b", "lo")]), dim("d2", [item("c")])])
        assert repr(r) == "<Rubric test 1: 2 dimensions, 3 items>"
        assert r.item_ids == ("a", "b", "c")
        assert r.dimension("d2").id == "d2"
        assert r.item("b").keyed == "lo"
        with pytest.raises(KeyError):
            r.dimension("zz")
        with pytest.raises(KeyError):
            r.item("zz")

    def test_evolve_gives_a_new_valid_rubric(self) -> None:
        r = mgrlead.load_rubric("manager-leader")
        other = attrs.evolve(r, strategy="sum")
        assert other.strategy == "sum"
        assert scoring_plan(other).strategy.name == "sum"
        assert scoring_plan(r).strategy.name == "mean"
        # provenance follows the content: the old strategy's source is dropped
        assert "strategy:mean" not in mgrlead.score(other, {}).sources
        assert "strategy:mean" in mgrlead.score(r, {}).sources
        with pytest.raises(RubricError):
            attrs.evolve(r, bands=())

    def test_poles_need_labels(self) -> None:
        with pytest.raises(RubricError, match="label must not be empty"):
            Pole(id="a", label="")
