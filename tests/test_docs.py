"""The documentation keeps up with the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from mgrlead.io.serialize import load_rubric_text
from mgrlead.plugins import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_hook_is_in_the_hook_reference() -> None:
    page = (DOCS / "hooks.md").read_text("utf-8")
    hooks = [
        n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("mgrlead_")
    ]
    assert len(hooks) == 6  # issue 20 part 3 added mgrlead_register_rubric_formats
    for name in hooks:
        assert f".. autofunction:: mgrlead.plugins.hookspecs.{name}" in page, name
        assert inspect.getdoc(getattr(hookspecs, name)), name


def test_every_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.md").read_text("utf-8")
    for page in DOCS.glob("*.md"):
        if page.stem != "index":
            assert f"\n{page.stem}\n" in index, page.name


def test_the_three_formats_on_the_rubric_files_page_are_the_same_rubric() -> None:
    page = (DOCS / "rubric-files.md").read_text("utf-8")
    blocks = {
        fmt: re.search(rf"```{fmt}\n(.*?)```", page, re.DOTALL) for fmt in ("toml", "json", "yaml")
    }
    loaded = [load_rubric_text(m.group(1), fmt=fmt) for fmt, m in blocks.items() if m]
    assert len(loaded) == 3
    assert loaded[0] == loaded[1] == loaded[2]
    assert loaded[0].scale.missing_codes == {9}
