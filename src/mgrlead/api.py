"""The public scoring API: load a rubric, score one respondent, score a frame."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from mgrlead.errors import AnswerError, InputError, RubricNotFoundError
from mgrlead.model import Dimension, MissingPolicy, Rubric, Weighting

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.norms import NormTable
    from mgrlead.plan import BatchScores, ItemPlan, ScoringPlan
    from mgrlead.results import Profile
    from mgrlead.table import ScoreTable

__all__ = [
    "available_rubrics",
    "build_rubric",
    "builtin_rubrics",
    "load_rubric",
    "score",
    "score_frame",
    "score_matrix",
    "score_table",
]

FrameT = TypeVar("FrameT")


def builtin_rubrics() -> tuple[str, ...]:
    """The names of the rubrics that ship with mgrlead."""
    from mgrlead.builtin import packaged_rubrics  # noqa: PLC0415

    return packaged_rubrics()


def available_rubrics() -> tuple[str, ...]:
    """The names of every registered rubric: built-in and from plugins."""
    from mgrlead.plugins import default_host  # noqa: PLC0415

    return default_host().names("rubric")


def load_rubric(name_or_path: str | Path | Rubric) -> Rubric:
    """Return a rubric: a registered one by name, or one read from a file.

    Args:
        name_or_path: ``"manager-leader"`` (or any rubric a plugin registers),
            a path to a ``.toml``/``.json`` rubric file, or a :class:`Rubric`
            (returned as is).

    Raises:
        RubricNotFoundError: no rubric has that name and no such file exists.
        RubricFileError: the file exists but does not describe a valid rubric.

    Example:
        >>> load_rubric("manager-leader").title
        'Manager or Leader?'
    """
    if isinstance(name_or_path, Rubric):
        return name_or_path
    from mgrlead.plugins import default_host  # noqa: PLC0415

    host = default_host()
    names = host.names("rubric")
    if isinstance(name_or_path, str) and name_or_path in names:
        return host.rubric(name_or_path)
    path = Path(name_or_path)
    if path.suffix and path.is_file():
        from mgrlead.serialize import load_rubric_file  # noqa: PLC0415

        return load_rubric_file(path)
    hint = ""
    close = difflib.get_close_matches(str(name_or_path), names, n=1)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    raise RubricNotFoundError(
        f"no rubric named {str(name_or_path)!r} and no such file{hint} "
        f"(registered rubrics: {', '.join(names) or 'none'})"
    )


def build_rubric(
    base: Rubric | str | Path,
    *,
    extra_dimensions: Sequence[str | Dimension] = (),
    weighting: str | Weighting | None = None,
    strategy: str | None = None,
) -> Rubric:
    """Compose an instrument from the registry: a rubric plus dimensions, under a scheme.

    Args:
        base: A rubric, a registered rubric's name, or a rubric file.
        extra_dimensions: Ids of dimensions registered by plugins (or
            :class:`Dimension` objects) to add to it.
        weighting: The id of a registered weighting scheme (or a
            :class:`Weighting`) for the overall result.
        strategy: The name of a scoring strategy for the headline scores.

    The result records in :attr:`Rubric.sources` (and every profile it gives,
    in ``Profile.sources``) which plugin contributed each part.

    Example:
        >>> rubric = build_rubric("manager-leader", weighting="equal", strategy="percent")
        >>> rubric.sources["weighting:equal"].startswith("mgrlead.builtin")
        True
    """
    from mgrlead.plugins import default_host  # noqa: PLC0415

    return default_host().build_rubric(
        load_rubric(base),
        extra_dimensions=extra_dimensions,
        weighting=weighting,
        strategy=strategy,
    )


def _configured(
    rubric: Rubric | str,
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
) -> Rubric:
    """The rubric with scoring options chosen at call time (cached per rubric)."""
    base = load_rubric(rubric)
    if strategy is None and weighting is None and missing is None:
        return base
    key = (strategy, weighting if isinstance(weighting, (str, type(None))) else id(weighting),
           missing)  # fmt: skip

    def build() -> Rubric:
        from mgrlead.plugins import default_host  # noqa: PLC0415

        changed = base
        if missing is not None:
            policy = MissingPolicy.named(missing) if isinstance(missing, str) else missing
            changed = attrs.evolve(base, missing=policy)
            changed = attrs.evolve(changed, sources=base.sources)
        if strategy is not None or weighting is not None:
            changed = default_host().build_rubric(changed, weighting=weighting, strategy=strategy)
        return changed

    return base.variant(key, build)


def score(  # noqa: PLR0913 - the answers, then every per-call option
    rubric: Rubric | str,
    answers: Mapping[str, object],
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
    norms: NormTable | None = None,
    group: str | None = None,
    careless: bool = True,
) -> Profile:
    """Score one respondent.

    Args:
        rubric: A :class:`Rubric`, or the name of a built-in one.
        answers: Item id to response: an integer on the rubric's scale, or
            ``None``/NaN (or leaving the item out) for an unanswered item.
        strategy: Score with this strategy instead of the rubric's.
        weighting: Weight the overall result with this scheme (a registered
            name or a :class:`Weighting`) instead of the rubric's.
        missing: ``"available"`` or a :class:`MissingPolicy` instead of the
            rubric's (imputation needs a sample: use :func:`score_frame`).
        norms: A :class:`~mgrlead.norms.NormTable`: adds z, T, percentile, sten,
            stanine and, with reliabilities, a confidence interval and a
            borderline flag to every scorable dimension.
        group: The respondent's norm group (e.g. ``"manager"``); the table's
            fallback group is used when it has no norms for it.
        careless: Compute the careless-responding indicators
            (``Profile.careless``); ``False`` leaves them out and is faster.

    Returns:
        The respondent's :class:`~mgrlead.results.Profile`.

    Raises:
        AnswerError: for an unknown item id, a value outside the scale, a
            non-integer, a boolean or a string; the message names the item.

    Example:
        >>> import mgrlead
        >>> rubric = mgrlead.load_rubric("manager-leader")
        >>> profile = mgrlead.score(rubric, {"pr1": 2, "pr2": 4, "pr3": 2, "pr4": 5})
        >>> profile["process_results"].percent
        81.25
    """
    if type(rubric) is Rubric and strategy is None and weighting is None and missing is None:
        configured = rubric  # the common case, without a call
    else:
        configured = _configured(rubric, strategy=strategy, weighting=weighting, missing=missing)
    profile = configured.plan._single(answers, careless)  # noqa: SLF001 - score_one, one call less
    if norms is not None:
        from mgrlead.norms import apply_norms  # noqa: PLC0415

        profile = apply_norms(profile, configured, norms, group)
    return profile


def score_matrix(
    rubric: Rubric | str, values: npt.ArrayLike, *, careless: bool = True
) -> BatchScores:
    """Score a ``(respondents, items)`` array whose columns follow ``rubric.item_ids``.

    The lowest-level batch entry point: no column matching, NaN for missing.
    ``careless=False`` skips the careless-responding indicators.
    """
    return load_rubric(rubric).plan.score_matrix(values, careless=careless)


@overload
def score_frame(
    rubric: Rubric | str,
    frame: Mapping[str, Sequence[Any]],
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
    norms: NormTable | None = None,
    engine: str = "auto",
    careless: bool = True,
) -> dict[str, Any]: ...
@overload
def score_frame(
    rubric: Rubric | str,
    frame: FrameT,
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
    norms: NormTable | None = None,
    engine: str = "auto",
    careless: bool = True,
) -> FrameT: ...
def score_frame(  # noqa: PLR0913 - the frame, then every per-call option
    rubric: Rubric | str,
    frame: Any,
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
    norms: NormTable | None = None,
    engine: str = "auto",
    careless: bool = True,
) -> Any:
    """Score many respondents: one row each, one column per item id.

    Columns that are not items (an id, a team, ...) are passed through in
    front of the score columns.  For every dimension the result has the
    columns ``{dim}_sum``, ``{dim}_mean``, ``{dim}_percent``,
    ``{dim}_position``, ``{dim}_score``, ``{dim}_answered``,
    ``{dim}_missing`` and ``{dim}_band``, then ``overall_percent``,
    ``overall_position`` and ``overall_band``.  Scores of dimensions that
    could not be scored are NaN (null), never 0.

    Args:
        rubric: A :class:`Rubric`, or the name of a built-in one.
        frame: A pandas, polars or pyarrow table, a lazy frame (polars
            LazyFrame, DuckDB relation, Dask or PySpark DataFrame), or a
            mapping of column name to values.  The result is the same kind
            (a dict of numpy arrays for a mapping); a lazy frame stays lazy.
        engine: ``"auto"``: numpy for eager frames, the frame's own engine
            (narwhals expressions) for lazy ones; ``"native"`` forces
            expressions, ``"numpy"`` forces numpy.
        careless: Add the careless-responding columns (``careless_*``).  On
            PySpark pass ``False``: the indicators' item-to-item chain is more
            than Spark's query planner can hold.
        strategy: Score with this strategy instead of the rubric's.
        weighting: Weight the overall result with this scheme instead.
        missing: ``"available"``, ``"mean"``, ``"median"`` or a
            :class:`MissingPolicy` instead of the rubric's policy.
        norms: A norm table: adds ``norm_group`` and, per dimension, ``_z``,
            ``_t``, ``_percentile``, ``_sten``, ``_stanine``, ``_ci_low``,
            ``_ci_high`` and ``_borderline``; each row's group comes from the
            table's ``group_by`` column when the frame has it.

    Raises:
        InputError: an item column is absent, or a pass-through column would
            clash with a score column.
        AnswerError: a cell is not a valid answer; names the row and item.

    ``strategy``, ``weighting`` and ``missing`` override the rubric's choices
    for this call; ``missing="mean"`` or ``"median"`` imputes unanswered items
    with the sample's item mean or median, as psych's ``scoreItems`` does.

    Every row's numbers are bit-for-bit those :func:`score` gives (for
    policies without imputation).
    """
    plan = _configured(rubric, strategy=strategy, weighting=weighting, missing=missing).plan
    if isinstance(frame, Mapping):
        columns = {str(k): v for k, v in frame.items()}
        matrix, passthrough = _columns_to_matrix(plan, columns)
        batch = plan.score_matrix(matrix, careless=careless)
        return {**passthrough, **_result_columns(batch, passthrough, norms)}
    import narwhals as nw  # noqa: PLC0415

    if engine not in {"auto", "numpy", "native"}:
        raise InputError(f"unknown engine {engine!r}; use auto, numpy or native")
    try:
        df = nw.from_native(frame)
    except TypeError as exc:
        raise InputError(
            f"score_frame takes a dataframe (pandas, polars, pyarrow, DuckDB, Dask, PySpark, "
            f"...) or a mapping of columns, not {type(frame).__name__}"
        ) from exc
    lazy = isinstance(df, nw.LazyFrame)
    if lazy and engine == "numpy":
        raise InputError("engine='numpy' needs an eager frame; collect it first")
    if lazy or engine == "native":
        if norms is not None:
            raise InputError(
                "norms are applied to eager frames only; collect the frame first, or score "
                "it and compare with norms in your engine"
            )
        from mgrlead.native import score_native  # noqa: PLC0415

        return score_native(plan, df, careless=careless).to_native()
    names = [str(c) for c in df.columns]
    columns = _eager_columns(df, plan)
    matrix, passthrough = _columns_to_matrix(plan, columns)
    batch = plan.score_matrix(matrix, careless=careless)
    native = nw.get_native_namespace(df)
    impl = df.implementation
    # pandas, polars and pyarrow get their band columns from the band indices
    arrow_like = impl.is_pandas() or impl.is_polars() or impl.is_pyarrow()
    results = _result_columns(batch, passthrough, norms, band_ids=not arrow_like)
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


def _eager_columns(df: Any, plan: ScoringPlan) -> dict[str, Any]:  # noqa: ANN401
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
    from mgrlead._arrow import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    out = {}
    for name, (index, ids) in batch.band_codes().items():
        indices = pl.from_arrow(pa.array(index, type=pa.uint32(), mask=index < 0))
        out[name] = pl.Series(name, ids, dtype=pl.String).gather(indices)
    return out


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

    from mgrlead._arrow import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    codes = batch.band_codes()
    out = {}
    for name, column in columns.items():
        if name in codes:
            if not bands:
                continue
            index, ids = codes[name]
            indices = pa.array(index, type=pa.int32(), mask=index < 0)
            out[name] = pa.DictionaryArray.from_arrays(indices, pa.array(ids)).cast(pa.string())
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
    for name, arrow in _arrow_text(columns, batch).items():
        if text_dtype == np.dtype(object):
            out[name] = arrow.to_numpy(zero_copy_only=False)  # str and None
        else:
            out[name] = pd.array(arrow, dtype=text_dtype)
    return pd.DataFrame(out, copy=False)


def score_table(
    rubric: Rubric | str,
    frame: Any,  # noqa: ANN401
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
) -> ScoreTable:
    """Score many respondents into a :class:`~mgrlead.table.ScoreTable`.

    Takes what :func:`score_frame` takes; the table keeps the provenance and
    writes to JSON, CSV or Parquet losslessly (:meth:`ScoreTable.write`).
    """
    from mgrlead.table import ScoreTable  # noqa: PLC0415

    plan = _configured(rubric, strategy=strategy, weighting=weighting, missing=missing).plan
    matrix, passthrough = _columns_to_matrix(plan, _frame_columns(frame, "score_table"))
    return ScoreTable.from_batch(plan.score_matrix(matrix), passthrough)


def _result_columns(
    batch: BatchScores,
    passthrough: Mapping[str, Any],
    norms: NormTable | None,
    *,
    band_ids: bool = True,
) -> dict[str, Any]:
    """The score columns, and the norm columns when norms are given.

    ``band_ids=False``: band columns hold band indices (see :meth:`BatchScores.columns`).
    """
    columns = batch.columns(band_ids=band_ids)
    if norms is None:
        return columns
    from mgrlead.norms import norm_columns  # noqa: PLC0415

    if norms.group_by and norms.group_by in passthrough:
        from mgrlead.table import plain  # noqa: PLC0415

        values = [plain(v) for v in passthrough[norms.group_by]]
        groups = [None if v is None else str(v) for v in values]
    else:
        groups = [None] * batch.n
    return {**columns, **norm_columns(batch, norms, groups)}


def _frame_columns(frame: Any, caller: str) -> dict[str, Any]:  # noqa: ANN401
    """The columns of an eager frame (or a mapping of columns) by name."""
    if isinstance(frame, Mapping):
        return {str(k): v for k, v in frame.items()}
    import narwhals as nw  # noqa: PLC0415

    try:
        df = nw.from_native(frame, eager_only=True)
    except TypeError as exc:
        raise InputError(
            f"{caller} takes a pandas, polars or pyarrow table or a mapping of columns, "
            f"not {type(frame).__name__}"
        ) from exc
    return {str(c): df.get_column(c).to_numpy() for c in df.columns}


def _columns_to_matrix(
    plan: ScoringPlan, columns: Mapping[str, Any]
) -> tuple[npt.NDArray[np.float64], dict[str, Any]]:
    """Pull the item columns into one float matrix; return the other columns too."""
    import numpy as np  # noqa: PLC0415

    from mgrlead.plan import BatchScores  # noqa: PLC0415

    item_ids = plan.item_ids
    absent = [i for i in item_ids if i not in columns]
    if absent:
        extra = [c for c in columns if c not in item_ids]
        hints = []
        for item in absent:
            close = difflib.get_close_matches(item, extra, n=1)
            if close:
                hints.append(f"column {close[0]!r} looks like item {item!r}")
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise InputError(
            f"the data has no column for item(s) {', '.join(map(repr, absent))}{hint}; "
            "add one column per item (leave cells empty for unanswered items)"
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
    clash = set(passthrough) & set(BatchScores.column_names_of(plan))
    if clash:
        raise InputError(
            f"column(s) {', '.join(sorted(map(repr, clash)))} would be overwritten by score "
            "columns; rename them before scoring"
        )
    return matrix, passthrough


def _to_float_column(
    item: str,
    values: Any,  # noqa: ANN401
    it: ItemPlan,
) -> npt.NDArray[np.float64]:
    """A column as floats (NaN for missing); refuses booleans and strings by row."""
    import numpy as np  # noqa: PLC0415

    from mgrlead.plan import check_answer  # noqa: PLC0415

    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)  # copied into the matrix next
    if kind == "b":
        raise AnswerError(
            f"item {item!r}: the column holds booleans; answers must be whole numbers",
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
