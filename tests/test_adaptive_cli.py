"""``mgrlead assess --adaptive`` and ``mgrlead cat simulate`` (issue 18, parts 4 and 5)."""

from __future__ import annotations

import csv
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pexpect
from click.testing import CliRunner

import mgrlead
from mgrlead.adaptive import AdaptiveSession, CatOptions
from mgrlead.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "ipip-bfi50-irt.toml")
BIG5 = mgrlead.load_rubric(EXAMPLE)
SRC = Path(mgrlead.__file__).resolve().parents[1]


def _direct(answer: Any, **options: Any) -> AdaptiveSession:
    session = AdaptiveSession.start(BIG5, CatOptions(**options), seed=0)
    while not session.done:
        item = session.next_item() or ""
        session.answer(item, answer(item))
    return session


# ------------------------------------------------------------------ assess --adaptive
def test_piped_adaptive_answers_the_chosen_items() -> None:
    direct = _direct(lambda _i: 4, se=0.5)
    lines = "4\n" * len(direct.asked)
    done = CliRunner().invoke(
        cli, ["assess", "--adaptive", "--rubric", EXAMPLE, "--se", "0.5", "--seed", "0", "--json"],
        input=lines,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert [a["item"] for a in result["asked"]] == [a.item for a in direct.asked]
    assert result["stopped_by"] == ["se"]
    assert result["profile"] == json.loads(direct.profile().to_json())
    for dim, (theta, se) in direct.estimates().items():
        assert result["theta"][dim]["theta"] == theta
        assert result["theta"][dim]["se"] == se <= 0.5


def test_piped_adaptive_back_re_estimates() -> None:
    """``b`` takes back the last answer: 5, b, 1 equals answering 1 at once."""
    args = ["assess", "--adaptive", "--rubric", EXAMPLE, "--max-items", "3", "--seed", "0",
            "--json"]  # fmt: skip
    went_back = CliRunner().invoke(cli, args, input="5\nb\n1\n2\n3\n")
    straight = CliRunner().invoke(cli, args, input="1\n2\n3\n")
    assert went_back.exit_code == straight.exit_code == 0, went_back.output
    assert json.loads(went_back.stdout) == json.loads(straight.stdout)
    assert json.loads(straight.stdout)["stopped_by"] == ["max_items"]


def test_adaptive_display_and_profile_file(tmp_path: Path) -> None:
    out = tmp_path / "me.json"
    done = CliRunner().invoke(
        cli, ["assess", "--adaptive", "--rubric", EXAMPLE, "--se", "0.6", "--seed", "0",
              "-o", str(out)],
        input="3\n" * 50,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Your profile at a glance" in done.stdout
    assert "Adaptive estimate" in done.stdout
    assert "stopped by: se" in done.stdout
    assert "were not\nneeded" in done.stderr or "were not needed" in done.stderr
    saved = mgrlead.Profile.from_json(out.read_text("utf-8"))
    assert saved == _direct(lambda _i: 3, se=0.6).profile()


def test_adaptive_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(dict.fromkeys(BIG5.item_ids, 2)), "utf-8")
    done = CliRunner().invoke(
        cli, ["assess", "--adaptive", "--rubric", EXAMPLE, "--answers", str(answers), "--json",
              "--seed", "0"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert len(json.loads(done.stdout)["asked"]) == len(_direct(lambda _i: 2).asked)


def test_adaptive_user_errors_are_one_line() -> None:
    cases = [
        (["assess", "--se", "0.3"], "", "--se applies to adaptive tests only"),
        (["assess", "--adaptive"], "", "no dimension has IRT parameters"),
        (["assess", "--adaptive", "--rubric", EXAMPLE], "7\n", "is not an answer to item"),
        (["assess", "--adaptive", "--rubric", EXAMPLE], "4\n", "standard input ended"),
    ]
    for args, given, message in cases:
        done = CliRunner().invoke(cli, args, input=given)
        assert done.exit_code != 0
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.count("mgrlead: error:") == 1


def test_adaptive_in_a_terminal(tmp_path: Path) -> None:
    """A person at a terminal: progress as precision, `b` back, same result display."""
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="100", LINES="40", TERM="xterm")
    command = " ".join(
        shlex.quote(a)
        for a in (sys.executable, "-m", "mgrlead", "assess", "--adaptive", "--rubric", EXAMPLE,
                  "--se", "0.6", "--seed", "0")
    )  # fmt: skip
    child = pexpect.spawn("/bin/sh", ["-c", command], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 100))  # fmt: skip
    child.expect("precision: 0/5 dimensions reached")
    child.send("5")
    child.expect("precision: ")
    child.send("b")  # back to the first statement, its answer kept
    child.expect("Enter keeps 5")
    child.send("3")
    answered = 1
    while True:
        index = child.expect(["precision: ", "Your profile at a glance"])
        if index == 1:
            break
        child.send("3")
        answered += 1
    child.expect("stopped by: se")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert answered == len(_direct(lambda _i: 3, se=0.6).asked)


# ------------------------------------------------------------------ cat simulate
def test_cat_simulate_table_and_files(tmp_path: Path) -> None:
    out = tmp_path / "sim.json"
    done = CliRunner().invoke(
        cli, ["cat", "simulate", "--rubric", EXAMPLE, "-n", "300", "--se", "0.4", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "Test length: mean" in done.stdout
    assert "Stopping rules that fired" in done.stdout
    summary = json.loads(out.read_text("utf-8"))
    assert summary["n"] == 300
    assert summary["full_length"] == 50
    assert summary["mean_length"] < 50
    assert set(summary["stopped_by"]) == {"se", "min_information", "max_per_dimension",
                                          "exhausted", "max_items"}  # fmt: skip
    rows = tmp_path / "sim.csv"
    done = CliRunner().invoke(
        cli, ["cat", "simulate", "--rubric", EXAMPLE, "-n", "50", "--max-items", "10",
              "-o", str(rows)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    with rows.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 50
    assert all(int(r["items"]) <= 10 for r in table)
    assert all(r["stopped_by"] for r in table)


def test_cat_simulate_true_theta_file(tmp_path: Path) -> None:
    theta = tmp_path / "theta.csv"
    dims = [d.id for d in BIG5.dimensions]
    theta.write_text(",".join(dims) + "\n" + "\n".join(",".join(["1.5"] * 5) for _ in range(40)))
    out = tmp_path / "rows.csv"
    done = CliRunner().invoke(
        cli, ["cat", "simulate", "--rubric", EXAMPLE, "--theta", str(theta), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    with out.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 40
    assert {r["extraversion_true"] for r in table} == {"1.5"}
    theta.write_text("extraversion\n1\n", "utf-8")
    done = CliRunner().invoke(cli, ["cat", "simulate", "--rubric", EXAMPLE, "--theta", str(theta)])
    assert done.exit_code != 0
    assert "no column for dimension(s) agreeableness" in done.stderr


def test_cat_simulate_charts(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        cli, ["cat", "simulate", "--rubric", EXAMPLE, "-n", "100", "--chart", str(tmp_path),
              "--targets", "0.4,0.5"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cat-exposure.png", "cat-exposure.svg", "cat-length.png", "cat-length.svg"]
    done = CliRunner().invoke(
        cli, ["cat", "simulate", "--rubric", EXAMPLE, "-n", "10", "--chart", str(tmp_path),
              "--targets", "0.4,x"],
    )  # fmt: skip
    assert done.exit_code != 0
    assert "--targets '0.4,x'" in done.stderr


def test_length_chart_refuses_mixed_input() -> None:
    import pytest  # noqa: PLC0415

    from mgrlead.adaptive import simulate  # noqa: PLC0415
    from mgrlead.errors import ReportError  # noqa: PLC0415
    from mgrlead.report.cat_charts import length_chart  # noqa: PLC0415

    with pytest.raises(ReportError, match="at least one"):
        length_chart([])
    per_dim = simulate(BIG5, CatOptions(se={"intellect": 0.3}), n=5, full=False)
    with pytest.raises(ReportError, match="one SE target"):
        length_chart([per_dim])


def test_a_60_column_terminal_shows_every_simulation_figure_whole() -> None:
    # at 60 columns the per-dimension table ran past the edge (its last three
    # columns cut off, "4.8/…"); below 80 columns it is two tables
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.adaptive import simulate  # noqa: PLC0415
    from mgrlead.cli.cat import show_simulation  # noqa: PLC0415

    result = simulate(mgrlead.load_rubric(EXAMPLE), CatOptions(se=0.4), n=60, seed=1)
    console = Console(record=True, width=60, force_terminal=True)
    show_simulation(result, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text
    for d in result.dimensions():
        assert d.dimension in text
        assert f"{d.mean_items:.1f}/{d.items}" in text
        for value in (d.rmse_full, d.rmse_vs_full, d.corr_full):
            assert f"{value:.3f}" in text


def test_the_theta_table_keeps_whole_words_at_60_columns() -> None:
    # "Conscientiousness" was cut to "Conscientiousn…" on a 60-column terminal
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.assess import _show_theta  # noqa: PLC0415

    rubric = mgrlead.load_rubric(EXAMPLE)
    session = AdaptiveSession.start(rubric, CatOptions(se=0.5), seed=1)
    while not session.done:
        item = session.next_item()
        assert item is not None
        session.answer(item, 4)
    console = Console(record=True, width=60, force_terminal=True)
    _show_theta(rubric, session.result(), console)
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 60
    for dim in rubric.dimensions:
        for word in dim.name.split():
            assert word in text
