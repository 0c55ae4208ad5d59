"""The change-agent dimension, as mgrlead loads it."""

from __future__ import annotations

import mgrlead_change_agent

import mgrlead
from mgrlead.plugins.host import get_plugin_host
from mgrlead.testing import ScorerContract


def _host() -> mgrlead.plugins.host.PluginHost:
    return get_plugin_host(entrypoints=False, plugins=[mgrlead_change_agent])


def test_registers_the_change_dimension() -> None:
    host = _host()
    assert "change" in host.names("dimension")
    assert host.source("dimension", "change") == "mgrlead_change_agent 1.0.0"


def test_six_balanced_items() -> None:
    keys = [i.keyed for i in mgrlead_change_agent.CHANGE.items]
    assert len(keys) >= 6
    assert keys.count("manager") == keys.count("leader")


def test_five_dimensions_when_added() -> None:
    rubric = _host().build_rubric("manager-leader", extra_dimensions=["change"])
    assert [d.id for d in rubric.dimensions][-1] == "change"
    assert len(rubric.dimensions) == 5
    everything = mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, 4))
    assert everything["change"].percent == 50.0
    leader = {i.id: 5 if i.keyed == "leader" else 1 for i in rubric.items}
    assert mgrlead.score(rubric, leader)["change"].percent == 100.0
    assert everything.sources["dimension:change"] == "mgrlead_change_agent 1.0.0"


def test_feedback_is_appended_to_the_builtin_pole() -> None:
    rubric = _host().rubric("manager-leader")
    text = rubric.dimension("structure_strategy").high.development
    assert text.endswith("one person who will check how it lands.")
    assert text.startswith("When you change a plan")


class TestChangeAgentContract(ScorerContract):
    """mgrlead's scorer contract on the built-in rubric with the change dimension added."""

    rubric = _host().build_rubric("manager-leader", extra_dimensions=["change"])
    max_examples = 20
