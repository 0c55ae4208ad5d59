"""The batch engine: many respondents at once, as numpy arrays.

:func:`score_matrix` moves a ``(respondents, items)`` array into the kernel
(:mod:`mgrlead.engines.kernel`): each item's response codes become indices into
its term tables (one gather per member and term), the kernel sums them in item
order and finishes every metric over whole columns.  Imputation fill values are
computed from a count of each code over the whole array, unless the caller gives
them (file streaming gives those of the whole file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from mgrlead.engines import assemble, kernel
from mgrlead.engines.checks import all_valid, check_matrix
from mgrlead.engines.ops import NUMPY
from mgrlead.errors import AnswerError
from mgrlead.results import (
    CARELESS_METRICS,
    OVERALL_METRICS,
    Profile,
    dimension_metrics,
    score_column_names,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.plan import DimensionPlan, ItemPlan, ScoringPlan

__all__ = [
    "BatchScores",
    "Fills",
    "answer_matrix",
    "code_counts",
    "code_indices",
    "fills_from_counts",
    "item_scores",
    "keyed_items",
    "score_matrix",
]

#: Imputation fill values: ``{method: [score or None, one per item]}``.
Fills = Mapping[str, Sequence[float | None]]


def code_indices(
    item: ItemPlan, column: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Each cell's index into the item's codes (the gap: one past the last) and whether answered.

    The column is already checked: NaN, missing codes and codes of the scale only.
    """
    missing = [(..., list(item.missing_codes))] if item.missing_codes else []
    return _coded(column, item.code_min, float(len(item.codes)), missing)


def _coded(
    values: Any,  # noqa: ANN401 - one item's column, or (items, rows)
    code_min: Any,  # noqa: ANN401 - a number, or one per item as (items, 1)
    gap: Any,  # noqa: ANN401
    missing: Sequence[tuple[Any, list[int]]],
) -> tuple[Any, Any]:
    """Code indices and answered cells (see :func:`code_indices`), for one item or a block.

    ``missing``: where (an item's row, or ``...``) which codes mean "not answered".
    """
    import numpy as np  # noqa: PLC0415

    shifted = values - code_min  # a new array, filled in place below
    real = np.isnan(shifted)
    np.logical_not(real, out=real)  # answered: not NaN
    for at, codes in missing:
        real[at] &= ~np.isin(values[at], codes)
    np.copyto(shifted, gap, where=~real)
    return shifted.astype(np.intp), real


def code_counts(
    plan: ScoringPlan, indices: Sequence[npt.NDArray[np.intp]]
) -> list[npt.NDArray[np.int64]]:
    """How often each code of each item was given (from :func:`code_indices`)."""
    import numpy as np  # noqa: PLC0415

    return [
        np.bincount(index, minlength=len(it.codes) + 1)[: len(it.codes)]
        for it, index in zip(plan.items, indices, strict=True)
    ]


def fills_from_counts(
    plan: ScoringPlan, counts: Sequence[Sequence[int]] | Sequence[npt.NDArray[np.int64]]
) -> dict[str, list[float | None]]:
    """The imputation fill value of every item, for each method the plan uses."""
    return {
        how: [kernel.fill_value(it, counts[i], how) for i, it in enumerate(plan.items)]
        for how in plan.imputes
    }


def answer_matrix(values: npt.ArrayLike, n_items: int) -> npt.NDArray[np.float64]:
    """``values`` as a ``(respondents, n_items)`` float array, or an error saying what it is.

    Raises:
        AnswerError: true/false values, values that are not numbers, or the
            wrong shape.
    """
    import numpy as np  # noqa: PLC0415

    if getattr(values, "dtype", None) == np.bool_:
        raise AnswerError("the answers are true/false values, not response codes; give numbers")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AnswerError(
            f"the answers must be numbers (NaN for a missing answer): {exc}; convert the "
            "array to floats, or score a frame, which names the bad cell"
        ) from None
    if array.ndim != 2 or array.shape[1] != n_items:
        raise AnswerError(
            f"expected an array of shape (n, {n_items}) in item order, got {array.shape}"
        )
    return array


def score_matrix(
    plan: ScoringPlan,
    values: npt.ArrayLike,
    *,
    row_offset: int = 0,
    careless: bool = True,
    fills: Fills | None = None,
) -> BatchScores:
    """Score many respondents at once.

    Args:
        plan: The compiled rubric.
        values: ``(n_respondents, n_items)`` floats, columns in ``plan.item_ids``
            order, NaN for a missing answer; codes that mean missing are
            allowed and count as missing.
        row_offset: Added to row numbers in error messages (for chunks).
        careless: Compute the careless-responding indicators too; without them
            the batch has no ``careless_*`` columns and its profiles no
            ``careless``.
        fills: Imputation fill values (see :func:`fills_from_counts`);
            ``None``: those of ``values`` itself.

    Raises:
        AnswerError: naming the first bad cell's row and item.
    """
    import numpy as np  # noqa: PLC0415

    values = answer_matrix(values, len(plan.items))
    n = values.shape[0]
    blocks = _blocks(n)
    layout = _Layout(plan)

    # Block by block: each block's answers are transposed into a small buffer,
    # one contiguous row per item, and every temporary stays small enough for
    # the caches and for the allocator to reuse, which is several times faster
    # than whole-column temporaries of a million rows; the numbers are the same.
    def block(start: int, stop: int) -> tuple[Any, Any, Any]:
        """One block, ``(items, rows)``, checked; its code indices and answered mask."""
        by_item = np.ascontiguousarray(values[start:stop].T)
        if not all_valid(plan.items, by_item):
            check_matrix(plan.items, values, row_offset=row_offset)  # names the first bad cell
        flat_index, real = layout.flat_indices(by_item)
        return by_item, flat_index, real

    if plan.imputes and fills is None:  # a first pass: the fill values of the whole batch
        totals = [np.zeros(len(it.codes), dtype=np.int64) for it in plan.items]
        for start, stop in blocks:
            for i, count in enumerate(code_counts(plan, block(start, stop)[1] - layout.offsets)):
                totals[i] += count
        fills = fills_from_counts(plan, totals)
    tables = layout.term_tables(plan, fills)
    units, codes = layout.careless_tables(plan)
    out = _Columns(n)
    for start, stop in blocks:
        by_item, flat_index, real = block(start, stop)
        out.put(start, stop, _score_block(
            plan, tables, (units, codes), by_item, flat_index, real, careless=careless
        ))  # fmt: skip
    dimensions, overall, indicators = out.result()
    if plan.strategy.scores_theta:  # θ (mgrlead.irt): from the answers themselves
        plan.strategy.theta_columns(plan, values, dimensions, overall)  # type: ignore[attr-defined]
    return BatchScores(plan=plan, n=n, careless=indicators, dimensions=dimensions, overall=overall)


#: Rows scored at a time by :func:`score_matrix` (its temporaries are this long).
BLOCK_ROWS: Final = 1 << 13


def _blocks(n: int) -> list[tuple[int, int]]:
    return [(start, min(start + BLOCK_ROWS, n)) for start in range(0, n, BLOCK_ROWS)] or [(0, 0)]


class _Layout:
    """Where each item's codes sit in flat tables: a block's cells become flat indices.

    Item ``i``'s code ``c`` (its index ``c - code_min``, the gap one past the
    last) has the flat position ``offsets[i] + index``; a table made by
    :meth:`flat` holds every item's values there, so one gather fetches a whole
    stack of items.
    """

    def __init__(self, plan: ScoringPlan) -> None:
        import numpy as np  # noqa: PLC0415

        sizes = [len(it.codes) + 1 for it in plan.items]
        self.size = sum(sizes)
        self.offsets = np.cumsum([0, *sizes[:-1]], dtype=np.intp)[:, None]
        self.code_min = np.array([it.code_min for it in plan.items], dtype=np.float64)[:, None]
        self.gap = np.array([len(it.codes) for it in plan.items], dtype=np.float64)[:, None]
        self.missing_codes = [(i, list(it.missing_codes)) for i, it in enumerate(plan.items)
                              if it.missing_codes]  # fmt: skip

    def indices(self, by_item: Any) -> tuple[Any, Any]:  # noqa: ANN401
        """Each checked cell's index into its item's codes (gap: one past), and answered."""
        return _coded(by_item, self.code_min, self.gap, self.missing_codes)

    def flat_indices(self, by_item: Any) -> tuple[Any, Any]:  # noqa: ANN401
        """Each checked cell's flat position (``offsets + index``, in one pass), and answered."""
        return _coded(by_item, self.code_min - self.offsets, self.gap + self.offsets,
                      self.missing_codes)  # fmt: skip

    def flat(self, tables: Sequence[Any], members: Sequence[int] | None = None) -> Any:  # noqa: ANN401
        """One flat table from per-item tables (of ``members``, others 0)."""
        import numpy as np  # noqa: PLC0415

        out = np.zeros(self.size, dtype=np.float64)
        for table, i in zip(tables, range(len(tables)) if members is None else members,
                            strict=True):  # fmt: skip
            start = int(self.offsets[i, 0])
            out[start : start + len(table)] = table
        return out

    def careless_tables(self, plan: ScoringPlan) -> tuple[Any, Any]:
        """Flat tables of each code's answer on -1..+1 (:func:`kernel.unit_table`) and the code.

        The codes are ``None`` when every item has the same scale and the
        answers are whole: the units are then one-to-one with the codes.

        Whole numbers in the narrowest integer type their sums over the items
        fit in (the careless indicators' arithmetic is then exact and cheap);
        floats when the plan's answers are not whole.  A gap has the unit 0 and
        a code no item has (the indicators never read it).
        """
        import numpy as np  # noqa: PLC0415

        careless = plan.careless
        k = max(len(plan.items), 1)
        units_type: Any = np.float64
        if careless.exact:
            bound = k * careless.denominator**2  # |sum(h)| and sum(h^2) are at most this
            units_type = next(t for t in (np.int16, np.int32, np.int64) if bound <= np.iinfo(t).max)
        low = min((it.code_min for it in plan.items), default=0) - 1
        high = max((it.code_max for it in plan.items), default=0)
        codes_type = next(t for t in (np.int8, np.int16, np.int32)
                          if np.iinfo(t).min <= low and high <= np.iinfo(t).max)  # fmt: skip
        units = np.zeros(self.size, dtype=units_type)
        codes = np.full(self.size, low, dtype=codes_type)
        for i, it in enumerate(plan.items):
            start = int(self.offsets[i, 0])
            units[start : start + len(it.codes)] = kernel.unit_table(it, careless)
            codes[start : start + len(it.codes)] = it.codes
        one_scale = len({(it.code_min, it.code_max) for it in plan.items}) <= 1
        return units, None if one_scale and careless.exact else codes

    def term_tables(self, plan: ScoringPlan, fills: Fills | None) -> list[_DimensionTables]:
        """Per dimension: flat ``w``, ``w * k`` and share tables, and whether it imputes."""
        import numpy as np  # noqa: PLC0415

        out = []
        for dim in plan.dimensions:
            w, wx, wp = [], [], []
            filled = []
            for i, weight, rev in zip(dim.members, dim.weights, dim.reverse, strict=True):
                fill = None if dim.impute == "none" or fills is None else fills[dim.impute][i]
                filled.append(fill is not None)
                table = kernel.term_table(plan.items[i], weight, rev, fill)
                w.append(_table([t.w for t in table.by_code], table.gap.w))
                wx.append(_table([t.wx for t in table.by_code], table.gap.wx))
                wp.append(_table([t.wp for t in table.by_code], table.gap.wp))
            unit = all(x == 1.0 for x in dim.weights) and dim.impute == "none"
            members = list(dim.members)
            flat_wx, flat_wp = self.flat(wx, dim.members), self.flat(wp, dim.members)
            whole = _whole_scale(flat_wx, flat_wp, len(members)) if unit else None
            if whole is not None:
                flat_wx, flat_wp = (_narrow(t * whole, len(members)) for t in (flat_wx, flat_wp))
            contiguous = bool(members) and members == list(range(members[0], members[-1] + 1))
            out.append(_DimensionTables(
                members=members, rows=slice(members[0], members[-1] + 1) if contiguous else members,
                w=self.flat(w, dim.members), wx=flat_wx, wp=flat_wp, unit=unit, whole=whole,
                filled=np.array(filled)[:, None] if any(filled) else None,
            ))  # fmt: skip
        return out


@frozen
class _DimensionTables:
    members: list[int]
    rows: slice | list[int]
    """The members as rows of a block: a slice (a view, nothing copied) when contiguous."""
    w: Any
    wx: Any
    wp: Any
    unit: bool
    """Unit weights without imputation: an answered item weighs 1."""
    whole: float | None
    """``wx`` and ``wp`` hold whole numbers, the terms times this power of two (else ``None``)."""
    filled: Any
    """Which members have an imputed value for a gap, ``(members, 1)``; ``None``: none."""


def _whole_scale(wx: Any, wp: Any, members: int) -> float | None:  # noqa: ANN401
    """The least power of two (up to 1024) that makes every term whole, if any.

    Sums of whole numbers in an integer type are exact, as the float sums of the
    same terms are (every partial sum of multiples of ``1 / 2^j`` this small is a
    double), so dividing the whole sum by the power of two gives the float sum
    bit for bit, at a fraction of the memory traffic.
    """
    import numpy as np  # noqa: PLC0415

    terms = np.concatenate([wx, wp])
    if not np.all(np.isfinite(terms)):
        return None
    for power in range(11):
        scale = float(1 << power)
        scaled = terms * scale
        if np.all(scaled == np.round(scaled)):
            bound = float(np.max(np.abs(scaled))) * max(members, 1)
            return scale if bound < 1 << 31 else None
    return None


def _narrow(table: Any, members: int) -> Any:  # noqa: ANN401
    """A table of whole numbers in the narrowest type its sums over ``members`` fit in."""
    import numpy as np  # noqa: PLC0415

    bound = float(np.max(np.abs(table), initial=0.0)) * max(members, 1)
    kind = np.int16 if bound <= np.iinfo(np.int16).max else np.int32
    return table.astype(kind)


def _table(values: Sequence[float], gap: float) -> npt.NDArray[np.float64]:
    import numpy as np  # noqa: PLC0415

    return np.array([*values, gap], dtype=np.float64)


_Block = tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, Any]]


def _score_block(  # noqa: PLR0913, PLR0917 - one block of rows and what scores it
    plan: ScoringPlan,
    tables: list[_DimensionTables],
    careless_tables: tuple[Any, Any],
    by_item: Any,  # noqa: ANN401
    flat_index: Any,  # noqa: ANN401
    real: Any,  # noqa: ANN401
    *,
    careless: bool,
) -> _Block:
    """The kernel on one block of rows: dimension metrics, overall, careless indicators.

    ``by_item``, ``flat_index`` and ``real`` are ``(items, rows)``: the answers,
    their flat positions in the layout's tables and whether answered.  Each
    dimension gathers its members' terms as stacks (one gather per table) and the
    kernel sums them in item order.
    """
    import numpy as np  # noqa: PLC0415

    n = by_item.shape[1]
    results = []
    columns: dict[str, dict[str, Any]] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for dim, t in zip(plan.dimensions, tables, strict=True):
            at = flat_index[t.rows]
            answered = real[t.rows]
            ones = NUMPY.each(NUMPY.as_count, answered)
            # unit weights without imputation: the weight of an answered item is 1
            w = None if t.unit else t.w.take(at)
            imputed: Any = 0
            if t.filled is not None:  # a gap of a member with a fill value is imputed
                imputed = NUMPY.each(NUMPY.as_int, ~answered & t.filled)
            acc = kernel.accumulate_stacks(NUMPY, w, t.wx.take(at), t.wp.take(at), ones,
                                           imputed)  # fmt: skip
            if t.whole is not None:  # the terms were whole multiples of 1 / whole: exact sums
                acc.wx *= 1.0 / t.whole
                acc.wp *= 1.0 / t.whole
            acc.n = np.asarray(acc.n, dtype=np.int64)
            if t.unit:
                acc.w = acc.n.astype(np.float64)
            if isinstance(acc.imputed, int):
                acc.imputed = np.zeros(n, dtype=np.int64)
            result = kernel.dimension(NUMPY, acc, dim, plan.strategy)
            results.append(result)
            metrics = {k: _column(v, n) for k, v in kernel.masked(NUMPY, result).items()}
            metrics["weight_zero"] = _column(result.weight_zero, n)
            columns[dim.id] = metrics
        top = [(weight, results[d]) for d, weight in plan.top]
        total = kernel.overall(NUMPY, top, plan.overall_boundaries)
        overall = {k: _column(v, n) for k, v in kernel.overall_masked(NUMPY, total).items()}
        indicators: dict[str, Any] = {}
        if careless:
            units, codes = careless_tables  # small whole numbers: one gather each
            h = units.take(flat_index)
            # items on one scale: equal units are equal codes, so the units serve as codes
            c = h if codes is None else codes.take(flat_index)
            found = kernel.careless(NUMPY, c, h, real, plan.careless)
            indicators = {k: _column(v, n) for k, v in found.items()}
    return columns, overall, indicators


class _Columns:
    """The blocks' columns, each written into its place in whole-batch arrays."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.parts: _Block | None = None

    def put(self, start: int, stop: int, block: _Block) -> None:
        """Put one block's columns at rows ``start:stop``."""
        import numpy as np  # noqa: PLC0415

        if self.parts is None:
            if stop - start == self.n:  # one block: its columns are the batch's
                self.parts = block
                return

            # one allocation per dtype, each column a row of it: the memory is
            # touched for the first time once, which costs less than 55 times
            shapes = [*(c for d in block[0].values() for c in d.values()), *block[1].values(),
                      *block[2].values()]  # fmt: skip
            dtypes = {v.dtype for v in shapes}
            pools = {t: iter(np.empty((sum(v.dtype == t for v in shapes), self.n), dtype=t))
                     for t in dtypes}  # fmt: skip

            def alloc(columns: dict[str, Any]) -> dict[str, Any]:
                return {k: next(pools[v.dtype]) for k, v in columns.items()}

            self.parts = ({d: alloc(c) for d, c in block[0].items()}, alloc(block[1]),
                          alloc(block[2]))  # fmt: skip
        dims, overall, indicators = self.parts
        for d, metrics in block[0].items():
            for k, v in metrics.items():
                dims[d][k][start:stop] = v
        for target, source in ((overall, block[1]), (indicators, block[2])):
            for k, v in source.items():
                target[k][start:stop] = v

    def result(self) -> _Block:
        """The batch's columns."""
        assert self.parts is not None  # noqa: S101 - score_matrix puts at least one block
        return self.parts


def _column(value: Any, n: int) -> Any:  # noqa: ANN401
    """A kernel value as a column of ``n`` (a constant, where the formula gave one)."""
    import numpy as np  # noqa: PLC0415

    array = np.asarray(value)
    if array.ndim == 0:
        dtype = np.float64 if array.dtype.kind == "f" else array.dtype
        return np.full(n, array, dtype=dtype)
    return array


@frozen
class BatchScores:
    """The scores of many respondents, as numpy arrays (one entry per respondent).

    ``dimensions[dim_id][metric]`` holds each metric of
    :data:`~mgrlead.results.DIMENSION_METRICS` (scores NaN when not scorable,
    ``position`` NaN for unipolar dimensions, ``band`` an index into the
    dimension's bands, -1 when not scorable, -2 (:data:`~mgrlead.plan.NO_BAND`)
    for a score in a gap between bands); ``overall[metric]`` those of
    :data:`~mgrlead.results.OVERALL_METRICS`; ``careless[metric]`` the
    indicators (empty when not computed).
    """

    plan: ScoringPlan
    n: int
    careless: dict[str, Any]
    dimensions: dict[str, dict[str, Any]]
    overall: dict[str, Any]

    @property
    def overall_percent(self) -> Any:  # noqa: ANN401
        """The overall percent of every respondent (NaN: not scorable)."""
        return self.overall["percent"]

    def column_names(self) -> list[str]:
        """The names of the result columns, in order."""
        return score_column_names(self.plan.dimension_ids, careless=bool(self.careless),
                                  theta=self.plan.strategy.scores_theta)  # fmt: skip

    def columns(self, *, band_ids: bool = True) -> dict[str, Any]:
        """The result columns: ``{dim}_{metric}`` per dimension, then ``overall_*``, ``careless_*``.

        Band columns hold band ids (``None`` when not scorable or in no band); with
        ``band_ids=False`` they hold the band indices of :meth:`band_codes`
        instead, for callers that build text columns from those.
        """
        codes = self.band_codes()
        out: dict[str, Any] = {}

        def put(name: str, value: Any) -> None:  # noqa: ANN401
            if name in codes and band_ids:
                index, ids = codes[name]
                out[name] = _band_ids(index, ids)
            else:
                out[name] = value

        metrics = dimension_metrics(theta=self.plan.strategy.scores_theta)
        for dim in self.plan.dimensions:
            for m in metrics:
                put(f"{dim.id}_{m.name}", self.dimensions[dim.id][m.name])
        for m in OVERALL_METRICS:
            put(f"overall_{m.name}", self.overall[m.name])
        if self.careless:
            for m in CARELESS_METRICS:
                out[f"careless_{m.name}"] = self.careless[m.name]
        return out

    def flag_columns(self) -> tuple[str, ...]:
        """The names of the true/false columns that may be missing (θ's borderline flags).

        :meth:`columns` holds them as object arrays of ``True``, ``False`` and ``None``.
        """
        metrics = dimension_metrics(theta=self.plan.strategy.scores_theta)
        return tuple(
            f"{d}_{m.name}" for d in self.plan.dimension_ids for m in metrics if m.kind == "bool"
        )

    def band_codes(self) -> dict[str, tuple[Any, tuple[str, ...]]]:
        """Each band column of :meth:`columns` as (band indices, band ids).

        A negative index has no band id: -1, not scorable; -2, in a gap between bands.
        """
        out = {
            f"{dim.id}_band": (self.dimensions[dim.id]["band"], tuple(b.id for b in dim.bands))
            for dim in self.plan.dimensions
        }
        out["overall_band"] = (self.overall["band"], tuple(b.id for b in self.plan.overall_bands))
        return out

    def profile(self, row: int) -> Profile:
        """The profile of one respondent, equal to what :func:`mgrlead.score` returns."""
        plan = self.plan
        scores = []
        ok = []
        metrics = dimension_metrics(theta=plan.strategy.scores_theta)
        options = getattr(plan.strategy, "options", None)  # θ's (mgrlead.irt.ThetaStrategy)
        for dim in plan.dimensions:
            c = self.dimensions[dim.id]
            if int(c["band"][row]) != kernel.NOT_SCORABLE:
                method = None if options is None else options.method
                values = {m.name: c[m.name][row] for m in metrics}
                scores.append(assemble.scored(dim, values, theta=method))
                ok.append(True)
            else:
                answered = int(c["answered"][row])
                status = int(c["theta_status"][row]) if "theta_status" in c else 0
                scores.append(assemble.unscorable(
                    dim, answered, bool(c["weight_zero"][row]), int(c["imputed"][row]),
                    reason=plan.strategy.reason(status, answered) if status else None,  # type: ignore[attr-defined]
                ))  # fmt: skip
                ok.append(False)
        overall = {m.name: self.overall[m.name][row] for m in OVERALL_METRICS}
        careless = self.careless
        indicators = (
            assemble.careless_indicators({k: v[row] for k, v in careless.items()})
            if careless
            else None
        )
        return assemble.profile(plan, scores, assemble.overall_score(plan, ok, overall), indicators)


def _band_ids(index: Any, ids: tuple[str, ...]) -> Any:  # noqa: ANN401
    """Band indices (-1: not scorable, -2: in no band) to an object array of band ids (``None``)."""
    import numpy as np  # noqa: PLC0415

    table = np.array([*ids, None, None], dtype=object)  # both negative indices: None
    return table[index]


def item_scores(plan: ScoringPlan, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Every item's score, ``(respondents, items)``: missing NaN, response maps applied.

    ``values`` holds checked answers (see :func:`score_matrix`).
    """
    import numpy as np  # noqa: PLC0415

    if not plan.items:
        return np.empty((values.shape[0], 0))
    columns = []
    for i, it in enumerate(plan.items):
        index, _ = code_indices(it, values[:, i])
        columns.append(_table([float(it.score_of(c)) for c in it.codes], np.nan).take(index))
    return np.column_stack(columns)


def keyed_items(
    plan: ScoringPlan, dim: DimensionPlan, scores: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """A dimension's items after reverse keying, ``(respondents, its items)``.

    ``scores`` comes from :func:`item_scores`.
    """
    import numpy as np  # noqa: PLC0415

    cols = [
        kernel.keyed(plan.items[i], rev, scores[:, i])
        for i, rev in zip(dim.members, dim.reverse, strict=True)
    ]
    return np.column_stack(cols) if cols else np.empty((scores.shape[0], 0))
