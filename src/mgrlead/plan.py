"""The compiled scoring plan: a rubric as the flat data every engine reads.

A :class:`~mgrlead.model.Rubric` is compiled into a :class:`ScoringPlan`: flat
tuples of items (their codes, missing codes, response maps and score ranges) and,
for every dimension, the ordered list of its members with their weights and
keying, its missing-data rule and bands.  The plan holds data only; the formulas
that turn it into scores are in :mod:`mgrlead.engines.kernel`, and the engines in
:mod:`mgrlead.engines` run them.

The plan also carries the rubric's content hash (:func:`content_hash`): a hash
of everything in a rubric that affects scores.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from mgrlead.errors import RubricError
from mgrlead.model import band_slack, check_bands
from mgrlead.strategies import BUILTIN_STRATEGIES, DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    from mgrlead.model import Band, Dimension, MissingPolicy, Rubric, Scale

__all__ = [
    "NO_BAND",
    "Boundaries",
    "CarelessPlan",
    "DimensionPlan",
    "ItemPlan",
    "ScoringPlan",
    "boundaries",
    "compile_plan",
    "content_hash",
    "scoring_content",
    "strategy_of",
]


@frozen
class ItemPlan:
    """One item, compiled: which codes it accepts and what they score."""

    id: str
    """The item id (its column)."""
    code_min: int
    """The lowest response code of its scale."""
    code_max: int
    """The highest response code of its scale."""
    missing_codes: frozenset[int]
    """Codes that mean "not answered"."""
    scores: Mapping[int, float] | None
    """The score of each code, when the item has a response map (else the code)."""
    lo: float
    """The lowest score the item can give."""
    hi: float
    """The highest score the item can give."""
    mid: float
    """The middle of its scale, ``(min + max) / 2`` (careless indicators)."""
    half: float
    """Half the width of its scale, ``(max - min) / 2`` (careless indicators)."""

    @property
    def codes(self) -> range:
        """Every response code of the scale, lowest first."""
        return range(self.code_min, self.code_max + 1)

    def score_of(self, code: int) -> float | int:
        """The score of a (valid, non-missing) response code."""
        return code if self.scores is None else self.scores[code]


@frozen
class DimensionPlan:
    """One dimension, compiled: its items (indices into the plan), weights and keying."""

    id: str
    parent: str | None
    bipolar: bool
    members: tuple[int, ...]
    weights: tuple[float, ...]
    reverse: tuple[bool, ...]
    required: int
    impute: str
    scale_min: float
    scale_max: float
    bands: tuple[Band, ...]
    boundaries: Boundaries
    band_on: str
    one_range: bool = True
    """Whether every member scores on ``scale_min..scale_max``: then the mean and
    the percent are one linear function of each other."""

    @functools.cached_property
    def n_items(self) -> int:
        """How many items the dimension rests on."""
        return len(self.members)

    @functools.cached_property
    def weight_total(self) -> float:
        """The sum of the weights of all its items."""
        return sum(self.weights)

    def stats_for_bounds(self) -> DimensionStats:
        """The statistics a strategy's :meth:`~ScoringStrategy.bounds` reads for this dimension."""
        return DimensionStats(
            sum=0.0, mean=0.0, percent=0.0, position=0.0, answered=self.n_items,
            n_items=self.n_items, scale_min=self.scale_min, scale_max=self.scale_max,
            weight_total=self.weight_total,
        )  # fmt: skip


@frozen
class CarelessPlan:
    """What the careless-responding indicators need beyond the items."""

    balanced: tuple[int, ...]
    """The items of bipolar dimensions keyed toward both poles (acquiescence)."""
    pairs: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    """Per such dimension: its items keyed toward the low pole, and toward the high pole."""
    denominator: int = 1
    """A multiple of every item's range ``max - min``: each answer on -1..+1 times it is whole.

    1 when that multiple would be too large for exact sums in 64-bit integers and
    doubles (a rubric mixing many scale ranges): the answers on -1..+1 are then
    used as they are, as floats (see :func:`mgrlead.engines.kernel.unit_table`).
    """
    exact: bool = True
    """Whether the answers are whole numbers (``denominator`` times -1..+1)."""


@frozen
class ScoringPlan:
    """Everything an engine needs to score a rubric, as flat tuples."""

    rubric: str
    version: str
    strategy: ScoringStrategy
    weighting: str
    sources: Mapping[str, str]
    items: tuple[ItemPlan, ...]
    index: Mapping[str, int]
    dimensions: tuple[DimensionPlan, ...]
    top: tuple[tuple[int, float], ...]
    overall_bands: tuple[Band, ...]
    overall_boundaries: Boundaries
    content_hash: str
    careless: CarelessPlan

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The item ids, in column order."""
        return tuple(item.id for item in self.items)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """The dimension ids, depth first."""
        return tuple(dim.id for dim in self.dimensions)

    @property
    def imputes(self) -> tuple[str, ...]:
        """The imputation methods any dimension uses (``mean``, ``median``), sorted."""
        return tuple(sorted({d.impute for d in self.dimensions} - {"none"}))


# ------------------------------------------------------------------ the hash
def _scale(scale: Scale) -> dict[str, Any]:
    return {"min": scale.min, "max": scale.max, "missing": sorted(scale.missing_codes)}


def _bands(bands: tuple[Band, ...] | None) -> list[Any] | None:
    if bands is None:
        return None
    return [[b.id, b.lower, b.upper, b.include_lower, b.include_upper] for b in bands]


def _missing(policy: MissingPolicy) -> list[Any]:
    return [policy.min_answered, policy.min_share, policy.impute]


def scoring_content(rubric: Rubric) -> dict[str, Any]:
    """The part of a rubric that affects scores, as plain data (what is hashed).

    The same items, keys, scales, response maps, IRT parameters (only when an
    item declares them), weights, strategy, missing-data policy and bands give
    the same content.  Texts (titles, item wording,
    feedback, translations), metadata and provenance records are not part of it.
    """

    def dimension(dim: Dimension) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": dim.id,
            "polarity": dim.polarity,
            "members": [[item_id, rev] for item_id, rev in rubric.members(dim)],
            "bands": _bands(dim.bands),
            "band_on": dim.band_on,
            "missing": None if dim.missing is None else _missing(dim.missing),
            "dimensions": [dimension(sub) for sub in dim.dimensions],
        }
        if dim.band_gaps:  # only when declared, so that every other hash stays as it was
            out["band_gaps"] = True
        return out

    items = {}
    for item in rubric.items:
        items[item.id] = {
            "weight": rubric.weighting.item_weight(item),
            "scale": _scale(rubric.item_scale(item)),
            "responses": [[r.code, r.score] for r in item.responses],
        }
        if item.irt is not None:  # only when declared, so that every other hash stays as it was
            p = item.irt
            items[item.id]["irt"] = [p.model, p.a, list(p.thresholds), list(p.steps),
                                     p.location, p.scaling]  # fmt: skip
    content = {
        "format": 1,
        "strategy": rubric.strategy,
        "weighting": {d.id: rubric.weighting.weight(d.id) for d in rubric.dimensions},
        "missing": _missing(rubric.missing),
        "bands": _bands(rubric.bands),
        "items": items,
        "dimensions": [dimension(d) for d in rubric.dimensions],
    }
    if not rubric.overall:  # only when declared, so that every other hash stays as it was
        content["overall"] = False
    if rubric.band_gaps:  # the same
        content["band_gaps"] = True
    if rubric.theta is not None:  # the same
        t = rubric.theta
        content["theta"] = [t.method, t.prior_mean, t.prior_sd, t.points, t.lower, t.upper,
                            t.confidence]  # fmt: skip
    return content


def content_hash(rubric: Rubric) -> str:
    """``sha256:<hex>`` of :func:`scoring_content`, canonical JSON."""
    text = json.dumps(scoring_content(rubric), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ compiling
def strategy_of(rubric: Rubric) -> ScoringStrategy:
    """The strategy object ``rubric.strategy`` names: a built-in, or from the rubric's host.

    A rubric built by a plugin host (:attr:`Rubric.host <mgrlead.model.Rubric.host>`)
    resolves its strategy there; :func:`mgrlead.plugins.resolve.strategy_for` falls back to
    the process-wide host.

    Raises:
        RubricError: the name is not built in and the rubric has no host.
    """
    if rubric.strategy in BUILTIN_STRATEGIES:
        return BUILTIN_STRATEGIES[rubric.strategy]
    if rubric.host is None:
        known = ", ".join(BUILTIN_STRATEGIES)
        raise RubricError(
            f"no strategy named {rubric.strategy!r} is built in (built in: {known}) and rubric "
            f"{rubric.id!r} was not built by a plugin host that could provide it; load it "
            "with mgrlead.load_rubric or a host's rubric()"
        )
    return rubric.host.resolve_strategy(rubric.strategy)


def _current_sources(rubric: Rubric) -> dict[str, str]:
    """The rubric's sources that still describe its content (after ``attrs.evolve``)."""
    current = {f"rubric:{rubric.id}", f"strategy:{rubric.strategy}"}
    current.add(f"weighting:{rubric.weighting.id}")
    current.update(f"dimension:{d.id}" for d in rubric.walk())
    return {k: v for k, v in rubric.sources.items() if k in current}


#: The band code of a score in a gap between bands (declared with ``band_gaps``):
#: scored, but in no band.  (-1 is the code of a score that is not scorable.)
NO_BAND: Final = -2


@frozen
class Boundaries:
    """A set of bands compiled for the kernel: where along the score the band changes.

    ``cuts`` split the score's range into stretches, lowest first; ``codes``
    gives each stretch its band: an index into the bands, or :data:`NO_BAND`
    for a gap.  Without gaps the stretches are the bands themselves and the
    codes ``0, 1, 2, ...``.
    """

    cuts: tuple[tuple[float, bool], ...]
    """Each cut as ``(threshold, the stretch below includes it)``, in order."""
    codes: tuple[int, ...]
    """The band code of each stretch (one more than there are cuts)."""


def _cut(bound: float, *, below_includes: bool) -> tuple[float, bool]:
    """A cut at ``bound`` (see :func:`boundaries`)."""
    slack = band_slack(bound)
    return (bound + slack, True) if below_includes else (bound - slack, False)


def boundaries(bands: tuple[Band, ...], *, gaps: bool = False) -> Boundaries:
    """The cuts between the stretches of ``bands``, and the band of each stretch.

    A value within :data:`~mgrlead.model.BAND_TOLERANCE` of a bound counts as
    on it (see :meth:`Band.contains <mgrlead.model.Band.contains>`), so each cut
    sits that far beyond its bound, on the side of the stretch that does not
    own it.  Every band is cut at its lower bound (the stretch below owns the
    bound when the band excludes it) and its upper bound (owned by the band
    when it includes it); where two bands meet and one owns the boundary, the
    two cuts are the same cut, and where neither owns it (bands that declare
    ``gaps``) the point between the two cuts is a gap.  A point band
    (``lower == upper``) sits between two cuts at the same point: the one below
    it is passed on reaching the point, the one above only beyond it, so the
    cuts stay in order.  Without ``gaps``, the stretches below the first band
    and above the last are left out (the bands cover the whole range), which
    gives exactly the cuts between adjacent bands.
    """
    cuts: list[tuple[float, bool]] = []
    codes = [NO_BAND]  # below the first band
    for k, band in enumerate(bands):
        cut = _cut(band.lower, below_includes=not band.include_lower)
        if cuts and cuts[-1] == cut:  # the band before ends where this one starts
            cuts.pop()
            codes.pop()
        cuts.append(cut)
        codes.append(k)
        cuts.append(_cut(band.upper, below_includes=band.include_upper))
        codes.append(NO_BAND)  # above it, until the next band starts
    if not gaps:  # the bands cover the range: no stretch below or above them
        cuts, codes = cuts[1:-1], codes[1:-1]
    return Boundaries(cuts=tuple(cuts), codes=tuple(codes))


def _careless(rubric: Rubric, index: Mapping[str, int]) -> CarelessPlan:
    balanced: set[int] = set()
    pairs = []
    for dim in rubric.dimensions:
        if not dim.bipolar:
            continue
        members = rubric.members(dim)
        low = tuple(sorted(index[i] for i, rev in members if rev))
        high = tuple(sorted(index[i] for i, rev in members if not rev))
        if low and high:
            balanced.update(low + high)
            pairs.append((low, high))
    ranges = {rubric.item_scale(item).max - rubric.item_scale(item).min for item in rubric.items}
    denominator = math.lcm(*ranges)
    k = len(rubric.items)
    # n * sum(h^2) - sum(h)^2 stays below 2^53: exact in int64 and as a double
    if (k * denominator) ** 2 < 1 << 53:
        return CarelessPlan(tuple(sorted(balanced)), tuple(pairs), denominator)
    return CarelessPlan(tuple(sorted(balanced)), tuple(pairs), 1, exact=False)


def _check_finite(dim: DimensionPlan, items: Sequence[ItemPlan]) -> None:
    """Refuse weights so large that a dimension's sums could overflow to infinity."""
    largest = 0.0
    total = 0.0
    for i, weight in zip(dim.members, dim.weights, strict=True):
        largest += weight * max(abs(items[i].lo), abs(items[i].hi))
        total += weight
    if not (math.isfinite(largest) and math.isfinite(2.0 * total)):
        raise RubricError(
            f"dimension {dim.id!r}: its item weights (up to {max(dim.weights):g}) are so "
            "large that its weighted sums overflow; use smaller weights (only their ratios "
            "matter)"
        )


def compile_plan(rubric: Rubric, strategy: ScoringStrategy | None = None) -> ScoringPlan:
    """Compile a rubric into the flat plan every engine reads.

    Args:
        rubric: The rubric.
        strategy: The strategy object; ``None``: :func:`strategy_of` the rubric.

    Raises:
        RubricError: the strategy is unknown, or a dimension's bands do not cover
            the range of the score they label.
    """
    strategy = (strategy if strategy is not None else strategy_of(rubric)).prepare(rubric)
    items = rubric.items
    index = {item.id: i for i, item in enumerate(items)}
    item_plans = []
    for item in items:
        scale = rubric.item_scale(item)
        lo, hi = item.score_range(scale)
        item_plans.append(
            ItemPlan(
                id=item.id,
                code_min=scale.min,
                code_max=scale.max,
                missing_codes=scale.missing_codes,
                scores={r.code: r.score for r in item.responses} if item.responses else None,
                lo=lo,
                hi=hi,
                mid=(scale.min + scale.max) / 2,
                half=(scale.max - scale.min) / 2,
            )
        )
    dims: list[DimensionPlan] = []

    def visit(dim: Dimension, parent: str | None) -> None:
        ordered = sorted((index[item_id], rev) for item_id, rev in rubric.members(dim))
        idx = tuple(i for i, _ in ordered)
        bands = rubric.bands_of(dim)
        gaps = dim.band_gaps if dim.bands is not None else rubric.band_gaps
        policy = dim.missing if dim.missing is not None else rubric.missing
        plan = DimensionPlan(
            id=dim.id,
            parent=parent,
            bipolar=dim.bipolar,
            members=idx,
            weights=tuple(rubric.weighting.item_weight(items[i]) for i in idx),
            reverse=tuple(rev for _, rev in ordered),
            required=policy.required(len(idx)),
            impute=policy.impute,
            scale_min=min(item_plans[i].lo for i in idx),
            scale_max=max(item_plans[i].hi for i in idx),
            bands=bands,
            boundaries=boundaries(bands, gaps=gaps),
            band_on=dim.band_on,
            one_range=len({(item_plans[i].lo, item_plans[i].hi) for i in idx}) <= 1,
        )
        _check_finite(plan, item_plans)
        if dim.band_on == "score":
            low, high = strategy.bounds(plan.stats_for_bounds())
            try:
                check_bands(bands, f"dimension {dim.id!r}", low, high, exact=False, gaps=gaps,
                            declare=f"dimension {dim.id!r}")  # fmt: skip
            except RubricError as exc:
                raise RubricError(f"{exc} (the {strategy.name!r} score runs from "
                                  f"{low:g} to {high:g})") from None  # fmt: skip
        dims.append(plan)
        for sub in dim.dimensions:
            visit(sub, dim.id)

    for dim in rubric.dimensions:
        visit(dim, None)
    position = {d.id: n for n, d in enumerate(dims)}
    # Only the ratios of the weights matter: scaling them so that the largest is 1
    # keeps every engine away from subnormal numbers (some flush them to zero).
    raw = [(position[d.id], rubric.weighting.weight(d.id)) for d in rubric.dimensions]
    largest = max(w for _, w in raw)
    top = tuple((d, w / largest) for d, w in raw if w > 0) if rubric.overall else ()
    return ScoringPlan(
        rubric=rubric.id,
        version=rubric.version,
        strategy=strategy,
        weighting=rubric.weighting.id,
        sources=_current_sources(rubric),
        items=tuple(item_plans),
        index=index,
        dimensions=tuple(dims),
        top=top,
        overall_bands=rubric.bands,
        overall_boundaries=boundaries(rubric.bands, gaps=rubric.band_gaps),
        content_hash=content_hash(rubric),
        careless=_careless(rubric, index),
    )
