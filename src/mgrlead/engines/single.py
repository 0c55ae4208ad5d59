"""The one-respondent engine: a scoring plan compiled to straight-line Python.

:func:`compile_single` writes one function per plan the first time it is needed
(as attrs and cattrs generate ``__init__`` and structuring code) and registers
its source with :mod:`linecache`, so tracebacks and debuggers show it.  Every
item's answer check and every dimension's sums are written out with the plan's
numbers as constants, so scoring one person looks nothing up in the plan.

No formula is written here.  The terms each answer adds come from the kernel's
term tables (:func:`mgrlead.engines.kernel.term_table`, one entry per response
code); the sums add them in item order, as every engine does (an unanswered item
adds nothing, the gap terms being zero); and everything after the sums (whether
a dimension is scorable, its mean, percent, position and headline, its band, the
overall result, the careless indicators) is written by running the kernel's own
functions once over traced values (:class:`~mgrlead.engines.ops.SourceOps`),
which record each operation as Python source.  One respondent scored alone
therefore equals the same respondent scored in a batch, bit for bit.

A scoring strategy whose ``score`` cannot be traced (it branches on its data,
calls numpy, raises a power, or takes ``exp`` or ``log``) is called at run time
instead, with numpy values of the one respondent and the numpy operations,
exactly as the batch engine calls it.  Answers without a gap take a path of
their own, with the rubric's counts and weights as constants.

Result objects are filled by field name, as plain twin classes given their own
class at the end (:func:`mgrlead.engines.assemble.construct`).
"""

from __future__ import annotations

import itertools
import linecache
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mgrlead._version import __version__
from mgrlead.engines import assemble, kernel
from mgrlead.engines.checks import check_answer
from mgrlead.engines.ops import NUMPY, Source, SourceOps, Trace, literal
from mgrlead.errors import AnswerError, RubricError, did_you_mean
from mgrlead.results import CarelessIndicators, DimensionScore, OverallScore, Profile
from mgrlead.strategies import DimensionStats, ScoringStrategy

if TYPE_CHECKING:
    from mgrlead.model import Band
    from mgrlead.plan import DimensionPlan, ItemPlan, ScoringPlan

__all__ = ["SingleScorer", "compile_single", "unknown_item_message"]

#: A compiled scorer: ``(answers, careless) -> Profile``.
SingleScorer = Callable[[Mapping[str, object], bool], Profile]

_COUNTER = itertools.count(1)


def compile_single(plan: ScoringPlan) -> SingleScorer:
    """The function that scores one respondent with ``plan`` (see the module doc)."""
    return _Writer(plan).scorer()


def unknown_item_message(plan: ScoringPlan, item_id: object) -> str:
    """The error text for an answer to an item the rubric does not have."""
    text = f"unknown item {item_id!r}: rubric {plan.rubric!r} has no such item"
    if isinstance(item_id, str):
        hint = did_you_mean(item_id, plan.item_ids)
        if hint:
            return text + hint
    return f"{text}; its items are {', '.join(plan.item_ids[:6])}..."


def _indexable(item: ItemPlan, by_code: Mapping[int, Any]) -> Any:  # noqa: ANN401
    """``by_code`` as a tuple indexed by the code (a dict for scales below 0 or far from it).

    A tuple spans 0 to the largest code, so only scales that start near 0 get one.
    """
    if item.code_min < 0 or item.code_max > 2 * len(item.codes) + 16:
        return dict(by_code)
    return tuple(by_code.get(code) for code in range(item.code_max + 1))


class _Headline:
    """A strategy as the kernel calls it while tracing: traced when it can be."""

    def __init__(self, strategy: ScoringStrategy, trace: Trace, d: int) -> None:
        self.strategy = strategy
        self.trace = trace
        self.d = d
        self.name = strategy.name

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401
        # A built-in is traced into the code; a plugin's strategy is called at run
        # time as the batch engine calls it (read-only numpy values, its failures
        # and non-numbers named), never inlined.
        if type(self.strategy) in kernel.BUILT_IN and not self.strategy.numpy_only:
            try:
                value = self.strategy.score(stats)
            except Exception:  # noqa: BLE001, S110 - any failure: call it at run time
                pass
            else:
                if isinstance(value, Source) or type(value) in {int, float}:
                    return value
        strategy = self.strategy
        import numpy as np  # noqa: PLC0415 - only for strategies that are not traced

        def headline(total: float, mean: float, percent: float, position: float, n: int) -> float:
            # As the batch engine calls it: numpy values (of one respondent) and NUMPY,
            # so that numpy's own arithmetic (its `**`, `exp`, ...) gives the same bits.
            def one(value: float) -> Any:  # noqa: ANN401
                return np.array([value], dtype=np.float64)

            values = DimensionStats(
                sum=one(total), mean=one(mean), percent=one(percent), position=one(position),
                answered=np.array([n], dtype=np.int64), n_items=stats.n_items,
                scale_min=stats.scale_min, scale_max=stats.scale_max,
                weight_total=stats.weight_total, ops=NUMPY,
            )  # fmt: skip
            with np.errstate(all="ignore"):
                result = NUMPY.plugin_score(strategy, values, np.ones(1, dtype=bool))
            return float(np.asarray(result, dtype=np.float64).reshape(-1)[0])

        name = self.trace.helper(f"_headline{self.d}", headline)
        return self.trace.node(
            f"{name}({{0}}, {{1}}, {{2}}, {{3}}, {{4}})",
            stats.sum, stats.mean, stats.percent, stats.position, stats.answered, bind=True,
        )  # fmt: skip


def _band_table(bands: Sequence[Band]) -> tuple[tuple[str | None, str | None], ...]:
    """``(id, label)`` by band code: each band's, then ``(None, None)`` twice.

    A negative code (:data:`~mgrlead.plan.NO_BAND`, -2: a score in a gap
    between bands) indexes from the end: no band.
    """
    return (*((b.id, b.label) for b in bands), (None, None), (None, None))


class _Writer:
    """Writes the source of one plan's scorer."""

    def __init__(self, plan: ScoringPlan) -> None:
        self.plan = plan
        self.lines: list[str] = []
        self.depth = 0  # added to every line's indentation (for code written twice)
        self.ns: dict[str, Any] = {
            "_Mapping": Mapping,
            "_known": frozenset(plan.index),
            "_slow": self._slow,
            "_refuse": self._refuse,
            "_sources": dict(plan.sources),
            "_version": __version__,
            "_unscorable": assemble.unscorable,
            "_overall_blocked": self._overall_blocked,
        }
        self._traces = 0

    # -------------------------------------------------------------- helpers
    def _refuse(self, answers: object) -> None:
        """Raise the error for answers that are not a mapping, or hold an unknown item."""
        if not isinstance(answers, Mapping):
            msg = f"answers must be a mapping of item id to response, got {type(answers).__name__}"
            raise AnswerError(msg)
        for item_id in answers:
            if not isinstance(item_id, str) or item_id not in self.plan.index:
                raise AnswerError(unknown_item_message(self.plan, item_id), item=str(item_id))

    def _slow(self, answers: Mapping[str, object], j: int, value: object) -> int | None:
        """Any answer but a plain int on the scale: after the ids, as :func:`check_answer`."""
        if not self.ns["_known"].issuperset(answers):
            self._refuse(answers)
        item = self.plan.items[j]
        return check_answer(item.id, value, item.code_min, item.code_max, item.missing_codes)

    def _overall_blocked(self, scorable: list[bool]) -> OverallScore:
        return assemble.overall_score(self.plan, scorable, None)

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * (depth + self.depth) + line)

    def build(self, cls: type, var: str, values: Mapping[str, str], depth: int) -> None:
        for line in assemble.construct(cls, var, values, self.ns):
            self.emit(line, depth)

    def trace(self, *, complete: bool = False) -> tuple[Trace, SourceOps]:
        self._traces += 1
        trace = Trace(f"t{self._traces}_", self.ns)
        return trace, SourceOps(trace, complete=complete)

    def flush(self, trace: Trace, outputs: list[Any], depth: int) -> None:
        """Write the assignments the traced outputs need."""
        for line in trace.lines(outputs):
            self.emit(line, depth)

    # --------------------------------------------------------------- writing
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
        self.careless()
        dims = "".join(f"d{d}, " for d in range(len(plan.dimensions)))
        self.build(Profile, "profile", {
            "rubric": literal(plan.rubric), "rubric_version": literal(plan.version),
            "content_hash": literal(plan.content_hash), "mgrlead_version": "_version",
            "strategy": literal(plan.strategy.name), "weighting": literal(plan.weighting),
            "sources": "dict(_sources)", "dimensions": f"({dims})", "overall": "overall",
            "norms": "None", "careless": "indicators",
        }, 1)  # fmt: skip
        self.emit("return profile")
        source = "\n".join(self.lines) + "\n"
        filename = f"<mgrlead scorer of {plan.rubric} {plan.version} #{next(_COUNTER)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        code = compile(source, filename, "exec")
        exec(code, self.ns)  # noqa: S102 - our own code, written from a validated plan
        scorer: SingleScorer = self.ns["score_one"]
        # the source goes with the function: a scorer the plan cache lets go
        # leaves nothing behind in linecache
        weakref.finalize(scorer, linecache.cache.pop, filename, None)
        return scorer

    def item(self, j: int, item: ItemPlan) -> None:
        """Check answer ``j`` into ``c{j}``, its response code (``None``: missing)."""
        bad = f"type(c{j}) is not int or not {item.code_min} <= c{j} <= {item.code_max}"
        if item.missing_codes:
            bad += f" or c{j} in {{{', '.join(map(str, sorted(item.missing_codes)))}}}"
        # a whole float on the scale (a row of a data frame) is that code: a
        # lookup by value, as 3.0 == 3 hash alike; anything else is looked at closely
        whole = f"_whole{j}"
        self.ns[whole] = {c: c for c in item.codes if c not in item.missing_codes}
        self.emit(f"c{j} = get({literal(item.id)})")
        self.emit(f"if c{j} is None:")
        self.emit("gaps = 1", 2)
        self.emit(f"elif {bad}:")
        self.emit(f"if isinstance(c{j}, float) and c{j} in {whole}:", 2)
        self.emit(f"c{j} = {whole}[c{j}]", 3)
        self.emit("else:", 2)
        self.emit(f"c{j} = _slow(answers, {j}, c{j})", 3)
        self.emit(f"if c{j} is None:", 3)  # NaN, or a code that means "not answered"
        self.emit("gaps = 1", 4)

    def terms(self, d: int, dim: DimensionPlan) -> list[tuple[int, float, str, str]]:
        """Each member's item, weight and the code of its two terms (its tables put in place)."""
        out = []
        members = zip(dim.members, dim.weights, dim.reverse, strict=True)
        for m, (i, weight, rev) in enumerate(members):
            item = self.plan.items[i]
            table = kernel.term_table(item, weight, rev, None)
            by_code = dict(zip(item.codes, table.by_code, strict=True))
            plain = weight == 1.0 and not rev and item.scores is None
            self.ns[f"_x{d}_{m}"] = _indexable(item, {c: t.wx for c, t in by_code.items()})
            self.ns[f"_p{d}_{m}"] = _indexable(item, {c: t.wp for c, t in by_code.items()})
            # a plain item adds its code itself (the table would hold float(code))
            out.append((i, weight, f"c{i}" if plain else f"_x{d}_{m}[c{i}]", f"_p{d}_{m}[c{i}]"))
        return out

    def sum_items(self, d: int, dim: DimensionPlan, *, unit: bool) -> None:
        """Emit the sums of dimension ``d``'s answered items: ``n``, ``w``, ``total``, ``p``."""
        self.emit("n = 0")
        if not unit:
            self.emit("w = 0.0")
        self.emit("total = 0.0")
        self.emit("p = 0.0")
        if dim.impute != "none":
            self.ns["_RubricError"] = RubricError
            self.ns[f"_impute{d}"] = kernel.imputation_refused(dim)
        for i, weight, wx, wp in self.terms(d, dim):
            self.emit(f"if c{i} is not None:")
            self.emit("n += 1", 2)
            if not unit:
                self.emit(f"w += {literal(weight)}", 2)
            self.emit(f"total += {wx}", 2)
            self.emit(f"p += {wp}", 2)
            if dim.impute != "none":
                self.emit("else:")
                self.emit(f"raise _RubricError(_impute{d})", 2)

    def dimension(self, d: int, dim: DimensionPlan) -> None:
        """Dimension ``d``: ``d{d}`` its score, ``ok{d}`` and ``s{d}`` for the overall.

        Written twice: for answers without a gap (the common case), where the
        counts and weights are the rubric's own numbers and the sums one
        expression each, and for any answers.  Both add the same terms in the
        same order, from ``0.0``, so they give the same bits.
        """
        unit = all(weight == 1.0 for weight in dim.weights)
        self.ns[f"_dim{d}"] = dim
        self.ns[f"_bands{d}"] = _band_table(dim.bands)
        self.emit("if not gaps:")
        self.depth += 1
        terms = self.terms(d, dim)
        weights = 0.0
        for _, weight, _, _ in terms:
            weights += weight
        self.emit(f"n = {len(terms)}")
        self.emit("total = " + " + ".join(["0.0", *(wx for _, _, wx, _ in terms)]))
        self.emit("p = " + " + ".join(["0.0", *(wp for _, _, _, wp in terms)]))
        self.finish(d, dim, n=len(terms), w=len(terms) if unit else weights)
        self.depth -= 1
        self.emit("else:")
        self.depth += 1
        self.sum_items(d, dim, unit=unit)
        self.finish(d, dim, n=None, w=None if unit else "w")
        self.depth -= 1

    def finish(self, d: int, dim: DimensionPlan, *, n: int | None, w: float | str | None) -> None:
        """The kernel on the sums, and the dimension's result.

        ``n`` is a constant or (``None``) the variable ``n``; ``w`` a constant,
        the variable it names, or (``None``, unit weights) the count.
        """

        def sums(trace: Trace) -> kernel.Accumulated:
            count: Any = trace.value("n") if n is None else n
            weight: Any = count if w is None else (trace.value(w) if isinstance(w, str) else w)
            return kernel.Accumulated(
                w=weight, wx=trace.value("total"), wp=trace.value("p"), n=count, imputed=0
            )

        trace, ops = self.trace()
        acc = sums(trace)
        ok = kernel.scorable(ops, acc, dim)
        if isinstance(ok, bool):  # every item answered: the rubric alone decides
            if ok:
                self.scored(d, dim, sums, 1)
            else:
                self.emit(f"d{d} = _unscorable(_dim{d}, n, {acc.w == 0.0})")
                self.emit(f"ok{d} = False")
                self.emit(f"s{d} = 0.0")
            return
        self.flush(trace, [ok], 1)
        self.emit(f"if not ({trace.expr(ok)}):")
        self.emit(f"d{d} = _unscorable(_dim{d}, n, {trace.expr(acc.w)} == 0.0)", 2)
        self.emit(f"ok{d} = False", 2)
        self.emit(f"s{d} = 0.0", 2)
        self.emit("else:")
        self.scored(d, dim, sums, 2)

    def scored(
        self, d: int, dim: DimensionPlan, sums: Callable[[Trace], kernel.Accumulated], depth: int
    ) -> None:
        """Dimension ``d``'s score from the kernel, when it is scorable."""
        trace, ops = self.trace()
        result = kernel.dimension(ops, sums(trace), dim, _Headline(self.plan.strategy, trace, d))  # type: ignore[arg-type]
        names = ("sum", "mean", "percent", "score", "band", "share")
        outputs = [getattr(result, name) for name in names]
        if dim.bipolar:
            outputs.append(result.position)
        # every output is read twice or more below: give each its variable
        for out in outputs:
            if isinstance(out, Source):
                out._node.bind = True  # noqa: SLF001 - the trace's own flag
        self.flush(trace, outputs, depth)
        self.emit(f"band, label = _bands{d}[{trace.expr(result.band)}]", depth)
        score = trace.expr(result.score)  # a plugin's comes from its helper, a float
        self.build(DimensionScore, f"d{d}", {
            "dimension": literal(dim.id), "parent": literal(dim.parent), "scorable": "True",
            "reason": "None", "n_items": str(dim.n_items), "sum": trace.expr(result.sum),
            "mean": trace.expr(result.mean), "percent": trace.expr(result.percent),
            "position": trace.expr(result.position) if dim.bipolar else "None",
            "score": score, "answered": "n",
            "missing": f"{dim.n_items} - n", "imputed": "0", "band": "band",
            "band_label": "label", "norm": "None",
        }, depth)  # fmt: skip
        self.emit(f"ok{d} = True", depth)
        self.emit(f"s{d} = {trace.expr(result.share)}", depth)

    def overall(self) -> None:
        """``overall``: the kernel's weighted mean of the top-level shares."""
        plan = self.plan
        oks = ", ".join(f"ok{d}" for d in range(len(plan.dimensions)))
        if not plan.top:  # the rubric declares no overall result
            self.emit(f"overall = _overall_blocked([{oks}])")
            return
        blocked = " and ".join(f"ok{d}" for d, _ in plan.top)
        self.emit(f"if not ({blocked}):")
        self.emit(f"overall = _overall_blocked([{oks}])", 2)
        self.emit("else:")
        trace, ops = self.trace()
        parts = [
            (weight, kernel.DimensionResult(
                ok=True, weight_zero=False, sum=None, mean=None, percent=None, position=None,
                score=None, answered=None, missing=None, imputed=None, band=None,
                share=trace.value(f"s{d}"),
            ))
            for d, weight in plan.top
        ]  # fmt: skip
        result = kernel.overall(ops, parts, plan.overall_boundaries)
        outputs = [result.percent, result.position, result.band]
        self.flush(trace, outputs, 2)
        self.ns["_obands"] = _band_table(plan.overall_bands)
        self.emit(f"band, label = _obands[{trace.expr(result.band)}]", 2)
        self.build(OverallScore, "overall", {
            "scorable": "True", "reason": "None", "percent": trace.expr(result.percent),
            "position": trace.expr(result.position), "band": "band", "band_label": "label",
        }, 2)  # fmt: skip

    def careless(self) -> None:
        """``indicators``: the kernel's careless-responding indicators.

        Written twice, like the dimensions: for answers without a gap (every
        presence the constant ``True``, so the running counts are constants and
        the scans fold away) and for any answers.
        """
        plan = self.plan
        self.emit("if careless:")
        for j, item in enumerate(plan.items):
            table: dict[int | None, float] = dict(
                zip(item.codes, kernel.unit_table(item, plan.careless), strict=True)
            )
            table[None] = 0 if plan.careless.exact else 0.0
            self.ns[f"_u{j}"] = table
        self.emit("if not gaps:", 2)
        self.depth += 1
        self.careless_values(complete=True)
        self.depth -= 1
        self.emit("else:", 2)
        self.depth += 1
        self.careless_values(complete=False)
        self.depth -= 1
        self.emit("else:")
        self.emit("indicators = None", 2)

    def careless_values(self, *, complete: bool) -> None:
        """The indicators from traced codes (``complete``: none is missing)."""
        plan = self.plan
        trace, ops = self.trace(complete=complete)
        codes = [trace.value(f"c{j}") for j in range(len(plan.items))]
        units = [trace.node(f"_u{j}[{{0}}]", codes[j]) for j in range(len(plan.items))]
        present = [ops.present(c) for c in codes]
        values = kernel.careless(ops, codes, units, present, plan.careless)
        names = [f.name for f in _careless_fields()]
        exprs = {}
        if complete and len(plan.items) > 1:
            # every answer there: the longest run is scanned in straight-line
            # code, each break ending a run (the kernel's prefix maxima of the
            # breaks, specialised: a third of the operations)
            names.remove("longest_run")
            self.emit("run = best = 1", 2)
            for j in range(1, len(plan.items)):
                self.emit(f"if c{j} == c{j - 1}:", 2)
                self.emit("run += 1", 3)
                self.emit("elif run > best:", 2)
                self.emit("best = run", 3)
                self.emit("run = 1", 3)
                self.emit("else:", 2)
                self.emit("run = 1", 3)
            self.emit("if run > best:", 2)
            self.emit("best = run", 3)
            exprs["longest_run"] = "best"
        self.flush(trace, [values[name] for name in names], 2)
        exprs.update({name: trace.expr(values[name]) for name in names})
        self.build(CarelessIndicators, "indicators",
                   {f.name: exprs[f.name] for f in _careless_fields()}, 2)  # fmt: skip


def _careless_fields() -> tuple[Any, ...]:
    import attrs  # noqa: PLC0415

    return attrs.fields(CarelessIndicators)
