"""Information and plots of item response theory (issue 17, part 4).

The references are independent of mgrlead.irt: category probabilities written
out here from the textbook formulas, and the information as the expected
squared score, ``Σ_k P_k (d log P_k / dθ)²``, with the derivative taken by
central finite differences of the log-probabilities (not the analytic
derivatives mgrlead uses).
"""

from __future__ import annotations

import base64
import io
import math
import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import MIXED, irt_rubric, p_textbook
from mgrlead.api import load_rubric
from mgrlead.cli import cli
from mgrlead.errors import ReportError, RubricError
from mgrlead.irt import Prior, information_summary, precise_ranges, score_theta
from mgrlead.model import Dimension, IrtParams, Item, Pole, Rubric, Scale
from mgrlead.report import charts, irt_charts, profile_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "irt-coaching.toml"
COACHING = load_rubric(EXAMPLE)

KEYED = ["high", "low", "high", "low", "high", "low"]


RUBRIC = irt_rubric(MIXED, KEYED)


# ------------------------------------------------------------------ the reference
def _info_ref(p: IrtParams, theta: float, h: float = 1e-5) -> float:
    """Σ_k P_k (d log P_k/dθ)², the derivative by central differences."""
    total = 0.0
    for k in range(p.categories):
        up, down = p_textbook(p, k, theta + h), p_textbook(p, k, theta - h)
        slope = (math.log(up) - math.log(down)) / (2 * h)
        total += p_textbook(p, k, theta) * slope * slope
    return total


def _test_info_ref(params: list[IrtParams], theta: float) -> float:
    return sum(_info_ref(p, theta) for p in params)


# ------------------------------------------------------------------ the numbers
def test_the_summary_agrees_with_finite_differences_of_the_log_likelihood() -> None:
    s = information_summary(RUBRIC, "trait", points=(-2.5, -1, 0, 0.7, 2))
    for t, info, se in zip(s.points, s.information, s.se, strict=True):
        ref = _test_info_ref(MIXED, t)
        assert info == pytest.approx(ref, rel=1e-7)
        assert se == pytest.approx(1.0 / math.sqrt(ref + 1.0), rel=1e-7)  # prior N(0, 1)
    ml = information_summary(RUBRIC, "trait", points=(0.5,), ml=True)
    assert ml.prior is None
    assert ml.se[0] == pytest.approx(1.0 / math.sqrt(_test_info_ref(MIXED, 0.5)), rel=1e-7)
    wide = information_summary(RUBRIC, "trait", points=(0.5,), prior=Prior(sd=2.0))
    assert wide.se[0] == pytest.approx(1.0 / math.sqrt(_test_info_ref(MIXED, 0.5) + 0.25), rel=1e-7)


def test_each_items_peak_is_the_largest_information_and_where() -> None:
    s = information_summary(RUBRIC, "trait")
    assert [i.id for i in s.items] == [f"i{n}" for n in range(6)]
    assert [i.reverse for i in s.items] == [k == "low" for k in KEYED]
    for it, p in zip(s.items, MIXED, strict=True):
        assert it.peak == pytest.approx(_info_ref(p, it.peak_at), rel=1e-7)
        grid = np.linspace(-8, 8, 3201)  # step 0.005: nothing on it beats the peak
        best = max(_info_ref(p, float(t)) for t in grid)
        assert it.peak >= best * (1 - 1e-9)
        assert it.peak <= best * (1 + 1e-4)


def test_a_two_category_items_peak_is_where_its_curve_crosses_one_half() -> None:
    # a 2PL item: I(θ) = (Da)² P (1 - P), at most (Da)²/4 at θ = b
    p = IrtParams(model="grm", a=1.7, thresholds=(0.3537,), scaling=1.702)
    r = Rubric(
        id="two", version="1", title="Two", scale=Scale(min=0, max=1, labels=("no", "yes")),
        dimensions=[Dimension(id="d", name="D", low=Pole(id="lo", label="Lo"),
                              high=Pole(id="hi", label="Hi"),
                              items=[Item(id="x", text="X", keyed="hi", irt=p)])],
    )  # fmt: skip
    (it,) = information_summary(r, "d").items
    assert it.peak_at == pytest.approx(0.3537, abs=1e-6)  # off the 0.01 grid: refined
    assert it.peak == pytest.approx((1.702 * 1.7) ** 2 / 4, rel=1e-10)


def test_the_precise_range_ends_where_the_se_reaches_the_target() -> None:
    (lo, hi), *rest = precise_ranges(RUBRIC, "trait", 0.5, Prior())
    assert rest == []
    for end in (lo, hi):
        assert 1.0 / math.sqrt(_test_info_ref(MIXED, end) + 1.0) == pytest.approx(0.5, abs=1e-7)
    mid = (lo + hi) / 2
    assert 1.0 / math.sqrt(_test_info_ref(MIXED, mid) + 1.0) < 0.5
    for outside in (lo - 0.05, hi + 0.05):
        assert 1.0 / math.sqrt(_test_info_ref(MIXED, outside) + 1.0) > 0.5
    # the prior alone gives SE 1: any target from 1 up holds everywhere
    assert precise_ranges(RUBRIC, "trait", 1.0, Prior()) == ((-math.inf, math.inf),)
    assert precise_ranges(RUBRIC, "trait", 0.05, Prior()) == ()  # never that precise
    assert precise_ranges(RUBRIC, "trait", 1.0, None) != ((-math.inf, math.inf),)  # ML: bounded
    with pytest.raises(RubricError, match="positive"):
        precise_ranges(RUBRIC, "trait", 0.0, Prior())


def test_a_dimension_without_parameters_is_refused_by_name() -> None:
    r = load_rubric("manager-leader")
    with pytest.raises(RubricError, match="process_results"):
        information_summary(r, "process_results")
    with pytest.raises(RubricError, match="no dimension 'nope'"):
        information_summary(COACHING, "nope")


# ------------------------------------------------------------------ the command line
def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["irt", "show", *args])


def test_irt_show_prints_the_numbers_of_the_summary_as_plain_text() -> None:
    done = _run("--rubric", str(EXAMPLE), "--se", "0.5")
    assert done.exit_code == 0, done.output
    out = done.stdout
    params = [COACHING.item(i).irt for i in ("c1", "c2", "c3", "c4")]
    for t in (-2, -1, 0, 1, 2):
        ref = sum(_info_ref(p, t) for p in params if p is not None)
        assert f"{t:+.2f}  {ref:11.3f}  {1 / math.sqrt(ref + 1):5.3f}" in out
    assert "b -1.50 -0.40 0.60 1.90" in out  # c2's thresholds, as declared (toward high)
    assert " c2 " in out
    assert " low " in out.split(" c2 ")[1].splitlines()[0]  # and its keying
    assert "SE ≤ 0.5 for θ " in out
    # the marginal reliability under the prior N(0, 1): information on the grid
    nodes = np.linspace(-6, 6, 61)
    weights = np.exp(-nodes * nodes / 2)
    weights /= weights.sum()
    info = np.array([sum(_info_ref(p, t) for p in params if p is not None) for t in nodes])
    error = float((weights / info).sum())
    assert f"Marginal reliability: {1 / (1 + error):.3f}" in out
    for box in "│━┃─┏└":  # piped: no box drawing
        assert box not in out
    assert "\x1b[" not in out


def test_irt_show_options_change_the_se() -> None:
    ml = _run("--rubric", str(EXAMPLE), "--no-prior", "--at", "0").stdout
    params = [COACHING.item(i).irt for i in ("c1", "c2", "c3", "c4")]
    ref = sum(_info_ref(p, 0.0) for p in params if p is not None)
    assert f"{1 / math.sqrt(ref):.3f}" in ml
    assert "no prior (ML)" in ml
    wide = _run("--rubric", str(EXAMPLE), "--prior-sd", "2", "--at", "0").stdout
    assert f"{1 / math.sqrt(ref + 0.25):.3f}" in wide


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--rubric", "manager-leader"],
            (
                "mgrlead: error: rubric 'manager-leader' has no dimension whose items all "
                "carry IRT parameters; add irt = {"
            ),
        ),
        (["--rubric", str(EXAMPLE), "--dimension", "nope"], "has no dimension 'nope'"),
        (["--rubric", str(EXAMPLE), "--at", "1,x"], "--at '1,x' is not a list of numbers"),
        (["--rubric", str(EXAMPLE), "--no-prior", "--prior-sd", "2"], "contradict"),
        (["--rubric", str(EXAMPLE), "--se", "0"], "--se"),
        (["--rubric", "no-such.toml"], "no-such.toml"),
    ],
)
def test_irt_show_mistakes_are_one_line(args: list[str], expected: str) -> None:
    done = _run(*args)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mgrlead: error: ")
    assert expected in lines[0]
    assert "Traceback" not in done.output


def test_irt_show_writes_the_charts(tmp_path: Path) -> None:
    done = _run("--rubric", str(EXAMPLE), "--chart", str(tmp_path), "--chart-format", "svg")
    assert done.exit_code == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        ["information-coaching.svg", "items-coaching.svg"]
        + [f"categories-coaching-c{k}.svg" for k in range(1, 5)]
    )
    for path in tmp_path.iterdir():
        root = ET.parse(path).getroot()  # noqa: S314 - our own output
        assert root.tag.endswith("svg")


# ------------------------------------------------------------------ the charts
def _data(line: Any) -> tuple[Any, Any]:
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def test_the_item_information_chart_draws_one_reference_curve_per_item() -> None:
    fig = irt_charts.item_information_chart(RUBRIC, "trait")
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == len(MIXED)
    for line, p in zip(lines, MIXED, strict=True):
        x, y = _data(line)
        for k in (0, 100, 200, 300):
            assert y[k] == pytest.approx(_info_ref(p, x[k]), rel=1e-6)


def test_the_information_chart_has_information_and_se_on_two_axes() -> None:
    fig = irt_charts.information_chart(RUBRIC, "trait", target_se=0.5)
    info_ax, se_ax = fig.axes
    (info,) = info_ax.get_lines()
    se, target = se_ax.get_lines()
    x, y = _data(info)
    _, s = _data(se)
    for k in (10, 160, 300):
        ref = _test_info_ref(MIXED, x[k])
        assert y[k] == pytest.approx(ref, rel=1e-6)
        assert s[k] == pytest.approx(1 / math.sqrt(ref + 1), rel=1e-6)
    assert set(_data(target)[1]) == {0.5}
    ml = irt_charts.information_chart(RUBRIC, "trait", ml=True)
    assert len(ml.axes[1].get_lines()) == 1  # no target line unless asked
    assert _data(ml.axes[1].get_lines()[0])[1][160] == pytest.approx(
        1 / math.sqrt(_test_info_ref(MIXED, 0.0)), rel=1e-6
    )


def test_the_category_chart_labels_answers_and_follows_the_keying() -> None:
    fig = irt_charts.category_chart(RUBRIC, "i1")  # reverse-keyed (toward low)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == [f"{c} {RUBRIC.scale.label(c)}" for c in range(1, 6)]
    x, _ = _data(lines[0])
    total = sum(_data(ln)[1] for ln in lines)
    assert np.allclose(total, 1.0)
    # answer 1 to a reverse-keyed item is its highest keyed category (4)
    for k in (0, 160, 320):
        assert _data(lines[0])[1][k] == pytest.approx(p_textbook(MIXED[1], 4, x[k]), rel=1e-9)
        assert _data(lines[4])[1][k] == pytest.approx(p_textbook(MIXED[1], 0, x[k]), rel=1e-9)
    assert "keyed toward Low" in ax.get_title()
    with pytest.raises(ReportError, match="does not count toward"):
        irt_charts.category_chart(RUBRIC, "i1", "other")


def test_the_theta_chart_marks_theta_and_shades_its_interval() -> None:
    profile = score_theta(RUBRIC, {"i0": 4, "i1": 2, "i2": 5, "i3": 1, "i4": 4, "i5": None})
    score = profile["trait"]
    assert score.theta is not None
    assert score.se is not None
    fig = irt_charts.theta_chart(RUBRIC, score)
    (ax,) = fig.axes
    marker = next(ln for ln in ax.get_lines() if ln.get_label() == "your θ")
    x, y = _data(marker)
    assert x[0] == score.theta
    assert y[0] == pytest.approx(_test_info_ref(MIXED, score.theta), rel=1e-6)
    (span,) = ax.patches
    corners = span.get_path().vertices @ np.eye(2)  # the span in data coordinates
    xs = span.get_transform().transform(corners)[:, 0]
    lo, hi = ax.transData.inverted().transform(np.c_[xs, np.zeros_like(xs)])[[0, 2], 0]
    assert min(lo, hi) == pytest.approx(score.theta - 1.959964 * score.se, abs=1e-5)
    assert max(lo, hi) == pytest.approx(score.theta + 1.959964 * score.se, abs=1e-5)
    unscored = score_theta(RUBRIC, {"i0": 4})["trait"]
    with pytest.raises(ReportError, match="no θ"):
        irt_charts.theta_chart(RUBRIC, unscored)


def test_irt_charts_render_as_png_and_svg() -> None:
    import matplotlib.image as mpimg  # noqa: PLC0415

    fig = irt_charts.information_chart(COACHING, "coaching", target_se=0.5)
    png = charts.chart_bytes(fig, "png")
    image = mpimg.imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 300
    assert image.shape[1] > 700
    svg = charts.chart_bytes(fig, "svg")
    assert ET.fromstring(svg).tag.endswith("svg")  # noqa: S314 - our own output
    fresh = [irt_charts.information_chart(COACHING, "coaching", target_se=0.5) for _ in "ab"]
    assert len({charts.chart_bytes(f, "svg") for f in fresh}) == 1  # reproducible
    assert b"<text" not in svg  # text drawn as paths, as every chart


# ------------------------------------------------------------------ the HTML report
ANSWERS: dict[str, int | None] = {"c1": 4, "c2": 2, "c3": 5, "c4": None}


def _theta_section(html: str) -> str:
    start = html.index('<section id="theta">')
    return html[start : html.index("</main>")]


def test_the_profile_report_has_a_theta_section_only_when_theta_is_given() -> None:
    profile = mgrlead.score(COACHING, ANSWERS)
    plain = profile_report(profile, COACHING)
    assert 'id="theta"' not in plain
    assert "θ (theta)" not in plain
    theta = score_theta(COACHING, ANSWERS)
    html = profile_report(profile, COACHING, theta=theta)
    section = _theta_section(html)
    score = theta["coaching"]
    assert score.theta is not None
    assert score.se is not None
    low, high = score.theta - 1.959964 * score.se, score.theta + 1.959964 * score.se
    assert f"95% interval {low:+.2f} to {high:+.2f}" in section
    assert f"<strong>{score.theta:+.2f}</strong> &middot; SE {score.se:.2f}" in section
    assert "standard error (SE)" in section  # the plain words
    (img,) = re.findall(r'<img src="(data:image/svg\+xml;base64,[^"]+)" alt="([^"]+)"', section)
    assert f"your θ {score.theta:.2f}" in img[1]
    assert f"{low:.2f} to {high:.2f}" in img[1]
    svg = base64.b64decode(img[0].split(",", 1)[1])
    assert ET.fromstring(svg).tag.endswith("svg")  # noqa: S314 - our own output
    assert plain.replace("\n", "") in html.replace("\n", "").replace(section.replace("\n", ""), "")


def test_the_theta_section_says_why_a_theta_is_missing() -> None:
    answers = {"c1": 4, "c2": None, "c3": None, "c4": None}  # 1 of 4: the policy needs more
    theta = score_theta(COACHING, answers)
    assert not theta["coaching"].scorable
    html = profile_report(mgrlead.score(COACHING, answers), COACHING, theta=theta)
    section = _theta_section(html)
    assert f"&theta; not scorable: {theta['coaching'].reason}" in section
    assert "<img" not in section


def test_the_theta_section_keeps_its_numbers_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_matplotlib(*_args: object) -> None:
        raise ReportError("charts need matplotlib: pip install 'mgrlead[report]'")

    monkeypatch.setattr(irt_charts, "theta_chart", no_matplotlib)
    theta = score_theta(COACHING, ANSWERS)
    html = profile_report(mgrlead.score(COACHING, ANSWERS), COACHING, theta=theta)
    section = _theta_section(html)
    assert "<img" not in section
    assert "The charts are left out: charts need matplotlib" in section
    assert "95% interval" in section


def test_the_theta_section_escapes_and_refuses_another_rubric() -> None:
    evil = "<script>alert('x')</script>"
    dim = attrs.evolve(COACHING.dimensions[0], name=f"Coaching {evil}")
    r = attrs.evolve(COACHING, dimensions=[dim])
    html = profile_report(mgrlead.score(r, ANSWERS), r, theta=score_theta(r, ANSWERS))
    assert "<script" not in html.lower()
    assert "Coaching &lt;script&gt;" in _theta_section(html)
    other = score_theta(RUBRIC, {"i0": 3})
    with pytest.raises(ReportError, match="dimension 'trait'"):
        profile_report(mgrlead.score(COACHING, ANSWERS), COACHING, theta=other)


def test_mgrlead_report_theta_adds_the_section_and_its_charts(tmp_path: Path) -> None:
    responses = tmp_path / "responses.csv"
    responses.write_text("id,c1,c2,c3,c4\nr1,4,2,5,\nr2,1,5,1,1\n", encoding="utf-8")
    out = tmp_path / "r1.html"
    args = ["report", str(responses), "--rubric", str(EXAMPLE), "--respondent", "r1"]
    done = CliRunner().invoke(
        cli, [*args, "--theta", "-o", str(out), "--charts", str(tmp_path / "c")]
    )
    assert done.exit_code == 0, done.stderr
    section = _theta_section(out.read_text("utf-8"))
    score = score_theta(COACHING, ANSWERS)["coaching"]
    assert score.theta is not None
    assert f"<strong>{score.theta:+.2f}</strong>" in section
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "profile.png", "profile.svg", "theta-coaching.png", "theta-coaching.svg",
    ]  # fmt: skip
    plain = tmp_path / "plain.html"
    assert CliRunner().invoke(cli, [*args, "-o", str(plain)]).exit_code == 0
    assert 'id="theta"' not in plain.read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--kind", "team", "--theta"], "--theta is for --kind profile, not --kind team"),
        (["--theta", "--rubric", "manager-leader", "--respondent", "R001"], "no dimension has IRT"),
    ],
)
def test_mgrlead_report_theta_mistakes_are_one_line(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    out = tmp_path / "x.html"
    done = CliRunner().invoke(
        cli, ["report", str(ROOT / "examples" / "responses.csv"), "-o", str(out), *args]
    )
    assert done.exit_code == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("mgrlead: error: ")
    assert expected in line
    assert not out.exists()


def test_mgrlead_report_theta_needs_answers_not_a_saved_profile(tmp_path: Path) -> None:
    saved = tmp_path / "profile.json"
    saved.write_text(mgrlead.score(COACHING, ANSWERS).to_json(), encoding="utf-8")
    out = str(tmp_path / "x.html")
    done = CliRunner().invoke(
        cli, ["report", str(saved), "--rubric", str(EXAMPLE), "--theta", "-o", out]
    )
    assert done.exit_code == 2
    (line,) = done.stderr.splitlines()
    assert "--theta needs the answers" in line


# ------------------------------------------------------------------ the docs
def _section() -> str:
    page = (ROOT / "docs" / "irt.md").read_text("utf-8")
    return page[page.index("## Information and plots") :]


def test_the_docs_commands_run_and_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```console\n(.*?)```", _section(), re.DOTALL)
    runs = re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]
    assert len(runs) == 2
    for run in runs:
        line, _, shown = run.partition("\n")
        done = CliRunner().invoke(cli, shlex.split(line)[1:])
        assert done.exit_code == 0, done.output
        if shown:  # the page shows this command's output: exactly this
            assert done.stdout.rstrip("\n") == shown.rstrip("\n")
    assert len(list((tmp_path / "irt-charts").glob("*.svg"))) == 6
    (error,) = re.findall(r"```text\n(mgrlead: error: .*?)\n```", _section(), re.DOTALL)
    assert _run("--rubric", "manager-leader").stderr == error + "\n"


def test_the_docs_build_draws_the_irt_pictures_the_page_shows() -> None:
    conf = (ROOT / "docs" / "conf.py").read_text("utf-8")
    for name in re.findall(r"\(_generated/gallery/(irt-[a-z]+)\.svg\)", _section()):
        assert f'charts["{name}"]' in conf


# ------------------------------------------------------------------ properties
_THRESHOLDS = st.lists(st.floats(-3, 3, allow_nan=False), min_size=4, max_size=4, unique=True).map(
    sorted
)


@settings(max_examples=25, deadline=None)
@given(
    a=st.floats(0.3, 3.0),
    thresholds=_THRESHOLDS.filter(lambda b: min(np.diff(b)) > 0.05),
    steps=st.lists(st.floats(-3, 3, allow_nan=False), min_size=4, max_size=4),
    theta=st.floats(-4, 4),
    keyed=st.sampled_from(["high", "low"]),
)
def test_information_and_se_agree_with_the_reference_for_any_parameters(
    a: float, thresholds: list[float], steps: list[float], theta: float, keyed: str
) -> None:
    params = [
        IrtParams(model="grm", a=a, thresholds=tuple(thresholds)),
        IrtParams(model="gpcm", a=a, steps=tuple(steps)),
    ]
    r = irt_rubric(params, [keyed, "high"])
    s = information_summary(r, "trait", points=(theta,))
    ref = _test_info_ref(params, theta)
    assert s.information[0] == pytest.approx(ref, rel=1e-6)
    assert s.se[0] == pytest.approx(1 / math.sqrt(ref + 1), rel=1e-6)
    for it, p in zip(s.items, params, strict=True):
        assert it.peak >= _info_ref(p, theta) * (1 - 1e-7)  # nowhere more than the peak


def test_on_a_terminal_the_tables_have_rules() -> None:
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.irt_show import show_information  # noqa: PLC0415

    summary = information_summary(COACHING, "coaching")
    shown = {}
    for plain in (True, False):
        console = Console(record=True, width=120, force_terminal=True)
        show_information(COACHING, summary, console, plain=plain)
        shown[plain] = console.export_text()
    assert "─" in shown[False]
    assert "─" not in shown[True]
    console = Console(record=True, width=120)
    show_information(COACHING, summary, console, reliability=0.8123, plain=True)
    assert "Marginal reliability: 0.812" in console.export_text()


def test_a_60_column_terminal_shows_every_number_whole() -> None:
    # at 60 columns the thresholds column was squeezed to nothing (its header
    # blank, its numbers gone); they now get a table of their own
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.irt_show import parameter_text, show_information  # noqa: PLC0415

    summary = information_summary(COACHING, "coaching")
    console = Console(record=True, width=60, force_terminal=True)
    show_information(COACHING, summary, console, plain=False)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text
    for it in summary.items:
        assert parameter_text(it.params) in text
        assert f"{it.peak:.3f}" in text
        assert f"{it.peak_at:+.2f}" in text


def test_theta_words_say_above_or_below_only_when_the_interval_does() -> None:
    from mgrlead.report.texts import theta_words  # noqa: PLC0415

    dim = COACHING.dimensions[0]
    assert "above the calibration average, toward High" in theta_words(dim, (0.1, 0.9))
    assert "below the calibration average, toward Low" in theta_words(dim, (-0.9, -0.1))
    assert "not clearly above or below" in theta_words(dim, (-0.1, 0.9))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_theta_chart_shows_and_is_named_in_a_browser_at_any_width(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    theta = score_theta(COACHING, ANSWERS)
    page_file = tmp_path / "theta.html"
    page_file.write_text(
        profile_report(mgrlead.score(COACHING, ANSWERS), COACHING, theta=theta), "utf-8"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for width in (1200, 400):
                page = browser.new_page(viewport={"width": width, "height": 1000})
                page.goto(page_file.as_uri(), wait_until="load")
                chart = page.get_by_role("img", name=re.compile("your θ"))
                assert chart.count() == 1
                shown = chart.evaluate(
                    "i => ({ok: i.complete && i.naturalWidth > 0, "
                    "right: i.getBoundingClientRect().right})"
                )
                assert shown["ok"]
                assert shown["right"] <= width  # never wider than the screen
                assert "95% interval" in page.inner_text("#theta")
                page.close()
        finally:
            browser.close()
