"""Teams and other groupings: band counts, mean and spread, agreement, ICCs.

For every value of a grouping column (a team, a department, a site, ...),
:func:`summarize_teams` tells how many members fall in each band of each
dimension, the mean and standard deviation of their percent scores, and how
much they agree (``rwg(j)``).  Across the groups it gives ``ICC(1)`` and
``ICC(2)`` per dimension.

Formulas
--------
``rwg(j)`` (James, Demaree & Wolf, 1984) for a dimension of ``J`` items::

    r      = mean over items of (observed item variance / variance expected
             if members answered at random, uniformly over the response codes)
    rwg(j) = J (1 - r) / (J (1 - r) + r)

Item variances use ``n - 1``, over the members who answered every item of the
dimension.  When ``r`` exceeds 1 (members disagree more than random
answering would) it is set to 1, so ``rwg(j)`` is 0, as R's ``multilevel``
package does.  The expected variance of an item on an ``A``-point scale is
``(A^2 - 1) / 12``; an item with its own response scores uses the variance of
those scores.

``ICC(1)`` and ``ICC(2)`` (Bliese, 2000) come from a one-way analysis of
variance of the members' percent scores by group, with ``k`` the mean group
size::

    ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW)
    ICC(2) = (MSB - MSW) / MSB

Both agree with R's ``multilevel`` package within 1e-9 (see
``tests/fixtures/teams``).  They use only the groups and members whose
statistics are shown (``min_size``): each is then a function of the published
group sizes, means and SDs, and adds nothing that could isolate a member of a
hidden group.  Reverse keying does not change either: it changes
no variance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
from attrs import asdict, field, frozen

from mgrlead.engines.batch import item_scores, score_matrix
from mgrlead.engines.frames import columns_to_matrix, frame_columns, plain
from mgrlead.errors import ColumnError, InputError
from mgrlead.groups.common import (
    RowsExport,
    find,
    is_id,
    mean_sd,
    refuse_sample_imputation,
    uncounted,
)
from mgrlead.plugins.resolve import plan_for, resolve_rubric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import Rubric
    from mgrlead.plan import DimensionPlan, ScoringPlan

__all__ = ["DimensionICC", "TeamDimension", "TeamStats", "TeamSummary", "summarize_teams"]


def _counts(value: dict[str, int]) -> dict[str, int]:
    return dict(value)


@frozen(kw_only=True)
class TeamDimension:
    """One group's statistics on one dimension."""

    dimension: str
    """The dimension id."""
    scored: int
    """How many members could be scored on it (on a dimension linked to others, as a
    parent to its sub-dimensions: who answered every item of them all)."""
    unscored: int
    """How many could not (too few answers)."""
    mean: float | None
    """Mean percent score of the scored members."""
    sd: float | None
    """Their standard deviation (n - 1; needs two members)."""
    bands: dict[str, int] = field(converter=_counts, hash=False)
    """How many scored members fall in each band, every band listed."""
    in_no_band: int = 0
    """How many scored members fall in no band (in a gap of bands that declare ``band_gaps``)."""
    rwg_j: float | None
    """Within-group agreement, 0..1 (needs two members who answered every item)."""
    rwg_members: int
    """How many members answered every item of the dimension (what ``rwg_j`` rests on)."""
    shown: bool = True
    """Whether at least ``min_size`` members were scored on it; otherwise ``mean``, ``sd``
    and ``rwg_j`` are ``None`` and ``bands`` is empty (only the counts are shown)."""


def _dims(value: Sequence[TeamDimension]) -> tuple[TeamDimension, ...]:
    return tuple(value)


@frozen(kw_only=True)
class TeamStats:
    """One group (a team, a department, ...) and its statistics per dimension."""

    team: str | int
    """The group's value in the grouping column."""
    members: int
    """How many rows (members) it has."""
    shown: bool
    """Whether it has at least ``min_size`` members; otherwise no statistic is shown."""
    dimensions: tuple[TeamDimension, ...] = field(converter=_dims)
    """Its statistics per dimension (empty when not shown)."""

    def __getitem__(self, dimension_id: str) -> TeamDimension:
        """The statistics of one dimension."""
        return find(self.dimensions, "dimension", dimension_id)


@frozen(kw_only=True)
class DimensionICC:
    """How much of one dimension's variance lies between the groups."""

    dimension: str
    """The dimension id."""
    groups: int
    """How many groups had a scored member."""
    n: int
    """How many scored members in all."""
    icc1: float | None
    """ICC(1): the share of variance due to group membership."""
    icc2: float | None
    """ICC(2): the reliability of the group means."""
    hidden: int = 0
    """How many groups were left out: those whose statistics on this dimension are not
    shown (fewer than ``min_size`` members, or fewer than ``min_size`` scored on it)."""


def _teams(value: Sequence[TeamStats]) -> tuple[TeamStats, ...]:
    return tuple(value)


def _iccs(value: Sequence[DimensionICC]) -> tuple[DimensionICC, ...]:
    return tuple(value)


@frozen(kw_only=True)
class TeamSummary(RowsExport):
    """The statistics of every group, and the ICCs across groups.

    ``to_dict``/``to_json`` give everything; ``to_rows``/``to_frame`` one row per
    shown group and dimension.
    """

    rubric: str
    """Id of the rubric."""
    rubric_version: str
    """Its version."""
    content_hash: str
    """The rubric's content hash."""
    by: str
    """The grouping column."""
    min_size: int
    """The fewest members a group needs for its statistics to be shown."""
    teams: tuple[TeamStats, ...] = field(converter=_teams)
    """Every group, in order of first appearance."""
    icc: tuple[DimensionICC, ...] = field(converter=_iccs)
    """ICC(1) and ICC(2) per dimension, across the groups whose statistics on it are shown."""

    def __getitem__(self, team: object) -> TeamStats:
        """The statistics of one group."""
        return find(self.teams, "team", team)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per shown group and dimension; band counts as ``band_<id>`` columns."""
        rows = []
        for t in self.teams:
            for d in t.dimensions:
                row: dict[str, Any] = {self.by: t.team, "members": t.members}
                row |= {k: v for k, v in asdict(d).items() if k != "bands"}
                row |= {f"band_{b}": n for b, n in d.bands.items()}
                rows.append(row)
        return rows

    def _empty_columns(self) -> list[str]:
        return [self.by, "members", "dimension"]


def _null_variance(plan: ScoringPlan, j: int) -> float:
    """The variance of item ``j``'s score if every valid code were equally likely."""
    item = plan.items[j]
    codes = [c for c in range(item.code_min, item.code_max + 1) if c not in item.missing_codes]
    scores = [float(item.score_of(c)) for c in codes]
    mean = math.fsum(scores) / len(scores)
    return math.fsum((s - mean) ** 2 for s in scores) / len(scores)


def _rwg_j(
    plan: ScoringPlan, dim: DimensionPlan, scores: npt.NDArray[np.float64]
) -> tuple[float | None, int]:
    """rwg(j) of one group on one dimension (``scores``: members x all items)."""
    import numpy as np  # noqa: PLC0415

    block = scores[:, list(dim.members)]
    complete = block[~np.isnan(block).any(axis=1)]
    n = complete.shape[0]
    if n < 2:
        return None, n
    ratios = [
        float(np.var(complete[:, k], ddof=1)) / _null_variance(plan, j)
        for k, j in enumerate(dim.members)
    ]
    r = min(math.fsum(ratios) / len(ratios), 1.0)
    n_items = dim.n_items
    return n_items * (1 - r) / (n_items * (1 - r) + r), n


def _icc(dim_id: str, groups: Sequence[Sequence[float]]) -> DimensionICC:
    """ICC(1) and ICC(2) from a one-way ANOVA of the scores by group."""
    groups = [g for g in groups if g]
    n = sum(len(g) for g in groups)
    k = len(groups)
    if k < 2 or n <= k:
        return DimensionICC(dimension=dim_id, groups=k, n=n, icc1=None, icc2=None)
    grand = math.fsum(x for g in groups for x in g) / n
    means = [math.fsum(g) / len(g) for g in groups]
    ssb = math.fsum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True))
    ssw = math.fsum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g)
    msb = ssb / (k - 1)
    msw = ssw / (n - k)
    size = n / k
    denominator = msb + (size - 1) * msw
    icc1 = (msb - msw) / denominator if denominator > 0 else None
    icc2 = (msb - msw) / msb if msb > 0 else None
    return DimensionICC(dimension=dim_id, groups=k, n=n, icc1=icc1, icc2=icc2)


def summarize_teams(
    rubric: Rubric | str,
    data: Any,  # noqa: ANN401
    *,
    by: str = "team",
    min_size: int = 3,
) -> TeamSummary:
    """Band counts, mean, spread and agreement per group; ICCs across groups.

    Args:
        rubric: A :class:`~mgrlead.Rubric` or the name of a built-in one.
        data: A pandas, polars or pyarrow table, or a mapping of columns: one
            row per member, one column per item and the grouping column.
        by: The grouping column (a team, a department, ...).
        min_size: Every statistic rests on at least this many members: a
            group with fewer shows none, a dimension on which fewer were scored
            (or, for ``rwg_j``, answered every item) shows only its counts, and
            the ICCs use only the groups and members whose statistics are shown,
            so no published number can be combined to isolate a member.

    Raises:
        InputError: the grouping column is absent or has an empty value (the
            message names the row), or ``min_size`` is not a whole number >= 1.
    """
    import numpy as np  # noqa: PLC0415

    if type(min_size) is not int or min_size < 1:
        raise InputError(f"min_size must be a whole number >= 1, got {min_size!r}")
    plan = plan_for(resolve_rubric(rubric))
    columns = frame_columns(data, "summarize_teams")
    if by not in columns:
        raise ColumnError(f"no column {by!r} to group by", fix="name it with by=...", argument="by")
    refuse_sample_imputation(plan, "summarize_teams")
    matrix, _ = columns_to_matrix(plan, columns)
    batch = score_matrix(plan, matrix, careless=False)
    scores = item_scores(plan, matrix)
    # each dimension's percent and band per member; a family of linked dimensions
    # (a dimension and its sub-dimensions, ...) counts only members complete on it
    percents = {d.id: batch.dimensions[d.id]["percent"].copy() for d in plan.dimensions}
    band_of = {d.id: batch.dimensions[d.id]["band"].copy() for d in plan.dimensions}
    for k, rows in uncounted(plan, matrix).items():
        percents[plan.dimensions[k].id][rows] = math.nan
        band_of[plan.dimensions[k].id][rows] = -1
    rows_of: dict[str | int, list[int]] = {}
    for row, value in enumerate(columns[by]):
        team = plain(value)
        if not is_id(team):
            raise ColumnError(
                f"{team!r} in column {by!r} is not a group",
                fix="use a non-empty text or whole number",
                row=row,
            )
        rows_of.setdefault(team, []).append(row)
    index_of = {team: np.asarray(rows, dtype=np.int64) for team, rows in rows_of.items()}
    # Each group's scored members' percents, per dimension: for its statistics and the ICCs.
    scored = {
        d.id: {
            team: [float(x) for x in percents[d.id][index] if not math.isnan(x)]
            for team, index in index_of.items()
        }
        for d in plan.dimensions
    }

    def counted(dim_id: str, index: Any) -> Any:  # noqa: ANN401
        """The item scores of the group's members counted on a dimension (for rwg)."""
        return scores[index][~np.isnan(percents[dim_id][index])]

    teams = []
    published: dict[str, list[list[float]]] = {d.id: [] for d in plan.dimensions}
    for team, index in index_of.items():
        shown = len(index) >= min_size
        dims = []
        for d in plan.dimensions if shown else ():
            values = scored[d.id][team]
            if len(values) < min_size:  # a mean of one or two members would give them away
                dims.append(
                    TeamDimension(
                        dimension=d.id, scored=len(values), unscored=len(index) - len(values),
                        mean=None, sd=None, bands={}, rwg_j=None,
                        rwg_members=_rwg_j(plan, d, counted(d.id, index))[1], shown=False,
                    )
                )  # fmt: skip
                continue
            published[d.id].append(values)
            mean, sd = mean_sd(values)
            bands = band_of[d.id][index]
            counts = {b.id: int(np.count_nonzero(bands == k)) for k, b in enumerate(d.bands)}
            rwg, rwg_n = _rwg_j(plan, d, counted(d.id, index))
            dims.append(
                TeamDimension(
                    dimension=d.id, scored=len(values), unscored=len(index) - len(values),
                    mean=mean, sd=sd, bands=counts, rwg_j=rwg if rwg_n >= min_size else None,
                    rwg_members=rwg_n, in_no_band=len(values) - sum(counts.values()),
                )
            )  # fmt: skip
        teams.append(TeamStats(team=team, members=len(index), shown=shown, dimensions=dims))
    groups = len(index_of)
    iccs = [
        attrs.evolve(_icc(d.id, published[d.id]), hidden=groups - len(published[d.id]))
        for d in plan.dimensions
    ]
    return TeamSummary(
        rubric=plan.rubric,
        rubric_version=plan.version,
        content_hash=plan.content_hash,
        by=by,
        min_size=min_size,
        teams=teams,
        icc=iccs,
    )
