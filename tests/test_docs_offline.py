"""The documentation reads offline: formulas are MathML made at build time, no script from a CDN.

The pages used ``sphinx.ext.mathjax``, which loads MathJax from a CDN and
shows raw LaTeX without a network (issue 16, item 15).  The docs build
(``sphinx-build -W`` in CI) renders every formula with the same converter.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _conf() -> dict[str, object]:
    """The simple assignments of docs/conf.py (read, not run: it needs Sphinx)."""
    tree = ast.parse((DOCS / "conf.py").read_text("utf-8"))
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def _formulas() -> list[tuple[str, str]]:
    out = []
    for page in sorted(DOCS.glob("*.md")):
        text = re.sub(r"```.*?```", "", page.read_text("utf-8"), flags=re.DOTALL)
        for block, inline in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", text, flags=re.DOTALL):
            out.append((page.name, block or inline))
    return out


def test_no_math_script_from_a_cdn() -> None:
    conf = _conf()
    extensions = conf["extensions"]
    assert isinstance(extensions, list)
    assert "sphinx.ext.mathjax" not in extensions
    assert conf["html_math_renderer"] == "mathml"
    assert "mathjax_path" not in conf
    source = (DOCS / "conf.py").read_text("utf-8")
    assert "https://" not in source


def _renderer() -> Any:
    """docs/mathml.py, the converter the docs build uses."""
    spec = importlib.util.spec_from_file_location("docs_mathml", DOCS / "mathml.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_formula_of_the_docs_becomes_mathml() -> None:
    render = _renderer().mathml
    formulas = _formulas()
    assert len(formulas) > 50  # the pages on norms, reliability, teams and semantics
    for page, latex in formulas:
        mathml = render(latex)
        assert mathml.startswith("<math"), (page, latex)
        assert "\\" not in re.sub(r"<[^>]+>", "", mathml), (page, latex)  # no raw LaTeX left


def test_the_command_reference_is_written_from_the_commands() -> None:
    assert "sphinx_click" in _conf()["extensions"]  # type: ignore[operator]
    page = (DOCS / "cli-reference.md").read_text("utf-8")
    assert ".. click:: mgrlead.cli:cli" in page
    assert ":nested: full" in page
