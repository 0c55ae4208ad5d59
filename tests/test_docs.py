"""The documentation keeps up with the code."""

from __future__ import annotations

import inspect
from pathlib import Path

from mgrlead import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_hook_is_in_the_hook_reference() -> None:
    page = (DOCS / "hooks.md").read_text("utf-8")
    hooks = [
        n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("mgrlead_")
    ]
    assert len(hooks) == 5
    for name in hooks:
        assert f".. autofunction:: mgrlead.hookspecs.{name}" in page, name
        assert inspect.getdoc(getattr(hookspecs, name)), name


def test_every_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.md").read_text("utf-8")
    for page in DOCS.glob("*.md"):
        if page.stem != "index":
            assert f"\n{page.stem}\n" in index, page.name
