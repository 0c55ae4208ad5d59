"""The scorer contract: properties every scoring strategy, weighting scheme and rubric keeps.

Subclass :class:`ScorerContract` in a test module and say what you test::

    from mgrlead.testing import ScorerContract

    class TestSigned(ScorerContract):
        strategy = SignedStrategy()

pytest then runs every property below as a test (hypothesis draws the rubrics
and answers).  Set ``weighting`` to test a weighting scheme (on ``rubric``,
by default the built-in ``manager-leader``), or ``rubric`` alone to test a whole
instrument.  ``max_examples`` sets how hard hypothesis tries.

The properties:

- scores stay within the bounds the strategy declares;
- raising an answer moves its dimension toward the item's keyed pole, never away;
- reverse-keying every item twice gives back the same scores;
- item order, column order and respondent order do not change scores;
- equal weights give the unweighted result, and weights are normalized;
- one-by-one scoring equals batch scoring, and scoring is deterministic;
- every installed engine (pandas, polars eager and lazy, pyarrow, DuckDB, Dask;
  PySpark when listed in ``engines``) gives the numbers the numpy batch gives;
- a profile survives a JSON round trip;
- bad answers raise mgrlead's errors, never anything else.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

try:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    msg = "mgrlead.testing needs hypothesis: pip install 'mgrlead[testing]'"
    raise ImportError(msg) from exc

from mgrlead import api
from mgrlead.api import scoring_plan
from mgrlead.errors import MgrleadError, RubricError
from mgrlead.model import Dimension, Item, Rubric, Weighting
from mgrlead.results import Profile
from mgrlead.testing import hypothesis as mh
from mgrlead.testing.engines import EAGER_ENGINES, available_engines, frame_for, results_of

if TYPE_CHECKING:
    from mgrlead.strategies import ScoringStrategy, StrategyResolver

__all__ = ["ScorerContract"]

_TOLERANCE = 1e-9


@attrs.frozen
class _Strategies:
    """Resolves the strategy under test by its name; other names through ``fallback``."""

    strategy: ScoringStrategy
    fallback: StrategyResolver | None = None

    def resolve_strategy(self, name: str) -> ScoringStrategy:
        if name == self.strategy.name:
            return self.strategy
        if self.fallback is not None:
            return self.fallback.resolve_strategy(name)
        msg = f"no strategy named {name!r} (the contract tests {self.strategy.name!r})"
        raise RubricError(msg)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= _TOLERANCE * max(1.0, abs(a), abs(b))


class ScorerContract:
    """Subclass this and set ``strategy``, ``weighting`` and/or ``rubric``."""

    strategy: ClassVar[ScoringStrategy | None] = None
    """The scoring strategy under test (``None``: the rubric's own)."""
    weighting: ClassVar[Weighting | None] = None
    """The weighting scheme under test (``None``: the rubric's own)."""
    rubric: ClassVar[Rubric | str | None] = None
    """The rubric to test on (``None``: generated rubrics, or ``manager-leader`` with a
    weighting scheme)."""
    engines: ClassVar[tuple[str, ...] | None] = None
    """The frame engines to compare with numpy (``None``: every one installed but
    ``pyspark``, which starts a JVM; see :data:`mgrlead.testing.engines.ENGINES`)."""
    engine_examples: ClassVar[int] = 8
    """How many examples the every-engine property tries (each builds every engine's frame)."""
    max_examples: ClassVar[int] = 40
    """How many examples hypothesis tries per property."""
    shrink: ClassVar[bool] = True
    """Whether hypothesis shrinks a failure to a minimal example (slower, clearer)."""
    derandomize: ClassVar[bool] = False
    """Whether hypothesis draws the same examples on every run."""

    # ------------------------------------------------------------- helpers
    def _configured(self, rubric: Rubric) -> Rubric:
        """``rubric`` scored with the strategy and weighting under test."""
        changes: dict[str, Any] = {}
        if self.weighting is not None:
            changes["weighting"] = self.weighting
        if self.strategy is not None:
            changes["strategy"] = self.strategy.name
            changes["host"] = _Strategies(self.strategy, rubric.host)
        return attrs.evolve(rubric, **changes) if changes else rubric

    def _with_weighting(self, rubric: Rubric, weighting: Weighting) -> Rubric:
        """``rubric`` under ``weighting`` (not the scheme under test), same strategy."""
        return attrs.evolve(rubric, weighting=weighting)

    def _rubrics(self) -> st.SearchStrategy[Rubric]:
        if self.rubric is not None:
            return st.just(api.load_rubric(self.rubric)).map(self._configured)
        if self.weighting is not None:
            return st.just(api.load_rubric("manager-leader")).map(self._configured)
        return mh.rubrics(translations=st.just(False)).map(self._configured)  # noqa: FBT003

    def _cases(self, *, missing: bool = True) -> st.SearchStrategy[tuple[Rubric, dict[str, Any]]]:
        gaps = None if missing else st.just(False)  # noqa: FBT003
        return self._rubrics().flatmap(lambda r: st.tuples(st.just(r), mh.answers(r, missing=gaps)))

    def _run(
        self,
        test: Any,  # noqa: ANN401
        *strategies: st.SearchStrategy[Any],
        examples: int | None = None,
    ) -> None:
        phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        if self.shrink:
            phases.append(Phase.shrink)
        wrapped = settings(
            max_examples=min(self.max_examples, examples or self.max_examples),
            phases=phases,
            derandomize=self.derandomize,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        )(given(*strategies)(test))
        wrapped()

    @staticmethod
    def _bounds(rubric: Rubric, dim_id: str) -> tuple[float, float]:
        plan = scoring_plan(rubric)
        dim = next(d for d in plan.dimensions if d.id == dim_id)
        return plan.strategy.bounds(dim.stats_for_bounds())

    # ---------------------------------------------------------- properties
    def test_scores_stay_within_declared_bounds(self) -> None:
        """Every scorable dimension's score lies within the strategy's bounds."""

        def check(case: tuple[Rubric, dict[str, Any]]) -> None:
            rubric, answers = case
            for s in api.score(rubric, answers):
                if s.score is None:
                    continue
                low, high = self._bounds(rubric, s.dimension)
                tol = _TOLERANCE * max(1.0, abs(low), abs(high))
                assert low - tol <= s.score <= high + tol, (
                    f"dimension {s.dimension!r} scored {s.score!r}, outside the bounds "
                    f"{low!r}..{high!r} that strategy {scoring_plan(rubric).strategy.name!r} "
                    "declares"
                )

        self._run(check, self._cases())

    def test_each_item_moves_its_dimension_toward_its_keyed_pole(self) -> None:
        """Raising one answer never moves a dimension away from that item's keyed pole."""

        def check(case: tuple[Rubric, dict[str, Any]], data: st.DataObject) -> None:
            rubric, answers = case
            item = data.draw(st.sampled_from(rubric.items), label="item")
            scale = rubric.item_scale(item)
            codes = data.draw(
                st.lists(st.integers(scale.min, scale.max), min_size=2, max_size=2, unique=True)
                .map(lambda pair: sorted(pair, key=lambda c: _item_score(item, c)))
                .filter(lambda pair: _item_score(item, pair[0]) < _item_score(item, pair[1])),
                label="answers, lower score first",
            )
            low_code, high_code = codes
            lower = api.score(rubric, {**answers, item.id: low_code})
            higher = api.score(rubric, {**answers, item.id: high_code})
            for dim in rubric.walk():
                members = dict(rubric.members(dim))
                if item.id not in members:
                    continue
                a, b = lower[dim.id].score, higher[dim.id].score
                if a is None or b is None:
                    continue
                rising = not members[item.id]  # reverse-keyed items pull the other way
                tol = _TOLERANCE * max(1.0, abs(a), abs(b))
                moved = (b >= a - tol) if rising else (b <= a + tol)
                pole = "high" if rising else "low"
                assert moved, (
                    f"raising {item.id!r} from {low_code} to {high_code} (a higher item score) "
                    f"moved dimension "
                    f"{dim.id!r} from {a!r} to {b!r}, away from its keyed ({pole}) pole"
                )

        self._run(check, self._cases(), st.data())

    def test_reverse_keying_twice_is_the_identity(self) -> None:
        """Flipping every item's keying twice gives back the same rubric and scores."""

        def check(case: tuple[Rubric, dict[str, Any]]) -> None:
            rubric, answers = case
            twice = self._configured(_flip(_flip(rubric)))
            assert twice == rubric, "flipping the keys twice did not give back the rubric"
            a, b = api.score(rubric, answers), api.score(twice, answers)
            assert a.dimensions == b.dimensions, "flipping the keys twice changed the scores"

        self._run(check, self._cases())

    def test_item_order_does_not_change_scores(self) -> None:
        """Reordering the items inside dimensions changes no score."""

        def check(case: tuple[Rubric, dict[str, Any]]) -> None:
            rubric, answers = case
            reordered = self._configured(_reversed_items(rubric))
            for a, b in zip(api.score(rubric, answers), api.score(reordered, answers), strict=True):
                assert _close(a.score, b.score), (
                    f"reordering the items changed dimension {a.dimension!r} from "
                    f"{a.score!r} to {b.score!r}"
                )

        self._run(check, self._cases())

    def test_column_and_respondent_order_do_not_change_scores(self) -> None:
        """Shuffling columns and rows of a frame only shuffles the results."""

        def check(rubric: Rubric, rows: list[dict[str, Any]], rnd: Any) -> None:  # noqa: ANN401
            columns = {i: [r.get(i) for r in rows] for i in rubric.item_ids}
            order = list(range(len(rows)))
            rnd.shuffle(order)
            names = list(columns)
            rnd.shuffle(names)
            shuffled = {n: [columns[n][k] for k in order] for n in names}
            a = api.score_frame(rubric, columns)
            b = api.score_frame(rubric, shuffled)
            for name in a:
                if name.endswith("_score"):
                    left = [a[name][k] for k in order]
                    right = list(b[name])
                    same = all(
                        (math.isnan(x) and math.isnan(y)) or x == y
                        for x, y in zip(left, right, strict=True)
                    )
                    assert same, f"{name} changed when columns and respondents were shuffled"

        frames = self._rubrics().flatmap(
            lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), min_size=1, max_size=6))
        )
        self._run(lambda case, rnd: check(case[0], case[1], rnd), frames, st.randoms())

    def test_equal_weights_give_the_unweighted_result(self) -> None:
        """Any equal dimension weights give the overall result of no weighting."""

        def check(case: tuple[Rubric, dict[str, Any]], weight: float) -> None:
            rubric, answers = case
            top = [d.id for d in rubric.dimensions]
            scheme_class = type(self.weighting) if self.weighting is not None else Weighting
            equal = scheme_class(id="contract-equal", dimensions=dict.fromkeys(top, weight))
            base = self._with_weighting(rubric, Weighting(id="none"))
            same = self._with_weighting(rubric, equal)
            a, b = api.score(base, answers).overall, api.score(same, answers).overall
            assert _close(a.percent, b.percent), (
                f"equal weights of {weight} gave {b.percent!r}, the unweighted result is "
                f"{a.percent!r}"
            )

        self._run(check, self._cases(), st.floats(0.25, 8.0))

    def test_weights_are_normalized(self) -> None:
        """Scaling every weight of the scheme by the same factor changes nothing."""

        def check(case: tuple[Rubric, dict[str, Any]], data: st.DataObject) -> None:
            rubric, answers = case
            scheme_class = type(self.weighting) if self.weighting is not None else Weighting
            top = [d.id for d in rubric.dimensions]
            weights = data.draw(
                st.lists(st.floats(0.25, 4.0), min_size=len(top), max_size=len(top)),
                label="weights",
            )
            factor = data.draw(st.floats(0.5, 4.0).filter(lambda f: f != 1.0), label="factor")
            plain = scheme_class(id="contract", dimensions=dict(zip(top, weights, strict=True)))
            scaled = scheme_class(
                id="contract", dimensions={d: w * factor for d, w in zip(top, weights, strict=True)}
            )
            a = api.score(self._with_weighting(rubric, plain), answers).overall
            b = api.score(self._with_weighting(rubric, scaled), answers).overall
            assert _close(a.percent, b.percent), (
                f"weights are not normalized: scaling every weight by {factor} changed the "
                f"overall result from {a.percent!r} to {b.percent!r}"
            )

        self._run(check, self._cases(), st.data())

    def test_one_by_one_equals_batch_and_is_deterministic(self) -> None:
        """Each row of a batch equals that respondent scored alone, every time."""

        def check(rubric: Rubric, rows: list[dict[str, Any]]) -> None:
            import numpy as np  # noqa: PLC0415

            values = np.array(
                [[np.nan if _missing(r.get(i)) else r[i] for i in rubric.item_ids] for r in rows],
                dtype=np.float64,
            ).reshape(len(rows), len(rubric.item_ids))
            batch = api.score_matrix(rubric, values)
            again = api.score_matrix(rubric, values)
            for k, answers in enumerate(rows):
                single = api.score(rubric, answers)
                assert _same(single, api.score(rubric, answers)), "scoring is not deterministic"
                assert _same(batch.profile(k), again.profile(k)), (
                    "batch scoring is not deterministic"
                )
                assert _same(batch.profile(k), single), (
                    f"respondent {k}: batch scores differ from scoring one by one"
                )

        cases = self._rubrics().flatmap(
            lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), min_size=1, max_size=5))
        )
        self._run(lambda case: check(*case), cases)

    def test_every_engine_agrees(self) -> None:
        """Each installed frame engine gives the numbers of the numpy batch, row by row.

        A strategy that declares ``numpy_only`` is compared on the eager engines
        only (the lazy ones refuse it, by design).
        """
        names = available_engines(self.engines)
        if self.strategy is not None and self.strategy.numpy_only:
            names = tuple(n for n in names if n in EAGER_ENGINES)

        def check(rubric: Rubric, rows: list[dict[str, Any]]) -> None:
            columns = {i: [_plain(r.get(i)) for r in rows] for i in rubric.item_ids}
            reference = results_of(api.score_frame(rubric, columns))
            for engine in names:
                try:
                    got = results_of(api.score_frame(rubric, frame_for(engine, columns)))
                except MgrleadError as exc:
                    msg = f"the {engine} engine refused what numpy scores: {exc}"
                    raise AssertionError(msg) from exc
                for name, want in reference.items():
                    have = got[name]
                    for k, (a, b) in enumerate(zip(want, have, strict=True)):
                        same = (
                            _close(a, b)
                            if isinstance(a, float) and isinstance(b, float)
                            else (a == b)
                        )
                        assert same, (
                            f"{engine}: column {name!r}, respondent {k}: {b!r}, numpy gives {a!r}"
                        )

        cases = self._rubrics().flatmap(
            lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), min_size=1, max_size=5))
        )
        self._run(lambda case: check(*case), cases, examples=self.engine_examples)

    def test_profile_survives_a_json_round_trip(self) -> None:
        """``Profile.from_json(profile.to_json()) == profile``."""

        def check(case: tuple[Rubric, dict[str, Any]]) -> None:
            profile = api.score(*case)
            try:
                again = Profile.from_json(profile.to_json())
            except (ValueError, TypeError) as exc:
                msg = f"the profile does not survive a JSON round trip: {exc}"
                raise AssertionError(msg) from exc
            assert again == profile, "the profile changed in a JSON round trip"

        self._run(check, self._cases())

    def test_bad_answers_raise_mgrlead_errors(self) -> None:
        """Invalid answers raise a MgrleadError, and valid ones raise nothing."""

        def check(rubric: Rubric, bad: dict[str, Any], good: dict[str, Any]) -> None:
            try:
                api.score(rubric, bad)
            except MgrleadError:
                pass
            except Exception as exc:
                msg = f"bad answers raised {type(exc).__name__}: {exc}, not a MgrleadError"
                raise AssertionError(msg) from exc
            else:
                msg = f"bad answers {bad!r} were accepted"
                raise AssertionError(msg)
            try:
                api.score(rubric, good)
            except Exception as exc:
                msg = f"valid answers raised {type(exc).__name__}: {exc}"
                raise AssertionError(msg) from exc

        cases = self._rubrics().flatmap(
            lambda r: st.tuples(st.just(r), mh.invalid_answers(r), mh.answers(r))
        )
        self._run(lambda case: check(*case), cases)


def _same(a: Profile, b: Profile) -> bool:
    """Profiles equal, a NaN score equal to a NaN score (a broken scorer may give NaN)."""

    def plain(value: Any) -> Any:  # noqa: ANN401
        if isinstance(value, float) and math.isnan(value):
            return "nan"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return bool(plain(a.to_dict()) == plain(b.to_dict()))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain(value: object) -> float | None:
    """An answer as a float cell (``None``: missing)."""
    if _missing(value):
        return None
    return float(value)  # type: ignore[arg-type] # answers are numbers here


def _item_score(item: Item, code: int) -> float:
    """The score of a response code (through the item's response map, if any)."""
    for r in item.responses:
        if r.code == code:
            return r.score
    return float(code)


def _flip(rubric: Rubric) -> Rubric:
    """Every item keyed toward the other pole (in every dimension it belongs to)."""

    def other(dim: Dimension, keyed: str) -> str:
        swap = {dim.low.id: dim.high.id, dim.high.id: dim.low.id, "+": "-", "-": "+"}
        return swap[keyed]

    def visit(dim: Dimension) -> Dimension:
        return attrs.evolve(
            dim,
            items=[attrs.evolve(i, keyed=other(dim, i.keyed)) for i in dim.items],
            item_refs=[attrs.evolve(r, keyed=other(dim, r.keyed)) for r in dim.item_refs],
            dimensions=[visit(s) for s in dim.dimensions],
        )

    return attrs.evolve(rubric, dimensions=[visit(d) for d in rubric.dimensions])


def _reversed_items(rubric: Rubric) -> Rubric:
    def visit(dim: Dimension) -> Dimension:
        return attrs.evolve(
            dim,
            items=list(reversed(dim.items)),
            dimensions=[visit(s) for s in dim.dimensions],
        )

    return attrs.evolve(rubric, dimensions=[visit(d) for d in rubric.dimensions])
