"""Long-format answers in, tidy long-format scores out.

Answers in *long* format hold one row per respondent and item (``id, item,
response``, the Item Response Warehouse's shape); every entry point of mgrlead
takes *wide* data (one row per respondent, one column per item).
:func:`from_long` turns the one into the other, losing nothing: a repeated
(id, item) pair, a response for an item the rubric does not have, a row
without an id, or a per-respondent column that changes within one id is an
error, never dropped or picked.  :func:`to_long` turns a score frame into tidy
rows for plotting libraries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from mgrlead.errors import ColumnError, InputError, counted, did_you_mean
from mgrlead.results import CARELESS_METRICS, DIMENSION_METRICS, OVERALL_METRICS

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = ["from_long", "to_long"]

#: How many offending keys an error message shows.
_SHOWN: Final = 5


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # noqa: PLR0124 - NaN


def _native_columns(frame: Any, caller: str) -> tuple[dict[str, list[Any]], Any]:  # noqa: ANN401
    """The frame's columns as Python lists, and how to build a frame of its kind again."""
    if isinstance(frame, Mapping):
        return {str(k): list(v) for k, v in frame.items()}, None
    import narwhals as nw  # noqa: PLC0415

    try:
        df = nw.from_native(frame, eager_only=True)
    except TypeError as exc:
        raise InputError(
            f"{caller} takes a pandas, polars or pyarrow table or a mapping of columns, "
            f"not {type(frame).__name__}"
        ) from exc
    return {str(c): df.get_column(c).to_list() for c in df.columns}, nw.get_native_namespace(df)


def _rebuild(columns: dict[str, list[Any]], namespace: Any) -> Any:  # noqa: ANN401
    if namespace is None:
        return columns
    import narwhals as nw  # noqa: PLC0415

    return nw.from_dict(columns, backend=namespace).to_native()


def _shown(keys: Sequence[Any]) -> str:
    head = ", ".join(map(repr, keys[:_SHOWN]))
    return head + (f", ... ({len(keys)} in all)" if len(keys) > _SHOWN else "")


def from_long(  # noqa: PLR0913, PLR0915 - one check after the other, each with its message
    frame: Any,  # noqa: ANN401
    *,
    id: str = "id",  # noqa: A002 - the column's everyday name
    item: str = "item",
    response: str = "response",
    rater: str | None = None,
    rubric: Rubric | None = None,
) -> Any:  # noqa: ANN401
    """Turn long answers (one row per respondent and item) into the wide frame mgrlead scores.

    Args:
        frame: A pandas, polars or pyarrow table, or a mapping of columns.
        id: The column naming the respondent (for 360 feedback: the person rated).
        item: The column holding the item id.
        response: The column holding the answer (missing: not answered).
        rater: For 360 feedback, the column naming the rater; a respondent is
            then an (id, rater) pair.
        rubric: When given, every item must be one of its items, and the wide
            frame has a column for each of its items in its order (empty
            where nobody answered); otherwise items appear in order of first
            appearance.

    Returns:
        A frame of the same kind (a dict of lists for a mapping): the id (and
        rater) column, then every other column (constant within each
        respondent), then one column per item; respondents in order of first
        appearance.

    Raises:
        InputError: a named column is absent, a row has no id, an (id, item)
            pair is repeated, an item is not the rubric's, an item id is not
            text, or another column is not constant within a respondent.

    Example:
        >>> long = {"id": ["a", "a", "b"], "item": ["pr1", "pr2", "pr1"], "response": [4, 2, 5]}
        >>> from_long(long)
        {'id': ['a', 'b'], 'pr1': [4, 5], 'pr2': [2, None]}
    """
    if not isinstance(frame, Mapping):  # a table: columnar, when nothing is wrong with it
        table = _from_long_columnar(
            frame, keys=[id] if rater is None else [id, rater], item=item, response=response,
            known=None if rubric is None else rubric.item_ids,
        )  # fmt: skip
        if table is not None:
            return table
    # a mapping, or a table with something to say about it: row by row, every
    # check with its message
    columns, namespace = _native_columns(frame, "from_long")
    keys = [id] if rater is None else [id, rater]
    named = {"id": id, "item": item, "response": response} | (
        {} if rater is None else {"rater": rater}
    )
    for what, name in named.items():
        if name not in columns:
            raise ColumnError(
                f"no column {name!r} for the {what}{did_you_mean(name, columns)}",
                fix=f"name it with {what}=...",
                argument=what,
            )
    if len(set(named.values())) < len(named):
        raise InputError(f"the id, item, response and rater columns must differ: {named}")
    n = len(columns[id])
    for key in keys:
        gaps = [row for row in range(n) if _is_missing(columns[key][row])]
        if gaps:
            raise InputError(
                f"the long data has {counted(len(gaps), 'row')} without a value in column "
                f"{key!r} (rows {_shown(gaps)}, counted from 0); give every row its {key}, "
                "or drop them"
            )
    known = None if rubric is None else rubric.item_ids
    respondents: dict[tuple[Any, ...], int] = {}
    cells: dict[tuple[int, str], Any] = {}
    repeated: dict[tuple[Any, ...], None] = {}
    items_seen: dict[str, None] = {}
    others = [c for c in columns if c not in named.values()]
    constant: dict[str, list[Any]] = {c: [] for c in others}
    firsts: list[int] = []
    for row in range(n):
        who = tuple(columns[k][row] for k in keys)
        what = columns[item][row]
        if not isinstance(what, str):
            raise InputError(
                f"row {row} (counted from 0) of the long data has item {what!r} "
                f"({type(what).__name__}); item ids are text: give the rubric's ids"
            )
        items_seen.setdefault(what)
        index = respondents.setdefault(who, len(respondents))
        if index == len(firsts):
            firsts.append(row)
            for c in others:
                constant[c].append(columns[c][row])
        for c in others:
            first, here = constant[c][index], columns[c][row]
            if not (first == here or (_is_missing(first) and _is_missing(here))):
                raise InputError(
                    f"column {c!r} has {first!r} and {here!r} for {_who(keys, who)}; a column "
                    "besides the id, item and response must hold one value per respondent: "
                    "make it agree, or leave it out"
                )
        if (index, what) in cells:
            repeated.setdefault((*who, what))
        cells[index, what] = columns[response][row]
    if repeated:
        pairs = list(repeated)
        pair = "(" + ", ".join(keys) + ", item) pair"
        raise InputError(
            f"the long data repeats {counted(len(pairs), pair)}: "
            f"{_shown(pairs)}; keep one answer per respondent and item"
        )
    if known is not None:
        unknown = [i for i in items_seen if i not in known]
        if unknown:
            first = unknown[0]
            raise InputError(
                f"the long data has answers for {counted(len(unknown), 'item')} the rubric does "
                f"not have: {_shown(unknown)}{did_you_mean(first, known)}"
            )
    order = list(known) if known is not None else list(items_seen)
    wide: dict[str, list[Any]] = {k: [who[j] for who in respondents] for j, k in enumerate(keys)}
    wide.update(constant)
    clash = [i for i in order if i in wide]
    if clash:
        raise InputError(
            f"item {clash[0]!r} is also the name of a column of the long data; rename the column"
        )
    for name in order:
        wide[name] = [cells.get((r, name)) for r in range(len(respondents))]
    return _rebuild(wide, namespace)


def _from_long_columnar(  # noqa: PLR0911 - each problem hands over to the row-by-row path
    frame: Any,  # noqa: ANN401
    *,
    keys: list[str],
    item: str,
    response: str,
    known: Sequence[str] | None,
) -> Any:  # noqa: ANN401
    """:func:`from_long` of a table with pyarrow and numpy, or ``None`` if anything is off.

    The same wide frame as the row-by-row path, without a Python object per
    cell (a tenth of the time on 240,000 rows).  Whatever that path refuses (a
    missing column, a row without an id, an item id that is not text, a
    repeated pair, an unknown item, a column that changes within a
    respondent, an item named like a column) gives ``None``, and the row-by-row
    path says what is wrong, in its words.
    """
    import narwhals as nw  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from mgrlead.extras import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    pc = pa.compute
    try:
        df = nw.from_native(frame, eager_only=True)
        table = df.to_arrow()
    except (TypeError, ValueError, pa.ArrowException):
        return None
    names = [str(c) for c in table.column_names]
    if len(set(names)) != len(names) or any(c not in names for c in [*keys, item, response]):
        return None
    if len({*keys, item, response}) < len(keys) + 2:
        return None
    n = table.num_rows
    column = {name: table.column(name).combine_chunks() for name in names}

    items = column[item]
    if pa.types.is_dictionary(items.type):
        items = items.cast(items.type.value_type)
    if not (pa.types.is_string(items.type) or pa.types.is_large_string(items.type)):
        return None
    if items.null_count or any(pc.any(_missing(column[k])).as_py() for k in keys):
        return None
    respondent, firsts = _first_appearance(column, keys)
    encoded_items = items.dictionary_encode()
    seen = [str(v) for v in encoded_items.dictionary.to_pylist()]
    code = encoded_items.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    if known is not None and any(i not in set(known) for i in seen):
        return None
    pair = respondent * max(len(seen), 1) + code
    if n and np.bincount(pair).max() > 1:  # a repeated (respondent, item) pair
        return None
    others = [c for c in names if c not in {*keys, item, response}]
    wide: dict[str, Any] = {k: column[k].take(pa.array(firsts)) for k in keys}
    for c in others:
        first_values = _constant(column[c], firsts, respondent)
        if first_values is None:
            return None
        wide[c] = first_values
    order_items = list(known) if known is not None else seen
    if any(i in wide for i in order_items):
        return None
    where = {name: k for k, name in enumerate(seen)}
    answers = column[response]
    rows = np.full((len(seen), len(firsts)), -1, dtype=np.int64)
    rows[code, respondent] = np.arange(n)
    for name in order_items:
        k = where.get(name)
        index = np.full(len(firsts), -1, dtype=np.int64) if k is None else rows[k]
        wide[name] = answers.take(pa.array(index, mask=index < 0))
    out = pa.table(wide)
    native = nw.get_native_namespace(df)
    if native is pa:
        return out
    return nw.from_arrow(out, backend=native).to_native()


def _missing(values: Any) -> Any:  # noqa: ANN401 - an Arrow array
    """Where an Arrow array has no value: null, or NaN in a float column."""
    from mgrlead.extras import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    out = values.is_null()
    if pa.types.is_floating(values.type):
        out = pa.compute.or_(out, pa.compute.is_nan(values))
    return out


def _first_appearance(column: Mapping[str, Any], keys: Sequence[str]) -> tuple[Any, Any]:
    """Each row's respondent (numbered in order of first appearance) and their first rows."""
    import numpy as np  # noqa: PLC0415

    from mgrlead.extras import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    n = len(column[keys[0]])
    who = np.zeros(n, dtype=np.int64)
    for k in keys:  # the keys' codes, one number per combination
        encoded = column[k].dictionary_encode()
        who = who * len(encoded.dictionary) + encoded.indices.to_numpy(zero_copy_only=False)
    numbered = pa.array(who).dictionary_encode()  # numbers in order of first appearance
    respondent = numbered.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    firsts = np.full(len(numbered.dictionary), n, dtype=np.int64)
    np.minimum.at(firsts, respondent, np.arange(n))
    return respondent, firsts


def _constant(values: Any, firsts: Any, respondent: Any) -> Any:  # noqa: ANN401
    """A column's value for each respondent, or ``None`` if it changes within one."""
    from mgrlead.extras import pyarrow  # noqa: PLC0415

    pa = pyarrow()
    pc = pa.compute
    first_values = values.take(pa.array(firsts))
    spread = first_values.take(pa.array(respondent))
    both_missing = pc.and_(_missing(values), _missing(spread))
    same = pc.or_(pc.fill_null(pc.equal(values, spread), fill_value=False), both_missing)
    return first_values if pc.all(same).as_py() else None


def _who(keys: Sequence[str], who: tuple[Any, ...]) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in zip(keys, who, strict=True))


def to_long(
    scores: Any,  # noqa: ANN401
    dimension_ids: Sequence[str],
    *,
    id: str | Sequence[str] = "id",  # noqa: A002 - the column's everyday name
    shape: Literal["metric", "dimension"] = "metric",
) -> Any:  # noqa: ANN401
    """Tidy long scores for plotting libraries, from a :func:`~mgrlead.score_frame` result.

    Args:
        scores: The score frame (pandas, polars, pyarrow or a mapping of columns).
        dimension_ids: The dimensions it was scored on (``ScoringPlan.dimension_ids``).
        id: The column (or columns) naming a respondent, repeated on every row.
        shape: ``"metric"``: one row per respondent x dimension x numeric
            metric, columns ``dimension``, ``metric``, ``value`` (float);
            ``"dimension"``: one row per respondent x dimension, a column per
            metric (``band`` included). ``overall`` is a dimension of its own.

    Returns:
        A frame of the same kind as ``scores`` (a dict of lists for a mapping).

    Raises:
        InputError: an id column or a dimension's score columns are absent.
    """
    if shape not in {"metric", "dimension"}:
        raise InputError(f"shape must be 'metric' or 'dimension', not {shape!r}")
    columns, namespace = _native_columns(scores, "to_long")
    ids = [id] if isinstance(id, str) else list(id)
    for key in ids:
        if key not in columns:
            raise InputError(
                f"the scores have no column {key!r}{did_you_mean(key, columns)}; name the "
                "respondent's column with id=..."
            )
    groups = [(d, [m.name for m in DIMENSION_METRICS]) for d in dimension_ids]
    groups.append(("overall", [m.name for m in OVERALL_METRICS]))
    if any(f"careless_{m.name}" in columns for m in CARELESS_METRICS):
        groups.append(("careless", [m.name for m in CARELESS_METRICS]))
    for dim, metrics in groups:
        absent = [f"{dim}_{m}" for m in metrics if f"{dim}_{m}" not in columns]
        if absent:
            raise InputError(
                f"the scores have no column {absent[0]!r}; give to_long the frame "
                "score_frame returned, with every metric"
            )
    n = len(columns[ids[0]]) if ids else 0
    out: dict[str, list[Any]] = {k: [] for k in ids}
    out["dimension"] = []
    if shape == "metric":
        out["metric"], out["value"] = [], []
        for row in range(n):
            for dim, metrics in groups:
                for m in metrics:
                    if m == "band":
                        continue
                    for k in ids:
                        out[k].append(columns[k][row])
                    out["dimension"].append(dim)
                    out["metric"].append(m)
                    value = columns[f"{dim}_{m}"][row]
                    out["value"].append(None if _is_missing(value) else float(value))
        return _rebuild(out, namespace)
    every = list(dict.fromkeys(m for _, metrics in groups for m in metrics))
    out.update({m: [] for m in every})
    for row in range(n):
        for dim, metrics in groups:
            for k in ids:
                out[k].append(columns[k][row])
            out["dimension"].append(dim)
            for m in every:
                value = columns[f"{dim}_{m}"][row] if m in metrics else None
                out[m].append(None if _is_missing(value) else value)
    return _rebuild(out, namespace)
