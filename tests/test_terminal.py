"""``mgrlead assess`` in a real pseudo-terminal (pexpect), as a person runs it."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.cli import cli

ML = mgrlead.load_rubric("manager-leader")
SRC = Path(mgrlead.__file__).resolve().parents[1]
LEFT, UP = "\x1b[D", "\x1b[A"


def _spawn(command: str, tmp_path: Path, *, columns: int = 100) -> Any:
    """Run ``command`` (a shell line) in a terminal ``columns`` wide."""
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS=str(columns), LINES="40", TERM="xterm")
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        "/bin/sh",
        ["-c", command],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, columns),
    )


def _mgrlead(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "mgrlead", *args))


def test_json_to_a_file_keeps_the_prompts_on_the_terminal(tmp_path: Path) -> None:
    child = _spawn(_mgrlead("assess", "--json") + " > me.json", tmp_path)
    for n in range(1, 25):
        child.expect(f"{n}/24")  # the person sees every statement
        child.send("4\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    profile = mgrlead.Profile.from_json((tmp_path / "me.json").read_text("utf-8"))
    assert profile == mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4))


def test_output_file_saves_the_profile_and_shows_it(tmp_path: Path) -> None:
    child = _spawn(_mgrlead("assess", "-o", "me.json"), tmp_path)
    for n in range(1, 25):
        child.expect(f"{n}/24")
        child.send("2\r")
    child.expect("saved the profile in me.json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = json.loads((tmp_path / "me.json").read_text("utf-8"))
    assert mgrlead.Profile.from_dict(saved) == mgrlead.score(ML, dict.fromkeys(ML.item_ids, 2))


def _answers_file(tmp_path: Path, answers: dict[str, int]) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), "utf-8")
    return path


def _screen(child: Any) -> str:
    """What the terminal showed until the command ended, without colours."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(child.before))
    return text.replace("\r\n", "\n")


def _order(seed: int) -> list[str]:
    """The order --seed gives, as the piped mode announces it."""
    result = CliRunner().invoke(cli, ["assess", "--seed", str(seed)], input="3\n" * 24)
    note = " ".join(result.stderr.split())
    ids = note.split(f"--seed {seed}: ")[1].split(" ")[:24]
    return [i.rstrip(",") for i in ids]


def test_keys_answer_go_back_skip_and_quit_only_when_confirmed(tmp_path: Path) -> None:
    child = _spawn(_mgrlead("assess", "--seed", "3", "--json") + " > me.json", tmp_path)
    child.expect("1/24")
    child.expect("Your answer")
    child.send("5")  # one key press, no Enter
    child.expect("2/24")
    child.expect("Your answer")
    child.send(LEFT)  # back to the first statement
    child.expect("1/24")
    child.expect("Enter keeps 5")
    child.send(UP)  # ignored, and not echoed
    child.send("1")
    child.expect("2/24")
    child.expect("Your answer")
    child.send("s")  # skipped
    child.expect("3/24")
    child.expect("Your answer")
    child.send("q")
    child.expect("Quit without saving your answers")
    child.send("n")  # do not quit after all
    for n in range(3, 25):
        if n > 3:
            child.expect(f"{n}/24")
        child.expect("Your answer")
        child.send("3")
    shown = _screen(child)
    assert "^[" not in shown
    order = _order(3)
    expected: dict[str, int] = dict.fromkeys(order, 3)
    expected[order[0]] = 1
    expected.pop(order[1])
    saved = mgrlead.Profile.from_json((tmp_path / "me.json").read_text("utf-8"))
    assert saved == mgrlead.score(ML, expected)


def test_quitting_asks_first_and_then_saves_nothing(tmp_path: Path) -> None:
    child = _spawn(_mgrlead("assess", "-o", "me.json"), tmp_path)
    child.expect("1/24")
    child.expect("Your answer")
    child.send("4")
    child.expect("2/24")
    child.expect("Your answer")
    child.send("q")
    child.expect("Quit without saving your answers")
    child.send("y")
    child.expect("nothing was saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (tmp_path / "me.json").exists()


def _mixed() -> dict[str, int]:
    """Answers that put process_results at 14/24 and staff_counsel at 15/24 of the way."""
    answers = dict.fromkeys(ML.item_ids, 3)  # every term half-way
    pr, sc = ML.dimensions[0], ML.dimensions[1]
    pr_leader = [i.id for i in pr.items if i.keyed == pr.high.id]
    sc_leader = [i.id for i in sc.items if i.keyed == sc.high.id]
    answers[pr_leader[0]] = 5  # one term at 1: (2.5 + 1) / 6 = 58.3 %
    answers[sc_leader[0]] = 5  # and one at 0.75: (2 + 1 + 0.75) / 6 = 62.5 %
    answers[sc_leader[1]] = 4
    return answers


@pytest.mark.parametrize("columns", [60, 100])
def test_every_number_fits_the_terminal(tmp_path: Path, columns: int) -> None:
    path = _answers_file(tmp_path, _mixed())
    shown = _screen(_spawn(_mgrlead("assess", "--answers", str(path)), tmp_path, columns=columns))
    summary = shown[shown.index("at a glance") :]
    for number, label in (("58.3", "Balanced"), ("62.5", "Leader-leaning"), ("50.0", "Balanced")):
        assert f"{number} {label}" in summary
    assert max(len(line) for line in shown.splitlines()) <= columns
    assert "0 to 100" in shown  # the scale is explained


def test_close_scores_get_different_places_on_their_bars(tmp_path: Path) -> None:
    path = _answers_file(tmp_path, _mixed())
    shown = _screen(_spawn(_mgrlead("assess", "--answers", str(path)), tmp_path, columns=100))
    summary = shown[shown.index("at a glance") :].splitlines()
    bars = [line for line in summary if "●" in line]
    # the bars line up (same start and end), so the dots' columns compare the scores
    starts = {line.index("━") for line in bars}
    assert len(starts) == 1
    places = [line.index("●") for line in bars]
    assert places[0] < places[1]  # 58.3 before 62.5
    assert places[2] == places[3]  # 50.0 and 50.0


def test_a_balanced_score_names_the_pole_it_describes(tmp_path: Path) -> None:
    path = _answers_file(tmp_path, _mixed())
    shown = _screen(_spawn(_mgrlead("assess", "--answers", str(path)), tmp_path, columns=100))
    section = shown[shown.index("Process-oriented vs. results-oriented") :]
    section = section[: section.index("Organize and staff vs.")]
    pr = ML.dimensions[0]
    assert "58.3 Balanced" in section
    assert f"Your answers lean toward {pr.high.label}." in section
    heading = re.search(rf"^\s*{re.escape(pr.high.label)}\s*$", section, re.MULTILINE)
    assert heading is not None  # the pole is named above its texts
    assert heading.start() < section.index("What it means:")
    assert pr.high.strengths.split()[0] in section


def test_straight_lining_gets_a_plain_word(tmp_path: Path) -> None:
    path = _answers_file(tmp_path, dict.fromkeys(ML.item_ids, 4))
    shown = _screen(_spawn(_mgrlead("assess", "--answers", str(path)), tmp_path, columns=80))
    text = " ".join(shown.split())
    assert "You gave the same answer to all 24 statements" in text
    varied = _answers_file(tmp_path, _mixed())
    other = _screen(_spawn(_mgrlead("assess", "--answers", str(varied)), tmp_path, columns=80))
    assert "same answer to all" not in " ".join(other.split())


def test_each_band_is_explained_once(tmp_path: Path) -> None:
    path = _answers_file(tmp_path, _mixed())
    shown = _screen(_spawn(_mgrlead("assess", "--answers", str(path)), tmp_path, columns=100))
    text = " ".join(shown.split())
    for band in ML.bands:
        assert text.count(" ".join(band.feedback.split())) == 1, band.id


ELEVEN_POINTS = """
id = "eleven"
version = "1.0"
title = "Eleven points"

[scale]
min = 0
max = 10
labels = ["0 never", "1", "2", "3", "4", "5 sometimes", "6", "7", "8", "9", "10 always"]

[[dimensions]]
id = "pace"
name = "Steady vs. fast"
low = { id = "steady", label = "Steady" }
high = { id = "fast", label = "Fast" }
items = [
  { id = "p1", text = "I finish one thing before I start the next.", keyed = "steady" },
  { id = "p2", text = "I move on as soon as something is good enough.", keyed = "fast" },
]
"""


def test_two_digit_answers_wait_for_the_second_key_or_enter(tmp_path: Path) -> None:
    (tmp_path / "eleven.toml").write_text(ELEVEN_POINTS)
    child = _spawn(
        _mgrlead("assess", "--rubric", "eleven.toml", "--seed", "1", "--json") + " > me.json",
        tmp_path,
    )
    child.expect("1/2")
    child.expect("Your answer")
    child.send("1")  # could be 1 or 10: waits
    child.send("\r")  # Enter: 1
    child.expect("2/2")
    child.expect("Your answer")
    child.send("1")
    child.send("0")  # 10: the only answer that starts so
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    rubric = mgrlead.load_rubric(tmp_path / "eleven.toml")
    order = [i.strip(",") for i in _order_of(rubric, tmp_path)]
    saved = mgrlead.Profile.from_json((tmp_path / "me.json").read_text("utf-8"))
    assert saved == mgrlead.score(rubric, {order[0]: 1, order[1]: 10})


def _order_of(rubric: mgrlead.Rubric, tmp_path: Path) -> list[str]:
    result = CliRunner().invoke(
        cli, ["assess", "--rubric", str(tmp_path / "eleven.toml"), "--seed", "1"], input="0\n0\n"
    )
    return " ".join(result.stderr.split()).split("--seed 1: ")[1].split(" ")[: len(rubric.items)]


def test_questions_fit_a_60_column_terminal(tmp_path: Path) -> None:
    # A review found "3 Neither agree nor" / "disagree" split across lines, the echoed
    # answer cut inside a word ("Strongly agre" / "e") and the quit question wrapped.
    child = _spawn(_mgrlead("assess", "--json") + " > me.json", tmp_path, columns=60)
    child.logfile_read = io.StringIO()
    child.expect("1/24")
    child.send("5")  # Strongly agree
    child.expect("2/24")
    child.send("q")
    child.expect("Quit without saving")
    child.send("n")  # any key but y goes on
    child.expect("going on")
    child.send("3")
    for n in range(3, 25):
        child.expect(f"{n}/24")
        child.send("4")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())
    lines = [line.replace("\u00a0", " ").rstrip() for line in text.split("\r\n")]
    assert max(len(line) for line in lines) <= 60
    assert any("3 Neither agree nor disagree" in line for line in lines)
    assert any(line.endswith(": 5 Strongly agree") for line in lines)
    assert any(line.endswith("(y: quit, other: go on) going on") for line in lines)
