"""The public scoring API: load a rubric, score one respondent, score a frame.

Compiled plans live here, in a bounded cache keyed by value (the rubric, its
sources, the host it resolves names with, and the per-call strategy, weighting
and missing-data policy), never on the rubric: a :class:`~mgrlead.model.Rubric`
is a frozen value, and ``attrs.evolve`` on it always works.  A second, identity
keyed front of the cache makes scoring with the same rubric object cost one
dictionary lookup.  Both hold at most :data:`CACHE_SIZE` entries.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from mgrlead.errors import InputError
from mgrlead.model import Dimension, MissingPolicy, Rubric, Weighting

if TYPE_CHECKING:
    import numpy.typing as npt

    from mgrlead.analysis.norms import NormTable
    from mgrlead.engines.batch import BatchScores
    from mgrlead.engines.scorer import Scorer
    from mgrlead.io.table import ScoreTable
    from mgrlead.plan import ScoringPlan
    from mgrlead.results import Profile

__all__ = [
    "CACHE_SIZE",
    "available_rubrics",
    "build_rubric",
    "builtin_rubrics",
    "cache_info",
    "clear_cache",
    "from_long",
    "load_rubric",
    "score",
    "score_frame",
    "score_matrix",
    "score_table",
    "scorer",
    "scoring_plan",
    "to_long",
]

FrameT = TypeVar("FrameT")


def _host_generation() -> int:
    """The plugin host's generation, without importing pluggy before it is needed."""
    global _GENERATION  # noqa: PLW0603 - bound once, to the host module's own counter
    host = sys.modules.get("mgrlead.plugins.host")
    if host is None:
        return 0
    _GENERATION = host._GENERATION  # noqa: SLF001 - read on the hot path without a call
    return int(_GENERATION[0])


#: The longest rubric name or path :func:`load_rubric` takes.
_LONGEST_NAME: Final = 1024

#: How many compiled plans each level of the cache keeps (least recently used goes).
CACHE_SIZE: Final = 64


def builtin_rubrics() -> tuple[str, ...]:
    """The names of the rubrics that ship with mgrlead."""
    from mgrlead.plugins.builtin import packaged_rubrics  # noqa: PLC0415

    return packaged_rubrics()


def available_rubrics() -> tuple[str, ...]:
    """The names of every registered rubric: built-in and from plugins."""
    from mgrlead.plugins.host import default_host  # noqa: PLC0415

    return default_host().names("rubric")


def load_rubric(name_or_path: str | Path | Rubric) -> Rubric:
    """Return a rubric: a registered one by name, or one read from a file.

    Args:
        name_or_path: ``"manager-leader"`` (or any rubric a plugin registers),
            a path to a ``.toml``/``.json``/``.yaml`` rubric file, or a
            :class:`Rubric` (returned as is).

    Raises:
        RubricNotFoundError: no rubric has that name and no such file exists.
        RubricFileError: the file exists but does not describe a valid rubric.

    Example:
        >>> load_rubric("manager-leader").title
        'Manager or Leader?'
    """
    if isinstance(name_or_path, Rubric):
        return name_or_path
    if not isinstance(name_or_path, (str, Path)):
        raise InputError(
            f"a rubric is a Rubric, a registered name or a file path, not "
            f"{type(name_or_path).__name__}"
        )
    if len(str(name_or_path)) > _LONGEST_NAME:
        raise InputError(
            f"rubric name {str(name_or_path)[:40]!r}... is {len(str(name_or_path)):,} characters "
            f"long; names and paths have at most {_LONGEST_NAME:,}"
        )
    from mgrlead.plugins.resolve import resolve_rubric  # noqa: PLC0415

    return resolve_rubric(name_or_path)


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
    _check_option("weighting", weighting, (str, Weighting))
    _check_option("strategy", strategy, (str,))
    if isinstance(extra_dimensions, (str, Dimension)) or not isinstance(extra_dimensions, Sequence):
        raise InputError(
            "extra_dimensions must be a list of dimension ids or Dimension objects, not "
            f"{type(extra_dimensions).__name__}"
        )
    for extra in extra_dimensions:
        if not isinstance(extra, (str, Dimension)):
            raise InputError(
                f"extra_dimensions holds {extra!r} ({type(extra).__name__}); give dimension "
                "ids (str) or Dimension objects"
            )
    base = load_rubric(base)
    built: Rubric = _host_of(base).build_rubric(
        base, extra_dimensions=extra_dimensions, weighting=weighting, strategy=strategy
    )
    return built


def _host_of(rubric: Rubric) -> Any:  # noqa: ANN401 - a PluginHost
    from mgrlead.plugins.host import default_host  # noqa: PLC0415

    return rubric.host if rubric.host is not None else default_host()


# ---------------------------------------------------------------- the cache
#: The plugin host's generation counter (its module's list), once that module is loaded.
_GENERATION: list[int] = [0]


class _Cache:
    """Compiled plans by value, with an identity front (see the module doc).

    ``last`` is the front's most recent entry, checked first: scoring with the
    same rubric object again costs two identity tests and one comparison.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.front: OrderedDict[Any, tuple[Rubric, int, Scorer]] = OrderedDict()
        self.by_value: OrderedDict[Any, Scorer] = OrderedDict()
        self.last: tuple[Rubric, tuple[Any, ...], int, Scorer] | None = None
        self.compiled = 0

    def _put(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:  # noqa: ANN401
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.size:
            table.popitem(last=False)

    def get(self, rubric: Rubric, options: tuple[Any, ...]) -> Scorer:
        last = self.last
        if (
            last is not None
            and last[0] is rubric
            and last[1] == options
            and last[2] == _GENERATION[0]
        ):
            return last[3]
        front_key = (id(rubric), *options) if options else id(rubric)
        generation = _host_generation()
        entry = self.front.get(front_key)
        if entry is not None and entry[0] is rubric and entry[1] == generation:
            with contextlib.suppress(KeyError):  # another thread may have evicted it
                self.front.move_to_end(front_key)
            self.last = (rubric, options, generation, entry[2])
            return entry[2]
        host = _host_of(rubric)
        generation = _host_generation()  # the host's module is loaded now: bind its counter
        value_key = (rubric, tuple(sorted(rubric.sources.items())), host, options)
        with self.lock:
            scorer = self.by_value.get(value_key)
        if scorer is None:
            # Outside the lock: compiling runs plugin code, which may score too.
            # Two threads may compile the same plan; the first one stored wins.
            fresh = _compile(rubric, *(options or (None, None, None)))
            with self.lock:
                scorer = self.by_value.get(value_key)
                if scorer is None:
                    scorer = fresh
                    self.compiled += 1
        with self.lock:
            self._put(self.by_value, value_key, scorer)
            self._put(self.front, front_key, (rubric, generation, scorer))
            self.last = (rubric, options, generation, scorer)
        return scorer

    def clear(self) -> None:
        with self.lock:
            self.front.clear()
            self.by_value.clear()
            self.last = None


_CACHE = _Cache(CACHE_SIZE)


def _compile(
    rubric: Rubric,
    strategy: str | None,
    weighting: str | Weighting | None,
    missing: str | MissingPolicy | None,
) -> Scorer:
    from mgrlead.engines.scorer import Scorer  # noqa: PLC0415
    from mgrlead.plugins.resolve import plan_for  # noqa: PLC0415

    changed = rubric
    if missing is not None:
        policy = MissingPolicy.named(missing) if isinstance(missing, str) else missing
        changed = attrs.evolve(changed, missing=policy)
    if strategy is not None or weighting is not None:
        changed = _host_of(rubric).build_rubric(changed, weighting=weighting, strategy=strategy)
    return Scorer(plan_for(changed))


def scorer(
    rubric: Rubric | str,
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
) -> Scorer:
    """The compiled scorer of a rubric under these options, from the cache.

    Hold on to it to score many respondents without even the cache lookup:
    ``scorer.score(answers)`` is :func:`score`, ``scorer.score_matrix(values)``
    is :func:`score_matrix`.
    """
    base = load_rubric(rubric)
    _check_option("strategy", strategy, (str,))
    _check_option("weighting", weighting, (str, Weighting))
    _check_option("missing", missing, (str, MissingPolicy))
    options = (strategy, weighting, missing)
    return _CACHE.get(base, options if options != (None, None, None) else ())


def scoring_plan(
    rubric: Rubric | str,
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
) -> ScoringPlan:
    """The compiled :class:`~mgrlead.plan.ScoringPlan` of a rubric under these options."""
    return scorer(rubric, strategy=strategy, weighting=weighting, missing=missing).plan


def cache_info() -> dict[str, int]:
    """How many plans the cache holds (``by_value``, ``front``) and has ever compiled."""
    return {
        "by_value": len(_CACHE.by_value),
        "front": len(_CACHE.front),
        "compiled": _CACHE.compiled,
        "size": _CACHE.size,
    }


def clear_cache() -> None:
    """Forget every compiled plan (they are compiled again when next needed)."""
    _CACHE.clear()


# ---------------------------------------------------------------- scoring
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
        norms: A :class:`~mgrlead.analysis.norms.NormTable`: adds z, T,
            percentile, sten, stanine and, with reliabilities, a confidence
            interval and a borderline flag to every scorable dimension.
        group: The respondent's norm group (e.g. ``"manager"``); the table's
            fallback group is used when it has no norms for it.
        careless: Compute the careless-responding indicators
            (``Profile.careless``); ``False`` leaves them out and is faster.

    Returns:
        The respondent's :class:`~mgrlead.results.Profile`.

    Raises:
        AnswerError: for an unknown item id, a value outside the scale, a
            non-integer, a boolean or a string; the message names the item.
        RubricError: the rubric's strategy is not registered, or a dimension
            that imputes from the sample has an unanswered item (one
            respondent alone has no sample).

    Example:
        >>> import mgrlead
        >>> rubric = mgrlead.load_rubric("manager-leader")
        >>> profile = mgrlead.score(rubric, {"pr1": 2, "pr2": 4, "pr3": 2, "pr4": 5})
        >>> profile["process_results"].percent
        81.25
    """
    if type(rubric) is Rubric and strategy is None and weighting is None and missing is None:
        compiled = _CACHE.get(rubric, ())  # the common case, without a call more
    else:
        compiled = scorer(rubric, strategy=strategy, weighting=weighting, missing=missing)
    flag: object = careless  # callers without type checks may pass anything
    if flag is not True and flag is not False:
        _check_careless(flag)
    profile = compiled.single(answers, careless)
    if norms is not None:
        _check_norms(norms)
        from mgrlead.analysis.norms import apply_norms  # noqa: PLC0415

        profile = apply_norms(profile, compiled.plan, norms, group)
    return profile


def score_matrix(
    rubric: Rubric | str, values: npt.ArrayLike, *, careless: bool = True
) -> BatchScores:
    """Score a ``(respondents, items)`` array whose columns follow ``rubric.item_ids``.

    The lowest-level batch entry point: no column matching, NaN for missing.
    ``careless=False`` skips the careless-responding indicators.
    """
    _check_careless(careless)
    return scorer(rubric).score_matrix(values, careless=careless)


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
    long: bool | Mapping[str, str] = False,
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
    long: bool | Mapping[str, str] = False,
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
    long: bool | Mapping[str, str] = False,
) -> Any:
    """Score many respondents: one row each, one column per item id.

    Columns that are not items (an id, a team, ...) are passed through in
    front of the score columns.  For every dimension the result has the
    columns ``{dim}_sum``, ``{dim}_mean``, ``{dim}_percent``,
    ``{dim}_position``, ``{dim}_score``, ``{dim}_answered``,
    ``{dim}_missing``, ``{dim}_imputed`` and ``{dim}_band``, then
    ``overall_percent``, ``overall_position`` and ``overall_band``, then the
    careless-responding indicators ``careless_*`` (see
    :data:`~mgrlead.results.DIMENSION_METRICS`).  Scores of dimensions that
    could not be scored are NaN (null), never 0.

    Args:
        rubric: A :class:`Rubric`, or the name of a built-in one.
        frame: A pandas, polars or pyarrow table, a lazy frame (polars
            LazyFrame, DuckDB relation, Dask or PySpark DataFrame), or a
            mapping of column name to values.  The result is the same kind
            (a dict of numpy arrays for a mapping); a lazy frame stays lazy.
        engine: ``"auto"``: numpy for eager frames, numpy per partition for
            Dask and PySpark, the frame's own engine (narwhals expressions) for
            other lazy frames; ``"native"`` forces expressions, ``"numpy"``
            forces numpy (eager frames).
        careless: Add the careless-responding columns (``careless_*``).
        strategy: Score with this strategy instead of the rubric's.
        weighting: Weight the overall result with this scheme instead.
        missing: ``"available"``, ``"mean"``, ``"median"`` or a
            :class:`MissingPolicy` instead of the rubric's policy.
        norms: A norm table: adds ``norm_group`` and, per dimension, ``_z``,
            ``_t``, ``_percentile``, ``_sten``, ``_stanine``, ``_ci_low``,
            ``_ci_high`` and ``_borderline``; each row's group comes from the
            table's ``group_by`` column when the frame has it.
        long: ``True``: ``frame`` is in long format (columns ``id``,
            ``item``, ``response``), turned wide by :func:`from_long` against
            this rubric first; a mapping names other columns
            (``{"id": "person", "item": "question"}``, the keywords of
            :func:`from_long`).

    Raises:
        InputError: an item column is absent, or a pass-through column would
            clash with a score column (long data: see :func:`from_long`).
        AnswerError: a cell is not a valid answer; names the row and item.
        EngineError: the scoring strategy cannot run on a lazy frame's engine.

    ``strategy``, ``weighting`` and ``missing`` override the rubric's choices
    for this call; ``missing="mean"`` or ``"median"`` imputes unanswered items
    with the item's exact mean or median over the whole frame, on every engine.

    Every row's numbers are bit-for-bit those :func:`score` gives (for
    policies without imputation), on every engine, for the built-in strategies.
    """
    from mgrlead.engines import frames  # noqa: PLC0415

    _check_careless(careless)
    if long is not False:
        frame = _from_long_option(rubric, frame, long)
    compiled = scorer(rubric, strategy=strategy, weighting=weighting, missing=missing)
    plan = compiled.plan
    extra = _norm_extra(norms)
    if isinstance(frame, Mapping):
        columns = {str(k): v for k, v in frame.items()}
        matrix, passthrough = frames.columns_to_matrix(plan, columns)
        batch = compiled.score_matrix(matrix, careless=careless)
        return {**passthrough, **frames.score_columns(batch, passthrough, extra)}
    import narwhals as nw  # noqa: PLC0415

    if engine not in {"auto", "numpy", "native"}:
        raise InputError(f"unknown engine {engine!r}; use auto, numpy or native")
    from narwhals.exceptions import DuplicateError  # noqa: PLC0415

    try:
        df = nw.from_native(frame)
    except TypeError as exc:
        raise InputError(
            f"score_frame takes a dataframe (pandas, polars, pyarrow, DuckDB, Dask, PySpark, "
            f"...) or a mapping of columns, not {type(frame).__name__}"
        ) from exc
    except DuplicateError as exc:
        raise frames.duplicate_columns(frame, "score_frame") from exc
    lazy = isinstance(df, nw.LazyFrame)
    if lazy and engine == "numpy":
        raise InputError("engine='numpy' needs an eager frame; collect it first")
    if lazy or engine == "native":
        if norms is not None:
            raise InputError(
                "norms are applied to eager frames only; collect the frame first, or score "
                "it and compare with norms in your engine"
            )
        from mgrlead.engines.partitions import partitioned, score_partitions  # noqa: PLC0415

        if lazy and engine == "auto" and partitioned(df):  # Dask, PySpark
            return score_partitions(plan, df, careless=careless)
        if plan.strategy.scores_theta:  # θ: numpy batches inside the frame's engine
            from mgrlead.engines.by_batch import score_by_batches  # noqa: PLC0415

            return score_by_batches(plan, df, careless=careless).to_native()
        from mgrlead.engines.lazy import score_native  # noqa: PLC0415

        return score_native(plan, df, careless=careless).to_native()
    return frames.score_eager(plan, df, careless=careless, extra=extra)


def _from_long_option(rubric: Rubric | str, frame: Any, long: object) -> Any:  # noqa: ANN401
    if long is True:
        names: dict[str, str] = {}
    elif isinstance(long, Mapping):
        allowed = {"id", "item", "response", "rater"}
        wrong = [k for k in long if k not in allowed]
        if wrong or not all(isinstance(v, str) for v in long.values()):
            raise InputError(
                f"long= names columns with the keys id, item, response and rater (text), "
                f"not {dict(long)!r}"
            )
        names = dict(long)
    else:
        raise InputError(f"long must be True, False or a mapping of column names, not {long!r}")
    return from_long(frame, rubric=rubric, **names)


def from_long(  # noqa: PLR0913 - the frame, then each column's name
    frame: Any,  # noqa: ANN401
    *,
    id: str = "id",  # noqa: A002 - the column's everyday name
    item: str = "item",
    response: str = "response",
    rater: str | None = None,
    rubric: Rubric | str | None = None,
) -> Any:  # noqa: ANN401
    """Long answers (one row per respondent and item) as the wide frame every entry point takes.

    ``rubric`` (a :class:`Rubric` or a registered name) checks every item
    against the rubric's and orders the item columns as the rubric does.
    See :func:`mgrlead.io.long.from_long` for every argument and error.

    Example:
        >>> import mgrlead
        >>> long = {"id": ["a", "a", "b"], "item": ["pr1", "pr2", "pr1"], "response": [4, 2, 5]}
        >>> mgrlead.from_long(long)
        {'id': ['a', 'b'], 'pr1': [4, 5], 'pr2': [2, None]}
    """
    from mgrlead.io import long as long_format  # noqa: PLC0415

    return long_format.from_long(
        frame, id=id, item=item, response=response, rater=rater,
        rubric=None if rubric is None else load_rubric(rubric),
    )  # fmt: skip


def to_long(
    scores: Any,  # noqa: ANN401
    rubric: Rubric | str,
    *,
    id: str | Sequence[str] = "id",  # noqa: A002 - the column's everyday name
    shape: str = "metric",
) -> Any:  # noqa: ANN401
    """Tidy long scores from a :func:`score_frame` result, for plotting libraries.

    ``shape="metric"``: one row per respondent x dimension x numeric metric
    (``dimension``, ``metric``, ``value``); ``shape="dimension"``: one row per
    respondent x dimension with a column per metric.  See
    :func:`mgrlead.io.long.to_long`.
    """
    from mgrlead.io import long as long_format  # noqa: PLC0415

    if shape not in {"metric", "dimension"}:
        raise InputError(f"shape must be 'metric' or 'dimension', not {shape!r}")
    return long_format.to_long(
        scores,
        scoring_plan(rubric).dimension_ids,
        id=id,
        shape="metric" if shape == "metric" else "dimension",
    )


def _check_option(name: str, value: object, kinds: tuple[type, ...]) -> None:
    if value is not None and not isinstance(value, kinds):
        what = " or ".join(k.__name__ for k in kinds)
        raise InputError(f"{name} must be a {what} (or None), not {type(value).__name__}")


def _check_careless(careless: object) -> None:
    if careless.__class__ is not bool:
        raise InputError(f"careless must be True or False, not {careless!r}")


def _check_norms(norms: object) -> None:
    from mgrlead.analysis.norms import NormTable  # noqa: PLC0415

    if not isinstance(norms, NormTable):
        raise InputError(
            f"norms must be a NormTable (see mgrlead.analysis.norms.load_norms), not "
            f"{type(norms).__name__}"
        )


def _norm_extra(norms: NormTable | None) -> frames.Extra | None:
    if norms is None:
        return None
    _check_norms(norms)
    from mgrlead.analysis.norms import norm_extra  # noqa: PLC0415

    return norm_extra(norms)


def score_table(
    rubric: Rubric | str,
    frame: Any,  # noqa: ANN401
    *,
    strategy: str | None = None,
    weighting: str | Weighting | None = None,
    missing: str | MissingPolicy | None = None,
) -> ScoreTable:
    """Score many respondents into a :class:`~mgrlead.io.table.ScoreTable`.

    Takes what :func:`score_frame` takes; the table keeps the provenance and
    writes to JSON, CSV or Parquet losslessly (:meth:`ScoreTable.write`).
    """
    from mgrlead.engines import frames  # noqa: PLC0415
    from mgrlead.io.table import ScoreTable  # noqa: PLC0415

    compiled = scorer(rubric, strategy=strategy, weighting=weighting, missing=missing)
    matrix, passthrough = frames.columns_to_matrix(
        compiled.plan, frames.frame_columns(frame, "score_table")
    )
    return ScoreTable.from_batch(compiled.score_matrix(matrix), passthrough)


if TYPE_CHECKING:
    from mgrlead.engines import frames
