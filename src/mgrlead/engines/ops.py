"""Operations namespaces: what the scoring kernel's formulas are written over.

The formulas of :mod:`mgrlead.engines.kernel` never ask which engine runs them
(the array-API idea: the namespace is passed in).  They use Python's operators
(``+ - * /``, comparisons, ``&``, ``|``, ``~`` on masks) and the functions of an
``ops`` namespace.  Four namespaces satisfy them:

:data:`PYTHON`
    Python scalars, one respondent: ``None`` is a missing value.
:data:`NUMPY`
    numpy arrays, one entry per respondent: NaN is a missing value.
:class:`NarwhalsOps`
    narwhals expressions, evaluated by the frame's own engine (polars, DuckDB,
    Dask, PySpark, ...): null is a missing value.
:class:`SourceOps`
    traced values that write Python source: the one-respondent engine runs
    the kernel once with these to generate its straight-line scorer.

Scoring strategies receive their engine's namespace as ``stats.ops``; the
functions meant for them are :meth:`~Ops.where`, :meth:`~Ops.maximum`,
:meth:`~Ops.minimum`, :meth:`~Ops.clip`, :meth:`~Ops.abs`, :meth:`~Ops.sqrt`,
:meth:`~Ops.exp`, :meth:`~Ops.log`, :meth:`~Ops.floor` and :meth:`~Ops.ceil`.
The others (masks, scans) are the kernel's.

Every namespace does IEEE-754 double arithmetic operation by operation, so the
same formula on the same operands gives the same bits on every engine; the
kernel avoids the one thing some engines do differently (dividing by a
constant, which polars turns into a multiplication by its reciprocal).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final

import attrs

from mgrlead.errors import MgrleadError, PluginError

__all__ = [
    "NUMPY",
    "PYTHON",
    "NarwhalsOps",
    "NumpyOps",
    "Ops",
    "PythonOps",
    "Source",
    "SourceOps",
    "Trace",
]

Value = Any  # a float, an array, an expression or a traced value


class Ops:
    """The functions every namespace has (see the module doc).

    Missing values propagate through arithmetic (NaN, null) or are handled
    with :meth:`present` and :meth:`where`.
    """

    name: ClassVar[str] = "ops"
    #: The missing value (``None``, NaN or null).
    missing: Any = None

    # ---------------------------------------------------------- for strategies
    def where(self, cond: Value, a: Value, b: Value) -> Value:
        """``a`` where ``cond`` holds, else ``b`` (elementwise)."""
        raise NotImplementedError

    def maximum(self, a: Value, b: Value) -> Value:
        """The larger of ``a`` and ``b`` (elementwise)."""
        return self.where(a >= b, a, b)

    def minimum(self, a: Value, b: Value) -> Value:
        """The smaller of ``a`` and ``b`` (elementwise)."""
        return self.where(a <= b, a, b)

    def clip(self, x: Value, low: float, high: float) -> Value:
        """``x`` limited to ``low..high``."""
        return self.minimum(self.maximum(x, low), high)

    def abs(self, x: Value) -> Value:
        """The absolute value."""
        raise NotImplementedError

    def sqrt(self, x: Value) -> Value:
        """The square root."""
        raise NotImplementedError

    def exp(self, x: Value) -> Value:
        """``e`` to the power ``x``."""
        raise NotImplementedError

    def log(self, x: Value) -> Value:
        """The natural logarithm."""
        raise NotImplementedError

    def floor(self, x: Value) -> Value:
        """The largest whole number not above ``x`` (as a float)."""
        raise NotImplementedError

    def ceil(self, x: Value) -> Value:
        """The smallest whole number not below ``x`` (as a float)."""
        raise NotImplementedError

    # ------------------------------------------------------------ for the kernel
    def present(self, x: Value) -> Value:
        """Whether ``x`` is there (not missing)."""
        raise NotImplementedError

    def same(self, a: Value, b: Value) -> Value:
        """Whether ``a`` and ``b`` are both there and equal."""
        raise NotImplementedError

    def is_in(self, x: Value, values: Sequence[float]) -> Value:
        """Whether ``x`` is one of ``values``."""
        raise NotImplementedError

    def not_(self, mask: Value) -> Value:
        """The opposite of a mask (``~`` is no negation for Python's ``bool``)."""
        return ~mask

    def as_float(self, mask: Value) -> Value:
        """A mask as ``1.0`` / ``0.0``."""
        raise NotImplementedError

    def as_int(self, mask: Value) -> Value:
        """A mask as ``1`` / ``0``."""
        raise NotImplementedError

    def as_count(self, mask: Value) -> Value:
        """A mask as ``1`` / ``0`` to be counted (numpy: narrower than :meth:`as_int`)."""
        return self.as_int(mask)

    def add(self, acc: Value, x: Value) -> Value:
        """``acc + x`` for an accumulator the kernel owns (numpy adds in place)."""
        return acc + x

    def plugin_score(self, strategy: Any, stats: Any, ok: Value) -> Value:  # noqa: ANN401, ARG002
        """A plugin strategy's headline; its failure named (see :func:`kernel.headline`)."""
        return _guarded(strategy, stats)

    def checkpoint(self, values: Sequence[Value]) -> list[Value]:
        """A point where an engine may store intermediate values (lazy frames: as columns)."""
        return list(values)

    # ------------------------------------------------- stacks: one value per item
    # The kernel's per-item values (codes, units, running counts) travel as
    # *stacks*: a list of values here, one ``(items, respondents)`` array on
    # numpy.  A formula applied with :meth:`each` is written once for both.
    def each(self, fn: Callable[..., Value], *stacks: Any) -> Any:  # noqa: ANN401
        """``fn`` applied item by item to stacks of the same length (a stack)."""
        return [fn(*values) for values in zip(*stacks, strict=True)]

    def total(self, stack: Any, empty: Value) -> Value:  # noqa: ANN401
        """The sum of a stack in item order (``empty`` when it has no items).

        The first addition makes a new value; the engine may add the rest into
        it in place (:meth:`add`), never into one of the stack's values.
        """
        values = list(stack)
        if not values:
            return empty
        if len(values) == 1:
            return values[0]
        return functools.reduce(self.add, values[2:], values[0] + values[1])

    def rows(self, stack: Any, members: Sequence[int]) -> Any:  # noqa: ANN401
        """The entries of a stack at ``members`` (item positions), in that order."""
        return [stack[j] for j in members]

    def last(self, stack: Any) -> Value:  # noqa: ANN401
        """The stack's last entry."""
        return stack[-1]

    def checkpoint_stacks(
        self, stacks: Sequence[Any], values: Sequence[Value]
    ) -> tuple[list[Any], list[Value]]:
        """:meth:`checkpoint` for stacks and single values at once (one store)."""
        flat = [v for stack in stacks for v in stack]
        stored = self.checkpoint([*flat, *values])
        out = []
        start = 0
        for stack in stacks:
            out.append(stored[start : start + len(stack)])
            start += len(stack)
        return out, stored[start:]

    def cumsum(self, xs: Sequence[Value]) -> list[Value]:
        """Running sums over a list (of items): ``[x0, x0 + x1, ...]``."""
        return list(itertools.accumulate(xs, lambda a, b: a + b))

    def cummax(self, xs: Sequence[Value]) -> list[Value]:
        """Running maxima over a list (of items)."""
        return list(itertools.accumulate(xs, self.maximum))

    def max_of(self, xs: Sequence[Value]) -> Value:
        """The largest of a list (of items)."""
        return functools.reduce(self.maximum, xs)

    def ffill_previous(self, xs: Sequence[Value], present: Sequence[Value]) -> list[Value]:
        """For each position, the last answered value before it (missing if none)."""
        out: list[Value] = []
        last: Value = self.missing
        for x, p in zip(xs, present, strict=True):
            out.append(last)
            last = self.where(p, x, last)
        return out


def _guarded(strategy: Any, stats: Any) -> Any:  # noqa: ANN401
    """``strategy.score(stats)``; any failure but mgrlead's own as a :class:`PluginError`."""
    try:
        return strategy.score(stats)
    except MgrleadError:
        raise
    except Exception as exc:
        msg = (
            f"scoring strategy {strategy.name!r} failed: {type(exc).__name__}: {exc}; fix its "
            "score(), or score with another strategy"
        )
        raise PluginError(msg) from exc


def _checked(np: Any, strategy: Any, result: Any, ok: Any) -> Any:  # noqa: ANN401
    """A plugin's headline as floats: real, of one value per respondent, finite where scored."""
    name = strategy.name
    if result is None:
        msg = f"scoring strategy {name!r} returned None; return the score (a number per row)"
        raise PluginError(msg)
    try:
        values = np.asarray(result)
    except Exception as exc:  # whatever it returned
        msg = f"scoring strategy {name!r} returned {type(result).__name__}, not numbers"
        raise PluginError(msg) from exc
    if values.dtype.kind not in "biuf":
        msg = f"scoring strategy {name!r} returned {values.dtype} values, not real numbers"
        raise PluginError(msg)
    rows = np.shape(ok)
    if values.shape not in {(), rows}:
        msg = (
            f"scoring strategy {name!r} returned an array of shape {values.shape}; it must "
            f"give one score per respondent {rows}"
        )
        raise PluginError(msg)
    values = values.astype(np.float64)
    bad = ~np.isfinite(values) & np.asarray(ok, dtype=bool)
    if bad.any():
        row = int(np.flatnonzero(np.broadcast_to(bad, rows))[0]) if rows else 0
        value = float(np.broadcast_to(values, rows)[row]) if rows else float(values)
        msg = (
            f"scoring strategy {name!r} returned {value} for respondent {row}, whose "
            "dimension is scorable; a score must be a finite number"
        )
        raise PluginError(msg)
    return values


class PythonOps(Ops):
    """Python scalars; ``None`` is missing.

    Arithmetic on ``None`` is an error, so the kernel only computes on values
    it has checked.
    """

    name = "python"
    missing = None

    def where(self, cond: Value, a: Value, b: Value) -> Value:  # noqa: D102
        return a if cond else b

    def maximum(self, a: Value, b: Value) -> Value:  # noqa: D102 - NaN wins, as in numpy
        if a != a or b != b:  # noqa: PLR0124 - the NaN test
            return math.nan
        return max(a, b)

    def minimum(self, a: Value, b: Value) -> Value:  # noqa: D102
        if a != a or b != b:  # noqa: PLR0124
            return math.nan
        return min(a, b)

    def abs(self, x: Value) -> Value:  # noqa: D102
        return abs(x)

    def sqrt(self, x: Value) -> Value:  # noqa: D102
        return math.sqrt(x) if x >= 0 else math.nan

    def exp(self, x: Value) -> Value:  # noqa: D102
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    def log(self, x: Value) -> Value:  # noqa: D102
        if x > 0:
            return math.log(x)
        return -math.inf if x == 0 else math.nan

    def floor(self, x: Value) -> Value:  # noqa: D102
        return float(math.floor(x)) if math.isfinite(x) else x

    def ceil(self, x: Value) -> Value:  # noqa: D102
        return float(math.ceil(x)) if math.isfinite(x) else x

    def present(self, x: Value) -> Value:  # noqa: D102
        return x is not None

    def same(self, a: Value, b: Value) -> Value:  # noqa: D102
        return a is not None and b is not None and a == b

    def not_(self, mask: Value) -> Value:  # noqa: D102
        return not mask

    def is_in(self, x: Value, values: Sequence[float]) -> Value:  # noqa: D102
        return x in values

    # float()/int(): a mask gives 1.0/0.0, and a count (the kernel converts
    # the number of answers too) stays itself
    def as_float(self, mask: Value) -> Value:  # noqa: D102
        return float(mask)

    def as_int(self, mask: Value) -> Value:  # noqa: D102
        return int(mask)


class NumpyOps(Ops):
    """numpy arrays (one entry per respondent); NaN is missing."""

    name = "numpy"
    missing = math.nan

    @staticmethod
    def _np() -> Any:  # noqa: ANN401
        import numpy as np  # noqa: PLC0415 - numpy only when something is scored

        return np

    def where(self, cond: Value, a: Value, b: Value) -> Value:  # noqa: D102
        np = self._np()
        if (
            type(b) is int
            and b == 0
            and isinstance(a, np.ndarray)
            and a.dtype.kind == "i"
            and isinstance(cond, np.ndarray)
            and cond.dtype == np.bool_
        ):
            return a * cond  # the same whole numbers, several times faster than np.where
        return np.where(cond, a, b)

    def maximum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self._np().maximum(a, b)

    def minimum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self._np().minimum(a, b)

    def clip(self, x: Value, low: float, high: float) -> Value:  # noqa: D102
        return self._np().clip(x, low, high)

    def abs(self, x: Value) -> Value:  # noqa: D102
        return self._np().abs(x)

    def sqrt(self, x: Value) -> Value:  # noqa: D102
        np = self._np()
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def exp(self, x: Value) -> Value:  # noqa: D102
        np = self._np()
        with np.errstate(over="ignore"):
            return np.exp(x)

    def log(self, x: Value) -> Value:  # noqa: D102
        np = self._np()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def floor(self, x: Value) -> Value:  # noqa: D102
        return self._np().floor(x)

    def ceil(self, x: Value) -> Value:  # noqa: D102
        return self._np().ceil(x)

    def present(self, x: Value) -> Value:  # noqa: D102
        return ~self._np().isnan(x)

    def same(self, a: Value, b: Value) -> Value:  # noqa: D102 - NaN equals nothing
        return a == b

    def is_in(self, x: Value, values: Sequence[float]) -> Value:  # noqa: D102
        return self._np().isin(x, list(values))

    def as_float(self, mask: Value) -> Value:  # noqa: D102
        return self._np().asarray(mask, dtype=self._np().float64)

    def as_int(self, mask: Value) -> Value:  # noqa: D102
        return self._np().asarray(mask, dtype=self._np().int64)

    # counts of answers per respondent stay far below 2**31: half the memory of int64
    def as_count(self, mask: Value) -> Value:  # noqa: D102
        np = self._np()
        if getattr(mask, "ndim", 0) == 2 and mask.dtype == np.bool_ and mask.shape[0] < 127:
            return mask.view(np.int8)  # counts up to the number of items fit in int8
        return np.asarray(mask, dtype=np.int32)

    def add(self, acc: Value, x: Value) -> Value:  # noqa: D102
        np = self._np()
        if isinstance(acc, np.ndarray) and acc.dtype == np.result_type(acc, x):
            acc += x
            return acc
        return acc + x

    def plugin_score(self, strategy: Any, stats: Any, ok: Value) -> Value:  # noqa: ANN401, D102
        # read-only views: a strategy that writes into its input changes nothing
        np = self._np()
        frozen = {}
        for name in ("sum", "mean", "percent", "position", "answered"):
            value = getattr(stats, name)
            if isinstance(value, np.ndarray):
                value = value.view()
                value.flags.writeable = False
            frozen[name] = value
        result = _guarded(strategy, attrs.evolve(stats, **frozen))
        return _checked(np, strategy, result, ok)

    # Stacks are (items, n) arrays, item-major: each item's row is contiguous.
    # Elementwise formulas run once over the whole stack; sums and scans go
    # row by row in item order (the same additions as on a list, so the same
    # bits), each row an in-place operation into preallocated memory.
    @staticmethod
    def _stacked(stack: Any) -> bool:  # noqa: ANN401
        return getattr(stack, "ndim", 0) == 2

    def each(self, fn: Callable[..., Value], *stacks: Any) -> Any:  # noqa: ANN401, D102
        if stacks and self._stacked(stacks[0]):
            return fn(*stacks)
        return super().each(fn, *stacks)

    def total(self, stack: Any, empty: Value) -> Value:  # noqa: ANN401, D102
        if not self._stacked(stack):
            return super().total(stack, empty)
        if stack.shape[0] == 0:
            return empty
        if stack.shape[0] == 1:
            return stack[0]
        if stack.dtype.kind == "i":  # whole numbers: any order is exact, one call
            return self._np().add.reduce(stack, axis=0, dtype=stack.dtype)
        out = stack[0] + stack[1]
        for row in stack[2:]:
            out += row
        return out

    def rows(self, stack: Any, members: Sequence[int]) -> Any:  # noqa: ANN401, D102
        if not self._stacked(stack):
            return super().rows(stack, members)
        members = list(members)
        if members == list(range(members[0], members[-1] + 1)) if members else True:
            return stack[members[0] : members[-1] + 1] if members else stack[:0]  # a view
        return stack[members]

    def checkpoint_stacks(  # noqa: D102
        self, stacks: Sequence[Any], values: Sequence[Value]
    ) -> tuple[list[Any], list[Value]]:
        if all(self._stacked(s) for s in stacks):
            return list(stacks), list(values)
        return super().checkpoint_stacks(stacks, values)

    def _scan(self, stack: Any, step: Callable[..., Any]) -> Any:  # noqa: ANN401
        """Running ``step`` down a stack's rows, into a new stack."""
        out = self._np().empty_like(stack)
        if stack.shape[0]:
            out[0] = stack[0]
        for j in range(1, stack.shape[0]):
            step(out[j - 1], stack[j], out=out[j])
        return out

    def cumsum(self, xs: Any) -> Any:  # noqa: ANN401, D102
        if not self._stacked(xs):
            return super().cumsum(xs)
        return self._scan(xs, self._np().add)

    def cummax(self, xs: Any) -> Any:  # noqa: ANN401, D102
        if not self._stacked(xs):
            return super().cummax(xs)
        return self._scan(xs, self._np().maximum)

    def max_of(self, xs: Any) -> Value:  # noqa: ANN401, D102
        if not self._stacked(xs):
            return super().max_of(xs)
        return self._np().maximum.reduce(xs, axis=0)

    def ffill_previous(self, xs: Any, present: Any) -> Any:  # noqa: ANN401, D102
        np = self._np()
        if not self._stacked(xs):
            return super().ffill_previous(xs, present)
        # each row filled forward where not answered, then shifted down one row;
        # before the first answer the value does not matter: the first answered
        # item is a break at A - 1 = 0 whatever it is compared with
        filled = xs.copy()
        absent = ~present
        for j in range(1, xs.shape[0]):
            np.copyto(filled[j], filled[j - 1], where=absent[j])
        out = np.empty_like(xs)
        if xs.shape[0]:
            out[0] = xs[0]
            out[1:] = filled[:-1]
        return out


class NarwhalsOps(Ops):
    """narwhals expressions; null is missing.  ``implementation`` names the engine."""

    name = "narwhals"

    def __init__(self, implementation: str = "narwhals", frame: Any = None) -> None:  # noqa: ANN401
        """Expressions for the engine named ``implementation`` (for messages).

        With a (lazy) narwhals ``frame``, :meth:`checkpoint` adds intermediate
        values to it as helper columns (``frame`` is then replaced each time), so
        that no expression grows deep: query planners need small expressions.
        """
        import narwhals as nw  # noqa: PLC0415 - narwhals only for frames

        self.nw = nw
        self.implementation = implementation
        self.missing = nw.lit(None, dtype=nw.Float64)
        self.frame = frame
        self._helpers = itertools.count()

    def checkpoint(self, values: Sequence[Value]) -> list[Value]:  # noqa: D102
        if self.frame is None:
            return list(values)
        names = [f"__mgrlead_h{next(self._helpers)}" for _ in values]
        self.frame = self.frame.with_columns(
            [self.expr(v).alias(n) for v, n in zip(values, names, strict=True)]
        )
        return [self.nw.col(n) for n in names]

    def expr(self, x: Value) -> Value:
        """``x`` as an expression: Python numbers become typed literals, expressions stay."""
        if isinstance(x, bool):
            return self.nw.lit(x)
        if isinstance(x, int):
            return self.nw.lit(x, dtype=self.nw.Int64)
        if isinstance(x, float):
            return self.nw.lit(x, dtype=self.nw.Float64)
        return x

    def where(self, cond: Value, a: Value, b: Value) -> Value:  # noqa: D102
        if isinstance(cond, bool):
            return a if cond else b
        return self.nw.when(cond).then(self.expr(a)).otherwise(self.expr(b))

    def maximum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self.nw.max_horizontal(self.expr(a), self.expr(b))

    def minimum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self.nw.min_horizontal(self.expr(a), self.expr(b))

    def clip(self, x: Value, low: float, high: float) -> Value:  # noqa: D102
        return self.expr(x).clip(low, high)

    def abs(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).abs()

    def sqrt(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).sqrt()

    def exp(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).exp()

    def log(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).log()

    def floor(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).floor()

    def ceil(self, x: Value) -> Value:  # noqa: D102
        return self.expr(x).ceil()

    def present(self, x: Value) -> Value:  # noqa: D102
        return ~self.expr(x).is_null()

    def same(self, a: Value, b: Value) -> Value:  # noqa: D102
        return (self.expr(a) == self.expr(b)).fill_null(value=False)

    def is_in(self, x: Value, values: Sequence[float]) -> Value:  # noqa: D102
        return self.expr(x).is_in([float(v) for v in values])

    def as_float(self, mask: Value) -> Value:  # noqa: D102
        return self.expr(mask).cast(self.nw.Float64)

    def as_int(self, mask: Value) -> Value:  # noqa: D102
        return self.expr(mask).cast(self.nw.Int64)

    def cumsum(self, xs: Sequence[Value]) -> list[Value]:  # noqa: D102 - one sum per position
        return [self.nw.sum_horizontal(*xs[: j + 1]) for j in range(len(xs))]

    def cummax(self, xs: Sequence[Value]) -> list[Value]:  # noqa: D102
        # Spark's greatest() takes two columns or more: the first maximum is the value
        return [xs[0], *(self.nw.max_horizontal(*xs[: j + 1]) for j in range(1, len(xs)))]

    def max_of(self, xs: Sequence[Value]) -> Value:  # noqa: D102
        return xs[0] if len(xs) == 1 else self.nw.max_horizontal(*xs)

    def ffill_previous(self, xs: Sequence[Value], present: Sequence[Value]) -> list[Value]:  # noqa: ARG002, D102 - the codes are null where not answered
        out: list[Value] = [self.missing]
        out += [self.nw.coalesce(*reversed(xs[:j])) for j in range(1, len(xs))]
        return out


#: The Python-scalar namespace.
PYTHON: Final = PythonOps()
#: The numpy namespace.
NUMPY: Final = NumpyOps()


# ---------------------------------------------------------------- tracing
class _Node:
    """One operation of a trace: a template and its arguments."""

    __slots__ = ("args", "bind", "index", "template", "uses")

    def __init__(self, index: int, template: str, args: tuple[Any, ...], *, bind: bool) -> None:
        self.index = index
        self.template = template
        self.args = args
        self.bind = bind
        self.uses = 0


class Trace:
    """Records the operations on :class:`Source` values, then writes them as Python.

    :meth:`lines` writes every value used more than once (or marked) to a local
    variable, in the order the operations were made, and everything else
    inline; :meth:`expr` gives the expression of an output.
    """

    def __init__(self, prefix: str, names: dict[str, Any]) -> None:
        """Variables are named ``{prefix}{n}``; ``names`` receives the helpers the code calls."""
        self.prefix = prefix
        self.names = names
        self.nodes: list[_Node] = []
        self._bound: dict[int, str] = {}
        self._made: dict[tuple[Any, ...], _Node] = {}

    def value(self, code: str) -> Source:
        """A traced value that is this Python expression (an input: a local, a constant)."""
        return Source(self, _Node(-1, code, (), bind=False))

    def node(self, template: str, *args: Any, bind: bool = False) -> Source:  # noqa: ANN401
        """An operation: ``template`` with ``{0}``, ``{1}``, ... for its arguments.

        The same operation on the same arguments is the same node (made once).
        """
        unwrapped = tuple(_unwrap(a) for a in args)
        key = (template, *(("n", id(a)) if isinstance(a, _Node) else ("c", type(a), a)
                           for a in unwrapped))  # fmt: skip
        node = self._made.get(key)
        if node is None:
            node = _Node(len(self.nodes), template, unwrapped, bind=bind)
            self.nodes.append(node)
            self._made[key] = node
        elif bind:
            node.bind = True
        return Source(self, node)

    def helper(self, name: str, value: object) -> str:
        """Put ``value`` into the generated code's names; returns the name."""
        self.names[name] = value
        return name

    def lines(self, outputs: Sequence[Any]) -> list[str]:
        """The assignments the outputs need, in order (each line without indentation)."""
        roots = [_unwrap(o) for o in outputs]
        seen: set[int] = set()

        def visit(node: _Node, times: int) -> None:
            node.uses += times
            if id(node) in seen:
                return
            seen.add(id(node))
            for k, arg in enumerate(node.args):
                if isinstance(arg, _Node):
                    visit(arg, node.template.count(f"{{{k}}}"))

        for root in roots:
            if isinstance(root, _Node):
                visit(root, 1)
        out = []
        for node in self.nodes:
            if id(node) in seen and (node.uses > 1 or node.bind) and node.index not in self._bound:
                text = self._render(node, top=True)
                name = f"{self.prefix}{node.index}"
                self._bound[node.index] = name
                out.append(f"{name} = {text}")
        return out

    def expr(self, output: Any) -> str:  # noqa: ANN401
        """The Python expression of an output (after :meth:`lines`)."""
        return self._arg(_unwrap(output))

    def _arg(self, arg: Any) -> str:  # noqa: ANN401
        if isinstance(arg, _Node):
            if arg.index in self._bound:
                return self._bound[arg.index]
            return self._render(arg, top=False)
        return literal(arg, self.names)

    def _render(self, node: _Node, *, top: bool) -> str:
        text = node.template.format(*(self._arg(a) for a in node.args))
        return text if top or node.index < 0 else f"({text})"


def literal(value: object, names: dict[str, Any] | None = None) -> str:
    """``value`` as Python source that evaluates to exactly the same value."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)  # repr round-trips every finite float exactly
        if names is not None:
            names["_nan"], names["_inf"] = math.nan, math.inf
        return "_nan" if math.isnan(value) else ("_inf" if value > 0 else "-_inf")
    msg = f"cannot write {value!r} as a literal"
    raise TypeError(msg)


def _unwrap(value: Any) -> Any:  # noqa: ANN401
    return value._node if isinstance(value, Source) else value  # noqa: SLF001


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Source:
    """A traced value: arithmetic on it records an operation instead of computing.

    It cannot be tested for truth (``if value:`` raises ``TypeError``), and numpy
    refuses it: a formula that branches on a value, or calls numpy, cannot be
    traced, and the one-respondent engine then calls it at run time instead.
    """

    __slots__ = ("_node", "_trace")
    __array_ufunc__ = None  # numpy: TypeError, not an object array

    def __init__(self, trace: Trace, node: _Node) -> None:
        """Not for direct use: :meth:`Trace.value` and :meth:`Trace.node` make them."""
        self._trace = trace
        self._node = node

    def _op(self, template: str, *args: Any) -> Source:  # noqa: ANN401
        return self._trace.node(template, *args)

    def __add__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} + {1}", self, other)

    def __radd__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} + {1}", other, self)

    def __sub__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} - {1}", self, other)

    def __rsub__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} - {1}", other, self)

    def __mul__(self, other: Any) -> Source:  # noqa: ANN401, D105
        if type(other) is float and other == 1.0:  # x * 1.0 is x, exactly, for every x
            return self
        return self._op("{0} * {1}", self, other)

    def __rmul__(self, other: Any) -> Source:  # noqa: ANN401, D105
        if type(other) is float and other == 1.0:
            return self
        return self._op("{0} * {1}", other, self)

    def __truediv__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} / {1}", self, other)

    def __rtruediv__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} / {1}", other, self)

    def __neg__(self) -> Source:  # noqa: D105
        return self._op("-{0}", self)

    def __lt__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} < {1}", self, other)

    def __le__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} <= {1}", self, other)

    def __gt__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} > {1}", self, other)

    def __ge__(self, other: Any) -> Source:  # noqa: ANN401, D105
        return self._op("{0} >= {1}", self, other)

    def __eq__(self, other: object) -> Source:  # type: ignore[override] # noqa: D105
        return self._op("{0} == {1}", self, other)

    def __ne__(self, other: object) -> Source:  # type: ignore[override] # noqa: D105
        return self._op("{0} != {1}", self, other)

    def __and__(self, other: Any) -> Any:  # noqa: ANN401, D105
        if isinstance(other, bool):
            return self if other else False
        return self._op("{0} and {1}", self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Any:  # noqa: ANN401, D105
        if isinstance(other, bool):
            return True if other else self
        return self._op("{0} or {1}", self, other)

    __ror__ = __or__

    def __invert__(self) -> Source:  # noqa: D105
        return self._op("not {0}", self)

    def __bool__(self) -> bool:  # noqa: D105
        msg = "a traced value has no truth value (the formula branches on its data)"
        raise TypeError(msg)

    __hash__ = None  # type: ignore[assignment]


_NOT_TRACED = "{} is not traced: numpy and Python may round it differently"


class SourceOps(Ops):
    """Traced values that write Python: for the generated one-respondent scorer.

    Values are :class:`Source` or plain Python constants; operations on
    constants alone are computed at once (as :data:`PYTHON` would), so the
    generated code holds only what depends on the answers.  Missing is ``None``.
    """

    name = "python"
    missing = None

    def __init__(self, trace: Trace, *, complete: bool = False) -> None:
        """Operations recorded in ``trace``.

        ``complete``: the traced codes are known to be answers (never ``None``),
        so whether one is present is the constant ``True`` and the formulas fold
        to what a respondent without a gap needs.
        """
        self.trace = trace
        self.complete = complete

    @staticmethod
    def _constant(*values: Any) -> bool:  # noqa: ANN401
        return not any(isinstance(v, Source) for v in values)

    def _call(self, fn: Callable[..., Any], name: str, *args: Any) -> Value:  # noqa: ANN401
        if self._constant(*args):
            return fn(*args)
        helper = self.trace.helper(f"_{name}", fn)
        slots = ", ".join(f"{{{n}}}" for n in range(len(args)))
        return self.trace.node(f"{helper}({slots})", *args)

    def where(self, cond: Value, a: Value, b: Value) -> Value:  # noqa: D102
        if self._constant(cond):
            return a if cond else b
        return self.trace.node("{1} if {0} else {2}", cond, a, b)

    def maximum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self._call(PYTHON.maximum, "maximum", a, b)

    def minimum(self, a: Value, b: Value) -> Value:  # noqa: D102
        return self._call(PYTHON.minimum, "minimum", a, b)

    def clip(self, x: Value, low: float, high: float) -> Value:  # noqa: D102
        return self.minimum(self.maximum(x, low), high)

    def abs(self, x: Value) -> Value:  # noqa: D102
        return self._call(abs, "abs", x)

    def sqrt(self, x: Value) -> Value:  # noqa: D102
        return self._call(PYTHON.sqrt, "sqrt", x)

    # exp and log are not traced: numpy's vectorised versions can differ from
    # Python's math in the last bit, so a strategy that uses them is called at
    # run time with numpy values, exactly as the batch engine calls it.
    def exp(self, x: Value) -> Value:  # noqa: ARG002, D102
        raise TypeError(_NOT_TRACED.format("exp"))

    def log(self, x: Value) -> Value:  # noqa: ARG002, D102
        raise TypeError(_NOT_TRACED.format("log"))

    def floor(self, x: Value) -> Value:  # noqa: D102
        return self._call(PYTHON.floor, "floor", x)

    def ceil(self, x: Value) -> Value:  # noqa: D102
        return self._call(PYTHON.ceil, "ceil", x)

    def present(self, x: Value) -> Value:  # noqa: D102
        if self._constant(x):
            return x is not None
        if self.complete:
            return True
        return self.trace.node("{0} is not None", x)

    def same(self, a: Value, b: Value) -> Value:  # noqa: D102
        if self._constant(a, b):
            return PYTHON.same(a, b)
        if a is None or b is None:
            return False
        if self.complete:
            return self.trace.node("{0} == {1}", a, b)
        # codes are checked ints or None: equal ints are both present
        return self.trace.node("{0} is not None and {0} == {1}", a, b)

    def not_(self, mask: Value) -> Value:  # noqa: D102
        if self._constant(mask):
            return not mask
        return self.trace.node("not {0}", mask)

    def as_float(self, mask: Value) -> Value:  # noqa: D102 - Python bools are numbers
        return PYTHON.as_float(mask) if self._constant(mask) else mask

    def as_int(self, mask: Value) -> Value:  # noqa: D102
        return PYTHON.as_int(mask) if self._constant(mask) else mask

    def maximum_of_ints(self, a: Value, b: Value) -> Value:
        """The larger of two whole numbers (no NaN to care for)."""
        if self._constant(a, b):
            return max(a, b)
        return self.trace.node("{0} if {0} >= {1} else {1}", a, b)

    def cummax(self, xs: Sequence[Value]) -> list[Value]:  # noqa: D102 - the kernel's are ints
        return list(itertools.accumulate(xs, self.maximum_of_ints))

    def max_of(self, xs: Sequence[Value]) -> Value:  # noqa: D102
        if self._constant(*xs):
            return max(xs)
        if len(xs) == 1:
            return xs[0]
        slots = ", ".join(f"{{{n}}}" for n in range(len(xs)))
        return self.trace.node(f"max({slots})", *xs)
