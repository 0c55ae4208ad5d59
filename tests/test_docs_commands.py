"""The console examples of the reports page run as they are, in order, in an empty folder.

Only ``examples/`` (as shipped) is there: every other file a command reads
must be made by a command before it (issue 16, item 15).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mgrlead.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _commands(page: str) -> list[list[str]]:
    """The ``$ mgrlead ...`` lines of the page's console blocks, comments dropped."""
    blocks = re.findall(r"```console\n(.*?)```", (DOCS / page).read_text("utf-8"), re.DOTALL)
    lines = [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith("mgrlead ")]


@pytest.mark.parametrize(
    "page", ["reports.md", "long-format.md", "file-formats.md", "survey-tools.md"]
)
def test_every_command_of_the_page_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _commands(page)
    assert len(commands) >= (4 if page == "reports.md" else 2)
    for args in commands:
        answers = "3\n" * 24 if args[0] == "assess" else None
        result = CliRunner().invoke(cli, args, input=answers)
        assert result.exit_code == 0, (args, result.output)
