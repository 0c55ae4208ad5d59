"""The lazy-frame engine: the kernel as narwhals expressions, run where the data are.

For lazy frames (polars LazyFrame, DuckDB relations, ...) :func:`mgrlead.score_frame`
does not collect the data: it runs the kernel (:mod:`mgrlead.engines.kernel`) over
narwhals expressions and hands them to the frame's own engine.  The result is the
same kind of frame, still lazy.  (Dask and PySpark DataFrames are scored partition
by partition by the numpy engine instead, :mod:`mgrlead.engines.partitions`; with
``engine="native"`` they come here.)

Before scoring, one small aggregate is computed: the number of invalid cells per
item (to refuse bad data with a clear error; ``validate=False`` skips it) and,
when a dimension imputes, how often each response code was given, from which
the exact item means and medians are computed (:func:`~mgrlead.engines.kernel.fill_value`).

Intermediate values are kept as helper columns in a few projections (codes;
sums; metrics; careless scans), so that every expression stays small: query
planners (Spark's analyzer most of all) need that.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from mgrlead.engines import kernel
from mgrlead.engines.batch import fills_from_counts
from mgrlead.engines.checks import check_no_clash, invalid
from mgrlead.engines.ops import NarwhalsOps
from mgrlead.errors import AnswerError, EngineError, InputError, plural
from mgrlead.results import (
    CARELESS_METRICS,
    DIMENSION_METRICS,
    OVERALL_METRICS,
)

if TYPE_CHECKING:
    from mgrlead.plan import ItemPlan, ScoringPlan

__all__ = ["check_columns", "engine_name", "prepare", "score_native"]

Expr = Any  # a narwhals expression


def engine_name(frame: Any) -> str:  # noqa: ANN401
    """A narwhals frame's engine, for messages (``polars``, ``duckdb``, ``pyspark``, ...)."""
    return str(frame.implementation).split(".")[-1].lower()


def _gather(ops: NarwhalsOps, code: Expr, item: ItemPlan, values: Any, gap: Any) -> Expr:  # noqa: ANN401
    """The value of each response code (from a table by code), ``gap`` where unanswered."""
    nw = ops.nw
    chain: Any = None
    for c, value in zip(item.codes, values, strict=True):
        start = nw.when(code == float(c)) if chain is None else chain.when(code == float(c))
        chain = start.then(ops.expr(value))
    return chain.otherwise(ops.expr(gap))


def _exact_division(divisor: float) -> bool:
    """Whether ``x / divisor`` is exact on every engine: some multiply by ``1 / divisor``."""
    return divisor > 0 and math.frexp(divisor)[0] == 0.5


def _terms(  # noqa: PLR0913, PLR0917 - one member of one dimension
    ops: NarwhalsOps, code: Expr, item: ItemPlan, weight: float, rev: bool, fill: float | None
) -> tuple[Expr, Expr]:
    """A member's two terms, by the kernel's formula where every engine computes it exactly.

    That is, for an item without a response map whose score range is a power of
    two (1..5, 0..4, ...); any other item looks its terms up in the kernel's
    term table, a value per code.  Gaps add the table's gap terms (imputation).
    """
    table = kernel.term_table(item, weight, rev, fill)
    if item.scores is None and _exact_division(item.hi - item.lo):
        wx, wp = kernel.item_terms(item, weight, rev, code)  # expressions, since code is one
        return cast("Expr", wx).fill_null(table.gap.wx), cast("Expr", wp).fill_null(table.gap.wp)
    return (
        _gather(ops, code, item, [t.wx for t in table.by_code], table.gap.wx),
        _gather(ops, code, item, [t.wp for t in table.by_code], table.gap.wp),
    )


def _check_strategy(ops: NarwhalsOps, plan: ScoringPlan, engine: str) -> None:
    """Refuse a strategy that cannot run as expressions, naming it and the engine."""
    strategy = plan.strategy
    fix = (
        "score an eager frame (collect it first, e.g. .collect()), where numpy runs it, or "
        "write its score() with arithmetic and stats.ops (where, maximum, ...)"
    )
    if strategy.numpy_only:
        raise EngineError(
            f"scoring strategy {strategy.name!r} runs on numpy only (numpy_only = True), not "
            f"on the {engine} engine of this lazy frame; {fix}"
        )
    dim = plan.dimensions[0]
    col = ops.nw.col("__mgrlead_probe")
    probe = kernel.Accumulated(w=col, wx=col, wp=col, n=col, imputed=col)
    try:
        result = kernel.dimension(ops, probe, dim, strategy).score
    except Exception as exc:
        raise EngineError(
            f"scoring strategy {strategy.name!r} cannot run on the {engine} engine of this "
            f"lazy frame: its score() raised {type(exc).__name__}: {exc}; {fix}"
        ) from exc
    if not isinstance(result, (ops.nw.Expr, int, float)):
        raise EngineError(
            f"scoring strategy {strategy.name!r} cannot run on the {engine} engine of this "
            f"lazy frame: its score() returned {type(result).__name__}, not an expression; {fix}"
        )


def _answers(nw: Any, plan: ScoringPlan) -> list[Expr]:  # noqa: ANN401
    """Each item's column as floats, NaN as null: a missing answer, as in numpy."""
    return [nw.col(it.id).cast(nw.Float64).fill_nan(None) for it in plan.items]


def _prepass(
    ops: NarwhalsOps,
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401
    raw: list[Expr],
    *,
    validate: bool,
) -> list[list[int]] | None:
    """One aggregate: invalid cells per item (when validating), code counts (when imputing)."""
    nw = ops.nw
    aggregates: list[Expr] = []
    if validate:
        aggregates += [
            invalid(ops, x, it).fill_null(value=False)
            .cast(nw.Int64).sum()
            .alias(f"__mgrlead_bad{i}")
            for i, (x, it) in enumerate(zip(raw, plan.items, strict=True))
        ]  # fmt: skip
    if plan.imputes:
        aggregates += [
            (x == float(code)).fill_null(value=False).cast(nw.Int64).sum()
            .alias(f"__mgrlead_n{i}_{k}")
            for i, (x, it) in enumerate(zip(raw, plan.items, strict=True))
            for k, code in enumerate(it.codes)
        ]  # fmt: skip
    if not aggregates:
        return None
    row = frame.select(aggregates)
    row = row.collect() if hasattr(row, "collect") else row
    values = {k: int(v[0] or 0) for k, v in row.to_dict(as_series=False).items()}
    for i, it in enumerate(plan.items):
        count = values.get(f"__mgrlead_bad{i}", 0)
        if count:
            others = sum(1 for j in range(len(plan.items)) if values.get(f"__mgrlead_bad{j}"))
            more = f" (and {others - 1} more items)" if others > 1 else ""
            raise AnswerError(
                f"item {it.id!r}: "
                f"{'1 cell is not an answer' if count == 1 else f'{count} cells are not answers'}"
                ": outside "
                f"{it.code_min}..{it.code_max} or not whole numbers{more}; score an eager "
                "frame to see the rows",
                item=it.id,
            )
    if not plan.imputes:
        return None
    return [
        [values[f"__mgrlead_n{i}_{k}"] for k in range(len(it.codes))]
        for i, it in enumerate(plan.items)
    ]


def check_columns(plan: ScoringPlan, frame: Any) -> list[str]:  # noqa: ANN401
    """Check a narwhals frame's columns, without reading any row; return their names.

    Raises:
        InputError: an item column is absent, or a column would be overwritten.
        AnswerError: an item column is not numeric.
    """
    import narwhals as nw  # noqa: PLC0415

    schema = frame.collect_schema() if hasattr(frame, "collect_schema") else frame.schema
    names = list(schema.keys())
    absent = [i for i in plan.item_ids if i not in names]
    if absent:
        raise InputError(
            f"the data has no column for {plural(len(absent), 'item')} "
            f"{', '.join(map(repr, absent))}; "
            "add one column per item (leave cells empty for unanswered items)"
        )
    check_no_clash(names, plan.dimension_ids)
    for item_id in plan.item_ids:
        dtype = schema[item_id]
        if not (dtype.is_numeric() or dtype == nw.Unknown):
            raise AnswerError(
                f"item {item_id!r}: the column holds {dtype}, not numbers; answers must be "
                "whole numbers on the item's scale",
                item=item_id,
            )
    return names


def prepare(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401
    *,
    validate: bool = True,
) -> tuple[list[str], dict[str, list[float | None]] | None]:
    """Check a narwhals frame's columns, then run the one aggregate (validation, counts).

    Returns the frame's column names and, when a dimension imputes, the fill
    values of every item for each method (from the whole frame's code counts).

    Raises:
        InputError: an item column is absent.
        AnswerError: a column is not numeric, or holds cells that are not answers.
    """
    import narwhals as nw  # noqa: PLC0415

    names = check_columns(plan, frame)
    ops = NarwhalsOps(engine_name(frame))
    raw = _answers(nw, plan)
    counts = _prepass(ops, plan, frame, raw, validate=validate)
    if counts is None:
        return names, None
    return names, fills_from_counts(plan, counts)


def _weight(ops: NarwhalsOps, present: Expr, weight: float, *, imputes: bool) -> Expr:
    """A member's contribution to ``W``: its weight when answered (or imputed), else 0.

    Written as arithmetic on the 0/1 mask, never as ``when(...).then(weight)``:
    polars turns a ``when`` of two literals whose mask is all true (an item that
    everyone answered) into a scalar, and divides by a scalar by multiplying with
    its reciprocal, off in the last bit.  ``1.0 * w`` and ``0.0 * w`` are exact.
    """
    answered = ops.as_float(present) * weight
    return answered + ops.as_float(ops.not_(present)) * weight if imputes else answered


def _sums(
    ops: NarwhalsOps,
    plan: ScoringPlan,
    codes: list[Expr],
    present: list[Expr],
    fills: dict[str, list[float | None]] | None,
) -> list[Expr]:
    """Each dimension's ``W, ΣWx, ΣWp, n, imputed`` as expressions, five per dimension."""
    import narwhals as nw  # noqa: PLC0415

    sums: list[Expr] = []

    unit: list[bool] = []
    for dim in plan.dimensions:
        acc = kernel.Accumulated(imputed=nw.lit(0, dtype=nw.Int64))
        unit.append(all(w == 1.0 for w in dim.weights) and dim.impute == "none")
        for i, weight, rev in zip(dim.members, dim.weights, dim.reverse, strict=True):
            it = plan.items[i]
            fill = None if fills is None or dim.impute == "none" else fills[dim.impute][i]
            wx, wp = _terms(ops, codes[i], it, weight, rev, fill)
            # unit weights without imputation: W is the number answered (added below)
            w = 0.0 if unit[-1] else _weight(ops, present[i], weight, imputes=fill is not None)
            imputed = ops.as_int(ops.not_(present[i])) if fill is not None else 0
            kernel.accumulate(ops, acc, w, wx, wp, ops.as_int(present[i]), imputed)
        if unit[-1]:
            acc.w = ops.as_float(acc.n)
        sums += [acc.w, acc.wx, acc.wp, acc.n, acc.imputed]
    return sums


def score_native(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401
    *,
    validate: bool = True,
    careless: bool = True,
) -> Any:  # noqa: ANN401
    """Score a narwhals frame (lazy or eager) with expressions; returns a narwhals frame.

    Raises:
        InputError: an item column is absent.
        AnswerError: a column is not numeric, or holds cells that are not answers.
        EngineError: the scoring strategy cannot run as expressions.
    """
    import narwhals as nw  # noqa: PLC0415

    engine = engine_name(frame)
    ops = NarwhalsOps(engine)
    _check_strategy(ops, plan, engine)
    names, fills = prepare(plan, frame, validate=validate)
    raw = _answers(nw, plan)
    # Stage 1: each item's response code, missing codes as null (a column where needed).
    ops.frame = frame
    staged = [i for i, it in enumerate(plan.items) if it.missing_codes]
    coded = ops.checkpoint([
        nw.when(ops.is_in(raw[i], sorted(plan.items[i].missing_codes))).then(None)
        .otherwise(raw[i])
        for i in staged
    ])  # fmt: skip
    codes = list(raw)
    for i, code in zip(staged, coded, strict=True):
        codes[i] = code
    present = [ops.present(c) for c in codes]
    # Stage 2: every dimension's sums of the kernel's terms.
    sums = ops.checkpoint(_sums(ops, plan, codes, present, fills))
    # Stage 3: every dimension's metrics.
    results = []
    metrics: list[Expr] = []
    helpers: list[Expr] = []
    for d, dim in enumerate(plan.dimensions):
        w, wx, wp, n, imputed = sums[5 * d : 5 * d + 5]
        acc = kernel.Accumulated(w=w, wx=wx, wp=wp, n=n, imputed=imputed)
        result = kernel.dimension(ops, acc, dim, plan.strategy)
        results.append(result)
        values = kernel.masked(ops, result)
        metrics += [
            ops.expr(values[m.name]).alias(f"{dim.id}_{m.name}")
            for m in DIMENSION_METRICS
            if m.name != "band"
        ]
        helpers += [values["band"], result.ok, result.share]
    named = [f"__mgrlead_m{n}" for n in range(len(helpers))]
    ops.frame = ops.frame.with_columns(
        [*metrics, *(ops.expr(h).alias(n) for h, n in zip(helpers, named, strict=True))]
    )
    stored = [nw.col(n) for n in named]
    # Stage 4: the overall result; band ids.
    parts = []
    for d, weight in plan.top:
        ok, share = stored[3 * d + 1 : 3 * d + 3]
        parts.append((weight, kernel.DimensionResult(
            ok=ok, weight_zero=None, sum=None, mean=None, percent=None, position=None,
            score=None, answered=None, missing=None, imputed=None, band=None, share=share,
        )))  # fmt: skip
    overall = kernel.overall_masked(ops, kernel.overall(ops, parts, plan.overall_boundaries))
    out: list[Expr] = []
    for d, dim in enumerate(plan.dimensions):
        for m in DIMENSION_METRICS:
            if m.name == "band":
                out.append(_band_id(nw, stored[3 * d], dim.bands).alias(f"{dim.id}_band"))
            else:
                out.append(nw.col(f"{dim.id}_{m.name}"))
    out += [
        _band_id(nw, overall["band"], plan.overall_bands).alias("overall_band")
        if m.name == "band"
        else ops.expr(overall[m.name]).alias(f"overall_{m.name}")
        for m in OVERALL_METRICS
    ]
    if careless:
        units = [
            _gather(
                ops,
                codes[i],
                it,
                kernel.unit_table(it, plan.careless),
                0 if plan.careless.exact else 0.0,
            )
            for i, it in enumerate(plan.items)
        ]
        values = kernel.careless(ops, codes, units, present, plan.careless)
        out += [ops.expr(values[m.name]).alias(f"careless_{m.name}") for m in CARELESS_METRICS]
    items = set(plan.item_ids)
    passthrough = [n for n in names if n not in items]
    return ops.frame.select([*(nw.col(n) for n in passthrough), *out])


def _band_id(nw: Any, index: Expr, bands: Any) -> Expr:  # noqa: ANN401
    """The band id of a band index (-1, not scorable: null)."""
    chain: Any = None
    for n, band in enumerate(bands):
        cond = index == n
        chain = (nw.when(cond) if chain is None else chain.when(cond)).then(nw.lit(band.id))
    return chain.otherwise(nw.lit(None, dtype=nw.String))
