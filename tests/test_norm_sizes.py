"""Norm groups too small to trust are said to be (issue 16, item 7)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.analysis.norms import (
    MIN_NORM_N,
    DimensionNorm,
    NormGroup,
    NormTable,
    dump_norms,
    load_norms,
)
from mgrlead.cli import cli
from mgrlead.errors import RubricError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
ML = mgrlead.load_rubric("manager-leader")


def _answers(rows: int, teams: dict[str, int]) -> dict[str, list[object]]:
    """``rows`` random complete answers, the first rows in ``teams`` of the given sizes."""
    rng = np.random.default_rng(16)
    frame: dict[str, list[object]] = {
        i: rng.integers(1, 6, size=rows).astype(float).tolist() for i in ML.item_ids
    }
    labels: list[object] = []
    for team, size in teams.items():
        labels += [team] * size
    frame["team"] = labels + ["big"] * (rows - len(labels))
    return frame


def test_small_groups_are_listed_and_the_big_one_is_not() -> None:
    table = NormTable.build(ML, _answers(260, {"tiny": 5}), id="n", group_by="team")
    assert MIN_NORM_N == 200
    assert {g.id: g.n for g in table.groups} == {"all": 260, "big": 255, "tiny": 5}
    assert [g.id for g in table.small_groups()] == ["tiny"]
    warning = table.size_warning()
    assert warning is not None
    assert "'tiny' (n = 5)" in warning
    assert "'big'" not in warning
    assert "fewer than 200 people" in warning
    # the 95% margin of a mean of 5: Student's t with 4 degrees of freedom, 2.776445
    assert f"uncertain by {2.776445 / math.sqrt(5):.2f} SD" in warning
    assert "group 'tiny' (n = 5) rests on" in warning
    from mgrlead.i18n import use_language  # noqa: PLC0415

    with use_language("de"):  # shown in reports, in the report's language
        german = table.size_warning()
    margin = f"{2.776445 / math.sqrt(5):.2f}".replace(".", ",")
    assert german == (
        "Normtabelle 'n': Die Gruppe 'tiny' (n = 5) beruht auf weniger als 200 Personen, zu "
        f"wenige, um ihr zu trauen: bei 5 Personen ist der Mittelwert einer Gruppe um {margin} "
        "SD unsicher (95%), und z, T, Perzentile und Stens verschieben sich mit ihm; erheben "
        "Sie mehr Daten, fassen Sie Gruppen zusammen oder verwenden Sie veröffentlichte Normen"
    )


def test_without_scipy_the_margin_is_a_lower_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "scipy.stats", None)  # import fails
    table = NormTable.build(ML, _answers(260, {"tiny": 5}), id="n", group_by="team")
    warning = table.size_warning()
    assert warning is not None
    assert f"uncertain by at least {1.959964 / math.sqrt(5):.2f} SD" in warning


def test_commands_that_compare_with_small_norms_say_so(tmp_path: Path) -> None:
    table = NormTable.build(ML, _answers(30, {}), id="small", min_n=200)
    norms = tmp_path / "small.toml"
    norms.write_text(dump_norms(table, "toml"), "utf-8")
    answers = tmp_path / "me.json"
    answers.write_text(__import__("json").dumps(dict.fromkeys(ML.item_ids, 4)), "utf-8")
    for args in (
        ["score", str(EXAMPLE), "--norms", str(norms), "-o", str(tmp_path / "s.csv")],
        ["assess", "--answers", str(answers), "--norms", str(norms), "--json"],
    ):
        done = CliRunner().invoke(cli, args)
        assert done.exit_code == 0, done.output
        warnings = [ln for ln in done.stderr.splitlines() if ln.startswith("mgrlead: warning:")]
        assert len(warnings) == 1, done.stderr
        assert "norm table 'small'" in warnings[0]
        assert "'all' (n = 30)" in warnings[0]


def test_the_threshold_is_kept_in_the_table_file(tmp_path: Path) -> None:
    table = NormTable.build(ML, _answers(40, {"a": 10}), id="n", group_by="team", min_n=30)
    assert [g.id for g in table.small_groups()] == ["a"]
    for fmt in ("toml", "json"):
        path = tmp_path / f"norms.{fmt}"
        path.write_text(dump_norms(table, fmt), "utf-8")
        loaded = load_norms(path)
        assert loaded.min_n == 30
        assert [g.id for g in loaded.small_groups()] == ["a"]
    with pytest.raises(RubricError, match="min_n must be a whole number of at least 2, got 1"):
        NormTable.build(ML, _answers(40, {}), id="n", min_n=1)


def test_published_norms_without_sizes_are_not_flagged() -> None:
    group = NormGroup(id="all", dimensions={d.id: DimensionNorm(mean=3.0, sd=0.5)
                                            for d in ML.dimensions})  # fmt: skip
    table = NormTable(id="pub", version="1", population="p", rubric=ML.id, groups=[group])
    assert group.n is None
    assert table.small_groups() == ()
    assert table.size_warning() is None


def test_norms_build_on_groups_of_five_warns_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "norms.toml"
    done = CliRunner().invoke(
        cli, ["norms", "build", str(EXAMPLE), "--group", "team", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    warnings = [line for line in done.stderr.splitlines() if line.startswith("mgrlead: warning:")]
    assert len(warnings) == 1
    for group in ("engineering", "operations", "people", "sales"):
        assert f"'{group}' (n = " in warnings[0]
    assert "fewer than 200 people" in warnings[0]
    assert [g.id for g in load_norms(out).small_groups()] == [g.id for g in load_norms(out).groups]
    quiet = CliRunner().invoke(
        cli, ["norms", "build", str(EXAMPLE), "--min-n", "2", "-o", str(tmp_path / "q.toml")]
    )
    assert quiet.exit_code == 0, quiet.output
    assert "warning" not in quiet.stderr


def test_a_norm_interval_on_the_percent_metric() -> None:
    # issue 16, item 7 (first half): the interval is in the table's metric (here the
    # mean, 1..5); convert_metric gives it on the 0-100 scale the profile shows
    from mgrlead.analysis.norms import convert_metric  # noqa: PLC0415
    from mgrlead.api import scoring_plan  # noqa: PLC0415

    group = NormGroup(id="all", dimensions={
        d.id: DimensionNorm(mean=3.0, sd=0.5, reliability=0.8) for d in ML.dimensions
    })  # fmt: skip
    table = NormTable(id="n", version="1", population="p", rubric=ML.id, groups=[group],
                      metric="mean")  # fmt: skip
    profile = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4), norms=table)
    plan = scoring_plan(ML)
    dim = plan.dimensions[0]
    score = profile[dim.id]
    norm = score.norm
    assert norm is not None
    assert norm.ci_low is not None
    assert norm.ci_high is not None
    strategy = plan.strategy.name
    assert convert_metric(norm.raw, "mean", "percent", strategy, dim) == pytest.approx(
        score.percent
    )
    low = convert_metric(norm.ci_low, table.metric, "percent", strategy, dim)
    assert low == pytest.approx((norm.ci_low - 1) / 4 * 100)
    assert convert_metric(low, "percent", "mean", strategy, dim) == pytest.approx(norm.ci_low)
    assert convert_metric(norm.ci_low, "sum", "percent", strategy, dim) is None


def test_the_html_report_says_the_norm_group_is_small(tmp_path: Path) -> None:
    table = NormTable.build(ML, _answers(30, {}), id="small", min_n=200)
    norms = tmp_path / "small.toml"
    norms.write_text(dump_norms(table, "toml"), "utf-8")
    out = tmp_path / "r.html"
    args = ["report", str(EXAMPLE), "--kind", "profile", "--respondent", "R001"]
    args += ["--norms", str(norms), "-o", str(out)]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    html = out.read_text("utf-8")
    assert html.count("Small norm group:") == len(ML.dimensions)  # beside each comparison
    assert "norm table &#39;small&#39;" in html


def test_the_command_line_default_is_the_library_default(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["norms", "build", "--help"])
    assert f"[default: {MIN_NORM_N}, the library's MIN_NORM_N]" in " ".join(done.output.split())
    out = tmp_path / "n.toml"
    done = CliRunner().invoke(cli, ["norms", "build", str(EXAMPLE), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert load_norms(out).min_n == MIN_NORM_N
