"""The same answers as a frame of every engine, and any engine's scores as plain lists.

For tests that hold the engines equal (:class:`~mgrlead.testing.ScorerContract`
runs them all): :func:`frame_for` builds a frame of one engine from columns of
answers, :func:`results_of` turns whatever :func:`mgrlead.score_frame` returns
(a mapping, an eager or a lazy frame) into ``{column: [values]}`` with ``None``
for missing values, in row order.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

__all__ = ["DEFAULT", "EAGER_ENGINES", "ENGINES", "available_engines", "frame_for", "results_of"]

#: Every engine :func:`frame_for` can build, with the module it needs.
ENGINES: Final = {
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "polars": "polars",
    "polars-lazy": "polars",
    "duckdb": "duckdb",
    "dask": "dask.dataframe",
    "pyspark": "pyspark",
}
#: The engines compared unless told otherwise (PySpark starts a JVM: opt in).
#: The engines whose frames are eager: scored by the numpy engine.
EAGER_ENGINES: Final = ("pandas", "pyarrow", "polars")
DEFAULT: Final = ("pandas", "pyarrow", "polars", "polars-lazy", "duckdb", "dask")

_ROW = "__row"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def available_engines(wanted: Iterable[str] | None = None) -> tuple[str, ...]:
    """The engines of ``wanted`` (default :data:`DEFAULT`) whose package is installed."""
    names = tuple(DEFAULT if wanted is None else wanted)
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        msg = f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINES)}"
        raise ValueError(msg)
    return tuple(n for n in names if _installed(ENGINES[n]))


def _spark() -> Any:  # noqa: ANN401
    from pyspark.sql import SparkSession  # noqa: PLC0415

    return (
        SparkSession.builder.master("local[1]")
        .appName("mgrlead-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )


def frame_for(engine: str, columns: Mapping[str, Sequence[float | None]]) -> Any:  # noqa: ANN401
    """``columns`` (floats, ``None`` missing) as a frame of ``engine``, plus a row number.

    The row number (``__row``) lets :func:`results_of` put the rows back in order.
    """
    n = len(next(iter(columns.values()), []))
    data: dict[str, list[Any]] = {_ROW: list(range(n)), **{k: list(v) for k, v in columns.items()}}
    if engine in {"polars", "polars-lazy"}:
        import polars as pl  # noqa: PLC0415

        schema = {k: (pl.Int64 if k == _ROW else pl.Float64) for k in data}
        frame = pl.DataFrame(data, schema=schema)
        return frame.lazy() if engine == "polars-lazy" else frame
    if engine == "pyarrow":
        import pyarrow as pa  # noqa: PLC0415

        return pa.table({k: pa.array(v, type=pa.int64() if k == _ROW else pa.float64())
                         for k, v in data.items()})  # fmt: skip
    pd: Any = importlib.import_module("pandas")  # untyped: no stubs required

    frame = pd.DataFrame(
        {k: [math.nan if x is None else x for x in v] for k, v in data.items()}
    ).astype(dict.fromkeys(columns, "float64"))
    if engine == "pandas":
        return frame
    if engine == "duckdb":
        import duckdb  # noqa: PLC0415

        connection = duckdb.connect()
        return connection.from_arrow(frame_for("pyarrow", columns))
    if engine == "dask":
        dd: Any = importlib.import_module("dask.dataframe")

        return dd.from_pandas(frame, npartitions=min(2, max(1, n)))
    if engine == "pyspark":
        return _spark().createDataFrame(frame_for("pandas", columns))
    msg = f"unknown engine {engine!r}"
    raise ValueError(msg)


def _plain(value: Any) -> Any:  # noqa: ANN401
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def results_of(result: Any) -> dict[str, list[Any]]:  # noqa: ANN401
    """Any result of :func:`mgrlead.score_frame` as ``{column: [values]}``, rows in order."""
    if isinstance(result, Mapping):
        columns = {str(k): [_plain(x) for x in v] for k, v in result.items()}
    else:
        import narwhals as nw  # noqa: PLC0415

        frame = nw.from_native(result)
        if isinstance(frame, nw.LazyFrame):
            frame = frame.collect()
        columns = {str(k): [_plain(x) for x in v]
                   for k, v in frame.to_dict(as_series=False).items()}  # fmt: skip
    if _ROW in columns:
        order = sorted(range(len(columns[_ROW])), key=lambda k: columns[_ROW][k])
        columns = {k: [v[i] for i in order] for k, v in columns.items() if k != _ROW}
    return columns
