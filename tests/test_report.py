"""HTML reports and charts: escaping, self-containment, anonymity, CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead import Band, Pole
from mgrlead.analysis.norms import DimensionNorm, NormGroup, NormTable, dump_norms
from mgrlead.cli import cli
from mgrlead.groups.multirater import score_360
from mgrlead.groups.teams import summarize_teams
from mgrlead.report import feedback360_report, profile_report, team_report
from mgrlead.report.charts import (
    ReportError,
    chart_bytes,
    feedback360_chart,
    profile_chart,
    team_chart,
)
from mgrlead.report.texts import careless_notes, percent_interval

from .helpers import dim, item, rubric

EXAMPLES = Path(__file__).parent.parent / "examples"
EVIL = "<script>alert('x')</script>"


def _read(name: str) -> dict[str, list[Any]]:
    import pyarrow.csv as pacsv  # noqa: PLC0415

    return pacsv.read_csv(EXAMPLES / name).to_pydict()


def _evil_rubric() -> mgrlead.Rubric:
    bands = (
        Band(id="low", label=f"Low {EVIL}", lower=0, upper=50, feedback=f"feedback {EVIL}"),
        Band(id="high", label="High", lower=50, upper=100, include_upper=True),
    )
    d = dim("d", [item("a1"), item("a2", "lo")])
    d = attrs.evolve(
        d,
        name=f"Dimension {EVIL}",
        low=Pole(id="lo", label=f"Low pole {EVIL}", description=f"about {EVIL}"),
    )
    return attrs.evolve(rubric([d], bands=bands), title=f"Title {EVIL}")


def _assert_self_contained(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "<iframe" not in lowered
    for value in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert value.startswith("data:"), value
    assert "@import" not in lowered
    assert "url(" not in lowered


def test_every_text_from_the_rubric_and_data_is_escaped() -> None:
    r = _evil_rubric()
    profile = mgrlead.score(r, {"a1": 1, "a2": 5})
    html = profile_report(profile, r, respondent=EVIL)
    _assert_self_contained(html)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert html.count("&lt;script&gt;") >= 6  # title, id, name, pole, band, feedback


def test_360_and_team_reports_escape_ids_and_groups() -> None:
    r = _evil_rubric()
    data = {
        "subject": [EVIL] * 4,
        "rater_group": ["self", "peer", "peer", "peer"],
        "team": [EVIL] * 4,
        "a1": [1, 2, 3, 4],
        "a2": [5, 4, 3, 2],
    }
    html = feedback360_report(score_360(r, data), r, EVIL)
    _assert_self_contained(html)
    assert "360° feedback: &lt;script&gt;" in html
    html = team_report(summarize_teams(r, data), r)
    _assert_self_contained(html)
    assert "Team &lt;script&gt;" in html


def test_the_profile_report_shows_bands_feedback_and_intervals() -> None:
    r = mgrlead.load_rubric("manager-leader")
    data = _read("responses.csv")
    norms = NormTable.build(r, data, id="example")
    answers = {i: data[i][0] for i in r.item_ids}
    profile = mgrlead.score(r, answers, norms=norms)
    html = profile_report(profile, r, respondent="R001")
    _assert_self_contained(html)
    for score in profile:
        assert f"<strong>{score.percent:.1f}</strong> of 100" in html
        assert (score.band_label or "") in html
    assert len(
        re.findall(r"95% interval of the score: \d+\.\d to \d+\.\d \(of 100\)", html)
    ) == len(profile)
    plain = profile_report(mgrlead.score(r, answers), r)
    assert "95% interval" not in plain
    assert "norm table that has reliabilities" not in plain  # no developer's note


def test_the_profile_chart_draws_the_interval_only_with_norms() -> None:
    r = mgrlead.load_rubric("manager-leader")
    data = _read("responses.csv")
    answers = {i: data[i][0] for i in r.item_ids}
    norms = NormTable.build(r, data, id="example")
    with_ci = profile_chart(mgrlead.score(r, answers, norms=norms), r)
    without = profile_chart(mgrlead.score(r, answers), r)
    assert len(with_ci.axes[0].lines) == len(without.axes[0].lines) + 4


def test_the_360_chart_and_report_never_show_a_small_group() -> None:
    r = mgrlead.load_rubric("manager-leader")
    result = score_360(r, _read("360-responses.csv"))
    blake = result["blake"]
    legend = feedback360_chart(blake, r).axes[0].get_legend()
    names = {t.get_text() for t in legend.get_texts()}
    assert "Direct reports" not in names
    assert {"Self", "Peers", "All others"} <= names
    html = feedback360_report(result, r, "blake")
    rows = re.findall(r"<tr><td>Direct reports</td>(.*?)</tr>", html, flags=re.DOTALL)
    assert len(rows) == len(r.dimensions)
    assert all("not shown" in row for row in rows)


def test_a_report_refuses_another_rubric_version() -> None:
    r = mgrlead.load_rubric("manager-leader")
    profile = mgrlead.score(r, dict.fromkeys(r.item_ids, 3))
    other = attrs.evolve(r, scale=mgrlead.Scale.agreement(7))
    with pytest.raises(ReportError, match="another version"):
        profile_report(profile, other)
    with pytest.raises(ReportError, match="subject 'nobody'"):
        feedback360_report(score_360(r, _read("360-responses.csv")), r, "nobody")


def test_charts_are_reproducible_png_and_svg() -> None:
    r = mgrlead.load_rubric("manager-leader")
    profile = mgrlead.score(r, dict.fromkeys(r.item_ids, 3))
    svg = chart_bytes(profile_chart(profile, r), "svg")
    assert svg == chart_bytes(profile_chart(profile, r), "svg")
    assert b"<svg" in svg
    assert b"<text" not in svg  # text is drawn as paths
    assert chart_bytes(profile_chart(profile, r), "png").startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ReportError, match="unknown chart format"):
        chart_bytes(profile_chart(profile, r), "gif")


def test_cli_writes_each_kind_of_report_and_charts(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        ["report", str(EXAMPLES / "responses.csv"), "--respondent", "R002"],
        ["report", str(EXAMPLES / "360-responses.csv"), "--kind", "360", "--subject", "casey"],
        ["report", str(EXAMPLES / "responses.csv"), "--kind", "team", "--by", "team"],
    ]
    for k, args in enumerate(cases):
        out = tmp_path / f"r{k}.html"
        charts = tmp_path / f"charts{k}"
        result = runner.invoke(cli, [*args, "-o", str(out), "--charts", str(charts)])
        assert result.exit_code == 0, result.output
        _assert_self_contained(out.read_text())
        pngs = sorted(charts.glob("*.png"))
        assert pngs
        assert len(list(charts.glob("*.svg"))) == len(pngs)


def test_cli_reports_a_saved_profile_json(tmp_path: Path) -> None:
    r = mgrlead.load_rubric("manager-leader")
    saved = tmp_path / "profile.json"
    saved.write_text(mgrlead.score(r, dict.fromkeys(r.item_ids, 2)).to_json())
    out = tmp_path / "p.html"
    result = CliRunner().invoke(cli, ["report", str(saved), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Balanced" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["responses.csv", "--respondent", "R999"], "respondent 'R999' is not in column"),
        (["responses.csv"], "the file has 20 respondents"),
        (["360-responses.csv", "--kind", "360"], "choose one with --subject"),
        (["responses.csv", "--kind", "360"], "no column 'subject'"),
        (["responses.csv", "--kind", "team", "--by", "site"], "no column 'site'"),
    ],
)
def test_cli_mistakes_are_one_line_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(EXAMPLES / args[0]), *args[1:], "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1
    assert not out.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not JSON"), ("[]", "expected a table"), ('{"rubric": 1}', "not a valid profile")],
)
def test_cli_a_bad_profile_file_is_one_line_naming_it(
    tmp_path: Path, content: str, message: str
) -> None:
    saved = tmp_path / "me.json"
    saved.write_text(content)
    result = CliRunner().invoke(cli, ["report", str(saved), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"mgrlead: error: {saved}: ")
    assert message in result.output
    assert "mgrlead assess -o" in result.output


def test_the_profile_report_names_careless_answering() -> None:
    r = mgrlead.load_rubric("manager-leader")
    same = profile_report(mgrlead.score(r, dict.fromkeys(r.item_ids, 4)), r)
    assert "You gave the same answer to all 24 statements" in same
    varied = {item: 1 + k % 5 for k, item in enumerate(r.item_ids)}
    assert "same answer to all" not in profile_report(mgrlead.score(r, varied), r)


def test_the_team_report_is_named_after_its_grouping(tmp_path: Path) -> None:
    data = _read("responses.csv")
    data["cost_centre"] = data.pop("team")
    r = mgrlead.load_rubric("manager-leader")
    html = team_report(summarize_teams(r, data, by="cost_centre"), r)
    assert "<h1>Cost centre report</h1>" in html
    assert "Teams by" not in html
    assert "Cost centre sales" in html


def test_cli_a_profile_of_another_rubric_names_the_rubric_it_was_scored_with(
    tmp_path: Path,
) -> None:
    r = mgrlead.load_rubric("manager-leader")
    saved = tmp_path / "me.json"
    saved.write_text(mgrlead.score(r, dict.fromkeys(r.item_ids, 2)).to_json())
    other = EXAMPLES / "ipip-bfi25.toml"
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(saved), "--rubric", str(other), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    line = result.output
    assert line.startswith(f"mgrlead: error: {saved}: ")
    assert "scored with rubric 'manager-leader' 1.0, not with rubric 'ipip-bfi25'" in line
    assert "--rubric manager-leader" in line
    assert "another version of rubric 'ipip-bfi25'" not in line  # the old, wrong blame
    assert not out.exists()


def test_a_team_chart_of_one_member_says_member() -> None:
    r = mgrlead.Rubric.from_keys({"a": ["a1", "-a2"]}, min=1, max=5)
    data = {"team": ["x", "y", "y"], "a1": [1, 2, 3], "a2": [5, 4, 3]}
    summary = summarize_teams(r, data, min_size=1)
    titles = {t.team: team_chart(t, r).axes[0].get_title() for t in summary.teams}
    assert titles["x"].endswith("(1 member)")
    assert titles["y"].endswith("(2 members)")


def test_the_profile_chart_shades_only_bands_on_its_0_to_100_axis() -> None:
    # The IPIP example's bands are on the sum: shaded on the 0-100 axis they put a
    # "Low" score in the "High" shading (found by a review).
    ipip = mgrlead.load_rubric(EXAMPLES / "ipip-bfi25.toml")
    answers = dict.fromkeys(ipip.item_ids, 2)
    figure = profile_chart(mgrlead.score(ipip, answers), ipip)
    shaded = [p for p in figure.axes[0].patches if p.get_zorder() == 0]
    assert shaded == []
    ml = mgrlead.load_rubric("manager-leader")
    figure = profile_chart(mgrlead.score(ml, dict.fromkeys(ml.item_ids, 4)), ml)
    shaded = [p for p in figure.axes[0].patches if p.get_zorder() == 0]
    assert len(shaded) == 3 * len(list(ml.walk()))  # three bands per dimension


def test_a_norm_interval_is_the_same_whatever_metric_the_table_describes() -> None:
    ml = mgrlead.load_rubric("manager-leader")

    def table(metric: str, mean: float, sd: float) -> NormTable:
        norm = DimensionNorm(mean=mean, sd=sd, reliability=0.6)
        return NormTable(
            id="t", version="1", population="p", rubric=ml.id, metric=metric,
            groups=[NormGroup(id="all", dimensions={d.id: norm for d in ml.walk()})],
        )  # fmt: skip

    on_mean, on_percent = table("mean", 3.0, 0.5), table("percent", 50.0, 12.5)
    for lead, manage in ((5, 1), (4, 2), (3, 3), (1, 5)):  # scores of 100, 75, 50 and 0
        answers = {i.id: lead if i.keyed == "leader" else manage for i in ml.items}
        for d in ml.walk():
            a = percent_interval(mgrlead.score(ml, answers, norms=on_mean)[d.id], d, ml)
            b = percent_interval(mgrlead.score(ml, answers, norms=on_percent)[d.id], d, ml)
            assert a is not None
            assert b is not None
            assert a == pytest.approx(b, abs=1e-9)
            assert 0.0 <= a[0] <= a[1] <= 100.0


def test_the_straight_lining_note_says_what_the_same_answer_does_to_this_rubric() -> None:
    ml = mgrlead.load_rubric("manager-leader")  # every dimension keyed both ways
    note = careless_notes(mgrlead.score(ml, dict.fromkeys(ml.item_ids, 5)), ml)[0]
    assert "near the middle" in note
    one_way = mgrlead.Rubric.from_keys({"a": ["a1", "a2", "a3"]}, min=1, max=5)
    profile = mgrlead.score(one_way, dict.fromkeys(one_way.item_ids, 5))
    assert profile["a"].percent == 100.0
    note = careless_notes(profile, one_way)[0]
    assert "near the middle" not in note
    assert "to the same end" in note


def test_the_html_keeps_a_point_band_in_its_legend_and_on_its_bars() -> None:
    # A band of no width is still a band a score can be in: the review found the
    # HTML dropped it from the legend and from "What the bands mean".
    r = mgrlead.Rubric.from_keys({"s": ["a", "-b", "c", "-d"]}, min=1, max=5)
    bands = (
        Band(id="low", label="Low", lower=0, upper=50, include_upper=False, feedback="Below."),
        Band(
            id="neutral",
            label="Neutral",
            lower=50,
            upper=50,
            include_upper=True,
            feedback="Exactly between.",
        ),
        Band(
            id="high",
            label="High",
            lower=50,
            upper=100,
            include_lower=False,
            include_upper=True,
            feedback="Above.",
        ),
    )
    r = attrs.evolve(r, bands=bands)
    profile = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})
    assert profile["s"].band == "neutral"
    html = profile_report(profile, r)
    legend = html[html.index('id="legend"') : html.index("</div>", html.index('id="legend"'))]
    assert "Neutral 50<" in legend
    assert "Low 0\u201350" in legend
    assert "Neutral (50)</dt>" in html
    assert "Exactly between." in html
    assert re.search(r'class="seg" style="left: 49\.5%; width: 1\.0%', html)


def test_a_profile_of_a_rubric_file_asks_for_that_file(tmp_path: Path) -> None:
    # 'ipip-bfi25' is a file, not a registered name: "--rubric ipip-bfi25" would fail
    ipip = mgrlead.load_rubric(EXAMPLES / "ipip-bfi25.toml")
    saved = tmp_path / "ipip.json"
    saved.write_text(mgrlead.score(ipip, dict.fromkeys(ipip.item_ids, 3)).to_json())
    result = CliRunner().invoke(cli, ["report", str(saved), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "scored with rubric 'ipip-bfi25'" in result.output
    assert "(--rubric with its file)" in result.output
    assert "--rubric ipip-bfi25" not in result.output


def test_a_saved_profile_is_compared_with_the_norms_given(tmp_path: Path) -> None:
    r = mgrlead.load_rubric("manager-leader")
    saved = tmp_path / "me.json"
    saved.write_text(mgrlead.score(r, dict.fromkeys(r.item_ids, 4)).to_json())
    norms = tmp_path / "norms.toml"
    table = NormTable(
        id="t", version="1", population="p", rubric=r.id, metric="mean",
        groups=[NormGroup(id="all", dimensions={
            d.id: DimensionNorm(mean=3.0, sd=0.5, reliability=0.8) for d in r.walk()
        })],
    )  # fmt: skip
    norms.write_text(dump_norms(table, "toml"), "utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(saved), "--norms", str(norms), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert html.count(
        "Compared with group &lsquo;all&rsquo; of norm table &#39;t&#39; (version 1)"
    ) == len(list(r.walk()))


def test_at_a_glance_says_borderline_as_the_terminal_does() -> None:
    r = mgrlead.load_rubric("manager-leader")
    norm = DimensionNorm(mean=3.0, sd=0.5, reliability=0.6)
    table = NormTable(
        id="t", version="1", population="p", rubric=r.id, metric="mean",
        groups=[NormGroup(id="all", dimensions={d.id: norm for d in r.walk()})],
    )  # fmt: skip
    answers = {i.id: (3 if i.keyed == "leader" else 4) for i in r.items}  # percent 37.5
    profile = mgrlead.score(r, answers, norms=table)
    first = next(iter(r.walk()))
    assert profile[first.id].norm is not None
    assert profile[first.id].norm.borderline
    html = profile_report(profile, r)
    glance = html[html.index('id="glance"') : html.index('id="legend"')]
    assert "Manager-leaning (borderline)" in glance


def test_straight_lining_is_seen_whatever_the_rounding_of_the_sd() -> None:
    # On the IPIP example all 2s give an SD of about 2e-16, not 0 (found by a review)
    ipip = mgrlead.load_rubric(EXAMPLES / "ipip-bfi25.toml")
    profile = mgrlead.score(ipip, dict.fromkeys(ipip.item_ids, 2))
    assert profile.careless is not None
    assert profile.careless.longest_run == len(ipip.item_ids)
    notes = careless_notes(profile, ipip)
    assert notes
    assert notes[0].startswith("You gave the same answer to all 25 statements")
