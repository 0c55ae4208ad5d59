"""The scoring kernel and its drivers: one formula, every engine, no cache on the values.

Each test here failed before the kernel (issue 14): streaming imputation that
used each chunk's own item means, a plugin strategy that broke the lazy
engines, a rubric that lost its plugin strategy to ``attrs.evolve``, a cache
keyed by ``id(weighting)``, and hooks called around pluggy.
"""

from __future__ import annotations

import csv
import gc
import inspect
import io
import linecache
import math
import traceback
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import EngineError, RubricError, Weighting, hookimpl
from mgrlead.api import cache_info, clear_cache, scorer, scoring_plan
from mgrlead.cli import cli
from mgrlead.engines import kernel
from mgrlead.engines.batch import score_matrix
from mgrlead.engines.ops import PYTHON
from mgrlead.engines.scorer import Scorer
from mgrlead.io import stream
from mgrlead.plugins import get_plugin_host
from mgrlead.results import DIMENSION_METRICS, DimensionScore
from mgrlead.strategies import DimensionStats, ScoringStrategy
from mgrlead.testing import hypothesis as mh

ML = mgrlead.load_rubric("manager-leader")


# ------------------------------------------------------------ streaming
def _responses(tmp_path: Path, rows: int) -> Path:
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, size=(rows, 24)).astype(object)
    # the first rows answer low, the last high: every chunk has other item means
    data[: rows // 2][data[: rows // 2] == 5] = 1
    data[rng.random(size=data.shape) < 0.15] = ""
    path = tmp_path / "responses.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", *ML.item_ids])
        writer.writerows([f"p{n}", *data[n]] for n in range(rows))
    return path


@pytest.mark.parametrize("missing", ["mean", "median", "available"])
def test_streaming_imputes_with_the_whole_files_item_means(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setattr(stream, "CSV_BLOCK_BYTES", 8_192)  # chunks of about 150 rows
    path = _responses(tmp_path, 3000)
    chunks: list[tuple[int, str]] = []
    plan = scoring_plan(ML, missing=missing)
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc] # the CSV writer writes bytes
    report = stream.stream_score(
        plan, path, out, na_values=[""], progress=lambda rows, what: chunks.append((rows, what))
    )
    assert report.rows == 3000
    scoring = [c for c in chunks if "scoring" in c[1]]
    assert len(scoring) > 10  # the file really was read in many chunks
    if missing != "available":
        assert chunks[0][1] == stream.COUNTING  # two passes, and the display says so
        assert scoring[0][1] == stream.SCORING_SECOND
    streamed = pd.read_csv(io.BytesIO(out.buffer.getvalue()), keep_default_na=False,
                           na_values=[""])  # fmt: skip
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    expected = mgrlead.score_frame(ML, frame, missing=missing)
    for column in ("process_results_mean", "overall_percent", "structure_strategy_imputed"):
        a, b = streamed[column].to_numpy(float), expected[column].to_numpy(float)
        assert np.array_equal(a, b, equal_nan=True), column  # bit for bit


def _stream(plan: Any, path: Path) -> tuple[pd.DataFrame, int]:
    """The streamed scores, and how many chunks were scored."""
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc] # the CSV writer writes bytes
    seen: list[str] = []
    stream.stream_score(plan, path, out, na_values=[""], progress=lambda _, what: seen.append(what))
    chunks = len([what for what in seen if what != stream.COUNTING])
    text = io.BytesIO(out.buffer.getvalue())
    return pd.read_csv(text, keep_default_na=False, na_values=[""]), chunks


@settings(max_examples=30, deadline=None)
@given(data=st.data(), missing=st.sampled_from(["available", "mean", "median"]))
def test_streaming_many_chunks_equals_scoring_the_whole_file(
    data: st.DataObject, missing: str
) -> None:
    import tempfile  # noqa: PLC0415 - hypothesis runs many examples in one test

    rubric = data.draw(mh.rubrics())
    columns = data.draw(mh.answer_frames(rubric, min_rows=40, max_rows=80))
    plan = scoring_plan(rubric, missing=missing)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.csv"
        frame = pd.DataFrame({"id": range(len(columns[rubric.item_ids[0]])), **columns})
        frame.to_csv(path, index=False, na_rep="")
        old = stream.CSV_BLOCK_BYTES
        stream.CSV_BLOCK_BYTES = 256  # a few rows a chunk
        try:
            streamed, chunks = _stream(plan, path)
        finally:
            stream.CSV_BLOCK_BYTES = old
        expected = mgrlead.score_frame(rubric, pd.read_csv(path), missing=missing)
        assert chunks >= path.stat().st_size // 1024  # many chunks, not one
    assert list(streamed.columns) == list(expected.columns)
    for name in expected.columns:
        if name == "id" or name in rubric.item_ids:
            continue
        a, b = streamed[name], expected[name]
        if a.dtype.kind in "fiu" and b.dtype.kind in "fiu":
            assert np.array_equal(a.to_numpy(float), b.to_numpy(float), equal_nan=True), name
        else:
            # a column of nothing but gaps reads back as float NaN: compare as text
            text = [["" if pd.isna(v) else str(v) for v in c] for c in (a, b)]
            assert text[0] == text[1], name


def test_the_cli_imputes_across_chunks_and_refuses_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "CSV_BLOCK_BYTES", 8_192)
    path = _responses(tmp_path, 2000)
    target = tmp_path / "scores.csv"
    done = CliRunner().invoke(cli, ["score", str(path), "--missing", "mean", "-o", str(target)])
    assert done.exit_code == 0, done.output
    expected = mgrlead.score_frame(ML, pd.read_csv(path, keep_default_na=False, na_values=[""]),
                                   missing="mean")  # fmt: skip
    got = pd.read_csv(target, keep_default_na=False, na_values=[""])
    assert np.array_equal(
        got["process_results_mean"].to_numpy(float),
        expected["process_results_mean"].to_numpy(float),
        equal_nan=True,
    )
    text = path.read_text()
    piped = CliRunner().invoke(cli, ["score", "-"], input=text)
    assert piped.exit_code == 0, piped.output
    assert piped.output.count("\n") == 2001
    refused = CliRunner().invoke(cli, ["score", "-", "--missing", "median"], input=text)
    assert refused.exit_code == 2
    assert refused.output.count("\n") == 1
    assert "standard input can be read only once" in refused.output
    assert "Traceback" not in refused.output


# ------------------------------------------------------- plugin strategies
@attrs.frozen(kw_only=True)
class Floored(ScoringStrategy):
    """The mean, but at least 2, with numpy itself: runs on numpy, not as expressions."""

    name: str = "floored"

    def score(self, stats: DimensionStats) -> Any:
        return np.maximum(stats.mean, 2.0)

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (max(2.0, stats.scale_min), stats.scale_max)


@attrs.frozen(kw_only=True)
class FlooredOps(Floored):
    """The same with the engine's own operations: runs everywhere."""

    name: str = "floored-ops"

    def score(self, stats: DimensionStats) -> Any:
        return stats.ops.maximum(stats.mean, 2.0)


@attrs.frozen(kw_only=True)
class FlooredNumpyOnly(Floored):
    """Numpy, and says so."""

    name: str = "floored-numpy"
    numpy_only = True


class _Plugin:
    @staticmethod
    @hookimpl
    def mgrlead_register_strategies(register: Any) -> None:
        for strategy in (Floored(), FlooredOps(), FlooredNumpyOnly()):
            register(strategy)


HOST = get_plugin_host(entrypoints=False, plugins=[("floors", _Plugin())], environ={})
# Every item at the manager pole (keyed value 1) but pr1, one step off it: mean 7/6.
LOW = {i.id: 5 if i.keyed == "manager" else 1 for i in ML.items} | {"pr1": 4}


def test_a_numpy_strategy_runs_on_numpy_and_is_refused_by_lazy_engines_by_name() -> None:
    rubric = HOST.build_rubric("manager-leader", strategy="floored")
    assert mgrlead.score(rubric, LOW)["process_results"].score == 2.0
    frame = pl.DataFrame({i: [float(v)] for i, v in LOW.items()})
    assert mgrlead.score_frame(rubric, frame)["process_results_score"][0] == 2.0
    with pytest.raises(EngineError, match=r"strategy 'floored' cannot run on the polars engine"):
        mgrlead.score_frame(rubric, frame.lazy())
    declared = HOST.build_rubric("manager-leader", strategy="floored-numpy")
    with pytest.raises(EngineError, match=r"'floored-numpy' runs on numpy only.*polars"):
        mgrlead.score_frame(declared, frame.lazy())
    assert mgrlead.score(declared, LOW)["process_results"].score == 2.0


def test_a_strategy_written_with_ops_runs_on_every_engine_alike() -> None:
    rubric = HOST.build_rubric("manager-leader", strategy="floored-ops")
    rows = [LOW, dict.fromkeys(ML.item_ids, 4), {"pr1": 5, "pr2": 1, "pr3": None}]
    columns = {i: [None if r.get(i) is None else float(r[i]) for r in rows] for i in ML.item_ids}
    eager = mgrlead.score_frame(
        rubric, pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Float64))
    )
    lazy = mgrlead.score_frame(
        rubric, pl.LazyFrame(columns, schema=dict.fromkeys(columns, pl.Float64))
    )
    assert eager.equals(lazy.collect())
    singles = [mgrlead.score(rubric, r)["process_results"].score for r in rows]
    assert singles == eager["process_results_score"].to_list()
    assert singles[0] == 2.0


# ------------------------------------------------------ values, no caches
def test_evolve_keeps_the_host_a_rubric_was_built_with() -> None:
    rubric = HOST.build_rubric("manager-leader", strategy="floored-ops")
    renamed = attrs.evolve(rubric, title="Renamed")
    assert renamed.host is HOST
    assert mgrlead.score(renamed, LOW)["process_results"].score == 2.0
    orphan = attrs.evolve(rubric, host=None)  # the process-wide host has no such strategy
    with pytest.raises(RubricError, match=r"no strategy named 'floored-ops' is registered"):
        mgrlead.score(orphan, LOW)


def test_a_rubric_holds_no_compiled_plan() -> None:
    names = {f.name for f in attrs.fields(mgrlead.Rubric)}
    assert not {n for n in names if "plan" in n or "variant" in n or "cache" in n}
    assert not hasattr(ML, "plan")
    assert not hasattr(ML, "__dict__")  # slotted: nothing can be stashed on it


def test_equal_weightings_share_one_plan_and_the_cache_is_bounded() -> None:
    clear_cache()
    answers = dict.fromkeys(ML.item_ids, 3)
    before = cache_info()["compiled"]
    for _ in range(200):
        mgrlead.score(ML, answers, weighting=Weighting(id="w", dimensions={"process_results": 2}))
    assert cache_info()["compiled"] == before + 1
    for k in range(100):  # all different
        mgrlead.score(ML, answers, weighting=Weighting(id="w", dimensions={"process_results": k}))
    info = cache_info()
    assert info["by_value"] <= info["size"]
    assert info["front"] <= info["size"]
    gc.collect()


def test_equal_rubrics_share_a_plan_and_texts_do_not_leak_between_them() -> None:
    clear_cache()
    before = cache_info()["compiled"]
    one, two = attrs.evolve(ML, title="A"), attrs.evolve(ML, title="A")
    assert mgrlead.score(one, {}) == mgrlead.score(two, {})
    assert cache_info()["compiled"] == before + 1
    relabelled = attrs.evolve(ML, bands=[attrs.evolve(b, label=b.label + "!") for b in ML.bands])
    label = mgrlead.score(relabelled, dict.fromkeys(ML.item_ids, 3)).overall.band_label
    assert label is not None
    assert label.endswith("!")


# ------------------------------------------------------------ the hooks
def test_hooks_are_called_through_pluggy_in_its_order_with_wrappers() -> None:
    calls: list[str] = []

    def plugin(name: str, strategy_name: str, **marks: bool) -> Any:
        @hookimpl(**marks)
        def mgrlead_register_strategies(register: Any) -> None:
            calls.append(name)
            register(attrs.evolve(FlooredOps(), name=strategy_name))

        return type(name, (), {"mgrlead_register_strategies": staticmethod(
            mgrlead_register_strategies)})()  # fmt: skip

    class Wrapper:
        @staticmethod
        @hookimpl(wrapper=True)
        def mgrlead_register_strategies(register: Any) -> Any:
            calls.append("wrapper before")
            result = yield
            calls.append("wrapper after")
            return result

    host = get_plugin_host(
        entrypoints=False,
        plugins=[("first", plugin("first", "a")), ("late", plugin("late", "b", tryfirst=True)),
                 ("wrapper", Wrapper())],
        environ={},
    )  # fmt: skip
    # tryfirst goes first though registered later; the built-ins (trylast) come last
    assert calls[:7] == ["wrapper before", "late", "wrapper after", "wrapper before", "first",
                         "wrapper after", "wrapper before"]  # fmt: skip
    assert host.names("strategy")[:2] == ("b", "a")
    assert host.names("strategy")[2:] == tuple(
        s for s in ("mean", "weighted_mean", "sum", "prorated_sum", "percent", "theta")
    )


# ---------------------------------------------------------- the one-respondent code
def test_the_generated_scorer_shows_its_source_in_tracebacks() -> None:
    @attrs.frozen(kw_only=True)
    class Fails(ScoringStrategy):
        name: str = "fails"

        def score(self, stats: DimensionStats) -> Any:
            if stats.mean > 100:  # branches on the data: called at run time
                return stats.mean
            raise ZeroDivisionError("deliberately")

        def bounds(self, stats: DimensionStats) -> tuple[float, float]:
            return (0.0, 1.0)

    class P:
        @staticmethod
        @hookimpl
        def mgrlead_register_strategies(register: Any) -> None:
            register(Fails())

    host = get_plugin_host(entrypoints=False, plugins=[("p", P())], environ={})
    rubric = host.build_rubric("manager-leader", strategy="fails")
    compiled = scorer(rubric).single
    source = inspect.getsource(compiled)
    assert source.startswith("def score_one(answers, careless):")
    assert compiled.__code__.co_filename in linecache.cache
    with pytest.raises(mgrlead.PluginError, match="'fails' failed: ZeroDivisionError") as info:
        mgrlead.score(rubric, dict.fromkeys(ML.item_ids, 3))
    shown = "".join(traceback.format_exception(info.value))
    assert "mgrlead scorer of manager-leader" in shown
    assert "_headline0(" in shown  # the generated line that called the strategy


def test_results_are_built_by_field_name_from_the_metrics_table() -> None:
    names = [m.name for m in DIMENSION_METRICS]
    assert names == ["sum", "mean", "percent", "position", "score", "answered", "missing",
                     "imputed", "band"]  # fmt: skip
    batch = mgrlead.score_matrix(ML, np.full((1, 24), 3.0))
    assert list(batch.dimensions["process_results"])[: len(names)] == names
    assert [c for c in batch.columns() if c.startswith("process_results_")] == [
        f"process_results_{n}" for n in names
    ]
    table = mgrlead.score_table(ML, {i: [3] for i in ML.item_ids})
    kinds = dict.fromkeys(["sum", "mean", "percent", "position", "score"], "float")
    kinds |= dict.fromkeys(["answered", "missing", "imputed"], "int") | {"band": "str"}
    assert {n: table.kinds[f"process_results_{n}"] for n in names} == kinds
    fields = {f.name for f in attrs.fields(DimensionScore)}
    assert set(names) <= fields


@settings(max_examples=60)
@given(mh.rubrics().flatmap(lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), min_size=1,
                                                                     max_size=5))))  # fmt: skip
def test_one_respondent_equals_the_batch_and_the_kernel_run_on_floats(
    case: tuple[mgrlead.Rubric, list[dict[str, Any]]],
) -> None:
    rubric, people = case
    plan = scoring_plan(rubric)
    values = np.array([[np.nan if p.get(i) is None else p[i] for i in rubric.item_ids]
                       for p in people], dtype=float).reshape(len(people), -1)  # fmt: skip
    batch = mgrlead.score_matrix(rubric, values)
    for row, answers in enumerate(people):
        single = mgrlead.score(rubric, answers)
        assert single == batch.profile(row)
        # the kernel itself, on Python floats, from the term tables
        for d, dim in enumerate(plan.dimensions):
            acc = kernel.Accumulated()
            for i, w, rev in zip(dim.members, dim.weights, dim.reverse, strict=True):
                code = answers.get(plan.items[i].id)
                code = None if code is None or code != code else int(code)  # noqa: PLR0124
                code = None if code in plan.items[i].missing_codes else code
                t = kernel.term_table(plan.items[i], w, rev, None).of(code)
                kernel.accumulate(PYTHON, acc, t.w, t.wx, t.wp, t.n)
            result = kernel.dimension(PYTHON, acc, dim, plan.strategy)
            score = single.dimensions[d]
            assert bool(result.ok) is score.scorable
            if score.scorable:
                assert result.mean == score.mean
                assert result.percent == score.percent


# ------------------------------------------------ lazy engines, bit for bit
def test_weighted_items_everyone_answered_score_alike_on_polars_lazy() -> None:
    # An item column without a gap once made polars hold W as a scalar, and
    # polars divides by a scalar by multiplying with its reciprocal.
    from .helpers import dim, item, rubric  # noqa: PLC0415

    weighted = rubric([
        dim("a", [item("a1", weight=2.0), item("a2", "lo", 0.5), item("a3", weight=1.5),
                  item("a4")]),
        dim("b", [item("b1"), item("b2", "lo"), item("b3")]),
    ])  # fmt: skip
    rng = np.random.default_rng(14)
    columns: dict[str, list[float | None]] = {
        i: rng.integers(1, 6, 40).astype(float).tolist() for i in weighted.item_ids
    }
    columns["b3"][3] = columns["b3"][17] = None  # b has gaps; a does not
    for missing in ("available", "mean", "median"):
        eager = mgrlead.score_frame(weighted, pl.DataFrame(columns), missing=missing)
        lazy = mgrlead.score_frame(weighted, pl.LazyFrame(columns), missing=missing).collect()
        for name in eager.columns:
            assert eager[name].to_list() == lazy[name].to_list(), (missing, name)


def test_the_contract_compares_a_numpy_only_strategy_on_the_eager_engines_only() -> None:
    from mgrlead.testing import ScorerContract  # noqa: PLC0415

    class NumpyOnly(ScorerContract):
        strategy = FlooredNumpyOnly()
        engines = ("polars", "polars-lazy")
        engine_examples = 3

    class Undeclared(ScorerContract):
        strategy = Floored()
        engines = ("polars-lazy",)
        engine_examples = 3
        shrink = False

    NumpyOnly().test_every_engine_agrees()  # the lazy engine is left out: it would refuse
    with pytest.raises(AssertionError, match="polars-lazy engine refused"):
        Undeclared().test_every_engine_agrees()


@settings(max_examples=40, deadline=None)
@given(data=st.data(), block=st.integers(1, 7))
def test_scoring_in_row_blocks_changes_no_number(data: st.DataObject, block: int) -> None:
    from mgrlead.engines import batch  # noqa: PLC0415

    rubric = data.draw(mh.rubrics())
    columns = data.draw(mh.answer_frames(rubric, min_rows=0, max_rows=30))
    matrix = np.array(
        [[np.nan if v is None else float(v) for v in columns[i]] for i in rubric.item_ids],
        dtype=float,
    ).T.reshape(-1, len(rubric.item_ids))
    whole = mgrlead.score_matrix(rubric, matrix)
    old = batch.BLOCK_ROWS
    batch.BLOCK_ROWS = block  # many blocks, the last one short
    try:
        blocked = mgrlead.score_matrix(rubric, matrix)
    finally:
        batch.BLOCK_ROWS = old
    a, b = whole.columns(band_ids=False), blocked.columns(band_ids=False)
    assert list(a) == list(b)
    for name in a:
        assert np.array_equal(np.asarray(a[name]), np.asarray(b[name]), equal_nan=True), name
    assert [blocked.profile(r) for r in range(blocked.n)] == [
        mgrlead.score(rubric, {i: columns[i][r] for i in rubric.item_ids}) for r in range(whole.n)
    ]


@attrs.frozen(kw_only=True)
class Curved(ScoringStrategy):
    """Powers and exponentials, which numpy and Python's math may round differently."""

    name: str = "curved"

    def score(self, stats: DimensionStats) -> Any:
        return stats.position**3 + stats.ops.exp(stats.mean) / 100.0

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (-1.0, 1.0 + math.exp(stats.scale_max) / 100.0)


def test_a_strategy_with_powers_scores_one_respondent_as_the_batch_does() -> None:
    # numpy's vectorised `**` and exp differ from Python's in the last bit for
    # about 3 % of values; the one-respondent engine calls such a strategy with
    # numpy values, as the batch engine does, so every row agrees exactly.
    plan = attrs.evolve(scoring_plan(ML), strategy=Curved())
    rng = np.random.default_rng(3)
    values = rng.integers(1, 6, size=(400, len(ML.item_ids))).astype(float)
    batch = score_matrix(plan, values)
    single = Scorer(plan)
    for row in range(batch.n):
        answers = dict(zip(ML.item_ids, values[row].astype(int).tolist(), strict=True))
        assert single.score(answers) == batch.profile(row), row


def test_blocks_report_the_first_bad_cell_of_the_whole_batch_and_impute_from_all_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mgrlead.engines import batch  # noqa: PLC0415

    rng = np.random.default_rng(5)
    values = rng.integers(1, 6, size=(60, len(ML.item_ids))).astype(float)
    values[rng.random(values.shape) < 0.2] = np.nan
    values[:30][values[:30] == 5] = 1  # the blocks have other item means
    plans = {m: scoring_plan(ML, missing=m) for m in ("mean", "median")}
    whole = {m: score_matrix(p, values).columns(band_ids=False) for m, p in plans.items()}
    monkeypatch.setattr(batch, "BLOCK_ROWS", 7)
    for missing, expected in whole.items():
        got = score_matrix(plans[missing], values).columns(band_ids=False)
        assert got["process_results_imputed"].sum() > 0
        for name in expected:
            assert np.array_equal(got[name], expected[name], equal_nan=True), (missing, name)
    bad = values.copy()
    bad[37, 3] = 9.0
    bad[52, 0] = 2.5
    with pytest.raises(mgrlead.AnswerError, match=r"^row 37: .*\(and 1 more bad cells\)"):
        mgrlead.score_matrix(ML, bad)


def test_a_new_process_wide_host_is_seen_by_a_rubric_scored_before() -> None:
    from mgrlead.plugins import set_default_host  # noqa: PLC0415

    orphan = attrs.evolve(HOST.build_rubric("manager-leader", strategy="floored-ops"), host=None)
    before = set_default_host(HOST)
    try:
        assert mgrlead.score(orphan, LOW)["process_results"].score == 2.0
        assert mgrlead.score(orphan, LOW)["process_results"].score == 2.0  # from the cache
        set_default_host(get_plugin_host(entrypoints=False, environ={}))
        with pytest.raises(RubricError, match="no strategy named 'floored-ops'"):
            mgrlead.score(orphan, LOW)
    finally:
        set_default_host(before)


def test_skipped_rows_are_counted_over_every_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "CSV_BLOCK_BYTES", 4_096)
    path = _responses(tmp_path, 1000)
    lines = path.read_text().splitlines()
    for n in (10, 400, 900):  # one bad answer in three chunks
        cells = lines[n].split(",")
        cells[1] = "7"
        lines[n] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc]
    plan = scoring_plan(ML)
    report = stream.stream_score(plan, path, out, na_values=[""], on_error="skip")
    assert report.rows == 997
    assert report.skipped == 3
    skipped = (tmp_path / "responses.skipped.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in skipped[1:]] == ["11", "401", "901"]


def test_a_dimension_nobody_answered_says_so_and_keeps_its_counts() -> None:
    from mgrlead import MissingPolicy  # noqa: PLC0415

    from .helpers import dim, item, rubric  # noqa: PLC0415

    policy = MissingPolicy(min_answered=0, min_share=0.0, impute="mean")
    two = rubric([dim("a", [item("a1"), item("a2")]), dim("b", [item("b1"), item("b2")])],
                 missing=policy)  # fmt: skip
    values = np.array([[1.0, np.nan, np.nan, np.nan], [3.0, np.nan, np.nan, np.nan]])
    batch = mgrlead.score_matrix(two, values)
    a, b = batch.profile(0)["a"], batch.profile(0)["b"]
    assert (a.scorable, a.imputed, a.answered) == (True, 0, 1)  # nobody answered a2: no fill
    assert not b.scorable
    assert b.reason == "none of its 2 items answered, and none could be imputed"
    assert (b.answered, b.missing, b.imputed) == (0, 2, 0)
    strict = attrs.evolve(two, missing=MissingPolicy(min_answered=2, min_share=0.0, impute="mean"))
    values = np.array([[1.0, np.nan, 2.0, 2.0], [3.0, 4.0, 2.0, 2.0]])
    batch = mgrlead.score_matrix(strict, values)
    first = batch.profile(0)["a"]  # a2 imputed, but only one real answer
    assert (first.scorable, first.answered, first.imputed) == (False, 1, 1)
    assert batch.columns()["a_imputed"].tolist() == [1, 0]
    assert first.reason == "1 of 2 items answered; at least 2 needed"


@attrs.frozen(kw_only=True)
class Counted(ScoringStrategy):
    """A headline that is an int: how many items were answered."""

    name: str = "counted"

    def score(self, stats: DimensionStats) -> Any:
        return stats.answered

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        return (0.0, float(stats.n_items))


def test_an_int_headline_is_a_float_on_every_engine() -> None:
    plan = attrs.evolve(scoring_plan(ML), strategy=Counted())
    answers = dict.fromkeys(ML.item_ids, 3)
    single = Scorer(plan).score(answers)
    batch = score_matrix(plan, np.full((1, len(ML.item_ids)), 3.0)).profile(0)
    assert single == batch
    assert single.to_json() == batch.to_json()
    assert type(single["process_results"].score) is float


def test_nan_is_a_missing_answer_on_lazy_frames_too() -> None:
    import duckdb  # noqa: PLC0415

    rows = {i: [3.0, 4.0] for i in ML.item_ids} | {"pr1": [math.nan, 2.0], "pr2": [None, 5.0]}
    eager = mgrlead.score_frame(ML, pl.DataFrame(rows))
    lazy = mgrlead.score_frame(ML, pl.LazyFrame(rows)).collect()
    assert eager["process_results_answered"].to_list() == [4, 6]
    assert eager.equals(lazy)
    ducked = mgrlead.score_frame(ML, duckdb.from_arrow(pl.DataFrame(rows).to_arrow()))  # NaN kept
    assert ducked.pl()["process_results_mean"].to_list() == eager["process_results_mean"].to_list()


def test_lazy_frames_refuse_a_column_a_score_would_overwrite() -> None:
    rows = {i: [3.0] for i in ML.item_ids} | {"overall_band": ["mine"]}
    with pytest.raises(mgrlead.InputError, match="'overall_band' would be overwritten"):
        mgrlead.score_frame(ML, pl.LazyFrame(rows))
    with pytest.raises(mgrlead.InputError, match="'overall_band' would be overwritten"):
        mgrlead.score_frame(ML, pl.DataFrame(rows))


def test_a_matrix_that_is_not_numbers_is_an_answer_error() -> None:
    k = len(ML.item_ids)
    with pytest.raises(mgrlead.AnswerError, match="must be numbers"):
        mgrlead.score_matrix(ML, np.array([["a"] * k], dtype=object))
    with pytest.raises(mgrlead.AnswerError, match="true/false"):
        mgrlead.score_matrix(ML, np.ones((1, k), dtype=bool))


def test_a_scorer_let_go_takes_its_source_out_of_linecache() -> None:
    plan = attrs.evolve(scoring_plan(ML), strategy=Counted())
    single = Scorer(plan)
    single.score(dict.fromkeys(ML.item_ids, 3))
    filename = single.single.__code__.co_filename
    assert filename in linecache.cache
    del single
    gc.collect()
    assert filename not in linecache.cache


def test_parquet_columns_that_are_not_whole_numbers_are_bad_rows_or_refused(
    tmp_path: Path,
) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    columns = {i: pa.array([3.0, 3.0, 3.0]) for i in ML.item_ids}
    columns["pr1"] = pa.array([3.0, 2.5, 4.0])  # one answer that is not whole
    path = tmp_path / "answers.parquet"
    pq.write_table(pa.table(columns), path)
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc]
    with pytest.raises(mgrlead.AnswerError, match=r"answers\.parquet, row 1: item 'pr1'"):
        stream.stream_score(scoring_plan(ML), path, out, na_values=[""])
    report = stream.stream_score(scoring_plan(ML), path, out, na_values=[""], on_error="skip")
    assert (report.rows, report.skipped) == (2, 1)
    columns["pr2"] = pa.array([True, False, True])
    pq.write_table(pa.table(columns), path)
    done = CliRunner().invoke(cli, ["score", str(path)])
    assert done.exit_code != 0
    assert "item 'pr2': the column holds bool, not numbers" in done.output
    assert "Traceback" not in done.output


@pytest.mark.parametrize(
    ("column", "bad"),
    [
        ("int64 max", "9223372036854775807"),
        ("uint64 max", "18446744073709551615"),
        ("int8", None),
        ("dictionary of text", None),
        ("dictionary of text, one not a number", "'x'"),
    ],
)
def test_exotic_parquet_columns_score_or_name_their_bad_row(
    tmp_path: Path, column: str, bad: str | None
) -> None:
    # were ArrowInvalid tracebacks (integers beyond 2**53) and a refusal of a whole
    # column (dictionary-encoded text, which Parquet writers produce for repeated values)
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    values = {
        "int64 max": pa.array([3, 2**63 - 1, 4], pa.int64()),
        "uint64 max": pa.array([3, 2**64 - 1, 4], pa.uint64()),
        "int8": pa.array([3, 2, 4], pa.int8()),
        "dictionary of text": pa.array(["3", "2", "4"]).dictionary_encode(),
        "dictionary of text, one not a number": pa.array(["3", "x", "4"]).dictionary_encode(),
    }[column]
    columns = {i: pa.array([3, 3, 3], pa.int64()) for i in ML.item_ids} | {"pr1": values}
    path = tmp_path / "answers.parquet"
    pq.write_table(pa.table(columns), path)
    done = CliRunner().invoke(cli, ["score", str(path), "-o", str(tmp_path / "out.csv")])
    assert "Traceback" not in done.output
    if bad is None:
        assert done.exit_code == 0, done.output
        scored = pd.read_csv(tmp_path / "out.csv")
        expected = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 3) | {"pr1": 2})
        assert scored["process_results_percent"][1] == expected["process_results"].percent
        return
    assert done.exit_code != 0
    assert "answers.parquet, row 1" in done.output
    assert bad in done.output
    done = CliRunner().invoke(
        cli, ["score", str(path), "-o", str(tmp_path / "out.csv"), "--on-error", "skip"]
    )
    assert done.exit_code == 0, done.output
    with (tmp_path / "answers.skipped.csv").open() as f:
        skipped = list(csv.DictReader(f))
    assert [(r["row"], r["pr1"]) for r in skipped] == [("1", bad.strip("'"))]


def test_an_absent_item_column_is_named_before_the_counting_pass(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    items = [i for i in ML.item_ids if i != "os3"]
    path.write_text(",".join(items) + "\n" + ",".join("3" for _ in items) + "\n")
    seen: list[str] = []
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc]
    with pytest.raises(mgrlead.InputError, match=r"no column for item.*'os3'"):
        stream.stream_score(scoring_plan(ML, missing="mean"), path, out, na_values=[""],
                            progress=lambda _, what: seen.append(what))  # fmt: skip
    assert seen == []  # no pass over the data at all


def test_parquet_output_types_do_not_come_from_the_first_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    monkeypatch.setattr(stream, "CHUNK_ROWS", 2)
    rows = 6
    columns = {i: pa.array([3.0] * rows) for i in ML.item_ids}
    for i in ML.item_ids[:6]:  # process_results unanswered in the first chunk only
        columns[i] = pa.array([None, None, 2.0, 3.0, 4.0, 5.0], type=pa.float64())
    columns["note"] = pa.array([None, None, "a", "b", "c", "d"], type=pa.string())
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table(columns), source)
    done = CliRunner().invoke(cli, ["score", str(source), "--format", "parquet", "-o", str(target)])
    assert done.exit_code == 0, done.output
    table = pq.read_table(target)
    assert table.schema.field("process_results_band").type == pa.string()
    assert table.schema.field("process_results_mean").type == pa.float64()
    assert table.schema.field("note").type == pa.string()
    assert table.column("process_results_band").to_pylist()[:2] == [None, None]
    assert table.column("note").to_pylist()[2:] == ["a", "b", "c", "d"]


def test_a_file_whose_every_row_is_skipped_still_gets_a_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(["id", *ML.item_ids]) + "\n" + ",".join(["a", "9", *["3"] * 23])
                    + "\n")  # fmt: skip
    target = tmp_path / "scores.csv"
    done = CliRunner().invoke(cli, ["score", str(path), "--on-error", "skip", "-o", str(target)])
    assert done.exit_code == 0, done.output
    lines = [line for line in target.read_text().splitlines() if not line.startswith("#")]
    assert lines[0].split(",")[:2] == ["id", "process_results_sum"]
    assert len(lines) == 1
    assert "skipped 1 bad row" in done.output


def test_blank_lines_do_not_shift_the_line_a_bad_row_is_reported_on(tmp_path: Path) -> None:
    good = ",".join(["3"] * 24)
    bad = ",".join(["7", *["3"] * 23])
    path = tmp_path / "blank.csv"
    path.write_text(",".join(ML.item_ids) + "\n" + good + "\n\n\n" + good + "\n\n" + bad + "\n")
    done = CliRunner().invoke(cli, ["score", str(path)])
    assert done.exit_code != 0
    assert "line 7" in done.output  # header 1, rows 2 and 5, blanks 3, 4 and 6
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc]
    report = stream.stream_score(scoring_plan(ML), path, out, na_values=[""], on_error="skip")
    assert report.skipped == 1
    side = (tmp_path / "blank.skipped.csv").read_text().splitlines()
    assert side[1].startswith("7,")
