"""Long answers in (from_long, long=True, --long), tidy scores out (issue 20, part 1)."""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import run

import mgrlead
from mgrlead import InputError
from mgrlead.errors import ColumnError
from mgrlead.io.formats import read_long
from mgrlead.testing import hypothesis as mh

RUBRIC = mgrlead.load_rubric("manager-leader")
ITEMS = RUBRIC.item_ids


def _long_by_hand(wide: dict[str, list[Any]], keep_missing: list[bool]) -> dict[str, list[Any]]:
    """Long rows written out directly from a wide dict (independent of from_long)."""
    out: dict[str, list[Any]] = {"id": [], "team": [], "item": [], "response": []}
    items = [c for c in wide if c not in {"id", "team"}]
    for r, who in enumerate(wide["id"]):
        for item in items:
            value = wide[item][r]
            if value is None and not keep_missing[r]:
                continue
            out["id"].append(who)
            out["team"].append(wide["team"][r])
            out["item"].append(item)
            out["response"].append(value)
    return out


@settings(max_examples=40, deadline=None)
@given(
    mh.rubrics().flatmap(
        lambda r: st.tuples(st.just(r), mh.answer_frames(r, min_rows=1, max_rows=6))
    ),
    st.data(),
)
def test_wide_long_wide_round_trip(
    case: tuple[mgrlead.Rubric, dict[str, list[Any]]], data: Any
) -> None:
    rubric, answers = case
    n = len(next(iter(answers.values())))
    wide = {
        "id": [f"p{r}" for r in range(n)],
        "team": data.draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n)),
        **answers,
    }
    keep = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    long = _long_by_hand(wide, keep)
    if not long["id"]:  # every answer missing and no row kept: nobody to find
        return
    back = mgrlead.from_long(long, rubric=rubric)
    present = [p for p in wide["id"] if p in set(long["id"])]
    rows = [wide["id"].index(p) for p in present]
    assert back == {k: [v[r] for r in rows] for k, v in wide.items()}


def test_wide_long_wide_on_polars_and_pandas() -> None:
    wide = {"id": ["a", "b"], "pr1": [4, None], "pr2": [2, 5]}
    long = {"id": ["a", "a", "b"], "item": ["pr1", "pr2", "pr2"], "response": [4, 2, 5]}
    got = mgrlead.from_long(pl.DataFrame(long))
    assert isinstance(got, pl.DataFrame)
    assert got.to_dict(as_series=False) == wide
    got_pd = mgrlead.from_long(pd.DataFrame(long))
    assert isinstance(got_pd, pd.DataFrame)
    assert list(got_pd.columns) == ["id", "pr1", "pr2"]
    assert math.isnan(got_pd["pr1"][1])
    got_pa = mgrlead.from_long(pa.table(long))
    assert isinstance(got_pa, pa.Table)
    assert got_pa.to_pydict() == wide


def _full_long(ids: list[str], value: int = 3) -> dict[str, list[Any]]:
    return {
        "id": [p for p in ids for _ in ITEMS],
        "item": list(ITEMS) * len(ids),
        "response": [value] * (len(ITEMS) * len(ids)),
    }


def test_score_frame_long_equals_wide() -> None:
    long = _full_long(["a", "b"])
    long["response"][0] = 5
    long["response"][len(ITEMS) + 3] = None
    wide = mgrlead.from_long(long, rubric=RUBRIC)
    by_long = mgrlead.score_frame(RUBRIC, pl.DataFrame(long), long=True)
    by_wide = mgrlead.score_frame(RUBRIC, pl.DataFrame(wide))
    assert by_long.equals(by_wide)
    named = {"person": long["id"], "q": long["item"], "r": long["response"]}
    renamed = mgrlead.score_frame(
        RUBRIC, pd.DataFrame(named), long={"id": "person", "item": "q", "response": "r"}
    )
    assert list(renamed["process_results_sum"]) == list(by_wide["process_results_sum"])


def test_duplicate_pairs_are_named_and_counted() -> None:
    long = _full_long(["a", "b"])
    for who in ("a", "b"):
        for item in ("pr1", "pr2", "pr3"):
            long["id"].append(who)
            long["item"].append(item)
            long["response"].append(1)
    with pytest.raises(
        InputError, match=r"repeats 6 \(id, item\) pairs: \('a', 'pr1'\), .*6 in all"
    ):
        mgrlead.from_long(long, rubric=RUBRIC)


def test_unknown_item_named_with_did_you_mean() -> None:
    long = {"id": ["a", "a"], "item": ["pr1", "pr_1x"], "response": [1, 2]}
    with pytest.raises(InputError, match=r"1 item the rubric does not have: 'pr_1x'"):
        mgrlead.from_long(long, rubric="manager-leader")


def test_missing_id_is_an_error_not_dropped() -> None:
    long = {"id": ["a", None, float("nan")], "item": ["pr1", "pr2", "pr3"], "response": [1, 2, 3]}
    with pytest.raises(InputError, match=r"2 rows without a value in column 'id' \(rows 1, 2"):
        mgrlead.from_long(long)


def test_per_respondent_column_must_be_constant() -> None:
    long = {"id": ["a", "a"], "item": ["pr1", "pr2"], "response": [1, 2], "team": ["x", "y"]}
    with pytest.raises(InputError, match=r"column 'team' has 'x' and 'y' for id 'a'"):
        mgrlead.from_long(long)


def test_absent_column_named() -> None:
    with pytest.raises(
        InputError, match=r"no column 'response' for the response; did you mean 'responses'"
    ):
        mgrlead.from_long({"id": ["a"], "item": ["pr1"], "responses": [1]})


def test_rater_column_keys_a_respondent() -> None:
    long = {
        "id": ["m", "m", "m", "m"],
        "rater": ["self", "self", "peer1", "peer1"],
        "role": ["self", "self", "peer", "peer"],
        "item": ["pr1", "pr2", "pr1", "pr2"],
        "response": [1, 2, 3, 4],
    }
    wide = mgrlead.from_long(long, rater="rater")
    assert wide == {
        "id": ["m", "m"], "rater": ["self", "peer1"], "role": ["self", "peer"],
        "pr1": [1, 3], "pr2": [2, 4],
    }  # fmt: skip


def test_to_long_metric_and_dimension_shapes() -> None:
    long = _full_long(["a", "b"])
    scores = mgrlead.score_frame(RUBRIC, pl.DataFrame(long), long=True)
    tidy = mgrlead.to_long(scores, RUBRIC)
    dims = len(RUBRIC.dimensions) + 2  # + overall, careless
    numeric = len(mgrlead.results.DIMENSION_METRICS) - 1
    assert tidy.columns == ["id", "dimension", "metric", "value"]
    a_pr = tidy.filter((pl.col("id") == "a") & (pl.col("dimension") == "process_results"))
    assert a_pr.height == numeric
    # every answer 3 on a 1-5 scale: the mean is 3, the percent 50
    assert a_pr.filter(pl.col("metric") == "mean")["value"].item() == 3.0
    assert a_pr.filter(pl.col("metric") == "percent")["value"].item() == 50.0
    wide_dims = mgrlead.to_long(scores.to_pandas(), "manager-leader", shape="dimension")
    assert len(wide_dims) == 2 * dims
    assert list(wide_dims["band"][:4]) == ["balanced"] * 4


def test_cli_score_long(tmp_path: Path) -> None:
    long = _full_long(["a", "b"])
    pd.DataFrame({"person": long["id"], "q": long["item"], "r": long["response"]}).to_csv(
        tmp_path / "long.csv", index=False
    )
    result = run(
        "score", str(tmp_path / "long.csv"), "--long", "--id", "person", "--item", "q",
        "--response", "r", "-o", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv", comment="#")
    assert list(out["person"]) == ["a", "b"]
    assert list(out["process_results_percent"]) == [50.0, 50.0]


def test_cli_score_long_duplicate_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "long.csv").write_text("id,item,response\na,pr1,1\na,pr1,2\n")
    result = run("score", str(tmp_path / "long.csv"), "--long")
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0
    assert "repeats 1 (id, item) pair: ('a', 'pr1')" in result.output


def test_cli_a_column_not_in_the_long_file_names_the_option_that_names_it(
    tmp_path: Path,
) -> None:
    long = tmp_path / "long.csv"
    long.write_text("who,question,answer\na,pr1,1\n")
    result = run("score", str(long), "--long", "--long-id", "who", "--long-item", "item")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"mgrlead: error: {long} has no column 'item' for the item; name it with --long-item"
    )
    with pytest.raises(ColumnError, match=rf"^{re.escape(str(long))} has no column"):
        read_long(long, RUBRIC, [], id="who")  # the library names the file too


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _melted(path: Path, keys: list[str], tmp_path: Path) -> Path:
    """The wide example as long rows, by pandas (independent of from_long), shuffled."""
    wide = pd.read_csv(path)
    others = [c for c in wide.columns if c not in ITEMS and c not in keys]  # ca1..: not items
    wide["_order"] = range(len(wide))
    long = wide.melt(id_vars=["_order", *keys, *others], var_name="question", value_name="answer")
    # items in a shuffled order within each respondent; respondents in the wide file's order
    long = long.sample(frac=1.0, random_state=7).sort_values("_order", kind="stable")
    long = long.drop(columns="_order")
    out = tmp_path / f"{path.stem}-long.csv"
    long.to_csv(out, index=False)
    return out


def test_cli_analyze_long_equals_wide(tmp_path: Path) -> None:
    source = EXAMPLES / "responses.csv"
    long = _melted(source, ["respondent", "team"], tmp_path)
    wide_run = run("analyze", str(source), "--json")
    long_run = run(
        "analyze", str(long), "--json", "--long", "--long-id", "respondent",
        "--long-item", "question", "--long-response", "answer",
    )  # fmt: skip
    assert wide_run.exit_code == 0, wide_run.output
    assert long_run.exit_code == 0, long_run.output
    assert long_run.output == wide_run.output


def test_cli_norms_build_long_equals_wide(tmp_path: Path) -> None:
    source = EXAMPLES / "responses.csv"
    long = _melted(source, ["respondent", "team"], tmp_path)
    common = ["--group", "team", "--min-n", "2"]
    a = run("norms", "build", str(source), *common, "-o", str(tmp_path / "wide.json"))
    b = run(
        "norms", "build", str(long), *common, "-o", str(tmp_path / "long.json"), "--long",
        "--long-id", "respondent", "--long-item", "question", "--long-response", "answer",
    )  # fmt: skip
    assert a.exit_code == 0, a.output
    assert b.exit_code == 0, b.output
    assert (tmp_path / "wide.json").read_text() == (tmp_path / "long.json").read_text()


@pytest.mark.parametrize("kind", ["360", "team"])
def test_cli_report_long_equals_wide(tmp_path: Path, kind: str) -> None:
    if kind == "360":
        source = EXAMPLES / "360-responses.csv"
        keys = ["subject", "rater_group", "rater"]
        choose = ["--kind", "360", "--subject", "casey"]
        long_keys = ["--long-id", "subject", "--long-rater", "rater"]
    else:
        source = EXAMPLES / "responses.csv"
        keys = ["respondent", "team"]
        choose = ["--kind", "team", "--by", "team"]
        long_keys = ["--long-id", "respondent"]
    long = _melted(source, keys, tmp_path)
    a = run("report", str(source), *choose, "-o", str(tmp_path / "wide.html"))
    b = run(
        "report", str(long), *choose, "-o", str(tmp_path / "long.html"), "--long", *long_keys,
        "--long-item", "question", "--long-response", "answer",
    )  # fmt: skip
    assert a.exit_code == 0, a.output
    assert b.exit_code == 0, b.output
    wide_html = (tmp_path / "wide.html").read_text()
    long_html = (tmp_path / "long.html").read_text()
    assert long_html.replace(long.stem, source.stem) == wide_html


def test_cli_long_names_without_long_is_an_error(tmp_path: Path) -> None:
    result = run("analyze", str(EXAMPLES / "responses.csv"), "--long-id", "respondent")
    assert result.exit_code != 0
    assert "--long-id names a column of long data: add --long" in result.output


def test_cli_long_bad_answer_names_the_users_file(tmp_path: Path) -> None:
    long = _full_long(["a", "b"])
    long["response"][len(ITEMS) + 2] = 9
    path = tmp_path / "long.csv"
    pd.DataFrame(long).to_csv(path, index=False)
    result = run("score", str(path), "--long")
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"mgrlead: error: {path} (respondents in order of first row)")
    assert "row 1" in result.output
    assert "mgrlead-long-" not in result.output


def test_shipped_long_example_scores_as_the_wide_one(tmp_path: Path) -> None:
    a = run("score", str(EXAMPLES / "responses.csv"), "-o", str(tmp_path / "wide.csv"))
    b = run(
        "score", str(EXAMPLES / "responses-long.csv"), "--long", "--id", "respondent",
        "-o", str(tmp_path / "long.csv"),
    )  # fmt: skip
    assert a.exit_code == 0, a.output
    assert b.exit_code == 0, b.output
    wide = pd.read_csv(tmp_path / "wide.csv", comment="#").drop(
        columns=[f"ca{i}" for i in range(1, 7)]
    )
    long = pd.read_csv(tmp_path / "long.csv", comment="#")
    pd.testing.assert_frame_equal(long, wide)


def test_to_long_names_an_absent_id_column() -> None:
    scores = mgrlead.score_frame(RUBRIC, mgrlead.from_long(_full_long(["a"]), rubric=RUBRIC))
    with pytest.raises(InputError, match=r"no column 'idx'; did you mean 'id'"):
        mgrlead.to_long(scores, RUBRIC, id="idx")
    with pytest.raises(InputError, match=r"shape must be 'metric' or 'dimension'"):
        mgrlead.to_long(scores, RUBRIC, shape="wide")


# ---------------------------------------------------------------- the columnar path
def _plain_cells(frame: Any) -> dict[str, list[Any]]:
    """A frame's columns as lists, missing cells (null, NaN) as None, whole floats as ints."""
    import narwhals as nw  # noqa: PLC0415

    def cell(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        return int(v) if isinstance(v, float) and v.is_integer() else v

    data = frame if isinstance(frame, dict) else nw.from_native(frame).to_dict(as_series=False)
    return {str(k): [cell(v) for v in vs] for k, vs in data.items()}


_LONG_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),  # id
        st.sampled_from(["self", "peer"]),  # rater
        st.sampled_from([*ITEMS[:4], "zz9"]),  # item (zz9: not the rubric's)
        st.one_of(st.none(), st.integers(1, 5)),  # response
        st.sampled_from(["x", "y"]),  # team: constant within a respondent, or not
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=150, deadline=None)
@given(_LONG_ROWS, st.booleans(), st.booleans(), st.sampled_from(["pyarrow", "pandas", "polars"]))
def test_tables_turn_wide_as_row_by_row_does(
    rows: list[tuple[str, str, str, int | None, str]],
    with_rater: bool,
    with_rubric: bool,
    backend: str,
) -> None:
    # the columnar path (pyarrow, numpy) gives the frame, or the error, of the
    # row-by-row path, which it hands over to whenever anything is off
    from mgrlead.io import long as module  # noqa: PLC0415

    data: dict[str, list[Any]] = {
        "id": [r[0] for r in rows], "rater": [r[1] for r in rows], "item": [r[2] for r in rows],
        "response": [r[3] for r in rows], "team": [r[4] for r in rows],
    }  # fmt: skip
    make = {"pyarrow": pa.table, "pandas": pd.DataFrame, "polars": pl.DataFrame}[backend]
    options: dict[str, Any] = {"rater": "rater" if with_rater else None,
                               "rubric": RUBRIC if with_rubric else None}  # fmt: skip

    def outcome(*, columnar: bool) -> Any:
        from unittest import mock  # noqa: PLC0415

        # without the columnar path: it hands over, as it does when anything is off
        off = mock.patch.object(module, "_from_long_columnar", return_value=None)
        with contextlib.nullcontext() if columnar else off:
            try:
                return _plain_cells(module.from_long(make(data), **options))
            except InputError as exc:
                return ("error", str(exc))

    assert outcome(columnar=True) == outcome(columnar=False)


def test_the_columnar_path_serves_a_clean_table() -> None:
    # a table with nothing wrong does not go row by row (the fast path is used)
    from mgrlead.io import long as module  # noqa: PLC0415

    long = pa.table({"id": ["a", "a", "b"], "item": ["pr1", "pr2", "pr1"], "response": [4, 2, 5]})
    assert module._from_long_columnar(
        long, keys=["id"], item="item", response="response", known=None
    ).to_pydict() == {"id": ["a", "b"], "pr1": [4, 5], "pr2": [2, None]}
