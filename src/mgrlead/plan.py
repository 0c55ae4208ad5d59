"""The compiled scoring plan, and the engines that read it.

A :class:`~mgrlead.model.Rubric` is compiled once into a :class:`ScoringPlan`:
flat tuples of item ids, answer codes, score ranges, and, for every dimension,
the ordered list of its items with their weights and keying.  The batch engine
(:meth:`ScoringPlan.score_matrix`, numpy) and the dataframe engine
(:mod:`mgrlead.native`) use the formulas here (:func:`_finish`,
:func:`_overall`, :func:`_band_index`, :func:`_reason`) on arrays or
expressions; one respondent is scored by a function that :mod:`mgrlead._single`
writes from the same plan with the same formulas written out.  All accumulate
in the same order, so one respondent scored alone and the same respondent
scored in a batch give bit-for-bit equal numbers (property tests hold them
equal).

Scoring semantics, for a dimension ``d`` with items ``i`` (weights ``w_i``) and
answered items ``A`` (codes that mean "missing" are not answers)::

    s_i     = the response code x_i, or the score the item's response map gives it
    lo_i, hi_i = the lowest and highest score item i can give
    k_i     = s_i                 if item i is keyed toward d's high pole
            = lo_i + hi_i - s_i   otherwise (the declared scale, never the data)
    sum     = sum_{i in A} w_i * k_i
    mean    = sum / sum_{i in A} w_i
    percent = 100 * sum_{i in A} w_i * (k_i - lo_i) / (hi_i - lo_i) / sum_{i in A} w_i
    position = (percent - 50) / 50          (bipolar dimensions only)
"""

from __future__ import annotations

import difflib
import functools
import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from mgrlead.careless import CarelessIndicators, CarelessPlan, compile_careless
from mgrlead.errors import AnswerError, RubricError
from mgrlead.results import DimensionScore, OverallScore, Profile
from mgrlead.strategies import BUILTIN_STRATEGIES, DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead._single import SingleScorer
    from mgrlead.model import Band, Dimension, Rubric

#: The careless-responding indicators, as ``careless_<name>`` columns.
CARELESS = ("longest_run", "irv", "acquiescence", "both_poles")

__all__ = [
    "CARELESS",
    "BatchScores",
    "DimensionPlan",
    "ItemPlan",
    "ScoringPlan",
    "check_answer",
    "compile_plan",
]


@frozen
class ItemPlan:
    """One item, compiled: which codes it accepts and what they score."""

    id: str
    code_min: int
    code_max: int
    missing_codes: frozenset[int]
    scores: Mapping[int, float] | None
    lo: float
    hi: float

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
    boundaries: tuple[tuple[float, bool], ...]
    band_on: str

    @functools.cached_property
    def n_items(self) -> int:
        """How many items the dimension rests on."""
        return len(self.members)

    @functools.cached_property
    def weight_total(self) -> float:
        """The sum of the weights of all its items."""
        return sum(self.weights)


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
    overall_boundaries: tuple[tuple[float, bool], ...]
    content_hash: str
    careless: CarelessPlan

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The item ids, in column order."""
        return tuple(item.id for item in self.items)

    @functools.cached_property
    def _single(self) -> SingleScorer:
        """This plan's single-respondent scorer (see :mod:`mgrlead._single`)."""
        from mgrlead._single import compile_single  # noqa: PLC0415

        return compile_single(self)

    # ------------------------------------------------------------------ single
    def score_one(self, answers: object, *, careless: bool = True) -> Profile:
        """Score one respondent; ``answers`` maps item id to response (or None/NaN).

        ``careless=False`` skips the careless-responding indicators
        (``Profile.careless`` is then ``None``).  An unknown item id is named
        before any answer is checked; then the first bad answer in the rubric's
        item order is named.
        """
        return self._single(answers, careless)  # type: ignore[arg-type] # checks the type itself

    def _profile(
        self,
        scores: list[DimensionScore],
        percents: Sequence[float],
        careless: CarelessIndicators | None,
    ) -> Profile:
        from mgrlead._version import __version__  # noqa: PLC0415

        return Profile(
            rubric=self.rubric,
            rubric_version=self.version,
            content_hash=self.content_hash,
            mgrlead_version=__version__,
            strategy=self.strategy.name,
            weighting=self.weighting,
            sources=dict(self.sources),
            dimensions=scores,
            overall=self._overall_score(percents),
            careless=careless,
        )

    def _overall_score(self, percents: Sequence[float]) -> OverallScore:
        blocked = [self.dimensions[d].id for d, _ in self.top if math.isnan(percents[d])]
        if blocked:
            return OverallScore(
                scorable=False, reason=_overall_reason(blocked), percent=None,
                position=None, band=None, band_label=None,
            )  # fmt: skip
        percent = _overall(self.top, percents)
        band = self.overall_bands[int(_band_index(percent, self.overall_boundaries))]
        return OverallScore(
            scorable=True, reason=None, percent=percent, position=(percent - 50.0) / 50.0,
            band=band.id, band_label=band.label,
        )  # fmt: skip

    def _unknown_item_message(self, item_id: object) -> str:
        text = f"unknown item {item_id!r}: rubric {self.rubric!r} has no such item"
        if isinstance(item_id, str):
            close = difflib.get_close_matches(item_id, self.item_ids, n=1)
            if close:
                return f"{text}; did you mean {close[0]!r}?"
        return f"{text}; its items are {', '.join(self.item_ids[:6])}..."

    # ------------------------------------------------------------------- batch
    def score_matrix(
        self, values: npt.ArrayLike, *, row_offset: int = 0, careless: bool = True
    ) -> BatchScores:
        """Score many respondents at once.

        Args:
            values: ``(n_respondents, n_items)`` floats, columns in ``item_ids``
                order, NaN for a missing answer; codes that mean missing are
                allowed and count as missing.
            row_offset: Added to row numbers in error messages (for chunks).
            careless: Compute the careless-responding indicators too (about a
                third of the time); without them the batch has no
                ``careless_*`` columns and its profiles no ``careless``.

        Raises:
            AnswerError: naming the first bad cell's row and item.
        """
        import numpy as np  # noqa: PLC0415

        # Column-major: every step below reads one item's column at a time.
        values = np.asfortranarray(values, dtype=np.float64)
        n_items = len(self.items)
        if values.ndim != 2 or values.shape[1] != n_items:
            raise AnswerError(
                f"expected an array of shape (n, {n_items}) in item order, got {values.shape}"
            )
        self.check_matrix(values, row_offset=row_offset)
        n = values.shape[0]
        n_dims = len(self.dimensions)
        acc_w = np.zeros((n_dims, n))
        acc_wx = np.zeros((n_dims, n))
        acc_wp = np.zeros((n_dims, n))
        answered = np.zeros((n_dims, n), dtype=np.int64)
        imputed = np.zeros((n_dims, n), dtype=np.int64)
        member_of: list[list[tuple[int, float, bool]]] = [[] for _ in range(n_items)]
        for d, dim in enumerate(self.dimensions):
            for i, w, rev in zip(dim.members, dim.weights, dim.reverse, strict=True):
                member_of[i].append((d, w, rev))
        by_item = values.T  # one contiguous row per item (values is column-major)
        for i, it in enumerate(self.items):
            if not member_of[i]:
                continue
            s = self._scores_column(it, by_item[i])
            real = ~np.isnan(s)
            for d, w, rev in member_of[i]:
                impute = self.dimensions[d].impute
                col, ans = s, real
                if impute != "none":
                    col, ans = _imputed(s, real, impute)
                    imputed[d] += ans & ~real
                ansf = ans.astype(np.float64)
                k = (it.lo + it.hi) - col if rev else col
                acc_w[d] += w * ansf
                acc_wx[d] += w * np.where(ans, k, 0.0)
                acc_wp[d] += w * np.where(ans, (k - it.lo) / (it.hi - it.lo), 0.0)
                answered[d] += real
        columns: dict[str, Any] = {}
        percents = np.full((n_dims, n), np.nan)
        nan = np.nan
        for d, dim in enumerate(self.dimensions):
            ok = (answered[d] >= dim.required) & (acc_w[d] != 0.0)
            if dim.required == 0:  # fully imputed scores still need something to rest on
                ok &= (answered[d] + imputed[d]) > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                mean, percent, position, headline = _finish(
                    acc_w[d], acc_wx[d], acc_wp[d], answered[d], dim, self.strategy
                )
            percents[d] = np.where(ok, percent, nan)
            value = _band_value(dim.band_on, percent, mean, headline)
            columns[dim.id] = {
                "sum": np.where(ok, acc_wx[d], nan),
                "mean": np.where(ok, mean, nan),
                "percent": percents[d],
                "position": np.where(ok, position, nan) if dim.bipolar else np.full(n, nan),
                "score": np.where(ok, headline, nan),
                "answered": answered[d],
                "missing": dim.n_items - answered[d],
                "imputed": imputed[d],
                "band": np.where(ok, _band_index(value, dim.boundaries), -1),
                "weight_zero": acc_w[d] == 0.0,
            }
        overall = _overall(self.top, percents)
        overall_ok = ~np.isnan(overall)
        raw = values
        if careless and any(it.missing_codes for it in self.items):
            raw = values.copy()
            for i, it in enumerate(self.items):
                if it.missing_codes:
                    raw[:, i] = np.where(np.isin(raw[:, i], list(it.missing_codes)), np.nan,
                                         raw[:, i])  # fmt: skip
        return BatchScores(
            plan=self,
            n=n,
            careless=self.careless.many(raw) if careless else {},
            dimensions=columns,
            overall_percent=overall,
            overall_band=np.where(
                overall_ok, _band_index(np.nan_to_num(overall), self.overall_boundaries), -1
            ),
        )

    def item_scores(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Every item's score, ``(respondents, items)``: missing codes NaN, maps applied."""
        import numpy as np  # noqa: PLC0415

        if not self.items:
            return np.empty((values.shape[0], 0))
        return np.column_stack(
            [self._scores_column(it, values[:, i]) for i, it in enumerate(self.items)]
        )

    def keyed_items(
        self, dim: DimensionPlan, scores: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """A dimension's items after reverse keying, ``(respondents, its items)``.

        ``scores`` comes from :meth:`item_scores`.
        """
        import numpy as np  # noqa: PLC0415

        cols = []
        for i, rev in zip(dim.members, dim.reverse, strict=True):
            it = self.items[i]
            s = scores[:, i]
            cols.append((it.lo + it.hi) - s if rev else s)
        return np.column_stack(cols) if cols else np.empty((scores.shape[0], 0))

    @staticmethod
    def _scores_column(it: ItemPlan, column: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Response codes to scores; missing codes to NaN (the column is already checked)."""
        import numpy as np  # noqa: PLC0415

        out = column
        if it.missing_codes:
            out = np.where(np.isin(column, list(it.missing_codes)), np.nan, column)
        if it.scores is not None:
            table = np.array([it.scores[c] for c in range(it.code_min, it.code_max + 1)])
            valid = ~np.isnan(out)
            mapped = np.full(out.shape, np.nan)
            mapped[valid] = table[(out[valid] - it.code_min).astype(np.int64)]
            out = mapped
        return out

    def check_matrix(self, values: npt.NDArray[np.float64], *, row_offset: int = 0) -> None:
        """Raise :class:`AnswerError` for the first cell that is not a valid answer."""
        import numpy as np  # noqa: PLC0415

        lo = np.asarray([it.code_min for it in self.items], dtype=np.float64)
        hi = np.asarray([it.code_max for it in self.items], dtype=np.float64)
        # The common case first: every column within its scale, every cell whole
        # (NaN passes each test); only a failure pays for the cell-by-cell search.
        # Column by column, so that the temporaries stay small.
        with np.errstate(invalid="ignore"):
            for j in range(values.shape[1] if values.shape[0] else 0):
                column = values[:, j]
                if (
                    np.any(column - np.floor(column) > 0)
                    or np.fmin.reduce(column) < lo[j]
                    or np.fmax.reduce(column) > hi[j]
                ):
                    break
            else:
                return
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(values) & ((values < lo) | (values > hi) | (values != np.floor(values)))
        for i, it in enumerate(self.items):
            if it.missing_codes:
                bad[:, i] &= ~np.isin(values[:, i], list(it.missing_codes))
        if not bad.any():
            return
        where = np.argwhere(bad)
        row, col = (int(x) for x in where[0])
        others = len(where) - 1
        it = self.items[col]
        try:
            check_answer(it.id, float(values[row, col]), it.code_min, it.code_max, it.missing_codes)
        except AnswerError as exc:
            more = f" (and {others} more bad cells)" if others else ""
            raise AnswerError(
                f"row {row + row_offset}: {exc}{more}", item=it.id, row=row + row_offset
            ) from None


def _single_imputation_message(dim: DimensionPlan) -> str:
    return (
        f"dimension {dim.id!r} imputes missing answers with the sample's item {dim.impute}, "
        "which one respondent alone does not have; score the sample with score_frame, or "
        "use a policy without imputation (missing='available')"
    )


def _imputed(s: Any, real: Any, how: str) -> tuple[Any, Any]:  # noqa: ANN401
    """Fill the missing cells of an item with its mean or median over the sample.

    An item nobody answered cannot be imputed: it stays missing.
    """
    import numpy as np  # noqa: PLC0415

    if not real.any():
        return s, real
    fill = float(np.mean(s[real]) if how == "mean" else np.median(s[real]))
    return np.where(real, s, fill), np.ones_like(real)


def _unscorable(dim: DimensionPlan, answered: int, reason: str) -> DimensionScore:
    return DimensionScore(
        dimension=dim.id, parent=dim.parent, scorable=False, reason=reason,
        n_items=dim.n_items, answered=answered, missing=dim.n_items - answered, sum=None,
        mean=None, percent=None, position=None, score=None, band=None, band_label=None,
    )  # fmt: skip


@frozen
class BatchScores:
    """The scores of many respondents, as numpy arrays (one entry per respondent).

    ``dimensions[dim_id][metric]`` holds ``sum``, ``mean``, ``percent``,
    ``position``, ``score`` (NaN when not scorable, and ``position`` for
    unipolar dimensions), ``answered``, ``missing`` and ``band`` (an index into
    the dimension's bands, -1 when not scorable).
    """

    plan: ScoringPlan
    n: int
    careless: dict[str, Any]
    dimensions: dict[str, dict[str, Any]]
    overall_percent: Any
    overall_band: Any

    #: Metrics written as columns, in order.
    METRICS = (
        "sum", "mean", "percent", "position", "score", "answered", "missing", "imputed", "band",
    )  # fmt: skip

    @classmethod
    def column_names_of(cls, plan: ScoringPlan) -> list[str]:
        """The names of the result columns for ``plan``, in order."""
        names = [f"{dim.id}_{m}" for dim in plan.dimensions for m in cls.METRICS]
        careless = [f"careless_{name}" for name in CARELESS]
        return [*names, "overall_percent", "overall_position", "overall_band", *careless]

    def columns(self, *, band_ids: bool = True) -> dict[str, Any]:
        """The result columns: ``{dim}_{metric}`` per dimension, then ``overall_*``.

        Band columns hold band ids (``None`` when not scorable); with
        ``band_ids=False`` they hold the band indices of :meth:`band_codes`
        instead, for callers that build text columns from those.
        """
        out: dict[str, Any] = {}
        for dim in self.plan.dimensions:
            cols = self.dimensions[dim.id]
            for metric in self.METRICS:
                if metric == "band":
                    band = cols["band"]
                    out[f"{dim.id}_band"] = _band_ids(band, dim.bands) if band_ids else band
                else:
                    out[f"{dim.id}_{metric}"] = cols[metric]
        out["overall_percent"] = self.overall_percent
        out["overall_position"] = (self.overall_percent - 50.0) / 50.0
        overall_band = self.overall_band
        out["overall_band"] = (
            _band_ids(overall_band, self.plan.overall_bands) if band_ids else overall_band
        )
        if self.careless:
            for name in CARELESS:
                out[f"careless_{name}"] = self.careless[name]
        return out

    def band_codes(self) -> dict[str, tuple[Any, tuple[str, ...]]]:
        """Each band column of :meth:`columns` as (band indices, band ids); -1: not scorable."""
        out = {
            f"{dim.id}_band": (self.dimensions[dim.id]["band"], tuple(b.id for b in dim.bands))
            for dim in self.plan.dimensions
        }
        out["overall_band"] = (self.overall_band, tuple(b.id for b in self.plan.overall_bands))
        return out

    def profile(self, row: int) -> Profile:
        """The profile of one respondent, equal to what :func:`mgrlead.score` returns."""
        plan = self.plan
        scores = []
        percents = []
        for dim in plan.dimensions:
            c = self.dimensions[dim.id]
            answered = int(c["answered"][row])
            band = int(c["band"][row])
            if band >= 0:
                scores.append(
                    DimensionScore(
                        dimension=dim.id, parent=dim.parent, scorable=True, reason=None,
                        n_items=dim.n_items, answered=answered,
                        missing=dim.n_items - answered, imputed=int(c["imputed"][row]),
                        sum=float(c["sum"][row]),
                        mean=float(c["mean"][row]), percent=float(c["percent"][row]),
                        position=float(c["position"][row]) if dim.bipolar else None,
                        score=float(c["score"][row]),
                        band=dim.bands[band].id, band_label=dim.bands[band].label,
                    )
                )  # fmt: skip
                percents.append(float(c["percent"][row]))
            else:
                weight_zero = bool(c["weight_zero"][row])
                reason = _reason(answered, dim.required, dim.n_items, weight_zero)
                scores.append(_unscorable(dim, answered, reason or ""))
                percents.append(math.nan)
        c = self.careless
        careless = (
            CarelessIndicators(
                longest_run=int(c["longest_run"][row]),
                irv=_float_or_none(c["irv"][row]),
                acquiescence=_float_or_none(c["acquiescence"][row]),
                both_poles=int(c["both_poles"][row]),
            )
            if c
            else None
        )
        return plan._profile(scores, percents, careless)  # noqa: SLF001


def _float_or_none(value: Any) -> float | None:  # noqa: ANN401
    number = float(value)
    return None if math.isnan(number) else number


# ---------------------------------------------------------------- shared maths
def _finish(  # noqa: PLR0913, PLR0917 - the accumulators, then what to finish them with
    acc_w: Any,  # noqa: ANN401 - a float or a numpy array, the same formula for both
    acc_wx: Any,  # noqa: ANN401
    acc_wp: Any,  # noqa: ANN401
    answered: Any,  # noqa: ANN401
    dim: DimensionPlan,
    strategy: ScoringStrategy,
) -> tuple[Any, Any, Any, Any]:
    """Mean, percent, position and the headline score from the accumulators."""
    mean = acc_wx / acc_w
    percent = acc_wp / acc_w * 100.0
    position = (percent - 50.0) / 50.0
    stats = DimensionStats(
        sum=acc_wx,
        mean=mean,
        percent=percent,
        position=position,
        answered=answered,
        n_items=dim.n_items,
        scale_min=dim.scale_min,
        scale_max=dim.scale_max,
        weight_total=dim.weight_total,
    )
    return mean, percent, position, strategy.score(stats)


def _band_value(band_on: str, percent: Any, mean: Any, headline: Any) -> Any:  # noqa: ANN401
    """The number a dimension's bands label."""
    return {"percent": percent, "mean": mean, "score": headline}[band_on]


def _overall(top: tuple[tuple[int, float], ...], percents: Any) -> Any:  # noqa: ANN401
    """Weighted mean of the top-level dimensions' percents, accumulated in order.

    The shares (percent / 100, each at most 1) are weighted and summed in the
    same order as the weights themselves, so rounding can never carry the result
    past 0 or 100: with every share 1.0 the two sums are the same sum.
    """
    acc: Any = 0.0
    total = 0.0
    for d, weight in top:
        acc = acc + weight * (percents[d] / 100.0)
        total += weight
    return acc / total * 100.0


def _band_index(value: Any, boundaries: tuple[tuple[float, bool], ...]) -> Any:  # noqa: ANN401
    """Index of the band ``value`` falls in (works on floats and arrays)."""
    index: Any = 0
    for bound, lower_includes in boundaries:
        index = index + ((value > bound) if lower_includes else (value >= bound))
    return index


def _reason(answered: int, required: int, n_items: int, weight_zero: bool) -> str | None:
    """Why a dimension is not scorable, or ``None`` when it is."""
    if answered < required:
        return f"{answered} of {n_items} items answered; at least {required} needed"
    if weight_zero:
        return "every answered item has weight 0"
    return None


def _overall_reason(blocked: list[str]) -> str:
    names = ", ".join(repr(b) for b in blocked)
    return f"dimension {names} could not be scored"


def _band_ids(index: Any, bands: tuple[Band, ...]) -> Any:  # noqa: ANN401
    """Band indices (-1: not scorable) to an object array of band ids (``None``)."""
    import numpy as np  # noqa: PLC0415

    ids = np.array([*(b.id for b in bands), None], dtype=object)
    return ids[index]


def _boundaries(bands: tuple[Band, ...]) -> tuple[tuple[float, bool], ...]:
    """Each boundary between adjacent bands as ``(threshold, lower band includes it)``.

    A value within :data:`~mgrlead.model.BAND_TOLERANCE` of a boundary counts as
    on it (see :meth:`Band.contains <mgrlead.model.Band.contains>`), so the
    threshold sits that far beyond the boundary, on the side of the band that
    does not own it.
    """
    from mgrlead.model import band_slack  # noqa: PLC0415

    return tuple(
        (b.upper + band_slack(b.upper), True)
        if b.include_upper
        else (b.upper - band_slack(b.upper), False)
        for b in bands[:-1]
    )


def check_answer(
    item_id: object,
    value: object,
    lo: int,
    hi: int,
    missing_codes: Collection[int] = (),
) -> int | None:
    """Validate one answer; return it as an int, or ``None`` when it is missing.

    ``None``, NaN and the item's missing codes mean missing.  Integers (not
    booleans) and whole-valued floats on the scale are answers.  Anything else
    raises :class:`AnswerError`.
    """
    if value is None:
        return None
    if type(value) is int and lo <= value <= hi and value not in missing_codes:
        return value  # the common case, without building any message
    where = f"item {item_id!r}"
    fix = f"answers must be whole numbers from {lo} to {hi}, or None/NaN when not answered"
    if missing_codes:
        fix += f" (or {', '.join(map(str, sorted(missing_codes)))} for not applicable)"
    if type(value).__name__ in {"bool", "bool_"}:
        raise AnswerError(f"{where}: got the boolean {value!r}; {fix}", item=str(item_id))
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, float) or (
        isinstance(value, numbers.Real) and hasattr(value, "is_integer")
    ):
        as_float = float(value)
        if math.isnan(as_float):
            return None
        if not as_float.is_integer():
            raise AnswerError(f"{where}: {value!r} is not a whole number; {fix}", item=str(item_id))
        number = int(as_float)
    else:
        raise AnswerError(
            f"{where}: got {type(value).__name__} {value!r}; {fix}", item=str(item_id)
        )
    if number in missing_codes:
        return None
    if not lo <= number <= hi:
        raise AnswerError(
            f"{where}: {value!r} is outside the scale {lo}..{hi}; {fix}", item=str(item_id)
        )
    return number


# ------------------------------------------------------------------- compiling
def resolve_strategy(name: str) -> ScoringStrategy:
    """A built-in strategy by name, else one registered with the default plugin host."""
    if name in BUILTIN_STRATEGIES:
        return BUILTIN_STRATEGIES[name]
    from mgrlead.plugins import default_host  # noqa: PLC0415

    return default_host().resolve_strategy(name)


def _current_sources(rubric: Rubric) -> dict[str, str]:
    """The rubric's sources that still describe its content (after ``attrs.evolve``)."""
    current = {f"rubric:{rubric.id}", f"strategy:{rubric.strategy}"}
    current.add(f"weighting:{rubric.weighting.id}")
    current.update(f"dimension:{d.id}" for d in rubric.walk())
    return {k: v for k, v in rubric.sources.items() if k in current}


def compile_plan(rubric: Rubric, strategy: ScoringStrategy | None = None) -> ScoringPlan:
    """Compile a rubric into the flat plan every engine reads.

    Args:
        rubric: The rubric.
        strategy: The strategy object; ``None`` resolves ``rubric.strategy``.

    Raises:
        RubricError: the strategy is unknown, or a dimension's bands do not cover
            the range of the score they label.
    """
    from mgrlead.model import check_bands  # noqa: PLC0415
    from mgrlead.provenance import content_hash  # noqa: PLC0415

    strategy = strategy if strategy is not None else resolve_strategy(rubric.strategy)
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
            )
        )
    dims: list[DimensionPlan] = []

    def visit(dim: Dimension, parent: str | None) -> None:
        members = rubric.members(dim)
        ordered = sorted((index[item_id], rev) for item_id, rev in members)
        idx = tuple(i for i, _ in ordered)
        bands = rubric.bands_of(dim)
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
            boundaries=_boundaries(bands),
            band_on=dim.band_on,
        )
        if dim.band_on == "score":
            stats = DimensionStats(
                sum=0.0, mean=0.0, percent=0.0, position=0.0, answered=plan.n_items,
                n_items=plan.n_items, scale_min=plan.scale_min, scale_max=plan.scale_max,
                weight_total=plan.weight_total,
            )  # fmt: skip
            low, high = strategy.bounds(stats)
            try:
                check_bands(bands, f"dimension {dim.id!r}", low, high, exact=False)
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
    top = tuple((d, w / largest) for d, w in raw if w > 0)
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
        overall_boundaries=_boundaries(rubric.bands),
        content_hash=content_hash(rubric),
        careless=compile_careless(rubric),
    )
