"""Norm tables, derived scores, and honest uncertainty.

A :class:`NormTable` describes a population: for each group (a role, a region,
or everyone) and each dimension, the mean and standard deviation of a score,
optionally its reliability and a percentile table.  It comes from published
statistics or is built from data (:meth:`NormTable.build`,
``mgrlead norms build``).  With norms, every score gets:

- ``z = (x - mean) / sd``, ``T = 50 + 10 z``, ``sten = round(5.5 + 2 z)``
  (1..10), ``stanine = round(5 + 2 z)`` (1..9);
- a percentile: interpolated in the table's percentile points when it has them,
  otherwise from the normal distribution;
- with a reliability ``r``: the standard error of measurement
  ``SEM = sd * sqrt(1 - r)`` and the confidence interval ``x -/+ z_c * SEM``
  (95 % by default), and a ``borderline`` flag when that interval crosses a band
  boundary, so that feedback can say the label is uncertain.

No percentile is ever given without norms.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import field, frozen
from attrs.validators import ge, gt, in_, instance_of, le, lt, matches_re

from mgrlead.engines import kernel
from mgrlead.engines.batch import BatchScores, item_scores, keyed_items, score_matrix
from mgrlead.engines.frames import Extra, columns_to_matrix, frame_columns, plain
from mgrlead.engines.ops import PYTHON
from mgrlead.errors import (
    ColumnError,
    InputError,
    NormError,
    RubricError,
    RubricFileError,
    counted,
)
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.io.serialize import FORMATS, dump_text, make_converter, parse_text
from mgrlead.plan import ScoringPlan
from mgrlead.plugins.resolve import plan_for, resolve_rubric
from mgrlead.results import NORM_METRICS, NormScore

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import numpy.typing as npt

    from mgrlead.model import Rubric
    from mgrlead.plan import DimensionPlan
    from mgrlead.results import Profile

__all__ = [
    "METRICS",
    "MIN_NORM_N",
    "DimensionNorm",
    "NormGroup",
    "NormTable",
    "PercentilePoint",
    "apply_norms",
    "convert_metric",
    "dump_norms",
    "load_norms",
    "norm_extra",
]

#: The scores a norm table can describe.
METRICS: Final = ("score", "mean", "percent", "sum")

#: Norm groups of fewer people than this are flagged as too small to trust.  Test
#: review guidelines commonly ask for a few hundred people per norm group; at 200
#: the group's mean is known to within 1.96 / sqrt(200) =
#: 0.14 SD (95 %), about 1.4 T points, and below it that error grows quickly
#: (0.44 SD at 20 people, 0.88 SD at 5).
MIN_NORM_N: Final = 200


def _finite(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RubricError(f"{attribute.name} must be a finite number, got {value!r}")


def _min_n(_inst: object, attribute: Any, value: Any) -> None:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise RubricError(f"{attribute.name} must be a whole number of at least 2, got {value!r}")


@frozen(kw_only=True)
class PercentilePoint:
    """One point of a published percentile table: this score is at that percentile."""

    score: float = field(validator=_finite)
    """The score."""
    percentile: float = field(validator=[_finite, ge(0), le(100)])
    """Its percentile, 0..100."""


def _points(value: Iterable[PercentilePoint]) -> tuple[PercentilePoint, ...]:
    return tuple(value)


@frozen(kw_only=True)
class DimensionNorm:
    """A population's statistics for one dimension's score."""

    mean: float = field(validator=_finite)
    """The population mean."""
    sd: float = field(validator=[_finite, gt(0)])
    """The population standard deviation (greater than 0)."""
    n: int | None = field(default=None)
    """How many people the statistics rest on, when known."""
    reliability: float | None = field(default=None)
    """The score's reliability (e.g. Cronbach's alpha) in this population, 0..1."""
    percentiles: tuple[PercentilePoint, ...] = field(default=(), converter=_points)
    """A percentile table, scores increasing; empty: percentiles from the normal curve."""

    def __attrs_post_init__(self) -> None:
        """Check the reliability and the percentile table."""
        if self.reliability is not None and not 0 <= self.reliability < 1:
            raise RubricError(f"reliability must be in [0, 1), got {self.reliability!r}")
        for a, b in itertools.pairwise(self.percentiles):
            if not (a.score < b.score and a.percentile <= b.percentile):
                raise RubricError(
                    "percentile points must have increasing scores and non-decreasing "
                    f"percentiles: {a.score}->{a.percentile} then {b.score}->{b.percentile}"
                )

    def percentile(self, x: float, z: float) -> float:
        """The percentile of ``x``: interpolated in the table, else from the normal curve."""
        points = self.percentiles
        if not points:
            return NormalDist().cdf(z) * 100.0
        if x <= points[0].score:
            return points[0].percentile
        if x >= points[-1].score:
            return points[-1].percentile
        for a, b in itertools.pairwise(points):
            if a.score <= x <= b.score:
                share = (x - a.score) / (b.score - a.score)
                return a.percentile + share * (b.percentile - a.percentile)
        raise AssertionError  # pragma: no cover - the loop always returns


def _dims(value: Mapping[str, DimensionNorm]) -> dict[str, DimensionNorm]:
    return dict(value)


@frozen(kw_only=True)
class NormGroup:
    """The norms of one group (``all`` for everyone)."""

    id: str = field(validator=instance_of(str))
    """The group's value in the grouping column, e.g. ``"manager"``."""
    dimensions: dict[str, DimensionNorm] = field(converter=_dims, hash=False)
    """Statistics per dimension id."""

    @property
    def n(self) -> int | None:
        """How many people the group's norms rest on: the smallest ``n`` of its dimensions.

        ``None`` when no dimension says (published norms without sizes).
        """
        sizes = [d.n for d in self.dimensions.values() if d.n is not None]
        return min(sizes) if sizes else None


def _groups(value: Iterable[NormGroup]) -> tuple[NormGroup, ...]:
    return tuple(value)


@frozen(kw_only=True)
class NormTable:
    """Norms for one rubric: groups of per-dimension statistics."""

    id: str = field(validator=matches_re(r"[a-z][a-z0-9_\-]*"))
    """Name of the norm table."""
    version: str = field(validator=instance_of(str))
    """Its version."""
    population: str = field(validator=instance_of(str))
    """Who the norms describe, e.g. ``"UK managers, 2026, n = 1,204"``."""
    rubric: str = field(validator=instance_of(str))
    """The id of the rubric the norms are for."""
    groups: tuple[NormGroup, ...] = field(converter=_groups)
    """The groups; ``all`` conventionally holds everyone."""
    metric: str = field(default="score", validator=in_(METRICS))
    """The score described: the headline ``score``, or ``mean``, ``percent`` or ``sum``."""
    group_by: str = field(default="", validator=instance_of(str))
    """The data column holding each respondent's group (empty: one group)."""
    fallback: str | None = field(default=None)
    """The group used when a respondent's group has no norms (``None``: an error)."""
    confidence: float = field(default=0.95, validator=[_finite, gt(0), lt(1)])
    """Confidence level of the intervals."""
    content_hash: str = field(default="", validator=instance_of(str))
    """The rubric's content hash when the norms were built (checked when applied)."""
    source: str = field(default="", validator=instance_of(str))
    """Where the statistics come from."""
    min_n: int = field(default=MIN_NORM_N, validator=_min_n)
    """Groups resting on fewer people than this are too small to trust (default 200)."""

    def small_groups(self) -> tuple[NormGroup, ...]:
        """The groups whose norms rest on fewer than :attr:`min_n` people.

        A group without sizes (published norms that do not say) is not listed.
        """
        return tuple(g for g in self.groups if g.n is not None and g.n < self.min_n)

    def size_warning(self) -> str | None:
        """One line that names the groups too small to trust, or ``None``.

        It says how far off the smallest group's mean may be: the 95 % margin
        of a mean from ``n`` people, ``t(0.975, n - 1) / sqrt(n)`` standard
        deviations (Student's t, with scipy); without scipy the normal
        quantile 1.96 gives a lower bound, and the line says "at least".
        """
        small = self.small_groups()
        if not small:
            return None
        smallest = min(g.n for g in small if g.n is not None)
        try:
            from scipy.stats import t  # noqa: PLC0415 - the analysis extra
        except ImportError:
            quantile, lower_bound = NormalDist().inv_cdf(0.975), True
        else:
            quantile, lower_bound = float(t.ppf(0.975, smallest - 1)), False
        margin = format_decimal(quantile / math.sqrt(smallest), 2)
        listed = ", ".join(f"{g.id!r} (n = {g.n})" for g in small)
        head = ngettext(
            "norm table {table}: group {listed} rests on fewer than {min_n} people, too few "
            "to trust: ",
            "norm table {table}: groups {listed} rest on fewer than {min_n} people, too few "
            "to trust: ",
            len(small),
        ).format(table=repr(self.id), listed=listed, min_n=self.min_n)
        # TRANSLATORS: "SD (95%)": standard deviations, with 95 % confidence
        uncertain = (
            _("with {n} people a group's mean is uncertain by at least {margin} SD (95%)")
            if lower_bound
            else _("with {n} people a group's mean is uncertain by {margin} SD (95%)")
        ).format(n=smallest, margin=margin)
        tail = _(
            ", and z, T, percentiles and stens shift with it; collect more data, merge groups, "
            "or use published norms"
        )
        return head + uncertain + tail

    def __attrs_post_init__(self) -> None:
        """Group ids are unique; the fallback is one of them."""
        ids = [g.id for g in self.groups]
        if not ids:
            raise RubricError(f"norm table {self.id!r} has no groups")
        for dup in {i for i in ids if ids.count(i) > 1}:
            raise RubricError(f"norm table {self.id!r}: group {dup!r} appears twice")
        if self.fallback is not None and self.fallback not in ids:
            raise RubricError(
                f"norm table {self.id!r}: the fallback group {self.fallback!r} is not one of "
                f"its groups ({', '.join(ids)})"
            )

    def group(self, name: str | None) -> tuple[NormGroup, bool]:
        """The group for ``name`` and whether the fallback was used.

        Raises:
            NormError: no such group and no fallback.
        """
        by_id = {g.id: g for g in self.groups}
        if name is not None and name in by_id:
            return by_id[name], False
        if name is None and len(self.groups) == 1:
            return self.groups[0], False
        if self.fallback is not None:
            return by_id[self.fallback], True
        what = "no group was given" if name is None else f"it has no group {name!r}"
        raise NormError(
            f"norm table {self.id!r}: {what} and no fallback; give one of "
            f"{', '.join(by_id)} or set fallback in the table"
        )

    @classmethod
    def build(  # noqa: PLR0913 - the table's metadata
        cls,
        rubric: Rubric | str,
        frame: Any,  # noqa: ANN401
        *,
        id: str,  # noqa: A002
        version: str = "1",
        population: str = "",
        group_by: str | None = None,
        metric: str = "score",
        fallback: str | None = "all",
        min_n: int = MIN_NORM_N,
    ) -> NormTable:
        """Build norms from data: mean, SD (n - 1), n and Cronbach's alpha per group.

        Every group of ``group_by`` gets norms, and so does ``all`` (everyone),
        the default fallback.  A group needs two scored respondents per dimension.
        Groups of fewer than ``min_n`` people are built, and listed by
        :meth:`small_groups` and :meth:`size_warning` (see :data:`MIN_NORM_N`).

        Raises:
            InputError: the grouping column is absent, or a group is too small.
        """
        r = resolve_rubric(rubric)
        plan = plan_for(r)
        columns = frame_columns(frame, "NormTable.build")
        matrix, passthrough = columns_to_matrix(plan, columns)
        batch = score_matrix(plan, matrix, careless=False)
        scores = item_scores(plan, matrix)
        if group_by:
            if group_by not in passthrough:
                raise ColumnError(
                    f"no column {group_by!r} to group the norms by",
                    fix="name it with group_by=...",
                    argument="group_by",
                )
            values = [plain(v) for v in passthrough[group_by]]
            labels = ["" if v is None else str(v) for v in values]
        else:
            labels = ["all"] * batch.n
        import numpy as np  # noqa: PLC0415

        label_array = np.asarray(labels, dtype=object)
        groups = []
        names = sorted({lab for lab in labels if lab}) if group_by else []
        for name in ["all", *[n for n in names if n != "all"]]:
            rows = np.ones(batch.n, dtype=bool) if name == "all" else label_array == name
            groups.append(_group_norms(name, plan, batch, scores, rows, metric))
        return cls(
            id=id,
            version=version,
            population=population,
            rubric=r.id,
            groups=groups,
            metric=metric,
            group_by=group_by or "",
            fallback=fallback,
            content_hash=plan.content_hash,
            source=f"built by mgrlead from {counted(batch.n, 'respondent')}",
            min_n=min_n,
        )


def _metric_column(batch: Any, dim_id: str, metric: str) -> Any:  # noqa: ANN401
    return batch.dimensions[dim_id]["score" if metric == "score" else metric]


def _group_norms(  # noqa: PLR0913, PLR0917 - one group of the batch
    name: str,
    plan: ScoringPlan,
    batch: BatchScores,
    scores: npt.NDArray[np.float64],
    rows: npt.NDArray[np.bool_],
    metric: str,
) -> NormGroup:
    import numpy as np  # noqa: PLC0415

    from mgrlead.analysis.psychometrics import cronbach_alpha  # noqa: PLC0415

    dims = {}
    for dim in plan.dimensions:
        values = _metric_column(batch, dim.id, metric)[rows]
        values = values[~np.isnan(values)]
        if len(values) < 2:
            raise InputError(
                f"norm group {name!r}: dimension {dim.id!r} has {len(values)} scored "
                "respondents; norms need at least 2"
            )
        sd = float(np.std(values, ddof=1))
        if sd == 0:
            raise InputError(f"norm group {name!r}: dimension {dim.id!r} does not vary (SD 0)")
        keyed = keyed_items(plan, dim, scores[rows])
        alpha = cronbach_alpha(keyed) if keyed.shape[1] > 1 else None
        reliability = alpha if alpha is not None and 0 <= alpha < 1 else None
        dims[dim.id] = DimensionNorm(
            mean=float(np.mean(values)), sd=sd, n=len(values), reliability=reliability
        )
    return NormGroup(id=name, dimensions=dims)


# ------------------------------------------------------------------ applying
def _sten(z: float) -> int:
    return int(min(10, max(1, math.floor(5.5 + 2 * z + 0.5))))


def _stanine(z: float) -> int:
    return int(min(9, max(1, math.floor(5 + 2 * z + 0.5))))


def convert_metric(
    value: float, metric: str, target: str, strategy: str, dim: DimensionPlan
) -> float | None:
    """``value``, a score in ``metric``, in the metric ``target``; ``None`` when not convertible.

    Metrics are those of :data:`METRICS`.  The headline ``score`` is the mean,
    percent or sum when the strategy is one of those; mean and percent convert
    linearly on the dimension's scale when all its items score on that one
    range (otherwise they are not convertible).  Nothing is clipped: an
    interval's end may fall outside the scale.  Use it to show a norm score's
    interval (:attr:`~mgrlead.results.NormScore.ci_low`, in the table's metric)
    beside a percent::

        convert_metric(norm.ci_low, table.metric, "percent", plan.strategy.name, dim)
    """

    def resolve(name: str) -> str | None:
        if name != "score":
            return name
        return strategy if strategy in {"mean", "percent", "sum"} else None

    source, goal = resolve(metric), resolve(target)
    if source is None or goal is None:
        return None
    if source == goal:
        return value
    if not dim.one_range:  # items on different ranges: the percent is not a rescaled mean
        return None
    lo, hi = dim.scale_min, dim.scale_max
    if (source, goal) == ("mean", "percent"):
        return (value - lo) / (hi - lo) * 100.0
    if (source, goal) == ("percent", "mean"):
        return lo + value / 100.0 * (hi - lo)
    return None


def norm_score(  # noqa: PLR0913 - one score and everything it is compared with
    x: float,
    norm: DimensionNorm,
    *,
    group: str,
    fallback: bool,
    table: NormTable,
    dim: DimensionPlan,
    strategy: str,
) -> NormScore:
    """Compare one raw score with its norm."""
    z = (x - norm.mean) / norm.sd
    sem = ci_low = ci_high = None
    borderline = None
    if norm.reliability is not None:
        sem = norm.sd * math.sqrt(1.0 - norm.reliability)
        half = NormalDist().inv_cdf(0.5 + table.confidence / 2) * sem
        ci_low, ci_high = x - half, x + half
        lo_b = convert_metric(ci_low, table.metric, dim.band_on, strategy, dim)
        hi_b = convert_metric(ci_high, table.metric, dim.band_on, strategy, dim)
        if lo_b is not None and hi_b is not None:
            borderline = bool(
                kernel.band_slot(PYTHON, lo_b, dim.boundaries)  # a gap between bands counts
                != kernel.band_slot(PYTHON, hi_b, dim.boundaries)
            )
    return NormScore(
        group=group, fallback=fallback, raw=x, z=z, t=50.0 + 10.0 * z,
        percentile=norm.percentile(x, z), sten=_sten(z), stanine=_stanine(z),
        sem=sem, ci_low=ci_low, ci_high=ci_high, borderline=borderline,
    )  # fmt: skip


def apply_norms(
    profile: Profile, rubric: Rubric | ScoringPlan, table: NormTable, group: str | None = None
) -> Profile:
    """The profile with each scorable dimension compared with the norm group.

    Raises:
        NormError: the table is for another rubric (or another scoring of it),
            or the group is unknown and the table has no fallback.
    """
    plan = rubric if isinstance(rubric, ScoringPlan) else plan_for(rubric)
    _check_table(table, plan)
    norm_group, fell_back = table.group(group)
    dims = {d.id: d for d in plan.dimensions}
    scores = []
    for s in profile.dimensions:
        norm = norm_group.dimensions.get(s.dimension)
        x = getattr(s, "score" if table.metric == "score" else table.metric)
        if norm is None or x is None:
            scores.append(s)
            continue
        ns = norm_score(
            float(x), norm, group=norm_group.id, fallback=fell_back, table=table,
            dim=dims[s.dimension], strategy=plan.strategy.name,
        )  # fmt: skip
        scores.append(attrs.evolve(s, norm=ns))
    return attrs.evolve(profile, dimensions=scores, norms=f"{table.id} {table.version}")


def _check_table(table: NormTable, plan: ScoringPlan) -> None:
    if table.rubric != plan.rubric:
        raise NormError(
            f"norm table {table.id!r} is for rubric {table.rubric!r}, not {plan.rubric!r}"
        )
    if table.content_hash and table.content_hash != plan.content_hash:
        raise NormError(
            f"norm table {table.id!r} was built for another scoring of {plan.rubric!r} "
            f"(content hash {table.content_hash[:19]}, now {plan.content_hash[:19]}); "
            "rebuild the norms or score with the rubric they were built for"
        )


def norm_columns(
    batch: BatchScores,
    table: NormTable,
    groups: Sequence[str | None],
) -> dict[str, list[Any]]:
    """Norm-derived columns for a batch: ``{dim}_z``, ``_t``, ``_percentile``, ... per row."""
    plan = batch.plan
    _check_table(table, plan)
    names = tuple(m.name for m in NORM_METRICS)
    out: dict[str, list[Any]] = {"norm_group": []}
    for dim in plan.dimensions:
        for n in names:
            out[f"{dim.id}_{n}"] = []
    resolved = {g: table.group(g) for g in set(groups)}
    for row, g in enumerate(groups):
        norm_group, fell_back = resolved[g]
        out["norm_group"].append(norm_group.id)
        for dim in plan.dimensions:
            x = float(_metric_column(batch, dim.id, table.metric)[row])
            norm = norm_group.dimensions.get(dim.id)
            if norm is None or math.isnan(x):
                for n in names:
                    out[f"{dim.id}_{n}"].append(None)
                continue
            ns = norm_score(x, norm, group=norm_group.id, fallback=fell_back, table=table,
                            dim=dim, strategy=plan.strategy.name)  # fmt: skip
            for n in names:
                out[f"{dim.id}_{n}"].append(getattr(ns, n))
    return out


def norm_extra(table: NormTable) -> Extra:
    """The norm columns for batches (``norm_group``, ``{dim}_z``, ...), as engines take them.

    Each row's group comes from the table's ``group_by`` pass-through column when
    the data have it; otherwise every row is compared with the default group.
    """

    def extra(batch: BatchScores, passthrough: Mapping[str, Any]) -> dict[str, list[Any]]:
        if table.group_by and table.group_by in passthrough:
            values = [plain(v) for v in passthrough[table.group_by]]
            groups = [None if v is None else str(v) for v in values]
        else:
            groups = [None] * batch.n
        return norm_columns(batch, table, groups)

    return extra


def load_norms(path: str | Path) -> NormTable:
    """Load a norm table from a ``.toml``, ``.json`` or ``.yaml`` file.

    Raises:
        RubricFileError: the file cannot be read or is not a valid norm table.
    """
    from pathlib import Path  # noqa: PLC0415

    from mgrlead.conversion import problems, structure_errors  # noqa: PLC0415

    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RubricFileError(path.name, [f"unknown file type {path.suffix!r}"])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricFileError(path.name, [f"cannot read the file: {exc.strerror}"]) from exc
    data = parse_text(raw, fmt=fmt, source=path.name)
    try:
        table: NormTable = make_converter().structure(data, NormTable)
    except structure_errors() as exc:
        raise RubricFileError(path.name, problems(exc)) from exc
    return table


def dump_norms(table: NormTable, fmt: str = "toml") -> str:
    """A norm table as TOML, JSON or YAML text that :func:`load_norms` reads back equal."""
    return dump_text(make_converter().unstructure(table), fmt, what="norm table")
