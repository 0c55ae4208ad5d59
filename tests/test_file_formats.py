"""SPSS, Stata, R and Excel files in and out, with labels (issue 20, part 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.helpers import run

import mgrlead
from mgrlead import InputError
from mgrlead.api import scoring_plan
from mgrlead.io.formats import variable_names, write_scores

pyreadstat = pytest.importorskip("pyreadstat")
openpyxl = pytest.importorskip("openpyxl")
pyreadr = pytest.importorskip("pyreadr")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
RUBRIC = mgrlead.load_rubric("manager-leader")
DIMS = scoring_plan(RUBRIC).dimension_ids


def _answers() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE).head(12)


def _scores() -> pd.DataFrame:
    return mgrlead.score_frame(RUBRIC, _answers())


PROVENANCE = {"rubric": "manager-leader", "rubric_version": "1.0", "content_hash": "sha256:x"}
HASH = "sha256:" + "0123456789abcdef" * 4  # a whole content hash: 71 characters


def test_sav_round_trip_with_labels(tmp_path: Path) -> None:
    scores = _scores()
    out = tmp_path / "scores.sav"
    write_scores(out, scores, RUBRIC, DIMS, answers=_answers(), provenance=PROVENANCE)
    back, meta = pyreadstat.read_sav(out)
    assert list(back.columns[: len(scores.columns)]) == list(scores.columns)
    assert list(back["respondent"]) == list(scores["respondent"])
    np.testing.assert_array_equal(back["process_results_mean"], scores["process_results_mean"])
    labels = meta.column_names_to_labels
    assert labels["pr1"] == RUBRIC.item("pr1").text
    assert labels["staff_counsel_percent"] == "Organize and staff vs. guide and counsel: percent"
    assert labels["overall_band"] == "Overall: band"
    assert meta.variable_value_labels["pr1"] == {
        1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither agree nor disagree",
        4.0: "Agree", 5.0: "Strongly agree",
    }  # fmt: skip
    bands = {1.0: "Manager-leaning", 2.0: "Balanced", 3.0: "Leader-leaning"}
    assert meta.variable_value_labels["process_results_band"] == bands
    order = ["manager_leaning", "balanced", "leader_leaning"]
    codes = [order.index(b) + 1 for b in scores["process_results_band"]]
    assert list(back["process_results_band"]) == codes
    assert json.loads("".join(meta.notes).removeprefix("mgrlead ")) == PROVENANCE
    np.testing.assert_array_equal(back["pr3"], _answers()["pr3"])


def test_dta_round_trip_with_labels(tmp_path: Path) -> None:
    scores = _scores()
    out = tmp_path / "scores.dta"
    write_scores(out, scores, RUBRIC, DIMS, provenance=PROVENANCE)
    back, meta = pyreadstat.read_dta(out)
    assert list(back.columns) == list(scores.columns)
    np.testing.assert_array_equal(back["overall_percent"], scores["overall_percent"])
    assert meta.column_names_to_labels["memos_coaching_sum"].endswith(": sum")
    assert meta.variable_value_labels["overall_band"] == {
        1: "Manager-leaning",
        2: "Balanced",
        3: "Leader-leaning",
    }
    assert meta.file_label == "mgrlead scores: manager-leader 1.0 sha256:x"
    # a whole content hash does not fit in Stata's 80 characters: its start does
    write_scores(out, scores, RUBRIC, DIMS, provenance={**PROVENANCE, "content_hash": HASH})
    label = pyreadstat.read_dta(out, metadataonly=True)[1].file_label
    assert label == "mgrlead scores: manager-leader 1.0 " + HASH[:45]
    assert len(label) == 80


def test_invalid_names_are_mapped_and_kept_in_the_label(tmp_path: Path) -> None:
    names = ["person id", "1st", "with", "a" * 40, "a" * 40 + "b", "Person_id"]
    sav = variable_names(names, ".sav")
    dta = variable_names(names, ".dta")
    assert sav["person id"] == "person_id"
    assert sav["1st"] == "v1st"
    assert sav["with"] == "with_"
    assert dta["a" * 40] == "a" * 32
    assert dta["a" * 40 + "b"] == "a" * 30 + "_2"
    assert sav["Person_id"] == "Person_id_2"  # SPSS names ignore case
    assert len(set(dta.values())) == len(names)
    scores = _scores().rename(columns={"respondent": "person id"})
    out = tmp_path / "scores.dta"
    write_scores(out, scores, RUBRIC, DIMS)
    back, meta = pyreadstat.read_dta(out)
    assert "person_id" in back.columns
    assert meta.column_names_to_labels["person_id"] == "person id"


def test_rds_round_trip(tmp_path: Path) -> None:
    scores = _scores()
    out = tmp_path / "scores.rds"
    write_scores(out, scores, RUBRIC, DIMS)
    back = pyreadr.read_r(out)[None]
    assert list(back.columns) == list(scores.columns)
    np.testing.assert_array_equal(back["memos_coaching_percent"], scores["memos_coaching_percent"])
    assert list(back["overall_band"]) == list(scores["overall_band"])


def test_xlsx_sheets_and_provenance(tmp_path: Path) -> None:
    scores = _scores()
    out = tmp_path / "scores.xlsx"
    write_scores(out, scores, RUBRIC, DIMS, answers=_answers(), provenance=PROVENANCE)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["scores", "answers", "provenance"]
    rows = list(book["scores"].iter_rows(values_only=True))
    assert list(rows[0]) == list(scores.columns)
    assert rows[1][list(scores.columns).index("overall_percent")] == scores["overall_percent"][0]
    assert dict(list(book["provenance"].iter_rows(values_only=True))[1:]) == PROVENANCE
    answers = list(book["answers"].iter_rows(values_only=True))
    assert list(answers[1]) == list(_answers().iloc[0])


def _answers_sav(tmp_path: Path, frame: pd.DataFrame, **options: object) -> Path:
    path = tmp_path / "answers.sav"
    pyreadstat.write_sav(frame, path, **options)
    return path


def test_sav_user_missing_codes_are_missing_not_zero(tmp_path: Path) -> None:
    answers = _answers()
    answers.loc[0, "pr1"] = 9  # SPSS user-missing: "refused"
    answers.loc[1, "pr2"] = 0  # SPSS user-missing: "not asked"
    path = _answers_sav(
        tmp_path, answers, missing_ranges={"pr1": [9], "pr2": [0]},
        variable_value_labels={"pr1": {9: "refused", 1: "one"}},
    )  # fmt: skip
    result = run("score", str(path), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    got = pd.read_csv(tmp_path / "out.csv", comment="#")
    expected_answers = _answers()
    expected_answers.loc[0, "pr1"] = None
    expected_answers.loc[1, "pr2"] = None
    expected = mgrlead.score_frame(RUBRIC, expected_answers)
    np.testing.assert_array_equal(
        got["process_results_answered"], expected["process_results_answered"]
    )
    assert got["process_results_answered"][0] == 5
    np.testing.assert_allclose(got["process_results_mean"], expected["process_results_mean"])


@pytest.mark.parametrize("suffix", [".dta", ".xlsx"])
def test_score_reads_stata_and_excel(tmp_path: Path, suffix: str) -> None:
    answers = _answers()
    path = tmp_path / f"answers{suffix}"
    if suffix == ".dta":
        pyreadstat.write_dta(answers, path)
    else:
        answers.to_excel(path, index=False)
    result = run("score", str(path), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    got = pd.read_csv(tmp_path / "out.csv", comment="#")
    np.testing.assert_allclose(got["overall_percent"], _scores()["overall_percent"])


def test_sav_with_text_in_an_item_column_is_one_line(tmp_path: Path) -> None:
    answers = _answers().astype({"pr2": str})
    answers.loc[3, "pr2"] = "often"
    path = _answers_sav(tmp_path, answers)
    result = run("score", str(path))
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert "answers.sav, row 3" in result.output
    assert "'pr2'" in result.output
    assert "often" in result.output


def test_sav_missing_an_item_column_is_named(tmp_path: Path) -> None:
    path = _answers_sav(tmp_path, _answers().rename(columns={"ss4": "ss_4"}))
    result = run("analyze", str(path))
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert "'ss4'" in result.output


@pytest.mark.parametrize("suffix", [".sav", ".dta", ".rds", ".xlsx"])
def test_cli_writes_by_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"scores{suffix}"
    result = run("score", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    expected = mgrlead.score_frame(RUBRIC, pd.read_csv(EXAMPLE))
    if suffix == ".sav":
        back, meta = pyreadstat.read_sav(out)
        assert meta.column_names_to_labels["overall_percent"] == "Overall: percent"
        assert json.loads("".join(meta.notes).removeprefix("mgrlead "))["rubric"] == (
            "manager-leader"
        )
    elif suffix == ".dta":
        back, _ = pyreadstat.read_dta(out)
    elif suffix == ".rds":
        back = pyreadr.read_r(out)[None]
    else:
        book = openpyxl.load_workbook(out)
        assert book.sheetnames == ["scores", "provenance"]
        provenance = dict(list(book["provenance"].iter_rows(values_only=True))[1:])
        assert provenance["rubric"] == "manager-leader"
        assert provenance["content_hash"] == scoring_plan(RUBRIC).content_hash
        back = pd.read_excel(out, sheet_name="scores")
    assert len(back) == len(expected)
    np.testing.assert_allclose(back["overall_percent"], expected["overall_percent"])


def test_cli_labelled_format_needs_a_file() -> None:
    result = run("score", str(EXAMPLE), "--format", "sav")
    assert result.exit_code != 0
    assert "--format sav writes a file: give it with -o OUT.sav" in result.output


def test_cli_format_contradicting_extension(tmp_path: Path) -> None:
    result = run("score", str(EXAMPLE), "-o", str(tmp_path / "x.sav"), "--format", "dta")
    assert result.exit_code != 0
    assert "is a .sav file but --format says dta" in result.output


def test_write_unknown_extension() -> None:
    with pytest.raises(InputError, match=r"use \.sav, \.dta, \.rds, \.xlsx"):
        write_scores("x.txt", _scores(), RUBRIC, DIMS)


def test_missing_scores_stay_missing_in_sav(tmp_path: Path) -> None:
    answers = _answers().astype(dict.fromkeys(RUBRIC.item_ids, float))
    for item in [i.id for i in RUBRIC.items if i.id.startswith("pr")]:
        answers.loc[0, item] = math.nan
    scores = mgrlead.score_frame(RUBRIC, answers)
    out = tmp_path / "s.sav"
    write_scores(out, scores, RUBRIC, DIMS)
    back, _ = pyreadstat.read_sav(out)
    assert math.isnan(back["process_results_mean"][0])
    assert math.isnan(back["process_results_band"][0])
    assert back["process_results_answered"][0] == 0


@pytest.mark.parametrize("suffix", [".sav", ".dta", ".xlsx"])
def test_not_a_file_of_its_kind_is_one_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_text("respondent,pr1\nR1,3\n")
    result = run("score", str(path))
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"mgrlead: error: cannot read {str(path)!r}")


def test_cli_with_answers_round_trips_through_excel(tmp_path: Path) -> None:
    book = tmp_path / "scores.xlsx"
    result = run("score", str(EXAMPLE), "--with-answers", "-o", str(book))
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(book).sheetnames == ["scores", "answers", "provenance"]
    again = run("score", str(book), "-o", str(tmp_path / "again.csv"))
    assert again.exit_code == 0, again.output
    got = pd.read_csv(tmp_path / "again.csv", comment="#")
    expected = mgrlead.score_frame(RUBRIC, pd.read_csv(EXAMPLE))
    np.testing.assert_allclose(got["overall_percent"], expected["overall_percent"])
    assert list(got["respondent"]) == list(expected["respondent"])


def test_cli_with_answers_in_sav_has_the_items(tmp_path: Path) -> None:
    out = tmp_path / "scores.sav"
    result = run("score", str(EXAMPLE), "--with-answers", "-o", str(out))
    assert result.exit_code == 0, result.output
    back, meta = pyreadstat.read_sav(out)
    np.testing.assert_array_equal(back["ss4"], pd.read_csv(EXAMPLE)["ss4"])
    assert meta.variable_value_labels["ss4"][1.0] == "Strongly disagree"


def test_cli_with_answers_needs_a_labelled_format(tmp_path: Path) -> None:
    result = run("score", str(EXAMPLE), "--with-answers", "-o", str(tmp_path / "s.csv"))
    assert result.exit_code != 0
    assert "--with-answers is for -o .sav, .dta, .rds or .xlsx" in result.output


@pytest.mark.parametrize(
    ("suffix", "module", "extra"),
    [(".sav", "pyreadstat", "spss"), (".rds", "pyreadr", "r"), (".xlsx", "openpyxl", "excel")],
)
def test_missing_extra_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(__import__("sys").modules, module, None)  # import fails
    result = run("score", str(EXAMPLE), "-o", str(tmp_path / f"s{suffix}"))
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert f"pip install 'mgrlead[{extra}]'" in result.output
    assert not (tmp_path / f"s{suffix}").exists()
