"""The domain model: scales, items, bipolar dimensions, bands and rubrics.

Every class here is a frozen attrs class, validated when it is built: an invalid
rubric never exists.  Messages name the offending id.  The model does no I/O;
loading and dumping live in :mod:`mgrlead.io.serialize`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from attrs import evolve, field, fields, frozen
from attrs.validators import deep_iterable, ge, in_, instance_of, le, matches_re

from mgrlead.conversion import NOT_IN_FILES
from mgrlead.errors import RubricError, UnknownIdError, counted, did_you_mean
from mgrlead.strategies import StrategyResolver  # noqa: TC001 - attrs/cattrs read the hints

__all__ = [
    "BAND_TOLERANCE",
    "IRT_MODELS",
    "STRATEGIES",
    "Band",
    "Dimension",
    "IrtParams",
    "Item",
    "MissingPolicy",
    "Pole",
    "Rubric",
    "Scale",
    "ThetaOptions",
    "Weighting",
    "band_stretches",
]

#: Names of the built-in scoring strategies.  The strategy decides which number
#: a dimension score reports as its headline ``score``; every score always
#: carries all of them (sum, mean, percent, position).
STRATEGIES: Final = ("mean", "weighted_mean", "sum", "prorated_sum", "percent", "theta")

#: The texts of a pole, which plugins and translations may change.
_POLE_TEXTS: Final = ("label", "description", "strengths", "risks", "development")

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


#: The shape of a translatable text's key (see :meth:`Rubric.text_keys`).
_TEXT_KEY: Final = re.compile(
    r"(title|description|instructions|low_label|high_label|scale\.labels\.-?\d+"
    r"|band\.[^.]+\.(label|feedback)|item\.[^.]+(\.[^.]+)*\.text"
    r"|dimension\.[^.]+\.(name|description|(low|high)\.(label|description|strengths|risks"
    r"|development)|band\.[^.]+\.(label|feedback)))"
)


def _translations(value: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    return {str(lang): dict(texts) for lang, texts in value.items()}


def _item_tuple(value: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(value)


def _dimension_tuple(value: Iterable[Dimension]) -> tuple[Dimension, ...]:
    return tuple(value)


def _band_tuple(value: Iterable[Band]) -> tuple[Band, ...]:
    return tuple(value)


def _finite_number(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError(f"{attribute.name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise RubricError(f"{attribute.name} must be finite, got {value!r}")


def _nonblank(_inst: object, attribute: Any, value: str) -> None:  # noqa: ANN401
    if not value.strip():
        raise RubricError(f"{attribute.name} must not be empty")


@frozen(kw_only=True)
class MissingCode:
    """A response code that means the item was not answered (e.g. 9 = "not observed")."""

    code: int = field(validator=_strict_int)
    """The code as it appears in the data."""
    label: str = field(validator=[instance_of(str), _nonblank])
    """What it means, e.g. ``"Not observed"``."""


def _missing_tuple(value: Iterable[MissingCode]) -> tuple[MissingCode, ...]:
    return tuple(value)


@frozen(kw_only=True)
class ResponseScore:
    """The score of one response code, for items whose scale is not simply min..max."""

    code: int = field(validator=_strict_int)
    """The response code."""
    score: float = field(validator=_finite_number)
    """The score it counts as."""


def _response_tuple(value: Iterable[ResponseScore]) -> tuple[ResponseScore, ...]:
    return tuple(value)


@frozen(kw_only=True)
class ItemRef:
    """A use of an item defined in another dimension (composite scales).

    The item counts toward this dimension too, keyed toward this dimension's pole.
    """

    id: str = field(validator=matches_re(_ITEM_ID))
    """The id of an item defined elsewhere in the rubric."""
    keyed: str = field(validator=instance_of(str))
    """The pole of *this* dimension the item is keyed toward (or ``+``/``-``)."""


def _ref_tuple(value: Iterable[ItemRef]) -> tuple[ItemRef, ...]:
    return tuple(value)


def _twice(values: Iterable[Any]) -> list[Any]:
    """The values given more than once, in sorted order (linear, for large rubrics)."""
    import collections  # noqa: PLC0415 - only when a rubric is checked

    return sorted(v for v, n in collections.Counter(values).items() if n > 1)


#: The largest response code (or missing code) a scale may use, either side of 0.
SCALE_LIMIT: Final = 1_000_000
#: The most points a scale may have.
MAX_SCALE_POINTS: Final = 1001


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
    missing: tuple[MissingCode, ...] = field(default=(), converter=_missing_tuple)
    """Response codes that mean "not applicable" or "not observed": never answers."""

    def __attrs_post_init__(self) -> None:
        """Check that ``min < max``, that every point has a label, and the missing codes."""
        if self.min >= self.max:
            raise RubricError(f"scale: min ({self.min}) must be less than max ({self.max})")
        for what, value in (("min", self.min), ("max", self.max)):
            if abs(value) > SCALE_LIMIT:
                raise RubricError(
                    f"scale: {what} ({value}) is beyond ±{SCALE_LIMIT:,}; response codes "
                    "are small whole numbers (renumber the points)"
                )
        if self.points > MAX_SCALE_POINTS:
            raise RubricError(
                f"scale {self.min}..{self.max} has {self.points:,} points; at most "
                f"{MAX_SCALE_POINTS:,} (a percentage scale 0..100 has 101)"
            )
        if len(self.labels) != self.points:
            raise RubricError(
                f"scale {self.min}..{self.max} has {self.points} points but "
                f"{len(self.labels)} labels; give exactly one label per point"
            )
        for point, label in zip(self, self.labels, strict=True):
            if not label.strip():
                raise RubricError(f"scale: the label of point {point} is empty")
        codes = [m.code for m in self.missing]
        for code in codes:
            if abs(code) > SCALE_LIMIT:
                raise RubricError(f"scale: missing code {code} is beyond ±{SCALE_LIMIT:,}")
            if self.min <= code <= self.max:
                raise RubricError(
                    f"scale: missing code {code} is also a point of the scale "
                    f"{self.min}..{self.max}; use a code outside it"
                )
        for code in _twice(codes):
            raise RubricError(f"scale: missing code {code} is listed twice")

    @property
    def missing_codes(self) -> frozenset[int]:
        """The codes that mean "not answered"."""
        return frozenset(m.code for m in self.missing)

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


#: The item response models an item can declare (see :class:`IrtParams`).
IRT_MODELS: Final = ("grm", "gpcm", "pcm", "rsm")


def _float_tuple(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(value)


def _finite_numbers(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise RubricError(f"{attribute.name} must hold finite numbers, got {v!r}")


def _irt_model(_inst: object, _attribute: Any, value: Any) -> None:  # noqa: ANN401
    if value not in IRT_MODELS:
        raise RubricError(
            f"irt: unknown model {value!r}; use one of {', '.join(IRT_MODELS)} "
            "(2PL-style dichotomous items are grm with one threshold)"
        )


def _optional_finite(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        _finite_number(_inst, attribute, value)


@frozen(kw_only=True)
class IrtParams:
    """An item's item-response-theory model and parameters, stated toward the HIGH pole.

    The parameters describe the item's *keyed* score: the category counted from
    the low pole, ``x - min`` for an item keyed toward the high pole and
    ``max - x`` for a reverse-keyed one.  The keying is declared once (``keyed``
    on the item); the parameters never restate it.

    * ``grm`` (Samejima's graded response model): ``a`` > 0 and ``thresholds``
      ``b1 < ... < bK-1``, one fewer than the scale's points.
    * ``gpcm`` (generalized partial credit): ``a`` > 0 and ``steps`` ``d1..dK-1``
      (in any order).
    * ``pcm`` (partial credit): ``steps`` only; the discrimination is fixed at 1
      (``a`` is not given).
    * ``rsm`` (rating scale): ``location`` and ``steps`` (the category
      thresholds ``tau``, shared by every ``rsm`` item of a dimension); the
      item's steps are ``location + tau``; ``a`` is fixed at 1.

    ``scaling`` is the logistic constant D: 1 (the logistic metric, the
    default) or 1.702 (close to the normal ogive), any positive number.  The
    item that carries the parameters checks them against its scale, naming
    itself and the parameter (:meth:`problems`).
    """

    model: str = field(validator=[_irt_model, in_(IRT_MODELS)])
    """``grm``, ``gpcm``, ``pcm`` or ``rsm``."""
    a: float | None = field(default=None, validator=_optional_finite)
    """Discrimination (``grm``, ``gpcm``): positive; not given for ``pcm`` and ``rsm`` (1)."""
    thresholds: tuple[float, ...] = field(
        default=(), converter=_float_tuple, validator=_finite_numbers
    )
    """``grm``: the ordered category thresholds ``b1 < ... < bK-1``."""
    steps: tuple[float, ...] = field(default=(), converter=_float_tuple, validator=_finite_numbers)
    """``gpcm``, ``pcm``: the step parameters; ``rsm``: the shared thresholds ``tau``."""
    location: float | None = field(default=None, validator=_optional_finite)
    """``rsm``: the item's location (its steps are ``location + tau``)."""
    scaling: float = field(default=1.0, validator=_finite_number)
    """The logistic scaling constant D (1, or 1.702 for the normal-ogive metric)."""

    @property
    def discrimination(self) -> float:
        """``a``, or 1 for ``pcm`` and ``rsm``."""
        return 1.0 if self.a is None else float(self.a)

    @property
    def categories(self) -> int:
        """How many response categories the parameters describe."""
        return len(self.thresholds if self.model == "grm" else self.steps) + 1

    def effective_steps(self) -> tuple[float, ...]:
        """The GRM thresholds, or the (G)PCM step parameters (``location + tau`` for ``rsm``)."""
        if self.model == "grm":
            return self.thresholds
        if self.model == "rsm":
            return tuple(float(self.location or 0.0) + t for t in self.steps)
        return self.steps

    def problems(self, points: int | None = None) -> list[str]:
        """What is wrong with these parameters (for a scale of ``points`` points), as phrases."""
        out = []
        m = self.model
        if m in {"grm", "gpcm"}:
            if self.a is None:
                out.append(f"{m} needs the discrimination a (a positive number)")
            elif self.a <= 0:
                out.append(f"a must be positive, got {self.a!r}")
        elif self.a is not None:
            out.append(f"{m} fixes a at 1; remove a (or use model = 'gpcm')")
        if m == "grm":
            if self.steps:
                out.append("grm takes thresholds, not steps")
            bad = [
                f"b{i + 1} = {x:g} >= b{i + 2} = {y:g}"
                for i, (x, y) in enumerate(itertools.pairwise(self.thresholds))
                if not x < y
            ]
            if bad:
                out.append(f"thresholds must increase ({'; '.join(bad)})")
        elif self.thresholds:
            out.append(f"{m} takes steps, not thresholds")
        if (m == "rsm") != (self.location is not None):
            out.append(
                "rsm needs a location" if m == "rsm" else f"{m} takes no location (rsm only)"
            )
        if self.scaling <= 0:
            out.append(f"scaling (D) must be positive, got {self.scaling!r}")
        if points is not None and self.categories != points:
            name = "thresholds" if m == "grm" else "steps"
            out.append(
                f"{self.categories - 1} {name} for a scale of {points} points; give {points - 1}"
            )
        return out


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
    scale: Scale | None = field(default=None)
    """A scale for this item only; ``None`` uses the rubric's."""
    responses: tuple[ResponseScore, ...] = field(default=(), converter=_response_tuple)
    """An explicit score for every response code, when it is not simply the code."""
    irt: IrtParams | None = field(default=None)
    """Item response theory parameters (toward the high pole), for θ scoring."""

    def __attrs_post_init__(self) -> None:
        """Check the weight, the response map and the IRT parameters."""
        object.__setattr__(self, "weight", _finite_weight(f"item {self.id!r}", self.weight))
        if self.scale is not None and not isinstance(self.scale, Scale):
            raise RubricError(f"item {self.id!r}: scale must be a Scale, got {self.scale!r}")
        codes = [r.code for r in self.responses]
        for code in _twice(codes):
            raise RubricError(f"item {self.id!r}: response code {code} is scored twice")
        if self.responses and len({r.score for r in self.responses}) < 2:
            raise RubricError(f"item {self.id!r}: the response scores must not all be equal")
        if self.irt is not None:
            if not isinstance(self.irt, IrtParams):
                raise RubricError(f"item {self.id!r}: irt must be IrtParams, got {self.irt!r}")
            if self.responses:
                raise RubricError(
                    f"item {self.id!r}: irt parameters describe the scale's ordered points; "
                    "an item with a response map cannot carry them (remove one of the two)"
                )
            problems = self.irt.problems()
            if problems:
                raise RubricError(f"item {self.id!r}: irt: {'; '.join(problems)}")

    def check_scale(self, scale: Scale) -> None:
        """Check that the response map (and IRT parameters) fit the points of ``scale``."""
        if self.irt is not None and self.irt.categories != scale.points:
            raise RubricError(f"item {self.id!r}: irt: {self.irt.problems(scale.points)[-1]}")
        if self.responses and sorted(r.code for r in self.responses) != list(scale):
            raise RubricError(
                f"item {self.id!r}: its responses must score every point of its scale "
                f"{scale.min}..{scale.max} once, got codes "
                f"{sorted(r.code for r in self.responses)}"
            )

    def score_range(self, scale: Scale) -> tuple[float, float]:
        """The lowest and highest score the item can give on ``scale``."""
        if self.responses:
            scores = [r.score for r in self.responses]
            return (min(scores), max(scores))
        return (float(scale.min), float(scale.max))


@frozen(kw_only=True)
class Band:
    """A labelled interval of the 0-100 scale, e.g. ``balanced`` from 40 to 60.

    By default a band includes its lower bound and excludes its upper bound; the
    last band of a set must include 100.  Adjacent bands must agree on who owns
    the shared boundary (exactly one of them includes it).

    A band may be a single point, ``lower == upper`` with both bounds included:
    ``neutral`` only when the mean is exactly 3 is ``Band(lower=3, upper=3)``
    between a band that ends at 3 and one that starts at 3, both excluding it.

    Bands that declare ``band_gaps`` (on the rubric, or on the dimension that
    has them) may leave gaps between them; a score in a gap is in no band.
    """

    id: str = field(validator=matches_re(_ID))
    """Identifier stored in results, e.g. ``"balanced"``."""
    label: str = field(validator=[instance_of(str), _nonblank])
    """Label shown to people, e.g. ``"Balanced"``."""
    lower: float = field(validator=_finite_number)
    """Lower bound (on the 0-100 scale unless the dimension bands another metric)."""
    upper: float = field(validator=_finite_number)
    """Upper bound."""
    include_lower: bool = field(default=True, validator=instance_of(bool))
    """Whether a score equal to ``lower`` falls in this band."""
    include_upper: bool = field(default=False, validator=instance_of(bool))
    """Whether a score equal to ``upper`` falls in this band."""
    feedback: str = field(default="", validator=instance_of(str))
    """Text shown with results in this band."""

    def __attrs_post_init__(self) -> None:
        """Check that the band is not empty (a point band includes its point)."""
        if self.lower > self.upper:
            raise RubricError(
                f"band {self.id!r}: lower ({self.lower}) must not be greater than upper "
                f"({self.upper})"
            )
        if self.lower == self.upper and not (self.include_lower and self.include_upper):
            raise RubricError(
                f"band {self.id!r} runs from {self.lower} to {self.upper}, a single point, "
                "but does not include it: a point band needs include_lower and include_upper "
                "both true"
            )
        if self.lower < self.upper and narrow_gap(self.lower, self.upper):
            raise RubricError(
                f"band {self.id!r} runs from {self.lower!r} to {self.upper!r}, narrower than "
                f"the band tolerance ({BAND_TOLERANCE:g}): a score in it counts as on both "
                "its bounds; make it a point band (lower = upper) or wider"
            )

    def contains(self, value: float) -> bool:
        """Whether a 0-100 score falls in this band.

        A value within :data:`BAND_TOLERANCE` of a bound counts as equal to it:
        a score that is exactly 40 on paper may be computed as
        ``39.99999999999999``, and must not fall into the band below 40.
        """
        lower, upper = self.lower, self.upper
        if self.include_lower:
            above = value >= lower - band_slack(lower)
        else:
            above = value > lower + band_slack(lower)
        if self.include_upper:
            below = value <= upper + band_slack(upper)
        else:
            below = value < upper - band_slack(upper)
        return above and below


#: How close (relative to the bound, and at least this much absolutely) a score
#: must come to a band bound to count as on it.  Far below any difference that
#: answers can make, far above the rounding of the arithmetic (about 1e-14).
BAND_TOLERANCE = 1e-9


def band_slack(bound: float) -> float:
    """How far from ``bound`` a value still counts as on it (:data:`BAND_TOLERANCE`)."""
    return BAND_TOLERANCE * max(1.0, abs(float(bound)))


def narrow_gap(upper: float, lower: float) -> bool:
    """Whether a gap from ``upper`` (of one band) to ``lower`` (of the next) is too narrow.

    A score within :func:`band_slack` of either bound counts as on it, so a gap
    no wider than the two slacks together has scores that count as in both
    bands; :func:`check_bands` refuses such bands.
    """
    return lower - upper <= band_slack(upper) + band_slack(lower)


def band_stretches(bands: Sequence[Band], *, tick: float = 1.0) -> list[tuple[int, float, float]]:
    """Where each band lies on a 0-100 track, for drawing: ``(index, left, right)``.

    A band is clipped to 0-100 (one wholly outside leaves nothing); a point band
    (``lower == upper``) becomes a tick ``tick`` wide centred on it, kept inside
    the track, and comes after the others (drawn last, on top of its
    neighbours).  Every picture of bands (the terminal's bars, the HTML
    report's, the charts) draws these stretches, so they all show the same.
    """
    out, ticks = [], []
    for k, band in enumerate(bands):
        lo, hi = max(band.lower, 0.0), min(band.upper, 100.0)
        if hi > lo:
            out.append((k, lo, hi))
        elif hi == lo:
            left = min(max(lo - tick / 2, 0.0), 100.0 - tick)
            ticks.append((k, left, left + tick))
    return out + ticks


def check_bands(  # noqa: PLR0913 - the bands, whose they are, their range and two options
    bands: tuple[Band, ...],
    owner: str,
    low: float = 0.0,
    high: float = 100.0,
    *,
    exact: bool = True,
    gaps: bool = False,
    declare: str = "the rubric",
) -> None:
    """Check that ``bands`` cover ``low..high`` (0..100 by default) once, in order.

    With ``exact=False`` the bands may reach beyond ``low`` and ``high``.  With
    ``gaps=True`` (declared by ``band_gaps``) they may leave stretches of the
    range, or single points, in no band, at the ends too; they must still be
    in order and never overlap.  ``declare`` names where ``band_gaps`` would be
    declared, for the message that suggests it.

    Raises:
        RubricError: naming ``owner`` and the band at fault.
    """
    if not bands:
        raise RubricError(f"{owner}: needs at least one band")
    ids = [b.id for b in bands]
    for dup in _twice(ids):
        raise RubricError(f"{owner}: band id {dup!r} is used twice")
    declared = f"; or, if scores there should be in no band, declare band_gaps = true on {declare}"
    first, last = bands[0], bands[-1]
    if gaps:
        if exact and (first.lower < low or last.upper > high):
            raise RubricError(
                f"{owner}: bands must lie within {low:g} to {high:g}, but they run from "
                f"{first.lower:g} to {last.upper:g}"
            )
    else:
        starts_ok = first.lower == low if exact else first.lower <= low
        if not starts_ok or not first.include_lower:
            at = "at" if exact else "at or below"
            raise RubricError(
                f"{owner}: the first band {first.id!r} must start {at} {low:g}, inclusive{declared}"
            )
        ends_ok = last.upper == high if exact else last.upper >= high
        if not ends_ok or not last.include_upper:
            at = "at" if exact else "at or above"
            raise RubricError(
                f"{owner}: the last band {last.id!r} must end {at} {high:g}, inclusive{declared}"
            )
    for left, right in itertools.pairwise(bands):
        if left.upper > right.lower or (left.upper < right.lower and not gaps):
            fix = declared if left.upper < right.lower else ""
            raise RubricError(
                f"{owner}: bands {left.id!r} and {right.id!r} leave a gap or overlap: "
                f"{left.id!r} ends at {left.upper} but {right.id!r} starts at {right.lower}{fix}"
            )
        if left.upper < right.lower:
            if narrow_gap(left.upper, right.lower):
                raise RubricError(
                    f"{owner}: bands {left.id!r} and {right.id!r} leave a gap narrower than the "
                    f"band tolerance ({BAND_TOLERANCE:g}): {left.id!r} ends at {left.upper!r} and "
                    f"{right.id!r} starts at {right.lower!r}, so a score between them would "
                    f"count as in both; let them meet (upper of {left.id!r} = lower of "
                    f"{right.id!r}) or leave a wider gap"
                )
            continue  # a gap, declared
        if left.include_upper and right.include_lower:
            raise RubricError(
                f"{owner}: bands {left.id!r} and {right.id!r} overlap: both include the "
                f"boundary {left.upper:g}; set include_upper on {left.id!r} or include_lower "
                f"on {right.id!r} to false"
            )
        if not left.include_upper and not right.include_lower and not gaps:
            raise RubricError(
                f"{owner}: bands {left.id!r} and {right.id!r} leave a gap: neither includes "
                f"the boundary {left.upper:g}, so a score of exactly {left.upper:g} would have "
                f"no band; give it to one of them (include_upper on {left.id!r} or "
                f"include_lower on {right.id!r}), or put a point band between them (lower = "
                f"upper = {left.upper:g}){declared}"
            )


def _bands_converter(value: Iterable[Band] | None) -> tuple[Band, ...] | None:
    return None if value is None else tuple(value)


#: What a dimension's bands may label: its percent, its mean, or its headline score.
BAND_METRICS: Final = ("percent", "mean", "score")
#: Kinds of dimension.
POLARITIES: Final = ("bipolar", "unipolar")


@frozen(kw_only=True)
class Dimension:
    """A dimension: two poles, the items between them, optional sub-dimensions.

    Scores run from the ``low`` pole (0) to the ``high`` pole (100).  A dimension
    with sub-dimensions is scored from every item beneath it.  A sub-dimension's
    low pole is aligned with its parent's low pole.  A *unipolar* dimension
    measures one construct from low to high: it has no position between poles.

    Items are keyed toward a pole by its id, or with ``+`` (high) and ``-`` (low).
    """

    id: str = field(validator=matches_re(_ID))
    """Unique id; also the prefix of the result columns."""
    name: str = field(validator=[instance_of(str), _nonblank])
    """Human name, e.g. ``"Process vs. results"``."""
    low: Pole = field(factory=lambda: Pole(id="low", label="Low"), validator=instance_of(Pole))
    """The pole at 0 (here: the manager pole)."""
    high: Pole = field(factory=lambda: Pole(id="high", label="High"), validator=instance_of(Pole))
    """The pole at 100 (here: the leader pole)."""
    polarity: str = field(default="bipolar", validator=in_(POLARITIES))
    """``bipolar`` (two opposite poles) or ``unipolar`` (low to high of one construct)."""
    description: str = field(default="", validator=instance_of(str))
    """What the dimension is about."""
    items: tuple[Item, ...] = field(
        default=(), converter=_item_tuple, validator=deep_iterable(instance_of(Item))
    )
    """The items defined in this dimension."""
    item_refs: tuple[ItemRef, ...] = field(
        default=(), converter=_ref_tuple, validator=deep_iterable(instance_of(ItemRef))
    )
    """Items defined in other dimensions that count toward this one too."""
    dimensions: tuple[Dimension, ...] = field(default=(), converter=_dimension_tuple)
    """Sub-dimensions (facets); their items count toward this dimension too."""
    bands: tuple[Band, ...] | None = field(default=None, converter=_bands_converter)
    """Bands for this dimension; ``None`` uses the rubric's bands."""
    band_on: str = field(default="percent", validator=in_(BAND_METRICS))
    """What the bands label: ``percent`` (0-100), ``mean`` (item metric) or ``score``."""
    band_gaps: bool = field(default=False, validator=instance_of(bool))
    """Whether its bands may leave gaps: stretches or points of the range in no
    band (a score there is scored, with no band).  Overlaps are still refused."""
    missing: MissingPolicy | None = field(default=None)
    """A missing-data policy for this dimension; ``None`` uses the rubric's."""

    def __attrs_post_init__(self) -> None:
        """Check poles, keys, and that the dimension has items."""
        where = f"dimension {self.id!r}"
        for sub in self.dimensions:
            if not isinstance(sub, Dimension):
                raise RubricError(f"{where}: sub-dimensions must be Dimension, got {sub!r}")
        if self.low.id == self.high.id:
            raise RubricError(f"{where}: both poles have the id {self.low.id!r}")
        keys = {self.low.id, self.high.id, "+", "-"}
        keyed = [(i.id, i.keyed) for i in self.items] + [(r.id, r.keyed) for r in self.item_refs]
        for item_id, key in keyed:
            if key not in keys:
                raise RubricError(
                    f"{where}: item {item_id!r} is keyed toward {key!r}, which is not "
                    f"one of its poles ({self.low.id!r} or {self.high.id!r}, or + / -)"
                )
        if not self.items and not self.dimensions and not self.item_refs:
            raise RubricError(f"{where} has no items; give it at least one item")
        own = self.all_items()
        if own and not self.item_refs and not any(i.weight > 0 for i in own):
            raise RubricError(f"{where}: the weights of its items add up to 0")
        if self.missing is not None and not isinstance(self.missing, MissingPolicy):
            raise RubricError(f"{where}: missing must be a MissingPolicy, got {self.missing!r}")
        if self.band_on != "percent" and self.bands is None:
            raise RubricError(
                f"{where}: band_on = {self.band_on!r} needs bands of its own "
                "(the rubric's bands are on the 0-100 scale)"
            )
        if self.band_gaps and self.bands is None:
            raise RubricError(
                f"{where}: band_gaps = true needs bands of its own (for gaps in the rubric's "
                "bands, declare band_gaps = true on the rubric)"
            )
        if self.bands is not None and self.band_on == "percent":
            check_bands(self.bands, where, gaps=self.band_gaps, declare=where)

    def reverses(self, keyed: str) -> bool:
        """Whether an item keyed toward ``keyed`` is reverse-scored in this dimension.

        Raises:
            RubricError: ``keyed`` is neither a pole id of this dimension nor ``+``/``-``.
        """
        if keyed in {self.high.id, "+"}:
            return False
        if keyed in {self.low.id, "-"}:
            return True
        raise RubricError(
            f"dimension {self.id!r}: an item is keyed toward {keyed!r}, which is not one of "
            f"its poles ({self.low.id!r} or {self.high.id!r}, or + / -)"
        )

    @property
    def bipolar(self) -> bool:
        """Whether the dimension runs between two opposite poles."""
        return self.polarity == "bipolar"

    def all_items(self) -> tuple[Item, ...]:
        """Every item defined in this dimension and, depth first, its sub-dimensions."""
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
            f"{counted(len(self.all_items()) + len(self.item_refs), 'item')}>"
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

    A dimension is scored when at least ``max(min_answered, ceil(min_share *
    n_items))`` of its items are answered; otherwise it is reported as not
    scorable, with the reason.  With ``impute = "mean"`` or ``"median"``,
    unanswered items are filled with that item's mean or median over the sample
    (batch scoring only); imputed answers never count as answered.
    """

    min_answered: int = field(default=1, validator=[_strict_int, ge(0)])
    """The fewest answered items a score may rest on (0 only with imputation)."""
    min_share: float = field(default=0.5, validator=[instance_of((int, float)), ge(0), le(1)])
    """The smallest share of a dimension's items that must be answered."""
    impute: str = field(default="none", validator=in_(("none", "mean", "median")))
    """``none``, or fill unanswered items with the sample's item ``mean`` or ``median``."""

    def __attrs_post_init__(self) -> None:
        """A score needs at least one answer unless answers are imputed."""
        if self.impute == "none" and self.min_answered < 1:
            raise RubricError(
                "missing: min_answered = 0 needs imputation (impute = 'mean' or 'median'); "
                "without it a score would rest on no answer at all"
            )

    @classmethod
    def named(cls, name: str) -> MissingPolicy:
        """A policy by name, as ``score_frame(missing=...)`` and ``--missing`` take it.

        ``available``: score from whatever was answered (at least one item);
        ``mean`` / ``median``: impute every unanswered item (as psych's
        ``scoreItems(impute=...)``).
        """
        policies = {
            "available": cls(min_answered=1, min_share=0.0),
            "mean": cls(min_answered=0, min_share=0.0, impute="mean"),
            "median": cls(min_answered=0, min_share=0.0, impute="median"),
        }
        if name not in policies:
            raise RubricError(
                f"unknown missing-data policy {name!r}; use one of {', '.join(policies)}"
            )
        return policies[name]

    def required(self, n_items: int) -> int:
        """How many of ``n_items`` must be answered for a score."""
        share = math.ceil(round(self.min_share * n_items, 9))
        return max(self.min_answered, share)


#: The θ estimators (see :mod:`mgrlead.irt`): posterior mean, posterior mode, likelihood.
THETA_METHODS: Final = ("eap", "map", "ml")


def _theta_number(*, positive: bool = False, unit: bool = False) -> Any:  # noqa: ANN401
    """A validator of one θ option: a finite number (positive; or strictly between 0 and 1)."""

    def check(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
        where = f"theta.{attribute.name}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RubricError(f"{where} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise RubricError(f"{where} must be finite, got {value!r}")
        if positive and value <= 0:
            raise RubricError(f"{where} must be positive, got {value!r}")
        if unit and not 0 < value < 1:
            raise RubricError(f"{where} must be between 0 and 1 (e.g. 0.95), got {value!r}")

    return check


def _theta_method(_inst: object, _attribute: Any, value: Any) -> None:  # noqa: ANN401
    if value not in THETA_METHODS:
        raise RubricError(
            f"theta.method: unknown estimator {value!r}; use one of {', '.join(THETA_METHODS)}"
        )


def _theta_points(_inst: object, _attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise RubricError(f"theta.points must be a whole number of at least 3, got {value!r}")


@frozen(kw_only=True)
class ThetaOptions:
    """How the ``theta`` strategy estimates θ (the rubric's ``[theta]`` section).

    Used when the rubric (or the caller) chooses ``strategy = "theta"``: every
    dimension is then scored on the latent trait from its items' IRT parameters
    (see docs/irt.md).  The defaults are EAP under a N(0, 1) prior on 61 points
    from -6 to 6.
    """

    method: str = field(default="eap", validator=_theta_method)
    """``eap`` (posterior mean), ``map`` (posterior mode) or ``ml`` (no prior)."""
    prior_mean: float = field(default=0.0, validator=_theta_number())
    """The mean of the normal prior (EAP, MAP; the percentile's population for every method)."""
    prior_sd: float = field(default=1.0, validator=_theta_number(positive=True))
    """The standard deviation of the normal prior."""
    points: int = field(default=61, validator=_theta_points)
    """Quadrature nodes (EAP; MAP and ML start from the best node)."""
    lower: float = field(default=-6.0, validator=_theta_number())
    """The lowest node."""
    upper: float = field(default=6.0, validator=_theta_number())
    """The highest node."""
    confidence: float = field(default=0.95, validator=_theta_number(unit=True))
    """The level of the interval θ ± z·SE that the borderline flag reads."""

    def __attrs_post_init__(self) -> None:
        """``lower < upper``."""
        if not self.lower < self.upper:
            raise RubricError(
                f"theta: lower ({self.lower:g}) must be less than upper ({self.upper:g})"
            )


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
    overall: bool = field(default=True, validator=instance_of(bool))
    """Whether the dimensions add up to an overall result.  ``False`` for an
    inventory of separate traits (the Big Five): no engine then computes one (it
    is not scorable, with that reason) and reports show none."""
    bands: tuple[Band, ...] = field(default=DEFAULT_BANDS, converter=_band_tuple)
    """Bands of the 0-100 scale used to label dimensions and the overall result."""
    band_gaps: bool = field(default=False, validator=instance_of(bool))
    """Whether :attr:`bands` may leave gaps: stretches or points of 0-100 in no
    band (a score there is scored, with no band).  Overlaps are still refused.
    A dimension's own bands declare their gaps on the dimension."""
    missing: MissingPolicy = field(factory=MissingPolicy, validator=instance_of(MissingPolicy))
    """When a dimension with unanswered items is still scored."""
    theta: ThetaOptions | None = field(default=None)
    """How the ``theta`` strategy estimates θ; ``None``: its defaults (EAP, N(0, 1), 61 points)."""
    authors: tuple[str, ...] = field(default=(), converter=_str_tuple)
    """Who wrote the instrument."""
    licence: str = field(default="", validator=instance_of(str))
    """Its licence, e.g. ``"public domain"`` or ``"MIT"``."""
    source: str = field(default="", validator=instance_of(str))
    """Where it comes from (a citation or an address)."""
    intended_use: str = field(default="", validator=instance_of(str))
    """What it is for, and what it is not for."""
    requires_plugins: tuple[str, ...] = field(default=(), converter=_str_tuple)
    """Plugin distributions it needs, as requirements: ``"mgrlead-change-agent>=1.0"``."""
    language: str = field(default="en", validator=matches_re(r"[a-z]{2,3}(-[A-Za-z0-9]+)*"))
    """The language of the texts written inline (the fallback language)."""
    translations: Mapping[str, Mapping[str, str]] = field(
        factory=dict, converter=_translations, hash=False
    )
    """Texts in other languages: ``{"de": {"item.pr1.text": "...", ...}}``.

    Keys are listed by :meth:`text_keys`.  A rubric made from another (with
    ``attrs.evolve``) keeps the translations of the texts it still has: those
    of items, dimensions, bands or scale points it no longer has are left
    out (a rubric *file* that translates a text it does not have is an error,
    naming the key).  A text not translated falls back to the
    inline one.  See :meth:`localized`."""
    sources: Mapping[str, str] = field(
        factory=dict,
        converter=_str_dict,
        eq=False,
        hash=False,
        repr=False,
        metadata={NOT_IN_FILES: True},
    )
    """Which plugin contributed what (``"dimension:change": "mgrlead-change-agent 1.0"``).

    Filled in by the plugin host; not part of the rubric's content (not compared)."""
    host: StrategyResolver | None = field(
        default=None, eq=False, hash=False, repr=False, metadata={NOT_IN_FILES: True}
    )
    """The plugin host the rubric was built with, which resolves its strategy name.

    Set by the host (:meth:`PluginHost.rubric <mgrlead.plugins.host.PluginHost.rubric>`,
    :meth:`~mgrlead.plugins.host.PluginHost.build_rubric`); kept by ``attrs.evolve``.
    ``None``: the process-wide host.  Not part of the rubric's content (not
    compared, not written to files)."""

    def __attrs_post_init__(self) -> None:
        """Check the cross-field invariants of the whole rubric."""
        where = f"rubric {self.id!r}"
        if not self.dimensions:
            raise RubricError(f"{where} has no dimensions; give it at least one")
        if self.theta is not None and not isinstance(self.theta, ThetaOptions):
            raise RubricError(f"{where}: theta must be ThetaOptions, got {self.theta!r}")
        for band in self.bands:
            if not isinstance(band, Band):
                raise RubricError(f"{where}: bands must be Band, got {band!r}")
        check_bands(self.bands, where, gaps=self.band_gaps)
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
        self._check_membership(where, seen_items)
        self._check_item_scales(where)
        self._check_translations(where)
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

    def _check_membership(self, where: str, defined: Mapping[str, str]) -> None:
        for dim in self.walk():
            for ref in dim.item_refs:
                if ref.id not in defined:
                    raise RubricError(
                        f"{where}: dimension {dim.id!r} refers to item {ref.id!r}, "
                        "which no dimension defines"
                    )
            members = self.members(dim)
            ids = [item_id for item_id, _ in members]
            for dup in _twice(ids):
                raise RubricError(f"{where}: item {dup!r} counts twice toward dimension {dim.id!r}")
            policy = dim.missing if dim.missing is not None else self.missing
            if policy.required(len(ids)) > len(ids):
                raise RubricError(
                    f"{where}: dimension {dim.id!r} has {counted(len(ids), 'item')} but its "
                    "missing-data "
                    f"policy needs {policy.required(len(ids))} answered; it could never be "
                    "scored (lower missing.min_answered)"
                )
            if not any(self.weighting.item_weight(self.item(i)) > 0 for i in ids):
                raise RubricError(
                    f"{where}: under weighting {self.weighting.id!r} the items of dimension "
                    f"{dim.id!r} all weigh 0"
                )

    def _check_item_scales(self, where: str) -> None:
        problems = []
        for item in self.items:
            try:
                item.check_scale(self.item_scale(item))
            except RubricError as exc:  # noqa: PERF203 - the first problem is reported
                problems.append(str(exc))
        if problems:
            raise RubricError(f"{where}: {problems[0]}")
        by_id = {item.id: item for item in self.items if item.irt is not None}
        for dim in self.walk() if by_id else ():
            declared = [(i, by_id[i].irt) for i, _ in self.members(dim) if i in by_id]
            rsm = [(i, p.steps) for i, p in declared if p is not None and p.model == "rsm"]
            for item_id, steps in rsm[1:]:
                if steps != rsm[0][1]:
                    raise RubricError(
                        f"{where}: dimension {dim.id!r}: rsm items share their steps (tau), but "
                        f"item {item_id!r} has {list(steps)} and item {rsm[0][0]!r} "
                        f"{list(rsm[0][1])}; use the same steps, or model = 'pcm'"
                    )
        for dim in self.walk():
            if dim.bands is None or dim.band_on != "mean":
                continue
            ranges = [self.item(i).score_range(self.item_scale(self.item(i))) for i, _ in
                      self.members(dim)]  # fmt: skip
            check_bands(
                dim.bands,
                f"{where}, dimension {dim.id!r}",
                min(r[0] for r in ranges),
                max(r[1] for r in ranges),
                exact=False,
                gaps=dim.band_gaps,
                declare=f"dimension {dim.id!r}",
            )

    def _check_translations(self, where: str) -> None:
        keys = self.text_keys()
        kept: dict[str, dict[str, str]] = {}
        for lang, texts in self.translations.items():
            if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", lang):
                raise RubricError(f"{where}: {lang!r} is not a language tag like 'de' or 'pt-BR'")
            for key, text in texts.items():
                if key not in keys and not _TEXT_KEY.fullmatch(key):
                    hint = did_you_mean(key, keys)
                    raise RubricError(
                        f"{where}: translation {lang!r} has the unknown text key {key!r}{hint}"
                    )
                if not text.strip():
                    raise RubricError(f"{where}: translation {lang!r} of {key!r} is empty")
            kept[lang] = {key: text for key, text in texts.items() if key in keys}
        if kept != self.translations:  # texts of parts this rubric no longer has
            object.__setattr__(self, "translations", kept)

    def members(self, dim: Dimension) -> tuple[tuple[str, bool], ...]:
        """Every item that counts toward ``dim``, with whether it is reverse-scored there.

        Items of sub-dimensions count with their sub-dimension's keying (the
        poles are aligned); item references with their own.
        """
        out = [(item.id, dim.reverses(item.keyed)) for item in dim.items]
        out += [(ref.id, dim.reverses(ref.keyed)) for ref in dim.item_refs]
        for sub in dim.dimensions:
            out += self.members(sub)
        return tuple(out)

    def item_scale(self, item: Item) -> Scale:
        """The scale ``item`` is answered on (its own, else the rubric's)."""
        return item.scale if item.scale is not None else self.scale

    def bands_of(self, dim: Dimension) -> tuple[Band, ...]:
        """The bands ``dim`` is labelled with (its own, else the rubric's)."""
        return dim.bands if dim.bands is not None else self.bands

    def walk(self) -> Iterator[Dimension]:
        """Every dimension, sub-dimensions included, depth first."""
        for dim in self.dimensions:
            yield from dim.walk()

    def text_keys(self) -> dict[str, str]:
        """Every translatable text, by key, in the inline language."""
        keys = {
            "title": self.title,
            "description": self.description,
            "instructions": self.instructions,
            "low_label": self.low_label,
            "high_label": self.high_label,
        }
        for point, label in zip(self.scale, self.scale.labels, strict=True):
            keys[f"scale.labels.{point}"] = label
        for band in self.bands:
            keys[f"band.{band.id}.label"] = band.label
            keys[f"band.{band.id}.feedback"] = band.feedback
        for dim in self.walk():
            prefix = f"dimension.{dim.id}"
            keys[f"{prefix}.name"] = dim.name
            keys[f"{prefix}.description"] = dim.description
            for side, pole in (("low", dim.low), ("high", dim.high)):
                for name in _POLE_TEXTS:
                    keys[f"{prefix}.{side}.{name}"] = getattr(pole, name)
            for band in dim.bands or ():
                keys[f"{prefix}.band.{band.id}.label"] = band.label
                keys[f"{prefix}.band.{band.id}.feedback"] = band.feedback
            for item in dim.items:
                keys[f"item.{item.id}.text"] = item.text
        return keys

    def localized(self, language: str) -> Rubric:
        """This rubric with its texts in ``language``; untranslated texts fall back.

        Scores do not change, nor does the content hash: only texts do.  The
        result's :attr:`language` is ``language``, and the texts it replaced
        are its translation into the language they were in, so
        ``rubric.localized("de").localized("en") == rubric`` for a complete
        translation.

        Raises:
            RubricError: the rubric has no translation into ``language``.
        """
        if language == self.language:
            return self
        if language not in self.translations:
            known = ", ".join([self.language, *self.translations])
            raise RubricError(f"rubric {self.id!r} has no texts in {language!r}; it has: {known}")
        texts = self.translations[language]

        def t(key: str, current: str) -> str:
            return texts.get(key, current)

        def band(b: Band, prefix: str) -> Band:
            return evolve(
                b,
                label=t(f"{prefix}.{b.id}.label", b.label),
                feedback=t(f"{prefix}.{b.id}.feedback", b.feedback),
            )

        def pole(p: Pole, prefix: str) -> Pole:
            return evolve(p, **{n: t(f"{prefix}.{n}", getattr(p, n)) for n in _POLE_TEXTS})

        def dimension(d: Dimension) -> Dimension:
            prefix = f"dimension.{d.id}"
            return evolve(
                d,
                name=t(f"{prefix}.name", d.name),
                description=t(f"{prefix}.description", d.description),
                low=pole(d.low, f"{prefix}.low"),
                high=pole(d.high, f"{prefix}.high"),
                items=[evolve(i, text=t(f"item.{i.id}.text", i.text)) for i in d.items],
                dimensions=[dimension(s) for s in d.dimensions],
                bands=None if d.bands is None else [band(b, f"{prefix}.band") for b in d.bands],
            )

        scale = evolve(
            self.scale,
            labels=[t(f"scale.labels.{p}", lab) for p, lab in zip(self.scale, self.scale.labels,
                                                                  strict=True)],
        )  # fmt: skip
        # the inline language becomes a translation, so the texts can go back
        inline = {key: text for key, text in self.text_keys().items() if text.strip()}
        others = {lang: dict(t) for lang, t in self.translations.items() if lang != language}
        return evolve(
            self,
            title=t("title", self.title),
            description=t("description", self.description),
            instructions=t("instructions", self.instructions),
            low_label=t("low_label", self.low_label),
            high_label=t("high_label", self.high_label),
            scale=scale,
            bands=[band(b, "band") for b in self.bands],
            dimensions=[dimension(d) for d in self.dimensions],
            language=language,
            translations={self.language: inline, **others},
        )

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item the rubric defines, in the order of its dimensions."""
        return tuple(item for dim in self.dimensions for item in dim.all_items())

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The id of every item, in rubric order."""
        return tuple(item.id for item in self.items)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension (at any depth) with this id.

        Raises:
            UnknownIdError: when there is none (a :class:`KeyError` naming the closest id).
        """
        for dim in self.walk():
            if dim.id == dimension_id:
                return dim
        raise UnknownIdError(dimension_id, [d.id for d in self.walk()], "dimension")

    def item(self, item_id: str) -> Item:
        """The item with this id.

        Raises:
            UnknownIdError: when there is none (a :class:`KeyError` naming the closest id).
        """
        for dim in self.walk():
            for item in dim.items:
                if item.id == item_id:
                    return item
        raise UnknownIdError(item_id, [i.id for d in self.walk() for i in d.items], "item")

    @classmethod
    def from_keys(  # noqa: PLR0913 - mirrors psych's scoreItems arguments
        cls,
        keys: Mapping[str, Sequence[str]],
        *,
        min: int,  # noqa: A002 - psych's name
        max: int,  # noqa: A002
        labels: Sequence[str] | None = None,
        id: str = "keys",  # noqa: A002
        version: str = "1",
        title: str = "Scales from a keys list",
        strategy: str = "mean",
        missing: MissingPolicy | None = None,
    ) -> Rubric:
        """A rubric from a psych-style keys list: ``{"scale": ["item1", "-item2"]}``.

        A leading ``-`` reverse-keys an item.  Every scale becomes a unipolar
        dimension; an item listed in several scales counts toward each (with the
        keying given there).  Reverse keying uses ``min`` and ``max``, as
        ``psych::scoreItems(keys, items, min=, max=)`` does.

        Example:
            >>> rubric = Rubric.from_keys({"agree": ["A1", "-A2"]}, min=1, max=6)
            >>> rubric.dimension("agree").items[1].keyed
            '-'
        """
        if not keys:
            raise RubricError("from_keys: the keys list is empty")
        points = max - min + 1
        scale = Scale(
            min=min,
            max=max,
            labels=list(labels) if labels is not None else [str(p) for p in range(min, max + 1)],
        ) if points >= 2 else Scale(min=min, max=max, labels=[])  # fmt: skip
        defined: set[str] = set()
        dims = []
        for scale_id, entries in keys.items():
            if isinstance(entries, str):
                raise RubricError(
                    f"from_keys: the keys of {scale_id!r} must be a list of item names, "
                    f"not the string {entries!r}"
                )
            own: list[Item] = []
            refs: list[ItemRef] = []
            for entry in entries:
                keyed = "-" if entry.startswith("-") else "+"
                name = entry.removeprefix("-").removeprefix("+")
                if name in defined:
                    refs.append(ItemRef(id=name, keyed=keyed))
                else:
                    defined.add(name)
                    own.append(Item(id=name, text=name, keyed=keyed))
            dims.append(
                Dimension(
                    id=scale_id, name=scale_id, polarity="unipolar", items=own, item_refs=refs
                )
            )
        return cls(
            id=id,
            version=version,
            title=title,
            scale=scale,
            dimensions=dims,
            strategy=strategy,
            missing=missing if missing is not None else MissingPolicy(),
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # noqa: ANN401 - the protocol
        """How pretty-printers (IPython, hypothesis' failing examples) show a rubric.

        Every field, as hypothesis shows attrs classes, except that long
        translations are counted rather than written out (the built-in
        rubric's would take 50 kB).
        """
        if cycle:
            p.text("Rubric(...)")
            return
        names = [a.name for a in fields(type(self)) if a.init and a.repr]
        with p.group(len("Rubric("), "Rubric(", ")"):
            for n, name in enumerate(names):
                if n:
                    p.text(",")
                    p.breakable()
                p.text(f"{name}=")
                value = getattr(self, name)
                if name == "translations" and sum(len(str(t)) for t in value.values()) > 2000:
                    shown = ", ".join(f"{lang!r}: <{len(t)} texts>" for lang, t in value.items())
                    p.text("{" + shown + "}")
                else:
                    p.pretty(value)

    def __repr__(self) -> str:
        """``<Rubric id version: N dimensions, M items>``."""
        return (
            f"<Rubric {self.id} {self.version}: {counted(len(self.dimensions), 'dimension')}, "
            f"{counted(len(self.items), 'item')}>"
        )
