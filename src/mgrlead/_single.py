"""The single-respondent engine: a scoring plan compiled to straight-line Python.

:meth:`ScoringPlan.score_one <mgrlead.plan.ScoringPlan.score_one>` runs one
function generated from the plan the first time it is needed (as attrs and
cattrs generate ``__init__`` and structuring code).  Every item's answer check
and every dimension's sums are written out with the plan's numbers as
constants, so scoring one person looks nothing up in the plan.  The formulas
are those of :mod:`mgrlead.plan`, term for term and in the same order, so one
respondent scored alone equals the same respondent scored in a batch, bit for
bit (property tests hold the engines equal).

What is computed ahead, giving the very same numbers:

- each item's two terms per response code, ``w * k`` and
  ``w * ((k - lo) / (hi - lo))`` (``k`` the keyed score), in a table indexed
  by the code: the same operations on the same operands, done once;
- a dimension whose items all weigh ``1.0`` has the weight total ``n`` (the
  number answered): a sum of ones is exact;
- the built-in scoring strategies' headline (``mean``, ``sum``, ...) is written
  inline; for any other strategy the engine calls :func:`mgrlead.plan._finish`,
  as the batch engine does.

The frozen result objects are filled as a plain twin class and then given
their own class (see :func:`construct`): attrs' ``__init__`` for frozen classes
would take half the time of the whole scorer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from mgrlead.careless import CarelessIndicators
from mgrlead.errors import AnswerError, RubricError
from mgrlead.results import DimensionScore, OverallScore, Profile
from mgrlead.strategies import (
    MeanStrategy,
    PercentStrategy,
    ProratedSumStrategy,
    SumStrategy,
    WeightedMeanStrategy,
)

if TYPE_CHECKING:
    from mgrlead.plan import DimensionPlan, ItemPlan, ScoringPlan

__all__ = ["SingleScorer", "compile_single", "construct"]

#: The headline of each built-in strategy, as an expression of the generated code's
#: ``total`` (the weighted sum), ``mean`` and ``percent``.  Only these exact
#: classes: a subclass may override ``score``.
_INLINE_HEADLINE: dict[type, str] = {
    MeanStrategy: "mean",
    WeightedMeanStrategy: "mean",
    SumStrategy: "total",
    ProratedSumStrategy: "mean * {n_items}",
    PercentStrategy: "percent",
}

#: A compiled scorer: ``(answers, careless) -> Profile``.
SingleScorer = Callable[[Mapping[str, object], bool], Profile]


def construct(cls: type, var: str, values: list[str], ns: dict[str, Any]) -> list[str]:
    """Lines that build the frozen attrs ``cls`` into ``var`` from ``values`` (fields in order).

    A frozen class refuses ``obj.field = value``, so attrs' ``__init__`` sets
    each slot through ``object.__setattr__``, at about 70 ns a field.  These
    lines fill a plain twin class with the very same slots instead and then
    make the object what it is meant to be by assigning ``__class__`` (Python
    allows that between classes of the same layout), about three times faster.
    Converters are applied.  Classes with validators or ``__attrs_post_init__``
    are refused (their ``__init__`` does more), and so are classes whose layout
    no twin can share (a ``__weakref__`` slot: the result classes have none).
    The names the lines need go into ``ns``.
    """
    fields = attrs.fields(cls)
    if hasattr(cls, "__attrs_post_init__") or any(f.validator for f in fields):
        msg = f"{cls.__name__} validates in __init__; build it with its __init__"
        raise TypeError(msg)
    if len(values) != len(fields):
        msg = f"{cls.__name__} has {len(fields)} fields, got {len(values)} values"
        raise TypeError(msg)
    name = cls.__name__
    ns[f"_{name}"] = cls
    ns[f"_{name}_twin"] = _twin(cls)
    lines = [f"{var} = _{name}_twin()"]
    for f, value in zip(fields, values, strict=True):
        if f.converter is not None:
            ns[f"_{name}_{f.name}"] = f.converter
            value = f"_{name}_{f.name}({value})"  # noqa: PLW2901
        lines.append(f"{var}.{f.name} = {value}")
    lines.append(f"{var}.__class__ = _{name}")
    return lines


@functools.cache
def _twin(cls: type) -> type:
    """A plain class with the slots of ``cls``, that an instance can leave for ``cls``."""
    twin = type(
        f"{cls.__name__}Twin", (), {"__slots__": vars(cls)["__slots__"], "__module__": __name__}
    )
    try:
        twin().__class__ = cls
    except TypeError as error:
        msg = f"{cls.__name__} cannot be built from a twin: {error}"
        raise TypeError(msg) from error
    return twin


def compile_single(plan: ScoringPlan) -> SingleScorer:
    """The function that scores one respondent with ``plan`` (see the module doc)."""
    return _Writer(plan).scorer()


# ------------------------------------------------------------------ internals
def _lit(value: object) -> str:
    """``value`` as a Python literal that evaluates to exactly the same value."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)  # repr round-trips every finite float exactly
    msg = f"cannot write {value!r} as a literal"
    raise TypeError(msg)


def _band_expr(value: str, boundaries: tuple[tuple[float, bool], ...]) -> str:
    """The band index of ``value``, as :func:`mgrlead.plan._band_index` computes it."""
    terms = [f"({value} > {_lit(b)})" if incl else f"({value} >= {_lit(b)})"
             for b, incl in boundaries]  # fmt: skip
    return " + ".join(terms) if terms else "0"


def _term_tables(item: ItemPlan, weight: float, *, rev: bool) -> tuple[Any, Any]:
    """The item's two terms, ``w * k`` and ``w * ((k - lo) / (hi - lo))``, by response code.

    ``k`` is the keyed score: the code's score, or ``lo + hi`` minus it when
    the item is reversed.  Tuples indexed by the code (dicts for scales that
    reach below 0); missing codes have no entry.
    """
    lo, hi = item.lo, item.hi
    sums: dict[int, float] = {}
    percents: dict[int, float] = {}
    for code in range(item.code_min, item.code_max + 1):
        if code in item.missing_codes:
            continue
        s = item.score_of(code)
        k = (lo + hi) - s if rev else s
        sums[code] = weight * k
        percents[code] = weight * ((k - lo) / (hi - lo))
    return _indexable(item, sums), _indexable(item, percents)


def _indexable(item: ItemPlan, by_code: dict[int, float]) -> Any:  # noqa: ANN401
    """``by_code`` as a tuple indexed by the code (as is: a scale that reaches below 0)."""
    if item.code_min < 0:
        return by_code
    return tuple(by_code.get(code) for code in range(item.code_max + 1))


class _Writer:
    """Writes the source of one plan's scorer."""

    def __init__(self, plan: ScoringPlan) -> None:
        from mgrlead._version import __version__  # noqa: PLC0415
        from mgrlead.plan import _finish, _reason, _unscorable  # noqa: PLC0415

        self.plan = plan
        self.lines: list[str] = []
        self.ns: dict[str, Any] = {
            "_Mapping": Mapping,
            "_known": frozenset(plan.index),
            "_slow": self._slow,
            "_refuse": self._refuse,
            "_sources": dict(plan.sources),
            "_version": __version__,
            "_overall": plan._overall_score,  # noqa: SLF001 - the generic path, when blocked
            "_nan": math.nan,
            "_unscorable": _unscorable,
            "_reason": _reason,
            "_finish": _finish,
            "_strategy": plan.strategy,
        }

    def _refuse(self, answers: object) -> None:
        """Raise the error for answers that are not a mapping, or hold an unknown item."""
        plan = self.plan
        if not isinstance(answers, Mapping):
            msg = f"answers must be a mapping of item id to response, got {type(answers).__name__}"
            raise AnswerError(msg)
        for item_id in answers:
            if not isinstance(item_id, str) or item_id not in plan.index:
                raise AnswerError(plan._unknown_item_message(item_id), item=str(item_id))  # noqa: SLF001

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def build(self, cls: type, var: str, values: list[str], depth: int) -> None:
        for line in construct(cls, var, values, self.ns):
            self.emit(line, depth)

    def scorer(self) -> SingleScorer:
        plan = self.plan
        n_items = len(plan.items)
        self.lines.append("def score_one(answers, careless):")
        self.emit("if type(answers) is not dict and not isinstance(answers, _Mapping):")
        self.emit("_refuse(answers)", 2)
        self.emit("get = answers.get")
        self.emit("gaps = 0")
        for j, item in enumerate(plan.items):
            self.item(j, item)
        # Unknown item ids: a dict with every item answered and no more keys than
        # the rubric has items holds none; anything else is looked at key by key.
        # (_slow looks first too: an unknown id is named before a bad answer.)
        self.emit(f"if gaps or len(answers) != {n_items} or type(answers) is not dict:")
        self.emit("if not _known.issuperset(answers):", 2)
        self.emit("_refuse(answers)", 3)
        for d, dim in enumerate(plan.dimensions):
            self.dimension(d, dim)
        self.overall()
        dims = "".join(f"d{d}, " for d in range(len(plan.dimensions)))
        self.careless()
        self.build(Profile, "profile", [
            _lit(plan.rubric), _lit(plan.version), _lit(plan.content_hash), "_version",
            _lit(plan.strategy.name), _lit(plan.weighting), "dict(_sources)", f"({dims})",
            "overall", "None", "indicators",
        ], 1)  # fmt: skip
        self.emit("return profile")
        source = "\n".join(self.lines)
        code = compile(source, f"<mgrlead scorer of {plan.rubric} {plan.version}>", "exec")
        exec(code, self.ns)  # noqa: S102 - our own code, written from a validated plan
        scorer: SingleScorer = self.ns["score_one"]
        return scorer

    def careless(self) -> None:
        """``indicators``: the careless-responding indicators (see :mod:`mgrlead.careless`).

        Over the codes in item order, as :meth:`CarelessPlan.many
        <mgrlead.careless.CarelessPlan.many>` computes them; the answers' -1..+1
        values come from per-code tables of ``(c - mid) / half``, and their
        means are summed in item order, as the batch engine sums them.
        """
        cp = self.plan.careless
        # Running sums of the -1..+1 values per group, added in item order:
        # every answer, the balanced items, each pair's poles.
        groups: dict[str, tuple[int, ...]] = {"all": tuple(range(len(self.plan.items)))}
        groups["bal"] = cp.balanced
        for q, (low, high) in enumerate(cp.pairs):
            groups[f"lo{q}"], groups[f"hi{q}"] = low, high
        self.ns["_sqrt"] = math.sqrt
        self.emit("if careless:")
        self.emit("run = best = 0", 2)
        self.emit("previous = None", 2)
        self.emit("present = []", 2)
        for g in groups:
            self.emit(f"t_{g} = 0.0", 2)
            self.emit(f"n_{g} = 0", 2)
        for j, item in enumerate(self.plan.items):
            mid, half = cp.mid[j], cp.half[j]
            by_code = {c: (c - mid) / half for c in range(item.code_min, item.code_max + 1)}
            self.ns[f"_u{j}"] = _indexable(item, by_code)
            self.emit(f"if c{j} is not None:", 2)
            self.emit(f"run = run + 1 if c{j} == previous else 1", 3)
            self.emit("if run > best:", 3)
            self.emit("best = run", 4)
            self.emit(f"previous = c{j}", 3)
            self.emit(f"u = _u{j}[c{j}]", 3)
            self.emit("present.append(u)", 3)
            for g, members in groups.items():
                if j in members:
                    self.emit(f"t_{g} += u", 3)
                    self.emit(f"n_{g} += 1", 3)
        # the SD: the mean, then the squared deviations in order
        self.emit("if n_all < 2:", 2)
        self.emit("irv = None", 3)
        self.emit("else:", 2)
        self.emit("m = t_all / n_all", 3)
        self.emit("acc = 0.0", 3)
        self.emit("for u in present:", 3)
        self.emit("acc += (u - m) * (u - m)", 4)
        self.emit("irv = _sqrt(acc / (n_all - 1))", 3)
        self.emit("acquiescence = t_bal / n_bal if n_bal else None", 2)
        self.emit("both = 0", 2)
        for q in range(len(cp.pairs)):
            self.emit(
                f"if n_lo{q} and n_hi{q} and t_lo{q} / n_lo{q} > 0.0 and t_hi{q} / n_hi{q} > 0.0:",
                2,
            )
            self.emit("both += 1", 3)
        self.build(CarelessIndicators, "indicators", [
            "best", "irv", "acquiescence", "both",
        ], 2)  # fmt: skip
        self.emit("else:")
        self.emit("indicators = None", 2)

    def item(self, j: int, item: ItemPlan) -> None:
        """Check answer ``j`` into ``c{j}``, its response code (``None``: missing)."""
        bad = f"type(c{j}) is not int or not {item.code_min} <= c{j} <= {item.code_max}"
        if item.missing_codes:
            bad += f" or c{j} in {{{', '.join(map(str, sorted(item.missing_codes)))}}}"
        self.emit(f"c{j} = get({_lit(item.id)})")
        self.emit(f"if c{j} is None:")
        self.emit("gaps = 1", 2)
        self.emit(f"elif {bad}:")
        self.emit(f"c{j} = _slow(answers, {j}, c{j})", 2)

    def _slow(self, answers: Mapping[str, object], j: int, value: object) -> int | None:
        """Any answer but a plain int on the scale: after the ids, as :func:`check_answer`."""
        from mgrlead.plan import check_answer  # noqa: PLC0415

        if not self.ns["_known"].issuperset(answers):
            self._refuse(answers)
        item = self.plan.items[j]
        return check_answer(item.id, value, item.code_min, item.code_max, item.missing_codes)

    def dimension(self, d: int, dim: DimensionPlan) -> None:
        """Sum dimension ``d``'s answered items; ``d{d}`` its score, ``p{d}`` its percent."""
        unit = all(weight == 1.0 for weight in dim.weights)
        self.emit("n = 0")
        if not unit:
            self.emit("w = 0.0")
        self.emit("total = 0.0")
        self.emit("p = 0.0")
        if dim.impute != "none":
            from mgrlead.plan import _single_imputation_message  # noqa: PLC0415

            self.ns["_RubricError"] = RubricError
            self.ns[f"_impute{d}"] = _single_imputation_message(dim)
        members = zip(dim.members, dim.weights, dim.reverse, strict=True)
        for m, (i, weight, rev) in enumerate(members):
            item = self.plan.items[i]
            sums, percents = _term_tables(item, weight, rev=rev)
            plain = weight == 1.0 and not rev and item.scores is None
            self.ns[f"_x{d}_{m}"] = sums
            self.ns[f"_p{d}_{m}"] = percents
            self.emit(f"if c{i} is not None:")
            self.emit("n += 1", 2)
            if not unit:
                self.emit(f"w += {_lit(weight)}", 2)
            # a plain item adds its code itself (the table would hold float(code))
            self.emit(f"total += {f'c{i}' if plain else f'_x{d}_{m}[c{i}]'}", 2)
            self.emit(f"p += _p{d}_{m}[c{i}]", 2)
            if dim.impute != "none":
                self.emit("else:")
                self.emit(f"raise _RubricError(_impute{d})", 2)
        w = "n" if unit else "w"  # unit weights: the sum of n ones is n, exactly
        self.ns[f"_dim{d}"] = dim
        self.ns[f"_bands{d}"] = tuple((b.id, b.label) for b in dim.bands)
        self.emit(f"if n < {dim.required} or {w} == 0:")
        reason = f"_reason(n, {dim.required}, {dim.n_items}, {w} == 0)"
        self.emit(f"d{d} = _unscorable(_dim{d}, n, {reason})", 2)
        self.emit(f"p{d} = _nan", 2)
        self.emit("else:")
        headline = self.finish(d, dim, w)
        value = {"percent": "percent", "mean": "mean", "score": headline}[dim.band_on]
        self.emit(f"band, label = _bands{d}[{_band_expr(value, dim.boundaries)}]", 2)
        self.build(DimensionScore, f"d{d}", [
            _lit(dim.id), _lit(dim.parent), "True", "None", str(dim.n_items), "n",
            f"{dim.n_items} - n", "0", "total", "mean", "percent",
            "position" if dim.bipolar else "None", headline, "band", "label", "None",
        ], 2)  # fmt: skip
        self.emit(f"p{d} = percent", 2)

    def finish(self, d: int, dim: DimensionPlan, w: str) -> str:
        """``mean``, ``percent``, ``position`` and the headline; returns the headline's name."""
        inline = _INLINE_HEADLINE.get(type(self.plan.strategy))
        if inline is None:  # as the batch engine: the strategy gets DimensionStats
            self.emit(
                "mean, percent, position, headline = "
                f"_finish({w}, total, p, n, _dim{d}, _strategy)",
                2,
            )
            self.emit("headline = float(headline)", 2)
            return "headline"
        # _finish written out (float / int n: n converts exactly)
        self.emit(f"mean = total / {w}", 2)
        self.emit(f"percent = p / {w} * 100.0", 2)
        if dim.bipolar:
            self.emit("position = (percent - 50.0) / 50.0", 2)
        headline = inline.format(n_items=dim.n_items)
        if headline in {"mean", "percent", "total"}:
            return headline
        self.emit(f"headline = float({headline})", 2)
        return "headline"

    def overall(self) -> None:
        """``overall``: the weighted mean of the top-level percents, as ``_overall`` does."""
        plan = self.plan
        percents = ", ".join(f"p{d}" for d in range(len(plan.dimensions)))
        if not plan.top:
            self.emit(f"overall = _overall([{percents}])")
            return
        blocked = " or ".join(f"p{d} != p{d}" for d, _ in plan.top)  # NaN: not scorable
        self.emit(f"if {blocked}:")
        self.emit(f"overall = _overall([{percents}])", 2)
        self.emit("else:")
        self.emit("acc = 0.0", 2)
        total = 0.0
        for d, weight in plan.top:
            self.emit(f"acc = acc + {_lit(weight)} * (p{d} / 100.0)", 2)
            total += weight
        self.emit(f"percent = acc / {_lit(total)} * 100.0", 2)
        self.ns["_obands"] = tuple((b.id, b.label) for b in plan.overall_bands)
        self.emit(f"band, label = _obands[{_band_expr('percent', plan.overall_boundaries)}]", 2)
        self.build(OverallScore, "overall", [
            "True", "None", "percent", "(percent - 50.0) / 50.0", "band", "label",
        ], 2)  # fmt: skip
