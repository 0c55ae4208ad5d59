"""The domain model: scales, items, bipolar dimensions, bands and rubrics.

Every class here is a frozen attrs class, validated when it is built: an invalid
rubric never exists.  Messages name the offending id.  The model does no I/O;
loading and dumping live in :mod:`mgrlead.serialize`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from attrs import field, frozen
from attrs.validators import deep_iterable, ge, instance_of, le, matches_re

from mgrlead.errors import RubricError

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = [
    "STRATEGIES",
    "Band",
    "Dimension",
    "Item",
    "MissingPolicy",
    "Pole",
    "Rubric",
    "Scale",
    "Weighting",
]

#: Names of the built-in scoring strategies.  The strategy decides which number
#: a dimension score reports as its headline ``score``; every score always
#: carries all of them (sum, mean, percent, position).
STRATEGIES: Final = ("mean", "sum", "prorated_sum", "percent")
Strategy = Literal["mean", "sum", "prorated_sum", "percent"]

#: Ids that cannot name a dimension because result columns use them.
RESERVED_DIMENSION_IDS: Final = frozenset({"overall"})

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_ITEM_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_RUBRIC_ID = r"[a-z][a-z0-9_\-]*"

_AGREEMENT_LABELS: Final[Mapping[int, tuple[str, ...]]] = {
    2: ("Disagree", "Agree"),
    3: ("Disagree", "Neither agree nor disagree", "Agree"),
    4: ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    5: ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    6: (
        "Strongly disagree",
        "Disagree",
        "Slightly disagree",
        "Slightly agree",
        "Agree",
        "Strongly agree",
    ),
    7: (
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strict_int(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if not _is_int(value):
        raise RubricError(f"{attribute.name} must be an integer, got {value!r}")


def _finite_weight(owner: str, weight: object) -> float:
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise RubricError(f"{owner}: weight must be a number, got {weight!r}")
    if not math.isfinite(weight) or weight < 0:
        raise RubricError(f"{owner}: weight must be finite and not negative, got {weight!r}")
    return float(weight)


def _frozen_mapping(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _str_dict(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


def _item_tuple(value: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(value)


def _dimension_tuple(value: Iterable[Dimension]) -> tuple[Dimension, ...]:
    return tuple(value)


def _band_tuple(value: Iterable[Band]) -> tuple[Band, ...]:
    return tuple(value)


def _percent_bound(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 <= value <= 100:
        raise RubricError(f"{attribute.name} must be between 0 and 100, got {value!r}")


def _nonblank(_inst: object, attribute: Any, value: str) -> None:  # noqa: ANN401
    if not value.strip():
        raise RubricError(f"{attribute.name} must not be empty")


@frozen(kw_only=True)
class Scale:
    """A response scale: the integer points from ``min`` to ``max``, each with a label.

    Example:
        >>> Scale.agreement(5).labels[0]
        'Strongly disagree'
    """

    min: int = field(validator=_strict_int)
    """The lowest response point."""
    max: int = field(validator=_strict_int)
    """The highest response point; must be greater than ``min``."""
    labels: tuple[str, ...] = field(
        converter=_str_tuple, validator=deep_iterable(instance_of(str), instance_of(tuple))
    )
    """One label per point, from ``min`` to ``max``."""

    def __attrs_post_init__(self) -> None:
        """Check that ``min < max`` and that every point has a label."""
        if self.min >= self.max:
            raise RubricError(f"scale: min ({self.min}) must be less than max ({self.max})")
        if len(self.labels) != self.points:
            raise RubricError(
                f"scale {self.min}..{self.max} has {self.points} points but "
                f"{len(self.labels)} labels; give exactly one label per point"
            )
        for point, label in zip(self, self.labels, strict=True):
            if not label.strip():
                raise RubricError(f"scale: the label of point {point} is empty")

    @classmethod
    def agreement(cls, points: int = 5, *, start: int = 1) -> Scale:
        """An agreement (Likert) scale of ``points`` points starting at ``start``.

        Args:
            points: How many points, from 2 to 7.
            start: The value of the first point ("strongly disagree").
        """
        if points not in _AGREEMENT_LABELS:
            raise RubricError(f"Scale.agreement supports 2 to 7 points, not {points!r}")
        return cls(min=start, max=start + points - 1, labels=_AGREEMENT_LABELS[points])

    @property
    def points(self) -> int:
        """How many response points the scale has."""
        return self.max - self.min + 1

    @property
    def midpoint(self) -> float:
        """The middle of the scale, ``(min + max) / 2``."""
        return (self.min + self.max) / 2

    def __iter__(self) -> Iterator[int]:
        """The response points, lowest first."""
        return iter(range(self.min, self.max + 1))

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is an integer point of this scale."""
        return _is_int(value) and self.min <= value <= self.max  # type: ignore[operator]

    def label(self, value: int) -> str:
        """The label of response point ``value``."""
        if value not in self:
            raise RubricError(f"{value!r} is not a point of the scale {self.min}..{self.max}")
        return self.labels[value - self.min]

    def reverse(self, value: int) -> int:
        """The reverse-keyed value: ``min + max - value`` (uses the declared scale)."""
        return self.min + self.max - value


@frozen(kw_only=True)
class Pole:
    """One end of a bipolar dimension, with the feedback for people who lean that way."""

    id: str = field(validator=matches_re(_ID))
    """Identifier that items use in ``keyed``, e.g. ``"leader"``."""
    label: str = field(validator=[instance_of(str), _nonblank])
    """Short name shown at that end of the bar, e.g. ``"Results-oriented"``."""
    description: str = field(default="", validator=instance_of(str))
    """What leaning toward this pole means."""
    strengths: str = field(default="", validator=instance_of(str))
    """What this way of working does well."""
    risks: str = field(default="", validator=instance_of(str))
    """What it can cost when overdone."""
    development: str = field(default="", validator=instance_of(str))
    """One concrete development suggestion."""


@frozen(kw_only=True)
class Item:
    """A statement the respondent rates on the rubric's scale.

    ``keyed`` names the pole (of the item's dimension) that agreeing with the
    statement points toward; items keyed toward the low pole are reverse-scored
    with the declared scale (``min + max - x``).
    """

    id: str = field(validator=matches_re(_ITEM_ID))
    """Unique id; also the column name in batch scoring."""
    text: str = field(validator=[instance_of(str), _nonblank])
    """The statement shown to the respondent."""
    keyed: str = field(validator=instance_of(str))
    """Id of the pole this item is keyed toward."""
    weight: float = field(default=1.0)
    """Weight of the item inside its dimension (finite, not negative)."""

    def __attrs_post_init__(self) -> None:
        """Check the weight."""
        object.__setattr__(self, "weight", _finite_weight(f"item {self.id!r}", self.weight))


@frozen(kw_only=True)
class Band:
    """A labelled interval of the 0-100 scale, e.g. ``balanced`` from 40 to 60.

    By default a band includes its lower bound and excludes its upper bound; the
    last band of a set must include 100.  Adjacent bands must agree on who owns
    the shared boundary (exactly one of them includes it).
    """

    id: str = field(validator=matches_re(_ID))
    """Identifier stored in results, e.g. ``"balanced"``."""
    label: str = field(validator=[instance_of(str), _nonblank])
    """Label shown to people, e.g. ``"Balanced"``."""
    lower: float = field(validator=_percent_bound)
    """Lower bound on the 0-100 scale."""
    upper: float = field(validator=_percent_bound)
    """Upper bound on the 0-100 scale."""
    include_lower: bool = field(default=True, validator=instance_of(bool))
    """Whether a score equal to ``lower`` falls in this band."""
    include_upper: bool = field(default=False, validator=instance_of(bool))
    """Whether a score equal to ``upper`` falls in this band."""
    feedback: str = field(default="", validator=instance_of(str))
    """Text shown with results in this band."""

    def __attrs_post_init__(self) -> None:
        """Check that the band is not empty."""
        if self.lower >= self.upper:
            raise RubricError(
                f"band {self.id!r}: lower ({self.lower}) must be less than upper ({self.upper})"
            )

    def contains(self, value: float) -> bool:
        """Whether a 0-100 score falls in this band."""
        above = value >= self.lower if self.include_lower else value > self.lower
        below = value <= self.upper if self.include_upper else value < self.upper
        return above and below


def check_bands(bands: tuple[Band, ...], owner: str) -> None:
    """Check that ``bands`` cover 0..100 exactly once, in order.

    Raises:
        RubricError: naming ``owner`` and the band at fault.
    """
    if not bands:
        raise RubricError(f"{owner}: needs at least one band")
    ids = [b.id for b in bands]
    for dup in {i for i in ids if ids.count(i) > 1}:
        raise RubricError(f"{owner}: band id {dup!r} is used twice")
    first, last = bands[0], bands[-1]
    if first.lower != 0 or not first.include_lower:
        raise RubricError(f"{owner}: the first band {first.id!r} must start at 0, inclusive")
    if last.upper != 100 or not last.include_upper:
        raise RubricError(f"{owner}: the last band {last.id!r} must end at 100, inclusive")
    for left, right in itertools.pairwise(bands):
        if left.upper != right.lower:
            raise RubricError(
                f"{owner}: bands {left.id!r} and {right.id!r} leave a gap or overlap: "
                f"{left.id!r} ends at {left.upper} but {right.id!r} starts at {right.lower}"
            )
        if left.include_upper == right.include_lower:
            which = "both include" if left.include_upper else "neither includes"
            raise RubricError(
                f"{owner}: bands {left.id!r} and {right.id!r} {which} the boundary "
                f"{left.upper}; set include_upper on exactly one side"
            )


def _bands_converter(value: Iterable[Band] | None) -> tuple[Band, ...] | None:
    return None if value is None else tuple(value)


@frozen(kw_only=True)
class Dimension:
    """A bipolar dimension: two poles, the items between them, optional sub-dimensions.

    Scores run from the ``low`` pole (0) to the ``high`` pole (100).  A dimension
    with sub-dimensions is scored from every item beneath it.  A sub-dimension's
    low pole is aligned with its parent's low pole.
    """

    id: str = field(validator=matches_re(_ID))
    """Unique id; also the prefix of the result columns."""
    name: str = field(validator=[instance_of(str), _nonblank])
    """Human name, e.g. ``"Process vs. results"``."""
    low: Pole = field(validator=instance_of(Pole))
    """The pole at 0 (here: the manager pole)."""
    high: Pole = field(validator=instance_of(Pole))
    """The pole at 100 (here: the leader pole)."""
    description: str = field(default="", validator=instance_of(str))
    """What the dimension is about."""
    items: tuple[Item, ...] = field(
        default=(), converter=_item_tuple, validator=deep_iterable(instance_of(Item))
    )
    """The items directly in this dimension."""
    dimensions: tuple[Dimension, ...] = field(default=(), converter=_dimension_tuple)
    """Sub-dimensions (facets); their items count toward this dimension too."""
    bands: tuple[Band, ...] | None = field(default=None, converter=_bands_converter)
    """Bands for this dimension; ``None`` uses the rubric's bands."""

    def __attrs_post_init__(self) -> None:
        """Check poles, keys, and that the dimension has items."""
        where = f"dimension {self.id!r}"
        for sub in self.dimensions:
            if not isinstance(sub, Dimension):
                raise RubricError(f"{where}: sub-dimensions must be Dimension, got {sub!r}")
        if self.low.id == self.high.id:
            raise RubricError(f"{where}: both poles have the id {self.low.id!r}")
        poles = (self.low.id, self.high.id)
        for item in self.items:
            if item.keyed not in poles:
                raise RubricError(
                    f"{where}: item {item.id!r} is keyed toward {item.keyed!r}, which is not "
                    f"one of its poles ({poles[0]!r} or {poles[1]!r})"
                )
        if not self.items and not self.dimensions:
            raise RubricError(f"{where} has no items; give it at least one item")
        if not any(i.weight > 0 for i in self.all_items()):
            raise RubricError(f"{where}: the weights of its items add up to 0")
        if self.bands is not None:
            check_bands(self.bands, where)

    def all_items(self) -> tuple[Item, ...]:
        """Every item in this dimension and, depth first, its sub-dimensions."""
        out = list(self.items)
        for sub in self.dimensions:
            out.extend(sub.all_items())
        return tuple(out)

    def walk(self) -> Iterator[Dimension]:
        """This dimension, then its sub-dimensions, depth first."""
        yield self
        for sub in self.dimensions:
            yield from sub.walk()

    def __repr__(self) -> str:
        """A short summary for people."""
        return (
            f"<Dimension {self.id}: {self.low.label} <-> {self.high.label}, "
            f"{len(self.all_items())} items>"
        )


@frozen(kw_only=True)
class Weighting:
    """How the top-level dimensions are weighted in the overall result.

    Dimensions not named in ``dimensions`` weigh 1.  Weights are normalized by
    their sum when the overall score is computed, so only ratios matter.
    """

    id: str = field(default="equal", validator=matches_re(_RUBRIC_ID))
    """Name of the scheme, recorded in every profile."""
    dimensions: Mapping[str, float] = field(factory=dict, converter=_frozen_mapping, hash=False)
    """Weight per top-level dimension id."""
    items: Mapping[str, float] = field(factory=dict, converter=_frozen_mapping, hash=False)
    """Item weights that replace the items' own weights (by item id)."""
    description: str = field(default="", validator=instance_of(str))
    """What the scheme is for."""

    def __attrs_post_init__(self) -> None:
        """Check every weight."""
        for dim, weight in self.dimensions.items():
            _finite_weight(f"weighting {self.id!r}, dimension {dim!r}", weight)
        for item, weight in self.items.items():
            _finite_weight(f"weighting {self.id!r}, item {item!r}", weight)

    def item_weight(self, item: Item) -> float:
        """The weight of ``item`` under this scheme."""
        return float(self.items.get(item.id, item.weight))

    def weight(self, dimension_id: str) -> float:
        """The weight of a top-level dimension (1 when not listed)."""
        return float(self.dimensions.get(dimension_id, 1.0))


@frozen(kw_only=True)
class MissingPolicy:
    """When a dimension with unanswered items can still be scored.

    A dimension is scored from its answered items when at least
    ``max(min_answered, ceil(min_share * n_items))`` of them are answered;
    otherwise it is reported as not scorable, with the reason.
    """

    min_answered: int = field(default=1, validator=[_strict_int, ge(1)])
    """The fewest answered items a score may rest on (at least 1)."""
    min_share: float = field(default=0.5, validator=[instance_of((int, float)), ge(0), le(1)])
    """The smallest share of a dimension's items that must be answered."""

    def required(self, n_items: int) -> int:
        """How many of ``n_items`` must be answered for a score."""
        share = math.ceil(round(self.min_share * n_items, 9))
        return max(self.min_answered, share)


DEFAULT_BANDS: Final = (
    Band(id="low", label="Low", lower=0, upper=40),
    Band(id="balanced", label="Balanced", lower=40, upper=60, include_upper=True),
    Band(id="high", label="High", lower=60, upper=100, include_lower=False, include_upper=True),
)


@frozen(kw_only=True, repr=False)
class Rubric:
    """A whole assessment: its scale, dimensions, strategy, weighting and bands.

    Example:
        >>> import mgrlead
        >>> mgrlead.load_rubric("manager-leader")
        <Rubric manager-leader 1.0: 4 dimensions, 24 items>
    """

    id: str = field(validator=matches_re(_RUBRIC_ID))
    """Name of the rubric, e.g. ``"manager-leader"``."""
    version: str = field(validator=[instance_of(str), _nonblank])
    """Version of the instrument; results record it."""
    title: str = field(validator=[instance_of(str), _nonblank])
    """Title shown to people."""
    scale: Scale = field(validator=instance_of(Scale))
    """The response scale of every item."""
    dimensions: tuple[Dimension, ...] = field(
        converter=_dimension_tuple, validator=deep_iterable(instance_of(Dimension))
    )
    """The top-level dimensions."""
    description: str = field(default="", validator=instance_of(str))
    """What the rubric measures and how to read it."""
    instructions: str = field(default="", validator=instance_of(str))
    """What the respondent is told before the items."""
    low_label: str = field(default="Low", validator=[instance_of(str), _nonblank])
    """Name of the low end of the overall result (here ``"Manager"``)."""
    high_label: str = field(default="High", validator=[instance_of(str), _nonblank])
    """Name of the high end of the overall result (here ``"Leader"``)."""
    strategy: str = field(default="mean", validator=matches_re(r"[a-z][a-z0-9_\-]*"))
    """Name of the scoring strategy: a built-in (:data:`STRATEGIES`) or a plugin's."""
    weighting: Weighting = field(factory=Weighting, validator=instance_of(Weighting))
    """How the dimensions are weighted in the overall result."""
    bands: tuple[Band, ...] = field(default=DEFAULT_BANDS, converter=_band_tuple)
    """Bands of the 0-100 scale used to label dimensions and the overall result."""
    missing: MissingPolicy = field(factory=MissingPolicy, validator=instance_of(MissingPolicy))
    """When a dimension with unanswered items is still scored."""
    sources: Mapping[str, str] = field(
        factory=dict, converter=_str_dict, eq=False, hash=False, repr=False
    )
    """Which plugin contributed what (``"dimension:change": "mgrlead-change-agent 1.0"``).

    Filled in by the plugin host; not part of the rubric's content (not compared)."""
    _plan: Any = field(init=False, default=None, eq=False, repr=False, hash=False, alias="_plan")

    def __attrs_post_init__(self) -> None:
        """Check the cross-field invariants of the whole rubric."""
        where = f"rubric {self.id!r}"
        if not self.dimensions:
            raise RubricError(f"{where} has no dimensions; give it at least one")
        for band in self.bands:
            if not isinstance(band, Band):
                raise RubricError(f"{where}: bands must be Band, got {band!r}")
        check_bands(self.bands, where)
        seen_dims: dict[str, str] = {}
        seen_items: dict[str, str] = {}
        for dim in self.walk():
            if dim.id in RESERVED_DIMENSION_IDS:
                raise RubricError(f"{where}: {dim.id!r} is reserved; rename the dimension")
            if dim.id in seen_dims:
                raise RubricError(f"{where}: dimension id {dim.id!r} is used twice")
            seen_dims[dim.id] = dim.id
            for item in dim.items:
                if item.id in seen_items:
                    raise RubricError(
                        f"{where}: item id {item.id!r} appears in dimension "
                        f"{seen_items[item.id]!r} and again in {dim.id!r}"
                    )
                seen_items[item.id] = dim.id
        top = {d.id for d in self.dimensions}
        for dim_id in self.weighting.dimensions:
            if dim_id not in top:
                raise RubricError(
                    f"{where}: weighting {self.weighting.id!r} weights {dim_id!r}, which is "
                    f"not a top-level dimension ({', '.join(sorted(top))})"
                )
        if not any(self.weighting.weight(d.id) > 0 for d in self.dimensions):
            raise RubricError(
                f"{where}: weighting {self.weighting.id!r} gives every dimension weight 0"
            )
        for item_id in self.weighting.items:
            if item_id not in seen_items:
                raise RubricError(
                    f"{where}: weighting {self.weighting.id!r} weights item {item_id!r}, "
                    "which the rubric does not have"
                )
        for dim in self.walk():
            if not any(self.weighting.item_weight(i) > 0 for i in dim.all_items()):
                raise RubricError(
                    f"{where}: under weighting {self.weighting.id!r} the items of dimension "
                    f"{dim.id!r} all weigh 0"
                )

    def walk(self) -> Iterator[Dimension]:
        """Every dimension, sub-dimensions included, depth first."""
        for dim in self.dimensions:
            yield from dim.walk()

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item of the rubric, in the order of its dimensions."""
        return tuple(item for dim in self.dimensions for item in dim.all_items())

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The id of every item, in rubric order."""
        return tuple(item.id for item in self.items)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension (at any depth) with this id.

        Raises:
            KeyError: when there is none.
        """
        for dim in self.walk():
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def item(self, item_id: str) -> Item:
        """The item with this id.

        Raises:
            KeyError: when there is none.
        """
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def plan(self) -> ScoringPlan:
        """The compiled scoring plan every engine reads (built once, then cached).

        Raises:
            RubricError: the rubric's strategy is neither built in nor registered
                by a plugin.
        """
        if self._plan is None:
            from mgrlead.plan import compile_plan  # noqa: PLC0415

            self.set_plan(compile_plan(self))
        plan: ScoringPlan = self._plan
        return plan

    def set_plan(self, plan: ScoringPlan) -> None:
        """Attach a compiled plan (the plugin host compiles with its own strategies)."""
        object.__setattr__(self, "_plan", plan)

    def __repr__(self) -> str:
        """``<Rubric id version: N dimensions, M items>``."""
        return (
            f"<Rubric {self.id} {self.version}: {len(self.dimensions)} dimensions, "
            f"{len(self.items)} items>"
        )
