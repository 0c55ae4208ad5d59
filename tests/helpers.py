"""Small rubric builders, IRT test data and command-line runners for tests (no hypothesis here)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner, Result

from mgrlead import Dimension, Item, Pole, Rubric, Scale
from mgrlead.cli import cli
from mgrlead.model import IrtParams

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: Six items' IRT parameters: every model (GRM twice, once with D = 1.702; RSM twice,
#: sharing their steps).
MIXED = (
    IrtParams(model="grm", a=1.2, thresholds=(-1.8, -0.6, 0.4, 1.7)),
    IrtParams(model="grm", a=2.0, thresholds=(-1.0, -0.2, 0.3, 0.9), scaling=1.702),
    IrtParams(model="gpcm", a=0.8, steps=(-1.5, 0.5, -0.2, 1.1)),
    IrtParams(model="pcm", steps=(-0.5, -1.0, 0.8, 1.4)),
    IrtParams(model="rsm", location=0.3, steps=(-1.2, -0.3, 0.4, 1.1)),
    IrtParams(model="rsm", location=-0.4, steps=(-1.2, -0.3, 0.4, 1.1)),
)


def p_textbook(p: IrtParams, k: int, theta: float) -> float:
    """P(keyed category k | θ), from the textbook formulas (scalar Python, no mgrlead code)."""
    da = p.scaling * (1.0 if p.a is None else p.a)
    if p.model == "grm":
        star = [1.0] + [1.0 / (1.0 + math.exp(-da * (theta - b))) for b in p.thresholds] + [0.0]
        return star[k] - star[k + 1]
    steps = [(p.location or 0.0) + s for s in p.steps] if p.model == "rsm" else list(p.steps)
    z = [0.0]
    for d in steps:
        z.append(z[-1] + da * (theta - d))
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return e[k] / sum(e)


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
