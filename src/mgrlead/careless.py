"""Careless-responding indicators, reported beside scores and never changing them.

For one respondent, over the items in rubric order (raw responses, before
reverse keying; missing answers skipped):

``longest_run``
    The longest run of identical consecutive answers (straight-lining).
``irv``
    Intra-individual response variability: the standard deviation (n - 1) of
    the respondent's raw answers, each first put on a -1..+1 scale
    (``(x - midpoint) / half range``) so that items on different scales
    compare.  Near 0 means the same answer everywhere.
``acquiescence``
    The mean of the same -1..+1 answers over the items of bipolar dimensions
    that have items keyed toward both poles: agreeing with everything regardless
    of content gives +1, disagreeing with everything -1; a content-driven
    respondent on a balanced scale sits near 0.
``both_poles``
    How many bipolar dimensions the respondent agreed with on both sides: the
    mean answer to the items keyed toward each pole is above the midpoint.

Both engines compute them with the same formulas in the same order, so single
and batch results agree exactly: :meth:`CarelessPlan.many` for a batch, and for
one respondent the scorer that :mod:`mgrlead._single` writes.  Means are sums
in item order divided by the count; the SD sums the squared deviations from
that mean in item order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = ["CarelessIndicators", "CarelessPlan", "compile_careless"]


@frozen(kw_only=True, weakref_slot=False)
class CarelessIndicators:
    """The careless-responding indicators of one respondent (``None`` when undefined)."""

    longest_run: int
    """The longest run of identical consecutive answers (0 with no answer)."""
    irv: float | None
    """Standard deviation of the answers on a -1..+1 scale; needs two answers."""
    acquiescence: float | None
    """Mean answer on a -1..+1 scale over balanced bipolar dimensions."""
    both_poles: int
    """Bipolar dimensions agreed with on both sides."""


@frozen
class CarelessPlan:
    """What the indicators need, compiled from a rubric."""

    mid: tuple[float, ...]
    half: tuple[float, ...]
    balanced: tuple[int, ...]
    pairs: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]

    def many(self, codes: Any) -> dict[str, Any]:  # noqa: ANN401
        """The indicators of many respondents from a (rows, items) array, NaN = missing."""
        import numpy as np  # noqa: PLC0415

        n, k = codes.shape
        columns = np.ascontiguousarray(codes.T)  # one contiguous row per item: fast loops
        run = np.zeros(n, dtype=np.int64)
        best = np.zeros(n, dtype=np.int64)
        previous = np.full(n, np.nan)
        same = np.empty(n, dtype=bool)
        for j in range(k):
            col = columns[j]
            ans = ~np.isnan(col)
            # answered: the run goes on when the code repeats, else restarts at 1;
            # unanswered: everything stays as it was.
            np.equal(col, previous, out=same)
            np.add(run, 1, out=run, where=same)
            np.copyto(run, 1, where=ans & ~same)
            np.maximum(best, run, out=best, where=ans)
            np.copyto(previous, col, where=ans)
        unit = (columns - np.asarray(self.mid)[:, None]) / np.asarray(self.half)[:, None]
        irv = _sd_columns(unit, range(k))
        acq = _mean_columns(unit, self.balanced)
        both = np.zeros(n, dtype=np.int64)
        for low, high in self.pairs:
            a = _mean_columns(unit, low)
            b = _mean_columns(unit, high)
            with np.errstate(invalid="ignore"):
                both += (a > 0.0) & (b > 0.0)
        return {"longest_run": best, "irv": irv, "acquiescence": acq, "both_poles": both}


def _mean_columns(unit: Any, columns: Any) -> Any:  # noqa: ANN401
    """Per-respondent means over some items, skipping NaN, accumulated in item order.

    ``unit`` holds one row per item (items x respondents).
    """
    import numpy as np  # noqa: PLC0415

    n = unit.shape[1]
    total = np.zeros(n)
    count = np.zeros(n)
    for j in columns:
        ans = ~np.isnan(unit[j])
        np.add(total, unit[j], out=total, where=ans)
        np.add(count, ans, out=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)


def _sd_columns(unit: Any, columns: Any) -> Any:  # noqa: ANN401
    import numpy as np  # noqa: PLC0415

    columns = list(columns)
    n = unit.shape[1]
    m = _mean_columns(unit, columns)
    acc = np.zeros(n)
    count = np.zeros(n)
    d = np.empty(n)
    for j in columns:
        ans = ~np.isnan(unit[j])
        np.subtract(unit[j], m, out=d)
        np.multiply(d, d, out=d)
        np.add(acc, d, out=acc, where=ans)
        np.add(count, ans, out=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= 2, np.sqrt(acc / np.where(count >= 2, count - 1, 1.0)), np.nan)


def compile_careless(rubric: Rubric) -> CarelessPlan:
    """Compile what the indicators need from a rubric."""
    items = rubric.items
    index = {item.id: i for i, item in enumerate(items)}
    mid, half = [], []
    for item in items:
        scale = rubric.item_scale(item)
        mid.append((scale.min + scale.max) / 2)
        half.append((scale.max - scale.min) / 2)
    balanced: set[int] = set()
    pairs = []
    for dim in rubric.dimensions:
        if not dim.bipolar:
            continue
        members = rubric.members(dim)
        low = tuple(sorted(index[i] for i, rev in members if rev))
        high = tuple(sorted(index[i] for i, rev in members if not rev))
        if low and high:
            balanced.update(low + high)
            pairs.append((low, high))
    return CarelessPlan(tuple(mid), tuple(half), tuple(sorted(balanced)), tuple(pairs))
