"""The command-line tool, driven as a user would drive it."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from rich.console import Console

import mgrlead
from mgrlead.cli.render import show_profile
from mgrlead.io.serialize import dump_rubric

from .helpers import one_line_error, run

ML = mgrlead.load_rubric("manager-leader")
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"


def _example_answers() -> list[tuple[str, dict[str, int | None]]]:
    with EXAMPLE.open(newline="") as f:
        return [
            (
                r["respondent"],
                {i: int(r[i]) if r[i] not in {"", "NA"} else None for i in ML.item_ids},
            )
            for r in csv.DictReader(f)
        ]


def _check_score_csv(text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = _example_answers()
    assert [r["respondent"] for r in rows] == [who for who, _ in expected]
    for row, (_, answers) in zip(rows, expected, strict=True):
        profile = mgrlead.score(ML, answers)
        for s in profile:
            cell = row[f"{s.dimension}_percent"]
            assert (float(cell) == s.percent) if s.scorable else cell == ""
            assert row[f"{s.dimension}_band"] == (s.band or "")
        assert row["overall_band"] == (profile.overall.band or "")


class TestScore:
    def test_scores_every_row_and_passes_columns_through(self) -> None:
        result = run("score", str(EXAMPLE))
        assert result.exit_code == 0, result.output
        header = next(csv.reader(io.StringIO(result.stdout)))
        assert header[:2] == ["respondent", "team"]
        _check_score_csv(result.stdout)

    def test_json_output(self) -> None:
        result = run("score", str(EXAMPLE), "--format", "json")
        records = json.loads(result.stdout)
        expected = _example_answers()
        assert len(records) == len(expected)
        for record, (who, answers) in zip(records, expected, strict=True):
            assert record["respondent"] == who
            profile = mgrlead.score(ML, answers)
            assert record["overall_percent"] == profile.overall.percent
            assert record["structure_strategy_answered"] == profile["structure_strategy"].answered

    def test_output_file_is_written_whole(self, tmp_path: Path) -> None:
        out = tmp_path / "scores.csv"
        result = run("score", str(EXAMPLE), "-o", str(out))
        assert result.exit_code == 0
        assert result.stdout == ""
        _check_score_csv(out.read_text("utf-8"))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]

    def test_failed_run_leaves_no_output_file(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.csv"
        text = EXAMPLE.read_text("utf-8").splitlines()
        text[5] = text[5].replace(",3,", ",33,", 1)
        bad.write_text("\n".join(text) + "\n", "utf-8")
        out = tmp_path / "scores.csv"
        result = run("score", str(bad), "-o", str(out))
        assert "line 6" in one_line_error(result)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("7", r"line 3: item 'pr2': 7 is outside the scale 1..5"),
            ("abc", r"line 3, column 'pr2': 'abc' is not a number"),
            ("2.5", r"line 3: item 'pr2': 2.5 is not a whole number"),
            ("nan", r"line 3, column 'pr2': 'nan' is not an answer"),
        ],
    )
    def test_bad_cell_names_line_and_column(self, tmp_path: Path, cell: str, message: str) -> None:
        path = tmp_path / "r.csv"
        rows = [["id", *ML.item_ids], ["a", *["3"] * 24], ["b", "4", cell, *["3"] * 22]]
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
        assert re.search(message, one_line_error(run("score", str(path))))

    def test_na_markers(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        rows = [["id", *ML.item_ids], ["a", "-", *["3"] * 23]]
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
        assert "'-' is not a number" in one_line_error(run("score", str(path)))
        result = run("score", str(path), "--na", "-", "--format", "json")
        assert json.loads(result.stdout)[0]["process_results_answered"] == 5

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("", "the file is empty"),
            ("id,pr1\n", r"no column for items 'pr2'"),
            ("id," + ",".join(ML.item_ids) + "\n", "no data rows"),
            ("id,id," + ",".join(ML.item_ids) + "\n", "'id' appear twice"),
            ("id," + ",".join(ML.item_ids) + "\nx,1,2\n", "line 2: 3 cells but the header has 25"),
        ],
    )
    def test_malformed_files(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "r.csv"
        path.write_text(content, "utf-8")
        assert re.search(message, one_line_error(run("score", str(path))))

    def test_missing_file(self) -> None:
        line = one_line_error(run("score", "no/such/file.csv"))
        assert "cannot read 'no/such/file.csv': No such file or directory" in line

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        path.write_bytes(b"id,\xff\xfe\n")
        assert "not UTF-8" in one_line_error(run("score", str(path)))

    def test_output_folder_must_exist(self) -> None:
        line = one_line_error(run("score", str(EXAMPLE), "-o", "/no/such/dir/out.csv"))
        assert "does not exist" in line

    def test_unknown_rubric(self) -> None:
        line = one_line_error(run("score", str(EXAMPLE), "--rubric", "manager-leadr"))
        assert "did you mean 'manager-leader'" in line

    def test_rubric_file(self, tmp_path: Path) -> None:
        path = tmp_path / "ml.json"
        path.write_text(dump_rubric(ML), "utf-8")
        result = run("score", str(EXAMPLE), "--rubric", str(path))
        assert result.exit_code == 0
        _check_score_csv(result.stdout)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert mgrlead.__version__ in result.stdout


class TestRubricCommands:
    def test_show_lists_dimensions_poles_and_items(self) -> None:
        result = run("rubric", "show")
        assert result.exit_code == 0
        for d in ML.dimensions:
            assert d.low.label in result.stdout
            assert d.high.label in result.stdout
        for i in ML.items:
            assert i.id in result.stdout
        assert "Manager-leaning" in result.stdout

    def test_show_unknown(self) -> None:
        assert "no rubric named 'nope'" in one_line_error(run("rubric", "show", "nope"))

    def test_list(self) -> None:
        result = run("rubric", "list")
        assert result.stdout.startswith("manager-leader\t1.0\tManager or Leader?")


class TestAssess:
    def test_answers_file(self, tmp_path: Path) -> None:
        answers = {i.id: (5 if i.keyed == "leader" else 1) for i in ML.items}
        path = tmp_path / "a.json"
        path.write_text(json.dumps(answers), "utf-8")
        result = run("assess", "--answers", str(path))
        assert result.exit_code == 0
        for d in ML.dimensions:
            assert d.name in result.stdout
            assert d.high.development.split()[0] in result.stdout
        assert "Leader-leaning" in result.stdout
        assert "100.0" in result.stdout
        as_json = run("assess", "--answers", str(path), "--json")
        assert mgrlead.Profile.from_json(as_json.stdout) == mgrlead.score(ML, answers)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{", "not valid JSON"),
            ("[1]", "expected a JSON object"),
            ('{"pr1": 9}', "item 'pr1': 9 is outside the scale"),
            ('{"zz": 1}', "unknown item 'zz'"),
        ],
    )
    def test_bad_answers_file(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "a.json"
        path.write_text(content, "utf-8")
        assert message in one_line_error(run("assess", "--answers", str(path)))

    def test_missing_answers_file(self) -> None:
        assert "cannot read" in one_line_error(run("assess", "--answers", "nope.json"))

    @staticmethod
    def _order(stderr: str) -> list[str]:
        """The item order the note on standard error announces."""
        note = re.search(r"one a line, [^:]*:\s*([^\n]*(?:\n[^\n]+)*)", stderr)
        assert note is not None, stderr
        return [i.strip() for i in " ".join(note.group(1).split()).split(",")]

    def test_piped_answers_follow_the_rubric_order(self) -> None:
        replies = [1 + k % 5 for k in range(24)]  # not symmetric: the order matters
        script = "".join(f"{r}\n" for r in replies)
        first = run("assess", "--json", input=script)
        second = run("assess", "--json", input=script)
        assert first.exit_code == 0, first.output
        expected = mgrlead.score(ML, dict(zip(ML.item_ids, replies, strict=True)))
        assert mgrlead.Profile.from_json(first.stdout) == expected
        assert mgrlead.Profile.from_json(second.stdout) == expected
        assert "in the rubric's order" in first.stderr
        assert self._order(first.stderr) == list(ML.item_ids)

    def test_seed_gives_a_fixed_shuffled_order_for_piped_answers(self) -> None:
        replies = [1 + k % 5 for k in range(24)]
        script = "".join(f"{r}\n" for r in replies)
        a = run("assess", "--seed", "1", "--json", input=script)
        b = run("assess", "--seed", "1", "--json", input=script)
        c = run("assess", "--seed", "2", "--json", input=script)
        order = self._order(a.stderr)
        assert order == self._order(b.stderr)
        assert order != self._order(c.stderr)
        assert sorted(order) == sorted(ML.item_ids)
        assert order != list(ML.item_ids)
        assert "in the order of --seed 1" in a.stderr
        expected = mgrlead.score(ML, dict(zip(order, replies, strict=True)))
        assert mgrlead.Profile.from_json(a.stdout) == expected

    def test_piped_answers_follow_each_items_own_scale(self, tmp_path: Path) -> None:
        # an item with a 1..7 scale of its own in a 1..5 rubric: 7 is an answer to
        # it (it was refused: every item was checked against the rubric's scale),
        # and 6 is refused for a 1..5 item, naming its own range
        from mgrlead import Item, Scale  # noqa: PLC0415
        from mgrlead.io.serialize import dump_rubric  # noqa: PLC0415

        seven = Scale(min=1, max=7, labels=tuple("abcdefg"))
        dim = ML.dimensions[0]
        items = (*dim.items[:5], Item(id="wide", text="On seven points", keyed="leader",
                                      scale=seven))  # fmt: skip
        rubric = attrs.evolve(ML, dimensions=[attrs.evolve(dim, items=items), *ML.dimensions[1:]])
        path = tmp_path / "r.json"
        path.write_text(dump_rubric(rubric), "utf-8")
        replies = ["3"] * 5 + ["7"] + ["4"] * 18
        done = run(
            "assess", "--rubric", str(path), "--json", input="".join(f"{r}\n" for r in replies)
        )
        assert done.exit_code == 0, done.output
        profile = mgrlead.Profile.from_json(done.stdout)
        expected = mgrlead.score(rubric, dict(zip(rubric.item_ids, map(int, replies), strict=True)))
        assert (profile.dimensions, profile.overall) == (expected.dimensions, expected.overall)
        bad = ["6"] + ["3"] * 23
        refused = run("assess", "--rubric", str(path), input="".join(f"{r}\n" for r in bad))
        assert refused.exit_code == 2
        assert "'pr1': give a number from 1 to 5" in refused.stderr.splitlines()[-1]

    def test_back_and_skip_in_piped_answers(self) -> None:
        # first: 5, then back and 1; the second statement skipped; the rest 3
        script = ["5", "b", "1", "s", *["3"] * 22]
        result = run("assess", "--json", input="\n".join(script) + "\n")
        assert result.exit_code == 0, result.output
        expected = dict.fromkeys(ML.item_ids, 3)
        expected[ML.item_ids[0]] = 1
        expected.pop(ML.item_ids[1])
        assert mgrlead.Profile.from_json(result.stdout) == mgrlead.score(ML, expected)

    @pytest.mark.parametrize(
        ("script", "message"),
        [
            ("4\nx\n", "standard input, line 2: 'x' is not an answer to item 'pr2'"),
            ("4\n9\n", "standard input, line 2: '9' is not an answer"),
            ("4\n4\n", "standard input ended after 2 lines, at statement 3 of 24"),
            ("4\n", "standard input ended after 1 line, at statement 2 of 24"),
            ("3\n" * 25, "1 more line after the 24 answers"),
        ],
    )
    def test_bad_piped_answers_are_one_line(self, script: str, message: str) -> None:
        result = run("assess", input=script)
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        errors = [x for x in result.stderr.splitlines() if x.startswith("mgrlead: error: ")]
        assert len(errors) == 1
        assert message in errors[0]
        assert result.stdout == ""

    def test_quitting_saves_nothing(self) -> None:
        result = run("assess", input="4\nq\n")
        assert result.exit_code == 130
        assert "Assessment cancelled; nothing was saved." in result.stderr
        assert "Overall" not in result.stdout


def test_readme_main_job_end_to_end() -> None:
    """The README's main-job command, run as a separate process."""
    exe = shutil.which("mgrlead", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "mgrlead"]
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [*command, "score", "examples/responses.csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    _check_score_csv(done.stdout)
    assert done.stderr == ""


def test_assess_prints_the_norm_interval_on_the_scale_of_the_score(tmp_path: Path) -> None:
    """The interval next to a 0-100 score is on 0-100, not on the 1-5 item mean."""
    norms = tmp_path / "norms.toml"
    assert run("norms", "build", str(EXAMPLE), "-o", str(norms)).exit_code == 0
    answers = {item: 1 + k % 5 for k, item in enumerate(ML.item_ids)}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), "utf-8")
    result = run("assess", "--answers", str(path), "--norms", str(norms))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    profile = mgrlead.score(ML, answers, norms=mgrlead.analysis.norms.load_norms(norms))
    for s in profile:
        norm = s.norm
        assert norm is not None
        assert norm.ci_low is not None
        assert norm.ci_high is not None
        assert norm.raw == s.mean  # the table describes item means on the 1-5 scale
        low, high = ((v - 1) / 4 * 100 for v in (norm.ci_low, norm.ci_high))
        assert f"95% interval of the score: {low:.1f} to {high:.1f} (of 100)" in text
        assert f"{norm.ci_low:.2f}" not in text


def test_norms_help_promises_only_what_it_has() -> None:
    result = run("norms", "--help")
    assert result.exit_code == 0
    commands = set(re.findall(r"^  (\w+)\s", result.output.split("Commands:")[1], re.MULTILINE))
    assert commands == {"build"}
    summary = result.output.split("Options:")[0]
    assert "look at" not in summary  # there is no command to look at a norm table
    assert "build" in summary


def test_a_dimension_not_scorable_says_why_once() -> None:
    profile = mgrlead.score(ML, {"pr1": 4})
    out = Console(file=io.StringIO(), width=100, highlight=False)
    show_profile(ML, profile, out)
    text = " ".join(out.file.getvalue().split())  # type: ignore[attr-defined]
    assert "Not scorable: 1 of 6 items answered; at least 3 needed." in text
    assert "statements answered)" not in text


def test_a_profile_written_off_a_terminal_has_no_padding() -> None:
    # rich pads every line to the width; in a file or a pipe that is 80 columns of spaces
    done = subprocess.run(
        [sys.executable, "-m", "mgrlead", "assess"],
        input="4\n" * 24, capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert len(lines) > 20
    assert [line for line in lines if line != line.rstrip()] == []
