"""Sphinx configuration for the mgrlead documentation."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))
from mathml import mathml

import mgrlead
from mgrlead.analysis.norms import NormTable
from mgrlead.io.schema import rubric_schema
from mgrlead.irt import score_theta
from mgrlead.report.charts import chart_bytes, feedback360_chart, profile_chart, team_chart
from mgrlead.report.irt_charts import information_chart, theta_chart

project = "mgrlead"
author = "The mgrlead developers"
copyright = "2026, The mgrlead developers"
release = mgrlead.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_click",
]
# Formulas become MathML when the pages are built (docs/mathml.py, with
# latex2mathml): browsers draw MathML themselves, so the pages need no script
# and nothing from the network, and read the same offline.
html_math_renderer = "mathml"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_generated", "conftest.py", "mathml.py"]
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = False

html_theme = "furo"
html_title = f"mgrlead {release}"


# -- A directive that lists every key of the rubric-file format, from the schema.
from docutils import nodes  # noqa: E402
from docutils.statemachine import StringList  # noqa: E402
from sphinx.util.docutils import SphinxDirective  # noqa: E402


class RubricKeys(SphinxDirective):
    """``{mgrlead-rubric-keys}``: one table per object of the rubric format."""

    def run(self) -> list[nodes.Node]:
        """Build the tables."""
        schema = rubric_schema()
        objects = [("Rubric (the top level)", schema), *schema["$defs"].items()]
        lines: list[str] = []
        for name, obj in objects:
            required = set(obj.get("required", schema["then"]["required"] if obj is schema else []))
            lines += [
                f".. rubric:: {name}",
                "",
                ".. list-table::",
                "   :header-rows: 1",
                "   :widths: 20 20 60",
                "",
                "   * - key",
                "     - type",
                "     - meaning",
            ]
            for key, prop in obj["properties"].items():
                kind = prop.get("type") or prop.get("$ref", "").rsplit("/", 1)[-1]
                if kind == "array":
                    inner = prop["items"].get("type") or prop["items"]["$ref"].rsplit("/", 1)[-1]
                    kind = f"list of {inner}"
                if "enum" in prop:
                    kind += " (" + ", ".join(map(str, prop["enum"])) + ")"
                need = " **(required)**" if key in required else ""
                text = prop.get("description", "").replace("\n", " ")
                lines += [f"   * - ``{key}``{need}", f"     - {kind}", f"     - {text}"]
            lines.append("")
        container = nodes.container()
        self.state.nested_parse(StringList(lines), self.content_offset, container)
        return container.children


def make_gallery(_app: object) -> None:
    """Draw the gallery of docs/reports.md from the example data (into _generated/)."""
    here = Path(__file__).parent
    out = here / "_generated" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    examples = here.parent / "examples"
    rubric = mgrlead.load_rubric("manager-leader")
    data = pacsv.read_csv(examples / "responses.csv").to_pydict()
    norms = NormTable.build(rubric, data, id="example")
    profile = mgrlead.score(rubric, {i: data[i][0] for i in rubric.item_ids}, norms=norms)
    rounds = mgrlead.score_360(rubric, pacsv.read_csv(examples / "360-responses.csv").to_pydict())
    teams = mgrlead.summarize_teams(rubric, data, by="team")
    charts = {
        "profile": profile_chart(profile, rubric),
        "feedback360": feedback360_chart(rounds["blake"], rubric),
        "team": team_chart(teams["sales"], rubric),
    }
    # item response theory (docs/irt.md): the example rubric with parameters
    calibrated = mgrlead.load_rubric(str(examples / "irt-coaching.toml"))
    answers = {"c1": 4, "c2": 2, "c3": 5, "c4": None}
    charts["irt-information"] = information_chart(calibrated, "coaching", target_se=0.5)
    charts["irt-theta"] = theta_chart(calibrated, score_theta(calibrated, answers)["coaching"])
    for name, figure in charts.items():
        (out / f"{name}.svg").write_bytes(chart_bytes(figure, "svg"))


def _visit_inline_math(self, node: nodes.Node) -> None:  # noqa: ANN001
    self.body.append(f'<span class="math">{mathml(node.astext(), "inline")}</span>')
    raise nodes.SkipNode


def _visit_block_math(self, node: nodes.Node) -> None:  # noqa: ANN001
    self.body.append(f'<div class="math">{mathml(node.astext(), "block")}</div>')
    raise nodes.SkipNode


def setup(app):  # noqa: ANN001, ANN201, D103
    app.add_html_math_renderer("mathml", (_visit_inline_math, None), (_visit_block_math, None))
    app.add_directive("mgrlead-rubric-keys", RubricKeys)
    app.connect("builder-inited", make_gallery)
    return {"parallel_read_safe": True}
