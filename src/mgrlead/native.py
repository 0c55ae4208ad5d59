"""Dataframe-native scoring: the compiled plan as narwhals expressions.

For lazy frames (polars LazyFrame, DuckDB relations, Dask and PySpark
DataFrames, ...) :func:`mgrlead.score_frame` does not collect the data: it
builds one expression per result column from the same
:class:`~mgrlead.plan.ScoringPlan` the numpy engine reads, with the same formulas
(:func:`mgrlead.plan._finish`, :func:`mgrlead.plan._overall`,
:func:`mgrlead.plan._band_index`) accumulated in the same order, and hands them
to the engine, which computes them where the data are.  The result is the same
kind of frame, still lazy.

Before scoring, one small aggregate (the number of invalid cells per item) is
computed to refuse bad data with a clear error; pass ``validate=False`` to skip
it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mgrlead.errors import AnswerError, InputError

if TYPE_CHECKING:
    from mgrlead.plan import ItemPlan, ScoringPlan

__all__ = ["score_native"]

Expr = Any  # a narwhals expression


def _raw_expr(nw: Any, it: ItemPlan) -> Expr:  # noqa: ANN401
    """The item's response code as a float; codes that mean missing are null."""
    c = nw.col(it.id).cast(nw.Float64)
    if it.missing_codes:
        codes = [float(code) for code in sorted(it.missing_codes)]
        c = nw.when(c.is_in(codes)).then(None).otherwise(c)
    return c


def _score_expr(nw: Any, it: ItemPlan) -> Expr:  # noqa: ANN401
    """The item's score: missing codes to null, response codes through the map."""
    c = _raw_expr(nw, it)
    if it.scores is not None:
        mapped: Any = None
        for code, value in sorted(it.scores.items()):
            start = nw.when(c == code) if mapped is None else mapped.when(c == code)
            mapped = start.then(nw.lit(float(value)))
        if mapped is not None:
            c = mapped.otherwise(None)
    return c


def _bad_expr(nw: Any, it: ItemPlan) -> Expr:  # noqa: ANN401
    c = nw.col(it.id).cast(nw.Float64)
    bad = (c < it.code_min) | (c > it.code_max) | (c != c.floor()) | c.is_nan()
    if it.missing_codes:
        bad = bad & ~c.is_in([float(code) for code in sorted(it.missing_codes)])
    return (~c.is_null() & bad).cast(nw.Int64).sum().alias(it.id)


def _band_index(nw: Any, value: Expr, boundaries: tuple[tuple[float, bool], ...]) -> Expr:  # noqa: ANN401
    """The band index, as :func:`mgrlead.plan._band_index` (comparisons counted as ints)."""
    index: Expr = nw.lit(0, dtype=nw.Int64)
    for bound, lower_includes in boundaries:
        above = (value > bound) if lower_includes else (value >= bound)
        index = index + above.cast(nw.Int64)
    return index


def _band_id(nw: Any, index: Expr, bands: Any, ok: Expr) -> Expr:  # noqa: ANN401
    chain: Any = None
    for n, band in enumerate(bands):
        cond = ok & (index == n)
        chain = (nw.when(cond) if chain is None else chain.when(cond)).then(nw.lit(band.id))
    return chain.otherwise(nw.lit(None, dtype=nw.String))


def score_native(  # noqa: PLR0915
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401
    *,
    validate: bool = True,
    careless: bool = True,
) -> Any:  # noqa: ANN401
    """Score a narwhals frame (lazy or eager) with expressions; returns a narwhals frame.

    ``careless=False`` leaves out the careless-responding columns: their longest
    run is carried from item to item, a chain of projections that Spark's query
    planner cannot hold (it runs out of memory analysing it).
    """
    import narwhals as nw  # noqa: PLC0415

    from mgrlead.plan import _finish, _overall  # noqa: PLC0415

    median = [dim.id for dim in plan.dimensions if dim.impute == "median"]
    if median and frame.implementation.is_dask():
        raise InputError(
            f"dimension {median[0]!r} imputes with the item median, which Dask only "
            "approximates (median_approximate) and would change the imputed answers; "
            "use missing='mean' on Dask, or score a pandas or polars frame"
        )
    schema = frame.collect_schema() if hasattr(frame, "collect_schema") else frame.schema
    names = list(schema.keys())
    absent = [i for i in plan.item_ids if i not in names]
    if absent:
        raise InputError(
            f"the data has no column for item(s) {', '.join(map(repr, absent))}; "
            "add one column per item (leave cells empty for unanswered items)"
        )
    for item_id in plan.item_ids:
        dtype = schema[item_id]
        if not (dtype.is_numeric() or dtype == nw.Unknown):
            raise AnswerError(
                f"item {item_id!r}: the column holds {dtype}, not numbers; answers must be "
                "whole numbers on the item's scale",
                item=item_id,
            )
    if validate:
        counts = frame.select([_bad_expr(nw, it) for it in plan.items])
        row = counts.collect() if hasattr(counts, "collect") else counts
        bad = {k: int(v[0]) for k, v in row.to_dict(as_series=False).items() if v[0]}
        if bad:
            item_id, count = next(iter(bad.items()))
            it = plan.items[plan.index[item_id]]
            more = f" (and {len(bad) - 1} more items)" if len(bad) > 1 else ""
            raise AnswerError(
                f"item {item_id!r}: {count} cell(s) are not answers: outside "
                f"{it.code_min}..{it.code_max} or not whole numbers{more}; score an eager "
                "frame to see the rows",
                item=item_id,
            )
    scores = [_score_expr(nw, it) for it in plan.items]
    members: list[list[tuple[int, float, bool]]] = [[] for _ in plan.dimensions]
    for d, dim in enumerate(plan.dimensions):
        for i, w, rev in zip(dim.members, dim.weights, dim.reverse, strict=True):
            members[d].append((i, w, rev))
    # Stage 1: item scores as helper columns; stage 2: each dimension's accumulators
    # as helper columns; stage 3: the results from those columns.  Keeping every
    # stage in columns keeps each expression small, which query planners need.
    frame = frame.with_columns([s.alias(f"__mgrlead_s{i}") for i, s in enumerate(scores)])
    acc_columns: list[Expr] = []
    for d, dim in enumerate(plan.dimensions):
        acc_w: Expr = nw.lit(0.0)
        acc_wx: Expr = nw.lit(0.0)
        acc_wp: Expr = nw.lit(0.0)
        answered: Expr = nw.lit(0, dtype=nw.Int64)
        imputed: Expr = nw.lit(0, dtype=nw.Int64)
        for i, w, rev in members[d]:
            it = plan.items[i]
            s = nw.col(f"__mgrlead_s{i}")
            real = ~s.is_null()
            if dim.impute != "none":
                fill = s.mean() if dim.impute == "mean" else s.median()
                filled = s.fill_null(fill)
                imputed = imputed + (s.is_null() & ~filled.is_null()).cast(nw.Int64)
                s = filled
            ans = ~s.is_null()
            k = (it.lo + it.hi) - s if rev else s
            acc_w = acc_w + w * ans.cast(nw.Float64)
            acc_wx = acc_wx + w * k.fill_null(0.0)
            acc_wp = acc_wp + w * ((k - it.lo) / (it.hi - it.lo)).fill_null(0.0)
            answered = answered + real.cast(nw.Int64)
        acc_columns += [
            acc_w.alias(f"__mgrlead_w{d}"),
            acc_wx.alias(f"__mgrlead_wx{d}"),
            acc_wp.alias(f"__mgrlead_wp{d}"),
            answered.alias(f"__mgrlead_n{d}"),
            imputed.alias(f"__mgrlead_i{d}"),
        ]
    frame = frame.with_columns(acc_columns)
    finished: list[Expr] = []
    for d, dim in enumerate(plan.dimensions):
        acc_w, acc_wx, acc_wp = (nw.col(f"__mgrlead_{p}{d}") for p in ("w", "wx", "wp"))
        answered, imputed = nw.col(f"__mgrlead_n{d}"), nw.col(f"__mgrlead_i{d}")
        ok = (answered >= dim.required) & (acc_w != 0.0)
        if dim.required == 0:
            ok = ok & ((answered + imputed) > 0)
        mean, percent, position, headline = _finish(
            acc_w, acc_wx, acc_wp, answered, dim, plan.strategy
        )

        def keep(expr: Expr, ok: Expr = ok) -> Expr:
            return nw.when(ok).then(expr).otherwise(None)

        finished += [
            keep(acc_wx).alias(f"{dim.id}_sum"),
            keep(mean).alias(f"{dim.id}_mean"),
            keep(percent).alias(f"{dim.id}_percent"),
            (keep(position) if dim.bipolar else nw.lit(None, dtype=nw.Float64)).alias(
                f"{dim.id}_position"
            ),
            keep(headline).alias(f"{dim.id}_score"),
            answered.alias(f"{dim.id}_answered"),
            (dim.n_items - answered).alias(f"{dim.id}_missing"),
            imputed.alias(f"{dim.id}_imputed"),
        ]
    frame = frame.with_columns(finished)
    out: list[Expr] = []
    percents: list[Expr] = []
    for dim in plan.dimensions:
        value = nw.col(f"{dim.id}_{dim.band_on}")
        ok = ~nw.col(f"{dim.id}_percent").is_null()
        percents.append(nw.col(f"{dim.id}_percent"))
        metrics = ("sum", "mean", "percent", "position", "score", "answered", "missing", "imputed")
        out += [nw.col(f"{dim.id}_{m}") for m in metrics]
        out.append(
            _band_id(nw, _band_index(nw, value, dim.boundaries), dim.bands, ok).alias(
                f"{dim.id}_band"
            )
        )
    overall = _overall(plan.top, percents)
    frame = frame.with_columns(overall.alias("overall_percent"))
    overall = nw.col("overall_percent")
    out += [
        overall,
        ((overall - 50.0) / 50.0).alias("overall_position"),
        _band_id(
            nw,
            _band_index(nw, overall.fill_null(0.0), plan.overall_boundaries),
            plan.overall_bands,
            ~overall.is_null(),
        ).alias("overall_band"),
    ]  # fmt: skip
    if careless:
        frame, indicators = _careless(nw, plan, frame)
        out += indicators
    items = set(plan.item_ids)
    passthrough = [n for n in names if n not in items]
    return frame.select([*(nw.col(n) for n in passthrough), *out])


_RUN, _BEST, _PREV = "__mgrlead_run", "__mgrlead_best", "__mgrlead_prev"


def _careless(nw: Any, plan: ScoringPlan, frame: Any) -> tuple[Any, list[Expr]]:  # noqa: ANN401
    """The careless-responding indicators, as the numpy engine computes them.

    The longest run is carried from item to item in helper columns (one
    projection per item), so that no expression refers to itself twice.
    """
    careless = plan.careless
    raw = [_raw_expr(nw, it) for it in plan.items]
    frame = frame.with_columns(
        nw.lit(0, dtype=nw.Int64).alias(_RUN),
        nw.lit(0, dtype=nw.Int64).alias(_BEST),
        nw.lit(None, dtype=nw.Float64).alias(_PREV),
    )
    for c in raw:
        ans = ~c.is_null()
        run, best, previous = nw.col(_RUN), nw.col(_BEST), nw.col(_PREV)
        same = ans & (c == previous).fill_null(value=False)
        new_run = nw.when(ans).then(nw.when(same).then(run + 1).otherwise(1)).otherwise(run)
        frame = frame.with_columns(
            new_run.alias(_RUN),
            nw.when(ans).then(c).otherwise(previous).alias(_PREV),
            nw.when(ans & (new_run > best)).then(new_run).otherwise(best).alias(_BEST),
        )
    best = nw.col(_BEST)
    unit = [(c - m) / h for c, m, h in zip(raw, careless.mid, careless.half, strict=True)]

    def mean_of(columns: Any) -> Expr:  # noqa: ANN401
        total: Expr = nw.lit(0.0)
        count: Expr = nw.lit(0.0)
        for j in columns:
            total = total + unit[j].fill_null(0.0)
            count = count + (~unit[j].is_null()).cast(nw.Float64)
        return nw.when(count > 0).then(total / count).otherwise(None), count

    m, count = mean_of(range(len(unit)))
    acc: Expr = nw.lit(0.0)
    for u in unit:
        d = (u - m).fill_null(0.0)
        acc = acc + d * d
    irv = nw.when(count >= 2).then((acc / (count - 1)).sqrt()).otherwise(None)
    acq, _ = mean_of(careless.balanced)
    both: Expr = nw.lit(0, dtype=nw.Int64)
    for low, high in careless.pairs:
        a, _ = mean_of(low)
        b, _ = mean_of(high)
        both = both + ((a > 0.0) & (b > 0.0)).fill_null(value=False).cast(nw.Int64)
    return frame, [
        best.alias("careless_longest_run"),
        irv.alias("careless_irv"),
        acq.alias("careless_acquiescence"),
        both.alias("careless_both_poles"),
    ]
