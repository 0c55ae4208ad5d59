"""Multi-rater (360 degree) feedback: profiles per rater group, anonymity, self-other gaps.

Each row of the data is one rater's answers about one person (the *subject*),
tagged with the rater's group: ``self``, ``manager``, ``peer``,
``direct_report`` or ``other`` by default.  For every subject,
:func:`score_360` gives each rater group's view of every dimension (the mean
of its raters' scores), the view of "all others" (everyone but self), how
many raters each rests on, and the gaps between self and others.

Anonymity
---------
A group with fewer raters than its minimum (:class:`Anonymity`; 3 by default,
1 for self and manager) is never shown on its own.  The rule is applied per
dimension, to the raters who could be scored on it.  ``below="merge"`` pools
such raters into "all others"; when the pool would still be smaller than the
minimum of "all others" (so that subtracting the shown groups from "all
others" would give the small group away), the smallest shown groups are
folded into the pool until it is big enough.  ``below="suppress"`` drops
such raters from every output instead.  "All others" itself needs its own
minimum.

The rules hold for all the views of a round taken together, not only one by
one: dimensions that share items (a dimension and its sub-dimensions), a
dimension whose items have different ranges, and every dimension under a
strategy whose headline score is not one affine function of the mean (``sum``,
plugin strategies) count only the raters who answered every item of their
family of linked dimensions.  Then no linear combination of
the published numbers depends on one rater of a protected group alone
(``tests/test_360_linear.py`` checks this by rank, over generated rounds).

Aggregates never include minimums, maximums or single answers, and
are computed with exactly rounded sums (:func:`math.fsum`), so they depend only
on *which* scores a group holds, not on the order of its raters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import asdict, field, frozen, validators

from mgrlead._version import __version__
from mgrlead.engines import kernel
from mgrlead.engines.batch import score_matrix
from mgrlead.engines.frames import columns_to_matrix, frame_columns, plain
from mgrlead.engines.ops import PYTHON
from mgrlead.errors import ColumnError, InputError, MgrleadError
from mgrlead.groups.common import (
    RowsExport,
    find,
    is_id,
    mean_sd,
    refuse_sample_imputation,
    uncounted,
)
from mgrlead.i18n import gettext as _
from mgrlead.i18n import ngettext
from mgrlead.plugins.resolve import plan_for, resolve_rubric

if TYPE_CHECKING:
    from mgrlead.model import Rubric
    from mgrlead.plan import DimensionPlan, ScoringPlan

__all__ = [
    "ALL_OTHERS",
    "ALL_OTHERS_LABEL",
    "DEFAULT_GROUPS",
    "SELF",
    "SINGLE_RATER_GROUPS",
    "Anonymity",
    "Feedback360",
    "Gap",
    "GroupScore",
    "GroupView",
    "Round360",
    "score_360",
]

#: The rater group of the person rating themselves.
SELF = "self"
#: The pseudo-group of every rater but self.
ALL_OTHERS = "all_others"
#: Its display label.
ALL_OTHERS_LABEL = "All others"
#: The default rater groups, in display order, with their labels.
DEFAULT_GROUPS: Mapping[str, str] = {
    "self": "Self",
    "manager": "Manager",
    "peer": "Peers",
    "direct_report": "Direct reports",
    "other": "Others",
}
_METRICS = ("percent", "mean", "score")


#: Groups shown from one rater unless told otherwise: self, and the manager.
SINGLE_RATER_GROUPS: Mapping[str, int] = {SELF: 1, "manager": 1}


def _minimums(value: Mapping[str, int]) -> dict[str, int]:
    """The given minimums over the single-rater defaults (which they may change)."""
    return {**SINGLE_RATER_GROUPS, **value}


def _str_map(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


@frozen(kw_only=True)
class Anonymity:
    """Who may be shown on their own, and what happens to groups that may not.

    Example:
        >>> Anonymity().minimum_for("peer"), Anonymity().minimum_for("manager")
        (3, 1)
    """

    default: int = field(default=3, validator=[validators.instance_of(int), validators.ge(1)])
    """The minimum number of raters of a group (and of "all others") not named below."""
    minimum: dict[str, int] = field(factory=dict, converter=_minimums, hash=False)
    """Per-group minimums, e.g. ``{"peer": 4}``; self and manager are 1 unless given here."""
    below: str = field(default="merge", validator=validators.in_(("merge", "suppress")))
    """``"merge"``: small groups are pooled into "all others"; ``"suppress"``: left out."""

    def __attrs_post_init__(self) -> None:
        """Every minimum is a whole number of at least 1."""
        for group, value in self.minimum.items():
            if type(value) is not int or value < 1:
                raise MgrleadError(
                    f"anonymity minimum for group {group!r} must be a whole number >= 1, "
                    f"got {value!r}"
                )

    def minimum_for(self, group: str) -> int:
        """The minimum number of raters ``group`` needs to be shown."""
        return self.minimum.get(group, self.default)


@frozen(kw_only=True)
class GroupScore:
    """One rater group's view of one dimension: the mean of its raters' scores."""

    dimension: str
    """The dimension id."""
    shown: bool
    """Whether the view may be shown (enough raters; see :class:`Anonymity`)."""
    reason: str | None
    """Why it is withheld (``None`` when shown)."""
    raters: int
    """How many of the group's raters could be scored on the dimension."""
    percent: float | None
    """Mean 0-100 score of those raters (``None`` when withheld)."""
    position: float | None
    """The same between the poles, -1..+1 (bipolar dimensions only)."""
    mean: float | None
    """Mean of the raters' item means."""
    score: float | None
    """Mean of the raters' headline scores."""
    sd: float | None
    """Standard deviation (n - 1) of the raters' percent scores (needs two raters)."""
    band: str | None
    """The band the group's mean falls in."""
    band_label: str | None
    """Label of that band."""


def _scores(value: Sequence[GroupScore]) -> tuple[GroupScore, ...]:
    return tuple(value)


@frozen(kw_only=True)
class GroupView:
    """One rater group's view of the subject, dimension by dimension."""

    group: str
    """The group id (``all_others`` for everyone but self)."""
    label: str
    """Its display label."""
    raters: int
    """How many raters of the group rated the subject."""
    minimum: int
    """How many it needs to be shown."""
    dimensions: tuple[GroupScore, ...] = field(converter=_scores)
    """Its view of every dimension, in the rubric's order."""

    @property
    def shown(self) -> bool:
        """Whether any dimension of this view may be shown."""
        return any(s.shown for s in self.dimensions)

    def __getitem__(self, dimension_id: str) -> GroupScore:
        """The view of one dimension."""
        return find(self.dimensions, "dimension", dimension_id)


@frozen(kw_only=True)
class Gap:
    """Self against all others on one dimension."""

    dimension: str
    """The dimension id."""
    self_percent: float | None
    """The self-rating (0-100)."""
    others_percent: float | None
    """All others' mean (0-100)."""
    gap: float | None
    """``self_percent - others_percent`` (``None`` when either is not shown)."""
    kind: str | None
    """``"blind_spot"`` (self above others by at least the threshold),
    ``"hidden_strength"`` (others above self by at least the threshold), or ``None``."""


def _views(value: Sequence[GroupView]) -> tuple[GroupView, ...]:
    return tuple(value)


def _gaps(value: Sequence[Gap]) -> tuple[Gap, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Feedback360:
    """Everything a 360 round shows about one subject."""

    subject: str | int
    """The subject's id, as it was in the data."""
    groups: tuple[GroupView, ...] = field(converter=_views)
    """Every rater group that rated the subject, then ``all_others``."""
    gaps: tuple[Gap, ...] = field(converter=_gaps)
    """Self against all others, per dimension."""

    def __getitem__(self, group: str) -> GroupView:
        """The view of one rater group (or ``all_others``)."""
        return find(self.groups, "group", group)

    def shown_groups(self) -> tuple[str, ...]:
        """The groups shown on at least one dimension."""
        return tuple(v.group for v in self.groups if v.shown)


def _people(value: Sequence[Feedback360]) -> tuple[Feedback360, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Round360(RowsExport):
    """The result of a 360 round: one :class:`Feedback360` per subject, with provenance.

    ``to_dict``/``to_json`` give everything (withheld views carry no numbers);
    ``to_rows``/``to_frame`` one row per subject, group and dimension.
    """

    rubric: str
    """Id of the rubric."""
    rubric_version: str
    """Its version."""
    content_hash: str
    """The rubric's content hash (see :mod:`mgrlead.analysis.provenance`)."""
    mgrlead_version: str
    """The mgrlead version that scored the round."""
    anonymity: Anonymity
    """The anonymity rules applied."""
    gap_threshold: float
    """The self-other difference (percent points) that counts as a gap."""
    group_labels: dict[str, str] = field(converter=_str_map, hash=False)
    """Display label per rater group."""
    people: tuple[Feedback360, ...] = field(converter=_people)
    """One entry per subject, in order of first appearance."""

    def __getitem__(self, subject: object) -> Feedback360:
        """The feedback of one subject, by id."""
        return find(self.people, "subject", subject)

    def __len__(self) -> int:
        """How many subjects the round holds."""
        return len(self.people)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per subject, group and dimension (withheld views have null numbers)."""
        return [
            {"subject": person.subject, "group": view.group, "group_raters": view.raters}
            | asdict(s)
            for person in self.people
            for view in person.groups
            for s in view.dimensions
        ]

    def _empty_columns(self) -> list[str]:
        return ["subject", "group", "group_raters", "dimension"]


# ---------------------------------------------------------------- aggregation
@frozen
class _Rated:
    """One rater's scores on one dimension (``None`` when not scorable)."""

    group: str
    values: tuple[float, float, float] | None


def _aggregate(dim: DimensionPlan, raters: Sequence[tuple[float, float, float]]) -> dict[str, Any]:
    """Mean of each metric, the SD of percent, the band and position: order-free."""
    percent, sd = mean_sd([r[0] for r in raters])
    mean, _ = mean_sd([r[1] for r in raters])
    headline, _ = mean_sd([r[2] for r in raters])
    value = kernel.band_value(dim.band_on, percent, mean, headline)
    code = kernel.band_index(PYTHON, value, dim.boundaries)
    band = None if code == kernel.NO_BAND else dim.bands[code]  # in a gap: no band
    return {
        "percent": percent,
        "position": kernel.position_of(percent) if dim.bipolar else None,
        "mean": mean,
        "score": headline,
        "sd": sd,
        "band": None if band is None else band.id,
        "band_label": None if band is None else band.label,
    }


_WITHHELD = dict.fromkeys(
    ("percent", "position", "mean", "score", "sd", "band", "band_label"), None
)


def _pool_ok(pool: Sequence[str], members: Mapping[str, Sequence[Any]], need: int) -> bool:
    """Whether pooled raters are hidden well enough: enough of them, from two groups or more."""
    return sum(len(members[g]) for g in pool) >= need and len(pool) > 1


def _dimension_views(
    dim: DimensionPlan, rated: Sequence[_Rated], groups: Sequence[str], anonymity: Anonymity
) -> dict[str, GroupScore]:
    """Every group's view of one dimension, anonymity applied."""
    members: dict[str, list[tuple[float, float, float]]] = {g: [] for g in groups}
    for r in rated:
        if r.values is not None:
            members[r.group].append(r.values)
    others = [g for g in groups if g != SELF]
    shown = {g for g in groups if members[g] and len(members[g]) >= anonymity.minimum_for(g)}
    reasons: dict[str, str] = {}
    for g in groups:
        if not members[g]:
            reasons[g] = _(
                "no rater of this group could be counted on this dimension (scored on it, "
                "and, where it is linked to others, complete on them)"
            )
        elif g not in shown:
            n, need = len(members[g]), anonymity.minimum_for(g)
            if anonymity.below == "merge":
                said = ngettext(
                    "{n} rater, fewer than the {need} needed to be shown; merged into all others",
                    "{n} raters, fewer than the {need} needed to be shown; merged into all others",
                    n,
                )
            else:
                said = ngettext(
                    "{n} rater, fewer than the {need} needed to be shown; left out",
                    "{n} raters, fewer than the {need} needed to be shown; left out",
                    n,
                )
            reasons[g] = said.format(n=n, need=need)
    need_all = anonymity.minimum_for(ALL_OTHERS)
    blocked = None
    if anonymity.below == "merge":
        pool = [g for g in others if members[g] and g not in shown]
        total = sum(len(members[g]) for g in others)
        # Pooled raters are recoverable as "all others" minus the shown groups, so
        # the pool must be as big as "all others" must be, and must not be one
        # group alone: fold the smallest shown groups in until it is.  When that
        # cannot work, "all others" is withheld and every shown group stays shown.
        folded: list[str] = []
        while pool and total >= need_all and not _pool_ok(pool, members, need_all):
            candidates = [g for g in others if g in shown and g not in folded]
            if not candidates:
                blocked = _(
                    "showing all others would give away a group below its minimum; "
                    "lower the minimums or wait for more raters"
                )
                folded = []
                break
            fold = min(candidates, key=lambda g: (len(members[g]), -others.index(g)))
            folded.append(fold)
            pool.append(fold)
        for fold in folded:
            shown.discard(fold)
            reasons[fold] = _(
                "merged into all others, so that the smaller groups pooled there "
                "cannot be told apart"
            )
        contributing = [g for g in others if members[g]]
    else:
        contributing = [g for g in others if g in shown]
    everyone = [v for g in contributing for v in members[g]]
    views: dict[str, GroupScore] = {}
    for g in groups:
        numbers = _aggregate(dim, members[g]) if g in shown else _WITHHELD
        views[g] = GroupScore(
            dimension=dim.id,
            shown=g in shown,
            reason=None if g in shown else reasons[g],
            raters=len(members[g]),
            **numbers,
        )
    ok = bool(everyone) and len(everyone) >= need_all and blocked is None
    reason = None
    if not everyone:
        reason = _("no other rater could be scored on this dimension")
    elif len(everyone) < need_all:
        reason = ngettext(
            "{n} other rater, fewer than the {need} needed to be shown",
            "{n} other raters, fewer than the {need} needed to be shown",
            len(everyone),
        ).format(n=len(everyone), need=need_all)
    elif blocked is not None:
        reason = blocked
    views[ALL_OTHERS] = GroupScore(
        dimension=dim.id,
        shown=ok,
        reason=reason,
        raters=len(everyone),
        **(_aggregate(dim, everyone) if ok else _WITHHELD),
    )
    return views


def _gap(self_view: GroupScore | None, others: GroupScore, threshold: float) -> Gap:
    mine = self_view.percent if self_view is not None and self_view.shown else None
    theirs = others.percent if others.shown else None
    if mine is None or theirs is None:
        return Gap(
            dimension=others.dimension,
            self_percent=mine,
            others_percent=theirs,
            gap=None,
            kind=None,
        )
    diff = mine - theirs
    kind = None
    if diff >= threshold:
        kind = "blind_spot"
    elif -diff >= threshold:
        kind = "hidden_strength"
    return Gap(
        dimension=others.dimension, self_percent=mine, others_percent=theirs, gap=diff, kind=kind
    )


def _feedback(  # noqa: PLR0913 - one subject's rows, then the round's rules
    plan: ScoringPlan,
    subject: str | int,
    rows: Sequence[tuple[str, Sequence[tuple[float, float, float] | None]]],
    *,
    labels: Mapping[str, str],
    anonymity: Anonymity,
    gap: float,
) -> Feedback360:
    present = [g for g in labels if any(r[0] == g for r in rows)]
    per_dim = [
        _dimension_views(d, [_Rated(g, values[k]) for g, values in rows], present, anonymity)
        for k, d in enumerate(plan.dimensions)
    ]
    counts = {g: sum(1 for r in rows if r[0] == g) for g in present}
    views = [
        GroupView(
            group=g,
            label=labels[g],
            raters=counts[g],
            minimum=anonymity.minimum_for(g),
            dimensions=[v[g] for v in per_dim],
        )
        for g in present
    ]
    views.append(
        GroupView(
            group=ALL_OTHERS,
            label=ALL_OTHERS_LABEL,
            raters=sum(counts[g] for g in present if g != SELF),
            minimum=anonymity.minimum_for(ALL_OTHERS),
            dimensions=[v[ALL_OTHERS] for v in per_dim],
        )
    )
    gaps = [_gap(v.get(SELF), v[ALL_OTHERS], gap) for v in per_dim]
    return Feedback360(subject=subject, groups=views, gaps=gaps)


def score_360(  # noqa: PLR0913 - the data, then the columns and rules
    rubric: Rubric | str,
    data: Any,  # noqa: ANN401
    *,
    subject: str = "subject",
    group: str = "rater_group",
    groups: Mapping[str, str] | None = None,
    anonymity: Anonymity | None = None,
    gap: float = 10.0,
) -> Round360:
    """Score a 360 round: every subject's view per rater group, anonymity applied.

    Args:
        rubric: A :class:`~mgrlead.Rubric` or the name of a built-in one.
        data: A pandas, polars or pyarrow table, or a mapping of columns: one
            row per rater and subject, one column per item, plus the
            ``subject`` and ``group`` columns.
        subject: The column holding the id of the person rated.
        group: The column holding the rater group.
        groups: The rater groups allowed in ``group`` and their labels, in
            display order (default :data:`DEFAULT_GROUPS`).  ``self`` is the
            self-rating; every other group counts towards "all others".
        anonymity: The minimum group sizes and what to do below them.
        gap: How many percent points between self and all others make a
            blind spot or a hidden strength.

    Raises:
        InputError: a column is absent, a subject is empty, a group is not
            one of ``groups``; the message names the row.
        AnswerError: an answer is not valid; the message names the row and item.
    """
    import numpy as np  # noqa: PLC0415

    plan = plan_for(resolve_rubric(rubric))
    labels = dict(DEFAULT_GROUPS if groups is None else groups)
    if ALL_OTHERS in labels:
        raise InputError(f"{ALL_OTHERS!r} is reserved for everyone but self; rename that group")
    given: object = gap  # callers without type checks may pass anything
    if isinstance(given, bool) or not isinstance(given, (int, float)) or not given > 0:
        raise InputError(f"gap must be a positive number of percent points, got {gap!r}")
    rules = Anonymity() if anonymity is None else anonymity
    columns = frame_columns(data, "score_360")
    for name, what in ((subject, "subject"), (group, "rater group")):
        if name not in columns:
            argument = "subject" if what == "subject" else "group"
            raise ColumnError(
                f"no column {name!r} for the {what}",
                fix=f"name it with {argument}=...",
                argument=argument,
            )
    refuse_sample_imputation(plan, "score_360")
    matrix, _ = columns_to_matrix(plan, columns)
    batch = score_matrix(plan, matrix, careless=False)
    metric_arrays = [
        np.column_stack([batch.dimensions[d.id][m] for m in _METRICS]) for d in plan.dimensions
    ]
    # families of linked dimensions count only the raters complete on them
    for d, rows in uncounted(plan, matrix).items():
        metric_arrays[d][rows] = np.nan
    order: dict[str | int, list[tuple[str, Any]]] = {}
    for row, (who, grp) in enumerate(zip(columns[subject], columns[group], strict=True)):
        person = plain(who)
        if not is_id(person):
            raise ColumnError(
                f"the subject {person!r} in column {subject!r} is not an id",
                fix="use a non-empty text or whole number",
                row=row,
            )
        g = plain(grp)
        if g not in labels:
            known = ", ".join(labels)
            raise ColumnError(
                f"rater group {g!r} in column {group!r} is not one of {known}",
                fix="fix the value or pass groups=...",
                row=row,
                argument="groups",
            )
        values = []
        for arr in metric_arrays:
            triple = arr[row]
            values.append(None if np.isnan(triple[0]) else tuple(float(x) for x in triple))
        order.setdefault(person, []).append((str(g), values))
    people = [
        _feedback(plan, who, rows, labels=labels, anonymity=rules, gap=float(gap))
        for who, rows in order.items()
    ]
    return Round360(
        rubric=plan.rubric,
        rubric_version=plan.version,
        content_hash=plan.content_hash,
        mgrlead_version=__version__,
        anonymity=rules,
        gap_threshold=float(gap),
        group_labels=labels,
        people=people,
    )
