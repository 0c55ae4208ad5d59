"""Small rubric builders for tests (no hypothesis here)."""

from __future__ import annotations

from mgrlead import Dimension, Item, Pole, Rubric, Scale


def pole(pid: str) -> Pole:
    return Pole(id=pid, label=pid.title())


def dim(did: str, items: list[Item], **kw: object) -> Dimension:
    return Dimension(id=did, name=did, low=pole("lo"), high=pole("hi"), items=items, **kw)


def item(iid: str, keyed: str = "hi", weight: float = 1.0) -> Item:
    return Item(id=iid, text=f"statement {iid}", keyed=keyed, weight=weight)


def rubric(dims: list[Dimension], **kw: object) -> Rubric:
    kw.setdefault("scale", Scale.agreement(5))
    return Rubric(id="test", version="1", title="Test", dimensions=dims, **kw)
