"""``mgrlead assess`` in a real pseudo-terminal (pexpect), as a person runs it."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

import mgrlead

pexpect = pytest.importorskip("pexpect")

ML = mgrlead.load_rubric("manager-leader")
SRC = Path(mgrlead.__file__).resolve().parents[1]


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
