"""Answer checks: which cells are answers, and the error for one that is not.

A cell is *missing* when it is empty (``None``, NaN, null) or holds one of its
item's missing codes; otherwise it must be a whole number on the item's scale.
:func:`check_answer` checks one value (and names its type when it is not a
number); :func:`invalid` is the same rule over an operations namespace, for
whole columns; :func:`check_matrix` finds the first bad cell of a numpy batch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from mgrlead.errors import AnswerError, InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.engines.ops import Ops
    from mgrlead.plan import ItemPlan

__all__ = [
    "all_valid",
    "cell_message",
    "check_answer",
    "check_matrix",
    "check_no_clash",
    "invalid",
]


def check_no_clash(names: Collection[str], dimension_ids: Sequence[str], where: str = "") -> None:
    """Refuse data columns that a score column would overwrite (``where``: the file, if any).

    Raises:
        InputError: naming the columns.
    """
    from mgrlead.results import score_column_names  # noqa: PLC0415

    clash = set(names) & set(score_column_names(dimension_ids))
    if clash:
        raise InputError(
            f"{where + ': ' if where else ''}column(s) {', '.join(sorted(map(repr, clash)))} "
            "would be overwritten by score columns; rename them before scoring"
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


def check_matrix(
    items: Sequence[ItemPlan], values: npt.NDArray[np.float64], *, row_offset: int = 0
) -> None:
    """Raise :class:`AnswerError` for the first cell of a batch that is not a valid answer.

    ``values`` is ``(respondents, items)`` in the order of ``items``; NaN is missing.
    """
    import numpy as np  # noqa: PLC0415

    if all_valid(items, values.T):
        return
    from mgrlead.engines.ops import NUMPY  # noqa: PLC0415

    with np.errstate(invalid="ignore"):
        bad = np.column_stack([invalid(NUMPY, values[:, i], it) for i, it in enumerate(items)])
    if not bad.any():
        return
    where = np.argwhere(bad)
    row, col = (int(x) for x in where[0])
    others = len(where) - 1
    it = items[col]
    try:
        check_answer(it.id, float(values[row, col]), it.code_min, it.code_max, it.missing_codes)
    except AnswerError as exc:
        more = f" (and {others} more bad cells)" if others else ""
        raise AnswerError(
            f"row {row + row_offset}: {exc}{more}", item=it.id, row=row + row_offset
        ) from None


def all_valid(items: Sequence[ItemPlan], by_item: npt.NDArray[np.float64]) -> bool:
    """Whether every cell is an answer or missing: the quick test of :func:`check_matrix`.

    ``by_item`` is ``(items, respondents)``, one row per item (contiguous rows
    are fastest).  Every column within its scale and every cell whole (NaN
    passes each test), once the codes that mean "not answered" (which lie
    outside the scale) are set aside.
    """
    import numpy as np  # noqa: PLC0415

    if not by_item.shape[1]:
        return True
    with np.errstate(invalid="ignore"):
        for j, it in enumerate(items):
            column = by_item[j]
            if it.missing_codes:
                column = np.where(np.isin(column, list(it.missing_codes)), np.nan, column)
            if (
                np.any(column - np.floor(column) > 0)
                or np.fmin.reduce(column) < it.code_min
                or np.fmax.reduce(column) > it.code_max
            ):
                return False
    return True


def invalid(ops: Ops, x: Any, item: ItemPlan) -> Any:  # noqa: ANN401
    """Where a column of numbers (missing: the engine's missing value) holds no answer."""
    off = (x < item.code_min) | (x > item.code_max) | (x != ops.floor(x))
    if item.missing_codes:
        off = off & ops.not_(ops.is_in(x, sorted(item.missing_codes)))
    return ops.present(x) & off


def cell_message(item: ItemPlan, raw: object, where: str) -> str:
    """The message for a file cell (text) that is not an answer; ``where`` says file and line."""
    text = str(raw).strip()
    try:
        number: Any = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return (
                f"{where}, column {item.id!r}: {text!r} is not a number; answers must be whole "
                f"numbers from {item.code_min} to {item.code_max}, and an empty cell or NA means "
                "not answered (see --na)"
            )
        if math.isnan(number):
            return (
                f"{where}, column {item.id!r}: {text!r} is not an answer; leave the cell empty "
                "or write NA when not answered (see --na)"
            )
    try:
        check_answer(item.id, number, item.code_min, item.code_max, item.missing_codes)
    except AnswerError as exc:
        return f"{where}: {exc}"
    return f"{where}, column {item.id!r}: {text!r} is not an answer"  # pragma: no cover
