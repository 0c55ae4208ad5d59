"""Results: the score of one dimension, the overall result, and a respondent's profile."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from attrs import asdict, field, frozen

from mgrlead.careless import CarelessIndicators  # noqa: TC001 - cattrs needs it at run time
from mgrlead.norms import NormScore  # noqa: TC001 - cattrs needs it at run time

__all__ = ["DimensionScore", "OverallScore", "Profile"]


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
    answered: int
    """How many of them were answered."""
    missing: int
    """How many of them were not answered."""
    imputed: int = 0
    """How many unanswered items were filled in by imputation."""
    sum: float | None
    """Weighted sum of the answered items, after reverse keying, in the item metric."""
    mean: float | None
    """Weighted mean of the answered items, after reverse keying, in the item metric."""
    percent: float | None
    """0-100 percent of maximum possible (0 = low pole, 100 = high pole)."""
    position: float | None
    """Position between the poles from -1 (low pole) through 0 (midpoint) to +1 (high pole)."""
    score: float | None
    """The headline score chosen by the rubric's scoring strategy."""
    band: str | None
    """Id of the band the percent score falls in."""
    band_label: str | None
    """Label of that band."""
    norm: NormScore | None = None
    """The score compared with norms (z, T, percentile, sten, stanine, interval)."""


@frozen(kw_only=True, weakref_slot=False)
class OverallScore:
    """The weighted composite of the top-level dimensions on the 0-100 scale."""

    scorable: bool
    """Whether every weighted top-level dimension was scorable."""
    reason: str | None
    """Why the overall result is not scorable (``None`` when it is)."""
    percent: float | None
    """Weighted mean of the top-level dimensions' percent scores."""
    position: float | None
    """The same on the -1..+1 scale."""
    band: str | None
    """Id of the band the overall percent falls in."""
    band_label: str | None
    """Label of that band."""


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
    """SHA-256 of everything in the rubric that affects scores (see :mod:`mgrlead.provenance`)."""
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
    """Careless-responding indicators (see :mod:`mgrlead.careless`); never change scores."""

    def comparable_with(self, other: Profile) -> bool:
        """Whether ``other`` was scored by a rubric with the same scoring content."""
        return bool(self.content_hash) and self.content_hash == other.content_hash

    def __getitem__(self, dimension_id: str) -> DimensionScore:
        """The score of one dimension, by id."""
        for score in self.dimensions:
            if score.dimension == dimension_id:
                return score
        raise KeyError(dimension_id)

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
        """Rebuild a profile from :meth:`to_dict` output."""
        from mgrlead.serialize import structure_profile  # noqa: PLC0415

        return structure_profile(data)

    def to_json(self, **kwargs: Any) -> str:  # noqa: ANN401
        """The profile as JSON text; keyword arguments go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_json(cls, text: str | bytes) -> Profile:
        """Rebuild a profile from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        """``<Profile rubric version: overall 62.5 (Balanced)>``."""
        head = f"<Profile {self.rubric} {self.rubric_version}: "
        if not self.overall.scorable or self.overall.percent is None:
            return head + "overall not scorable>"
        return head + f"overall {self.overall.percent:.1f} ({self.overall.band_label})>"
