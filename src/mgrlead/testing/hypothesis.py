"""Hypothesis strategies for mgrlead's types: scales, items, dimensions, rubrics, answers.

Install with ``pip install 'mgrlead[testing]'``.  Everything a strategy draws is
valid by the model's own validators.  Options are keyword-only; options that
vary take strategies, so that you can pin one with ``st.just(...)`` or chain
draws::

    from hypothesis import given, strategies as st
    from mgrlead.testing import hypothesis as mh

    @given(mh.rubrics(max_depth=st.just(1)).flatmap(
        lambda r: st.tuples(st.just(r), mh.answers(r))))
    def test_bounds(case):
        rubric, answers = case
        ...

Strategies for mgrlead's types are also registered with ``st.from_type`` through
hypothesis's entry point.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the environment
    msg = "mgrlead.testing needs hypothesis: pip install 'mgrlead[testing]'"
    raise ImportError(msg) from exc

from mgrlead.model import (
    Band,
    Dimension,
    Item,
    ItemRef,
    MissingCode,
    MissingPolicy,
    Pole,
    ResponseScore,
    Rubric,
    Scale,
    Weighting,
    narrow_gap,
)
from mgrlead.strategies import BUILTIN_STRATEGIES

__all__ = [
    "answer_frames",
    "answers",
    "band_sets",
    "dimensions",
    "invalid_answers",
    "items",
    "missing_policies",
    "poles",
    "register_types",
    "rubrics",
    "scales",
    "weightings",
]

_TEXT = st.text(string.ascii_letters + string.digits + " .,'-éü", min_size=1, max_size=30).filter(
    str.strip
)
_WEIGHTS = st.one_of(st.just(1.0), st.floats(0.1, 5.0, allow_nan=False, allow_infinity=False))


def _check_range(name_low: str, low: int, name_high: str, high: int) -> None:
    if low > high:
        msg = f"{name_low}={low} must not exceed {name_high}={high}"
        raise InvalidArgument(msg)


@st.composite
def scales(
    draw: st.DrawFn,
    *,
    min_points: int = 2,
    max_points: int = 9,
    starts: st.SearchStrategy[int] | None = None,
    missing_codes: st.SearchStrategy[bool] | None = None,
) -> Scale:
    """Response scales of ``min_points`` to ``max_points`` points.

    Args:
        min_points: At least 2.
        max_points: At most 101.
        starts: The first point (default: -3 to 3).
        missing_codes: Whether to add codes that mean "not answered" (default: sometimes).
    """
    if min_points < 2 or max_points > 101:
        msg = f"scales need 2 to 101 points, not {min_points}..{max_points}"
        raise InvalidArgument(msg)
    _check_range("min_points", min_points, "max_points", max_points)
    start = draw(starts if starts is not None else st.integers(-3, 3))
    points = draw(st.integers(min_points, max_points))
    labels = [f"point {p}" for p in range(points)]
    codes: list[MissingCode] = []
    if draw(missing_codes if missing_codes is not None else st.booleans()):
        top = start + points - 1
        # above the scale (9, 99 style) or below it (-1, -9 style)
        first = top + 10 if draw(st.booleans()) else start - 11
        codes = [MissingCode(code=first + k, label=f"not observed {k}") for k in range(2)]
    return Scale(min=start, max=start + points - 1, labels=labels, missing=codes)


def poles(
    *, ids: st.SearchStrategy[tuple[str, str]] | None = None
) -> st.SearchStrategy[tuple[Pole, Pole]]:
    """A (low, high) pair of poles with distinct ids."""
    pairs = ids if ids is not None else st.sampled_from([("lo", "hi"), ("manager", "leader")])
    return pairs.map(
        lambda p: (Pole(id=p[0], label=p[0].title()), Pole(id=p[1], label=p[1].title()))
    )


@st.composite
def items(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str] | None = None,
    keyed: st.SearchStrategy[str] | None = None,
    weights: st.SearchStrategy[float] | None = None,
    scales: st.SearchStrategy[Scale | None] | None = None,
    response_maps: st.SearchStrategy[bool] | None = None,
) -> Item:
    """Items keyed toward ``lo``/``hi`` (or what ``keyed`` draws).

    Args:
        ids: Item ids (default: ``i`` and a number).
        keyed: Pole ids or ``+``/``-`` (default: ``lo``, ``hi``, ``+``, ``-``).
        weights: Weights (default: 1.0 or 0.1 to 5).
        scales: A scale of the item's own, or ``None`` (default: mostly ``None``).
        response_maps: Whether to score codes through an explicit map (needs a scale).
    """
    scale = draw(scales if scales is not None else st.just(None))
    responses: list[ResponseScore] = []
    if scale is not None and draw(response_maps if response_maps is not None else st.booleans()):
        scores = draw(
            st.lists(
                st.integers(-20, 20).map(float),
                min_size=scale.points,
                max_size=scale.points,
            ).filter(lambda s: len(set(s)) > 1)
        )
        responses = [ResponseScore(code=c, score=s) for c, s in zip(scale, scores, strict=True)]
    return Item(
        id=draw(ids if ids is not None else st.integers(0, 10**6).map(lambda n: f"i{n}")),
        text=draw(_TEXT),
        keyed=draw(keyed if keyed is not None else st.sampled_from(["lo", "hi", "+", "-"])),
        weight=draw(weights if weights is not None else _WEIGHTS),
        scale=scale,
        responses=responses,
    )


@st.composite
def band_sets(
    draw: st.DrawFn,
    *,
    low: float = 0.0,
    high: float = 100.0,
    max_bands: int = 4,
    gaps: bool = False,
) -> tuple[Band, ...]:
    """Bands in order on ``low..high``, with random inclusivity and point bands.

    Without ``gaps`` they cover ``low..high`` exactly once (a cut between two
    bands may be a point band of its own, as a "neutral" answer exactly in the
    middle); with ``gaps`` some bands are left out, so stretches and points of
    the range are in no band (declare ``band_gaps = true`` for such bands).
    """
    if not low < high:
        msg = f"low={low} must be less than high={high}"
        raise InvalidArgument(msg)
    if narrow_gap(low, high):
        msg = f"low={low} and high={high} are closer than the band tolerance (no band fits)"
        raise InvalidArgument(msg)
    n = draw(st.integers(1, max_bands))
    cuts = sorted(
        draw(
            st.lists(
                st.floats(low, high, allow_nan=False).filter(lambda x: low < x < high),
                min_size=n - 1,
                max_size=n - 1,
                unique=True,
            )
        )
    )
    # cuts closer than the band tolerance would make bands that narrow (refused)
    edges = [low]
    for cut in [*cuts, high]:
        if not narrow_gap(edges[-1], cut):
            edges.append(cut)
        elif cut == high:  # the last cut gives way to the end of the range
            edges[-1] = high
    n = len(edges) - 1
    spans = []  # (lower, upper, include_lower, include_upper)
    lower_included = True
    for k in range(n):
        last = k == n - 1
        upper_included = True if last else draw(st.booleans())
        if not last and draw(st.integers(0, 3)) == 0:  # the cut becomes a point band
            spans.append((edges[k], edges[k + 1], lower_included, False))
            spans.append((edges[k + 1], edges[k + 1], True, True))
            lower_included = False
            continue
        spans.append((edges[k], edges[k + 1], lower_included, upper_included))
        lower_included = not upper_included
    if gaps and len(spans) > 1:
        keep = draw(st.lists(st.booleans(), min_size=len(spans), max_size=len(spans)))
        # a stretch narrower than the band tolerance stays: as a gap, it would
        # leave scores in both its neighbours (check_bands refuses that)
        keep = [
            k or (lo < hi and narrow_gap(lo, hi))
            for k, (lo, hi, *_) in zip(keep, spans, strict=True)
        ]
        if any(keep):
            spans = [span for span, kept in zip(spans, keep, strict=True) if kept]
    return tuple(
        Band(id=f"b{k}", label=f"Band {k}", lower=lo, upper=hi, include_lower=inc_lo,
             include_upper=inc_hi)
        for k, (lo, hi, inc_lo, inc_hi) in enumerate(spans)
    )  # fmt: skip


def _dimension(
    draw: st.DrawFn,
    did: str,
    depth: int,
    max_depth: int,
    counter: list[int],
    item_scales: st.SearchStrategy[Scale | None],
) -> Dimension:
    subs: list[Dimension] = []
    if depth < max_depth and draw(st.booleans()):
        n_sub = draw(st.integers(1, 2))
        subs = [
            _dimension(draw, f"{did}_{k}", depth + 1, max_depth, counter, item_scales)
            for k in range(n_sub)
        ]

    def next_id() -> str:
        counter[0] += 1
        return f"i{counter[0]}"

    n_own = draw(st.integers(0 if subs else 1, 4))
    own = [draw(items(ids=st.just(next_id()), scales=item_scales)) for _ in range(n_own)]
    if not any(i.weight > 0 for i in [*own, *(x for s in subs for x in s.all_items())]):
        own.append(draw(items(ids=st.just(next_id()), weights=st.just(1.0))))
    low, high = draw(poles(ids=st.just(("lo", "hi"))))
    band_on = draw(st.sampled_from(["percent", "percent", "mean"]))
    bands = None
    gaps = False
    if band_on == "mean":
        band_on = "percent"  # mean bands need the rubric's scale: set by rubrics()
    elif draw(st.booleans()):
        gaps = draw(st.booleans())
        bands = draw(band_sets(gaps=gaps))
    return Dimension(
        id=did,
        name=f"Dimension {did}",
        low=low,
        high=high,
        polarity=draw(st.sampled_from(["bipolar", "bipolar", "unipolar"])),
        items=own,
        dimensions=subs,
        bands=bands,
        band_on=band_on,
        band_gaps=gaps,
    )


@st.composite
def dimensions(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str] | None = None,
    max_depth: st.SearchStrategy[int] | None = None,
    item_scales: st.SearchStrategy[Scale | None] | None = None,
) -> Dimension:
    """Dimensions with poles ``lo``/``hi``, flat or with sub-dimensions.

    Args:
        ids: The dimension id (default: ``d`` and a number).
        max_depth: How deep sub-dimensions may nest (default: 0 to 2).
        item_scales: Per-item scales (default: none).
    """
    did = draw(ids if ids is not None else st.integers(0, 999).map(lambda n: f"d{n}"))
    depth = draw(max_depth if max_depth is not None else st.integers(0, 2))
    return _dimension(
        draw, did, 0, depth, [0], item_scales if item_scales is not None else st.just(None)
    )


def missing_policies(*, max_answered: int = 3) -> st.SearchStrategy[MissingPolicy]:
    """Missing-data policies: a minimum count (1..``max_answered``) and share answered."""
    if max_answered < 1:
        msg = f"max_answered must be at least 1, not {max_answered}"
        raise InvalidArgument(msg)
    return st.builds(
        MissingPolicy,
        min_answered=st.integers(1, max_answered),
        min_share=st.sampled_from([0.0, 0.25, 0.5, 2 / 3, 1.0]),
    )


@st.composite
def weightings(draw: st.DrawFn, rubric: Rubric, *, items: bool = True) -> Weighting:
    """Weighting schemes valid for ``rubric`` (some dimensions and items reweighted)."""
    top = [d.id for d in rubric.dimensions]
    dims = {d: draw(st.floats(0.0, 5.0)) for d in top if draw(st.booleans())}
    if dims and not any(dims.get(d, 1.0) > 0 for d in top):
        dims[top[0]] = 1.0
    item_weights: dict[str, float] = {}
    if items:
        for item in rubric.items:
            if draw(st.integers(0, 4)) == 0:
                item_weights[item.id] = draw(st.floats(0.1, 5.0))
    return Weighting(id="drawn", dimensions=dims, items=item_weights)


@st.composite
def rubrics(
    draw: st.DrawFn,
    *,
    max_dimensions: int = 3,
    max_depth: st.SearchStrategy[int] | None = None,
    scales: st.SearchStrategy[Scale] | None = None,
    strategies: st.SearchStrategy[str] | None = None,
    item_scales: st.SearchStrategy[bool] | None = None,
    composites: st.SearchStrategy[bool] | None = None,
    translations: st.SearchStrategy[bool] | None = None,
) -> Rubric:
    """Valid rubrics: 1 to ``max_dimensions`` top-level dimensions, facets, weights.

    Args:
        max_dimensions: The most top-level dimensions.
        max_depth: How deep sub-dimensions nest (default: 0 to 2).
        scales: The rubric's scale (default: any of :func:`scales`).
        strategies: Strategy names (default: the built-in ones).
        item_scales: Whether some items get scales and response maps of their own.
        composites: Whether some dimensions reuse items of others (item references).
        translations: Whether to add a translation of some texts.
    """
    if max_dimensions < 1:
        msg = f"max_dimensions must be at least 1, not {max_dimensions}"
        raise InvalidArgument(msg)
    from mgrlead.testing.hypothesis import scales as scale_strategy  # noqa: PLC0415

    scale = draw(scales if scales is not None else scale_strategy())
    own_scales = draw(item_scales if item_scales is not None else st.booleans())
    per_item = st.one_of(st.none(), scale_strategy(max_points=6)) if own_scales else st.just(None)
    depth = max_depth if max_depth is not None else st.integers(0, 2)
    n = draw(st.integers(1, max_dimensions))
    counter = [0]
    dims = [_dimension(draw, f"d{k}", 0, draw(depth), counter, per_item) for k in range(n)]
    # unique item ids across dimensions: renumber depth first
    dims = _renumber(dims)
    if n > 1 and draw(composites if composites is not None else st.booleans()):
        source_items = dims[0].all_items()
        pick = draw(st.sampled_from(source_items))
        last = dims[-1]
        dims[-1] = Dimension(
            id=last.id, name=last.name, low=last.low, high=last.high, polarity=last.polarity,
            items=last.items, dimensions=last.dimensions, bands=last.bands, band_on=last.band_on,
            band_gaps=last.band_gaps,
            item_refs=[ItemRef(id=pick.id, keyed=draw(st.sampled_from(["lo", "hi"])))],
        )  # fmt: skip
    rubric = Rubric(
        id="drawn",
        version=draw(st.sampled_from(["1", "1.0", "2.1-beta"])),
        title=draw(_TEXT),
        scale=scale,
        dimensions=dims,
        strategy=draw(strategies if strategies is not None else st.sampled_from(
            sorted(BUILTIN_STRATEGIES))),
        missing=draw(missing_policies(max_answered=_smallest(dims))),
        bands=draw(band_sets(gaps=(gaps := draw(st.booleans())))),
        band_gaps=gaps,
    )  # fmt: skip
    rubric = _with_weighting(rubric, draw(weightings(rubric)))
    if draw(translations if translations is not None else st.booleans()):
        keys = sorted(k for k, v in rubric.text_keys().items() if v)
        chosen = draw(st.lists(st.sampled_from(keys), max_size=5, unique=True))
        rubric = _evolve(rubric, translations={"de": {k: f"de: {k}" for k in chosen}})
    return rubric


def _smallest(dims: Sequence[Dimension]) -> int:
    """The fewest items any dimension has (item references added later count extra)."""
    sizes = [len(d.all_items()) for top in dims for d in top.walk()]
    return max(1, min(sizes))


def _evolve(rubric: Rubric, **changes: Any) -> Rubric:  # noqa: ANN401
    import attrs  # noqa: PLC0415

    return attrs.evolve(rubric, **changes)


def _with_weighting(rubric: Rubric, weighting: Weighting) -> Rubric:
    from mgrlead.errors import RubricError  # noqa: PLC0415

    try:
        return _evolve(rubric, weighting=weighting)
    except RubricError:  # e.g. every item of a dimension weighed 0: keep equal weights
        return rubric


def _renumber(dims: Sequence[Dimension]) -> list[Dimension]:
    import attrs  # noqa: PLC0415

    counter = [0]

    def visit(dim: Dimension) -> Dimension:
        own = []
        for item in dim.items:
            counter[0] += 1
            own.append(attrs.evolve(item, id=f"i{counter[0]}"))
        return attrs.evolve(dim, items=own, dimensions=[visit(s) for s in dim.dimensions])

    return [visit(d) for d in dims]


_ABSENT = object()  # an item left out of the answers altogether


def _codes(rubric: Rubric, item: Item) -> st.SearchStrategy[int]:
    scale = rubric.item_scale(item)
    return st.integers(scale.min, scale.max)


def answers(
    rubric: Rubric,
    *,
    missing: st.SearchStrategy[bool] | None = None,
    missing_codes: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answers for ``rubric``: item id to response.

    Args:
        rubric: The rubric to answer.
        missing: Whether some items are unanswered: left out, ``None``, NaN or a
            missing code (default: sometimes).
        missing_codes: Whether unanswered items may use the scale's missing codes.
    """

    @st.composite
    def draw_answers(draw: st.DrawFn) -> dict[str, Any]:
        allow_missing = draw(missing if missing is not None else st.booleans())
        out: dict[str, Any] = {}
        for item in rubric.items:
            value: st.SearchStrategy[Any] = _codes(rubric, item)
            if allow_missing:
                gaps: list[Any] = [None, math.nan, _ABSENT]
                codes = sorted(rubric.item_scale(item).missing_codes) if missing_codes else []
                value = st.one_of(value, st.sampled_from([*gaps, *codes]))
            drawn = draw(value)
            if drawn is not _ABSENT:
                out[item.id] = drawn
        return out

    return draw_answers()


def answer_frames(
    rubric: Rubric,
    *,
    min_rows: int = 0,
    max_rows: int = 20,
    missing: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[dict[str, list[Any]]]:
    """Many respondents: a dict of columns (one per item, ``None`` for missing)."""
    _check_range("min_rows", min_rows, "max_rows", max_rows)

    @st.composite
    def draw_frame(draw: st.DrawFn) -> dict[str, list[Any]]:
        rows = draw(
            st.lists(answers(rubric, missing=missing), min_size=min_rows, max_size=max_rows)
        )
        return {
            item_id: [None if _is_gap(r.get(item_id)) else r[item_id] for r in rows]
            for item_id in rubric.item_ids
        }

    return draw_frame()


def _is_gap(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@st.composite
def invalid_answers(draw: st.DrawFn, rubric: Rubric) -> dict[str, Any]:
    """Answers with exactly one bad entry: unknown item, off the scale, wrong type."""
    good = draw(answers(rubric, missing=st.just(False)))  # noqa: FBT003 - a strategy's value
    item = draw(st.sampled_from(rubric.items))
    scale = rubric.item_scale(item)
    bad = draw(
        st.sampled_from(
            [
                ("off-scale", max([scale.max, *scale.missing_codes]) + 1),
                ("off-scale", min([scale.min, *scale.missing_codes]) - 1),
                ("fraction", scale.min + 0.5),
                ("boolean", True),
                ("string", str(scale.min)),
                ("unknown", None),
            ]
        )
    )
    kind, value = bad
    if kind == "unknown":
        good[f"{item.id}__not_an_item"] = scale.min
    else:
        good[item.id] = value
    return good


def register_types() -> None:
    """Register strategies for ``st.from_type`` (called by hypothesis's entry point)."""
    st.register_type_strategy(Scale, scales())
    st.register_type_strategy(Item, items())
    st.register_type_strategy(Dimension, dimensions())
    st.register_type_strategy(Rubric, rubrics())
    st.register_type_strategy(MissingPolicy, missing_policies())
