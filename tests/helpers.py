"""Small rubric builders and command-line runners for tests (no hypothesis here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from click.testing import CliRunner, Result

from mgrlead import Dimension, Item, Pole, Rubric, Scale
from mgrlead.cli import cli

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mgrlead.model import IrtParams


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


def irt_dimension(
    params: Sequence[IrtParams | None],
    keyed: Sequence[str],
    *,
    did: str = "trait",
    ids: Sequence[str] | None = None,
    points: Sequence[int] | None = None,
    **fields: Any,
) -> Dimension:
    """Dimension ``did`` (poles ``low`` and ``high``) of items ``i0, i1, ...`` ("Item n").

    ``params[n]`` and ``keyed[n]`` are item n's IRT parameters (``None``: none) and keying;
    ``ids`` other item ids; ``points[n]`` gives item n its own agreement scale of that many
    points; ``fields`` are more fields of the dimension.
    """
    ids = list(ids) if ids is not None else [f"i{n}" for n in range(len(params))]
    scales = [Scale.agreement(k) for k in points] if points is not None else [None] * len(params)
    items = [
        Item(id=iid, text=f"Item {n}", keyed=k, irt=p, scale=scale)
        for n, (iid, p, k, scale) in enumerate(zip(ids, params, keyed, scales, strict=True))
    ]
    return Dimension(
        id=did,
        name=did.title(),
        low=Pole(id="low", label="Low"),
        high=Pole(id="high", label="High"),
        items=items,
        **fields,
    )


def irt_rubric(
    params: Sequence[IrtParams | None],
    keyed: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    points: Sequence[int] | None = None,
    rubric_id: str = "irt-test",
    title: str = "IRT test",
    version: str = "1",
    rubric_fields: Mapping[str, Any] | None = None,
    **dimension: Any,
) -> Rubric:
    """A rubric (5-point agreement scale) of one :func:`irt_dimension` ``trait``.

    ``rubric_fields`` are more fields of the rubric (``strategy``, ``theta``); the other
    keywords are fields of the dimension.
    """
    dim = irt_dimension(params, keyed, ids=ids, points=points, **dimension)
    return Rubric(
        id=rubric_id,
        version=version,
        title=title,
        scale=Scale.agreement(5),
        dimensions=[dim],
        **dict(rubric_fields or {}),
    )
