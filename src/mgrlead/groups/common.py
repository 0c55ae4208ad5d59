"""Pieces shared by the group results (360 rounds, team summaries): ids, statistics, output."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeGuard, TypeVar

from attrs import asdict

from mgrlead.engines.batch import code_indices
from mgrlead.errors import InputError, UnknownIdError

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = [
    "RowsExport",
    "complete_on",
    "find",
    "is_id",
    "linked_families",
    "mean_sd",
    "refuse_sample_imputation",
    "uncounted",
]

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
    """The first of ``items`` whose ``attribute`` equals ``key``.

    Raises:
        UnknownIdError: none has (a :class:`KeyError` naming the closest one).
    """
    given = list(items)
    for item in given:
        if getattr(item, attribute) == key:
            return item
    raise UnknownIdError(key, [getattr(i, attribute) for i in given], attribute.replace("_", " "))


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
        # every row's columns, in order of first appearance: a first row may lack some
        # (a withheld dimension of a team has no band counts)
        names = list(dict.fromkeys(k for row in rows for k in row)) or self._empty_columns()
        columns = {name: [row.get(name) for row in rows] for name in names}
        return nw.from_dict(columns, backend=backend).to_native()


#: Built-in strategies whose headline score is one affine function of the item mean for
#: every rater (with unit or any fixed weights), so that it adds nothing to the percent.
_AFFINE_STRATEGIES = frozenset({"mean", "weighted_mean", "prorated_sum", "percent"})


def linked_families(plan: ScoringPlan) -> list[list[int]]:
    """The dimensions (indices) whose figures must rest on people who answered all their items.

    Dimensions that share items (a dimension and its sub-dimensions) are one
    family: for a rater who skipped an item, the parent's score is a different
    combination of the sub-dimensions' scores than for everyone else, so the
    family's aggregates together would isolate that rater (``2 n AO_parent - n AO_a -
    n AO_b`` leaves only them).  The same holds for one dimension whose items have
    different ranges (percent and mean are then different combinations of the items
    for raters who skipped an item), and whose headline score is not one affine
    function of the mean (``sum``, plugin strategies).  Such families count only
    raters complete on them; all other dimensions count every rater scored on them.
    """
    family = list(range(len(plan.dimensions)))

    def root(d: int) -> int:
        while family[d] != d:
            family[d] = family[family[d]]
            d = family[d]
        return d

    owner: dict[int, int] = {}
    for d, dim in enumerate(plan.dimensions):
        for i in dim.members:
            if i in owner:
                family[root(d)] = root(owner[i])
            else:
                owner[i] = d
    groups: dict[int, list[int]] = {}
    for d in range(len(plan.dimensions)):
        groups.setdefault(root(d), []).append(d)
    from mgrlead.engines.kernel import BUILT_IN  # noqa: PLC0415

    strategy = plan.strategy
    affine = type(strategy) in BUILT_IN and strategy.name in _AFFINE_STRATEGIES
    return [
        members
        for members in groups.values()
        if len(members) > 1 or not affine or not plan.dimensions[members[0]].one_range
    ]


def refuse_sample_imputation(plan: ScoringPlan, caller: str) -> None:
    """Aggregates that hide people cannot use fills computed from everyone's answers.

    With ``missing="mean"`` (or ``median``) a shown figure depends on the answers of
    people it must hide (their answers move the fill of everyone's gaps).
    """
    if plan.imputes:
        dims = [d.id for d in plan.dimensions if d.impute != "none"]
        raise InputError(
            f"{caller}: dimension {dims[0]!r} fills unanswered items with the item "
            f"{plan.imputes[0]} of all the data, which would let hidden people's answers "
            "move shown figures; use a missing-data policy without imputation "
            "(missing='available' or 'complete')"
        )


def uncounted(plan: ScoringPlan, matrix: Any) -> dict[int, Any]:  # noqa: ANN401
    """Per dimension (index) of a linked family: the rows left out of its aggregates.

    Those are the people who did not answer every item of the family (see
    :func:`linked_families`); dimensions outside any such family are not listed.
    """
    out: dict[int, Any] = {}
    for family in linked_families(plan):
        left_out = ~complete_on(plan, matrix, family)
        out |= dict.fromkeys(family, left_out)
    return out


def complete_on(plan: ScoringPlan, matrix: Any, family: Sequence[int]) -> Any:  # noqa: ANN401
    """Per row: whether the rater answered every item of the family of dimensions."""
    import numpy as np  # noqa: PLC0415

    items = sorted({i for d in family for i in plan.dimensions[d].members})
    done = np.ones(matrix.shape[0], dtype=bool)
    for i in items:
        done &= code_indices(plan.items[i], matrix[:, i])[1]
    return done
