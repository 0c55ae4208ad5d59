"""Property tests of scoring: bounds, poles, balance, order, single vs batch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
from mgrlead import Band, Dimension, Item, MissingPolicy, Pole, Rubric, Scale, Weighting
from mgrlead.engines.kernel import band_index
from mgrlead.engines.ops import PYTHON
from mgrlead.plan import boundaries

ML = mgrlead.load_rubric("manager-leader")


@st.composite
def scales(draw: st.DrawFn) -> Scale:
    lo = draw(st.integers(-3, 3))
    points = draw(st.integers(2, 9))
    return Scale(min=lo, max=lo + points - 1, labels=[f"p{i}" for i in range(points)])


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    """Small random rubrics: 1-3 top-level dimensions, optional facets, weights."""
    counter = iter(range(10_000))
    weights = st.one_of(st.just(1.0), st.floats(0.1, 5, allow_nan=False))

    def items(n: int) -> list[Item]:
        return [
            Item(
                id=f"i{next(counter)}",
                text="t",
                keyed=draw(st.sampled_from(["lo", "hi"])),
                weight=draw(weights),
            )
            for _ in range(n)
        ]

    def dimension(did: str, depth: int) -> Dimension:
        subs = []
        if depth < 2 and draw(st.booleans()):
            subs = [dimension(f"{did}_{k}", depth + 1) for k in range(draw(st.integers(1, 2)))]
        own = items(draw(st.integers(0 if subs else 1, 4)))
        return Dimension(
            id=did,
            name=did,
            low=Pole(id="lo", label="Low"),
            high=Pole(id="hi", label="High"),
            items=own,
            dimensions=subs,
        )

    dims = [dimension(f"d{k}", 0) for k in range(draw(st.integers(1, 3)))]
    dim_weights = {d.id: draw(st.floats(0.1, 4)) for d in dims if draw(st.booleans())}
    return Rubric(
        id="generated",
        version="1",
        title="Generated",
        scale=draw(scales()),
        dimensions=dims,
        # θ needs IRT parameters on every item: tests/test_irt_strategy.py
        strategy=draw(st.sampled_from([s for s in mgrlead.STRATEGIES if s != "theta"])),
        weighting=Weighting(id="w", dimensions=dim_weights),
        missing=MissingPolicy(min_share=draw(st.sampled_from([0.0, 0.5, 1.0]))),
    )


def answers_for(rubric: Rubric, *, missing: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    value = st.integers(rubric.scale.min, rubric.scale.max)
    if missing:
        value = st.one_of(value, st.none(), st.just(math.nan))
    return st.fixed_dictionaries(dict.fromkeys(rubric.item_ids, value))


rubric_and_answers = rubrics().flatmap(lambda r: st.tuples(st.just(r), answers_for(r)))


@given(rubric_and_answers)
def test_scores_stay_within_bounds(case: tuple[Rubric, dict[str, Any]]) -> None:
    rubric, answers = case
    profile = mgrlead.score(rubric, answers)
    for s in profile:
        if s.scorable:
            assert s.percent is not None
            assert s.mean is not None
            assert s.position is not None
            assert 0.0 <= s.percent <= 100.0
            assert -1.0 <= s.position <= 1.0
            assert rubric.scale.min - 1e-9 <= s.mean <= rubric.scale.max + 1e-9
        else:
            assert s.percent is None
            assert s.reason
        assert s.answered + s.missing == s.n_items
    if profile.overall.scorable:
        assert profile.overall.percent is not None
        assert 0.0 <= profile.overall.percent <= 100.0


@given(rubrics())
def test_high_end_gives_100_and_low_end_gives_0(rubric: Rubric) -> None:
    lo, hi = rubric.scale.min, rubric.scale.max
    keyed = {}
    for d in rubric.walk():
        keyed.update({i.id: i.keyed for i in d.items})
    top = mgrlead.score(rubric, {i: hi if k == "hi" else lo for i, k in keyed.items()})
    bottom = mgrlead.score(rubric, {i: lo if k == "hi" else hi for i, k in keyed.items()})
    assert top.overall.percent == 100.0
    assert bottom.overall.percent == 0.0
    assert all(s.percent == 100.0 for s in top)
    assert all(s.percent == 0.0 for s in bottom)


@given(st.integers(1, 5))
def test_agreeing_with_everything_gives_the_midpoint_on_balanced_dimensions(value: int) -> None:
    profile = mgrlead.score(ML, dict.fromkeys(ML.item_ids, value))
    for s in profile:
        assert s.percent == 50.0
        assert s.position == 0.0


@given(rubric_and_answers, st.randoms(use_true_random=False))
def test_order_of_answers_does_not_matter(case: tuple[Rubric, dict[str, Any]], rnd: Any) -> None:
    rubric, answers = case
    keys = list(answers)
    rnd.shuffle(keys)
    assert mgrlead.score(rubric, {k: answers[k] for k in keys}) == mgrlead.score(rubric, answers)


@given(rubrics().flatmap(lambda r: st.tuples(st.just(r), st.lists(answers_for(r), max_size=6))))
def test_single_and_batch_scoring_agree_exactly(case: tuple[Rubric, list[dict[str, Any]]]) -> None:
    rubric, people = case
    matrix = np.array(
        [[np.nan if a[i] is None else a[i] for i in rubric.item_ids] for a in people],
        dtype=np.float64,
    ).reshape(len(people), len(rubric.item_ids))
    batch = mgrlead.score_matrix(rubric, matrix)
    for row, answers in enumerate(people):
        assert batch.profile(row) == mgrlead.score(rubric, answers)


@given(
    rubrics().flatmap(lambda r: st.tuples(st.just(r), st.lists(answers_for(r), min_size=1))),
    st.randoms(use_true_random=False),
)
def test_column_and_row_order_do_not_change_frame_scores(
    case: tuple[Rubric, list[dict[str, Any]]], rnd: Any
) -> None:
    rubric, people = case
    columns = {i: [a[i] for a in people] for i in rubric.item_ids}
    columns["who"] = list(range(len(people)))
    shuffled_cols = list(columns)
    rnd.shuffle(shuffled_cols)
    order = list(range(len(people)))
    rnd.shuffle(order)
    shuffled = {c: [columns[c][r] for r in order] for c in shuffled_cols}
    a = mgrlead.score_frame(rubric, columns)
    b = mgrlead.score_frame(rubric, shuffled)
    assert list(a) == list(b)  # pass-through first, then the same score columns
    for name in a:
        left = [a[name][r] for r in order]
        right = list(b[name])
        assert _same(left, right), name


def _same(left: list[Any], right: list[Any]) -> bool:
    return all(
        (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        or x == y
        for x, y in zip(np.asarray(left).tolist(), np.asarray(right).tolist(), strict=True)
    )


@given(rubric_and_answers)
def test_profile_survives_json(case: tuple[Rubric, dict[str, Any]]) -> None:
    profile = mgrlead.score(*case)
    assert mgrlead.Profile.from_json(profile.to_json()) == profile


@given(rubric_and_answers, st.data())
def test_answering_toward_a_pole_never_moves_away_from_it(
    case: tuple[Rubric, dict[str, Any]], data: st.DataObject
) -> None:
    rubric, answers = case
    target = data.draw(st.sampled_from(rubric.item_ids))
    keyed_high = next(i for d in rubric.walk() for i in d.items if i.id == target).keyed == "hi"
    bigger = dict(answers)
    before = answers[target]
    base = rubric.scale.min if before is None or math.isnan(before) else before
    answers = {**answers, target: base}
    bigger[target] = data.draw(st.integers(base, rubric.scale.max))
    first, second = mgrlead.score(rubric, answers), mgrlead.score(rubric, bigger)
    for s1, s2 in zip(first, second, strict=True):
        if s1.scorable and s2.scorable:
            assert s1.percent is not None
            assert s2.percent is not None
            if keyed_high:
                assert s2.percent >= s1.percent - 1e-9
            else:
                assert s2.percent <= s1.percent + 1e-9


def test_bands_are_a_function_of_the_percent() -> None:
    # A direct check that the batch band index agrees with Band.contains.
    r = Rubric(
        id="one",
        version="1",
        title="One",
        scale=Scale(min=0, max=10, labels=list("abcdefghijk")),
        dimensions=[
            Dimension(
                id="d",
                name="d",
                low=Pole(id="lo", label="L"),
                high=Pole(id="hi", label="H"),
                items=[Item(id="a", text="t", keyed="hi")],
            )
        ],
        bands=[
            Band(id="x", label="X", lower=0, upper=30, include_upper=True),
            Band(id="y", label="Y", lower=30, upper=70, include_lower=False),
            Band(id="z", label="Z", lower=70, upper=100, include_upper=True),
        ],
    )
    batch = mgrlead.score_matrix(r, np.arange(11, dtype=float).reshape(-1, 1))
    for x in range(11):
        expected = next(b.id for b in r.bands if b.contains(10.0 * x))
        assert batch.profile(x)["d"].band == expected


#: Answers whose four dimension percents (45.83.., 83.33.., 65.0, 45.83..) average
#: exactly 60 on paper; the arithmetic gives 60.00000000000001.
ON_THE_BOUNDARY = {
    "pr1": 5, "pr2": 1, "pr3": 4, "pr4": 5, "pr5": 3, "pr6": 5,
    "os1": 2, "os2": 5, "os3": 1, "os4": 4, "os5": 3, "os6": 5,
    "mc1": 1, "mc2": None, "mc3": 2, "mc4": 4, "mc5": 5, "mc6": 4,
    "ss1": 5, "ss2": 3, "ss3": 4, "ss4": 3, "ss5": 3, "ss6": 5,
}  # fmt: skip


def test_a_score_on_a_band_boundary_on_paper_gets_the_band_that_owns_it() -> None:
    profile = mgrlead.score(ML, ON_THE_BOUNDARY)
    percent = profile.overall.percent
    assert percent is not None
    assert percent != 60.0  # the rounding this test is about
    assert abs(percent - 60.0) < 1e-12
    assert profile.overall.band == "balanced"  # 40..60, 60 included
    assert next(b for b in ML.bands if b.contains(percent)).id == "balanced"
    row = np.array([[np.nan if ON_THE_BOUNDARY[i] is None else ON_THE_BOUNDARY[i]
                     for i in ML.item_ids]])  # fmt: skip
    assert mgrlead.score_matrix(ML, row).profile(0) == profile
    lazy = mgrlead.score_frame(ML, pl.DataFrame({i: row[:, j] for j, i in enumerate(ML.item_ids)},
                                                nan_to_null=True).lazy())  # fmt: skip
    assert lazy.collect()["overall_band"].to_list() == ["balanced"]


@given(
    st.sampled_from([0.0, 30.0, 40.0, 60.0, 70.0, 100.0]),
    st.floats(-1e-8, 1e-8, allow_nan=False),
    st.booleans(),
)
def test_exactly_one_band_holds_a_score_and_the_engines_agree(
    bound: float, offset: float, owned_below: bool
) -> None:
    bands = (
        Band(id="low", label="L", lower=0, upper=50 if bound in {0.0, 100.0} else bound,
             include_upper=owned_below),
        Band(id="high", label="H", lower=50 if bound in {0.0, 100.0} else bound, upper=100,
             include_lower=not owned_below, include_upper=True),
    )  # fmt: skip
    value = bound + offset
    holding = [b.id for b in bands if b.contains(value)]
    if 0.0 <= value <= 100.0 or abs(offset) <= 1e-9:
        assert len(holding) == 1, (value, holding)
        assert bands[int(band_index(PYTHON, value, boundaries(bands)))].id == holding[0]
    if bound not in {0.0, 100.0} and abs(offset) <= 1e-9 * bound:
        assert holding == ["low" if owned_below else "high"]  # on the bound
