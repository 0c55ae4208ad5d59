"""Rubric files in every format, the expressive parts of the format, and provenance."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
import mgrlead.api
from helpers import dim, item, rubric
from mgrlead import (
    Band,
    Dimension,
    Item,
    ItemRef,
    MissingCode,
    ResponseScore,
    RubricError,
    RubricFileError,
    Scale,
    Weighting,
)
from mgrlead.analysis.provenance import IncomparableError, check_comparable, content_hash
from mgrlead.cli import cli
from mgrlead.io.schema import rubric_schema
from mgrlead.io.serialize import dump_rubric, load_rubric_text, unstructure_rubric
from mgrlead.plugins.host import reset_default_host
from mgrlead.testing import hypothesis as mh

ML = mgrlead.load_rubric("manager-leader")
FORMATS = ("toml", "json", "yaml")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


# ------------------------------------------------------------------ formats
@pytest.mark.parametrize("fmt", FORMATS)
def test_builtin_exported_and_loaded_back_is_equal_and_scores_the_same(
    tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"ml.{fmt}"
    path.write_text(dump_rubric(ML, fmt), "utf-8")
    again = mgrlead.load_rubric(path)
    assert again == ML
    answers = {"pr1": 2, "pr2": 5, "pr3": 1, "pr4": 4, "os1": 5, "mc2": 2}
    a, b = mgrlead.score(again, answers), mgrlead.score(ML, answers)
    assert (a.dimensions, a.overall, a.content_hash) == (b.dimensions, b.overall, b.content_hash)


@given(mh.rubrics(), st.sampled_from(FORMATS))
def test_dump_then_load_gives_back_an_equal_rubric(drawn: mgrlead.Rubric, fmt: str) -> None:
    assert load_rubric_text(dump_rubric(drawn, fmt), fmt=fmt) == drawn


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "evil.yaml",
        """
        id: !!python/object/apply:os.system ["echo pwned"]
        version: "1"
        """,
    )
    with pytest.raises(RubricFileError, match=r"evil.yaml: not valid YAML: .*python/object"):
        mgrlead.load_rubric(path)


def test_yaml_types_are_not_coerced(tmp_path: Path) -> None:
    data = unstructure_rubric(ML)
    text = dump_rubric(ML, "yaml").replace("version: '1.0'", "version: 1.0")
    assert text != dump_rubric(ML, "yaml")
    with pytest.raises(RubricFileError, match=r"expected a string, got float 1.0 @ \$.version"):
        load_rubric_text(text, fmt="yaml", source="r.yaml")
    assert data["version"] == "1.0"
    _ = tmp_path


def test_a_file_with_several_mistakes_reports_all_of_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rubric.toml",
        """
        id = "broken"
        version = "1"
        title = "Broken"
        colour = "blue"

        [scale]
        min = 1
        max = "5"
        labels = ["a", "b", "c", "d", "e"]

        [[dimensions]]
        id = "d1"
        name = "D1"
        items = [{ id = "x1", text = "t", keyed = "+", weight = "heavy" }]

        [[dimensions]]
        id = "d2"
        name = "D2"
        items = [{ id = "x2", text = "t", keyd = "+" }]
        """,
    )
    with pytest.raises(RubricFileError) as info:
        mgrlead.load_rubric(path)
    problems = info.value.problems
    assert "expected an integer, got str '5' @ $.scale.max" in problems
    assert "expected a number, got str 'heavy' @ $.dimensions[0].items[0].weight" in problems
    assert any(p.startswith("unknown key 'colour'") and p.endswith("@ $") for p in problems)
    assert any("'keyd' (did you mean 'keyed'?)" in p for p in problems)
    assert "required key is missing @ $.dimensions[1].items[0].keyed" in problems
    assert str(info.value).startswith(f"rubric.toml: {len(problems)} problems")


def test_json_schema_accepts_real_rubrics_and_refuses_unknown_keys() -> None:
    schema = rubric_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(unstructure_rubric(ML), schema)
    bad = unstructure_rubric(ML)
    bad["dimensions"][0]["items"][0]["wieght"] = 2
    with pytest.raises(jsonschema.ValidationError, match="wieght"):
        jsonschema.validate(bad, schema)
    item_props = schema["$defs"]["Item"]["properties"]
    assert item_props["weight"]["type"] == "number"
    assert "description" in item_props["keyed"]
    assert schema["$defs"]["Dimension"]["properties"]["band_on"]["enum"] == [
        "percent",
        "mean",
        "score",
    ]


@given(mh.rubrics())
def test_json_schema_accepts_every_generated_rubric(drawn: mgrlead.Rubric) -> None:
    jsonschema.validate(unstructure_rubric(drawn), rubric_schema())


# ------------------------------------------------------------ expressiveness
def test_hierarchy_to_any_depth_scores_parents_from_all_items() -> None:
    leaf = dim("leaf", [item("a"), item("b")])
    middle = dim("middle", [item("c")], dimensions=[leaf])
    top = dim("top", [], dimensions=[middle, dim("other", [item("d", "lo")])])
    r = rubric([top])
    profile = mgrlead.score(r, {"a": 5, "b": 5, "c": 1, "d": 5})
    assert profile["leaf"].percent == 100.0
    assert profile["middle"].percent == pytest.approx(200 / 3)
    assert profile["other"].percent == 0.0
    assert profile["top"].percent == 50.0  # (1 + 1 + 0 + 0) / 4, not the mean of children
    assert [s.parent for s in profile] == [None, "top", "middle", "top"]


def test_an_item_in_two_dimensions_with_its_own_keying() -> None:
    r = rubric(
        [
            dim("d1", [item("a"), item("b")]),
            dim("d2", [item("c")], item_refs=[ItemRef(id="a", keyed="lo")]),
        ]
    )
    profile = mgrlead.score(r, {"a": 5, "b": 5, "c": 5})
    assert profile["d1"].percent == 100.0
    assert profile["d2"].percent == 50.0  # c at the top, a reversed to the bottom
    assert profile["d2"].n_items == 2


def test_item_refs_are_checked() -> None:
    with pytest.raises(RubricError, match="refers to item 'zz', which no dimension defines"):
        rubric([dim("d1", [item("a")], item_refs=[ItemRef(id="zz", keyed="+")])])
    with pytest.raises(RubricError, match="item 'a' counts twice toward dimension 'd1'"):
        rubric([dim("d1", [item("a")], item_refs=[ItemRef(id="a", keyed="+")])])


def test_unipolar_dimensions_have_no_position() -> None:
    extraversion = Dimension(
        id="e", name="Extraversion", polarity="unipolar", items=[item("e1", "+"), item("e2", "-")]
    )
    r = rubric([extraversion])
    s = mgrlead.score(r, {"e1": 5, "e2": 1})["e"]
    assert s.percent == 100.0
    assert s.position is None
    batch = mgrlead.score_matrix(r, np.array([[5.0, 1.0]]))
    assert math.isnan(batch.dimensions["e"]["position"][0])
    assert batch.profile(0) == mgrlead.score(r, {"e1": 5, "e2": 1})


def test_missing_codes_never_count_as_answers() -> None:
    scale = Scale(min=1, max=5, labels=list("abcde"), missing=[MissingCode(code=9, label="N/A")])
    r = rubric([dim("d", [item("a"), item("b"), item("c")])], scale=scale)
    s = mgrlead.score(r, {"a": 9, "b": 9, "c": 4})["d"]
    assert (s.answered, s.missing, s.scorable) == (1, 2, False)
    batch = mgrlead.score_matrix(r, np.array([[9.0, 4.0, 5.0]]))
    assert batch.dimensions["d"]["answered"].tolist() == [2]
    assert batch.profile(0) == mgrlead.score(r, {"a": 9, "b": 4, "c": 5})
    with pytest.raises(mgrlead.AnswerError, match=r"or 9 for not applicable"):
        mgrlead.score(r, {"a": 8})


def test_missing_codes_must_be_off_the_scale() -> None:
    with pytest.raises(RubricError, match="missing code 3 is also a point of the scale"):
        Scale(min=1, max=5, labels=list("abcde"), missing=[MissingCode(code=3, label="x")])


def test_response_maps_and_item_scales() -> None:
    yes_no = Scale(min=0, max=1, labels=["no", "yes"])
    mapped = Item(
        id="m",
        text="Mapped",
        keyed="hi",
        scale=Scale(min=1, max=3, labels=["x", "y", "z"]),
        responses=[
            ResponseScore(code=1, score=0),
            ResponseScore(code=2, score=0),
            ResponseScore(code=3, score=10),
        ],
    )
    r = rubric([dim("d", [mapped, Item(id="yn", text="Y/N", keyed="lo", scale=yes_no)])])
    s = mgrlead.score(r, {"m": 3, "yn": 0})["d"]
    assert s.sum == 10 + 1  # 3 scores 10; "no" on a low-keyed 0/1 item reverses to 1
    assert s.percent == 100.0
    assert mgrlead.score(r, {"m": 2, "yn": 1})["d"].percent == 0.0
    with pytest.raises(mgrlead.AnswerError, match=r"item 'yn': 5 is outside the scale 0..1"):
        mgrlead.score(r, {"yn": 5})
    batch = mgrlead.score_matrix(r, np.array([[3.0, 0.0], [2.0, np.nan]]))
    assert batch.profile(0) == mgrlead.score(r, {"m": 3, "yn": 0})
    assert batch.profile(1) == mgrlead.score(r, {"m": 2})


def test_response_maps_must_cover_the_scale() -> None:
    with pytest.raises(RubricError, match=r"item 'm': its responses must score every point"):
        rubric(
            [
                dim(
                    "d",
                    [
                        Item(
                            id="m",
                            text="t",
                            keyed="hi",
                            responses=[
                                ResponseScore(code=1, score=0),
                                ResponseScore(code=2, score=1),
                            ],
                        )
                    ],
                )
            ]
        )


def test_bands_on_the_mean_and_on_the_score() -> None:
    on_mean = (
        Band(id="low", label="Low", lower=1, upper=2.5),
        Band(id="avg", label="Average", lower=2.5, upper=3.5, include_upper=True),
        Band(id="high", label="High", lower=3.5, upper=5, include_lower=False, include_upper=True),
    )
    r = rubric([dim("d", [item("a"), item("b")], bands=on_mean, band_on="mean")])
    assert mgrlead.score(r, {"a": 3, "b": 4})["d"].band == "avg"  # mean 3.5, inclusive
    assert mgrlead.score(r, {"a": 4, "b": 4})["d"].band == "high"
    on_sum = (
        Band(id="low", label="Low", lower=0, upper=5),
        Band(id="high", label="High", lower=5, upper=10, include_upper=True),
    )
    summed = rubric(
        [dim("d", [item("a"), item("b")], bands=on_sum, band_on="score")], strategy="sum"
    )
    assert mgrlead.score(summed, {"a": 2, "b": 2})["d"].band == "low"
    assert mgrlead.score(summed, {"a": 3, "b": 2})["d"].band == "high"
    too_short = (
        Band(id="low", label="Low", lower=0, upper=5),
        Band(id="high", label="High", lower=5, upper=8, include_upper=True),
    )
    short = rubric(
        [dim("d", [item("a"), item("b")], bands=too_short, band_on="score")], strategy="sum"
    )
    with pytest.raises(RubricError, match="the last band 'high' must end at or above 10"):
        mgrlead.api.scoring_plan(short)
    with pytest.raises(RubricError, match="band_on = 'mean' needs bands of its own"):
        dim("d", [item("a")], band_on="mean")


def test_translations_fall_back_and_are_checked() -> None:
    r = attrs.evolve(
        ML,
        translations={
            "de": {
                "title": "Manager oder Führungskraft?",
                "item.pr1.text": "Wenn sich ein Prozess bewährt hat, ...",
            }
        },
    )
    de = r.localized("de")
    assert de.title == "Manager oder Führungskraft?"
    assert de.item("pr1").text.startswith("Wenn sich")
    assert de.item("pr2").text == ML.item("pr2").text  # falls back
    answers = {"pr1": 2, "pr2": 4, "pr3": 3}
    assert mgrlead.score(de, answers).content_hash == mgrlead.score(ML, answers).content_hash
    with pytest.raises(RubricError, match="no texts in 'fr'"):
        r.localized("fr")
    with pytest.raises(RubricError, match=r"unknown text key 'item.pr1.txt'; did you mean"):
        attrs.evolve(ML, translations={"de": {"item.pr1.txt": "x"}})


def test_metadata_round_trips(tmp_path: Path) -> None:
    r = attrs.evolve(
        ML,
        authors=("A. Author", "B. Author"),
        licence="MIT",
        source="mgrlead",
        intended_use="Self-reflection; not for selection decisions.",
    )
    path = tmp_path / "meta.toml"
    path.write_text(dump_rubric(r, "toml"), "utf-8")
    again = mgrlead.load_rubric(path)
    assert (again.authors, again.licence, again.intended_use) == (
        ("A. Author", "B. Author"),
        "MIT",
        "Self-reflection; not for selection decisions.",
    )


# ---------------------------------------------------------- requires, extends
def _requiring(tmp_path: Path, requirement: str) -> Path:
    data = unstructure_rubric(ML)
    data["requires_plugins"] = [requirement]
    return write(tmp_path, "needs.json", json.dumps(data))


def test_required_plugin_not_installed(tmp_path: Path) -> None:
    path = _requiring(tmp_path, "mgrlead-nonesuch>=1.0")
    with pytest.raises(
        RubricFileError, match=r"needs the plugin 'mgrlead-nonesuch>=1.0', which is not installed"
    ):
        mgrlead.load_rubric(path)


def test_required_plugin_too_old(tmp_path: Path) -> None:
    path = _requiring(tmp_path, "mgrlead-change-agent>=9")
    with pytest.raises(RubricFileError, match=r"but version 1.0.0 is installed"):
        mgrlead.load_rubric(path)


def test_required_plugin_installed_but_not_loaded(tmp_path: Path) -> None:
    path = _requiring(tmp_path, "mgrlead-change-agent>=1.0")
    with pytest.raises(RubricFileError, match=r"installed but not loaded"):
        mgrlead.load_rubric(path)  # the test session loads no installed plugin


def test_required_plugin_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _requiring(tmp_path, "mgrlead-change-agent>=1.0")
    monkeypatch.setenv("MGRLEAD_LOAD_PLUGINS", "mgrlead-change-agent")
    reset_default_host()
    try:
        assert mgrlead.load_rubric(path).requires_plugins == ("mgrlead-change-agent>=1.0",)
    finally:
        monkeypatch.setenv("MGRLEAD_LOAD_PLUGINS", "")
        reset_default_host()


def test_required_plugin_not_a_requirement(tmp_path: Path) -> None:
    path = _requiring(tmp_path, "not a requirement!")
    with pytest.raises(RubricFileError, match=r"is not a requirement like"):
        mgrlead.load_rubric(path)


EXTENSION = """
    extends = "manager-leader"
    id = "acme-leadership"
    version = "2026.1"
    title = "ACME leadership profile"

    [weighting]
    id = "acme"
    dimensions = { process_results = 2.0, change = 1.0 }

    [[dimensions]]
    id = "change"
    name = "Guards stability vs. drives change"
    low = { id = "manager", label = "Guards stability" }
    high = { id = "leader", label = "Drives change" }
    items = [
      { id = "ch1", text = "I start changes before I am asked to.", keyed = "leader" },
      { id = "ch2", text = "I keep routines as they are.", keyed = "manager" },
    ]
"""


def test_extends_adds_dimensions_and_overrides_weights(tmp_path: Path) -> None:
    r = mgrlead.load_rubric(write(tmp_path, "acme.toml", EXTENSION))
    assert (r.id, r.version, r.title) == ("acme-leadership", "2026.1", "ACME leadership profile")
    assert [d.id for d in r.dimensions][-1] == "change"
    assert len(r.dimensions) == 5
    assert r.weighting.weight("process_results") == 2.0
    assert r.scale == ML.scale
    assert r.sources["rubric:acme-leadership"] == "file acme.toml"
    assert r.sources["dimension:process_results"].startswith("mgrlead.builtin")
    profile = mgrlead.score(r, dict.fromkeys(r.item_ids, 3))
    assert profile.overall.percent == 50.0
    assert profile.content_hash != mgrlead.score(ML, {}).content_hash


def test_extends_can_replace_bands_of_a_base_dimension(tmp_path: Path) -> None:
    data = unstructure_rubric(ML)
    base_dim = data["dimensions"][0]
    base_dim["bands"] = [
        {"id": "lower", "label": "Lower", "lower": 0, "upper": 50},
        {"id": "upper", "label": "Upper", "lower": 50, "upper": 100, "include_upper": True},
    ]
    text = json.dumps({"extends": "manager-leader", "id": "x", "version": "1",
                       "dimensions": [base_dim]})  # fmt: skip
    r = mgrlead.load_rubric(write(tmp_path, "x.json", text))
    assert len(r.dimensions) == 4
    assert mgrlead.score(r, dict.fromkeys(r.item_ids, 3))["process_results"].band == "upper"


def test_extends_errors_have_paths(tmp_path: Path) -> None:
    text = EXTENSION.replace('id = "acme-leadership"\n', "").replace(
        "process_results = 2.0", 'process_results = "2"'
    )
    with pytest.raises(RubricFileError) as info:
        mgrlead.load_rubric(write(tmp_path, "acme.toml", text))
    problems = info.value.problems
    assert "an extending rubric needs its own id @ $" in problems
    assert any("expected a number, got str '2'" in p and "$.weighting" in p for p in problems)
    missing = write(tmp_path, "m.toml", 'extends = "nope"\nid = "m"\nversion = "1"\n')
    with pytest.raises(
        RubricFileError, match=r"extends 'nope': no rubric named 'nope'.* @ \$.extends"
    ):
        mgrlead.load_rubric(missing)


# ----------------------------------------------------------------- provenance
def test_profiles_record_what_produced_them() -> None:
    profile = mgrlead.score(ML, {"pr1": 3})
    assert profile.content_hash == content_hash(ML)
    assert profile.content_hash.startswith("sha256:")
    assert profile.mgrlead_version == mgrlead.__version__
    assert profile.sources["rubric:manager-leader"].startswith("mgrlead.builtin")


def test_content_hash_ignores_texts_and_follows_scoring() -> None:
    base = content_hash(ML)
    reworded = attrs.evolve(ML, title="Another title", description="New words.")
    assert content_hash(reworded) == base
    changes: list[dict[str, Any]] = [
        {"strategy": "sum"},
        {"weighting": Weighting(id="equal", dimensions={"process_results": 2})},
        {"missing": mgrlead.MissingPolicy(min_share=1.0)},
        {"scale": Scale.agreement(5, start=0)},
    ]
    assert content_hash(ML.localized("de")) == base  # texts in another language
    for change in changes:
        # (the translations go: a scale starting at 0 has no point 5 to translate)
        assert content_hash(attrs.evolve(ML, translations={}, **change)) != base, change
    flipped = ML.dimensions[0]
    item0 = flipped.items[0]
    flipped = attrs.evolve(flipped, items=[attrs.evolve(item0, keyed="leader"), *flipped.items[1:]])
    assert content_hash(attrs.evolve(ML, dimensions=[flipped, *ML.dimensions[1:]])) != base


def test_comparability() -> None:
    a = mgrlead.score(ML, {"pr1": 3})
    b = mgrlead.score(ML, {"pr1": 5})
    assert a.comparable_with(b)
    check_comparable(a, b)
    other = mgrlead.score(attrs.evolve(ML, strategy="sum"), {"pr1": 5})
    assert not a.comparable_with(other)
    with pytest.raises(IncomparableError, match="same name and version but scores differently"):
        check_comparable(a, other)


# ------------------------------------------------------------------- the CLI
def test_cli_schema_validate_export(tmp_path: Path) -> None:
    runner = CliRunner()
    schema = json.loads(runner.invoke(cli, ["rubric", "schema"]).stdout)
    assert schema["title"] == "mgrlead rubric"
    for fmt in FORMATS:
        out = tmp_path / f"ml.{fmt}"
        assert (
            runner.invoke(cli, ["rubric", "export", "--format", fmt, "-o", str(out)]).exit_code == 0
        )
        assert mgrlead.load_rubric(out) == ML
        done = runner.invoke(cli, ["rubric", "validate", str(out)])
        assert (
            done.stdout.strip()
            == f"{out}: valid rubric manager-leader 1.0 (4 dimensions, 24 items)"
        )
    bad = write(tmp_path, "bad.toml", 'id = "x"\nversion = 1\n')
    done = runner.invoke(cli, ["rubric", "validate", str(bad)])
    assert done.exit_code == 2
    assert "bad.toml: " in done.stderr
    assert "expected a string, got int 1 @ $.version" in done.stderr
    assert "required key is missing @ $.title" in done.stderr


def test_cli_rubric_file_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", EXTENSION)
    runner = CliRunner()
    shown = runner.invoke(cli, ["rubric", "show", str(path)])
    assert "Guards stability" in shown.stdout
    answers = write(tmp_path, "a.json", json.dumps({"ch1": 5, "ch2": 1}))
    done = runner.invoke(
        cli, ["assess", "--rubric", str(path), "--answers", str(answers), "--json"]
    )
    assert json.loads(done.stdout)["rubric"] == "acme-leadership"
