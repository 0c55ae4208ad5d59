"""The plugin system: loading, validation, failure modes, composition, listing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import mgrlead
from helpers import item
from mgrlead import Dimension, Pole, Rubric, Scale, Weighting, hookimpl
from mgrlead.cli import cli
from mgrlead.plugins.host import (
    BUILTIN_PLUGIN,
    PluginError,
    PluginHost,
    PluginWarning,
    get_plugin_host,
    reset_default_host,
)
from mgrlead.strategies import DimensionStats, ScoringStrategy

ROOT = Path(__file__).resolve().parent.parent


def make_plugin(name: str, **hooks: Any) -> types.ModuleType:
    """An in-process plugin module with the given hook functions."""
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


def new_dimension(did: str = "extra") -> Dimension:
    return Dimension(
        id=did,
        name=did.title(),
        low=Pole(id="manager", label="Steady"),
        high=Pole(id="leader", label="Bold"),
        items=[item(f"{did}1", "leader"), item(f"{did}2", "manager")],
    )


def host(*plugins: object, strict: bool = False) -> PluginHost:
    return get_plugin_host(entrypoints=False, plugins=plugins, strict=strict, environ={})


def test_builtins_are_registered_through_the_hooks() -> None:
    h = host()
    (info,) = h.plugins
    assert info.name == BUILTIN_PLUGIN
    assert info.builtin
    assert set(h.names("dimension")) == {
        "process_results",
        "staff_counsel",
        "memos_coaching",
        "structure_strategy",
    }
    assert h.names("rubric") == ("manager-leader",)
    assert set(h.names("strategy")) == set(mgrlead.STRATEGIES)
    assert h.names("weighting") == ("equal",)


def test_a_good_plugin_adds_dimensions_weightings_strategies_and_rubrics() -> None:
    class Twice(ScoringStrategy):
        def score(self, stats: DimensionStats) -> Any:
            return stats.mean * 2

        def bounds(self, stats: DimensionStats) -> tuple[float, float]:
            return (2 * stats.scale_min, 2 * stats.scale_max)

    tiny = Rubric(
        id="tiny",
        version="2",
        title="Tiny",
        scale=Scale.agreement(3),
        dimensions=[new_dimension("solo")],
        strategy="twice",
    )

    def mgrlead_register_dimensions(register: Any) -> None:
        register(new_dimension())

    def mgrlead_register_weightings(register: Any) -> None:
        register(Weighting(id="acme", dimensions={"extra": 3}))

    def mgrlead_register_strategies(register: Any) -> None:
        register(Twice(name="twice"))

    def mgrlead_register_rubrics(register: Any) -> None:
        register(tiny)

    plugin = make_plugin(
        "acme",
        mgrlead_register_dimensions=mgrlead_register_dimensions,
        mgrlead_register_weightings=mgrlead_register_weightings,
        mgrlead_register_strategies=mgrlead_register_strategies,
        mgrlead_register_rubrics=mgrlead_register_rubrics,
    )
    h = host(plugin)
    assert [p.name for p in h.plugins] == ["acme", BUILTIN_PLUGIN]  # organisation first
    composed = h.build_rubric("manager-leader", extra_dimensions=["extra"], weighting="acme")
    assert len(composed.dimensions) == 5
    profile = mgrlead.score(composed, {"extra1": 5, "extra2": 1, "pr1": 3})
    assert profile.weighting == "acme"
    assert profile.sources["dimension:extra"] == "acme"
    assert profile.sources["weighting:acme"] == "acme"
    assert profile.sources["dimension:process_results"].startswith(BUILTIN_PLUGIN)
    assert profile["extra"].percent == 100.0
    # a rubric from a plugin, scored with the plugin's own strategy
    result = mgrlead.score(h.rubric("tiny"), {"solo1": 3, "solo2": 1})
    assert result["solo"].score == 6.0
    assert result.sources["strategy:twice"] == "acme"
    registered = {(r.kind, r.name) for r in h.plugins[0].registered}
    assert registered == {
        ("dimension", "extra"),
        ("weighting", "acme"),
        ("strategy", "twice"),
        ("rubric", "tiny"),
    }


def test_a_plugin_that_raises_is_skipped_whole_with_a_warning() -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(new_dimension())

    def mgrlead_register_weightings(register: Any) -> None:
        message = "boom"
        raise RuntimeError(message)

    broken = make_plugin(
        "broken",
        mgrlead_register_dimensions=mgrlead_register_dimensions,
        mgrlead_register_weightings=mgrlead_register_weightings,
    )
    with pytest.warns(PluginWarning) as record:
        h = host(broken)
    (warning,) = record
    text = str(warning.message)
    assert "plugin 'broken'" in text
    assert "hook mgrlead_register_weightings" in text
    assert "raised RuntimeError: boom" in text
    assert "MGRLEAD_DISABLE_PLUGINS=broken" in text
    assert "extra" not in h.names("dimension")  # nothing half-registered
    assert [p.name for p in h.plugins] == [BUILTIN_PLUGIN]
    assert mgrlead.score(h.rubric("manager-leader"), {"pr1": 3}).rubric == "manager-leader"


def test_strict_mode_turns_the_warning_into_an_error() -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        message = "boom"
        raise RuntimeError(message)

    broken = make_plugin("broken", mgrlead_register_dimensions=mgrlead_register_dimensions)
    with pytest.raises(PluginError, match="plugin 'broken', hook mgrlead_register_dimensions"):
        host(broken, strict=True)
    with pytest.raises(PluginError, match="raised RuntimeError"):
        get_plugin_host(
            entrypoints=False, plugins=[broken], environ={"MGRLEAD_STRICT_PLUGINS": "1"}
        )


def test_an_invalid_dimension_is_reported_as_the_plugins_fault() -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(
            Dimension(
                id="bad",
                name="Bad",
                low=Pole(id="a", label="A"),
                high=Pole(id="b", label="B"),
                items=[item("x1", keyed="c")],
            )
        )

    plugin = make_plugin("sloppy", mgrlead_register_dimensions=mgrlead_register_dimensions)
    with pytest.warns(PluginWarning, match=r"plugin 'sloppy'.*item 'x1' is keyed toward 'c'"):
        h = host(plugin)
    assert "bad" not in h.names("dimension")


def test_registering_the_wrong_type() -> None:
    def mgrlead_register_weightings(register: Any) -> None:
        register({"process_results": 2})

    plugin = make_plugin("typo", mgrlead_register_weightings=mgrlead_register_weightings)
    with pytest.warns(PluginWarning, match=r"registered dict .* this hook takes a Weighting"):
        host(plugin)


def test_registering_a_name_twice_in_one_plugin() -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(new_dimension())
        register(new_dimension())

    plugin = make_plugin("twice", mgrlead_register_dimensions=mgrlead_register_dimensions)
    with pytest.warns(PluginWarning, match="registered the dimension 'extra' twice"):
        host(plugin)


def _dimension_plugin(name: str, replaces: str | None = None) -> types.ModuleType:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(new_dimension(), replaces=replaces)

    return make_plugin(name, mgrlead_register_dimensions=mgrlead_register_dimensions)


def test_two_plugins_with_the_same_name_clash_naming_both() -> None:
    with pytest.warns(PluginWarning) as record:
        h = host(_dimension_plugin("first"), _dimension_plugin("second"))
    text = str(record[0].message)
    assert "plugin 'second'" in text
    assert "already registered by plugin 'first'" in text
    assert "replaces='first'" in text
    assert h.source("dimension", "extra") == "first"
    assert [p.name for p in h.plugins] == ["first", BUILTIN_PLUGIN]


def test_a_declared_replacement_is_allowed_and_recorded() -> None:
    h = host(_dimension_plugin("first"), _dimension_plugin("second", replaces="first"))
    assert h.source("dimension", "extra") == "second"
    (entry,) = next(p for p in h.plugins if p.name == "second").registered
    assert entry.replaces == "first"
    assert next(p for p in h.plugins if p.name == "first").registered == ()


def test_replacing_a_builtin_weighting() -> None:
    def mgrlead_register_weightings(register: Any) -> None:
        register(Weighting(id="equal", dimensions={"process_results": 1}), replaces=BUILTIN_PLUGIN)

    h = host(make_plugin("ours", mgrlead_register_weightings=mgrlead_register_weightings))
    assert h.source("weighting", "equal") == "ours"
    assert h.weighting("equal").dimensions == {"process_results": 1}


def test_a_builtin_strategy_name_cannot_be_taken() -> None:
    class Mean(ScoringStrategy):
        def score(self, stats: DimensionStats) -> Any:
            return stats.sum

    def mgrlead_register_strategies(register: Any) -> None:
        register(Mean(name="mean"))

    plugin = make_plugin("shadow", mgrlead_register_strategies=mgrlead_register_strategies)
    with pytest.warns(PluginWarning, match="'mean' belongs to a built-in strategy"):
        host(plugin)


def test_a_plugin_rubric_with_an_unknown_strategy() -> None:
    def mgrlead_register_rubrics(register: Any) -> None:
        register(
            Rubric(
                id="odd",
                version="1",
                title="Odd",
                scale=Scale.agreement(5),
                dimensions=[new_dimension()],
                strategy="nonesuch",
            )
        )

    plugin = make_plugin("odd", mgrlead_register_rubrics=mgrlead_register_rubrics)
    with pytest.warns(PluginWarning, match="unknown scoring strategy 'nonesuch'"):
        h = host(plugin)
    assert "odd" not in h.names("rubric")


def test_a_misspelt_hook_gets_a_hint() -> None:
    def mgrlead_register_dimension(register: Any) -> None:
        register(new_dimension())

    plugin = make_plugin("speller", mgrlead_register_dimension=mgrlead_register_dimension)
    with pytest.warns(PluginWarning) as record:
        h = host(plugin)
    text = str(record[0].message)
    assert "'mgrlead_register_dimension' is not a mgrlead hook" in text
    assert "did you mean 'mgrlead_register_dimensions'?" in text
    assert [p.name for p in h.plugins] == [BUILTIN_PLUGIN]


def test_feedback_append_replace_and_bands() -> None:
    def mgrlead_contribute_feedback(register: Any) -> None:
        register(dimension="process_results", target="low", field="risks", text="Extra risk.")
        register(
            dimension="process_results",
            target="high",
            field="development",
            text="Only this.",
            mode="replace",
        )
        register(dimension="memos_coaching", target="balanced", field="feedback", text="Team note.")

    h = host(make_plugin("words", mgrlead_contribute_feedback=mgrlead_contribute_feedback))
    rubric = h.rubric("manager-leader")
    builtin = host().rubric("manager-leader")
    pr, old = rubric.dimension("process_results"), builtin.dimension("process_results")
    assert pr.low.risks == f"{old.low.risks} Extra risk."
    assert pr.high.development == "Only this."
    memos = rubric.dimension("memos_coaching")
    assert memos.bands is not None
    balanced = next(b for b in memos.bands if b.id == "balanced")
    assert balanced.feedback.endswith("Team note.")
    assert rubric.dimension("staff_counsel").bands is None  # other dimensions untouched
    # feedback does not change any number
    answers = dict.fromkeys(rubric.item_ids, 2)
    assert mgrlead.score(rubric, answers).dimensions == mgrlead.score(builtin, answers).dimensions


def test_feedback_reaches_the_rubric_in_every_language() -> None:
    # the built-in rubric has German, French and Spanish texts: what a plugin
    # contributes must show there too, never vanish behind a translation
    def mgrlead_contribute_feedback(register: Any) -> None:
        register(dimension="process_results", target="low", field="risks", text="Extra risk.",
                 translations={"de": "Zusätzliches Risiko."})  # fmt: skip
        register(dimension="process_results", target="high", field="development",
                 text="Only this.", mode="replace")  # fmt: skip
        register(dimension="memos_coaching", target="balanced", field="feedback",
                 text="Team note.", translations={"fr": "Note d'équipe."})  # fmt: skip

    h = host(make_plugin("words", mgrlead_contribute_feedback=mgrlead_contribute_feedback))
    rubric = h.rubric("manager-leader")
    plain = host().rubric("manager-leader")
    german, french = rubric.localized("de"), rubric.localized("fr")
    old_de, old_fr = plain.localized("de"), plain.localized("fr")
    pr, old = german.dimension("process_results"), old_de.dimension("process_results")
    assert pr.low.risks == f"{old.low.risks} Zusätzliches Risiko."  # its own German words
    assert french.dimension("process_results").low.risks == (
        f"{old_fr.dimension('process_results').low.risks} Extra risk."  # no French: as written
    )
    assert pr.high.development == "Only this."  # replaced: not the old text's translation
    memos, old_memos = french.dimension("memos_coaching"), old_fr.dimension("memos_coaching")
    assert memos.bands is not None
    balanced = {b.id: b for b in memos.bands}["balanced"]
    old_balanced = {b.id: b for b in old_fr.bands}["balanced"]
    assert balanced.feedback == f"{old_balanced.feedback} Note d'équipe."
    # the dimension's own copy of the rubric's bands keeps their French labels
    assert [b.label for b in memos.bands] == [b.label for b in old_fr.bands]
    assert old_memos.bands is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimension": "nope", "target": "low", "field": "risks"}, "unknown dimension 'nope'"),
        (
            {
                "dimension": "process_results",
                "target": "low",
                "field": "risks",
                "translations": {"de": " "},
            },
            "translations must map a language tag to a text that is not blank",
        ),
        ({"dimension": "process_results", "target": "mid", "field": "risks"}, "target 'mid'"),
        ({"dimension": "process_results", "target": "low", "field": "tone"}, "field 'tone'"),
        (
            {"dimension": "process_results", "target": "balanced", "field": "risks"},
            "must be 'feedback'",
        ),
        (
            {"dimension": "process_results", "target": "low", "field": "risks", "mode": "wipe"},
            "mode 'wipe'",
        ),
    ],
)
def test_bad_feedback_skips_the_plugin(kwargs: dict[str, str], message: str) -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(new_dimension())

    def mgrlead_contribute_feedback(register: Any) -> None:
        register(text="x", **kwargs)

    plugin = make_plugin(
        "words",
        mgrlead_register_dimensions=mgrlead_register_dimensions,
        mgrlead_contribute_feedback=mgrlead_contribute_feedback,
    )
    with pytest.warns(PluginWarning, match=message):
        h = host(plugin)
    assert "extra" not in h.names("dimension")


def test_disable_by_environment_and_in_process_order() -> None:
    plugin = _dimension_plugin("acme")
    h = get_plugin_host(
        entrypoints=False, plugins=[plugin], environ={"MGRLEAD_DISABLE_PLUGINS": "acme"}
    )
    assert "extra" not in h.names("dimension")
    named = get_plugin_host(entrypoints=False, plugins=[("renamed", plugin)], environ={})
    assert named.source("dimension", "extra") == "renamed"


def test_two_plugins_with_one_name() -> None:
    with pytest.warns(PluginWarning, match="a plugin of this name is already loaded"):
        host(_dimension_plugin("same"), ("same", _dimension_plugin("other")))


def test_build_rubric_errors_name_the_fix() -> None:
    h = host()
    with pytest.raises(mgrlead.RubricError, match=r"no dimension named 'chnage'.*mgrlead plugins"):
        h.build_rubric("manager-leader", extra_dimensions=["chnage"])
    with pytest.raises(mgrlead.RubricError, match="no weighting named 'acme'"):
        h.build_rubric("manager-leader", weighting="acme")
    with pytest.raises(mgrlead.RubricError, match="already in rubric 'manager-leader'"):
        h.build_rubric("manager-leader", extra_dimensions=["process_results"])
    with pytest.raises(mgrlead.RubricNotFoundError, match="no rubric named 'nope'"):
        h.rubric("nope")


def test_weighting_that_names_a_dimension_the_rubric_lacks() -> None:
    def mgrlead_register_weightings(register: Any) -> None:
        register(Weighting(id="change-heavy", dimensions={"change": 2}))

    h = host(make_plugin("w", mgrlead_register_weightings=mgrlead_register_weightings))
    with pytest.raises(mgrlead.RubricError, match="weights 'change', which is not a top-level"):
        h.build_rubric("manager-leader", weighting="change-heavy")


def test_item_weights_in_a_scheme() -> None:
    scheme = Weighting(id="pr1x3", items={"pr1": 3})
    rubric = host().build_rubric("manager-leader", weighting=scheme)
    # pr1 (manager-keyed) answered 1 -> keyed 5 with weight 3; pr2 answered 1 -> 1
    result = mgrlead.score(rubric, {"pr1": 1, "pr2": 1, "pr3": 3})["process_results"]
    assert result.mean == (3 * 5 + 1 + 3) / 5
    assert rubric.sources["weighting:pr1x3"] == "python"


def test_importing_mgrlead_does_not_load_plugins() -> None:
    code = (
        "import sys, mgrlead; print('mgrlead.plugins.host' in sys.modules, 'numpy' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- entry points
def _fake_distribution(folder: Path, dist: str, module: str, source: str) -> None:
    """Install a distribution for real: a module and its .dist-info on sys.path."""
    (folder / f"{module}.py").write_text(textwrap.dedent(source), "utf-8")
    info = folder / f"{dist.replace('-', '_')}-2.5.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 2.5\n")
    (info / "entry_points.txt").write_text(f"[mgrlead]\n{module} = {module}\n")


GOOD = """
from mgrlead import Dimension, Item, Pole, hookimpl

@hookimpl
def mgrlead_register_dimensions(register):
    register(Dimension(id="installed", name="Installed", low=Pole(id="manager", label="L"),
                       high=Pole(id="leader", label="H"),
                       items=[Item(id="in1", text="t", keyed="leader")]))
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _fake_distribution(tmp_path, "acme-extra", "acme_extra", GOOD)
    _fake_distribution(tmp_path, "acme-broken", "acme_broken", "raise ImportError('no numpy 3')")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_entry_points_are_discovered_and_broken_ones_warned(installed: Path) -> None:
    with pytest.warns(PluginWarning) as record:
        h = get_plugin_host(environ={})
    messages = [str(w.message) for w in record]
    assert any("plugin 'acme-broken'" in m and "ImportError: no numpy 3" in m for m in messages), (
        messages
    )
    info = next(p for p in h.plugins if p.name == "acme-extra")
    assert info.version == "2.5"
    assert info.hooks == ("mgrlead_register_dimensions",)
    assert h.source("dimension", "installed") == "acme-extra 2.5"
    assert "acme-broken" not in [p.name for p in h.plugins]
    rubric = h.build_rubric("manager-leader", extra_dimensions=["installed"])
    assert mgrlead.score(rubric, {"in1": 5})["installed"].percent == 100.0


def test_entry_points_allow_and_block_lists(installed: Path) -> None:
    only = get_plugin_host(environ={"MGRLEAD_LOAD_PLUGINS": "acme-extra"})
    assert "installed" in only.names("dimension")
    none = get_plugin_host(environ={"MGRLEAD_LOAD_PLUGINS": ""})
    assert [p.name for p in none.plugins] == [BUILTIN_PLUGIN]
    blocked = get_plugin_host(environ={"MGRLEAD_DISABLE_PLUGINS": "acme-broken,acme-extra"})
    assert "installed" not in blocked.names("dimension")


def test_entry_point_strict_mode(installed: Path) -> None:
    with pytest.raises(PluginError, match="plugin 'acme-broken': cannot import entry point"):
        get_plugin_host(environ={"MGRLEAD_STRICT_PLUGINS": "1"})


# ----------------------------------------------------- the installed examples
EXAMPLES = ("mgrlead-change-agent", "mgrlead-weights")


def test_example_plugins_are_installed_discovered_and_listed() -> None:
    h = get_plugin_host(environ={"MGRLEAD_LOAD_PLUGINS": ",".join(EXAMPLES)})
    names = {p.name: p for p in h.plugins}
    for name in EXAMPLES:
        assert names[name].version == "1.0.0"
    assert h.source("dimension", "change") == "mgrlead-change-agent 1.0.0"
    assert set(h.names("weighting")) >= {"results-first", "people-first"}
    assert "signed" in h.names("strategy")
    disabled = get_plugin_host(
        environ={
            "MGRLEAD_LOAD_PLUGINS": ",".join(EXAMPLES),
            "MGRLEAD_DISABLE_PLUGINS": "mgrlead-weights",
        }
    )
    assert "mgrlead-weights" not in {p.name for p in disabled.plugins}
    assert "results-first" not in disabled.names("weighting")


def _run(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(cli, args, env=env)


@pytest.fixture
def with_examples() -> Any:
    reset_default_host()
    yield {"MGRLEAD_LOAD_PLUGINS": ",".join(EXAMPLES)}
    reset_default_host()


def test_cli_plugins_json_and_five_dimensions(with_examples: dict[str, str]) -> None:
    listed = json.loads(_run(["plugins", "--json"], with_examples).stdout)
    assert [p["name"] for p in listed] == list(EXAMPLES)
    assert {"kind": "dimension", "name": "change", "replaces": None} in listed[0]["registered"]
    assert listed[1]["version"] == "1.0.0"
    everything = json.loads(_run(["plugins", "--json", "--all"], with_examples).stdout)
    assert everything[-1]["name"] == BUILTIN_PLUGIN
    text = _run(["plugins"], with_examples).stdout
    assert "mgrlead-weights 1.0.0" in text
    assert "weighting: results-first" in text
    version = _run(["--version"], with_examples).stdout
    assert "plugin mgrlead-change-agent 1.0.0" in version
    result = _run(
        [
            "score",
            str(ROOT / "examples" / "responses.csv"),
            "--with-dimension",
            "change",
            "--weighting",
            "results-first",
            "--format",
            "json",
        ],
        with_examples,
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    dims = {k.removesuffix("_percent") for k in rows[0] if k.endswith("_percent")} - {"overall"}
    assert dims == {
        "process_results",
        "staff_counsel",
        "memos_coaching",
        "structure_strategy",
        "change",
    }
    # the overall result is the results-first composite of the five percents
    row = rows[0]
    weights = {"process_results": 2, "structure_strategy": 2}
    total = sum(weights.get(d, 1) for d in dims)
    expected = sum(weights.get(d, 1) * row[f"{d}_percent"] for d in dims) / total
    assert abs(row["overall_percent"] - expected) < 1e-9


def test_cli_unknown_plugin_names_are_one_line_errors(with_examples: dict[str, str]) -> None:
    result = _run(
        ["score", str(ROOT / "examples" / "responses.csv"), "--weighting", "result-first"],
        with_examples,
    )
    assert result.exit_code == 2
    assert "did you mean 'results-first'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_no_plugins() -> None:
    result = CliRunner().invoke(cli, ["plugins"])
    assert "No plugins installed" in result.stdout


def test_feedback_in_other_languages_follows_every_edit_in_order() -> None:
    # a replace without German, then an append with German: German shows the
    # replacement (as written) and the German addition, never the replaced text
    def mgrlead_contribute_feedback(register: Any) -> None:
        register(dimension="process_results", target="high", field="development",
                 text="Only this.", mode="replace")  # fmt: skip
        register(dimension="process_results", target="high", field="development",
                 text="And this.", translations={"DE-de": "Auch dies."})  # fmt: skip

    h = host(make_plugin("words", mgrlead_contribute_feedback=mgrlead_contribute_feedback))
    rubric = h.rubric("manager-leader")
    assert rubric.dimension("process_results").high.development == "Only this. And this."
    german = rubric.localized("de").dimension("process_results").high.development
    assert german == "Only this. Auch dies."  # the tag's case and region do not matter
    french = rubric.localized("fr").dimension("process_results").high.development
    assert french == "Only this. And this."
