"""360 anonymity across every view of a round taken together: no linear combination of
the published numbers isolates a protected rater (issue 15, item 1).

Given which cells were answered, every published mean, percent, headline score,
position and gap is an affine function of the raters' answers.  Its coefficients
are found exactly by raising one answer by 1 at a time (each perturbation is a
subject of its own, so one ``score_360`` call gives them all).  With ``A`` the
matrix of coefficients over the answers of protected raters (those of groups
whose minimum is above 1), some linear
combination of the published numbers depends on rater ``r`` alone exactly when
removing ``r``'s columns lowers the rank of ``A``.

The reader is the one the rules protect raters from: someone who sees every
published number of the round and knows the self-rating (its columns are left
out: known).  A manager's rating is shown alone by design (minimum 1), so it is
in ``A`` but not itself checked; once folded into "all others" to hide a smaller
group, it hides that group only if the reader does not know it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mgrlead import Dimension, MissingCode, Rubric, Scale
from mgrlead.groups import multirater
from mgrlead.groups.multirater import Anonymity, score_360

from .helpers import item, pole

SCALE = Scale(min=1, max=5, labels=list("abcde"), missing=[MissingCode(code=9, label="N/A")])
ITEMS = ("v1", "v2", "c1", "c2", "f1", "f2", "f3")
GROUPS = ("self", "manager", "peer", "direct_report", "other")
FIELDS = ("percent", "mean", "score", "position")


def _nested(strategy: str) -> Rubric:
    """``lead`` = {vision: v1, v2; care: c1, c2} (the issue's rubric) and a flat ``f``."""
    vision = Dimension(id="vision", name="vision", low=pole("lo"), high=pole("hi"),
                       items=[item("v1"), item("v2", "lo")])  # fmt: skip
    care = Dimension(id="care", name="care", low=pole("lo"), high=pole("hi"),
                     items=[item("c1"), item("c2")])  # fmt: skip
    lead = Dimension(id="lead", name="lead", low=pole("lo"), high=pole("hi"),
                     dimensions=[vision, care])  # fmt: skip
    flat = Dimension(id="f", name="f", low=pole("lo"), high=pole("hi"),
                     items=[item("f1"), item("f2", "lo"), item("f3")])  # fmt: skip
    return Rubric(id="t", version="1", title="T", scale=SCALE, dimensions=[lead, flat],
                  strategy=strategy)  # fmt: skip


def _published(person: Any) -> list[float]:
    """Every number of one subject's feedback that is affine in the answers, in order."""
    out: list[float] = []
    for view in person.groups:
        for s in view.dimensions:
            out += [math.nan if getattr(s, f) is None else getattr(s, f) for f in FIELDS]
    out += [math.nan if g.gap is None else g.gap for g in person.gaps]
    return out


def _step(answer: int | None) -> int:
    """The change of an answer that stays on the 1..5 scale: up by one, or down from 5."""
    return -1 if answer == 5 else 1


def _leaks(rubric: Rubric, rows: list[tuple[str, list[int | None]]], rules: Anonymity) -> list[int]:
    """The protected raters (row numbers) that some linear combination isolates."""
    cells = [(r, i) for r, (g, answers) in enumerate(rows) for i, a in enumerate(answers)
             if a not in (None, 9) and g != "self"]  # fmt: skip
    data: dict[str, list[Any]] = {"subject": [], "rater_group": []} | {i: [] for i in ITEMS}
    for s, bump in enumerate([None, *cells]):
        for r, (g, answers) in enumerate(rows):
            data["subject"].append(s)
            data["rater_group"].append(g)
            for i, a in enumerate(answers):
                data[ITEMS[i]].append(a + _step(a) if bump == (r, i) else a)
    people = score_360(rubric, data, anonymity=rules).people
    base = np.array(_published(people[0]))
    shown = ~np.isnan(base)
    columns = []
    for person, (r, i) in zip(people[1:], cells, strict=True):
        moved = np.array(_published(person))
        assert np.array_equal(np.isnan(moved), ~shown), "what is shown depends on the values"
        columns.append((moved[shown] - base[shown]) / _step(rows[r][1][i]))
    if not columns or not shown.any():
        return []
    a = np.column_stack(columns)
    rank = np.linalg.matrix_rank(a, tol=1e-7)
    leaks = []
    for r in sorted({r for r, _ in cells if rules.minimum_for(rows[r][0]) > 1}):
        others = [k for k, (rr, _) in enumerate(cells) if rr != r]
        rest = np.linalg.matrix_rank(a[:, others], tol=1e-7) if others else 0
        if rest < rank:
            leaks.append(r)
    return leaks


def _issue_round() -> list[tuple[str, list[int | None]]]:
    """Self, manager, 3 peers, 2 direct reports, one of whom answers care 9, 9."""
    return [
        ("self", [4, 2, 4, 4, 3, 3, 3]),
        ("manager", [3, 3, 3, 3, 2, 4, 2]),
        ("peer", [4, 2, 5, 3, 3, 3, 4]),
        ("peer", [2, 4, 2, 2, 4, 2, 2]),
        ("peer", [3, 3, 4, 4, 2, 2, 3]),
        ("direct_report", [4, 1, 5, 4, 3, 3, 3]),
        ("direct_report", [2, 4, 9, 9, 4, 2, 4]),
    ]


@pytest.mark.parametrize("strategy", ["mean", "percent", "sum", "prorated_sum"])
def test_the_issues_round_isolates_no_rater(strategy: str) -> None:
    # before: 2*6*AO_lead - 6*AO_vision - 5*AO_care gave the second report's vision percent
    assert _leaks(_nested(strategy), _issue_round(), Anonymity()) == []


@pytest.mark.parametrize("strategy", ["mean", "sum"])
def test_the_audit_catches_the_leak_without_the_rule(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # counting every rater scored on each dimension (the rule undone) isolates the
    # direct report who skipped care: the audit must see it, or it proves nothing
    monkeypatch.setattr(multirater, "uncounted", lambda _plan, _matrix: {})
    rows = _issue_round()
    assert 6 in _leaks(_nested(strategy), rows, Anonymity())


def test_under_sum_a_flat_dimension_counts_only_complete_raters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # with "sum" the headline is not (items) x mean for a rater who skipped an item, so
    # sum - 3 x mean over the peers would leave that peer alone
    rows: list[tuple[str, list[int | None]]] = [
        ("peer", [2, 3, 4, 3, 3, 2, 3]), ("peer", [3, 3, 3, 3, 4, 4, 4]),
        ("peer", [4, 2, 2, 3, 4, None, 2]), ("peer", [3, 4, 3, 4, 2, 2, 2]),
    ]  # fmt: skip
    assert _leaks(_nested("sum"), rows, Anonymity()) == []
    result = score_360(_nested("sum"), _rows_frame(rows), anonymity=Anonymity())
    assert result.people[0]["peer"]["f"].raters == 3
    monkeypatch.setattr(multirater, "uncounted", lambda _plan, _matrix: {})
    assert _leaks(_nested("sum"), rows, Anonymity()) == [2]


def _rows_frame(rows: list[tuple[str, list[int | None]]]) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = {"subject": ["s"] * len(rows), "rater_group": []}
    data |= {i: [] for i in ITEMS}
    for g, answers in rows:
        data["rater_group"].append(g)
        for i, a in zip(ITEMS, answers, strict=True):
            data[i].append(a)
    return data


answer = st.sampled_from([None, 9, 1, 2, 3, 4, 5, 2, 3, 4])


@st.composite
def _rounds(draw: st.DrawFn) -> tuple[list[tuple[str, list[int | None]]], Anonymity, str]:
    rows: list[tuple[str, list[int | None]]] = []
    sizes = {"self": (0, 1), "manager": (0, 1), "peer": (0, 5), "direct_report": (0, 4),
             "other": (0, 2)}  # fmt: skip
    for group in GROUPS:
        count = draw(st.integers(*sizes[group]))
        rows += [(group, draw(st.lists(answer, min_size=7, max_size=7))) for _ in range(count)]
    minimum = {"peer": draw(st.integers(2, 4))}
    if draw(st.booleans()):
        minimum["all_others"] = draw(st.integers(1, 5))
    rules = Anonymity(
        default=draw(st.integers(2, 4)),
        minimum=minimum,
        below=draw(st.sampled_from(["merge", "suppress"])),
    )
    strategies = ["mean", "weighted_mean", "percent", "sum", "prorated_sum"]
    return rows, rules, draw(st.sampled_from(strategies))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(_rounds())
def test_no_linear_combination_of_published_numbers_isolates_a_rater(
    case: tuple[list[tuple[str, list[int | None]]], Anonymity, str],
) -> None:
    rows, rules, strategy = case
    assume(rows)
    assert _leaks(_nested(strategy), rows, rules) == []


@pytest.mark.slow
@settings(max_examples=10_000, suppress_health_check=list(HealthCheck))
@given(_rounds())
def test_no_rater_is_isolated_over_ten_thousand_rounds(
    case: tuple[list[tuple[str, list[int | None]]], Anonymity, str],
) -> None:
    rows, rules, strategy = case
    assume(rows)
    assert _leaks(_nested(strategy), rows, rules) == []
