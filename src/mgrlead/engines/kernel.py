"""The scoring kernel: every formula of mgrlead's scores, written once.

The engines (:mod:`~mgrlead.engines.batch` for numpy, :mod:`~mgrlead.engines.single`
for one respondent, :mod:`~mgrlead.engines.lazy` for lazy frames, and the file
streaming of :mod:`mgrlead.io.stream`) move data in and out; the numbers come
from the functions here, run over the engine's operations namespace
(:mod:`mgrlead.engines.ops`).

For a dimension ``d`` with members ``i`` (weights ``w_i``), answered items ``A``
and, with imputation, imputed items ``I`` (codes that mean "missing" are not
answers)::

    s_i      = the response code x_i, or the score the item's response map gives it
    lo_i, hi_i = the lowest and highest score item i can give
    k_i      = s_i                 if item i is keyed toward d's high pole
             = lo_i + hi_i - s_i   otherwise (the declared scale, never the data)
    W        = sum_{i in A+I} w_i
    sum      = sum_{i in A+I} w_i * k_i
    P        = sum_{i in A+I} w_i * ((k_i - lo_i) / (hi_i - lo_i))
    mean     = sum / W
    percent  = P / W * 100
    position = (2 P - W) / W        (that is (percent - 50) / 50; bipolar dimensions only)
    score    = the strategy's headline, from these
    scorable = |A| >= required and W != 0   (and |A + I| > 0 when required is 0)

Sums run over the members in item order on every engine.  Each item's terms
(``w * k`` and ``w * ((k - lo) / (hi - lo))``) depend only on its response code,
so :func:`term_table` computes them once per code, in Python, and the engines
look them up (or, where the formula is exact in every engine, as for an item
whose score range is a power of two, compute them): the terms are the same
numbers everywhere.  No formula divides by
a constant (polars would multiply by the reciprocal instead, off in the last
bit), so every engine gives the same bits for the built-in strategies.

The overall result is ``sum_d v_d * (P_d / W_d)`` over the top-level
dimensions (weights ``v_d``, largest 1), divided by ``sum_d v_d``, times 100;
it is scorable when every weighted dimension is.

Imputation (``mean`` / ``median``) fills an unanswered item with the exact mean
or median of that item's scores over the whole data set, from a count of each
response code (:func:`fill_value`); an imputed answer counts toward ``W``,
``sum`` and ``P`` but never as answered.

The careless-responding indicators, over the items in rubric order (raw
responses, before reverse keying; missing answers skipped), with ``u = (x -
midpoint) / half range`` putting every answer on -1..+1.  Every engine works on
whole numbers ``h = u * L`` (``h = (2x - lo - hi) * L / (hi - lo)``, ``L`` the
least common multiple of the items' ranges, :attr:`CarelessPlan.denominator`):
sums and counts of whole numbers are exact on every engine and in any order,
and each indicator is one division of exact whole numbers.

``longest_run``
    The longest run of identical consecutive answers: with ``A_j`` the number
    answered up to item ``j`` and a *break* where an answer differs from the one
    before it, the run ending at an answered item ``j`` is ``A_j`` minus the
    ``A - 1`` of the last break up to ``j`` (a running count and a running
    maximum: no engine needs a loop over items).
``irv``
    The standard deviation (n - 1) of ``u``; needs two answers.  Computed as
    ``sqrt((n * sum(h^2) - sum(h)^2) / (n (n - 1) L^2))``: the numerator is an
    exact whole number, so the same answers everywhere give exactly 0.
``acquiescence``
    The mean of ``u`` over the items of bipolar dimensions keyed toward both
    poles, ``sum(h) / (n L)``.
``both_poles``
    How many such dimensions were agreed with on both sides: the sum of ``h``
    over the items keyed toward each pole is above 0.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import define, frozen

from mgrlead.i18n import N_, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.plan import NO_BAND
from mgrlead.strategies import BUILTIN_STRATEGIES, DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.engines.ops import Ops
    from mgrlead.plan import Boundaries, CarelessPlan, DimensionPlan, ItemPlan

__all__ = [
    "BUILT_IN",
    "NOT_SCORABLE",
    "NO_BAND",
    "Accumulated",
    "DimensionResult",
    "OverallResult",
    "TermTable",
    "Terms",
    "accumulate",
    "accumulate_stacks",
    "band_index",
    "band_slot",
    "band_value",
    "careless",
    "dimension",
    "fill_value",
    "imputation_refused",
    "item_terms",
    "keyed",
    "masked",
    "overall",
    "overall_reason",
    "position_of",
    "reason",
    "term_table",
    "unit_table",
]

Value = Any  # a float, an array, an expression or a traced value

#: The band code of a dimension or overall result that is not scorable; a
#: scorable score in a gap between bands has :data:`NO_BAND` (-2), in a band
#: that band's index.
NOT_SCORABLE: Final = -1


# ---------------------------------------------------------------- item terms
@frozen
class Terms:
    """What one item adds to one dimension's sums, for one response (or a gap)."""

    w: float
    """Its weight, when answered or imputed (else 0)."""
    wx: float
    """Its weighted keyed score ``w * k``."""
    wp: float
    """Its weighted share of the range ``w * ((k - lo) / (hi - lo))``."""
    n: int
    """1 when really answered, else 0."""
    imputed: int
    """1 when filled in by imputation, else 0."""


NO_TERMS = Terms(0.0, 0.0, 0.0, 0, 0)


def keyed(item: ItemPlan, reverse: bool, score: Value) -> Value:
    """The keyed score ``k``: the score, or ``lo + hi`` minus it for a reversed item."""
    return (item.lo + item.hi) - score if reverse else score


def item_terms(item: ItemPlan, weight: float, reverse: bool, score: float) -> tuple[float, float]:
    """``w * k`` and ``w * ((k - lo) / (hi - lo))`` for an item score ``score``."""
    k = keyed(item, reverse, score)
    return weight * k, weight * ((k - item.lo) / (item.hi - item.lo))


@frozen
class TermTable:
    """An item's :class:`Terms` in one dimension, for every response code and for a gap."""

    code_min: int
    """The code of ``by_code[0]``."""
    by_code: tuple[Terms, ...]
    """The terms of each code from ``code_min`` up."""
    gap: Terms
    """The terms of an unanswered cell: nothing, or the imputed value's terms."""

    def of(self, code: int | None) -> Terms:
        """The terms of a checked response code (``None``: not answered)."""
        return self.gap if code is None else self.by_code[code - self.code_min]


def term_table(item: ItemPlan, weight: float, reverse: bool, fill: float | None) -> TermTable:
    """The terms of every code of ``item`` as a member of a dimension.

    ``fill`` is the imputed score of an unanswered cell (``None``: no imputation).
    """
    by_code = []
    for code in item.codes:
        wx, wp = item_terms(item, weight, reverse, item.score_of(code))
        by_code.append(Terms(weight, wx, wp, 1, 0))
    gap = NO_TERMS
    if fill is not None:
        wx, wp = item_terms(item, weight, reverse, fill)
        gap = Terms(weight, wx, wp, 0, 1)
    return TermTable(item.code_min, tuple(by_code), gap)


def unit_table(item: ItemPlan, plan: CarelessPlan) -> tuple[float, ...]:
    """Each code's answer on -1..+1 times ``plan.denominator`` (careless indicators).

    Whole numbers when ``plan.exact``: the denominator is a multiple of every
    item's range, so ``(2 * code - lo - hi) * denominator / (hi - lo)`` is whole.
    Otherwise (a rubric mixing too many scale ranges) the answers on -1..+1 as
    floats, ``(code - midpoint) / half range``.
    """
    lo, hi = item.code_min, item.code_max
    if not plan.exact:
        return tuple((code - item.mid) / item.half for code in item.codes)
    step = plan.denominator // (hi - lo)
    return tuple((2 * code - lo - hi) * step for code in item.codes)


# ---------------------------------------------------------------- imputation
def fill_value(
    item: ItemPlan, counts: Sequence[int] | npt.NDArray[np.int64], how: str
) -> float | None:
    """The exact mean or median score of ``item`` from how often each code was given.

    ``counts[j]`` is the number of answers with code ``code_min + j``.  The mean
    is computed exactly and rounded once; the median of an even number of
    answers is the mean of the two middle scores, as numpy's.  ``None`` when
    nobody answered the item: it cannot be imputed and stays missing.
    """
    total = sum(counts)
    if total == 0:
        return None
    scored = sorted(
        (float(item.score_of(code)), int(n))
        for code, n in zip(item.codes, counts, strict=True)
        if n
    )
    if how == "mean":
        from fractions import Fraction  # noqa: PLC0415 - only to impute (it imports decimal)

        exact = sum((Fraction(score) * n for score, n in scored), Fraction(0))
        return float(exact / total)
    if how != "median":
        msg = f"unknown imputation {how!r}"
        raise ValueError(msg)
    wanted = (total - 1) // 2, total // 2  # the middle rank(s), 0-based
    middle = []
    seen = 0
    for score, n in scored:
        middle += [score for rank in wanted if seen <= rank < seen + n]
        seen += n
    return (middle[0] + middle[1]) / 2.0


# ------------------------------------------------------------- accumulating
@define
class Accumulated:
    """A dimension's sums: weights, keyed scores, shares, answered and imputed counts."""

    w: Value = 0.0
    wx: Value = 0.0
    wp: Value = 0.0
    n: Value = 0
    imputed: Value = 0


def accumulate(  # noqa: PLR0913, PLR0917 - the sums, then one member's terms
    ops: Ops,
    acc: Accumulated,
    w: Value,
    wx: Value,
    wp: Value,
    n: Value,
    imputed: Value = 0,
) -> Accumulated:
    """Add one member's terms (in item order) to a dimension's sums."""
    acc.w = ops.add(acc.w, w)
    acc.wx = ops.add(acc.wx, wx)
    acc.wp = ops.add(acc.wp, wp)
    acc.n = ops.add(acc.n, n)
    if not (isinstance(imputed, int) and imputed == 0):
        acc.imputed = ops.add(acc.imputed, imputed)
    return acc


def accumulate_stacks(  # noqa: PLR0913, PLR0917 - the terms of every member at once
    ops: Ops,
    w: Any,  # noqa: ANN401
    wx: Any,  # noqa: ANN401
    wp: Any,  # noqa: ANN401
    n: Any,  # noqa: ANN401
    imputed: Any = 0,  # noqa: ANN401
) -> Accumulated:
    """A dimension's sums from stacks of its members' terms (see :meth:`Ops.each`).

    ``w`` ``None``: the engine sets the weights itself (unit weights: the count).
    The same sums, in the same item order, as :func:`accumulate` member by member
    (whose sums start at ``0.0``: adding it last turns a sum of ``-0.0`` terms
    into ``0.0`` as starting with it does, and changes nothing else).
    """
    return Accumulated(
        w=None if w is None else ops.total(w, 0.0) + 0.0,
        wx=ops.total(wx, 0.0) + 0.0,
        wp=ops.total(wp, 0.0) + 0.0,
        n=ops.total(n, 0),
        imputed=imputed if isinstance(imputed, int) else ops.total(imputed, 0),
    )


# ------------------------------------------------------------- finishing
def _past(ops: Ops, value: Value, cut: tuple[float, bool]) -> Value:
    """1 where ``value`` is past ``cut`` (see :func:`mgrlead.plan.boundaries`), else 0."""
    bound, below_includes = cut
    return ops.as_int((value > bound) if below_includes else (value >= bound))


def band_slot(ops: Ops, value: Value, boundaries: Boundaries) -> Value:
    """Which stretch of ``boundaries`` ``value`` falls in: how many cuts it is past."""
    index: Value = None
    for cut in boundaries.cuts:
        above = _past(ops, value, cut)
        index = above if index is None else index + above
    return 0 if index is None else index


def band_index(ops: Ops, value: Value, boundaries: Boundaries) -> Value:
    """Index of the band ``value`` falls in, or :data:`NO_BAND` in a gap between bands.

    The code of the first stretch plus, for every cut ``value`` is past, the
    step the code takes there; without gaps every step is 1, and the index is
    the number of cuts passed (:func:`band_slot`).
    """
    codes = boundaries.codes
    index: Value = None if codes[0] == 0 else codes[0]
    for cut, before, after in zip(boundaries.cuts, codes[:-1], codes[1:], strict=True):
        above = _past(ops, value, cut)
        step = above if after - before == 1 else above * (after - before)
        index = step if index is None else index + step
    return codes[0] if index is None else index


def band_value(band_on: str, percent: Value, mean: Value, score: Value) -> Value:
    """The number a dimension's bands label: its percent, mean or headline score."""
    return {"percent": percent, "mean": mean, "score": score}[band_on]


def position_of(percent: float) -> float:
    """The position between the poles of a percent (for averages of percents, in groups)."""
    return (percent - 50.0) / 50.0


@frozen
class DimensionResult:
    """One dimension's metrics, unmasked: numbers also where it is not scorable."""

    ok: Value
    """Whether it is scorable."""
    weight_zero: Value
    """Whether every answered (or imputed) item weighs 0."""
    sum: Value
    mean: Value
    percent: Value
    position: Value
    score: Value
    answered: Value
    missing: Value
    imputed: Value
    band: Value
    """The band index (:data:`NO_BAND` in a gap between bands)."""
    share: Value
    """``P / W``: the percent as a share, for the overall result."""


def scorable(ops: Ops, acc: Accumulated, dim: DimensionPlan) -> Value:  # noqa: ARG001
    """Whether enough items were answered (and weigh something) to score ``dim``."""
    ok = (acc.n >= dim.required) & (acc.w != 0.0)
    if dim.required == 0:  # fully imputed scores still need something to rest on
        ok = ok & (acc.n + acc.imputed > 0)
    return ok


def dimension(
    ops: Ops, acc: Accumulated, dim: DimensionPlan, strategy: ScoringStrategy
) -> DimensionResult:
    """Every metric of a dimension from its sums (see the module doc)."""
    ok = scorable(ops, acc, dim)
    weight_zero = acc.w == 0.0
    den = ops.where(weight_zero, 1.0, acc.w)  # not scorable then: no division by zero
    mean = acc.wx / den
    share = acc.wp / den
    percent = share * 100.0
    position = (2.0 * acc.wp - acc.w) / den
    stats = DimensionStats(
        sum=acc.wx, mean=mean, percent=percent, position=position, answered=acc.n,
        n_items=dim.n_items, scale_min=dim.scale_min, scale_max=dim.scale_max,
        weight_total=dim.weight_total, ops=ops,
    )  # fmt: skip
    headline = score_of(ops, strategy, stats, ok)
    value = band_value(dim.band_on, percent, mean, headline)
    return DimensionResult(
        ok=ok, weight_zero=weight_zero, sum=acc.wx, mean=mean, percent=percent,
        position=position if dim.bipolar else None, score=headline, answered=acc.n,
        missing=dim.n_items - acc.n, imputed=acc.imputed,
        band=band_index(ops, value, dim.boundaries), share=share,
    )  # fmt: skip


#: The built-in strategies' own classes: trusted, called as they are.
BUILT_IN: Final = frozenset(type(s) for s in BUILTIN_STRATEGIES.values())


def score_of(ops: Ops, strategy: ScoringStrategy, stats: DimensionStats, ok: Value) -> Value:
    """The strategy's headline.

    A built-in strategy is called as it is.  Any other is a plugin's: on numpy
    it gets read-only arrays, a failure becomes a :class:`~mgrlead.PluginError`
    naming it, and what it returns must be real numbers, one per respondent,
    finite wherever the dimension is scorable (:meth:`Ops.plugin_score`).
    """
    if type(strategy) in BUILT_IN:
        return strategy.score(stats)
    return ops.plugin_score(strategy, stats, ok)


#: The metrics that are numbers of the dimension's scale (missing when not scorable).
_MASKED = ("sum", "mean", "percent", "position", "score")


def masked(ops: Ops, result: DimensionResult) -> dict[str, Value]:
    """The dimension's output metrics by name: scores missing and band -1 where not scorable.

    A scorable score in a gap between bands keeps its band code :data:`NO_BAND` (-2).
    """
    out: dict[str, Value] = {}
    for name in _MASKED:
        value = getattr(result, name)
        out[name] = ops.missing if value is None else ops.where(result.ok, value, ops.missing)
    out["answered"] = result.answered
    out["missing"] = result.missing
    out["imputed"] = result.imputed
    out["band"] = ops.where(result.ok, result.band, NOT_SCORABLE)
    return out


@frozen
class OverallResult:
    """The overall result, unmasked."""

    ok: Value
    percent: Value
    position: Value
    band: Value


def overall(
    ops: Ops,
    parts: Sequence[tuple[float, DimensionResult]],
    boundaries: Boundaries,
) -> OverallResult:
    """The weighted mean of the top-level dimensions' shares (``parts``: weight, result).

    The shares (each at most 1) are weighted and summed in the same order as
    the weights themselves, so rounding can never carry the result past 0 or
    100: with every share 1 the two sums are the same sum.  The weights are
    summed over scorable dimensions, a sum every engine computes (when the
    overall result is scorable, all of them).
    """
    if not parts:  # the rubric declares no overall result: never scorable
        return OverallResult(ok=False, percent=ops.missing, position=ops.missing, band=NOT_SCORABLE)
    ok = functools.reduce(lambda a, b: a & b, [part.ok for _, part in parts])
    num = ops.total([weight * part.share for weight, part in parts], 0.0)
    den = ops.total([weight * ops.as_float(part.ok) for weight, part in parts], 0.0)
    den = ops.where(ok, den, 1.0)
    percent = num / den * 100.0
    position = (2.0 * num - den) / den
    return OverallResult(ok, percent, position, band_index(ops, percent, boundaries))


def overall_masked(ops: Ops, result: OverallResult) -> dict[str, Value]:
    """The overall output metrics by name (missing, band -1, where not scorable; -2: no band)."""
    return {
        "percent": ops.where(result.ok, result.percent, ops.missing),
        "position": ops.where(result.ok, result.position, ops.missing),
        "band": ops.where(result.ok, result.band, NOT_SCORABLE),
    }


# --------------------------------------------------------------- reasons
def reason(
    answered: int, required: int, n_items: int, weight_zero: bool, imputed: int = 0
) -> str | None:
    """Why a dimension is not scorable, or ``None`` when it is (in the current language)."""
    if answered < required:
        # TRANSLATORS: why a dimension has no score; an item is one statement of the assessment
        return ngettext(
            "{answered} of {n_items} item answered; at least {required} needed",
            "{answered} of {n_items} items answered; at least {required} needed",
            n_items,
        ).format(answered=answered, n_items=n_items, required=required)
    if answered + imputed == 0:  # a policy that needs no answer, and nothing to rest on
        if n_items == 1:
            return _("its one item not answered, and it could not be imputed")
        # TRANSLATORS: {n_items} is at least 2; "imputed": filled in from the other answers
        return ngettext(
            "none of its {n_items} item answered, and none could be imputed",
            "none of its {n_items} items answered, and none could be imputed",
            n_items,
        ).format(n_items=n_items)
    if weight_zero:
        return _("every answered item has weight 0")
    return None


#: Why a rubric that declares no overall result has none (English: translate it
#: with :func:`mgrlead.i18n.gettext` where it is shown, as :func:`overall_reason` does).
NO_OVERALL = N_("the rubric declares no overall result")


def overall_reason(blocked: Sequence[str]) -> str:
    """Why the overall result is not scorable: the dimensions that are not (current language)."""
    if not blocked:
        return _(NO_OVERALL)
    names = ", ".join(repr(b) for b in blocked)
    # TRANSLATORS: {names} is one or more dimension ids in quotes, separated by commas
    return _("dimension {names} could not be scored").format(names=names)


def imputation_refused(dim: DimensionPlan) -> str:
    """Why one respondent alone cannot be scored with sample imputation."""
    return (
        f"dimension {dim.id!r} imputes missing answers with the sample's item {dim.impute}, "
        "which one respondent alone does not have; score the sample with score_frame, or "
        "use a policy without imputation (missing='available')"
    )


# ---------------------------------------------------------------- careless
def careless(
    ops: Ops,
    codes: Any,  # noqa: ANN401 - a stack (see Ops.each)
    units: Any,  # noqa: ANN401
    present: Any,  # noqa: ANN401
    plan: CarelessPlan,
) -> dict[str, Value]:
    """The careless-responding indicators (see the module doc), by name.

    The per-item values come as *stacks*, one entry per item in rubric order:
    a list of values on most engines, an ``(items, respondents)`` array on
    numpy.  Each formula below is applied to a whole stack with
    :meth:`Ops.each`, summed over it in item order with :meth:`Ops.total`, or
    scanned with :meth:`Ops.cumsum` and its kin, so the same lines serve both.

    Args:
        ops: The engine's namespace.
        codes: Each item's response code; where not answered, anything (the
            engines use their missing value, or on numpy a code no item has).
        units: Each item's answer on -1..+1 times ``plan.denominator``
            (:func:`unit_table`, whole numbers), 0 where not answered.
        present: Whether each item was answered.
        plan: The balanced items, the pole pairs and the denominator.
    """
    k = len(codes)
    ones = ops.each(ops.as_count, present)
    # where an engine stores intermediate values, three stores in all
    (answered, previous, units, present), _ = ops.checkpoint_stacks(
        [ops.cumsum(ones), ops.ffill_previous(codes, present), units, present], []
    )
    breaks = ops.each(
        lambda p, prev, c, a: ops.where(p & ops.not_(ops.same(prev, c)), a - 1, 0),
        present, previous, codes, answered,
    )  # fmt: skip
    n_all = ops.as_int(ops.last(answered)) if k else 0  # how many were answered in all
    whole = ops.as_int if plan.exact else ops.as_float
    total = whole(ops.total(units, 0))
    squares = whole(ops.total(ops.each(lambda h: h * h, units), 0))
    (breaks,), (n_all, total, squares) = ops.checkpoint_stacks([breaks], [n_all, total, squares])
    (last_break,), _ = ops.checkpoint_stacks([ops.cummax(breaks)], [])
    runs = ops.each(lambda p, a, b: ops.where(p, a - b, 0), present, answered, last_break)
    enough = n_all >= 2
    scale = plan.denominator * plan.denominator
    spread = ops.as_float(n_all * squares - total * total)  # exactly >= 0 in whole numbers
    if not plan.exact:  # floats: rounding could take it below 0
        spread = ops.maximum(spread, 0.0)
    irv = ops.where(
        enough, ops.sqrt(spread / ops.where(enough, n_all * (n_all - 1) * scale, 1)), ops.missing
    )

    def group(members: Sequence[int]) -> tuple[Value, Value]:
        n = ops.total(ops.rows(ones, members), 0)
        return ops.total(ops.rows(units, members), 0), n

    t_bal, n_bal = group(plan.balanced)
    acquiescence = ops.where(
        n_bal > 0,
        ops.as_float(t_bal) / ops.where(n_bal > 0, ops.as_int(n_bal) * plan.denominator, 1),
        ops.missing,
    )
    both: Value = 0
    for low, high in plan.pairs:
        t_lo, n_lo = group(low)
        t_hi, n_hi = group(high)
        both = both + ops.as_int((n_lo > 0) & (t_lo > 0) & (n_hi > 0) & (t_hi > 0))
    return {
        "longest_run": ops.as_int(ops.max_of(runs)),
        "irv": irv,
        "acquiescence": acquiescence,
        "both_poles": both,
    }
