"""Small rubric builders and command-line runners for tests (no hypothesis here)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from mgrlead import Dimension, Item, Pole, Rubric, Scale
from mgrlead.cli import cli


def run(*args: str, input: str | None = None) -> Result:  # noqa: A002
    """``mgrlead ARGS`` in-process, standard input from ``input``."""
    return CliRunner().invoke(cli, list(args), input=input)


def one_line_error(result: Result) -> str:
    """The one ``mgrlead: error:`` line a refused command printed (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mgrlead: error: ")
    assert "Traceback" not in result.output
    return lines[0]


def pole(pid: str) -> Pole:
    return Pole(id=pid, label=pid.title())


def dim(did: str, items: list[Item], **kw: object) -> Dimension:
    return Dimension(id=did, name=did, low=pole("lo"), high=pole("hi"), items=items, **kw)


def item(iid: str, keyed: str = "hi", weight: float = 1.0) -> Item:
    return Item(id=iid, text=f"statement {iid}", keyed=keyed, weight=weight)


def rubric(dims: list[Dimension], **kw: object) -> Rubric:
    kw.setdefault("scale", Scale.agreement(5))
    return Rubric(id="test", version="1", title="Test", dimensions=dims, **kw)
