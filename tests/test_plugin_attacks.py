"""Plugins that try to take over: they are refused, named, and never take the built-ins down.

Each test is an attack from issue 15 that worked before.
"""

from __future__ import annotations

import types
from typing import Any

import attrs
import pytest

import mgrlead
from mgrlead import PluginWarning, Weighting
from mgrlead.plugins import BUILTIN_PLUGIN, PluginHost, get_plugin_host


def _host(*plugins: object, environ: dict[str, str] | None = None) -> PluginHost:
    return get_plugin_host(entrypoints=False, plugins=plugins, environ=environ or {})


def _module(name: str, **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, mgrlead.hookimpl(fn))
    return module


ML = mgrlead.load_rubric("manager-leader")


def test_a_plugin_that_takes_a_built_in_dimension_name_is_refused_not_the_built_in() -> None:
    def mgrlead_register_dimensions(register: Any) -> None:
        register(attrs.evolve(ML.dimension("process_results"), name="Hijacked"))

    with pytest.warns(PluginWarning, match=r"plugin 'hijack'.*'process_results' is already"):
        host = _host(_module("hijack", mgrlead_register_dimensions=mgrlead_register_dimensions))
    assert "manager-leader" in host.names("rubric")
    assert host.dimension("process_results").name != "Hijacked"
    assert [p.name for p in host.plugins] == [BUILTIN_PLUGIN]


def test_a_plugin_that_takes_a_built_in_weighting_or_rubric_is_refused() -> None:
    def weightings(register: Any) -> None:
        register(Weighting(id="equal", dimensions={"process_results": 9}))

    def rubrics(register: Any) -> None:
        register(attrs.evolve(ML, title="Fake"))

    with pytest.warns(PluginWarning) as record:
        host = _host(_module("w", mgrlead_register_weightings=weightings),
                     _module("r", mgrlead_register_rubrics=rubrics))  # fmt: skip
    assert {str(w.message).split(",")[0] for w in record} == {"skipped plugin 'w'",
                                                               "skipped plugin 'r'"}  # fmt: skip
    assert host.rubric("manager-leader").title == ML.title
    assert host.weighting("equal").dimensions != {"process_results": 9}


def test_a_declared_replacement_of_a_built_in_is_allowed_and_shown() -> None:
    def rubrics(register: Any) -> None:
        register(attrs.evolve(ML, title="Ours"), replaces=BUILTIN_PLUGIN)

    host = _host(_module("ours", mgrlead_register_rubrics=rubrics))
    assert host.rubric("manager-leader").title == "Ours"
    ours = next(p for p in host.plugins if p.name == "ours")
    assert [(r.name, r.replaces) for r in ours.registered] == [("manager-leader", BUILTIN_PLUGIN)]


@pytest.mark.parametrize("error", [SystemExit(0), SystemExit(3), GeneratorExit()])
def test_a_hook_that_exits_is_a_broken_plugin_not_the_end_of_the_program(
    error: BaseException,
) -> None:
    def rubrics(register: Any) -> None:
        raise error

    with pytest.warns(PluginWarning, match=rf"plugin 'quits'.*raised {type(error).__name__}"):
        host = _host(_module("quits", mgrlead_register_rubrics=rubrics))
    assert "manager-leader" in host.names("rubric")


def test_ctrl_c_in_a_hook_still_stops_the_program() -> None:
    def rubrics(register: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _host(_module("interrupted", mgrlead_register_rubrics=rubrics))


def test_plugin_names_in_the_environment_are_normalised_as_packaging_does() -> None:
    plugin = _module("mgrlead-hijack", mgrlead_register_weightings=lambda register: register)
    host = _host(("mgrlead-hijack", plugin), environ={"MGRLEAD_DISABLE_PLUGINS": "MgrLead_Hijack"})
    assert "mgrlead-hijack" not in [p.name for p in host.plugins]
    assert _host(("mgrlead-hijack", plugin)).plugins[0].name == "mgrlead-hijack"


def test_loading_a_plugin_no_one_installed_says_so() -> None:
    with pytest.warns(PluginWarning, match="MGRLEAD_LOAD_PLUGINS names 'no-such-plugin'"):
        get_plugin_host(environ={"MGRLEAD_LOAD_PLUGINS": "no_such_plugin"})


class _Hostile:
    """A plugin object whose attribute lookups raise."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name} for you")

    def __dir__(self) -> list[str]:
        raise RuntimeError("no listing")


def test_a_plugin_whose_attributes_raise_is_skipped() -> None:
    with pytest.warns(PluginWarning, match="no "):
        host = _host(_Hostile())
    assert [p.name for p in host.plugins] == [BUILTIN_PLUGIN]
    with pytest.warns(PluginWarning, match=r"plugin 'hostile': cannot be read: RuntimeError"):
        host = _host(("hostile", _Hostile()))
    assert "manager-leader" in host.names("rubric")


@attrs.frozen(kw_only=True)
class _Bad(mgrlead.strategies.ScoringStrategy):
    """A strategy that misbehaves as ``how`` says."""

    name: str = "bad"
    how: str = "mutates"

    def score(self, stats: Any) -> Any:
        import numpy as np  # noqa: PLC0415

        if self.how == "mutates":
            stats.percent[...] = 0  # into the engine's own array, if it could
            return stats.mean
        if self.how == "raises":
            return stats.mean / 0 if isinstance(stats.mean, float) else 1 // 0
        return {"none": None, "complex": np.asarray(stats.mean) + 1j,
                "nan": stats.mean * np.nan, "inf": stats.mean * np.inf,
                "shape": np.zeros(3)}[self.how]  # fmt: skip

    def bounds(self, stats: Any) -> tuple[float, float]:
        return (stats.scale_min, stats.scale_max)


def _frame() -> Any:
    import numpy as np  # noqa: PLC0415

    return np.full((4, len(ML.item_ids)), 4.0)


def test_a_strategy_cannot_change_the_published_percent() -> None:
    from mgrlead.api import scoring_plan  # noqa: PLC0415
    from mgrlead.engines.batch import score_matrix  # noqa: PLC0415

    plan = attrs.evolve(scoring_plan(ML), strategy=_Bad(how="mutates"))
    with pytest.raises(mgrlead.PluginError, match=r"'bad' failed: ValueError: .*read-only"):
        score_matrix(plan, _frame())


@pytest.mark.parametrize(
    ("how", "message"),
    [("raises", "'bad' failed: ZeroDivisionError"), ("none", "'bad' returned None"),
     ("complex", "'bad' returned complex128 values, not real numbers"),
     ("nan", "'bad' returned nan for respondent 0"), ("inf", "'bad' returned inf for respondent 0"),
     ("shape", r"'bad' returned an array of shape \(3,\)")],
)  # fmt: skip
def test_a_strategy_that_fails_or_returns_no_score_is_named_on_every_path(
    how: str, message: str
) -> None:
    from mgrlead.api import scoring_plan  # noqa: PLC0415
    from mgrlead.engines.batch import score_matrix  # noqa: PLC0415
    from mgrlead.engines.scorer import Scorer  # noqa: PLC0415

    plan = attrs.evolve(scoring_plan(ML), strategy=_Bad(how=how))
    with pytest.raises(mgrlead.PluginError, match=message):
        score_matrix(plan, _frame())
    with pytest.raises(mgrlead.PluginError, match=message.replace("(3,)", "(3,)")):
        Scorer(plan).score(dict.fromkeys(ML.item_ids, 4))
