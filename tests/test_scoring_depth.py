"""Scoring depth: strategies, missing-data policies, weighting, norms, uncertainty, careless."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
from helpers import dim, item, rubric
from mgrlead import MissingPolicy, RubricError, Weighting
from mgrlead.analysis.norms import (
    DimensionNorm,
    NormError,
    NormGroup,
    NormTable,
    PercentilePoint,
    dump_norms,
    load_norms,
)
from mgrlead.cli import cli
from mgrlead.results import CARELESS_METRICS
from mgrlead.testing import hypothesis as mh

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
ML = mgrlead.load_rubric("manager-leader")


# ----------------------------------------------------------------- strategies
def test_strategies_chosen_at_call_time() -> None:
    answers = {"pr1": 2, "pr2": 4, "pr3": 2, "pr4": 5}
    by_name = {
        s: mgrlead.score(ML, answers, strategy=s)["process_results"].score
        for s in mgrlead.STRATEGIES
        if s != "theta"
    }  # fmt: skip (θ: test_irt_strategy.py)
    keyed = [4, 4, 4, 5]
    assert by_name == {
        "mean": sum(keyed) / 4,
        "weighted_mean": sum(keyed) / 4,  # unit weights: the same as the mean
        "sum": float(sum(keyed)),
        "prorated_sum": sum(keyed) / 4 * 6,
        "percent": (sum(keyed) / 4 - 1) / 4 * 100,
    }
    assert mgrlead.score(ML, answers, strategy="sum").strategy == "sum"
    assert ML.strategy == "mean"  # the rubric itself is unchanged
    frame = mgrlead.score_frame(ML, {i: [answers.get(i)] for i in ML.item_ids}, strategy="sum")
    assert frame["process_results_score"][0] == 17.0


def test_weighted_mean_applies_item_weights() -> None:
    heavy = Weighting(id="pr2x3", items={"pr2": 3.0})
    s = mgrlead.score(ML, {"pr1": 1, "pr2": 1, "pr3": 3}, strategy="weighted_mean",
                      weighting=heavy)["process_results"]  # fmt: skip
    assert s.score == (5 + 3 * 1 + 3) / 5


def test_unknown_strategy_and_policy_names() -> None:
    with pytest.raises(RubricError, match="no strategy named 'median'"):
        mgrlead.score(ML, {}, strategy="median")
    with pytest.raises(RubricError, match="unknown missing-data policy 'mode'"):
        mgrlead.score(ML, {}, missing="mode")


# ------------------------------------------------------------ missing policies
def test_per_dimension_policy_overrides_the_rubric() -> None:
    strict = dim("strict", [item("a"), item("b")], missing=MissingPolicy(min_share=1.0))
    loose = dim("loose", [item("c"), item("d")])
    r = rubric([strict, loose])
    profile = mgrlead.score(r, {"a": 5, "c": 5})
    assert not profile["strict"].scorable
    assert profile["loose"].scorable


def test_imputation_needs_a_sample() -> None:
    r = rubric([dim("d", [item("a"), item("b")])], missing=MissingPolicy.named("mean"))
    with pytest.raises(RubricError, match="imputes missing answers with the sample's item mean"):
        mgrlead.score(r, {"a": 4})
    assert mgrlead.score(r, {"a": 4, "b": 2})["d"].score == 3.0  # nothing to impute


def test_imputation_by_hand() -> None:
    r = rubric([dim("d", [item("a"), item("b", "lo")])])
    frame = {"a": [1, 3, None, 5], "b": [2, None, 4, 3]}
    out = mgrlead.score_frame(r, frame, missing="mean")
    # a's mean over answers = 3; b's = 3 (reversed 6 - 3 = 3)
    assert out["d_score"].tolist() == [(1 + 4) / 2, (3 + 3) / 2, (3 + 2) / 2, (5 + 3) / 2]
    assert out["d_imputed"].tolist() == [0, 1, 1, 0]
    assert out["d_answered"].tolist() == [2, 1, 1, 2]
    median = mgrlead.score_frame(r, {"a": [1, 2, 5, None], "b": [3, 3, 3, 3]}, missing="median")
    assert median["d_score"][3] == (2 + 3) / 2


def test_min_answered_zero_needs_imputation() -> None:
    with pytest.raises(RubricError, match="min_answered = 0 needs imputation"):
        MissingPolicy(min_answered=0)


# ------------------------------------------------------------------ weighting
@given(mh.rubrics().flatmap(lambda r: st.tuples(st.just(r), mh.answers(r))))
def test_equal_weights_give_the_unweighted_result(case: tuple[mgrlead.Rubric, Any]) -> None:
    r, answers = case
    r = attrs.evolve(r, weighting=Weighting(id="equal"))
    top = [d.id for d in r.dimensions]
    same = Weighting(id="threes", dimensions=dict.fromkeys(top, 3.0))
    a = mgrlead.score(r, answers)
    b = mgrlead.score(r, answers, weighting=same)
    if a.overall.scorable:
        assert b.overall.percent == pytest.approx(a.overall.percent, abs=1e-9)
        unweighted = statistics.fmean(a[d].percent for d in top)  # type: ignore[misc]
        assert a.overall.percent == pytest.approx(unweighted, abs=1e-9)
    assert a.dimensions == b.dimensions


@given(mh.rubrics(), st.data(), st.floats(1.5, 10))
def test_weights_move_the_overall_toward_the_heavier_dimension(
    r: mgrlead.Rubric, data: st.DataObject, factor: float
) -> None:
    r = attrs.evolve(r, weighting=Weighting(id="equal"))
    answers = data.draw(mh.answers(r, missing=st.just(False)))  # noqa: FBT003
    base = mgrlead.score(r, answers)
    target = data.draw(st.sampled_from([d.id for d in r.dimensions]))
    heavier = mgrlead.score(r, answers, weighting=Weighting(id="w", dimensions={target: factor}))
    assert base.overall.percent is not None
    assert heavier.overall.percent is not None
    difference = base[target].percent - base.overall.percent  # type: ignore[operator]
    moved = heavier.overall.percent - base.overall.percent
    if abs(difference) < 1e-9:
        assert abs(moved) < 1e-9
    else:
        assert moved * difference > 0  # toward the dimension that weighs more
        assert abs(moved) <= abs(difference) + 1e-9


def test_item_weights_from_a_scheme_at_call_time() -> None:
    heavy = Weighting(id="pr2x3", items={"pr2": 3.0})
    s = mgrlead.score(ML, {"pr1": 1, "pr2": 1, "pr3": 3}, weighting=heavy)["process_results"]
    assert s.mean == (5 + 3 * 1 + 3) / 5


# ---------------------------------------------------------------------- norms
def _table(**kw: Any) -> NormTable:
    norms = {d.id: DimensionNorm(mean=3.0, sd=0.5, reliability=0.84) for d in ML.dimensions}
    kw.setdefault("groups", [NormGroup(id="all", dimensions=norms)])
    return NormTable(id="t", version="1", population="test", rubric="manager-leader", **kw)


def test_derived_scores_by_hand() -> None:
    answers = {i.id: (4 if i.keyed == "leader" else 2) for i in ML.items}  # mean 4 everywhere
    profile = mgrlead.score(ML, answers, norms=_table())
    norm = profile["process_results"].norm
    assert norm is not None
    assert profile.norms == "t 1"
    assert norm.z == 2.0  # (4 - 3) / 0.5
    assert norm.t == 70.0
    assert norm.percentile == pytest.approx(97.72498680518208)
    assert (norm.sten, norm.stanine) == (10, 9)
    assert norm.sem == pytest.approx(0.5 * math.sqrt(1 - 0.84))
    half = 1.959963984540054 * 0.2
    assert (norm.ci_low, norm.ci_high) == pytest.approx((4 - half, 4 + half))
    # mean 4 is percent 75; the interval 3.61..4.39 (percent 65..85) stays leader-leaning
    assert norm.borderline is False


def test_borderline_when_the_interval_crosses_a_band() -> None:
    answers = {i.id: 3 for i in ML.items}
    answers.update({"pr2": 4, "pr4": 4, "pr6": 5})  # mean 3.5 = percent 62.5, near 60
    profile = mgrlead.score(ML, answers, norms=_table())
    s = profile["process_results"]
    assert s.band == "leader_leaning"
    assert s.norm is not None
    assert s.norm.borderline is True


def test_percentile_table_interpolates() -> None:
    points = [PercentilePoint(score=2, percentile=10), PercentilePoint(score=4, percentile=90)]
    norm = DimensionNorm(mean=3.0, sd=1.0, percentiles=points)
    assert norm.percentile(3.0, 0.0) == 50.0
    assert norm.percentile(1.0, -2.0) == 10.0
    assert norm.percentile(3.5, 0.5) == 70.0


def test_no_percentiles_without_norms() -> None:
    profile = mgrlead.score(ML, {"pr1": 3, "pr2": 3, "pr3": 3})
    assert profile["process_results"].norm is None
    assert profile.norms is None


def test_group_norms_and_fallback() -> None:
    all_ = {d.id: DimensionNorm(mean=3.0, sd=1.0) for d in ML.dimensions}
    managers = {d.id: DimensionNorm(mean=2.0, sd=1.0) for d in ML.dimensions}
    groups = [NormGroup(id="all", dimensions=all_), NormGroup(id="manager", dimensions=managers)]
    answers = dict.fromkeys(ML.item_ids, 3)
    with_fallback = _table(groups=groups, fallback="all")
    mine = mgrlead.score(ML, answers, norms=with_fallback, group="manager")["staff_counsel"].norm
    other = mgrlead.score(ML, answers, norms=with_fallback, group="peer")["staff_counsel"].norm
    assert mine is not None
    assert other is not None
    assert (mine.group, mine.fallback, mine.z) == ("manager", False, 1.0)
    assert (other.group, other.fallback, other.z) == ("all", True, 0.0)
    strict = _table(groups=groups)
    with pytest.raises(NormError, match="it has no group 'peer' and no fallback"):
        mgrlead.score(ML, answers, norms=strict, group="peer")


def test_norms_for_another_rubric_or_scoring_are_refused() -> None:
    other = attrs.evolve(_table(), rubric="ipip-bfi25")
    with pytest.raises(NormError, match="is for rubric 'ipip-bfi25'"):
        mgrlead.score(ML, {}, norms=other)
    hashed = attrs.evolve(_table(), content_hash="sha256:0000")
    with pytest.raises(NormError, match="built for another scoring"):
        mgrlead.score(ML, {}, norms=hashed)


def test_norms_built_from_data_give_z_mean_0_sd_1_per_group() -> None:
    frame = pd.read_csv(EXAMPLE)
    table = NormTable.build(ML, frame, id="example", group_by="team", population="examples")
    assert [g.id for g in table.groups] == ["all", "engineering", "operations", "people", "sales"]
    scored = mgrlead.score_frame(ML, frame, norms=table)
    for team, rows in scored.groupby("norm_group"):
        for d in ML.dimensions:
            z = rows[f"{d.id}_z"].dropna().to_numpy(dtype=float)
            assert abs(z.mean()) < 1e-12, (team, d.id)
            assert abs(z.std(ddof=1) - 1) < 1e-12, (team, d.id)
    everyone = next(g for g in table.groups if g.id == "all").dimensions["process_results"]
    assert everyone.n == 20
    assert everyone.reliability is not None
    assert 0 < everyone.reliability < 1


def test_norm_table_files_round_trip(tmp_path: Path) -> None:
    table = NormTable.build(ML, pd.read_csv(EXAMPLE), id="example", group_by="team")
    for fmt in ("toml", "json", "yaml"):
        path = tmp_path / f"norms.{fmt}"
        path.write_text(dump_norms(table, fmt), "utf-8")
        assert load_norms(path) == table


def test_norm_table_invariants() -> None:
    with pytest.raises(ValueError, match="sd"):
        DimensionNorm(mean=1.0, sd=0.0)
    with pytest.raises(RubricError, match=r"reliability must be in \[0, 1\)"):
        DimensionNorm(mean=1.0, sd=1.0, reliability=1.2)
    with pytest.raises(RubricError, match="fallback group 'x' is not one of its groups"):
        _table(fallback="x")
    with pytest.raises(RubricError, match="increasing scores"):
        DimensionNorm(
            mean=1.0, sd=1.0,
            percentiles=[PercentilePoint(score=2, percentile=10),
                         PercentilePoint(score=1, percentile=20)],
        )  # fmt: skip


def test_cli_norms_build_and_score(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "norms.toml"
    built = runner.invoke(cli, ["norms", "build", str(EXAMPLE), "--group", "team", "-o", str(out)])
    assert built.exit_code == 0, built.output
    # 20 people, one of them not scorable on one dimension
    assert "groups all (n = 19 to 20 by dimension), engineering (n = 5)" in built.stderr
    scored = runner.invoke(cli, ["score", str(EXAMPLE), "--norms", str(out), "--format", "json"])
    rows = json.loads(scored.stdout)
    assert rows[0]["norm_group"] == "sales"
    assert isinstance(rows[0]["process_results_percentile"], float)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(dict.fromkeys(ML.item_ids, 4)), "utf-8")
    shown = runner.invoke(cli, ["assess", "--answers", str(answers), "--norms", str(out),
                                "--norm-group", "people"])  # fmt: skip
    assert "Compared with group 'people' of norm table" in shown.stdout
    missing_group = runner.invoke(cli, ["norms", "build", str(EXAMPLE), "--group", "role",
                                        "-o", str(out)])  # fmt: skip
    assert missing_group.exit_code == 2
    assert "no column 'role'" in missing_group.stderr


def test_cli_missing_policy(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["score", str(EXAMPLE), "--missing", "mean", "--format", "json"]
    )
    rows = json.loads(result.stdout)
    assert rows[17]["structure_strategy_imputed"] == 4
    assert rows[17]["structure_strategy_score"] is not None
    _ = tmp_path


# ------------------------------------------------------------------- careless
def test_careless_indicators_by_hand() -> None:
    straight = dict.fromkeys(ML.item_ids, 4)
    c = mgrlead.score(ML, straight).careless
    assert c is not None
    assert c.longest_run == 24
    assert c.irv == 0.0
    assert c.acquiescence == 0.5  # 4 on 1..5 is +0.5 on -1..+1
    assert c.both_poles == 4
    varied = {i.id: (5 if i.keyed == "leader" else 1) for i in ML.items}
    v = mgrlead.score(ML, varied).careless
    assert v is not None
    assert v.acquiescence == 0.0
    assert v.both_poles == 0
    assert v.longest_run == 1  # the items alternate manager / leader in rubric order


def test_careless_indicators_never_change_scores() -> None:
    answers = dict.fromkeys(ML.item_ids, 4)
    profile = mgrlead.score(ML, answers)
    assert profile.overall.percent == 50.0


@given(mh.rubrics().flatmap(lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), max_size=5))))
def test_careless_single_and_batch_agree(case: tuple[mgrlead.Rubric, list[dict[str, Any]]]) -> None:
    r, people = case
    values = np.array(
        [[np.nan if p.get(i) is None else p[i] for i in r.item_ids] for p in people], dtype=float
    ).reshape(len(people), len(r.item_ids))
    batch = mgrlead.score_matrix(r, values)
    for row, answers in enumerate(people):
        assert batch.profile(row).careless == mgrlead.score(r, answers).careless


@given(mh.rubrics().flatmap(lambda r: st.tuples(st.just(r), st.lists(mh.answers(r), max_size=5))))
def test_leaving_careless_out_changes_nothing_else(
    case: tuple[mgrlead.Rubric, list[dict[str, Any]]],
) -> None:
    r, people = case
    values = np.array(
        [[np.nan if p.get(i) is None else p[i] for i in r.item_ids] for p in people], dtype=float
    ).reshape(len(people), len(r.item_ids))
    full = mgrlead.score_matrix(r, values)
    lean = mgrlead.score_matrix(r, values, careless=False)
    full_columns, lean_columns = full.columns(), lean.columns()
    assert set(full_columns) - set(lean_columns) == {f"careless_{m.name}" for m in CARELESS_METRICS}
    for name, column in lean_columns.items():
        np.testing.assert_array_equal(column, full_columns[name])
    for row, answers in enumerate(people):
        single = mgrlead.score(r, answers, careless=False)
        assert single.careless is None
        assert lean.profile(row) == single
        assert single == attrs.evolve(mgrlead.score(r, answers), careless=None)
    frame = {i: values[:, j] for j, i in enumerate(r.item_ids)}
    assert not any(c.startswith("careless_") for c in mgrlead.score_frame(r, frame, careless=False))


def test_no_borderline_when_mean_and_percent_are_not_one_line_apart() -> None:
    # one item on 1..5 and one on 1..7: the percent is not a rescaled mean, so an
    # interval on the mean cannot be compared with bands on the percent
    mixed = rubric([
        dim("d", [item("a"), attrs.evolve(item("b"), scale=mgrlead.Scale.agreement(7))]),
    ])  # fmt: skip
    same = rubric([dim("d", [item("a"), item("b")])])
    for r, expected in ((mixed, None), (same, True)):
        norms = NormTable(id="t", version="1", population="test", rubric="test", groups=[
            NormGroup(id="all", dimensions={"d": DimensionNorm(mean=3.0, sd=0.5,
                                                               reliability=0.5)}),
        ])  # fmt: skip
        score = mgrlead.score(r, {"a": 3, "b": 4}, norms=norms)["d"]
        assert score.norm is not None
        assert score.norm.borderline is expected, r is mixed
