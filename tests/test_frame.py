"""Batch scoring of frames: pandas, polars, pyarrow and plain mappings."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import mgrlead
from mgrlead import AnswerError, InputError

ML = mgrlead.load_rubric("manager-leader")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "responses.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _answers(row: dict[str, str]) -> dict[str, int | None]:
    return {i: (int(row[i]) if row[i] not in {"", "NA"} else None) for i in ML.item_ids}


def _columns() -> dict[str, list[Any]]:
    rows = _example_rows()
    cols: dict[str, list[Any]] = {"respondent": [r["respondent"] for r in rows]}
    for i in ML.item_ids:
        cols[i] = [_answers(r)[i] for r in rows]
    cols["team"] = [r["team"] for r in rows]
    return cols


def _check_rows_equal_single(result: dict[str, list[Any]], rows: list[dict[str, str]]) -> None:
    for n, row in enumerate(rows):
        profile = mgrlead.score(ML, _answers(row))
        for s in profile:
            value = result[f"{s.dimension}_percent"][n]
            if s.scorable:
                assert value == s.percent
            else:
                assert value is None or math.isnan(value)
            assert result[f"{s.dimension}_answered"][n] == s.answered
            band = result[f"{s.dimension}_band"][n]
            assert band == s.band if s.scorable else (band is None or math.isnan(band))
        overall = result["overall_percent"][n]
        assert (
            (overall is None or math.isnan(overall))
            if not profile.overall.scorable
            else (overall == profile.overall.percent)
        )


def test_examples_score_frame_agrees_with_score_row_by_row() -> None:
    rows = _example_rows()
    assert len(rows) >= 20
    out = mgrlead.score_frame(ML, pd.DataFrame(_columns()))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns[:2]) == ["respondent", "team"]
    _check_rows_equal_single(out.to_dict(orient="list"), rows)
    # The examples include a respondent whose structure_strategy is not scorable.
    assert out["structure_strategy_percent"].isna().sum() == 1


@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")
def test_pandas_without_a_string_dtype_gets_band_ids_as_objects() -> None:
    # pandas 2 (supported) keeps text as object columns; pandas 3 can still be told to.
    with pd.option_context("future.infer_string", False):  # noqa: FBT003
        out = mgrlead.score_frame(ML, pd.DataFrame(_columns()))
        assert out["overall_band"].dtype == np.dtype(object)
        assert out["structure_strategy_band"].dtype == np.dtype(object)
        assert out["structure_strategy_band"].isna().sum() == 1  # None, not the text "None"
    _check_rows_equal_single(out.to_dict(orient="list"), _example_rows())


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "dict"])
def test_every_frame_kind_gives_the_same_numbers(kind: str) -> None:
    cols = _columns()
    frame: Any = {"polars": pl.DataFrame, "pyarrow": pa.table, "dict": dict}[kind](cols)
    out = mgrlead.score_frame(ML, frame)
    if kind == "polars":
        assert isinstance(out, pl.DataFrame)
        data = out.to_dict(as_series=False)
        # not scorable is null in polars, not NaN
        assert out["structure_strategy_percent"].null_count() == 1
    elif kind == "pyarrow":
        assert isinstance(out, pa.Table)
        data = out.to_pydict()
    else:
        assert isinstance(out, dict)
        data = {k: list(v) for k, v in out.items()}
    _check_rows_equal_single(data, _example_rows())


def test_nullable_integer_columns() -> None:
    frame = pd.DataFrame({i: pd.array([3, None, 5], dtype="Int64") for i in ML.item_ids})
    out = mgrlead.score_frame(ML, frame)
    assert out["process_results_answered"].tolist() == [6, 0, 6]
    assert out["process_results_percent"].isna().tolist() == [False, True, False]


def test_absent_item_column_is_named_with_a_hint() -> None:
    cols = _columns()
    cols["pr_2"] = cols.pop("pr2")
    with pytest.raises(InputError, match=r"no column for item 'pr2' \(column 'pr_2' looks"):
        mgrlead.score_frame(ML, cols)


def test_bad_cell_names_row_and_item() -> None:
    cols = _columns()
    cols["os3"][7] = 9
    with pytest.raises(AnswerError, match=r"row 7: item 'os3': 9.0 is outside the scale 1..5") as e:
        mgrlead.score_frame(ML, pd.DataFrame(cols))
    assert (e.value.row, e.value.item) == (7, "os3")


def test_several_bad_cells_are_counted() -> None:
    cols = _columns()
    cols["os3"][2] = 2.5
    cols["os4"][5] = 0
    with pytest.raises(AnswerError, match=r"row 2: item 'os3': 2.5 is not a whole number.*1 more"):
        mgrlead.score_frame(ML, cols)


def test_strings_in_an_item_column_are_refused_by_row() -> None:
    cols = _columns()
    cols["mc1"] = [str(v) for v in cols["mc1"]]
    with pytest.raises(AnswerError, match=r"row 0: item 'mc1': got str '\d'"):
        mgrlead.score_frame(ML, pd.DataFrame(cols))


def test_boolean_item_column_is_refused() -> None:
    cols = _columns()
    cols["mc1"] = [True] * len(cols["mc1"])
    with pytest.raises(AnswerError, match="item 'mc1': the column holds booleans"):
        mgrlead.score_frame(ML, pl.DataFrame(cols))


def test_pass_through_column_that_clashes_with_a_score_column() -> None:
    cols = _columns()
    cols["overall_band"] = ["x"] * len(cols["team"])
    with pytest.raises(InputError, match="'overall_band' would be overwritten"):
        mgrlead.score_frame(ML, cols)


def test_columns_of_different_lengths() -> None:
    cols = _columns()
    cols["team"] = cols["team"][:3]
    with pytest.raises(InputError, match="different lengths"):
        mgrlead.score_frame(ML, cols)


def test_unsupported_frame_type() -> None:
    with pytest.raises(InputError, match="not list"):
        mgrlead.score_frame(ML, [1, 2, 3])


def test_empty_frame_gives_empty_result() -> None:
    out = mgrlead.score_frame(
        ML, pd.DataFrame({i: pd.Series([], dtype=float) for i in ML.item_ids})
    )
    assert len(out) == 0
    assert "overall_percent" in out.columns


def test_score_matrix_checks_its_shape() -> None:
    with pytest.raises(AnswerError, match=r"shape \(n, 24\)"):
        mgrlead.score_matrix(ML, np.zeros((2, 3)))
