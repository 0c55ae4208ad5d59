"""Change over time: the reliable change index between two profiles of one person.

Jacobson & Truax (1991): for a dimension with standard deviation ``s`` and
reliability ``r`` in the norm group,

    SEM    = s * sqrt(1 - r)
    S_diff = sqrt(2) * SEM
    RCI    = (after - before) / S_diff

and the change is reliable when ``|RCI| > 1.96`` (95 %).  Profiles whose
provenance says they were scored differently (another rubric, another version
that scores differently) are refused: their difference would mean nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from attrs import frozen

from mgrlead.analysis.provenance import check_comparable

if TYPE_CHECKING:
    from mgrlead.analysis.norms import NormTable
    from mgrlead.results import Profile

__all__ = ["ChangeScore", "reliable_change"]

#: The two-sided 95 % critical value.
CRITICAL = 1.96


@frozen(kw_only=True)
class ChangeScore:
    """The change of one dimension between two profiles."""

    dimension: str
    before: float | None
    after: float | None
    difference: float | None
    rci: float | None
    reliable: bool | None
    """Whether ``|RCI|`` exceeds 1.96; ``None`` when either score or the norms are missing."""


def reliable_change(
    before: Profile, after: Profile, norms: NormTable, group: str | None = None
) -> tuple[ChangeScore, ...]:
    """The reliable change index of every dimension between two profiles.

    Args:
        before: The earlier profile.
        after: The later profile of the same person.
        norms: A norm table with each dimension's SD and reliability (its
            ``metric`` says which score is compared).
        group: The norm group (the table's fallback is used when it has none).

    Raises:
        IncomparableError: the profiles were scored differently.
        NormError: the group is unknown and the table has no fallback.
    """
    check_comparable(before, after)
    norm_group, _ = norms.group(group)
    metric = "score" if norms.metric == "score" else norms.metric
    out = []
    for a, b in zip(before.dimensions, after.dimensions, strict=True):
        x1, x2 = getattr(a, metric), getattr(b, metric)
        norm = norm_group.dimensions.get(a.dimension)
        if x1 is None or x2 is None or norm is None or norm.reliability is None:
            difference = None if x1 is None or x2 is None else x2 - x1
            out.append(ChangeScore(dimension=a.dimension, before=x1, after=x2,
                                   difference=difference, rci=None, reliable=None))  # fmt: skip
            continue
        s_diff = math.sqrt(2.0) * norm.sd * math.sqrt(1.0 - norm.reliability)
        rci = (x2 - x1) / s_diff
        out.append(
            ChangeScore(
                dimension=a.dimension,
                before=x1,
                after=x2,
                difference=x2 - x1,
                rci=rci,
                reliable=abs(rci) > CRITICAL,
            )
        )
    return tuple(out)
