"""The reliable change index between two profiles (Jacobson & Truax)."""

from __future__ import annotations

import math

import attrs
import pytest

import mgrlead
from mgrlead.analysis.change import reliable_change
from mgrlead.analysis.norms import DimensionNorm, NormGroup, NormTable
from mgrlead.analysis.provenance import IncomparableError

ML = mgrlead.load_rubric("manager-leader")


def _norms(reliability: float | None = 0.8) -> NormTable:
    dims = {d.id: DimensionNorm(mean=3.0, sd=0.5, reliability=reliability) for d in ML.dimensions}
    return NormTable(id="n", version="1", population="p", rubric="manager-leader",
                     groups=[NormGroup(id="all", dimensions=dims)])  # fmt: skip


def _profile(level: int) -> mgrlead.Profile:
    return mgrlead.score(ML, {i.id: level if i.keyed == "leader" else 6 - level for i in ML.items})


def test_rci_by_hand() -> None:
    changes = {c.dimension: c for c in reliable_change(_profile(3), _profile(4), _norms())}
    c = changes["process_results"]
    assert (c.before, c.after, c.difference) == (3.0, 4.0, 1.0)
    s_diff = math.sqrt(2) * 0.5 * math.sqrt(1 - 0.8)  # 0.3162
    assert c.rci == pytest.approx(1.0 / s_diff)  # 3.16
    assert c.reliable is True


def test_small_change_is_not_reliable() -> None:
    before = _profile(3)
    answers = {i.id: 3 for i in ML.items}
    answers["pr2"] = 4  # mean 3 -> 3.1667
    after = mgrlead.score(ML, answers)
    c = reliable_change(before, after, _norms())[0]
    assert c.difference == pytest.approx(1 / 6)
    assert c.reliable is False


def test_without_reliability_or_scores_there_is_no_verdict() -> None:
    c = reliable_change(_profile(3), _profile(4), _norms(reliability=None))[0]
    assert (c.rci, c.reliable, c.difference) == (None, None, 1.0)
    empty = mgrlead.score(ML, {})
    assert reliable_change(empty, _profile(4), _norms())[0].difference is None


def test_profiles_scored_differently_are_refused() -> None:
    other = mgrlead.score(attrs.evolve(ML, strategy="sum"), {"pr1": 3})
    with pytest.raises(IncomparableError, match="not comparable"):
        reliable_change(_profile(3), other, _norms())
