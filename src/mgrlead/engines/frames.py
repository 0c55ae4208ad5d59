"""Eager frames and mappings of columns in and out of the batch engine.

:func:`frame_columns` and :func:`columns_to_matrix` turn a pandas, polars or
pyarrow table (or a mapping of columns) into the answer matrix the batch engine
(:mod:`mgrlead.engines.batch`) reads, and :func:`score_eager` turns its scores
back into a frame of the same kind; text columns are built from band indices
through Arrow, never cell by cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mgrlead.engines.batch import BatchScores, Fills, score_matrix
from mgrlead.engines.checks import check_answer, check_no_clash
from mgrlead.errors import AnswerError, InputError, closest, plural
from mgrlead.extras import pyarrow

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.plan import ItemPlan, ScoringPlan

__all__ = [
    "Extra",
    "band_strings",
    "columns_to_matrix",
    "eager_columns",
    "frame_columns",
    "plain",
    "score_columns",
    "score_eager",
]

#: Extra result columns from a batch and its pass-through columns (norms add theirs).
Extra = Callable[[BatchScores, Mapping[str, Any]], Mapping[str, Any]]

Value = int | float | str | bool | None


def plain(value: object) -> Value:
    """A plain Python scalar: numpy scalars unwrapped, NaN as None, others as text."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def frame_columns(frame: Any, caller: str) -> dict[str, Any]:  # noqa: ANN401
    """The columns of an eager frame (or a mapping of columns) by name."""
    if isinstance(frame, Mapping):
        return {str(k): v for k, v in frame.items()}
    import narwhals as nw  # noqa: PLC0415
    from narwhals.exceptions import DuplicateError  # noqa: PLC0415

    try:
        df = nw.from_native(frame, eager_only=True)
    except TypeError as exc:
        raise InputError(
            f"{caller} takes a pandas, polars or pyarrow table or a mapping of columns, "
            f"not {type(frame).__name__}"
        ) from exc
    except DuplicateError as exc:
        raise duplicate_columns(frame, caller) from exc
    return {str(c): df.get_column(c).to_numpy() for c in df.columns}


def duplicate_columns(frame: Any, caller: str) -> InputError:  # noqa: ANN401
    """The error for a frame with two columns of one name (pandas allows it; nothing else)."""
    names = [str(c) for c in getattr(frame, "columns", ())]
    twice = sorted({n for n in names if names.count(n) > 1})
    which = ", ".join(repr(n) for n in twice) or "some name"
    return InputError(
        f"{caller}: the frame has more than one column named {which}; an item's answers "
        "must be one column: rename or drop the copies"
    )


def columns_to_matrix(
    plan: ScoringPlan, columns: Mapping[str, Any]
) -> tuple[npt.NDArray[np.float64], dict[str, Any]]:
    """Pull the item columns into one float matrix; return the other columns too."""
    import numpy as np  # noqa: PLC0415

    item_ids = plan.item_ids
    absent = [i for i in item_ids if i not in columns]
    if absent:
        extra = [c for c in columns if c not in item_ids]
        hints = []
        for item in absent:
            close = closest(item, extra)
            if close:
                hints.append(f"column {close!r} looks like item {item!r}")
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise InputError(
            f"the data has no column for {plural(len(absent), 'item')} "
            f"{', '.join(map(repr, absent))}{hint}; "
            "add one column per item (leave cells empty for unanswered items)"
        )
    for name, values in columns.items():
        if not hasattr(values, "__len__") or isinstance(values, (str, bytes)):
            raise InputError(
                f"column {name!r} is a {type(values).__name__}, not a column of values; give "
                "a list or an array per column"
            )
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise InputError(f"columns have different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    matrix = np.empty((n, len(item_ids)), dtype=np.float64, order="F")  # column by column
    for j, item in enumerate(item_ids):
        matrix[:, j] = _to_float_column(item, columns[item], plan.items[j])
    items = set(item_ids)
    passthrough = {k: v for k, v in columns.items() if k not in items}
    check_no_clash(passthrough, plan.dimension_ids)
    return matrix, passthrough


def _to_float_column(
    item: str,
    values: Any,  # noqa: ANN401
    it: ItemPlan,
) -> npt.NDArray[np.float64]:
    """A column as floats (NaN for missing); refuses booleans and strings by row."""
    import numpy as np  # noqa: PLC0415

    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)  # copied into the matrix next
    if kind in "bmMc":
        what = {"b": "booleans", "m": "durations", "M": "dates", "c": "complex numbers"}[kind]
        raise AnswerError(
            f"item {item!r}: the column holds {what}; answers must be whole numbers",
            item=item,
        )
    out = np.empty(len(arr), dtype=np.float64)
    for row, value in enumerate(arr.tolist()):
        try:
            checked = check_answer(item, value, it.code_min, it.code_max, it.missing_codes)
        except AnswerError as exc:
            raise AnswerError(f"row {row}: {exc}", item=item, row=row) from None
        out[row] = np.nan if checked is None else float(checked)
    return out


def eager_columns(df: Any, plan: ScoringPlan) -> dict[str, Any]:  # noqa: ANN401
    """An eager narwhals frame's columns as numpy arrays, by name.

    Item columns of integers or floats come out as floats with NaN for null,
    nulls filled by the engine itself (polars' ``to_numpy`` of a column with
    nulls is four times slower); the others as they are, for the cell checks.
    pandas columns are taken as they are.
    """
    import narwhals as nw  # noqa: PLC0415

    items = set(plan.item_ids)
    schema = df.schema
    numeric = [name for name, dtype in schema.items()
               if name in items and (dtype.is_integer() or dtype.is_float())]  # fmt: skip
    if df.implementation.is_pandas_like():
        numeric = []  # NaN already; its float columns come out without a copy
    filled = df.select(nw.col(*numeric).cast(nw.Float64).fill_null(float("nan"))) if numeric else df
    return {
        str(name): (filled if name in numeric else df).get_column(name).to_numpy()
        for name in schema
    }


def _polars_bands(pl: Any, batch: BatchScores) -> dict[str, Any]:  # noqa: ANN401
    """The band columns as polars string Series, gathered from the band ids by index.

    Three times faster than converting Arrow string arrays into polars.
    """
    pa = pyarrow()
    out = {}
    for name, (index, ids) in batch.band_codes().items():
        indices = pl.from_arrow(pa.array(index, type=pa.uint32(), mask=index < 0))
        out[name] = pl.Series(name, ids, dtype=pl.String).gather(indices)
    return out


def band_strings(index: Any, ids: tuple[str, ...]) -> Any:  # noqa: ANN401
    """Band indices (negative: no band) as an Arrow string array of band ids (null).

    A dictionary array cast to strings: no Python object per cell.
    """
    pa = pyarrow()
    indices = pa.array(index, type=pa.int32(), mask=index < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(ids, type=pa.string())).cast(
        pa.string()
    )


def _arrow_text(
    columns: Mapping[str, Any], batch: BatchScores, *, bands: bool = True
) -> dict[str, Any]:
    """The text columns (band ids, norm groups) as Arrow string arrays, by name.

    Band columns are built from their band indices (a dictionary array cast to
    strings), other text from its values; polars, pyarrow and pandas take
    Arrow arrays without converting them cell by cell.  ``bands=False`` leaves
    the band columns out.
    """
    import numpy as np  # noqa: PLC0415

    pa = pyarrow()
    codes = batch.band_codes()
    flags = set(batch.flag_columns())
    out = {}
    for name, column in columns.items():
        if name in codes:
            if not bands:
                continue
            out[name] = band_strings(*codes[name])
        elif name in flags:  # true, false or None (θ's borderline flags)
            out[name] = pa.array(column, type=pa.bool_())
        elif isinstance(column, np.ndarray) and column.dtype == object:
            try:
                out[name] = pa.array(column, type=pa.string())
            except (pa.ArrowException, TypeError):
                continue  # not all text: let the backend infer
    return out


def _pandas_scores(pd: Any, columns: Mapping[str, Any], batch: BatchScores) -> Any:  # noqa: ANN401
    """The score columns as a pandas frame, fast: no block copy, text through Arrow.

    The arrays are new and owned by nobody else, so pandas may keep them
    (``copy=False``).  Text columns get the dtype pandas would infer (``str``
    in pandas 3), built from Arrow arrays rather than cell by cell.
    """
    import numpy as np  # noqa: PLC0415

    text_dtype = pd.Series(np.array(["a", None], dtype=object)).dtype
    out = dict(columns)
    flags = set(batch.flag_columns())  # stay objects: True, False and None
    for name, arrow in _arrow_text(columns, batch).items():
        if name in flags:
            continue
        if text_dtype == np.dtype(object):
            out[name] = arrow.to_numpy(zero_copy_only=False)  # str and None
        else:
            out[name] = pd.array(arrow, dtype=text_dtype)
    return pd.DataFrame(out, copy=False)


def score_columns(
    batch: BatchScores,
    passthrough: Mapping[str, Any],
    extra: Extra | None,
    *,
    band_ids: bool = True,
) -> dict[str, Any]:
    """The score columns of a batch, then any ``extra`` columns (norms).

    ``band_ids=False``: band columns hold band indices (see :meth:`BatchScores.columns`).
    """
    columns = batch.columns(band_ids=band_ids)
    if extra is None:
        return columns
    return {**columns, **extra(batch, passthrough)}


def score_eager(
    plan: ScoringPlan,
    frame: Any,  # noqa: ANN401
    *,
    careless: bool = True,
    extra: Extra | None = None,
    fills: Fills | None = None,
) -> Any:  # noqa: ANN401
    """Score an eager frame (pandas, polars, pyarrow, ... as narwhals) with numpy.

    Returns a native frame of the same kind: the pass-through columns, then the
    score columns.  ``fills``: imputation fill values of a larger data set (a
    partition's whole frame); ``None``: this frame's own.
    """
    import narwhals as nw  # noqa: PLC0415

    df = frame
    names = [str(c) for c in df.columns]
    matrix, passthrough = columns_to_matrix(plan, eager_columns(df, plan))
    batch = score_matrix(plan, matrix, careless=careless, fills=fills)
    native = nw.get_native_namespace(df)
    impl = df.implementation
    # pandas, polars and pyarrow get their band columns from the band indices
    arrow_like = impl.is_pandas() or impl.is_polars() or impl.is_pyarrow()
    results = score_columns(batch, passthrough, extra, band_ids=not arrow_like)
    if impl.is_pandas():
        # The score arrays are new and owned by nobody else: pandas may keep them
        # as they are instead of copying them into blocks (half the batch's time).
        scores = nw.from_native(_pandas_scores(native, results, batch), eager_only=True)
    elif arrow_like:  # polars or pyarrow
        if impl.is_polars():
            text = _arrow_text(results, batch, bands=False) | _polars_bands(native, batch)
        else:
            text = _arrow_text(results, batch)
        scores = nw.from_dict({k: text.get(k, v) for k, v in results.items()}, backend=native)
    else:
        scores = nw.from_dict(results, backend=native)
    # Not scorable is null where the engine has nulls (pandas has NaN only).
    if not impl.is_pandas_like():
        floats = [name for name, dtype in scores.schema.items() if dtype == nw.Float64]
        scores = scores.with_columns(nw.col(*floats).fill_nan(None))
    keep = [n for n in names if n in passthrough]
    out = nw.concat([df.select(keep), scores], how="horizontal") if keep else scores
    return out.to_native()
