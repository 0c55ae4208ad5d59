"""Score tables keep every value and the provenance, in JSON, CSV and Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
from mgrlead import InputError, ScoreTable
from mgrlead.api import scoring_plan
from mgrlead.cli import cli
from mgrlead.testing import hypothesis as mh

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"


def _example_table() -> ScoreTable:
    return mgrlead.score_table("manager-leader", pd.read_csv(EXAMPLE))


@pytest.mark.parametrize("suffix", ["json", "csv", "parquet"])
def test_write_and_read_back_equal(tmp_path: Path, suffix: str) -> None:
    table = _example_table()
    path = tmp_path / f"scores.{suffix}"
    table.write(path)
    again = ScoreTable.read(path)
    assert again == table
    assert again.columns == table.columns  # (columns are not part of == for speed)
    assert again.content_hash == scoring_plan(mgrlead.load_rubric("manager-leader")).content_hash
    assert [p.name for p in tmp_path.iterdir()] == [f"scores.{suffix}"]


def test_table_rows_equal_single_scores() -> None:
    table = _example_table()
    frame = pd.read_csv(EXAMPLE)
    rubric = mgrlead.load_rubric("manager-leader")
    for row in range(len(table)):
        answers = {i: frame.loc[row, i] for i in rubric.item_ids}
        profile = mgrlead.score(rubric, answers)
        for s in profile:
            assert table.columns[f"{s.dimension}_percent"][row] == s.percent
            assert table.columns[f"{s.dimension}_band"][row] == s.band
        assert table.columns["overall_percent"][row] == profile.overall.percent
    assert table.kinds["respondent"] == "str"
    assert table.kinds["ca3"] == "float"  # pandas read a column with a gap as floats
    assert None in table.columns["ca3"]


@given(
    mh.rubrics().flatmap(lambda r: st.tuples(st.just(r), mh.answer_frames(r, max_rows=8))),
    st.sampled_from(["json", "csv", "parquet"]),
)
def test_any_scores_round_trip(case: tuple[mgrlead.Rubric, dict[str, Any]], suffix: str) -> None:
    rubric, frame = case
    frame = {**frame, "who": [f"p{n}" for n in range(len(next(iter(frame.values()))))]}
    table = mgrlead.score_table(rubric, frame)
    if suffix == "json":
        again = ScoreTable.from_dict(__import__("json").loads(table.to_json()))
    elif suffix == "csv":
        again = ScoreTable.from_csv(table.to_csv())
    else:
        again = ScoreTable.from_arrow(table.to_arrow())
    assert again == table
    assert again.columns == table.columns


def test_to_frame() -> None:
    table = _example_table()
    frame = table.to_frame("pandas")
    assert list(frame.columns) == list(table.columns)
    assert frame["overall_percent"].isna().sum() == table.columns["overall_percent"].count(None)


def test_bad_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(InputError, match="no '# mgrlead' provenance line"):
        ScoreTable.read(plain)
    with pytest.raises(InputError, match=r"use \.json, \.csv or \.parquet"):
        _example_table().write(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="cannot read"):
        ScoreTable.read(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"columns": {}}', "utf-8")
    with pytest.raises(InputError, match="not an mgrlead score table"):
        ScoreTable.read(bad)


def test_cli_parquet(tmp_path: Path) -> None:
    out = tmp_path / "scores.parquet"
    done = CliRunner().invoke(cli, ["score", str(EXAMPLE), "--format", "parquet", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert ScoreTable.read(out).columns["respondent"] == _example_table().columns["respondent"]
    no_file = CliRunner().invoke(cli, ["score", str(EXAMPLE), "--format", "parquet"])
    assert no_file.exit_code == 2
    assert "give it with -o" in no_file.stderr
