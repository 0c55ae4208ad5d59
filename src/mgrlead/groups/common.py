"""Pieces shared by the group results (360 rounds, team summaries): ids, statistics, output."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeGuard, TypeVar

from attrs import asdict

__all__ = ["RowsExport", "find", "is_id", "mean_sd"]

T = TypeVar("T")


def is_id(value: object) -> TypeGuard[str | int]:
    """Whether a cell can identify a person or a group: a non-empty text or a whole number."""
    return value is not None and value != "" and not isinstance(value, (bool, float))


def mean_sd(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and SD (n - 1) of one value or more, exactly rounded (:func:`math.fsum`).

    Exact rounding makes both depend only on which values there are, never on
    their order.  The SD of a single value is ``None``.
    """
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in values) / (len(values) - 1))


def find(items: Iterable[T], attribute: str, key: object) -> T:
    """The first of ``items`` whose ``attribute`` equals ``key``; ``KeyError`` if none."""
    for item in items:
        if getattr(item, attribute) == key:
            return item
    raise KeyError(key)


class RowsExport:
    """``to_dict``, ``to_json`` and ``to_frame`` for an attrs result with ``to_rows``."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (numbers, strings, booleans and ``None`` only)."""
        return asdict(self)  # type: ignore[arg-type] # every subclass is an attrs class

    def to_json(self, **kwargs: Any) -> str:  # noqa: ANN401
        """The result as JSON text; keyword arguments go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per row (defined by each result)."""
        raise NotImplementedError

    def _empty_columns(self) -> list[str]:
        """The columns of the frame when there is no row."""
        raise NotImplementedError

    def to_frame(self, backend: Literal["pandas", "polars", "pyarrow"] = "pandas") -> Any:  # noqa: ANN401
        """:meth:`to_rows` as a pandas, polars or pyarrow table."""
        import narwhals as nw  # noqa: PLC0415

        rows = self.to_rows()
        names = list(rows[0]) if rows else self._empty_columns()
        columns = {name: [row.get(name) for row in rows] for name in names}
        return nw.from_dict(columns, backend=backend).to_native()
