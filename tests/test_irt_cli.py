"""``mgrlead irt fit``: calibrate from a responses file, write the rubric (issue 17, part 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import mgrlead
from mgrlead.cli.render_irt import show_calibration
from mgrlead.irt import (
    calibrate,
    empirical_reliability,
    global_fit,
    item_fit,
    marginal_reliability,
    score_theta,
    simulate,
)

from .helpers import one_line_error, run
from .test_irt_calibrate import truth

ML = mgrlead.load_rubric("manager-leader")
TRUE = truth("grm")
ANSWERS = simulate(TRUE, 400, seed=9, missing=0.02).answers


def _csv(path: Path, answers: np.ndarray = ANSWERS) -> Path:
    lines = ["person," + ",".join(ML.item_ids)]
    for n, row in enumerate(answers):
        cells = ["" if np.isnan(v) else str(int(v)) for v in row]
        lines.append(f"p{n}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fit_writes_a_rubric_that_scores_theta(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / "calibrated.toml"
    result = run("irt", "fit", str(data), "-o", str(out), "--dimension", "process_results")
    assert result.exit_code == 0, result.output
    assert "Items of process_results (grm)" in result.stdout
    assert "-2LL" in result.stdout
    assert f"wrote {out}" in result.stderr
    calibrated = mgrlead.load_rubric(str(out))
    assert calibrated.version == "1.0-calibrated"
    api = calibrate(ML, ANSWERS, dimensions=["process_results"])
    assert calibrated == api.rubric  # the file holds the library's estimates
    theta = score_theta(calibrated, ANSWERS)["process_results"].theta
    assert np.isfinite(theta).all()
    scored = run("score", str(data), "--rubric", str(out), "--format", "csv")
    assert scored.exit_code == 0, scored.output  # the ordinary scores still work


@pytest.mark.parametrize(("name", "loader"), [("cal.json", json.loads), ("cal.yaml", None)])
def test_the_extension_picks_the_format(tmp_path: Path, name: str, loader: object) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / name
    result = run(
        "irt", "fit", str(data), "-o", str(out), "--dimension", "staff_counsel",
        "--model", "pcm", "--rubric-version", "2.0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    calibrated = mgrlead.load_rubric(str(out))
    assert calibrated.version == "2.0"
    assert {calibrated.item(i).irt.model for i in ("os1", "os6")} == {"pcm"}  # type: ignore[union-attr]
    if loader is json.loads:
        assert json.loads(out.read_text())["version"] == "2.0"


def test_refit_re_estimates_declared_parameters(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    first = tmp_path / "first.toml"
    assert (
        run("irt", "fit", str(data), "-o", str(first), "--dimension", "process_results").exit_code
        == 0
    )
    again = tmp_path / "again.toml"
    refused = run("irt", "fit", str(data), "--rubric", str(first), "-o", str(again),
                  "--dimension", "process_results")  # fmt: skip
    assert "already declare IRT parameters; pass refit=True (mgrlead irt fit --refit)" in (
        one_line_error(refused)
    )
    result = run("irt", "fit", str(data), "--rubric", str(first), "-o", str(again),
                 "--dimension", "process_results", "--refit")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note: re-estimated 6 items that declared parameters" in result.stdout


def test_mistakes_are_one_line(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = str(tmp_path / "out.toml")
    same = one_line_error(run("irt", "fit", str(data), "-o", str(data)))
    assert "is the FILE" in same
    assert "names no output format" in one_line_error(
        run("irt", "fit", str(data), "-o", str(tmp_path / "out.txt"))
    )
    assert "has no dimension 'nope'" in one_line_error(
        run("irt", "fit", str(data), "-o", out, "--dimension", "nope")
    )
    bad = ANSWERS.copy()
    bad[:, 0] = np.where(bad[:, 0] == 2, 3, bad[:, 0])
    message = one_line_error(
        run(
            "irt",
            "fit",
            str(_csv(tmp_path / "bad.csv", bad)),
            "-o",
            out,
            "--dimension",
            "process_results",
        )
    )
    assert "dimension 'process_results', item 'pr1': nobody answered 2" in message
    few = one_line_error(
        run("irt", "fit", str(_csv(tmp_path / "few.csv", ANSWERS[:50])), "-o", out)
    )
    assert "50 respondents answered its items; calibration needs at least 100" in few
    assert "no such file" in one_line_error(run("irt", "fit", "nope.csv", "-o", out)).lower()
    assert not Path(out).exists()  # a refused run writes nothing


# ------------------------------------------------------------------ model fit and reliability
def _rows(text: str) -> list[list[str]]:
    """The cells of every table row printed (plain text: the output is not a terminal)."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def _p(p: float) -> str:
    return f"{p:.3f}" if p >= 0.001 else "<0.001"


def test_fit_prints_the_model_fit_and_reliability_of_mgrlead_irt_fit(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / "calibrated.toml"
    result = run("irt", "fit", str(data), "-o", str(out), "--dimension", "memos_coaching")
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout  # plain text off a terminal
    calibrated = mgrlead.load_rubric(str(out))
    rows = _rows(result.stdout)
    g = global_fit(calibrated, ANSWERS, "memos_coaching")
    assert g.type == "C2"
    assert [
        "memos_coaching", "C2", f"{g.statistic:.2f}", str(g.df), _p(g.p), f"{g.rmsea:.3f}",
        f"{g.srmsr:.3f}", str(g.n),
    ] in rows  # fmt: skip
    marginal = marginal_reliability(calibrated, "memos_coaching")
    empirical = empirical_reliability(calibrated, ANSWERS, "memos_coaching")
    assert ["memos_coaching", f"{marginal:.3f}", f"{empirical:.3f}"] in rows
    fits = item_fit(calibrated, ANSWERS, dimension="memos_coaching")
    flagged = 0
    for f in fits:
        flag = "misfit" if f.p < 0.01 else ""
        flagged += bool(flag)
        assert [
            "memos_coaching",
            f.item,
            f"{f.statistic:.2f}",
            str(f.df),
            _p(f.p),
            str(f.n),
            flag,
        ] in rows
    assert flagged == 1  # these data have one item below .01: the flag is shown
    assert "misfit: p < 0.01 (1 item)" in result.stdout


def test_a_statistic_the_data_cannot_give_is_a_dash_and_a_note(tmp_path: Path) -> None:
    sparse = ANSWERS.copy()
    sparse[np.random.default_rng(1).random(sparse.shape) < 0.35] = np.nan
    data = _csv(tmp_path / "sparse.csv", sparse)
    out = tmp_path / "calibrated.toml"
    result = run("irt", "fit", str(data), "-o", str(out), "--dimension", "process_results")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert ["process_results", "-", "-", "-", "-", "-", "-", "-"] in rows
    assert ["process_results", "pr1", "-", "-", "-", "-", ""] in rows
    notes = " ".join(result.stdout.split()).split("note: ")[1:]
    assert any(n.startswith("item fit (S-X²) left out: dimension 'process_results'")
               for n in notes)  # fmt: skip
    assert any("global fit (C2) left out" in n for n in notes)
    calibrated = mgrlead.load_rubric(str(out))  # the reliabilities need no complete cases
    marginal = marginal_reliability(calibrated, "process_results")
    empirical = empirical_reliability(calibrated, sparse, "process_results")
    assert ["process_results", f"{marginal:.3f}", f"{empirical:.3f}"] in rows


@pytest.mark.parametrize("choice", ["m2", "M2*", "none"])
def test_fit_chooses_the_global_statistic(tmp_path: Path, choice: str) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / "calibrated.toml"
    result = run("irt", "fit", str(data), "-o", str(out), "--dimension", "staff_counsel",
                 "--fit", choice)  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    if choice == "m2":
        g = global_fit(mgrlead.load_rubric(str(out)), ANSWERS, "staff_counsel", type="M2")
        assert ["staff_counsel", "M2", f"{g.statistic:.2f}", str(g.df)] == next(
            r[:4] for r in rows if r[:2] == ["staff_counsel", "M2"]
        )
    else:  # M2*: df < 1 for six 5-point items, said in a note; none: asked to leave it out
        assert ["staff_counsel", "-", "-", "-", "-", "-", "-", "-"] in rows
        words = " ".join(result.stdout.split())
        assert ("M2* compares 21 moments with 30 item parameters" in words) == (choice == "M2*")
    assert ["staff_counsel", "os1"] in [r[:2] for r in rows if len(r) == 7]  # S-X² still shown


def test_the_misfit_flag_is_coloured_on_a_terminal() -> None:
    cal = calibrate(ML, ANSWERS, dimensions=["memos_coaching"])
    console = Console(force_terminal=True, width=120, record=True)
    show_calibration(cal, console)
    assert "\x1b[1;31mmisfit" in console.export_text(styles=True)


def test_help_mentions_the_fit_statistics() -> None:
    text = " ".join(run("irt", "fit", "--help").output.split())
    assert "--fit [c2|m2|m2*|none]" in text
    assert "S-X² item fit and the reliabilities are always shown" in text
    assert "marginal and empirical reliability, per item S-X² with df and p" in text


def test_a_60_column_terminal_shows_every_fit_figure_whole(tmp_path: Path) -> None:
    # at 60 columns the bordered tables cut numbers ("9176…", "0.0…"); below
    # 80 columns they lose their borders and every figure stays whole
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.render_irt import show_calibration  # noqa: PLC0415
    from mgrlead.irt import calibrate  # noqa: PLC0415

    cal = calibrate(mgrlead.load_rubric("manager-leader"), ANSWERS, dimensions=["memos_coaching"])
    console = Console(record=True, width=60, force_terminal=True)
    show_calibration(cal, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text
    (fit,) = cal.dimensions
    for value in (fit.minus2ll, fit.aic, fit.bic):
        assert f"{value:.1f}" in text
    assert fit.global_fit is not None
    assert f"{fit.global_fit.statistic:.2f}" in text


def test_fit_reads_long_data_as_the_wide_file(tmp_path: Path) -> None:
    # the same answers, one row per respondent and item (a blank answer: no row)
    rows = ["who,question,answer"]
    rows += [
        f"p{n},{item},{int(v)}"
        for n, row in enumerate(ANSWERS)
        for item, v in zip(ML.item_ids, row, strict=True)
        if not np.isnan(v)
    ]
    long = tmp_path / "long.csv"
    long.write_text("\n".join(rows) + "\n", encoding="utf-8")
    wide_out, long_out = tmp_path / "wide.toml", tmp_path / "long.toml"
    common = ["--dimension", "process_results", "--fit", "none"]
    wide = run("irt", "fit", str(_csv(tmp_path / "wide.csv")), "-o", str(wide_out), *common)
    assert wide.exit_code == 0, wide.output
    result = run(
        "irt", "fit", str(long), "-o", str(long_out), *common, "--long", "--long-id", "who",
        "--long-item", "question", "--long-response", "answer",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert mgrlead.load_rubric(str(long_out)) == mgrlead.load_rubric(str(wide_out))
    unknown = run("irt", "fit", str(long), "-o", str(tmp_path / "x.toml"), "--long")
    assert unknown.exit_code == 2
    assert one_line_error(unknown) == (
        f"mgrlead: error: {long} has no column 'id' for the id; name it with --long-id"
    )
