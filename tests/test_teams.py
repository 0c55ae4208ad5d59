"""Team statistics: against R's multilevel, band counts by hand, properties, errors."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import InputError
from mgrlead.api import scoring_plan
from mgrlead.groups.teams import summarize_teams

from .helpers import dim, item, rubric

FIXTURES = Path(__file__).parent / "fixtures" / "teams"


def _fixture_data() -> dict[str, list[Any]]:
    import pyarrow.csv as pacsv  # noqa: PLC0415

    return pacsv.read_csv(FIXTURES / "teams.csv").to_pydict()


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return json.loads((FIXTURES / "teams.json").read_text())


@pytest.fixture(scope="module")
def summary() -> Any:
    return summarize_teams("manager-leader", _fixture_data(), min_size=1)


def test_the_fixture_uses_the_builtin_rubrics_keying() -> None:
    # The R script hard-codes the keys; they must be the rubric's.
    plan = scoring_plan(mgrlead.load_rubric("manager-leader"))
    script = (FIXTURES / "make_fixtures.R").read_text()
    for d in plan.dimensions:
        keys = ", ".join(
            f'"{"-" if rev else ""}{plan.items[j].id}"'
            for j, rev in zip(d.members, d.reverse, strict=True)
        )
        assert f"{d.id} = c({keys})" in script


def test_rwg_j_agrees_with_multilevel(summary: Any, reference: dict[str, Any]) -> None:
    checked = 0
    for dim_id, rows in reference["teams"].items():
        for row in rows:
            ours = summary[row["team"]][dim_id]
            assert ours.rwg_members == row["members"]
            if row["rwg_j"] is None:
                assert ours.rwg_j is None
            else:
                assert ours.rwg_j == pytest.approx(row["rwg_j"], abs=1e-9)
                checked += 1
    assert checked > 30


def test_icc_agrees_with_multilevel(summary: Any, reference: dict[str, Any]) -> None:
    for icc in summary.icc:
        ref = reference["icc"][icc.dimension]
        assert icc.n == ref["n"]
        assert icc.icc1 == pytest.approx(ref["icc1"], abs=1e-9)
        assert icc.icc2 == pytest.approx(ref["icc2"], abs=1e-9)


def test_band_counts_means_and_spread_match_scoring_one_by_one() -> None:
    data = _fixture_data()
    r = mgrlead.load_rubric("manager-leader")
    result = summarize_teams(r, data, min_size=1)
    for team in result.teams:
        rows = [k for k, t in enumerate(data["team"]) if t == team.team]
        profiles = [mgrlead.score(r, {i: data[i][k] for i in r.item_ids}) for k in rows]
        for d in team.dimensions:
            percents = [p[d.dimension].percent for p in profiles if p[d.dimension].scorable]
            bands = [p[d.dimension].band for p in profiles if p[d.dimension].scorable]
            assert d.scored == len(percents)
            assert d.unscored == len(rows) - len(percents)
            assert d.bands == {b.id: bands.count(b.id) for b in r.bands}
            assert d.mean == pytest.approx(statistics.fmean(percents), abs=1e-12)
            if len(percents) > 1:
                assert d.sd == pytest.approx(statistics.stdev(percents), abs=1e-12)
            else:
                assert d.sd is None


def test_small_teams_show_no_statistics_and_stay_out_of_the_icc() -> None:
    data = _fixture_data()
    result = summarize_teams("manager-leader", data, min_size=3)
    assert not result["t02"].shown
    assert result["t02"].dimensions == ()
    assert result["t03"].shown
    # the ICCs are those of the data without the hidden teams
    hidden = {t.team for t in result.teams if not t.shown}
    assert hidden
    keep = [k for k, team in enumerate(data["team"]) if team not in hidden]
    without = {name: [column[k] for k in keep] for name, column in data.items()}
    expected = summarize_teams("manager-leader", without, min_size=1).icc
    for got, want in zip(result.icc, expected, strict=True):
        fields = ("groups", "n", "icc1", "icc2")
        assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
        assert got.hidden >= len(hidden)
    assert all(row["team"] != "t02" for row in result.to_rows())


TWO = rubric([dim("lead", [item("v1"), item("v2"), item("c1", "lo"), item("c2")])])


def _solo_round(solo: tuple[int, int, int, int]) -> dict[str, list[Any]]:
    """Teams a x 4, b x 5 and solo x 1 (the attack of issue 15, item 2)."""
    a = [(1, 2, 3, 4), (2, 2, 2, 2), (5, 4, 3, 2), (3, 3, 4, 1)]
    b = [(4, 4, 4, 4), (1, 1, 2, 5), (2, 3, 4, 5), (5, 5, 1, 1), (3, 2, 3, 2)]
    rows = a + b + [solo]
    return {"team": ["a"] * 4 + ["b"] * 5 + ["solo"]} | {
        item_id: [r[k] for r in rows] for k, item_id in enumerate(("v1", "v2", "c1", "c2"))
    }


@given(st.tuples(*[st.integers(1, 5)] * 4))
def test_a_hidden_member_changes_no_published_number(solo: tuple[int, int, int, int]) -> None:
    # with the solo member inside the ICCs, ICC(2) and the shown teams' means and SDs gave
    # a quadratic whose root was the member's percent: now nothing depends on it
    baseline = summarize_teams(TWO, _solo_round((3, 3, 3, 3)), min_size=3).to_dict()
    assert summarize_teams(TWO, _solo_round(solo), min_size=3).to_dict() == baseline
    assert baseline["icc"][0]["hidden"] == 1
    assert baseline["icc"][0]["n"] == 9


@given(st.lists(st.sampled_from([1, 2, 3, 4, 5, None]), min_size=4, max_size=4))
def test_a_dimension_with_too_few_scored_members_shows_only_counts(
    answers: list[int | None],
) -> None:
    # team x has 3 members, but only the first two answer enough of dimension "d" to be
    # scored on it: its mean and SD of two would give both percents away
    two = rubric([dim("d", [item("a"), item("b")]), dim("e", [item("f"), item("g")])])
    data = {
        "team": ["x", "x", "x", "y", "y", "y"],
        "a": [answers[0], answers[1], None, 1, 2, 3],
        "b": [answers[2], answers[3], None, 2, 2, 4],
        "f": [1, 2, 3, 4, 5, 1],
        "g": [2, 2, 2, 3, 3, 5],
    }
    result = summarize_teams(two, data, min_size=3)
    d = result["x"]["d"]
    assert not d.shown
    assert (d.mean, d.sd, d.rwg_j, d.bands) == (None, None, None, {})
    assert d.scored + d.unscored == 3
    assert result["x"]["e"].shown
    # the ICC of "d" leaves team x out, so it is the same whatever x's members answered
    icc = result.icc[0]
    assert (icc.groups, icc.hidden, icc.n) == (1, 1, 3)
    assert icc.icc1 is None
    anything = summarize_teams(two, data | {"a": [5, 5, None, 1, 2, 3]}, min_size=3)
    assert anything.icc[0] == icc
    assert anything["x"]["e"] == result["x"]["e"]


ONE = rubric([dim("d", [item("a"), item("b", "lo"), item("c")])])


@settings(max_examples=100)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.tuples(*[st.integers(1, 5)] * 3)), min_size=1))
def test_rwg_is_one_for_full_agreement_and_bounded(rows: list[tuple[str, tuple[int, ...]]]) -> None:
    data = {"team": [t for t, _ in rows]} | {
        i: [a[k] for _, a in rows] for k, i in enumerate("abc")
    }
    result = summarize_teams(ONE, data, min_size=1)
    for team in result.teams:
        d = team["d"]
        answers = [a for t, a in rows if t == team.team]
        if d.rwg_j is not None:
            assert 0.0 <= d.rwg_j <= 1.0
            if len(set(answers)) == 1:
                assert d.rwg_j == 1.0
        else:
            assert len(answers) < 2
    # relabelling the teams changes nothing but the labels
    renamed = summarize_teams(ONE, data | {"team": [t.upper() for t in data["team"]]}, min_size=1)
    assert renamed.icc == result.icc


def test_icc_of_identical_teams_is_at_most_zero_and_of_separated_teams_near_one() -> None:
    same = {"team": list("xxxyyy"), "a": [1, 3, 5, 1, 3, 5], "b": [3] * 6, "c": [3] * 6}
    icc = summarize_teams(ONE, same).icc[0]
    assert icc.icc1 is not None
    assert icc.icc1 < 0
    apart = {"team": list("xxxyyy"), "a": [1, 1, 2, 5, 5, 4], "b": [5, 5, 4, 1, 1, 2],
             "c": [1, 2, 1, 5, 4, 5]}  # fmt: skip
    icc = summarize_teams(ONE, apart).icc[0]
    assert icc.icc1 is not None
    assert icc.icc2 is not None
    assert icc.icc1 > 0.9
    assert icc.icc2 > 0.9


def test_frames_and_json() -> None:
    result = summarize_teams("manager-leader", _fixture_data())
    frame = result.to_frame("polars")
    shown = sum(t.shown for t in result.teams)
    assert frame.height == shown * 4
    assert {"band_manager_leaning", "band_balanced", "band_leader_leaning", "rwg_j"} <= set(
        frame.columns
    )
    again = json.loads(result.to_json())
    assert again["icc"][0]["icc1"] == result.icc[0].icc1
    assert not any(
        isinstance(v, float) and math.isnan(v) for row in result.to_rows() for v in row.values()
    )


def test_errors_name_the_row_and_column() -> None:
    data = {"team": ["x", None], "a": [1, 2], "b": [1, 2], "c": [1, 2]}
    with pytest.raises(InputError, match=r"row 1: None in column 'team'"):
        summarize_teams(ONE, data)
    with pytest.raises(InputError, match="no column 'unit'"):
        summarize_teams(ONE, data, by="unit")
    with pytest.raises(InputError, match="min_size"):
        summarize_teams(ONE, data, min_size=0)


def _nested_team_rubric() -> Any:
    from mgrlead import Dimension  # noqa: PLC0415

    from .helpers import pole  # noqa: PLC0415

    vision = Dimension(id="vision", name="vision", low=pole("lo"), high=pole("hi"),
                       items=[item("v1"), item("v2")])  # fmt: skip
    care = Dimension(id="care", name="care", low=pole("lo"), high=pole("hi"),
                     items=[item("c1"), item("c2"), item("c3")])  # fmt: skip
    lead = Dimension(id="lead", name="lead", low=pole("lo"), high=pole("hi"),
                     dimensions=[vision, care])  # fmt: skip
    return rubric([lead])


@given(st.lists(st.tuples(*[st.integers(1, 5)] * 5), min_size=3, max_size=3))
def test_a_member_who_skipped_an_item_of_a_sub_dimension_is_not_isolated(
    others: list[tuple[int, ...]],
) -> None:
    # counted per dimension, 5 mean_lead - 2 mean_vision - 3 mean_care over team "a"
    # moved only with the member who skipped c3: now that member counts on no
    # dimension of the family, so nothing published depends on their answers
    def summary(skipper: tuple[int | None, ...]) -> dict[str, Any]:
        rows = [*others, skipper]
        data = {"team": ["a"] * 4} | {
            i: [r[k] for r in rows] for k, i in enumerate(("v1", "v2", "c1", "c2", "c3"))
        }
        return summarize_teams(_nested_team_rubric(), data, min_size=3).to_dict()

    first = summary((1, 2, 1, 2, None))
    assert summary((5, 4, 5, 4, None)) == first
    lead = next(d for d in first["teams"][0]["dimensions"] if d["dimension"] == "lead")
    assert (lead["scored"], lead["unscored"]) == (3, 1)


def test_team_and_360_summaries_refuse_imputation_from_the_sample() -> None:
    from mgrlead.groups.multirater import score_360  # noqa: PLC0415

    imputing = attrs_evolve_missing(ONE, "mean")
    data = {"team": ["x"] * 3, "subject": ["s"] * 3, "rater_group": ["peer"] * 3,
            "a": [1, None, 3], "b": [2, 2, 2], "c": [3, 4, 5]}  # fmt: skip
    with pytest.raises(InputError, match="hidden people's answers"):
        summarize_teams(imputing, data)
    with pytest.raises(InputError, match="hidden people's answers"):
        score_360(imputing, data)


def attrs_evolve_missing(base: Any, how: str) -> Any:
    import attrs  # noqa: PLC0415

    from mgrlead import MissingPolicy  # noqa: PLC0415

    return attrs.evolve(base, missing=MissingPolicy(impute=how))


def test_the_frame_has_band_columns_when_the_first_dimension_is_withheld() -> None:
    two = rubric([dim("d", [item("a"), item("b")]), dim("e", [item("f"), item("g")])])
    data = {"team": ["x"] * 3, "a": [None, None, 3], "b": [None, None, 4],
            "f": [1, 2, 3], "g": [2, 3, 4]}  # fmt: skip
    result = summarize_teams(two, data, min_size=3)
    assert not result["x"]["d"].shown
    frame = result.to_frame("pandas")
    assert [c for c in frame.columns if c.startswith("band_")]
    row = frame[frame["dimension"] == "e"].iloc[0]
    assert sum(row[c] for c in frame.columns if c.startswith("band_")) == 3
