"""The weighting schemes and the signed strategy, as mgrlead loads them."""

from __future__ import annotations

import mgrlead_weights
import numpy as np

import mgrlead
from mgrlead.plugins.host import get_plugin_host
from mgrlead.testing import ScorerContract


def _host() -> mgrlead.plugins.host.PluginHost:
    return get_plugin_host(entrypoints=False, plugins=[mgrlead_weights])


def _leader_on(dims: set[str], rubric: mgrlead.Rubric) -> dict[str, int]:
    answers = {}
    for d in rubric.dimensions:
        for i in d.items:
            high = 5 if i.keyed == "leader" else 1
            answers[i.id] = high if d.id in dims else 3
    return answers


def test_results_first_doubles_results_and_strategy() -> None:
    host = _host()
    plain = host.rubric("manager-leader")
    weighted = host.build_rubric("manager-leader", weighting="results-first")
    answers = _leader_on({"process_results", "structure_strategy"}, plain)
    # two dimensions at 100, two at 50: equal 75; doubled (2*100*2 + 50*2) / 6 = 83.3
    assert mgrlead.score(plain, answers).overall.percent == 75.0
    result = mgrlead.score(weighted, answers)
    assert abs(result.overall.percent - 500 / 6) < 1e-12
    assert result.weighting == "results-first"
    assert result.sources["weighting:results-first"] == "mgrlead_weights 1.0.0"


def test_people_first_moves_the_overall_toward_people_dimensions() -> None:
    host = _host()
    answers = _leader_on({"staff_counsel"}, host.rubric("manager-leader"))
    plain = mgrlead.score(host.rubric("manager-leader"), answers).overall.percent
    weighted = mgrlead.score(host.build_rubric("manager-leader", weighting="people-first"), answers)
    assert weighted.overall.percent > plain


def test_signed_strategy_single_and_batch() -> None:
    rubric = _host().build_rubric("manager-leader", strategy="signed")
    leader = {i.id: 5 if i.keyed == "leader" else 1 for i in rubric.items}
    manager = {i.id: 1 if i.keyed == "leader" else 5 for i in rubric.items}
    assert mgrlead.score(rubric, leader)["process_results"].score == 100.0
    assert mgrlead.score(rubric, manager)["process_results"].score == -100.0
    values = np.array([[leader[i] for i in rubric.item_ids], [3] * 24], dtype=float)
    batch = mgrlead.score_matrix(rubric, values)
    assert batch.dimensions["process_results"]["score"].tolist() == [100.0, 0.0]
    assert batch.profile(0) == mgrlead.score(rubric, leader)


# mgrlead's scorer contract, run on everything this plugin ships
class TestSignedContract(ScorerContract):
    strategy = mgrlead_weights.SignedStrategy()
    max_examples = 20


class TestResultsFirstContract(ScorerContract):
    weighting = mgrlead_weights.RESULTS_FIRST
    max_examples = 20


class TestPeopleFirstContract(ScorerContract):
    weighting = mgrlead_weights.PEOPLE_FIRST
    max_examples = 20
