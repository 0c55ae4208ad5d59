"""Lazy frames scored batch by batch by the numpy engine, for the θ strategy.

θ (:class:`mgrlead.irt.ThetaStrategy`) is estimated from each respondent's
answers: a sum of per-item log-probabilities on the quadrature grid, then an
EAP mean, or Newton iterations for MAP and ML.  The iterations cannot be
written as expressions, so a polars LazyFrame or a DuckDB relation whose
rubric chooses θ is scored as Dask and Spark frames are: the numpy engine runs
on batches of rows inside the frame's own engine (polars ``map_batches``,
DuckDB's ``map``), with the item checks and imputation fill values of the
whole frame computed first (:func:`mgrlead.engines.lazy.prepare`).  Every row
gets exactly the numbers :func:`~mgrlead.engines.batch.score_matrix` gives it.
The result stays lazy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mgrlead.engines.frames import score_eager
from mgrlead.engines.lazy import engine_name, prepare
from mgrlead.errors import EngineError
from mgrlead.results import column_kinds, score_column_names

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = ["score_by_batches"]


def score_by_batches(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401 - a narwhals frame
    *,
    validate: bool = True,
    careless: bool = True,
) -> Any:  # noqa: ANN401
    """Score a narwhals frame (polars, lazy or eager; DuckDB) with numpy, batch by batch.

    Returns a narwhals frame of the same kind: the pass-through columns, then
    the score columns.

    Raises:
        InputError: an item column is absent.
        AnswerError: a column is not numeric, or holds cells that are not answers.
        EngineError: the frame's engine is neither polars nor DuckDB.
    """
    import narwhals as nw  # noqa: PLC0415

    names, fills = prepare(plan, frame, validate=validate)
    items = set(plan.item_ids)
    passthrough = [n for n in names if n not in items]
    scores = score_column_names(plan.dimension_ids, careless=careless, theta=True)
    kinds = column_kinds(plan.dimension_ids, norms=False)
    native = frame.to_native()
    engine = engine_name(frame)

    def one(batch: Any) -> Any:  # noqa: ANN401 - a native eager frame
        return score_eager(plan, nw.from_native(batch, eager_only=True), careless=careless,
                           fills=fills)  # fmt: skip

    if isinstance(frame, nw.DataFrame):  # eager, with engine="native"
        return nw.from_native(one(native), eager_only=True)
    if engine == "polars":
        import polars as pl  # noqa: PLC0415

        types = {"float": pl.Float64, "int": pl.Int64, "str": pl.String, "bool": pl.Boolean}
        schema = native.collect_schema()
        out = {n: schema[n] for n in passthrough} | {n: types[kinds[n]] for n in scores}
        return nw.from_native(native.map_batches(one, schema=out))
    if engine == "duckdb":
        return nw.from_native(_duckdb(native, passthrough, scores, kinds, one))
    raise EngineError(
        f"scoring strategy {plan.strategy.name!r} runs on numpy batches, which the {engine} "
        "engine of this lazy frame cannot host here; score it with engine='auto' (Dask and "
        "PySpark: partition by partition), or collect it first"
    )


def _duckdb(
    relation: Any,  # noqa: ANN401
    passthrough: list[str],
    scores: list[str],
    kinds: dict[str, str],
    one: Any,  # noqa: ANN401
) -> Any:  # noqa: ANN401
    """``relation.map``: DuckDB hands each batch over as a pandas frame."""
    import duckdb  # noqa: PLC0415

    sql = {"float": "DOUBLE", "int": "BIGINT", "str": "VARCHAR", "bool": "BOOLEAN"}
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    schema = {n: types[n] for n in passthrough} | {n: sql[kinds[n]] for n in scores}
    return relation.map(one, schema={k: duckdb.sqltype(v) for k, v in schema.items()})
