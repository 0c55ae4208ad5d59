"""Results: the score of one dimension, the overall result, and a respondent's profile.

The result classes are also the table of output metrics.  A field marked with
:func:`metric` is an output column in every engine: ``{dimension}_{name}`` for
:class:`DimensionScore`, ``overall_{name}`` for :class:`OverallScore`,
``careless_{name}`` for :class:`CarelessIndicators` and ``{dimension}_{name}``
for :class:`NormScore` (with norms).  :data:`DIMENSION_METRICS` and its siblings
list them, in column order, with their kind (``float``, ``int``, ``str`` or
``bool``) and dtype; the engines' columns, :class:`~mgrlead.engines.batch.BatchScores`,
the kinds of a :class:`~mgrlead.io.table.ScoreTable` and the JSON Schema of
results are all read from these lists.  Adding an output column means adding a
field here and its formula in :mod:`mgrlead.engines.kernel`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal

from attrs import asdict, field, fields, frozen

from mgrlead.conversion import field_docs
from mgrlead.errors import InputError, UnknownIdError

__all__ = [
    "CARELESS_METRICS",
    "DIMENSION_METRICS",
    "NORM_METRICS",
    "OVERALL_METRICS",
    "THETA_METRICS",
    "CarelessIndicators",
    "DimensionScore",
    "Metric",
    "NormScore",
    "OverallScore",
    "Profile",
    "ThetaResult",
    "column_kinds",
    "dimension_metrics",
    "metric",
    "score_column_names",
]

#: Field metadata key naming a field's column kind.
_METRIC: Final = "mgrlead.metric"

Kind = Literal["float", "int", "str", "bool"]

#: The dtype each kind of column has (numpy's names; text is ``string``).
DTYPES: Final[Mapping[str, str]] = {
    "float": "float64",
    "int": "int64",
    "str": "string",
    "bool": "bool",
}


def metric(kind: Kind, *, default: Any = None, has_default: bool = False) -> Any:  # noqa: ANN401
    """An attrs field that is also an output column of kind ``kind``."""
    if has_default:
        return field(default=default, metadata={_METRIC: kind})
    return field(metadata={_METRIC: kind})


@frozen
class Metric:
    """One output metric: its name, kind and dtype, and what it means."""

    name: str
    """The field name, and the column suffix (``percent`` in ``process_results_percent``)."""
    kind: str
    """``float``, ``int``, ``str`` or ``bool``: the kind of a score table column."""
    dtype: str
    """The column's dtype: ``float64``, ``int64``, ``string`` or ``bool``."""
    nullable: bool
    """Whether the value may be missing (``None``, NaN or null)."""
    owner: type = field(eq=False, repr=False)
    """The result class whose field this is."""

    @property
    def description(self) -> str:
        """What the metric is: the field's docstring (read from the source on first use)."""
        return field_docs(self.owner).get(self.name, "")


def _metrics_of(cls: type) -> tuple[Metric, ...]:
    out = []
    for f in fields(cls):
        kind = f.metadata.get(_METRIC)
        if kind is None:
            continue
        nullable = f.type is not None and "None" in str(f.type)  # `float | None` (postponed)
        out.append(Metric(f.name, kind, DTYPES[kind], nullable, cls))
    return tuple(out)


@frozen(kw_only=True, weakref_slot=False)
class DimensionScore:
    """The score of one dimension for one respondent.

    When fewer items were answered than the rubric's missing-data policy needs,
    ``scorable`` is false, ``reason`` says why, and every number is ``None``:
    a missing score is never shown as a number.
    """

    dimension: str
    """The dimension id."""
    parent: str | None
    """The id of the parent dimension, ``None`` for a top-level dimension."""
    scorable: bool
    """Whether enough items were answered to score the dimension."""
    reason: str | None
    """Why the dimension is not scorable (``None`` when it is)."""
    n_items: int
    """How many items the dimension has (including sub-dimensions)."""
    sum: float | None = metric("float")
    """Weighted sum of the answered items, after reverse keying, in the item metric."""
    mean: float | None = metric("float")
    """Weighted mean of the answered items, after reverse keying, in the item metric."""
    percent: float | None = metric("float")
    """0-100 percent of maximum possible (0 = low pole, 100 = high pole)."""
    position: float | None = metric("float")
    """Position between the poles from -1 (low pole) through 0 (midpoint) to +1 (high pole)."""
    score: float | None = metric("float")
    """The headline score chosen by the rubric's scoring strategy."""
    answered: int = metric("int")
    """How many of its items were answered."""
    missing: int = metric("int")
    """How many of its items were not answered."""
    imputed: int = metric("int", default=0, has_default=True)
    """How many unanswered items were filled in by imputation."""
    band: str | None = metric("str")
    """Id of the band the score falls in (``None``: not scorable, or in a gap the
    bands leave, when they declare ``band_gaps``)."""
    band_label: str | None
    """Label of that band."""
    norm: NormScore | None = None
    """The score compared with norms (z, T, percentile, sten, stanine, interval)."""
    theta: ThetaResult | None = None
    """θ with its standard error, under the ``theta`` strategy (``None`` otherwise, and
    when not scorable)."""


@frozen(kw_only=True, weakref_slot=False)
class OverallScore:
    """The weighted composite of the top-level dimensions on the 0-100 scale."""

    scorable: bool
    """Whether every weighted top-level dimension was scorable."""
    reason: str | None
    """Why the overall result is not scorable (``None`` when it is)."""
    percent: float | None = metric("float")
    """Weighted mean of the top-level dimensions' percent scores."""
    position: float | None = metric("float")
    """The same on the -1..+1 scale."""
    band: str | None = metric("str")
    """Id of the band the overall percent falls in (``None``: not scorable, or in a
    gap the bands leave, when they declare ``band_gaps``)."""
    band_label: str | None
    """Label of that band."""


@frozen(kw_only=True, weakref_slot=False)
class CarelessIndicators:
    """The careless-responding indicators of one respondent (``None`` when undefined).

    See :mod:`mgrlead.engines.kernel` for the formulas; they never change scores.
    """

    longest_run: int = metric("int")
    """The longest run of identical consecutive answers (0 with no answer)."""
    irv: float | None = metric("float")
    """Standard deviation of the answers on a -1..+1 scale; needs two answers."""
    acquiescence: float | None = metric("float")
    """Mean answer on a -1..+1 scale over balanced bipolar dimensions."""
    both_poles: int = metric("int")
    """Bipolar dimensions agreed with on both sides."""


@frozen(kw_only=True)
class NormScore:
    """A score compared with a norm group."""

    group: str
    """The norm group used."""
    fallback: bool
    """Whether the respondent's own group had no norms and the fallback was used."""
    raw: float
    """The score compared (the table's metric)."""
    z: float = metric("float")
    """Standard score."""
    t: float = metric("float")
    """T score, 50 + 10 z."""
    percentile: float = metric("float")
    """Percentile in the norm group."""
    sten: int = metric("int")
    """Sten, 1..10."""
    stanine: int = metric("int")
    """Stanine, 1..9."""
    sem: float | None = None
    """Standard error of measurement (needs a reliability)."""
    ci_low: float | None = metric("float", default=None, has_default=True)
    """Lower end of the confidence interval of the raw score."""
    ci_high: float | None = metric("float", default=None, has_default=True)
    """Upper end."""
    borderline: bool | None = metric("bool", default=None, has_default=True)
    """Whether the interval crosses a band boundary (``None``: not comparable)."""


@frozen(kw_only=True, weakref_slot=False)
class ThetaResult:
    """A dimension's θ under the ``theta`` strategy (see :mod:`mgrlead.irt`).

    The headline ``score`` of the dimension is then ``theta``; its bands, when
    declared on the ``score``, are in θ units.
    """

    method: str
    """The estimator: ``eap``, ``map`` or ``ml``."""
    theta: float = metric("float")
    """The estimate of the latent trait (0 = the calibration sample's mean, 1 its SD)."""
    theta_se: float = metric("float")
    """Its standard error: the posterior SD (EAP) or 1/sqrt(information) at the estimate."""
    t_score: float = metric("float")
    """``50 + 10 θ``."""
    theta_percentile: float = metric("float")
    """The percentage of the prior population below θ."""
    theta_borderline: bool | None = metric("bool", default=None, has_default=True)
    """Whether the interval θ ± z·SE crosses a boundary of the dimension's bands
    (``None``: its bands label the percent or mean, not θ)."""


#: The per-dimension output columns, ``{dimension}_{name}``, in column order.
DIMENSION_METRICS: Final = _metrics_of(DimensionScore)
#: The overall output columns, ``overall_{name}``.
OVERALL_METRICS: Final = _metrics_of(OverallScore)
#: The careless-responding columns, ``careless_{name}``.
CARELESS_METRICS: Final = _metrics_of(CarelessIndicators)
#: The per-dimension norm columns, ``{dimension}_{name}``, added with norms.
NORM_METRICS: Final = _metrics_of(NormScore)
#: The per-dimension θ columns, ``{dimension}_{name}``, added under the ``theta`` strategy.
THETA_METRICS: Final = _metrics_of(ThetaResult)


def dimension_metrics(*, theta: bool = False) -> tuple[Metric, ...]:
    """Each dimension's output metrics, in column order (with the θ ones under ``theta``)."""
    return (*DIMENSION_METRICS, *THETA_METRICS) if theta else DIMENSION_METRICS


def score_column_names(
    dimension_ids: Sequence[str], *, careless: bool = True, theta: bool = False
) -> list[str]:
    """The names of the score columns for these dimensions, in order.

    ``theta``: with the θ columns of each dimension (the ``theta`` strategy).
    """
    metrics = dimension_metrics(theta=theta)
    names = [f"{d}_{m.name}" for d in dimension_ids for m in metrics]
    names += [f"overall_{m.name}" for m in OVERALL_METRICS]
    if careless:
        names += [f"careless_{m.name}" for m in CARELESS_METRICS]
    return names


def column_kinds(
    dimension_ids: Sequence[str], *, norms: bool = True, theta: bool = True
) -> dict[str, str]:
    """The kind of every score (and norm, and θ) column these dimensions can have, by name."""
    metrics = dimension_metrics(theta=theta)
    kinds = {f"{d}_{m.name}": m.kind for d in dimension_ids for m in metrics}
    kinds |= {f"overall_{m.name}": m.kind for m in OVERALL_METRICS}
    kinds |= {f"careless_{m.name}": m.kind for m in CARELESS_METRICS}
    if norms:
        kinds["norm_group"] = "str"
        kinds |= {f"{d}_{m.name}": m.kind for d in dimension_ids for m in NORM_METRICS}
    return kinds


def _score_tuple(value: Iterable[DimensionScore]) -> tuple[DimensionScore, ...]:
    return tuple(value)


@frozen(kw_only=True, repr=False, weakref_slot=False)
class Profile:
    """One respondent's result: a score per dimension and the overall result.

    Index it by dimension id (``profile["process_results"]``) or iterate over
    its dimension scores.  ``to_dict``/``from_dict`` and ``to_json``/``from_json``
    round-trip exactly.
    """

    rubric: str
    """Id of the rubric that produced it."""
    rubric_version: str
    """Version of that rubric."""
    content_hash: str = ""
    """SHA-256 of everything in the rubric that affects scores.

    See :func:`mgrlead.plan.content_hash`.
    """
    mgrlead_version: str = ""
    """The version of mgrlead that scored it."""
    strategy: str
    """The scoring strategy used for the headline ``score``."""
    weighting: str
    """Id of the weighting scheme used for the overall result."""
    sources: dict[str, str] = field(factory=dict, hash=False)
    """Which plugin contributed the rubric, each dimension, the scheme and the strategy."""
    dimensions: tuple[DimensionScore, ...] = field(converter=_score_tuple)
    """Every dimension's score, sub-dimensions included, depth first."""
    overall: OverallScore
    """The overall result."""
    norms: str | None = None
    """The norm table used (``"id version"``), if any."""
    careless: CarelessIndicators | None = None
    """Careless-responding indicators (see :mod:`mgrlead.engines.kernel`); never change scores."""

    def comparable_with(self, other: Profile) -> bool:
        """Whether ``other`` was scored by a rubric with the same scoring content."""
        return bool(self.content_hash) and self.content_hash == other.content_hash

    def __getitem__(self, dimension_id: str) -> DimensionScore:
        """The score of one dimension, by id.

        Raises:
            UnknownIdError: no dimension has that id (a :class:`KeyError` naming
                the closest id, in any case).
        """
        for score in self.dimensions:
            if score.dimension == dimension_id:
                return score
        raise UnknownIdError(dimension_id, [s.dimension for s in self.dimensions], "dimension")

    def __iter__(self) -> Iterator[DimensionScore]:
        """The dimension scores, depth first."""
        return iter(self.dimensions)

    def __len__(self) -> int:
        """How many dimension scores the profile holds."""
        return len(self.dimensions)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (numbers, strings, booleans and ``None`` only)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Rebuild a profile from :meth:`to_dict` output.

        Raises:
            InputError: the data is not a profile; the message lists every problem.
        """
        from mgrlead.conversion import problems, structure_errors  # noqa: PLC0415

        try:
            profile: Profile = _converter().structure(data, Profile)
        except structure_errors() as exc:
            raise InputError(f"not a valid profile: {'; '.join(problems(exc))}") from exc
        return profile

    def to_json(self, **kwargs: Any) -> str:  # noqa: ANN401
        """The profile as JSON text; keyword arguments go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_json(cls, text: str | bytes) -> Profile:
        """Rebuild a profile from :meth:`to_json` output.

        Raises:
            InputError: the text is not JSON, or not a profile.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise InputError(f"not a valid profile: not JSON ({exc})") from exc
        return cls.from_dict(data)

    def __repr__(self) -> str:
        """``<Profile rubric version: overall 62.5 (Balanced)>``."""
        head = f"<Profile {self.rubric} {self.rubric_version}: "
        if not self.overall.scorable or self.overall.percent is None:
            return head + "overall not scorable>"
        return head + f"overall {self.overall.percent:.1f} ({self.overall.band_label})>"


@functools.cache
def _converter() -> Any:  # noqa: ANN401 - a cattrs converter
    from mgrlead.conversion import strict_converter  # noqa: PLC0415

    return strict_converter()
